//! A data-subject export (LGPD art. 18 II, V and VII): everything Flow holds about one person
//! (every contact sharing their number's identity: another spelling, a merged twin), in one
//! document, and nothing about anyone else. Each export is written to the consent log.

use app::audience::{
    DataSubjectExport, ExportedClick, ExportedConversion, ExportedInstance, ExportedMessage,
    ExportedReply,
};
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, FromQueryResult, Value};

use crate::db::Db;
use crate::service::consent::{self, Action, Event};
use crate::service::contacts::{self, ContactRow, SELECT, attributes_of};
use crate::service::{ServiceResult, opt_timestamp, settings, timestamp};
use crate::sql::{placeholders, stmt};

/// Builds the export of contact `id` for `actor` and records it in the consent log.
pub async fn export(
    db: &Db,
    tenant_id: i64,
    id: i64,
    actor: &str,
) -> ServiceResult<DataSubjectExport> {
    let conn = &db.read;
    let contact = contacts::find(conn, tenant_id, id).await?.view();
    let ids = contacts::person_ids(conn, tenant_id, id).await?;
    let q = Query {
        conn,
        tenant_id,
        ids: &ids,
    };
    let other_records = ContactRow::find_by_statement(q.stmt(&format!(
        "{SELECT} WHERE c.tenant_id = ? AND c.id IN ({{ids}}) ORDER BY c.id"
    )))
    .all(conn)
    .await?
    .into_iter()
    .map(ContactRow::view)
    .filter(|c| c.id != id)
    .collect();
    let mut export = DataSubjectExport {
        generated_at: timestamp(Utc::now()),
        controller: settings::find(conn, tenant_id).await?.name,
        phone_display: app::phone_display::display(&contact.phone),
        contact,
        other_records,
        attributes: q.attributes(id).await?,
        lists: q.lists().await?,
        messages: q.messages().await?,
        replies: q.replies().await?,
        clicks: q.clicks().await?,
        conversions: q.conversions().await?,
        consent_history: Vec::new(),
        instances: q.instances().await?,
    };
    consent::record(
        &db.write,
        Event {
            tenant_id,
            contact_id: id,
            action: Action::Exported,
            note: "",
            actor,
            at: Utc::now(),
        },
    )
    .await?;
    let mut history = consent::history(&db.write, tenant_id, id, i64::MAX).await?;
    history.reverse();
    // The team's members are not the person's data: named as the team.
    for event in &mut history {
        if event.actor != consent::WHATSAPP {
            event.actor = app::audience::TEAM_ACTOR.to_string();
        }
    }
    export.consent_history = history;
    tracing::info!(contact_id = id, "data-subject export made");
    Ok(export)
}

/// The queries of one export: the tenant and the person's contact ids.
struct Query<'a> {
    conn: &'a DatabaseConnection,
    tenant_id: i64,
    ids: &'a [i64],
}

impl Query<'_> {
    /// `sql` with `{ids}` replaced by the person's ids, its values the tenant then the ids.
    fn stmt(&self, sql: &str) -> sea_orm::Statement {
        let sql = sql.replace("{ids}", &placeholders(self.ids.len()));
        let values = std::iter::once(Value::from(self.tenant_id))
            .chain(self.ids.iter().map(|i| Value::from(*i)))
            .collect();
        stmt(self.conn.get_database_backend(), &sql, values)
    }

    /// The fields of every record of the person; the contact's own win over its twins'.
    async fn attributes(
        &self,
        id: i64,
    ) -> ServiceResult<std::collections::BTreeMap<String, String>> {
        #[derive(FromQueryResult)]
        struct Attrs {
            id: i64,
            attributes: Option<serde_json::Value>,
        }
        let rows = Attrs::find_by_statement(self.stmt(
            "SELECT id, attributes FROM contact WHERE tenant_id = ? AND id IN ({ids}) \
             AND attributes IS NOT NULL ORDER BY id",
        ))
        .all(self.conn)
        .await?;
        let mut out = std::collections::BTreeMap::new();
        let (own, twins): (Vec<&Attrs>, Vec<&Attrs>) = rows.iter().partition(|r| r.id == id);
        for row in twins.into_iter().chain(own) {
            out.extend(attributes_of(row.attributes.as_ref()));
        }
        Ok(out)
    }

    async fn lists(&self) -> ServiceResult<Vec<String>> {
        #[derive(FromQueryResult)]
        struct Name {
            name: String,
        }
        Ok(Name::find_by_statement(self.stmt(
            "SELECT DISTINCT l.name FROM list l JOIN list_contact lc ON lc.list_id = l.id \
             WHERE l.tenant_id = ? AND lc.contact_id IN ({ids}) ORDER BY l.name",
        ))
        .all(self.conn)
        .await?
        .into_iter()
        .map(|n| n.name)
        .collect())
    }

    async fn messages(&self) -> ServiceResult<Vec<ExportedMessage>> {
        #[derive(FromQueryResult)]
        struct Row {
            campaign_id: i64,
            campaign_name: String,
            instance_id: Option<i64>,
            status: String,
            sent_at: Option<DateTime<Utc>>,
            delivered_at: Option<DateTime<Utc>>,
            read_at: Option<DateTime<Utc>>,
            failed_at: Option<DateTime<Utc>>,
            replied_at: Option<DateTime<Utc>>,
            clicked_at: Option<DateTime<Utc>>,
            opted_out_at: Option<DateTime<Utc>>,
        }
        Ok(Row::find_by_statement(self.stmt(
            "SELECT cc.campaign_id, k.name AS campaign_name, cc.instance_id, cc.status, \
             cc.sent_at, cc.delivered_at, cc.read_at, cc.failed_at, cc.replied_at, \
             cc.clicked_at, cc.opted_out_at FROM campaign_contact cc \
             JOIN campaign k ON k.id = cc.campaign_id \
             WHERE k.tenant_id = ? AND cc.contact_id IN ({ids}) ORDER BY cc.id",
        ))
        .all(self.conn)
        .await?
        .into_iter()
        .map(|r| ExportedMessage {
            campaign_id: r.campaign_id,
            campaign_name: r.campaign_name,
            instance_id: r.instance_id,
            status: r.status,
            sent_at: opt_timestamp(r.sent_at),
            delivered_at: opt_timestamp(r.delivered_at),
            read_at: opt_timestamp(r.read_at),
            failed_at: opt_timestamp(r.failed_at),
            replied_at: opt_timestamp(r.replied_at),
            clicked_at: opt_timestamp(r.clicked_at),
            opted_out_at: opt_timestamp(r.opted_out_at),
        })
        .collect())
    }

    async fn replies(&self) -> ServiceResult<Vec<ExportedReply>> {
        #[derive(FromQueryResult)]
        struct Row {
            campaign_id: Option<i64>,
            text: String,
            opt_out: bool,
            received_at: DateTime<Utc>,
            deleted_at: Option<DateTime<Utc>>,
        }
        Ok(Row::find_by_statement(self.stmt(
            "SELECT campaign_id, text, opt_out, received_at, deleted_at FROM reply \
             WHERE tenant_id = ? AND contact_id IN ({ids}) ORDER BY received_at, id",
        ))
        .all(self.conn)
        .await?
        .into_iter()
        .map(|r| ExportedReply {
            campaign_id: r.campaign_id,
            text: r.text,
            opt_out: r.opt_out,
            received_at: timestamp(r.received_at),
            deleted_at: opt_timestamp(r.deleted_at),
        })
        .collect())
    }

    async fn clicks(&self) -> ServiceResult<Vec<ExportedClick>> {
        #[derive(FromQueryResult)]
        struct Row {
            campaign_id: i64,
            url: String,
            kind: String,
            at: DateTime<Utc>,
            user_agent: Option<String>,
        }
        Ok(Row::find_by_statement(self.stmt(
            "SELECT lc.campaign_id, l.url, k.kind, k.at, k.user_agent FROM link_click k \
             JOIN link_code lc ON lc.code = k.code JOIN link l ON l.id = lc.link_id \
             WHERE lc.tenant_id = ? AND lc.contact_id IN ({ids}) ORDER BY k.at, k.id",
        ))
        .all(self.conn)
        .await?
        .into_iter()
        .map(|r| ExportedClick {
            campaign_id: r.campaign_id,
            url: r.url,
            kind: r.kind,
            at: timestamp(r.at),
            user_agent: r.user_agent,
        })
        .collect())
    }

    async fn conversions(&self) -> ServiceResult<Vec<ExportedConversion>> {
        #[derive(FromQueryResult)]
        struct Row {
            order_id: String,
            value_cents: i64,
            currency: String,
            occurred_at: DateTime<Utc>,
            campaign_id: Option<i64>,
        }
        Ok(Row::find_by_statement(self.stmt(
            "SELECT order_id, value_cents, currency, occurred_at, campaign_id FROM conversion \
             WHERE tenant_id = ? AND contact_id IN ({ids}) ORDER BY occurred_at, id",
        ))
        .all(self.conn)
        .await?
        .into_iter()
        .map(|r| ExportedConversion {
            order_id: r.order_id,
            value_cents: r.value_cents,
            currency: r.currency,
            occurred_at: timestamp(r.occurred_at),
            campaign_id: r.campaign_id,
        })
        .collect())
    }

    async fn instances(&self) -> ServiceResult<Vec<ExportedInstance>> {
        #[derive(FromQueryResult)]
        struct Row {
            id: i64,
            friendly_name: String,
            instance_name: String,
            phone: Option<String>,
            messages: i64,
        }
        Ok(Row::find_by_statement(self.stmt(
            "SELECT i.id, i.friendly_name, i.instance_name, i.phone, \
             CAST(COUNT(*) AS BIGINT) AS messages FROM campaign_contact cc \
             JOIN campaign k ON k.id = cc.campaign_id \
             JOIN whatsapp_instance i ON i.id = cc.instance_id \
             WHERE k.tenant_id = ? AND cc.contact_id IN ({ids}) AND cc.sent_at IS NOT NULL \
             GROUP BY i.id, i.friendly_name, i.instance_name, i.phone ORDER BY i.id",
        ))
        .all(self.conn)
        .await?
        .into_iter()
        .map(|r| ExportedInstance {
            id: r.id,
            name: if r.friendly_name.trim().is_empty() {
                r.instance_name
            } else {
                r.friendly_name
            },
            phone: r.phone,
            messages: r.messages,
        })
        .collect())
    }
}
