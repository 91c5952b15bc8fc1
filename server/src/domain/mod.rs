//! Flow's domain rules, free of HTTP: phones, opt-out keywords, campaign and delivery state
//! machines, message templates, spintax, A/B verdicts, send windows, typing time, warm-up and
//! the spread of a campaign's recipients over its instances, CSV cells that spreadsheets never
//! run, and what the campaigns teach (time to read, the best hour to send, each person's plan).

pub mod ab_test;
pub mod ban;
pub mod best_hours;
pub mod campaign_state;
pub mod contact_csv;
pub mod contact_stream;
pub mod delivery;
pub mod health;
pub mod link_preview;
pub mod links;
pub mod media_type;
pub mod optout;
pub mod phone;
pub mod risk;
pub mod rotation;
pub mod send_plan;
pub mod send_window;
pub mod spintax;
pub mod spreadsheet;
pub mod template;
pub mod timezone;
pub mod timing;
pub mod typing;
pub mod warmup;
