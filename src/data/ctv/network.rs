//! The referral tree: a collaborator, its upline (who introduced it, and so on up to
//! the 4 levels that earn from it) and its downline 4 levels deep with team figures.

use super::{like_escaped, CollaboratorRow, COLLABORATOR_COLUMNS};
use crate::data::{sql, OrganizationStore};
use crate::domain::ctv::network::{Collaborator, Downline, DownlineMember, NetworkView, UplineMember, UPLINE_LEVELS};
use std::collections::HashMap;

use crate::domain::ctv::network::COLLABORATOR_SEARCH_LIMIT;

#[derive(sqlx::FromRow)]
struct TreeRow {
    level: i32,
    own_revenue: f64,
    #[sqlx(flatten)]
    collaborator: CollaboratorRow,
}

impl OrganizationStore {
    pub async fn collaborator(&self, ma_ctv: &str) -> Result<Option<Collaborator>, sqlx::Error> {
        let organization = &self.organization;
        let row: Option<CollaboratorRow> = sql::query_as(&format!(
            "SELECT {COLLABORATOR_COLUMNS} FROM ctv c WHERE c.organization_id = $1 AND c.ma_ctv = $2"
        ))
        .bind(organization.id)
        .bind(ma_ctv)
        .fetch_optional(&mut *self.begin().await?)
        .await?;
        Ok(row.map(Into::into))
    }

    /// A collaborator with its upline and 4-level downline; `None` if there is no such collaborator.
    pub async fn network_view(&self, ma_ctv: &str) -> Result<Option<NetworkView>, sqlx::Error> {
        let (collaborator, upline, downline) =
            tokio::try_join!(self.collaborator(ma_ctv), self.upline(ma_ctv), self.downline(ma_ctv),)?;
        Ok(collaborator.map(|collaborator| NetworkView { collaborator, upline, downline }))
    }

    /// Collaborators whose code or phone starts with `text`, or whose name holds it;
    /// exact codes first, then by code.
    pub async fn search_collaborators(&self, text: &str) -> Result<Vec<Collaborator>, sqlx::Error> {
        let organization = &self.organization;
        let text = text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<CollaboratorRow> = sql::query_as(&format!(
            "SELECT {COLLABORATOR_COLUMNS} FROM ctv c
             WHERE c.organization_id = $1
               AND (c.ma_ctv ILIKE $2 || '%' OR c.sdt LIKE $2 || '%' OR c.ho_ten ILIKE '%' || $2 || '%')
             ORDER BY upper(c.ma_ctv) = upper($3) DESC, length(c.ma_ctv), c.ma_ctv
             LIMIT $4"
        ))
        .bind(organization.id)
        .bind(like_escaped(text))
        .bind(text)
        .bind(COLLABORATOR_SEARCH_LIMIT)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Who introduced the collaborator (level 1), who introduced them (level 2), … up to
    /// level 4: the ones its customers pay overrides to. Empty at the top of a tree.
    pub async fn upline(&self, ma_ctv: &str) -> Result<Vec<UplineMember>, sqlx::Error> {
        let organization = &self.organization;
        // Seed 000's hierarchy CTE walked the other way: from a collaborator to its introducer.
        let rows: Vec<TreeRow> = sql::query_as(&format!(
            "WITH RECURSIVE hierarchy AS (
                 SELECT ma_ctv, nguoi_gioi_thieu, 0 AS level
                 FROM ctv WHERE organization_id = $1 AND ma_ctv = $2
                 UNION ALL
                 SELECT c.ma_ctv, c.nguoi_gioi_thieu, h.level + 1
                 FROM ctv c
                 INNER JOIN hierarchy h ON c.ma_ctv = h.nguoi_gioi_thieu
                 WHERE c.organization_id = $1 AND h.level < $3
             )
             SELECT h.level, 0::float8 AS own_revenue, {COLLABORATOR_COLUMNS}
             FROM hierarchy h JOIN ctv c ON c.organization_id = $1 AND c.ma_ctv = h.ma_ctv
             WHERE h.level > 0
             ORDER BY h.level"
        ))
        .bind(organization.id)
        .bind(ma_ctv)
        .bind(UPLINE_LEVELS)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| UplineMember { level: row.level, collaborator: row.collaborator.into() })
            .collect())
    }

    /// The collaborator and everyone it brought in, 4 levels deep (seed 000's hierarchy
    /// CTE), each with its own and its team's revenue. Empty if there is no such collaborator.
    pub async fn downline(&self, ma_ctv: &str) -> Result<Downline, sqlx::Error> {
        let organization = &self.organization;
        // Each member's row is read once, by the walk itself (idx_ctv_org_parent), not
        // walked by code and then looked up again; its revenue is the sum the customers'
        // triggers keep (ctv_revenue), not its customers summed on every view.
        let rows: Vec<TreeRow> = sql::query_as(&format!(
            "WITH RECURSIVE hierarchy AS (
                 SELECT c.*, 0 AS level
                 FROM ctv c WHERE c.organization_id = $1 AND c.ma_ctv = $2
                 UNION ALL
                 SELECT c.*, h.level + 1
                 FROM ctv c
                 INNER JOIN hierarchy h ON c.organization_id = $1 AND c.nguoi_gioi_thieu = h.ma_ctv
                 WHERE h.level < $3
             )
             SELECT c.level, {COLLABORATOR_COLUMNS},
                 -- A subquery per member (a primary-key probe), whatever the statistics
                 -- say: joined, a stale row count once chose to hash the whole table.
                 COALESCE((SELECT r.served_amount FROM ctv_revenue r
                           WHERE r.organization_id = $1 AND r.ma_ctv = c.ma_ctv), 0)::float8 AS own_revenue
             FROM hierarchy c"
        ))
        .bind(organization.id)
        .bind(ma_ctv)
        .bind(UPLINE_LEVELS)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(Downline { members: arrange_tree(rows) })
    }
}

/// The tree's rows depth first (children by code), with team figures summed bottom up.
/// A member's children are the rows one level below it that name it as introducer, so
/// even a cycle in the data (which the level bound stops) cannot loop here.
fn arrange_tree(rows: Vec<TreeRow>) -> Vec<DownlineMember> {
    let mut children: HashMap<(i32, &str), Vec<usize>> = HashMap::new();
    for (index, row) in rows.iter().enumerate() {
        if let Some(introducer) = row.collaborator.nguoi_gioi_thieu.as_deref() {
            children.entry((row.level - 1, introducer)).or_default().push(index);
        }
    }
    for members in children.values_mut() {
        members.sort_by(|&a, &b| rows[a].collaborator.ma_ctv.cmp(&rows[b].collaborator.ma_ctv));
    }
    let Some(root) = rows.iter().position(|row| row.level == 0) else {
        return Vec::new();
    };

    // Depth-first order, then team figures from the deepest members up.
    let mut order = Vec::with_capacity(rows.len());
    let mut stack = vec![root];
    while let Some(index) = stack.pop() {
        order.push(index);
        let key = (rows[index].level, rows[index].collaborator.ma_ctv.as_str());
        if let Some(members) = children.get(&key) {
            stack.extend(members.iter().rev());
        }
    }
    let mut team_size = vec![1i64; rows.len()];
    let mut team_revenue: Vec<f64> = rows.iter().map(|row| row.own_revenue).collect();
    for &index in order.iter().rev() {
        let key = (rows[index].level, rows[index].collaborator.ma_ctv.as_str());
        for &child in children.get(&key).map(Vec::as_slice).unwrap_or_default() {
            team_size[index] += team_size[child];
            team_revenue[index] += team_revenue[child];
        }
    }
    let child_counts: Vec<i64> = rows
        .iter()
        .map(|row| children.get(&(row.level, row.collaborator.ma_ctv.as_str())).map_or(0, |c| c.len() as i64))
        .collect();

    let mut rows: Vec<Option<TreeRow>> = rows.into_iter().map(Some).collect();
    order
        .into_iter()
        .map(|index| {
            let row = rows[index].take().expect("each row is visited once");
            DownlineMember {
                level: row.level,
                children: child_counts[index],
                team_size: team_size[index],
                own_revenue: row.own_revenue,
                team_revenue: team_revenue[index],
                collaborator: row.collaborator.into(),
            }
        })
        .collect()
}
