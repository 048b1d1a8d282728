//! The JSON surfaces' routes and their OpenAPI operations from one source: a handler's
//! `#[utoipa::path]` states its method and path once, and [`ApiRoutes::add`] both routes the
//! handler there and files the same operation in the document, so the two cannot drift.

use actix_web::http::{header, Method};
use actix_web::{web, FromRequest, Handler, HttpResponse, Responder};
use utoipa::openapi::path::{HttpMethod, Operation, Paths};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, Ref, RefOr};

pub use super::api_schemas::{Auth, ErrorBody, OAuthErrorBody};

type SchemaList = Vec<(String, RefOr<Schema>)>;

/// One path's resource and the methods routed on it.
struct Mounted {
    path: String,
    methods: Vec<Method>,
    resource: Option<actix_web::Resource>,
}

/// What `#[utoipa::path]` generates for a handler: its operation, its tags and the schemas
/// the operation names.
pub trait Documented:
    utoipa::Path + utoipa::__dev::SchemaReferences + for<'t> utoipa::__dev::Tags<'t>
{
}
impl<P> Documented for P where
    P: utoipa::Path + utoipa::__dev::SchemaReferences + for<'t> utoipa::__dev::Tags<'t>
{
}

/// The routes being registered and the document being written alongside.
#[derive(Default)]
pub struct ApiRoutes {
    resources: Vec<Mounted>,
    paths: Paths,
    schemas: SchemaList,
}

impl ApiRoutes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Routes `handler` at the method(s) and path of its `#[utoipa::path]` (`_doc` is the
    /// `__path_<handler>` value the macro generates) and documents it as `auth` requires.
    pub fn add<P, F, Args>(&mut self, auth: Auth, _doc: P, handler: F) -> &mut Self
    where
        P: Documented,
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        for method in P::methods() {
            let method = actix_method(&method);
            let route = web::method(method.clone()).to(handler.clone());
            let mounted = self.mounted(&P::path());
            mounted.methods.push(method);
            edit(mounted, |r| r.route(route));
        }
        self.document::<P>(auth);
        self
    }

    fn mounted(&mut self, path: &str) -> &mut Mounted {
        let at = match self.resources.iter().position(|m| m.path == path) {
            Some(at) => at,
            None => {
                self.resources.push(Mounted {
                    path: path.to_owned(),
                    methods: Vec::new(),
                    resource: Some(web::resource(path.to_owned())),
                });
                self.resources.len() - 1
            }
        };
        &mut self.resources[at]
    }

    fn document<P>(&mut self, auth: Auth)
    where
        P: Documented,
    {
        let path = P::path();
        let mut operation = P::operation();
        let tags = <P as utoipa::__dev::Tags>::tags();
        if !tags.is_empty() {
            operation.tags = Some(tags.into_iter().map(str::to_owned).collect());
        }
        complete(&mut operation, auth, &path);
        // An operation id names one operation (OpenAPI 3.1 §4.8.10): a handler documented
        // under several methods keeps its id on the first and a suffixed one on the others.
        for (n, method) in P::methods().into_iter().enumerate() {
            let mut one = operation.clone();
            if n > 0 {
                let suffix = actix_method(&method).as_str().to_lowercase();
                one.operation_id = one.operation_id.map(|id| format!("{id}_{suffix}"));
            }
            self.paths.add_path_operation(&path, vec![method], one);
        }
        P::schemas(&mut self.schemas);
    }

    /// Mounts every route on the application, in the order they were added.
    pub fn register(self, cfg: &mut web::ServiceConfig) {
        for mounted in self.resources {
            let Some(mut resource) = mounted.resource else {
                continue;
            };
            let allow = allow_header(&mounted.methods);
            let oauth = mounted.path.starts_with("/oauth2/");
            resource = resource.default_service(web::to(move || {
                std::future::ready(method_not_allowed(&allow, oauth))
            }));
            cfg.service(resource);
        }
    }

    /// The documented paths and the schemas their operations name.
    pub fn into_document_parts(self) -> (Paths, SchemaList) {
        (self.paths, self.schemas)
    }
}

fn edit(mounted: &mut Mounted, change: impl FnOnce(actix_web::Resource) -> actix_web::Resource) {
    if let Some(resource) = mounted.resource.take() {
        mounted.resource = Some(change(resource));
    }
}

/// RFC 9110 §15.5.6: a 405 lists the methods the path serves. HEAD is served wherever GET
/// is (the root guard answers HEAD as GET).
fn allow_header(methods: &[Method]) -> String {
    let mut names: Vec<&str> = methods.iter().map(Method::as_str).collect();
    if methods.contains(&Method::GET) && !methods.contains(&Method::HEAD) {
        names.push("HEAD");
    }
    names.join(", ")
}

/// The 405 in the surface's own error shape: RFC 6749 §5.2 under `/oauth2/` (whose
/// answers are never cached, §5.1), CONTRACT §2 elsewhere.
fn method_not_allowed(allow: &str, oauth: bool) -> HttpResponse {
    let mut answer = HttpResponse::MethodNotAllowed();
    answer.insert_header((header::ALLOW, allow));
    if oauth {
        return answer
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(serde_json::json!({
                "error": "invalid_request",
                "error_description": format!("this endpoint takes {allow}"),
            }));
    }
    answer.json(serde_json::json!({
        "error": "method_not_allowed",
        "message": "this method is not allowed on this path",
    }))
}

fn actix_method(method: &HttpMethod) -> Method {
    match method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Trace => Method::TRACE,
    }
}

/// Adds what every operation of a kind shares, written once here rather than on each
/// handler: its security requirements and, under `/api/`, the CONTRACT §2 error responses
/// any such request can get (credential refused, body rules, rate limit, database down).
fn complete(operation: &mut Operation, auth: Auth, path: &str) {
    let requirements: Vec<SecurityRequirement> = auth
        .schemes()
        .iter()
        .map(|name| SecurityRequirement::new::<_, [&str; 0], &str>(*name, []))
        .collect();
    if !requirements.is_empty() {
        operation.security = Some(requirements);
    }
    if !path.starts_with("/api/") {
        return;
    }
    let has_body = operation.request_body.is_some();
    let mut common: Vec<(&str, &str)> = vec![
        ("400", "The request is malformed (see `error`)."),
        (
            "429",
            "Too many attempts; `Retry-After` says when to retry.",
        ),
        (
            "503",
            "The database is unavailable (`database_unavailable`).",
        ),
    ];
    if !auth.schemes().is_empty() {
        common.push(("401", "No credential, or one this surface does not accept."));
        common.push(("403", "The credential may not do this."));
    }
    if has_body {
        common.push(("413", "The request body is too large."));
        common.push(("415", "The request body must be `application/json`."));
    }
    for (status, description) in common {
        let responses = &mut operation.responses.responses;
        if !responses.contains_key(status) {
            responses.insert(status.to_owned(), error_response(description));
        }
    }
}

/// A response whose body is the CONTRACT §2 error object.
pub fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}
