//! The campaign state machine: which actions are possible from which status.

use std::fmt;

/// Where a campaign is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CampaignStatus {
    /// Created, not started.
    Draft,
    /// Waiting for its `start_at` to start by itself.
    Scheduled,
    /// Sending.
    Active,
    /// Stopped for now (see the pause reason).
    Paused,
    /// Everyone was handled.
    Completed,
    /// Stopped for good by a person.
    Cancelled,
}

/// What a person (or the system) asks a campaign to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CampaignAction {
    /// Begin sending a draft.
    Start,
    /// Stop sending for now.
    Pause,
    /// Continue a paused campaign.
    Resume,
    /// Stop for good; pending contacts are cancelled.
    Cancel,
    /// Start a draft by itself at a given time (again, to move that time).
    Schedule,
    /// Take a scheduled campaign back to draft.
    Unschedule,
}

/// An action that the campaign's status does not allow.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a campaign that is {from}")]
pub struct TransitionError {
    /// The status the campaign is in.
    pub from: CampaignStatus,
    /// The refused action.
    pub action: CampaignAction,
}

impl CampaignStatus {
    /// Every status.
    pub const ALL: [Self; 6] = [
        Self::Draft,
        Self::Scheduled,
        Self::Active,
        Self::Paused,
        Self::Completed,
        Self::Cancelled,
    ];

    /// The stored and wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The status after `action`, or why it is refused.
    pub fn apply(self, action: CampaignAction) -> Result<Self, TransitionError> {
        use CampaignAction as A;
        use CampaignStatus as S;
        match (self, action) {
            (S::Draft | S::Scheduled, A::Start) => Ok(S::Active),
            (S::Draft | S::Scheduled, A::Schedule) => Ok(S::Scheduled),
            (S::Scheduled, A::Unschedule) => Ok(S::Draft),
            (S::Active, A::Pause) => Ok(S::Paused),
            (S::Paused, A::Resume) => Ok(S::Active),
            (S::Draft | S::Scheduled | S::Active | S::Paused, A::Cancel) => Ok(S::Cancelled),
            (from, action) => Err(TransitionError { from, action }),
        }
    }

    /// The statuses `action` may start from.
    pub fn sources(action: CampaignAction) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|s| s.apply(action).is_ok())
            .collect()
    }
}

impl CampaignAction {
    /// The URL and wire form (`start`, `pause`, `resume`, `cancel`, `schedule`, `unschedule`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Cancel => "cancel",
            Self::Schedule => "schedule",
            Self::Unschedule => "unschedule",
        }
    }

    /// The action of its wire form, for the actions that need no input (not `schedule`, which
    /// needs a start time).
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Start,
            Self::Pause,
            Self::Resume,
            Self::Cancel,
            Self::Unschedule,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

impl fmt::Display for CampaignStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for CampaignAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::CampaignAction as A;
    use super::CampaignStatus as S;

    #[test]
    fn allowed_transitions() {
        assert_eq!(S::Draft.apply(A::Start), Ok(S::Active));
        assert_eq!(S::Active.apply(A::Pause), Ok(S::Paused));
        assert_eq!(S::Paused.apply(A::Resume), Ok(S::Active));
        for s in [S::Draft, S::Active, S::Paused] {
            assert_eq!(s.apply(A::Cancel), Ok(S::Cancelled));
        }
    }

    #[test]
    fn scheduling_moves_between_draft_and_scheduled() {
        assert_eq!(S::Draft.apply(A::Schedule), Ok(S::Scheduled));
        assert_eq!(S::Scheduled.apply(A::Schedule), Ok(S::Scheduled));
        assert_eq!(S::Scheduled.apply(A::Unschedule), Ok(S::Draft));
        assert_eq!(S::Scheduled.apply(A::Start), Ok(S::Active));
        assert_eq!(S::Scheduled.apply(A::Cancel), Ok(S::Cancelled));
        assert!(S::Draft.apply(A::Unschedule).is_err());
        assert!(S::Active.apply(A::Schedule).is_err());
        assert_eq!(A::parse("schedule"), None, "schedule needs a time");
    }

    #[test]
    fn refused_transitions_say_why() {
        let e = S::Completed.apply(A::Pause).unwrap_err();
        assert_eq!(e.to_string(), "cannot pause a campaign that is completed");
        assert!(S::Active.apply(A::Start).is_err());
        assert!(S::Draft.apply(A::Resume).is_err());
        assert!(S::Cancelled.apply(A::Cancel).is_err());
        assert!(S::Paused.apply(A::Pause).is_err());
    }

    #[test]
    fn parse_round_trips() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        assert_eq!(S::parse("running"), None);
        assert_eq!(
            S::sources(A::Cancel),
            vec![S::Draft, S::Scheduled, S::Active, S::Paused]
        );
    }
}
