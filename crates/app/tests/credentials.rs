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
