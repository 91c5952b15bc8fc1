//! The demo's past: ten campaigns over three weeks to the demo's contacts, played by the
//! simulator's daily rhythm ([`evolution_sim::rhythm`]: people read at lunch and in the
//! evening), so `/insights` shows a real heatmap, a recommendation and a comparison on the
//! first run. Presence is recorded where people read.

use std::collections::BTreeMap;

use app::types::{CampaignSettings, NewCampaign};
use chrono::{DateTime, TimeZone, Utc};
use evolution_sim::rhythm::Rhythm;
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait, Value};

use crate::db::Db;
use crate::domain::best_hours::{index, slot_at, slot_of};
use crate::domain::timezone::tz_of;
use crate::service::campaigns;
use crate::sql::stmt;

use super::DemoError;

/// Past campaigns.
const CAMPAIGNS: u32 = 10;
/// Days between two of them.
const EVERY_DAYS: u32 = 2;

/// Plays the past campaigns of tenant `tenant_id` (timezone `timezone`) through
/// `instance_id`, to its mobile contacts.
pub async fn seed(
    db: &Db,
    tenant_id: i64,
    timezone: &str,
    instance_id: i64,
) -> Result<(), DemoError> {
    #[derive(FromQueryResult)]
    struct Person {
        id: i64,
        phone: String,
    }
    let backend = db.backend();
    let people = Person::find_by_statement(stmt(
        backend,
        "SELECT id, phone FROM contact WHERE tenant_id = ? AND line_type = 'mobile' ORDER BY id",
        vec![tenant_id.into()],
    ))
    .all(&db.read)
    .await?;
    let id_of: BTreeMap<&str, i64> = people.iter().map(|p| (p.phone.as_str(), p.id)).collect();
    let numbers: Vec<String> = people.iter().map(|p| p.phone.clone()).collect();
    let now = Utc::now();
    let past = Rhythm::default().history(&numbers, now.timestamp(), CAMPAIGNS, EVERY_DAYS, 2026);
    let at = |secs: i64| -> DateTime<Utc> { Utc.timestamp_opt(secs, 0).single().unwrap_or(now) };
    let tz = tz_of(timezone);

    let mut presence: BTreeMap<(i64, usize), i64> = BTreeMap::new();
    for n in 0..CAMPAIGNS as usize {
        let sends: Vec<_> = past.iter().filter(|p| p.campaign == n).collect();
        let Some(first) = sends.iter().map(|p| p.sent_at).min() else {
            continue;
        };
        let day = at(first).with_timezone(&tz).format("%d/%m");
        let view = campaigns::create(
            db,
            tenant_id,
            NewCampaign {
                name: format!("Promoção da semana ({day})"),
                message: "Oi {{first_name}}! Saiu a promoção da semana na Loja Demo.".into(),
                instance_ids: vec![instance_id],
                contact_ids: Some(
                    sends
                        .iter()
                        .filter_map(|p| id_of.get(p.number.as_str()).copied())
                        .collect(),
                ),
                all_contacts: false,
                list_ids: None,
                exclude_list_ids: None,
                settings: Some(CampaignSettings {
                    min_delay_ms: 8_000,
                    max_delay_ms: 16_000,
                    ..campaigns::DEFAULT_SETTINGS
                }),
                variants: Vec::new(),
                media: None,
                poll: None,
                send_at_best_hour: false,
                track_links: None,
                utm: None,
            },
        )
        .await?;
        let txn = db.write.begin().await?;
        for p in &sends {
            let Some(contact_id) = id_of.get(p.number.as_str()) else {
                continue;
            };
            let status = match (p.delivered_at, p.read_at) {
                (_, Some(_)) => "read",
                (Some(_), None) => "delivered",
                _ => "sent",
            };
            let when = |t: Option<i64>| -> Value { t.map(at).into() };
            txn.execute_raw(stmt(
                backend,
                "UPDATE campaign_contact SET status = ?, instance_id = ?, whatsapp_message_id = ?, \
                 sent_at = ?, delivered_at = ?, read_at = ?, replied_at = ?, updated_at = ? \
                 WHERE campaign_id = ? AND contact_id = ?",
                vec![
                    status.into(),
                    instance_id.into(),
                    format!("DEMO-{}-{contact_id}", view.id).into(),
                    at(p.sent_at).into(),
                    when(p.delivered_at),
                    when(p.read_at),
                    when(p.replied_at),
                    now.into(),
                    view.id.into(),
                    (*contact_id).into(),
                ],
            ))
            .await?;
            if let Some(read) = p.read_at {
                let cell = index(slot_of(at(read).with_timezone(&tz).naive_local()));
                *presence.entry((*contact_id, cell)).or_default() += 1;
            }
        }
        let c = campaigns::recount(&txn, view.id).await?;
        let last = sends
            .iter()
            .map(|p| p.read_at.or(p.delivered_at).unwrap_or(p.sent_at))
            .max()
            .unwrap_or(first);
        txn.execute_raw(stmt(
            backend,
            "UPDATE campaign SET status = 'completed', pending = ?, sent = ?, delivered = ?, \
             read = ?, failed = ?, opted_out = ?, replied = ?, started_at = ?, finished_at = ?, \
             updated_at = ? WHERE id = ?",
            vec![
                c.pending.into(),
                c.sent.into(),
                c.delivered.into(),
                c.read.into(),
                c.failed.into(),
                c.opted_out.into(),
                c.replied.into(),
                at(first).into(),
                at(last).into(),
                now.into(),
                view.id.into(),
            ],
        ))
        .await?;
        txn.commit().await?;
    }
    let txn = db.write.begin().await?;
    for ((contact_id, cell), seen) in presence {
        let slot = slot_at(cell);
        txn.execute_raw(stmt(
            backend,
            "INSERT INTO presence_hour (tenant_id, contact_id, weekday, hour, seen, last_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                tenant_id.into(),
                contact_id.into(),
                i16::from(slot.weekday).into(),
                i16::from(slot.hour).into(),
                seen.into(),
                now.into(),
            ],
        ))
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
