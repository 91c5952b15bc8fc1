//! What a `connection.update` close means for the number: Evolution passes WhatsApp's
//! disconnect code as `statusReason`. 401 is a logout (the phone unlinked Flow), 403 a ban,
//! 402 and 406 restrictions WhatsApp puts on the account; each is a distinct instance state and
//! campaign pause reason. Any other close is a drop: v2 only sends `close` when it will not
//! reconnect, but v1 sends it before every automatic reconnect too, so there a close is given a
//! grace period to be followed by `open` before campaigns are paused.

/// Why an instance closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseKind {
    /// 401: logged out; pair it again.
    LoggedOut,
    /// 403: banned by WhatsApp; the number is lost.
    Banned,
    /// 402: WhatsApp restricted the account.
    Restricted,
    /// 406: WhatsApp locked the account.
    Locked,
    /// Any other code (or none): a connection drop.
    Dropped,
}

impl CloseKind {
    /// From `statusReason`.
    pub fn of(status_reason: Option<i64>) -> Self {
        match status_reason {
            Some(401) => Self::LoggedOut,
            Some(403) => Self::Banned,
            Some(402) => Self::Restricted,
            Some(406) => Self::Locked,
            _ => Self::Dropped,
        }
    }

    /// The instance's `connection_state` after it.
    pub fn state(self) -> &'static str {
        match self {
            Self::LoggedOut => "logged_out",
            Self::Banned => "banned",
            Self::Restricted => "restricted",
            Self::Locked => "locked",
            Self::Dropped => "close",
        }
    }

    /// The pause reason of its campaigns.
    pub fn pause_reason(self) -> &'static str {
        match self {
            Self::LoggedOut => "instance_logged_out",
            Self::Banned => "instance_banned",
            Self::Restricted => "instance_restricted",
            Self::Locked => "instance_locked",
            Self::Dropped => "instance_disconnected",
        }
    }

    /// Whether a v1 instance may still come back by itself (wait before pausing).
    pub fn may_come_back(self) -> bool {
        self == Self::Dropped
    }
}

/// Every state an instance is down in (it sends nothing until it is `open` again).
pub const DOWN_STATES: [&str; 6] = [
    "close",
    "refused",
    "logged_out",
    "banned",
    "restricted",
    "locked",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_table() {
        let cases = [
            (Some(401), "logged_out", "instance_logged_out", false),
            (Some(403), "banned", "instance_banned", false),
            (Some(402), "restricted", "instance_restricted", false),
            (Some(406), "locked", "instance_locked", false),
            (Some(428), "close", "instance_disconnected", true),
            (Some(515), "close", "instance_disconnected", true),
            (None, "close", "instance_disconnected", true),
        ];
        for (code, state, reason, back) in cases {
            let k = CloseKind::of(code);
            assert_eq!(
                (k.state(), k.pause_reason(), k.may_come_back()),
                (state, reason, back),
                "{code:?}"
            );
            assert!(DOWN_STATES.contains(&k.state()));
        }
    }
}
