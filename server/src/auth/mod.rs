//! Who is calling: tenant API tokens and the operator's admin token.

pub mod extract;
pub mod token;

pub use extract::{AdminCaller, TenantCaller};
