//! Phone numbers as Flow stores them: ASCII digits only, E.164 without the `+`
//! (`5511987654321`).
//!
//! This module owns the conversions and nothing else:
//! * [`parse`]: what a person typed or a spreadsheet exported, read under the team's country
//!   (`(11) 98765-4321`, `011 98765-4321`, `0xx11 …`, `+55 …`, `0055 …`) → a valid number in
//!   the stored form with its [`LineType`], or why it is not one ([`PhoneError`]);
//! * [`from_jid`]: a WhatsApp jid (`5511987654321@s.whatsapp.net`) → the stored form, or
//!   `None` when the jid does not name a phone (groups, `@lid`, broadcasts, newsletters);
//! * [`match_variants`]: the forms under which one Brazilian mobile may show up (with and
//!   without the ninth digit), for matching what WhatsApp reports against stored contacts;
//! * [`identity_key`]: the one form every spelling of a person's number shares (stored as
//!   `contact.phone_key`): importing either spelling finds the same contact, and an opt-out
//!   from either covers both;
//! * [`legacy_spellings`]: the digits earlier versions of Flow stored for a number typed the
//!   national way, so that what they recorded (suppression hashes) still finds the person.
//!
//! Parsing uses libphonenumber's metadata (the `phonenumber` crate): a number written without
//! `+` or `00` is read in the team's country only, never guessed to be foreign, so a national
//! number cannot reach a stranger abroad.

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, PhoneNumber, Type};

/// Most digits a stored phone may have (the E.164 maximum).
pub const MAX_DIGITS: usize = 15;

/// The country whose numbering plan reads a number written without its country code (a
/// tenant's `default_country`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Country(Id);

impl Country {
    /// Brazil, the default.
    pub const BRAZIL: Self = Self(Id::BR);

    /// The country of an ISO 3166-1 alpha-2 code (`BR`, `pt`), if libphonenumber knows its
    /// numbering plan.
    pub fn from_code(code: &str) -> Option<Self> {
        let id: Id = code.trim().to_ascii_uppercase().parse().ok()?;
        DATABASE.by_id(id.as_ref()).map(|_| Self(id))
    }

    /// Its ISO 3166-1 alpha-2 code (`BR`).
    pub fn code(self) -> String {
        // `Id` names are the codes themselves.
        self.0.as_ref().to_string()
    }

    /// The country of a stored code, Brazil when it is unknown.
    pub fn from_stored(code: &str) -> Self {
        Self::from_code(code).unwrap_or_default()
    }
}

impl Default for Country {
    fn default() -> Self {
        Self::BRAZIL
    }
}

/// What kind of line a number is, as the numbering plan says (`contact.line_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineType {
    /// A mobile, or a number the plan cannot tell from one (North America).
    Mobile,
    /// A fixed line: may be on WhatsApp Business, worth filtering.
    Landline,
    /// Any other valid number (toll-free, shared cost, VoIP…).
    Other,
}

impl LineType {
    /// Every kind, as [`LineType::as_str`] names them.
    pub const ALL: [Self; 3] = [Self::Mobile, Self::Landline, Self::Other];

    /// How it is stored and shown in the API: `mobile`, `landline`, `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mobile => "mobile",
            Self::Landline => "landline",
            Self::Other => "other",
        }
    }

    fn of(number: &PhoneNumber) -> Self {
        match number.number_type(&DATABASE) {
            Type::Mobile | Type::FixedLineOrMobile => Self::Mobile,
            Type::FixedLine => Self::Landline,
            _ => Self::Other,
        }
    }
}

/// `contact.line_type` of a stored number Flow could not place (rows written before numbers
/// were parsed, which the repair could not read): the sender refuses them.
pub const INVALID_LINE: &str = "invalid";

/// A valid number: its stored digits and its kind of line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Number {
    /// E.164 digits without the `+` (a Brazilian mobile always with its ninth digit).
    pub digits: String,
    /// What kind of line it is.
    pub line_type: LineType,
}

impl Number {
    /// The identity its contact is stored under ([`identity_key`]).
    pub fn key(&self) -> String {
        identity_key(&self.digits)
    }
}

/// Why a phone number was rejected by [`parse`].
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone, Copy)]
pub enum PhoneError {
    /// Nothing to read: the input is empty, blank, or only formatting characters.
    #[error("phone number is empty")]
    Empty,
    /// A letter or a symbol other than the allowed formatting characters.
    #[error(
        "phone number contains invalid characters: only digits, spaces and + - ( ) . / are allowed"
    )]
    InvalidCharacters,
    /// Fewer digits than any number of its country has.
    #[error("phone number is too short for a number of its country (is the area code missing?)")]
    TooShort,
    /// More digits than any number of its country has.
    #[error("phone number is too long for a number of its country")]
    TooLong,
    /// The right length, but no number of its country looks like it (an area code that does
    /// not exist, a subscriber number no line starts with).
    #[error("phone number is not a valid number of its country (check the area code)")]
    NotValid,
    /// Written with `+` or `00` and a country code that does not exist.
    #[error("phone number has a country code that does not exist")]
    UnknownCountry,
}

impl From<PhoneError> for app::problem::PhoneReason {
    fn from(err: PhoneError) -> Self {
        match err {
            PhoneError::Empty => Self::Empty,
            PhoneError::InvalidCharacters => Self::InvalidCharacters,
            PhoneError::TooShort => Self::TooShort,
            PhoneError::TooLong => Self::TooLong,
            PhoneError::NotValid => Self::NotValid,
            PhoneError::UnknownCountry => Self::UnknownCountry,
        }
    }
}

/// What a person wrote, reduced to its digits.
struct Written {
    /// Begins with `+`: the country code follows.
    plus: bool,
    /// The digits (a national `0xx` carrier placeholder dropped).
    digits: String,
}

/// Keeps the digits of `input`: whitespace, `-`, `(`, `)`, `.` and `/` are formatting, a `+`
/// may lead, and the `xx` of a written-out carrier placeholder (`0xx11`, `0XX 11`) is
/// dropped. Anything else is refused.
fn read_digits(input: &str) -> Result<Written, PhoneError> {
    let input = input.trim();
    let (plus, rest) = match input.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, input),
    };
    let mut digits = String::with_capacity(rest.len());
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '0'..='9' => digits.push(c),
            '-' | '(' | ')' | '.' | '/' => {}
            c if c.is_whitespace() => {}
            'x' | 'X' if digits == "0" && matches!(chars.peek(), Some('x' | 'X')) => {
                chars.next();
            }
            _ => return Err(PhoneError::InvalidCharacters),
        }
    }
    if digits.is_empty() {
        return Err(PhoneError::Empty);
    }
    Ok(Written { plus, digits })
}

/// Parses a phone number as people write it, reading a number without `+` or `00` in
/// `country`'s numbering plan, and returns it in the stored form if it is a valid number.
///
/// A Brazilian mobile written without its ninth digit (`11 8765-4321`, old spreadsheets) is
/// given it back: it is one person with the 9-digit form.
///
/// ```text
/// "(11) 98765-4321", BR    → 5511987654321 (mobile)
/// "0 15 11 98765-4321", BR → 5511987654321 (carrier code dropped)
/// "(11) 3265-4321", BR     → 551132654321 (landline)
/// "+1 415 555 2671", BR    → 14155552671
/// "14155552671", BR        → Err(NotValid): read as Brazilian, and no Brazilian number
/// ```
///
/// # Errors
/// [`PhoneError`] says why the input is not a valid number.
pub fn parse(input: &str, country: Country) -> Result<Number, PhoneError> {
    let written = read_digits(input)?;
    if written.digits.len() > MAX_DIGITS + 4 {
        return Err(PhoneError::TooLong);
    }
    if written.plus {
        // `+00 55 …`: the call prefix written after the plus.
        let digits = written.digits.strip_prefix("00").unwrap_or(&written.digits);
        return international(digits);
    }
    // `00` is the international call prefix of most of the world: `0055 11 …`. (Brazil dials
    // abroad with `00` + a carrier code; libphonenumber reads that form below.)
    let after_00 = written
        .digits
        .strip_prefix("00")
        .map(international)
        .and_then(Result::ok);
    if let Some(number) = after_00 {
        return Ok(number);
    }
    match phonenumber::parse(Some(country.0), &written.digits) {
        Ok(number) => valid(&number),
        Err(e) => Err(parse_error(&e)),
    }
}

/// Reads digits that begin with their country code (a jid, a number written with `+`).
///
/// # Errors
/// As [`parse`].
pub fn international(digits: &str) -> Result<Number, PhoneError> {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PhoneError::InvalidCharacters);
    }
    match phonenumber::parse(None, format!("+{digits}")) {
        Ok(number) => valid(&number),
        Err(e) => Err(parse_error(&e)),
    }
}

/// Whether Flow can send to a stored number: it is a valid number, read with its country
/// code (a Brazilian mobile with or without its ninth digit).
pub fn placeable(digits: &str) -> bool {
    international(digits).is_ok()
}

fn parse_error(e: &phonenumber::ParseError) -> PhoneError {
    use phonenumber::ParseError as P;
    match e {
        P::InvalidCountryCode => PhoneError::UnknownCountry,
        P::TooLong => PhoneError::TooLong,
        _ => PhoneError::TooShort,
    }
}

/// The parsed number if it is valid (a Brazilian mobile without its ninth digit gets it),
/// else why not.
fn valid(number: &PhoneNumber) -> Result<Number, PhoneError> {
    let digits = e164_digits(number);
    if number.is_valid() {
        return Ok(Number {
            line_type: LineType::of(number),
            digits,
        });
    }
    if let Some(with_nine) =
        brazilian_ninth_digit_variant(&digits).filter(|v| v.len() > digits.len())
        && let Ok(n) = phonenumber::parse(None, format!("+{with_nine}"))
        && n.is_valid()
    {
        return Ok(Number {
            line_type: LineType::of(&n),
            digits: with_nine,
        });
    }
    // Too short means shorter than every line (fixed or mobile) of its country: a national
    // number without its area code; too long, longer than all of them.
    let national = number.national().to_string().len();
    let Some(meta) = number.metadata(&DATABASE) else {
        return Err(PhoneError::UnknownCountry);
    };
    let d = meta.descriptors();
    let lines = [d.fixed_line(), d.mobile()];
    let lengths = lines
        .iter()
        .flatten()
        .flat_map(|desc| desc.possible_length().iter().copied());
    let (shortest_line, longest) = (lengths.clone().min(), lengths.max());
    match (shortest_line, longest) {
        (Some(min), _) if national < usize::from(min) => Err(PhoneError::TooShort),
        (_, Some(max)) if national > usize::from(max) => Err(PhoneError::TooLong),
        _ => Err(PhoneError::NotValid),
    }
}

fn e164_digits(number: &PhoneNumber) -> String {
    number
        .format()
        .mode(Mode::E164)
        .to_string()
        .trim_start_matches('+')
        .to_string()
}

/// Brazil's carrier selection codes, which may stand between the national prefix `0` and the
/// area code (`0 15 11 98765-4321`): the ones libphonenumber's Brazilian metadata reads.
const BRAZILIAN_CARRIERS: &[&str] = &[
    "12", "14", "15", "21", "22", "23", "25", "31", "41", "43", "55", "65", "99",
];

/// The digits Flow stored for this number before numbers were parsed, when it was typed the
/// national way: the national number, with the trunk prefix `0`, for Brazil with a carrier
/// code and (for a mobile) without the ninth digit. Erasures recorded then hashed one of these;
/// looking them up keeps those people suppressed. `digits` is a stored (E.164) number.
pub fn legacy_spellings(digits: &str) -> Vec<String> {
    let Ok(number) = international(digits) else {
        return Vec::new();
    };
    let national = number_national(&number.digits);
    let Some(national) = national else {
        return Vec::new();
    };
    let mut nationals = vec![national.clone()];
    if number.digits.starts_with("55")
        && let Some(old) = brazilian_ninth_digit_variant(&number.digits)
        && let Some(old) = old.strip_prefix("55")
    {
        nationals.push(old.to_string());
    }
    let mut out = Vec::new();
    for n in &nationals {
        out.push(n.clone());
        out.push(format!("0{n}"));
        if number.digits.starts_with("55") {
            out.extend(BRAZILIAN_CARRIERS.iter().map(|c| format!("0{c}{n}")));
        }
    }
    out.retain(|s| s != digits);
    out
}

/// The national significant number of stored E.164 digits.
fn number_national(digits: &str) -> Option<String> {
    phonenumber::parse(None, format!("+{digits}"))
        .ok()
        .map(|n| n.national().to_string())
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

/// The linked id of an `@lid` jid (WhatsApp's phone-hiding address), device suffix dropped;
/// `None` for any other jid.
///
/// ```text
/// "128441234567890@lid"    → Some("128441234567890")
/// "128441234567890:3@lid"  → Some("128441234567890")
/// "5511987654321@s.whatsapp.net" → None
/// ```
pub fn lid_of(jid: &str) -> Option<String> {
    let (user, server) = jid.trim().split_once('@')?;
    if !server.eq_ignore_ascii_case("lid") {
        return None;
    }
    let user = user.split_once(':').map_or(user, |(user, _device)| user);
    let ok = !user.is_empty() && user.len() <= 32 && user.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| user.to_owned())
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
    fn lid_of_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("128441234567890@lid", Some("128441234567890")),
            ("128441234567890:3@LID", Some("128441234567890")),
            (" 128441234567890@lid ", Some("128441234567890")),
            ("5511987654321@s.whatsapp.net", None),
            ("abc@lid", None),
            ("@lid", None),
            ("128441234567890", None),
        ];
        for (jid, expected) in cases {
            assert_eq!(lid_of(jid).as_deref(), *expected, "lid_of({jid:?})");
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
    fn parsed_jid_and_typed_numbers_meet() {
        let typed = parse("(11) 98765-4321", Country::BRAZIL).expect("valid");
        let from_whatsapp = from_jid("551187654321@s.whatsapp.net").expect("phone jid");
        assert!(match_variants(&from_whatsapp).contains(&typed.digits));
        assert_eq!(identity_key(&from_whatsapp), typed.key());
    }

    /// Every way a Brazilian spreadsheet writes a number, and numbers of other countries.
    #[test]
    fn parse_table() {
        use LineType::{Landline, Mobile, Other};
        let br = Country::BRAZIL;
        let ok: &[(&str, &str, LineType)] = &[
            ("(11) 98765-4321", "5511987654321", Mobile),
            ("11 98765 4321", "5511987654321", Mobile),
            ("11987654321", "5511987654321", Mobile),
            ("011 98765-4321", "5511987654321", Mobile),
            ("0 15 11 98765-4321", "5511987654321", Mobile),
            ("0 21 (21) 99887-7665", "5521998877665", Mobile),
            ("0xx11 98765-4321", "5511987654321", Mobile),
            ("0XX 11 98765-4321", "5511987654321", Mobile),
            ("+55 11 98765-4321", "5511987654321", Mobile),
            ("+55 (11) 98765-4321", "5511987654321", Mobile),
            ("55 11 98765-4321", "5511987654321", Mobile),
            ("5511987654321", "5511987654321", Mobile),
            ("0055 11 98765-4321", "5511987654321", Mobile),
            ("+0055 11 98765 4321", "5511987654321", Mobile),
            ("55.11.98765.4321", "5511987654321", Mobile),
            ("11/98765-4321", "5511987654321", Mobile),
            ("55\t11\u{a0}98765-4321", "5511987654321", Mobile),
            // An old mobile without its ninth digit: the one identity of both spellings.
            ("11 8765-4321", "5511987654321", Mobile),
            ("(21) 8887-7665", "5521988877665", Mobile),
            ("+55 11 8765-4321", "5511987654321", Mobile),
            ("551187654321", "5511987654321", Mobile),
            // Eight digits starting with 9 are a pre-2012 mobile too.
            ("11 9876-5432", "5511998765432", Mobile),
            // Landlines are accepted and marked.
            ("(11) 3265-4321", "551132654321", Landline),
            ("55 11 3265 4321", "551132654321", Landline),
            ("0800 123 4567", "558001234567", Other),
            // Other countries, written with + or 00.
            ("+1 (415) 555-2671", "14155552671", Mobile),
            ("+44 20 7946 0958", "442079460958", Landline),
            ("+351 912 345 678", "351912345678", Mobile),
            ("00351 912 345 678", "351912345678", Mobile),
        ];
        for (input, digits, line) in ok {
            let got = parse(input, br);
            assert_eq!(
                got,
                Ok(Number {
                    digits: (*digits).to_string(),
                    line_type: *line
                }),
                "parse({input:?})"
            );
        }
        let bad: &[(&str, PhoneError)] = &[
            ("", PhoneError::Empty),
            ("   ", PhoneError::Empty),
            ("+ () -", PhoneError::Empty),
            ("55 11 9876S-4321", PhoneError::InvalidCharacters),
            ("tel: 5511987654321", PhoneError::InvalidCharacters),
            ("5511987654321#", PhoneError::InvalidCharacters),
            ("٥٥١١٩٨٧٦٥٤٣٢١", PhoneError::InvalidCharacters),
            // A national number without its area code.
            ("98765-4321", PhoneError::TooShort),
            ("11 3265-432", PhoneError::TooShort),
            ("11 98765-43210", PhoneError::TooLong),
            // Area codes that do not exist (none has a 0; 20 and 23 are unused).
            ("(20) 98765-4321", PhoneError::NotValid),
            ("(10) 3265-4321", PhoneError::NotValid),
            // A foreign number without + is read as Brazilian, never guessed abroad.
            ("14155552671", PhoneError::NotValid),
            ("+999 1234 5678", PhoneError::UnknownCountry),
            ("1234567890123456789012", PhoneError::TooLong),
        ];
        for (input, err) in bad {
            assert_eq!(parse(input, br), Err(*err), "parse({input:?})");
        }
    }

    #[test]
    fn another_default_country_reads_its_own_national_numbers() {
        let pt = Country::from_code("pt").expect("Portugal");
        assert_eq!(pt.code(), "PT");
        assert_eq!(parse("912 345 678", pt).unwrap().digits, "351912345678");
        // A Brazilian number must then carry its country code.
        assert!(parse("(11) 98765-4321", pt).is_err());
        assert_eq!(
            parse("+55 (11) 98765-4321", pt).unwrap().digits,
            "5511987654321"
        );
        assert_eq!(Country::from_code("XX"), None);
        assert_eq!(Country::from_stored("??"), Country::BRAZIL);
    }

    #[test]
    fn placeable_numbers_are_valid_with_their_country_code() {
        assert!(placeable("5511987654321"));
        assert!(placeable("551187654321"));
        assert!(placeable("551132654321"));
        assert!(placeable("14155552671"));
        assert!(!placeable("11987654321"));
        assert!(!placeable("011987654321"));
        assert!(!placeable("erased:12"));
        assert!(!placeable(""));
    }

    #[test]
    fn legacy_spellings_are_the_national_forms_earlier_versions_stored() {
        let forms = legacy_spellings("5511987654321");
        for form in [
            "11987654321",
            "011987654321",
            "01511987654321",
            "1187654321",
            "01187654321",
        ] {
            assert!(forms.contains(&form.to_string()), "{form} in {forms:?}");
        }
        assert!(!forms.contains(&"5511987654321".to_string()));
        assert_eq!(
            legacy_spellings("442079460958"),
            vec!["2079460958".to_string(), "02079460958".to_string()]
        );
        assert!(legacy_spellings("not a number").is_empty());
    }

    #[test]
    fn brazilian_numbers_are_displayed_as_libphonenumber_writes_them() {
        for digits in [
            "5511981000000",
            "551131000000",
            "5521987654321",
            "5585999998888",
            "554733334444",
            "5561991234567",
        ] {
            let number = phonenumber::parse(None, format!("+{digits}")).unwrap();
            let national = number.format().mode(Mode::National).to_string();
            assert_eq!(
                app::phone_display::display(digits),
                format!("+55 {national}"),
                "{digits}"
            );
        }
    }
}
