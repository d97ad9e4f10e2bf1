//! One error type for handlers: a status, a public message, and the internal cause
//! kept for the logs only. Server functions answer with the shared `ServerError`,
//! made from this one with the same status and public message.

use crate::domain::field_error::FieldError;
use crate::domain::language::Language;
use crate::domain::server_error::ServerError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    BadRequest { field: &'static str, message: String },
    /// No API key, or one that is unknown or revoked.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Signed in, but the role does not allow it (or a cross-site request).
    #[error("{0}")]
    Forbidden(String),
    /// For machine clients (`/api/v1`): `{thing} not found`, in English.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Not found, in words for a person (in their language): the pages' calls.
    #[error("{0}")]
    NoSuch(String),
    /// A request body over the address's limit (`body_limit`), refused unread.
    #[error("the request body is too large: this address takes at most {} KB", limit / 1024)]
    TooLarge { limit: usize },
    /// The organization already runs as much heavy work as it may (`heavy_work`).
    #[error("{0}")]
    Busy(String),
    #[error("the database is unavailable, try again shortly")]
    DatabaseUnavailable(#[source] sqlx::Error),
    #[error("something went wrong on our side")]
    Internal(String),
}

/// What a person asked for and is not there (worded for them by [`AppError::missing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    Campaign,
    SuppressionList,
    Collaborator,
    Customer,
    DataSource,
    Organization,
    CommissionMonth,
}

impl AppError {
    /// A 404 worded in `language`, for the pages and downloads a person opens.
    pub fn missing(thing: Missing, language: crate::domain::language::Language) -> Self {
        use crate::i18n::{td_string, Locale};
        let locale = Locale::from(language);
        let words = match thing {
            Missing::Campaign => td_string!(locale, errors.no_campaign),
            Missing::SuppressionList => td_string!(locale, errors.no_suppression_list),
            Missing::Collaborator => td_string!(locale, errors.no_collaborator),
            Missing::Customer => td_string!(locale, errors.no_customer),
            Missing::DataSource => td_string!(locale, errors.no_data_source),
            Missing::Organization => td_string!(locale, errors.no_organization),
            Missing::CommissionMonth => td_string!(locale, errors.no_commission_month),
        };
        Self::NoSuch(words.to_owned())
    }

    /// The same, in the language of the request a server function answers.
    pub fn missing_here(thing: Missing) -> Self {
        Self::missing(thing, crate::components::request_language())
    }
}

impl From<FieldError> for AppError {
    /// In English, without the field's name: `/api/v1` answers the field beside the message.
    fn from(error: FieldError) -> Self {
        Self::BadRequest { field: error.field, message: error.message(Language::En) }
    }
}

impl AppError {
    /// A refused value as a person reads it: the field's name and what is wrong, in
    /// `language` (pages, server functions and downloads; the API keeps [`From`]).
    pub fn refused(error: FieldError, language: Language) -> Self {
        Self::BadRequest { field: error.field, message: error.for_people(language) }
    }
}

impl From<AppError> for ServerError {
    /// Same status, same public message; the internal cause stays in the logs. The
    /// app's own failures are worded in the language of the person whose page called.
    fn from(error: AppError) -> Self {
        let message = error.person_message().unwrap_or_else(|| error.to_string());
        let answer = match error {
            AppError::BadRequest { field, .. } => ServerError::BadRequest { field: field.to_owned(), message },
            AppError::Unauthorized(_) => ServerError::Unauthorized { message },
            AppError::Forbidden(_) => ServerError::Forbidden { message },
            AppError::NotFound(_) | AppError::NoSuch(_) => ServerError::NotFound { message },
            AppError::TooLarge { .. } => ServerError::TooLarge { message },
            AppError::Busy(_) | AppError::DatabaseUnavailable(_) => ServerError::Unavailable { message },
            AppError::Internal(_) => ServerError::Internal { message },
        };
        answer.set_response_status();
        answer
    }
}

impl From<sqlx::Error> for ServerError {
    fn from(error: sqlx::Error) -> Self {
        AppError::from(error).into()
    }
}

impl From<crate::data::lookups::LookupError> for ServerError {
    fn from(error: crate::data::lookups::LookupError) -> Self {
        AppError::from(error).into()
    }
}

/// What every error of `/api/v1` answers: `{error, message, field?}`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    #[schema(inline)]
    error: ErrorCode,
    message: String,
    /// The parameter at fault, for bad_request
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    field: Option<&'static str>,
}

/// The kind of an error, one per status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    TooLarge,
    Unavailable,
    Internal,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) | Self::NoSuch(_) => StatusCode::NOT_FOUND,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Busy(_) | Self::DatabaseUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The app's own failures (not the caller's) in the language of the request a
    /// server function answers; `None` outside one, or for other errors.
    fn person_message(&self) -> Option<String> {
        use crate::i18n::{td_string, Locale};
        if !matches!(self, Self::DatabaseUnavailable(_) | Self::Internal(_) | Self::TooLarge { .. }) {
            return None;
        }
        let parts = leptos::prelude::use_context::<axum::http::request::Parts>()?;
        let locale = Locale::from(crate::components::language_of(&parts.headers, &parts.extensions));
        Some(match self {
            Self::DatabaseUnavailable(_) => td_string!(locale, errors.database_unavailable).to_owned(),
            Self::TooLarge { limit } => tf!(locale, errors.too_large, kb = limit / 1024),
            _ => td_string!(locale, errors.something_went_wrong).to_owned(),
        })
    }

    fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest { .. } => ErrorCode::BadRequest,
            Self::Unauthorized(_) => ErrorCode::Unauthorized,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) | Self::NoSuch(_) => ErrorCode::NotFound,
            Self::TooLarge { .. } => ErrorCode::TooLarge,
            Self::Busy(_) | Self::DatabaseUnavailable(_) => ErrorCode::Unavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<sqlx::Error> for AppError {
    /// Logs the cause here, where it is known; callers only see the public message.
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::warn!(error = %error, "database unavailable");
                Self::DatabaseUnavailable(error)
            }
            other => {
                tracing::error!(error = %other, "database error");
                Self::Internal(other.to_string())
            }
        }
    }
}

impl From<crate::data::lookups::LookupError> for AppError {
    fn from(error: crate::data::lookups::LookupError) -> Self {
        use crate::data::lookups::LookupError;
        match error {
            LookupError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                Self::DatabaseUnavailable(sqlx::Error::Protocol(cause))
            }
            LookupError::Failed(cause) => {
                tracing::error!(%cause, "database error");
                Self::Internal(cause)
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let field = match &self {
            Self::BadRequest { field, .. } => Some(*field),
            _ => None,
        };
        let body = ErrorBody { error: self.code(), message: self.to_string(), field };
        let mut response = (self.status(), Json(body)).into_response();
        if matches!(self, Self::Busy(_)) {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
        }
        if matches!(self, Self::Unauthorized(_)) {
            response
                .headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        response
    }
}
