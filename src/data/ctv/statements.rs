//! A collaborator's statement of a month, as the printable page and its workbook show it.

use crate::data::{sql, OrganizationStore};
use crate::domain::ctv::statements::{CollaboratorStatement, StatementQuery, StatementTotals};

impl OrganizationStore {
    /// The statement asked for; `None` if the organization has no such collaborator.
    /// A month without lines is an empty statement, not an error: it says nothing was paid.
    pub async fn collaborator_statement(
        &self,
        query: &StatementQuery,
    ) -> Result<Option<CollaboratorStatement>, sqlx::Error> {
        let Some(statement) = self.commission_statement_of(&query.ma_ctv, &query.period).await? else {
            return Ok(None);
        };
        let closed: bool = sql::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM commission_periods WHERE organization_id = $1 AND period = to_date($2, 'YYYY-MM'))",
        )
        .bind(self.organization.id)
        .bind(&query.period)
        .fetch_one(&mut *self.begin().await?)
        .await?;
        let totals = StatementTotals::of(&statement.lines);
        Ok(Some(CollaboratorStatement { organization: self.organization.name.clone(), statement, closed, totals }))
    }
}
