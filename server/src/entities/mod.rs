//! SeaORM entities, one module per table (see `migration` for the schema).
#![expect(
    missing_docs,
    reason = "generated columns and plain fields; the non-obvious ones carry docs"
)]

pub mod api_token;
pub mod campaign;
pub mod campaign_contact;
pub mod campaign_instance;
pub mod campaign_log;
pub mod contact;
pub mod instance_daily_stats;
pub mod pending_receipt;
pub mod session;
pub mod tenant;
pub mod user;
pub mod webhook_event;
pub mod whatsapp_instance;
