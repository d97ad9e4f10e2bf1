//! Who calls `/api/v1`: the `Authorization: Bearer <key>` header names an API key,
//! and the key names the organization whose data the request reads. A key used from an
//! address it was never used from is a security event.

use super::client_address::ClientAddress;
use super::error::AppError;
use super::state::AppState;
use crate::data::api_keys::ApiClient;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use std::sync::{Arc, OnceLock};

impl FromRequestParts<AppState> for ApiClient {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or(AppError::Unauthorized("an API key is required: send `Authorization: Bearer <key>`"))?;
        let secret = header
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|secret| !secret.is_empty())
            .ok_or(AppError::Unauthorized("the Authorization header must read `Bearer <key>`"))?;
        let client = state
            .store
            .authenticate(secret)
            .await?
            .ok_or(AppError::Unauthorized("this API key is unknown or was revoked"))?;
        if let Some(&ClientAddress(ip)) = parts.extensions.get::<ClientAddress>() {
            // The user agent is copied only for an address new to the key.
            state.store.note_api_key_address(&client, ip, || super::client_address::origin(parts));
        }
        if let Some(caller) = parts.extensions.get::<ApiCaller>() {
            let _ = caller.0.set((client.organization.id, state.store.lookup_counts().clone()));
        }
        Ok(client)
    }
}

/// Who an API request turned out to be from, once its key is read: `api::count_calls`
/// adds the call and its latency to that organization's lookups.
#[derive(Clone, Default)]
pub struct ApiCaller(pub Arc<OnceLock<(uuid::Uuid, Arc<crate::data::analytics::aggregates::LookupCounts>)>>);
