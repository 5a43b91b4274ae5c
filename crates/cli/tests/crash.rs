//! Crash safety: `vigilia serve` takes family reports from several clients while an import
//! writes beside it, and is killed with SIGKILL at a random moment, again and again, restarted
//! each time. Afterwards every report that was acknowledged (a receipt code was answered) can
//! be followed with its code, every import that finished is all there, `verify` passes and the
//! projection is identical to a rebuild.
//!
//! `VIGILIA_CRASH_ROUNDS` sets how many kills (12 here; `bench/crash/run.sh` runs hundreds).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng};

const CLIENTS: usize = 4;

mod common;
use common::{Registry, agent, letters, serve};

/// The anonymous form token of a public page.
fn csrf(agent: &ureq::Agent, url: &str) -> Option<String> {
    let page = agent
        .get(url)
        .call()
        .ok()?
        .body_mut()
        .read_to_string()
        .ok()?;
    let at = page.find("name=\"csrf\" value=\"")? + 19;
    Some(page[at..at + page[at..].find('"')?].to_string())
}

/// Sends one family report; its receipt code if the server acknowledged it.
fn report(agent: &ureq::Agent, base: &str, name: &str) -> Option<String> {
    let token = csrf(agent, &format!("{base}/report"))?;
    let mut res = agent
        .post(&format!("{base}/report"))
        .send_form([
            ("csrf", token.as_str()),
            ("given_names", name),
            ("paternal_surname", "Prueba"),
            ("arrest_date", "2026-11-01"),
            ("consent", "count_only"),
            // Encrypted with a data key made in the same transaction: `verify` opens it.
            ("contact", "0414-000 0000"),
        ])
        .ok()?;
    let body = res.body_mut().read_to_string().ok()?;
    let at = body.find("id=\"receipt\">")? + 13;
    Some(body[at..at + 14].to_string())
}

#[test]
fn killed_at_random_moments_the_server_loses_nothing_it_acknowledged() {
    let rounds: usize = std::env::var("VIGILIA_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(12);
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6);
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let mut imports_done = Vec::new();
    let mut imports_killed = 0;
    for round in 0..rounds {
        let (mut server, base) = serve(&r);
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let (stop, acked, base) = (stop.clone(), acked.clone(), base.clone());
                std::thread::spawn(move || {
                    let agent = agent();
                    let mut i = 0;
                    while !stop.load(Ordering::Relaxed) {
                        // Names are letters: each number written in letters (a = 0).
                        let name =
                            format!("Caso R{} C{} N{}", letters(round), letters(c), letters(i));
                        if let Some(code) = report(&agent, &base, &name) {
                            acked.lock().unwrap().push((code, name));
                        }
                        i += 1;
                    }
                })
            })
            .collect();
        // Every other round an import writes beside the server.
        let mut import = (round % 2 == 0).then(|| {
            let rows: String = (0..300)
                .map(|i| {
                    format!(
                        "R{round}-{i},P{round}-{i},2026-10-{:02},Nombre,Apellido\n",
                        i % 28 + 1
                    )
                })
                .collect();
            let file = r.dir.path().join(format!("import-{round}.csv"));
            std::fs::write(
                &file,
                format!(
                    "detention_ref,person_ref,arrest_date,given_names,paternal_surname\n{rows}"
                ),
            )
            .unwrap();
            r.command(&["import", "detentions", file.to_str().unwrap()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        });
        std::thread::sleep(Duration::from_millis(rng.random_range(50..700)));
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        if let Some(child) = import.as_mut() {
            match child.try_wait().unwrap() {
                Some(status) if status.success() => imports_done.push(round),
                Some(status) => panic!("import of round {round} failed: {status}"),
                None => {
                    child.kill().unwrap();
                    child.wait().unwrap();
                    imports_killed += 1;
                }
            }
        }
        stop.store(true, Ordering::Relaxed);
        for c in clients {
            c.join().unwrap();
        }
    }

    // Everything acknowledged is there: each receipt code still finds its report.
    let (mut server, base) = serve(&r);
    let agent = agent();
    let acked = acked.lock().unwrap().clone();
    let mut lost = Vec::new();
    for (code, name) in &acked {
        let token = csrf(&agent, &format!("{base}/follow")).unwrap();
        let found = agent
            .post(&format!("{base}/follow"))
            .send_form([("csrf", token.as_str()), ("code", code.as_str())])
            .ok()
            .and_then(|mut res| res.body_mut().read_to_string().ok())
            .is_some_and(|body| body.contains(name.as_str()));
        if !found {
            lost.push(name.clone());
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let export = r.dir.path().join("export.csv");
    r.ok(&["export", "detentions", "--out", export.to_str().unwrap()]);
    let exported = std::fs::read_to_string(&export).unwrap();
    for round in &imports_done {
        for i in 0..300 {
            if !exported.contains(&format!("R{round}-{i},")) {
                lost.push(format!("R{round}-{i}"));
            }
        }
    }
    let verified = r.ok(&["verify"]);
    let rebuilt = r.ok(&["rebuild"]);
    println!(
        "crash: {rounds} kills; {} reports acknowledged, {} imports finished and {imports_killed} killed; lost: {}",
        acked.len(),
        imports_done.len(),
        lost.len()
    );
    assert!(lost.is_empty(), "lost after SIGKILL: {lost:?}");
    assert!(acked.len() > rounds, "the clients got reports through");
    assert!(verified.contains("Chain intact"), "{verified}");
    assert!(
        rebuilt.contains("Identical to the one before."),
        "{rebuilt}"
    );
}
