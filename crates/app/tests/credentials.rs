//! Credentials in the chain: a password hash and a second-factor secret are facts encrypted
//! under the account's data key, which revoking destroys (and setting them again replaces), so
//! a copy of the chain, or of a PostgreSQL database, holds no hash to crack.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use vigilia_app::accounts::{self, Enrolled, Which};
use vigilia_core::clock::FixedClock;
use vigilia_core::confidential::Field;
use vigilia_core::fact::Change;
use vigilia_core::model::Role;
use vigilia_core::profile::Profile;
use vigilia_ledger::{DatabaseUrl, Ledger, LedgerError, Secret};

#[test]
fn credentials_are_encrypted_and_revoking_erases_them_for_good() {
    let dir = tempfile::tempdir().unwrap();
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("r.db").display())).unwrap();
    let clock = Arc::new(FixedClock("2026-11-20T15:00:00Z".parse().unwrap()));
    let key = Secret::generate().unwrap();
    let mut l = Ledger::create_with(
        &url,
        Some(&key),
        clock,
        Profile::venezuela().unwrap(),
        "test",
    )
    .unwrap();
    let hash = vigilia_app::credentials::hash_password("una frase larga de prueba").unwrap();
    let invitation = vigilia_app::write(&mut l, |tx| {
        accounts::invite(tx, "test", "abogada", Role::Lawyer)
    })
    .unwrap();
    let enrolled = Enrolled {
        secret: "JBSWY3DPEHPK3PXP".into(),
        step: 1,
    };
    vigilia_app::write(&mut l, |tx| {
        accounts::accept_invitation(tx, &invitation.token, hash.clone(), Some(enrolled.clone()))
    })
    .unwrap();
    // Stored: neither the hash nor the secret, in the facts or in the projection.
    let facts = l.raw_facts(0, 1000).unwrap();
    assert!(
        facts
            .iter()
            .all(|f| !f.change.contains("$argon2") && !f.change.contains("JBSWY3DP")),
        "a credential in the clear"
    );
    let (account, opened) = accounts::with_credentials(&mut l, "abogada")
        .unwrap()
        .unwrap();
    assert_eq!(opened.password.as_deref(), Some(hash.as_str()));
    assert_eq!(opened.second_factor.as_deref(), Some("JBSWY3DPEHPK3PXP"));
    let sealed = account.password.clone().unwrap();
    assert!(sealed.plain().is_none());
    // Revoked: the account's key is gone, and with it every hash and secret the chain holds.
    vigilia_app::write(&mut l, |tx| {
        accounts::revoke(tx, "test", &Which::Named("abogada".into()), "arrested")
    })
    .unwrap();
    let (_, after) = accounts::with_credentials(&mut l, "abogada")
        .unwrap()
        .unwrap();
    assert_eq!(after, accounts::Credentials::default());
    assert!(matches!(
        l.reveal(account.id.into(), Field::Password, &sealed),
        Err(LedgerError::Unreadable { .. })
    ));
    let written = l.history(account.id.into()).unwrap();
    assert!(
        written
            .iter()
            .any(|f| matches!(f.change, Change::SecondFactorSet { .. }))
    );
    // The chain still verifies: it vouches for the ciphertext.
    l.verify(&mut |_| {}).unwrap();
}

/// A credential in the clear where Vigilia writes it encrypted (a current-state row changed by
/// someone who can write the database but not read it) opens nothing; credentials written in
/// the clear before they were encrypted are sealed from the chain when the registry is served
/// with its key, and still sign in.
#[test]
fn a_credential_in_the_clear_is_refused_and_old_ones_are_sealed_from_the_chain() {
    let Ok(admin) = std::env::var("VIGILIA_TEST_POSTGRES_URL") else {
        eprintln!("VIGILIA_TEST_POSTGRES_URL not set: PostgreSQL part skipped");
        return;
    };
    let name = format!("creds_{}", std::process::id());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let base = admin.rsplit_once('/').unwrap().0;
    let url = DatabaseUrl::parse(&format!("{base}/{name}")).unwrap();
    let clock = Arc::new(FixedClock("2026-11-20T15:00:00Z".parse().unwrap()));
    // Written without a key: the hash is in the clear, as before credentials were encrypted.
    let hash = vigilia_app::credentials::hash_password("una frase larga de prueba").unwrap();
    {
        let mut l =
            Ledger::create(&url, clock.clone(), Profile::venezuela().unwrap(), "test").unwrap();
        vigilia_app::write(&mut l, |tx| {
            accounts::demo_account(tx, "vieja", Role::Volunteer, hash.clone(), None)
        })
        .unwrap();
    }
    let key = Secret::generate().unwrap();
    let mut l = Ledger::open_with(&url, Some(&key), clock).unwrap();
    // Served with the key: the plain hash opens nothing until sealed...
    let (a, before) = accounts::with_credentials(&mut l, "vieja")
        .unwrap()
        .unwrap();
    assert_eq!(before.password, None);
    assert!(a.password.as_ref().and_then(|p| p.plain()).is_some());
    // ... and sealing encrypts it from the chain, once.
    assert_eq!(accounts::seal_credentials(&mut l).unwrap(), 1);
    assert_eq!(accounts::seal_credentials(&mut l).unwrap(), 0);
    let (a, after) = accounts::with_credentials(&mut l, "vieja")
        .unwrap()
        .unwrap();
    assert_eq!(after.password.as_deref(), Some(hash.as_str()));
    assert!(a.password.unwrap().plain().is_none());
    // A forged row in the clear (another hash) opens nothing.
    let mut forged = accounts::account(&mut l, "vieja").unwrap().unwrap();
    forged.password = Some("$argon2id$forged".into());
    let opened =
        accounts::open_credentials(&forged, true, &mut |s, f, v| l.reveal(s, f, v)).unwrap();
    assert_eq!(opened.password, None);
    drop(l);
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
}
