//! Validated value types and the rules that apply to them, free of HTTP and SQL.
//! Parsing a value here is the only way to obtain it, so code that holds one can
//! rely on its invariants.

pub mod emoji;
pub mod filters;
pub mod http_url;
pub mod id;
pub mod ip_range;
pub mod language;
pub mod nul;
pub mod phone;
pub mod polls;
pub mod quotes;
pub mod replies;
pub mod status_text;
pub mod text;
pub mod totp;
pub mod user;
pub mod visibility;

pub use http_url::{HttpUrl, InvalidHttpUrl};
pub use id::Id;
pub use ip_range::IpRange;
pub use language::LanguageCode;
pub use user::{Email, Invalid, Password, Role, Username};
pub use visibility::Visibility;
