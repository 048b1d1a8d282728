//! Rotation of the SP key rings (CONTRACT.md §17): a `next` key is published in the SP
//! metadata `PUBLISH_LEAD_DAYS` before it becomes active, so an IdP that refreshes our
//! metadata has it before it is used; the old key is then `retired` and still decrypts
//! until shortly before its certificate ends, so no key axid owns is ever used expired.
//! The scheduled pass runs on one replica at a time (a lease); an admin may rotate early.

use crate::clock::Millis;
use crate::domain::OrgId;
use crate::state::AppState;
use crate::store::{KeyUse, SpKeyRecord};

use super::sp_keys::add_key;

const DAY_MS: i64 = 86_400_000;
/// A next key is made this long before the active certificate ends...
pub const ROTATE_BEFORE_DAYS: i64 = 60;
/// ...and becomes active this long after it was published.
pub const PUBLISH_LEAD_DAYS: i64 = 30;
/// A retired key leaves the ring one day before its certificate would end.
const RETIRED_MARGIN_DAYS: i64 = 1;
const LEASE: &str = "sp_key_rotation";

/// What an early rotation did.
#[derive(Debug, PartialEq, Eq)]
pub enum Rotated {
    /// A next key was created and published; it activates at this time.
    Published(Millis),
    /// The next key became active now; the old one is retired (still decrypts).
    Promoted,
}

/// An admin's rotation: publish a next key, or, when one is published, make it active now
/// (the admin has given the IdP the new certificate).
pub async fn rotate_now(state: &AppState, org: &OrgId, key_use: KeyUse) -> Result<Rotated, String> {
    let now = state.clock.now_ms();
    let keys = super::sp_keys::ring(state, org, key_use).await?;
    if keys.iter().any(|k| k.state == "next") {
        return match state.store.promote_sp_key(org, key_use, now).await {
            Ok(true) => Ok(Rotated::Promoted),
            Ok(false) => Err("another rotation ran at the same time; try again".into()),
            Err(e) => Err(e.to_string()),
        };
    }
    let activates_at = now + PUBLISH_LEAD_DAYS * DAY_MS;
    match add_key(state, org, key_use, "next", activates_at).await? {
        true => Ok(Rotated::Published(activates_at)),
        false => Err("another rotation ran at the same time; try again".into()),
    }
}

/// What the scheduled pass should do with one key.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    PublishNext,
    Promote,
    Delete,
    Nothing,
}

fn step_for(key: &SpKeyRecord, has_next: bool, now: Millis) -> Step {
    match key.state.as_str() {
        "active" if !has_next && key.not_after - ROTATE_BEFORE_DAYS * DAY_MS <= now => {
            Step::PublishNext
        }
        "next" if key.activates_at <= now => Step::Promote,
        "retired" if key.not_after - RETIRED_MARGIN_DAYS * DAY_MS <= now => Step::Delete,
        _ => Step::Nothing,
    }
}

/// One scheduled pass over every ring, under the lease; returns the steps taken.
pub async fn rotation_pass(state: &AppState, holder: &str) -> Result<usize, String> {
    let now = state.clock.now_ms();
    let leased = state
        .store
        .take_lease(LEASE, holder, now, now + 300_000)
        .await
        .map_err(|e| e.to_string())?;
    if !leased {
        return Ok(0);
    }
    let keys = state
        .store
        .list_all_sp_keys()
        .await
        .map_err(|e| e.to_string())?;
    let mut taken = 0;
    for key in &keys {
        let has_next = keys
            .iter()
            .any(|k| k.org_id == key.org_id && k.key_use == key.key_use && k.state == "next");
        let (Ok(org), Some(key_use)) = (OrgId::parse(&key.org_id), KeyUse::parse(&key.key_use))
        else {
            continue;
        };
        let done = match step_for(key, has_next, now) {
            Step::PublishNext => {
                add_key(
                    state,
                    &org,
                    key_use,
                    "next",
                    now + PUBLISH_LEAD_DAYS * DAY_MS,
                )
                .await?
            }
            Step::Promote => state
                .store
                .promote_sp_key(&org, key_use, now)
                .await
                .map_err(|e| e.to_string())?,
            Step::Delete => {
                state
                    .store
                    .delete_sp_key(&key.key_id)
                    .await
                    .map_err(|e| e.to_string())?;
                true
            }
            Step::Nothing => false,
        };
        if done {
            tracing::info!(org = %org, key_use = key_use.as_str(), key_id = %key.key_id, "SP key rotation step");
            taken += 1;
        }
    }
    let _ = state.store.release_lease(LEASE, holder).await;
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(state: &str, not_after_days: i64, activates_days: i64) -> SpKeyRecord {
        SpKeyRecord {
            key_id: "k".into(),
            org_id: "acme".into(),
            key_use: "encryption".into(),
            state: state.into(),
            private_key_enc: String::new(),
            certificate_pem: String::new(),
            not_after: not_after_days * DAY_MS,
            created_at: 0,
            activates_at: activates_days * DAY_MS,
            retired_at: None,
        }
    }

    #[test]
    fn a_key_is_published_before_use_and_retired_before_it_expires() {
        let now = 1000 * DAY_MS;
        // Active, ending in 61 days: nothing yet; in 60: publish the next key.
        assert_eq!(step_for(&key("active", 1061, 0), false, now), Step::Nothing);
        assert_eq!(
            step_for(&key("active", 1060, 0), false, now),
            Step::PublishNext
        );
        assert_eq!(step_for(&key("active", 1060, 0), true, now), Step::Nothing);
        // Next: active from its time on, which lies 30 days ahead of the old end.
        assert_eq!(
            step_for(&key("next", 2000, 1001), false, now),
            Step::Nothing
        );
        assert_eq!(
            step_for(&key("next", 2000, 1000), false, now),
            Step::Promote
        );
        // Retired: decrypts until one day before its certificate ends.
        assert_eq!(
            step_for(&key("retired", 1002, 0), false, now),
            Step::Nothing
        );
        assert_eq!(step_for(&key("retired", 1001, 0), false, now), Step::Delete);
    }
}
