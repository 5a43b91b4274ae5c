//! Accounts: invitations (from `vigilia user add` or the admin's page), taking one up (password
//! and, for staff, the second factor), signing in and out, API tokens, and revocation.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;
use vigilia_core::fact::{Audit, Change, Draft};
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{AccountId, Kind, Subject};
use vigilia_core::model::{Account, Role};
use vigilia_ledger::Ledger;

use crate::app::{App, lock, new_token, sha256};
use crate::auth::{
    COOKIE, Ctx, SignInRefused, account, active, clear_session_cookie, code_matches, cookie,
    hash_password, new_second_factor, otpauth_uri, session_cookie,
};
use crate::error::WebError;
use crate::page::{Chrome, Errors, invalid, ok, see};

/// Invitations are good for a week.
const INVITATION_DAYS: i64 = 7;
/// Passwords are long, not complicated.
const MIN_PASSWORD: usize = 12;

/// An invitation just made: the link's token is shown once and kept only as a hash.
#[derive(Clone, Debug)]
pub struct Invitation {
    pub account: u64,
    pub token: String,
}

fn account_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Invites a new account (or renews the invitation of one not yet taken up).
pub fn invite(
    ledger: &mut Ledger,
    name: &str,
    role: Role,
    actor: &str,
) -> Result<Invitation, WebError> {
    if !account_name_ok(name) {
        return Err(WebError::bad(
            format!(
                "{name:?}: un nombre de cuenta tiene de 1 a 64 letras sin acentos, dígitos, '.', '-' o '_'"
            ),
            format!(
                "{name:?}: an account name has 1 to 64 unaccented letters, digits, '.', '-' or '_'"
            ),
        ));
    }
    let (token, hash) = new_token()?;
    let today = ledger.today()?;
    let existing = account(ledger, name)?;
    let mut tx = ledger.begin()?;
    let (id, change) = match existing {
        Some(a) if a.password.is_none() && a.revoked.is_none() => {
            (a.id, Change::InvitationRenewed { invitation: hash })
        }
        Some(_) => {
            return Err(WebError::bad(
                format!("Ya existe la cuenta {name:?}."),
                format!("The account {name:?} already exists."),
            ));
        }
        None => (
            AccountId(tx.new_id(Kind::Account)),
            Change::AccountCreated {
                name: name.to_string(),
                role,
                invitation: hash,
            },
        ),
    };
    tx.append(Draft {
        recorded_on: today,
        actor: actor.to_string(),
        subject: id.into(),
        change,
        sources: vec![],
    })?;
    tx.commit()?;
    Ok(Invitation {
        account: id.0,
        token,
    })
}

/// A demo account, ready to sign in: password set and, for staff, a second factor (returned).
pub fn demo_account(
    ledger: &mut Ledger,
    name: &str,
    role: Role,
    password: &str,
) -> Result<Option<String>, WebError> {
    let inv = invite(ledger, name, role, "demo")?;
    let id = AccountId(inv.account);
    let secret = role.needs_second_factor().then(new_second_factor);
    if let Some(s) = &secret {
        record(
            ledger,
            id,
            "demo",
            Change::SecondFactorSet { secret: s.clone() },
        )?;
    }
    record(
        ledger,
        id,
        "demo",
        Change::PasswordSet {
            hash: hash_password(password)?,
        },
    )?;
    Ok(secret)
}

/// Revokes an account by name (its tokens stop working at once).
pub fn revoke_named(
    ledger: &mut Ledger,
    name: &str,
    reason: &str,
    actor: &str,
) -> Result<u64, WebError> {
    let a = active(ledger, name)?;
    record(
        ledger,
        a.id,
        actor,
        Change::AccountRevoked {
            reason: reason.to_string(),
        },
    )?;
    Ok(a.id.0)
}

/// Sets the states whose cases an account sees (written as names, codes or aliases: `Zulia`,
/// `VE-V`, `Edo. Zulia`); none: every state. Returns the states' names.
pub fn set_regions(
    ledger: &mut Ledger,
    name: &str,
    states: &[String],
    actor: &str,
) -> Result<Vec<String>, WebError> {
    let a = active(ledger, name)?;
    let (codes, names) = states_named(ledger, states)?;
    record(ledger, a.id, actor, Change::RegionsSet { states: codes })?;
    Ok(names)
}

/// The profile's states written as `states`: their codes and names; an error naming the
/// profile's states when one is not among them.
pub fn states_named(
    ledger: &mut Ledger,
    states: &[String],
) -> Result<(Vec<String>, Vec<String>), WebError> {
    let profile = ledger.profile()?;
    let mut codes = Vec::new();
    let mut names = Vec::new();
    for text in states {
        let Some(s) = profile.state(text) else {
            let known: Vec<&str> = profile
                .states
                .entries()
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            return Err(WebError::bad(
                format!(
                    "{text:?} no es un estado del perfil; son: {}",
                    known.join(", ")
                ),
                format!(
                    "{text:?} is not a state of the profile; they are: {}",
                    known.join(", ")
                ),
            ));
        };
        let code = s.code.clone().unwrap_or_else(|| s.name.clone());
        if !codes.contains(&code) {
            codes.push(code);
            names.push(s.name.clone());
        }
    }
    Ok((codes, names))
}

/// Issues an API token for an account; the token is shown once.
pub fn issue_token(ledger: &mut Ledger, name: &str, actor: &str) -> Result<String, WebError> {
    let a = active(ledger, name)?;
    let (token, hash) = new_token()?;
    record(ledger, a.id, actor, Change::TokenIssued { hash })?;
    Ok(token)
}

/// One fact about an account, by `actor`.
fn record(ledger: &mut Ledger, id: AccountId, actor: &str, change: Change) -> Result<(), WebError> {
    ledger.record(actor, id.into(), change)?;
    Ok(())
}

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    p: Chrome,
    name: String,
    next: String,
    error: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Next {
    next: String,
}

/// Only a path on this site is a place to go back to.
fn local(path: &str) -> String {
    if path.starts_with('/') && !path.starts_with("//") {
        path.to_string()
    } else {
        "/".to_string()
    }
}

pub async fn login_form(Extension(ctx): Extension<Ctx>, Query(q): Query<Next>) -> Response {
    ok(&Login {
        p: Chrome::of(&ctx),
        name: String::new(),
        next: q.next,
        error: None,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignIn {
    name: String,
    password: String,
    code: String,
    next: String,
}

pub async fn login(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<SignIn>,
) -> Result<Response, WebError> {
    let (name, password, code, ip) = (f.name.clone(), f.password, f.code, ctx.ip);
    let who = name.clone();
    let found = app.ledger(move |_, l| account(l, &who)).await?;
    let signing = app.clone();
    let subject = found.as_ref().map(|a| (a.id, a.name.clone()));
    let result =
        tokio::task::spawn_blocking(move || signing.sign_in(found, ip, &name, &password, &code))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))??;
    // Every sign-in and every refused one of an existing account is an audit fact. A name
    // that is no account is not stored: people type passwords into the name field.
    if let Some((id, name)) = subject {
        let what = match result {
            Ok(_) => Audit::SignedIn,
            Err(_) => Audit::SignInRefused,
        };
        app.ledger(move |_, l| Ok(l.audit(&name, id.into(), what)?))
            .await?;
    }
    match result {
        Ok((token, viewer)) => {
            let home = match viewer.role {
                Role::Admin => "/accounts",
                Role::Coordinator => "/triage",
                Role::Lawyer => "/persons",
                Role::Volunteer => "/reports",
                Role::Analyst => "/balance",
            };
            let next = if f.next.is_empty() {
                home.to_string()
            } else {
                local(&f.next)
            };
            let mut res = see(&next);
            res.headers_mut()
                .insert(header::SET_COOKIE, session_cookie(&token));
            Ok(res)
        }
        Err(why) => {
            let error = match why {
                SignInRefused::Wrong => (
                    "Nombre, contraseña o código incorrectos.",
                    "Wrong name, password or code.",
                ),
                SignInRefused::Locked => (
                    "Demasiados intentos fallidos: la cuenta queda bloqueada 15 minutos.",
                    "Too many failed attempts: the account is locked for 15 minutes.",
                ),
                SignInRefused::TooManyFromHere => (
                    "Demasiados intentos desde esta conexión. Espere unos minutos.",
                    "Too many attempts from this connection. Wait a few minutes.",
                ),
            };
            Ok(invalid(&Login {
                p: Chrome::of(&ctx),
                name: f.name,
                next: f.next,
                error: Some((error.0.into(), error.1.into())),
            }))
        }
    }
}

pub async fn logout(State(app): State<Arc<App>>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, COOKIE) {
        app.sign_out(&token);
    }
    let mut res = see("/");
    res.headers_mut()
        .insert(header::SET_COOKIE, clear_session_cookie());
    res
}

/// The account an invitation token opens, if it is still good.
fn invited(ledger: &mut Ledger, token: &str) -> Result<Option<Account>, WebError> {
    let hash = sha256(token);
    let today = ledger.today()?;
    let mut found = None;
    ledger.fold_all(Kind::Account, KnownOn::NOW, &mut |r| {
        if let Record::Account(a) = r
            && a.invitation.as_deref() == Some(hash.as_str())
            && a.revoked.is_none()
        {
            found = Some(a);
        }
    })?;
    Ok(found.filter(|a| {
        today
            .since(a.invited_on)
            .map(|s| s.get_days() <= INVITATION_DAYS as i32)
            .unwrap_or(false)
    }))
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    p: Chrome,
    name: String,
    role: Role,
    secret: String,
    uri: String,
    errors: Errors,
}

fn expired() -> WebError {
    WebError::bad(
        "Esta invitación no existe, ya se usó o caducó (duran 7 días). Pida una nueva a quien administra Vigilia.",
        "This invitation does not exist, was used or expired (they last 7 days). Ask whoever runs Vigilia for a new one.",
    )
}

pub async fn invitation_form(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let a = app
        .ledger(move |_, l| invited(l, &token))
        .await?
        .ok_or_else(expired)?;
    let secret = new_second_factor();
    Ok(ok(&InvitationPage {
        p: Chrome::of(&ctx),
        uri: otpauth_uri(&a.name, &secret),
        name: a.name,
        role: a.role,
        secret,
        errors: Errors::default(),
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Accept {
    password: String,
    again: String,
    secret: String,
    code: String,
}

pub async fn accept(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
    Form(f): Form<Accept>,
) -> Result<Response, WebError> {
    let now = app.now();
    let t = token.clone();
    let a = app
        .ledger(move |_, l| invited(l, &t))
        .await?
        .ok_or_else(expired)?;
    let mut errors = Errors::default();
    if f.password.chars().count() < MIN_PASSWORD {
        errors.add(
            "password",
            format!("Use al menos {MIN_PASSWORD} caracteres; una frase de varias palabras sirve."),
            format!("Use at least {MIN_PASSWORD} characters; a phrase of several words will do."),
        );
    } else if f.password != f.again {
        errors.add(
            "again",
            "Las dos contraseñas no coinciden.",
            "The two passwords differ.",
        );
    }
    let staff = a.role.needs_second_factor();
    if staff && !code_matches(&f.secret, &f.code, now) {
        errors.add(
            "code",
            "Ese código no corresponde: escanee la clave en su aplicación y escriba el código de 6 dígitos que muestra ahora.",
            "That code does not match: add the key to your app and type the 6-digit code it shows now.",
        );
    }
    if !errors.is_empty() {
        return Ok(invalid(&InvitationPage {
            p: Chrome::of(&ctx),
            uri: otpauth_uri(&a.name, &f.secret),
            name: a.name,
            role: a.role,
            secret: f.secret,
            errors,
        }));
    }
    let hash = hash_password(&f.password)?;
    let secret = staff.then_some(f.secret);
    let (id, name) = (a.id, a.name.clone());
    app.ledger(move |_, l| {
        if let Some(secret) = secret {
            record(l, id, &name, Change::SecondFactorSet { secret })?;
        }
        record(l, id, &name, Change::PasswordSet { hash })
    })
    .await?;
    Ok(see("/login"))
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct Accounts {
    p: Chrome,
    accounts: Vec<Account>,
    link: Option<String>,
    errors: Errors,
    typed: String,
}

async fn accounts_page(
    app: &Arc<App>,
    ctx: &Ctx,
    link: Option<String>,
    errors: Errors,
    name: String,
) -> Result<Response, WebError> {
    let accounts = app
        .ledger(|_, l| {
            let mut out = Vec::new();
            l.fold_all(Kind::Account, KnownOn::NOW, &mut |r| {
                if let Record::Account(a) = r {
                    out.push(a);
                }
            })?;
            Ok(out)
        })
        .await?;
    let page = Accounts {
        p: Chrome::of(ctx),
        accounts,
        link,
        errors,
        typed: name,
    };
    Ok(if page.errors.is_empty() {
        ok(&page)
    } else {
        invalid(&page)
    })
}

pub async fn list(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    accounts_page(&app, &ctx, None, Errors::default(), String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Invite {
    name: String,
    role: String,
    /// The admin's own password, asked again before an account (and its role) is made.
    password: String,
}

/// Whether `password` is the signed-in account's own: asked again before the accounts change
/// (an unattended session is not enough to give someone a role or take one away).
async fn confirmed(app: &Arc<App>, name: &str, password: String) -> Result<bool, WebError> {
    let name = name.to_string();
    let hash = app
        .ledger(move |_, l| Ok(account(l, &name)?.and_then(|a| a.password)))
        .await?;
    // The hash is checked off the registry's lock: it takes a while, on purpose.
    tokio::task::spawn_blocking(move || {
        hash.is_some_and(|h| crate::auth::password_matches(&password, &h))
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))
}

fn not_confirmed(errors: &mut Errors) {
    errors.add(
        "password",
        "Esa no es su contraseña: escríbala de nuevo para confirmar.",
        "That is not your password: type it again to confirm.",
    );
}

pub async fn invite_form(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    headers: axum::http::HeaderMap,
    Form(f): Form<Invite>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.name.clone();
    let mut errors = Errors::default();
    let role = Role::from_name(&f.role);
    if role.is_none() {
        errors.add("role", "Elija un rol.", "Choose a role.");
    }
    if !account_name_ok(&f.name) {
        errors.add(
            "name",
            "De 1 a 64 letras sin acentos, dígitos, '.', '-' o '_'.",
            "1 to 64 unaccented letters, digits, '.', '-' or '_'.",
        );
    }
    if !confirmed(&app, &actor, f.password).await? {
        not_confirmed(&mut errors);
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return accounts_page(&app, &ctx, None, errors, f.name).await;
    };
    let name = f.name.clone();
    let made = app.ledger(move |_, l| invite(l, &name, role, &actor)).await;
    match made {
        Ok(inv) => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1:8080");
            let link = format!("http://{host}/invitation/{}", inv.token);
            accounts_page(&app, &ctx, Some(link), Errors::default(), String::new()).await
        }
        Err(WebError::Bad { es, en }) => {
            errors.add("name", es, en);
            accounts_page(&app, &ctx, None, errors, f.name).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Reason {
    reason: String,
    /// The admin's own password, asked again.
    password: String,
}

pub async fn revoke(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<Reason>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.name.clone();
    if !confirmed(&app, &actor, f.password).await? {
        let mut errors = Errors::default();
        not_confirmed(&mut errors);
        return accounts_page(&app, &ctx, None, errors, String::new()).await;
    }
    let reason = if f.reason.trim().is_empty() {
        "revoked".to_string()
    } else {
        f.reason.trim().to_string()
    };
    let revoked = app
        .ledger(move |_, l| {
            let name = match l.get(AccountId(id).into())? {
                Some(Record::Account(a)) if a.revoked.is_none() => a.name,
                Some(Record::Account(_)) => return Ok(None),
                _ => return Err(WebError::NotFound),
            };
            record(l, AccountId(id), &actor, Change::AccountRevoked { reason })?;
            let (_, reach, seen) = exposure(l, &name, EXPOSURE_DAYS)?;
            Ok(Some((name, reach, seen)))
        })
        .await?;
    lock(&app.sessions).end_all_of(id);
    let Some((name, reach, seen)) = revoked else {
        return Ok(see("/accounts"));
    };
    // The admin sees what was exposed, not the cases themselves: kinds, numbers and why; a
    // coordinator opens each one to know whom to warn.
    let seen = seen
        .into_iter()
        .map(|e| {
            let (es, en) = match e.subject.kind {
                Kind::Person => ("persona", "person"),
                Kind::Detention => ("detención", "detention"),
                Kind::Report => ("reporte", "report"),
                Kind::Source => ("fuente", "source"),
                other => (other.name(), other.name()),
            };
            let link = match e.subject.kind {
                Kind::Person => format!("/persons/{}", e.subject.id),
                Kind::Detention => format!("/detentions/{}", e.subject.id),
                Kind::Report => format!("/reports/{}", e.subject.id),
                _ => String::new(),
            };
            ((es.to_string(), en.to_string()), e.subject.id, link, e.why)
        })
        .collect();
    Ok(ok(&RevokedPage {
        p: Chrome::of(&ctx),
        name,
        reach,
        days: EXPOSURE_DAYS,
        seen,
    }))
}

/// How far back a revocation looks for what the account could see.
pub const EXPOSURE_DAYS: i64 = 90;

#[derive(Template)]
#[template(path = "revoked.html")]
struct RevokedPage {
    p: Chrome,
    name: String,
    reach: Words,
    days: i64,
    /// Each record: its kind in words, its number, its page, and why it was exposed.
    seen: Vec<(Words, u64, String, Words)>,
}

/// A text in Spanish and in English.
pub type Words = (String, String);

/// One thing an account could see, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposed {
    pub subject: Subject,
    /// The person it names (or the source's title), as the registry has it.
    pub name: String,
    pub why: Words,
}

/// What an account could see in the last `days` days, so that the organisation knows who is
/// exposed when the account's holder is arrested: the reports they made or were assigned,
/// every record they looked at or wrote about since, and what their role opens to them.
/// Returns the account, the role's reach in words (Spanish, English), and the records.
pub fn exposure(
    ledger: &mut Ledger,
    name: &str,
    days: i64,
) -> Result<(Account, Words, Vec<Exposed>), WebError> {
    let a = account(ledger, name)?.ok_or_else(|| {
        WebError::bad(
            format!("No hay una cuenta {name:?}."),
            format!("There is no account {name:?}."),
        )
    })?;
    let since = ledger
        .today()?
        .checked_sub(jiff::Span::new().days(days))
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let mut found: Vec<(Subject, Words)> = Vec::new();
    ledger.fold_all(Kind::Report, KnownOn::NOW, &mut |r| {
        if let Record::Report(r) = r {
            if r.reporter.as_deref() == Some(name) {
                found.push((r.id.into(), ("lo reportó".into(), "reported it".into())));
            } else if r.assigned_to.as_deref() == Some(name) {
                found.push((r.id.into(), ("asignado".into(), "assigned".into())));
            }
        }
    })?;
    ledger.for_each_history(None, None, &mut |subject, facts| {
        for f in facts.iter().rev() {
            if f.actor != name || f.recorded_on < since || subject.kind == Kind::Account {
                continue;
            }
            let why = match &f.change {
                Change::Audited { what } => (
                    format!("{} el {}", what.words().0, f.recorded_on),
                    format!("{} on {}", what.words().1, f.recorded_on),
                ),
                _ => (
                    format!("lo registró el {}", f.recorded_on),
                    format!("recorded it on {}", f.recorded_on),
                ),
            };
            found.push((subject, why));
            break;
        }
        Ok(())
    })?;
    let mut out = Vec::new();
    for (subject, why) in found {
        if out.iter().any(|e: &Exposed| e.subject == subject) {
            continue;
        }
        out.push(Exposed {
            subject,
            name: named(ledger, subject)?,
            why,
        });
    }
    let reach = match a.role {
        Role::Coordinator => (
            "todo el registro, con los contactos de quienes reportan".into(),
            "the whole registry, with reporters' contacts".into(),
        ),
        Role::Lawyer if a.regions.is_empty() => (
            "todos los casos (sin contactos)".into(),
            "every case (without contacts)".into(),
        ),
        Role::Lawyer => {
            let profile = ledger.profile()?.clone();
            let states: Vec<&str> = a
                .regions
                .iter()
                .map(|c| profile.state_name(c).unwrap_or(c))
                .collect();
            (
                format!("los casos de {} (sin contactos)", states.join(", ")),
                format!("the cases of {} (without contacts)", states.join(", ")),
            )
        }
        Role::Volunteer => (
            "solo sus reportes y los asignados".into(),
            "only their reports and those assigned".into(),
        ),
        Role::Analyst => (
            "cifras, sin nombres".into(),
            "figures, without names".into(),
        ),
        Role::Admin => (
            "las cuentas, sin casos".into(),
            "the accounts, no cases".into(),
        ),
    };
    Ok((a, reach, out))
}

/// Whom a record names: a person's or a detainee's name, a report's, a source's title.
fn named(ledger: &mut Ledger, subject: Subject) -> Result<String, WebError> {
    Ok(match ledger.get(subject)? {
        Some(Record::Person(p)) => p.identity.full_name(),
        Some(Record::Detention(d)) => match ledger.get(d.person.into())? {
            Some(Record::Person(p)) => p.identity.full_name(),
            _ => String::new(),
        },
        Some(Record::Report(r)) => r
            .details
            .map(|d| d.identity().full_name())
            .unwrap_or_default(),
        Some(Record::Source(s)) => s.title,
        _ => String::new(),
    })
}
