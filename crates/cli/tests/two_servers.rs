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
use common::{Registry, agent, serve};

const REPORTS: usize = 40;

fn both_servers_accept_every_report(r: &Registry) {
    r.ok(&["init"]);
    r.ok(&["user", "add", "ana", "--role", "coordinator"]);
    r.ok(&["user", "add", "beto", "--role", "coordinator"]);
    let tokens: Vec<String> = ["ana", "beto"]
        .iter()
        .map(|n| r.ok(&["user", "token", n]).trim().to_string())
        .collect();
    let (mut one, base_one) = serve(r);
    let (mut two, base_two) = serve(r);

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
                    "given_names": format!("Persona {i}"),
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
    one.kill().unwrap();
    two.kill().unwrap();
    one.wait().unwrap();
    two.wait().unwrap();

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
