//! Live updates: the in-process change bus that applied changes are published on, and the
//! tenant-scoped server-sent-events stream (`GET /api/v1/events`) that dashboards listen to.

pub mod bus;
pub mod publish;
pub mod sse;
pub mod transition;

pub use bus::{Change, ChangeBus, ChangeKind};
