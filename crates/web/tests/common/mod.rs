//! What the web tests share: a registry in a temporary directory, with one account of each role
//! (their TOTP secrets and API tokens kept), served by an `App` on a clock the test moves.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use vigilia_app::credentials::{hash_password, new_second_factor};
use vigilia_app::{accounts, write};
use vigilia_core::clock::Clock;
use vigilia_core::model::Role;
use vigilia_core::profile::Profile;
use vigilia_ledger::{DatabaseUrl, Ledger, Secret};
use vigilia_web::{App, Config};

/// A clock the test moves forward.
#[derive(Debug)]
pub struct TestClock(Mutex<jiff::Timestamp>);

impl Clock for TestClock {
    fn now(&self) -> jiff::Timestamp {
        *self.0.lock().unwrap()
    }
}

impl TestClock {
    pub fn advance(&self, secs: i64) {
        let mut t = self.0.lock().unwrap();
        *t = t
            .checked_add(jiff::SignedDuration::from_secs(secs))
            .unwrap();
    }
}

pub struct World {
    pub _dir: tempfile::TempDir,
    pub app: Arc<App>,
    pub clock: Arc<TestClock>,
    /// Each role's account: name, TOTP secret (none for volunteers), API token.
    pub secrets: Vec<(Role, String, Option<String>, String)>,
}

pub const PASSWORD: &str = "correct horse battery staple";

pub fn world() -> World {
    world_with(Config {
        intake_delay: 3,
        intake_per_hour: 100,
        trusted_proxies: Vec::new(),
        base_url: "https://vigilia.example.org/".into(),
    })
}

pub fn world_with(config: Config) -> World {
    world_prepared(config, |_| {})
}

/// A world whose registry also holds `n` detentions of the demo's generator (seed 7), recognised
/// as political, imported before it is served.
pub fn world_with_detentions(n: u64) -> World {
    world_with_detentions_prepared(n, |_| {})
}

/// As [`world_with_detentions`], then `more` on the registry before it is served.
fn world_with_detentions_prepared(n: u64, more: impl FnOnce(&mut Ledger)) -> World {
    world_prepared(
        Config {
            intake_delay: 3,
            intake_per_hour: 100,
            trusted_proxies: Vec::new(),
            base_url: "https://vigilia.example.org/".into(),
        },
        |ledger| {
            use vigilia_app::import::detentions::{Options, detentions};
            let options = Options {
                recognition: vigilia_core::model::RecognitionStatus::Recognised,
                all_or_nothing: false,
                rejects: None,
            };
            let mut rows = vigilia_demo::Generator::new(7, n);
            let out = detentions(
                ledger,
                "test",
                &mut rows,
                &options,
                "demo",
                &mut vigilia_app::import::Quiet,
            )
            .unwrap();
            assert_eq!(out.changed, n);
            more(ledger);
        },
    )
}

/// A world whose registry holds `n` detentions of the demo's generator and three other
/// organisations' lists of them, which overlap little (each detention is on one list, a few on
/// two or three): an estimate from them is well above what the registry holds, and may be
/// published.
#[allow(dead_code)]
pub fn world_with_lists(n: u64) -> World {
    world_with_detentions_prepared(n, |ledger| {
        use vigilia_core::fold::{KnownOn, Record};
        let profile = Profile::venezuela().unwrap();
        let mut rows = Vec::new();
        ledger
            .fold_all(vigilia_core::ids::Kind::Detention, KnownOn::NOW, &mut |r| {
                if let Record::Detention(d) = r {
                    rows.push((d.id.0, d.person, d.arrest.date, d.arrest.state.clone()));
                }
            })
            .unwrap();
        rows.sort_by_key(|r| r.0);
        let line = |i: usize| {
            let (id, person, arrest, state) = &rows[i];
            let Some(Record::Person(p)) = ledger.get((*person).into()).unwrap() else {
                panic!("no person {person:?}");
            };
            let id_ = &p.identity;
            let state = state
                .as_deref()
                .and_then(|c| profile.state_name(c))
                .unwrap_or("");
            let field = |v: Option<String>| v.unwrap_or_default().replace(',', " ");
            format!(
                "r{id},{},{} {},{},{},{},{state},{arrest}",
                field(id_.given_names.clone()),
                field(id_.paternal_surname.clone()),
                field(id_.maternal_surname.clone()),
                field(id_.national_id.as_ref().map(|c| c.to_string())),
                field(id_.birth_date.map(|d| d.to_string())),
                field(
                    id_.sex
                        .map(|s| format!("{s:?}").chars().next().unwrap().to_string())
                ),
            )
        };
        let lines: Vec<String> = (0..rows.len()).map(line).collect();
        let total = lines.len();
        // Of each 16 detentions, 4 on the first list alone, 4 on the second, 4 on the third,
        // one on each pair and one on all three.
        let on = |places: &[usize]| -> Vec<usize> {
            (0..total).filter(|i| places.contains(&(i % 16))).collect()
        };
        let lists: [(&str, Vec<usize>); 3] = [
            ("ONG Justicia Zulia", on(&[0, 1, 2, 3, 12, 13, 15])),
            ("Provea Caracas", on(&[4, 5, 6, 7, 12, 14, 15])),
            ("Observatorio Lara", on(&[8, 9, 10, 11, 13, 14, 15])),
        ];
        let dir = tempfile::tempdir().unwrap();
        let today = ledger.today().unwrap();
        for (name, chosen) in lists {
            let path = dir.path().join(format!("{name}.csv"));
            let body: Vec<&str> = chosen.into_iter().map(|i| lines[i].as_str()).collect();
            std::fs::write(
                &path,
                format!(
                    "report_id,given_names,surnames,cedula,birth_date,sex,state,arrest_date\n{}\n",
                    body.join("\n")
                ),
            )
            .unwrap();
            let list = vigilia_app::import::list::read_file(&path, &profile, today).unwrap();
            write(ledger, |tx| {
                vigilia_app::import::list::import(
                    tx,
                    &vigilia_app::Actor::operator("test"),
                    name,
                    vigilia_core::model::Channel::Press,
                    vigilia_core::model::Disclosure::CountOnly,
                    list.clone(),
                )
            })
            .unwrap();
        }
    })
}

fn world_prepared(config: Config, prepare: impl FnOnce(&mut Ledger)) -> World {
    let dir = tempfile::tempdir().unwrap();
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("r.db").display())).unwrap();
    let clock = Arc::new(TestClock(Mutex::new(
        "2026-11-20T15:00:00Z".parse().unwrap(),
    )));
    let key = Secret::generate().unwrap();
    let mut ledger = Ledger::create_with(
        &url,
        Some(&key),
        clock.clone(),
        Profile::venezuela().unwrap(),
        "test",
    )
    .unwrap();
    let mut secrets = Vec::new();
    for role in Role::ALL {
        let name = format!("t-{}", role.name());
        let secret = demo_account(&mut ledger, &name, role);
        let token = write(&mut ledger, |tx| accounts::issue_token(tx, "test", &name)).unwrap();
        secrets.push((role, name, secret, token));
    }
    // A second volunteer, whose report the first must not see.
    demo_account(&mut ledger, "t-other", Role::Volunteer);
    // An account the admin may revoke in the matrix.
    write(&mut ledger, |tx| {
        accounts::invite(tx, "test", "t-spare", Role::Volunteer)
    })
    .unwrap();
    // The register of places a new registry starts with.
    write(&mut ledger, |tx| {
        vigilia_app::places::seed(tx, &vigilia_app::Actor::operator("test"))
    })
    .unwrap();
    prepare(&mut ledger);
    let registry = vigilia_app::Registry::new(ledger, 2).unwrap();
    let app = App::new(registry, clock.clone(), config).unwrap();
    World {
        _dir: dir,
        app,
        clock,
        secrets,
    }
}

/// An account ready to sign in with [`PASSWORD`]; its second factor's secret, for staff.
pub fn demo_account(ledger: &mut Ledger, name: &str, role: Role) -> Option<String> {
    let secret = role.needs_second_factor().then(new_second_factor);
    let hash = hash_password(PASSWORD).unwrap();
    let factor = secret.clone();
    write(ledger, |tx| {
        accounts::demo_account(tx, name, role, hash, factor)
    })
    .unwrap();
    secret
}
