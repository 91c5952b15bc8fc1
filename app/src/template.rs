//! Message templates: `{{name}}`, `{{first_name}}` and `{{phone}}` (or their Portuguese names
//! `{{nome}}`, `{{primeiro_nome}}`, `{{telefone}}`) filled per contact, and any other
//! `{{field}}` from the contact's attributes (extra CSV columns such as `{{cidade}}`).
//! Shared by the sender (server) and the new-campaign preview (browser), so both fill them alike.

use std::collections::BTreeMap;

/// A field every contact has, by its English and its Portuguese placeholder name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The whole name.
    Name,
    /// The first word of the name.
    FirstName,
    /// The phone number.
    Phone,
}

impl Field {
    /// Every built-in field.
    pub const ALL: [Self; 3] = [Self::Name, Self::FirstName, Self::Phone];

    /// Its placeholder name in English: `first_name`.
    pub fn english(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::FirstName => "first_name",
            Self::Phone => "phone",
        }
    }

    /// Its placeholder name in Portuguese: `primeiro_nome`.
    pub fn portuguese(self) -> &'static str {
        match self {
            Self::Name => "nome",
            Self::FirstName => "primeiro_nome",
            Self::Phone => "telefone",
        }
    }

    /// The field a placeholder name (trimmed, any case) stands for, in either language.
    pub fn named(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| {
            key.eq_ignore_ascii_case(f.english()) || key.eq_ignore_ascii_case(f.portuguese())
        })
    }
}

/// The placeholders of `template` as its spintax keeps them (`{{word}}`: letters, digits, `_`
/// and spaces; anything else between double braces is a choice group), names trimmed, in
/// order of appearance, each once.
pub fn placeholders(template: &str) -> Vec<String> {
    let chars: Vec<char> = template.chars().collect();
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match crate::spintax::placeholder_len(&chars, i) {
            Some(len) => {
                let key: String = chars[i + 2..i + len - 2].iter().collect();
                let key = key.trim().to_string();
                if !found.contains(&key) {
                    found.push(key);
                }
                i += len;
            }
            None => i += 1,
        }
    }
    found
}

/// Fills the placeholders of `template` for one contact without attributes.
pub fn render(template: &str, name: &str, phone: &str) -> String {
    render_with(template, name, phone, &BTreeMap::new())
}

/// Fills the placeholders of `template` for one contact: the built-in fields (by their English
/// names, or their Portuguese names unless the contact has a column of that name) and its
/// `attributes` (keys in lower case). Unknown `{{…}}` stay as written;
/// spaces inside the braces are allowed (`{{ name }}`), and names match in any case
/// (`{{Cidade}}`).
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
                // An English name is the field; else a column of the contact's (a sheet's
                // `telefone` column keeps filling `{{telefone}}`); else a Portuguese name.
                let field = Field::named(key);
                let attribute = attributes.get(&key.to_lowercase());
                match (field, attribute) {
                    (Some(f), Some(value)) if !key.eq_ignore_ascii_case(f.english()) => {
                        out.push_str(value);
                    }
                    (Some(Field::Name), _) => out.push_str(name),
                    (Some(Field::FirstName), _) => out.push_str(first_name),
                    (Some(Field::Phone), _) => out.push_str(phone),
                    (None, Some(value)) => out.push_str(value),
                    (None, None) => out.push_str(&rest[start..start + 2 + end + 2]),
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
    use super::{Field, placeholders, render, render_with};

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
    fn portuguese_names_are_the_same_fields() {
        assert_eq!(
            render(
                "{{nome}} / {{ primeiro_nome }} / {{Telefone}}",
                "Maria Silva",
                "5511987654321"
            ),
            render(
                "{{name}} / {{ first_name }} / {{Phone}}",
                "Maria Silva",
                "5511987654321"
            ),
        );
        assert_eq!(Field::named("PRIMEIRO_NOME"), Some(Field::FirstName));
        assert_eq!(Field::named("cidade"), None);
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

    #[test]
    fn lists_the_placeholders_once() {
        assert_eq!(
            placeholders("{{nome}}, {{ cidade }} {{nome}} {{aberto"),
            ["nome", "cidade"]
        );
        assert!(placeholders("sem nada").is_empty());
        // As the spintax reads them: choices are not placeholders.
        assert_eq!(placeholders("{{Olá|Oi}|E aí} {{nome}}"), ["nome"]);
        assert_eq!(placeholders("{{{nome}}|Oi}"), ["nome"]);
        assert!(placeholders("{{região}}").is_empty());
    }

    #[test]
    fn a_column_of_the_contact_wins_over_a_portuguese_name() {
        let attrs = [("telefone".to_string(), "1133334444".to_string())]
            .into_iter()
            .collect();
        assert_eq!(
            render_with("{{telefone}} {{phone}}", "Ana", "5511987654321", &attrs),
            "1133334444 5511987654321"
        );
    }
}
