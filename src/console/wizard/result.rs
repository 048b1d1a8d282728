//! The test sign-in's result as the wizard shows it: NameID, every attribute, the identity
//! read from them, the roles the mappings give and the warnings; or why it was refused.
//! Every value came from the IdP and is escaped by maud.

use maud::{html, Markup};
use serde_json::Value;

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn list(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

pub fn test_result(result: &Value) -> Markup {
    if result["outcome"] != "passed" {
        return html! {
            section #test-result .result-failed role="status" {
                h2 { "Test sign-in refused" }
                p { code #test-reason { (text(&result["reason"])) } " · " (text(&result["message"])) }
                p.muted { "Who must fix it: " (text(&result["fix_side"])) " · tested " (text(&result["tested_at"])) }
            }
        };
    }
    let identity = &result["identity"];
    html! {
        section #test-result .result-passed role="status" {
            h2 { "Test sign-in passed" }
            p {
                @if result["would_sign_in"] == true { "This user would be signed in with the roles below." }
                @else { strong { "This user would be refused:" } " see the warnings." }
            }
            table {
                tr { th { "NameID" } td #test-name-id { (text(&result["name_id"])) } }
                tr { th { "NameID format" } td { (text(&result["name_id_format"])) } }
                tr { th { "Issuer" } td { (text(&result["issuer"])) } }
                tr { th { "Email" } td #test-email { (text(&identity["email"])) } }
                tr { th { "Name" } td { (text(&identity["first_name"])) " " (text(&identity["last_name"])) } }
                tr { th { "Groups" } td #test-groups { (list(&identity["groups"]).join(", ")) } }
                tr { th { "Roles" } td #test-roles { (list(&result["roles"]).join(", ")) } }
                tr { th { "Encrypted assertion" } td { @if result["encrypted"] == true { "yes" } @else { "no" } } }
            }
            @let warnings = result["warnings"].as_array().cloned().unwrap_or_default();
            @if !warnings.is_empty() {
                h3 { "Warnings" }
                ul #test-warnings {
                    @for w in &warnings { li { code { (text(&w["code"])) } " " (text(&w["message"])) } }
                }
            }
            h3 { "Attributes" }
            table #test-attributes {
                thead { tr { th { "Name" } th { "Values" } } }
                tbody {
                    @for a in result["attributes"].as_array().into_iter().flatten() {
                        tr { td { (text(&a["name"])) } td { (list(&a["values"]).join(", ")) } }
                    }
                }
            }
            p.muted { "Tested " (text(&result["tested_at"])) ". The test wrote no user, session or replay entry." }
        }
    }
}
