//! Vigilia's web application: server-rendered pages (family intake, volunteer reports, triage,
//! records, the balance), the JSON API with its OpenAPI document, sessions and authorisation.
//!
//! Every route is a row of one table (`routes`), which says who may use it; the `auth`
//! middleware checks each request against that row before any handler runs. Pages are askama
//! templates (`templates/`), escaped by default, and work without JavaScript.

// The select macro of the templates compares a choice's value with the one typed as text.
#[allow(clippy::cmp_owned)]
mod accounts;
mod alerts;
mod api;
mod app;
mod auth;
mod balance;
mod ctx;
mod error;
mod estimates;
mod forms;
mod groups;
mod home;
// The select macro of the templates compares a choice's value with the one typed as text.
#[allow(clippy::cmp_owned)]
mod intake;
mod merges;
mod page;
mod places;
mod records;
// The select macro of the templates compares a choice's value with the one typed as text.
#[allow(clippy::cmp_owned)]
mod reports;
mod routes;
mod submissions;
mod team;
mod triage;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;

pub use app::{App, Config};
pub use ctx::COOKIE;
pub use error::WebError;
pub use routes::{Access, ROUTES, Route};

/// The whole application: every route of the table behind the authorisation check, the
/// framework's own refusals in words, and the security headers on every response.
pub fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    for r in ROUTES {
        router = router.route(r.path, (r.handler)());
    }
    router
        .layer(from_fn_with_state(app.clone(), auth::authorize))
        .layer(from_fn(error::words_for_refusals))
        .layer(from_fn(security_headers))
        .layer(from_fn(request_id))
        .with_state(app)
}

/// Gives every request an id (answered as `X-Request-Id`) that its errors are logged and shown
/// with, so a person can quote it.
async fn request_id(req: Request, next: Next) -> Response {
    let id = app::random_bytes::<6>()
        .map(hex::encode)
        .unwrap_or_else(|_| "-".into());
    let lang = auth::language(&req);
    let address = match *req.method() {
        axum::http::Method::GET | axum::http::Method::HEAD => req
            .uri()
            .path_and_query()
            .map_or("/".into(), |p| p.as_str().to_string()),
        _ => "/".into(),
    };
    let answer = error::ADDRESS.scope(address, error::LANGUAGE.scope(lang, next.run(req)));
    let mut res = error::REQUEST.scope(id.clone(), answer).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// Serves until the process is stopped.
pub async fn serve(app: Arc<App>, bind: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    // Listening: what the pages keep warm is built now, not when the first person asks.
    let warming = app.clone();
    tokio::task::spawn_blocking(move || warming.warm_up());
    serve_on(app, listener).await
}

/// Serves on a socket already bound (tests bind port 0 and read which port they got).
pub async fn serve_on(app: Arc<App>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

/// Scripts and styles only from Vigilia's own files (no inline ones), no framing, no sniffing,
/// no referrer; nothing private is cached.
async fn security_headers(req: Request, next: Next) -> Response {
    let under_static = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    // Only the files themselves: an error page under /static/ (an address no file answers)
    // carries a signed-in person's menu, name and form token, which a shared computer's
    // browser or a proxy would otherwise keep for a day.
    let cacheable = under_static && res.status().is_success();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if cacheable {
            "public, max-age=86400"
        } else {
            "no-store"
        }),
    );
    res
}
