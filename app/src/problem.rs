//! Why the server refused a request, as a value: each [`Problem`] has an English text (its
//! `Display`, what the REST API answers in `message`) and a text in the reader's language
//! ([`Problem::text`], what the dashboard shows).

/// What kind of refusal a [`Problem`] is, which decides its HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The input is not acceptable (422).
    Invalid,
    /// The current state does not allow it (409).
    Conflict,
    /// The caller may not do this (403).
    Forbidden,
}

/// Why a phone number is not one (its `code` in an import report: `empty`, `invalid_characters`,
/// `too_short`, `too_long`, `not_valid`, `unknown_country`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PhoneReason {
    /// Nothing to read.
    #[error("it is empty")]
    Empty,
    /// Letters or symbols other than formatting characters.
    #[error("only digits, spaces and + - ( ) . / are allowed")]
    InvalidCharacters,
    /// Fewer digits than any number of its country.
    #[error("it has too few digits for a number of its country (is the area code missing?)")]
    TooShort,
    /// More digits than any number of its country.
    #[error("it has too many digits for a number of its country")]
    TooLong,
    /// No number of its country looks like it (an area code that does not exist).
    #[error("it is not a valid number of its country (check the area code)")]
    NotValid,
    /// Written with `+` and a country code that does not exist.
    #[error("its country code does not exist")]
    UnknownCountry,
}

/// A refused request, with what the person needs to fix it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A name is empty or too long.
    #[error("name must be 1 to {max} characters")]
    NameLength {
        /// Most characters.
        max: usize,
    },
    /// A page size out of range.
    #[error("limit must be between 1 and {max}")]
    LimitRange {
        /// Largest page.
        max: u64,
    },
    /// An offset past what the database takes.
    #[error("offset must be at most {max}")]
    OffsetRange {
        /// Largest offset.
        max: u64,
    },
    /// A campaign without instances.
    #[error("instance_ids must name at least one instance")]
    NoInstance,
    /// An empty contact list.
    #[error("contact_ids must not be empty")]
    ContactIdsEmpty,
    /// Pacing bounds out of order or too large.
    #[error("settings need 0 <= min_delay_ms <= max_delay_ms <= 3600000")]
    PacingRange,
    /// A daily cap below one.
    #[error("settings.daily_cap_per_instance must be at least 1")]
    DailyCapMin,
    /// A send window that is not one.
    #[error(
        "settings.send_window needs start and end as different HH:MM times and an offset within ±14 h"
    )]
    SendWindow,
    /// Contact ids of another tenant, or of nobody.
    #[error("{count} of the contact_ids are not contacts of this tenant")]
    UnknownContacts {
        /// How many.
        count: usize,
    },
    /// Instance ids of another tenant, or of nothing.
    #[error("unknown instance ids: {ids}")]
    UnknownInstances {
        /// The ids, comma separated.
        ids: String,
    },
    /// A campaign to nobody.
    #[error("the campaign has no contacts: import contacts first")]
    NoContacts,
    /// A status filter naming no status.
    #[error("status must be one of {allowed}")]
    StatusFilter {
        /// The statuses, comma separated.
        allowed: String,
    },
    /// Scheduling without a time.
    #[error("scheduling needs start_at")]
    ScheduleNeedsStart,
    /// Scheduling in the past.
    #[error("start_at must be in the future")]
    StartInPast,
    /// A start time that cannot be read.
    #[error("start_at {input:?} must be RFC 3339 or a local date and time like 2026-12-01T09:00")]
    StartUnreadable {
        /// What was given.
        input: String,
    },
    /// A local time the clock skips (a DST gap).
    #[error("{input} does not exist in {timezone} (the clock skips it)")]
    StartSkipped {
        /// What was given.
        input: String,
        /// The tenant's timezone.
        timezone: String,
    },
    /// An action the campaign's status does not allow.
    #[error("cannot {action} a campaign that is {from}")]
    CampaignTransition {
        /// The action's code (`start`, `pause`…).
        action: String,
        /// The status's code (`active`, `draft`…).
        from: String,
    },
    /// Someone else changed the campaign first.
    #[error("the campaign changed meanwhile; reload and retry")]
    CampaignChanged,
    /// A CSV row that cannot be read.
    #[error("unreadable CSV row {line}: {reason}")]
    CsvRow {
        /// Its line number.
        line: usize,
        /// The reader's words.
        reason: String,
    },
    /// Too many contacts at once.
    #[error("at most {max} contacts per import")]
    ImportTooLarge {
        /// Most rows.
        max: usize,
    },
    /// A phone number that is not one.
    #[error("{phone:?} is not a phone number: {reason}")]
    Phone {
        /// What was given.
        phone: String,
        /// Why.
        reason: PhoneReason,
    },
    /// A pasted list with wrong numbers.
    #[error("{phone:?} is not a phone number ({reason}); {lines} line(s) need fixing")]
    PastedPhones {
        /// The first wrong one.
        phone: String,
        /// Why.
        reason: PhoneReason,
        /// How many lines are wrong.
        lines: usize,
    },
    /// Nothing pasted and not "all contacts".
    #[error("paste at least one phone number, or send to all contacts")]
    PasteSomething,
    /// Too many pasted lines.
    #[error("paste at most {max} lines; import larger lists with the contacts API")]
    PasteTooMany {
        /// Most lines.
        max: usize,
    },
    /// A role that is not one.
    #[error("role must be admin or viewer")]
    Role,
    /// Removing or demoting the last admin.
    #[error("the team needs at least one admin: make someone else admin first")]
    LastAdmin,
    /// A password too short or too long.
    #[error("the password needs {min} characters to {max} bytes")]
    PasswordLength {
        /// Fewest characters.
        min: usize,
        /// Most bytes.
        max: usize,
    },
    /// An email that is not one.
    #[error("{email:?} is not an email address")]
    Email {
        /// What was given.
        email: String,
    },
    /// An email already in use.
    #[error("a user with email {email} already exists")]
    EmailTaken {
        /// The email.
        email: String,
    },
    /// A wrong current password.
    #[error("the current password is wrong")]
    WrongPassword,
    /// An instance's friendly name is empty or too long.
    #[error("friendly_name must be 1 to {max} characters")]
    FriendlyName {
        /// Most characters.
        max: usize,
    },
    /// An empty api key.
    #[error("api_key must not be empty")]
    ApiKeyEmpty,
    /// An instance name Evolution cannot have.
    #[error("instance_name must be 1 to 100 characters without '/', '?' or '#'")]
    InstanceName,
    /// An Evolution URL that is not one.
    #[error(
        "api_url must be an http:// or https:// URL of a server, without user, password, query or fragment"
    )]
    ApiUrl,
    /// An Evolution URL that names or resolves to a loopback, private or link-local address.
    #[error(
        "api_url: {host} is not a public address; Flow calls Evolution on loopback or private networks only when the operator sets FLOW_EVOLUTION_ALLOW_PRIVATE=true"
    )]
    ApiUrlNotPublic {
        /// The host.
        host: String,
    },
    /// An Evolution URL whose name does not resolve.
    #[error("api_url: {host} does not resolve to an address")]
    ApiUrlUnresolved {
        /// The host.
        host: String,
    },
    /// An API version that is not one.
    #[error("api_version must be \"v2\" or \"v1\"")]
    ApiVersion,
    /// An instance name already in use.
    #[error("an instance named {name:?} already exists")]
    InstanceTaken {
        /// The name.
        name: String,
    },
    /// Removing an instance that unfinished campaigns use.
    #[error(
        "the instance is used by unfinished campaigns: {campaigns}; finish or cancel them first"
    )]
    InstanceInUse {
        /// Their names, comma separated.
        campaigns: String,
    },
    /// A timezone that is not an IANA name.
    #[error("timezone {timezone:?} is not an IANA timezone name such as America/Sao_Paulo")]
    Timezone {
        /// What was given.
        timezone: String,
    },
    /// A default country that is not an ISO 3166-1 alpha-2 code with a numbering plan.
    #[error("default_country {country:?} is not a two-letter country code such as BR")]
    Country {
        /// What was given.
        country: String,
    },
    /// A line type filter naming no line type.
    #[error("line_type must be one of: {allowed}")]
    LineType {
        /// The line types, comma separated.
        allowed: String,
    },
    /// An opt-out keyword without letters or too long.
    #[error("opt-out keyword {keyword:?} must have letters or digits and at most {max} characters")]
    Keyword {
        /// What was given.
        keyword: String,
        /// Most characters.
        max: usize,
    },
    /// Too few or too many opt-out keywords.
    #[error("opt_out_keywords needs 1 to {max} keywords")]
    KeywordCount {
        /// Most keywords.
        max: usize,
    },
    /// A tester text too long.
    #[error("text must be at most {max} characters")]
    TestText {
        /// Most characters.
        max: usize,
    },
    /// Too many message variants.
    #[error("a campaign has at most {max} message variants")]
    TooManyVariants {
        /// Most variants (the message included).
        max: usize,
    },
    /// A message variant that is empty or too long.
    #[error("{field} must be 1 to {max} characters")]
    VariantLength {
        /// Which variant (`message`, `variants[1]`…).
        field: String,
        /// Most characters.
        max: usize,
    },
    /// A message whose `{a|b}` choices do not parse.
    #[error("{field}: {reason}")]
    Spintax {
        /// Which variant.
        field: String,
        /// What is wrong, and where.
        reason: String,
    },
    /// Weekdays that are not weekdays.
    #[error("settings.send_days takes weekdays among {allowed}")]
    SendDays {
        /// The weekday names, comma separated.
        allowed: String,
    },
    /// A warm-up plan that does not ramp up.
    #[error("{reason}")]
    WarmupPlan {
        /// What is wrong.
        reason: String,
    },
    /// An opt-out pause threshold out of range.
    #[error("optout_pause_percent must be between {min} and {max}")]
    OptOutPausePercent {
        /// Smallest.
        min: u32,
        /// Largest.
        max: u32,
    },
    /// A list of ids that cannot be read.
    #[error("{field} must be ids separated by commas")]
    IdList {
        /// The field.
        field: String,
    },
    /// Not exactly one audience.
    #[error("give exactly one of contact_ids, all_contacts: true or list_ids")]
    Audience,
    /// Excluded lists next to explicit contacts.
    #[error("exclude_list_ids goes with list_ids or all_contacts, not contact_ids")]
    ExcludeWithContacts,
    /// A required note (opt-out reason, consent) missing or too long.
    #[error("{field} is required (1 to {max} characters)")]
    NoteRequired {
        /// The field.
        field: String,
        /// Most characters.
        max: usize,
    },
    /// Opting out someone already opted out.
    #[error("the contact is already opted out")]
    AlreadyOptedOut,
    /// Opting in someone who is not opted out.
    #[error("the contact is not opted out")]
    NotOptedOut,
    /// A CSV file that cannot be read.
    #[error("the CSV file cannot be read: {reason}")]
    CsvFile {
        /// The reader's words.
        reason: String,
    },
    /// An uploaded file too large.
    #[error("the file must be at most {max} bytes")]
    FileTooLarge {
        /// Most bytes.
        max: usize,
    },
    /// A list name already in use.
    #[error("a list with this name already exists")]
    ListTaken,
    /// Too few or too many ids in one request.
    #[error("contact_ids must hold 1 to {max} ids")]
    MemberCount {
        /// Most ids.
        max: usize,
    },
    /// No list to target.
    #[error("list_ids must not be empty")]
    ListIdsEmpty,
    /// Erasing without ticking the confirmation.
    #[error("tick the confirmation to erase the contact")]
    EraseUnconfirmed,
    /// Lists of another tenant, or of nothing.
    #[error("list_ids and exclude_list_ids must name lists of this tenant")]
    UnknownLists,
    /// The file is empty.
    #[error("the file is empty")]
    MediaEmpty,
    /// The file is not a photo (JPEG, PNG, WebP), a video (MP4), an audio (OGG, MP3, M4A) or a document (PDF, office).
    #[error(
        "the file is not a photo (JPEG, PNG, WebP), a video (MP4), an audio (OGG, MP3, M4A) or a document (PDF, office)"
    )]
    MediaType,
    /// A {kind} file may have at most {max_mb} MB.
    #[error("a {kind} file may have at most {max_mb} MB")]
    MediaTooLarge {
        /// The kind.
        kind: String,
        /// Most megabytes.
        max_mb: u64,
    },
    /// {field}.kind must be the uploaded file's kind ({kind}).
    #[error("{field}.kind must be the uploaded file's kind ({kind})")]
    MediaKind {
        /// The field.
        field: String,
        /// The file's kind.
        kind: String,
    },
    /// {field}.media_id must name a file uploaded by this team.
    #[error("{field}.media_id must name a file uploaded by this team")]
    UnknownMedia {
        /// The field.
        field: String,
    },
    /// {field}.
    #[error("{field}: a voice note carries no text; leave the text and caption empty")]
    VoiceNoteText {
        /// The field.
        field: String,
    },
    /// A poll needs {min} to {max} distinct options of 1 to 100 characters.
    #[error("a poll needs {min} to {max} distinct options of 1 to 100 characters")]
    PollOptions {
        /// Fewest options.
        min: usize,
        /// Most options.
        max: usize,
    },
    /// Poll.question must be 1 to {max} characters.
    #[error("poll.question must be 1 to {max} characters")]
    PollQuestion {
        /// Most characters.
        max: usize,
    },
    /// Poll.selectable_count must be between 1 and the number of options.
    #[error("poll.selectable_count must be between 1 and the number of options")]
    PollSelectable,
    /// A poll is sent alone.
    #[error("a poll is sent alone: no media and no variants")]
    PollAlone,
    /// Poll.option_lists must map options of the poll to lists of this team.
    #[error("poll.option_lists must map options of the poll to lists of this team")]
    PollLists,
    /// This number opted out.
    #[error("this number opted out: Flow sends it nothing, not even a test")]
    TestOptedOut,
    /// None of the campaign's instances is connected.
    #[error("none of the campaign's instances is connected")]
    NoOpenInstance,
    /// A follow-up's min_age_hours out of range.
    #[error("min_age_hours must be between {min} and {max}")]
    FollowUpAge {
        /// Fewest hours.
        min: i32,
        /// Most hours.
        max: i32,
    },
    /// A follow-up of a campaign that has not started.
    #[error("only a started campaign can have a follow-up")]
    FollowUpNotStarted,
    /// A sale without a buyer.
    #[error("name the buyer with phone or contact_id")]
    ConversionBuyer,
    /// A sale's value.
    #[error("value must be a positive amount of at most {max} reais")]
    ConversionValue {
        /// Largest value.
        max: i64,
    },
    /// A sale in another currency.
    #[error("currency must be BRL")]
    ConversionCurrency,
    /// A sale's order id.
    #[error("order_id must be 1 to {max} characters")]
    OrderId {
        /// Most characters.
        max: usize,
    },
    /// A UTM parameter too long.
    #[error("each utm parameter may have at most {max} characters")]
    UtmLength {
        /// Most characters.
        max: usize,
    },
    /// A time that is not RFC 3339.
    #[error("{field} must be an RFC 3339 time such as 2026-12-06T14:30:00-03:00")]
    Timestamp {
        /// The field.
        field: String,
    },
    /// A comparison of too few or too many campaigns.
    #[error("ids must name 1 to {max} campaigns")]
    CompareCount {
        /// Most campaigns.
        max: usize,
    },
    /// A placeholder that is neither a contact field nor an attribute of the team's contacts.
    #[error("unknown placeholder {placeholder}{}", suggestion.as_ref().map(|s| format!("; did you mean {s}?")).unwrap_or_default())]
    UnknownPlaceholder {
        /// The placeholder as written (`{{cidadee}}`).
        placeholder: String,
        /// The closest known one (`{{cidade}}`).
        suggestion: Option<String>,
    },
    /// A correction to the number of a person who was erased (LGPD): their number stays out.
    #[error("this number belongs to a person who was erased; it cannot be given to a contact")]
    NumberErased,
    /// A correction to the number of another contact.
    #[error("this number is already contact {contact_id}'s")]
    NumberTaken {
        /// The contact that has it.
        contact_id: i64,
    },
    /// An attribute with an empty or too long key or value.
    #[error("attribute keys need 1 to {max_key} characters and values at most {max_value}")]
    AttributeLength {
        /// Most characters of a key.
        max_key: usize,
        /// Most characters of a value.
        max_value: usize,
    },
    /// A correction that changes nothing.
    #[error("send at least one of name, phone and attributes")]
    NothingToCorrect,
}

impl Problem {
    /// What kind of refusal this is.
    pub fn kind(&self) -> ProblemKind {
        match self {
            Self::CampaignTransition { .. }
            | Self::CampaignChanged
            | Self::LastAdmin
            | Self::EmailTaken { .. }
            | Self::InstanceTaken { .. }
            | Self::InstanceInUse { .. }
            | Self::AlreadyOptedOut
            | Self::NotOptedOut
            | Self::ListTaken
            | Self::NoOpenInstance
            | Self::FollowUpNotStarted
            | Self::NumberTaken { .. } => ProblemKind::Conflict,
            Self::WrongPassword => ProblemKind::Forbidden,
            _ => ProblemKind::Invalid,
        }
    }
}

#[cfg(feature = "ssr")]
mod text {
    use super::{PhoneReason, Problem};
    use crate::i18n::{Locale, td_string};
    use crate::prefs::Prefs;
    use crate::ui::status_label;

    impl PhoneReason {
        /// The reason in `locale`.
        pub fn text(self, locale: Locale) -> String {
            match self {
                Self::Empty => td_string!(locale, problems.phone_empty),
                Self::InvalidCharacters => td_string!(locale, problems.phone_characters),
                Self::TooShort => td_string!(locale, problems.phone_short),
                Self::TooLong => td_string!(locale, problems.phone_long),
                Self::NotValid => td_string!(locale, problems.phone_not_valid),
                Self::UnknownCountry => td_string!(locale, problems.phone_unknown_country),
            }
            .to_string()
        }
    }

    /// The verb of a campaign action's code in `locale`.
    fn action_label(locale: Locale, code: &str) -> String {
        match code {
            "start" => td_string!(locale, problems.actions.start).to_string(),
            "pause" => td_string!(locale, problems.actions.pause).to_string(),
            "resume" => td_string!(locale, problems.actions.resume).to_string(),
            "cancel" => td_string!(locale, problems.actions.cancel).to_string(),
            "schedule" => td_string!(locale, problems.actions.schedule).to_string(),
            "unschedule" => td_string!(locale, problems.actions.unschedule).to_string(),
            other => other.to_string(),
        }
    }

    impl Problem {
        /// The problem in `locale`, for people.
        pub fn text(&self, locale: Locale) -> String {
            // Counts and limits in the reader's form (`200.000` in pt-BR).
            let prefs = Prefs {
                locale,
                ..Prefs::default()
            };
            let num = |n: i64| prefs.num(n);
            match self {
                Self::NameLength { max } => {
                    td_string!(locale, problems.name_length, max = num(*max as i64)).to_string()
                }
                Self::CompareCount { max } => {
                    td_string!(locale, problems.compare_count, max = num(*max as i64)).to_string()
                }
                Self::LimitRange { max } => {
                    td_string!(locale, problems.limit_range, max = num(*max as i64)).to_string()
                }
                Self::OffsetRange { max } => {
                    td_string!(locale, problems.offset_range, max = num(*max as i64)).to_string()
                }
                Self::NoInstance => td_string!(locale, problems.no_instance).to_string(),
                Self::ContactIdsEmpty => td_string!(locale, problems.contact_ids_empty).to_string(),
                Self::PacingRange => td_string!(locale, problems.pacing_range).to_string(),
                Self::DailyCapMin => td_string!(locale, problems.daily_cap_min).to_string(),
                Self::SendWindow => td_string!(locale, problems.send_window).to_string(),
                Self::UnknownContacts { count } => td_string!(
                    locale,
                    problems.unknown_contacts,
                    count = num(*count as i64)
                )
                .to_string(),
                Self::UnknownInstances { ids } => {
                    td_string!(locale, problems.unknown_instances, ids = ids).to_string()
                }
                Self::NoContacts => td_string!(locale, problems.no_contacts).to_string(),
                Self::StatusFilter { allowed } => {
                    td_string!(locale, problems.status_filter, allowed = allowed).to_string()
                }
                Self::ScheduleNeedsStart => {
                    td_string!(locale, problems.schedule_needs_start).to_string()
                }
                Self::StartInPast => td_string!(locale, problems.start_in_past).to_string(),
                Self::StartUnreadable { input } => {
                    td_string!(locale, problems.start_unreadable, input = input).to_string()
                }
                Self::StartSkipped { input, timezone } => td_string!(
                    locale,
                    problems.start_skipped,
                    input = input,
                    timezone = timezone
                )
                .to_string(),
                Self::CampaignTransition { action, from } => td_string!(
                    locale,
                    problems.campaign_transition,
                    action = action_label(locale, action),
                    from = status_label(locale, from)
                )
                .to_string(),
                Self::CampaignChanged => td_string!(locale, problems.campaign_changed).to_string(),
                Self::CsvRow { line, reason } => td_string!(
                    locale,
                    problems.csv_row,
                    line = num(*line as i64),
                    reason = reason
                )
                .to_string(),
                Self::ImportTooLarge { max } => {
                    td_string!(locale, problems.import_too_large, max = num(*max as i64))
                        .to_string()
                }
                Self::Phone { phone, reason } => td_string!(
                    locale,
                    problems.phone,
                    phone = phone,
                    reason = reason.text(locale)
                )
                .to_string(),
                Self::PastedPhones {
                    phone,
                    reason,
                    lines,
                } => td_string!(
                    locale,
                    problems.pasted_phones,
                    phone = phone,
                    reason = reason.text(locale),
                    lines = num(*lines as i64)
                )
                .to_string(),
                Self::PasteSomething => td_string!(locale, problems.paste_something).to_string(),
                Self::PasteTooMany { max } => {
                    td_string!(locale, problems.paste_too_many, max = num(*max as i64)).to_string()
                }
                Self::Role => td_string!(locale, problems.role).to_string(),
                Self::LastAdmin => td_string!(locale, problems.last_admin).to_string(),
                Self::PasswordLength { min, max } => td_string!(
                    locale,
                    problems.password_length,
                    min = num(*min as i64),
                    max = num(*max as i64)
                )
                .to_string(),
                Self::Email { email } => {
                    td_string!(locale, problems.email, email = email).to_string()
                }
                Self::EmailTaken { email } => {
                    td_string!(locale, problems.email_taken, email = email).to_string()
                }
                Self::WrongPassword => td_string!(locale, problems.wrong_password).to_string(),
                Self::FriendlyName { max } => {
                    td_string!(locale, problems.friendly_name, max = num(*max as i64)).to_string()
                }
                Self::ApiKeyEmpty => td_string!(locale, problems.api_key_empty).to_string(),
                Self::InstanceName => td_string!(locale, problems.instance_name).to_string(),
                Self::ApiUrl => td_string!(locale, problems.api_url).to_string(),
                Self::ApiUrlNotPublic { host } => {
                    td_string!(locale, problems.api_url_not_public, host = host).to_string()
                }
                Self::ApiUrlUnresolved { host } => {
                    td_string!(locale, problems.api_url_unresolved, host = host).to_string()
                }
                Self::ApiVersion => td_string!(locale, problems.api_version).to_string(),
                Self::InstanceTaken { name } => {
                    td_string!(locale, problems.instance_taken, name = name).to_string()
                }
                Self::InstanceInUse { campaigns } => {
                    td_string!(locale, problems.instance_in_use, campaigns = campaigns).to_string()
                }
                Self::Timezone { timezone } => {
                    td_string!(locale, problems.timezone, timezone = timezone).to_string()
                }
                Self::Country { country } => {
                    td_string!(locale, problems.country, country = country).to_string()
                }
                Self::LineType { allowed } => {
                    td_string!(locale, problems.line_type, allowed = allowed).to_string()
                }
                Self::Keyword { keyword, max } => td_string!(
                    locale,
                    problems.keyword,
                    keyword = keyword,
                    max = num(*max as i64)
                )
                .to_string(),
                Self::KeywordCount { max } => {
                    td_string!(locale, problems.keyword_count, max = num(*max as i64)).to_string()
                }
                Self::TestText { max } => {
                    td_string!(locale, problems.test_text, max = num(*max as i64)).to_string()
                }
                Self::TooManyVariants { max } => {
                    td_string!(locale, problems.too_many_variants, max = num(*max as i64))
                        .to_string()
                }
                Self::VariantLength { field, max } => td_string!(
                    locale,
                    problems.variant_length,
                    field = field,
                    max = num(*max as i64)
                )
                .to_string(),
                Self::Spintax { field, reason } => {
                    td_string!(locale, problems.spintax, field = field, reason = reason).to_string()
                }
                Self::SendDays { allowed } => {
                    td_string!(locale, problems.send_days, allowed = allowed).to_string()
                }
                Self::WarmupPlan { reason } => {
                    td_string!(locale, problems.warmup_plan, reason = reason).to_string()
                }
                Self::OptOutPausePercent { min, max } => td_string!(
                    locale,
                    problems.opt_out_pause_percent,
                    min = num(*min as i64),
                    max = num(*max as i64)
                )
                .to_string(),
                Self::IdList { field } => {
                    td_string!(locale, problems.id_list, field = field).to_string()
                }
                Self::Audience => td_string!(locale, problems.audience).to_string(),
                Self::ExcludeWithContacts => {
                    td_string!(locale, problems.exclude_with_contacts).to_string()
                }
                Self::NoteRequired { field, max } => td_string!(
                    locale,
                    problems.note_required,
                    field = field,
                    max = num(*max as i64)
                )
                .to_string(),
                Self::AlreadyOptedOut => td_string!(locale, problems.already_opted_out).to_string(),
                Self::UnknownPlaceholder {
                    placeholder,
                    suggestion,
                } => match suggestion {
                    Some(s) => td_string!(
                        locale,
                        problems.unknown_placeholder_suggest,
                        placeholder = placeholder,
                        suggestion = s
                    )
                    .to_string(),
                    None => td_string!(
                        locale,
                        problems.unknown_placeholder,
                        placeholder = placeholder
                    )
                    .to_string(),
                },
                Self::NumberErased => td_string!(locale, problems.number_erased).to_string(),
                Self::NumberTaken { contact_id } => {
                    td_string!(locale, problems.number_taken, contact_id = *contact_id).to_string()
                }
                Self::AttributeLength { max_key, max_value } => td_string!(
                    locale,
                    problems.attribute_length,
                    max_key = num(*max_key as i64),
                    max_value = num(*max_value as i64)
                )
                .to_string(),
                Self::NothingToCorrect => {
                    td_string!(locale, problems.nothing_to_correct).to_string()
                }
                Self::NotOptedOut => td_string!(locale, problems.not_opted_out).to_string(),
                Self::CsvFile { reason } => {
                    td_string!(locale, problems.csv_file, reason = reason).to_string()
                }
                Self::FileTooLarge { max } => td_string!(
                    locale,
                    problems.file_too_large,
                    max = prefs.bytes(*max as i64)
                )
                .to_string(),
                Self::ListTaken => td_string!(locale, problems.list_taken).to_string(),
                Self::MemberCount { max } => {
                    td_string!(locale, problems.member_count, max = num(*max as i64)).to_string()
                }
                Self::ListIdsEmpty => td_string!(locale, problems.list_ids_empty).to_string(),
                Self::UnknownLists => td_string!(locale, problems.unknown_lists).to_string(),
                Self::MediaEmpty => td_string!(locale, problems.media_empty).to_string(),
                Self::MediaType => td_string!(locale, problems.media_type).to_string(),
                Self::MediaTooLarge { kind, max_mb } => td_string!(
                    locale,
                    problems.media_too_large,
                    kind = kind,
                    max_mb = num(*max_mb as i64)
                )
                .to_string(),
                Self::MediaKind { field, kind } => {
                    td_string!(locale, problems.media_kind, field = field, kind = kind).to_string()
                }
                Self::UnknownMedia { field } => {
                    td_string!(locale, problems.unknown_media, field = field).to_string()
                }
                Self::VoiceNoteText { field } => {
                    td_string!(locale, problems.voice_note_text, field = field).to_string()
                }
                Self::PollOptions { min, max } => td_string!(
                    locale,
                    problems.poll_options,
                    min = num(*min as i64),
                    max = num(*max as i64)
                )
                .to_string(),
                Self::PollQuestion { max } => {
                    td_string!(locale, problems.poll_question, max = num(*max as i64)).to_string()
                }
                Self::PollSelectable => td_string!(locale, problems.poll_selectable).to_string(),
                Self::PollAlone => td_string!(locale, problems.poll_alone).to_string(),
                Self::PollLists => td_string!(locale, problems.poll_lists).to_string(),
                Self::TestOptedOut => td_string!(locale, problems.test_opted_out).to_string(),
                Self::NoOpenInstance => td_string!(locale, problems.no_open_instance).to_string(),
                Self::FollowUpAge { min, max } => td_string!(
                    locale,
                    problems.follow_up_age,
                    min = num(*min as i64),
                    max = num(*max as i64)
                )
                .to_string(),
                Self::FollowUpNotStarted => {
                    td_string!(locale, problems.follow_up_not_started).to_string()
                }
                Self::ConversionBuyer => td_string!(locale, problems.conversion_buyer).to_string(),
                Self::ConversionValue { max } => td_string!(
                    locale,
                    problems.conversion_value,
                    max = prefs.money(*max as f64)
                )
                .to_string(),
                Self::ConversionCurrency => {
                    td_string!(locale, problems.conversion_currency).to_string()
                }
                Self::OrderId { max } => {
                    td_string!(locale, problems.order_id, max = num(*max as i64)).to_string()
                }
                Self::UtmLength { max } => {
                    td_string!(locale, problems.utm_length, max = num(*max as i64)).to_string()
                }
                Self::Timestamp { field } => {
                    td_string!(locale, problems.timestamp, field = field).to_string()
                }
                Self::EraseUnconfirmed => {
                    td_string!(locale, problems.erase_unconfirmed).to_string()
                }
            }
        }
    }
}
