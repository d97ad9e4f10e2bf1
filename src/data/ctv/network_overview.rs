//! The whole network's figures for `/network`: ranks, depths, joiners per month, the
//! largest teams and the month's top earners, from `ctv` and the ledger's monthly sums
//! (`commission_summaries`). Each statement reads the organization's collaborators once
//! at most; depths and teams are counted from the tree's edges in `domain`.

use crate::data::{sql, OrganizationStore};
use crate::domain::ctv::network::UPLINE_LEVELS;
use crate::domain::ctv::network_overview::{
    depths_and_teams, rank_order, Earner, Edge, MonthCount, NetworkOverview, RankCount, TeamSize, JOINED_MONTHS,
    LEADERS,
};

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
        let mut by_rank: Vec<RankCount> =
            ranks.into_iter().map(|(rank, collaborators, active)| RankCount { rank, collaborators, active }).collect();
        by_rank.sort_by_key(|count| rank_order(&count.rank));

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

        // Depths and teams from the tree's edges, read once (see `depths_and_teams`).
        let edges: Vec<Edge> = sql::query_as("SELECT ma_ctv, nguoi_gioi_thieu FROM ctv WHERE organization_id = $1")
            .bind(organization.id)
            .fetch_all(&mut *tx)
            .await?;
        let (by_depth, teams) = depths_and_teams(&edges, UPLINE_LEVELS, LEADERS as usize);
        let leaders: Vec<&str> = teams.iter().map(|(code, _, _)| code.as_str()).collect();
        let named: Vec<(String, String, String)> =
            sql::query_as("SELECT ma_ctv, ho_ten, cap_bac FROM ctv WHERE organization_id = $1 AND ma_ctv = ANY($2)")
                .bind(organization.id)
                .bind(&leaders)
                .fetch_all(&mut *tx)
                .await?;
        let largest_teams = teams
            .into_iter()
            .filter_map(|(ma_ctv, team_size, recruits)| {
                let (_, name, rank) = named.iter().find(|(code, _, _)| *code == ma_ctv)?.clone();
                Some(TeamSize { ma_ctv, name, rank, team_size, recruits })
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
                // The 10 first, then their names: joined first, every paid collaborator was looked up.
                sql::query_as(
                    "WITH top AS (
                         SELECT ma_ctv, direct, level_1 + level_2 + level_3 + level_4 AS overrides, total
                         FROM commission_summaries
                         WHERE organization_id = $1 AND period = to_date($2, 'YYYY-MM')
                         ORDER BY total DESC, ma_ctv LIMIT $3
                     )
                     SELECT t.ma_ctv, c.ho_ten, c.cap_bac, t.direct::float8 AS direct,
                         t.overrides::float8 AS overrides, t.total::float8 AS total
                     FROM top t JOIN ctv c ON c.organization_id = $1 AND c.ma_ctv = t.ma_ctv
                     ORDER BY t.total DESC, t.ma_ctv",
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
