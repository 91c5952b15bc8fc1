//! Builders of Evolution webhook bodies (shapes as in shared/evolution/payloads) and helpers
//! that play the sender's part (recording message ids) for webhook tests.

use chrono::Utc;
use flow_server::ingest::{Ctx, attach_message_id};
use sea_orm::{ConnectionTrait, FromQueryResult, Statement, TransactionTrait};
use serde_json::{Value, json};

use super::{Tenant, TestApp};

/// A v2 `messages.update` receipt.
pub fn receipt_v2(instance: &str, message_id: &str, status: &str) -> Value {
    json!({
        "event": "messages.update",
        "instance": instance,
        "data": {
            "keyId": message_id,
            "remoteJid": "5511987654321@s.whatsapp.net",
            "fromMe": true,
            "status": status,
            "instanceId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "messageId": "cmfyoow42000hov4xwkdug3lv"
        },
        "destination": "http://flow/api/webhooks/evolution",
        "date_time": "2025-10-21T10:23:14.512Z",
        "sender": "5511912345678@s.whatsapp.net",
        "server_url": "http://evolution:8080",
        "apikey": null
    })
}

/// A v1 `messages.update` receipt.
pub fn receipt_v1(instance: &str, message_id: &str, status: &str) -> Value {
    json!({
        "event": "messages.update",
        "instance": instance,
        "data": {
            "remoteJid": "5511987654321@s.whatsapp.net",
            "fromMe": true,
            "id": message_id,
            "status": status,
            "datetime": 1719410000123u64,
            "owner": instance
        },
        "destination": "http://flow/api/webhooks/evolution",
        "date_time": "2024-06-26T10:33:20.123Z",
        "sender": "5511912345678@s.whatsapp.net",
        "server_url": "http://evolution:8080"
    })
}

/// A v2 `messages.upsert` from a contact.
pub fn incoming(instance: &str, phone: &str, message_id: &str, text: &str) -> Value {
    json!({
        "event": "messages.upsert",
        "instance": instance,
        "data": {
            "key": {"remoteJid": format!("{phone}@s.whatsapp.net"), "fromMe": false, "id": message_id},
            "pushName": "Maria",
            "status": "DELIVERY_ACK",
            "message": {"conversation": text},
            "messageType": "conversation",
            "messageTimestamp": 1761055392,
            "instanceId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "source": "android"
        },
        "destination": "http://flow/api/webhooks/evolution",
        "date_time": "2025-10-21T10:23:14.512Z",
        "sender": "5511912345678@s.whatsapp.net",
        "server_url": "http://evolution:8080",
        "apikey": null
    })
}

/// A `connection.update`.
pub fn connection(instance: &str, state: &str) -> Value {
    json!({
        "event": "connection.update",
        "instance": instance,
        "data": {"instance": instance, "state": state, "statusReason": if state == "close" { 428 } else { 200 }},
        "destination": "http://flow/api/webhooks/evolution",
        "date_time": "2025-10-21T10:23:14.512Z",
        "server_url": "http://evolution:8080",
        "apikey": null
    })
}

/// A campaign contact as the tests look at it.
#[derive(Debug, FromQueryResult)]
pub struct Row {
    /// campaign_contact id.
    pub id: i64,
    /// Contact id.
    pub contact_id: i64,
    /// Phone.
    pub phone: String,
    /// Status.
    pub status: String,
}

/// The campaign's rows in order.
pub async fn rows(app: &TestApp, campaign_id: i64) -> Vec<Row> {
    Row::find_by_statement(Statement::from_string(
        app.state.db.backend(),
        format!(
            "SELECT cc.id, cc.contact_id, ct.phone, cc.status FROM campaign_contact cc \
             JOIN contact ct ON ct.id = cc.contact_id WHERE cc.campaign_id = {campaign_id} ORDER BY cc.id"
        ),
    ))
    .all(&app.state.db.read)
    .await
    .expect("rows")
}

/// Plays the sender: records `message_id` for campaign contact `row_id` sent through
/// `instance_id`, the way the sender does after Evolution's answer.
pub async fn record_sent(app: &TestApp, row_id: i64, instance_id: i64, message_id: &str) {
    let txn = app.state.db.write.begin().await.expect("begin");
    let now = Utc::now();
    let mut ctx = Ctx::new(&txn, now);
    assert!(
        attach_message_id(&mut ctx, row_id, instance_id, message_id)
            .await
            .expect("attach"),
        "row {row_id} was not pending"
    );
    ctx.effects.flush(&txn, now).await.expect("flush");
    txn.commit().await.expect("commit");
}

/// Marks a campaign contact as claimed by the sender (`sending`), as the sender does right
/// before calling Evolution.
pub async fn mark_sending(app: &TestApp, row_id: i64, instance_id: i64) {
    app.state
        .db
        .write
        .execute_unprepared(&format!(
            "UPDATE campaign_contact SET status = 'sending', instance_id = {instance_id} WHERE id = {row_id}"
        ))
        .await
        .expect("mark sending");
}

/// A tenant with one instance and a campaign of `n` contacts, all recorded as sent with
/// message ids `MSG-<i>` (so receipts match).
pub struct Setup {
    /// The tenant.
    pub tenant: Tenant,
    /// The instance's id.
    pub instance_id: i64,
    /// The instance's name (`loja-01`).
    pub name: String,
    /// Its webhook secret.
    pub secret: String,
    /// Its Evolution api key.
    pub api_key: String,
    /// The campaign's id.
    pub campaign_id: i64,
}

impl Setup {
    /// The instance's webhook path.
    pub fn hook(&self) -> String {
        format!("/api/webhooks/evolution/i/{}", self.secret)
    }
}

/// Creates the [`Setup`]: `n` contacts, recorded as sent (`MSG-<i>`) when `sent`.
pub async fn setup(app: &TestApp, n: usize, sent: bool) -> Setup {
    let tenant = app.tenant("Loja").await;
    let inst = app.instance(&tenant, "loja-01").await;
    let instance_id = inst["id"].as_i64().unwrap();
    let ids = app.contacts(&tenant, n).await;
    let campaign_id = app.campaign(&tenant, instance_id, &ids).await;
    if sent {
        for (i, row) in rows(app, campaign_id).await.iter().enumerate() {
            record_sent(app, row.id, instance_id, &format!("MSG-{i}")).await;
        }
    }
    Setup {
        tenant,
        instance_id,
        name: "loja-01".into(),
        secret: inst["webhook_secret"].as_str().unwrap().to_string(),
        api_key: "secret-key-loja-01".into(),
        campaign_id,
    }
}
