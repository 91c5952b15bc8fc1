//! Why a dashboard call failed: shared by the server (which raises them) and the pages (which
//! show each kind in the reader's language, see `ui::error_text`).

/// Why a dashboard call failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum DashboardError {
    /// Not logged in, or wrong email or password.
    #[error("wrong email or password")]
    Unauthorized,
    /// Too many failed logins for this email; retry later.
    #[error("too many failed attempts; try again in a few minutes")]
    LockedOut,
    /// Logged in, but the role does not allow it.
    #[error("your role does not allow this")]
    Forbidden,
    /// The thing does not exist for this tenant.
    #[error("{0} not found")]
    NotFound(String),
    /// The input or the current state does not allow it; shown in the reader's language.
    #[error("{0}")]
    Problem(crate::problem::Problem),
    /// Another system (the instance's Evolution API) refused; its words are shown as they are.
    #[error("{0}")]
    Rejected(String),
    /// The database cannot be reached right now.
    #[error("database unavailable; retry in a moment")]
    Unavailable,
    /// The server failed; details are in its log.
    #[error("something went wrong on the server; retry in a moment")]
    Internal,
}

/// A dashboard call's result.
pub type DashboardResult<T> = Result<T, DashboardError>;

/// The words of [`DashboardError::Internal`] in `locale` (for an answer the server writes
/// itself, without a page around it).
pub fn internal_text(locale: crate::i18n::Locale) -> String {
    crate::i18n::td_string!(locale, errors.internal).to_string()
}
