//! The whole network's figures for `/network`: ranks, depths, joiners per month, the
//! largest teams and the month's top earners. Each is one statement over `ctv` or the
//! ledger's monthly sums; at the demo's 8,000 to 20,000 collaborators each reads the
//! organization's collaborators once at most (see BENCHMARKS.md).

use crate::data::{sql, OrganizationStore};
use crate::domain::ctv::network::UPLINE_LEVELS;
use crate::domain::ctv::network_overview::{
    rank_order, DepthCount, Earner, MonthCount, NetworkOverview, RankCount, TeamSize, JOINED_MONTHS, LEADERS,
};

#[derive(sqlx::FromRow)]
struct TeamRow {
    ma_ctv: String,
    ho_ten: String,
    cap_bac: String,
    team_size: i64,
    recruits: i64,
}

#[derive(sqlx::FromRow)]
struct EarnerRow {
    ma_ctv: String,
    ho_ten: String,
    cap_bac: String,
    direct: f64,
    overrides: f64,
    total: f64,
}

impl OrganizationStore {
    /// The network's figures, read one after the other on one connection.
    pub async fn network_overview(&self) -> Result<NetworkOverview, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;

        let ranks: Vec<(String, i64, i64)> = sql::query_as(
            "SELECT cap_bac, COUNT(*), COUNT(*) FILTER (WHERE trang_thai = 'active')
             FROM ctv WHERE organization_id = $1 GROUP BY cap_bac",
        )
        .bind(organization.id)
        .fetch_all(&mut *tx)
        .await?;
        let mut by_rank: Vec<RankCount> = ranks
            .into_iter()
            .map(|(rank, collaborators, active)| RankCount { rank, collaborators, active })
            .collect();
        by_rank.sort_by_key(|count| rank_order(&count.rank));

        // From the tops of the trees down, every level at once (idx_ctv_org_parent).
        // A walk from the tops cannot enter a cycle: a cycle has no top.
        let depths: Vec<(i32, i64)> = sql::query_as(
            "WITH RECURSIVE tree AS (
                 SELECT ma_ctv, 0 AS depth FROM ctv WHERE organization_id = $1 AND nguoi_gioi_thieu IS NULL
                 UNION ALL
                 SELECT c.ma_ctv, t.depth + 1
                 FROM tree t JOIN ctv c ON c.organization_id = $1 AND c.nguoi_gioi_thieu = t.ma_ctv
             )
             SELECT depth, COUNT(*) FROM tree GROUP BY depth ORDER BY depth",
        )
        .bind(organization.id)
        .fetch_all(&mut *tx)
        .await?;
        let by_depth = depths.into_iter().map(|(depth, collaborators)| DepthCount { depth, collaborators }).collect();

        let joined: Vec<(String, i64)> = sql::query_as(
            "WITH months AS (
                 SELECT (date_trunc('month', CURRENT_DATE) - make_interval(months => k))::date AS month
                 FROM generate_series(0, $2 - 1) k
             ),
             joiners AS (
                 SELECT date_trunc('month', ngay_tham_gia)::date AS month, COUNT(*) AS collaborators
                 FROM ctv
                 WHERE organization_id = $1 AND ngay_tham_gia >= (SELECT MIN(month) FROM months)
                 GROUP BY 1
             )
             SELECT to_char(m.month, 'YYYY-MM'), COALESCE(j.collaborators, 0)
             FROM months m LEFT JOIN joiners j USING (month) ORDER BY m.month",
        )
        .bind(organization.id)
        .bind(JOINED_MONTHS)
        .fetch_all(&mut *tx)
        .await?;
        let joined = joined.into_iter().map(|(month, collaborators)| MonthCount { month, collaborators }).collect();

        // Every collaborator's introducers up to the 4th level, counted per introducer:
        // the team its tree shows (one path per member, the tree having one introducer each).
        let teams: Vec<TeamRow> = sql::query_as(
            "WITH RECURSIVE above AS (
                 SELECT nguoi_gioi_thieu AS leader, 1 AS level
                 FROM ctv WHERE organization_id = $1 AND nguoi_gioi_thieu IS NOT NULL
                 UNION ALL
                 SELECT p.nguoi_gioi_thieu, a.level + 1
                 FROM above a JOIN ctv p ON p.organization_id = $1 AND p.ma_ctv = a.leader
                 WHERE a.level < $2 AND p.nguoi_gioi_thieu IS NOT NULL
             ),
             teams AS (
                 SELECT leader, COUNT(*) + 1 AS team_size, COUNT(*) FILTER (WHERE level = 1) AS recruits
                 FROM above GROUP BY leader ORDER BY team_size DESC, leader LIMIT $3
             )
             SELECT c.ma_ctv, c.ho_ten, c.cap_bac, t.team_size, t.recruits
             FROM teams t JOIN ctv c ON c.organization_id = $1 AND c.ma_ctv = t.leader
             ORDER BY t.team_size DESC, c.ma_ctv",
        )
        .bind(organization.id)
        .bind(UPLINE_LEVELS)
        .bind(LEADERS)
        .fetch_all(&mut *tx)
        .await?;
        let largest_teams = teams
            .into_iter()
            .map(|row| TeamSize {
                ma_ctv: row.ma_ctv,
                name: row.ho_ten,
                rank: row.cap_bac,
                team_size: row.team_size,
                recruits: row.recruits,
            })
            .collect();

        // The ledger's monthly sums (kept by its triggers) of the latest month with
        // commissions up to this one: on the 1st, last month's until this one pays.
        let earnings_month: Option<String> = sql::query_scalar(
            "SELECT to_char(MAX(period), 'YYYY-MM') FROM commission_summaries
             WHERE organization_id = $1 AND period <= date_trunc('month', CURRENT_DATE)::date",
        )
        .bind(organization.id)
        .fetch_one(&mut *tx)
        .await?;
        let earners: Vec<EarnerRow> = match &earnings_month {
            None => Vec::new(),
            Some(month) => {
                sql::query_as(
                    "SELECT s.ma_ctv, c.ho_ten, c.cap_bac, s.direct::float8 AS direct,
                        (s.level_1 + s.level_2 + s.level_3 + s.level_4)::float8 AS overrides, s.total::float8 AS total
                     FROM commission_summaries s
                     JOIN ctv c ON c.organization_id = s.organization_id AND c.ma_ctv = s.ma_ctv
                     WHERE s.organization_id = $1 AND s.period = to_date($2, 'YYYY-MM')
                     ORDER BY s.total DESC, s.ma_ctv LIMIT $3",
                )
                .bind(organization.id)
                .bind(month)
                .bind(LEADERS)
                .fetch_all(&mut *tx)
                .await?
            }
        };
        let top_earners = earners
            .into_iter()
            .map(|row| Earner {
                ma_ctv: row.ma_ctv,
                name: row.ho_ten,
                rank: row.cap_bac,
                direct: row.direct,
                overrides: row.overrides,
                total: row.total,
            })
            .collect();

        Ok(NetworkOverview {
            collaborators: by_rank.iter().map(|count| count.collaborators).sum(),
            active: by_rank.iter().map(|count| count.active).sum(),
            by_rank,
            by_depth,
            joined,
            largest_teams,
            earnings_month,
            top_earners,
        })
    }
}
