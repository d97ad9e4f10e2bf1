//! Memberships: the organizations a signed-in person belongs to or is invited to, and what an admin
//! sees of the invitations they sent.

use crate::domain::access::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The page where a person in several organizations (or none yet) chooses one, and
/// answers invitations.
pub const ORGANIZATIONS_PATH: &str = "/organizations";
/// Where its forms and the header's switcher post.
pub const CHOOSE_ORGANIZATION_PATH: &str = "/auth/choose-organization";
pub const ANSWER_INVITATION_PATH: &str = "/auth/answer-invitation";

/// How long an invitation stays open.
pub const INVITATION_DAYS: i64 = 7;

/// An organization the person belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationChoice {
    pub slug: String,
    pub name: String,
    pub role: Role,
    /// The one the session acts for now.
    pub current: bool,
}

/// An invitation addressed to the person's email, waiting for their answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationToYou {
    pub id: Uuid,
    pub organization_name: String,
    pub role: Role,
    pub invited_by: Option<String>,
    pub expires_at: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YourOrganizations {
    pub email: String,
    pub organizations: Vec<OrganizationChoice>,
    pub invitations: Vec<InvitationToYou>,
}

/// An invitation of the admin's organization not answered yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub email: String,
    pub role: Role,
    pub invited_by: Option<String>,
    pub expires_at: String,
}

/// What adding an email did. An email that is not yet a member is always invited, and
/// the answer is the same whether or not it has an account: the one-time code is the
/// password of an account made for a new email, and means nothing for an existing one
/// (its owner signs in with their own password and accepts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberSaved {
    RoleChanged { email: String, role: Role },
    Invited { email: String, role: Role, one_time_code: String, expires_at: String },
}
