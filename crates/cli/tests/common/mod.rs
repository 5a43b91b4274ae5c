//! The `vigilia` binary run on a registry of its own, for the command-line tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The instant every command takes as "now".
pub const NOW: &str = "2026-11-20T15:00:00Z";

pub struct Registry {
    pub dir: tempfile::TempDir,
    pub url: String,
}

/// A test's PostgreSQL database is dropped when the test ends (passed or failed): a run of
/// the suite made some 350 of them, 11 GB that filled the disk of a developer's machine.
impl Drop for Registry {
    fn drop(&mut self) {
        let Some(name) = self
            .url
            .strip_prefix("postgres://")
            .and_then(|u| u.rsplit_once('/'))
        else {
            return;
        };
        let Ok(admin) = std::env::var("VIGILIA_TEST_POSTGRES_URL") else {
            return;
        };
        let dropped = postgres::Client::connect(&admin, postgres::NoTls).and_then(|mut c| {
            c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", name.1))
        });
        if let Err(e) = dropped {
            eprintln!("test database {} left behind: {e}", name.1);
        }
    }
}

impl Registry {
    /// A registry URL that does not exist yet: SQLite in a temporary folder.
    pub fn sqlite() -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("registry.db").display());
        Registry { dir, url }
    }

    /// A fresh PostgreSQL database, when a test server is given.
    pub fn postgres() -> Option<Registry> {
        static N: AtomicU32 = AtomicU32::new(0);
        let admin = std::env::var("VIGILIA_TEST_POSTGRES_URL").ok()?;
        let name = format!(
            "cli_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        Some(Registry {
            dir: tempfile::tempdir().unwrap(),
            url,
        })
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Writes `detentions` rows of the demo generator with `seed` to the file `name`.
    pub fn demo_csv(&self, name: &str, seed: u64, detentions: u64) -> PathBuf {
        let path = self.path(name);
        self.ok(&[
            "demo",
            "--seed",
            &seed.to_string(),
            "--detentions",
            &detentions.to_string(),
            "--csv",
            path.to_str().unwrap(),
        ]);
        path
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_vigilia"));
        c.args(["--database", &self.url, "--now", NOW, "--actor", "test"])
            .args(args)
            .current_dir(self.dir.path());
        c.env("VIGILIA_LANG", "en");
        c.env_remove("VIGILIA_DATABASE_URL");
        if self.url.starts_with("postgres") {
            // No file sits beside a PostgreSQL database: its key is named.
            c.env("VIGILIA_KEY_FILE", self.path("registry.key"));
        }
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs and expects success; returns standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "vigilia {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn facts(&self) -> u64 {
        let out = self.ok(&["verify"]);
        let n = out
            .split("Chain intact: ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        n.replace(',', "").parse().unwrap()
    }
}

/// Starts `vigilia serve` on a free port of 127.0.0.1 and waits until it answers; its address.
pub fn serve(r: &Registry) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let child = r
        .command(&[
            "serve",
            "--bind",
            &bind,
            "--intake-delay",
            "0",
            "--intake-per-hour",
            "0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://{bind}");
    let started = Instant::now();
    while agent().get(&format!("{base}/report")).call().is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not come up"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, base)
}

/// An HTTP client for the servers the tests start (answers of any status are returned).
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into()
}

/// A number written in letters, as a name may carry it (0 → "a", 27 → "bb"): names have no
/// digits.
pub fn letters(mut n: usize) -> String {
    let mut out = String::new();
    loop {
        out.insert(0, char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return out;
        }
    }
}
