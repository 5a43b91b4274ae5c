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
    assert_eq!(rows[1]["state"], "Lara");
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
    assert_eq!(csv, "name,state,arrest_date\nM. S.,Lara,\n");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("3 political prisoners: 1 by name or initials, 2 counted only"),
        "{said}"
    );
    // A consent that is not one is named, and nothing is stored.
    let facts = r.facts();
    let bad = r.run(&["consent", "2", "--level", "everything", "--by", "family"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = r.run(&["consent", "2", "--level", "named", "--by", "neighbour"]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(r.facts(), facts);
}
