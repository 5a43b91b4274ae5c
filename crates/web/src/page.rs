//! What every page shares: the chrome (language, who is signed in, the CSRF token), rendering
//! with the right headers, form values and their errors, and small formatting helpers.

use std::collections::BTreeMap;

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::Role;

use crate::ctx::Ctx;

/// The frame of every page.
#[derive(Clone, Debug)]
pub struct Chrome {
    pub l: Lang,
    pub user: Option<String>,
    pub role: Option<Role>,
    pub csrf: String,
    pub here: String,
    profile: std::sync::Arc<vigilia_core::profile::Profile>,
}

impl Chrome {
    pub fn of(ctx: &Ctx) -> Chrome {
        Chrome {
            l: ctx.lang,
            user: ctx.viewer.as_ref().map(|v| v.name.clone()),
            role: ctx.viewer.as_ref().map(|v| v.role),
            csrf: ctx.csrf.clone(),
            here: ctx.path.clone(),
            profile: ctx.profile.clone(),
        }
    }

    /// The text in the page's language.
    pub fn t<'a>(&self, es: &'a str, en: &'a str) -> &'a str {
        self.l.pick(es, en)
    }

    /// Whether this page is the one at `path` (its query aside): the menu marks it.
    pub fn current(&self, path: &str) -> bool {
        self.here.split('?').next() == Some(path)
    }

    /// Whether the signed-in account has one of these roles (by name: `coordinator,lawyer`).
    pub fn is(&self, roles: &str) -> bool {
        self.role
            .is_some_and(|r| roles.split(',').any(|n| n.trim() == r.name()))
    }

    /// A report's triage status, in words.
    pub fn status(&self, r: &vigilia_core::model::Report) -> &'static str {
        use vigilia_core::model::ReportStatus as S;
        match r.status() {
            S::New => self.t("nuevo", "new"),
            S::Accepted => self.t("aceptado", "accepted"),
            S::Rejected => self.t("rechazado", "rejected"),
        }
    }

    /// A state's name, from its code (`VE-V` is Zulia); a code the profile lacks as it is.
    /// A day as a table shows it ("03/12/2026"; "3 Dec 2026" in English).
    pub fn day(&self, day: &vigilia_core::date::Day) -> String {
        vigilia_core::date::short_day(*day, self.l)
    }

    /// A day written `AAAA-MM-DD` (a balance's dates), as a table shows it.
    pub fn iso(&self, day: &str) -> String {
        vigilia_core::date::short_iso(day, self.l)
    }

    /// Where a report came from, in words.
    pub fn channel(&self, channel: &vigilia_core::model::Channel) -> &'static str {
        let (es, en) = channel.words();
        self.t(es, en)
    }

    /// What a fact did to a group detention, in words.
    pub fn group_change(&self, change: &vigilia_core::fact::Change) -> String {
        use vigilia_core::fact::Change;
        let n = |c: &u32| self.l.number(u64::from(*c));
        match (change, self.l) {
            (Change::GroupRecorded { count, .. }, Lang::Es) => {
                format!("registrada con {} personas detenidas", n(count))
            }
            (Change::GroupRecorded { count, .. }, Lang::En) => {
                format!("recorded with {} people detained", n(count))
            }
            (Change::GroupCountCorrected { count, reason }, lang) => {
                let why = reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default();
                match lang {
                    Lang::Es => format!("número corregido a {}{why}", n(count)),
                    Lang::En => format!("number corrected to {}{why}", n(count)),
                }
            }
            (Change::GroupMemberIdentified { detention }, Lang::Es) => {
                format!("identificada una persona (detención {})", detention.0)
            }
            (Change::GroupMemberIdentified { detention }, Lang::En) => {
                format!("a person identified (detention {})", detention.0)
            }
            _ => String::new(),
        }
    }

    /// Any value of the model in words (see `vigilia_core::words`): an end, a recognition, a
    /// step, a fact of a history, a date.
    pub fn w<T: Localize>(&self, value: &T) -> String {
        value.localize(self.l)
    }

    /// «sigue privada de libertad» of a person, or of one not known (a detention without its
    /// person), agreeing with their sex.
    pub fn still_held(&self, person: Option<&vigilia_core::model::Person>) -> &'static str {
        vigilia_core::words::still_held(person.and_then(|x| x.identity.sex), self.l)
    }

    /// The text with its first letter in capitals and the rest as written (a court's name
    /// keeps its capitals: askama's `capitalize` lowers them).
    pub fn cap<T: AsRef<str>>(&self, text: T) -> String {
        let mut c = text.as_ref().chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    }

    /// A likeness between 0 and 1 as a percentage ("87 %").
    pub fn percent(&self, x: &f64) -> String {
        format!("{} %", (x * 100.0).round() as i64)
    }

    /// A number grouped the way the language writes it ("1.296", "1,296").
    pub fn n(&self, n: &u64) -> String {
        self.l.number(*n)
    }

    /// A date to its precision, as a table shows it ("05/08/2024", "08/2024", "2024").
    pub fn date(&self, d: &vigilia_core::date::PartialDate) -> String {
        d.short(self.l)
    }

    /// Whether `name` is the signed-in account's own.
    pub fn is_me(&self, name: &str) -> bool {
        self.user.as_deref() == Some(name)
    }

    /// When a fact was loaded, if on another day than it says it was recorded (an import of
    /// older records): " (cargado el 5/12/2026, 09:31)"; nothing otherwise.
    pub fn loaded(&self, recorded_on: &vigilia_core::date::Day, at: &jiff::Timestamp) -> String {
        let local = self.profile.utc_offset.to_datetime(*at);
        if local.date() == *recorded_on {
            return String::new();
        }
        format!(
            " ({} {})",
            self.t("cargado el", "loaded on"),
            self.moment(at)
        )
    }

    /// A source's title: a report it came from by its number in words ("Reporte 3").
    pub fn source_title(&self, title: &str) -> String {
        match title.strip_prefix("report:") {
            Some(n) => format!("{} {n}", self.t("Reporte", "Report")),
            None => title.to_string(),
        }
    }

    /// A role in words.
    pub fn role(&self, role: &vigilia_core::model::Role) -> &'static str {
        let (es, en) = role.words();
        self.t(es, en)
    }

    pub fn state<'a>(&'a self, code: &'a str) -> &'a str {
        self.profile.state_name(code).unwrap_or(code)
    }

    /// An instant as people say it, in the organisation's time: "5 de diciembre de 2026, 14:03".
    pub fn moment(&self, at: &jiff::Timestamp) -> String {
        vigilia_core::date::moment(*at, self.profile.utc_offset, self.l)
    }

    /// A file's size in kilobytes, rounded up (`1.234 kB`).
    pub fn size(&self, bytes: &u64) -> String {
        format!("{} kB", self.l.number(bytes.div_ceil(1024)))
    }

    /// What an audit fact records, in words.
    /// Views of a record as a table lists them: the same account doing the same within the
    /// same minute is one row, with how many times (`when`, `who`, `what`, `times`).
    pub fn views(
        &self,
        views: &[vigilia_core::fact::Fact],
    ) -> Vec<(String, String, String, usize)> {
        let mut out: Vec<(String, String, String, usize)> = Vec::new();
        for v in views {
            let row = (
                self.moment(&v.appended_at),
                self.actor(&v.actor).to_string(),
                self.audit(&v.change).to_string(),
            );
            match out.last_mut() {
                Some(last) if (&last.0, &last.1, &last.2) == (&row.0, &row.1, &row.2) => {
                    last.3 += 1
                }
                _ => out.push((row.0, row.1, row.2, 1)),
            }
        }
        out
    }

    /// Who recorded a fact: the account's name, or the command line's operator in words.
    pub fn actor<'a>(&'a self, name: &'a str) -> &'a str {
        match name {
            "cli" => self.t("la línea de comandos", "the command line"),
            "public-form" => self.t("el formulario público", "the public form"),
            other => other,
        }
    }

    pub fn audit(&self, change: &vigilia_core::fact::Change) -> &'static str {
        match change {
            vigilia_core::fact::Change::Audited { what, .. } => {
                let (es, en) = what.words();
                self.t(es, en)
            }
            _ => "",
        }
    }

    pub fn lang_code(&self) -> &'static str {
        self.l.pick("es", "en")
    }

    /// The link that switches to the other language and comes back here.
    pub fn switch(&self) -> String {
        format!(
            "/lang/{}?back={}",
            self.l.pick("en", "es"),
            url_encode(&self.here)
        )
    }
}

/// Field errors of a form, in both languages; shown next to their fields.
#[derive(Clone, Debug, Default)]
pub struct Errors(pub BTreeMap<&'static str, (String, String)>);

impl Errors {
    pub fn add(&mut self, field: &'static str, es: impl Into<String>, en: impl Into<String>) {
        self.0.entry(field).or_insert((es.into(), en.into()));
    }

    pub fn add_localized(&mut self, field: &'static str, e: &dyn Localize) {
        self.add(field, e.localize(Lang::Es), e.localize(Lang::En));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The error of one field in the page's language.
    pub fn get(&self, field: &str, l: &Lang) -> Option<&str> {
        self.0.get(field).map(|(es, en)| l.pick(es, en))
    }

    /// As JSON for the API: `{field: {es, en}}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.0
                .iter()
                .map(|(k, (es, en))| (k.to_string(), serde_json::json!({"es": es, "en": en})))
                .collect(),
        )
    }
}

/// Renders a template as an HTML response.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            eprintln!("vigilia serve: template: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

pub fn ok(page: &impl Template) -> Response {
    render(StatusCode::OK, page)
}

/// A form sent back with its errors: 422, values as typed.
pub fn invalid(page: &impl Template) -> Response {
    render(StatusCode::UNPROCESSABLE_ENTITY, page)
}

/// After a successful POST: see the result (303, so a reload does not send it again).
/// What a form just did, as the address it goes back to says it (`?done=merged&seal=…`). The
/// seal binds the confirmation to the account that sent the form and to the page: a link anyone
/// else made (to show «Fusión registrada» on a person never merged, or «Consentimiento
/// registrado» where none was) shows nothing.
#[derive(serde::Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct Done {
    pub done: String,
    pub seal: String,
}

impl Done {
    /// What was done, when this account's own form sent it to the page at `path`; empty
    /// otherwise.
    pub fn said(&self, app: &crate::app::App, ctx: &Ctx, path: &str) -> &str {
        sealed(app, ctx, path, &self.done, &self.seal)
    }
}

/// `what` (a page's `done`), when `seal` is this account's for the page at `path`; empty
/// otherwise.
pub fn sealed<'a>(
    app: &crate::app::App,
    ctx: &Ctx,
    path: &str,
    what: &'a str,
    seal: &str,
) -> &'a str {
    match &ctx.viewer {
        Some(v) if !what.is_empty() && app.sealed(&seal_of(v.account, path, what), seal) => what,
        _ => "",
    }
}

fn seal_of(account: u64, path: &str, what: &str) -> String {
    format!("done\u{1f}{account}\u{1f}{path}\u{1f}{what}")
}

/// Back to the page at `path` after its form did `what` (then to `#fragment`, when not empty),
/// sealed for the account that sent the form ([`Done`]).
pub fn back_saying(
    app: &crate::app::App,
    ctx: &Ctx,
    path: &str,
    what: &str,
    fragment: &str,
) -> Response {
    let account = ctx.viewer.as_ref().map_or(0, |v| v.account);
    let seal = app.sign(&seal_of(account, path, what));
    see(&format!(
        "{path}?done={}&seal={seal}{fragment}",
        url_encode(what)
    ))
}

pub fn see(path: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, path.to_string())],
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub message: String,
    /// What went wrong, in a few words (the page's title).
    pub title: &'static str,
    /// The link to the same address in the other language.
    pub switch: String,
    /// The page to go back to, when the refusal comes from a form (its question kept).
    pub back: Option<String>,
    pub l: Lang,
    /// The frame of a signed-in account's pages (its menu), when the error comes after it was
    /// known.
    pub chrome: Option<Chrome>,
}

/// A path of this site to go back to, or `/`: one `/` followed by neither `/` nor `\\` (which
/// browsers read as another host), and no control characters.
pub fn local(path: &str) -> String {
    let mut chars = path.chars();
    let safe = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !path.chars().any(|c| c.is_control() || c == '\\');
    if safe {
        path.to_string()
    } else {
        "/".to_string()
    }
}

/// Percent-encodes a query value.
pub fn url_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn only_a_path_of_this_site_is_a_place_to_go_back_to() {
        assert_eq!(local("/detentions/4?x=1"), "/detentions/4?x=1");
        for elsewhere in [
            "//evil.example",
            "/\\evil.example/phish",
            "/ok/\\x",
            "https://evil.example",
            "evil",
            "",
            "/\tx",
        ] {
            assert_eq!(local(elsewhere), "/", "{elsewhere:?}");
        }
    }
}
