//! Per-organization concurrency of SCIM list queries (issue 10, item 1): one organization's
//! searches may hold at most SCIM_LIST_CONCURRENCY_PER_ORG database connections at a time,
//! so the rest of the pool stays free for every other tenant. A query over the limit waits
//! its turn (IdPs send their lookups a few at a time, and a short wait beats an error they
//! would retry anyway); one that cannot get a turn within `WAIT` is refused with 503.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a list query waits for one of its organization's turns.
pub const WAIT: Duration = Duration::from_secs(10);
/// Organizations kept in the map before idle entries are dropped.
const PRUNE_ABOVE: usize = 1_024;

#[derive(Debug)]
pub struct TenantGate {
    per_org: usize,
    turns: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Held while the query runs; the turn is given back when it drops.
#[derive(Debug)]
pub struct Turn(#[allow(dead_code)] OwnedSemaphorePermit);

impl TenantGate {
    pub fn new(per_org: usize) -> Self {
        Self {
            per_org: per_org.max(1),
            turns: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a turn of `org`; `None` when none came within `WAIT`.
    pub async fn enter(&self, org: &str) -> Option<Turn> {
        let semaphore = self.semaphore_of(org);
        match tokio::time::timeout(WAIT, semaphore.acquire_owned()).await {
            Ok(Ok(permit)) => Some(Turn(permit)),
            _ => None,
        }
    }

    fn semaphore_of(&self, org: &str) -> Arc<Semaphore> {
        let mut turns = self
            .turns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if turns.len() > PRUNE_ABOVE {
            // An entry nobody holds or waits on is one `Arc` (the map's own).
            turns.retain(|_, s| Arc::strong_count(s) > 1);
        }
        turns
            .entry(org.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_org)))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_organization_cannot_take_more_turns_than_its_share() {
        let gate = TenantGate::new(2);
        let a1 = gate.enter("a").await;
        let a2 = gate.enter("a").await;
        assert!(a1.is_some() && a2.is_some());
        // A third turn of "a" waits; "b" still gets one at once.
        let third = tokio::time::timeout(Duration::from_millis(50), gate.enter("a")).await;
        assert!(
            third.is_err(),
            "a third concurrent turn of one organization must wait"
        );
        assert!(gate.enter("b").await.is_some());
        drop(a1);
        assert!(
            gate.enter("a").await.is_some(),
            "a returned turn is taken again"
        );
    }
}
