//! What a caller may do in its tenant.

use std::fmt;

/// A dashboard user's role; API tokens act as admins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Sees everything of the tenant and changes things.
    Admin,
    /// Sees everything of the tenant, changes nothing.
    Viewer,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 2] = [Self::Admin, Self::Viewer];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Viewer => "viewer",
        }
    }

    /// The role of a stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
