//! The dashboard's server side: users and their passwords, login sessions with a lockout shared through the database, and
//! the [`backend::DashboardBackend`] (and the audience and insights ports) through which the
//! Leptos pages reach the services, and the CSV exports.

pub mod audience;
pub mod backend;
pub mod export;
pub mod insights;
pub mod lockout;
pub mod messages;
pub mod new_campaign;
pub mod password;
pub mod prefs;
pub mod render_guard;
pub mod session;
pub mod setup;
pub mod users;
