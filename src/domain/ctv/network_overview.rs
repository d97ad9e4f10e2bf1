//! The organization's whole network at a glance (`/network` before a search): how many
//! collaborators hold each rank and sit at each depth of their tree, who joined each
//! month, the largest teams and the month's top earners.

use crate::domain::language::Language;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};

/// Seed 000's ranks, most senior first (the demo generator gives them by recruits);
/// ranks outside this list follow, by name.
pub const RANKS: [&str; 4] = ["Trưởng nhóm", "CTV Vàng", "CTV Bạc", "CTV"];

/// Months of joiners the chart shows, the current one included.
pub const JOINED_MONTHS: i32 = 24;

/// Rows of the largest teams and of the top earners.
pub const LEADERS: i64 = 10;

/// How many collaborators hold a rank.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankCount {
    pub rank: String,
    pub collaborators: i64,
    pub active: i64,
}

/// How many collaborators sit `depth` steps below the top of their tree (0: the tops).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DepthCount {
    pub depth: i32,
    pub collaborators: i64,
}

/// Collaborators who joined in a month (`YYYY-MM`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthCount {
    pub month: String,
    pub collaborators: i64,
}

/// A collaborator and the size of its team as its tree shows it: itself and everyone
/// below it down to the 4th level (the levels that pay it overrides).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamSize {
    pub ma_ctv: String,
    pub name: String,
    pub rank: String,
    pub team_size: i64,
    /// Introduced directly.
    pub recruits: i64,
}

/// A collaborator's commissions of a month, as the commission report sums them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Earner {
    pub ma_ctv: String,
    pub name: String,
    pub rank: String,
    /// Level 0.
    pub direct: f64,
    /// Levels 1 to 4.
    pub overrides: f64,
    /// Everything: earnings, reversals and adjustments.
    pub total: f64,
}

/// The network's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkOverview {
    pub collaborators: i64,
    pub active: i64,
    /// Most senior first ([`RANKS`]).
    pub by_rank: Vec<RankCount>,
    /// By depth, from the tops. A collaborator in a cycle of introducers (which the
    /// data allows only by hand) has no top and is in no depth.
    pub by_depth: Vec<DepthCount>,
    /// The last [`JOINED_MONTHS`] months, oldest first, months without joiners included.
    pub joined: Vec<MonthCount>,
    /// Largest first, ties by code.
    pub largest_teams: Vec<TeamSize>,
    /// The month of `top_earners` (`YYYY-MM`): the latest with commissions up to the
    /// current one; `None` when no month has commissions.
    pub earnings_month: Option<String>,
    /// Highest total first, ties by code.
    pub top_earners: Vec<Earner>,
}

impl NetworkOverview {
    /// The deepest depth reached.
    pub fn deepest(&self) -> i32 {
        self.by_depth.iter().map(|d| d.depth).max().unwrap_or(0)
    }
}

/// Depths as the page groups them: each commission level (0 to 4) on its own, then
/// wider bands down to the deepest (demo trees run 100 levels deep and more).
const DEPTH_BANDS: [(i32, i32); 9] =
    [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 9), (10, 19), (20, 49), (50, i32::MAX)];

/// The collaborators per depth band (label, count), down to the band of the deepest.
pub fn depth_bands(language: Language, by_depth: &[DepthCount]) -> Vec<(String, i64)> {
    let deepest = by_depth.iter().map(|d| d.depth).max().unwrap_or(0);
    DEPTH_BANDS
        .into_iter()
        .take_while(|(from, _)| *from <= deepest)
        .map(|(from, to)| {
            let count = by_depth.iter().filter(|d| (from..=to).contains(&d.depth)).map(|d| d.collaborators).sum();
            let label = match (language, from, to) {
                (Language::En, 0, 0) => "0 (tops of trees)".to_owned(),
                (Language::Vi, 0, 0) => "0 (đỉnh của cây)".to_owned(),
                (_, from, to) if from == to => from.to_string(),
                (Language::En, from, i32::MAX) => format!("{from} or deeper"),
                (Language::Vi, from, i32::MAX) => format!("{from} trở xuống"),
                (_, from, to) => format!("{from}–{to}"),
            };
            (label, count)
        })
        .collect()
}

/// One collaborator's place in the tree: its code and its introducer's.
pub type Edge = (String, Option<String>);

/// A team's leader, its size (itself and its 4 levels) and how many it introduced directly.
pub type TeamCount = (String, i64, i64);

/// Collaborators per depth, walking down from the tops (as seed 000's hierarchy query
/// does, unbounded), and the `limit` largest teams of `levels` levels, largest first
/// (ties by code). Computed here from the edges, read once, rather than by two recursive
/// statements: at 8,000 collaborators they took 7 and 20 ms, the edges 2 ms.
pub fn depths_and_teams(edges: &[Edge], levels: i32, limit: usize) -> (Vec<DepthCount>, Vec<TeamCount>) {
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut introducer: HashMap<&str, &str> = HashMap::with_capacity(edges.len());
    for (code, above) in edges {
        if let Some(above) = above.as_deref() {
            children.entry(above).or_default().push(code.as_str());
            introducer.insert(code.as_str(), above);
        }
    }

    // Breadth first from the tops: a member of a cycle (no top above it) is never reached.
    let mut depths: Vec<i64> = Vec::new();
    let mut queue: VecDeque<(&str, usize)> =
        edges.iter().filter(|(_, above)| above.is_none()).map(|(code, _)| (code.as_str(), 0)).collect();
    while let Some((code, depth)) = queue.pop_front() {
        if depths.len() <= depth {
            depths.resize(depth + 1, 0);
        }
        depths[depth] += 1;
        for child in children.get(code).map(Vec::as_slice).unwrap_or_default() {
            queue.push_back((child, depth + 1));
        }
    }
    let by_depth = depths
        .into_iter()
        .enumerate()
        .map(|(depth, collaborators)| DepthCount { depth: depth as i32, collaborators })
        .collect();

    // Each collaborator counts in the team of each of its introducers up to `levels` above.
    let mut teams: HashMap<&str, (i64, i64)> = HashMap::new();
    for (code, _) in edges {
        let mut at = code.as_str();
        for level in 1..=levels {
            let Some(&above) = introducer.get(at) else { break };
            let team = teams.entry(above).or_insert((1, 0));
            team.0 += 1;
            if level == 1 {
                team.1 += 1;
            }
            at = above;
        }
    }
    let mut largest: Vec<TeamCount> =
        teams.into_iter().map(|(code, (size, recruits))| (code.to_owned(), size, recruits)).collect();
    largest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    largest.truncate(limit);
    (by_depth, largest)
}

/// The order ranks are listed in: [`RANKS`] first, others after by name.
pub fn rank_order(rank: &str) -> (usize, String) {
    (RANKS.iter().position(|known| *known == rank).unwrap_or(RANKS.len()), rank.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_read_most_senior_first_then_unknown_ones_by_name() {
        let mut ranks = vec!["CTV", "Đại lý", "Trưởng nhóm", "Cố vấn", "CTV Bạc", "CTV Vàng"];
        ranks.sort_by_key(|rank| rank_order(rank));
        assert_eq!(ranks, ["Trưởng nhóm", "CTV Vàng", "CTV Bạc", "CTV", "Cố vấn", "Đại lý"]);
    }

    fn edges(pairs: &[(&str, Option<&str>)]) -> Vec<Edge> {
        pairs.iter().map(|(code, above)| ((*code).to_owned(), above.map(str::to_owned))).collect()
    }

    #[test]
    fn depths_walk_down_from_the_tops_and_teams_reach_four_levels() {
        // A0 → A1 → A2 → A3 → A4 → A5, B1 under A0, C0 → C1, and X ⇄ Y, a cycle with no top.
        let edges = edges(&[
            ("A0", None),
            ("A1", Some("A0")),
            ("A2", Some("A1")),
            ("A3", Some("A2")),
            ("A4", Some("A3")),
            ("A5", Some("A4")),
            ("B1", Some("A0")),
            ("C0", None),
            ("C1", Some("C0")),
            ("X", Some("Y")),
            ("Y", Some("X")),
        ]);
        let (by_depth, teams) = depths_and_teams(&edges, 4, 5);
        let depths: Vec<(i32, i64)> = by_depth.iter().map(|d| (d.depth, d.collaborators)).collect();
        assert_eq!(depths, [(0, 2), (1, 3), (2, 1), (3, 1), (4, 1), (5, 1)]);
        // A cycle is walked 4 steps like any chain (bounded, as the tree is): it never loops.
        let expected: Vec<TeamCount> = [("A0", 6, 2), ("A1", 5, 1), ("X", 5, 1), ("Y", 5, 1), ("A2", 4, 1)]
            .map(|(code, size, recruits)| (code.to_owned(), size, recruits))
            .to_vec();
        assert_eq!(teams, expected);
        assert_eq!(depths_and_teams(&[], 4, 10), (Vec::new(), Vec::new()));
    }

    #[test]
    fn depths_group_into_bands_down_to_the_deepest() {
        let by_depth: Vec<DepthCount> = [(0, 3), (1, 5), (2, 4), (4, 1), (6, 2), (9, 1), (12, 7)]
            .map(|(depth, collaborators)| DepthCount { depth, collaborators })
            .to_vec();
        let bands = depth_bands(Language::En, &by_depth);
        let expected: Vec<(String, i64)> =
            [("0 (tops of trees)", 3), ("1", 5), ("2", 4), ("3", 0), ("4", 1), ("5–9", 3), ("10–19", 7)]
                .map(|(label, count)| (label.to_owned(), count))
                .to_vec();
        assert_eq!(bands, expected);
        assert_eq!(bands.iter().map(|b| b.1).sum::<i64>(), 23);
        assert_eq!(depth_bands(Language::En, &[]), vec![("0 (tops of trees)".to_owned(), 0)]);
        assert_eq!(depth_bands(Language::Vi, &[]), vec![("0 (đỉnh của cây)".to_owned(), 0)]);
    }
}
