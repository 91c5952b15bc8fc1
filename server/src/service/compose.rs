//! One recipient's message: the variant's text spun and filled with their data, as text, as
//! the caption of the variant's photo/video/document, as a voice note, or as the campaign's
//! poll. Shared by the sender and the test send, so a test shows exactly what recipients get.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use crate::domain::spintax::Spintax;
use crate::domain::template;
use crate::evolution::outgoing::Outgoing;
use crate::service::campaign_content::Content;
use crate::service::media;
use crate::sql::{placeholders, stmt};

/// A stored file as Evolution fetches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Its public URL.
    pub url: String,
    /// Its MIME type.
    pub mimetype: String,
    /// Its uploaded name.
    pub file_name: String,
}

/// The files of a campaign by media id.
pub type Files = BTreeMap<i64, File>;

/// The public URLs of `media_ids` under `public_url`.
pub async fn files(
    conn: &impl ConnectionTrait,
    public_url: &str,
    media_ids: &BTreeSet<i64>,
) -> Result<Files, DbErr> {
    if media_ids.is_empty() {
        return Ok(Files::new());
    }
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        token: String,
        mimetype: String,
        file_name: String,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT id, token, mimetype, file_name FROM media WHERE id IN ({})",
            placeholders(media_ids.len())
        ),
        media_ids.iter().map(|&id| id.into()).collect(),
    ))
    .all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.id,
                File {
                    url: media::url(public_url, &r.token),
                    mimetype: r.mimetype,
                    file_name: r.file_name,
                },
            )
        })
        .collect())
}

/// Whose data fills the placeholders, and the seed that picks their spintax.
pub struct Person<'a> {
    /// Spintax seed (the campaign contact id: a resend is the same text).
    pub seed: u64,
    /// Name.
    pub name: &'a str,
    /// Phone digits.
    pub phone: &'a str,
    /// Attributes for `{{field}}`.
    pub attributes: &'a BTreeMap<String, String>,
}

/// `text` spun with the person's seed and filled with their data.
fn render(text: &str, person: &Person<'_>) -> String {
    // Stored texts were validated; should one not parse, it is sent as written.
    let spun = Spintax::parse(text).map_or_else(|_| text.to_string(), |s| s.spin(person.seed));
    template::render_with(&spun, person.name, person.phone, person.attributes)
}

/// What variant `variant` of a campaign (`texts`, `message` first; `content`) sends to
/// `person`. `None` when its file is gone (cannot happen while the campaign uses it).
pub fn compose(
    texts: &[String],
    content: &Content,
    files: &Files,
    variant: usize,
    person: &Person<'_>,
) -> Option<Outgoing> {
    let variant = if variant < texts.len() { variant } else { 0 };
    let text = texts.get(variant).map_or("", String::as_str);
    if let Some(poll) = &content.poll {
        return Some(Outgoing::Poll {
            name: render(&poll.question, person),
            values: poll.options.clone(),
            selectable_count: poll.selectable_count,
        });
    }
    let Some(media) = content.media_per_variant().get(variant).copied().flatten() else {
        return Some(Outgoing::Text(render(text, person)));
    };
    let file = files.get(&media.media_id)?;
    if media.kind == "audio" {
        return Some(Outgoing::Audio {
            url: file.url.clone(),
        });
    }
    let caption = media.caption.as_deref().unwrap_or(text);
    Some(Outgoing::Media {
        mediatype: media.kind.clone(),
        mimetype: file.mimetype.clone(),
        url: file.url.clone(),
        caption: render(caption, person),
        file_name: media
            .file_name
            .clone()
            .unwrap_or_else(|| file.file_name.clone()),
    })
}

#[cfg(test)]
mod tests {
    use app::messages::CampaignMedia;

    use super::*;

    fn person(attributes: &BTreeMap<String, String>) -> Person<'_> {
        Person {
            seed: 7,
            name: "Maria Silva",
            phone: "5511987654321",
            attributes,
        }
    }

    #[test]
    fn a_photo_carries_the_rendered_caption() {
        let attrs = BTreeMap::new();
        let content = Content {
            media: Some(CampaignMedia {
                kind: "image".into(),
                media_id: 3,
                caption: None,
                file_name: None,
            }),
            ..Default::default()
        };
        let files = Files::from([(
            3,
            File {
                url: "https://flow/media/abc".into(),
                mimetype: "image/png".into(),
                file_name: "oferta.png".into(),
            },
        )]);
        let out = compose(
            &["Oi {{first_name}}!".into()],
            &content,
            &files,
            0,
            &person(&attrs),
        );
        assert_eq!(
            out,
            Some(Outgoing::Media {
                mediatype: "image".into(),
                mimetype: "image/png".into(),
                url: "https://flow/media/abc".into(),
                caption: "Oi Maria!".into(),
                file_name: "oferta.png".into(),
            })
        );
        assert_eq!(
            compose(&["x".into()], &content, &Files::new(), 0, &person(&attrs)),
            None
        );
    }

    #[test]
    fn text_stays_text() {
        let attrs = BTreeMap::new();
        let out = compose(
            &["Olá {{name}}".into()],
            &Content::default(),
            &Files::new(),
            0,
            &person(&attrs),
        );
        assert_eq!(out, Some(Outgoing::Text("Olá Maria Silva".into())));
    }
}
