//! Spintax: `{Olá|Oi|E aí} {{first_name}}` picks one option of each brace group per recipient.
//! Groups nest (`{Oi|{Olá|Opa}}`), `\{`, `\}`, `\|` and `\\` write the character itself, and a
//! `{{placeholder}}` of the message template is left alone for [`super::template`] to fill.
//!
//! A spin is drawn from a generator seeded by the caller (the recipient row's id), so the same
//! recipient always gets the same text: a resend after a crash repeats it word for word.
//! Shared by the sender (server) and the new-campaign preview (browser), so both spin alike.

use std::collections::BTreeSet;

/// Why a text is not valid spintax. Positions count characters from 1.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpintaxError {
    /// A `{` that is never closed.
    #[error("the `{{` at character {position} is never closed (write `\\{{` for a brace itself)")]
    Unclosed {
        /// Where the group opens.
        position: usize,
    },
    /// A `}` with no `{` before it.
    #[error("the `}}` at character {position} closes nothing (write `\\}}` for a brace itself)")]
    UnexpectedClose {
        /// Where it is.
        position: usize,
    },
}

/// A parsed text: literal pieces and choice groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spintax {
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Choice(Vec<Vec<Part>>),
}

/// Whether `chars[i..]` starts a template placeholder `{{word}}`; returns its length.
pub(crate) fn placeholder_len(chars: &[char], i: usize) -> Option<usize> {
    if chars.get(i) != Some(&'{') || chars.get(i + 1) != Some(&'{') {
        return None;
    }
    let mut j = i + 2;
    let mut word = false;
    while let Some(c) = chars
        .get(j)
        .filter(|c| c.is_ascii_alphanumeric() || **c == '_' || **c == ' ')
    {
        word |= *c != ' ';
        j += 1;
    }
    (word && chars.get(j) == Some(&'}') && chars.get(j + 1) == Some(&'}')).then(|| j + 2 - i)
}

/// A brace group being read.
struct Group {
    /// Where it opened (character, from 1).
    opened_at: usize,
    /// Its finished options.
    options: Vec<Vec<Part>>,
    /// The option being read.
    option: Vec<Part>,
}

/// Where the next piece goes: the option being read, or the top level.
fn current<'a>(stack: &'a mut [Group], top: &'a mut Vec<Part>) -> &'a mut Vec<Part> {
    match stack.last_mut() {
        Some(group) => &mut group.option,
        None => top,
    }
}

fn push_text(parts: &mut Vec<Part>, s: &str) {
    if let Some(Part::Text(t)) = parts.last_mut() {
        t.push_str(s);
    } else {
        parts.push(Part::Text(s.to_string()));
    }
}

impl Spintax {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, SpintaxError> {
        let chars: Vec<char> = text.chars().collect();
        let mut stack: Vec<Group> = Vec::new();
        let mut top: Vec<Part> = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if let Some(len) = placeholder_len(&chars, i) {
                let s: String = chars[i..i + len].iter().collect();
                push_text(current(&mut stack, &mut top), &s);
                i += len;
                continue;
            }
            match chars[i] {
                '\\' if matches!(chars.get(i + 1), Some('{' | '}' | '|' | '\\')) => {
                    push_text(current(&mut stack, &mut top), &chars[i + 1].to_string());
                    i += 1;
                }
                '{' => stack.push(Group {
                    opened_at: i + 1,
                    options: Vec::new(),
                    option: Vec::new(),
                }),
                '|' if !stack.is_empty() => {
                    if let Some(group) = stack.last_mut() {
                        group.options.push(std::mem::take(&mut group.option));
                    }
                }
                '}' => {
                    let Some(mut group) = stack.pop() else {
                        return Err(SpintaxError::UnexpectedClose { position: i + 1 });
                    };
                    group.options.push(group.option);
                    current(&mut stack, &mut top).push(Part::Choice(group.options));
                }
                c => push_text(current(&mut stack, &mut top), &c.to_string()),
            }
            i += 1;
        }
        if let Some(group) = stack.first() {
            return Err(SpintaxError::Unclosed {
                position: group.opened_at,
            });
        }
        Ok(Self { parts: top })
    }

    /// The text drawn for `seed` (the same seed always gives the same text).
    pub fn spin(&self, seed: u64) -> String {
        let mut rng = SplitMix(seed);
        let mut out = String::new();
        render(&self.parts, &mut rng, &mut out);
        out
    }

    /// Up to `max` distinct texts this spintax can produce, in a stable order.
    pub fn samples(&self, max: usize) -> Vec<String> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for seed in 0..(max as u64 * 20) {
            let text = self.spin(seed);
            if seen.insert(text.clone()) {
                out.push(text);
                if out.len() == max {
                    break;
                }
            }
        }
        out
    }
}

fn render(parts: &[Part], rng: &mut SplitMix, out: &mut String) {
    for part in parts {
        match part {
            Part::Text(t) => out.push_str(t),
            Part::Choice(options) => {
                let pick = (rng.next() % options.len() as u64) as usize;
                render(&options[pick], rng, out);
            }
        }
    }
}

/// SplitMix64: small, and stable across versions of every crate (a spin must not change when
/// Flow is upgraded between a crash and the resend).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Token Jaccard similarity of two texts (lowercased words), 0.0–1.0.
pub fn jaccard(a: &str, b: &str) -> f64 {
    let words = |s: &str| -> BTreeSet<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (a, b) = (words(a), words(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 1.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

/// Texts this similar (token Jaccard) are "the same message" to a spam filter.
pub const TOO_SIMILAR: f64 = 0.8;

/// Whether every pair of `texts` is at least [`TOO_SIMILAR`] alike (so the variations vary
/// nothing); a single text is trivially too similar.
pub fn all_too_similar(texts: &[String]) -> bool {
    texts
        .iter()
        .enumerate()
        .all(|(i, a)| texts[i + 1..].iter().all(|b| jaccard(a, b) >= TOO_SIMILAR))
}
