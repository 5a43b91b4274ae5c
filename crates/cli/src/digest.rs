//! `vigilia digest`: what to do today (`vigilia alerts`) as an e-mail, through the
//! organisation's SMTP server, for every case or for the cases one account sees
//! (`vigilia_app::digest`). Meant to run every morning (cron, a systemd timer); the SMTP
//! password comes from `VIGILIA_SMTP_PASSWORD`, never from the command line.

use vigilia_app::Actor;
use vigilia_app::digest::{self, Mail};
use vigilia_count::when::When;

use crate::Env;
use crate::failure::Failure;
use crate::registry::say;

#[derive(Debug, clap::Args)]
pub struct DigestArgs {
    /// Who receives it (repeat for several).
    #[arg(long, required_unless_present = "print")]
    to: Vec<String>,
    /// The SMTP server: smtps://user@host:465, or smtp://user@host:587?tls=required (plain
    /// smtp:// only to this machine).
    #[arg(long, required_unless_present = "print")]
    smtp: Option<String>,
    /// Who it is from (an address of the organisation).
    #[arg(long, default_value = "vigilia@localhost")]
    from: String,
    /// The cases this account sees (a lawyer's states and assigned cases); every case by default.
    #[arg(long = "for")]
    account: Option<String>,
    /// The address the staff open Vigilia at, for the links.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base_url: String,
    #[arg(long)]
    as_of: Option<String>,
    /// Print the digest instead of sending it.
    #[arg(long)]
    print: bool,
}

pub fn run(env: &Env, args: &DigestArgs) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let when = When::parse(ledger.today()?, args.as_of.as_deref(), None, None)?;
    let actor = match &args.account {
        None => Actor::operator(&env.actor),
        Some(name) => match vigilia_app::accounts::account(&mut ledger, name)? {
            Some(a) if a.revoked.is_none() => Actor::of(&a),
            _ => return Err(vigilia_app::AppError::NoActiveAccount(name.clone()).into()),
        },
    };
    let index = vigilia_count::stored::current_index(&mut ledger)?;
    let found =
        vigilia_app::alerts::alerts(&mut ledger, &index, &actor, when.as_of, when.known_on)?;
    let d = digest::compose(&found, when.as_of, env.lang, &args.base_url);
    if args.print {
        crate::say!("{}\n\n{}", d.subject, d.body);
        return Ok(());
    }
    let mail = Mail {
        server: args.smtp.clone().unwrap_or_default(),
        password: std::env::var("VIGILIA_SMTP_PASSWORD").ok(),
        from: args.from.clone(),
        to: args.to.clone(),
    };
    digest::send(&mail, &d)?;
    let n = env.lang.number(found.len() as u64);
    let to = args.to.join(", ");
    say(
        env,
        format!("Resumen enviado a {to}: {n} avisos."),
        format!("Digest sent to {to}: {n} alerts."),
    );
    Ok(())
}
