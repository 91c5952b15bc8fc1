//! What a campaign sends besides its texts (issue 24): the media of the campaign and of each
//! variant, or a poll. The rules a new campaign's content must follow, the files and lists it
//! refers to, and reading it back from a campaign row.

use std::collections::BTreeSet;

use app::messages::{CampaignMedia, Poll};
use app::types::VariantInput;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use serde_json::{Value, json};

use crate::domain::media_type::MediaKind;
use crate::entities::campaign;
use crate::service::{Problem, ServiceResult};
use crate::sql::{placeholders, stmt};

/// Fewest options of a poll (WhatsApp's).
pub const MIN_POLL_OPTIONS: usize = 2;
/// Most options of a poll (WhatsApp's).
pub const MAX_POLL_OPTIONS: usize = 12;
/// Most characters of a poll option.
const MAX_OPTION_CHARS: usize = 100;
/// Most characters of a poll question.
pub const MAX_QUESTION_CHARS: usize = 255;

/// A campaign's content, checked: the texts (`message` first), each one's media, the poll.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Content {
    /// The media of `message` (the campaign's), if any.
    pub media: Option<CampaignMedia>,
    /// The more variants, as stored (text, or text and own media).
    pub variants: Vec<VariantInput>,
    /// The poll, if any.
    pub poll: Option<Poll>,
}

impl Content {
    /// The media each text sends, `message` first: a variant's own, else the campaign's.
    pub fn media_per_variant(&self) -> Vec<Option<&CampaignMedia>> {
        std::iter::once(self.media.as_ref())
            .chain(
                self.variants
                    .iter()
                    .map(|v| v.media().or(self.media.as_ref())),
            )
            .collect()
    }

    /// Whether text `index` (0 = `message`) may be empty: it sends media or a poll.
    pub fn text_optional(&self, index: usize) -> bool {
        self.poll.is_some()
            || self
                .media_per_variant()
                .get(index)
                .is_some_and(Option::is_some)
    }

    /// The stored `campaign.variants` (strings, or objects for variants with their own media).
    pub fn variants_json(&self) -> Option<Value> {
        (!self.variants.is_empty()).then(|| json!(self.variants))
    }

    /// The stored `campaign.media`.
    pub fn media_json(&self) -> Option<Value> {
        self.media.as_ref().map(|m| json!(m))
    }

    /// The stored `campaign.poll`.
    pub fn poll_json(&self) -> Option<Value> {
        self.poll.as_ref().map(|p| json!(p))
    }

    /// The files it uses.
    pub fn media_ids(&self) -> BTreeSet<i64> {
        self.media_per_variant()
            .into_iter()
            .flatten()
            .map(|m| m.media_id)
            .collect()
    }

    /// Checks what needs no database: voice notes carry no text, a poll goes alone with 2 to
    /// 12 distinct options. `texts` are `message` and the variants' texts.
    pub fn check(&self, texts: &[&str]) -> ServiceResult<()> {
        for (i, media) in self.media_per_variant().into_iter().enumerate() {
            let Some(media) = media else { continue };
            let field = field_of(i);
            if MediaKind::parse(&media.kind).is_none() {
                return Err(Problem::MediaKind {
                    field,
                    kind: "image, video, document, audio".into(),
                }
                .into());
            }
            let has_text = texts.get(i).is_some_and(|t| !t.trim().is_empty())
                || media.caption.as_ref().is_some_and(|c| !c.trim().is_empty());
            if media.kind == MediaKind::Audio.as_str() && has_text {
                return Err(Problem::VoiceNoteText { field }.into());
            }
        }
        let Some(poll) = &self.poll else {
            return Ok(());
        };
        if self.media.is_some() || !self.variants.is_empty() {
            return Err(Problem::PollAlone.into());
        }
        let question = poll.question.trim();
        if question.is_empty() || question.chars().count() > MAX_QUESTION_CHARS {
            return Err(Problem::PollQuestion {
                max: MAX_QUESTION_CHARS,
            }
            .into());
        }
        let distinct: BTreeSet<&str> = poll.options.iter().map(|o| o.trim()).collect();
        let options_ok = (MIN_POLL_OPTIONS..=MAX_POLL_OPTIONS).contains(&poll.options.len())
            && distinct.len() == poll.options.len()
            && poll
                .options
                .iter()
                .all(|o| !o.trim().is_empty() && o.chars().count() <= MAX_OPTION_CHARS);
        if !options_ok {
            return Err(Problem::PollOptions {
                min: MIN_POLL_OPTIONS,
                max: MAX_POLL_OPTIONS,
            }
            .into());
        }
        if poll.selectable_count == 0 || poll.selectable_count as usize > poll.options.len() {
            return Err(Problem::PollSelectable.into());
        }
        if poll
            .option_lists
            .keys()
            .any(|k| !poll.options.iter().any(|o| o == k))
        {
            return Err(Problem::PollLists.into());
        }
        Ok(())
    }

    /// Checks what the database knows: every file is the tenant's and of the kind named, every
    /// poll list is the tenant's.
    pub async fn check_references(
        &self,
        conn: &impl ConnectionTrait,
        tenant_id: i64,
    ) -> ServiceResult<()> {
        #[derive(FromQueryResult)]
        struct File {
            id: i64,
            kind: String,
        }
        let ids: Vec<i64> = self.media_ids().into_iter().collect();
        if !ids.is_empty() {
            let mut values = vec![tenant_id.into()];
            values.extend(ids.iter().map(|&id| id.into()));
            let files = File::find_by_statement(stmt(
                conn.get_database_backend(),
                &format!(
                    "SELECT id, kind FROM media WHERE tenant_id = ? AND id IN ({})",
                    placeholders(ids.len())
                ),
                values,
            ))
            .all(conn)
            .await?;
            for (i, media) in self.media_per_variant().into_iter().enumerate() {
                let Some(media) = media else { continue };
                match files.iter().find(|f| f.id == media.media_id) {
                    None => return Err(Problem::UnknownMedia { field: field_of(i) }.into()),
                    Some(f) if f.kind != media.kind => {
                        return Err(Problem::MediaKind {
                            field: field_of(i),
                            kind: f.kind.clone(),
                        }
                        .into());
                    }
                    Some(_) => {}
                }
            }
        }
        if let Some(poll) = &self.poll {
            let lists: BTreeSet<i64> = poll.option_lists.values().copied().collect();
            if !lists.is_empty() {
                #[derive(FromQueryResult)]
                struct Count {
                    n: i64,
                }
                let mut values = vec![tenant_id.into()];
                values.extend(lists.iter().map(|&id| id.into()));
                let found = Count::find_by_statement(stmt(
                    conn.get_database_backend(),
                    &format!(
                        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM list \
                         WHERE tenant_id = ? AND id IN ({})",
                        placeholders(lists.len())
                    ),
                    values,
                ))
                .one(conn)
                .await?
                .map_or(0, |c| c.n);
                if found != lists.len() as i64 {
                    return Err(Problem::PollLists.into());
                }
            }
        }
        Ok(())
    }

    /// Records which files campaign `campaign_id` uses (they are kept while it exists).
    pub async fn link_files(
        &self,
        conn: &impl ConnectionTrait,
        campaign_id: i64,
    ) -> Result<(), DbErr> {
        for media_id in self.media_ids() {
            conn.execute_raw(stmt(
                conn.get_database_backend(),
                "INSERT INTO campaign_media (campaign_id, media_id) VALUES (?, ?)",
                vec![campaign_id.into(), media_id.into()],
            ))
            .await?;
        }
        Ok(())
    }

    /// The content stored on a campaign row.
    pub fn of(m: &campaign::Model) -> Self {
        Self {
            media: m.media.clone().and_then(|v| serde_json::from_value(v).ok()),
            variants: m
                .variants
                .clone()
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default(),
            poll: m.poll.clone().and_then(|v| serde_json::from_value(v).ok()),
        }
    }
}

/// The API field of text `index`: `message`, `variants[0]`, …
pub fn field_of(index: usize) -> String {
    match index {
        0 => "media".into(),
        i => format!("variants[{}]", i - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(id: i64) -> CampaignMedia {
        CampaignMedia {
            kind: "image".into(),
            media_id: id,
            caption: None,
            file_name: None,
        }
    }

    fn poll(options: &[&str], selectable: u32) -> Poll {
        Poll {
            question: "Qual horário você prefere?".into(),
            options: options.iter().map(|o| o.to_string()).collect(),
            selectable_count: selectable,
            option_lists: Default::default(),
        }
    }

    #[test]
    fn variants_inherit_the_campaign_media_unless_they_have_their_own() {
        let content = Content {
            media: Some(photo(1)),
            variants: vec![
                "Oi".into(),
                VariantInput::Message {
                    text: "Olá".into(),
                    media: Some(photo(2)),
                },
            ],
            poll: None,
        };
        let ids: Vec<i64> = content
            .media_per_variant()
            .iter()
            .map(|m| m.unwrap().media_id)
            .collect();
        assert_eq!(ids, [1, 1, 2]);
        assert!(content.text_optional(0));
        assert_eq!(content.media_ids().len(), 2);
    }

    #[test]
    fn a_voice_note_has_no_text() {
        let mut audio = photo(1);
        audio.kind = "audio".into();
        let content = Content {
            media: Some(audio),
            ..Default::default()
        };
        assert!(content.check(&[""]).is_ok());
        assert!(content.check(&["Ouça!"]).is_err());
    }

    #[test]
    fn polls_have_two_to_twelve_distinct_options() {
        let check = |p: Poll| {
            Content {
                poll: Some(p),
                ..Default::default()
            }
            .check(&[""])
        };
        assert!(check(poll(&["Manhã", "Tarde"], 1)).is_ok());
        assert!(check(poll(&["Manhã"], 1)).is_err());
        assert!(check(poll(&["Manhã", "Manhã"], 1)).is_err());
        assert!(check(poll(&["Manhã", "Tarde"], 3)).is_err());
        assert!(check(poll(&["Manhã", "Tarde"], 0)).is_err());
        let thirteen: Vec<String> = (0..13).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = thirteen.iter().map(String::as_str).collect();
        assert!(check(poll(&refs, 1)).is_err());
        let mut listed = poll(&["Quero o catálogo", "Não"], 1);
        listed.option_lists.insert("Outra".into(), 1);
        assert!(check(listed).is_err());
    }

    #[test]
    fn a_poll_goes_alone() {
        let content = Content {
            media: Some(photo(1)),
            poll: Some(poll(&["a", "b"], 1)),
            ..Default::default()
        };
        assert!(content.check(&[""]).is_err());
    }
}
