//! A test send (`POST /api/v1/campaigns/{id}/test`): every variant of a campaign, with its
//! media or poll, to one number, rendered with a chosen contact's data, through one of its
//! instances. Not counted in the campaign (no recipient row); written in its log; refused for a
//! number that opted out, however it is spelled.

use std::collections::BTreeMap;

use app::messages::{TestSendReport, TestSendRequest, TestSendResult};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::db::Db;
use crate::domain::phone;
use crate::entities::{contact, whatsapp_instance};
use crate::evolution::client::EvolutionClient;
use crate::service::campaign_content::Content;
use crate::service::campaign_logs::{self, LogLine, Severity};
use crate::service::compose::{self, Person};
use crate::service::{
    Problem, ServiceError, ServiceResult, campaigns, instances, settings, suppression,
};

/// The sample person a test is rendered for without a contact.
const SAMPLE_NAME: &str = "Maria Silva";

/// Sends every variant of campaign `campaign_id` to `request.phone`.
pub async fn send(
    db: &Db,
    client: &EvolutionClient,
    public_url: &str,
    tenant_id: i64,
    campaign_id: i64,
    request: &TestSendRequest,
) -> ServiceResult<TestSendReport> {
    let campaign = campaigns::find(&db.read, tenant_id, campaign_id).await?;
    let country = settings::country(&db.read, tenant_id).await?;
    let number = phone::parse(&request.phone, country).map_err(|e| Problem::Phone {
        phone: request.phone.clone(),
        reason: e.into(),
    })?;
    if opted_out(&db.read, tenant_id, &number.key()).await? {
        return Err(Problem::TestOptedOut.into());
    }
    let (name, attributes) = match request.contact_id {
        Some(id) => {
            let c = contact::Entity::find_by_id(id)
                .filter(contact::Column::TenantId.eq(tenant_id))
                .one(&db.read)
                .await?
                .ok_or(ServiceError::NotFound("contact"))?;
            let attributes = crate::service::contacts::attributes_of(c.attributes.as_ref());
            (c.name, attributes)
        }
        None => (SAMPLE_NAME.to_string(), BTreeMap::new()),
    };
    let instance = pick_instance(db, tenant_id, campaign_id, request.instance_id).await?;
    let target = instances::target(&instance);
    let content = Content::of(&campaign);
    let files = compose::files(&db.read, public_url, &content.media_ids()).await?;
    let texts = campaigns::variant_texts(&campaign);
    let person = Person {
        seed: rand::random(),
        name: &name,
        phone: &number.digits,
        attributes: &attributes,
    };
    let mut results = Vec::with_capacity(texts.len());
    for variant in 0..texts.len() {
        let result = match compose::compose(&texts, &content, &files, variant, &person) {
            None => Err("the campaign's file is no longer stored".to_string()),
            // No typing delay: the person testing waits for the answer.
            Some(message) => client
                .send(&target, &number.digits, &message, 0)
                .await
                .map_err(|e| e.to_string()),
        };
        results.push(TestSendResult {
            variant: variant as i32,
            message_id: result.as_ref().ok().cloned(),
            error: result.err(),
        });
    }
    let sent = results.iter().filter(|r| r.message_id.is_some()).count();
    campaign_logs::write(
        &db.write,
        LogLine {
            tenant_id,
            campaign_id,
            log_type: "test_sent",
            severity: if sent == results.len() {
                Severity::Info
            } else {
                Severity::Warning
            },
            message: format!(
                "Test sent to {}: {sent} of {} variants accepted by Evolution",
                number.digits,
                results.len()
            ),
            details: Some(json!({
                "phone": number.digits,
                "instance_id": instance.id,
                "accepted": sent,
                "variants": results.len(),
                "results": results,
            })),
        },
    )
    .await?;
    Ok(TestSendReport {
        phone: number.digits,
        instance_id: instance.id,
        results,
    })
}

/// Whether the person behind `key` opted out or was erased in the tenant.
async fn opted_out(conn: &impl ConnectionTrait, tenant_id: i64, key: &str) -> ServiceResult<bool> {
    let opted = contact::Entity::find()
        .filter(contact::Column::TenantId.eq(tenant_id))
        .filter(contact::Column::PhoneKey.eq(key))
        .filter(contact::Column::OptedOutAt.is_not_null())
        .one(conn)
        .await?
        .is_some();
    Ok(opted
        || !suppression::suppressed(conn, tenant_id, &[key.to_string()])
            .await?
            .is_empty())
}

/// The instance to test with: the one asked (it must send the campaign), else the campaign's
/// first connected one.
async fn pick_instance(
    db: &Db,
    tenant_id: i64,
    campaign_id: i64,
    wanted: Option<i64>,
) -> ServiceResult<whatsapp_instance::Model> {
    let ids = campaigns::instance_ids(&db.read, campaign_id).await?;
    if let Some(id) = wanted
        && !ids.contains(&id)
    {
        return Err(Problem::UnknownInstances {
            ids: id.to_string(),
        }
        .into());
    }
    let candidates = whatsapp_instance::Entity::find()
        .filter(whatsapp_instance::Column::TenantId.eq(tenant_id))
        .filter(whatsapp_instance::Column::Id.is_in(wanted.map_or(ids, |id| vec![id])))
        .all(&db.read)
        .await?;
    candidates
        .into_iter()
        .find(|i| i.connection_state == "open")
        .ok_or_else(|| Problem::NoOpenInstance.into())
}
