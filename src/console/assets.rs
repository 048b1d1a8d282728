//! The console's static assets, embedded at compile time (no CDN, no build step).

use actix_web::http::header;
use actix_web::{web, HttpResponse};

const CSS: &str = include_str!("assets/console.css");
const JS: &str = include_str!("assets/console.js");

pub async fn serve(name: web::Path<String>) -> HttpResponse {
    let (body, kind) = match name.as_str() {
        "console.css" => (CSS, "text/css; charset=utf-8"),
        "console.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return super::layout::not_found().await,
    };
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, kind))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}
