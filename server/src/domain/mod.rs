//! Flow's domain rules, free of HTTP: phones, opt-out keywords, campaign and delivery state
//! machines, message templates.

pub mod campaign_state;
pub mod contact_csv;
pub mod delivery;
pub mod health;
pub mod optout;
pub mod phone;
pub mod send_window;
pub mod template;
