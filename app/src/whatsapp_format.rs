//! WhatsApp's text formatting, as the app shows it: `*negrito*`, `_itálico_`, `~riscado~` and
//! ```` ```mono``` ````. A marker opens only before a non-space and after the start, a space or
//! punctuation; it closes on the same line, after a non-space and before the end, a space or
//! punctuation. Anything else stays as typed.

/// A piece of formatted text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Span {
    /// Plain text.
    Text(String),
    /// `*bold*`.
    Bold(Vec<Span>),
    /// `_italic_`.
    Italic(Vec<Span>),
    /// `~strikethrough~`.
    Strike(Vec<Span>),
    /// ```` ```monospace``` ```` (not formatted inside).
    Mono(String),
}

fn opens_after(prev: Option<char>) -> bool {
    prev.is_none_or(|c| c.is_whitespace() || (c.is_ascii_punctuation() && !"*_~".contains(c)))
}

fn closes_before(next: Option<char>) -> bool {
    next.is_none_or(|c| !c.is_alphanumeric())
}

/// The spans of `text`.
pub fn parse(text: &str) -> Vec<Span> {
    let chars: Vec<char> = text.chars().collect();
    let mut spans = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    let flush = |plain: &mut String, spans: &mut Vec<Span>| {
        if !plain.is_empty() {
            spans.push(Span::Text(std::mem::take(plain)));
        }
    };
    while i < chars.len() {
        if chars[i..].starts_with(&['`', '`', '`']) {
            let close = (i + 4..chars.len().saturating_sub(2))
                .find(|&j| chars[j..].starts_with(&['`', '`', '`']));
            if let Some(j) = close {
                flush(&mut plain, &mut spans);
                spans.push(Span::Mono(chars[i + 3..j].iter().collect()));
                i = j + 3;
                continue;
            }
        }
        let c = chars[i];
        if "*_~".contains(c)
            && opens_after(i.checked_sub(1).map(|p| chars[p]))
            && chars
                .get(i + 1)
                .is_some_and(|n| !n.is_whitespace() && *n != c)
        {
            let close = (i + 2..chars.len())
                .take_while(|&j| chars[j] != '\n')
                .find(|&j| {
                    chars[j] == c
                        && !chars[j - 1].is_whitespace()
                        && closes_before(chars.get(j + 1).copied())
                });
            if let Some(j) = close {
                flush(&mut plain, &mut spans);
                let inner = parse(&chars[i + 1..j].iter().collect::<String>());
                spans.push(match c {
                    '*' => Span::Bold(inner),
                    '_' => Span::Italic(inner),
                    _ => Span::Strike(inner),
                });
                i = j + 1;
                continue;
            }
        }
        plain.push(c);
        i += 1;
    }
    flush(&mut plain, &mut spans);
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Span {
        Span::Text(s.into())
    }

    #[test]
    fn formats_like_whatsapp() {
        assert_eq!(
            parse("Oi *Maria*, _hoje_ ~não~ ```OFERTA```!"),
            vec![
                text("Oi "),
                Span::Bold(vec![text("Maria")]),
                text(", "),
                Span::Italic(vec![text("hoje")]),
                text(" "),
                Span::Strike(vec![text("não")]),
                text(" "),
                Span::Mono("OFERTA".into()),
                text("!"),
            ]
        );
        assert_eq!(
            parse("*_ambos_*"),
            vec![Span::Bold(vec![Span::Italic(vec![text("ambos")])])]
        );
    }

    #[test]
    fn leaves_what_whatsapp_leaves() {
        assert_eq!(parse("2*3*4"), vec![text("2*3*4")]);
        assert_eq!(parse("* solto *"), vec![text("* solto *")]);
        assert_eq!(parse("snake_case_name"), vec![text("snake_case_name")]);
        assert_eq!(parse("*abre\nfecha*"), vec![text("*abre\nfecha*")]);
        assert_eq!(parse("**"), vec![text("**")]);
        assert_eq!(parse(""), vec![]);
    }
}
