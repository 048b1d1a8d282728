//! The bodies of the events feed and the webhooks API (CONTRACT.md §15), as `render`,
//! `api`, `webhooks_api` and `crate::webhooks` build them.

use utoipa::ToSchema;

/// An event type: CONTRACT §15's, plus `webhook.disabled` (an endpoint answered 410) and
/// `webhook.test` (a test delivery, never in the feed).
#[derive(ToSchema)]
pub enum EventType {
    #[serde(rename = "user.created")]
    UserCreated,
    #[serde(rename = "user.updated")]
    UserUpdated,
    #[serde(rename = "user.deactivated")]
    UserDeactivated,
    #[serde(rename = "user.reactivated")]
    UserReactivated,
    #[serde(rename = "user.deleted")]
    UserDeleted,
    #[serde(rename = "user.roles_changed")]
    UserRolesChanged,
    #[serde(rename = "group.created")]
    GroupCreated,
    #[serde(rename = "group.updated")]
    GroupUpdated,
    #[serde(rename = "group.deleted")]
    GroupDeleted,
    #[serde(rename = "group.member_added")]
    GroupMemberAdded,
    #[serde(rename = "group.member_removed")]
    GroupMemberRemoved,
    #[serde(rename = "session.created")]
    SessionCreated,
    #[serde(rename = "login.failed")]
    LoginFailed,
    #[serde(rename = "sso.config_created")]
    SsoConfigCreated,
    #[serde(rename = "sso.config_updated")]
    SsoConfigUpdated,
    #[serde(rename = "sso.config_deleted")]
    SsoConfigDeleted,
    #[serde(rename = "sso.certificate_expiring")]
    SsoCertificateExpiring,
    #[serde(rename = "sso.metadata_refreshed")]
    SsoMetadataRefreshed,
    #[serde(rename = "sso.metadata_refresh_failed")]
    SsoMetadataRefreshFailed,
    #[serde(rename = "client.created")]
    ClientCreated,
    #[serde(rename = "client.secret_rotated")]
    ClientSecretRotated,
    #[serde(rename = "client.deleted")]
    ClientDeleted,
    #[serde(rename = "scim_token.created")]
    ScimTokenCreated,
    #[serde(rename = "scim_token.revoked")]
    ScimTokenRevoked,
    #[serde(rename = "webhook.disabled")]
    WebhookDisabled,
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

/// Who made the change.
#[derive(ToSchema)]
pub struct EventActor {
    /// `user`, `org_admin`, `api_key`, `scim_token`, `setup_link`, `admin_api`, `system`, ...
    #[serde(rename = "type")]
    kind: String,
    /// Null for `system`.
    id: Option<String>,
}

/// One event, the same in the feed and in a webhook body.
#[derive(ToSchema)]
pub struct Event {
    /// Also the `webhook-id` of its deliveries.
    id: String,
    #[serde(rename = "type")]
    kind: EventType,
    org_id: String,
    #[schema(format = DateTime)]
    occurred_at: String,
    actor: EventActor,
    /// The resource as the portal APIs show it; never a secret.
    #[schema(value_type = Object)]
    data: (),
}

#[derive(ToSchema)]
pub struct EventPage {
    /// Oldest first, in commit order.
    events: Vec<Event>,
    /// Pass as `after` to continue; always present (the position reached when the page
    /// is short).
    next_cursor: String,
}

/// A webhook endpoint.
#[derive(ToSchema)]
pub struct Webhook {
    id: String,
    url: String,
    /// The event types delivered; empty for every type.
    types: Vec<EventType>,
    enabled: bool,
    #[schema(format = DateTime)]
    created_at: String,
    /// Why it is disabled (by an admin, or the endpoint answered 410); null when enabled.
    disabled_reason: Option<String>,
}

#[derive(ToSchema)]
pub struct WebhookList {
    webhooks: Vec<Webhook>,
}

/// A new endpoint, with its signing secret shown this once.
#[derive(ToSchema)]
pub struct CreatedWebhook {
    id: String,
    url: String,
    types: Vec<EventType>,
    enabled: bool,
    #[schema(format = DateTime)]
    created_at: String,
    disabled_reason: Option<String>,
    /// `whsec_` + base64: shown only here; keep it to verify `webhook-signature`.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    secret: String,
}

/// The endpoint after a secret rotation, with the new secret shown this once.
#[derive(ToSchema)]
pub struct RotatedWebhookSecret {
    id: String,
    url: String,
    types: Vec<EventType>,
    enabled: bool,
    #[schema(format = DateTime)]
    created_at: String,
    disabled_reason: Option<String>,
    /// The new `whsec_` secret: shown only here.
    secret: String,
    /// Until then deliveries carry a signature by the previous secret(s) too.
    #[schema(format = DateTime)]
    previous_secret_expires_at: String,
}

#[derive(ToSchema)]
pub struct QueuedTestDelivery {
    delivery_id: String,
    /// The `webhook-id` of the `webhook.test` delivery.
    event_id: String,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Not yet delivered; retried at `next_attempt_at`.
    Pending,
    Delivered,
    /// Gave up: the retries ran out, or the endpoint answered 410 and was disabled.
    Failed,
}

/// One event's delivery to the endpoint.
#[derive(ToSchema)]
pub struct WebhookDelivery {
    id: String,
    event_id: String,
    #[serde(rename = "type")]
    kind: EventType,
    status: DeliveryStatus,
    attempts: i64,
    /// The HTTP status of the last answer; null when none came.
    last_status: Option<i64>,
    last_error: Option<String>,
    /// Only while `pending`.
    #[schema(format = DateTime)]
    next_attempt_at: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

#[derive(ToSchema)]
pub struct WebhookDeliveryList {
    /// The latest 100, newest first.
    deliveries: Vec<WebhookDelivery>,
}
