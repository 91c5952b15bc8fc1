//! Opt-out keyword matching: does an incoming message, as a whole, ask to stop receiving
//! campaign messages?
//!
//! This module owns the text comparison only (which keyword, if any, a message is). Deciding
//! that a message is eligible (incoming, from a contact) and applying the opt-out belong to
//! the event processor.
//!
//! A message matches a keyword when both are equal after [`normalize_text`]: compatibility
//! decomposition with accents dropped, upper case, whitespace runs collapsed, and
//! surrounding punctuation, symbols and emoji removed. The whole message must be the
//! keyword: "sair!!" opts out, "vou sair mais tarde" does not.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Keywords used when a tenant has not configured its own list.
pub const DEFAULT_KEYWORDS: &[&str] =
    &["SAIR", "PARAR", "CANCELAR", "STOP", "REMOVER", "NAO QUERO"];

/// [`DEFAULT_KEYWORDS`] as owned strings, the shape [`matching_keyword`] takes.
pub fn default_keywords() -> Vec<String> {
    DEFAULT_KEYWORDS.iter().map(|k| (*k).to_owned()).collect()
}

/// Canonical form of a message or keyword for comparison.
///
/// Steps: Unicode compatibility decomposition (NFKD, a superset of NFD that also folds
/// full-width and "fancy font" letters such as `ＳＡＩＲ` or `𝐒𝐀𝐈𝐑`), combining marks dropped
/// (`NÃO` → `NAO`), upper case, leading and trailing characters that are not alphanumeric
/// removed (punctuation, quotes, emoji, skin-tone modifiers, whitespace), and every inner run
/// of whitespace replaced by one space. Inner punctuation is kept.
///
/// ```text
/// "  Não   quero!! 🙏🏽 " → "NAO QUERO"
/// "«sair...»"            → "SAIR"
/// "não, obrigado"        → "NAO, OBRIGADO"
/// ```
pub fn normalize_text(text: &str) -> String {
    let folded: String = text
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_uppercase)
        .filter(|c| !is_combining_mark(*c))
        .collect();
    folded
        .trim_matches(|c: char| !c.is_alphanumeric())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The keyword (as given in `keywords`) that the whole of `text` is, if any.
///
/// Both sides go through [`normalize_text`], so keywords may be configured in any case and
/// with or without accents. Empty text never matches, and neither does a keyword that
/// normalises to nothing (e.g. `"!!"`). When several keywords match, the first one wins.
pub fn matching_keyword<'a>(text: &str, keywords: &'a [String]) -> Option<&'a str> {
    let text = normalize_text(text);
    if text.is_empty() {
        return None;
    }
    keywords
        .iter()
        .find(|keyword| normalize_text(keyword) == text)
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_text_examples() {
        let cases = [
            ("  Não   quero!! 🙏🏽 ", "NAO QUERO"),
            ("«sair...»", "SAIR"),
            ("\"Stop\"", "STOP"),
            ("não, obrigado", "NAO, OBRIGADO"),
            ("👋", ""),
            ("", ""),
            ("\n\tparar\r\n", "PARAR"),
            ("ＳＡＩＲ", "SAIR"),
            ("ção", "CAO"),
            ("straße", "STRASSE"),
            ("1️⃣", "1"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_text(input), expected, "normalize_text({input:?})");
        }
    }

    #[test]
    fn default_keywords_are_already_normalized() {
        for keyword in DEFAULT_KEYWORDS {
            assert_eq!(normalize_text(keyword), *keyword);
        }
        assert_eq!(default_keywords().len(), DEFAULT_KEYWORDS.len());
    }

    #[test]
    fn matching_keyword_table() {
        let defaults = default_keywords();
        let custom: Vec<String> = vec!["Descadastrar".into(), "Não perturbe".into(), "!!".into()];
        let d = defaults.as_slice();
        let c = custom.as_slice();

        let cases: &[(&str, &[String], Option<&str>)] = &[
            // The six defaults, lower case, mixed case, accents, punctuation, emoji.
            ("sair", d, Some("SAIR")),
            ("Sair", d, Some("SAIR")),
            ("  sair!! ", d, Some("SAIR")),
            ("sair.", d, Some("SAIR")),
            ("SAÍR", d, Some("SAIR")),
            ("Sair!", d, Some("SAIR")),
            ("👋 sair 👋", d, Some("SAIR")),
            ("parar", d, Some("PARAR")),
            ("PaRaR", d, Some("PARAR")),
            ("Parar 🛑", d, Some("PARAR")),
            ("cancelar", d, Some("CANCELAR")),
            ("cancelar?", d, Some("CANCELAR")),
            ("Cancelar!!!", d, Some("CANCELAR")),
            ("stop", d, Some("STOP")),
            ("STOP.", d, Some("STOP")),
            ("Stop 🙏🏽", d, Some("STOP")),
            ("remover", d, Some("REMOVER")),
            ("Remover...", d, Some("REMOVER")),
            ("rémövér", d, Some("REMOVER")),
            ("nao quero", d, Some("NAO QUERO")),
            ("Não quero", d, Some("NAO QUERO")),
            ("NÃO QUERO!", d, Some("NAO QUERO")),
            ("Não quero 🙏", d, Some("NAO QUERO")),
            ("não   quero", d, Some("NAO QUERO")),
            ("não\nquero", d, Some("NAO QUERO")),
            ("\"sair\"", d, Some("SAIR")),
            ("ＳＴＯＰ", d, Some("STOP")),
            // Negatives: the whole message must be the keyword.
            ("Não quero sair agora", d, None),
            ("vou sair mais tarde", d, None),
            ("parar de receber", d, None),
            ("stop it", d, None),
            ("ok", d, None),
            ("", d, None),
            ("   ", d, None),
            ("🙏", d, None),
            ("cancelado", d, None),
            ("sairr", d, None),
            ("s a i r", d, None),
            ("não-quero", d, None),
            ("naoquero", d, None),
            ("Oi! Quero saber mais sobre a promoção.", d, None),
            // Custom list: only the tenant's words count, matched in their given spelling.
            ("descadastrar", c, Some("Descadastrar")),
            ("DESCADASTRAR!", c, Some("Descadastrar")),
            ("nao perturbe", c, Some("Não perturbe")),
            ("sair", c, None),
            ("!!", c, None),
            ("sair", &[], None),
        ];
        assert!(cases.len() >= 35);
        for (text, keywords, expected) in cases {
            assert_eq!(
                matching_keyword(text, keywords),
                *expected,
                "matching_keyword({text:?}, {keywords:?})"
            );
        }
    }

    #[test]
    fn first_matching_keyword_wins() {
        let keywords: Vec<String> = vec!["Stop".into(), "STOP".into()];
        assert_eq!(matching_keyword("stop", &keywords), Some("Stop"));
    }
}
