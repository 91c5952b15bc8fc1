//! The demo's campaign with a link, ten days ago: sent, delivered and read (some), its link
//! clicked by a third of the readers (a few twice, and previewed by crawlers), sales from some
//! of the clickers, and a reminder to those who did not read, started so the simulator sends it.

use app::follow_up::{NewConversion, NewFollowUp, Segment, Utm};
use app::types::NewCampaign;
use chrono::{Duration, Utc};
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait};

use crate::clicks::{Click, writer};
use crate::db::Db;
use crate::demo::DemoError;
use crate::domain::campaign_state::CampaignAction;
use crate::domain::links::new_code;
use crate::evolution::outgoing::Outgoing;
use crate::service::links::{Recipient, Tracking};
use crate::service::{campaigns, conversions, follow_ups, links};
use crate::sql::stmt;

/// The demo's offer link.
const OFFER: &str = "https://loja-demo.com.br/verao";

/// Seeds the finished campaign with clicks, sales and a follow-up on `instance_id` (whose
/// Evolution is at `evolution_url`), its links under `public_url`.
pub async fn seed(
    db: &Db,
    tenant_id: i64,
    instance_id: i64,
    evolution_url: &str,
    public_url: &str,
) -> Result<(), DemoError> {
    let utm = Utm {
        source: Some("whatsapp".into()),
        medium: Some("flow".into()),
        campaign: Some("liquida-verao".into()),
        content: None,
    };
    let view = campaigns::create(
        db,
        tenant_id,
        NewCampaign {
            name: "Liquida Verão".into(),
            message: format!("Oi {{{{first_name}}}}! A Liquida Verão da Loja Demo: até 50% em roupas de praia. Veja em {OFFER}"),
            instance_ids: vec![instance_id],
            contact_ids: None,
            all_contacts: true,
            list_ids: None,
            exclude_list_ids: None,
            // The team's defaults (3–10 s between sends).
            settings: None,
            variants: Vec::new(),
            media: None,
            poll: None,
            send_at_best_hour: false,
            track_links: Some(true),
            utm: Some(utm.clone()),
        },
    )
    .await?;
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        contact_id: i64,
        phone: String,
    }
    let backend = db.backend();
    let rows = Row::find_by_statement(stmt(
        backend,
        "SELECT cc.id, cc.contact_id, c.phone FROM campaign_contact cc \
         JOIN contact c ON c.id = cc.contact_id \
         WHERE cc.campaign_id = ? AND cc.status = 'pending' ORDER BY cc.id",
        vec![view.id.into()],
    ))
    .all(&db.read)
    .await?;
    let tracking = Tracking {
        campaign_id: view.id,
        tenant_id,
        utm: Some(utm),
    };
    let start = Utc::now() - Duration::days(10);
    let mut rng = rand::rngs::StdRng::seed_from_u64(2025);
    let mut clicks = Vec::new();
    let mut buyers = Vec::new();
    let txn = db.write.begin().await?;
    for (n, row) in rows.iter().enumerate() {
        let sent = start + Duration::seconds(n as i64 * 6);
        let read = rng.random_range(0..100) < 68;
        let read_at = sent + Duration::minutes(rng.random_range(3..300));
        let mut message = Outgoing::Text(view.message.clone());
        let targets = links::track(
            &txn,
            public_url,
            &tracking,
            Recipient {
                campaign_contact_id: row.id,
                contact_id: row.contact_id,
                variant: 0,
            },
            evolution_url,
            &mut message,
        )
        .await?;
        txn.execute_raw(stmt(
            backend,
            "UPDATE campaign_contact SET status = ?, instance_id = ?, whatsapp_message_id = ?, \
             sent_at = ?, delivered_at = ?, read_at = ?, updated_at = ? WHERE id = ?",
            vec![
                if read { "read" } else { "delivered" }.into(),
                instance_id.into(),
                format!("DEMO-LINK-{}", row.id).into(),
                sent.into(),
                (sent + Duration::seconds(30)).into(),
                read.then_some(read_at).into(),
                sent.into(),
                row.id.into(),
            ],
        ))
        .await?;
        let Some(target) = targets.first() else {
            continue;
        };
        // Crawlers unfurl one link in five; a third of the readers tap it, some twice.
        let visit = |at, preview: Option<&str>| Click {
            key: new_code() + &new_code(),
            code: target.code.clone(),
            campaign_id: view.id,
            preview: preview.map(String::from),
            at,
            user_agent: None,
        };
        if rng.random_range(0..5) == 0 {
            clicks.push(visit(sent + Duration::minutes(1), Some("agent")));
        }
        if read && rng.random_range(0..3) == 0 {
            let at = read_at + Duration::minutes(rng.random_range(1..30));
            clicks.push(visit(at, None));
            if rng.random_range(0..4) == 0 {
                clicks.push(visit(at + Duration::hours(2), None));
            }
            if rng.random_range(0..3) == 0 {
                buyers.push((
                    row.phone.clone(),
                    at + Duration::hours(rng.random_range(1..48)),
                ));
            }
        }
    }
    super::messages::completed(&txn, view.id, start, start + Duration::hours(4)).await?;
    txn.commit().await?;
    writer::store_all(db, &clicks).await?;
    for (n, (phone, at)) in buyers.iter().enumerate() {
        conversions::record(
            db,
            tenant_id,
            &NewConversion {
                phone: Some(phone.clone()),
                contact_id: None,
                value: f64::from(rng.random_range(7_990..45_990)) / 100.0,
                currency: "BRL".into(),
                occurred_at: Some(at.to_rfc3339()),
                order_id: format!("DEMO-PED-{}", 1001 + n),
                campaign_id: None,
            },
        )
        .await?;
    }
    // A reminder to those who did not read, sent now by the simulator.
    let reminder = follow_ups::create(
        db,
        tenant_id,
        view.id,
        NewFollowUp {
            segment: Segment::NotRead,
            min_age_hours: Some(24),
            message: Some(format!(
                "{{{{first_name}}}}, a Liquida Verão acaba domingo! Últimas peças em {OFFER}"
            )),
            variants: Vec::new(),
            media: None,
            name: None,
        },
    )
    .await?;
    campaigns::transition(db, tenant_id, reminder.id, CampaignAction::Start).await?;
    Ok(())
}
