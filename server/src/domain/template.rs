//! Message templates: `{{name}}`, `{{first_name}}` and `{{phone}}` filled per contact. The one
//! implementation lives in the shared `app` crate, so the dashboard's preview matches the sender.

pub use app::template::{PLACEHOLDERS, render, render_with};
