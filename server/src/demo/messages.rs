//! The demo's media and poll (issue 24): a photo of the week's offer (drawn here, a PNG) that
//! the running campaign sends with its caption, and a poll sent last week to the "Família
//! Silva" list, finished, with its votes counted and the voters for the catalogue on the list
//! "Interessados".

use app::messages::{MediaView, Poll};
use app::types::{CampaignSettings, NewCampaign};
use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, TransactionTrait};

use crate::db::Db;
use crate::ingest::votes;
use crate::service::{campaigns, lists, media};
use crate::sql::stmt;

use super::DemoError;

/// The offer banner: 640 × 360, an orange-to-pink gradient with a white price tag.
fn banner() -> Vec<u8> {
    let (w, h) = (640u32, 360u32);
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let t = x as f32 / w as f32;
            let tag = (200..440).contains(&x) && (110..250).contains(&y);
            let stripe = tag && (150..170).contains(&y);
            let (r, g, b) = if stripe {
                (234, 88, 12)
            } else if tag {
                (255, 255, 255)
            } else {
                (
                    (249.0 - 30.0 * t) as u8,
                    (115.0 - 60.0 * t) as u8,
                    (22.0 + 130.0 * t) as u8,
                )
            };
            pixels.extend_from_slice(&[r, g, b]);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    if let Ok(mut writer) = encoder.write_header() {
        let _ = writer.write_image_data(&pixels);
        let _ = writer.finish();
    }
    out
}

/// Stores the offer banner for tenant `tenant_id`.
pub async fn photo(db: &Db, tenant_id: i64) -> Result<MediaView, DemoError> {
    let mut spool = media::Spooler::new().await?;
    spool.push(&banner()).await?;
    let (view, _) =
        media::store(db, tenant_id, "oferta-da-semana.png", spool.finish().await?).await?;
    Ok(view)
}

/// The options of the demo's poll; voters for the first go on "Interessados".
const OPTIONS: [&str; 3] = ["Quero o catálogo", "Só em promoções", "Agora não"];

/// A poll sent a week ago to the people on `list_id` through `instance_id`, finished, with
/// their votes (some changed once).
pub async fn finished_poll(
    db: &Db,
    tenant_id: i64,
    instance_id: i64,
    list_id: i64,
) -> Result<(), DemoError> {
    let interested = lists::create(db, tenant_id, "Interessados").await?;
    let view = campaigns::create(
        db,
        tenant_id,
        NewCampaign {
            name: "Enquete: catálogo de verão".into(),
            message: String::new(),
            instance_ids: vec![instance_id],
            contact_ids: None,
            all_contacts: false,
            list_ids: Some(vec![list_id]),
            exclude_list_ids: None,
            settings: Some(CampaignSettings {
                min_delay_ms: 3000,
                max_delay_ms: 10_000,
                daily_cap_per_instance: None,
                send_window: None,
                send_days: Vec::new(),
            }),
            variants: Vec::new(),
            media: None,
            poll: Some(Poll {
                question: "Oi {{first_name}}! Quer receber o catálogo de verão da Loja Demo?"
                    .into(),
                options: OPTIONS.map(String::from).to_vec(),
                selectable_count: 1,
                option_lists: [(OPTIONS[0].to_string(), interested.id)].into(),
            }),
            send_at_best_hour: false,
            track_links: None,
            utm: None,
        },
    )
    .await?;
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        contact_id: i64,
    }
    let backend = db.backend();
    let rows = Row::find_by_statement(stmt(
        backend,
        "SELECT id, contact_id FROM campaign_contact WHERE campaign_id = ? AND status = 'pending' \
         ORDER BY id",
        vec![view.id.into()],
    ))
    .all(&db.read)
    .await?;
    let start = Utc::now() - Duration::days(7);
    let mut rng = rand::rngs::StdRng::seed_from_u64(2024);
    let txn = db.write.begin().await?;
    for (n, row) in rows.iter().enumerate() {
        let sent = start + Duration::seconds(n as i64 * 7);
        let read = sent + Duration::minutes(rng.random_range(2..240));
        txn.execute_raw(stmt(
            backend,
            "UPDATE campaign_contact SET status = 'read', instance_id = ?, \
             whatsapp_message_id = ?, sent_at = ?, delivered_at = ?, read_at = ?, updated_at = ? \
             WHERE id = ?",
            vec![
                instance_id.into(),
                format!("DEMO-POLL-{}", row.id).into(),
                sent.into(),
                (sent + Duration::seconds(20)).into(),
                read.into(),
                read.into(),
                row.id.into(),
            ],
        ))
        .await?;
        // Seven in ten vote; one voter in six changes their mind an hour later.
        let votes = match (rng.random_range(0..10) < 7, rng.random_range(0..6) == 0) {
            (false, _) => 0,
            (true, changed) => 1 + usize::from(changed),
        };
        for n in 0..votes {
            let option = OPTIONS[rng.random_range(0..OPTIONS.len())];
            let at = read + Duration::minutes(1) + Duration::hours(n as i64);
            votes::record(
                &txn,
                tenant_id,
                view.id,
                row.contact_id,
                &[option.into()],
                at,
            )
            .await?;
        }
    }
    completed(&txn, view.id, start, start + Duration::hours(5)).await?;
    txn.commit().await?;
    Ok(())
}

/// Marks demo campaign `id`, whose rows were written by hand, completed between `started`
/// and `finished`, its counters recounted from its rows.
pub(super) async fn completed(
    txn: &DatabaseTransaction,
    id: i64,
    started: DateTime<Utc>,
    finished: DateTime<Utc>,
) -> Result<(), DemoError> {
    let c = campaigns::recount(txn, id).await?;
    txn.execute_raw(stmt(
        txn.get_database_backend(),
        "UPDATE campaign SET status = 'completed', pending = ?, sent = ?, delivered = ?, read = ?, \
         started_at = ?, finished_at = ?, updated_at = ? WHERE id = ?",
        vec![
            c.pending.into(),
            c.sent.into(),
            c.delivered.into(),
            c.read.into(),
            started.into(),
            finished.into(),
            Utc::now().into(),
            id.into(),
        ],
    ))
    .await?;
    Ok(())
}
