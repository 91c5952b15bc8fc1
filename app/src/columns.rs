//! The column names of the CSV exports in the reader's language (the server writes the files;
//! the names live with the other translations).

use crate::i18n::{Locale, td_string};

/// A column of a CSV export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// The contact's name.
    Name,
    /// The contact's phone.
    Phone,
    /// The delivery status code.
    Status,
    /// Evolution's message id.
    WhatsappMessageId,
    /// When it was sent.
    SentAt,
    /// When it was delivered.
    DeliveredAt,
    /// When it was read.
    ReadAt,
    /// When it failed.
    FailedAt,
    /// Why it failed.
    Error,
    /// When the contact replied.
    RepliedAt,
    /// When the contact opted out.
    OptedOutAt,
    /// The opt-out keyword matched.
    Keyword,
    /// The contact's own message.
    Message,
}

impl Column {
    /// The column's name in `locale`.
    pub fn name(self, locale: Locale) -> &'static str {
        match self {
            Column::Name => td_string!(locale, csv.name),
            Column::Phone => td_string!(locale, csv.phone),
            Column::Status => td_string!(locale, csv.status),
            Column::WhatsappMessageId => td_string!(locale, csv.whatsapp_message_id),
            Column::SentAt => td_string!(locale, csv.sent_at),
            Column::DeliveredAt => td_string!(locale, csv.delivered_at),
            Column::ReadAt => td_string!(locale, csv.read_at),
            Column::FailedAt => td_string!(locale, csv.failed_at),
            Column::Error => td_string!(locale, csv.error),
            Column::RepliedAt => td_string!(locale, csv.replied_at),
            Column::OptedOutAt => td_string!(locale, csv.opted_out_at),
            Column::Keyword => td_string!(locale, csv.keyword),
            Column::Message => td_string!(locale, csv.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_columns_in_each_language() {
        assert_eq!(Column::OptedOutAt.name(Locale::pt_BR), "descadastrado_em");
        assert_eq!(Column::OptedOutAt.name(Locale::en), "opted_out_at");
    }
}
