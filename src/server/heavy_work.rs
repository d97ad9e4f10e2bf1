//! Fairness between organizations on one pool (issue 23): exports and bulk lookups
//! each hold a slot of their organization's while they run, so one organization
//! cannot take every database connection while the others' pages wait. Past its
//! slots an organization is told it is busy and to try again.

use super::error::AppError;
use crate::domain::language::Language;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// How many pieces of heavy work each organization may run at once.
pub struct HeavyWork {
    per_organization: usize,
    running: Mutex<HashMap<Uuid, usize>>,
}

/// A running piece of heavy work; its slot frees when this drops.
pub struct HeavyWorkSlot {
    work: Arc<HeavyWork>,
    organization: Uuid,
}

impl HeavyWork {
    pub fn new(per_organization: usize) -> Arc<Self> {
        Arc::new(Self { per_organization: per_organization.max(1), running: Default::default() })
    }

    /// A slot of `organization`'s, or `AppError::Busy` when all of them are taken.
    /// The refusal is worded in `language`, that of the person waiting.
    pub fn start(self: &Arc<Self>, organization: Uuid, language: Language) -> Result<HeavyWorkSlot, AppError> {
        let mut running = self.running.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = running.entry(organization).or_default();
        if *count >= self.per_organization {
            let locale = crate::i18n::Locale::from(language);
            return Err(AppError::Busy(tf!(locale, errors.heavy_work_busy, count = self.per_organization)));
        }
        *count += 1;
        Ok(HeavyWorkSlot { work: self.clone(), organization })
    }

    /// Pieces of heavy work running for `organization` now.
    pub fn running(&self, organization: Uuid) -> usize {
        self.running.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&organization).copied().unwrap_or(0)
    }
}

impl Default for HeavyWork {
    fn default() -> Self {
        Self { per_organization: DEFAULT_PER_ORGANIZATION, running: Default::default() }
    }
}

/// A quarter of the default pool of 16: three busy organizations still leave room.
pub const DEFAULT_PER_ORGANIZATION: usize = 4;

impl Drop for HeavyWorkSlot {
    fn drop(&mut self) {
        let mut running = self.work.running.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = running.get_mut(&self.organization) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                running.remove(&self.organization);
            }
        }
    }
}

/// For a server function: a slot of `organization`'s in the app's heavy work.
pub fn start_in_server_function(organization: Uuid) -> Result<HeavyWorkSlot, AppError> {
    let language = crate::components::request_language();
    leptos::prelude::expect_context::<super::state::AppState>().heavy_work.start(organization, language)
}

/// `stream` holding `slot` until it ends or is dropped (a download cut short).
pub fn holding<S: futures_util::Stream>(stream: S, slot: HeavyWorkSlot) -> impl futures_util::Stream<Item = S::Item> {
    use futures_util::StreamExt;
    stream.map(move |item| {
        let _held = &slot;
        item
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organization_past_its_slots_is_busy_and_others_are_not() {
        let work = HeavyWork::new(2);
        let (busy, quiet) = (Uuid::new_v4(), Uuid::new_v4());
        let first = work.start(busy, Language::En).unwrap();
        let _second = work.start(busy, Language::En).unwrap();
        let refused = work.start(busy, Language::En).err().expect("a third is refused");
        assert!(refused.to_string().contains("runs 2 exports or bulk lookups; try again"), "{refused}");
        assert_eq!(refused.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
        let refused = work.start(busy, Language::Vi).err().expect("a third is refused");
        assert!(refused.to_string().contains("đang chạy 2 lượt xuất dữ liệu"), "{refused}");
        assert!(work.start(quiet, Language::Vi).is_ok(), "another organization is not held up");
        drop(first);
        assert_eq!(work.running(busy), 1);
        assert!(work.start(busy, Language::En).is_ok(), "a freed slot is taken again");
    }
}
