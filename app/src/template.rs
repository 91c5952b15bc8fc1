//! Message templates: `{{name}}`, `{{first_name}}` and `{{phone}}` filled per contact. Shared
//! by the sender (server) and the new-campaign preview (browser), so both fill them alike.

/// The contact fields a template may use.
pub const PLACEHOLDERS: [&str; 3] = ["name", "first_name", "phone"];

/// Fills the placeholders of `template` for one contact. Unknown `{{…}}` stay as written;
/// spaces inside the braces are allowed (`{{ name }}`).
pub fn render(template: &str, name: &str, phone: &str) -> String {
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
                    _ => out.push_str(&rest[start..start + 2 + end + 2]),
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
    use super::render;

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
}
