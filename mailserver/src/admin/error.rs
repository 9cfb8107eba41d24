//! The admin API's errors: a status code and a JSON body `{"error": "..."}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::provision::ProvisionError;
use crate::users::DirectoryError;

/// An error answer of the admin API.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong, for the operator.
    pub message: String,
}

impl ApiError {
    /// 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// 404 with `message`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    /// 503: a part of the server is not running (the queue).
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: message.into(),
        }
    }

    /// 500: the machine failed (logged).
    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "admin API");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "internal error (see the server log)".to_owned(),
        }
    }
}

impl From<DirectoryError> for ApiError {
    fn from(error: DirectoryError) -> Self {
        match &error {
            DirectoryError::NotFound(_) => Self::not_found(error.to_string()),
            DirectoryError::Exists(_) => Self {
                status: StatusCode::CONFLICT,
                message: error.to_string(),
            },
            e if e.is_client_error() => Self::bad_request(error.to_string()),
            _ => Self::internal(error),
        }
    }
}

impl From<ProvisionError> for ApiError {
    fn from(error: ProvisionError) -> Self {
        match error {
            ProvisionError::Directory(e) => e.into(),
            other => Self::internal(other),
        }
    }
}

impl From<mailwright_store::StoreError> for ApiError {
    fn from(error: mailwright_store::StoreError) -> Self {
        if error.is_not_found() {
            Self::not_found(error.to_string())
        } else if error.is_temporary() {
            Self::internal(error)
        } else {
            Self::bad_request(error.to_string())
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.message })),
        )
            .into_response()
    }
}

/// What every admin operation returns.
pub type ApiResult<T> = Result<T, ApiError>;

/// Runs blocking work (SQLite, argon2, mailstore) off the async threads.
///
/// # Errors
/// The work's error; a panicked task is an internal error.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}
