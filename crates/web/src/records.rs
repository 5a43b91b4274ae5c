//! Records: search (accent-insensitive, by name or cédula), a person with all their detentions,
//! a detention's timeline with the 48-hour deadline, sources, recognition and the history of
//! every fact; lawyers record legal steps, ends and recognition decisions; coordinators merge
//! and split persons.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;
use vigilia_app::records::{self, DecisionForm, Full, StepForm};
use vigilia_app::{Actor, AppError};
use vigilia_core::case::{HearingOutcome, Jurisdiction, MeasureKind, Phase};
use vigilia_core::fact::{Audit, Fact};
use vigilia_core::ids::{DetentionId, PersonId, Subject};
use vigilia_core::lang::Lang;
use vigilia_core::model::{Detention, Person};
use vigilia_ledger::{Ledger, Tx};

use crate::app::App;
use crate::ctx::{Ctx, Viewer};
use crate::error::WebError;
use crate::page::{Chrome, Done, Errors, back_saying, invalid, ok};

/// A detention this account may work on, or why not.
pub fn in_scope(ledger: &mut Ledger, v: &Viewer, id: u64) -> Result<Detention, WebError> {
    Ok(records::in_scope(ledger, &v.actor(), DetentionId(id))?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Q {
    pub q: String,
    /// The page of results (from 1).
    pub page: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct Search {
    p: Chrome,
    q: String,
    /// The page of persons shown, by surname.
    persons: Vec<Person>,
    /// How many persons were found, the page shown and how many there are.
    found: usize,
    page: usize,
    pages: usize,
    /// The search stopped at its limit: there may be more.
    more: bool,
}

impl Search {
    fn page_link(&self, page: usize) -> String {
        let pairs = [("q", self.q.clone()), ("page", page.to_string())];
        format!(
            "/persons?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

/// Persons found at most by one search on the page (the API answers the first 100).
const SEARCH_PAGES_LIMIT: usize = 1_000;

pub async fn search(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<Q>,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?;
    let (actor, text) = (v.actor(), q.q.clone());
    let mut persons = app
        .read(move |a, l| {
            let index = a.search_index(l)?;
            Ok(records::search(
                l,
                &actor,
                &text,
                SEARCH_PAGES_LIMIT,
                &index,
            )?)
        })
        .await?;
    let more = persons.len() >= SEARCH_PAGES_LIMIT;
    let found = persons.len();
    persons.sort_by_cached_key(|p| (vigilia_app::lists::surname_key(&p.identity), p.id));
    let page = q.page.trim().parse().unwrap_or(1);
    let (persons, page, pages) = vigilia_app::lists::paged(persons, page);
    audit_search(&app, v, &q.q, &persons).await?;
    Ok(ok(&Search {
        p: Chrome::of(&ctx),
        q: q.q,
        persons,
        found,
        page,
        pages,
        more,
    }))
}

/// Records, before the answer is sent, who searched, for what, and whom it showed.
async fn audit_search(
    app: &Arc<App>,
    v: &Viewer,
    q: &str,
    shown: &[Person],
) -> Result<(), WebError> {
    if q.trim().is_empty() {
        return Ok(());
    }
    let returned = shown.iter().map(|p| p.id.into()).collect();
    app.audit_read(
        &v.name,
        Audit::Searched,
        Subject::REGISTRY,
        returned,
        // Kept as every form's text is (see `auth`): a query string does not pass that gate.
        Some(vigilia_core::text::only_text(q).into_owned()),
    )
    .await
}

/// Persons whose name or cédula matches every word of `q` (accents and case aside), among
/// those this account sees, at most 100. Who searched, for what, and whom it returned is
/// recorded before the answer is sent.
pub async fn searched(app: &Arc<App>, v: &Viewer, q: String) -> Result<Vec<Person>, WebError> {
    let (actor, text) = (v.actor(), q.clone());
    let persons = app
        .read(move |a, l| {
            let index = a.search_index(l)?;
            Ok(records::search(
                l,
                &actor,
                &text,
                records::SEARCH_LIMIT,
                &index,
            )?)
        })
        .await?;
    audit_search(app, v, &q, &persons).await?;
    Ok(persons)
}

/// A person and the detentions of theirs this account sees.
pub fn person_in(
    app: &App,
    ledger: &mut Ledger,
    v: &Viewer,
    id: u64,
) -> Result<(Person, Vec<Detention>), WebError> {
    let index = app.search_index(ledger)?;
    Ok(records::person(ledger, &v.actor(), PersonId(id), &index)?)
}

/// A detention with what its page shows, if this account sees it.
pub fn detention_in(ledger: &mut Ledger, v: &Viewer, id: u64) -> Result<Full, WebError> {
    Ok(records::detention(ledger, &v.actor(), DetentionId(id))?)
}

/// Reads what a page of a record shows and records, before the page is sent, that the
/// account viewed the record.
pub async fn viewed<T: Send + 'static>(
    app: &Arc<App>,
    v: &Viewer,
    subject: Subject,
    read: impl FnOnce(&App, &mut Ledger, &Viewer) -> Result<T, WebError> + Send + 'static,
) -> Result<T, WebError> {
    let reader = v.clone();
    let out = app.read(move |a, l| read(a, l, &reader)).await?;
    app.audit(&v.name, subject, Audit::Viewed).await?;
    Ok(out)
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    p: Chrome,
    person: Person,
    detentions: Vec<Detention>,
    history: Vec<Fact>,
    views: Vec<Fact>,
    /// Persons who may be the same, to compare (coordinators only).
    look_alikes: Vec<Person>,
    /// The persons merged into this one: their names and numbers.
    merged: Vec<Person>,
    /// The person this one was merged into, when this account may see them.
    survivor: Option<Person>,
    /// What was just done (`?done=merged`), in words.
    done: Option<Words>,
    /// The split or compare form sent back with its problem, and what was typed.
    errors: Errors,
    typed: PersonTyped,
}

impl PersonPage {
    /// The correction form's values: as typed when it came back with a problem, else what is
    /// recorded; and what is recorded, with the reason typed, when someone else corrected the
    /// person meanwhile (the form must show what it would change).
    fn identity_form(&self) -> vigilia_app::identity::IdentityForm {
        use vigilia_app::identity::{IdentityForm, shown};
        let now = IdentityForm::of(&self.person.identity);
        match &self.typed.identity {
            Some(f) if f.shown.is_empty() || f.shown == shown(&self.person.identity) => f.clone(),
            Some(f) => IdentityForm {
                reason: f.reason.clone(),
                ..now
            },
            None => now,
        }
    }

    fn sexes(&self) -> Vec<(String, String)> {
        use vigilia_core::model::Sex;
        self.known_or_not([("F", Sex::F), ("M", Sex::M), ("X", Sex::X)])
    }

    fn services(&self) -> Vec<(String, String)> {
        use vigilia_core::model::Service;
        self.known_or_not([
            ("civilian", Service::Civilian),
            ("military", Service::Military),
        ])
    }

    /// A list's choices: «sin dato», then each value by its code, in words.
    fn known_or_not<T: vigilia_core::lang::Localize, const N: usize>(
        &self,
        values: [(&str, T); N],
    ) -> Vec<(String, String)> {
        let unknown = (String::new(), self.p.t("sin dato", "not known").to_string());
        std::iter::once(unknown)
            .chain(
                values
                    .iter()
                    .map(|(code, v)| (code.to_string(), self.p.w(v))),
            )
            .collect()
    }

    fn levels(&self) -> Vec<(String, String)> {
        let mut out = vec![(
            String::new(),
            self.p.t("— elija —", "— choose —").to_string(),
        )];
        out.extend(
            vigilia_core::model::Disclosure::ALL
                .into_iter()
                .map(|d| (d.name().to_string(), self.p.w(&d))),
        );
        out
    }

    fn givers(&self) -> Vec<(String, String)> {
        let mut out = vec![(
            String::new(),
            self.p.t("— elija —", "— choose —").to_string(),
        )];
        out.extend(vigilia_core::model::ConsentGiver::ALL.into_iter().map(|g| {
            let (es, en) = match g {
                vigilia_core::model::ConsentGiver::Family => ("la familia", "the family"),
                vigilia_core::model::ConsentGiver::Person => ("la persona", "the person"),
                vigilia_core::model::ConsentGiver::Lawyer => {
                    ("su abogado o abogada", "their lawyer")
                }
            };
            (g.name().to_string(), self.p.t(es, en).to_string())
        }));
        out
    }
}

/// What was typed in a person page's forms: the reason to split, the person to compare with.
#[derive(Clone, Debug, Default)]
pub struct PersonTyped {
    pub reason: String,
    pub into: String,
    /// The consent form, as typed.
    pub level: String,
    pub given_by: String,
    /// The correction of who the person is, as typed (none: the form shows what is recorded).
    pub identity: Option<vigilia_app::identity::IdentityForm>,
}

/// A coordinator or a lawyer corrects who a person is: a name, the cédula, sex, birth date,
/// civilian or military.
pub async fn identity(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<vigilia_app::identity::IdentityForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.actor();
    let form = f.clone();
    let index = app.read(|a, l| a.search_index(l)).await?;
    let holders =
        move |n: &vigilia_core::national_id::NationalId| index.with_national_id(n).to_vec();
    let done = app
        .attempt(move |tx| {
            vigilia_app::identity::correct(tx, &actor, PersonId(id), &form, &holders)
        })
        .await?;
    match done {
        Ok(_) => Ok(back_saying(
            &app,
            &ctx,
            &format!("/persons/{id}"),
            "identity",
            "",
        )),
        Err(e) => {
            let errors = crate::forms::mistake(&e, "reason");
            let typed = PersonTyped {
                identity: Some(f),
                ..Default::default()
            };
            person_page(&app, &ctx, id, None, errors, typed).await
        }
    }
}

/// A coordinator or a lawyer records a person's consent to publish, or its withdrawal.
pub async fn consent(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<vigilia_app::public::ConsentForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.actor();
    let form = f.clone();
    let done = app
        .attempt(move |tx| vigilia_app::public::set_consent(tx, &actor, PersonId(id), &form))
        .await?;
    match done {
        Ok(()) => Ok(back_saying(
            &app,
            &ctx,
            &format!("/persons/{id}"),
            "consent",
            "",
        )),
        Err(e) => {
            let errors = crate::forms::mistake(&e, "level");
            let typed = PersonTyped {
                level: f.level,
                given_by: f.given_by,
                ..Default::default()
            };
            person_page(&app, &ctx, id, None, errors, typed).await
        }
    }
}

pub async fn person(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Query(d): Query<Done>,
) -> Result<Response, WebError> {
    let what = d.said(&app, &ctx, &format!("/persons/{id}"));
    person_page(
        &app,
        &ctx,
        id,
        confirmation(what),
        Errors::default(),
        PersonTyped::default(),
    )
    .await
}

/// A person's page: who they are, their detentions (with those of the persons merged into
/// them), their history and, for a coordinator, who looked and who may be the same person.
pub async fn person_page(
    app: &Arc<App>,
    ctx: &Ctx,
    id: u64,
    done: Option<Words>,
    errors: Errors,
    typed: PersonTyped,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?.clone();
    let (person, detentions, (history, views), (look_alikes, merged, survivor)) =
        viewed(app, &v, PersonId(id).into(), move |a, l, v| {
            let (p, d) = person_in(a, l, v, id)?;
            let h = records::changes_and_views(l, PersonId(id).into(), &v.actor())?;
            let index = a.search_index(l)?;
            let alike = vigilia_app::merges::look_alikes(l, &v.actor(), &p, &index)?;
            let merged = vigilia_app::merges::merged_into(l, PersonId(id), &index)?;
            // The person this one was merged into, by name when this account may see it (by
            // number when not); a registry that fails to answer fails the page.
            let survivor = match p
                .merged_into
                .map(|into| records::person(l, &v.actor(), into, &index))
            {
                Some(Ok((s, _))) => Some(s),
                Some(Err(AppError::Forbidden(_) | AppError::NotFound(_))) | None => None,
                Some(Err(e)) => return Err(e.into()),
            };
            Ok((p, d, h, (alike, merged, survivor)))
        })
        .await?;
    let failed = !errors.is_empty();
    let page = PersonPage {
        p: Chrome::of(ctx),
        person,
        detentions,
        history,
        views,
        look_alikes,
        merged,
        survivor,
        done,
        errors,
        typed,
    };
    Ok(if failed { invalid(&page) } else { ok(&page) })
}

#[derive(Template)]
#[template(path = "detention.html")]
struct DetentionPage {
    p: Chrome,
    f: Full,
    /// The court deadline and the presentation's date, in words (Spanish, English).
    deadline: Option<Words>,
    presented: Option<(Words, bool)>,
    /// The form sent back with its problems (`step`, `end`, `recognition`), what was typed in
    /// it, and the problems beside their fields; or what was just recorded.
    which: &'static str,
    typed: Typed,
    errors: Errors,
    done: Option<Words>,
}

/// What was typed in one of the detention page's forms.
#[derive(Clone, Debug, Default)]
pub struct Typed {
    kind: String,
    date: String,
    detail: String,
    status: String,
    category: String,
    reason: String,
    /// A step's form whole (the case's forms have more fields).
    step: StepForm,
}

impl From<&StepForm> for Typed {
    fn from(f: &StepForm) -> Typed {
        Typed {
            kind: f.kind.clone(),
            date: f.date.clone(),
            detail: f.detail.clone(),
            step: f.clone(),
            ..Typed::default()
        }
    }
}

/// A choice of a form: its value and its words.
type Choice = (String, String);

impl DetentionPage {
    /// Whether the case's form `kind` is the one sent back with problems.
    fn mine(&self, kind: &str) -> bool {
        self.which == "case" && self.typed.step.kind == kind
    }

    fn phases(&self) -> Vec<Choice> {
        Phase::ALL
            .into_iter()
            .map(|p| (p.name().to_string(), self.p.w(&p)))
            .collect()
    }

    fn jurisdictions(&self) -> Vec<Choice> {
        let mut out = vec![(String::new(), self.p.t("sin decir", "not said").to_string())];
        out.extend(
            [Jurisdiction::Civilian, Jurisdiction::Military]
                .into_iter()
                .map(|j| (j.name().to_string(), self.p.w(&j))),
        );
        out
    }

    fn outcomes(&self) -> Vec<Choice> {
        [
            ("scheduled", HearingOutcome::Scheduled),
            ("held", HearingOutcome::Held),
            ("deferred", HearingOutcome::Deferred),
            ("cancelled", HearingOutcome::Cancelled),
        ]
        .into_iter()
        .map(|(n, o)| (n.to_string(), self.p.w(&o)))
        .collect()
    }

    fn lifted(&self) -> Vec<Choice> {
        let mut out = vec![(
            "all".to_string(),
            self.p.t("todas las medidas", "every measure").to_string(),
        )];
        out.extend(
            MeasureKind::ALL
                .into_iter()
                .filter(|k| *k != MeasureKind::Other)
                .map(|k| (k.name().to_string(), self.p.w(&k))),
        );
        out
    }
}

impl From<&DecisionForm> for Typed {
    fn from(f: &DecisionForm) -> Typed {
        Typed {
            status: f.status.clone(),
            category: f.category.clone(),
            reason: f.reason.clone(),
            ..Typed::default()
        }
    }
}

/// What was just recorded, said at the top of the page (`?done=step`, sealed: [`Done`]).
fn confirmation(what: &str) -> Option<Words> {
    let (es, en) = match what {
        "step" => (
            "Paso registrado: está en la cronología.",
            "Step recorded: it is in the timeline.",
        ),
        "case" => (
            "Registrado en el caso judicial.",
            "Recorded in the criminal case.",
        ),
        "end" => (
            "Fin de la detención registrado.",
            "End of the detention recorded.",
        ),
        "recognition" => ("Decisión registrada.", "Decision recorded."),
        "accepted" => (
            "Reporte aceptado: esta es la detención que quedó registrada.",
            "Report accepted: this is the detention it recorded.",
        ),
        "merged" => (
            "Fusión registrada: esta ficha reúne ahora las detenciones de las dos. Se puede deshacer desde la ficha de la otra persona.",
            "Merge recorded: this page now gathers the detentions of both. It can be undone from the other person's page.",
        ),
        "consent" => (
            "Consentimiento registrado: toda lista que se publique desde ahora lo sigue.",
            "Consent recorded: every list published from now on follows it.",
        ),
        "identity" => (
            "Datos corregidos: la historia guarda lo que decían antes, quién los corrigió y por qué.",
            "Data corrected: the history keeps what they said before, who corrected them and why.",
        ),
        "split" => (
            "Separación registrada: son de nuevo dos personas.",
            "Split recorded: they are two persons again.",
        ),
        "split_stricter" => (
            "Separación registrada: son de nuevo dos personas. Ninguna se publica más que mientras estaban fusionadas: sigue valiendo el consentimiento más reservado de los dos. Si la familia de una permite más, cámbielo en su ficha.",
            "Split recorded: they are two persons again. Neither is published more than while they were merged: the stricter of the two consents still stands. If a family allows more, change it on that person's page.",
        ),
        _ => return None,
    };
    Some((es.to_string(), en.to_string()))
}

/// A text in Spanish and in English.
type Words = (String, String);

fn words(spoken: impl Fn(Lang) -> String) -> Words {
    (spoken(Lang::Es), spoken(Lang::En))
}

pub async fn detention(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let mut page = detention_page(&app, &ctx, id).await?;
    page.done = confirmation(q.said(&app, &ctx, &format!("/detentions/{id}")));
    Ok(ok(&page))
}

/// A detention's page as it stands (its view recorded).
async fn detention_page(app: &Arc<App>, ctx: &Ctx, id: u64) -> Result<DetentionPage, WebError> {
    let v = ctx.viewer()?.clone();
    let f = viewed(app, &v, DetentionId(id).into(), move |_, l, v| {
        detention_in(l, v, id)
    })
    .await?;
    let deadline = f
        .deadline
        .map(|d| words(|l| vigilia_core::date::short_day(d, l)));
    let presented = f
        .presented
        .map(|(p, in_time)| (words(|l| p.short(l)), in_time));
    Ok(DetentionPage {
        p: Chrome::of(ctx),
        f,
        deadline,
        presented,
        which: "",
        typed: Typed::default(),
        errors: Errors::default(),
        done: None,
    })
}

/// A use case on a detention, run in one write transaction by the account.
pub type OnDetention<F> = fn(&mut Tx<'_>, &Actor, DetentionId, &F) -> Result<(), AppError>;

/// A lawyer's form on a detention's page (`which`): recorded, then back to the page saying
/// so; a problem comes back beside its field, with what was typed kept.
async fn on_detention<F>(
    app: Arc<App>,
    ctx: Ctx,
    id: u64,
    f: F,
    which: &'static str,
    work: OnDetention<F>,
) -> Result<Response, WebError>
where
    F: Send + 'static,
    for<'a> Typed: From<&'a F>,
{
    let actor = ctx.viewer()?.actor();
    let typed = Typed::from(&f);
    let done = app
        .attempt(move |tx| work(tx, &actor, DetentionId(id), &f))
        .await?;
    let errors = match done {
        Ok(()) => {
            return Ok(back_saying(
                &app,
                &ctx,
                &format!("/detentions/{id}"),
                which,
                "",
            ));
        }
        Err(e) => crate::forms::mistake(&e, "reason"),
    };
    let mut page = detention_page(&app, &ctx, id).await?;
    page.which = which;
    page.typed = typed;
    page.errors = errors;
    Ok(invalid(&page))
}

pub async fn step(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    on_detention(app, ctx, id, f, "step", records::record_step).await
}

pub async fn case(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    on_detention(app, ctx, id, f, "case", records::record_step).await
}

pub async fn end(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    on_detention(app, ctx, id, f, "end", records::record_end).await
}

pub async fn recognition(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, WebError> {
    on_detention(app, ctx, id, f, "recognition", records::decide).await
}

#[derive(Template)]
#[template(path = "cases.html")]
struct Cases {
    p: Chrome,
    /// The page of cases shown, of `total`.
    cases: Vec<records::MyCase>,
    total: usize,
    page: usize,
    pages: usize,
    most: usize,
}

impl Cases {
    fn page_link(&self, page: usize) -> String {
        format!("/cases?page={page}")
    }
}

/// A lawyer's cases ("mis casos"), those that changed since they last looked first; who was
/// shown which is recorded, as for any list of names.
pub async fn cases(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<Q>,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?;
    let actor = v.actor();
    let cases = app
        .read(move |_, l| Ok(records::my_cases(l, &actor)?))
        .await?;
    let total = cases.len();
    let (cases, page, pages) = vigilia_app::lists::paged(cases, q.page.trim().parse().unwrap_or(1));
    if !cases.is_empty() {
        let shown = cases.iter().map(|c| c.detention.id.into()).collect();
        app.audit_read(&v.name, Audit::Listed, Subject::REGISTRY, shown, None)
            .await?;
    }
    Ok(ok(&Cases {
        p: Chrome::of(&ctx),
        cases,
        total,
        page,
        pages,
        most: records::MY_CASES,
    }))
}

#[derive(Template)]
#[template(path = "case_file.html")]
struct CaseFile {
    p: Chrome,
    person: Person,
    files: Vec<Full>,
    /// Made to hand over: the person shown as their consent allows.
    handover: bool,
    made_on: vigilia_core::date::Day,
}

impl CaseFile {
    /// Who the file is about: the full name inside the organisation; handed over, as consent
    /// allows (the name, the initials, or only the organisation's reference).
    fn shown_name(&self) -> String {
        use vigilia_core::model::Disclosure;
        if !self.handover || self.person.disclosure == Disclosure::Named {
            return self.person.identity.full_name();
        }
        match self.person.disclosure {
            Disclosure::Initials => vigilia_app::public::initials(&self.person.identity),
            // Not even the organisation's number, which would tie two files handed over.
            _ => self
                .p
                .t("Persona (solo se cuenta)", "Person (counted only)")
                .to_string(),
        }
    }

    /// Whether the cédula and birth date are given: inside, or handed over with the name.
    fn identified(&self) -> bool {
        !self.handover || self.person.disclosure == vigilia_core::model::Disclosure::Named
    }

    /// The day a source was first cited in the detention's history.
    fn cited_on(&self, f: &Full, source: &vigilia_core::ids::SourceId) -> String {
        f.history
            .iter()
            .filter(|x| x.sources.contains(source))
            .map(|x| x.recorded_on)
            .min()
            .map(|d| self.p.day(&d))
            .unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CaseFileQuery {
    /// `1`: the version to hand over (identity as consented).
    handover: String,
}

/// A person's case file, made to be printed (or saved as PDF from the browser): identity as the
/// account sees it (or, to hand over, as consented), every detention it sees with its case,
/// timeline and sources as numbered citations; no forms, no history of who looked. Making it
/// is recorded (an audited export), before it is sent.
pub async fn case_file(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Query(q): Query<CaseFileQuery>,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?.clone();
    let actor = v.actor();
    let ((person, files), made_on) = app
        .read(move |a, l| {
            let index = a.search_index(l)?;
            Ok((
                records::case_file(l, &actor, PersonId(id), &index)?,
                l.today()?,
            ))
        })
        .await?;
    let handover = match q.handover.as_str() {
        "" => false,
        "1" => true,
        _ => {
            let wrong = WebError::bad(
                "Esa dirección no lleva a ninguna versión de la ficha: ábrala desde la página de \
                 la persona («Ficha para imprimir»).",
                "That address leads to no version of the case file: open it from the person's \
                 page (“Case file to print”).",
            );
            return Ok(wrong.page(Some(format!("/persons/{id}"))));
        }
    };
    let what = match handover {
        true => Audit::DossierHandover,
        false => Audit::Dossier,
    };
    app.audit(&v.name, PersonId(id).into(), what).await?;
    Ok(ok(&CaseFile {
        p: Chrome::of(&ctx),
        person,
        files,
        handover,
        made_on,
    }))
}
