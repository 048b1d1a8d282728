//! The directory page: users with their groups, effective roles and whether they are
//! deactivated, then groups; 50 of each a page. Roles come from the same resolution the
//! portal API and sessions use (`login::role_changes::effective`).

use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::caller::{ConsoleCaller, ConsoleRefusal};
use super::layout::{page, when};
use crate::http::error::ApiError;
use crate::login::role_changes::{effective, RoleConfig};
use crate::state::AppState;
use crate::store::{GroupRecord, ListQuery, UserGroupRow, UserRecord};

const PAGE_SIZE: i64 = 50;
/// Far past any directory; keeps offset + limit from overflowing.
const MAX_OFFSET: i64 = 1 << 40;

#[derive(Deserialize)]
pub struct DirectoryQuery {
    users_from: Option<i64>,
    groups_from: Option<i64>,
}

fn offset(value: Option<i64>) -> Result<i64, ConsoleRefusal> {
    match value {
        None => Ok(0),
        Some(n) if (0..=MAX_OFFSET).contains(&n) => Ok(n),
        Some(_) => Err(ConsoleRefusal::Page(ApiError::bad_request(
            "invalid_cursor",
            "the page offset is not valid",
        ))),
    }
}

fn query(offset: i64) -> ListQuery {
    ListQuery {
        cond: None,
        sort: None,
        offset,
        limit: PAGE_SIZE,
    }
}

fn users_table(
    users: &[UserRecord],
    groups: &[UserGroupRow],
    config: Option<&RoleConfig>,
) -> Markup {
    html! {
        table {
            tr { th { "User name" } th { "Name" } th { "Email" } th { "Status" } th { "Groups" } th { "Roles" } th { "Source" } }
            @for u in users {
                @let mine: Vec<UserGroupRow> = groups.iter().filter(|g| g.user_id == u.id).cloned().collect();
                @let roles = effective(config, u, &mine);
                tr {
                    td { (u.user_name) }
                    td { (u.display_name.as_deref().unwrap_or("")) }
                    td { (u.email_lc.as_deref().unwrap_or("")) }
                    td { @if u.active() { "active" } @else { span.warn { "deactivated" } } }
                    td { (mine.iter().map(|g| g.display_name.as_str()).collect::<Vec<_>>().join(", ")) }
                    td { (roles.join(", ")) }
                    td { (u.source) }
                }
            }
        }
    }
}

fn groups_table(groups: &[GroupRecord]) -> Markup {
    html! {
        table {
            tr { th { "Group" } th { "External id" } th { "Changed" } }
            @for g in groups {
                tr { td { (g.display_name) } td.mono { (g.external_id.as_deref().unwrap_or("")) } td { (when(g.updated_at)) } }
            }
        }
    }
}

/// "Next" when more rows follow this page.
fn next_link(name: &str, from: i64, total: i64, other: (&str, i64)) -> Markup {
    html! {
        @if from + PAGE_SIZE < total {
            p { a rel="next" href=(format!("/ui/directory?{name}={}&{}={}", from + PAGE_SIZE, other.0, other.1)) { "Next " (PAGE_SIZE) } }
        }
    }
}

pub async fn show(
    state: web::Data<AppState>,
    caller: ConsoleCaller,
    q: web::Query<DirectoryQuery>,
) -> Result<HttpResponse, ConsoleRefusal> {
    caller.require_admin()?;
    let (users_from, groups_from) = (offset(q.users_from)?, offset(q.groups_from)?);
    let (user_total, users, memberships) = state
        .store
        .list_users_with_groups(&caller.org, &query(users_from))
        .await?;
    let (group_total, groups) = state
        .store
        .list_groups(&caller.org, &query(groups_from))
        .await?;
    let config = state
        .store
        .sso_config_json(&caller.org)
        .await?
        .as_deref()
        .map(RoleConfig::parse);
    let body = html! {
        h1 { "Directory" }
        section aria-labelledby="users-h" {
            h2 id="users-h" { "Users (" (user_total) ")" }
            @if users.is_empty() { p { "No users yet." } } @else { (users_table(&users, &memberships, config.as_ref())) }
            (next_link("users_from", users_from, user_total, ("groups_from", groups_from)))
        }
        section aria-labelledby="groups-h" {
            h2 id="groups-h" { "Groups (" (group_total) ")" }
            @if groups.is_empty() { p { "No groups yet." } } @else { (groups_table(&groups)) }
            (next_link("groups_from", groups_from, group_total, ("users_from", users_from)))
        }
    };
    Ok(page("Directory", "/ui/directory", &caller.viewer(), body))
}
