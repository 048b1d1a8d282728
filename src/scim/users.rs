//! `/Users` (RFC 7644 §3.3-3.6): create with the seat limit, get, list, replace, patch and
//! delete; deactivation and deletion revoke the user's portal sessions at once.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{Map, Value};

use super::adapters;
use super::coerce::{check_required, coerce_resource};
use super::error::{ScimError, ScimResult};
use super::index::{primary_email, user_values};
use super::list::{list_response, ListParams};
use super::render::{self, if_match_ok, resource_response, user_projection, Projection};
use super::schema::USER;
use super::{events, patch, Ctx};
use crate::store::{UserGroupRow, UserRecord, UserWrite};

const MAX_USER_NAME: usize = 1024;

fn not_found(id: &str) -> ScimError {
    ScimError::not_found(format!("User {id} not found"))
}

fn projection(ctx: &Ctx) -> Projection {
    user_projection(ctx.param("attributes"), ctx.param("excludedAttributes"))
}

fn to_write(doc: &Map<String, Value>) -> ScimResult<UserWrite> {
    let user_name = doc
        .get("userName")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ScimError::invalid_value("'userName' is required"))?;
    if user_name.chars().count() > MAX_USER_NAME {
        return Err(ScimError::invalid_value(format!(
            "'userName' is longer than {MAX_USER_NAME} characters"
        )));
    }
    let text = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_owned);
    Ok(UserWrite {
        user_name: user_name.to_owned(),
        external_id: text("externalId"),
        display_name: text("displayName"),
        email_lc: primary_email(doc),
        active: doc.get("active").and_then(Value::as_bool).unwrap_or(true),
        resource: Value::Object(doc.clone()).to_string(),
        values: user_values(doc),
    })
}

async fn render_one(ctx: &Ctx<'_>, rec: &UserRecord, proj: &Projection) -> ScimResult<Value> {
    let groups = if proj.wants("groups") {
        ctx.state
            .store
            .groups_of_users(&ctx.org, &[rec.id.as_str()])
            .await?
    } else {
        Vec::new()
    };
    let refs: Vec<&UserGroupRow> = groups.iter().collect();
    Ok(proj.apply(render::user(&ctx.base, rec, &refs)?))
}

fn stored_doc(rec: &UserRecord) -> ScimResult<Map<String, Value>> {
    serde_json::from_str(&rec.resource).map_err(|_| ScimError::internal())
}

async fn revoke_if_inactive(ctx: &Ctx<'_>, rec: &UserRecord) -> ScimResult<()> {
    if !rec.active() {
        ctx.state
            .store
            .delete_principal_sessions(&ctx.org, "user", &rec.id, None)
            .await?;
    }
    Ok(())
}

pub async fn create(ctx: &Ctx<'_>, mut body: Value) -> ScimResult<HttpResponse> {
    adapters::normalize_body(&mut body);
    let doc = coerce_resource(&USER, &body)?;
    check_required(&USER, &doc)?;
    let write = to_write(&doc)?;
    let seats = ctx
        .state
        .store
        .get_license(&ctx.org)
        .await?
        .and_then(|l| l.seats);
    let id = uuid::Uuid::new_v4().to_string();
    let taken = |e| match e {
        crate::store::StoreError::Conflict(_) => ScimError::uniqueness(format!(
            "a user with userName '{}' already exists",
            write.user_name
        )),
        other => other.into(),
    };
    let rec = match seats {
        // Counting seats reads inside the transaction: an interactive one.
        Some(seats) => {
            let mut tx = ctx.state.store.begin_dir().await?;
            // RFC 7644 §3.12 has no scimType for this; CONTRACT.md §3 asks for 403.
            tx.lock_org(&ctx.org).await?;
            if tx.count_users(&ctx.org).await? >= seats {
                return Err(ScimError::forbidden(format!(
                    "the seat limit was reached: the license allows {seats} users"
                )));
            }
            let rec = tx
                .insert_user(&ctx.org, &id, &write, "scim", ctx.now)
                .await
                .map_err(taken)?;
            events::user_created(ctx, &mut tx, &rec).await?;
            tx.commit().await?;
            rec
        }
        // Otherwise one write plan: row, index values and event (store/user_create.rs).
        None => ctx
            .state
            .store
            .create_user(
                &ctx.org,
                &id,
                &write,
                "scim",
                ctx.now,
                events::user_created_event,
            )
            .await
            .map_err(taken)?,
    };
    let body = projection(ctx).apply(render::user(&ctx.base, &rec, &[])?);
    Ok(resource_response(StatusCode::CREATED, &body, rec.version))
}

/// GET /Users/{id}: `found` (the user and its groups) comes from the query that checked
/// the token (`authenticate` in mod.rs), so the read costs one round trip.
pub fn get(
    ctx: &Ctx<'_>,
    id: &str,
    found: Option<(UserRecord, Vec<UserGroupRow>)>,
) -> ScimResult<HttpResponse> {
    let (rec, groups) = found.ok_or_else(|| not_found(id))?;
    let proj = projection(ctx);
    let refs: Vec<&UserGroupRow> = if proj.wants("groups") {
        groups.iter().collect()
    } else {
        Vec::new()
    };
    let body = proj.apply(render::user(&ctx.base, &rec, &refs)?);
    Ok(resource_response(StatusCode::OK, &body, rec.version))
}

pub async fn list(ctx: &Ctx<'_>, params: ListParams) -> ScimResult<HttpResponse> {
    let (query, start) = params.query(&USER)?;
    let proj = user_projection(params.attributes.as_deref(), params.excluded.as_deref());
    let _turn = ctx.list_turn().await?;
    let (total, rows, groups) = if proj.wants("groups") {
        ctx.state
            .store
            .list_users_with_groups(&ctx.org, &query)
            .await?
    } else {
        let (total, rows) = ctx.state.store.list_users(&ctx.org, &query).await?;
        (total, rows, Vec::new())
    };
    let mut by_user: HashMap<&str, Vec<&UserGroupRow>> = HashMap::new();
    for g in &groups {
        by_user.entry(g.user_id.as_str()).or_default().push(g);
    }
    let resources = rows
        .iter()
        .map(|r| {
            let gs = by_user
                .get(r.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            Ok(proj.apply(render::user(&ctx.base, r, gs)?))
        })
        .collect::<ScimResult<Vec<_>>>()?;
    let body = list_response(total, start, query.limit, resources);
    Ok(render::json_response(StatusCode::OK, &body))
}

/// Locks the user for this transaction and checks `If-Match` against its version before
/// this request (RFC 7644 §3.14: 412 on mismatch).
async fn lock(ctx: &Ctx<'_>, tx: &mut crate::store::DirTx, id: &str) -> ScimResult<UserRecord> {
    let rec = tx
        .lock_user(&ctx.org, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if !if_match_ok(ctx.if_match.as_deref(), rec.version - 1) {
        return Err(ScimError::precondition_failed());
    }
    Ok(rec)
}

async fn store_update(
    ctx: &Ctx<'_>,
    mut tx: crate::store::DirTx,
    old: &UserRecord,
    doc: &Map<String, Value>,
) -> ScimResult<HttpResponse> {
    let id = old.id.as_str();
    let write = to_write(doc)?;
    let rec = tx
        .update_user(&ctx.org, id, &write, ctx.now)
        .await
        .map_err(|e| match e {
            crate::store::StoreError::Conflict(_) => ScimError::uniqueness(format!(
                "a user with userName '{}' already exists",
                write.user_name
            )),
            other => other.into(),
        })?;
    events::user_changed(ctx, &mut tx, old, &rec).await?;
    tx.commit().await?;
    revoke_if_inactive(ctx, &rec).await?;
    let body = render_one(ctx, &rec, &projection(ctx)).await?;
    Ok(resource_response(StatusCode::OK, &body, rec.version))
}

pub async fn replace(ctx: &Ctx<'_>, id: &str, mut body: Value) -> ScimResult<HttpResponse> {
    adapters::normalize_body(&mut body);
    let mut doc = coerce_resource(&USER, &body)?;
    let mut tx = ctx.state.store.begin_dir().await?;
    let old = lock(ctx, &mut tx, id).await?;
    adapters::keep_unasserted(&mut doc, &stored_doc(&old)?, &body);
    check_required(&USER, &doc)?;
    store_update(ctx, tx, &old, &doc).await
}

pub async fn patch(ctx: &Ctx<'_>, id: &str, body: Value) -> ScimResult<HttpResponse> {
    let ops = patch::parse_request(&body)?;
    let mut tx = ctx.state.store.begin_dir().await?;
    let old = lock(ctx, &mut tx, id).await?;
    let doc = stored_doc(&old)?;
    let outcome = patch::apply(&USER, id, doc, ops)?;
    store_update(ctx, tx, &old, &outcome.doc).await
}

pub async fn delete(ctx: &Ctx<'_>, id: &str) -> ScimResult<HttpResponse> {
    let mut tx = ctx.state.store.begin_dir().await?;
    let old = lock(ctx, &mut tx, id).await?;
    tx.delete_user(&ctx.org, id).await?;
    events::user_deleted(ctx, &mut tx, &old).await?;
    tx.commit().await?;
    ctx.state
        .store
        .delete_principal_sessions(&ctx.org, "user", id, None)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
