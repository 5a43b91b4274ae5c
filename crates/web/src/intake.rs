//! The family's public form (no account), its receipt code, and following a report with it.
//!
//! Floods are held off without third parties: the form's token is signed with the time it was
//! given, and sends one report. A report sent sooner than `Config::intake_delay` seconds after
//! is asked to wait (a person takes longer than that to fill the form; a script must wait as
//! long for each); the page's script proves a small work for the token while the family types
//! ([`WORK_BITS`]), and a browser without JavaScript waits [`WITHOUT_WORK`] times as long
//! instead; each address (an IPv6 /64) may send `Config::intake_per_hour` reports an hour.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;
use vigilia_core::fold::Record;
use vigilia_core::ids::Kind;
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::{Channel, Report, ReportStatus};

use crate::app::{App, random_bytes, sha256};
use crate::ctx::{Ctx, limit_key};
use crate::error::WebError;
use crate::forms::states;
use crate::page::{Chrome, Errors, invalid, ok};
use vigilia_app::credentials::{WORK_BITS, work_done};
use vigilia_app::intake::{Incoming, ReportForm};
use vigilia_app::{AppError, sessions};

#[derive(Template)]
#[template(path = "intake.html")]
struct Intake {
    p: Chrome,
    f: ReportForm,
    errors: Errors,
    states: Vec<(String, String)>,
    /// The form's token and its proof of work: kept when the page comes back (a wait, a
    /// field to fix), so the wait counts from when the form was first opened.
    token: String,
    work: String,
    bits: u32,
    /// What to wait for before sending again, or why the form was refused.
    alert: Option<String>,
}

/// The public form as it was sent (`sent`) or new.
fn intake_page(
    app: &Arc<App>,
    ctx: &Ctx,
    sent: Option<Sent>,
    errors: Errors,
    wait: Option<i64>,
) -> Intake {
    let states = states(
        &app.profile,
        ctx.lang.pick("— no sé —", "— I do not know —"),
    );
    // A form token even for someone signed in: a session's token has no age to wait on.
    let sent = sent.unwrap_or_else(|| Sent {
        csrf: app.form_token(),
        work: String::new(),
        f: ReportForm::default(),
    });
    let wait = wait.map(|left| {
        let (es, en) = if left <= 5 {
            ("unos segundos".to_string(), "a few seconds".to_string())
        } else {
            (format!("{left} segundos"), format!("{left} seconds"))
        };
        match ctx.lang {
            Lang::Es => format!(
                "Por seguridad, espere {es} y pulse «Enviar» otra vez. Lo que escribió sigue aquí."
            ),
            Lang::En => {
                format!(
                    "For safety, wait {en} and press “Send” again. What you wrote is still here."
                )
            }
        }
    });
    Intake {
        p: Chrome::of(ctx),
        f: sent.f,
        errors,
        states,
        token: sent.csrf,
        work: sent.work,
        bits: WORK_BITS,
        alert: wait,
    }
}

pub async fn form(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    Ok(ok(&intake_page(&app, &ctx, None, Errors::default(), None)))
}

/// A receipt code: 12 characters from an alphabet without look-alikes (60 bits), in groups.
fn receipt_code() -> Result<String, WebError> {
    const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let bytes = random_bytes::<12>()?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET.get(usize::from(b % 32)).copied().unwrap_or(b'2') as char)
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// A code as typed: upper case, without spaces or dashes.
fn normal_code(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct Receipt {
    p: Chrome,
    code: String,
}

/// How many times longer a form sent without its proof of work (no JavaScript) must have been
/// open: 30 seconds with the default delay, still less than a person takes to fill it.
const WITHOUT_WORK: i64 = 10;

#[derive(Deserialize)]
pub struct Sent {
    #[serde(default)]
    csrf: String,
    /// The nonce the page's script found for the token (empty without JavaScript).
    #[serde(default)]
    work: String,
    #[serde(flatten)]
    f: ReportForm,
}

/// The status a refusal of the public form answers with.
fn e_status(e: &AppError) -> axum::http::StatusCode {
    match e {
        AppError::TooManyReports => axum::http::StatusCode::TOO_MANY_REQUESTS,
        _ => axum::http::StatusCode::CONFLICT,
    }
}

pub async fn submit(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Form(sent): Form<Sent>,
) -> Result<Response, WebError> {
    let age = app.form_token_age(&sent.csrf).unwrap_or_default().as_secs();
    let delay = app.config.intake_delay as i64;
    let wait = if work_done(&sent.csrf, &sent.work, WORK_BITS) {
        delay
    } else {
        delay * WITHOUT_WORK
    };
    // The fields first: a mistake is said at once, not after a wait.
    let profile = app.profile.clone();
    let form = sent.f.clone();
    let checked = app
        .read(move |_, l| Ok(form.check(&profile, l.today()?, false).err()))
        .await?;
    if let Some(fields) = checked {
        let errors = crate::forms::errors_of(&fields);
        return Ok(invalid(&intake_page(&app, &ctx, Some(sent), errors, None)));
    }
    if age < wait {
        let left = Some(wait - age);
        return Ok(invalid(&intake_page(
            &app,
            &ctx,
            Some(sent),
            Errors::default(),
            left,
        )));
    }
    let code = receipt_code()?;
    let hash = sha256(&normal_code(&code));
    let incoming = Incoming {
        form: sent.f.clone(),
        channel: Channel::Family,
        reporter: None,
        receipt: Some(hash),
    };
    let from = crate::forms::From::Public {
        address: ctx.ip,
        token: sent.csrf.clone(),
    };
    match crate::forms::store(&app, incoming, from).await {
        Ok(Ok(_)) => {}
        Ok(Err(errors)) => {
            return Ok(invalid(&intake_page(&app, &ctx, Some(sent), errors, None)));
        }
        // Refused by a limit, or sent twice: said on the form, with what was typed kept (or,
        // once stored, a new form).
        Err(WebError::App(e @ (AppError::TooManyReports | AppError::FormAlreadySent))) => {
            let again = matches!(e, AppError::TooManyReports).then_some(sent);
            let mut page = intake_page(&app, &ctx, again, Errors::default(), None);
            page.alert = Some(e.localize(ctx.lang));
            return Ok(crate::page::render(e_status(&e), &page));
        }
        Err(e) => return Err(e),
    }
    Ok(ok(&Receipt {
        p: Chrome::of(&ctx),
        code,
    }))
}

#[derive(Template)]
#[template(path = "follow.html")]
struct Follow {
    p: Chrome,
    code: String,
    error: Option<(String, String)>,
}

pub async fn follow_form(Extension(ctx): Extension<Ctx>) -> Response {
    ok(&Follow {
        p: Chrome::of(&ctx),
        code: String::new(),
        error: None,
    })
}

#[derive(Template)]
#[template(path = "status.html")]
struct Status {
    p: Chrome,
    code: String,
    r: Report,
    status: ReportStatus,
    added: bool,
    /// What happened since, as the family may learn it.
    news: Vec<(
        Option<vigilia_core::date::PartialDate>,
        vigilia_app::intake::News,
    )>,
}

#[derive(Deserialize)]
pub struct Code {
    #[serde(default)]
    code: String,
    #[serde(default)]
    text: String,
}

/// The report a receipt code names, and nothing else.
/// A report and what its family may learn since, by its receipt code.
async fn by_code(app: &Arc<App>, code: &str) -> Result<Option<(Report, News)>, WebError> {
    let hash = sha256(&normal_code(code));
    app.read(move |_, ledger| {
        Ok(match ledger.by_reference(Kind::Report, &hash)? {
            Some(Record::Report(r)) => {
                let news = vigilia_app::intake::news_for_the_family(ledger, &r)?;
                Some((r, news))
            }
            _ => None,
        })
    })
    .await
}

type News = Vec<(
    Option<vigilia_core::date::PartialDate>,
    vigilia_app::intake::News,
)>;

fn not_found(ctx: &Ctx, code: String) -> Response {
    invalid(&Follow {
        p: Chrome::of(ctx),
        code,
        error: Some((
            "No encontramos un reporte con ese código. Revise que esté completo (12 letras y números).".into(),
            "We found no report with that code. Check that it is complete (12 letters and digits).".into(),
        )),
    })
}

pub async fn follow(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Form(q): Form<Code>,
) -> Result<Response, WebError> {
    match by_code(&app, &q.code).await? {
        None => Ok(not_found(&ctx, q.code)),
        Some((r, news)) => Ok(ok(&Status {
            p: Chrome::of(&ctx),
            code: q.code,
            status: r.status(),
            r,
            added: false,
            news,
        })),
    }
}

/// The family adds what they learned since (their report only, found by its code).
pub async fn add(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Form(q): Form<Code>,
) -> Result<Response, WebError> {
    let Some((r, news)) = by_code(&app, &q.code).await? else {
        return Ok(not_found(&ctx, q.code));
    };
    let text = q.text.clone();
    let id = r.id;
    // What a family adds counts against the same hourly limit as a new report, and against
    // the report's own: the public cannot grow the ledger without bound.
    let (now, per_hour, address) = (app.now(), app.config.intake_per_hour, limit_key(ctx.ip));
    let r = app
        .write(move |tx| {
            let receipt = format!("report:{}", id.0);
            if !sessions::admit_report(tx, &address, now, per_hour)?
                || !sessions::admit_report(tx, &receipt, now, per_hour)?
            {
                return Ok(None);
            }
            vigilia_app::intake::add_to_report(tx, id, &text).map(Some)
        })
        .await?
        .ok_or(WebError::App(AppError::TooManyReports))?;
    Ok(ok(&Status {
        p: Chrome::of(&ctx),
        code: q.code,
        status: r.status(),
        r,
        added: true,
        news,
    }))
}
