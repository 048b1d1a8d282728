//! `/Groups` (RFC 7644 §3.3-3.6). Members live in `group_members`, one row each: adding or
//! removing one member is one INSERT or DELETE, whatever the group's size. Member ids that
//! are not users of the organization are skipped (IdPs push groups before their users).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{Map, Value};

use super::adapters;
use super::coerce::{check_required, coerce_resource};
use super::error::{ScimError, ScimResult};
use super::events::{self, MemberChanges, RolesBefore};
use super::list::{list_response, ListParams};
use super::patch::{self, Member, MemberOp};
use super::render::{self, if_match_ok, resource_response, Projection};
use super::schema::GROUP;
use super::{roles, Ctx};
use crate::store::{DirTx, GroupRecord, GroupWrite, MemberAdd, MemberRow, StoreError};

const MAX_DISPLAY_NAME: usize = 1024;

fn not_found(id: &str) -> ScimError {
    ScimError::not_found(format!("Group {id} not found"))
}

fn projection(attributes: Option<&str>, excluded: Option<&str>) -> Projection {
    Projection::new(&GROUP, attributes, excluded)
}

fn ctx_projection(ctx: &Ctx) -> Projection {
    projection(ctx.param("attributes"), ctx.param("excludedAttributes"))
}

/// Stored attributes, and the members the body named (None when it has no `members`).
type Split = (Map<String, Value>, Option<Vec<Member>>);

/// Splits the body's `members` (handled as rows) from the stored attributes.
fn split_members(mut doc: Map<String, Value>) -> ScimResult<Split> {
    let members = match doc.remove("members") {
        Some(v) => Some(patch::members_of(&v)?),
        None => None,
    };
    Ok((doc, members))
}

fn to_write(doc: &Map<String, Value>) -> ScimResult<GroupWrite> {
    let display_name = doc
        .get("displayName")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ScimError::invalid_value("'displayName' is required"))?;
    if display_name.chars().count() > MAX_DISPLAY_NAME {
        return Err(ScimError::invalid_value(format!(
            "'displayName' is longer than {MAX_DISPLAY_NAME} characters"
        )));
    }
    Ok(GroupWrite {
        display_name: display_name.to_owned(),
        external_id: doc
            .get("externalId")
            .and_then(Value::as_str)
            .map(str::to_owned),
        resource: Value::Object(doc.clone()).to_string(),
    })
}

fn conflict(name: &str) -> impl Fn(StoreError) -> ScimError + '_ {
    move |e| match e {
        StoreError::Conflict(_) => {
            ScimError::uniqueness(format!("a group named '{name}' already exists"))
        }
        other => other.into(),
    }
}

async fn render_one(ctx: &Ctx<'_>, rec: &GroupRecord, proj: &Projection) -> ScimResult<Value> {
    let members = if proj.wants("members") {
        Some(ctx.state.store.group_members(&ctx.org, &rec.id).await?)
    } else {
        None
    };
    Ok(proj.apply(render::group(&ctx.base, rec, members.as_deref())?))
}

async fn apply_members(
    ctx: &Ctx<'_>,
    tx: &mut DirTx,
    group_id: &str,
    ops: &[MemberOp],
) -> ScimResult<MemberChanges> {
    let mut changes = MemberChanges::default();
    for op in ops {
        match op {
            MemberOp::Clear => {
                for user in tx.clear_members_listed(&ctx.org, group_id).await? {
                    changes.removed(user);
                }
            }
            MemberOp::Remove(user) => {
                if tx.remove_member_counted(&ctx.org, group_id, user).await? {
                    changes.removed(user.clone());
                }
            }
            MemberOp::Add(m) => match tx
                .add_member_counted(&ctx.org, group_id, m, ctx.now)
                .await?
            {
                MemberAdd::Added => changes.added(m.id.clone()),
                MemberAdd::AlreadyMember => {}
                MemberAdd::NotAUser => {
                    tracing::debug!(%group_id, user = %m.id, "member is not a user of this organization; skipped");
                }
            },
        }
    }
    Ok(changes)
}

/// The users member operations name (added or removed).
fn named_by(ops: &[MemberOp]) -> Vec<String> {
    ops.iter()
        .filter_map(|op| match op {
            MemberOp::Add(m) => Some(m.id.clone()),
            MemberOp::Remove(id) => Some(id.clone()),
            MemberOp::Clear => None,
        })
        .collect()
}

/// Recomputes the session roles of members whose roles this write may have changed: those
/// with sessions before it (`before`), those named by member operations, and those with
/// sessions after it. Failures are logged: the write itself has succeeded.
async fn refresh_roles(
    ctx: &Ctx<'_>,
    group_id: Option<&str>,
    mut ids: Vec<String>,
    ops: &[MemberOp],
) {
    let explicit: Vec<&str> = ops
        .iter()
        .filter_map(|op| match op {
            MemberOp::Add(m) => Some(m.id.as_str()),
            MemberOp::Remove(id) => Some(id.as_str()),
            MemberOp::Clear => None,
        })
        .collect();
    let store = &ctx.state.store;
    let result = async {
        ids.extend(store.users_with_sessions(&ctx.org, &explicit).await?);
        if let Some(g) = group_id {
            ids.extend(store.group_members_with_sessions(&ctx.org, g).await?);
        }
        ids.sort();
        ids.dedup();
        roles::refresh_sessions(ctx.state, &ctx.org, &ids).await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "session roles were not refreshed after a group change");
    }
}

/// Members with live sessions before a write (read before its transaction starts, so a
/// request never holds two pooled connections).
async fn session_holders(ctx: &Ctx<'_>, id: &str) -> ScimResult<Vec<String>> {
    Ok(ctx
        .state
        .store
        .group_members_with_sessions(&ctx.org, id)
        .await?)
}

pub async fn create(ctx: &Ctx<'_>, mut body: Value) -> ScimResult<HttpResponse> {
    adapters::normalize_body(&mut body);
    let (doc, members) = split_members(coerce_resource(&GROUP, &body)?)?;
    check_required(&GROUP, &doc)?;
    let write = to_write(&doc)?;
    let mut tx = ctx.state.store.begin_dir().await?;
    let id = uuid::Uuid::new_v4().to_string();
    let rec = tx
        .insert_group(&ctx.org, &id, &write, ctx.now)
        .await
        .map_err(conflict(&write.display_name))?;
    let ops: Vec<MemberOp> = members
        .unwrap_or_default()
        .into_iter()
        .map(MemberOp::Add)
        .collect();
    let roles = RolesBefore::take(ctx, &mut tx, named_by(&ops)).await?;
    let changes = apply_members(ctx, &mut tx, &id, &ops).await?;
    events::group_written(ctx, &mut tx, "group.created", &rec).await?;
    changes.append(ctx, &mut tx, &rec).await?;
    RolesBefore::append(roles, ctx, &mut tx).await?;
    tx.commit().await?;
    refresh_roles(ctx, None, Vec::new(), &ops).await;
    let body = render_one(ctx, &rec, &ctx_projection(ctx)).await?;
    Ok(resource_response(StatusCode::CREATED, &body, rec.version))
}

pub async fn get(ctx: &Ctx<'_>, id: &str) -> ScimResult<HttpResponse> {
    let rec = ctx
        .state
        .store
        .get_group(&ctx.org, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let body = render_one(ctx, &rec, &ctx_projection(ctx)).await?;
    Ok(resource_response(StatusCode::OK, &body, rec.version))
}

pub async fn list(ctx: &Ctx<'_>, params: ListParams) -> ScimResult<HttpResponse> {
    let (query, start) = params.query(&GROUP)?;
    let proj = projection(params.attributes.as_deref(), params.excluded.as_deref());
    let _turn = ctx.list_turn().await?;
    let (total, rows) = ctx.state.store.list_groups(&ctx.org, &query).await?;
    // One query for the members of the whole page (never one per group).
    let mut members: HashMap<String, Vec<MemberRow>> = HashMap::new();
    if proj.wants("members") && !rows.is_empty() {
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        for (gid, m) in ctx.state.store.members_of_groups(&ctx.org, &ids).await? {
            members.entry(gid).or_default().push(m);
        }
    }
    let resources = rows
        .iter()
        .map(|rec| {
            let list = proj
                .wants("members")
                .then(|| members.get(&rec.id).map(Vec::as_slice).unwrap_or_default());
            Ok(proj.apply(render::group(&ctx.base, rec, list)?))
        })
        .collect::<ScimResult<Vec<_>>>()?;
    let body = list_response(total, start, query.limit, resources);
    Ok(render::json_response(StatusCode::OK, &body))
}

async fn lock(ctx: &Ctx<'_>, tx: &mut DirTx, id: &str) -> ScimResult<GroupRecord> {
    let rec = tx
        .lock_group(&ctx.org, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if !if_match_ok(ctx.if_match.as_deref(), rec.version - 1) {
        return Err(ScimError::precondition_failed());
    }
    Ok(rec)
}

async fn finish(
    ctx: &Ctx<'_>,
    mut tx: DirTx,
    before_write: &GroupRecord,
    doc: &Map<String, Value>,
    ops: &[MemberOp],
    before: Vec<String>,
) -> ScimResult<HttpResponse> {
    let id = before_write.id.as_str();
    let write = to_write(doc)?;
    let mut touched = tx.member_ids(&ctx.org, id).await?;
    touched.extend(named_by(ops));
    let roles = RolesBefore::take(ctx, &mut tx, touched).await?;
    let rec = tx
        .update_group(&ctx.org, id, &write, ctx.now)
        .await
        .map_err(conflict(&write.display_name))?;
    let changes = apply_members(ctx, &mut tx, id, ops).await?;
    if rec.display_name != before_write.display_name
        || rec.external_id != before_write.external_id
        || rec.resource != before_write.resource
    {
        events::group_written(ctx, &mut tx, "group.updated", &rec).await?;
    }
    changes.append(ctx, &mut tx, &rec).await?;
    RolesBefore::append(roles, ctx, &mut tx).await?;
    tx.commit().await?;
    refresh_roles(ctx, Some(id), before, ops).await;
    let body = render_one(ctx, &rec, &ctx_projection(ctx)).await?;
    Ok(resource_response(StatusCode::OK, &body, rec.version))
}

pub async fn replace(ctx: &Ctx<'_>, id: &str, mut body: Value) -> ScimResult<HttpResponse> {
    adapters::normalize_body(&mut body);
    let (doc, members) = split_members(coerce_resource(&GROUP, &body)?)?;
    check_required(&GROUP, &doc)?;
    let before = session_holders(ctx, id).await?;
    let mut tx = ctx.state.store.begin_dir().await?;
    let old = lock(ctx, &mut tx, id).await?;
    // PUT replaces the member set when it names `members`; without it members are kept.
    let ops: Vec<MemberOp> = match members {
        Some(ids) => std::iter::once(MemberOp::Clear)
            .chain(ids.into_iter().map(MemberOp::Add))
            .collect(),
        None => Vec::new(),
    };
    finish(ctx, tx, &old, &doc, &ops, before).await
}

pub async fn patch(ctx: &Ctx<'_>, id: &str, body: Value) -> ScimResult<HttpResponse> {
    let ops = patch::parse_request(&body)?;
    let before = session_holders(ctx, id).await?;
    let mut tx = ctx.state.store.begin_dir().await?;
    let old = lock(ctx, &mut tx, id).await?;
    let doc: Map<String, Value> =
        serde_json::from_str(&old.resource).map_err(|_| ScimError::internal())?;
    let outcome = patch::apply(&GROUP, id, doc, ops)?;
    finish(ctx, tx, &old, &outcome.doc, &outcome.members, before).await
}

pub async fn delete(ctx: &Ctx<'_>, id: &str) -> ScimResult<HttpResponse> {
    let before = session_holders(ctx, id).await?;
    let mut tx = ctx.state.store.begin_dir().await?;
    let old = lock(ctx, &mut tx, id).await?;
    let members = tx.member_ids(&ctx.org, id).await?;
    let roles = RolesBefore::take(ctx, &mut tx, members).await?;
    tx.delete_group(&ctx.org, id).await?;
    events::group_written(ctx, &mut tx, "group.deleted", &old).await?;
    RolesBefore::append(roles, ctx, &mut tx).await?;
    tx.commit().await?;
    refresh_roles(ctx, None, before, &[]).await;
    Ok(HttpResponse::NoContent().finish())
}
