//! Parsers: complete frames in, typed values out.
//!
//! Every function here takes one complete frame (a command line, a whole reply, a SASL
//! line) as the [framer](crate::codec::frame) delivers it, and never says "need more": a
//! missing part is a syntax error. One function per ABNF rule, named after it, with
//! the rule quoted in its doc comment. Values borrow from the input; call
//! `into_owned()` to keep them.
//!
//! ```
//! use mailwright_smtp::{Command, codec::parse};
//!
//! assert_eq!(parse::command(b"DATA\r\n")?, Command::Data);
//! let reply = parse::reply(b"250-mx.example.org\r\n250 PIPELINING\r\n")?;
//! assert_eq!(reply.line_count(), 2);
//! # Ok::<(), mailwright_smtp::ParseError>(())
//! ```

mod command;
pub(crate) mod params;
pub(crate) mod path;
mod reply;

pub use command::{command, sasl_line};
pub use reply::reply;
