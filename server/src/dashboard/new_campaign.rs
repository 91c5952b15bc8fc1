//! Creating a campaign from the dashboard: the contacts may be pasted (one per line, `phone`
//! or `name, phone`); they are imported (or updated) first, then the campaign is created over
//! them as a draft.

use app::types::{CampaignView, NewCampaign, NewContact};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::db::Db;
use crate::domain::phone;
use crate::entities::contact;
use crate::service::{PhoneReason, Problem, ServiceResult, campaigns, contacts, settings};

/// The most pasted lines; larger lists go through the contacts import API.
pub const MAX_PASTED: usize = 5_000;

/// Phones looked up per query.
const CHUNK: usize = 500;

/// The contacts of pasted lines: `phone`, or `name, phone` / `phone, name` (comma, semicolon
/// or tab); the part with more digits is the phone.
pub fn parse_pasted(text: &str) -> Vec<NewContact> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.split_once([',', ';', '\t']) {
            Some((a, b)) => {
                let digits = |s: &str| s.chars().filter(char::is_ascii_digit).count();
                let (name, phone) = if digits(a) > digits(b) {
                    (b, a)
                } else {
                    (a, b)
                };
                NewContact {
                    name: name.trim().to_string(),
                    phone: phone.trim().to_string(),
                }
            }
            None => NewContact {
                name: String::new(),
                phone: line.to_string(),
            },
        })
        .collect()
}

/// Creates the draft campaign of `input`, over the pasted contacts unless it is for all.
pub async fn create(
    db: &Db,
    tenant_id: i64,
    mut input: NewCampaign,
    pasted: &str,
) -> ServiceResult<CampaignView> {
    if !input.all_contacts && input.list_ids.is_none() {
        let rows = parse_pasted(pasted);
        if rows.is_empty() {
            return Err(Problem::PasteSomething.into());
        }
        if rows.len() > MAX_PASTED {
            return Err(Problem::PasteTooMany { max: MAX_PASTED }.into());
        }
        let report = contacts::import(db, tenant_id, rows.clone()).await?;
        let country = settings::country(&db.read, tenant_id).await?;
        if let Some(bad) = report.invalid.first() {
            return Err(Problem::PastedPhones {
                phone: bad.phone.clone(),
                reason: phone::parse(&bad.phone, country)
                    .err()
                    .map_or(PhoneReason::InvalidCharacters, PhoneReason::from),
                lines: report.invalid.len(),
            }
            .into());
        }
        // People, whichever spelling of their number was pasted.
        let phones: Vec<String> = rows
            .iter()
            .filter_map(|r| phone::parse(&r.phone, country).ok())
            .map(|n| n.key())
            .collect();
        let mut ids = Vec::with_capacity(phones.len());
        for chunk in phones.chunks(CHUNK) {
            ids.extend(
                contact::Entity::find()
                    .select_only()
                    .column(contact::Column::Id)
                    .filter(contact::Column::TenantId.eq(tenant_id))
                    .filter(contact::Column::PhoneKey.is_in(chunk.iter().cloned()))
                    .into_tuple::<i64>()
                    .all(&db.read)
                    .await?,
            );
        }
        input.contact_ids = Some(ids);
    }
    campaigns::create(db, tenant_id, input).await
}

#[cfg(test)]
mod tests {
    use super::parse_pasted;

    #[test]
    fn reads_phones_with_or_without_names() {
        let rows =
            parse_pasted("+55 11 98765-4321\n\nMaria Silva, 5511912345678\n5511900000000;Ana\n");
        let got: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.phone.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("", "+55 11 98765-4321"),
                ("Maria Silva", "5511912345678"),
                ("Ana", "5511900000000"),
            ]
        );
    }
}
