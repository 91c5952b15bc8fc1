//! The JSON shapes of the audience API: lists, consent (opt-out / opt-in), contact details,
//! replies and contact import jobs. Timestamps are RFC 3339 strings in UTC.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::types::ContactView;

/// A contact list as the API shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = List))]
pub struct ListView {
    /// List id.
    pub id: i64,
    /// Name, unique in the tenant.
    pub name: String,
    /// Contacts on the list.
    pub contacts: i64,
    /// When it was made.
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub created_at: String,
}

/// `POST /api/v1/lists` and `PATCH /api/v1/lists/{id}` body.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ListName {
    /// The list's name (1 to 200 characters).
    pub name: String,
}

/// `POST` / `DELETE /api/v1/lists/{id}/contacts` body: contacts by id, every contact matching
/// `search` (as the contacts page filters), or both. Without `search`, 1 to 10,000 ids.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ListMembers {
    /// Contacts of the tenant (1 to 10,000 unless `search` is given).
    #[serde(default)]
    pub contact_ids: Vec<i64>,
    /// Every contact matching it as well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<MemberSearch>,
}

impl ListMembers {
    /// Just contact `id`.
    pub fn of(id: i64) -> Self {
        Self {
            contact_ids: vec![id],
            search: None,
        }
    }
}

/// A search whose contacts a list change takes, with the filters of `GET /api/v1/contacts`:
/// every (not erased) contact matching all of them.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberSearch {
    /// A name (part of it, any case) or a phone in any formatting.
    #[serde(default)]
    pub q: Option<String>,
    /// Only contacts on this list.
    #[serde(default)]
    pub list_id: Option<i64>,
    /// Only opted-out (`true`) or only reachable (`false`) contacts.
    #[serde(default)]
    pub opted_out: Option<bool>,
    /// Only numbers of this kind of line: `mobile`, `landline`, `other` or `invalid`.
    #[serde(default)]
    pub line_type: Option<String>,
}

/// How many contacts a list change touched.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ListMembersChanged {
    /// Contacts added or removed (already there / not there are not counted).
    pub changed: u64,
    /// Contacts on the list now.
    pub contacts: i64,
}

/// `GET /api/v1/audience`: who a campaign over these lists would get, N contacts (M already
/// opted out will be skipped).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AudienceCount {
    /// People (one per phone identity) the campaign would hold.
    pub contacts: i64,
    /// Of them, those opted out: they become `opted_out` rows and are never messaged.
    pub opted_out: i64,
}

/// `POST /api/v1/contacts/{id}/opt-out` body.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OptOutBody {
    /// Why (e.g. "pediu por telefone"); required.
    pub reason: String,
}

/// `POST /api/v1/contacts/{id}/opt-in` body.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OptInBody {
    /// How the person gave their consent again; required.
    pub consent_note: String,
}

/// One line of a contact's consent history.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = ConsentEvent))]
pub struct ConsentEventView {
    /// Event id.
    pub id: i64,
    /// `opt_out`, `opt_in`, `erased`, `corrected` (a field of the contact changed) or
    /// `exported` (their data was exported for them, LGPD art. 18 II and V).
    pub action: String,
    /// The reason, consent note or keyword.
    pub note: String,
    /// Who: a user's email, an API token's name, or `whatsapp` (a keyword reply).
    pub actor: String,
    /// When.
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub created_at: String,
    /// What a correction changed: `name`, `phone` or `attributes.<key>`.
    #[serde(default)]
    pub field: Option<String>,
    /// The value before a correction (null for an attribute added; emptied by an erasure).
    #[serde(default)]
    pub old_value: Option<String>,
    /// The value after a correction (null for an attribute removed; emptied by an erasure).
    #[serde(default)]
    pub new_value: Option<String>,
}

/// `PATCH /api/v1/contacts/{id}` body: what to correct (LGPD art. 18 III). Each change is
/// written to the consent log with the value before and after.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactCorrection {
    /// The new name.
    #[serde(default)]
    pub name: Option<String>,
    /// The new number, in any common notation (read in the team's country); refused when it is
    /// another contact's or an erased person's.
    #[serde(default)]
    pub phone: Option<String>,
    /// Attributes to set (a string) or remove (null); the others stay.
    #[serde(default)]
    pub attributes: Option<BTreeMap<String, Option<String>>>,
}

impl ContactCorrection {
    /// The correction a contact page's form asks for: its name; its number unless it is still
    /// the one the form showed (`shown_phone`); its fields written one per line as
    /// `campo: valor`, a field the form showed (`shown_keys`, one per line) and left out being
    /// removed (fields added meanwhile by someone else stay).
    pub fn from_form(
        name: &str,
        phone: &str,
        lines: &str,
        shown_phone: &str,
        shown_keys: &str,
    ) -> Self {
        let mut attributes: BTreeMap<String, Option<String>> = lines
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, v)| (k, (!v.is_empty()).then_some(v)))
            .collect();
        for key in shown_keys.lines().map(str::trim).filter(|k| !k.is_empty()) {
            attributes.entry(key.to_string()).or_insert(None);
        }
        let phone = phone.trim();
        ContactCorrection {
            name: Some(name.to_string()),
            phone: (!phone.is_empty() && phone != shown_phone.trim()).then(|| phone.to_string()),
            attributes: Some(attributes),
        }
    }

    /// The fields of `attributes` as the form writes them, one `campo: valor` per line.
    pub fn form_lines(attributes: &BTreeMap<String, String>) -> String {
        attributes
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Who a change by one of the team's members or API tokens is attributed to in a
/// data-subject export: the team, not its people (they are not the subject's data).
pub const TEAM_ACTOR: &str = "team";

/// `GET /api/v1/contacts/{id}/data-export`: everything Flow holds about a person (LGPD art.
/// 18 II, V and VII), every spelling of their number included, nobody else's data.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DataSubjectExport {
    /// When the export was made.
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub generated_at: String,
    /// Who holds the data: the team's name.
    pub controller: String,
    /// The person as their contact holds them.
    pub contact: ContactView,
    /// Their number as people write it (`+55 (11) 98100-0000`).
    pub phone_display: String,
    /// The other records of the same person (another spelling of the number).
    pub other_records: Vec<ContactView>,
    /// Extra fields (imported columns).
    pub attributes: BTreeMap<String, String>,
    /// The lists they are on.
    pub lists: Vec<String>,
    /// Every campaign message sent to them, oldest first.
    pub messages: Vec<ExportedMessage>,
    /// Every message they sent, oldest first.
    pub replies: Vec<ExportedReply>,
    /// Their visits of tracked links, oldest first.
    pub clicks: Vec<ExportedClick>,
    /// Sales a shop reported as theirs, oldest first.
    pub conversions: Vec<ExportedConversion>,
    /// Opt-outs, opt-ins, corrections and exports, oldest first.
    pub consent_history: Vec<ConsentEventView>,
    /// The WhatsApp numbers (Evolution instances) that messaged them (art. 18 VII).
    pub instances: Vec<ExportedInstance>,
}

/// A campaign message in a data-subject export.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportedMessage {
    /// Campaign id.
    pub campaign_id: i64,
    /// Campaign name.
    pub campaign_name: String,
    /// The instance that sent it, if it was sent.
    pub instance_id: Option<i64>,
    /// Delivery status.
    pub status: String,
    /// When it was sent.
    pub sent_at: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<String>,
    /// When it was read.
    pub read_at: Option<String>,
    /// When it failed.
    pub failed_at: Option<String>,
    /// When they replied.
    pub replied_at: Option<String>,
    /// When they first clicked one of its links.
    pub clicked_at: Option<String>,
    /// When they opted out from it.
    pub opted_out_at: Option<String>,
}

/// A message the person sent, in a data-subject export.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportedReply {
    /// The campaign it answered, if any.
    pub campaign_id: Option<i64>,
    /// The text.
    pub text: String,
    /// Whether it opted them out.
    pub opt_out: bool,
    /// When it arrived.
    pub received_at: String,
    /// When they deleted it for everyone.
    pub deleted_at: Option<String>,
}

/// A visit of a tracked link, in a data-subject export.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportedClick {
    /// The campaign whose message carried the link.
    pub campaign_id: i64,
    /// Where the link leads.
    pub url: String,
    /// `click` (a person) or `preview` (an app fetching a preview).
    pub kind: String,
    /// When.
    pub at: String,
    /// The browser that visited, as it named itself.
    pub user_agent: Option<String>,
}

/// A sale traced to the person, in a data-subject export.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportedConversion {
    /// The shop's order id.
    pub order_id: String,
    /// The amount in cents.
    pub value_cents: i64,
    /// ISO 4217 currency.
    pub currency: String,
    /// When the sale happened.
    pub occurred_at: String,
    /// The campaign it was attributed to, if any.
    pub campaign_id: Option<i64>,
}

/// A WhatsApp number that messaged the person, in a data-subject export.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportedInstance {
    /// Instance id.
    pub id: i64,
    /// Its name in Flow.
    pub name: String,
    /// The number it is connected as, when Evolution said (E.164 digits).
    pub phone: Option<String>,
    /// Messages it sent them.
    pub messages: i64,
}

/// A campaign a contact received, as their page shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = ContactCampaign))]
pub struct ContactCampaignView {
    /// Campaign id.
    pub campaign_id: i64,
    /// Campaign name.
    pub campaign_name: String,
    /// Delivery status of the message to this contact.
    pub status: String,
    /// When it was sent.
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub sent_at: Option<String>,
    /// When it was delivered.
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub delivered_at: Option<String>,
    /// When it was read.
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub read_at: Option<String>,
    /// When it failed.
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub failed_at: Option<String>,
    /// When the contact replied.
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub replied_at: Option<String>,
}

/// A message a contact sent.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = Reply))]
pub struct ReplyView {
    /// Reply id.
    pub id: i64,
    /// The contact.
    pub contact_id: i64,
    /// Their name.
    pub name: String,
    /// Their phone digits.
    pub phone: String,
    /// The campaign the message answered, if any.
    pub campaign_id: Option<i64>,
    /// The text.
    pub text: String,
    /// Whether the text opted them out.
    pub opt_out: bool,
    /// When it arrived.
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub received_at: String,
    /// When the contact revoked it ("apagada para todos"); an opt-out it carried stays.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(required = true, format = DateTime))]
    pub deleted_at: Option<String>,
}

/// `GET /api/v1/contacts/{id}`: the contact with everything Flow knows about them.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ContactDetail {
    /// The contact.
    #[serde(flatten)]
    pub contact: ContactView,
    /// Extra fields (CSV columns), usable in templates as `{{field}}`.
    pub attributes: BTreeMap<String, String>,
    /// The lists they are on.
    pub lists: Vec<ListView>,
    /// Campaigns they received, newest first.
    pub campaigns: Vec<ContactCampaignView>,
    /// Their messages, newest first.
    pub replies: Vec<ReplyView>,
    /// Opt-outs, opt-ins (old ones stay), newest first.
    pub consent_history: Vec<ConsentEventView>,
}

/// A row an import rejected.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportError {
    /// Line of the file (the header is line 1).
    pub line: u64,
    /// The phone as written.
    pub phone: String,
    /// Why it was rejected (English).
    pub reason: String,
    /// Why, as a code, when the phone is what is wrong (the dashboard shows it in the reader's
    /// language).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<crate::problem::PhoneReason>,
}

impl ImportError {
    /// Why the row was rejected, in `locale` when its code is known.
    #[cfg(feature = "ssr")]
    pub fn reason_in(&self, locale: crate::i18n::Locale) -> String {
        self.code
            .map_or_else(|| self.reason.clone(), |code| code.text(locale))
    }
}

/// A contact import job (`POST /api/v1/contacts/import`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = ImportJob))]
pub struct ImportJobView {
    /// Job id.
    pub id: i64,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// The list imported contacts are added to.
    pub list_id: Option<i64>,
    /// Distinct people in the file (valid rows without duplicates).
    pub total: i64,
    /// Of them, written so far.
    pub processed: i64,
    /// New contacts.
    pub created: i64,
    /// Existing contacts whose name or attributes changed.
    pub updated: i64,
    /// Existing contacts left as they were.
    pub unchanged: i64,
    /// Rows repeating a number seen earlier in the file (the last one wins).
    pub duplicates: i64,
    /// Rows rejected (see `errors`).
    pub invalid: i64,
    /// Contacts in the file that are opted out (or erased before) and stay opted out.
    pub kept_opted_out: i64,
    /// The rejected rows, at most the first 100 (all of them in `errors.csv`).
    pub errors: Vec<ImportError>,
    /// Why the job failed, when it did.
    pub error: Option<String>,
    /// When it was uploaded.
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub created_at: String,
    /// When it ended.
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub finished_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::ContactCorrection;
    use std::collections::BTreeMap;

    #[test]
    fn the_form_sets_keeps_and_removes_fields() {
        let c = ContactCorrection::from_form(
            "Ana",
            "+55 (11) 98100-0001",
            "Cidade: Olinda\nplano:  ouro \nsem dois pontos\n: vazio",
            "+55 (11) 98100-0001",
            "cidade\nuf",
        );
        assert_eq!(c.name.as_deref(), Some("Ana"));
        // The number shown, unchanged: not corrected.
        assert_eq!(c.phone, None);
        let a = c.attributes.unwrap();
        assert_eq!(a["cidade"].as_deref(), Some("Olinda"));
        assert_eq!(a["plano"].as_deref(), Some("ouro"));
        assert_eq!(a["uf"], None);
        assert_eq!(a.len(), 3);
        let moved =
            ContactCorrection::from_form("Ana", "(11) 98100-0009", "", "+55 (11) 98100-0001", "");
        assert_eq!(moved.phone.as_deref(), Some("(11) 98100-0009"));
        assert_eq!(moved.attributes.unwrap().len(), 0);
        let current: BTreeMap<String, String> = [("cidade", "Recife"), ("uf", "PE")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(
            ContactCorrection::form_lines(&current),
            "cidade: Recife\nuf: PE"
        );
    }
}
