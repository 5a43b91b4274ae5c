//! Accounts: invitations (from `vigilia user add` or the admin's page), taking one up (password
//! and, for staff, the second factor), signing in and out, API tokens, and revocation.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;
use vigilia_app::accounts::{self, EXPOSURE_DAYS, MIN_PASSWORD};
use vigilia_app::{AppError, messages};
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{AccountId, Kind};
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::{Account, Role};

use crate::app::App;
use crate::ctx::{COOKIE, Ctx, clear_session_cookie, cookie, session_cookie};
use crate::error::WebError;
use crate::page::{Chrome, Errors, invalid, local, ok, see};
use vigilia_app::credentials::{
    code_step, hash_password, new_second_factor, otpauth_uri, second_factor_from,
};
use vigilia_app::sessions::{self, SignInRefused};

use crate::auth::check_off_lock;

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    p: Chrome,
    name: String,
    next: String,
    error: Option<(String, String)>,
    done: Option<(&'static str, &'static str)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Next {
    next: String,
    /// Why the last session ended, when Vigilia ended it.
    why: String,
    /// What was just done (`set`: the password of an invitation), and the account's name.
    done: String,
    name: String,
}

pub async fn login_form(Extension(ctx): Extension<Ctx>, Query(q): Query<Next>) -> Response {
    let done = (q.done == "set").then_some((
        "Contraseña guardada. Ya puede entrar con ella y, si su cuenta lo pide, con el código de su aplicación.",
        "Password saved. You can now sign in with it and, if your account asks for it, the code from your app.",
    ));
    let error = (q.why == "confirmations").then(|| {
        (
            "Por seguridad cerramos su sesión: la contraseña o el código para confirmar se escribieron mal cinco veces. Entre de nuevo; podrá confirmar cambios de cuentas dentro de 15 minutos.".to_string(),
            "For safety your session was closed: the password or code to confirm was typed wrong five times. Sign in again; you can confirm changes to accounts in 15 minutes.".to_string(),
        )
    });
    ok(&Login {
        p: Chrome::of(&ctx),
        name: q.name,
        next: q.next,
        error,
        done,
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
    let result = app
        .sign_in(f.name.clone(), ctx.ip, f.password, f.code)
        .await?;
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
            // Wrong: the form again (422); locked or too many: come back later (429).
            let status = match why {
                SignInRefused::Wrong => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                _ => axum::http::StatusCode::TOO_MANY_REQUESTS,
            };
            let page = Login {
                p: Chrome::of(&ctx),
                name: f.name,
                next: f.next,
                error: Some((error.0.into(), error.1.into())),
                done: None,
            };
            Ok(crate::page::render(status, &page))
        }
    }
}

pub async fn logout(State(app): State<Arc<App>>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, COOKIE)
        && let Err(e) = app.sign_out(token).await
    {
        e.log();
    }
    let mut res = see("/");
    res.headers_mut()
        .insert(header::SET_COOKIE, clear_session_cookie());
    res
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

impl InvitationPage {
    /// The key in groups of four, as an authenticator app asks it to be typed.
    fn grouped(&self) -> String {
        let chars: Vec<char> = self.secret.chars().collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The second factor's key as a QR code an authenticator app scans (SVG drawn here: the key
    /// never leaves for a third-party service); empty if it cannot be drawn (the key is shown
    /// as text too).
    fn qr(&self) -> String {
        let Ok(code) = qrcode::QrCode::new(self.uri.as_bytes()) else {
            return String::new();
        };
        let svg = code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build();
        // An element inside the page, not a document: without its XML declaration.
        let svg = match svg.find("<svg") {
            Some(at) => svg.get(at..).unwrap_or_default().to_string(),
            None => svg,
        };
        let label = self.p.t(
            "Código QR de la clave del segundo factor",
            "QR code of the second factor's key",
        );
        svg.replacen(
            "<svg",
            &format!("<svg role=\"img\" aria-label=\"{label}\""),
            1,
        )
    }
}

pub async fn invitation_form(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let t = token.clone();
    let a = app.read(move |_, l| Ok(accounts::invited(l, &t)?)).await?;
    // Derived from the invitation under the server's key: the same on every visit of the
    // page (a key scanned before a reload still matches), unknown to anyone else.
    let seed = hex::decode(app.sign(&format!("second factor:{token}"))).unwrap_or_default();
    let secret = if seed.len() >= 20 {
        second_factor_from(&seed)
    } else {
        new_second_factor()
    };
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
    let a = app.read(move |_, l| Ok(accounts::invited(l, &t)?)).await?;
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
    let step = code_step(&f.secret, &f.code, now);
    if staff && step.is_none() {
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
    // Hashed before the registry is reached: it takes a while, on purpose.
    let hash = tokio::task::spawn_blocking(move || hash_password(&f.password))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))??;
    let factor = step.filter(|_| staff).map(|step| accounts::Enrolled {
        secret: f.secret,
        step,
    });
    let account = app
        .write(move |tx| accounts::accept_invitation(tx, &token, hash.clone(), factor.clone()))
        .await?;
    Ok(see(&format!(
        "/login?done=set&name={}",
        crate::page::url_encode(&account.name)
    )))
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct Accounts {
    p: Chrome,
    accounts: Vec<Account>,
    /// The invitation just made, and whether it renewed one still pending.
    link: Option<(String, bool)>,
    errors: Errors,
    typed: Typed,
}

impl Accounts {
    /// Whether the admin may restore this account's access here.
    fn manages(&self, a: &Account) -> bool {
        accounts::may_manage(Role::Admin, a.role)
    }
}

/// What the admin typed in the invitation form, kept when it comes back with a problem.
#[derive(Default)]
struct Typed {
    name: String,
    role: String,
}

async fn accounts_page(
    app: &Arc<App>,
    ctx: &Ctx,
    link: Option<(String, bool)>,
    errors: Errors,
    typed: Typed,
) -> Result<Response, WebError> {
    let accounts = app
        .read(|_, l| {
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
        typed,
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
    accounts_page(&app, &ctx, None, Errors::default(), Typed::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Invite {
    name: String,
    role: String,
    /// The admin's own password and second factor's code, asked again before an account (and
    /// its role) is made.
    password: String,
    code: String,
}

/// What asking the admin's password (and code) again found.
enum Confirmation {
    Right,
    Wrong,
    /// Nothing typed: not counted.
    Empty,
    /// Confirmations are refused for a while after too many wrong ones.
    Locked,
    /// The wrong one that locked them: the session it came from is ended.
    Ended,
}

/// Whether `password` and `code` are the admin's own, asked again before giving or taking a
/// role. Each try is counted in the registry before the password is hashed; a wrong one is an
/// audit fact of the account; after five wrong ones in a row the session is ended (from a
/// session left open, nobody can guess on), and confirmations are refused for a while. The
/// sign-in's own counts are left alone: a mistyped confirmation never locks the admin out.
async fn confirmed(
    app: &Arc<App>,
    headers: &HeaderMap,
    name: &str,
    password: String,
    code: String,
) -> Result<Confirmation, WebError> {
    if password.trim().is_empty() {
        return Ok(Confirmation::Empty);
    }
    let (who, now) = (name.to_string(), app.now());
    let counted = who.clone();
    let begun = app
        .write(move |tx| sessions::begin_confirmation(tx, &counted, now))
        .await?;
    let Ok(attempt) = begun else {
        return Ok(Confirmation::Locked);
    };
    let name = who.clone();
    let found = app
        .read(move |_, l| Ok(accounts::with_credentials(l, &name)?))
        .await?;
    let checked = check_off_lock(found.map(|(_, c)| c), password, code, now).await?;
    let right = app
        .write(move |tx| sessions::settle_confirmation(tx, &who, checked.clone(), now))
        .await?;
    if right {
        return Ok(Confirmation::Right);
    }
    if attempt.noted {
        if let Some(token) = cookie(headers, COOKIE) {
            app.sign_out(token).await?;
        }
        return Ok(Confirmation::Ended);
    }
    Ok(Confirmation::Wrong)
}

/// What a confirmation that was not right says, beside the password's field; `None` when the
/// session was ended (the page then goes to the sign-in, which says why).
fn confirmation_problem(c: &Confirmation, errors: &mut Errors) -> Option<Response> {
    match c {
        Confirmation::Right => {}
        Confirmation::Wrong => not_confirmed(errors),
        Confirmation::Empty => errors.add(
            "password",
            "Escriba su contraseña y el código de 6 dígitos de su aplicación para confirmar.",
            "Type your password and the 6-digit code from your app to confirm.",
        ),
        Confirmation::Locked => errors.add(
            "password",
            "Demasiados intentos equivocados: por seguridad, podrá confirmar de nuevo dentro de 15 minutos como máximo.",
            "Too many wrong tries: for safety, you can confirm again within 15 minutes at most.",
        ),
        Confirmation::Ended => return Some(see("/login?why=confirmations")),
    }
    None
}

fn not_confirmed(errors: &mut Errors) {
    errors.add(
        "password",
        "La contraseña o el código no son los suyos: escríbalos de nuevo (el código, el nuevo que muestre su aplicación). Tras cinco intentos equivocados se cierra la sesión.",
        "The password or the code is not yours: type them again (the code, the new one your app shows). After five wrong tries the session is closed.",
    );
}

pub async fn invite_form(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    Form(f): Form<Invite>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.name.clone();
    let mut errors = Errors::default();
    let role = Role::from_name(&f.role);
    if role.is_none() {
        errors.add("role", "Elija un rol.", "Choose a role.");
    }
    if !accounts::account_name_ok(&f.name) {
        errors.add(
            "name",
            "De 1 a 64 letras (con o sin acento), dígitos, '.', '-' o '_', sin espacios.",
            "1 to 64 letters (accented or not), digits, '.', '-' or '_', without spaces.",
        );
    }
    // The fields first: a mistake in them does not use up the code typed.
    if errors.is_empty() {
        let c = confirmed(&app, &headers, &actor, f.password, f.code).await?;
        if let Some(ended) = confirmation_problem(&c, &mut errors) {
            return Ok(ended);
        }
    }
    let typed = Typed {
        name: f.name.clone(),
        role: f.role.clone(),
    };
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return accounts_page(&app, &ctx, None, errors, typed).await;
    };
    let me = ctx.viewer()?.actor();
    let name = f.name.clone();
    let made = app
        .write(move |tx| accounts::invite_by_admin(tx, &me, &name, role))
        .await;
    match made {
        Ok(inv) => {
            let base = app.config.base_url.trim_end_matches('/');
            let link = format!("{base}/invitation/{}", inv.token);
            let made = Some((link, inv.renewed));
            accounts_page(&app, &ctx, made, Errors::default(), Typed::default()).await
        }
        Err(WebError::App(e @ AppError::StaffFromCommandLine)) => {
            errors.add_localized("role", &e);
            accounts_page(&app, &ctx, None, errors, typed).await
        }
        Err(WebError::App(e @ (AppError::AccountExists(_) | AppError::BadAccountName(_)))) => {
            errors.add_localized("name", &e);
            accounts_page(&app, &ctx, None, errors, typed).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Reason {
    reason: String,
    /// The admin's own password and code, asked again.
    password: String,
    code: String,
}

#[derive(Template)]
#[template(path = "revoke.html")]
struct RevokePage {
    p: Chrome,
    account: Account,
    reason: String,
    errors: Errors,
}

/// The account to revoke, if it is one still active.
async fn revocable(app: &Arc<App>, id: u64) -> Result<Account, WebError> {
    app.read(move |_, l| match l.get(AccountId(id).into())? {
        Some(Record::Account(a)) if a.revoked.is_none() => Ok(a),
        _ => Err(WebError::NotFound),
    })
    .await
}

/// Asks why, and the admin's password and code, before an account is revoked.
pub async fn revoke_form(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let account = revocable(&app, id).await?;
    Ok(ok(&RevokePage {
        p: Chrome::of(&ctx),
        account,
        reason: String::new(),
        errors: Errors::default(),
    }))
}

pub async fn revoke(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Form(f): Form<Reason>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.name.clone();
    let account = revocable(&app, id).await?;
    let mut errors = Errors::default();
    if f.reason.trim().is_empty() {
        errors.add(
            "reason",
            "Escriba por qué se revoca la cuenta: queda en el registro.",
            "Write why the account is revoked: it stays in the registry.",
        );
    } else {
        let c = confirmed(&app, &headers, &actor, f.password, f.code).await?;
        if let Some(ended) = confirmation_problem(&c, &mut errors) {
            return Ok(ended);
        }
    }
    if !errors.is_empty() {
        return Ok(invalid(&RevokePage {
            p: Chrome::of(&ctx),
            account,
            reason: f.reason,
            errors,
        }));
    }
    let me = ctx.viewer()?.actor();
    // Revoked by the registry's writer (with the other writes of the moment); what it exposed
    // read after.
    let which = accounts::Which::Numbered(AccountId(id));
    let revoked = app
        .write(move |tx| accounts::revoke_as(tx, &me, &which, &f.reason))
        .await?;
    // Its sessions end at the next request: each is checked against the active accounts.
    let Some(revoked) = revoked else {
        return Ok(see("/accounts"));
    };
    let exposure = app
        .read(move |_, l| Ok(accounts::exposure(l, &revoked.name, EXPOSURE_DAYS)?))
        .await?;
    // The admin sees what was exposed, not the cases themselves: kinds, numbers and why; a
    // coordinator opens each one to know whom to warn.
    let seen = exposure
        .seen
        .into_iter()
        .map(|e| {
            let link = match e.subject.kind {
                Kind::Person => format!("/persons/{}", e.subject.id),
                Kind::Detention => format!("/detentions/{}", e.subject.id),
                Kind::Report => format!("/reports/{}", e.subject.id),
                _ => String::new(),
            };
            let kind = (
                messages::kind_name(e.subject.kind, Lang::Es).to_string(),
                messages::kind_name(e.subject.kind, Lang::En).to_string(),
            );
            let why = (e.why.localize(Lang::Es), e.why.localize(Lang::En));
            (kind, e.subject.id, link, why)
        })
        .collect();
    Ok(ok(&RevokedPage {
        p: Chrome::of(&ctx),
        name: exposure.account.name,
        reach: (
            exposure.reach.localize(Lang::Es),
            exposure.reach.localize(Lang::En),
        ),
        days: EXPOSURE_DAYS,
        seen,
    }))
}

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

#[derive(Template)]
#[template(path = "access.html")]
struct AccessPage {
    p: Chrome,
    account: Account,
    /// The new invitation's link, shown once after the reset.
    link: Option<String>,
    errors: Errors,
}

impl AccessPage {
    /// Where the person who restores access goes back to.
    fn back(&self) -> &'static str {
        if self.p.is("admin") {
            "/accounts"
        } else {
            "/team"
        }
    }
}

/// An active account the viewer may restore the access of ([`accounts::may_manage`]), never
/// its own.
async fn manageable(app: &Arc<App>, ctx: &Ctx, id: u64) -> Result<Account, WebError> {
    let v = ctx.viewer()?;
    let (me, role) = (v.name.clone(), v.role);
    app.read(move |_, l| match l.get(AccountId(id).into())? {
        Some(Record::Account(a))
            if a.revoked.is_none() && a.name != me && accounts::may_manage(role, a.role) =>
        {
            Ok(a)
        }
        Some(Record::Account(_)) => Err(WebError::Forbidden),
        _ => Err(WebError::NotFound),
    })
    .await
}

/// Says what restoring an account's access does, and asks the viewer's password and code.
pub async fn access_form(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let account = manageable(&app, &ctx, id).await?;
    Ok(ok(&AccessPage {
        p: Chrome::of(&ctx),
        account,
        link: None,
        errors: Errors::default(),
    }))
}

/// Restores an account's access once the viewer confirmed with their password and code: the
/// old password, second factor and API tokens stop working, and the new invitation's link is
/// shown once.
pub async fn access(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Form(f): Form<Reason>,
) -> Result<Response, WebError> {
    let account = manageable(&app, &ctx, id).await?;
    let actor = ctx.viewer()?.name.clone();
    let mut errors = Errors::default();
    let c = confirmed(&app, &headers, &actor, f.password, f.code).await?;
    if let Some(ended) = confirmation_problem(&c, &mut errors) {
        return Ok(ended);
    }
    if !errors.is_empty() {
        return Ok(invalid(&AccessPage {
            p: Chrome::of(&ctx),
            account,
            link: None,
            errors,
        }));
    }
    let me = ctx.viewer()?.actor();
    let inv = app
        .write(move |tx| accounts::reset_access(tx, &me, AccountId(id)))
        .await?;
    let base = app.config.base_url.trim_end_matches('/');
    Ok(ok(&AccessPage {
        p: Chrome::of(&ctx),
        account,
        link: Some(format!("{base}/invitation/{}", inv.token)),
        errors: Errors::default(),
    }))
}
