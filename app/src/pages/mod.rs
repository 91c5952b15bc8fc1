//! The dashboard's pages, one module each, and the layout around them.

pub mod account;
pub mod campaign;
pub mod campaign_replies;
pub mod campaign_safety;
pub mod campaign_timing;
pub mod campaigns;
pub mod compare;
pub mod contact_lists;
pub mod contacts;
pub mod insights;
pub mod instance_card;
pub mod instance_chart;
pub mod instance_pairing;
pub mod instance_safety;
pub mod instances;
pub mod layout;
pub mod list_picker;
pub mod lists;
pub mod login;
pub mod new_campaign;
pub mod opt_outs;
pub mod settings;
pub mod setup;
pub mod timeline;
pub mod tokens;
pub mod users;
