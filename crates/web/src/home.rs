//! The home page, the stylesheet and the language switch.

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::page::{Chrome, ok, see};

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    p: Chrome,
}

pub async fn home(Extension(ctx): Extension<Ctx>) -> Response {
    ok(&Home {
        p: Chrome::of(&ctx),
    })
}

#[derive(Template)]
#[template(path = "method.html")]
struct Method {
    p: Chrome,
}

/// What the published figures count and how: definitions and method, for the public and the
/// press.
pub async fn method(Extension(ctx): Extension<Ctx>) -> Response {
    ok(&Method {
        p: Chrome::of(&ctx),
    })
}

/// The public form's proof of work, done in the family's browser (see `intake`).
pub async fn work() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../static/work.js"),
    )
        .into_response()
}

pub async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../static/style.css"),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct Back {
    #[serde(default)]
    back: String,
}

/// Remembers the language in a cookie and goes back (only to a path of this site).
pub async fn language(Path(code): Path<String>, Query(q): Query<Back>) -> Response {
    let lang = if code == "en" { "en" } else { "es" };
    // Back to the same page, without a `?lang=` that would keep the language switched from.
    let back = crate::page::local(&q.back);
    let back = match back.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|kv| !kv.starts_with("lang="))
                .collect();
            match kept.is_empty() {
                true => path.to_string(),
                false => format!("{path}?{}", kept.join("&")),
            }
        }
        None => back.to_string(),
    };
    let mut res = see(&back);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "lang={lang}; Path=/; SameSite=Lax; Max-Age=31536000"
    )) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}
