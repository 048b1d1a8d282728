//! The events of an IdP's SCIM transcript (the Okta sequences tests/api/scim replays) come
//! out of `GET /api/v1/events` in the order the IdP caused them: one event per change, none
//! for reads, refusals (409, 400) or writes that changed nothing.

use super::{all_events, types_of};
use crate::both_dbs;
use crate::helpers::TestApp;
use crate::scim::transcripts::replay;

both_dbs!(
    the_okta_spec_test_comes_out_in_order,
    okta_updates_and_group_push_come_out_in_order,
);

/// The events after the runner's own sign-in and SCIM token.
async fn idp_events(app: &TestApp) -> Vec<serde_json::Value> {
    let events = all_events(app, &app.client).await;
    assert_eq!(
        types_of(&events[..2]),
        ["session.created", "scim_token.created"]
    );
    events[2..].to_vec()
}

async fn the_okta_spec_test_comes_out_in_order(app: TestApp) {
    replay(&app, "okta_spec_test.json").await;
    let events = idp_events(&app).await;
    assert_eq!(
        types_of(&events),
        [
            "user.created",     // step 1: the seed user
            "user.created",     // step 7: Okta's random user (step 9, the same again, is a 409)
            "user.deactivated", // step 14: PATCH active false
        ]
    );
    assert_eq!(events[0]["data"]["user_name"], "seed@acme.test");
    assert_eq!(events[1]["data"]["user_name"], "random9f@okta.test");
    assert_eq!(events[2]["data"]["id"], events[1]["data"]["id"]);
    assert_eq!(events[2]["data"]["active"], false);
    assert!(events.iter().all(|e| e["actor"]["type"] == "scim"));
}

async fn okta_updates_and_group_push_come_out_in_order(app: TestApp) {
    replay(&app, "okta_updates_and_group_push.json").await;
    let events = idp_events(&app).await;
    assert_eq!(
        types_of(&events),
        [
            "user.created",         // 1: pat
            "user.updated",         // 3: full PUT with a new given name
            "user.deactivated",     // 4: PUT active false
            "user.reactivated",     // 5: PUT active true
            "user.created",         // 7: quinn
            "group.created",        // 8: Okta Push, no members
            "group.updated",        // 9: renamed (step 13, a 400, changes nothing)
            "group.member_added",   // 10: pat
            "group.member_removed", // 11: pat removed by filter, then...
            "group.member_added",   // 11: ...quinn added, in the PATCH's order
            "group.member_removed", // 12: the empty push clears quinn
        ]
    );
    let pat = events[0]["data"]["id"].as_str().expect("pat");
    let quinn = events[4]["data"]["id"].as_str().expect("quinn");
    let members: Vec<&str> = events[7..]
        .iter()
        .map(|e| e["data"]["user"]["id"].as_str().expect("member"))
        .collect();
    assert_eq!(members, [pat, pat, quinn, quinn]);
    assert_eq!(events[6]["data"]["display_name"], "Okta Push 2");
    assert!(events[7..]
        .iter()
        .all(|e| e["data"]["group"]["display_name"] == "Okta Push 2"));
}
