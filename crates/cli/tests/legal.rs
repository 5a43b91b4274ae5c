//! The legal follow-up from the command line: a case from arrest to release under measures in
//! the detentions CSV version 2 (imported, alerted on, exported and read back), the register of
//! places of detention (files all or nothing, the ways a place is written), and the daily
//! digest sent to an SMTP server this test starts on loopback.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

mod common;
use common::Registry;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn alerts(r: &Registry, as_of: &str) -> Vec<serde_json::Value> {
    let out = r.ok(&["alerts", "--as-of", as_of, "--format", "json"]);
    serde_json::from_str::<serde_json::Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn of_kind<'a>(alerts: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    alerts.iter().filter(|a| a["kind"] == kind).collect()
}

const V2: &str = "detention_ref,person_ref,given_names,paternal_surname,arrest_date,arrest_state,agency,facility,charges,presented_on,court,jurisdiction,case_number,measures,last_family_contact,last_lawyer_contact,end_date,end_type,recognition";

/// A military officer arrested by the DGCIM, presented to a military court, charged, released
/// under measures (presentations every 15 days, a travel ban): the file states it in version 2's
/// columns; the measures go on after release and fall due every 15 days; the export writes the
/// case back, and reading it back changes nothing.
#[test]
fn a_case_from_arrest_to_release_under_measures_in_the_csv() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let file = r.write(
        "v2.csv",
        &format!(
            "{V2}\n\
             D-1,P-1,Zoraida,Quintero,2026-08-03,Distrito Capital,DGCIM,Ramo Verde,rebelión;traición a la patria,2026-08-05,Tribunal Militar 1.º de Control de Caracas,militar,1C-00871-2026,\"presentación cada 15 días ante el Tribunal Militar 1.º de Control; prohibición de salida del país\",2026-09-01,2026-09-15,2026-10-01,released_under_measures,recognised\n"
        ),
    );
    r.ok(&["import", "detentions", file.to_str().unwrap()]);
    // Released on 1 October; first presentation due on the 16th, then every 15 days.
    let due = alerts(&r, "2026-10-12");
    let measures = of_kind(&due, "measure_due");
    assert_eq!(measures.len(), 1, "{due:?}");
    assert_eq!(measures[0]["detention_ref"], "D-1");
    assert_eq!(measures[0]["since"], "2026-10-16");
    assert_eq!(measures[0]["days"], -4, "four days ahead");
    assert!(
        of_kind(&alerts(&r, "2026-10-08"), "measure_due").is_empty(),
        "not a week ahead yet"
    );
    assert_eq!(
        of_kind(&alerts(&r, "2026-11-10"), "measure_due")[0]["since"],
        "2026-11-15",
        "the presentations go on after release"
    );
    // Presented in time: no overdue presentation while held; released: no incommunicado.
    let while_held = alerts(&r, "2026-09-20");
    assert!(
        of_kind(&while_held, "presentation_overdue").is_empty(),
        "{while_held:?}"
    );
    assert!(
        of_kind(&while_held, "incommunicado").is_empty(),
        "family saw her on 1 September"
    );
    // The export writes the case as the file said it (jurisdiction by its code).
    let out = r.path("out.csv");
    r.ok(&["export", "detentions", "--out", out.to_str().unwrap()]);
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let header = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| row[header.iter().position(|h| h == name).unwrap()].to_string();
    assert_eq!(cell("presented_on"), "2026-08-05");
    assert_eq!(cell("court"), "Tribunal Militar 1.º de Control de Caracas");
    assert_eq!(cell("jurisdiction"), "military");
    assert_eq!(cell("case_number"), "1C-00871-2026");
    assert_eq!(
        cell("measures"),
        "presentación cada 15 días ante el Tribunal Militar 1.º de Control; prohibición de salida del país"
    );
    assert_eq!(cell("last_family_contact"), "2026-09-01");
    assert_eq!(cell("last_lawyer_contact"), "2026-09-15");
    let facts = r.facts();
    r.ok(&["import", "detentions", out.to_str().unwrap()]);
    assert_eq!(r.facts(), facts, "the export read back adds nothing");
    // A version 1 file (none of these columns) still imports, and keeps the case.
    let v1 = r.write(
        "v1.csv",
        "detention_ref,person_ref,arrest_date,facility\nD-1,P-1,2026-08-03,Ramo Verde\nD-2,P-2,2026-11-01,Rodeo I\n",
    );
    r.ok(&["import", "detentions", v1.to_str().unwrap()]);
    assert_eq!(of_kind(&alerts(&r, "2026-10-12"), "measure_due").len(), 1);
}

/// A wrong cell of the new columns is named by line and column, and nothing is stored.
#[test]
fn a_wrong_case_cell_is_named_and_nothing_is_stored() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let facts = r.facts();
    let file = r.write(
        "bad.csv",
        &format!(
            "{V2}\n\
             D-1,P-1,Ana,Rojas,2026-08-03,Zulia,,,,2026-08-05,,marcial,,,,,,,\n\
             D-2,P-2,Eva,Paz,2026-08-03,Zulia,,,,2026-07-01,,,,,,,,,\n"
        ),
    );
    let out = r.run(&[
        "import",
        "detentions",
        file.to_str().unwrap(),
        "--all-or-nothing",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("line 2") && said.contains("jurisdiction") && said.contains("marcial"),
        "{said}"
    );
    assert!(
        said.contains("line 3") && said.contains("presented_on"),
        "{said}"
    );
    assert_eq!(r.facts(), facts);
}

/// Families and imports write a place many ways: the register places them (Boleíta, Zona 7,
/// Zona 7 PNB Boleita are one place); what fits two places or none is listed for a coordinator,
/// and an alias given in a places file places it from then on.
#[test]
fn places_written_many_ways_are_one_place_and_the_rest_are_listed() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let file = r.write(
        "d.csv",
        "detention_ref,person_ref,arrest_date,facility\n\
         D-1,P-1,2026-11-01,Boleíta\n\
         D-2,P-2,2026-11-01,Zona 7 PNB Boleita\n\
         D-3,P-3,2026-11-01,zona 7\n\
         D-4,P-4,2026-11-01,Rodeo\n\
         D-5,P-5,2026-11-01,Calabozos PNB La Yaguara\n",
    );
    r.ok(&["import", "detentions", file.to_str().unwrap()]);
    let list = r.ok(&["places", "list", "--as-of", "2026-11-20"]);
    assert!(list.contains("Zona 7 Boleíta: 3 people held"), "{list}");
    assert!(
        list.contains("“Rodeo”: 1 detentions") || list.contains("«Rodeo»: 1 detentions"),
        "{list}"
    );
    assert!(list.contains("could be Rodeo I or Rodeo II"), "{list}");
    assert!(list.contains("Calabozos PNB La Yaguara"), "{list}");
    // The coordinator says which: "Rodeo" is Rodeo I; La Yaguara is a new place.
    let places = r.write(
        "places.csv",
        "name,aliases,type,authority,state,capacity,population,population_on\n\
         Rodeo I,Rodeo,prison,,Miranda,750,1400,2026-10-01\n\
         Zona 2 La Yaguara,Calabozos PNB La Yaguara,police_cell,PNB,Distrito Capital,120,,\n",
    );
    let done = r.ok(&["places", "import", places.to_str().unwrap()]);
    assert!(
        done.contains("1 new place, 1 added to, 1 population count,"),
        "{done}"
    );
    // A quote left open swallows the rows after it, and a comma too many moves the cells:
    // both refused by the lines an editor shows (the file saved on Windows), nothing stored.
    for (text, said) in [
        (
            "name,type,state\r\nZona Uno,police_cell,Lara\r\n\"Zona Dos,police_cell,Lara\r\n\
             Zona Tres,police_cell,Lara\r\nZona Cuatro,\"police_cell\",Lara\r\n",
            "lines 3 to 5 were read as one row",
        ),
        (
            "name,type,state\r\n\r\nZona Uno,police_cell,Barquisimeto, Lara\r\n",
            "line 3, column *: The row has 4 cells and the header 3",
        ),
    ] {
        let bad = r.write("bad-places.csv", text);
        let out = r.run(&["places", "import", bad.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said), "{said}: {err}");
    }
    let list = r.ok(&["places", "list", "--as-of", "2026-11-20"]);
    assert!(!list.contains("Zona Uno"), "{list}");
    assert!(list.contains("Rodeo I: 1 person held"), "{list}");
    assert!(
        list.contains("population 1,400 1 Oct 2026 (187 % of capacity)"),
        "{list}"
    );
    assert!(list.contains("Zona 2 La Yaguara: 1 person held"), "{list}");
    assert!(
        !list.contains("cannot place"),
        "nothing left to place: {list}"
    );
}

/// A places or observations file with wrong lines stores nothing and names every wrong line.
#[test]
fn places_files_are_all_or_nothing_and_name_every_wrong_line() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let facts = r.facts();
    let places = r.write(
        "places.csv",
        "name,type,state,capacity\n\
         Centro Nuevo,prison,Zulia,300\n\
         Otro Centro,cárcel,Zulia,300\n\
         Tercero,prison,Narnia,muchos\n",
    );
    let out = r.run(&["places", "import", places.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let said = stderr(&out);
    assert!(said.contains("line 3, column type"), "{said}");
    assert!(said.contains("line 4, column capacity"), "{said}");
    assert!(
        said.contains("line 4, column state") && said.contains("Narnia"),
        "{said}"
    );
    assert!(!said.contains("line 2"), "{said}");
    assert_eq!(r.facts(), facts, "nothing stored, not even the good line");
    let observations = r.write(
        "obs.csv",
        "place,date,aspect,note,cost,reported_by,may_pass_on,follow_up\n\
         Helicoide,2026-11-10,family_visits,Visitas de 20 minutos,USD 30,familiar,sí,\n\
         Rodeo,2026-11-10,water,Sin agua,,,,\n\
         El Dorado,2030-01-01,comida,,,,quizás,\n",
    );
    let out = r.run(&["places", "observations", observations.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let said = stderr(&out);
    assert!(
        said.contains("line 3, column place") && said.contains("Rodeo"),
        "{said}"
    );
    assert!(said.contains("line 4, column date"), "{said}");
    assert!(said.contains("line 4, column aspect"), "{said}");
    assert!(said.contains("line 4, column note"), "{said}");
    assert!(said.contains("line 4, column may_pass_on"), "{said}");
    assert_eq!(r.facts(), facts);
    let missing = r.write("nocol.csv", "lugar,fecha\nHelicoide,2026-11-10\n");
    let out = r.run(&["places", "observations", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("“place”"), "{}", stderr(&out));
}

/// A minimal SMTP server on loopback: takes one message and hands back what it received.
fn smtp_server() -> (u16, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut out = stream.try_clone().unwrap();
        let mut lines = BufReader::new(stream);
        let mut received = String::new();
        let mut reply = |text: &str| out.write_all(format!("{text}\r\n").as_bytes()).unwrap();
        reply("220 test ESMTP");
        let mut in_data = false;
        loop {
            let mut line = String::new();
            if lines.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if in_data {
                if line == ".\r\n" {
                    in_data = false;
                    reply("250 queued");
                } else {
                    received.push_str(&line);
                }
                continue;
            }
            let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
            received.push_str(&format!("> {line}"));
            match verb.as_str() {
                "EHLO" | "HELO" => reply("250 test"),
                "DATA" => {
                    in_data = true;
                    reply("354 go on");
                }
                "QUIT" => {
                    reply("221 bye");
                    break;
                }
                _ => reply("250 ok"),
            }
        }
        received
    });
    (port, handle)
}

/// The morning digest reaches the organisation's SMTP server: its subject and body name no one
/// (references and links only); plain SMTP to a server other than this machine is refused
/// before anything is sent.
#[test]
fn the_digest_goes_by_smtp_and_names_no_one() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let file = r.write(
        "d.csv",
        "detention_ref,person_ref,given_names,paternal_surname,arrest_date,arrest_state,whereabouts_unknown_since\n\
         D-77,P-1,Zoraida,Quintero,2026-11-01,Zulia,2026-11-02\n",
    );
    r.ok(&["import", "detentions", file.to_str().unwrap()]);
    let (port, server) = smtp_server();
    let sent = r.ok(&[
        "digest",
        "--to",
        "abogada@example.org",
        "--from",
        "vigilia@example.org",
        "--smtp",
        &format!("smtp://127.0.0.1:{port}"),
        "--base-url",
        "https://vigilia.example.org",
    ]);
    assert!(sent.contains("abogada@example.org"), "{sent}");
    let received = server.join().unwrap();
    assert!(
        received.contains("> RCPT TO:<abogada@example.org>"),
        "{received}"
    );
    let subject = received
        .lines()
        .find(|l| l.starts_with("Subject:"))
        .unwrap();
    assert!(subject.contains("Vigilia"), "{subject}");
    assert!(
        received.contains("D-77"),
        "the reference, readable: {received}"
    );
    assert!(
        received.contains("https://vigilia.example.org/detentions/1"),
        "{received}"
    );
    assert!(
        !received.contains("Zoraida") && !received.contains("Quintero"),
        "{received}"
    );
    let refused = r.run(&[
        "digest",
        "--to",
        "a@example.org",
        "--smtp",
        "smtp://mail.example.org:25",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("TLS"), "{}", stderr(&refused));
    // An address that says two things about TLS is not read the lenient way.
    let twice = r.run(&[
        "digest",
        "--to",
        "a@example.org",
        "--smtp",
        "smtp://mailer@192.0.2.2:2525?tls=opportunistic&tls=required",
    ]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(
        stderr(&twice).contains("tls=required"),
        "{}",
        stderr(&twice)
    );
}
