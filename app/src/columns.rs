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
    /// The campaign the contact answered (or compared).
    Campaign,
    /// A campaign's recipients.
    Recipients,
    /// Messages sent.
    Sent,
    /// Percent of sent delivered.
    DeliveryRate,
    /// Percent of sent read.
    ReadRate,
    /// Percent of sent answered.
    ReplyRate,
    /// Percent of sent whose person opted out.
    OptOutRate,
    /// Percent of sent revoked.
    DeletionRate,
    /// Median seconds to read.
    ReadP50Secs,
    /// The variant read most (1 = the first).
    BestVariant,
    /// Percent of delivered whose person clicked.
    ClickRate,
    /// Sales traced to the campaign.
    Conversions,
    /// Their value, reais.
    Revenue,
    /// Revenue per message sent.
    RevenuePerMessage,
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
            Column::Campaign => td_string!(locale, csv.campaign),
            Column::Recipients => td_string!(locale, csv.recipients),
            Column::Sent => td_string!(locale, csv.sent),
            Column::DeliveryRate => td_string!(locale, csv.delivery_rate),
            Column::ReadRate => td_string!(locale, csv.read_rate),
            Column::ReplyRate => td_string!(locale, csv.reply_rate),
            Column::OptOutRate => td_string!(locale, csv.opt_out_rate),
            Column::DeletionRate => td_string!(locale, csv.deletion_rate),
            Column::ReadP50Secs => td_string!(locale, csv.read_p50_secs),
            Column::BestVariant => td_string!(locale, csv.best_variant),
            Column::ClickRate => td_string!(locale, csv.click_rate),
            Column::Conversions => td_string!(locale, csv.conversions),
            Column::Revenue => td_string!(locale, csv.revenue),
            Column::RevenuePerMessage => td_string!(locale, csv.revenue_per_message),
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
