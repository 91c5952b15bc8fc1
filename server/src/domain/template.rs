//! Message templates: `{{name}}`, `{{first_name}}` and `{{phone}}` (or `{{nome}}`,
//! `{{primeiro_nome}}`, `{{telefone}}`) filled per contact. The one implementation lives in the
//! shared `app` crate, so the dashboard's preview matches the sender.

pub use app::template::{render, render_with};
