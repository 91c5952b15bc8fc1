//! Applying Evolution events to Flow's data: receipts move campaign contacts forward, incoming
//! messages count as engagement and may opt a contact out, connection changes pause campaigns,
//! new QR codes are shown to admins,
//! `send.message` links a message id to the contact being sent, revokes are counted, presence
//! is aggregated per contact and hour, and contacts learn their names and `@lid`s.
//!
//! Everything here runs inside the caller's transaction (the webhook inbox stores the event and
//! applies it in one transaction, so a stored event is applied exactly once). Counter changes
//! are gathered in [`Effects`] and written once per transaction.

mod connection;
mod effects;
mod incoming;
mod linking;
mod memo;
mod people;
mod presence;
mod receipts;
mod revokes;
pub mod tracked;
pub mod votes;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseTransaction, DbErr};

pub(crate) use connection::{PauseScope, grace_expired, pause_campaigns_of};
pub use effects::Effects;
pub(crate) use incoming::{cancel_rows, opt_out_person};
pub(crate) use linking::apply_waiting_receipts;
pub use linking::{UNKNOWN_OUTCOME, attach_message_id};
pub use memo::InstanceMemo;

use crate::evolution::Event;

/// The instance an event came from (authenticated by the webhook layer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceRef {
    /// Instance id.
    pub id: i64,
    /// Its tenant.
    pub tenant_id: i64,
    /// The Evolution instance name.
    pub name: String,
}

/// What applying an event did; the webhook answers it as `{"status": …}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A campaign contact (or instance) changed.
    Updated,
    /// Nothing new: a repeated or older receipt, or a message already seen.
    Duplicate,
    /// A receipt for a message id Flow does not know yet; kept and applied when it is recorded.
    Unmatched,
    /// Stored only (an event Flow does not act on).
    Ignored,
    /// An incoming message from a known contact, counted as engagement.
    Engaged,
    /// An incoming message that opted the contact out.
    OptedOut,
    /// An incoming message from a phone that is not a contact.
    UnknownContact,
    /// `send.message` linked a message id to the contact being sent.
    Linked,
    /// The instance disconnected: its active campaigns were paused.
    Disconnected,
    /// The instance (re)connected.
    Connected,
    /// A message was revoked for everyone and marked so.
    Revoked,
    /// A vote on a campaign's poll was counted (a first vote or a change).
    Voted,
    /// The data had the wrong shape; stored for inspection, not applied.
    Invalid,
    /// Applying failed; stored for inspection and reprocessing.
    Error,
}

impl Outcome {
    /// The wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Updated => "updated",
            Self::Duplicate => "duplicate",
            Self::Unmatched => "unmatched",
            Self::Ignored => "ignored",
            Self::Engaged => "engaged",
            Self::OptedOut => "opted_out",
            Self::UnknownContact => "unknown_contact",
            Self::Linked => "linked",
            Self::Voted => "voted",
            Self::Disconnected => "disconnected",
            Self::Connected => "connected",
            Self::Revoked => "revoked",
            Self::Invalid => "invalid",
            Self::Error => "error",
        }
    }
}

/// The transaction and gathered effects of one apply run.
pub struct Ctx<'a> {
    /// Where every change is written.
    pub txn: &'a DatabaseTransaction,
    /// The time the changes are stamped with.
    pub now: DateTime<Utc>,
    /// Counter changes, touched campaigns and instances, log lines.
    pub effects: Effects,
}

impl<'a> Ctx<'a> {
    /// A context on `txn` stamped `now`.
    pub fn new(txn: &'a DatabaseTransaction, now: DateTime<Utc>) -> Self {
        Self {
            txn,
            now,
            effects: Effects::default(),
        }
    }
}

/// Applies `event` from `instance`.
pub async fn apply(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    event: &Event,
) -> Result<Outcome, DbErr> {
    ctx.effects.touch_instance(instance.id);
    match event {
        Event::MessageStatus(updates) => {
            let mut outcome = Outcome::Ignored;
            for update in updates {
                let o = receipts::apply(ctx, instance, update).await?;
                // One webhook may carry several receipts: report the most telling result.
                if outcome != Outcome::Updated {
                    outcome = o;
                }
            }
            Ok(outcome)
        }
        Event::MessageReceived(message) => incoming::apply(ctx, instance, message).await,
        Event::MessageSent(sent) => linking::apply_sent(ctx, instance, sent).await,
        Event::Connection(update) => connection::apply(ctx, instance, update).await,
        Event::QrCode(qr) => connection::apply_qr(ctx, instance, qr).await,
        Event::Revoked(revoke) => revokes::apply(ctx, instance, revoke).await,
        Event::Presence(seen) => presence::apply(ctx, instance, seen).await,
        Event::ContactsSeen(seen) => people::apply_seen(ctx, instance, seen).await,
        Event::PollVoted(vote) => votes::apply(ctx, instance, vote).await,
        Event::Ignored { .. } => Ok(Outcome::Ignored),
    }
}
