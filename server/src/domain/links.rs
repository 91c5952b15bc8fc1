//! Tracked links: finding the links of a message as WhatsApp shows them (`https://…`,
//! `http://…`, `www.…`), their destination with the campaign's UTM parameters, the short
//! unguessable code of one recipient's copy, and rewriting the text with those codes.

use std::collections::BTreeMap;

use app::follow_up::Utm;
use linkify::{LinkFinder, LinkKind};
use rand::Rng;

/// Characters of a code: letters and digits, so it survives any chat and any URL.
const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Characters in a code: 62^10 ≈ 8·10^17 codes, so one guess among a million live codes hits
/// one time in 10^12, and the link stays short in the chat (`/l/` + 10).
pub const CODE_LEN: usize = 10;

/// A fresh random code.
pub fn new_code() -> String {
    let mut rng = rand::rng();
    (0..CODE_LEN)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Whether `code` could be a code (the redirect looks up nothing else).
pub fn is_code(code: &str) -> bool {
    code.len() == CODE_LEN && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// One link of a text: where it is (byte range) and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// The link as written.
    pub url: String,
}

/// The links of `text` WhatsApp makes clickable and Flow tracks: with an `http`/`https`
/// scheme, or starting with `www.`. Trailing punctuation (`loja.com.br/oferta.`) is left out,
/// as WhatsApp does.
pub fn find(text: &str) -> Vec<Found> {
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]).url_must_have_scheme(false);
    finder
        .links(text)
        .filter(|l| {
            let lower = l.as_str().to_ascii_lowercase();
            lower.starts_with("https://")
                || lower.starts_with("http://")
                || lower.starts_with("www.")
        })
        .map(|l| Found {
            start: l.start(),
            end: l.end(),
            url: l.as_str().to_string(),
        })
        .collect()
}

/// Where a click on `url` goes: the URL (with `https://` before a bare `www.`) with the UTM
/// parameters `utm` sets and the URL does not already carry.
pub fn destination(url: &str, utm: Option<&Utm>) -> String {
    let full = if url.to_ascii_lowercase().starts_with("www.") {
        format!("https://{url}")
    } else {
        url.to_string()
    };
    let Some(utm) = utm else {
        return full;
    };
    let Ok(mut parsed) = url::Url::parse(&full) else {
        return full;
    };
    let present: Vec<String> = parsed.query_pairs().map(|(k, _)| k.into_owned()).collect();
    let wanted: Vec<(&str, &str)> = [
        ("utm_source", utm.source.as_deref()),
        ("utm_medium", utm.medium.as_deref()),
        ("utm_campaign", utm.campaign.as_deref()),
        ("utm_content", utm.content.as_deref()),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v.map(str::trim).filter(|v| !v.is_empty())?)))
    .filter(|(k, _)| !present.iter().any(|p| p == k))
    .collect();
    if wanted.is_empty() {
        return full;
    }
    parsed.query_pairs_mut().extend_pairs(wanted);
    parsed.to_string()
}

/// `text` with every link found replaced by `short[url]` (links without one stay as written).
pub fn rewrite(text: &str, short: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for found in find(text) {
        let Some(replacement) = short.get(&found.url) else {
            continue;
        };
        out.push_str(&text[last..found.start]);
        out.push_str(replacement);
        last = found.end;
    }
    out.push_str(&text[last..]);
    out
}

/// The public address of `code` under `public_url`.
pub fn short_url(public_url: &str, code: &str) -> String {
    format!("{}/l/{code}", public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_links_whatsapp_shows() {
        let text = "Oferta: https://loja.com.br/black?x=1. Veja também www.loja.com.br/frete, \
                    e (http://loja.com/c). Não é link: loja@loja.com.br, R$ 19.90, ftp://x.y";
        let urls: Vec<String> = find(text).into_iter().map(|f| f.url).collect();
        assert_eq!(
            urls,
            vec![
                "https://loja.com.br/black?x=1",
                "www.loja.com.br/frete",
                "http://loja.com/c"
            ]
        );
    }

    #[test]
    fn rewrites_each_link_in_place() {
        let text = "A https://a.com/x e b www.b.com.";
        let short = BTreeMap::from([
            ("https://a.com/x".to_string(), "F/l/1".to_string()),
            ("www.b.com".to_string(), "F/l/2".to_string()),
        ]);
        assert_eq!(rewrite(text, &short), "A F/l/1 e b F/l/2.");
        assert_eq!(rewrite("sem links", &short), "sem links");
    }

    #[test]
    fn utm_parameters_are_added_unless_present() {
        let utm = Utm {
            source: Some("whatsapp".into()),
            medium: Some("flow".into()),
            campaign: Some("black friday".into()),
            content: None,
        };
        assert_eq!(
            destination("https://loja.com.br/p?utm_source=insta", Some(&utm)),
            "https://loja.com.br/p?utm_source=insta&utm_medium=flow&utm_campaign=black+friday"
        );
        assert_eq!(
            destination("www.loja.com.br", None),
            "https://www.loja.com.br"
        );
    }

    #[test]
    fn codes_are_short_random_and_recognised() {
        let a = new_code();
        assert!(is_code(&a));
        assert_ne!(a, new_code());
        assert!(!is_code("abc"));
        assert!(!is_code("abcdefghi/"));
    }
}
