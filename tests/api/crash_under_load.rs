//! Crashes lose nothing (issue 17, item 4): `kill -9` in the middle of concurrent SCIM creates
//! and multi-operation PATCHes keeps every answered write and half applies no PATCH; on
//! PostgreSQL a backend killed inside a request's transaction costs that request one 503 and
//! the pool recovers by itself.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::{Connection, Executor, PgConnection};

use crate::durability::org_session_and_token;
use crate::helpers::{spawn_app_with, Db, TestDb};
use crate::process::Process;
use crate::scim::{patch_body, user_body, Scim, SCIM_JSON};

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GROUPS: usize = 6;
/// Rounds of load: each is one POST, one group PATCH and one user PATCH.
const ROUNDS: usize = 48;
const PER_PATCH: usize = 3;
const AT_ONCE: usize = 16;
/// The kill comes after this many answers, a third of the load: requests are in flight.
const KILL_AFTER: usize = ROUNDS;
const LOAD_LIMIT: Duration = Duration::from_secs(10);

mod kill_nine_during_scim_load_half_applies_no_patch {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::kill_nine_during_load(super::Db::Sqlite).await;
    }
    #[cfg_attr(
        not(axid_pg_tests),
        ignore = "TEST_DATABASE_URL was not set when the tests were built"
    )]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::kill_nine_during_load(super::Db::Postgres).await;
    }
}

/// A SCIM client of a [`Process`]: it outlives the process it was made for.
#[derive(Clone)]
struct Idp {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Idp {
    /// The status and the body (Null sends none, and stands for a body cut off by the kill).
    async fn send(&self, m: Method, path: &str, body: &Value) -> reqwest::Result<(u16, Value)> {
        let url = format!("{}/scim/v2{path}", self.base);
        let mut req = self.http.request(m, url).bearer_auth(&self.token);
        if !body.is_null() {
            req = req.header("content-type", SCIM_JSON).body(body.to_string());
        }
        let res = req.send().await?;
        let status = res.status().as_u16();
        Ok((status, res.json().await.unwrap_or(Value::Null)))
    }

    /// A request that must succeed; its body.
    async fn ok(&self, m: Method, path: &str, body: &Value) -> Value {
        let (status, body) = self.send(m, path, body).await.expect("scim request");
        assert!((200..300).contains(&status), "{path}: {status} {body}");
        body
    }

    async fn get(&self, path: &str) -> Value {
        self.ok(Method::GET, path, &Value::Null).await
    }
}

/// The groups, and the users: user `k` is the target of user PATCH `k`, and group PATCH `k`
/// adds users `k*PER_PATCH..` (members of no other PATCH, so each PATCH's are recognisable).
struct Fixture {
    groups: Vec<String>,
    users: Vec<String>,
}

fn group_name(g: usize) -> String {
    format!("group{g}")
}

fn group_marker(k: usize) -> String {
    format!("group{} patch{k}", k % GROUPS)
}

fn user_marker(k: usize) -> String {
    format!("user patch{k}")
}

fn members_of_patch(f: &Fixture, k: usize) -> &[String] {
    &f.users[k * PER_PATCH..(k + 1) * PER_PATCH]
}

fn member_body(i: usize) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
           "userName": format!("member{i}@acme.test"), "title": "orig",
           "name": {"givenName": "orig", "familyName": "F"}, ENT: {"department": "orig"}})
}

async fn fixture(idp: &Idp) -> Fixture {
    let mut groups = Vec::new();
    for g in 0..GROUPS {
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                          "displayName": group_name(g)});
        let group = idp.ok(Method::POST, "/Groups", &body).await;
        groups.push(group["id"].as_str().expect("group id").to_owned());
    }
    let users = stream::iter(0..ROUNDS * PER_PATCH)
        .map(|i| async move {
            let user = idp.ok(Method::POST, "/Users", &member_body(i)).await;
            user["id"].as_str().expect("user id").to_owned()
        })
        .buffered(AT_ONCE)
        .collect()
        .await;
    Fixture { groups, users }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Job {
    Create(usize),
    GroupPatch(usize),
    UserPatch(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Answered(u16),
    /// Sent after the kill: the connection was refused.
    Refused,
    /// In flight at the kill: no answer.
    CutOff,
}

fn request(job: Job, f: &Fixture) -> (Method, String, Value) {
    match job {
        Job::Create(i) => {
            let body = user_body(&format!("load{i}@acme.test"));
            (Method::POST, "/Users".into(), body)
        }
        Job::GroupPatch(k) => {
            let members: Vec<Value> = members_of_patch(f, k)
                .iter()
                .map(|id| json!({"value": id}))
                .collect();
            let ops = json!([{"op": "add", "path": "members", "value": members},
                             {"op": "replace", "path": "displayName", "value": group_marker(k)}]);
            let path = format!("/Groups/{}", f.groups[k % GROUPS]);
            (Method::PATCH, path, patch_body(ops))
        }
        Job::UserPatch(k) => {
            let m = user_marker(k);
            let ops = json!([{"op": "replace", "path": "name.givenName", "value": m},
                             {"op": "replace", "path": "title", "value": m},
                             {"op": "replace", "path": format!("{ENT}:department"), "value": m}]);
            let path = format!("/Users/{}", f.users[k]);
            (Method::PATCH, path, patch_body(ops))
        }
    }
}

/// Runs the load (AT_ONCE in flight) and kills `axid` after KILL_AFTER answers; every
/// request's fate.
async fn load_then_kill(axid: Process, idp: &Idp, f: &Fixture) -> Vec<(Job, Fate)> {
    let fates = Mutex::new(Vec::new());
    let fates_ref = &fates;
    let jobs = (0..ROUNDS).flat_map(|i| [Job::Create(i), Job::GroupPatch(i), Job::UserPatch(i)]);
    let load = stream::iter(jobs).for_each_concurrent(AT_ONCE, |job| async move {
        let (method, path, body) = request(job, f);
        let fate = match idp.send(method, &path, &body).await {
            Ok((status, _)) => Fate::Answered(status),
            Err(e) if e.is_connect() => Fate::Refused,
            Err(_) => Fate::CutOff,
        };
        fates_ref.lock().expect("fates").push((job, fate));
    });
    let kill = async {
        let deadline = Instant::now() + LOAD_LIMIT;
        while fates_ref.lock().expect("fates").len() < KILL_AFTER {
            assert!(Instant::now() < deadline, "the load was too slow");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        axid.kill_nine().await;
    };
    let both = async { tokio::join!(load, kill) };
    let ended = tokio::time::timeout(Duration::from_secs(30), both).await;
    ended.expect("the load ends once the process is gone");
    fates.into_inner().expect("fates")
}

async fn kill_nine_during_load(db: Db) {
    let Some(test_db) = TestDb::create(db).await else {
        return;
    };
    let first = Process::start(&test_db.url).await;
    let (_portal, token) = org_session_and_token(&first).await;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(15));
    let http = http.build().expect("client");
    let base = first.base.clone();
    let mut idp = Idp { http, base, token };
    let f = fixture(&idp).await;
    let fates = load_then_kill(first, &idp, &f).await;
    let cut_off = fates
        .iter()
        .filter(|(_, fate)| *fate == Fate::CutOff)
        .count();
    eprintln!("{db:?}: {} requests, {cut_off} cut off", fates.len());
    assert!(cut_off > 0, "the kill came while requests were in flight");
    for (job, fate) in &fates {
        if let Fate::Answered(status) = fate {
            assert!(matches!(status, 200..=299 | 503), "{job:?}: {status}");
        }
    }

    let second = Process::start(&test_db.url).await;
    idp.base = second.base.clone();
    let acked: BTreeSet<Job> = fates
        .iter()
        .filter(|(_, fate)| matches!(fate, Fate::Answered(200..=299)))
        .map(|(job, _)| *job)
        .collect();
    check_creates(&idp, &acked).await;
    check_groups(&idp, &f, &acked).await;
    check_users(&idp, &f, &acked).await;
}

/// One list read: every user created under load, by userName.
async fn check_creates(idp: &Idp, acked: &BTreeSet<Job>) {
    let q = r#"/Users?count=100&attributes=userName&filter=userName%20sw%20%22load%22"#;
    let list = idp.get(q).await;
    let names: BTreeSet<&str> = list["Resources"]
        .as_array()
        .map(|a| a.iter().filter_map(|u| u["userName"].as_str()).collect())
        .unwrap_or_default();
    for i in (0..ROUNDS).filter(|i| acked.contains(&Job::Create(*i))) {
        let name = format!("load{i}@acme.test");
        assert!(names.contains(name.as_str()), "{name}: 201, lost");
    }
}

fn version_of(resource: &Value) -> usize {
    let etag = resource["meta"]["version"].as_str().expect("meta.version");
    let number = etag.trim_start_matches("W/").trim_matches('"');
    number.parse().expect("a numeric version")
}

/// The markers of group `g`'s PATCHes whose members are there: each PATCH's members are
/// all there or none is, and every PATCH answered 2xx is there.
fn applied_to_group(
    f: &Fixture,
    g: usize,
    members: &BTreeSet<&str>,
    acked: &BTreeSet<Job>,
) -> Vec<String> {
    let mut applied = Vec::new();
    for k in (0..ROUNDS).filter(|k| k % GROUPS == g) {
        let mine = members_of_patch(f, k);
        let present = mine.iter().filter(|id| members.contains(id.as_str()));
        let present = present.count();
        let msg = format!("group PATCH {k}: {present} of its members there");
        assert!(present == 0 || present == PER_PATCH, "half applied: {msg}");
        let lost = present == 0 && acked.contains(&Job::GroupPatch(k));
        assert!(!lost, "2xx, lost: {msg}");
        if present > 0 {
            applied.push(group_marker(k));
        }
    }
    applied
}

/// A group holds the members of its applied PATCHes and no others, one version per applied
/// PATCH, and the displayName of one of them (its own when none applied).
async fn check_groups(idp: &Idp, f: &Fixture, acked: &BTreeSet<Job>) {
    for (g, gid) in f.groups.iter().enumerate() {
        let group = idp.get(&format!("/Groups/{gid}")).await;
        let members: BTreeSet<&str> = group["members"]
            .as_array()
            .map(|a| a.iter().filter_map(|m| m["value"].as_str()).collect())
            .unwrap_or_default();
        let applied = applied_to_group(f, g, &members, acked);
        let stray = members.len() - applied.len() * PER_PATCH;
        assert_eq!(stray, 0, "group {g}: members of no PATCH");
        assert_eq!(version_of(&group), 1 + applied.len(), "group {g}: versions");
        // A name without its PATCH's members, or members without the name: half applied.
        let name = &group["displayName"];
        let own = applied.is_empty() && *name == group_name(g);
        let patched = applied.iter().any(|m| *name == m.as_str());
        assert!(own || patched, "group {g}: {name} is from no applied PATCH");
    }
}

/// Each user PATCH set three attributes: all carry its marker or none does.
async fn check_users(idp: &Idp, f: &Fixture, acked: &BTreeSet<Job>) {
    for k in 0..ROUNDS {
        let user = idp.get(&format!("/Users/{}", f.users[k])).await;
        let touched = [
            &user["name"]["givenName"],
            &user["title"],
            &user[ENT]["department"],
        ];
        let all = |v: &str| touched.iter().all(|t| *t == v);
        let applied = all(&user_marker(k));
        let msg = format!("user PATCH {k}: {touched:?}");
        assert!(applied || all("orig"), "half applied: {msg}");
        let lost = !applied && acked.contains(&Job::UserPatch(k));
        assert!(!lost, "2xx, lost: {msg}");
        assert_eq!(version_of(&user), 1 + usize::from(applied), "user {k}");
    }
}

#[cfg_attr(
    not(axid_pg_tests),
    ignore = "TEST_DATABASE_URL was not set when the tests were built"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backend_killed_mid_transaction_costs_one_503_and_pool_recovers() {
    // A budget far past the test's waits: the 503 can only come from the terminated backend.
    let extra = [("DATABASE_STATEMENT_TIMEOUT_MS", "60000")];
    let Some(app) = spawn_app_with(Db::Postgres, &extra).await else {
        return;
    };
    let scim = Scim::new(&app, "acme").await;
    let id = scim.user("held@acme.test").await;
    let path = format!("/Users/{id}");
    let rename =
        |name: &str| patch_body(json!([{"op": "replace", "path": "displayName", "value": name}]));

    // SHARE mode refuses writers but not readers: the token check and reads go through, and
    // the PATCH blocks at its first write, inside its transaction.
    let mut holder = PgConnection::connect(&app.db.url).await.expect("holder");
    holder.execute("BEGIN").await.expect("begin");
    holder
        .execute("LOCK TABLE users IN SHARE MODE")
        .await
        .expect("lock");
    let body = rename("never");
    let kill = async {
        terminate_lock_waiter(&app.db.url).await;
        holder.execute("ROLLBACK").await.expect("release the lock");
    };
    let both = async { tokio::join!(scim.patch(&path, &body), kill) };
    let (answer, ()) = tokio::time::timeout(Duration::from_secs(20), both)
        .await
        .expect("the blocked PATCH answers within 20 s");
    answer.error(503, None);

    let user = scim.get(&path).await.expect(200);
    assert!(
        user.get("displayName").is_none(),
        "nothing of the PATCH was applied"
    );
    assert_eq!(user["meta"]["version"], "W/\"1\"");
    for i in 0..20 {
        scim.patch(&path, &rename(&format!("after {i}")))
            .await
            .expect(200);
    }
    let scim_ref = &scim;
    let creates = (0..6).map(|i| {
        let body = user_body(&format!("after{i}@acme.test"));
        async move { scim_ref.post("/Users", &body).await.expect(201) }
    });
    futures_util::future::join_all(creates).await;
    assert_eq!(scim.get(&path).await.expect(200)["displayName"], "after 19");
}

/// Terminates the backend of the test database that waits on a lock (within 10 s). Its own
/// connection: inside the holder's transaction pg_stat_activity would be a frozen snapshot.
async fn terminate_lock_waiter(url: &str) {
    let mut admin = PgConnection::connect(url).await.expect("admin connection");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let killed: Option<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_optional(&mut admin)
        .await
        .expect("pg_stat_activity");
        if let Some(killed) = killed {
            assert!(killed, "the blocked backend was terminated");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no request blocked on the lock in 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
