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
    assert_eq!(rows[0]["state"], "Zulia");
    assert_eq!(rows[0]["arrested"], "2026-08-01");
    assert_eq!(rows[1]["name"], "M. S.");
    // Lara's published figure (2) minus the names listed there would give the one person
    // counted only there: no state is given for Lara's listed.
    assert!(rows[1]["state"].is_null(), "{l}");
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
    assert_eq!(csv, "name,state,arrest_date\nM. S.,,\n");
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
        "2026-11-15",
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
