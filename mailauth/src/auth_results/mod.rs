//! The Authentication-Results header field (RFC 8601): build it from SPF, DKIM,
//! DMARC and iprev outcomes, print it, and parse it back.
//!
//! ```
//! use mailwright_auth::auth_results::{AuthenticationResults, MethodResult};
//!
//! let mut header = AuthenticationResults::new("mx.example.org");
//! header.push(MethodResult::new("spf", "pass").with_property("smtp", "mailfrom", "alice@example.com"));
//! header.push(MethodResult::new("dmarc", "pass").with_property("header", "from", "example.com"));
//! let text = header.to_string();
//! assert_eq!(
//!     text,
//!     "Authentication-Results: mx.example.org;\r\n\tspf=pass smtp.mailfrom=alice@example.com;\r\n\tdmarc=pass header.from=example.com"
//! );
//! assert_eq!(AuthenticationResults::parse(text.as_bytes()).unwrap(), header);
//! ```

mod header;
mod parse;

pub use header::{AuthenticationResults, MethodResult, Property};
pub use parse::AuthResultsParseError;
