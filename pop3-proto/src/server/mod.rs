//! The sans-IO POP3 server: [`ServerSession`], its [`Event`]s and decisions, its
//! [`ServerConfig`] and [`Limits`], and the [`SessionError`]s it answers with `-ERR`.
//!
//! See [`state`](self::State) for the RFC 1939 state diagram and [`ServerSession`] for
//! the calling protocol.

mod config;
mod error;
mod event;
mod limits;
mod listing;
mod sasl;
mod session;
mod state;

pub use config::ServerConfig;
pub use error::SessionError;
pub use event::{
    Credentials, Event, LoginDecision, LoginRejection, PasswordMethod, RetrieveDecision,
    UpdateDecision,
};
pub use limits::Limits;
pub use session::ServerSession;
pub use state::State;
