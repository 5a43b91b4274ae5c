//! What can go wrong in a request, and the page (or JSON) it becomes. A failure of the server
//! (not of the request) is logged with the request's id, and the page shows that id so the
//! person can quote it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use vigilia_app::AppError;
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::Role;
use vigilia_ledger::LedgerError;

tokio::task_local! {
    /// The id of the request being answered (see [`crate::request_id`]).
    pub static REQUEST: String;
    /// The language of the person asking, for an error page (see [`crate::request_id`]).
    pub static LANGUAGE: Lang;
    /// The address asked for, for an error page's switch of language to come back to: a page
    /// asked with `GET`, else the home page (see [`crate::request_id`]).
    pub static ADDRESS: String;
    /// The frame of the page of the account asking, once it is known (see
    /// [`crate::auth::authorize`]): an error page shows a signed-in person their own menu, not
    /// a header that looks signed out.
    pub static CHROME: crate::page::Chrome;
}

/// The id of the request being answered, when there is one.
pub fn request_id() -> Option<String> {
    REQUEST.try_with(Clone::clone).ok()
}

#[derive(Debug)]
pub enum WebError {
    NotFound,
    /// A path that exists, asked with a method it does not take.
    MethodNotAllowed,
    /// Signed in, but this is not theirs to see or do.
    Forbidden,
    /// Not signed in: go to the sign-in page, then back here.
    SignIn(String),
    /// The request itself was wrong (outside a form, whose errors stand by their fields).
    Bad {
        es: String,
        en: String,
    },
    /// A body over its route's limit (413): said with the limit.
    TooLarge {
        es: String,
        en: String,
    },
    /// Too many requests from this address or for this account.
    TooMany {
        es: String,
        en: String,
    },
    /// A use case said no, or failed.
    App(AppError),
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
            WebError::NotFound | WebError::App(AppError::NotFound(_)) => StatusCode::NOT_FOUND,
            WebError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            WebError::Forbidden | WebError::App(AppError::Forbidden(_)) => StatusCode::FORBIDDEN,
            WebError::SignIn(_) => StatusCode::UNAUTHORIZED,
            WebError::Bad { .. } => StatusCode::BAD_REQUEST,
            WebError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::TooMany { .. } | WebError::App(AppError::TooManyReports) => {
                StatusCode::TOO_MANY_REQUESTS
            }
            WebError::App(AppError::Invalid(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::App(AppError::ConsentWithdrawn { .. }) => StatusCode::GONE,
            WebError::App(e) if e.is_conflict() => StatusCode::CONFLICT,
            WebError::App(e) if e.is_failure() => StatusCode::INTERNAL_SERVER_ERROR,
            WebError::App(_) => StatusCode::BAD_REQUEST,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Whether the server failed (logged, with the request's id), rather than the request.
    pub fn is_failure(&self) -> bool {
        self.status() == StatusCode::INTERNAL_SERVER_ERROR
    }

    pub fn message(&self, lang: Lang) -> String {
        let text = match self {
            WebError::NotFound => lang
                .pick(
                    "Esta dirección no lleva a ninguna página ni a ningún registro: puede que el \
                     enlace esté incompleto o mal copiado.",
                    "This address leads to no page and no record: the link may be incomplete or \
                     mistyped.",
                )
                .into(),
            WebError::MethodNotAllowed => lang
                .pick(
                    "Esta dirección no acepta ese tipo de petición.",
                    "This address does not take that kind of request.",
                )
                .into(),
            WebError::Forbidden => lang
                .pick(
                    "Su cuenta no tiene acceso a esto. Si lo necesita para su trabajo, pídaselo a \
                     quien coordina el equipo o administra las cuentas de la organización.",
                    "Your account has no access to this. If your work needs it, ask whoever \
                     coordinates the team or administers the organisation's accounts.",
                )
                .into(),
            WebError::SignIn(_) => lang
                .pick("Inicie sesión para continuar.", "Sign in to continue.")
                .into(),
            WebError::Bad { es, en }
            | WebError::TooLarge { es, en }
            | WebError::TooMany { es, en } => lang.pick(es, en).into(),
            WebError::App(e) if e.is_failure() => lang
                .pick(
                    "El registro no pudo completar esta operación; no se guardó nada a medias.",
                    "The registry could not complete this; nothing was half-stored.",
                )
                .into(),
            WebError::App(e) => e.localize(lang),
            WebError::Internal(_) => lang
                .pick(
                    "Error interno. Nada de lo enviado se guardó a medias.",
                    "Internal error. Nothing sent was half-stored.",
                )
                .into(),
        };
        match (self.is_failure(), request_id()) {
            (true, Some(id)) => format!(
                "{text} {} {id}.",
                lang.pick(
                    "Si vuelve a ocurrir, dé este código a quien administra Vigilia:",
                    "If it happens again, give this code to whoever runs Vigilia:"
                )
            ),
            _ => text,
        }
    }

    /// Logs a failure of the server with the request's id (never personal data: the error's
    /// own text names records by kind and number).
    pub fn log(&self) {
        if self.is_failure() {
            let id = request_id().unwrap_or_else(|| "-".into());
            eprintln!("vigilia serve: request {id}: {self:?}");
        }
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> WebError {
        WebError::App(e)
    }
}

impl From<LedgerError> for WebError {
    fn from(e: LedgerError) -> WebError {
        WebError::App(AppError::Ledger(e))
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> WebError {
        WebError::Internal(e.to_string())
    }
}

/// An error page says it in the language of the person asking (Spanish when it is not known).
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.page(None)
    }
}

impl WebError {
    /// The error's page, with a link `back` to the page a refused form came from.
    pub fn page(self, back: Option<String>) -> Response {
        if let WebError::SignIn(next) = &self {
            return Redirect::to(&format!("/login?next={}", crate::page::url_encode(next)))
                .into_response();
        }
        self.log();
        let l = LANGUAGE.try_with(|l| *l).unwrap_or(Lang::Es);
        let title = match self.status() {
            StatusCode::NOT_FOUND => ("No existe", "Not found"),
            StatusCode::FORBIDDEN => ("Sin acceso", "No access"),
            StatusCode::TOO_MANY_REQUESTS => ("Demasiadas peticiones", "Too many requests"),
            StatusCode::PAYLOAD_TOO_LARGE => ("Demasiado grande", "Too large"),
            _ => ("No se pudo hacer", "Could not be done"),
        };
        // In the other language: this address, or the page a refused form came from.
        let address = (back.clone())
            .or_else(|| ADDRESS.try_with(Clone::clone).ok())
            .unwrap_or_else(|| "/".into());
        // The menu's switch of language comes back to the same address.
        let chrome = CHROME.try_with(Clone::clone).ok().map(|mut chrome| {
            chrome.here = address.clone();
            chrome
        });
        // Who to ask for access: not oneself.
        let message = match (&self, chrome.as_ref().and_then(|c| c.role)) {
            (WebError::Forbidden, Some(role @ (Role::Coordinator | Role::Admin))) => {
                let other = match role {
                    Role::Coordinator => ("administra las cuentas", "administers the accounts"),
                    _ => ("coordina el equipo", "coordinates the team"),
                };
                match l {
                    Lang::Es => format!(
                        "Su cuenta no tiene acceso a esto. Si lo necesita para su trabajo, \
                         pídaselo a quien {} de la organización.",
                        other.0
                    ),
                    Lang::En => format!(
                        "Your account has no access to this. If your work needs it, ask whoever \
                         {} of the organisation.",
                        other.1
                    ),
                }
            }
            _ => self.message(l),
        };
        let page = crate::page::ErrorPage {
            message,
            title: l.pick(title.0, title.1),
            switch: format!(
                "/lang/{}?back={}",
                l.pick("en", "es"),
                crate::page::url_encode(&address)
            ),
            back,
            l,
            chrome,
        };
        crate::page::render(self.status(), &page)
    }
}

/// What the web framework refuses before a page is made (an address no route answers, a number
/// in the address that is not a number, a query or a form it cannot read) it answers in English
/// plain text, or with nothing at all: a person gets this site's error page in their language
/// instead, with the same status, and an address that names nothing is a page that does not
/// exist. Pages never answer a refusal so themselves, so only the framework's are replaced; the
/// API's are left as they are.
pub async fn words_for_refusals(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    // The API answers its own errors as JSON, and its clients read them so.
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if api {
        return res;
    }
    // Plain text, or nothing at all (an address no route answers: a browser would show its
    // own English page).
    let framework = match res.headers().get(axum::http::header::CONTENT_TYPE) {
        Some(v) => v.as_bytes().starts_with(b"text/plain"),
        None => true,
    };
    let status = res.status();
    if !status.is_client_error() || !framework {
        return res;
    }
    let chrome = res.extensions().get::<crate::page::Chrome>().cloned();
    // The framework's words, whose first say which refusal it is (the address is in them).
    let said = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let error = if status == StatusCode::NOT_FOUND || said.starts_with(b"Invalid URL") {
        WebError::NotFound
    } else if status == StatusCode::METHOD_NOT_ALLOWED {
        WebError::MethodNotAllowed
    } else {
        WebError::bad(
            "No se pudo leer lo enviado: vuelva a la página anterior e inténtelo otra vez.",
            "What was sent could not be read: go back to the page before and try again.",
        )
    };
    let keep = !matches!(error, WebError::NotFound);
    // In the frame of the account asking, which the check of the route left on the answer.
    let mut page = match chrome {
        Some(chrome) => CHROME.sync_scope(chrome, || error.into_response()),
        None => error.into_response(),
    };
    if keep {
        *page.status_mut() = status;
    }
    page
}
