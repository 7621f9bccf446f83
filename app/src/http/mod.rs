//! The HTTP layer both listeners share: request observation (id, span, access line, metrics by
//! route template) and the JSON error envelope every error is answered with.

pub mod error;
pub mod observe;
