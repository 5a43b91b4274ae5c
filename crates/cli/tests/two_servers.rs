//! Two `vigilia serve` processes on one registry, as behind one proxy: two coordinators accept
//! the same new reports at the same moment, one through each server. Each report must become
//! exactly one detention; the other server answers that it was already reviewed. On SQLite and,
//! when a test server is given, on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::{Arc, Barrier};

mod common;
use common::{Registry, agent, letters, serve};

const REPORTS: usize = 40;

fn both_servers_accept_every_report(r: &Registry) {
    r.ok(&["init"]);
    r.ok(&["user", "add", "ana", "--role", "coordinator"]);
    r.ok(&["user", "add", "beto", "--role", "coordinator"]);
    let tokens: Vec<String> = ["ana", "beto"]
        .iter()
        .map(|n| r.ok(&["user", "token", n]).trim().to_string())
        .collect();
    let (servers, base_one, base_two) = Pair::start(r);

    // The reports come in through the first server.
    let client = agent();
    let mut ids = Vec::new();
    for i in 0..REPORTS {
        let mut res = client
            .post(&format!("{base_one}/api/reports"))
            .header("Authorization", &format!("Bearer {}", tokens[0]))
            .header("Content-Type", "application/json")
            .send(
                serde_json::json!({
                    "given_names": format!("Persona {}", letters(i)),
                    "paternal_surname": "Concurrente",
                    "arrest_date": "2026-11-01",
                    "state": "Zulia",
                    "consent": "count_only",
                })
                .to_string(),
            )
            .unwrap();
        let text = res.body_mut().read_to_string().unwrap();
        let body: serde_json::Value = serde_json::from_str(&text).unwrap();
        ids.push(body["report"].as_u64().expect("a report id"));
    }

    // Each coordinator, on their own server, accepts every report as a new person at once.
    let start = Arc::new(Barrier::new(2));
    let workers: Vec<_> = [(base_one.clone(), 0), (base_two.clone(), 1)]
        .into_iter()
        .map(|(base, who)| {
            let (start, token, ids) = (start.clone(), tokens[who].clone(), ids.clone());
            std::thread::spawn(move || {
                let client = agent();
                start.wait();
                let mut statuses = Vec::new();
                for id in ids {
                    let res = client
                        .post(&format!("{base}/api/triage/{id}/new"))
                        .header("Authorization", &format!("Bearer {token}"))
                        .send_empty()
                        .unwrap();
                    statuses.push(res.status().as_u16());
                }
                statuses
            })
        })
        .collect();
    let statuses: Vec<Vec<u16>> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    drop(servers);

    for i in 0..REPORTS {
        let answers = [statuses[0][i], statuses[1][i]];
        assert!(
            answers.contains(&200) && answers.contains(&409),
            "report {}: one server accepts it, the other says it was already reviewed: {answers:?}",
            ids[i]
        );
    }
    let export = r.path("export.csv");
    r.ok(&["export", "detentions", "--out", export.to_str().unwrap()]);
    let rows = std::fs::read_to_string(&export).unwrap().lines().count() - 1;
    assert_eq!(rows, REPORTS, "each report became exactly one detention");
    assert!(r.ok(&["verify"]).contains("Chain intact"));
}

#[test]
fn two_servers_on_sqlite_turn_each_report_into_one_detention() {
    both_servers_accept_every_report(&Registry::sqlite());
}

#[test]
fn two_servers_on_postgres_turn_each_report_into_one_detention() {
    let Some(r) = Registry::postgres() else {
        eprintln!("VIGILIA_TEST_POSTGRES_URL is not set: PostgreSQL half skipped");
        return;
    };
    both_servers_accept_every_report(&r);
}

/// Two servers on one registry, stopped when dropped.
struct Pair(Vec<std::process::Child>);

impl Pair {
    fn start(r: &Registry) -> (Pair, String, String) {
        let (one, a) = serve(r);
        let (two, b) = serve(r);
        (Pair(vec![one, two]), a, b)
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A client that, like a browser's first request, sees redirects instead of following them.
fn browser() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent()
}

/// The value of a hidden field of a page.
fn field(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no field {name} in {page}"))
        + name.len()
        + 15;
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

fn page(client: &ureq::Agent, url: &str, cookie: Option<&str>) -> (u16, String) {
    let mut req = client.get(url);
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let mut res = req.call().unwrap();
    (
        res.status().as_u16(),
        res.body_mut().read_to_string().unwrap(),
    )
}

/// Posts a form; its status, the session cookie it set (if any) and its page.
fn post(
    client: &ureq::Agent,
    url: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> (u16, Option<String>, String) {
    let mut req = client.post(url);
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let mut res = req.send_form(form.iter().copied()).unwrap();
    let set = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .filter(|c| c.len() > "__Host-vigilia=".len())
        .map(str::to_string);
    (
        res.status().as_u16(),
        set,
        res.body_mut().read_to_string().unwrap(),
    )
}

/// Behind one proxy, a person's requests land on either server: an invitation opened on one is
/// taken up on the other, a session opened on one holds on the other and ends on both, a
/// second-factor code used on one is refused by the other, and failures counted by both lock
/// the account.
fn both_servers_share_sessions_codes_and_lockouts(r: &Registry) {
    r.ok(&["init"]);
    let out = r.ok(&["user", "add", "ana", "--role", "coordinator"]);
    let token = out.trim().rsplit('/').next().unwrap().to_string();
    let (servers, a, b) = Pair::start(r);
    let client = browser();
    let now: jiff::Timestamp = common::NOW.parse().unwrap();

    let (_, invitation) = page(&client, &format!("{a}/invitation/{token}"), None);
    let secret = field(&invitation, "secret");
    let code = vigilia_app::credentials::current_code(&secret, now).unwrap();
    let password = "una frase larga de prueba";
    let (status, _, _) = post(
        &client,
        &format!("{b}/invitation/{token}"),
        None,
        &[
            ("csrf", &field(&invitation, "csrf")),
            ("password", password),
            ("again", password),
            ("secret", &secret),
            ("code", &code),
        ],
    );
    assert_eq!(
        status, 303,
        "the form of one server is accepted by the other"
    );

    let sign_in = |server: &str| {
        let (_, login) = page(&client, &format!("{server}/login"), None);
        post(
            &client,
            &format!("{server}/login"),
            None,
            &[
                ("csrf", &field(&login, "csrf")),
                ("name", "ana"),
                ("password", password),
                ("code", &code),
            ],
        )
    };
    // The enrolment used this code's time step: the same code does not sign in anywhere.
    let (status, cookie, body) = sign_in(&b);
    assert_eq!(
        status, 422,
        "a code used to enrol is not used again: {body}"
    );
    assert!(cookie.is_none());
    assert!(body.contains("incorrectos"), "{body}");
    let (status, cookie, _) = sign_in(&a);
    assert_eq!((status, cookie), (422, None), "nor on the other server");

    // Four more failures across both servers lock the account (five in all).
    for (i, server) in [&a, &b, &a].iter().enumerate() {
        let (status, _, body) = sign_in(server);
        assert_eq!(status, 422, "attempt {i}: {body}");
    }
    let (_, _, body) = sign_in(&b);
    assert!(
        body.contains("bloqueada"),
        "five failures lock the account: {body}"
    );
    let (_, _, body) = sign_in(&a);
    assert!(body.contains("bloqueada"), "on every server: {body}");

    drop(servers);
}

/// A session opened through one server is honoured by the other and ends on both.
fn a_session_opened_on_one_server_holds_on_the_other(r: &Registry) {
    r.ok(&["init"]);
    let out = r.ok(&["user", "add", "beto", "--role", "volunteer"]);
    let token = out.trim().rsplit('/').next().unwrap().to_string();
    let (servers, a, b) = Pair::start(r);
    let client = browser();
    let password = "otra frase larga de prueba";
    let (_, invitation) = page(&client, &format!("{a}/invitation/{token}"), None);
    let (status, _, _) = post(
        &client,
        &format!("{a}/invitation/{token}"),
        None,
        &[
            ("csrf", &field(&invitation, "csrf")),
            ("password", password),
            ("again", password),
        ],
    );
    assert_eq!(status, 303);
    let (_, login) = page(&client, &format!("{a}/login"), None);
    let (status, cookie, _) = post(
        &client,
        &format!("{a}/login"),
        None,
        &[
            ("csrf", &field(&login, "csrf")),
            ("name", "beto"),
            ("password", password),
        ],
    );
    assert_eq!(status, 303);
    let cookie = cookie.expect("a session cookie");
    let (status, reports) = page(&client, &format!("{b}/reports"), Some(&cookie));
    assert_eq!(status, 200, "the other server knows the session");
    let (status, _, _) = post(
        &client,
        &format!("{b}/logout"),
        Some(&cookie),
        &[("csrf", &field(&reports, "csrf"))],
    );
    assert_eq!(status, 303);
    let (status, _) = page(&client, &format!("{a}/reports"), Some(&cookie));
    assert_eq!(status, 303, "signed out on one server, signed out on both");
    drop(servers);
}

#[test]
fn two_servers_on_sqlite_share_sessions_codes_and_lockouts() {
    both_servers_share_sessions_codes_and_lockouts(&Registry::sqlite());
    a_session_opened_on_one_server_holds_on_the_other(&Registry::sqlite());
}

#[test]
fn two_servers_on_postgres_share_sessions_codes_and_lockouts() {
    let (Some(r), Some(s)) = (Registry::postgres(), Registry::postgres()) else {
        eprintln!("VIGILIA_TEST_POSTGRES_URL is not set: PostgreSQL half skipped");
        return;
    };
    both_servers_share_sessions_codes_and_lockouts(&r);
    a_session_opened_on_one_server_holds_on_the_other(&s);
}
