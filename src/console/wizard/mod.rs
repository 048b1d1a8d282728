//! The SSO wizard (CONTRACT.md §16), for an admin at `/ui/sso` and for a setup link at
//! `/setup/sso`: pick the IdP, copy the values it needs, follow its steps (including how to
//! send groups), paste its metadata or enter the fields, map groups to roles, save a draft,
//! run a test sign-in that changes nothing, see what it would produce, then activate. The
//! work is `crate::sso_setup`'s, shared with the SSO API.

pub mod form;
mod result;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup};
use serde::Deserialize;

use self::form::{field_of, WizardForm};
use super::caller::ConsoleRefusal;
use super::layout::{copy_row, see_other, when};
use crate::credentials::ChangedBy;
use crate::domain::{OrgId, BUILTIN_ROLES};
use crate::federation::providers::{self, Provider, PROVIDERS};
use crate::federation::{load_config, sp_urls, LoadedConfig};
use crate::http::error::ApiError;
use crate::sso_setup::draft::{activate, discard, load, save_draft, Draft};
use crate::sso_setup::test_sign_in;
use crate::state::AppState;

/// Where the wizard lives (`/ui/sso` or `/setup/sso`) and for which organization.
pub struct Wizard<'a> {
    pub base: &'a str,
    pub org: &'a OrgId,
}

#[derive(Deserialize, Default)]
pub struct WizardQuery {
    provider: Option<String>,
    done: Option<String>,
}

/// What a form post asks for.
#[derive(Clone, Copy)]
pub enum Action {
    SaveDraft,
    Test,
    Activate,
    Discard,
}

/// The answer to a post: go somewhere, or show the wizard again (with the form's errors).
pub enum Acted {
    Go(HttpResponse),
    Show(StatusCode, Markup),
}

/// Runs `action`; a refusal the user can act on is shown beside its field.
pub async fn act(
    state: &AppState,
    w: &Wizard<'_>,
    by: &ChangedBy<'_>,
    action: Action,
    body: &str,
) -> Result<Acted, ConsoleRefusal> {
    let done = |what: &str| Acted::Go(see_other(&format!("{}?done={what}", w.base)));
    let typed = matches!(action, Action::SaveDraft).then(|| WizardForm::parse(body));
    let outcome = match (&typed, action) {
        (Some(form), _) => save_draft(state, w.org, by, form.to_json())
            .await
            .map(|_| done("saved")),
        (None, Action::Test) => test_sign_in::start(state, w.org, w.base)
            .await
            .map(Acted::Go),
        (None, Action::Activate) => activate(state, w.org, by).await.map(|()| done("activated")),
        (None, _) => discard(state, w.org, by).await.map(|()| done("discarded")),
    };
    match outcome {
        Ok(acted) => Ok(acted),
        Err(e) if e.status.is_client_error() => {
            let shown = Shown {
                form: typed.as_ref(),
                error: Some(&e),
                ..Shown::default()
            };
            Ok(Acted::Show(e.status, view(state, w, shown).await?))
        }
        Err(e) => Err(ConsoleRefusal::Page(e)),
    }
}

/// What the page shows beyond the stored state.
#[derive(Default)]
pub struct Shown<'a> {
    pub query: Option<&'a WizardQuery>,
    /// The form as typed, when a save was refused.
    pub form: Option<&'a WizardForm>,
    pub error: Option<&'a ApiError>,
}

/// The wizard's page body.
pub async fn view(state: &AppState, w: &Wizard<'_>, shown: Shown<'_>) -> Result<Markup, ApiError> {
    let draft = load(state, w.org).await?;
    let live = load_config(&state.store, w.org).await?;
    let chosen = shown
        .query
        .and_then(|q| q.provider.clone())
        .or_else(|| shown.form.map(|f| f.provider.clone()))
        .or_else(|| draft.as_ref().map(|d| d.config.provider.clone()))
        .or_else(|| live.as_ref().map(|l| l.config.provider.clone()));
    let provider = chosen
        .as_deref()
        .and_then(providers::find)
        .unwrap_or(&PROVIDERS[0]);
    let prefilled;
    let form = match (shown.form, &draft, &live) {
        (Some(f), _, _) => f,
        (None, Some(d), _) => {
            prefilled = WizardForm::of(&d.config);
            &prefilled
        }
        (None, None, Some(l)) => {
            prefilled = WizardForm::of(&l.config);
            &prefilled
        }
        (None, None, None) => {
            prefilled = WizardForm::default();
            &prefilled
        }
    };
    let done = shown.query.and_then(|q| q.done.as_deref());
    Ok(html! {
        h1 { "Single sign-on setup" }
        @if let Some(what) = done.and_then(done_text) { p.notice role="status" { (what) } }
        (live_status(live.as_ref()))
        (choose_provider(w.base, provider))
        (idp_steps(state, w.org, provider))
        (draft_form(w.base, provider, form, shown.error))
        @if let Some(d) = &draft { (draft_status(w.base, d)) }
    })
}

fn done_text(what: &str) -> Option<&'static str> {
    Some(match what {
        "saved" => "Draft saved. Run a test sign-in to see what a login would produce.",
        "activated" => "The draft is live: users now sign in with it.",
        "discarded" => "The draft was discarded; the live configuration is unchanged.",
        _ => return None,
    })
}

fn live_status(live: Option<&LoadedConfig>) -> Markup {
    html! {
        section #live {
            h2 { "Live configuration" }
            @match live {
                None => p { "Nothing is live yet: users cannot sign in with SSO." }
                Some(l) => p {
                    (l.config.protocol.as_str()) " · " (l.config.provider) " · "
                    @if l.config.enabled { "enabled" } @else { "disabled" }
                    " · changed " (when(l.updated_at))
                }
            }
        }
    }
}

fn choose_provider(base: &str, chosen: &Provider) -> Markup {
    html! {
        section {
            h2 { "1. Your identity provider" }
            nav.providers aria-label="Identity providers" {
                @for p in PROVIDERS {
                    @if p.id == chosen.id {
                        a href=(format!("{base}?provider={}", p.id)) aria-current="true" { (p.name) }
                    } @else {
                        a href=(format!("{base}?provider={}", p.id)) { (p.name) }
                    }
                    " "
                }
            }
        }
    }
}

/// The values to copy into the IdP, its steps, and the attribute names it should send.
fn idp_steps(state: &AppState, org: &OrgId, p: &Provider) -> Markup {
    let (entity_id, acs_url) = sp_urls(&state.settings, org);
    let [email, first, last, display, groups] = p.saml_attributes;
    html! {
        section #idp-steps {
            h2 { "2. In " (p.name) }
            table {
                (copy_row("sp-entity", "Audience / SP entity ID", &entity_id))
                (copy_row("sp-acs", "ACS (single sign-on) URL", &acs_url))
                (copy_row("sp-metadata", "SP metadata URL", &entity_id))
                (copy_row("sp-name-id", "NameID format", p.name_id_format))
            }
            ol { @for hint in p.hints { li { (hint) } } }
            p { "Attributes axid reads (send groups so roles can follow them):" }
            table {
                tr { th { "Email" } td { code { (email) } } }
                tr { th { "First name" } td { code { (first) } } }
                tr { th { "Last name" } td { code { (last) } } }
                tr { th { "Display name" } td { code { (display) } } }
                tr { th { "Groups" } td { code #groups-attribute { (groups) } } }
            }
        }
    }
}

fn field_error(error: Option<&ApiError>, field: &str) -> Markup {
    let message = error.filter(|e| field_of(e.code) == Some(field));
    super::layout::field_error(field, message.map(|e| e.message.as_str()))
}

fn draft_form(base: &str, p: &Provider, f: &WizardForm, error: Option<&ApiError>) -> Markup {
    let general = error.filter(|e| field_of(e.code).is_none());
    html! {
        section #draft-form {
            h2 { "3. Connect " (p.name) }
            @if let Some(e) = general { p.form-error #form-error role="alert" { (e.message) " (" code { (e.code) } ")" } }
            form method="post" action=(format!("{base}/draft")) {
                input type="hidden" name="provider" value=(p.id);
                p.muted { "Paste the IdP's metadata URL or XML; or enter its three values." }
                label for="metadata_url" { "Metadata URL" }
                input #metadata_url name="metadata_url" type="url" value=(f.metadata_url);
                (field_error(error, "metadata_url"))
                label for="metadata_xml" { "Metadata XML" }
                textarea #metadata_xml name="metadata_xml" rows="4" { (f.metadata_xml) }
                (field_error(error, "metadata_xml"))
                label for="idp_entity_id" { "IdP entity ID (issuer)" }
                input #idp_entity_id name="idp_entity_id" value=(f.idp_entity_id);
                (field_error(error, "idp_entity_id"))
                label for="idp_sso_url" { "IdP single sign-on URL" }
                input #idp_sso_url name="idp_sso_url" value=(f.idp_sso_url);
                (field_error(error, "idp_sso_url"))
                label for="idp_certificate" { "IdP signing certificate (PEM)" }
                textarea #idp_certificate name="idp_certificate" rows="4" { (f.idp_certificate) }
                (field_error(error, "idp_certificate"))
                label for="role_mappings" { "Group to role mappings, one " code { "group = role" } " per line (" (BUILTIN_ROLES.join(", ")) " or a role of your own)" }
                textarea #role_mappings name="role_mappings" rows="3" { (f.role_mappings) }
                (field_error(error, "role_mappings"))
                label for="default_role" { "Role when no group matches" }
                select #default_role name="default_role" {
                    option value="" selected[f.default_role.is_empty()] { "none (refuse the sign-in)" }
                    @for r in BUILTIN_ROLES { option value=(r) selected[f.default_role == *r] { (r) } }
                }
                label for="allowed_email_domains" { "Allowed email domains (optional, comma-separated)" }
                input #allowed_email_domains name="allowed_email_domains" value=(f.allowed_email_domains);
                (field_error(error, "allowed_email_domains"))
                label.inline { input type="checkbox" name="allow_idp_initiated" checked[f.allow_idp_initiated]; " Allow IdP-initiated sign-in (from the IdP's dashboard)" }
                p { button type="submit" { "Save draft" } }
            }
        }
    }
}

fn draft_status(base: &str, d: &Draft) -> Markup {
    let saml = d.config.saml.clone().unwrap_or_default();
    html! {
        section #draft {
            h2 { "4. Test, then activate" }
            p { "Draft saved " (when(d.updated_at)) " by " (d.updated_by) ". The live configuration is unchanged until you activate." }
            table {
                tr { th { "IdP entity ID" } td #draft-entity { (saml.idp_entity_id.unwrap_or_default()) } }
                tr { th { "IdP SSO URL" } td { (saml.idp_sso_url.unwrap_or_default()) } }
                tr { th { "Signing certificates" } td { (saml.idp_certificates.len()) } }
            }
            form method="post" action=(format!("{base}/test")) {
                button type="submit" { "Run a test sign-in" }
                " "
                span.muted { "You are sent to the IdP and back; nothing is created." }
            }
            @if let Some(result) = &d.test { (result::test_result(result)) }
            @else { p.muted #test-none { "Not tested yet." } }
            form method="post" action=(format!("{base}/activate")) {
                button type="submit" { "Activate" }
            }
            form method="post" action=(format!("{base}/discard")) {
                button.link type="submit" { "Discard the draft" }
            }
        }
    }
}
