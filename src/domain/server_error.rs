//! What a server function answers when it cannot do what was asked. One type for every
//! server function, shared with the browser so a page can show the message and, for a
//! refused value, the field. On the server the answer carries the matching HTTP status
//! (400, 401, 403, 404, 413, 503), never 500 for a caller's mistake.

use crate::domain::language::Language;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ServerError {
    /// A parameter was missing or refused; `field` names it.
    BadRequest {
        field: String,
        message: String,
    },
    Unauthorized {
        message: String,
    },
    Forbidden {
        message: String,
    },
    NotFound {
        message: String,
    },
    /// The request body was over the address's limit.
    TooLarge {
        message: String,
    },
    /// PostgreSQL (or another store the answer needs) is away; trying again may work.
    Unavailable {
        message: String,
    },
    Internal {
        message: String,
    },
    /// Seen only in the browser: the call did not reach the server, or its answer could
    /// not be read.
    Network {
        message: String,
    },
}

impl ServerError {
    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest { .. } => 400,
            Self::Unauthorized { .. } => 401,
            Self::Forbidden { .. } => 403,
            Self::NotFound { .. } => 404,
            Self::TooLarge { .. } => 413,
            Self::Unavailable { .. } => 503,
            Self::Internal { .. } | Self::Network { .. } => 500,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Self::BadRequest { message, .. }
            | Self::Unauthorized { message }
            | Self::Forbidden { message }
            | Self::NotFound { message }
            | Self::TooLarge { message }
            | Self::Unavailable { message }
            | Self::Internal { message }
            | Self::Network { message } => message,
        }
    }

    /// Gives the server function's response this error's status, when a response is
    /// being made (on the server); the browser has none to set.
    pub fn set_response_status(&self) {
        #[cfg(feature = "ssr")]
        if let (Some(response), Ok(status)) = (
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            axum::http::StatusCode::from_u16(self.status()),
        ) {
            response.set_status(status);
        }
    }

    /// The refused field, for a bad request.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::BadRequest { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ServerError {}

impl ServerError {
    /// A refused value as the person who typed it reads it: in `language`, the field
    /// named as the page names it (pages show the message alone), while `field` keeps
    /// the machine name the page marks the field by.
    pub fn refused(error: &crate::domain::field_error::FieldError, language: Language) -> Self {
        Self::refused_because(error.field, language, error.message(language))
    }

    /// A refusal the page has put in words already (in `language`), for `field`.
    pub fn refused_because(field: &str, language: Language, message: String) -> Self {
        let label = crate::domain::field_error::field_label(language, field);
        let answer = Self::BadRequest { message: format!("{label}: {message}"), field: field.to_owned() };
        answer.set_response_status();
        answer
    }
}

impl From<crate::domain::field_error::FieldError> for ServerError {
    /// In the language of the request being answered (on the server), else of the page.
    fn from(error: crate::domain::field_error::FieldError) -> Self {
        #[cfg(feature = "ssr")]
        let language = crate::components::request_language();
        #[cfg(not(feature = "ssr"))]
        let language = crate::components::language();
        Self::refused(&error, language)
    }
}

/// The field a deserializer's message names: serde writes "missing field `isdn`" or
/// "unknown field `x`", serde_urlencoded the same; anything else is the whole input.
fn field_named_in(message: &str) -> String {
    message.split('`').nth(1).map(str::to_owned).unwrap_or_else(|| "arguments".to_owned())
}

impl FromServerFnError for ServerError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Args(message) => {
                Self::BadRequest { field: field_named_in(&message), message: format!("bad arguments: {message}") }
            }
            ServerFnErrorErr::MissingArg(name) => {
                Self::BadRequest { message: format!("{name} is required"), field: name }
            }
            // The body limit stopped reading a chunked body (see `server::body_limit`).
            ServerFnErrorErr::Deserialization(message) if message.contains("length limit exceeded") => {
                Self::TooLarge { message: "the request body is too large".to_owned() }
            }
            ServerFnErrorErr::Request(message)
            | ServerFnErrorErr::Deserialization(message)
            | ServerFnErrorErr::Serialization(message) => Self::Network { message },
            other => Self::Internal { message: other.to_string() },
        };
        error.set_response_status();
        error
    }
}
