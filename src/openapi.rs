//! The OpenAPI 3.1 document of the JSON surfaces and its route, `/openapi.json`: built from
//! the same route registry that mounts those surfaces, so it lists exactly what is served.

use std::sync::OnceLock;

use actix_web::{web, HttpResponse};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApiBuilder};
use utoipa::{PartialSchema, ToSchema};

use crate::http::api_routes::{ApiRoutes, ErrorBody};
use crate::http::api_schemas::security_schemes;

/// Every documented route of every surface, in the order they are mounted.
pub fn api_routes() -> ApiRoutes {
    let mut routes = ApiRoutes::new();
    crate::portal::openapi::api_routes(&mut routes);
    crate::sso::openapi::api_routes(&mut routes);
    crate::scim::openapi::api_routes(&mut routes);
    crate::tokens::openapi::api_routes(&mut routes);
    crate::events::openapi::api_routes(&mut routes);
    crate::console::openapi::api_routes(&mut routes);
    crate::op::openapi::api_routes(&mut routes);
    crate::verify::openapi::api_routes(&mut routes);
    routes
}

/// The document, serialised once: it depends on the code alone.
pub fn document_json() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let (paths, mut schemas) = api_routes().into_document_parts();
        schemas.push((ErrorBody::name().into_owned(), ErrorBody::schema()));
        let mut components = ComponentsBuilder::new().schemas_from_iter(schemas);
        for (name, scheme) in security_schemes() {
            components = components.security_scheme(name, scheme);
        }
        let info = InfoBuilder::new()
            .title("axid")
            .version(env!("CARGO_PKG_VERSION"))
            .description(Some(
                "SSO (SAML 2.0, OpenID Connect) and SCIM 2.0 identity service: the portal, \
                 admin, SSO, token service and events APIs. Errors under /api/ have the body \
                 of ErrorBody; /oauth2 errors follow RFC 6749 §5.2.",
            ))
            .build();
        let document = OpenApiBuilder::new()
            .info(info)
            .paths(paths)
            .components(Some(components.build()))
            .build();
        // Serialising plain data structures cannot fail; an empty object is the fallback.
        serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_owned())
    })
}

/// Schema names that two different schemas claim: the document keeps only one of them, so
/// a clash would silently describe one surface's body with another's (a test keeps this
/// empty).
pub fn schema_name_clashes() -> Vec<String> {
    let (_, schemas) = api_routes().into_document_parts();
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut clashes = Vec::new();
    for (name, schema) in schemas {
        let text = serde_json::to_string(&schema).unwrap_or_default();
        match seen.get(&name) {
            Some(earlier) if *earlier != text => clashes.push(name),
            Some(_) => {}
            None => {
                seen.insert(name, text);
            }
        }
    }
    clashes
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/openapi.json").get(serve));
}

async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document_json())
}
