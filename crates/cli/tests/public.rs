//! What the public may know of who is held: the public list shows each political prisoner as
//! their consent allows (full name, initials and state, or only counted), adds up to the
//! figure, and follows a withdrawal in every list made after it, of earlier days too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::Registry;

fn list(r: &Registry, as_of: &str) -> serde_json::Value {
    let out = r.ok(&["public-list", "--as-of", as_of, "--format", "json"]);
    serde_json::from_str(&out).unwrap()
}

#[test]
fn the_public_list_shows_each_person_as_consented_and_adds_up() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let file = r.write(
        "d.csv",
        "detention_ref,person_ref,given_names,paternal_surname,maternal_surname,arrest_date,arrest_state,recognition,disclosure\n\
         D-1,P-1,José Gregorio,Pérez,Rodríguez,2026-08-01,Zulia,recognised,named\n\
         D-2,P-2,María,Salas,,2026-08-02,Lara,recognised,initials\n\
         D-3,P-3,Ana,Ruiz,,2026-08-03,Lara,recognised,count_only\n\
         D-4,P-4,Luis,Mora,,2026-08-04,Lara,under_study,named\n",
    );
    r.ok(&["import", "detentions", file.to_str().unwrap()]);
    let l = list(&r, "2026-11-15");
    assert_eq!(l["political_prisoners"], 3, "{l}");
    assert_eq!(l["counted_only"], 1);
    let rows = l["listed"].as_array().unwrap();
    assert_eq!(
        rows.len() + 1,
        3,
        "the listed and the counted add up to the figure"
    );
    assert_eq!(rows[0]["name"], "José Gregorio Pérez Rodríguez");
    assert_eq!(rows[0]["arrested"], "2026-08-01");
    assert_eq!(rows[1]["name"], "M. S.");
    // Lara's published figure (2) minus the names listed there would give the one person
    // counted only there: no state is given for Lara's listed. Left out alone, Lara would
    // still hide only one person, and no other state hides anyone to join it: no state is
    // given at all (Zulia's figure minus its rows would otherwise say the rest are Lara's).
    assert!(rows[1]["state"].is_null(), "{l}");
    assert!(rows[0]["state"].is_null(), "{l}");
    assert!(rows[1]["arrested"].is_null(), "initials carry no date");
    let text = serde_json::to_string(&l).unwrap();
    assert!(!text.contains("Ruiz") && !text.contains("Mora"), "{text}");
    // The family withdraws José Gregorio's consent: a list of the same past day made now
    // counts him only.
    r.ok(&["consent", "1", "--level", "count_only", "--by", "family"]);
    let l = list(&r, "2026-11-15");
    assert_eq!(l["counted_only"], 2);
    assert!(!serde_json::to_string(&l).unwrap().contains("Pérez"));
    // CSV: the rows, guarded for spreadsheets; what they add up to on standard error.
    let out = r.run(&["public-list", "--as-of", "2026-11-15"]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv, "name,listed_as,state,arrest_date\nM. S.,initials,,\n");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("3 political prisoners: 1 by name or initials, 2 counted only"),
        "{said}"
    );
    // A person merged into another takes the consent there.
    r.ok(&[
        "merge",
        "3",
        "--into",
        "2",
        "--reason",
        "misma persona",
        "--consent",
        "initials",
    ]);
    let merged = r.run(&["consent", "3", "--level", "named", "--by", "family"]);
    assert_eq!(
        merged.status.code(),
        Some(2),
        "set on the person merged into"
    );
    // A consent that is not one is named, and nothing is stored.
    let facts = r.facts();
    let bad = r.run(&["consent", "2", "--level", "everything", "--by", "family"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = r.run(&["consent", "2", "--level", "named", "--by", "neighbour"]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(r.facts(), facts);
}

/// The certified list: the political prisoners as consent allows, its changes since the last
/// one (who entered, who left and how), a manifest with each file's SHA-256 and the ledger head,
/// signed; `--reproduce N` gives the same bytes after later corrections.
#[test]
fn a_certified_list_is_signed_numbered_and_reproduced_byte_for_byte() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let file = r.write(
        "d.csv",
        "detention_ref,person_ref,given_names,paternal_surname,national_id,arrest_date,arrest_state,recognition,disclosure,end_date,end_type\n\
         D-1,P-1,José,Pérez,V-12345678,2026-08-01,Zulia,recognised,named,,\n\
         D-2,P-2,María,Salas,V-7654321,2026-08-02,Lara,recognised,initials,,\n\
         D-3,P-3,Ana,Ruiz,,2026-08-03,Lara,recognised,count_only,,\n",
    );
    r.ok(&["import", "detentions", file.to_str().unwrap()]);
    let key = r.path("firma.key");
    let first = r.path("v1");
    r.ok(&[
        "certify",
        "--as-of",
        "2026-11-12",
        "--out",
        first.to_str().unwrap(),
        "--signing-key",
        key.to_str().unwrap(),
    ]);
    let read = |p: &std::path::Path| std::fs::read(p).unwrap();
    let list = String::from_utf8(read(&first.join("list-1.csv"))).unwrap();
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 4, "{list}");
    assert!(
        lines[1].starts_with("D-1,named,José Pérez,V-12345678,"),
        "{list}"
    );
    assert!(
        lines[2].starts_with("D-2,initials,M. S.,,"),
        "the cédula only with the name: {list}"
    );
    assert_eq!(
        lines[3], ",count_only,,,,,,,,,,,,,",
        "counted only, not even the reference: {list}"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&first.join("manifest-1.json"))).unwrap();
    assert_eq!(manifest["political_prisoners"], 3);
    assert_eq!(manifest["counted_only"], 1);
    for f in manifest["files"].as_array().unwrap() {
        let bytes = read(&first.join(f["name"].as_str().unwrap()));
        use sha2::Digest;
        assert_eq!(
            f["sha256"],
            hex::encode(sha2::Sha256::digest(&bytes)),
            "{f}"
        );
    }
    let sig = String::from_utf8(read(&first.join("manifest-1.json.sig"))).unwrap();
    assert_eq!(sig.trim().len(), 128, "an ed25519 signature in hex");
    // María is released under measures; José's name is corrected: version 2 says who left
    // and how; version 1 comes back byte for byte.
    let later = r.write(
        "later.csv",
        "detention_ref,person_ref,given_names,paternal_surname,arrest_date,end_date,end_type\n\
         D-1,P-1,José Luis,Pérez,2026-08-01,,\n\
         D-2,P-2,María,Salas,2026-08-02,2026-11-18,released_under_measures\n",
    );
    r.ok(&["import", "detentions", later.to_str().unwrap()]);
    let second = r.path("v2");
    r.ok(&[
        "certify",
        "--as-of",
        "2026-11-19",
        "--out",
        second.to_str().unwrap(),
        "--signing-key",
        key.to_str().unwrap(),
    ]);
    let changes = String::from_utf8(read(&second.join("changes-2.csv"))).unwrap();
    assert!(
        changes.contains("left,D-2,released_under_measures"),
        "{changes}"
    );
    let again = r.path("again");
    r.ok(&[
        "certify",
        "--reproduce",
        "1",
        "--out",
        again.to_str().unwrap(),
    ]);
    for name in [
        "list-1.csv",
        "list-1.xlsx",
        "changes-1.csv",
        "manifest-1.json",
        "manifest-1.json.sig",
    ] {
        assert_eq!(read(&first.join(name)), read(&again.join(name)), "{name}");
    }
    let none = r.run(&[
        "certify",
        "--reproduce",
        "9",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(none.status.code(), Some(2));
    // Anyone may fetch a certified list's manifest and signature (no name in them), and follow
    // the feed that announces each list.
    let (mut server, base) = common::serve(&r);
    let agent = common::agent();
    let fetch = |path: &str| -> Vec<u8> {
        let mut answer = agent.get(&format!("{base}{path}")).call().unwrap();
        answer.body_mut().read_to_vec().unwrap()
    };
    assert_eq!(
        fetch("/public/certified/1/manifest.json"),
        read(&first.join("manifest-1.json"))
    );
    assert_eq!(
        fetch("/public/certified/1/manifest.json.sig"),
        read(&first.join("manifest-1.json.sig"))
    );
    let feed = String::from_utf8(fetch("/public/feed.atom")).unwrap();
    assert!(feed.contains("Lista certificada n.º 2"), "{feed}");
    assert!(!feed.contains("Pérez"), "{feed}");
    server.kill().unwrap();
    server.wait().unwrap();
    // Another key (a mistyped path makes a new one) only when the organisation says so; and
    // never a day after today.
    let other = r.path("otra.key");
    let v3 = r.path("v3");
    let refused = r.run(&[
        "certify",
        "--as-of",
        "2026-11-19",
        "--out",
        v3.to_str().unwrap(),
        "--signing-key",
        other.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--new-key"));
    let future = r.run(&[
        "certify",
        "--as-of",
        "2027-01-01",
        "--out",
        v3.to_str().unwrap(),
        "--signing-key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(future.status.code(), Some(2));
}

/// The open-data release: a Frictionless Data Package that the `frictionless` validator (the
/// Python package, as its users run it) accepts; `verify-release` checks it as someone who does
/// not trust the organisation, and names the first file of a tampered copy with exit code 3;
/// `--reproduce N` gives the same bytes after later corrections.
#[test]
fn an_open_data_release_validates_verifies_and_refuses_a_tampered_copy() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let file = r.write(
        "d.csv",
        "detention_ref,person_ref,given_names,paternal_surname,sex,arrest_date,arrest_state,recognition,disclosure,end_date,end_type\n\
         D-1,P-1,José,Pérez,M,2026-08-01,Zulia,recognised,named,,\n\
         D-2,P-2,María,Salas,F,2026-08-20,Zulia,recognised,initials,,\n\
         D-3,P-3,Ana,Ruiz,F,2026-09-03,Zulia,recognised,count_only,,\n\
         D-4,P-4,Luis,Mora,M,2026-09-10,Zulia,recognised,named,,\n\
         D-5,P-5,Rosa,Díaz,F,2026-10-01,Lara,recognised,named,2026-11-10,released_under_measures\n",
    );
    r.ok(&["import", "detentions", file.to_str().unwrap()]);
    let key = r.path("firma.key");
    let out = r.path("release");
    let said = r.ok(&[
        "release",
        "--as-of",
        "2026-11-15",
        "--out",
        out.to_str().unwrap(),
        "--signing-key",
        key.to_str().unwrap(),
    ]);
    let read = |p: &std::path::Path| std::fs::read(p).unwrap();
    let text = |p: &std::path::Path| String::from_utf8(read(p)).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&out.join("manifest.json"))).unwrap();
    let public_key = manifest["public_key"].as_str().unwrap().to_string();
    assert!(said.contains(&public_key), "{said}");
    assert_eq!(manifest["political_prisoners"], 4, "{manifest}");
    assert_eq!(manifest["by_name"], 2);
    assert_eq!(manifest["by_initials"], 1);
    assert_eq!(manifest["counted_only"], 1);
    // The series: one row a week from the week of the first arrest to the day released; its
    // last row is the balance's figure.
    let series = text(&out.join("series.csv"));
    let rows: Vec<&str> = series.lines().collect();
    // José, arrested on 1 August, is held that week, and a political prisoner only once past
    // the 48 hours before a judge.
    assert!(rows[1].starts_with("2026-08-02,0,0,0,1,1,"), "{series}");
    assert!(
        rows.last().unwrap().starts_with("2026-11-15,4,"),
        "{series}"
    );
    assert_eq!(rows.len() - 1, manifest["weeks"].as_u64().unwrap() as usize);
    // The balance: small cells gathered (one person from Lara was held, now released; 3 women
    // and 1 man): no cell of fewer than 3 is named.
    let balance = text(&out.join("balance.csv"));
    assert!(
        balance.contains("political_prisoners,total,,4\n"),
        "{balance}"
    );
    // Two women and two men held: each value is under 3, so the whole breakdown is withheld.
    assert!(!balance.contains("political_prisoners,sex,"), "{balance}");
    for line in balance.lines().filter(|l| {
        l.starts_with("political_prisoners,")
            && !l.contains(",total,")
            && !l.contains(",lower,")
            && !l.contains(",upper,")
    }) {
        let n: u64 = line.rsplit(',').next().unwrap().parse().unwrap();
        assert!(n == 0 || n >= 3, "a small cell named: {line}");
    }
    // The public list: as consented; Ana counted only, not listed.
    let list = text(&out.join("public-list.csv"));
    assert!(
        list.starts_with("name,listed_as,state,arrest_date\n"),
        "{list}"
    );
    assert!(list.contains("José Pérez,named,"), "{list}");
    assert!(list.contains("M. S.,initials,"), "{list}");
    assert!(!list.contains("Ruiz") && !list.contains("Rosa"), "{list}");
    let readme = text(&out.join("README.md"));
    assert!(readme.contains("## Español") && readme.contains("## English"));
    // The validator the recipients use accepts it, hashes included.
    let validated = std::process::Command::new("frictionless")
        .args(["validate", "--json"])
        .arg(out.join("datapackage.json"))
        .output()
        .expect("the Python package frictionless (pip install 'frictionless>=5,<6'; scripts/test installs it)");
    let report: serde_json::Value = serde_json::from_slice(&validated.stdout).unwrap();
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["tasks"].as_array().unwrap().len(), 4, "{report}");
    // The recipient checks it with the key the organisation published.
    let verified = r.run(&[
        "verify-release",
        out.to_str().unwrap(),
        "--trusted-key",
        &public_key,
    ]);
    assert_eq!(verified.status.code(), Some(0), "{verified:?}");
    let said = String::from_utf8_lossy(&verified.stdout);
    assert!(
        said.contains("4 political prisoners") && said.contains("version 1"),
        "{said}"
    );
    // Without a key to trust, everything agrees but nothing says who signed: exit code 4.
    let unchecked = r.run(&["verify-release", out.to_str().unwrap()]);
    assert_eq!(unchecked.status.code(), Some(4), "{unchecked:?}");
    assert!(String::from_utf8_lossy(&unchecked.stderr).contains("--trusted-key"));
    // A folder that is no release at all is bad input, not tampering.
    let empty = r.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let none = r.run(&["verify-release", empty.to_str().unwrap()]);
    assert_eq!(none.status.code(), Some(2), "{none:?}");
    // Tampered copies: each refused with exit code 3 and the file that differs named.
    let tampered = |name: &str, change: &dyn Fn(&std::path::Path)| {
        let copy = r.path(&format!("copy-{name}"));
        std::fs::create_dir_all(&copy).unwrap();
        for e in std::fs::read_dir(&out).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
        }
        change(&copy);
        let refused = r.run(&[
            "verify-release",
            copy.to_str().unwrap(),
            "--trusted-key",
            &public_key,
        ]);
        assert_eq!(refused.status.code(), Some(3), "{name}: {refused:?}");
        String::from_utf8_lossy(&refused.stderr).into_owned()
    };
    let said = tampered("cell", &|d| {
        let f = d.join("balance.csv");
        let b = text(&f).replace(
            "political_prisoners,total,,4",
            "political_prisoners,total,,3",
        );
        std::fs::write(&f, b).unwrap();
    });
    assert!(said.contains("balance.csv"), "{said}");
    let said = tampered("gone", &|d| {
        std::fs::remove_file(d.join("series.csv")).unwrap()
    });
    assert!(said.contains("series.csv"), "{said}");
    let said = tampered("added", &|d| {
        std::fs::write(d.join("names.csv"), "x\n").unwrap()
    });
    assert!(said.contains("names.csv"), "{said}");
    // Changing a file and its fingerprint in the manifest breaks the signature.
    let said = tampered("manifest", &|d| {
        let f = d.join("manifest.json");
        let m = text(&f).replace("\"political_prisoners\": 4", "\"political_prisoners\": 3");
        std::fs::write(&f, m).unwrap();
    });
    assert!(said.contains("manifest.json"), "{said}");
    // Signed by another key than the one trusted.
    let other = r.run(&[
        "verify-release",
        out.to_str().unwrap(),
        "--trusted-key",
        &"0".repeat(64),
    ]);
    assert_eq!(other.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&other.stderr).contains("manifest.json.sig"));
    // A certified list's folder verifies the same way.
    let certified = r.path("certified");
    r.ok(&[
        "certify",
        "--as-of",
        "2026-11-15",
        "--out",
        certified.to_str().unwrap(),
        "--signing-key",
        key.to_str().unwrap(),
    ]);
    let v = r.ok(&[
        "verify-release",
        certified.to_str().unwrap(),
        "--trusted-key",
        &public_key,
    ]);
    assert!(
        v.contains("manifest-1.json") && v.contains("1 counted only"),
        "{v}"
    );
    // What was known on an earlier day: nothing had been recorded yet.
    let before = r.path("before");
    r.ok(&[
        "release",
        "--as-of",
        "2026-11-01",
        "--known-on",
        "2026-11-01",
        "--out",
        before.to_str().unwrap(),
        "--signing-key",
        key.to_str().unwrap(),
    ]);
    let m: serde_json::Value =
        serde_json::from_slice(&read(&before.join("manifest.json"))).unwrap();
    assert_eq!(
        (m["version"].as_u64(), m["political_prisoners"].as_u64()),
        (Some(2), Some(0)),
        "{m}"
    );
    // A release or a balance a few days from release 1, or on another day of the week than
    // its Sundays, would date a release or a death when subtracted from it or from a row of
    // its series: refused, saying which, and nothing is stored.
    let facts = r.facts();
    let close = r.path("close");
    for args in [
        vec![
            "release",
            "--as-of",
            "2026-11-12",
            "--out",
            close.to_str().unwrap(),
            "--signing-key",
            key.to_str().unwrap(),
        ],
        vec!["balance", "--as-of", "2026-11-18", "--publish"],
        vec!["balance", "--as-of", "2026-10-21", "--publish"],
    ] {
        let refused = r.run(&args);
        let said = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{args:?}: {said}");
        assert!(
            said.contains("as of Sunday 15 Nov 2026 (no. 1) are already released"),
            "{args:?}: {said}"
        );
    }
    assert_eq!(r.facts(), facts);
    assert!(!close.join("manifest.json").exists());
    // A correction later: release 1 comes back byte for byte.
    let later = r.write(
        "later.csv",
        "detention_ref,person_ref,given_names,paternal_surname,arrest_date,end_date,end_type\n\
         D-1,P-1,José Luis,Pérez,2026-08-01,2026-11-01,released\n",
    );
    r.ok(&["import", "detentions", later.to_str().unwrap()]);
    let again = r.path("again");
    r.ok(&[
        "release",
        "--reproduce",
        "1",
        "--out",
        again.to_str().unwrap(),
    ]);
    for e in std::fs::read_dir(&out).unwrap() {
        let name = e.unwrap().file_name();
        assert_eq!(read(&out.join(&name)), read(&again.join(&name)), "{name:?}");
    }
    // The public page offers the latest release for download.
    let (mut server, base) = common::serve(&r);
    let agent = common::agent();
    let fetch = |path: &str| -> Vec<u8> {
        let mut answer = agent.get(&format!("{base}{path}")).call().unwrap();
        answer.body_mut().read_to_vec().unwrap()
    };
    let page = String::from_utf8(fetch("/public")).unwrap();
    assert!(
        page.contains("/public/releases/2/datapackage.json"),
        "{page}"
    );
    assert_eq!(
        fetch("/public/releases/1/public-list.csv"),
        read(&out.join("public-list.csv"))
    );
    let feed = String::from_utf8(fetch("/public/feed.atom")).unwrap();
    assert!(feed.contains("Datos abiertos n.º 2"), "{feed}");
    // José's family withdraws its consent: release 1's list, which names him, is given no
    // more, on the page or again from the registry; what names no one still is.
    r.ok(&["consent", "1", "--level", "count_only", "--by", "family"]);
    let gone = agent
        .get(&format!("{base}/public/releases/1/public-list.csv"))
        .call()
        .unwrap();
    assert_eq!(gone.status(), 410);
    assert_eq!(
        fetch("/public/releases/1/balance.csv"),
        read(&out.join("balance.csv"))
    );
    server.kill().unwrap();
    server.wait().unwrap();
    let refused = r.run(&[
        "release",
        "--reproduce",
        "1",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("withdrawn"));
}
