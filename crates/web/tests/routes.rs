//! In-process HTTP tests: every route of the table × every role (and no account) is allowed or
//! refused as the table says; a family reports and follows its report; bad input comes back
//! next to its field with what was typed; a volunteer cannot open another's report.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;
use vigilia_app::accounts;
use vigilia_core::clock::Clock;
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::Role;
use vigilia_web::{Access, ROUTES};

mod common;
use common::{PASSWORD, World, world};

struct Reply {
    status: StatusCode,
    location: String,
    cookie: Option<String>,
    /// The name a download is saved under.
    disposition: String,
    /// Who may keep the answer, and how long.
    cache: String,
    body: String,
    bytes: Vec<u8>,
}

async fn send(w: &World, req: Request<Body>) -> Reply {
    let res = vigilia_web::router(w.app.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
    let disposition = res
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let cache = res
        .headers()
        .get(header::CACHE_CONTROL)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(res.into_body(), 10_000_000)
        .await
        .unwrap();
    Reply {
        status,
        location,
        cookie,
        disposition,
        cache,
        body: String::from_utf8_lossy(&bytes).to_string(),
        bytes: bytes.to_vec(),
    }
}

/// A page's links as an address bar shows them (`&amp;` and `&#38;` read as `&`).
/// The fingerprint of the figures a publish preview shows, which its form sends.
async fn shown(w: &World, cookie: &str, as_of: &str) -> String {
    let preview = send(
        w,
        get(&format!("/balance/publish?as_of={as_of}"), Some(cookie)),
    )
    .await;
    (preview.body.split("name=\"shown\" value=\"").nth(1))
        .and_then(|v| v.get(..64))
        .unwrap_or_else(|| panic!("no publish form in {}", preview.body))
        .to_string()
}

fn unescaped(body: &str) -> String {
    body.replace("&amp;", "&").replace("&#38;", "&")
}

/// Where a form went back to, without the seal of its confirmation (`crate::page::Done`).
fn unsealed(location: &str) -> &str {
    location.split("&seal=").next().unwrap_or(location)
}

#[tokio::test]
async fn an_admin_revokes_a_volunteer_and_sees_what_was_exposed_without_names() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    seed(&w, &me).await;
    let admin = sign_in(&w, Role::Admin).await;
    let (_, _, secret, _) = w.secrets.iter().find(|s| s.0 == Role::Admin).unwrap();
    let secret = secret.clone().unwrap();
    // The admin's code, fresh for each confirmation: a code is good once.
    let code = || {
        w.clock.advance(30);
        vigilia_app::credentials::current_code(&secret, w.clock.now()).unwrap()
    };
    let id = account_id(&w, "t-volunteer").await;
    let page = send(&w, get(&format!("/accounts/{id}/revoke"), Some(&admin.0))).await;
    assert!(
        page.body.contains("Revocar la cuenta t-volunteer"),
        "{}",
        page.body
    );
    let revoke = |password: &str, code: &str| {
        post(
            &format!("/accounts/{id}/revoke"),
            Some(&admin.0),
            &[
                ("csrf", &admin.1),
                ("reason", "detenida"),
                ("password", password),
                ("code", code),
            ],
        )
    };
    // Without the admin's own password and code again, nothing happens; the reason typed is
    // kept.
    let r = send(&w, revoke("not mine", &code())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("no son los suyos"), "{}", r.body);
    assert!(r.body.contains(">detenida</textarea>"), "{}", r.body);
    let r = send(&w, revoke(PASSWORD, "000000")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a wrong code");
    let r = send(&w, get("/reports", Some(&me.0))).await;
    assert_eq!(r.status, StatusCode::OK, "the volunteer is still signed in");
    let r = send(&w, revoke(PASSWORD, &code())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Cuenta revocada"), "{}", r.body);
    assert!(r.body.contains("solo sus reportes y los asignados"));
    assert!(r.body.contains("en los últimos 90 días"), "{}", r.body);
    assert!(
        r.body.contains("href=\"/reports/1\">reporte 1</a>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("lo reportó"));
    assert!(!r.body.contains("Pérez"), "no case content for the admin");
    // Its session ended at once.
    let r = send(&w, get("/reports", Some(&me.0))).await;
    assert!(r.location.starts_with("/login"), "{}", r.status);
    // The accounts in words: roles and states, no codes.
    let list = send(&w, get("/accounts", Some(&admin.0))).await;
    assert!(list.body.contains("abogado o abogada") && list.body.contains("revocada"));
    assert!(!list.body.contains(">lawyer<"), "{}", list.body);
    // Giving a role asks for the password and code again too.
    let invite_as = |role: &str, password: &str, code: &str| {
        post(
            "/accounts",
            Some(&admin.0),
            &[
                ("csrf", &admin.1),
                ("name", "nueva"),
                ("role", role),
                ("password", password),
                ("code", code),
            ],
        )
    };
    // Administration never sees case content, so it cannot make an account that does, not
    // even by renewing a lawyer's pending invitation under another role.
    w.app
        .write(|tx| vigilia_app::accounts::invite(tx, "test", "pendiente", Role::Lawyer))
        .await
        .unwrap();
    let renew = post(
        "/accounts",
        Some(&admin.0),
        &[
            ("csrf", &admin.1),
            ("name", "pendiente"),
            ("role", "volunteer"),
            ("password", PASSWORD),
            ("code", &code()),
        ],
    );
    let r = send(&w, renew).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.body.contains("id=\"invitation\""), "{}", r.body);
    for staff in ["coordinator", "lawyer"] {
        let r = send(&w, invite_as(staff, PASSWORD, &code())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{staff}");
        assert!(!r.body.contains("id=\"invitation\""));
        assert!(r.body.contains("vigilia user add"), "{}", r.body);
    }
    // A missing password: refused, and what was typed (the name, the role) is kept, with the
    // problem said once, beside its field.
    let r = send(&w, invite_as("analyst", "", &code())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.body.contains("id=\"invitation\""));
    assert!(r.body.contains("value=\"analyst\" selected"), "{}", r.body);
    assert_eq!(
        r.body.matches("Escriba su contraseña").count(),
        1,
        "{}",
        r.body
    );
    // A mistake in the fields does not use up the code typed: the same code then confirms.
    let same = code();
    let r = send(&w, invite_as("", PASSWORD, &same)).await;
    assert!(r.body.contains("Elija un rol"), "{}", r.body);
    let r = send(&w, invite_as("volunteer", PASSWORD, &same)).await;
    assert!(r.body.contains("id=\"invitation\""), "{}", r.body);
    // The link is built on the configured address, never on the Host a client sends.
    let mut asked = invite_as("volunteer", PASSWORD, &code());
    asked
        .headers_mut()
        .insert("host", "evil.example".parse().unwrap());
    let r = send(&w, asked).await;
    assert!(r.body.contains("id=\"invitation\""), "{}", r.body);
    assert!(
        r.body.contains("https://vigilia.example.org/invitation/"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("evil.example"), "{}", r.body);
    // Guessing the admin's password from an unattended session: five wrong tries, each an
    // audit fact of the admin's account, and then the session is ended.
    let count_refused = || async {
        let admin_id = account_id(&w, "t-admin").await;
        let facts = w
            .app
            .read(move |_, l| Ok(l.history(vigilia_core::ids::AccountId(admin_id).into())?))
            .await
            .unwrap();
        facts
            .iter()
            .filter(|f| {
                matches!(
                    f.change,
                    vigilia_core::fact::Change::Audited {
                        what: vigilia_core::fact::Audit::ConfirmationRefused,
                        ..
                    }
                )
            })
            .count()
    };
    let before = count_refused().await;
    for _ in 0..4 {
        let r = send(&w, invite_as("volunteer", "adivinando", &code())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Tras cinco intentos"), "{}", r.body);
    }
    let r = send(&w, invite_as("volunteer", "adivinando", &code())).await;
    assert_eq!(r.location, "/login?why=confirmations", "{}", r.body);
    assert_eq!(count_refused().await, before + 5);
    let r = send(&w, get("/accounts", Some(&admin.0))).await;
    assert!(
        r.location.starts_with("/login"),
        "the session ended: {}",
        r.status
    );
    let r = send(&w, get("/login?why=confirmations", None)).await;
    assert!(
        r.body.contains("Por seguridad cerramos su sesión"),
        "{}",
        r.body
    );
    // ... while signing in is not locked: mistyped confirmations never lock the admin out;
    // confirming waits its 15 minutes, said so, without ending the new session.
    let admin = sign_in(&w, Role::Admin).await;
    let locked = post(
        "/accounts",
        Some(&admin.0),
        &[
            ("csrf", &admin.1),
            ("name", "otra"),
            ("role", "volunteer"),
            ("password", PASSWORD),
            ("code", &code()),
        ],
    );
    let r = send(&w, locked).await;
    assert!(r.body.contains("dentro de 15 minutos"), "{}", r.body);
    let r = send(&w, get("/accounts", Some(&admin.0))).await;
    assert_eq!(r.status, StatusCode::OK, "still signed in");
}

#[tokio::test]
async fn a_second_factor_code_signs_in_once() {
    let w = world();
    sign_in(&w, Role::Lawyer).await;
    // The same code again, at the same moment (read over a shoulder, or replayed).
    let (_, name, secret, _) = w.secrets.iter().find(|s| s.0 == Role::Lawyer).unwrap();
    let code =
        vigilia_app::credentials::current_code(secret.as_deref().unwrap(), w.clock.now()).unwrap();
    let page = send(&w, get("/login", None)).await;
    let form = [
        ("csrf", csrf(&page.body)),
        ("name", name.clone()),
        ("password", PASSWORD.to_string()),
        ("code", code),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = send(&w, post("/login", None, &form)).await;
    assert_ne!(r.status, StatusCode::SEE_OTHER, "a used code is refused");
    assert!(r.cookie.is_none_or(|c| !c.starts_with("__Host-vigilia=")));
    // The next code signs in.
    sign_in(&w, Role::Lawyer).await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_only_the_proxy_is_served_and_its_client_is_limited() {
    let w = common::world_with(vigilia_web::Config {
        intake_delay: 0,
        intake_per_hour: 1,
        trusted_proxies: vec!["10.0.0.5".parse().unwrap()],
        ..vigilia_web::Config::default()
    });
    let from = |peer: &str, client: &str| {
        let mut r = get("/report", None);
        r.extensions_mut()
            .insert(axum::extract::ConnectInfo::<std::net::SocketAddr>(
                format!("{peer}:40000").parse().unwrap(),
            ));
        r.headers_mut()
            .insert("x-forwarded-for", client.parse().unwrap());
        r
    };
    // Around the proxy (straight to Vigilia's plain HTTP): refused.
    let r = send(&w, from("203.0.113.9", "203.0.113.9")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        send(&w, from("10.0.0.5", "203.0.113.9")).await.status,
        StatusCode::OK
    );
    // The hourly limit counts each client behind the proxy apart.
    let report = |client: &'static str| {
        let w = &w;
        async move {
            let page = send(w, from("10.0.0.5", client)).await;
            let t = csrf(&page.body);
            let mut r = post(
                "/report",
                None,
                &[
                    ("csrf", &t),
                    ("given_names", "Ana"),
                    ("paternal_surname", "Gómez"),
                    ("arrest_date", "2026-11-19"),
                    ("consent", "initials"),
                ],
            );
            r.extensions_mut()
                .insert(axum::extract::ConnectInfo::<std::net::SocketAddr>(
                    "10.0.0.5:40000".parse().unwrap(),
                ));
            r.headers_mut()
                .insert("x-forwarded-for", client.parse().unwrap());
            send(w, r).await.status
        }
    };
    assert_eq!(report("198.51.100.7").await, StatusCode::OK);
    assert_eq!(
        report("198.51.100.8").await,
        StatusCode::OK,
        "another client"
    );
    assert_ne!(
        report("198.51.100.7").await,
        StatusCode::OK,
        "the same client again"
    );
}

/// The id of an account, by name.
async fn account_id(w: &World, name: &'static str) -> u64 {
    w.app
        .read(
            move |_, l| match l.by_reference(vigilia_core::ids::Kind::Account, name)? {
                Some(vigilia_core::fold::Record::Account(a)) => Ok(a.id.0),
                other => panic!("no account {name}: {other:?}"),
            },
        )
        .await
        .unwrap()
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::get(path);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::empty()).unwrap()
}

fn post(path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Request<Body> {
    let body = serde_urlencoded::to_string(form).unwrap();
    let mut r =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::from(body)).unwrap()
}

/// The CSRF token of the first form on a page.
/// The proof of work the public form's script finds for a token (see `static/work.js`).
fn work(token: &str) -> String {
    (0u64..)
        .map(|n| n.to_string())
        .find(|n| {
            vigilia_app::credentials::work_done(token, n, vigilia_app::credentials::WORK_BITS)
        })
        .unwrap()
}

fn csrf(body: &str) -> String {
    let at = body
        .find("name=\"csrf\" value=\"")
        .expect("a form with a csrf field");
    let rest = &body[at + 19..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Signs in through the login form; returns the session cookie and its CSRF token.
async fn sign_in(w: &World, role: Role) -> (String, String) {
    let (_, name, secret, _) = w.secrets.iter().find(|s| s.0 == role).unwrap();
    // A code is good once: each sign-in waits for the next one.
    w.clock.advance(30);
    let page = send(w, get("/login", None)).await;
    let code = secret
        .as_deref()
        .map(|s| vigilia_app::credentials::current_code(s, w.clock.now()).unwrap())
        .unwrap_or_default();
    let r = send(
        w,
        post(
            "/login",
            None,
            &[
                ("csrf", &csrf(&page.body)),
                ("name", name),
                ("password", PASSWORD),
                ("code", &code),
            ],
        ),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{role:?} signs in: {}",
        r.body
    );
    let cookie = r.cookie.expect("a session cookie");
    assert!(cookie.starts_with("__Host-vigilia="));
    let home = send(w, get("/", Some(&cookie))).await;
    (cookie, csrf(&home.body))
}

/// Records every route needs: a report by the first volunteer, a person with a detention.
/// A volunteer reports a Pérez arrested in Zulia on 10 November.
async fn report_perez(w: &World, volunteer: &(String, String), given_names: &str) {
    let r = send(
        w,
        post(
            "/reports/new",
            Some(&volunteer.0),
            &[
                ("csrf", &volunteer.1),
                ("given_names", given_names),
                ("paternal_surname", "Pérez"),
                ("arrest_date", "2026-11-10"),
                ("consent", "initials"),
                ("state", "Zulia"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

async fn seed(w: &World, volunteer: &(String, String)) {
    report_perez(w, volunteer, "José Gregorio").await;
    let c = sign_in(w, Role::Coordinator).await;
    let r = send(w, post("/triage/1/new", Some(&c.0), &[("csrf", &c.1)])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(unsealed(&r.location), "/detentions/1?done=accepted");
}

fn path_for(route: &str) -> String {
    let id = if route.starts_with("/accounts/") {
        "7"
    } else if route.starts_with("/team/") {
        // The lawyer's account: a coordinator sets a lawyer's states.
        "3"
    } else {
        "1"
    };
    route
        .replace("{id}", id)
        .replace("{token}", "0000")
        .replace("{code}", "en")
        .replace("{body}", "wgad")
}

#[tokio::test]
async fn every_route_admits_exactly_the_roles_the_table_names() {
    let w = world();
    let mut sessions = Vec::new();
    for role in Role::ALL {
        sessions.push((role, sign_in(&w, role).await));
    }
    let volunteer = sessions
        .iter()
        .find(|s| s.0 == Role::Volunteer)
        .unwrap()
        .1
        .clone();
    seed(&w, &volunteer).await;
    let mut checked = 0;
    for route in ROUTES {
        let path = path_for(route.path);
        // No account.
        let req = if route.method == "GET" {
            get(&path, None)
        } else if route.api {
            Request::post(&path)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap()
        } else {
            let page = send(&w, get("/login", None)).await;
            post(&path, None, &[("csrf", &csrf(&page.body))])
        };
        let r = send(&w, req).await;
        let refused = matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
            || (r.status == StatusCode::SEE_OTHER && r.location.starts_with("/login?next="));
        assert_eq!(
            refused,
            route.access != Access::Public,
            "{} {} without an account: {} {}",
            route.method,
            route.path,
            r.status,
            r.location
        );
        checked += 1;
        // Any other method on the same path is checked as the table says or refused: HEAD is
        // GET without a body (never a way around the check), the others are not allowed.
        for method in ["HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            let req = Request::builder()
                .method(method)
                .uri(&path)
                .body(Body::empty())
                .unwrap();
            let r = send(&w, req).await;
            let closed = matches!(
                r.status,
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::METHOD_NOT_ALLOWED
            ) || (r.status == StatusCode::SEE_OTHER
                && r.location.starts_with("/login?next="));
            let public_get = method == "HEAD" && route.access == Access::Public;
            assert!(
                closed || public_get || route.method == method,
                "{method} {} without an account: {}",
                route.path,
                r.status
            );
        }
        for (role, (cookie, token)) in &sessions {
            if route.path == "/logout" {
                continue;
            }
            // An account's access is restored by whoever may take it up: an admin an
            // analyst's (5), a coordinator a volunteer's (4).
            let path = if route.path == "/accounts/{id}/access" {
                let whose = if *role == Role::Admin { 5 } else { 4 };
                format!("/accounts/{whose}/access")
            } else {
                path.clone()
            };
            let req = if route.api {
                let (_, _, _, bearer) = w.secrets.iter().find(|s| s.0 == *role).unwrap();
                let r = if route.method == "GET" {
                    Request::get(&path)
                } else {
                    Request::post(&path)
                };
                r.header(header::AUTHORIZATION, format!("Bearer {bearer}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from("{}"))
                    .unwrap()
            } else if route.method == "GET" {
                get(&path, Some(cookie))
            } else {
                post(&path, Some(cookie), &[("csrf", token)])
            };
            let r = send(&w, req).await;
            let allowed = match route.access {
                Access::Public | Access::Signed => true,
                Access::Roles(roles) => roles.contains(role),
            };
            let refused = matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
            assert_eq!(
                !refused,
                allowed,
                "{} {} as {role:?}: {} {}",
                route.method,
                route.path,
                r.status,
                &r.body[..r.body.len().min(300)]
            );
            assert!(
                r.status != StatusCode::INTERNAL_SERVER_ERROR,
                "{} {} as {role:?}: {}",
                route.method,
                route.path,
                r.body
            );
            checked += 1;
        }
    }
    // Every route without an account and with each role (signing out is tried last, below).
    assert_eq!(
        checked,
        ROUTES.len() * (1 + Role::ALL.len()) - Role::ALL.len()
    );
    // Signing out ends the session: the same cookie no longer opens a private page.
    let (cookie, token) = &sessions.iter().find(|s| s.0 == Role::Lawyer).unwrap().1;
    let r = send(&w, post("/logout", Some(cookie), &[("csrf", token)])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = send(&w, get("/persons", Some(cookie))).await;
    assert!(r.location.starts_with("/login"), "{}", r.status);
}

#[tokio::test]
async fn a_form_without_this_sessions_csrf_token_is_refused_and_stores_nothing() {
    let w = world();
    let (cookie, _) = sign_in(&w, Role::Volunteer).await;
    let r = send(
        &w,
        post(
            "/reports/new",
            Some(&cookie),
            &[
                ("csrf", "forged"),
                ("given_names", "Ana"),
                ("arrest_date", "2026-11-01"),
                ("consent", "named"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(&w, get("/reports", Some(&cookie))).await;
    assert!(r.body.contains("Todavía no hay reportes"), "{}", r.body);
}

#[tokio::test]
async fn a_family_reports_gets_a_code_and_follows_its_report_only() {
    let w = world();
    let page = send(&w, get("/report", None)).await;
    assert_eq!(page.status, StatusCode::OK);
    let token = csrf(&page.body);
    let form = |date: &'static str| {
        vec![
            ("given_names", "María José"),
            ("paternal_surname", "Rodríguez"),
            ("national_id", "V-12.345.678"),
            // Neither a woman nor a man: the form offers it, as a file can say it (`X`).
            ("sex", "X"),
            ("arrest_date", date),
            ("consent", "initials"),
            ("contact", "+58 414 000 0000"),
        ]
    };
    assert!(
        page.body.contains("<option value=\"X\">Otro</option>"),
        "{}",
        page.body
    );
    // Sent at once without the page's script (no proof of work): asked to wait half a minute,
    // and nothing typed is lost; the page keeps the form's token, so the wait counts from
    // when the form was opened.
    let mut f = form("2026-11-18");
    f.push(("csrf", &token));
    let r = send(&w, post("/report", None, &f)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("espere 30 segundos"), "{}", r.body);
    assert!(r.body.contains("value=\"María José\""));
    assert!(
        r.body
            .contains("<option value=\"X\" selected>Otro</option>")
    );
    assert_eq!(csrf(&r.body), token);
    w.clock.advance(5);
    let r = send(&w, post("/report", None, &f)).await;
    assert!(r.body.contains("espere 25 segundos"), "{}", r.body);
    // With the proof of work the script finds, three seconds are enough. A wrong date: the
    // message stands next to the field, in Spanish, and the rest is kept.
    let proof = work(&token);
    let mut f = form("2026-13-45");
    f.extend([("csrf", token.as_str()), ("work", proof.as_str())]);
    let r = send(&w, post("/report", None, &f)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"arrest_date-error\""), "{}", r.body);
    assert!(
        r.body.contains("no existe en el calendario") || r.body.contains("no es una fecha"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"V-12.345.678\""));
    // A future date is refused too.
    let mut f = form("2027-01-01");
    f.extend([("csrf", token.as_str()), ("work", proof.as_str())]);
    let r = send(&w, post("/report", None, &f)).await;
    assert!(r.body.contains("posterior a hoy"), "{}", r.body);
    // Right: a receipt code.
    let mut f = form("2026-11-18");
    f.extend([("csrf", token.as_str()), ("work", proof.as_str())]);
    let r = send(&w, post("/report", None, &f)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The same form again (a script that waited once): refused, and nothing more is stored.
    let again = send(&w, post("/report", None, &f)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("ya se envió"), "{}", again.body);
    let at = r.body.find("id=\"receipt\">").unwrap() + 13;
    let code = r.body[at..at + 14].to_string();
    assert_eq!(code.len(), 14);
    // With the code (typed in lower case, without dashes) the family sees its report.
    let page = send(&w, get("/follow", None)).await;
    let t = csrf(&page.body);
    let typed = code.replace('-', "").to_lowercase();
    let r = send(&w, post("/follow", None, &[("csrf", &t), ("code", &typed)])).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("María José"));
    assert!(r.body.contains("recibido, en revisión"));
    // Its contact is not shown back, and a wrong code finds nothing.
    assert!(!r.body.contains("414 000"));
    let r = send(
        &w,
        post("/follow", None, &[("csrf", &t), ("code", "ZZZZ-ZZZZ-ZZZZ")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.body.contains("María José"));
    // The family adds what it learned; the coordinator sees it in triage.
    let r = send(
        &w,
        post(
            "/follow/add",
            None,
            &[
                ("csrf", &t),
                ("code", &code),
                ("text", "Está en El Helicoide"),
            ],
        ),
    )
    .await;
    assert!(r.body.contains("Está en El Helicoide"));
    let (c, _) = sign_in(&w, Role::Coordinator).await;
    let r = send(&w, get("/triage", Some(&c))).await;
    assert!(r.body.contains("María José Rodríguez"), "{}", r.body);
    let r = send(&w, get("/reports/1", Some(&c))).await;
    assert!(
        r.body.contains("+58 414 000 0000"),
        "the coordinator sees the contact"
    );
    // The registry itself keeps the contact encrypted with the report's own key: no stored
    // fact holds it.
    let facts = w
        .app
        .read(|_, l| Ok(l.raw_facts(0, 10_000)?))
        .await
        .unwrap();
    assert!(facts.iter().any(|f| f.change.contains("report_received")));
    assert!(facts.iter().all(|f| !f.change.contains("414 000")));
}

#[tokio::test]
async fn a_volunteer_sees_only_their_own_reports() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    seed(&w, &me).await;
    // The other volunteer (same password, no second factor) signs in.
    let page = send(&w, get("/login", None)).await;
    let r = send(
        &w,
        post(
            "/login",
            None,
            &[
                ("csrf", &csrf(&page.body)),
                ("name", "t-other"),
                ("password", PASSWORD),
            ],
        ),
    )
    .await;
    let other = r.cookie.unwrap();
    let r = send(&w, get("/reports/1", Some(&other))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(&w, get("/reports", Some(&other))).await;
    assert!(!r.body.contains("José Gregorio"));
    let r = send(&w, get("/reports/1", Some(&me.0))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("José Gregorio"));
}

#[tokio::test]
async fn a_lawyer_records_the_release_and_the_balance_changes() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    seed(&w, &me).await;
    let (lawyer, lt) = sign_in(&w, Role::Lawyer).await;
    let r = send(
        &w,
        post(
            "/detentions/1/recognition",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("status", "recognised"),
                ("category", "1"),
                ("reason", "Dirigente vecinal"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Still held, and no sex was reported: the page says it without a gender, and the
    // person's page says the sex is not recorded.
    let r = send(&w, get("/detentions/1", Some(&lawyer))).await;
    assert!(
        r.body.contains("sigue en privación de libertad"),
        "{}",
        r.body
    );
    let r = send(&w, get("/persons/1", Some(&lawyer))).await;
    assert!(
        r.body.contains("<th>Sexo</th><td>no consta</td>"),
        "{}",
        r.body
    );
    // A case file's address with a wrong version says so, and leads back to the person.
    let r = send(&w, get("/persons/1/file?handover=2", Some(&lawyer))).await;
    assert!(
        r.body.contains("no lleva a ninguna versión de la ficha"),
        "{}",
        r.body
    );
    assert!(r.body.contains("href=\"/persons/1\""), "{}", r.body);
    let (analyst, _) = sign_in(&w, Role::Analyst).await;
    let before = send(&w, get("/api/balance", None)).await;
    assert_eq!(before.status, StatusCode::UNAUTHORIZED);
    let r = send(&w, get("/balance", Some(&analyst))).await;
    assert!(
        r.body.contains("id=\"political-prisoners\">1<"),
        "{}",
        r.body
    );
    // A release before the arrest is refused, with the reason.
    let r = send(
        &w,
        post(
            "/detentions/1/end",
            Some(&lawyer),
            &[("csrf", &lt), ("kind", "released"), ("date", "2026-11-01")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("anterior a la detención"));
    // The refusal is shown at the form's action, which takes only POST: switching language
    // there goes back to the detention's page in English, not to a refusal of the method.
    assert!(
        r.body.contains("href=\"/lang/en?back=/detentions/1\""),
        "{}",
        r.body
    );
    let switched = send(&w, get("/lang/en?back=/detentions/1", Some(&lawyer))).await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let english = format!("{lawyer}; lang=en");
    let r = send(&w, get("/detentions/1", Some(&english))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("<html lang=\"en\">"), "{}", r.body);
    let r = send(
        &w,
        post(
            "/detentions/1/end",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("kind", "released_under_measures"),
                ("date", "2026-11-19"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = send(&w, get("/balance", Some(&analyst))).await;
    assert!(
        r.body.contains("id=\"political-prisoners\">0<"),
        "{}",
        r.body
    );
    // As known before the release, the balance is what it was.
    let r = send(&w, get("/balance?as_of=2026-11-18", Some(&analyst))).await;
    assert!(
        r.body.contains("id=\"political-prisoners\">1<"),
        "{}",
        r.body
    );
    // Its breakdowns go in the order a balance is read (sex first, context last), not in the
    // alphabetical order of their keys (agency, category, charge, …).
    let titles = [
        "Sexo",
        "Civiles y militares",
        "Edad",
        "Estado",
        "Cuerpo que detuvo",
        "Contexto",
    ];
    let places: Vec<Option<usize>> = (titles.iter())
        .map(|t| r.body.find(&format!("<h3>{t}</h3>")))
        .collect();
    assert!(
        places.iter().all(Option::is_some) && places.windows(2).all(|w| w[0] < w[1]),
        "{titles:?} at {places:?}: {}",
        r.body
    );
    // The analyst sees the list behind the number, without names; the lawyer with them.
    let r = send(
        &w,
        get(
            "/balance/list?list=political_prisoners&as_of=2026-11-18",
            Some(&analyst),
        ),
    )
    .await;
    assert!(
        r.body.contains("\">1</td>") && !r.body.contains("José Gregorio"),
        "{}",
        r.body
    );
    let r = send(
        &w,
        get(
            "/balance/list?list=political_prisoners&as_of=2026-11-18",
            Some(&lawyer),
        ),
    )
    .await;
    assert!(r.body.contains("José Gregorio"));
    // The history names who recorded what; the court deadline is said in words (arrested on
    // 10 November: 48 hours end on the 12th), never as an ISO date.
    let r = send(&w, get("/detentions/1", Some(&lawyer))).await;
    assert!(r.body.contains("t-lawyer") && r.body.contains("t-coordinator"));
    assert!(
        r.body.contains("el plazo vencía el 12/11/2026"),
        "{}",
        r.body
    );
}

/// Whoever decides whether a report is a registered person sees the report's sex and birth
/// date beside each candidate's, marked where they cannot be the same: two people of one name,
/// or one report with the sex mistaken, are told apart on the page, not by opening every
/// candidate.
#[tokio::test]
async fn a_report_and_its_candidates_show_sex_and_birth_date_side_by_side() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    let report = |given: &'static str, sex: &'static str, born: &'static str| {
        post(
            "/reports/new",
            Some(&me.0),
            &[
                ("csrf", &me.1),
                ("given_names", given),
                ("paternal_surname", "Pérez"),
                ("sex", sex),
                ("birth_date", born),
                ("arrest_date", "2026-11-10"),
                ("consent", "initials"),
                ("state", "Zulia"),
            ],
        )
    };
    let r = send(&w, report("María José", "F", "04/03/1990")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (c, ct) = sign_in(&w, Role::Coordinator).await;
    let r = send(&w, post("/triage/1/new", Some(&c), &[("csrf", &ct)])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = send(&w, report("Maria Jose", "M", "1991")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = send(&w, get("/triage/2", Some(&c))).await;
    assert!(
        page.body.contains("<td id=\"reported-sex\">hombre</td>")
            && page.body.contains("<th>Nacimiento</th><td>1991</td>"),
        "the report's sex and birth: {}",
        page.body
    );
    assert!(
        page.body
            .contains("María José Pérez</a> · sexo: mujer <strong class=\"differs\">(el reporte dice hombre)</strong> · <span class=\"nowrap\">nacimiento: 04/03/1990</span> <strong class=\"differs\">(el reporte dice <span class=\"nowrap\">1991</span>)</strong> · <span class=\"nowrap\">parecido"),
        "the candidate's: {}",
        page.body
    );
    // The same sex, and a year of birth that fits the date: nothing to draw the eye.
    let r = send(&w, report("Maria", "F", "1990")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = send(&w, get("/triage/3", Some(&c))).await;
    assert!(
        page.body
            .contains("María José Pérez</a> · sexo: mujer · <span class=\"nowrap\">nacimiento")
            && !page.body.contains("class=\"differs\"")
            && !page.body.contains("notice narrows")
            && !page.body.contains("class=\"muted keeps\""),
        "{}",
        page.body
    );
    // Named among others in a report about someone else, asking to be counted only: the page
    // says that this report does not change what is published of her.
    let r = send(
        &w,
        post(
            "/reports/new",
            Some(&me.0),
            &[
                ("csrf", &me.1),
                ("given_names", "Rosa"),
                ("paternal_surname", "Díaz"),
                ("arrest_date", "2026-11-10"),
                ("consent", "count_only"),
                ("state", "Zulia"),
                ("others", "María José Pérez"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = send(&w, get("/triage/5", Some(&c))).await;
    assert!(
        page.body
            .contains("<p class=\"muted keeps\">El reporte pide que se publique menos")
            && !page.body.contains("notice narrows"),
        "{}",
        page.body
    );
    // Her cédula, which her record lacks, from a report that says she is a man: nothing is
    // taken from it (it may be someone else), and the cédula is only pointed at, to add on her
    // page once someone has seen it.
    let r = send(
        &w,
        post(
            "/reports/new",
            Some(&me.0),
            &[
                ("csrf", &me.1),
                ("given_names", "María José"),
                ("paternal_surname", "Pérez"),
                ("national_id", "V-20.111.222"),
                ("sex", "M"),
                ("birth_date", "1991"),
                ("arrest_date", "2026-11-10"),
                ("consent", "initials"),
                ("state", "Zulia"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = send(&w, get("/triage/6", Some(&c))).await;
    assert!(
        page.body.contains("El reporte da la cédula <span class=\"nowrap\">V-20111222</span>, que su ficha no tiene")
            && !page.body.contains("class=\"muted fills\""),
        "{}",
        page.body
    );
    let r = send(
        &w,
        post(
            "/triage/6/attach",
            Some(&c),
            &[("csrf", &ct), ("detention", "1")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let person = send(&w, get("/persons/1", Some(&c))).await;
    assert!(
        person.body.contains("<th>Sexo</th><td>mujer</td>") && !person.body.contains("V-20111222"),
        "{}",
        person.body
    );
}

#[tokio::test]
async fn a_second_report_is_triaged_against_its_candidate_and_a_published_balance_is_public() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    seed(&w, &me).await;
    // The same man reported again, without accents and with his cédula missing.
    let r = send(
        &w,
        post(
            "/reports/new",
            Some(&me.0),
            &[
                ("csrf", &me.1),
                ("given_names", "Jose Gregorio"),
                ("paternal_surname", "Perez"),
                ("arrest_date", "2026-11-10"),
                ("consent", "count_only"),
                ("state", "Zulia"),
                ("source_title", "Foto del acta"),
                ("source_link", "https://example.org/acta"),
            ],
        ),
    )
    .await;
    assert_eq!(r.location, "/reports/2", "{}", r.body);
    let (c, ct) = sign_in(&w, Role::Coordinator).await;
    let r = send(&w, get("/triage/2", Some(&c))).await;
    assert!(
        r.body
            .contains("href=\"/persons/1\">José Gregorio Pérez</a>"),
        "the registered person is a candidate: {}",
        r.body
    );
    // Before attaching, the coordinator is told the report narrows what is published of him.
    assert!(
        r.body.contains("<p class=\"notice narrows\">")
            && r.body.contains("Después: solo se cuenta, nunca se nombra."),
        "{}",
        r.body
    );
    let r = send(
        &w,
        post(
            "/triage/2/attach",
            Some(&c),
            &[("csrf", &ct), ("detention", "1")],
        ),
    )
    .await;
    assert_eq!(unsealed(&r.location), "/detentions/1?done=accepted");
    // The first report let his initials be published; this one asks that he be counted only:
    // the stricter stands for him, as his family asked, until a coordinator records otherwise.
    let r = send(&w, get("/persons/1", Some(&c))).await;
    assert!(
        r.body
            .contains("<td id=\"consent\">solo se cuenta, nunca se nombra"),
        "{}",
        r.body
    );
    // Reviewed once: a second decision is refused; the detention now rests on both reports.
    let r = send(
        &w,
        post(
            "/triage/2/reject",
            Some(&c),
            &[("csrf", &ct), ("reason", "duplicado")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("ya fue revisado"), "{}", r.body);
    let r = send(&w, get("/detentions/1", Some(&c))).await;
    assert!(
        r.body.contains("href=\"/reports/1\"") && r.body.contains("href=\"/reports/2\""),
        "{}",
        r.body
    );
    let r = send(&w, get("/triage", Some(&c))).await;
    assert!(r.body.contains("(0)"), "the queue is empty: {}", r.body);
    // Recognised, then published: the public page shows the figure, and no name.
    let (lawyer, lt) = sign_in(&w, Role::Lawyer).await;
    send(
        &w,
        post(
            "/detentions/1/recognition",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("status", "recognised"),
                ("reason", "Dirigente vecinal"),
            ],
        ),
    )
    .await;
    // Publishing shows first what the public will see; nothing is public until confirmed.
    let preview = send(&w, get("/balance/publish?as_of=2026-11-20", Some(&c))).await;
    assert!(
        preview
            .body
            .contains("Todavía no se publicó: revise las cifras"),
        "{}",
        preview.body
    );
    // The preview of a balance seen as known on a past day says what is published instead.
    let known = send(
        &w,
        get(
            "/balance/publish?as_of=20/11/2026&known_on=15/11/2026",
            Some(&c),
        ),
    )
    .await;
    assert!(
        known
            .body
            .contains("era según lo conocido el 15/11/2026; se publica lo que se sabe hoy"),
        "{}",
        known.body
    );
    // A publication is of the week before its date, whatever period the balance showed, and
    // its preview says which week.
    let asked = send(
        &w,
        get(
            "/balance/publish?as_of=2026-11-20&since=01/01/1990",
            Some(&c),
        ),
    )
    .await;
    assert!(
        asked
            .body
            .contains("En la semana del 14/11/2026 al 20/11/2026: 0 detenciones políticas"),
        "{}",
        asked.body
    );
    // It says that the period shown is not what is published, and the way back keeps it.
    assert!(
        asked
            .body
            .contains("contaba los movimientos desde el 02/01/1990"),
        "{}",
        asked.body
    );
    let back = unescaped(&asked.body);
    assert!(
        back.contains("href=\"/balance?as_of=20/11/2026&since=01/01/1990\""),
        "{}",
        asked.body
    );
    assert!(
        !preview.body.contains("contaba los movimientos desde"),
        "{}",
        preview.body
    );
    assert!(
        preview.body.contains("id=\"preview-prisoners\">1 presos"),
        "{}",
        preview.body
    );
    // One prisoner: every breakdown would be all «otros valores»; the one who publishes is told which
    // are left out (the public is told only that some are).
    let withheld = preview
        .body
        .split("id=\"withheld\">")
        .nth(1)
        .unwrap_or_default();
    assert!(
        withheld.starts_with("Solo para el equipo: no se publican")
            && withheld.split("</p>").next().unwrap().contains("Sexo"),
        "{}",
        preview.body
    );
    // The «Publicar» button is after the tables of every breakdown: the notice leads to it.
    assert!(
        preview
            .body
            .contains("<a href=\"#note\" id=\"to-publish\">al final de la página</a>"),
        "{}",
        preview.body
    );
    // Nothing is public yet: the preview says this date sets the day of the week for good.
    assert!(
        preview.body.contains("id=\"first-weekday\"") && preview.body.contains("caerá en viernes"),
        "{}",
        preview.body
    );
    // A link to the preview with a date that does not read leads to the balance page, which
    // says what is wrong beside the field, with what was typed.
    let bad = send(&w, get("/balance/publish?as_of=31/02/2026", Some(&c))).await;
    assert_eq!(
        bad.location, "/balance?as_of=31%2F02%2F2026",
        "{}",
        bad.body
    );
    let there = send(&w, get(&bad.location, Some(&c))).await;
    assert!(
        there.body.contains("no existe en el calendario") && there.body.contains("31/02/2026"),
        "{}",
        there.body
    );
    let none = send(&w, get("/api/publications", None)).await;
    assert_eq!(none.body.trim(), "[]");
    // The form carries the figures it showed: other figures (something recorded since the
    // page was opened) are shown, not published.
    let seen = shown(&w, &c, "2026-11-20").await;
    let stale = send(
        &w,
        post(
            "/balance/publish",
            Some(&c),
            &[
                ("csrf", &ct),
                ("as_of", "2026-11-20"),
                ("note", "Cifras al cierre de la semana."),
                ("shown", &"0".repeat(64)),
            ],
        ),
    )
    .await;
    assert!(
        stale
            .body
            .contains("Algo se registró desde que abrió esta página")
            && stale.body.contains("id=\"publish\""),
        "{}",
        stale.body
    );
    let none = send(&w, get("/api/publications", None)).await;
    assert_eq!(none.body.trim(), "[]");
    let r = send(
        &w,
        post(
            "/balance/publish",
            Some(&c),
            &[
                ("csrf", &ct),
                ("shown", &seen),
                ("as_of", "2026-11-20"),
                // A period or a past "as known on" slipped into the form is not published:
                // the week, as known now, is.
                ("since", "19/11/2026"),
                ("known_on", "15/11/2026"),
                ("note", "Cifras al cierre de la semana."),
            ],
        ),
    )
    .await;
    assert_eq!(r.location, "/public/1", "{}", r.body);
    let published = send(&w, get("/api/publications", None)).await;
    assert!(
        published.body.contains("\"from\":\"2026-11-13\""),
        "{}",
        published.body
    );
    let list: serde_json::Value = serde_json::from_str(&published.body).unwrap();
    assert_eq!(list[0]["figures"]["known_on"], serde_json::Value::Null);
    // Previewed again, the same figures say they are published, in place of the button.
    let again = send(&w, get("/balance/publish?as_of=20/11/2026", Some(&c))).await;
    assert!(
        again.body.contains("id=\"unchanged\"")
            && again.body.contains("no hay nada nuevo que publicar")
            && !again.body.contains("id=\"publish\"")
            && !again.body.contains("pulse «Publicar»"),
        "{}",
        again.body
    );
    let r = send(&w, get("/public/1", None)).await;
    assert!(
        r.body.contains("Cifras al cierre de la semana."),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("id=\"published-prisoners\">1 presos políticos"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("Gregorio"));
    // The names behind it, as consented: none yet (the report's consent is the family's
    // word, not recorded as a decision to publish a name), then named, then withdrawn.
    let before = send(&w, get("/public/1/names", None)).await;
    assert!(before.body.contains("id=\"figure\">1<"), "{}", before.body);
    let (lawyer, lt) = sign_in(&w, Role::Lawyer).await;
    let consent = |level: &'static str, by: &'static str| {
        post(
            "/persons/1/consent",
            Some(&lawyer),
            &[("csrf", lt.as_str()), ("level", level), ("given_by", by)],
        )
    };
    let wrong = send(&w, consent("named", "")).await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert!(
        wrong.body.contains("id=\"consent-given_by-error\""),
        "{}",
        wrong.body
    );
    // Publishing more than before takes a coordinator: one lawyer's account cannot name anyone.
    let raised = send(&w, consent("named", "family")).await;
    assert_eq!(
        raised.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        raised.body
    );
    assert!(
        raised.body.contains("id=\"consent-level-error\""),
        "{}",
        raised.body
    );
    assert!(
        !send(&w, get("/public/1/names", None))
            .await
            .body
            .contains("Gregorio")
    );
    let r = send(
        &w,
        post(
            "/persons/1/consent",
            Some(&c),
            &[
                ("csrf", ct.as_str()),
                ("level", "named"),
                ("given_by", "family"),
            ],
        ),
    )
    .await;
    assert_eq!(
        unsealed(&r.location),
        "/persons/1?done=consent",
        "{}",
        r.body
    );
    let named = send(&w, get("/public/1/names", None)).await;
    assert!(named.body.contains("José Gregorio Pérez"), "{}", named.body);
    assert!(
        named.body.contains("1 con su nombre o sus iniciales"),
        "{}",
        named.body
    );
    let r = send(&w, consent("count_only", "family")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let withdrawn = send(&w, get("/public/1/names", None)).await;
    assert!(!withdrawn.body.contains("Gregorio"), "{}", withdrawn.body);
    assert!(
        withdrawn.body.contains("1 solo contados"),
        "{}",
        withdrawn.body
    );
    let person = send(&w, get("/persons/1", Some(&lawyer))).await;
    assert!(
        person.body.contains("lo decidió la familia"),
        "{}",
        person.body
    );
    // One prisoner: every value of every breakdown would name him (a man, from Zulia): none is
    // published, in the page or in the API, while the total stays as counted; and no figure
    // overlapping the prisoners' (held, the period's) carries a breakdown to subtract.
    assert!(!r.body.contains("class=\"n\">1<"), "{}", r.body);
    let api = send(&w, get("/api/publications", None)).await;
    let list: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let figures = &list[0]["figures"];
    assert_eq!(figures["political_prisoners"]["total"], 1);
    assert_eq!(figures["withheld_below"], 3);
    assert_eq!(figures["political_prisoners"]["by"], serde_json::json!({}));
    assert!(figures["held"].get("by").is_none() && figures["period"].get("by").is_none());
    // The organisation raises the smallest group shown to 5: a balance published from then on
    // keeps 5, the one published before still reads with 3.
    let too_small = w
        .app
        .write(|tx| {
            vigilia_app::publication::set_small_cells(tx, &vigilia_app::Actor::operator("test"), 1)
        })
        .await;
    assert!(too_small.is_err(), "fewer than 2 is refused");
    w.app
        .write(|tx| {
            vigilia_app::publication::set_small_cells(tx, &vigilia_app::Actor::operator("test"), 5)
        })
        .await
        .unwrap();
    let preview = send(&w, get("/balance/publish?as_of=2026-11-15", Some(&c))).await;
    assert!(
        preview.body.contains("menos de 5 personas"),
        "{}",
        preview.body
    );
    let first = send(&w, get("/public/1", None)).await;
    assert!(!first.body.contains("menos de 5"), "{}", first.body);
    // A balance published as of an earlier date: the later one says the change since.
    let r = send(
        &w,
        post(
            "/balance/publish",
            Some(&c),
            &[
                ("csrf", &ct),
                ("as_of", "2026-11-06"),
                ("shown", &shown(&w, &c, "2026-11-06").await),
            ],
        ),
    )
    .await;
    assert_eq!(r.location, "/public/2", "{}", r.body);
    let api = send(&w, get("/api/publications", None)).await;
    let list: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let mut below: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_u64(), p["figures"]["withheld_below"].as_u64()))
        .collect();
    below.sort();
    assert_eq!(
        below,
        [(Some(1), Some(3)), (Some(2), Some(5))],
        "{}",
        api.body
    );
    let r = send(&w, get("/public/1", None)).await;
    assert!(
        r.body
            .contains("1 más que en el balance al 06/11/2026 (0)."),
        "{}",
        r.body
    );
    // Its week's movements are on the public page.
    assert!(
        r.body
            .contains("En la semana del 14/11/2026 al 20/11/2026:"),
        "{}",
        r.body
    );
    // A balance two days from one published is refused, said above the button: subtracting
    // the two would date a release. Nothing is published.
    let close = send(
        &w,
        post(
            "/balance/publish",
            Some(&c),
            &[("csrf", &ct), ("as_of", "18/11/2026")],
        ),
    )
    .await;
    assert_eq!(
        close.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        close.body
    );
    assert!(
        close.body.contains("id=\"too-close\"")
            && close
                .body
                .contains("No se puede publicar el balance al miércoles 18/11/2026")
            && close
                .body
                .contains("Ya se publicó el balance al viernes 20/11/2026"),
        "{}",
        close.body
    );
    let api = send(&w, get("/api/publications", None)).await;
    assert_eq!(api.body.matches("\"id\":").count(), 2, "{}", api.body);
    // Its preview says so before a note is written, with the nearest days that can be
    // published on either side of both publications (the earlier one, to look at, linked), and
    // offers no button.
    let preview = send(&w, get("/balance/publish?as_of=18/11/2026", Some(&c))).await;
    assert!(
        preview.body.contains("id=\"too-close\"")
            && unescaped(&preview.body).contains(
                "se pueden publicar son el <a href=\"/balance/publish?as_of=13/11/2026\">13/11/2026</a> y el 27/11/2026 (cuando llegue)."
            )
            && !preview.body.contains("id=\"publish\"")
            && !preview.body.contains("pulse «Publicar»"),
        "{}",
        preview.body
    );
    // The press follows what is published: both balances in the feed, newest first; no
    // certified list yet, and none to fetch.
    let feed = send(&w, get("/public/feed.atom", None)).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(feed.body.matches("<entry>").count(), 2, "{}", feed.body);
    assert!(
        feed.body.contains("https://vigilia.example.org/public/1")
            && feed.body.contains("Balance al 20/11/2026"),
        "{}",
        feed.body
    );
    assert!(!feed.body.contains("Gregorio"));
    let none = send(&w, get("/public/certified/1/manifest.json", None)).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    let method = send(&w, get("/public/method", None)).await;
    assert!(
        method.body.contains("Las tres categorías"),
        "{}",
        method.body
    );
    // A link shared in English opens in English, with no cookie.
    let english = send(&w, get("/public/method?lang=en", None)).await;
    assert!(
        english.body.contains("What we count and how") && english.body.contains("lang=\"en\""),
        "{}",
        english.body
    );
    // Switching back to Spanish from it comes back without the address's language.
    let back = send(
        &w,
        get("/lang/es?back=%2Fpublic%2Fmethod%3Flang%3Den%26x%3D1", None),
    )
    .await;
    assert_eq!(back.location, "/public/method?x=1");
    // The figures of the 20th, counted with the threshold since raised, correct publication 1:
    // both stay public, each saying which stands, and the list shows the newest date first.
    let r = send(
        &w,
        post(
            "/balance/publish",
            Some(&c),
            &[
                ("csrf", &ct),
                ("as_of", "20/11/2026"),
                ("shown", &shown(&w, &c, "20/11/2026").await),
                ("note", "Corrige la n.º 1: desgloses con el umbral de 5"),
            ],
        ),
    )
    .await;
    assert_eq!(r.location, "/public/3", "{}", r.body);
    let first = send(&w, get("/public/1", None)).await;
    assert!(
        first.body.contains("id=\"corrected-by\"")
            && first
                .body
                .contains("corregido por el <a href=\"/public/3\">n.º 3</a>"),
        "{}",
        first.body
    );
    let third = send(&w, get("/public/3", None)).await;
    assert!(
        third
            .body
            .contains("Corrige el balance <a href=\"/public/1\">n.º 1</a>"),
        "{}",
        third.body
    );
    let list = send(&w, get("/public", None)).await;
    let at = |s: &str| list.body.find(s).unwrap();
    assert!(
        at("href=\"/public/3\"") < at("href=\"/public/1\"")
            && at("href=\"/public/1\"") < at("href=\"/public/2\"")
            && list.body.contains("corregido por el n.º 3"),
        "{}",
        list.body
    );
}

#[tokio::test]
async fn a_lawyer_of_one_state_sees_its_cases_and_those_assigned_only() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    let (c, ct) = sign_in(&w, Role::Coordinator).await;
    // Two arrests in Zulia: the first assigned to the lawyer, the second not.
    for (n, name) in [(1, "Ana"), (2, "Berta")] {
        let r = send(
            &w,
            post(
                "/reports/new",
                Some(&me.0),
                &[
                    ("csrf", &me.1),
                    ("given_names", name),
                    ("paternal_surname", "Zambrano"),
                    ("arrest_date", "2026-11-10"),
                    ("consent", "named"),
                    ("state", "VE-V"),
                ],
            ),
        )
        .await;
        assert_eq!(r.location, format!("/reports/{n}"), "{}", r.body);
        if n == 1 {
            let r = send(
                &w,
                post(
                    "/triage/1/assign",
                    Some(&c),
                    &[("csrf", &ct), ("to", "t-lawyer")],
                ),
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let r = send(
            &w,
            post(&format!("/triage/{n}/new"), Some(&c), &[("csrf", &ct)]),
        )
        .await;
        assert_eq!(
            unsealed(&r.location),
            format!("/detentions/{n}?done=accepted")
        );
    }
    // The lawyer works in Miranda. A state the profile lacks is refused, naming the states.
    let wrong = w
        .app
        .write(move |tx| accounts::set_regions(tx, "t-admin", "t-lawyer", &["Narnia".into()]))
        .await
        .unwrap_err();
    assert!(format!("{wrong:?}").contains("Zulia"), "{wrong:?}");
    w.app
        .write(move |tx| accounts::set_regions(tx, "t-admin", "t-lawyer", &["Edo. Miranda".into()]))
        .await
        .unwrap();
    let (lawyer, lt) = sign_in(&w, Role::Lawyer).await;
    // The assigned case: seen, and worked on.
    let r = send(&w, get("/detentions/1", Some(&lawyer))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Ana Zambrano"));
    // The other: refused on every page and in the API, and its name not in search or lists.
    for path in ["/detentions/2", "/persons/2"] {
        let r = send(&w, get(path, Some(&lawyer))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let r = send(
        &w,
        post(
            "/detentions/2/end",
            Some(&lawyer),
            &[("csrf", &lt), ("kind", "released"), ("date", "2026-11-19")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(&w, get("/persons?q=zambrano", Some(&lawyer))).await;
    assert!(
        r.body.contains("Ana Zambrano") && !r.body.contains("Berta"),
        "{}",
        r.body
    );
    let (_, _, _, token) = w.secrets.iter().find(|s| s.0 == Role::Lawyer).unwrap();
    let api = Request::get("/api/detentions/2")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&w, api).await.status, StatusCode::FORBIDDEN);
    // Who a person is: corrected by the lawyer of her case, not of another's, on the page or
    // through the API.
    let r = send(
        &w,
        post(
            "/persons/2/identity",
            Some(&lawyer),
            &[
                ("csrf", lt.as_str()),
                ("given_names", "Berta"),
                ("sex", "F"),
                ("reason", "x"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let correct = |person: u64| {
        Request::post(format!("/api/persons/{person}/identity"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                r#"{"given_names": "Ana", "paternal_surname": "Zambrano", "sex": "F", "reason": "la vi en la audiencia"}"#,
            ))
            .unwrap()
    };
    assert_eq!(send(&w, correct(2)).await.status, StatusCode::FORBIDDEN);
    let r = send(&w, correct(1)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, r#"{"changed":["sex"],"recorded":true}"#);
    let r = send(
        &w,
        get(
            "/balance/list?list=under_study&as_of=2026-11-20",
            Some(&lawyer),
        ),
    )
    .await;
    assert!(
        r.body.contains("Ana Zambrano") && !r.body.contains("Berta"),
        "{}",
        r.body
    );
    // The coordinator sees both.
    let r = send(&w, get("/persons?q=zambrano", Some(&c))).await;
    assert!(r.body.contains("Ana Zambrano") && r.body.contains("Berta Zambrano"));
}

#[tokio::test]
async fn who_looked_at_a_case_is_recorded_and_revoking_ends_the_session_at_once() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    seed(&w, &me).await;
    let (lawyer, _) = sign_in(&w, Role::Lawyer).await;
    let before = w.app.read(|_, l| Ok(l.head()?.facts)).await.unwrap();
    let r = send(&w, get("/detentions/1", Some(&lawyer))).await;
    assert_eq!(r.status, StatusCode::OK);
    // The lawyer does not see who else looked; the coordinator does, and the view is a fact.
    assert!(!r.body.contains("id=\"views\"") && !r.body.contains("Quién lo consultó"));
    let (c, _) = sign_in(&w, Role::Coordinator).await;
    let r = send(&w, get("/detentions/1", Some(&c))).await;
    let views = &r.body[r.body.find("id=\"views\"").expect("the views section")..];
    assert!(
        views.contains("t-lawyer") && views.contains("vio la ficha"),
        "{views}"
    );
    // When, as people say it in the organisation's time, not as a timestamp.
    assert!(
        views.contains("/2026, ") && !views.contains("Z</td>"),
        "{views}"
    );
    // The views are facts of the chain, and the history of changes does not list them.
    let after = w.app.read(|_, l| Ok(l.head()?.facts)).await.unwrap();
    assert!(
        after >= before + 3,
        "two views and a sign-in: {before} → {after}"
    );
    let history = &r.body[..r.body.find("id=\"views\"").unwrap()];
    assert!(!history.contains("audited"), "{history}");
    // A refused sign-in of an existing account is recorded too.
    let page = send(&w, get("/login", None)).await;
    send(
        &w,
        post(
            "/login",
            None,
            &[
                ("csrf", &csrf(&page.body)),
                ("name", "t-lawyer"),
                ("password", "wrong"),
            ],
        ),
    )
    .await;
    let lawyer_id = account_id(&w, "t-lawyer").await;
    let refused = w
        .app
        .read(move |_, l| Ok(l.history(vigilia_core::ids::AccountId(lawyer_id).into())?))
        .await
        .unwrap();
    assert!(refused.iter().any(|f| matches!(
        f.change,
        vigilia_core::fact::Change::Audited {
            what: vigilia_core::fact::Audit::SignInRefused,
            ..
        }
    )));
    // Revoked (as the command line does, from outside the server): the open session ends at
    // the next request, and what the lawyer saw is reported.
    let lawyer_id = account_id(&w, "t-lawyer").await;
    w.app
        .write(move |tx| {
            let which = accounts::Which::Named("t-lawyer".into());
            accounts::revoke(tx, "t-admin", &which, "arrested")
        })
        .await
        .unwrap();
    // A request checked just before the revocation and written just after is refused too:
    // every write reads its account again inside the transaction.
    let before_revocation = vigilia_app::Actor {
        account: lawyer_id,
        name: "t-lawyer".into(),
        role: Role::Lawyer,
        regions: vec![],
    };
    let step = vigilia_app::records::StepForm {
        kind: "house_arrest".into(),
        date: "2026-11-19".into(),
        ..Default::default()
    };
    let late = w
        .app
        .write(move |tx| {
            let d = vigilia_core::ids::DetentionId(1);
            vigilia_app::records::record_step(tx, &before_revocation, d, &step)
        })
        .await;
    assert!(
        matches!(
            late,
            Err(vigilia_web::WebError::App(
                vigilia_app::AppError::Forbidden(_)
            ))
        ),
        "{late:?}"
    );
    let r = send(&w, get("/detentions/1", Some(&lawyer))).await;
    assert!(
        r.location.starts_with("/login"),
        "{} {}",
        r.status,
        r.location
    );
    let exposure = w
        .app
        .read(|_, l| Ok(accounts::exposure(l, "t-lawyer", 90)?))
        .await
        .unwrap();
    let seen = exposure.seen;
    assert_eq!(
        exposure.reach.localize(Lang::En),
        "every case (without contacts)"
    );
    let d = seen
        .iter()
        .find(|e| e.subject.to_string() == "detention:1")
        .expect("the detention the lawyer looked at");
    assert_eq!(d.name, "José Gregorio Pérez");
    assert_eq!(
        d.why.localize(Lang::Es),
        "vio la ficha el 20 de noviembre de 2026"
    );
}

/// Bulk reads of names (a search, the triage queue and its candidates, the list of reports, and
/// their API twins) are audit facts that say who, what was searched for, and which records came
/// back; the query is stored encrypted (it is a name or a cédula), and revoking the account
/// reports every record such a read showed it and what it searched for.
#[tokio::test]
async fn searches_and_lists_of_names_are_recorded_with_what_they_returned() {
    use vigilia_core::fact::{Audit, Change};
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    seed(&w, &me).await;
    let audits = |w: &World| {
        let app = w.app.clone();
        async move {
            app.read(|_, l| {
                let mut out = Vec::new();
                l.for_each_history(None, None, &mut |subject, facts| {
                    for f in facts {
                        if let Change::Audited { what, records, .. } = &f.change {
                            out.push((subject, f.actor.clone(), *what, records.clone()));
                        }
                    }
                    Ok(())
                })?;
                Ok(out)
            })
            .await
            .unwrap()
        }
    };
    let (lawyer, _) = sign_in(&w, Role::Lawyer).await;
    let r = send(&w, get("/persons?q=perez", Some(&lawyer))).await;
    assert!(r.body.contains("José Gregorio Pérez"), "{}", r.body);
    let (_, _, _, token) = w.secrets.iter().find(|s| s.0 == Role::Lawyer).unwrap();
    let api = Request::get("/api/persons?q=V-99.999.999")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&w, api).await.status, StatusCode::OK);
    let searches: Vec<_> = audits(&w)
        .await
        .into_iter()
        .filter(|a| a.2 == Audit::Searched)
        .collect();
    assert_eq!(searches.len(), 2, "{searches:?}");
    assert_eq!(searches[0].1, "t-lawyer");
    assert_eq!(
        searches[0]
            .3
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
        ["person:1"]
    );
    // A search that finds nobody is recorded too: whom the insider looked for matters.
    assert!(searches[1].3.is_empty());
    // The query is not in the chain as typed.
    let stored = w
        .app
        .read(|_, l| Ok(l.history(vigilia_core::ids::Subject::REGISTRY)?))
        .await
        .unwrap();
    let json: String = stored
        .iter()
        .map(|f| serde_json::to_string(&f.change).unwrap())
        .collect();
    assert!(json.contains("\"query\"") && !json.contains("perez") && !json.contains("99.999"));
    // The coordinator's queue (empty after the seed: not recorded), a new report, then the
    // queue, its candidates and the list of reports, by page and by API.
    let (c, _) = sign_in(&w, Role::Coordinator).await;
    report_perez(&w, &me, "José").await;
    let before = audits(&w).await.len();
    assert_eq!(
        send(&w, get("/triage", Some(&c))).await.status,
        StatusCode::OK
    );
    assert_eq!(
        send(&w, get("/triage/2", Some(&c))).await.status,
        StatusCode::OK
    );
    assert_eq!(
        send(&w, get("/reports", Some(&me.0))).await.status,
        StatusCode::OK
    );
    let (_, _, _, ct) = w.secrets.iter().find(|s| s.0 == Role::Coordinator).unwrap();
    for path in ["/api/triage", "/api/triage/2"] {
        let api = Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {ct}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&w, api).await.status, StatusCode::OK, "{path}");
    }
    // Grouped by record, not in ledger order: compare them sorted.
    let all = audits(&w).await;
    assert_eq!(all.len(), before + 5, "{all:?}");
    let mut new: Vec<String> = all
        .iter()
        .filter(|a| matches!(a.2, Audit::ListedReports | Audit::Compared))
        .map(|(subject, actor, what, records)| {
            let records: Vec<String> = records.iter().map(|r| r.to_string()).collect();
            format!("{subject} {actor} {what:?} {}", records.join(","))
        })
        .collect();
    new.sort();
    assert_eq!(
        new,
        [
            "registry:0 t-coordinator ListedReports report:2",
            "registry:0 t-coordinator ListedReports report:2",
            "registry:0 t-volunteer ListedReports report:2,report:1",
            "report:2 t-coordinator Compared person:1",
            "report:2 t-coordinator Compared person:1",
        ]
    );
    // Revoked: what every such read showed is reported, and what the lawyer searched for.
    w.app
        .write(move |tx| {
            let which = accounts::Which::Named("t-lawyer".into());
            accounts::revoke(tx, "t-admin", &which, "arrested")
        })
        .await
        .unwrap();
    let exposure = w
        .app
        .read(|_, l| Ok(accounts::exposure(l, "t-lawyer", 90)?))
        .await
        .unwrap();
    let person = exposure
        .seen
        .iter()
        .find(|e| e.subject.to_string() == "person:1")
        .expect("the person the search returned");
    assert_eq!(
        person.why.localize(Lang::Es),
        "buscó personas el 20 de noviembre de 2026"
    );
    let typed: Vec<(&str, usize)> = exposure
        .searches
        .iter()
        .map(|s| (s.query.as_str(), s.returned))
        .collect();
    assert_eq!(typed, [("perez", 1), ("V-99.999.999", 0)]);
}

/// The public form's token sends one report (two forms opened in the same second have
/// different ones); without the page's script a form is accepted half a minute after it was
/// opened, and a made-up proof of work counts for nothing.
#[tokio::test]
async fn a_public_form_sends_one_report_and_without_javascript_waits_longer() {
    let w = world();
    let first = csrf(&send(&w, get("/report", None)).await.body);
    let second = csrf(&send(&w, get("/report", None)).await.body);
    assert_ne!(first, second, "two forms opened in the same second");
    // The key that signs them is derived from the registry's keyring, stored nowhere: a copy
    // of the database cannot sign forms that look hours old.
    let stored = w.app.read(|_, l| Ok(l.state("form-key")?)).await.unwrap();
    assert_eq!(stored, None);
    let form = |token: &str, proof: &str| {
        vec![
            ("csrf", token.to_string()),
            ("work", proof.to_string()),
            ("given_names", "Luisa".to_string()),
            ("paternal_surname", "Mendoza".to_string()),
            ("arrest_date", "2026-11-18".to_string()),
            ("consent", "count_only".to_string()),
        ]
    };
    let sent = |f: Vec<(&'static str, String)>| {
        let w = &w;
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            send(w, post("/report", None, &f)).await
        }
    };
    w.clock.advance(31);
    let r = sent(form(&first, "")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = sent(form(&first, &work(&first))).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let third = csrf(&send(&w, get("/report", None)).await.body);
    w.clock.advance(5);
    let r = sent(form(&third, "12345")).await;
    assert!(r.body.contains("espere 25 segundos"), "{}", r.body);
    let r = sent(form(&second, "")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let reports = w
        .app
        .read(|_, l| {
            let mut n = 0;
            l.fold_all(
                vigilia_core::ids::Kind::Report,
                vigilia_core::fold::KnownOn::NOW,
                &mut |_| n += 1,
            )?;
            Ok(n)
        })
        .await
        .unwrap();
    assert_eq!(reports, 2);
}

/// The API's bodies are held to the route table's limit, as forms are (the JSON extractor alone
/// read up to 2 MB of whatever a token holder sent), and told that limit.
#[tokio::test]
async fn an_api_body_over_its_limit_is_refused_before_it_is_read() {
    let w = world();
    let (_, _, _, token) = w.secrets.iter().find(|s| s.0 == Role::Volunteer).unwrap();
    let huge = format!(
        "{{\"given_names\":\"{}\",\"paternal_surname\":\"Pérez\"}}",
        "a".repeat(1024 * 1024)
    );
    let r = Request::post("/api/reports")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(huge))
        .unwrap();
    let r = send(&w, r).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert!(
        r.body.contains("too large") || r.body.contains("demasiado grande"),
        "{}",
        r.body
    );
    // It is told the limit of what it sent, not a file's (a form without a file said 10 MB).
    assert!(r.body.contains("256 KB"), "{}", r.body);
    assert!(!r.body.contains("10 MB"), "{}", r.body);
    // A person's form is answered with a page: a short heading, then what to do, in a
    // paragraph (the whole sentence was the heading, a screen high on a telephone).
    let form = format!("given_names={}", "a".repeat(300 * 1024));
    let r = Request::post("/report")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let r = send(&w, r).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert!(r.body.contains("<h1>Demasiado grande</h1>"), "{}", r.body);
    assert!(
        r.body.contains(
            "<p>El formulario es demasiado grande: lo escrito en él puede ocupar hasta 256 KB"
        ),
        "{}",
        r.body
    );
}

/// Coordinators are told of every account made or given a role in the last 30 days, on their
/// queue: a lawyer's account made from the command line by a turned key holder is noticed.
#[tokio::test]
async fn coordinators_see_the_accounts_made_lately() {
    let w = world();
    w.app
        .write(|tx| vigilia_app::accounts::invite(tx, "clave", "abogado-nuevo", Role::Lawyer))
        .await
        .unwrap();
    let (c, _) = sign_in(&w, Role::Coordinator).await;
    let r = send(&w, get("/triage", Some(&c))).await;
    assert!(r.body.contains("Cuentas nuevas del equipo"), "{}", r.body);
    assert!(
        r.body.contains(
            "<strong>abogado-nuevo</strong>, abogado o abogada: creada por clave el 20/11/2026"
        ),
        "{}",
        r.body
    );
    // A month on, the notice is gone.
    w.clock.advance(31 * 24 * 3600);
    let (c, _) = sign_in(&w, Role::Coordinator).await;
    let r = send(&w, get("/triage", Some(&c))).await;
    assert!(!r.body.contains("abogado-nuevo"), "{}", r.body);
}

/// Every figure's list is that figure: each "lista" link of the balance page carries the
/// balance's dates (as of, and as known on), so its rows are as many as the figure says, also
/// when what is known today differs (a release recorded later).
#[tokio::test]
async fn every_list_behind_a_figure_has_as_many_rows_as_the_figure() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    seed(&w, &me).await;
    let (lawyer, lt) = sign_in(&w, Role::Lawyer).await;
    let r = send(
        &w,
        post(
            "/detentions/1/recognition",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("status", "recognised"),
                ("reason", "Dirigente"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Five days later the release on the 19th is recorded: known today, he is free on the 20th;
    // as known on the 20th, he was a political prisoner.
    w.clock.advance(5 * 24 * 3600);
    let (lawyer, lt) = sign_in(&w, Role::Lawyer).await;
    let r = send(
        &w,
        post(
            "/detentions/1/end",
            Some(&lawyer),
            &[("csrf", &lt), ("kind", "released"), ("date", "2026-11-19")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (c, _) = sign_in(&w, Role::Coordinator).await;
    let page = send(
        &w,
        get("/balance?as_of=2026-11-20&known_on=2026-11-20", Some(&c)),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let digits = |s: &str| -> u64 {
        s.chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    };
    let mut checked = 0;
    for row in page
        .body
        .split("<tr>")
        .filter(|r| r.contains("/balance/list?"))
    {
        let at = row.find("href=\"").unwrap() + 6;
        let href = row[at..at + row[at..].find('"').unwrap()]
            .replace("&amp;", "&")
            .replace("&#38;", "&");
        let n = row.find("class=\"n").unwrap();
        let cell = &row[n..];
        let figure = digits(&cell[cell.find('>').unwrap() + 1..cell.find("</td>").unwrap()]);
        let list = send(&w, get(&href, Some(&c))).await;
        let total = &list.body[list.body.find("data-total=\"").expect(&href) + 12..];
        let total: u64 = total[..total.find('"').unwrap()].parse().unwrap();
        assert_eq!(total, figure, "{href}");
        // The whole list, downloaded, holds as many detentions as the figure says.
        let file = send(
            &w,
            get(
                &href.replace("/balance/list?", "/balance/list/download?format=csv&"),
                Some(&c),
            ),
        )
        .await;
        assert_eq!(file.status, StatusCode::OK, "{href}");
        assert_eq!(
            file.body.lines().count() as u64,
            figure + 1,
            "{href}: {}",
            file.body
        );
        checked += 1;
    }
    assert!(checked >= 4, "the links checked: {checked}");
    assert!(
        page.body.contains("id=\"political-prisoners\">1<"),
        "{}",
        page.body
    );
}

/// Group detentions count once: two volunteers report the same arrest of 47 (each naming one
/// person) and a third an arrest of 12 (naming one). The second report is offered the group the
/// first made and filed under it, so the cumulative count grows by 45 + 11 unidentified (the
/// three named are under study), not 46 + 46 + 11 as when each report made its own group; the
/// group's page shows both identified, and its count is corrected with a reason.
#[tokio::test]
async fn a_second_report_of_a_group_arrest_joins_its_group_and_counts_once() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    let report = |name: &'static str, count: &'static str, date: &'static str| {
        post(
            "/reports/new",
            Some(&me.0),
            &[
                ("csrf", &me.1),
                ("given_names", name),
                ("paternal_surname", "Pérez"),
                ("arrest_date", date),
                ("consent", "initials"),
                ("state", "VE-V"),
                ("agency", "GNB"),
                ("count", count),
            ],
        )
    };
    for (name, count, date) in [
        ("Ana", "47", "2026-11-15"),
        ("Berta", "47", "2026-11-15"),
        ("Carla", "12", "2026-11-12"),
    ] {
        let r = send(&w, report(name, count, date)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let (c, ct) = sign_in(&w, Role::Coordinator).await;
    let r = send(&w, post("/triage/1/new", Some(&c), &[("csrf", &ct)])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let accepted = send(&w, get(&r.location, Some(&c))).await;
    assert!(
        accepted.body.contains("Reporte aceptado"),
        "{}",
        accepted.body
    );
    // The second report: the group of the first is offered.
    let page = send(&w, get("/triage/2", Some(&c))).await;
    assert!(
        page.body.contains("¿Es la misma detención colectiva?"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("name=\"group\" value=\"1\""),
        "{}",
        page.body
    );
    let r = send(
        &w,
        post(
            "/triage/2/attach",
            Some(&c),
            &[("csrf", &ct), ("group", "1")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The third is another event (another day): not offered that group; a group of its own.
    let page = send(&w, get("/triage/3", Some(&c))).await;
    assert!(
        !page.body.contains("name=\"group\" value=\"1\""),
        "{}",
        page.body
    );
    let r = send(&w, post("/triage/3/new", Some(&c), &[("csrf", &ct)])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let balance = send(
        &w,
        get("/balance?as_of=2026-11-20&since=2026-11-01", Some(&c)),
    )
    .await;
    assert!(
        balance.body.contains("id=\"cumulative\">56<"),
        "45 + 11, not 103: {}",
        balance.body
    );
    let group = send(&w, get("/groups/1", Some(&c))).await;
    assert_eq!(group.status, StatusCode::OK, "{}", group.body);
    assert!(
        group
            .body
            .contains("id=\"group-count\">47 personas detenidas"),
        "{}",
        group.body
    );
    assert!(group.body.contains("Ana Pérez") && group.body.contains("Berta Pérez"));
    assert!(
        group.body.contains("href=\"/reports/1\"") && group.body.contains("href=\"/reports/2\"")
    );
    // A correction: with a reason, not below those identified; what was typed comes back.
    let r = send(
        &w,
        post(
            "/groups/1/count",
            Some(&c),
            &[
                ("csrf", &ct),
                ("count", "1"),
                ("reason", "lista del tribunal"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("al menos 2"), "{}", r.body);
    assert!(
        r.body.contains(">lista del tribunal</textarea>"),
        "{}",
        r.body
    );
    let r = send(
        &w,
        post(
            "/groups/1/count",
            Some(&c),
            &[
                ("csrf", &ct),
                ("count", "52"),
                ("reason", "lista del tribunal"),
            ],
        ),
    )
    .await;
    assert_eq!(r.location, "/groups/1", "{}", r.body);
    let group = send(&w, get("/groups/1", Some(&c))).await;
    assert!(
        group
            .body
            .contains("número corregido a 52: lista del tribunal"),
        "{}",
        group.body
    );
    let balance = send(
        &w,
        get("/balance?as_of=2026-11-20&since=2026-11-01", Some(&c)),
    )
    .await;
    assert!(
        balance.body.contains("id=\"cumulative\">61<"),
        "{}",
        balance.body
    );
    // A report of an arrest of 30 that names nobody: accepting it records a group without
    // names, and its button says so, not «persona nueva»; its page says it names nobody and
    // does not list itself among its sources.
    let r = send(
        &w,
        post(
            "/reports/new",
            Some(&me.0),
            &[
                ("csrf", &me.1),
                ("arrest_date", "2026-11-16"),
                ("consent", "count_only"),
                ("state", "VE-V"),
                ("count", "30"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = r.location.trim_start_matches("/reports/").to_string();
    let page = send(&w, get(&format!("/triage/{id}"), Some(&c))).await;
    assert!(
        page.body
            .contains(">Registrar la detención de 30 personas, sin nombres</button>")
            && !page.body.contains("persona nueva"),
        "{}",
        page.body
    );
    let r = send(
        &w,
        post(&format!("/triage/{id}/new"), Some(&c), &[("csrf", &ct)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Back on the group it made, which says so.
    assert!(
        unsealed(&r.location).starts_with("/groups/") && r.location.contains("done=accepted"),
        "{}",
        r.location
    );
    let group = send(&w, get(&r.location, Some(&c))).await;
    assert!(
        group
            .body
            .contains("Reporte archivado en esta detención colectiva")
            && group.body.contains(">30 personas detenidas<"),
        "{}",
        group.body
    );
    let report = send(&w, get(&format!("/reports/{id}"), Some(&c))).await;
    assert!(
        !report.body.contains(&format!("<li>Reporte {id}"))
            && !report.body.contains("report:")
            && report.body.contains("no nombra a nadie"),
        "{}",
        report.body
    );
}

/// Only a report stored uses up an address's reports of the hour: a form sent back for its
/// mistakes does not (a stranger's mistyped forms closed the form for everyone behind the same
/// address), while the next stored one is still limited.
#[tokio::test]
async fn a_form_sent_back_for_its_mistakes_does_not_use_up_the_hour() {
    let w = common::world_with(vigilia_web::Config {
        intake_delay: 0,
        intake_per_hour: 1,
        ..vigilia_web::Config::default()
    });
    let form = |consent: &'static str| {
        let w = &w;
        async move {
            let t = csrf(&send(w, get("/report", None)).await.body);
            let f = [
                ("csrf", t.as_str()),
                ("given_names", "Ana"),
                ("paternal_surname", "Gómez"),
                ("arrest_date", "19/11/2026"),
                ("consent", consent),
            ];
            send(w, post("/report", None, &f)).await
        }
    };
    let r = form("").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = form("initials").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = form("initials").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
}

/// Someone signed in (a volunteer helping a family at a desk) can send the public form too: its
/// page carries a form token, whose wait counts (the session's token has no age: it waited for
/// ever).
#[tokio::test]
async fn the_public_form_works_for_someone_signed_in() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    let page = send(&w, get("/report", Some(&me.0))).await;
    let form = &page.body[page.body.find("action=\"/report\"").unwrap()..];
    let token = csrf(form);
    assert_ne!(token, me.1, "a form token, not the session's");
    let proof = work(&token);
    w.clock.advance(5);
    let f = [
        ("csrf", token.as_str()),
        ("work", proof.as_str()),
        ("given_names", "Luisa"),
        ("paternal_surname", "Mendoza"),
        ("arrest_date", "18/11/2026"),
        ("consent", "count_only"),
    ];
    let r = send(&w, post("/report", Some(&me.0), &f)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"receipt\""), "{}", r.body);
}

/// The family who reported follows what happened since, in plain words: the transfer, the
/// presentation before a court, the release under restrictions, with their dates; never who
/// decided, why, or the case's internal notes.
#[tokio::test]
async fn a_family_learns_what_happened_in_plain_words() {
    let w = world();
    let token = csrf(&send(&w, get("/report", None)).await.body);
    let proof = work(&token);
    w.clock.advance(5);
    let f = [
        ("csrf", token.as_str()),
        ("work", proof.as_str()),
        ("given_names", "Rosa"),
        ("paternal_surname", "Linares"),
        ("arrest_date", "10/11/2026"),
        ("consent", "initials"),
        ("contact", "0414-5550199"),
    ];
    let r = send(&w, post("/report", None, &f)).await;
    let at = r.body.find("id=\"receipt\">").unwrap() + 13;
    let code = r.body[at..at + 14].to_string();
    let (c, ct) = sign_in(&w, Role::Coordinator).await;
    let r = send(&w, post("/triage/1/new", Some(&c), &[("csrf", &ct)])).await;
    assert_eq!(
        unsealed(&r.location),
        "/detentions/1?done=accepted",
        "{}",
        r.body
    );
    let (lawyer, lt) = sign_in(&w, Role::Lawyer).await;
    for (kind, date, detail) in [
        ("held", "12/11/2026", "El Helicoide (SEBIN)"),
        ("court", "13/11/2026", "Tribunal 3.º de Control"),
    ] {
        let r = send(
            &w,
            post(
                "/detentions/1/step",
                Some(&lawyer),
                &[
                    ("csrf", &lt),
                    ("kind", kind),
                    ("date", date),
                    ("detail", detail),
                ],
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let r = send(
        &w,
        post(
            "/detentions/1/recognition",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("status", "recognised"),
                ("reason", "razón interna del abogado"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = send(
        &w,
        post(
            "/detentions/1/end",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("kind", "released_under_measures"),
                ("date", "19/11/2026"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let t = csrf(&send(&w, get("/follow", None)).await.body);
    let page = send(&w, post("/follow", None, &[("csrf", &t), ("code", &code)])).await;
    let news = &page.body[page.body.find("id=\"news\"").expect("news")..];
    for said in [
        "12/11/2026: reclusión en El Helicoide (SEBIN)",
        "13/11/2026: presentado ante el tribunal: Tribunal 3.º de Control",
        "reconocido por la organización como preso político",
        "19/11/2026: excarcelación con medidas cautelares",
    ] {
        assert!(news.contains(said), "{said}: {news}");
    }
    assert!(!page.body.contains("razón interna") && !page.body.contains("t-lawyer"));
    // What the family adds reaches the lawyer who follows the case, on the report's page,
    // without the family's contact (a coordinator's to see).
    let r = send(
        &w,
        post(
            "/follow/add",
            None,
            &[
                ("csrf", &t),
                ("code", &code),
                ("text", "Lo trasladaron a Tocorón"),
            ],
        ),
    )
    .await;
    assert!(r.body.contains("Lo trasladaron a Tocorón"), "{}", r.body);
    let report = send(&w, get("/reports/1", Some(&lawyer))).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert!(
        report.body.contains("Lo trasladaron a Tocorón"),
        "{}",
        report.body
    );
    assert!(!report.body.contains("5550199"), "{}", report.body);
    let detention = send(&w, get("/detentions/1", Some(&lawyer))).await;
    assert!(
        detention.body.contains("href=\"/reports/1\""),
        "{}",
        detention.body
    );
    // ... and on the case's own page, dated, without opening the report.
    let added = &detention.body[detention
        .body
        .find("id=\"additions\"")
        .expect("the additions")..];
    assert!(
        added.contains("Lo trasladaron a Tocorón") && added.contains("/2026"),
        "{added}"
    );
}

/// Search finds a name as it sounds, the way people write Venezuelan names (`Gonzales` for
/// `González`, `Yusmary` for `Jusmary`), and still not another name.
#[tokio::test]
async fn search_finds_names_as_they_sound() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    let r = send(
        &w,
        post(
            "/reports/new",
            Some(&me.0),
            &[
                ("csrf", &me.1),
                ("given_names", "Jusmary"),
                ("paternal_surname", "González"),
                ("arrest_date", "2026-11-10"),
                ("consent", "initials"),
                ("state", "VE-V"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (c, ct) = sign_in(&w, Role::Coordinator).await;
    // Searched before she is registered (the server's index of names is made now), then
    // after: the index is brought up to date with the person registered since.
    let r = send(&w, get("/persons?q=jusmary", Some(&c))).await;
    assert!(!r.body.contains("Jusmary González"), "{}", r.body);
    send(&w, post("/triage/1/new", Some(&c), &[("csrf", &ct)])).await;
    for q in ["yusmary gonzales", "Gonsalez", "jusmary", "gonz"] {
        let r = send(
            &w,
            get(&format!("/persons?q={}", q.replace(' ', "+")), Some(&c)),
        )
        .await;
        assert!(r.body.contains("Jusmary González"), "{q}: {}", r.body);
    }
    let r = send(&w, get("/persons?q=gomez", Some(&c))).await;
    assert!(!r.body.contains("Jusmary González"), "{}", r.body);
}

/// A staff invitation shows its second factor as a QR code drawn by the server (with the key
/// as text beside it); a volunteer's asks for none.
#[tokio::test]
async fn a_staff_invitation_shows_its_second_factor_as_a_qr_code() {
    let w = world();
    let lawyer = w
        .app
        .write(|tx| vigilia_app::accounts::invite(tx, "clave", "nueva-abogada", Role::Lawyer))
        .await
        .unwrap();
    let page = send(&w, get(&format!("/invitation/{}", lawyer.token), None)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let qr = &page.body[page.body.find("id=\"qr\"").expect("a QR code")..];
    assert!(
        qr.contains("<svg role=\"img\" aria-label=\"Código QR"),
        "{qr}"
    );
    assert!(!page.body.contains("<?xml"), "an element, not a document");
    assert!(page.body.contains("id=\"secret\""));
    let volunteer = w
        .app
        .write(|tx| vigilia_app::accounts::invite(tx, "clave", "nuevo-voluntario", Role::Volunteer))
        .await
        .unwrap();
    let page = send(&w, get(&format!("/invitation/{}", volunteer.token), None)).await;
    assert!(!page.body.contains("id=\"qr\""), "{}", page.body);
}

/// A lawyer's form on a detention's page keeps what was typed and says the problem beside its
/// field; what is recorded is confirmed at the top of the page.
#[tokio::test]
async fn a_detention_form_keeps_what_was_typed_and_confirms_what_was_recorded() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    seed(&w, &me).await;
    let (lawyer, lt) = sign_in(&w, Role::Lawyer).await;
    let step = |date: &'static str| {
        post(
            "/detentions/1/step",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("kind", "court"),
                ("date", date),
                ("detail", "Tribunal 2.º de Control"),
            ],
        )
    };
    let r = send(&w, step("31/02/2026")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("No se registró"), "{}", r.body);
    assert!(r.body.contains("no existe en el calendario"), "{}", r.body);
    assert!(
        r.body.contains("value=\"Tribunal 2.º de Control\""),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("<option value=\"court\" selected>"),
        "{}",
        r.body
    );
    let r = send(&w, step("13/11/2026")).await;
    assert_eq!(
        unsealed(&r.location),
        "/detentions/1?done=step",
        "{}",
        r.body
    );
    let page = send(&w, get(&r.location, Some(&lawyer))).await;
    assert!(page.body.contains("Paso registrado"), "{}", page.body);
    assert!(
        page.body
            .contains("13/11/2026: presentado ante el tribunal: Tribunal 2.º de Control"),
        "{}",
        page.body
    );
}

/// Triage's reject and assign forms keep what was typed and say the problem beside its field;
/// assigning offers the active lawyers and coordinators by name.
#[tokio::test]
async fn triage_forms_keep_what_was_typed() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    report_perez(&w, &me, "Ana").await;
    report_perez(&w, &me, "ANA").await;
    let (c, ct) = sign_in(&w, Role::Coordinator).await;
    let page = send(&w, get("/triage/1", Some(&c))).await;
    assert!(
        page.body
            .contains("<option value=\"t-lawyer\">t-lawyer (abogado o abogada)</option>"),
        "{}",
        page.body
    );
    // The same person reported twice is pointed out.
    let twins = &page.body[page.body.find("id=\"twins\"").expect("twins")..];
    assert!(twins.contains("href=\"/triage/2\""), "{twins}");
    let r = send(
        &w,
        post(
            "/triage/1/reject",
            Some(&c),
            &[("csrf", &ct), ("reason", "  ")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"reason-error\""), "{}", r.body);
    // Rejected with its reason: back on the queue, which says so.
    let r = send(
        &w,
        post(
            "/triage/2/reject",
            Some(&c),
            &[("csrf", &ct), ("reason", "el mismo reporte dos veces")],
        ),
    )
    .await;
    assert_eq!(unsealed(&r.location), "/triage?done=rejected", "{}", r.body);
    let queue = send(&w, get(&r.location, Some(&c))).await;
    assert!(
        queue
            .body
            .contains("Reporte rechazado: queda en el registro con su motivo"),
        "{}",
        queue.body
    );
    let r = send(
        &w,
        post(
            "/triage/1/assign",
            Some(&c),
            &[("csrf", &ct), ("to", "nadie")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"to-error\""), "{}", r.body);
    let r = send(
        &w,
        post(
            "/triage/1/assign",
            Some(&c),
            &[("csrf", &ct), ("to", "t-lawyer")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = send(&w, get("/triage/1", Some(&c))).await;
    assert!(page.body.contains("Asignado a t-lawyer"), "{}", page.body);
}

/// The balance page's figures download as CSV and JSON for those who see the figures, from
/// their session (the API's token is not needed), and not for a volunteer.
#[tokio::test]
async fn the_balance_downloads_as_csv_and_json() {
    let w = world();
    let (analyst, _) = sign_in(&w, Role::Analyst).await;
    let page = send(&w, get("/balance?as_of=20/11/2026", Some(&analyst))).await;
    assert!(
        page.body.contains("/balance/download?format=csv"),
        "{}",
        page.body
    );
    // The default week is not carried: a new date brings its own week.
    let plain = unescaped(&page.body);
    assert!(
        plain.contains("/balance/download?format=csv&as_of=20/11/2026\""),
        "{}",
        page.body
    );
    let csv = send(
        &w,
        get(
            "/balance/download?format=csv&as_of=2026-11-20",
            Some(&analyst),
        ),
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.lines().next().is_some_and(|h| h.contains(',')),
        "{}",
        csv.body
    );
    let json = send(
        &w,
        get(
            "/balance/download?format=json&as_of=2026-11-20",
            Some(&analyst),
        ),
    )
    .await;
    let figures: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(figures["as_of"], "2026-11-20");
    assert_eq!(figures["period"]["from"], "2026-11-13", "a week by default");
    // A period asked on the page is the period its download and its lists count.
    let page = send(
        &w,
        get("/balance?as_of=20/11/2026&since=01/10/2026", Some(&analyst)),
    )
    .await;
    // Written as people write dates: the balance's form shows them again on the way back.
    let link = "/balance/download?format=json&as_of=20/11/2026&since=01/10/2026";
    assert!(unescaped(&page.body).contains(link), "{}", page.body);
    assert!(
        unescaped(&page.body).contains("list=held&as_of=20/11/2026&since=01/10/2026"),
        "{}",
        page.body
    );
    let json = send(&w, get(link, Some(&analyst))).await;
    let figures: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(figures["period"]["from"], "2026-10-01");
    // Saved under a name of its own, beside the week's balance of the same day.
    assert!(
        json.disposition
            .contains("balance-2026-11-20-since-2026-10-01.json"),
        "{}",
        json.disposition
    );
    let week = send(
        &w,
        get(
            "/balance/download?format=csv&as_of=20/11/2026",
            Some(&analyst),
        ),
    )
    .await;
    assert!(
        week.disposition.contains("\"balance-2026-11-20.csv\""),
        "{}",
        week.disposition
    );
    // ...and the list's way back to the balance keeps it too.
    let list = send(
        &w,
        get(
            "/balance/list?list=held&as_of=2026-11-20&since=2026-10-01",
            Some(&analyst),
        ),
    )
    .await;
    assert!(
        unescaped(&list.body).contains("/balance?as_of=20/11/2026&since=01/10/2026"),
        "{}",
        list.body
    );
    // Preparing the publication from it starts from the same dates, as people write them.
    let (coordinator, _) = sign_in(&w, Role::Coordinator).await;
    let page = send(
        &w,
        get(
            "/balance?as_of=20/11/2026&since=01/10/2026",
            Some(&coordinator),
        ),
    )
    .await;
    assert!(
        page.body.contains(
            "<input type=\"hidden\" name=\"as_of\" value=\"20/11/2026\"><input type=\"hidden\" name=\"since\" value=\"01/10/2026\">"
        ),
        "{}",
        page.body
    );
    // Filtering the list keeps the period: its form carries it.
    assert!(
        list.body
            .contains("<input type=\"hidden\" name=\"since\" value=\"2026-10-01\">"),
        "{}",
        list.body
    );
    // A balance in the first days of 1900 counts a week that began in 1899: written as
    // people write dates too, and its links carry no period (the week is the default).
    let early = send(&w, get("/balance?as_of=02/01/1900", Some(&analyst))).await;
    assert_eq!(early.status, StatusCode::OK, "{}", early.body);
    assert!(
        early.body.contains("27/12/1899") && !early.body.contains("1899-"),
        "{}",
        early.body
    );
    assert!(
        unescaped(&early.body).contains("format=csv&as_of=02/01/1900\""),
        "{}",
        early.body
    );
    // The period is a field of the balance's form, and a wrong one is told beside it.
    assert!(
        page.body.contains("id=\"since\" name=\"since\""),
        "{}",
        page.body
    );
    let wrong = send(
        &w,
        get("/balance?as_of=20/11/2026&since=ayer", Some(&analyst)),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("aria-describedby=\"since-error\"")
            && wrong.body.contains("id=\"since-error\"")
            && wrong.body.contains("value=\"ayer\""),
        "{}",
        wrong.body
    );
    let (volunteer, _) = sign_in(&w, Role::Volunteer).await;
    let r = send(&w, get("/balance/download?format=csv", Some(&volunteer))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// A lawyer's "mis casos" lists the cases assigned to them, marking those that changed since
/// they last opened them.
#[tokio::test]
async fn a_lawyer_sees_their_cases_and_what_changed_since() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    seed(&w, &me).await;
    let (c, ct) = sign_in(&w, Role::Coordinator).await;
    let r = send(
        &w,
        post(
            "/triage/1/assign",
            Some(&c),
            &[("csrf", &ct), ("to", "t-lawyer")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (lawyer, _) = sign_in(&w, Role::Lawyer).await;
    let cases = send(&w, get("/cases", Some(&lawyer))).await;
    assert!(cases.body.contains("José Gregorio Pérez"), "{}", cases.body);
    assert!(
        cases.body.contains("con novedades"),
        "never opened: {}",
        cases.body
    );
    send(&w, get("/detentions/1", Some(&lawyer))).await;
    let cases = send(&w, get("/cases", Some(&lawyer))).await;
    assert!(!cases.body.contains("con novedades"), "{}", cases.body);
    let (other, ot) = sign_in(&w, Role::Coordinator).await;
    let r = send(
        &w,
        post(
            "/detentions/1/step",
            Some(&other),
            &[
                ("csrf", &ot),
                ("kind", "house_arrest"),
                ("date", "18/11/2026"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let cases = send(&w, get("/cases", Some(&lawyer))).await;
    assert!(
        cases.body.contains("con novedades"),
        "changed since: {}",
        cases.body
    );
}

/// A family's report attached to a case already registered learns only what is recorded after
/// the match: whoever holds a code must not read the case's earlier history.
#[tokio::test]
async fn a_family_attached_to_an_older_case_learns_only_what_came_after() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    seed(&w, &me).await;
    let (lawyer, lt) = sign_in(&w, Role::Lawyer).await;
    let step = |detail: &'static str, date: &'static str| {
        post(
            "/detentions/1/step",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("kind", "held"),
                ("date", date),
                ("detail", detail),
            ],
        )
    };
    send(&w, step("Rodeo I", "11/11/2026")).await;
    let token = csrf(&send(&w, get("/report", None)).await.body);
    let proof = work(&token);
    w.clock.advance(5);
    let f = [
        ("csrf", token.as_str()),
        ("work", proof.as_str()),
        ("given_names", "José Gregorio"),
        ("paternal_surname", "Pérez"),
        ("arrest_date", "10/11/2026"),
        ("consent", "initials"),
    ];
    let r = send(&w, post("/report", None, &f)).await;
    let at = r.body.find("id=\"receipt\">").unwrap() + 13;
    let code = r.body[at..at + 14].to_string();
    let (c, ct) = sign_in(&w, Role::Coordinator).await;
    let r = send(
        &w,
        post(
            "/triage/2/attach",
            Some(&c),
            &[("csrf", &ct), ("detention", "1")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (lawyer, lt) = sign_in(&w, Role::Lawyer).await;
    let later = post(
        "/detentions/1/step",
        Some(&lawyer),
        &[
            ("csrf", &lt),
            ("kind", "held"),
            ("date", "20/11/2026"),
            ("detail", "Tocorón"),
        ],
    );
    send(&w, later).await;
    let t = csrf(&send(&w, get("/follow", None)).await.body);
    let page = send(&w, post("/follow", None, &[("csrf", &t), ("code", &code)])).await;
    assert!(page.body.contains("reclusión en Tocorón"), "{}", page.body);
    assert!(!page.body.contains("Rodeo I"), "{}", page.body);
}

/// A long list behind a figure is read a page at a time with its total, narrowed by filters and
/// sorted; a filter typed wrong is said beside its field; its downloads (CSV and XLSX) hold
/// every row the filters leave, and who took one, with which records, is recorded.
#[tokio::test]
async fn a_long_list_is_filtered_sorted_paged_and_downloaded() {
    use vigilia_core::date::PartialDate;
    use vigilia_core::fact::{Audit, Change};
    let w = common::world_with_detentions(1_500);
    let (c, _) = sign_in(&w, Role::Coordinator).await;
    let base = "/balance/list?list=held&as_of=2026-11-20";
    let total = |body: &str| -> usize {
        let at = body.find("data-total=\"").expect(body) + 12;
        body[at..at + body[at..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    let ids = |body: &str| -> Vec<String> {
        body.split("<tr><td data-label=")
            .skip(1)
            .map(|r| {
                let r = &r[r.find("/detentions/").unwrap() + 12..];
                r[..r.find('"').unwrap()].to_string()
            })
            .collect()
    };
    let first = send(&w, get(base, Some(&c))).await;
    let n = total(&first.body);
    assert!(n > 100, "{n}");
    let page1 = ids(&first.body);
    assert_eq!(page1.len(), 50);
    assert!(first.body.contains("rel=\"next\""));
    let second = send(&w, get(&format!("{base}&page=2"), Some(&c))).await;
    let page2 = ids(&second.body);
    assert_eq!(page2.len(), 50);
    assert!(page1.iter().all(|id| !page2.contains(id)), "pages overlap");
    assert_eq!(
        total(&second.body),
        n,
        "the total does not depend on the page"
    );
    // The whole list: every row, in the page's order.
    let everything = csv_rows(
        &w,
        "/balance/list/download?list=held&as_of=2026-11-20&format=csv",
        &c,
    )
    .await;
    assert_eq!(everything.len(), n);
    assert_eq!(&everything[0][0], page1[0].as_str());
    // By state: the most frequent one; the filtered total is the rows of that state.
    let profile = vigilia_core::profile::Profile::venezuela().unwrap();
    let mut by_state = std::collections::HashMap::<String, usize>::new();
    for r in &everything {
        *by_state.entry(r[3].to_string()).or_default() += 1;
    }
    let (state, count) = by_state
        .iter()
        .filter(|s| !s.0.is_empty())
        .max_by_key(|s| s.1)
        .unwrap();
    let code = profile
        .states
        .entries()
        .iter()
        .find(|s| &s.name == state)
        .and_then(|s| s.code.clone())
        .unwrap();
    let r = send(&w, get(&format!("{base}&state={code}"), Some(&c))).await;
    assert_eq!(total(&r.body), *count, "{state}");
    assert!(
        r.body.contains(&format!(
            "{} de {}",
            Lang::Es.number(*count as u64),
            Lang::Es.number(n as u64)
        )),
        "{}",
        r.body
    );
    // By arrest dates, typed as people type them; an imprecise date overlaps the range.
    let august = csv_rows(&w, "/balance/list/download?list=held&as_of=2026-11-20&format=csv&from=1/8/2024&to=31/08/2024&sort=oldest", &c).await;
    assert!(!august.is_empty() && august.len() < n, "{}", august.len());
    let today = vigilia_core::date::parse_day("2026-11-20").unwrap();
    let days: Vec<PartialDate> = august
        .iter()
        .map(|r| PartialDate::typed(&r[5], today).unwrap())
        .collect();
    for d in &days {
        assert!(
            d.last_day() >= vigilia_core::date::parse_day("2024-08-01").unwrap(),
            "{d:?}"
        );
        assert!(
            d.first_day() <= vigilia_core::date::parse_day("2024-08-31").unwrap(),
            "{d:?}"
        );
    }
    assert!(
        days.windows(2)
            .all(|p| p[0].first_day() <= p[1].first_day()),
        "oldest first"
    );
    // Filters typed wrong: said beside their field, and no list pretending to be filtered.
    let r = send(&w, get(&format!("{base}&from=32/13/2024"), Some(&c))).await;
    assert!(
        r.body.contains("id=\"from-error\"") && !r.body.contains("id=\"list\""),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"32/13/2024\""),
        "what was typed stays"
    );
    let r = send(
        &w,
        get(&format!("{base}&from=01/09/2024&to=01/08/2024"), Some(&c)),
    )
    .await;
    assert!(r.body.contains("id=\"to-error\""), "{}", r.body);
    // The spreadsheet holds the same rows.
    let r = send(
        &w,
        get(
            "/balance/list/download?list=held&as_of=2026-11-20&format=xlsx",
            Some(&c),
        ),
    )
    .await;
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(r.bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.height(), n + 1);
    assert_eq!(sheet.get((0, 1)).unwrap().to_string(), "Nombre");
    // Detention numbers are numbers, and exact days are days, for the spreadsheet to sort.
    assert!(
        matches!(sheet.get((1, 0)), Some(calamine::Data::Float(_))),
        "{:?}",
        sheet.get((1, 0))
    );
    assert!(
        (1..sheet.height()).any(|r| matches!(sheet.get((r, 5)), Some(calamine::Data::DateTime(_)))),
        "some exact arrest day"
    );
    // Each download was recorded with every record it held.
    let downloads = w
        .app
        .read(|_, l| {
            let mut out = Vec::new();
            l.for_each_history(None, None, &mut |_, facts| {
                for f in facts {
                    if let Change::Audited {
                        what: Audit::Downloaded,
                        records,
                        ..
                    } = &f.change
                    {
                        out.push(records.len());
                    }
                }
                Ok(())
            })?;
            Ok(out)
        })
        .await
        .unwrap();
    assert_eq!(downloads.len(), 3, "{downloads:?}");
    assert!(downloads.contains(&n) && downloads.contains(&august.len()));
}

/// A CSV download's rows (after its heading).
async fn csv_rows(w: &World, path: &str, cookie: &str) -> Vec<csv::StringRecord> {
    let r = send(w, get(path, Some(cookie))).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    let text = r.body.trim_start_matches('\u{feff}');
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    rows.records().map(|r| r.unwrap()).collect()
}

/// Two records of one person are compared side by side before they are merged: the page marks
/// what differs and, as their consents to publish differ, the merge waits until a coordinator
/// says which stands (nothing is merged until then, and what was typed stays). The survivor
/// then shows both detentions and the other's name, and keeps the consent chosen; a split
/// needs its reason.
#[tokio::test]
async fn a_merge_compares_side_by_side_and_asks_which_consent_stands() {
    let w = world();
    let v = sign_in(&w, Role::Volunteer).await;
    for (given, maternal, id, consent, date) in [
        ("José Gregorio", "", "V-12345678", "named", "2026-11-10"),
        ("Jose Gregorio", "Rojas", "", "count_only", "2025-03-02"),
    ] {
        let r = send(
            &w,
            post(
                "/reports/new",
                Some(&v.0),
                &[
                    ("csrf", &v.1),
                    ("given_names", given),
                    ("paternal_surname", "Pérez"),
                    ("maternal_surname", maternal),
                    ("national_id", id),
                    ("arrest_date", date),
                    ("consent", consent),
                    ("state", "VE-V"),
                ],
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let c = sign_in(&w, Role::Coordinator).await;
    for n in [1, 2] {
        let r = send(
            &w,
            post(&format!("/triage/{n}/new"), Some(&c.0), &[("csrf", &c.1)]),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    // The first person's page offers the second to compare. Its cédula is never broken at its
    // hyphen on a phone's narrow screen.
    let r = send(&w, get("/persons/1", Some(&c.0))).await;
    assert!(r.body.contains("/persons/1/merge?into=2"), "{}", r.body);
    assert!(
        r.body.contains("<td class=\"nowrap\">V-12345678</td>"),
        "{}",
        r.body
    );
    // A number that is no one's: said beside the field, on the person's page, as typed.
    let r = send(&w, get("/persons/2/merge?into=P-99", Some(&c.0))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("id=\"into-error\"") && r.body.contains("value=\"P-99\""),
        "{}",
        r.body
    );
    let r = send(&w, get("/persons/2/merge?into=1", Some(&c.0))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("≠ distinto") && r.body.contains("id=\"consent\""),
        "{}",
        r.body
    );
    // What differs is the given names' accent and the consent; a value only one side has (the
    // second surname, the cédula) is not known on the other, not a disagreement.
    assert_eq!(r.body.matches("≠ distinto").count(), 2, "{}", r.body);
    assert_eq!(r.body.matches("no consta").count(), 2, "{}", r.body);
    // No consent chosen: sent back, nothing merged.
    let merge = |consent: &'static str| {
        post(
            "/persons/2/merge",
            Some(&c.0),
            &[
                ("csrf", &c.1),
                ("into", "1"),
                ("reason", "misma persona, confirmó la madre"),
                ("consent", consent),
            ],
        )
    };
    // Neither a reason nor a consent: both said at once.
    let r = send(
        &w,
        post(
            "/persons/2/merge",
            Some(&c.0),
            &[("csrf", &c.1), ("into", "1"), ("reason", " ")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("id=\"consent-error\"") && r.body.contains("id=\"reason-error\""),
        "{}",
        r.body
    );
    let r = send(&w, merge("")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("id=\"consent-error\"") && r.body.contains("confirmó la madre"),
        "{}",
        r.body
    );
    let r = send(&w, get("/persons/2", Some(&c.0))).await;
    assert!(!r.body.contains("Fusionada en"), "nothing was merged");
    // Chosen: merged; the survivor shows both detentions, the surname and the consent.
    // A consent neither family gave is not taken, whatever the form sends.
    let r = send(&w, merge("initials")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"consent-error\""), "{}", r.body);
    let r = send(&w, merge("count_only")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(unsealed(&r.location), "/persons/1?done=merged");
    let sealed = r.location.clone();
    let r = send(&w, get(&sealed, Some(&c.0))).await;
    assert!(r.body.contains("Fusión registrada"), "{}", r.body);
    // A confirmation is the form's own: a link anyone made, or one sealed for another page,
    // says nothing.
    let crafted = [
        "/persons/1?done=merged".to_string(),
        "/persons/1?done=split&seal=00".to_string(),
        sealed.replace("done=merged", "done=split"),
        sealed.replace("/persons/1?", "/persons/2?"),
    ];
    for link in crafted {
        let r = send(&w, get(&link, Some(&c.0))).await;
        assert_eq!(r.status, StatusCode::OK, "{link}");
        assert!(
            !r.body.contains("class=\"notice\" role=\"status\""),
            "{link}: {}",
            r.body
        );
    }
    assert!(
        r.body.contains("/detentions/1\"") && r.body.contains("/detentions/2\""),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("También registrada como") && r.body.contains("Jose Gregorio Pérez Rojas"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("solo se cuenta, nunca se nombra"),
        "{}",
        r.body
    );
    // The record merged away names, by name, the person it was merged into.
    let r = send(&w, get("/persons/2", Some(&c.0))).await;
    assert!(
        r.body
            .contains("href=\"/persons/1\">José Gregorio Pérez (ficha 1)</a>"),
        "{}",
        r.body
    );
    // A lawyer who sees the case sees both detentions on the survivor's page too.
    let (lawyer, _) = sign_in(&w, Role::Lawyer).await;
    let r = send(&w, get("/persons/1", Some(&lawyer))).await;
    assert!(r.body.contains("/detentions/2\""), "{}", r.body);
    // A split needs its reason, said beside the field.
    let r = send(
        &w,
        post(
            "/persons/2/unmerge",
            Some(&c.0),
            &[("csrf", &c.1), ("reason", " ")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"reason-error\""), "{}", r.body);
    // Said at the top too, and the problem above its field (which takes the focus), so that
    // on a telephone neither is below the screen's edge.
    assert!(
        r.body.contains("No se hizo: revise lo marcado"),
        "{}",
        r.body
    );
    let (said, field) = (
        r.body.find("id=\"reason-error\"").unwrap(),
        r.body.find("<input id=\"reason\"").unwrap(),
    );
    assert!(said < field, "{}", r.body);
    assert!(
        r.body
            .contains("aria-describedby=\"reason-error\" autofocus"),
        "{}",
        r.body
    );
    let r = send(
        &w,
        post(
            "/persons/2/unmerge",
            Some(&c.0),
            &[("csrf", &c.1), ("reason", "eran primos")],
        ),
    )
    .await;
    assert_eq!(unsealed(&r.location), "/persons/2?done=split_stricter");
    let page = send(&w, get(&r.location, Some(&c.0))).await;
    assert!(
        page.body
            .contains("Ninguna se publica más que mientras estaban fusionadas"),
        "{}",
        page.body
    );
    // A second split, from a page shown before the first (no reason typed): said in words,
    // not a page whose reason field is gone.
    let r = send(
        &w,
        post(
            "/persons/2/unmerge",
            Some(&c.0),
            &[("csrf", &c.1), ("reason", "")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("no está fusionada con nadie"), "{}", r.body);
    // The family of person 1 allowed the name, but a wider consent is not given back on its
    // own: the family may have asked for the stricter since; a coordinator widens it.
    let r = send(&w, get("/persons/1", Some(&c.0))).await;
    assert!(
        r.body.contains("solo se cuenta, nunca se nombra"),
        "{}",
        r.body
    );
    // A person others were merged into is not merged in turn (no chain hides anyone).
    let r = send(&w, merge("named")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let third = send(
        &w,
        post(
            "/reports/new",
            Some(&v.0),
            &[
                ("csrf", &v.1),
                ("given_names", "Gregorio"),
                ("paternal_surname", "Pérez"),
                ("arrest_date", "2026-11-11"),
                ("consent", "named"),
            ],
        ),
    )
    .await;
    assert_eq!(third.status, StatusCode::SEE_OTHER, "{}", third.body);
    let r = send(&w, post("/triage/3/new", Some(&c.0), &[("csrf", &c.1)])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = send(
        &w,
        post(
            "/persons/1/merge",
            Some(&c.0),
            &[
                ("csrf", &c.1),
                ("into", "3"),
                ("reason", "la misma"),
                ("consent", "named"),
            ],
        ),
    )
    .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
    assert!(r.body.contains("sepárelas primero"), "{}", r.body);
}

/// A coordinator sets a lawyer's states on the team page and restores a lawyer's access after a
/// lost phone: the old sessions, password and second factor stop working at once, and the new
/// link sets them again. An administrator cannot restore a lawyer's access (it would open the
/// cases to them); names may carry accents, but not pass for another name.
#[tokio::test]
async fn a_coordinator_sets_a_lawyers_states_and_restores_a_lost_second_factor() {
    let w = world();
    let c = sign_in(&w, Role::Coordinator).await;
    let lawyer_id = account_id(&w, "t-lawyer").await;
    let admin_id = account_id(&w, "t-admin").await;
    let team = send(&w, get("/team", Some(&c.0))).await;
    assert_eq!(team.status, StatusCode::OK, "{}", team.body);
    assert!(team.body.contains("t-lawyer") && team.body.contains("t-volunteer"));
    assert!(!team.body.contains("t-admin") && !team.body.contains("t-analyst"));
    // States: two ticked; one that is not a state is said, nothing changes.
    let states = |pairs: &[(&str, &str)]| {
        let mut form = vec![("csrf", c.1.as_str())];
        form.extend_from_slice(pairs);
        post(&format!("/team/{lawyer_id}/states"), Some(&c.0), &form)
    };
    let r = send(&w, states(&[("state", "VE-V"), ("state", "VE-A")])).await;
    assert!(
        r.location
            .starts_with(&format!("/team?done={lawyer_id}&seal=")),
        "{}",
        r.location
    );
    let r = send(&w, get(&r.location, Some(&c.0))).await;
    assert!(
        r.body.contains("Estados guardados") && r.body.contains("Zulia"),
        "{}",
        r.body
    );
    let r = send(&w, states(&[("state", "VE-ZZ")])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Unticking the last state never opens every case: "every state" is chosen, not implied.
    let r = send(&w, states(&[("scope", "some")])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Marque al menos un estado"), "{}", r.body);
    // Ticks count even with "every state" chosen: never wider than what was ticked.
    let r = send(&w, states(&[("scope", "all"), ("state", "VE-V")])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let lawyer = w
        .app
        .read(|_, l| Ok(vigilia_app::accounts::account(l, "t-lawyer")?.unwrap()))
        .await
        .unwrap();
    assert_eq!(lawyer.regions, vec!["VE-V".to_string()]);
    let r = send(&w, states(&[("state", "VE-V"), ("state", "VE-A")])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = send(
        &w,
        post(
            &format!("/team/{admin_id}/states"),
            Some(&c.0),
            &[("csrf", &c.1), ("state", "VE-V")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The lawyer is signed in when their phone is lost.
    let (old_session, _) = sign_in(&w, Role::Lawyer).await;
    assert_eq!(
        send(&w, get("/cases", Some(&old_session))).await.status,
        StatusCode::OK
    );
    let (_, _, c_secret, _) = w.secrets.iter().find(|s| s.0 == Role::Coordinator).unwrap();
    let code = || {
        w.clock.advance(30);
        vigilia_app::credentials::current_code(c_secret.as_deref().unwrap(), w.clock.now()).unwrap()
    };
    let page = send(
        &w,
        get(&format!("/accounts/{lawyer_id}/access"), Some(&c.0)),
    )
    .await;
    assert!(page.body.contains("dejan de funcionar"), "{}", page.body);
    let reset = |password: &'static str, code: String| {
        post(
            &format!("/accounts/{lawyer_id}/access"),
            Some(&c.0),
            &[("csrf", &c.1), ("password", password), ("code", &code)],
        )
    };
    let reset_of = |id: u64, code: String| {
        post(
            &format!("/accounts/{id}/access"),
            Some(&c.0),
            &[("csrf", &c.1), ("password", PASSWORD), ("code", &code)],
        )
    };
    let r = send(&w, reset("otra cosa", code())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(!r.body.contains("id=\"invitation\""));
    let r = send(&w, reset(PASSWORD, code())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let at = r.body.find("/invitation/").expect("the new link") + 12;
    let token = r.body[at..at + r.body[at..].find('<').unwrap()].to_string();
    // The old session is over, and so is the old password.
    let r = send(&w, get("/cases", Some(&old_session))).await;
    assert!(
        r.location.starts_with("/login"),
        "{} {}",
        r.status,
        r.location
    );
    w.clock.advance(30);
    let login = send(&w, get("/login", None)).await;
    let (_, _, l_secret, _) = w.secrets.iter().find(|s| s.0 == Role::Lawyer).unwrap();
    let old_code =
        vigilia_app::credentials::current_code(l_secret.as_deref().unwrap(), w.clock.now())
            .unwrap();
    let r = send(
        &w,
        post(
            "/login",
            None,
            &[
                ("csrf", &csrf(&login.body)),
                ("name", "t-lawyer"),
                ("password", PASSWORD),
                ("code", &old_code),
            ],
        ),
    )
    .await;
    assert_ne!(
        r.status,
        StatusCode::SEE_OTHER,
        "the old credentials no longer sign in"
    );
    // The new link sets a new password and second factor; the states stay.
    let page = send(&w, get(&format!("/invitation/{token}"), None)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let at = page.body.find("name=\"secret\" value=\"").unwrap() + 21;
    let secret = page.body[at..at + page.body[at..].find('"').unwrap()].to_string();
    let new_code = vigilia_app::credentials::current_code(&secret, w.clock.now()).unwrap();
    let r = send(
        &w,
        post(
            &format!("/invitation/{token}"),
            None,
            &[
                ("csrf", &csrf(&page.body)),
                ("password", "una clave nueva y larga"),
                ("again", "una clave nueva y larga"),
                ("secret", &secret),
                ("code", &new_code),
            ],
        ),
    )
    .await;
    assert!(
        r.location.starts_with("/login?done=set&name=t-lawyer"),
        "{}",
        r.location
    );
    w.clock.advance(30);
    let login = send(&w, get("/login", None)).await;
    let new_code = vigilia_app::credentials::current_code(&secret, w.clock.now()).unwrap();
    let r = send(
        &w,
        post(
            "/login",
            None,
            &[
                ("csrf", &csrf(&login.body)),
                ("name", "t-lawyer"),
                ("password", "una clave nueva y larga"),
                ("code", &new_code),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let lawyer = w
        .app
        .read(|_, l| Ok(vigilia_app::accounts::account(l, "t-lawyer")?.unwrap()))
        .await
        .unwrap();
    assert_eq!(lawyer.regions, vec!["VE-V".to_string(), "VE-A".to_string()]);
    // An administrator may not restore a lawyer's access, nor a volunteer's (their reports hold
    // names and contacts), nor another administrator's: only an analyst's.
    let admin = sign_in(&w, Role::Admin).await;
    for whose in ["t-lawyer", "t-volunteer"] {
        let id = account_id(&w, whose).await;
        let r = send(&w, get(&format!("/accounts/{id}/access"), Some(&admin.0))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{whose}");
    }
    let analyst = account_id(&w, "t-analyst").await;
    let r = send(
        &w,
        get(&format!("/accounts/{analyst}/access"), Some(&admin.0)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    // A volunteer's access restored by a coordinator: its link is not renewed by an invitation
    // to a "new" account of that name (an admin would hold the volunteer's reports).
    let volunteer = account_id(&w, "t-volunteer").await;
    let r = send(&w, reset_of(volunteer, code())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let again = w
        .app
        .write(|tx| vigilia_app::accounts::invite(tx, "admin", "t-volunteer", Role::Volunteer))
        .await;
    assert!(again.is_err(), "a restored account's link was renewed");
    let first = w
        .app
        .write(|tx| vigilia_app::accounts::invite(tx, "admin", "nueva", Role::Volunteer))
        .await
        .unwrap();
    let second = w
        .app
        .write(|tx| vigilia_app::accounts::invite(tx, "admin", "nueva", Role::Volunteer))
        .await
        .unwrap();
    assert!(
        !first.renewed && second.renewed,
        "a pending invitation renewed is said so"
    );
    // The coordinators are told whose access was restored, by whom.
    let queue = send(&w, get("/triage", Some(&c.0))).await;
    assert!(
        queue.body.contains("acceso restablecido por"),
        "{}",
        queue.body
    );
    // Names with accents; not one that passes for another.
    let made = |name: &'static str| {
        w.app.write(move |tx| {
            vigilia_app::accounts::invite(tx, "clave", name, Role::Volunteer).map(|_| ())
        })
    };
    made("josé.pérez").await.unwrap();
    assert!(
        made("Jose-Perez").await.is_err(),
        "the same name without accents"
    );
    assert!(made("jоsé.perez2").await.is_err(), "a Cyrillic o");
    assert!(made("t-Iawyer").await.is_err(), "a capital I for an l");
    assert!(made("t-vo1unteer").await.is_err(), "a one for an l");
    made("t-lawyer2").await.unwrap();
    assert!(
        w.app
            .read(|_, l| Ok(
                vigilia_app::accounts::account(l, "jose\u{301}.pe\u{301}rez")?.is_some()
            ))
            .await
            .unwrap(),
        "typed with combining accents"
    );
}

/// One report names 8 of 47 people detained at one rally: each named person becomes a report
/// of its own, and however they are accepted (a later one first, two at the same moment), they
/// all join one group detention of 47 that counts each person once. A line that cannot be read
/// is said beside the field, with its number, and nothing is stored.
#[tokio::test]
async fn a_report_naming_several_people_of_one_arrest_counts_each_once() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    let report = |others: &'static str| {
        post(
            "/reports/new",
            Some(&me.0),
            &[
                ("csrf", &me.1),
                ("given_names", "Ana"),
                ("paternal_surname", "Pérez"),
                ("arrest_date", "15/11/2026"),
                ("consent", "initials"),
                ("state", "VE-V"),
                ("agency", "GNB"),
                ("count", "47"),
                ("others", others),
            ],
        )
    };
    let r = send(&w, report("Berta Rojas\nV-12A45678\nCarla")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("La línea 2 no se entiende"), "{}", r.body);
    assert!(
        r.body.contains("Berta Rojas\nV-12A45678\nCarla</textarea>"),
        "what was typed stays"
    );
    let others = "Berta Rojas V-14.555.666\nCarla Inés Díaz Mora\nDaniel Soto, 20111222\n\
                  Elena Ruiz\nFélix Vera\nGloria Luna\nHugo Paz";
    let r = send(&w, report(others)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (c, ct) = sign_in(&w, Role::Coordinator).await;
    let page = send(&w, get("/triage/5", Some(&c))).await;
    assert!(page.body.contains("Elena"), "{}", page.body);
    // A person named by the report is accepted before the report itself; then two at once.
    let accept = |n: u64| post(&format!("/triage/{n}/new"), Some(&c), &[("csrf", &ct)]);
    assert_eq!(send(&w, accept(5)).await.status, StatusCode::SEE_OTHER);
    let (a, b) = tokio::join!(send(&w, accept(2)), send(&w, accept(3)));
    assert_eq!(
        (a.status, b.status),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    for n in [1, 4, 6, 7, 8] {
        let r = send(&w, accept(n)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.body);
    }
    let group = send(&w, get("/groups/1", Some(&c))).await;
    assert!(
        group
            .body
            .contains("id=\"group-count\">47 personas detenidas"),
        "{}",
        group.body
    );
    assert!(group.body.contains("8 identificadas"), "{}", group.body);
    for name in [
        "Ana Pérez",
        "Berta Rojas",
        "Carla Inés Díaz Mora",
        "Daniel Soto",
        "Hugo Paz",
    ] {
        assert!(group.body.contains(name), "{name}: {}", group.body);
    }
    assert_eq!(
        send(&w, get("/groups/2", Some(&c))).await.status,
        StatusCode::NOT_FOUND,
        "one group"
    );
    // 39 not identified count as political detentions; the 8 named are under study.
    let balance = send(
        &w,
        get("/balance?as_of=2026-11-20&since=2026-11-01", Some(&c)),
    )
    .await;
    assert!(
        balance.body.contains("id=\"cumulative\">39<"),
        "{}",
        balance.body
    );
    let berta = send(&w, get("/persons?q=14555666", Some(&c))).await;
    assert!(
        berta.body.contains("Berta Rojas"),
        "the cédula was read: {}",
        berta.body
    );
}

/// "Para hoy": a person arrested on 10 November and not brought before a judge is overdue
/// from the 12th (Constitution art. 44.1: 48 hours); once their whereabouts are unknown from
/// the 15th they come first, to escalate after 48 hours, and they are the balance's
/// `whereabouts_unknown`; as known on a day before it was recorded, the disappearance is not
/// there; a presentation recorded ends the first alert.
#[tokio::test]
async fn alerts_say_who_is_past_a_deadline_and_who_is_missing() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    seed(&w, &me).await;
    let (lawyer, lt) = sign_in(&w, Role::Lawyer).await;
    let page = send(&w, get("/alerts", Some(&lawyer))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"count-1\">(0)"), "{}", page.body);
    assert!(
        page.body.contains("id=\"count-2\">(0)"),
        "not yet 15 days: {}",
        page.body
    );
    assert!(page.body.contains("id=\"count-3\">(1)"), "{}", page.body);
    assert!(
        page.body.contains("12/11/2026") && page.body.contains("art. 44"),
        "{}",
        page.body
    );
    let step = |kind: &'static str, date: &'static str| {
        post(
            "/detentions/1/step",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("kind", kind),
                ("date", date),
                ("detail", ""),
            ],
        )
    };
    let r = send(&w, step("whereabouts_unknown", "15/11/2026")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = send(
        &w,
        post(
            "/detentions/1/recognition",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("status", "recognised"),
                ("reason", "Dirigente vecinal"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = send(&w, get("/alerts", Some(&lawyer))).await;
    assert!(page.body.contains("id=\"count-1\">(1)"), "{}", page.body);
    assert!(
        page.body.contains("Hábeas corpus y acción urgente"),
        "{}",
        page.body
    );
    // One kind alone, a page at a time.
    let one = send(
        &w,
        get("/alerts?kind=whereabouts_unknown&page=1", Some(&lawyer)),
    )
    .await;
    assert!(
        one.body.contains("Paradero desconocido") && !one.body.contains("Sin presentación"),
        "{}",
        one.body
    );
    // The balance's figure is the same people.
    let json = send(
        &w,
        get(
            "/balance/download?format=json&as_of=2026-11-20",
            Some(&lawyer),
        ),
    )
    .await;
    let b: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(
        b["political_prisoners"]["by"]["whereabouts_unknown"]["true"], 1,
        "{}",
        json.body
    );
    // The drafts for the UN are refused while an element is missing, naming each.
    let r = send(
        &w,
        post(
            "/detentions/1/urgent",
            Some(&lawyer),
            &[("csrf", &lt), ("family_steps", ""), ("submitter", "")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"family_steps-error\""), "{}", r.body);
    let missing = &r.body[r.body.find("id=\"missing\"").expect("what is missing")..];
    let missing = &missing[..missing.find("</div>").unwrap()];
    for said in [
        "los cuerpos que se cree responsables",
        "lo que ha hecho la familia",
        "quién presenta",
    ] {
        assert!(missing.contains(said), "{said}: {missing}");
    }
    assert!(
        !missing.contains("el nombre") && !r.body.contains("id=\"appeal\""),
        "{missing}"
    );
    // As known on the 19th, before it was recorded: not missing then.
    let page = send(
        &w,
        get(
            "/alerts?as_of=19/11/2026&known_on=19/11/2026",
            Some(&lawyer),
        ),
    )
    .await;
    assert!(page.body.contains("id=\"count-1\">(0)"), "{}", page.body);
    // Brought before a judge: no longer overdue.
    let r = send(&w, step("court", "16/11/2026")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = send(&w, get("/alerts", Some(&lawyer))).await;
    assert!(page.body.contains("id=\"count-3\">(0)"), "{}", page.body);
    // With the arresting body known and the two elements typed: both drafts, with the six.
    let r = send(
        &w,
        post(
            "/reports/new",
            Some(&me.0),
            &[
                ("csrf", &me.1),
                ("given_names", "Luisa"),
                ("paternal_surname", "Mora"),
                ("arrest_date", "14/11/2026"),
                ("consent", "named"),
                ("state", "VE-V"),
                ("place", "Plaza de la República, Maracaibo"),
                ("agency", "DGCIM"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (c, ct) = sign_in(&w, Role::Coordinator).await;
    let r = send(&w, post("/triage/2/new", Some(&c), &[("csrf", &ct)])).await;
    assert_eq!(
        unsealed(&r.location),
        "/detentions/2?done=accepted",
        "{}",
        r.body
    );
    let r = send(
        &w,
        post(
            "/detentions/2/step",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("kind", "whereabouts_unknown"),
                ("date", "14/11/2026"),
                ("detail", ""),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Opening the drafts' page shows the name: it is a view, recorded.
    let views = |w: &World| {
        let app = w.app.clone();
        async move {
            app.read(|_, l| {
                Ok(l.views(vigilia_core::ids::DetentionId(2).into(), 100)?
                    .len())
            })
            .await
            .unwrap()
        }
    };
    let before = views(&w).await;
    let form = send(&w, get("/detentions/2/urgent", Some(&lawyer))).await;
    assert!(form.body.contains("Luisa Mora"), "{}", form.body);
    assert_eq!(views(&w).await, before + 1);
    let r = send(
        &w,
        post(
            "/detentions/2/urgent",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("family_steps", "Preguntaron en el CICPC"),
                ("submitter", "Foro Penal"),
            ],
        ),
    )
    .await;
    let appeal = &r.body[r.body.find("id=\"appeal\"").expect("the draft")..];
    for said in [
        "Luisa Mora",
        "14/11/2026",
        "Plaza de la República, Maracaibo",
        "DGCIM",
        "Preguntaron en el CICPC",
        "Foro Penal",
    ] {
        assert!(appeal.contains(said), "{said}: {appeal}");
    }
    assert!(r.body.contains("id=\"habeas\""));
    // Fifteen days without contact of family or lawyer: incommunicado from the 25th; a
    // family visit recorded on the 24th moves it to 9 December.
    let late = send(&w, get("/alerts?as_of=30/11/2026", Some(&lawyer))).await;
    assert!(late.body.contains("id=\"count-2\">(2)"), "{}", late.body);
    assert!(
        late.body.contains("Plazo: 15 días desde"),
        "a deadline of days in days"
    );
    assert!(late.body.contains("25/11/2026"), "{}", late.body);
    w.clock.advance(5 * 86_400);
    let (lawyer, lt) = sign_in(&w, Role::Lawyer).await;
    let r = send(
        &w,
        post(
            "/detentions/1/step",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("kind", "contact_family"),
                ("date", "24/11/2026"),
                ("detail", ""),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let late = send(&w, get("/alerts?as_of=30/11/2026", Some(&lawyer))).await;
    assert!(late.body.contains("id=\"count-2\">(1)"), "{}", late.body);
    // An analyst has no such page.
    let (analyst, _) = sign_in(&w, Role::Analyst).await;
    assert_eq!(
        send(&w, get("/alerts", Some(&analyst))).await.status,
        StatusCode::FORBIDDEN
    );
}

/// The case on a detention's page: a deferral needs its reason (said beside the field, what was
/// typed kept), is counted, and shows on "Para hoy" with the hearing set next; measures imposed
/// on release show as in force. The place written for the detention ("Zona 7 PNB Boleita")
/// is Zona 7's, whose page lists the person and takes observations; what the register cannot
/// place ("Rodeo") a coordinator names as another name of a place, and a lawyer may not.
#[tokio::test]
async fn a_case_is_followed_on_its_page_and_a_place_on_its_own() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    seed(&w, &me).await;
    let (lawyer, lt) = sign_in(&w, Role::Lawyer).await;
    let case = |fields: &[(&str, &str)]| {
        let mut all = vec![("csrf", lt.as_str())];
        all.extend_from_slice(fields);
        post("/detentions/1/case", Some(&lawyer), &all)
    };
    let r = send(
        &w,
        case(&[
            ("kind", "hearing"),
            ("date", "18/11/2026"),
            ("outcome", "deferred"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"hearing-reason-error\""), "{}", r.body);
    assert!(
        r.body.contains("value=\"18/11/2026\""),
        "what was typed is kept"
    );
    assert!(
        r.body.contains("<details open>"),
        "the form sent back is open"
    );
    for fields in [
        [
            ("kind", "hearing"),
            ("date", "18/11/2026"),
            ("outcome", "deferred"),
            ("reason", "no hubo traslado"),
        ],
        [
            ("kind", "hearing"),
            ("date", "24/11/2026"),
            ("outcome", "scheduled"),
            ("reason", ""),
        ],
    ] {
        let r = send(&w, case(&fields)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let page = send(&w, get("/detentions/1", Some(&lawyer))).await;
    assert!(page.body.contains("id=\"deferrals\">1<"), "{}", page.body);
    assert!(
        page.body.contains("próxima: <strong>24/11/2026"),
        "{}",
        page.body
    );
    let today = send(&w, get("/alerts", Some(&lawyer))).await;
    assert!(today.body.contains("en 4 días"), "{}", today.body);
    assert!(today.body.contains("no hubo traslado"), "{}", today.body);
    // A hearing set ahead is not a day that has passed, a deferral is.
    let r = send(
        &w,
        case(&[
            ("kind", "hearing"),
            ("date", "30/11/2026"),
            ("outcome", "held"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Measures: a wrong number of days is said beside its field; then recorded.
    let r = send(
        &w,
        case(&[
            ("kind", "measures"),
            ("date", "20/11/2026"),
            ("presentation", "yes"),
            ("every_days", "quince"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("id=\"measures-every_days-error\""),
        "{}",
        r.body
    );
    let r = send(
        &w,
        case(&[
            ("kind", "measures"),
            ("date", "20/11/2026"),
            ("presentation", "yes"),
            ("every_days", "15"),
            ("detail", "Tribunal 5.º de Control"),
            ("no_leaving_country", "yes"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = send(&w, get("/detentions/1", Some(&lawyer))).await;
    let measures = &page.body[page.body.find("id=\"measures\"").unwrap()..];
    assert!(
        measures.contains("cada 15 días, ante Tribunal 5.º de Control")
            && measures.contains("Prohibición de salida del país"),
        "{measures}"
    );
    // Held at a place written as families write it.
    let r = send(
        &w,
        post(
            "/detentions/1/step",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("kind", "held"),
                ("date", "19/11/2026"),
                ("detail", "Zona 7 PNB Boleita"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = send(&w, get("/places", Some(&lawyer))).await;
    let at = list
        .body
        .find(">Zona 7 Boleíta</a>")
        .expect("Zona 7 in the register");
    let id: String = list.body[..at]
        .rsplit("href=\"/places/")
        .next()
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let place = send(&w, get(&format!("/places/{id}"), Some(&lawyer))).await;
    let held = &place.body[place.body.find("Detenidas aquí (1)").expect("one held")..];
    assert!(held.contains("/detentions/1\""), "{held}");
    // An observation: a wrong date is said beside it; who reported it is kept from a lawyer.
    let observe = |date: &str| {
        post(
            &format!("/places/{id}/observe"),
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("date", date),
                ("aspect", "water"),
                ("note", "Sin agua desde hace una semana"),
                ("reported_by", "hermana de un detenido"),
                ("may_pass_on", "yes"),
            ],
        )
    };
    let r = send(&w, observe("31/02/2026")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"observe-date-error\""), "{}", r.body);
    assert!(r.body.contains("Sin agua desde hace una semana"), "kept");
    let r = send(&w, observe("19/11/2026")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let place = send(&w, get(&format!("/places/{id}"), Some(&lawyer))).await;
    assert!(place.body.contains("Sin agua desde hace una semana"));
    assert!(
        !place.body.contains("hermana de un detenido"),
        "sealed for a lawyer"
    );
    let (c, ct) = sign_in(&w, Role::Coordinator).await;
    let place = send(&w, get(&format!("/places/{id}"), Some(&c))).await;
    assert!(
        place.body.contains("hermana de un detenido"),
        "opened for a coordinator"
    );
    // "Rodeo" fits two places: listed for the coordinator, named, then placed.
    let r = send(
        &w,
        post(
            "/detentions/1/step",
            Some(&lawyer),
            &[
                ("csrf", &lt),
                ("kind", "held"),
                ("date", "20/11/2026"),
                ("detail", "Rodeo"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = send(&w, get("/places", Some(&c))).await;
    assert!(
        list.body.contains("«Rodeo»") && list.body.contains("Rodeo I o Rodeo II"),
        "{}",
        list.body
    );
    let rodeo: String = {
        let at = list.body.find(">Rodeo I</a>").unwrap();
        list.body[..at]
            .rsplit("href=\"/places/")
            .next()
            .unwrap()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect()
    };
    let denied = send(
        &w,
        post(
            "/places/alias",
            Some(&lawyer),
            &[("csrf", &lt), ("place", &rodeo), ("aliases", "Rodeo")],
        ),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let r = send(
        &w,
        post(
            "/places/alias",
            Some(&c),
            &[("csrf", &ct), ("place", &rodeo), ("aliases", "Rodeo")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = send(&w, get("/places", Some(&c))).await;
    assert!(!list.body.contains("«Rodeo»"), "{}", list.body);
    let rodeo_page = send(&w, get(&format!("/places/{rodeo}"), Some(&c))).await;
    assert!(
        rodeo_page.body.contains("Detenidas aquí (1)"),
        "{}",
        rodeo_page.body
    );
    let zona = send(&w, get(&format!("/places/{id}"), Some(&c))).await;
    assert!(
        zona.body.contains("Estuvieron aquí (1)"),
        "moved: {}",
        zona.body
    );
}

/// The drafts for the UN Working Group on Arbitrary Detention and the IACHR: refused while an
/// element its recipient requires is missing, naming each beside its field, and always while the
/// family has not consented to the name leaving the organisation; made, with the record's facts
/// and what the lawyer wrote, and recorded as drafted for that body. The case file to hand over
/// shows the person as their consent allows, and making it is recorded.
#[tokio::test]
async fn a_lawyer_drafts_for_the_un_and_the_iachr_and_hands_over_a_case_file() {
    use vigilia_core::fact::{Audit, Change};
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    let r = send(
        &w,
        post(
            "/reports/new",
            Some(&me.0),
            &[
                ("csrf", &me.1),
                ("given_names", "Luisa Elena"),
                ("paternal_surname", "Mora"),
                ("maternal_surname", "Quintero"),
                ("arrest_date", "14/11/2026"),
                ("consent", "initials"),
                ("state", "VE-V"),
                ("place", "Plaza de la República, Maracaibo"),
                ("agency", "DGCIM"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (c, ct) = sign_in(&w, Role::Coordinator).await;
    let r = send(&w, post("/triage/1/new", Some(&c), &[("csrf", &ct)])).await;
    assert_eq!(
        unsealed(&r.location),
        "/detentions/1?done=accepted",
        "{}",
        r.body
    );
    let (lawyer, lt) = sign_in(&w, Role::Lawyer).await;
    let audits = |w: &World, what: Audit| {
        let app = w.app.clone();
        async move {
            app.read(move |_, l| {
                let mut n = 0;
                l.for_each_history(None, None, &mut |_, facts| {
                    n += facts
                        .iter()
                        .filter(
                            |f| matches!(&f.change, Change::Audited { what: x, .. } if *x == what),
                        )
                        .count();
                    Ok(())
                })?;
                Ok(n)
            })
            .await
            .unwrap()
        }
    };
    let page = send(&w, get("/detentions/1", Some(&lawyer))).await;
    assert!(
        page.body.contains("/detentions/1/drafts/wgad"),
        "{}",
        page.body
    );
    let form = send(&w, get("/detentions/1/drafts/wgad", Some(&lawyer))).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Categoría II"), "{}", form.body);
    // Nothing typed: every element the Working Group needs is named.
    let r = send(
        &w,
        post("/detentions/1/drafts/wgad", Some(&lawyer), &[("csrf", &lt)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let missing = &r.body[r.body.find("id=\"missing\"").expect("what is missing")..];
    let missing = &missing[..missing.find("</div>").unwrap()];
    for said in [
        "al menos una categoría",
        "las circunstancias",
        "el consentimiento de la persona o su familia para esta comunicación",
        "quién presenta",
        // The family consented to initials only: the name may not leave the organisation.
        "para dar su nombre fuera de la organización",
    ] {
        assert!(missing.contains(said), "{said}: {missing}");
    }
    assert!(!r.body.contains("id=\"draft\""));
    assert!(r.body.contains("id=\"circumstances-error\""), "{}", r.body);
    let typed = [
        ("csrf", lt.as_str()),
        (
            "circumstances",
            "Detenida en una protesta pacífica por el salario.",
        ),
        ("cat_ii", "yes"),
        ("cat_iii", "yes"),
        (
            "domestic_steps",
            "Hábeas corpus ante el tribunal de control, sin respuesta.",
        ),
        ("consent", "yes"),
        ("submitter", "Foro de prueba, Caracas"),
    ];
    let r = send(&w, post("/detentions/1/drafts/wgad", Some(&lawyer), &typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        !r.body.contains("id=\"draft\"") && r.body.contains("para dar su nombre fuera"),
        "{}",
        r.body
    );
    // The case file: inside, the full name; to hand over, the initials and nothing that would
    // identify her (no court, no dates to the day, no place of detention, no sources).
    let inside = send(&w, get("/persons/1/file", Some(&lawyer))).await;
    assert!(
        inside.body.contains("Luisa Elena Mora Quintero"),
        "{}",
        inside.body
    );
    assert!(inside.body.contains("Caso judicial"), "{}", inside.body);
    let out = send(&w, get("/persons/1/file?handover=1", Some(&lawyer))).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert!(out.body.contains("<h1>L. E. M. Q.</h1>"), "{}", out.body);
    for hidden in [
        "Luisa",
        "14/11/2026",
        "DGCIM",
        "Plaza de la República",
        "Caso judicial",
        "Fuentes",
    ] {
        assert!(!out.body.contains(hidden), "{hidden}: {}", out.body);
    }
    assert!(
        !out.body.contains("Zulia") && out.body.contains("id=\"withheld\""),
        "{}",
        out.body
    );
    let unclear = send(&w, get("/persons/1/file?handover=true", Some(&lawyer))).await;
    assert_eq!(
        unclear.status,
        StatusCode::BAD_REQUEST,
        "never the full file by mistake"
    );
    assert_eq!(audits(&w, Audit::Dossier).await, 1);
    assert_eq!(audits(&w, Audit::DossierHandover).await, 1);
    // The family consents to the name: a coordinator records it, and the draft is made.
    let r = send(
        &w,
        post(
            "/persons/1/consent",
            Some(&c),
            &[
                ("csrf", ct.as_str()),
                ("level", "named"),
                ("given_by", "family"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(audits(&w, Audit::DraftedWgad).await, 0);
    let r = send(&w, post("/detentions/1/drafts/wgad", Some(&lawyer), &typed)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let draft = &r.body[r.body.find("id=\"draft\"").expect("the draft")..];
    for said in [
        "Apellidos: Mora Quintero",
        "Nombres: Luisa Elena",
        "DGCIM",
        "Plaza de la República",
        "14/11/2026",
        "Categoría II",
        "Categoría III",
        "protesta pacífica",
        "Hábeas corpus ante el tribunal",
    ] {
        assert!(draft.contains(said), "{said}: {draft}");
    }
    assert!(
        !draft.contains("Categoría I:"),
        "only those selected: {draft}"
    );
    assert_eq!(
        audits(&w, Audit::DraftedWgad).await,
        1,
        "the draft is recorded"
    );
    // The IACHR: without the person's consent to the request, a reason why it could not be had.
    let iachr = [
        ("csrf", lt.as_str()),
        ("circumstances", "Incomunicada desde su detención."),
        ("gravity", "Riesgo para su vida e integridad."),
        ("urgency", "Lleva tres semanas sin contacto."),
        ("harm", "Tortura o desaparición."),
        ("measures", "Informar su paradero y permitir visitas."),
        ("submitter", "Foro de prueba, Caracas"),
    ];
    let r = send(
        &w,
        post("/detentions/1/drafts/iachr", Some(&lawyer), &iachr),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("id=\"no_consent_reason-error\""),
        "{}",
        r.body
    );
    let mut with_reason = iachr.to_vec();
    with_reason.push((
        "no_consent_reason",
        "Está incomunicada; la familia no pudo verla.",
    ));
    let r = send(
        &w,
        post("/detentions/1/drafts/iachr", Some(&lawyer), &with_reason),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains(
            "No se pudo obtener el consentimiento de la persona beneficiaria: Está incomunicada"
        ),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Gravedad: Riesgo para su vida"),
        "{}",
        r.body
    );
    assert_eq!(audits(&w, Audit::DraftedIachr).await, 1);
    let unknown = send(&w, get("/detentions/1/drafts/oas", Some(&lawyer))).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

/// A balance asked for a day that does not exist, or after today, is told in words: the field
/// by its label and the days as people write them, never the command line's options.
#[tokio::test]
async fn a_wrong_day_on_the_balance_is_said_in_words() {
    let w = world();
    let (analyst, _) = sign_in(&w, Role::Analyst).await;
    for (query, said, field) in [
        (
            "as_of=31%2F02%2F2024",
            "«31/02/2024» no existe en el calendario",
            "as_of",
        ),
        (
            "as_of=ayer",
            "«ayer» no es un día: escríbalo como 15/08/2024",
            "as_of",
        ),
        ("known_on=31%2F12%2F2030", "es posterior a hoy", "known_on"),
        (
            "as_of=2026-11-10&since=2026-11-15",
            "Movimientos posteriores al: debe ser anterior al 10/11/2026 (se escribió el 15/11/2026).",
            "since",
        ),
    ] {
        let r = send(&w, get(&format!("/balance?{query}"), Some(&analyst))).await;
        assert!(r.status.is_client_error(), "{query}: {}", r.status);
        assert!(r.body.contains(said), "{query}: {}", r.body);
        assert!(!r.body.contains("--"), "{query}: {}", r.body);
        // The form again, with the mistake beside its field, not an error page.
        assert!(
            r.body.contains("action=\"/balance\""),
            "{query}: {}",
            r.body
        );
        assert!(
            r.body.contains(&format!("id=\"{field}-error\"")),
            "{query}: {}",
            r.body
        );
        assert!(!r.body.contains("AAAA-MM-DD"), "{query}: {}", r.body);
    }
    // A balance says every movement of its period, from its first day.
    let r = send(&w, get("/balance?as_of=15%2F08%2F2024", Some(&analyst))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for id in [
        "period-new-prisoners",
        "period-prisoner-releases",
        "period-deaths",
    ] {
        assert!(r.body.contains(&format!("id=\"{id}\"")), "{id}: {}", r.body);
    }
    assert!(r.body.contains("09/08/2024 – 15/08/2024"), "{}", r.body);
}

/// The analysts' estimate: the form, and on a registry whose reports came by one channel, a
/// refusal that says why (too few lists), never a number; lawyers and volunteers do not see it.
#[tokio::test]
async fn an_analyst_asks_for_an_estimate_and_is_told_why_there_is_none() {
    let w = world();
    let me = sign_in(&w, Role::Volunteer).await;
    seed(&w, &me).await;
    let (analyst, _) = sign_in(&w, Role::Analyst).await;
    let form = send(&w, get("/estimate", Some(&analyst))).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("name=\"list\" value=\"family\""),
        "{}",
        form.body
    );
    assert!(!form.body.contains("id=\"refused\""));
    let asked = send(
        &w,
        get(
            "/estimate?as_of=20%2F11%2F2026&method=lcmcr",
            Some(&analyst),
        ),
    )
    .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    let refused = &asked.body[asked.body.find("id=\"refused\"").expect("a refusal")..];
    assert!(refused.contains("hacen falta al menos 3"), "{refused}");
    assert!(!asked.body.contains("id=\"estimate\""));
    // A state the registry does not know, or a period that ends before it starts: said where
    // the form is, with what was typed kept.
    for (query, said) in [
        ("state=Narnia&method=lcmcr&list=press", "«Narnia»"),
        (
            "from=01%2F02%2F2026&as_of=01%2F01%2F2026&method=lcmcr&list=press",
            "El período empieza el",
        ),
        (
            "as_of=31%2F02%2F2026&method=lcmcr&list=press",
            "«31/02/2026» no existe en el calendario",
        ),
        // Said as a form says it, not as the command line writes days.
        (
            "as_of=zzz&method=lcmcr&list=press",
            "«zzz» no es un día: escríbalo como 15/08/2024",
        ),
    ] {
        let r = send(&w, get(&format!("/estimate?{query}"), Some(&analyst))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let problem = &r.body[r.body.find("id=\"problem\"").expect("the problem")..];
        assert!(problem.contains(said), "{said}: {problem}");
        assert!(!r.body.contains("id=\"refused\""));
        // The lists stay as they were ticked.
        assert!(r.body.contains("value=\"press\" checked"), "{}", r.body);
        assert!(!r.body.contains("value=\"family\" checked"), "{}", r.body);
    }
    let (lawyer, _) = sign_in(&w, Role::Lawyer).await;
    let no = send(&w, get("/estimate", Some(&lawyer))).await;
    assert_eq!(no.status, StatusCode::FORBIDDEN);
}

/// An address whose number is not a number is a page that does not exist, said in the person's
/// words on this site's page: never the framework's English plain text.
#[tokio::test]
async fn an_address_that_names_nothing_is_said_in_words() {
    let w = world();
    let (lawyer, _) = sign_in(&w, Role::Lawyer).await;
    for (path, cookie) in [
        ("/public/abc", None),
        ("/public/abc/names", None),
        ("/public/99999999999999999999999", None),
        ("/detentions/uno", Some(lawyer.as_str())),
        ("/persons/-1", Some(lawyer.as_str())),
        // No route at all: the framework answered an empty 404, and the browser its own page.
        ("/nope", None),
        ("/report/abc", None),
        ("/detentions/1/nope", Some(lawyer.as_str())),
    ] {
        let r = send(&w, get(path, cookie)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert!(r.body.contains("<h1>No existe</h1>"), "{path}: {}", r.body);
        assert!(
            r.body
                .contains("no lleva a ninguna página ni a ningún registro"),
            "{path}: {}",
            r.body
        );
        assert!(r.body.contains("<html"), "{path}: {}", r.body);
        assert!(!r.body.contains("Invalid URL"), "{path}: {}", r.body);
        // Titled by what happened, with a way to read it in English that comes back here.
        assert!(
            r.body.contains("<title>No existe — Vigilia</title>"),
            "{path}: {}",
            r.body
        );
        let back = format!("href=\"/lang/en?back={path}\"");
        assert!(r.body.contains(&back), "{path}: {}", r.body);
    }
    // A figure's list asked without its figure is the first figure's (an address cut short);
    // one that names no figure is said in words, not in the command line's syntax.
    let (analyst, _) = sign_in(&w, Role::Analyst).await;
    let r = send(&w, get("/balance/list", Some(&analyst))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Presos políticos"), "{}", r.body);
    // The menu marks the page one is on, and only that one.
    let r = send(&w, get("/balance?as_of=2026-11-18", Some(&analyst))).await;
    assert!(
        r.body.contains("href=\"/balance\" aria-current=\"page\""),
        "{}",
        r.body
    );
    assert_eq!(r.body.matches("aria-current").count(), 1, "{}", r.body);
    let r = send(&w, get("/balance/list?list=zzz", Some(&analyst))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("Esa lista no existe"), "{}", r.body);
    assert!(!r.body.contains("political_prisoners"), "{}", r.body);
    // The refusal is shown in the analyst's own frame, not in a header that looks signed out;
    // a record that does not exist too, and a page of another role.
    let menu = ["href=\"/estimate\"", "Salir", "name=\"csrf\""];
    for page in [&r, &send(&w, get("/detentions/999", Some(&analyst))).await] {
        for said in menu {
            assert!(page.body.contains(said), "{said}: {}", page.body);
        }
        assert!(!page.body.contains("href=\"/login\""), "{}", page.body);
    }
    let r = send(&w, get("/triage", Some(&analyst))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("Salir"), "{}", r.body);
    // Told whom to ask, and a coordinator is not told to ask the coordinator.
    assert!(
        r.body
            .contains("pídaselo a quien coordina el equipo o administra")
    );
    let (coordinator, _) = sign_in(&w, Role::Coordinator).await;
    let r = send(&w, get("/accounts", Some(&coordinator))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(
        r.body
            .contains("pídaselo a quien administra las cuentas de la organización")
    );
    // An address no route answers, and one whose number is not a number (refused by the
    // framework before any page is made).
    let (lawyer, _) = sign_in(&w, Role::Lawyer).await;
    for (path, who) in [("/nope", &analyst), ("/detentions/abc", &lawyer)] {
        let r = send(&w, get(path, Some(who))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.body.contains("Salir"), "{path}: {}", r.body);
    }
    // An address under /static/ that no file answers is an error page in the person's frame:
    // kept by no cache, as every page is; the files themselves are.
    let r = send(&w, get("/static/probe.css", Some(&analyst))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Salir"), "{}", r.body);
    assert_eq!(r.cache, "no-store");
    let r = send(&w, get("/static/style.css", None)).await;
    assert_eq!(r.cache, "public, max-age=86400");
    // Signed out, an error page offers to sign in, as every public page does.
    let r = send(&w, get("/nope", None)).await;
    assert!(r.body.contains("href=\"/login\""), "{}", r.body);
}

/// A coordinator publishes the estimate the page shows, from the page: it goes to the public
/// page, where other organisations' lists are not named; the same estimate again is refused,
/// naming its number; an analyst sees no button, and a page shown before the registry changed
/// publishes nothing.
#[tokio::test]
async fn a_coordinator_publishes_the_estimate_the_page_shows() {
    let w = common::world_with_lists(400);
    let ask = "/estimate?method=loglinear&list=ONG+Justicia+Zulia&list=Provea+Caracas&list=Observatorio+Lara";
    let (analyst, _) = sign_in(&w, Role::Analyst).await;
    let r = send(&w, get(ask, Some(&analyst))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"estimate\""), "{}", r.body);
    assert!(
        !r.body.contains("action=\"/estimate/publish\""),
        "{}",
        r.body
    );
    // Staff read each partner list's name with the letter the published assumption uses.
    assert!(
        r.body.contains("Provea Caracas (otra organización C)"),
        "{}",
        r.body
    );
    let (coordinator, token) = sign_in(&w, Role::Coordinator).await;
    let page = send(&w, get(ask, Some(&coordinator))).await;
    let at = page
        .body
        .find("action=\"/estimate/publish\"")
        .unwrap_or_else(|| panic!("no publish form: {}", page.body));
    let form = &page.body[at..page.body[at..].find("</form>").unwrap() + at];
    // The form carries the question as read: its hidden fields, with this session's token.
    let fields: Vec<(String, String)> = form
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .map(|f| {
            let (name, rest) = f.split_once('"').unwrap();
            let value = rest
                .split("value=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            (
                name.to_string(),
                value.replace("&#x20;", " ").replace("&#32;", " "),
            )
        })
        .collect();
    assert!(
        fields
            .iter()
            .any(|(k, v)| k == "list" && v == "Provea Caracas"),
        "{fields:?}"
    );
    assert!(
        fields.iter().any(|(k, v)| k == "csrf" && *v == token),
        "{fields:?}"
    );
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    // The same form naming another method than the page showed: figures no one saw are not
    // published.
    let method = (pairs.iter().find(|(k, _)| *k == "method"))
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("no method in {pairs:?}"));
    let other_method = if method == "loglinear" {
        "lcmcr"
    } else {
        "loglinear"
    };
    let switched: Vec<(&str, &str)> = (pairs.iter())
        .map(|&(k, v)| {
            if k == "method" {
                (k, other_method)
            } else {
                (k, v)
            }
        })
        .collect();
    let r = send(&w, post("/estimate/publish", Some(&coordinator), &switched)).await;
    assert_ne!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let public = send(&w, get("/public", None)).await;
    assert!(!public.body.contains("Estimación n.º 1"), "{}", public.body);
    // A report arrives meanwhile: the registry changed, not the estimate's table, and the
    // estimate is published all the same.
    let volunteer = sign_in(&w, Role::Volunteer).await;
    report_perez(&w, &volunteer, "Mario").await;
    let r = send(&w, post("/estimate/publish", Some(&coordinator), &pairs)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location, "/public?estimate=1");
    // The coordinator is told it is published, where the public reads it; no one else is, and
    // an estimate that is not there is not said published.
    let told = send(&w, get(&r.location, Some(&coordinator))).await;
    assert!(
        told.body
            .contains("Estimación n.º 1 publicada. Así la ve el público"),
        "{}",
        told.body
    );
    for (address, who) in [
        ("/public?estimate=1", None),
        ("/public", Some(&coordinator)),
        ("/public?estimate=2", Some(&coordinator)),
        ("/public?estimate=x", Some(&coordinator)),
        ("/public?estimate=2&estimate=1", Some(&coordinator)),
    ] {
        let page = send(&w, get(address, who.map(|c| c.as_str()))).await;
        assert_eq!(page.status, StatusCode::OK, "{address}");
        assert!(!page.body.contains("publicada. Así la ve"), "{address}");
    }
    let public = send(&w, get("/public", None)).await;
    assert!(public.body.contains("Estimación n.º 1"), "{}", public.body);
    assert!(public.body.contains("id=\"estimate-1\""), "{}", public.body);
    // The feed says it too, with where it is.
    let feed = send(&w, get("/public/feed.atom", None)).await;
    assert!(
        feed.body.contains("Estimación n.º 1 (al 20/11/2026)"),
        "{}",
        feed.body
    );
    assert!(feed.body.contains("/public#estimate-1"), "{}", feed.body);
    for partner in ["ONG Justicia Zulia", "Provea Caracas", "Observatorio Lara"] {
        assert!(!public.body.contains(partner), "{partner}: {}", public.body);
    }
    // The page asked again says it is published, with no button to publish it twice.
    let again = send(&w, get(ask, Some(&coordinator))).await;
    assert!(
        again.body.contains(
            "Esta estimación ya está publicada: es la <a href=\"/public#estimate-1\">n.º 1</a>"
        ),
        "{}",
        again.body
    );
    assert!(
        !again.body.contains("action=\"/estimate/publish\""),
        "{}",
        again.body
    );
    // A day off the week of what is now public: said on the page, with no button the write
    // would refuse.
    let near = send(
        &w,
        get(&format!("{ask}&as_of=19/11/2026"), Some(&coordinator)),
    )
    .await;
    assert!(near.body.contains("id=\"not-published\""), "{}", near.body);
    assert!(
        near.body.contains("mismo día de la semana"),
        "{}",
        near.body
    );
    assert!(
        !near.body.contains("action=\"/estimate/publish\""),
        "{}",
        near.body
    );
    // The same form again (a second click, a second tab): refused, naming the estimate.
    let again = send(&w, post("/estimate/publish", Some(&coordinator), &pairs)).await;
    assert!(
        again
            .body
            .contains("Esta estimación ya está publicada: es la n.º 1"),
        "{}",
        again.body
    );
    // A table other than the one the page showed (the lists' reports changed since): refused,
    // to be looked at again.
    let other: Vec<(&str, &str)> = (pairs.iter())
        .map(|&(k, v)| if k == "shown" { (k, "0") } else { (k, v) })
        .collect();
    let r = send(&w, post("/estimate/publish", Some(&coordinator), &other)).await;
    assert!(
        r.body.contains("el registro cambió desde que se calculó"),
        "{}",
        r.body
    );
    let public = send(&w, get("/public", None)).await;
    assert!(!public.body.contains("Estimación n.º 2"), "{}", public.body);
    // An estimate from a day on, or of one state, is not published (a publication says
    // neither, and would pass for the country's since the first detention): the page says
    // why, and a form made by hand is refused, leading back.
    let since = format!("{ask}&from=01%2F01%2F2000");
    let r = send(&w, get(&since, Some(&coordinator))).await;
    assert!(r.body.contains("id=\"not-published\""), "{}", r.body);
    assert!(
        !r.body.contains("action=\"/estimate/publish\""),
        "{}",
        r.body
    );
    let mut by_hand: Vec<(&str, &str)> = pairs.clone();
    by_hand.push(("state", "Zulia"));
    let r = send(&w, post("/estimate/publish", Some(&coordinator), &by_hand)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("solo la estimación de todo el país"),
        "{}",
        r.body
    );
    assert!(r.body.contains("href=\"/estimate?"), "{}", r.body);
    assert!(r.body.contains("Volver a la página anterior"), "{}", r.body);
    // In the coordinator's own menu, whose English comes back to the page with its question.
    assert!(r.body.contains("Salir"), "{}", r.body);
    assert!(
        r.body.contains("href=\"/lang/en?back=/estimate%3F"),
        "{}",
        r.body
    );
    // Analysts may look but not publish.
    let (analyst, analyst_token) = sign_in(&w, Role::Analyst).await;
    let mut theirs = pairs.clone();
    theirs.retain(|(k, _)| *k != "csrf");
    theirs.push(("csrf", &analyst_token));
    let r = send(&w, post("/estimate/publish", Some(&analyst), &theirs)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// The home page (where an error page's «Ir al inicio» leads) gives a signed-in account the way
/// to its own work, by its role; the public sees only the public's.
#[tokio::test]
async fn the_home_page_leads_each_account_to_its_work() {
    let w = world();
    let public = send(&w, get("/", None)).await;
    assert!(!public.body.contains("Su trabajo"), "{}", public.body);
    for (role, has, lacks) in [
        (
            Role::Coordinator,
            "href=\"/triage\">Triaje",
            "href=\"/cases\">",
        ),
        (
            Role::Lawyer,
            "href=\"/cases\">Mis casos",
            "href=\"/triage\">Triaje",
        ),
        (
            Role::Volunteer,
            "href=\"/reports\">Reportes",
            "href=\"/balance\">Balance:",
        ),
    ] {
        let (cookie, _) = sign_in(&w, role).await;
        let r = send(&w, get("/", Some(&cookie))).await;
        assert!(r.body.contains("Su trabajo"), "{role:?}: {}", r.body);
        assert!(r.body.contains(has), "{role:?}: {}", r.body);
        assert!(!r.body.contains(lacks), "{role:?}: {}", r.body);
    }
}

/// A character that is not text (a NUL, an escape that clears a terminal) typed or pasted into
/// a form, or sent in the API's JSON, is not stored: the report keeps the rest of what was
/// written, so nothing in it can trouble whoever reads an export in a terminal. A name's odd
/// spaces and characters that show nothing are read as the name shows.
#[tokio::test]
async fn characters_that_are_not_text_are_kept_out_of_forms_and_the_api() {
    let w = world();
    let v = sign_in(&w, Role::Volunteer).await;
    let r = send(
        &w,
        post(
            "/reports/new",
            Some(&v.0),
            &[
                ("csrf", &v.1),
                ("given_names", "Ana\u{1b}\u{a0}Mar\u{ad}ía\u{200b}"),
                ("paternal_surname", "Gó\u{0}mez\t"),
                ("text", "Se la llevaron\u{1b}[2J de su casa"),
                ("arrest_date", "2026-11-10"),
                ("consent", "named"),
                ("state", "VE-V"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (_, _, _, token) = w.secrets.iter().find(|s| s.0 == Role::Volunteer).unwrap();
    let json = "{\"given_names\":\"Luis\\u001b\",\"text\":\"en la plaza]0;x\\u0007\",\"paternal_surname\":\"Díaz\",\
                \"arrest_date\":\"2026-11-10\",\"consent\":\"named\",\"state\":\"VE-V\"}";
    let r = Request::post("/api/reports")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json))
        .unwrap();
    let r = send(&w, r).await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.body);
    // A body the standard does not call JSON (here a number out of range, beside the fields) is
    // refused whole: its readers skipped the field they did not know, and kept the rest
    // uncleaned.
    for junk in ["1e400", "\"\\ud800\"", &"[".repeat(200)] {
        let body = format!(
            "{{\"junk\":{junk},\"given_names\":\"Eva\",\"paternal_surname\":\"Ruiz\",\
             \"text\":\"x\\u001b[2J\",\"arrest_date\":\"2026-11-10\",\"consent\":\"named\"}}"
        );
        let r = Request::post("/api/reports")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let r = send(&w, r).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{junk}: {}", r.body);
        assert!(r.body.contains("no es JSON válido") || r.body.contains("not valid JSON"));
    }
    let names = w
        .app
        .read(|_, l| {
            let mut names = Vec::new();
            l.fold_all(
                vigilia_core::ids::Kind::Report,
                vigilia_core::fold::KnownOn::NOW,
                &mut |r| names.push(format!("{r:?}")),
            )?;
            Ok(names)
        })
        .await
        .unwrap();
    let all = names.join("\n");
    assert!(all.contains("Se la llevaron[2J de su casa"), "{all}");
    // A name pasted with a no-break space, a soft hyphen and a zero-width space is the name
    // it shows as, not refused for holding what does not show.
    assert!(all.contains("\"Ana María\""), "{all}");
    assert!(
        all.contains("Gómez") && all.contains("en la plaza]0;x"),
        "{all}"
    );
    assert!(!all.contains('\u{1b}') && !all.contains('\u{0}') && !all.contains('\u{7}'));
    assert!(!all.contains("Eva"), "{all}");
    // A search is kept in the audit as the forms' text is: what a lawyer's seized telephone
    // typed cannot erase the lines of `vigilia user revoke` above it.
    let (lawyer, _) = sign_in(&w, Role::Lawyer).await;
    let r = send(
        &w,
        get("/persons?q=Ana%1B%5B1A%1B%5B2K%E2%80%AE", Some(&lawyer)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let searches = w
        .app
        .read(|_, l| Ok(vigilia_app::accounts::exposure(l, "t-lawyer", 30)?.searches))
        .await
        .unwrap();
    let typed: Vec<&str> = searches.iter().map(|s| s.query.as_str()).collect();
    assert_eq!(typed, ["Ana[1A[2K"], "{typed:?}");
}

#[tokio::test]
async fn a_coordinator_corrects_who_a_person_is_on_their_page() {
    let w = world();
    let v = sign_in(&w, Role::Volunteer).await;
    seed(&w, &v).await;
    let (c, ct) = sign_in(&w, Role::Coordinator).await;
    // A second report of him gives his sex and birth date, which his record lacks: the triage
    // page says his record takes them, and the attach records them.
    let r = send(
        &w,
        post(
            "/reports/new",
            Some(&v.0),
            &[
                ("csrf", &v.1),
                ("given_names", "José Gregorio"),
                ("paternal_surname", "Pérez"),
                ("sex", "M"),
                ("birth_date", "1990"),
                ("arrest_date", "2026-11-10"),
                ("consent", "initials"),
                ("state", "Zulia"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = send(&w, get("/triage/2", Some(&c))).await;
    assert!(
        page.body.contains("<p class=\"muted fills\">Si adjunta el reporte a esta persona, su ficha toma del reporte lo que no tiene: sexo: hombre, nacimiento: 1990.</p>"),
        "{}",
        page.body
    );
    let r = send(
        &w,
        post(
            "/triage/2/attach",
            Some(&c),
            &[("csrf", &ct), ("detention", "1")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The form shows what is recorded; no report said whether he is a civilian or military.
    let page = send(&w, get("/persons/1", Some(&c))).await;
    assert!(
        page.body.contains("<th>Sexo</th><td>hombre</td>")
            && page
                .body
                .contains("datos de la persona: sexo: hombre, nacimiento: 1990"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Corregir los datos de la persona")
            && page.body.contains(
                "id=\"identity-given_names\" name=\"given_names\" value=\"José Gregorio\""
            ),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<th>Civil o militar</th><td>no consta</td>"),
        "{}",
        page.body
    );
    let at = page.body.find("name=\"shown\" value=\"").unwrap() + 20;
    let shown = page.body[at..at + 24].to_string();
    let correction = |birth: &str, reason: &str| {
        post(
            "/persons/1/identity",
            Some(&c),
            &[
                ("csrf", ct.as_str()),
                ("shown", shown.as_str()),
                ("given_names", "José Gregorio"),
                ("paternal_surname", "Pérez"),
                ("national_id", "V-14.567.890"),
                ("sex", "M"),
                ("birth_date", birth),
                ("service", "military"),
                ("rank", "sargento primero"),
                ("reason", reason),
            ],
        )
    };
    // Wrong: the problems beside their fields, what was typed kept, nothing recorded.
    let r = send(&w, correction("31/02/1990", " ")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for shown in [
        "id=\"identity-birth_date-error\"",
        "id=\"identity-reason-error\"",
        "value=\"31/02/1990\"",
        "value=\"sargento primero\"",
        "<details id=\"identity\" open>",
    ] {
        assert!(r.body.contains(shown), "{shown}: {}", r.body);
    }
    let page = send(&w, get("/persons/1", Some(&c))).await;
    assert!(!page.body.contains("V-14567890"), "{}", page.body);
    // Right: recorded, said, and in the history with who and why.
    let r = send(&w, correction("04/03/1990", "cédula vista por la abogada")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(unsealed(&r.location), "/persons/1?done=identity");
    let page = send(&w, get(&r.location, Some(&c))).await;
    for shown in [
        "Datos corregidos: la historia guarda lo que decían antes",
        "<td class=\"nowrap\">V-14567890</td>",
        "<th>Sexo</th><td>hombre</td>",
        "<th>Civil o militar</th><td>militar (sargento primero)</td>",
        "datos corregidos: cédula V-14567890; nacimiento: 04/03/1990; militar; grado: sargento primero (cédula vista por la abogada)",
    ] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
    // A volunteer cannot correct anyone.
    let r = send(
        &w,
        post(
            "/persons/1/identity",
            Some(&v.0),
            &[("csrf", v.1.as_str()), ("sex", "F"), ("reason", "x")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}
