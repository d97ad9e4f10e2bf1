//! What the admin pages show: the organization's members and its API keys.

use crate::domain::access::Role;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberListing {
    pub email: String,
    pub role: Role,
    pub last_sign_in_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyListing {
    pub name: String,
    pub key_prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A key just created: the secret is shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyCreated {
    pub name: String,
    pub secret: String,
}

/// The organization as its admins see it. Only the name can change: the slug and the
/// Redis prefix name its data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationSettings {
    pub name: String,
    pub slug: String,
    pub redis_prefix: String,
    pub members: usize,
}

pub const ORGANIZATION_NAME_MAX: usize = 255;
