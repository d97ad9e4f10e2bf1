//! The referral network: collaborators, their upline and their 4-level downline.

use crate::domain::language::Language;
use crate::domain::recommendation::display_and_parse;
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

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

/// A collaborator's rank, stored in the seed's Vietnamese (`CTV Vàng`), by the number
/// of collaborators they introduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rank {
    TeamLeader,
    Gold,
    Silver,
    Collaborator,
}

impl Rank {
    pub const ALL: [Rank; 4] = [Self::TeamLeader, Self::Gold, Self::Silver, Self::Collaborator];

    pub fn from_recruits(recruits: usize) -> Self {
        match recruits {
            10.. => Self::TeamLeader,
            5..=9 => Self::Gold,
            2..=4 => Self::Silver,
            _ => Self::Collaborator,
        }
    }

    /// As stored and exported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TeamLeader => "Trưởng nhóm",
            Self::Gold => "CTV Vàng",
            Self::Silver => "CTV Bạc",
            Self::Collaborator => "CTV",
        }
    }

    pub fn label(self, language: Language) -> &'static str {
        let locale = Locale::from(language);
        match self {
            Self::TeamLeader => td_string!(locale, values.rank_team_leader),
            Self::Gold => td_string!(locale, values.rank_gold),
            Self::Silver => td_string!(locale, values.rank_silver),
            Self::Collaborator => td_string!(locale, values.rank_collaborator),
        }
    }
}

display_and_parse!(Rank => "rank");

/// A stored rank in the page's words (a rank outside the seed's as stored).
pub fn rank_label(stored: &str, language: Language) -> String {
    crate::domain::profile::stored_label(Some(stored), |rank: Rank| rank.label(language))
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
