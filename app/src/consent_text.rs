//! The consent log in words: an action's name and what a line says (a correction's field with
//! its values before and after), shared by the contact page and the data-subject export.

use crate::audience::ConsentEventView;
use crate::i18n::{Locale, td_string};
use crate::phone_display::display;

/// A consent log action in `locale`.
pub fn consent_action(locale: Locale, action: &str) -> String {
    match action {
        "opt_out" => td_string!(locale, consent.action_opt_out).to_string(),
        "opt_in" => td_string!(locale, consent.action_opt_in).to_string(),
        "erased" => td_string!(locale, consent.action_erased).to_string(),
        "corrected" => td_string!(locale, consent.action_corrected).to_string(),
        "exported" => td_string!(locale, consent.action_exported).to_string(),
        other => other.to_string(),
    }
}

/// What a consent log line says besides its action: the note, or for a correction
/// `Nome: Ana → Ana Maria` (numbers as people write them; `—` for a value not there).
pub fn consent_detail(locale: Locale, e: &ConsentEventView) -> String {
    let Some(field) = &e.field else {
        return e.note.clone();
    };
    let (label, is_phone) = match field.as_str() {
        "name" => (td_string!(locale, consent.field_name).to_string(), false),
        "phone" => (td_string!(locale, consent.field_phone).to_string(), true),
        other => (
            format!(
                "{{{{{}}}}}",
                other.strip_prefix("attributes.").unwrap_or(other)
            ),
            false,
        ),
    };
    let shown = |v: &Option<String>| match v {
        None => "—".to_string(),
        Some(v) if is_phone => {
            let d = display(v);
            if d.is_empty() { v.clone() } else { d }
        }
        Some(v) => v.clone(),
    };
    format!("{label}: {} → {}", shown(&e.old_value), shown(&e.new_value))
}
