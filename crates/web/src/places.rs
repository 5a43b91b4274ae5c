//! The register of places of detention (`/places`, `/places/{id}`): the list with how many
//! people the account sees held at each, and for coordinators the places written that the
//! register cannot place, with a way to name them; a place's page with its people (held there
//! now, before, died there), its population and the observations of its conditions, with the
//! forms to add to them. The use cases are `vigilia_app::places`.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;
use vigilia_app::AppError;
use vigilia_app::places::{self, CountForm, ObservationForm, PlaceForm, PlacePage, Places};
use vigilia_core::fact::Audit;
use vigilia_core::ids::{FacilityId, Subject};
use vigilia_core::model::{FacilityType, Observation};
use vigilia_count::when::When;

use crate::app::App;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::page::{Chrome, Errors, back_saying, invalid, ok};

/// The day asked for.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Asked {
    as_of: String,
    known_on: String,
    done: String,
    seal: String,
    /// One list of a place's people, read a page at a time: `now`, `before`, `died`.
    section: String,
    page: String,
}

impl Asked {
    /// What a form just did on the page at `path` ([`crate::page::Done`]).
    fn said(&self, app: &App, ctx: &Ctx, path: &str) -> &str {
        crate::page::sealed(app, ctx, path, &self.done, &self.seal)
    }
}

/// How many people of each list a place's page shows before "see them all".
const FIRST: usize = 20;

/// A choice of a form: its value and its words.
type Choice = (String, String);

fn types(p: &Chrome, none: &str) -> Vec<Choice> {
    let mut out = vec![(String::new(), none.to_string())];
    out.extend(
        FacilityType::ALL
            .into_iter()
            .map(|t| (t.name().to_string(), p.w(&t))),
    );
    out
}

#[derive(Template)]
#[template(path = "places.html")]
struct PlacesPage {
    p: Chrome,
    when: When,
    asked: Asked,
    places: Places,
    states: Vec<Choice>,
    types: Vec<Choice>,
    /// The form sent back with problems: `add`, or `alias` with the text it was for.
    which: String,
    typed: PlaceForm,
    errors: Errors,
    done: bool,
}

async fn list_page(
    app: &Arc<App>,
    ctx: &Ctx,
    asked: Asked,
    which: String,
    typed: PlaceForm,
    mut errors: Errors,
) -> Result<PlacesPage, WebError> {
    let actor = ctx.viewer()?.actor();
    let (a, k) = (asked.as_of.clone(), asked.known_on.clone());
    let (when, places, day_errors) = app
        .read(move |_, l| {
            let (when, errors) = crate::forms::when(&a, &k, l.today()?);
            let places = places::places(l, &actor, when.as_of, when.known_on)?;
            Ok((when, places, errors))
        })
        .await?;
    errors.0.extend(day_errors.0);
    let p = Chrome::of(ctx);
    let states = crate::forms::states(&app.profile, p.t("sin decir", "not said"));
    Ok(PlacesPage {
        types: types(&p, p.t("sin decir", "not said")),
        p,
        when,
        done: asked.said(app, ctx, "/places") == "alias",
        asked,
        places,
        states,
        which,
        typed,
        errors,
    })
}

pub async fn list(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(asked): Query<Asked>,
) -> Result<Response, WebError> {
    let page = list_page(
        &app,
        &ctx,
        asked,
        String::new(),
        PlaceForm::default(),
        Errors::default(),
    )
    .await?;
    Ok(if page.errors.is_empty() {
        ok(&page)
    } else {
        invalid(&page)
    })
}

/// A coordinator adds a place to the register.
pub async fn add(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<PlaceForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.actor();
    let typed = f.clone();
    let done = app
        .attempt(move |tx| places::add_place(tx, &actor, &f))
        .await?;
    match done {
        Ok(id) => Ok(back_saying(
            &app,
            &ctx,
            &format!("/places/{}", id.0),
            "added",
            "",
        )),
        Err(e) => {
            let errors = crate::forms::mistake(&e, "name");
            let page = list_page(&app, &ctx, Asked::default(), "add".into(), typed, errors).await?;
            Ok(invalid(&page))
        }
    }
}

#[derive(Template)]
#[template(path = "place.html")]
struct OnePlace {
    p: Chrome,
    when: When,
    asked: Asked,
    page: PlacePage,
    /// The lists of people shown: key, title, how many in all, the ones shown, page, pages.
    people: Vec<People>,
    states: Vec<Choice>,
    types: Vec<Choice>,
    aspects: Vec<Choice>,
    /// The form sent back with problems (`observe`, `count`, `edit`) and what was typed.
    which: &'static str,
    observed: ObservationForm,
    counted: CountForm,
    edited: PlaceForm,
    errors: Errors,
    done: Option<(&'static str, &'static str)>,
}

impl OnePlace {
    fn aspect(&self, o: &Observation) -> String {
        vigilia_core::words::aspect(&o.aspect, self.p.l)
    }

    /// The address of one list of people, a page of it, the day kept.
    fn section_link(&self, section: &str, page: usize) -> String {
        let page = page.to_string();
        let pairs = [
            ("as_of", self.asked.as_of.as_str()),
            ("known_on", self.asked.known_on.as_str()),
            ("section", section),
            ("page", page.as_str()),
        ];
        let pairs: Vec<_> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
        format!(
            "/places/{}?{}#people",
            self.page.place.id.0,
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }

    fn consent(&self) -> Vec<Choice> {
        vec![
            (
                String::new(),
                self.p.t("no se preguntó", "not asked").to_string(),
            ),
            ("yes".into(), self.p.t("sí", "yes").to_string()),
            ("no".into(), self.p.t("no", "no").to_string()),
        ]
    }
}

/// One list of a place's people as its page shows it.
struct People {
    key: &'static str,
    title: (&'static str, &'static str),
    total: usize,
    shown: Vec<places::Held>,
    page: usize,
    pages: usize,
}

/// The lists of people of a place: the first of each, or one list a page at a time.
fn people(page: &PlacePage, asked: &Asked) -> Vec<People> {
    let lists = [
        ("now", ("Detenidas aquí", "Held here"), &page.held_now),
        (
            "before",
            ("Estuvieron aquí", "Held here before"),
            &page.held_before,
        ),
        (
            "died",
            ("Murieron bajo custodia aquí", "Died in custody here"),
            &page.died,
        ),
    ];
    lists
        .into_iter()
        .filter(|(key, _, _)| asked.section.is_empty() || asked.section == *key)
        .map(|(key, title, list)| {
            let total = list.len();
            let (shown, page, pages) = if asked.section.is_empty() {
                (list.iter().take(FIRST).cloned().collect(), 1, 1)
            } else {
                vigilia_app::lists::paged(list.clone(), asked.page.trim().parse().unwrap_or(1))
            };
            People {
                key,
                title,
                total,
                shown,
                page,
                pages,
            }
        })
        .collect()
}

/// What a form sent back with its problems held.
#[derive(Default)]
struct Sent {
    which: &'static str,
    observed: ObservationForm,
    counted: CountForm,
    edited: PlaceForm,
    errors: Errors,
}

async fn place_page(
    app: &Arc<App>,
    ctx: &Ctx,
    id: u64,
    asked: Asked,
    sent: Sent,
) -> Result<OnePlace, WebError> {
    let v = ctx.viewer()?;
    let actor = v.actor();
    let (a, k) = (asked.as_of.clone(), asked.known_on.clone());
    let (when, page, day_errors) = app
        .read(move |_, l| {
            let (when, errors) = crate::forms::when(&a, &k, l.today()?);
            let page = places::page(l, &actor, FacilityId(id), when.as_of, when.known_on)?;
            Ok((when, page, errors))
        })
        .await?;
    let lists = people(&page, &asked);
    // The people it names: who was shown which is recorded, as for any list of names.
    let shown: Vec<Subject> = lists
        .iter()
        .flat_map(|l| &l.shown)
        .map(|h| h.detention.id.into())
        .collect();
    app.audit_read(&v.name, Audit::Viewed, FacilityId(id).into(), shown, None)
        .await?;
    let mut errors = sent.errors;
    errors.0.extend(day_errors.0);
    let p = Chrome::of(ctx);
    let aspects = Observation::ASPECTS
        .iter()
        .map(|a| (a.to_string(), vigilia_core::words::aspect(a, p.l)))
        .collect();
    let done = match asked.said(app, ctx, &format!("/places/{id}")) {
        "added" => Some((
            "Centro agregado al registro.",
            "Place added to the register.",
        )),
        "observe" => Some(("Observación registrada.", "Observation recorded.")),
        "count" => Some(("Población registrada.", "Population recorded.")),
        "edit" => Some(("Datos del centro registrados.", "Place's entry recorded.")),
        _ => None,
    };
    Ok(OnePlace {
        states: crate::forms::states(&app.profile, p.t("sin cambio", "no change")),
        types: types(&p, p.t("sin cambio", "no change")),
        p,
        when,
        asked,
        page,
        people: lists,
        aspects,
        which: sent.which,
        observed: sent.observed,
        counted: sent.counted,
        edited: sent.edited,
        errors,
        done,
    })
}

pub async fn show(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Query(asked): Query<Asked>,
) -> Result<Response, WebError> {
    let page = place_page(&app, &ctx, id, asked, Sent::default()).await?;
    Ok(if page.errors.is_empty() {
        ok(&page)
    } else {
        invalid(&page)
    })
}

/// Runs a form of a place's page; back to the page saying so, or with the problems beside
/// their fields and what was typed.
async fn on_place(
    app: Arc<App>,
    ctx: Ctx,
    id: u64,
    which: &'static str,
    sent: Sent,
    work: impl FnMut(&mut vigilia_ledger::Tx<'_>) -> Result<(), AppError> + Send + 'static,
) -> Result<Response, WebError> {
    match app.attempt(work).await? {
        Ok(()) => Ok(back_saying(&app, &ctx, &format!("/places/{id}"), which, "")),
        Err(e) => {
            let sent = Sent {
                which,
                errors: crate::forms::mistake(&e, "note"),
                ..sent
            };
            Ok(invalid(
                &place_page(&app, &ctx, id, Asked::default(), sent).await?,
            ))
        }
    }
}

pub async fn observe(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<ObservationForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.actor();
    let sent = Sent {
        observed: f.clone(),
        ..Sent::default()
    };
    on_place(app, ctx, id, "observe", sent, move |tx| {
        places::observe(tx, &actor, FacilityId(id), &f)
    })
    .await
}

pub async fn count(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<CountForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.actor();
    let sent = Sent {
        counted: f.clone(),
        ..Sent::default()
    };
    on_place(app, ctx, id, "count", sent, move |tx| {
        places::count(tx, &actor, FacilityId(id), &f)
    })
    .await
}

/// A coordinator adds to a place's entry: another name people write for it (from the list of
/// places the register cannot place, too), its type, authority, state, capacity.
pub async fn edit(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<PlaceForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.actor();
    let sent = Sent {
        edited: f.clone(),
        ..Sent::default()
    };
    on_place(app, ctx, id, "edit", sent, move |tx| {
        places::edit_place(tx, &actor, FacilityId(id), &f)
    })
    .await
}

/// A place written that the register could not place, named as another name of a place.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AliasForm {
    place: String,
    aliases: String,
}

pub async fn alias(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<AliasForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.actor();
    let typed = PlaceForm {
        aliases: f.aliases.clone(),
        ..PlaceForm::default()
    };
    let Ok(id) = f.place.trim().parse::<u64>() else {
        let mut errors = Errors::default();
        errors.add_localized("place", &vigilia_app::Problem::ChooseAnOption);
        let page = list_page(&app, &ctx, Asked::default(), "alias".into(), typed, errors).await?;
        return Ok(invalid(&page));
    };
    let alias = f.aliases.clone();
    let done = app
        .attempt(move |tx| places::add_alias(tx, &actor, FacilityId(id), &alias))
        .await?;
    match done {
        Ok(()) => Ok(back_saying(&app, &ctx, "/places", "alias", "#unresolved")),
        Err(e) => {
            let errors = crate::forms::mistake(&e, "aliases");
            let page =
                list_page(&app, &ctx, Asked::default(), "alias".into(), typed, errors).await?;
            Ok(invalid(&page))
        }
    }
}
