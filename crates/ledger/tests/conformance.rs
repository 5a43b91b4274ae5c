//! One behaviour, two engines: every test here runs against SQLite and against PostgreSQL.
//! The PostgreSQL half runs when `VIGILIA_TEST_POSTGRES_URL` names a server where the test may
//! create databases (`scripts/test` starts a throwaway one); otherwise it says it was skipped.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use vigilia_core::clock::FixedClock;
use vigilia_core::confidential::{Confidential, Field};
use vigilia_core::date::PartialDate;
use vigilia_core::fact::{Change, Draft};
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{DetentionId, Kind, PersonId, ReportId, Subject};
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::{Arrest, Channel, Disclosure, End, EndType, Identity};
use vigilia_core::profile::Profile;
use vigilia_ledger::{DatabaseUrl, Ledger, LedgerError, Secret};

struct Backend {
    url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
}

/// A test's PostgreSQL database is dropped when the test ends (passed or failed): a run of
/// the suite left hundreds of them behind.
impl Drop for Backend {
    fn drop(&mut self) {
        let DatabaseUrl::Postgres(url) = &self.url else {
            return;
        };
        let (Some((_, name)), Ok(admin)) = (
            url.rsplit_once('/'),
            std::env::var("VIGILIA_TEST_POSTGRES_URL"),
        ) else {
            return;
        };
        let dropped = ::postgres::Client::connect(&admin, ::postgres::NoTls).and_then(|mut c| {
            c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        });
        if let Err(e) = dropped {
            eprintln!("test database {name} left behind: {e}");
        }
    }
}

impl Backend {
    fn sqlite() -> Backend {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::Sqlite(dir.path().join("registry.db"));
        Backend {
            url,
            _dir: Some(dir),
        }
    }

    /// A fresh, empty database on the test server.
    fn postgres() -> Option<Backend> {
        static N: AtomicU32 = AtomicU32::new(0);
        let admin = std::env::var("VIGILIA_TEST_POSTGRES_URL").ok()?;
        let name = format!(
            "conf_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut client = ::postgres::Client::connect(&admin, ::postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let base = admin.rsplit_once('/').unwrap().0;
        Some(Backend {
            url: DatabaseUrl::Postgres(format!("{base}/{name}")),
            _dir: None,
        })
    }

    /// Another fresh, empty database on the same engine.
    fn another(&self) -> Backend {
        match self.url {
            DatabaseUrl::Sqlite(_) => Backend::sqlite(),
            DatabaseUrl::Postgres(_) => Backend::postgres().unwrap(),
        }
    }

    /// The last change of each kind of record as the registry keeps it, read with raw SQL.
    fn kinds_changed(&self) -> BTreeMap<String, u64> {
        const SQL: &str = "SELECT kind, seq FROM kinds_changed";
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                let mut q = conn.prepare(SQL).unwrap();
                q.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect()
            }
            DatabaseUrl::Postgres(url) => ::postgres::Client::connect(url, ::postgres::NoTls)
                .unwrap()
                .query(SQL, &[])
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
                .collect(),
        }
    }

    /// Runs raw SQL on the database behind Vigilia's back, as an attacker with the file would.
    fn tamper(&self, sql: &str) {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                rusqlite::Connection::open(path)
                    .unwrap()
                    .execute_batch(sql)
                    .unwrap();
            }
            DatabaseUrl::Postgres(url) => {
                ::postgres::Client::connect(url, ::postgres::NoTls)
                    .unwrap()
                    .batch_execute(sql)
                    .unwrap();
            }
        }
    }
}

fn clock(at: &str) -> Arc<FixedClock> {
    Arc::new(FixedClock(at.parse().unwrap()))
}

fn day(s: &str) -> jiff::civil::Date {
    s.parse().unwrap()
}

fn create(b: &Backend) -> Ledger {
    Ledger::create(
        &b.url,
        clock("2024-08-20T15:00:00Z"),
        Profile::venezuela().unwrap(),
        "test",
    )
    .unwrap()
}

/// One person with one detention, arrested 2024-07-29, recorded on 2024-07-30.
fn record_detention(ledger: &mut Ledger) -> (PersonId, DetentionId) {
    let mut tx = ledger.begin().unwrap();
    let made = new_detention(&mut tx, 1);
    tx.commit().unwrap();
    made
}

/// A person and their detention, referenced `P-n` and `D-n`, in an open transaction.
fn new_detention(tx: &mut vigilia_ledger::Tx<'_>, n: usize) -> (PersonId, DetentionId) {
    let p = PersonId(tx.new_id(Kind::Person));
    let d = DetentionId(tx.new_id(Kind::Detention));
    tx.append(Draft {
        recorded_on: day("2024-07-30"),
        actor: "volunteer-7".into(),
        subject: p.into(),
        change: Change::PersonStated {
            reference: Some(format!("P-{n}")),
            identity: Identity {
                given_names: Some("José Gregorio".into()),
                paternal_surname: Some("Pérez".into()),
                ..Identity::default()
            },
            disclosure: None,
            cleared: vec![],
            reason: None,
        },
        sources: vec![],
    })
    .unwrap();
    tx.append(Draft {
        recorded_on: day("2024-07-30"),
        actor: "volunteer-7".into(),
        subject: d.into(),
        change: Change::DetentionOpened {
            person: p,
            reference: Some(format!("D-{n}")),
            arrest: Arrest {
                date: PartialDate::parse("2024-07-29").unwrap(),
                state: Some("VE-V".into()),
                municipality: None,
                agency: Some("SEBIN".into()),
                circumstances: None,
                context: vec!["post-election 2024".into()],
                minor: None,
            },
            steps: vec![],
            recognition: None,
            notes: None,
            group: None,
            previous: None,
        },
        sources: vec![],
    })
    .unwrap();
    (p, d)
}

fn end(ledger: &mut Ledger, d: DetentionId, date: &str, recorded_on: &str) {
    let mut tx = ledger.begin().unwrap();
    tx.append(Draft {
        recorded_on: day(recorded_on),
        actor: "lawyer-2".into(),
        subject: d.into(),
        change: Change::Ended {
            end: End {
                date: PartialDate::parse(date).unwrap(),
                kind: EndType::ReleasedUnderMeasures,
            },
        },
        sources: vec![],
    })
    .unwrap();
    tx.commit().unwrap();
}

fn detention(ledger: &mut Ledger, d: DetentionId) -> vigilia_core::model::Detention {
    match ledger.get(d.into()).unwrap() {
        Some(Record::Detention(d)) => d,
        other => panic!("expected a detention, got {other:?}"),
    }
}

fn a_registry_is_only_made_by_create(b: &Backend) {
    assert!(matches!(
        Ledger::open(&b.url, clock("2024-08-20T00:00:00Z")),
        Err(LedgerError::NotFound(_) | LedgerError::NotARegistry(_))
    ));
    drop(create(b));
    let mut opened = Ledger::open(&b.url, clock("2024-08-21T00:00:00Z")).unwrap();
    assert_eq!(opened.profile().unwrap().code, "VE");
    assert_eq!(opened.head().unwrap().facts, 1);
    assert!(matches!(
        Ledger::create(
            &b.url,
            clock("2024-08-21T00:00:00Z"),
            Profile::venezuela().unwrap(),
            "x"
        ),
        Err(LedgerError::AlreadyExists(_))
    ));
}

fn facts_fold_into_records_and_the_chain_verifies(b: &Backend) {
    let mut ledger = create(b);
    let (p, d) = record_detention(&mut ledger);
    end(&mut ledger, d, "2024-08-12", "2024-08-13");
    let det = detention(&mut ledger, d);
    assert_eq!(det.person, p);
    assert_eq!(
        det.end.as_ref().map(|e| e.kind),
        Some(EndType::ReleasedUnderMeasures)
    );
    assert_eq!(det.recorded_on, day("2024-07-30"));
    assert_eq!(det.end_recorded_on, Some(day("2024-08-13")));
    let head = ledger.head().unwrap();
    assert_eq!(head.facts, 4);
    assert_eq!(ledger.verify(&mut |_| {}).unwrap(), head);
    assert_eq!(
        ledger.references(Kind::Detention).unwrap().get("D-1"),
        Some(&d.0)
    );
    assert_eq!(ledger.history(d.into()).unwrap().len(), 2);
}

fn as_known_on_sees_only_what_was_recorded_by_then(b: &Backend) {
    let mut ledger = create(b);
    let (_, d) = record_detention(&mut ledger);
    end(&mut ledger, d, "2024-08-12", "2024-08-13");
    let before = ledger
        .as_known_on(d.into(), KnownOn(Some(day("2024-08-12"))))
        .unwrap();
    let Some(Record::Detention(before)) = before else {
        panic!("no detention")
    };
    assert!(before.end.is_none(), "the end was not known on 2024-08-12");
    let before_arrest = ledger
        .as_known_on(d.into(), KnownOn(Some(day("2024-07-29"))))
        .unwrap();
    assert!(
        before_arrest.is_none(),
        "the detention was not known on 2024-07-29"
    );
    let now = ledger.as_known_on(d.into(), KnownOn::NOW).unwrap();
    assert_eq!(now, Some(Record::Detention(detention(&mut ledger, d))));
}

fn a_correction_is_a_new_fact_and_the_old_state_stays_reachable(b: &Backend) {
    let mut ledger = create(b);
    let (_, d) = record_detention(&mut ledger);
    end(&mut ledger, d, "2024-08-12", "2024-08-13");
    let mut tx = ledger.begin().unwrap();
    tx.append(Draft {
        recorded_on: day("2024-08-15"),
        actor: "coordinator-1".into(),
        subject: d.into(),
        change: Change::EndRetracted {
            reason: "the release was announced but did not happen".into(),
        },
        sources: vec![],
    })
    .unwrap();
    tx.commit().unwrap();
    assert!(detention(&mut ledger, d).end.is_none());
    let Some(Record::Detention(then)) = ledger
        .as_known_on(d.into(), KnownOn(Some(day("2024-08-14"))))
        .unwrap()
    else {
        panic!("no detention")
    };
    assert!(
        then.end.is_some(),
        "as known on 2024-08-14 the detention had ended"
    );
    assert_eq!(
        ledger.head().unwrap().facts,
        5,
        "nothing was updated in place"
    );
}

fn a_fact_that_does_not_fit_is_refused_and_nothing_is_written(b: &Backend) {
    let mut ledger = create(b);
    let before = ledger.head().unwrap();
    {
        let mut tx = ledger.begin().unwrap();
        let p = PersonId(tx.new_id(Kind::Person));
        tx.append(Draft {
            recorded_on: day("2024-08-01"),
            actor: "t".into(),
            subject: p.into(),
            change: Change::PersonStated {
                reference: Some("P-9".into()),
                identity: Identity::default(),
                disclosure: None,
                cleared: vec![],
                reason: None,
            },
            sources: vec![],
        })
        .unwrap();
        let err = tx
            .append(Draft {
                recorded_on: day("2024-08-01"),
                actor: "t".into(),
                subject: Subject {
                    kind: Kind::Detention,
                    id: 77,
                },
                change: Change::EndRetracted { reason: "x".into() },
                sources: vec![],
            })
            .unwrap_err();
        assert!(matches!(err, LedgerError::Fold(_)), "{err}");
        // dropped without commit
    }
    assert_eq!(ledger.head().unwrap(), before);
    assert_eq!(ledger.count(Kind::Person).unwrap(), 0);
}

/// A NUL byte in a reference or an actor: SQLite would store it and PostgreSQL refuse the whole
/// batch without saying which row, so both refuse that fact and say what and where.
fn what_is_not_text_is_refused_alike_on_every_engine(b: &Backend) {
    let mut ledger = create(b);
    let mut tx = ledger.begin().unwrap();
    // A new person with this reference, appended by `actor`.
    let state = |tx: &mut vigilia_ledger::Tx<'_>, actor: &str, reference: String| {
        let p = PersonId(tx.new_id(Kind::Person));
        tx.append(Draft {
            recorded_on: day("2024-08-01"),
            actor: actor.into(),
            subject: p.into(),
            change: Change::PersonStated {
                reference: Some(reference),
                identity: Identity::default(),
                disclosure: None,
                cleared: vec![],
                reason: None,
            },
            sources: vec![],
        })
    };
    // Too long for an index to hold alike on every engine (2,704 bytes in PostgreSQL's).
    let long = "Ñ".repeat(vigilia_core::text::REFERENCE_CHARS + 1);
    for (actor, reference) in [
        ("t", "P\u{0}9".to_string()),
        ("t\u{0}", "P-9".to_string()),
        ("t", "P\u{1b}[2J".to_string()),
        ("t", "P-9\u{200b}".to_string()),
        ("t", long),
        // A tab or a no-break space looks like a space; `n` and a combining tilde like `ñ`.
        ("t", "P-9\tbis".to_string()),
        ("t", "P-9\u{a0}bis".to_string()),
        ("t", "Pen\u{303}a".to_string()),
    ] {
        let err = state(&mut tx, actor, reference).unwrap_err();
        assert!(matches!(err, LedgerError::Unstorable { .. }), "{err}");
    }
    // The transaction goes on: what was refused was never in it.
    state(&mut tx, "t", "P-9 bis".into()).unwrap();
    tx.commit().unwrap();
    assert_eq!(ledger.count(Kind::Person).unwrap(), 1);
    ledger.verify(&mut |_| {}).unwrap();
    // Looked up with what no reference holds, it is no one (PostgreSQL refused the parameter).
    let found = |ledger: &mut Ledger, r: &str| ledger.by_reference(Kind::Person, r).unwrap();
    assert!(found(&mut ledger, "P-9\u{0}").is_none());
    assert!(found(&mut ledger, "P-9 bis").is_some());
}

fn changing_any_stored_byte_breaks_verify_at_that_fact(b: &Backend) {
    let mut ledger = create(b);
    let (_, d) = record_detention(&mut ledger);
    end(&mut ledger, d, "2024-08-12", "2024-08-13");
    drop(ledger);
    for (column, sql) in [
        (
            "change",
            "UPDATE facts SET change = replace(change, '2024-08-12', '2024-08-11') WHERE seq = 4",
        ),
        (
            "actor",
            "UPDATE facts SET actor = 'someone-else' WHERE seq = 4",
        ),
        (
            "recorded_on",
            "UPDATE facts SET recorded_on = '2024-08-14' WHERE seq = 4",
        ),
    ] {
        b.tamper("CREATE TABLE IF NOT EXISTS keep AS SELECT * FROM facts WHERE seq = 4");
        b.tamper(sql);
        let mut ledger = Ledger::open(&b.url, clock("2024-09-01T00:00:00Z")).unwrap();
        let err = ledger.verify(&mut |_| {}).unwrap_err();
        match err {
            LedgerError::Chain(e) => assert_eq!(e.seq(), 4, "{column}: {e}"),
            other => panic!("{column}: {other}"),
        }
        drop(ledger);
        b.tamper("DELETE FROM facts WHERE seq = 4; INSERT INTO facts SELECT * FROM keep; DROP TABLE keep");
        let mut ledger = Ledger::open(&b.url, clock("2024-09-01T00:00:00Z")).unwrap();
        assert!(
            ledger.verify(&mut |_| {}).is_ok(),
            "restored after {column}"
        );
    }
    b.tamper("DELETE FROM facts WHERE seq = 3");
    let mut ledger = Ledger::open(&b.url, clock("2024-09-01T00:00:00Z")).unwrap();
    let err = ledger.verify(&mut |_| {}).unwrap_err();
    assert!(
        matches!(&err, LedgerError::Chain(e) if e.seq() == 4),
        "{err}"
    );
}

fn rebuild_recreates_the_projection_identically(b: &Backend) {
    let mut ledger = create(b);
    let (_, d) = record_detention(&mut ledger);
    end(&mut ledger, d, "2024-08-12", "2024-08-13");
    let original = ledger.projection_digest().unwrap();
    let rebuilt = ledger.rebuild(&mut |_| {}).unwrap();
    assert_eq!(rebuilt.records, 3, "registry, person, detention");
    assert_eq!(rebuilt.digest_before, original);
    assert_eq!(rebuilt.digest_after, original);
    drop(ledger);
    b.tamper("UPDATE records SET state = replace(state, 'released_under_measures', 'released') WHERE kind = 'detention'");
    b.tamper("DELETE FROM records WHERE kind = 'person'");
    let mut ledger = Ledger::open(&b.url, clock("2024-09-01T00:00:00Z")).unwrap();
    assert_ne!(ledger.projection_digest().unwrap(), original);
    let rebuilt = ledger.rebuild(&mut |_| {}).unwrap();
    assert_eq!(
        rebuilt.digest_after, original,
        "the facts alone give back the projection"
    );
    assert_eq!(
        detention(&mut ledger, d).end.map(|e| e.kind),
        Some(EndType::ReleasedUnderMeasures)
    );
}

fn ids_continue_after_reopening(b: &Backend) {
    let mut ledger = create(b);
    let (p1, d1) = record_detention(&mut ledger);
    drop(ledger);
    let mut ledger = Ledger::open(&b.url, clock("2024-09-01T00:00:00Z")).unwrap();
    let mut tx = ledger.begin().unwrap();
    assert_eq!(tx.new_id(Kind::Person), p1.0 + 1);
    assert_eq!(tx.new_id(Kind::Detention), d1.0 + 1);
}

fn audit_facts_join_the_chain_but_leave_the_content_head_where_it_was(b: &Backend) {
    let mut ledger = create(b);
    let (person, detention) = record_detention(&mut ledger);
    let content = ledger.content().unwrap().facts;
    assert_eq!(content, ledger.head().unwrap().facts);
    let before = ledger.get(person.into()).unwrap();
    let seen = Change::Audited {
        what: vigilia_core::fact::Audit::Viewed,
        records: Vec::new(),
        query: None,
    };
    ledger
        .record("lawyer", person.into(), seen.clone())
        .unwrap();
    ledger.record("lawyer", person.into(), seen).unwrap();
    assert_eq!(ledger.head().unwrap().facts, content + 2);
    assert_eq!(ledger.content().unwrap().facts, content);
    assert_eq!(ledger.get(person.into()).unwrap(), before);
    // Seen from another connection too (another process wrote them).
    let mut other = Ledger::open(&b.url, clock("2024-08-21T00:00:00Z")).unwrap();
    assert_eq!(other.content().unwrap().facts, content);
    let history = other.history(person.into()).unwrap();
    assert_eq!(
        history
            .iter()
            .filter(|f| matches!(f.change, Change::Audited { .. }))
            .count(),
        2
    );
    // A real change moves it.
    end(&mut other, detention, "2024-08-15", "2024-08-20");
    assert_eq!(
        ledger.content().unwrap().facts,
        ledger.head().unwrap().facts
    );
    ledger.verify(&mut |_| {}).unwrap();
}

/// A record's changes are read without who looked at it, and its last views newest first: a
/// case page costs the same after a thousand views; folding the changes gives the record.
fn changes_and_views_are_read_apart(b: &Backend) {
    let mut ledger = create(b);
    let (person, detention) = record_detention(&mut ledger);
    for _ in 0..30 {
        ledger.record("lawyer", detention.into(), seen()).unwrap();
    }
    end(&mut ledger, detention, "2024-08-15", "2024-08-20");
    ledger
        .record("coordinator", detention.into(), seen())
        .unwrap();
    let history = ledger.history(detention.into()).unwrap();
    let changes = ledger.changes(detention.into()).unwrap();
    let expected: Vec<u64> = (history.iter())
        .filter(|f| !matches!(f.change, Change::Audited { .. }))
        .map(|f| f.seq)
        .collect();
    assert_eq!(changes.iter().map(|f| f.seq).collect::<Vec<_>>(), expected);
    assert!(expected.len() >= 2, "opened and ended: {expected:?}");
    // The whole history has the views among the changes, in ledger order (PostgreSQL keeps
    // the two in separate indexes), and so has the walk through every history.
    let seqs: Vec<u64> = history.iter().map(|f| f.seq).collect();
    assert_eq!(history.len(), expected.len() + 31);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let mut walked = Vec::new();
    ledger
        .for_each_history(None, None, &mut |subject, facts| {
            if subject == Subject::from(detention) {
                walked = facts.iter().map(|f| f.seq).collect();
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(walked, seqs);
    assert_eq!(
        vigilia_core::fold::fold(&changes, KnownOn::NOW).unwrap(),
        ledger.get(detention.into()).unwrap()
    );
    let views = ledger.views(detention.into(), 5).unwrap();
    assert_eq!(views.len(), 5);
    assert_eq!(views[0].actor, "coordinator", "newest first");
    assert!(views.windows(2).all(|w| w[0].seq > w[1].seq));
    assert!(
        views
            .iter()
            .all(|f| matches!(f.change, Change::Audited { .. }))
    );
    assert!(ledger.views(person.into(), 5).unwrap().is_empty());
}

/// The last fact, not an audit fact, about each kind of record, found by reading every fact.
fn scanned(ledger: &mut Ledger) -> BTreeMap<String, u64> {
    let mut last = BTreeMap::new();
    let mut after = 0;
    loop {
        let rows = ledger.raw_facts(after, 3).unwrap();
        let Some(end) = rows.last() else { break };
        after = end.seq;
        for row in rows {
            let fact = row.decode().unwrap();
            if !matches!(fact.change, Change::Audited { .. }) {
                last.insert(fact.subject.kind.name().to_string(), fact.seq);
            }
        }
    }
    last
}

/// What [`Ledger::changed`] says for each kind, beside what the registry keeps and a scan.
fn assert_kinds_changed(b: &Backend, ledger: &mut Ledger, when: &str) {
    let scan = scanned(ledger);
    assert_eq!(b.kinds_changed(), scan, "kept = scanned, {when}");
    for kind in Kind::ALL {
        let expected = scan.get(kind.name()).copied().unwrap_or(0);
        assert_eq!(
            ledger.changed(&[kind]).unwrap(),
            expected,
            "{kind:?}, {when}"
        );
    }
    let content = scan.values().copied().max().unwrap_or(0);
    assert_eq!(ledger.changed(&Kind::ALL).unwrap(), content, "{when}");
    assert_eq!(ledger.content().unwrap().facts, content, "{when}");
}

fn seen() -> Change {
    Change::Audited {
        what: vigilia_core::fact::Audit::Viewed,
        records: Vec::new(),
        query: None,
    }
}

/// The walk through every history (what a rebuild and the counting index read) gives each
/// record once with its whole history, changes and views merged in ledger order, kind by kind
/// in the order of their names and by number within a kind, also where a record's facts run
/// over a page of the walk; one kind alone, or up to a position, gives the same part of it.
fn the_walk_through_every_history_is_whole_and_in_order(b: &Backend) {
    let mut ledger = create(b);
    // More facts about detentions than a page of the walk (20,000), numbered like the persons.
    const N: usize = 7_000;
    let mut tx = ledger.begin().unwrap();
    let detentions: Vec<DetentionId> = (0..N).map(|i| new_detention(&mut tx, i).1).collect();
    let opened = tx.commit().unwrap().facts;
    let mut tx = ledger.begin().unwrap();
    for d in &detentions {
        for change in [
            seen(),
            Change::Ended {
                end: End {
                    date: PartialDate::parse("2024-08-15").unwrap(),
                    kind: EndType::ReleasedUnderMeasures,
                },
            },
        ] {
            tx.append(Draft {
                recorded_on: day("2024-08-20"),
                actor: "lawyer-2".into(),
                subject: (*d).into(),
                change,
                sources: vec![],
            })
            .unwrap();
        }
    }
    tx.commit().unwrap();

    let mut walked: Vec<(Subject, Vec<u64>)> = Vec::new();
    (ledger.for_each_history(None, None, &mut |subject, facts| {
        walked.push((subject, facts.iter().map(|f| f.seq).collect()));
        Ok(())
    }))
    .unwrap();
    let subjects: Vec<Subject> = walked.iter().map(|(s, _)| *s).collect();
    let mut sorted = subjects.clone();
    sorted.sort_by_key(|s| (s.kind.name(), s.id));
    sorted.dedup();
    assert_eq!(
        subjects, sorted,
        "each record once, by kind's name, then number"
    );
    assert_eq!(
        (subjects.iter())
            .filter(|s| s.kind == Kind::Detention)
            .count(),
        N
    );
    // Every fact in ledger order, grouped by its record: the histories the walk must give.
    let mut histories: BTreeMap<(&str, u64), Vec<u64>> = BTreeMap::new();
    let mut after = 0;
    loop {
        let rows = ledger.raw_facts(after, 5_000).unwrap();
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for row in &rows {
            let s = Subject::parse(&row.subject).unwrap();
            histories
                .entry((s.kind.name(), s.id))
                .or_default()
                .push(row.seq);
        }
    }
    let expected: Vec<(Subject, Vec<u64>)> = (histories.into_iter())
        .map(|((kind, id), seqs)| (Subject::parse(&format!("{kind}:{id}")).unwrap(), seqs))
        .collect();
    assert_eq!(walked, expected);
    let in_walk: Vec<(Subject, Vec<u64>)> = (walked.iter())
        .filter(|(s, _)| s.kind == Kind::Detention)
        .cloned()
        .collect();
    let mut alone = Vec::new();
    (ledger.for_each_history(Some(Kind::Detention), None, &mut |subject, facts| {
        alone.push((subject, facts.iter().map(|f| f.seq).collect::<Vec<u64>>()));
        Ok(())
    }))
    .unwrap();
    assert_eq!(alone, in_walk);
    let mut then = Vec::new();
    (ledger.for_each_history(
        Some(Kind::Detention),
        Some(opened),
        &mut |subject, facts| {
            then.push((subject, facts.iter().map(|f| f.seq).collect::<Vec<u64>>()));
            Ok(())
        },
    ))
    .unwrap();
    let first: Vec<(Subject, Vec<u64>)> = (in_walk.iter())
        .map(|(s, seqs)| (*s, seqs[..1].to_vec()))
        .collect();
    assert_eq!(then, first, "up to a position: each detention as opened");
}

/// Records read ahead in one go (as an import reads the persons and detentions of its next
/// rows) are the records as committed when the transaction began, another process's last
/// write included; numbers not stored, or made in the transaction, are passed over; a record
/// read ahead and not used is left as it was.
fn records_read_ahead_are_the_committed_ones(b: &Backend) {
    let mut ledger = create(b);
    let (p, d) = record_detention(&mut ledger);
    let person = ledger.get(p.into()).unwrap();
    // Another process ends the detention after this one read it.
    let mut other = Ledger::open(&b.url, clock("2024-08-20T15:00:00Z")).unwrap();
    end(&mut other, d, "2024-08-15", "2024-08-20");
    let ended = other.get(d.into()).unwrap();
    let mut tx = ledger.begin().unwrap();
    let made = PersonId(tx.new_id(Kind::Person));
    tx.preload(&[
        p.into(),
        d.into(),
        made.into(),
        PersonId(999).into(),
        DetentionId(d.0).into(),
    ])
    .unwrap();
    if matches!(b.url, DatabaseUrl::Postgres(_)) {
        // The stored row spoilt behind the transaction's back after it was read ahead (on
        // PostgreSQL the writer's lock leaves the records table writable by hand): what the
        // transaction uses is what it read ahead, not a second read.
        b.tamper("UPDATE records SET state = 'spoilt' WHERE kind = 'detention'");
    }
    assert_eq!(tx.get(d.into()).unwrap().cloned(), ended);
    assert!(tx.get(PersonId(999).into()).unwrap().is_none());
    assert!(tx.get(made.into()).unwrap().is_none());
    tx.append(Draft {
        recorded_on: day("2024-08-20"),
        actor: "lawyer-2".into(),
        subject: d.into(),
        change: Change::Ended {
            end: End {
                date: PartialDate::parse("2024-08-16").unwrap(),
                kind: EndType::ReleasedUnderMeasures,
            },
        },
        sources: vec![],
    })
    .unwrap();
    tx.commit().unwrap();
    assert_eq!(ledger.get(p.into()).unwrap(), person);
    let changes = ledger.changes(d.into()).unwrap();
    assert_eq!(
        changes.len(),
        3,
        "opened, ended by the other, corrected here"
    );
    assert_eq!(
        vigilia_core::fold::fold(&changes, KnownOn::NOW).unwrap(),
        ledger.get(d.into()).unwrap()
    );
    ledger.verify(&mut |_| {}).unwrap();
}

/// The last change of each kind is kept in the registry with the facts, so that a process
/// starts without reading them all: it stays equal to a scan of the facts through audit facts,
/// writes by another process, a rebuild, and a backup restored.
fn kinds_changed_are_kept_with_the_facts(b: &Backend) {
    let mut ledger = create(b);
    assert_kinds_changed(b, &mut ledger, "created");
    let (person, detention) = record_detention(&mut ledger);
    ledger.record("abogada", person.into(), seen()).unwrap();
    let report = report_with_contact(&mut ledger, "0414-5550101");
    end(&mut ledger, detention, "2024-08-12", "2024-08-13");
    ledger.record("abogada", report.into(), seen()).unwrap();
    ledger.record("abogada", detention.into(), seen()).unwrap();
    assert_eq!(
        b.kinds_changed()["detention"],
        6,
        "the end, not the audits after it"
    );
    assert_kinds_changed(b, &mut ledger, "mixed kinds and audit facts");

    // Another process writes: this one sees it once the head has moved.
    let mut other = Ledger::open(&b.url, clock("2024-08-21T00:00:00Z")).unwrap();
    let second = report_with_contact(&mut other, "0412-5550202");
    other.record("abogada", second.into(), seen()).unwrap();
    other.record("abogada", person.into(), seen()).unwrap();
    drop(other);
    assert_eq!(ledger.changed(&[Kind::Report]).unwrap(), 9);
    assert_kinds_changed(b, &mut ledger, "after another process wrote");

    // Drifted (written behind Vigilia's back): verify says so, rebuild puts it right.
    drop(ledger);
    b.tamper("UPDATE kinds_changed SET seq = 2 WHERE kind = 'detention'; DELETE FROM kinds_changed WHERE kind = 'report'");
    let mut ledger = Ledger::open(&b.url, clock("2024-09-01T00:00:00Z")).unwrap();
    match ledger.verify(&mut |_| {}) {
        Err(LedgerError::KindChanged { kind, kept, facts }) => {
            assert_eq!((kind, kept, facts), ("detention", 2, 6));
        }
        other => panic!("expected the drift, got {other:?}"),
    }
    ledger.rebuild(&mut |_| {}).unwrap();
    assert_kinds_changed(b, &mut ledger, "after rebuild");
    ledger.verify(&mut |_| {}).unwrap();

    // A backup restored keeps them as the original.
    let mut stream = Vec::new();
    vigilia_ledger::backup::write(&mut ledger, &mut stream).unwrap();
    let target = b.another();
    vigilia_ledger::backup::restore(
        &target.url,
        None,
        clock("2024-09-02T00:00:00Z"),
        &mut stream.as_slice(),
    )
    .unwrap();
    let mut restored = Ledger::open(&target.url, clock("2024-09-02T00:00:00Z")).unwrap();
    assert_kinds_changed(&target, &mut restored, "restored");
    assert_eq!(target.kinds_changed(), b.kinds_changed());
}

/// A registry made before the last changes were kept gets them from its facts when opened,
/// with its facts untouched.
fn a_registry_without_kinds_changed_migrates_forward(b: &Backend) {
    let mut ledger = create(b);
    let (person, detention) = record_detention(&mut ledger);
    end(&mut ledger, detention, "2024-08-12", "2024-08-13");
    report_with_contact(&mut ledger, "0414-5550101");
    ledger.record("abogada", person.into(), seen()).unwrap();
    let facts = ledger.raw_facts(0, 100).unwrap();
    drop(ledger);
    b.tamper("DROP TABLE kinds_changed");
    match &b.url {
        DatabaseUrl::Sqlite(_) => b.tamper("PRAGMA user_version = 6"),
        DatabaseUrl::Postgres(_) => b.tamper("DELETE FROM vigilia_schema WHERE version > 6"),
    }
    let mut ledger = Ledger::open(&b.url, clock("2024-09-01T00:00:00Z")).unwrap();
    assert_eq!(ledger.raw_facts(0, 100).unwrap(), facts, "facts unchanged");
    assert_kinds_changed(b, &mut ledger, "migrated");
    assert_eq!(b.kinds_changed()["person"], 2, "not the audit fact");
    assert_eq!(
        ledger.verify(&mut |_| {}).unwrap().facts,
        facts.len() as u64
    );
}

/// A report with a reporter's contact, in its own transaction.
/// Servers of a new version started together on an older registry: each opens it, one of them
/// migrates it, and none fails for the others (two used to take each other's locks).
fn processes_started_together_migrate_a_registry_once(b: &Backend) {
    let mut ledger = create(b);
    record_detention(&mut ledger);
    let head = ledger.head().unwrap();
    drop(ledger);
    b.tamper("DROP TABLE kinds_changed");
    match &b.url {
        DatabaseUrl::Sqlite(_) => b.tamper("PRAGMA user_version = 6"),
        DatabaseUrl::Postgres(_) => b.tamper(
            "DELETE FROM vigilia_schema WHERE version > 6; \
             DROP INDEX facts_views_by_subject; \
             CREATE INDEX facts_by_subject ON facts (subject_kind COLLATE \"C\", subject_id, seq)",
        ),
    }
    let opened: Vec<_> = std::thread::scope(|scope| {
        let started: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| Ledger::open(&b.url, clock("2024-09-01T00:00:00Z"))))
            .collect();
        started.into_iter().map(|t| t.join().unwrap()).collect()
    });
    for ledger in opened {
        let mut ledger = ledger.expect("every process opens the registry");
        assert_eq!(ledger.head().unwrap(), head);
    }
    let mut ledger = Ledger::open(&b.url, clock("2024-09-01T00:00:00Z")).unwrap();
    assert_kinds_changed(b, &mut ledger, "migrated by one of four");
    ledger.verify(&mut |_| {}).unwrap();
}

fn report_with_contact(ledger: &mut Ledger, contact: &str) -> ReportId {
    let mut tx = ledger.begin().unwrap();
    let r = ReportId(tx.new_id(Kind::Report));
    tx.append(Draft {
        recorded_on: day("2024-08-20"),
        actor: "familia".into(),
        subject: r.into(),
        change: Change::ReportReceived {
            channel: Channel::Family,
            text: "Se llevaron a mi hermano en Maracaibo".into(),
            contact: Some(Confidential::Plain(contact.into())),
            consent: Disclosure::CountOnly,
            details: None,
            reporter: None,
            receipt: None,
            list: None,
        },
        sources: vec![],
    })
    .unwrap();
    tx.commit().unwrap();
    r
}

fn contact_of(ledger: &mut Ledger, r: ReportId) -> Confidential {
    match ledger.get(r.into()).unwrap() {
        Some(Record::Report(r)) => r.contact.unwrap(),
        other => panic!("expected a report, got {other:?}"),
    }
}

/// Contacts and notes are encrypted record by record, under data keys wrapped by the registry's
/// key: the stored facts never hold them, the right key reads them (after a rotation too, and
/// in a restored backup), and the wrong key, or none, does not.
fn confidential_fields_are_encrypted_per_record(b: &Backend) {
    const CONTACT: &str = "0414-5550101, su hermana";
    let key = Secret::generate().unwrap();
    let at = clock("2024-08-20T15:00:00Z");
    let mut ledger = Ledger::create_with(
        &b.url,
        Some(&key),
        at.clone(),
        Profile::venezuela().unwrap(),
        "test",
    )
    .unwrap();
    let (_, d) = record_detention(&mut ledger);
    let report = report_with_contact(&mut ledger, CONTACT);
    ledger
        .record(
            "abogada",
            d.into(),
            Change::NotesSet {
                notes: "La familia teme represalias".into(),
            },
        )
        .unwrap();

    // Stored: ciphertext only, in the fact and in the projection.
    let facts = ledger.raw_facts(0, 100).unwrap();
    assert!(
        facts
            .iter()
            .all(|f| !f.change.contains("0414") && !f.change.contains("represalias"))
    );
    assert!(facts.iter().any(|f| f.change.contains(r#""encrypted":1"#)));
    let sealed = contact_of(&mut ledger, report);
    assert!(sealed.plain().is_none());
    assert_eq!(
        ledger
            .reveal(report.into(), Field::Contact, &sealed)
            .unwrap(),
        CONTACT
    );
    let notes = detention(&mut ledger, d).notes.unwrap();
    assert_eq!(
        ledger.reveal(d.into(), Field::Notes, &notes).unwrap(),
        "La familia teme represalias"
    );
    // Bound to its record and field: moved elsewhere, it does not open.
    assert!(matches!(
        ledger.reveal(report.into(), Field::Notes, &sealed),
        Err(LedgerError::Unreadable { .. })
    ));
    assert!(ledger.reveal(d.into(), Field::Contact, &sealed).is_err());
    let head = ledger.verify(&mut |_| {}).unwrap();
    // A lost data key is named by `verify` (here: taken away behind Vigilia's back).
    if let DatabaseUrl::Postgres(_) = b.url {
        b.tamper(&format!(
            "UPDATE keyring SET name = 'gone' WHERE name = 'report:{}'",
            report.0
        ));
        let e = ledger.verify(&mut |_| {}).unwrap_err();
        assert!(
            e.to_string().contains(&format!("report:{}", report.0)),
            "{e}"
        );
        b.tamper(&format!(
            "UPDATE keyring SET name = 'report:{}' WHERE name = 'gone'",
            report.0
        ));
    }

    // Another key, or none, does not open the registry's keyring.
    let other = Secret::generate().unwrap();
    assert!(matches!(
        Ledger::open_with(&b.url, Some(&other), at.clone()),
        Err(LedgerError::WrongKey(_))
    ));
    if let DatabaseUrl::Postgres(_) = b.url {
        assert!(matches!(
            Ledger::open(&b.url, at.clone()),
            Err(LedgerError::KeyNeeded(_))
        ));
    }

    // A new key: the keyring is wrapped again, the facts do not change.
    let new = Secret::generate().unwrap();
    ledger.rekey(&new).unwrap();
    drop(ledger);
    assert!(Ledger::open_with(&b.url, Some(&key), at.clone()).is_err());
    let mut ledger = Ledger::open_with(&b.url, Some(&new), at.clone()).unwrap();
    assert_eq!(ledger.verify(&mut |_| {}).unwrap(), head);
    let sealed = contact_of(&mut ledger, report);
    assert_eq!(
        ledger
            .reveal(report.into(), Field::Contact, &sealed)
            .unwrap(),
        CONTACT
    );

    // A backup restored under a third key reads them too, at the same head.
    let mut stream = Vec::new();
    vigilia_ledger::backup::write(&mut ledger, &mut stream).unwrap();
    let target = Backend::sqlite();
    let third = Secret::generate().unwrap();
    let restored_head = vigilia_ledger::backup::restore(
        &target.url,
        Some(&third),
        at.clone(),
        &mut stream.as_slice(),
    )
    .unwrap();
    assert_eq!(restored_head, head);
    let mut restored = Ledger::open_with(&target.url, Some(&third), at).unwrap();
    let sealed = contact_of(&mut restored, report);
    assert_eq!(
        restored
            .reveal(report.into(), Field::Contact, &sealed)
            .unwrap(),
        CONTACT
    );

    // Erased: the record no longer has it, what the old fact holds no longer opens, and the
    // chain (and a backup of it) still verifies.
    ledger
        .erase("coordinadora", report.into(), "la familia lo pidió")
        .unwrap();
    match ledger.get(report.into()).unwrap() {
        Some(Record::Report(r)) => assert!(r.contact.is_none()),
        other => panic!("expected the report, got {other:?}"),
    }
    assert!(matches!(
        ledger.reveal(report.into(), Field::Contact, &sealed),
        Err(LedgerError::Unreadable { .. })
    ));
    assert_eq!(ledger.verify(&mut |_| {}).unwrap().facts, head.facts + 1);
    let mut stream = Vec::new();
    vigilia_ledger::backup::write(&mut ledger, &mut stream).unwrap();
    let again = Backend::sqlite();
    vigilia_ledger::backup::restore(
        &again.url,
        Some(&third),
        clock("2024-08-21T00:00:00Z"),
        &mut stream.as_slice(),
    )
    .unwrap();
}

#[test]
fn create_never_writes_into_an_existing_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE notes (x TEXT)")
        .unwrap();
    let err = Ledger::create(
        &DatabaseUrl::Sqlite(path.clone()),
        clock("2024-08-20T00:00:00Z"),
        Profile::venezuela().unwrap(),
        "t",
    )
    .unwrap_err();
    assert!(matches!(err, LedgerError::AlreadyExists(_)), "{err}");
    let tables: Vec<String> = rusqlite::Connection::open(&path)
        .unwrap()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(tables, ["notes"], "the other file is left as it was");
}

/// The servers' shared state is kept under keyed pseudonyms when the registry has its key: a
/// copy of the database does not say which addresses sent reports or tried to sign in, while
/// every process opened with the key finds the same rows.
fn shared_state_is_named_by_pseudonyms(b: &Backend) {
    let key = Secret::generate().unwrap();
    let open = || Ledger::open_with(&b.url, Some(&key), clock("2024-08-20T15:00:00Z")).unwrap();
    drop(
        Ledger::create_with(
            &b.url,
            Some(&key),
            clock("2024-08-20T15:00:00Z"),
            Profile::venezuela().unwrap(),
            "test",
        )
        .unwrap(),
    );
    let (mut one, mut two) = (open(), open());
    let mut tx = one.begin().unwrap();
    tx.set_state("reports:203.0.113.7", Some(("[1724166000]", 1_900_000_000)))
        .unwrap();
    tx.commit().unwrap();
    assert_eq!(
        two.state("reports:203.0.113.7").unwrap().as_deref(),
        Some("[1724166000]")
    );
    assert_eq!(two.state("reports:203.0.113.8").unwrap(), None);
    if let DatabaseUrl::Postgres(url) = &b.url {
        let rows = ::postgres::Client::connect(url, ::postgres::NoTls)
            .unwrap()
            .query("SELECT key FROM server_state", &[])
            .unwrap();
        let names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(names.len(), 1);
        assert!(!names[0].contains("203.0.113"), "{names:?}");
        assert_eq!(names[0].len(), 32, "{names:?}");
    }
}

/// A person stated as `given`, by reference P-1.
fn stated(p: PersonId, given: &str) -> Draft {
    Draft {
        recorded_on: day("2024-08-01"),
        actor: "importer".into(),
        subject: p.into(),
        change: Change::PersonStated {
            reference: Some("P-1".into()),
            identity: Identity {
                given_names: Some(given.into()),
                paternal_surname: Some("Rojas".into()),
                ..Identity::default()
            },
            disclosure: None,
            cleared: vec![],
            reason: None,
        },
        sources: vec![],
    }
}

/// A long import commits a batch without waiting while it builds the next: the next reads
/// what the first wrote (not yet readable elsewhere) and extends the chain from it; once
/// answered, the first is durable. If another writer appended in between, the next fails
/// rather than fork the chain, and the registry holds what was committed, intact.
fn a_commit_made_without_waiting_is_followed_or_refused_never_forked(b: &Backend) {
    let mut ledger = create(b);
    let mut tx = ledger.begin().unwrap();
    let p = PersonId(tx.new_id(Kind::Person));
    tx.append(stated(p, "Ana")).unwrap();
    let (first, answer) = tx.commit_later().unwrap();
    let mut tx = ledger.begin().unwrap();
    match tx.get(p.into()).unwrap() {
        Some(Record::Person(person)) => {
            assert_eq!(person.identity.given_names.as_deref(), Some("Ana"))
        }
        other => panic!("the person written before: {other:?}"),
    }
    tx.append(stated(p, "Ana María")).unwrap();
    answer.recv().unwrap().unwrap();
    let second = tx.commit().unwrap();
    assert_eq!(second.facts, first.facts + 1);
    match ledger.get(p.into()).unwrap() {
        Some(Record::Person(person)) => {
            assert_eq!(person.identity.given_names.as_deref(), Some("Ana María"))
        }
        other => panic!("{other:?}"),
    }
    ledger.verify(&mut |_| {}).unwrap();
    // Another writer between two batches.
    let mut tx = ledger.begin().unwrap();
    tx.append(stated(p, "Ana M.")).unwrap();
    let (third, answer) = tx.commit_later().unwrap();
    answer.recv().unwrap().unwrap();
    let mut other = Ledger::open(&b.url, clock("2024-08-20T15:00:00Z")).unwrap();
    let mut tx = other.begin().unwrap();
    tx.append(stated(p, "Otra")).unwrap();
    let theirs = tx.commit().unwrap();
    assert_eq!(theirs.facts, third.facts + 1);
    let refused = ledger.begin().and_then(|mut tx| {
        tx.append(stated(p, "Bifurcada"))?;
        tx.commit()
    });
    let e = refused.expect_err("a batch on a head that is no longer the last");
    assert!(e.to_string().contains("another writer"), "{e}");
    let head = other.verify(&mut |_| {}).unwrap();
    assert_eq!(head.facts, theirs.facts);
    // The writer that was refused goes on, from the registry as it now stands.
    let mut tx = ledger.begin().unwrap();
    tx.append(stated(p, "Ana")).unwrap();
    assert_eq!(tx.commit().unwrap().facts, theirs.facts + 1);
    ledger.verify(&mut |_| {}).unwrap();
}

/// A fact is never appended before the last one, for a fact recorded in the past would change
/// what the registry said it knew on days already counted: a clock a few minutes behind
/// (another server's) writes at the last fact's instant; a clock a day behind (a `--now` left
/// set) is refused, says both instants, and writes nothing.
fn a_fact_is_never_appended_before_the_last_one(b: &Backend) {
    let mut ledger = create(b);
    let (p, _) = record_detention(&mut ledger);
    let head = ledger.head().unwrap();
    let mut behind = Ledger::open(&b.url, clock("2024-08-19T15:00:00Z")).unwrap();
    let refused = match behind.begin() {
        Err(e @ LedgerError::ClockBehind { .. }) => e,
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("a clock a day behind the last fact began a write"),
    };
    assert!(
        refused
            .localize(Lang::Es)
            .contains("este reloj marca el 19/08/2024, 11:00")
            && refused
                .localize(Lang::Es)
                .contains("se escribió el 20/08/2024, 11:00 (hora de la organización)"),
        "{}",
        refused.localize(Lang::Es)
    );
    assert!(matches!(
        behind.record("late", p.into(), seen()),
        Err(LedgerError::ClockBehind { .. })
    ));
    assert_eq!(behind.head().unwrap(), head);

    let mut slow = Ledger::open(&b.url, clock("2024-08-20T14:58:00Z")).unwrap();
    slow.record("slow", p.into(), seen()).unwrap();
    let mut ahead = Ledger::open(&b.url, clock("2024-08-21T09:00:00Z")).unwrap();
    ahead.record("ahead", p.into(), seen()).unwrap();
    let at: Vec<String> = (ahead.raw_facts(0, 100).unwrap().into_iter())
        .map(|f| f.appended_at)
        .collect();
    assert_eq!(at.len(), 5);
    assert!(
        at.get(1..4)
            .unwrap()
            .iter()
            .all(|t| t == "2024-08-20T15:00:00Z"),
        "the slow clock's facts are appended at the last fact's instant: {at:?}"
    );
    assert_eq!(at.last().unwrap(), "2024-08-21T09:00:00Z");
    assert_eq!(ahead.verify(&mut |_| {}).unwrap(), ahead.head().unwrap());

    // Just after midnight in Caracas (−04:00), a clock two minutes slow still says it is the
    // day the registry's last fact was written on: what it records is not dated the day before.
    let other = b.another();
    let created = Ledger::create(
        &other.url,
        clock("2024-08-20T04:01:00Z"),
        Profile::venezuela().unwrap(),
        "test",
    )
    .unwrap();
    drop(created);
    let mut slow = Ledger::open(&other.url, clock("2024-08-20T03:59:00Z")).unwrap();
    assert_eq!(slow.today().unwrap(), day("2024-08-20"));

    // A machine's running clock a day behind (after a machine whose clock ran fast wrote) is
    // not refused: the registry would stay locked until that day came. It writes at the last
    // fact's instant, on that fact's day, and says that day is today (an import dates the
    // facts it records by it).
    let mut machine = Ledger::open(
        &b.url,
        Arc::new(Running("2024-08-20T09:00:00Z".parse().unwrap())),
    )
    .unwrap();
    assert_eq!(machine.today().unwrap(), day("2024-08-21"));
    machine.record("machine", p.into(), seen()).unwrap();
    let last = machine.raw_facts(5, 100).unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].appended_at, "2024-08-21T09:00:00Z");
    let mut tx = machine.begin().unwrap();
    assert_eq!(tx.today().unwrap(), day("2024-08-21"));
    drop(tx);
    assert_eq!(
        machine.verify(&mut |_| {}).unwrap(),
        machine.head().unwrap()
    );
}

/// A machine's clock, as `serve` has it (not set by hand), stopped for the test.
#[derive(Debug)]
struct Running(jiff::Timestamp);

impl vigilia_core::clock::Clock for Running {
    fn now(&self) -> jiff::Timestamp {
        self.0
    }
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&super::Backend::sqlite()) } )*
        }
        mod postgres {
            $( #[test] fn $name() {
                match super::Backend::postgres() {
                    Some(b) => super::$name(&b),
                    None => eprintln!("skipped: set VIGILIA_TEST_POSTGRES_URL to run the PostgreSQL half"),
                }
            } )*
        }
    };
}

conformance!(
    a_registry_is_only_made_by_create,
    facts_fold_into_records_and_the_chain_verifies,
    as_known_on_sees_only_what_was_recorded_by_then,
    a_correction_is_a_new_fact_and_the_old_state_stays_reachable,
    a_fact_that_does_not_fit_is_refused_and_nothing_is_written,
    what_is_not_text_is_refused_alike_on_every_engine,
    changing_any_stored_byte_breaks_verify_at_that_fact,
    rebuild_recreates_the_projection_identically,
    ids_continue_after_reopening,
    audit_facts_join_the_chain_but_leave_the_content_head_where_it_was,
    changes_and_views_are_read_apart,
    the_walk_through_every_history_is_whole_and_in_order,
    records_read_ahead_are_the_committed_ones,
    confidential_fields_are_encrypted_per_record,
    shared_state_is_named_by_pseudonyms,
    kinds_changed_are_kept_with_the_facts,
    a_registry_without_kinds_changed_migrates_forward,
    processes_started_together_migrate_a_registry_once,
    a_commit_made_without_waiting_is_followed_or_refused_never_forked,
    a_fact_is_never_appended_before_the_last_one,
);
