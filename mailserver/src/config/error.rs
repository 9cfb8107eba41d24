//! Why a configuration was refused: the key and the problem.

use std::fmt;
use std::path::PathBuf;

/// A configuration that cannot be used. Start-up stops with this message, which names
/// the key (`listen.smtp[1]`, `queue.retry`) and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or a value has the wrong type, or a key is unknown.
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The TOML parser's message (it names the key and the line).
        message: String,
    },
    /// A value is of the right type but not acceptable.
    #[error("{0}")]
    Invalid(Invalid),
}

/// One key and what is wrong with its value.
#[derive(Debug)]
pub struct Invalid {
    /// The dotted key, such as `listen.imap[0]`.
    pub key: String,
    /// The problem, lower case, such as `"not an IP address and port: \"x\""`.
    pub problem: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration key `{}`: {}", self.key, self.problem)
    }
}

impl ConfigError {
    /// The key `key` has an unacceptable value.
    pub fn invalid(key: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::Invalid(Invalid {
            key: key.into(),
            problem: problem.into(),
        })
    }
}
