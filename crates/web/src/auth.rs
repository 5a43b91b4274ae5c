//! Who is asking: accounts, passwords (Argon2id), the second factor (TOTP), sessions kept
//! server-side and known to the browser only by a `__Host-` cookie (stored hashed), API tokens,
//! CSRF tokens, sign-in limits, and the one middleware that checks every request against the
//! route table before any handler runs.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::{SignedDuration, Timestamp};
use vigilia_core::fold::Record;
use vigilia_core::ids::Kind;
use vigilia_core::lang::Lang;
use vigilia_ledger::Ledger;

use crate::app::Accounts;
use crate::app::{App, sha256};
use crate::ctx::{COOKIE, Ctx, Viewer, cookie, limit_key};
use crate::error::WebError;
use crate::page::Chrome;
use crate::routes::{Access, Route};

/// An Argon2id hash of a password nobody has (made once, with the same parameters as every
/// account's), checked when a name is no account's.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let nobody = hex::encode(crate::app::random_bytes::<16>().unwrap_or_default());
        hash_password(&nobody).unwrap_or_default()
    })
}

/// How long an anonymous form's token is good for.
pub const FORM_TOKEN_LIFE: SignedDuration = SignedDuration::from_hours(4);

use vigilia_app::accounts;
use vigilia_app::credentials::{code_step, hash_password, password_matches};
use vigilia_app::sessions::{self, Checked, Session, SignInRefused};

/// Checks a password (and, where the account has one, its second factor's code) against an
/// account's credentials, off any lock and as long whether or not there is an account (a dummy
/// hash for none): what a sign-in and a confirmation settle with.
pub async fn check_off_lock(
    credentials: Option<accounts::Credentials>,
    password: String,
    code: String,
    now: jiff::Timestamp,
) -> Result<Option<Checked>, WebError> {
    tokio::task::spawn_blocking(move || {
        let hash = credentials
            .as_ref()
            .and_then(|c| c.password.clone())
            .unwrap_or_else(|| dummy_hash().to_string());
        if !password_matches(&password, &hash) {
            return None;
        }
        let step = match &credentials?.second_factor {
            Some(secret) => Some(code_step(secret, &code, now)?),
            None => None,
        };
        Some(Checked {
            password_hash: hash,
            step,
        })
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))
}

impl App {
    /// Checks name, password and (for staff) code against the account found by that name; on
    /// success opens a session and returns its cookie token. The password hash is checked off
    /// the registry (it takes tens of milliseconds on purpose); the attempt is then settled in
    /// one write, which every server of the registry sees.
    pub async fn sign_in(
        self: &Arc<Self>,
        name: String,
        ip: IpAddr,
        password: String,
        code: String,
    ) -> Result<Result<(String, Viewer), SignInRefused>, WebError> {
        // The name as stored: its accents composed, however the keyboard typed them.
        let name = vigilia_core::text::composed(name.trim());
        let now = self.now();
        let (who, address) = (name.clone(), limit_key(ip));
        let from = address.clone();
        // The attempt is counted before any password is checked.
        let begun = self
            .write(move |tx| sessions::begin_sign_in(tx, &who, &address, now))
            .await?;
        let attempt = match begun {
            Ok(attempt) => attempt,
            Err(why) => return Ok(Err(why)),
        };
        let who = name.clone();
        let found = self
            .read(move |_, l| Ok(accounts::with_credentials(l, &who)?))
            .await?;
        // The same work whether or not the account exists: a dummy hash for a name that is
        // none, so the time taken does not tell which names are accounts.
        let credentials = found.map(|(_, c)| c);
        let checked = check_off_lock(credentials, password, code, now).await?;
        let settled = self
            .write(move |tx| {
                sessions::settle_sign_in(tx, &name, &from, attempt, checked.clone(), now)
            })
            .await?;
        Ok(settled.map(|s| (s.token, Viewer::of(&s.account, s.session.csrf))))
    }

    pub async fn sign_out(self: &Arc<Self>, token: String) -> Result<(), WebError> {
        self.write(move |tx| sessions::end(tx, &token)).await
    }

    /// The session a cookie names, if it is still open; its use is written down (at most once
    /// a minute), which keeps it open.
    async fn session(self: &Arc<Self>, token: String) -> Result<Option<Session>, WebError> {
        let t = token.clone();
        let Some(s) = self.read(move |_, l| Ok(sessions::session(l, &t)?)).await? else {
            return Ok(None);
        };
        let now = self.now();
        if sessions::needs_touch(&s, now) {
            self.write(move |tx| sessions::touch(tx, &token, now))
                .await?;
        }
        Ok(Some(s))
    }

    /// The active accounts, by id and by API token (read again whenever the registry moved,
    /// so that a revocation or a change of role or states, even by the command line, holds
    /// from the next request on).
    fn accounts(&self, ledger: &mut Ledger) -> Result<Arc<Accounts>, WebError> {
        self.accounts.get(ledger, |l| {
            let mut all = Accounts::default();
            l.fold_all(Kind::Account, vigilia_core::fold::KnownOn::NOW, &mut |r| {
                if let Record::Account(a) = r
                    && a.revoked.is_none()
                {
                    for hash in &a.tokens {
                        all.by_token.insert(hash.clone(), a.id.0);
                    }
                    all.by_id.insert(a.id.0, a);
                }
            })?;
            Ok(all)
        })
    }

    /// The account an API token belongs to.
    fn bearer(&self, ledger: &mut Ledger, token: &str) -> Result<Option<Viewer>, WebError> {
        let all = self.accounts(ledger)?;
        Ok(all
            .by_token
            .get(&sha256(token))
            .and_then(|id| all.by_id.get(id))
            .map(|a| Viewer::of(a, String::new())))
    }

    /// A session's viewer as the account stands now: none once it is revoked or its access
    /// was reset (the session is ended), its role and states as they are now.
    fn current(&self, ledger: &mut Ledger, s: &Session) -> Result<Option<Viewer>, WebError> {
        let all = self.accounts(ledger)?;
        Ok(all
            .by_id
            .get(&s.account)
            .filter(|a| a.password.is_some())
            .map(|a| Viewer::of(a, s.csrf.clone())))
    }

    /// A token for an anonymous form: when it was given and a random part (two forms opened
    /// in the same second are told apart: each sends one report), signed.
    pub fn form_token(&self) -> String {
        let at = self.now().as_second();
        let one = hex::encode(crate::app::random_bytes::<8>().unwrap_or_default());
        format!("{at}.{one}.{}", self.sign(&format!("form:{at}.{one}")))
    }

    /// How long ago an anonymous form's token was given, if it is genuine and not expired.
    pub fn form_token_age(&self, token: &str) -> Option<SignedDuration> {
        let (signed, mac) = token.rsplit_once('.')?;
        if !vigilia_app::credentials::same_secret(&self.sign(&format!("form:{signed}")), mac) {
            return None;
        }
        let (at, _) = signed.split_once('.')?;
        let given = Timestamp::from_second(at.parse().ok()?).ok()?;
        let age = self.now().duration_since(given);
        (age >= SignedDuration::ZERO && age <= FORM_TOKEN_LIFE).then_some(age)
    }
}

/// The language a request asks for: its address's (`?lang=en`, so that a link shared in
/// English opens in English), its cookie's, or Spanish.
pub(crate) fn language(req: &Request) -> Lang {
    let query = req.uri().query().unwrap_or("").split('&');
    if let Some(l) = query.filter_map(|kv| kv.strip_prefix("lang=")).next_back() {
        return Lang::from_tag(l);
    }
    if let Some(l) = cookie(req.headers(), "lang") {
        return Lang::from_tag(&l);
    }
    Lang::Es
}

/// The address a request comes from, for the per-address limits. Behind a trusted proxy it is
/// the last address of `X-Forwarded-For` that is not itself a trusted proxy; from anywhere
/// else the header is ignored (a client could write anything in it). When proxies are named,
/// a connection from neither one of them nor loopback is refused (`None`): it went around the
/// proxy, and so around its TLS.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    if !trusted.contains(&peer) {
        return (trusted.is_empty() || peer.is_loopback()).then_some(peer);
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    Some(
        forwarded
            .iter()
            .rev()
            .map(|a| a.parse::<IpAddr>())
            .take_while(Result::is_ok)
            .filter_map(Result::ok)
            .find(|a| !trusted.contains(a))
            .unwrap_or(peer),
    )
}

/// Checks every request against the route table: who may use the route, and that a form carries
/// this session's CSRF token (or, with no session, a genuine anonymous form token).
/// A signed-in account's errors, from here on, are shown in the frame of its pages.
pub async fn authorize(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let mut chrome = None;
    let checked = check(&app, req, &mut chrome).await;
    let answer = async move {
        match checked {
            Ok(req) => next.run(req).await,
            Err((e, api)) if api => crate::api::error(e),
            Err((e, _)) => e.into_response(),
        }
    };
    let Some(chrome) = chrome else {
        return answer.await;
    };
    let mut res = crate::error::CHROME.scope(chrome.clone(), answer).await;
    // For the framework's refusals, which become pages after this (`words_for_refusals`).
    res.extensions_mut().insert(chrome);
    res
}

async fn check(
    app: &Arc<App>,
    req: Request,
    chrome: &mut Option<Chrome>,
) -> Result<Request, (WebError, bool)> {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    // No path of the table matched: the router answers 404 by itself, in the frame of a
    // signed-in person's pages.
    let Some(path) = path else {
        let here = req.uri().path().to_string();
        // Through a trusted proxy only, as every routed page.
        let ip = client_ip(peer_ip(&req), req.headers(), &app.config.trusted_proxies);
        if !here.starts_with("/api/")
            && let Some(ip) = ip
            && let Ok(Some(viewer)) = viewer(app, req.headers(), false, &here).await
        {
            let csrf = viewer.csrf.clone();
            let ctx = context(&req, app, (Some(viewer), ip), csrf, here);
            *chrome = Some(Chrome::of(&ctx));
        }
        return Ok(req);
    };
    // A path of the table with a method it does not list is refused here, before any handler
    // (the router would otherwise answer, e.g., HEAD with the GET handler, unchecked).
    let Some(route) = Route::find(req.method(), &path) else {
        return Err((WebError::MethodNotAllowed, path.starts_with("/api/")));
    };
    let api = route.api;
    let fail = |e| (e, api);
    let ip = client_ip(peer_ip(&req), req.headers(), &app.config.trusted_proxies)
        .ok_or_else(|| fail(WebError::Forbidden))?;
    let here = route.page_for(
        req.uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or_default(),
    );
    let viewer = viewer(app, req.headers(), api, &here).await.map_err(fail)?;
    let csrf = match &viewer {
        Some(v) if !api => v.csrf.clone(),
        _ => app.form_token(),
    };
    let ctx = context(&req, app, (viewer.clone(), ip), csrf, here.clone());
    if viewer.is_some() && !api {
        *chrome = Some(Chrome::of(&ctx));
    }
    match (&route.access, &viewer) {
        (Access::Public, _) => {}
        (Access::Signed, Some(_)) => {}
        (Access::Roles(roles), Some(v)) if roles.contains(&v.role) => {}
        (_, Some(_)) => return Err(fail(WebError::Forbidden)),
        (_, None) => return Err(fail(WebError::SignIn(here))),
    }
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(ctx);
    if parts.method != Method::POST {
        return Ok(Request::from_parts(parts, body));
    }
    if api {
        // The route table's limit holds for the API too (not the JSON extractor's 2 MB).
        let bytes = axum::body::to_bytes(body, route.body_limit)
            .await
            .map_err(|_| fail(too_large(route.body_limit)))?;
        let body = json_text_only(bytes).map_err(fail)?;
        return Ok(Request::from_parts(parts, Body::from(body)));
    }
    let public = matches!(route.access, Access::Public);
    let body = genuine_form(app, &parts, body, route.body_limit, viewer.as_ref(), public)
        .await
        .map_err(fail)?;
    Ok(Request::from_parts(parts, body))
}

/// The address the connection comes from (loopback when not known).
fn peer_ip(req: &Request) -> IpAddr {
    (req.extensions().get::<ConnectInfo<SocketAddr>>())
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]))
}

/// A request's context: its language, who asks from where, the form token and the page.
fn context(
    req: &Request,
    app: &App,
    who: (Option<Viewer>, IpAddr),
    csrf: String,
    here: String,
) -> Ctx {
    let (viewer, ip) = who;
    Ctx {
        lang: language(req),
        viewer,
        ip,
        csrf,
        path: here,
        profile: app.profile.clone(),
    }
}

/// Who is asking: the API token's account, or the session's (none when neither is valid).
async fn viewer(
    app: &Arc<App>,
    headers: &HeaderMap,
    api: bool,
    here: &str,
) -> Result<Option<Viewer>, WebError> {
    if api {
        let bearer = (headers.get(header::AUTHORIZATION))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string);
        let Some(token) = bearer else {
            return Ok(None);
        };
        let found = app.read(move |app, l| app.bearer(l, &token)).await?;
        return Ok(Some(found.ok_or(WebError::SignIn(here.to_string()))?));
    }
    let session = match cookie(headers, COOKIE) {
        Some(token) => app.session(token).await?,
        None => None,
    };
    match session {
        Some(s) => app.read(move |app, l| app.current(l, &s)).await,
        None => Ok(None),
    }
}

/// A body over its route's limit (`limit`): a form with a file is told the file's limit, any
/// other form how much text it takes.
fn too_large(limit: usize) -> WebError {
    let (es, en) = if limit > crate::routes::FORM_LIMIT {
        let mb = vigilia_core::attachment::MAX_BYTES >> 20;
        (
            format!("El formulario es demasiado grande: un archivo puede pesar hasta {mb} MB."),
            format!("The form is too large: a file may be up to {mb} MB."),
        )
    } else {
        let kb = crate::routes::FORM_LIMIT >> 10;
        (
            format!(
                "El formulario es demasiado grande: lo escrito en él puede ocupar hasta {kb} KB \
                 (unas cien páginas de texto). Nada se guardó."
            ),
            format!(
                "The form is too large: what is written in it may take up to {kb} KB (about a \
                 hundred pages of text). Nothing was saved."
            ),
        )
    };
    WebError::TooLarge { es, en }
}

/// A form's body, read whole (up to `limit`), once it is known to carry this session's CSRF
/// token (or, with no session, a genuine anonymous form token); a URL-encoded one without its
/// characters that are not text ([`form_text_only`]), read once for both.
async fn genuine_form(
    app: &Arc<App>,
    parts: &axum::http::request::Parts,
    body: Body,
    limit: usize,
    viewer: Option<&Viewer>,
    public: bool,
) -> Result<Body, WebError> {
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large(limit))?;
    let (sent, body) = if limit > crate::routes::FORM_LIMIT {
        let sent = multipart_field(&parts.headers, bytes.clone(), "csrf").await;
        (sent, bytes)
    } else {
        let pairs =
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes).unwrap_or_default();
        let sent = (pairs.iter())
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.clone());
        (sent, form_text_only(bytes, &pairs))
    };
    let sent = sent.unwrap_or_default();
    let genuine = match viewer {
        // A public form (the family's, say) carries a form token even for someone signed in.
        Some(v) => {
            (!v.csrf.is_empty() && vigilia_app::credentials::same_secret(&sent, &v.csrf))
                || (public && app.form_token_age(&sent).is_some())
        }
        None => app.form_token_age(&sent).is_some(),
    };
    if !genuine {
        return Err(WebError::bad(
            "El formulario caducó o no vino de esta página. Vuelva a él con la flecha «atrás» del navegador, recargue la página y envíelo de nuevo.",
            "The form expired or did not come from this page. Go back to it with the browser's back arrow, reload the page and send it again.",
        ));
    }
    Ok(Body::from(body))
}

/// A URL-encoded form with its fields' characters that are not text removed (a NUL, an escape:
/// pasted from a damaged file, or sent to trouble whoever reads an export in a terminal), for
/// every form at once, here. A form sent with a file says its few text fields itself.
/// `pairs` are the body's fields as read (none when it could not be read: it is left as it is).
fn form_text_only(bytes: axum::body::Bytes, pairs: &[(String, String)]) -> axum::body::Bytes {
    use vigilia_core::text::{not_text, reorders};
    let unfit = |c: char| not_text(c) || reorders(c);
    if !(pairs.iter()).any(|(k, v)| k.chars().chain(v.chars()).any(unfit)) {
        return bytes;
    }
    let clean: Vec<(String, String)> = (pairs.iter())
        .map(|(k, v)| {
            let only = vigilia_core::text::only_text;
            (only(k).into_owned(), only(v).into_owned())
        })
        .collect();
    serde_urlencoded::to_string(&clean).map_or(bytes, axum::body::Bytes::from)
}

/// The API's JSON body with its strings' characters that are not text removed, as a form's
/// ([`form_text_only`]). A body that is not JSON as the standard has it (a number out of range,
/// a lone surrogate, nesting past 128) is refused here: the handlers' readers skip fields they do
/// not know without reading them, and what they keep would not have been cleaned. An empty body
/// (an action that takes none) passes.
fn json_text_only(bytes: axum::body::Bytes) -> Result<axum::body::Bytes, WebError> {
    /// Whether anything was removed.
    fn clean(v: &mut serde_json::Value) -> bool {
        match v {
            serde_json::Value::String(s) => match vigilia_core::text::only_text(s) {
                std::borrow::Cow::Owned(o) => {
                    *s = o;
                    true
                }
                std::borrow::Cow::Borrowed(_) => false,
            },
            serde_json::Value::Array(a) => a.iter_mut().map(clean).fold(false, |a, b| a | b),
            serde_json::Value::Object(o) => o.values_mut().map(clean).fold(false, |a, b| a | b),
            _ => false,
        }
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(bytes);
    }
    let mut value = serde_json::from_slice::<serde_json::Value>(&bytes).map_err(|e| {
        WebError::bad(
            format!("El cuerpo de la petición no es JSON válido: {e}."),
            format!("The request's body is not valid JSON: {e}."),
        )
    })?;
    if !clean(&mut value) {
        return Ok(bytes);
    }
    Ok(serde_json::to_vec(&value).map_or(bytes, axum::body::Bytes::from))
}

/// One text field of a form sent with a file (`multipart/form-data`).
async fn multipart_field(
    headers: &axum::http::HeaderMap,
    bytes: axum::body::Bytes,
    name: &str,
) -> Option<String> {
    use axum::extract::FromRequest;
    let mut req = axum::http::Request::new(Body::from(bytes));
    *req.headers_mut() = headers.clone();
    let mut form = axum::extract::Multipart::from_request(req, &())
        .await
        .ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn forwarded(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", v.parse().unwrap());
        h
    }

    #[test]
    fn only_a_trusted_proxy_says_who_the_client_is() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxy = [ip("10.0.0.5")];
        let h = forwarded("203.0.113.9, 198.51.100.7");
        // Without proxies the header is ignored.
        assert_eq!(client_ip(ip("127.0.0.1"), &h, &[]), Some(ip("127.0.0.1")));
        // From the proxy: the last address it added.
        assert_eq!(
            client_ip(ip("10.0.0.5"), &h, &proxy),
            Some(ip("198.51.100.7"))
        );
        // A chain of trusted proxies is skipped; a forged first entry is not believed.
        let two = [ip("10.0.0.5"), ip("10.0.0.6")];
        let chain = forwarded("1.2.3.4, 198.51.100.7, 10.0.0.6");
        assert_eq!(
            client_ip(ip("10.0.0.5"), &chain, &two),
            Some(ip("198.51.100.7"))
        );
        // Garbage after the real client stops the walk at the proxy itself.
        let junk = forwarded("198.51.100.7, not-an-address");
        assert_eq!(
            client_ip(ip("10.0.0.5"), &junk, &proxy),
            Some(ip("10.0.0.5"))
        );
        // Around the proxy: refused; loopback (a local check) is still let in, as itself.
        assert_eq!(client_ip(ip("203.0.113.9"), &h, &proxy), None);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &h, &proxy),
            Some(ip("127.0.0.1"))
        );
    }
}
