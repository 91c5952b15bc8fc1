//! Tracked links of campaigns: giving each recipient their own short code for each link of
//! the message they are about to get, finding where a code leads, and counting clicks per
//! campaign, per variant and per link.

use std::collections::BTreeMap;

use app::follow_up::{ClickStats, LinkClicks, Utm};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use crate::domain::links;
use crate::evolution::outgoing::Outgoing;
use crate::sql::stmt;

/// Where a code leads and whose it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkTarget {
    /// The code.
    pub code: String,
    /// The URL a click is sent to.
    pub destination: String,
    /// The campaign it belongs to.
    pub campaign_id: i64,
    /// The Evolution server that sent the message (its base URL), whose own preview fetches
    /// are not clicks.
    pub evolution_url: Option<String>,
}

/// A campaign whose links are tracked.
#[derive(Clone, Debug)]
pub struct Tracking {
    /// The campaign.
    pub campaign_id: i64,
    /// Its tenant.
    pub tenant_id: i64,
    /// UTM parameters for its links' destinations.
    pub utm: Option<Utm>,
}

/// The recipient a message is for.
#[derive(Clone, Copy, Debug)]
pub struct Recipient {
    /// campaign_contact id.
    pub campaign_contact_id: i64,
    /// Their contact.
    pub contact_id: i64,
    /// The variant they get.
    pub variant: i32,
}

/// The text of `message` that may carry links (a text, a caption).
fn text_of(message: &mut Outgoing) -> Option<&mut String> {
    match message {
        Outgoing::Text(text) => Some(text),
        Outgoing::Media { caption, .. } => Some(caption),
        Outgoing::Audio { .. } | Outgoing::Poll { .. } => None,
    }
}

/// Rewrites every link of `message` to the recipient's own code for it under `public_url`
/// (made on their first message, the same on a resend); the message's Evolution is
/// `evolution_url`. Returns where each code leads.
pub async fn track(
    conn: &impl ConnectionTrait,
    public_url: &str,
    tracking: &Tracking,
    recipient: Recipient,
    evolution_url: &str,
    message: &mut Outgoing,
) -> Result<Vec<LinkTarget>, DbErr> {
    let Some(text) = text_of(message) else {
        return Ok(Vec::new());
    };
    let found = links::find(text);
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let now = Utc::now();
    let mut short = BTreeMap::new();
    let mut targets = Vec::new();
    for f in found {
        if short.contains_key(&f.url) {
            continue;
        }
        let (link_id, destination) = link(conn, tracking, &f.url, now).await?;
        let code = code_for(conn, tracking, recipient, link_id, now).await?;
        short.insert(f.url.clone(), links::short_url(public_url, &code));
        targets.push(LinkTarget {
            code,
            destination,
            campaign_id: tracking.campaign_id,
            evolution_url: Some(evolution_url.to_string()),
        });
    }
    *text = links::rewrite(text, &short);
    Ok(targets)
}

/// The campaign's link row for `url` (made on first use): its id and destination.
async fn link(
    conn: &impl ConnectionTrait,
    tracking: &Tracking,
    url: &str,
    now: DateTime<Utc>,
) -> Result<(i64, String), DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        destination: String,
    }
    let backend = conn.get_database_backend();
    let find = || {
        Row::find_by_statement(stmt(
            backend,
            "SELECT id, destination FROM link WHERE campaign_id = ? AND url = ?",
            vec![tracking.campaign_id.into(), url.into()],
        ))
        .one(conn)
    };
    if let Some(row) = find().await? {
        return Ok((row.id, row.destination));
    }
    conn.execute_raw(stmt(
        backend,
        "INSERT INTO link (tenant_id, campaign_id, url, destination, created_at) \
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (campaign_id, url) DO NOTHING",
        vec![
            tracking.tenant_id.into(),
            tracking.campaign_id.into(),
            url.into(),
            links::destination(url, tracking.utm.as_ref()).into(),
            now.into(),
        ],
    ))
    .await?;
    let row = find()
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("link".into()))?;
    Ok((row.id, row.destination))
}

/// The recipient's code for link `link_id` (made on their first message).
async fn code_for(
    conn: &impl ConnectionTrait,
    tracking: &Tracking,
    recipient: Recipient,
    link_id: i64,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        code: String,
    }
    let backend = conn.get_database_backend();
    let find = || {
        Row::find_by_statement(stmt(
            backend,
            "SELECT code FROM link_code WHERE campaign_contact_id = ? AND link_id = ?",
            vec![recipient.campaign_contact_id.into(), link_id.into()],
        ))
        .one(conn)
    };
    // A fresh code colliding with another one is a one-in-10^12 event; a second draw settles it.
    for _ in 0..3 {
        if let Some(row) = find().await? {
            return Ok(row.code);
        }
        conn.execute_raw(stmt(
            backend,
            "INSERT INTO link_code (code, tenant_id, campaign_id, campaign_contact_id, \
             contact_id, link_id, variant, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT DO NOTHING",
            vec![
                links::new_code().into(),
                tracking.tenant_id.into(),
                tracking.campaign_id.into(),
                recipient.campaign_contact_id.into(),
                recipient.contact_id.into(),
                link_id.into(),
                recipient.variant.into(),
                now.into(),
            ],
        ))
        .await?;
    }
    find()
        .await?
        .map(|r| r.code)
        .ok_or_else(|| DbErr::RecordNotFound("link_code".into()))
}

/// Where `code` leads, if it exists.
pub async fn target(conn: &impl ConnectionTrait, code: &str) -> Result<Option<LinkTarget>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        code: String,
        destination: String,
        campaign_id: i64,
        api_url: Option<String>,
    }
    let row = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT lc.code, l.destination, lc.campaign_id, wi.api_url FROM link_code lc \
         JOIN link l ON l.id = lc.link_id \
         JOIN campaign_contact cc ON cc.id = lc.campaign_contact_id \
         LEFT JOIN whatsapp_instance wi ON wi.id = cc.instance_id WHERE lc.code = ?",
        vec![code.into()],
    ))
    .one(conn)
    .await?;
    Ok(row.map(|r| LinkTarget {
        code: r.code,
        destination: r.destination,
        campaign_id: r.campaign_id,
        evolution_url: r.api_url,
    }))
}

/// Clicks of campaign `campaign_id`, with the rate over `delivered` and each link's.
pub async fn stats(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    delivered: i64,
) -> Result<ClickStats, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        url: String,
        total: i64,
        unique: i64,
    }
    let backend = conn.get_database_backend();
    let links = Row::find_by_statement(stmt(
        backend,
        "SELECT l.url, CAST(COALESCE(SUM(lc.clicks), 0) AS BIGINT) AS total, \
         CAST(COUNT(CASE WHEN lc.clicks > 0 THEN 1 END) AS BIGINT) AS \"unique\" \
         FROM link l LEFT JOIN link_code lc ON lc.link_id = l.id \
         WHERE l.campaign_id = ? GROUP BY l.id, l.url ORDER BY total DESC, l.id",
        vec![campaign_id.into()],
    ))
    .all(conn)
    .await?;
    let (total, unique) = by_variant(conn, campaign_id)
        .await?
        .iter()
        .fold((0, 0), |(t, p), &(_, total, people)| {
            (t + total, p + people)
        });
    Ok(ClickStats {
        total,
        unique,
        rate: crate::service::campaigns::percent(unique, delivered),
        links: links
            .into_iter()
            .map(|r| LinkClicks {
                url: r.url,
                total: r.total,
                unique: r.unique,
            })
            .collect(),
    })
}

/// Clicks and people who clicked, per variant of the campaign: `(variant, clicks, people)`.
/// Each recipient gets one variant, so the campaign's figures are their sums.
pub async fn by_variant(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
) -> Result<Vec<(i32, i64, i64)>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        variant: i32,
        total: i64,
        people: i64,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT variant, CAST(COALESCE(SUM(clicks), 0) AS BIGINT) AS total, \
         CAST(COUNT(DISTINCT CASE WHEN clicks > 0 THEN campaign_contact_id END) AS BIGINT) AS people \
         FROM link_code WHERE campaign_id = ? GROUP BY variant",
        vec![campaign_id.into()],
    ))
    .all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.variant, r.total, r.people))
        .collect())
}
