//! Phone numbers as Flow stores them: ASCII digits only, E.164 without the `+`
//! (`5511987654321`).
//!
//! This module owns three conversions and nothing else:
//! * [`normalize`]: what a person typed or a spreadsheet exported → the stored form;
//! * [`from_jid`]: a WhatsApp jid (`5511987654321@s.whatsapp.net`) → the stored form, or
//!   `None` when the jid does not name a phone (groups, `@lid`, broadcasts, newsletters);
//! * [`match_variants`]: the forms under which one Brazilian mobile may show up (with and
//!   without the ninth digit), for matching what WhatsApp reports against stored contacts;
//! * [`identity_key`]: the one form every spelling of a person's number shares (stored as
//!   `contact.phone_key`): importing either spelling finds the same contact, and an opt-out
//!   from either covers both.
//!
//! No country is guessed: a number typed without its country code (`11 98765-4321`) stays
//! as typed as long as it has enough digits.

/// Fewest digits a stored phone may have, country code included.
pub const MIN_DIGITS: usize = 10;

/// Most digits a stored phone may have (the E.164 maximum).
pub const MAX_DIGITS: usize = 15;

/// Why a phone number was rejected by [`normalize`].
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone, Copy)]
pub enum PhoneError {
    /// Nothing to read: the input is empty, blank, or only formatting characters.
    #[error("phone number is empty")]
    Empty,
    /// A letter or a symbol other than the allowed formatting characters.
    #[error(
        "phone number contains invalid characters: only digits, spaces and + - ( ) . are allowed"
    )]
    InvalidCharacters,
    /// Fewer than [`MIN_DIGITS`] digits (after dropping a leading `00`).
    #[error("phone number is too short: it needs at least 10 digits, country code included")]
    TooShort,
    /// More than [`MAX_DIGITS`] digits (after dropping a leading `00`).
    #[error("phone number is too long: it may have at most 15 digits")]
    TooLong,
}

impl From<PhoneError> for app::problem::PhoneReason {
    fn from(err: PhoneError) -> Self {
        match err {
            PhoneError::Empty => Self::Empty,
            PhoneError::InvalidCharacters => Self::InvalidCharacters,
            PhoneError::TooShort => Self::TooShort,
            PhoneError::TooLong => Self::TooLong,
        }
    }
}

/// Normalises a phone number to digits only (E.164 without the `+`).
///
/// Formatting characters are dropped: whitespace, `+`, `-`, `(`, `)` and `.`. A leading `00`
/// international call prefix is dropped too (`0055 11 …` → `5511…`). Any other character,
/// letters included, is rejected. The result must have 10 to 15 digits.
///
/// ```text
/// "+55 (11) 98765-4321" → Ok("5511987654321")
/// "0055 11 98765 4321"  → Ok("5511987654321")
/// "55 11 9876S-4321"    → Err(InvalidCharacters)
/// ```
///
/// # Errors
/// [`PhoneError::Empty`] when there are no digits at all, [`PhoneError::InvalidCharacters`]
/// for any character that is not a digit or an allowed formatting character,
/// [`PhoneError::TooShort`] / [`PhoneError::TooLong`] outside 10..=15 digits.
pub fn normalize(input: &str) -> Result<String, PhoneError> {
    let mut digits = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '+' | '-' | '(' | ')' | '.' => {}
            c if c.is_whitespace() => {}
            _ => return Err(PhoneError::InvalidCharacters),
        }
    }
    if digits.is_empty() {
        return Err(PhoneError::Empty);
    }
    let digits = digits.strip_prefix("00").unwrap_or(&digits);
    match digits.len() {
        n if n < MIN_DIGITS => Err(PhoneError::TooShort),
        n if n > MAX_DIGITS => Err(PhoneError::TooLong),
        _ => Ok(digits.to_owned()),
    }
}

/// Reads the phone out of a WhatsApp user jid.
///
/// Accepts `<digits>@s.whatsapp.net` and the legacy `<digits>@c.us`, with an optional device
/// (`:12`) or agent (`_1`) suffix on the user part. Returns `None` for everything that does
/// not name a phone: groups (`@g.us`), linked ids (`@lid`), broadcast lists and
/// `status@broadcast`, newsletters, a bare number without `@`, or a user part that is not
/// 1 to 15 ASCII digits.
///
/// ```text
/// "5511987654321@s.whatsapp.net"    → Some("5511987654321")
/// "5511987654321:12@s.whatsapp.net" → Some("5511987654321")
/// "128441234567890@lid"             → None
/// ```
pub fn from_jid(jid: &str) -> Option<String> {
    let (user, server) = jid.trim().split_once('@')?;
    if !(server.eq_ignore_ascii_case("s.whatsapp.net") || server.eq_ignore_ascii_case("c.us")) {
        return None;
    }
    let user = user.split_once(':').map_or(user, |(user, _device)| user);
    let user = user.split_once('_').map_or(user, |(user, _agent)| user);
    let is_phone =
        !user.is_empty() && user.len() <= MAX_DIGITS && user.bytes().all(|b| b.is_ascii_digit());
    is_phone.then(|| user.to_owned())
}

/// The forms under which a stored phone may be reported by WhatsApp: the phone itself
/// first, then, for a Brazilian mobile, the same number with or without the ninth digit.
///
/// A Brazilian number is `55` + a two-digit area code (each digit 1-9) + the subscriber
/// part. Mobiles got a leading `9` in 2012-2016, and WhatsApp still reports many older
/// accounts without it:
/// * 13 digits with subscriber `9` + a digit 6-9 (`55 11 9 8765-4321`) ↔ the 12-digit form
///   without that `9` (`55 11 8765-4321`);
/// * 12 digits with subscriber starting 6-9 (a pre-2012 mobile) ↔ the 13-digit form with `9`.
///
/// The relation is symmetric (if `b` is a variant of `a`, `a` is a variant of `b`), so 12-digit
/// landlines (subscriber starting 2-5) never pair with anything. Any other number, or input
/// that is not all digits, yields just itself.
pub fn match_variants(phone: &str) -> Vec<String> {
    let mut variants = vec![phone.to_owned()];
    if let Some(other) = brazilian_ninth_digit_variant(phone) {
        variants.push(other);
    }
    variants
}

/// The identity of a stored phone: a Brazilian mobile in its 12-digit form (without the ninth
/// digit) gains it, so `551187654321` and `5511987654321` share `5511987654321`; any other
/// number is its own key. The migration that added `contact.phone_key` applies the same rule
/// in SQL.
///
/// ```text
/// "551187654321"  → "5511987654321"
/// "5511987654321" → "5511987654321"
/// "551132654321"  → "551132654321" (a landline)
/// ```
pub fn identity_key(phone: &str) -> String {
    match brazilian_ninth_digit_variant(phone) {
        Some(with_nine) if with_nine.len() > phone.len() => with_nine,
        _ => phone.to_owned(),
    }
}

/// The other form (with/without the ninth digit) of a Brazilian mobile, if `phone` is one.
fn brazilian_ninth_digit_variant(phone: &str) -> Option<String> {
    if !phone.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match phone.as_bytes() {
        // 55 + area + 9 + 8-digit subscriber starting 6-9 → drop the 9.
        [b'5', b'5', a1, a2, b'9', first, rest @ ..]
            if is_area_digit(*a1)
                && is_area_digit(*a2)
                && is_mobile_lead(*first)
                && rest.len() == 7 =>
        {
            Some(format!("{}{}", phone.get(..4)?, phone.get(5..)?))
        }
        // 55 + area + 8-digit subscriber starting 6-9 → insert the 9.
        [b'5', b'5', a1, a2, first, rest @ ..]
            if is_area_digit(*a1)
                && is_area_digit(*a2)
                && is_mobile_lead(*first)
                && rest.len() == 7 =>
        {
            Some(format!("{}9{}", phone.get(..4)?, phone.get(4..)?))
        }
        _ => None,
    }
}

/// Brazilian area codes (DDD) are 11 to 99 without a zero digit.
fn is_area_digit(b: u8) -> bool {
    matches!(b, b'1'..=b'9')
}

/// First digit of a pre-2012 (8-digit) Brazilian mobile subscriber number.
fn is_mobile_lead(b: u8) -> bool {
    matches!(b, b'6'..=b'9')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_table() {
        let cases: &[(&str, Result<&str, PhoneError>)] = &[
            ("+55 (11) 98765-4321", Ok("5511987654321")),
            ("5511987654321", Ok("5511987654321")),
            ("55.11.98765.4321", Ok("5511987654321")),
            ("0055 11 98765 4321", Ok("5511987654321")),
            ("+0055 11 98765 4321", Ok("5511987654321")),
            ("  +1 (415) 555-2671  ", Ok("14155552671")),
            ("+44 20 7946 0958", Ok("442079460958")),
            ("55\t11\u{a0}98765-4321", Ok("5511987654321")),
            ("551187654321", Ok("551187654321")),
            ("123456789012345", Ok("123456789012345")),
            ("", Err(PhoneError::Empty)),
            ("   ", Err(PhoneError::Empty)),
            ("+ () -", Err(PhoneError::Empty)),
            ("55 11 9876S-4321", Err(PhoneError::InvalidCharacters)),
            ("tel: 5511987654321", Err(PhoneError::InvalidCharacters)),
            ("5511987654321#", Err(PhoneError::InvalidCharacters)),
            ("5511987654321/2", Err(PhoneError::InvalidCharacters)),
            ("٥٥١١٩٨٧٦٥٤٣٢١", Err(PhoneError::InvalidCharacters)),
            ("98765-4321", Err(PhoneError::TooShort)),
            ("123456789", Err(PhoneError::TooShort)),
            ("00123456789", Err(PhoneError::TooShort)),
            ("00", Err(PhoneError::TooShort)),
            ("1234567890123456", Err(PhoneError::TooLong)),
        ];
        for (input, expected) in cases {
            let got = normalize(input);
            let expected = expected.map(str::to_owned);
            assert_eq!(got, expected, "normalize({input:?})");
        }
    }

    #[test]
    fn errors_have_readable_messages() {
        assert_eq!(PhoneError::Empty.to_string(), "phone number is empty");
        assert!(
            PhoneError::InvalidCharacters
                .to_string()
                .contains("invalid characters")
        );
        assert!(
            PhoneError::TooShort
                .to_string()
                .contains("at least 10 digits")
        );
        assert!(
            PhoneError::TooLong
                .to_string()
                .contains("at most 15 digits")
        );
    }

    #[test]
    fn from_jid_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("5511987654321@s.whatsapp.net", Some("5511987654321")),
            ("5511987654321:12@s.whatsapp.net", Some("5511987654321")),
            ("5511987654321_1:3@s.whatsapp.net", Some("5511987654321")),
            ("5511987654321@c.us", Some("5511987654321")),
            ("5511987654321@S.WHATSAPP.NET", Some("5511987654321")),
            ("551187654321@s.whatsapp.net", Some("551187654321")),
            ("120363041234567890@g.us", None),
            ("128441234567890@lid", None),
            ("1234567890@broadcast", None),
            ("status@broadcast", None),
            ("120363123456789012@newsletter", None),
            ("5511987654321", None),
            ("@s.whatsapp.net", None),
            (":3@s.whatsapp.net", None),
            ("55119876abc@s.whatsapp.net", None),
            ("+5511987654321@s.whatsapp.net", None),
            ("5511987654321@s.whatsapp.net@x", None),
            ("1234567890123456@s.whatsapp.net", None),
            ("", None),
        ];
        for (jid, expected) in cases {
            assert_eq!(from_jid(jid).as_deref(), *expected, "from_jid({jid:?})");
        }
    }

    #[test]
    fn match_variants_table() {
        let cases: &[(&str, &[&str])] = &[
            // São Paulo mobile, with and without the ninth digit.
            ("5511987654321", &["5511987654321", "551187654321"]),
            ("551187654321", &["551187654321", "5511987654321"]),
            ("5521998877665", &["5521998877665", "552198877665"]),
            ("556196543210", &["556196543210", "5561996543210"]),
            ("554176543210", &["554176543210", "5541976543210"]),
            // Landlines (subscriber 2-5) get no variant.
            ("551132654321", &["551132654321"]),
            ("551123456789", &["551123456789"]),
            ("552155554444", &["552155554444"]),
            // 13 digits whose ninth digit is followed by 1-5: a new mobile range, not an
            // old number that had a 9 prepended.
            ("5511912345678", &["5511912345678"]),
            ("5511955554444", &["5511955554444"]),
            // 13 digits without the 9 after the area code.
            ("5511887654321", &["5511887654321"]),
            // Area codes never contain 0.
            ("5501987654321", &["5501987654321"]),
            ("551087654321", &["551087654321"]),
            // Not Brazil, or wrong length.
            ("14155552671", &["14155552671"]),
            ("442079460958", &["442079460958"]),
            ("351912345678", &["351912345678"]),
            ("55119876543", &["55119876543"]),
            ("55119876543210", &["55119876543210"]),
            // Not digits: returned untouched.
            ("+5511987654321", &["+5511987654321"]),
            ("", &[""]),
        ];
        for (phone, expected) in cases {
            assert_eq!(
                match_variants(phone),
                *expected,
                "match_variants({phone:?})"
            );
        }
    }

    #[test]
    fn match_variants_is_symmetric() {
        for phone in [
            "5511987654321",
            "551187654321",
            "5521998877665",
            "551132654321",
            "5511912345678",
            "14155552671",
        ] {
            for variant in match_variants(phone) {
                assert!(
                    match_variants(&variant).contains(&phone.to_owned()),
                    "{variant} should map back to {phone}"
                );
            }
        }
    }

    #[test]
    fn identity_key_joins_both_spellings_and_nothing_else() {
        for phone in ["5511987654321", "551187654321"] {
            assert_eq!(identity_key(phone), "5511987654321", "{phone}");
        }
        for phone in [
            "551132654321",
            "5511912345678",
            "14155552671",
            "5501987654321",
        ] {
            assert_eq!(identity_key(phone), phone);
        }
        // Every variant of a number has the number's key.
        for phone in ["5521998877665", "556196543210", "551132654321"] {
            let key = identity_key(phone);
            for v in match_variants(phone) {
                assert_eq!(identity_key(&v), key, "{v}");
            }
        }
    }

    #[test]
    fn normalized_jid_and_typed_numbers_meet() {
        let typed = normalize("+55 (11) 98765-4321").expect("valid");
        let from_whatsapp = from_jid("551187654321@s.whatsapp.net").expect("phone jid");
        assert!(match_variants(&from_whatsapp).contains(&typed));
    }
}
