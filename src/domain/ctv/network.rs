//! The referral network: collaborators, their upline and their 4-level downline.

use serde::{Deserialize, Serialize};

/// How far above the closer commissions reach (levels 1 to 4); the closer is level 0.
pub const UPLINE_LEVELS: i32 = 4;

/// Collaborators a search returns at most.
pub const COLLABORATOR_SEARCH_LIMIT: i64 = 50;

/// A collaborator as lists and the tree show them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Collaborator {
    pub ma_ctv: String,
    /// The introducer's code; `None` at the top of a tree.
    pub introducer: Option<String>,
    pub name: String,
    pub phone: Option<String>,
    pub rank: String,
    pub joined_on: String,
    /// `active` or `inactive`.
    pub status: String,
}

/// One step up the referral chain: level 1 introduced the collaborator, level 2 them, …
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UplineMember {
    pub level: i32,
    pub collaborator: Collaborator,
}

/// One collaborator in a downline, `level` steps below the one asked about (0: itself).
/// Team figures count the member and those below it, down to the tree's 4th level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DownlineMember {
    pub level: i32,
    pub collaborator: Collaborator,
    /// Collaborators directly introduced, within the tree.
    pub children: i64,
    /// The member itself and everyone below it in the tree.
    pub team_size: i64,
    /// The amounts of customers the member closed who were served ('Da den lam'), in đồng.
    pub own_revenue: f64,
    /// `own_revenue` summed over the team.
    pub team_revenue: f64,
}

/// A collaborator's 4-level downline, depth first (each member before its children),
/// with the tree's totals on the first (level 0) member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Downline {
    pub members: Vec<DownlineMember>,
}

/// A collaborator with its place in the network: who is above it and its 4-level team.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkView {
    pub collaborator: Collaborator,
    /// Level 1 (its introducer) first.
    pub upline: Vec<UplineMember>,
    pub downline: Downline,
}
