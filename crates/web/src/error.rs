//! What can go wrong in a request, and the page (or JSON) it becomes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use vigilia_core::lang::{Lang, Localize};
use vigilia_ledger::LedgerError;

#[derive(Debug)]
pub enum WebError {
    NotFound,
    /// Signed in, but this is not theirs to see or do.
    Forbidden,
    /// Not signed in: go to the sign-in page, then back here.
    SignIn(String),
    /// The request itself was wrong (outside a form, whose errors stand by their fields).
    Bad {
        es: String,
        en: String,
    },
    /// Too many requests from this address or for this account.
    TooMany {
        es: String,
        en: String,
    },
    Ledger(LedgerError),
    Internal(String),
}

impl WebError {
    pub fn bad(es: impl Into<String>, en: impl Into<String>) -> WebError {
        WebError::Bad {
            es: es.into(),
            en: en.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::SignIn(_) => StatusCode::UNAUTHORIZED,
            WebError::Bad { .. } => StatusCode::BAD_REQUEST,
            WebError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Ledger(LedgerError::Refused(_)) => StatusCode::CONFLICT,
            WebError::Ledger(_) | WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            WebError::NotFound => lang.pick("No existe.", "Not found.").into(),
            WebError::Forbidden => lang
                .pick(
                    "Su cuenta no tiene acceso a esto.",
                    "Your account has no access to this.",
                )
                .into(),
            WebError::SignIn(_) => lang
                .pick("Inicie sesión para continuar.", "Sign in to continue.")
                .into(),
            WebError::Bad { es, en } | WebError::TooMany { es, en } => lang.pick(es, en).into(),
            WebError::Ledger(e) => e.localize(lang),
            WebError::Internal(_) => lang
                .pick(
                    "Error interno. Nada de lo enviado se guardó a medias.",
                    "Internal error. Nothing sent was half-stored.",
                )
                .into(),
        }
    }
}

impl From<LedgerError> for WebError {
    fn from(e: LedgerError) -> WebError {
        WebError::Ledger(e)
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> WebError {
        WebError::Internal(e.to_string())
    }
}

/// An error page says it in both languages: it may come before the language is known.
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::SignIn(next) = &self {
            return Redirect::to(&format!("/login?next={}", crate::page::url_encode(next)))
                .into_response();
        }
        if matches!(self, WebError::Internal(_))
            || matches!(&self, WebError::Ledger(e) if !matches!(e, LedgerError::Refused(_)))
        {
            eprintln!("vigilia serve: {self:?}");
        }
        let page = crate::page::ErrorPage {
            es: self.message(Lang::Es),
            en: self.message(Lang::En),
            status: self.status().as_u16(),
        };
        crate::page::render(self.status(), &page)
    }
}
