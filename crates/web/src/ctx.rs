//! What a handler knows of its request: the language, who is asking (their account, as a
//! viewer), the address, the CSRF token its forms carry; and the session cookie.

use std::net::IpAddr;
use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, header};
use vigilia_core::lang::Lang;
use vigilia_core::model::Role;

use crate::error::WebError;

/// The session cookie: `__Host-` pins it to this host, path `/`, HTTPS.
pub const COOKIE: &str = "__Host-vigilia";

/// A signed-in account, as a handler sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    pub account: u64,
    pub name: String,
    pub role: Role,
    /// The session's CSRF token (empty for API tokens, which need none).
    pub csrf: String,
    /// The states whose cases a lawyer sees (empty: every state).
    pub regions: Vec<String>,
}

impl Viewer {
    pub fn of(a: &vigilia_core::model::Account, csrf: String) -> Viewer {
        Viewer {
            account: a.id.0,
            name: a.name.clone(),
            role: a.role,
            csrf,
            regions: a.regions.clone(),
        }
    }

    /// Coordinators, and lawyers without states of their own, see every case.
    pub fn sees_every_case(&self) -> bool {
        self.actor().sees_every_case()
    }

    /// The account as the use cases know it: who acts.
    pub fn actor(&self) -> vigilia_app::Actor {
        vigilia_app::Actor {
            account: self.account,
            name: self.name.clone(),
            role: self.role,
            regions: self.regions.clone(),
        }
    }
}

/// What every handler gets: the language, who is asking, and the address they came from.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub lang: Lang,
    pub viewer: Option<Viewer>,
    pub ip: IpAddr,
    /// The CSRF token forms must carry: the session's, or a signed anonymous one.
    pub csrf: String,
    /// The path asked for, to come back to after switching language.
    pub path: String,
    /// The registry's country profile, to name its states.
    pub profile: Arc<vigilia_core::profile::Profile>,
}

impl Ctx {
    pub fn viewer(&self) -> Result<&Viewer, WebError> {
        self.viewer
            .as_ref()
            .ok_or_else(|| WebError::SignIn(self.path.clone()))
    }
}

/// A cookie of the request, by name.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The `Set-Cookie` header of a session.
pub fn session_cookie(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_static(
        "__Host-vigilia=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0",
    )
}

/// The key the per-address limits count under: an IPv4 address, or an IPv6 address's /64 (one
/// client is usually given a whole /64, and could otherwise change address at every request).
pub fn limit_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
        },
    }
}
