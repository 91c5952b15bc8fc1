//! The delivery state machine of one campaign contact.
//!
//! Ranks: pending 0 < sending 1 < sent 2 < delivered 3 < read 4. A receipt applies only when it
//! raises the rank; `failed` is reachable from pending, sending and sent only. `opted_out` and
//! `cancelled` end a row that was never sent.

use std::fmt;

/// Where one campaign contact is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// Waiting to be sent.
    Pending,
    /// Claimed by the sender; the Evolution call is under way.
    Sending,
    /// Accepted by Evolution (has a WhatsApp message id).
    Sent,
    /// Delivered to the phone.
    Delivered,
    /// Read.
    Read,
    /// Failed (see the error).
    Failed,
    /// The contact opted out before it was sent.
    OptedOut,
    /// The campaign was cancelled before it was sent.
    Cancelled,
}

impl DeliveryStatus {
    /// Every status.
    pub const ALL: [Self; 8] = [
        Self::Pending,
        Self::Sending,
        Self::Sent,
        Self::Delivered,
        Self::Read,
        Self::Failed,
        Self::OptedOut,
        Self::Cancelled,
    ];

    /// The stored and wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
            Self::OptedOut => "opted_out",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The rank on the forward path, `None` for the end states off it.
    pub fn rank(self) -> Option<u8> {
        match self {
            Self::Pending => Some(0),
            Self::Sending => Some(1),
            Self::Sent => Some(2),
            Self::Delivered => Some(3),
            Self::Read => Some(4),
            Self::Failed | Self::OptedOut | Self::Cancelled => None,
        }
    }

    /// Whether moving from `self` to `next` is a real change (not a duplicate, not a step back).
    pub fn accepts(self, next: Self) -> bool {
        match (self.rank(), next) {
            (Some(current), Self::Failed) => current <= 2,
            (Some(current), next) => next.rank().is_some_and(|n| n > current),
            (None, _) => false,
        }
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::DeliveryStatus as D;

    #[test]
    fn forward_only() {
        assert!(D::Sent.accepts(D::Delivered));
        assert!(D::Sent.accepts(D::Read));
        assert!(D::Delivered.accepts(D::Read));
        assert!(!D::Read.accepts(D::Delivered));
        assert!(!D::Delivered.accepts(D::Delivered));
        assert!(!D::Read.accepts(D::Sent));
    }

    #[test]
    fn failure_only_before_delivery() {
        assert!(D::Pending.accepts(D::Failed));
        assert!(D::Sending.accepts(D::Failed));
        assert!(D::Sent.accepts(D::Failed));
        assert!(!D::Delivered.accepts(D::Failed));
        assert!(!D::Read.accepts(D::Failed));
        assert!(!D::Failed.accepts(D::Delivered));
    }

    #[test]
    fn end_states_are_final() {
        for end in [D::OptedOut, D::Cancelled, D::Failed] {
            for next in D::ALL {
                assert!(!end.accepts(next), "{end} -> {next}");
            }
        }
    }

    #[test]
    fn parse_round_trips() {
        for s in D::ALL {
            assert_eq!(D::parse(s.as_str()), Some(s));
        }
        assert_eq!(D::parse("SENT"), None);
    }
}
