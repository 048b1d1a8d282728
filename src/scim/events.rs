//! The events SCIM writes record in their own transaction (CONTRACT.md §15): users, groups
//! and memberships, with `data` in the portal API's shape (portal_api.rs).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::error::ScimResult;
use super::portal_api::{group_json, user_json};
use super::Ctx;
use crate::login::role_changes::{append_changes, config_in, Actor, Directory, RoleConfig};
use crate::store::{DirTx, GroupRecord, NewEvent, UserRecord};

/// SCIM writes are the IdP's; the token is not named (it is a credential, not a person).
const ACTOR: &str = "scim";

async fn append(ctx: &Ctx<'_>, tx: &mut DirTx, kind: &str, data: Value) -> ScimResult<()> {
    let event = NewEvent {
        kind,
        actor_type: ACTOR,
        actor_id: None,
        data,
    };
    tx.append_event(&ctx.org, &event, ctx.now).await?;
    Ok(())
}

pub async fn user_created(ctx: &Ctx<'_>, tx: &mut DirTx, user: &UserRecord) -> ScimResult<()> {
    tx.append_event(&ctx.org, &user_created_event(user), ctx.now)
        .await?;
    Ok(())
}

/// `user.created` for a user created as a write plan (store::create_user).
pub fn user_created_event(user: &UserRecord) -> NewEvent<'static> {
    NewEvent {
        kind: "user.created",
        actor_type: ACTOR,
        actor_id: None,
        data: user_json(user),
    }
}

/// A change of `active` is `user.deactivated` or `user.reactivated` (carrying the whole user)
/// and, when it changes what the user's groups map to, `user.roles_changed`; any other
/// change is `user.updated`.
pub async fn user_changed(
    ctx: &Ctx<'_>,
    tx: &mut DirTx,
    before: &UserRecord,
    after: &UserRecord,
) -> ScimResult<()> {
    let kind = match (before.active(), after.active()) {
        (true, false) => "user.deactivated",
        (false, true) => "user.reactivated",
        _ => "user.updated",
    };
    append(ctx, tx, kind, user_json(after)).await?;
    if before.active() == after.active() {
        return Ok(());
    }
    let Some(config) = config_in(tx, &ctx.org).await? else {
        return Ok(());
    };
    let ids = [after.id.clone()];
    let dir = Directory::read(tx, &ctx.org, Some(&ids)).await?;
    let was = BTreeMap::from([(after.id.clone(), dir.roles_of(Some(&config), before))]);
    let now = dir.roles(Some(&config));
    append_changes(tx, &ctx.org, &was, (&dir, &now), SCIM_ACTOR, ctx.now).await?;
    Ok(())
}

const SCIM_ACTOR: Actor<'static> = Actor {
    kind: ACTOR,
    id: None,
};

/// The roles of the users a group write may change, taken inside its transaction before
/// the write. Nothing is read when the organization has no SSO configuration: every
/// directory user's roles are then none, before and after.
pub struct RolesBefore {
    config: RoleConfig,
    ids: Vec<String>,
    roles: BTreeMap<String, Vec<String>>,
}

impl RolesBefore {
    /// `ids`: the group's members now and the users its member operations name.
    pub async fn take(
        ctx: &Ctx<'_>,
        tx: &mut DirTx,
        mut ids: Vec<String>,
    ) -> ScimResult<Option<Self>> {
        let Some(config) = config_in(tx, &ctx.org).await? else {
            return Ok(None);
        };
        ids.sort();
        ids.dedup();
        let roles = Directory::read(tx, &ctx.org, Some(&ids))
            .await?
            .roles(Some(&config));
        Ok(Some(Self { config, ids, roles }))
    }

    /// After the write: `user.roles_changed` for each of those users whose roles differ.
    pub async fn append(this: Option<Self>, ctx: &Ctx<'_>, tx: &mut DirTx) -> ScimResult<()> {
        let Some(this) = this else { return Ok(()) };
        let dir = Directory::read(tx, &ctx.org, Some(&this.ids)).await?;
        let after = dir.roles(Some(&this.config));
        append_changes(
            tx,
            &ctx.org,
            &this.roles,
            (&dir, &after),
            SCIM_ACTOR,
            ctx.now,
        )
        .await?;
        Ok(())
    }
}

pub async fn user_deleted(ctx: &Ctx<'_>, tx: &mut DirTx, user: &UserRecord) -> ScimResult<()> {
    append(ctx, tx, "user.deleted", user_json(user)).await
}

pub async fn group_written(
    ctx: &Ctx<'_>,
    tx: &mut DirTx,
    kind: &str,
    group: &GroupRecord,
) -> ScimResult<()> {
    append(ctx, tx, kind, group_json(group)).await
}

/// Members a write added and removed, in the order of its operations; a user in both (a
/// PUT that names a member again, or an add then a remove) did not change and gets no event.
#[derive(Debug, Default)]
pub struct MemberChanges {
    added: BTreeSet<String>,
    removed: BTreeSet<String>,
    order: Vec<(bool, String)>,
}

impl MemberChanges {
    pub fn added(&mut self, user: String) {
        if self.added.insert(user.clone()) {
            self.order.push((true, user));
        }
    }

    pub fn removed(&mut self, user: String) {
        if self.removed.insert(user.clone()) {
            self.order.push((false, user));
        }
    }

    /// `group.member_added` / `group.member_removed`, in the order the IdP asked for them
    /// (CONTRACT.md §15: events come out in the order their cause happened).
    pub async fn append(
        self,
        ctx: &Ctx<'_>,
        tx: &mut DirTx,
        group: &GroupRecord,
    ) -> ScimResult<()> {
        let brief = json!({"id": group.id, "display_name": group.display_name});
        for (added, user) in &self.order {
            if self.added.contains(user) && self.removed.contains(user) {
                continue;
            }
            let kind = if *added {
                "group.member_added"
            } else {
                "group.member_removed"
            };
            let data = json!({"group": brief, "user": {"id": user}});
            append(ctx, tx, kind, data).await?;
        }
        Ok(())
    }
}
