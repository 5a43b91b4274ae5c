//! Drafts for international bodies from a detention: a communication to the UN Working Group
//! on Arbitrary Detention and a request for precautionary measures to the IACHR (the habeas
//! corpus and the UN urgent action for the disappeared are on `/detentions/{id}/urgent`). What
//! the lawyer writes is sent in the body, never in the address; a draft made is an audited
//! export, recorded before the page is sent.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use vigilia_app::submissions::{Category, Element, SubmissionForm};
use vigilia_core::fact::Audit;
use vigilia_core::ids::DetentionId;
use vigilia_core::lang::{Lang, Localize};

use crate::app::App;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::page::{Chrome, Errors, ok};

/// The bodies drafted here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    Wgad,
    Iachr,
}

impl Body {
    fn from_path(name: &str) -> Result<Body, WebError> {
        match name {
            "wgad" => Ok(Body::Wgad),
            "iachr" => Ok(Body::Iachr),
            _ => Err(WebError::NotFound),
        }
    }
}

/// The form as typed (checkboxes come as `yes`).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Typed {
    submitter: String,
    circumstances: String,
    domestic_steps: String,
    cat_i: String,
    cat_ii: String,
    cat_iii: String,
    cat_iv: String,
    cat_v: String,
    gravity: String,
    urgency: String,
    harm: String,
    measures: String,
    consent: String,
    no_consent_reason: String,
}

impl Typed {
    fn categories(&self) -> Vec<Category> {
        [
            (&self.cat_i, Category::I),
            (&self.cat_ii, Category::II),
            (&self.cat_iii, Category::III),
            (&self.cat_iv, Category::IV),
            (&self.cat_v, Category::V),
        ]
        .into_iter()
        .filter(|(v, _)| !v.is_empty())
        .map(|(_, c)| c)
        .collect()
    }

    fn form(&self) -> SubmissionForm {
        SubmissionForm {
            submitter: self.submitter.clone(),
            circumstances: self.circumstances.clone(),
            domestic_steps: self.domestic_steps.clone(),
            categories: self.categories(),
            gravity: self.gravity.clone(),
            urgency: self.urgency.clone(),
            harm: self.harm.clone(),
            measures: self.measures.clone(),
            consent: !self.consent.is_empty(),
            no_consent_reason: self.no_consent_reason.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "drafts.html")]
struct DraftPage {
    p: Chrome,
    id: u64,
    /// Whom the draft is for.
    name: String,
    wgad: bool,
    f: Typed,
    draft: Option<String>,
    missing: Vec<String>,
    errors: Errors,
}

impl DraftPage {
    /// The categories with their names and whether each was ticked.
    fn categories(&self) -> Vec<(&'static str, String, bool)> {
        let ticked = self.f.categories();
        Category::ALL
            .into_iter()
            .map(|c| {
                (
                    match c {
                        Category::I => "cat_i",
                        Category::II => "cat_ii",
                        Category::III => "cat_iii",
                        Category::IV => "cat_iv",
                        Category::V => "cat_v",
                    },
                    c.localize(self.p.l),
                    ticked.contains(&c),
                )
            })
            .collect()
    }
}

/// `GET /detentions/{id}/drafts/{body}`: the form.
pub async fn form(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path((id, body)): Path<(u64, String)>,
) -> Result<Response, WebError> {
    let body = Body::from_path(&body)?;
    let name = crate::alerts::whom(&app, &ctx, id).await?;
    let v = ctx.viewer()?;
    app.audit(&v.name, DetentionId(id).into(), Audit::Viewed)
        .await?;
    Ok(ok(&DraftPage {
        p: Chrome::of(&ctx),
        id,
        name,
        wgad: body == Body::Wgad,
        f: Typed::default(),
        draft: None,
        missing: Vec::new(),
        errors: Errors::default(),
    }))
}

/// The form's field for a missing element (none: it comes from the record).
fn field(e: Element) -> Option<&'static str> {
    Some(match e {
        Element::Submitter => "submitter",
        Element::Circumstances | Element::Facts => "circumstances",
        Element::DomesticSteps => "domestic_steps",
        Element::Categories => "cat_i",
        Element::Gravity => "gravity",
        Element::Urgency => "urgency",
        Element::Harm => "harm",
        Element::Measures => "measures",
        Element::SubmissionConsent => "consent",
        Element::ConsentOrReason => "no_consent_reason",
        _ => return None,
    })
}

/// A draft asked for: whom it is about, and the draft or what it lacks.
pub(crate) struct Drafted<T> {
    pub name: String,
    pub made: Option<T>,
    /// The elements missing, in words, for the list atop the form…
    pub missing: Vec<String>,
    /// …and each beside its field.
    pub errors: Errors,
}

/// Makes a draft for detention `id` with `make`; records it as `made_as` (an audited export),
/// or, refused, as a view (the page still shows the person's name), before the page is sent;
/// places each missing element beside the form's `field` for it.
pub(crate) async fn drafted<T: Send + 'static>(
    app: &Arc<App>,
    ctx: &Ctx,
    id: u64,
    made_as: Audit,
    field: impl Fn(Element) -> Option<&'static str>,
    make: impl FnOnce(
        &mut vigilia_ledger::Ledger,
        &vigilia_app::Actor,
        DetentionId,
    ) -> Result<Result<T, Vec<Element>>, vigilia_app::AppError>
    + Send
    + 'static,
) -> Result<Drafted<T>, WebError> {
    let v = ctx.viewer()?.clone();
    let name = crate::alerts::whom(app, ctx, id).await?;
    let actor = v.actor();
    let made = app
        .read(move |_, l| Ok(make(l, &actor, DetentionId(id))?))
        .await?;
    let what = if made.is_ok() { made_as } else { Audit::Viewed };
    app.audit(&v.name, DetentionId(id).into(), what).await?;
    Ok(match made {
        Ok(d) => Drafted {
            name,
            made: Some(d),
            missing: Vec::new(),
            errors: Errors::default(),
        },
        Err(m) => {
            let mut errors = Errors::default();
            for e in &m {
                if let Some(name) = field(*e) {
                    let said =
                        |l: Lang| format!("{} {}", l.pick("Falta:", "Missing:"), e.localize(l));
                    errors.add(name, said(Lang::Es), said(Lang::En));
                }
            }
            Drafted {
                name,
                made: None,
                missing: m.iter().map(|e| e.localize(ctx.lang)).collect(),
                errors,
            }
        }
    })
}

/// `POST /detentions/{id}/drafts/{body}`: the draft, or every missing element named.
pub async fn draft(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path((id, body)): Path<(u64, String)>,
    axum::Form(f): axum::Form<Typed>,
) -> Result<Response, WebError> {
    let body = Body::from_path(&body)?;
    let form = f.form();
    let made_as = match body {
        Body::Wgad => Audit::DraftedWgad,
        Body::Iachr => Audit::DraftedIachr,
    };
    let d = drafted(
        &app,
        &ctx,
        id,
        made_as,
        field,
        move |l, actor, id| match body {
            Body::Wgad => vigilia_app::submissions::wgad(l, actor, id, &form),
            Body::Iachr => vigilia_app::submissions::iachr(l, actor, id, &form),
        },
    )
    .await?;
    let Drafted {
        name,
        made: draft,
        missing,
        errors,
    } = d;
    let page = DraftPage {
        p: Chrome::of(&ctx),
        id,
        name,
        wgad: body == Body::Wgad,
        f,
        draft,
        missing,
        errors,
    };
    Ok(if page.missing.is_empty() {
        ok(&page)
    } else {
        crate::page::invalid(&page)
    })
}
