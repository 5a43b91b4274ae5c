//! The daily digest: what to do today ([`crate::alerts`]), by e-mail through the
//! organisation's SMTP server.
//!
//! Mail crosses servers the organisation does not control, so the digest names no one: its
//! subject says only the day and how many alerts; its body gives each alert's kind, the
//! organisation's reference of the detention (or the place), the day and the days, and the
//! address of the page where the account that opens it sees the rest. The password of the SMTP
//! account is never an argument (a process list shows those): it comes from the environment.

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use vigilia_core::date::{Day, short_day};
use vigilia_core::lang::{Lang, Localize};

use crate::alerts::{Alert, AlertKind};
use crate::error::AppError;

/// The most alerts of one kind the e-mail lists (the rest are a link away).
pub const PER_KIND: usize = 30;

/// A digest ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    pub subject: String,
    pub body: String,
}

/// The digest of `alerts` for day `as_of`, in `lang`, with links to `base` (the address the
/// staff open Vigilia at, e.g. `https://vigilia.example.org`).
pub fn compose(alerts: &[Alert], as_of: Day, lang: Lang, base: &str) -> Digest {
    let day = short_day(as_of, lang);
    let n = lang.number(alerts.len() as u64);
    let subject = match lang {
        Lang::Es => format!("Vigilia: para hoy, {day} ({n} avisos)"),
        Lang::En => format!("Vigilia: to do today, {day} ({n} alerts)"),
    };
    let base = base.trim_end_matches('/');
    let mut body = match lang {
        Lang::Es => format!(
            "Para hoy, {day}: {n} avisos en los casos que usted ve.\n\
             Este correo no lleva nombres: ábralos en Vigilia ({base}/alerts).\n"
        ),
        Lang::En => format!(
            "To do today, {day}: {n} alerts in the cases you see.\n\
             This e-mail carries no names: open them in Vigilia ({base}/alerts).\n"
        ),
    };
    for kind in AlertKind::ALL {
        let of: Vec<&Alert> = alerts.iter().filter(|a| a.kind == kind).collect();
        if of.is_empty() {
            continue;
        }
        body.push_str(&format!(
            "\n{} ({})\n",
            capitalised(&kind.localize(lang)),
            lang.number(of.len() as u64)
        ));
        for a in of.iter().take(PER_KIND) {
            let what = match (&a.detention_ref, &a.place, a.detention, a.place_id) {
                (Some(r), _, Some(d), _) => format!("{r}: {base}/detentions/{}", d.0),
                (_, Some(p), _, Some(id)) => format!("{p}: {base}/places/{}", id.0),
                _ => String::new(),
            };
            let since = short_day(a.since, lang);
            let days = lang.number(a.days.unsigned_abs());
            let when = match (a.days.signum(), lang) {
                (0, Lang::Es) => format!("{since} (hoy)"),
                (0, Lang::En) => format!("{since} (today)"),
                (-1, Lang::Es) => format!("{since} (en {days} días)"),
                (-1, Lang::En) => format!("{since} (in {days} days)"),
                (_, Lang::Es) => format!("{since} ({days} días)"),
                (_, Lang::En) => format!("{since} ({days} days)"),
            };
            let mut flags = Vec::new();
            if a.escalate {
                flags.push(lang.pick(
                    "hábeas corpus y acción urgente",
                    "habeas corpus and urgent action",
                ));
            }
            if a.deferred {
                flags.push(lang.pick("diferida", "deferred"));
            }
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", flags.join("; "))
            };
            body.push_str(&format!("  - {what} · {when}{flags}\n"));
        }
        if of.len() > PER_KIND {
            let more = lang.number((of.len() - PER_KIND) as u64);
            body.push_str(&match lang {
                Lang::Es => format!("  … y {more} más: {base}/alerts?kind={}\n", kind.name()),
                Lang::En => format!("  … and {more} more: {base}/alerts?kind={}\n", kind.name()),
            });
        }
    }
    Digest { subject, body }
}

fn capitalised(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Where and how the digest is sent: the SMTP server as an address (`smtps://user@host:465`,
/// `smtp://user@host:587?tls=required`), the password of its account, who it is from, and to
/// whom.
#[derive(Clone, Debug)]
pub struct Mail {
    pub server: String,
    pub password: Option<String>,
    pub from: String,
    pub to: Vec<String>,
}

/// Sends the digest over TLS: `smtps://` (TLS from the start, port 465 by default) or
/// `smtp://…?tls=required` (STARTTLS, port 587 by default); plain `smtp://` only to this
/// machine (a relay on it). Anything else in the address is refused rather than guessed.
pub fn send(mail: &Mail, digest: &Digest) -> Result<(), AppError> {
    let bad = |detail: String| AppError::Mail(detail);
    let server = mail.server.trim();
    let url = url::Url::parse(server).map_err(|e| {
        bad(format!(
            "{server:?}: not an smtp:// or smtps:// address ({e})"
        ))
    })?;
    let host = url.host_str().unwrap_or_default().to_string();
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let starttls = match query.as_slice() {
        [] => false,
        [(k, v)] if k == "tls" && v == "required" => true,
        _ => {
            return Err(bad(format!(
                "{host}: the only option the address takes is ?tls=required"
            )));
        }
    };
    let local = matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]" | "::1");
    let builder = match (url.scheme(), starttls) {
        ("smtps", false) => SmtpTransport::relay(&host),
        ("smtp", true) => SmtpTransport::starttls_relay(&host),
        ("smtp", false) if local => Ok(SmtpTransport::builder_dangerous(&host)),
        ("smtp", false) => {
            return Err(bad(format!(
                "{host}: the digest goes to this server only over TLS (smtps://, or smtp://…?tls=required)"
            )));
        }
        (other, _) => return Err(bad(format!("{other}: not smtp:// or smtps://"))),
    };
    let mut builder = builder.map_err(|e| bad(format!("{host}: {e}")))?;
    if let Some(port) = url.port() {
        builder = builder.port(port);
    }
    if let Some(password) = &mail.password
        && !url.username().is_empty()
    {
        let user = percent_encoding::percent_decode_str(url.username())
            .decode_utf8_lossy()
            .into_owned();
        builder = builder.credentials(Credentials::new(user, password.clone()));
    }
    let transport = builder.build();
    let from: Mailbox = mail
        .from
        .parse()
        .map_err(|e| bad(format!("{}: {e}", mail.from)))?;
    for to in &mail.to {
        let to: Mailbox = to.parse().map_err(|e| bad(format!("{to}: {e}")))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(&digest.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(digest.body.clone())
            .map_err(|e| bad(e.to_string()))?;
        transport
            .send(&message)
            .map_err(|e| bad(format!("{host}: {e}")))?;
    }
    Ok(())
}
