//! Message templates: `{{name}}`, `{{first_name}}` and `{{phone}}` filled per contact, and any
//! other `{{field}}` from the contact's attributes (extra CSV columns such as `{{cidade}}`).
//! Shared by the sender (server) and the new-campaign preview (browser), so both fill them alike.

use std::collections::BTreeMap;

/// The contact fields a template may use.
pub const PLACEHOLDERS: [&str; 3] = ["name", "first_name", "phone"];

/// Fills the placeholders of `template` for one contact without attributes.
pub fn render(template: &str, name: &str, phone: &str) -> String {
    render_with(template, name, phone, &BTreeMap::new())
}

/// Fills the placeholders of `template` for one contact: the built-in fields first, then its
/// `attributes` (keys in lower case). Unknown `{{…}}` stay as written; spaces inside the braces
/// are allowed (`{{ name }}`), and attribute names match in any case (`{{Cidade}}`).
pub fn render_with(
    template: &str,
    name: &str,
    phone: &str,
    attributes: &BTreeMap<String, String>,
) -> String {
    let first_name = name.split_whitespace().next().unwrap_or("");
    let mut out = String::with_capacity(template.len() + name.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let key = after[..end].trim();
                match key {
                    "name" => out.push_str(name),
                    "first_name" => out.push_str(first_name),
                    "phone" => out.push_str(phone),
                    other => match attributes.get(&other.to_lowercase()) {
                        Some(value) => out.push_str(value),
                        None => out.push_str(&rest[start..start + 2 + end + 2]),
                    },
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{render, render_with};

    #[test]
    fn fills_known_placeholders() {
        assert_eq!(
            render("Olá {{name}}!", "Maria Silva", "5511987654321"),
            "Olá Maria Silva!"
        );
        assert_eq!(
            render("Oi {{ first_name }}", "Maria Silva", "1"),
            "Oi Maria"
        );
        assert_eq!(render("{{phone}}", "x", "5511"), "5511");
    }

    #[test]
    fn leaves_the_rest_alone() {
        assert_eq!(
            render("{{unknown}} e {{name}}", "Ana", ""),
            "{{unknown}} e Ana"
        );
        assert_eq!(render("abre {{name", "Ana", ""), "abre {{name");
        assert_eq!(render("sem nada", "Ana", ""), "sem nada");
        assert_eq!(render("", "Ana", ""), "");
    }

    #[test]
    fn fills_attributes() {
        let attrs = [("cidade".to_string(), "Recife".to_string())]
            .into_iter()
            .collect();
        assert_eq!(
            render_with("{{name}} de {{ Cidade }} {{uf}}", "Ana", "1", &attrs),
            "Ana de Recife {{uf}}"
        );
    }
}
