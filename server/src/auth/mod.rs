//! Who is calling: tenant API tokens, dashboard session cookies and the operator's admin token;
//! and the refusal of cross-site changes made with the session cookie.

pub mod csrf;
pub mod extract;
pub mod role;
pub mod token;

pub use extract::{AdminCaller, TenantCaller, Who};
pub use role::Role;
