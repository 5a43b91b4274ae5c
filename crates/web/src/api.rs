//! The JSON API: the same operations as the pages, for scripts and other tools, with a bearer
//! token (`vigilia user token NAME`). Its OpenAPI document is generated from the route table.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use serde_json::{Value, json};
use vigilia_core::lang::Lang;
use vigilia_count::disclosure::for_the_public;

use crate::app::App;
use crate::balance::{Asked, compute};
use crate::ctx::{Ctx, Viewer};
use crate::error::WebError;
use crate::page::Errors;
use crate::records::{OnDetention, Q, detention_in, person_in, searched, viewed};
use crate::reports;
use crate::routes::{Access, ROUTES};
use crate::triage::{AttachForm, ReasonForm, compared, waiting};
use vigilia_app::AppError;
use vigilia_app::counting::publications as published;
use vigilia_app::intake::ReportForm;
use vigilia_app::records::{self, DecisionForm, StepForm};
use vigilia_app::triage::{self, AttachTo};
use vigilia_core::ids::{DetentionId, PersonId, ReportId};

/// An error as JSON: `{"error": {"es": …, "en": …}}` with its status; a form's errors as
/// `{"errors": {field: {es, en}}}` (422).
pub fn error(e: WebError) -> Response {
    e.log();
    let status = e.status();
    if let WebError::App(AppError::Invalid(fields)) = &e {
        let mut errors = Errors::default();
        for (field, problem) in fields.iter() {
            errors.add_localized(field, problem);
        }
        return (status, Json(json!({"errors": errors.to_json()}))).into_response();
    }
    let body = json!({"error": {"es": e.message(Lang::Es), "en": e.message(Lang::En)}});
    (status, Json(body)).into_response()
}

fn answer<T: Serialize>(r: Result<T, WebError>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(e) => error(e),
    }
}

/// Form errors: 422 with `{"errors": {field: {es, en}}}`.
fn checked<T: Serialize>(r: Result<Result<T, Errors>, WebError>) -> Response {
    match r {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"errors": e.to_json()})),
        )
            .into_response(),
        Err(e) => error(e),
    }
}

/// OpenAPI 3.1, from the route table: every API route with its summary and who may use it.
pub async fn openapi() -> Response {
    let mut paths = serde_json::Map::new();
    for r in ROUTES.iter().filter(|r| r.api) {
        let roles = match r.access {
            Access::Public => vec!["public".to_string()],
            Access::Signed => vec!["signed-in".to_string()],
            Access::Roles(rs) => rs.iter().map(|x| x.name().to_string()).collect(),
        };
        let params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "integer"}}))
            .collect();
        let mut op = json!({
            "summary": r.summary.1,
            "description": format!("{} — roles: {}", r.summary.0, roles.join(", ")),
            "x-roles": roles,
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {}}},
                "401": {"description": "No token or a revoked one"},
                "403": {"description": "This account's role may not"},
                "422": {"description": "Invalid fields: {errors: {field: {es, en}}}"}
            }
        });
        if let Some(op) = op.as_object_mut() {
            if r.access != Access::Public {
                op.insert("security".into(), json!([{"bearer": []}]));
            }
            if r.method == "POST" {
                op.insert(
                    "requestBody".into(),
                    json!({"required": true, "content": {"application/json": {"schema": {"type": "object"}}}}),
                );
            }
        }
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        entry[r.method.to_ascii_lowercase()] = op;
    }
    Json(json!({
        "openapi": "3.1.0",
        "info": {"title": "Vigilia", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Registro de detenciones políticas / A registry of political detentions"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": paths
    }))
    .into_response()
}

pub async fn publications(State(app): State<Arc<App>>) -> Response {
    answer(app.read(|_, l| Ok(published(l)?)).await.map(|list| {
        list.into_iter()
            .map(|p| {
                json!({"id": p.id, "published_on": p.published_on.to_string(), "as_of": p.publication.as_of.to_string(),
                       "ledger_seq": p.publication.ledger_seq, "ledger_head": p.publication.ledger_head,
                       "figures": for_the_public(&serde_json::from_str::<Value>(&p.publication.figures).unwrap_or_default(),
                                                p.publication.withheld_below.unwrap_or(vigilia_count::disclosure::SMALLEST_SHOWN))})
            })
            .collect::<Vec<_>>()
    }))
}

pub async fn balance(State(app): State<Arc<App>>, Query(w): Query<Asked>) -> Response {
    answer(app.read(move |app, l| Ok(compute(app, l, &w)?.0)).await)
}

pub async fn search(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<Q>,
) -> Response {
    match ctx.viewer() {
        Ok(v) => answer(searched(&app, v, q.q).await),
        Err(e) => error(e),
    }
}

pub async fn person(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Response {
    let Ok(v) = ctx.viewer().cloned() else {
        return error(WebError::Forbidden);
    };
    answer(
        viewed(&app, &v, PersonId(id).into(), move |a, l, v| {
            person_in(a, l, v, id)
        })
        .await
        .map(|(p, d)| json!({"person": p, "detentions": d})),
    )
}

pub async fn detention(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Response {
    let Ok(v) = ctx.viewer().cloned() else {
        return error(WebError::Forbidden);
    };
    answer(
        viewed(&app, &v, DetentionId(id).into(), move |_, l, v| {
            detention_in(l, v, id)
        })
        .await,
    )
}

/// A form about a detention, sent as JSON: checked, recorded by the token's account.
async fn on_detention<F: Send + 'static>(
    app: Arc<App>,
    ctx: Ctx,
    id: u64,
    f: F,
    work: OnDetention<F>,
) -> Response {
    let Ok(actor) = ctx.viewer().map(Viewer::actor) else {
        return error(WebError::Forbidden);
    };
    answer(
        app.write(move |tx| work(tx, &actor, DetentionId(id), &f))
            .await
            .map(|()| json!({"recorded": true})),
    )
}

pub async fn step(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Json(f): Json<StepForm>,
) -> Response {
    on_detention(app, ctx, id, f, records::record_step).await
}

pub async fn end(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Json(f): Json<StepForm>,
) -> Response {
    on_detention(app, ctx, id, f, records::record_end).await
}

pub async fn recognition(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Json(f): Json<DecisionForm>,
) -> Response {
    on_detention(app, ctx, id, f, records::decide).await
}

/// Corrects who a person is (`vigilia_app::identity::IdentityForm`): the fields it changed.
pub async fn identity(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Json(f): Json<vigilia_app::identity::IdentityForm>,
) -> Response {
    let Ok(actor) = ctx.viewer().map(Viewer::actor) else {
        return error(WebError::Forbidden);
    };
    let index = match app.read(|a, l| a.search_index(l)).await {
        Ok(index) => index,
        Err(e) => return error(e),
    };
    let holders =
        move |n: &vigilia_core::national_id::NationalId| index.with_national_id(n).to_vec();
    answer(
        app.write(move |tx| {
            let person = vigilia_core::ids::PersonId(id);
            vigilia_app::identity::correct(tx, &actor, person, &f, &holders)
        })
        .await
        .map(|changed| json!({"recorded": true, "changed": changed})),
    )
}

pub async fn reports(State(app): State<Arc<App>>, Extension(ctx): Extension<Ctx>) -> Response {
    match ctx.viewer() {
        Ok(v) => answer(reports::listed(&app, v).await),
        Err(e) => error(e),
    }
}

pub async fn submit(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Json(f): Json<ReportForm>,
) -> Response {
    let Some(v) = ctx.viewer.clone() else {
        return error(WebError::Forbidden);
    };
    checked(
        reports::send(&app, &v, f)
            .await
            .map(|r| r.map(|id| json!({"report": id.0}))),
    )
}

pub async fn queue(State(app): State<Arc<App>>, Extension(ctx): Extension<Ctx>) -> Response {
    match ctx.viewer() {
        Ok(v) => answer(waiting(&app, v, None).await.map(|w| w.0)),
        Err(e) => error(e),
    }
}

pub async fn candidates(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Response {
    let found = match ctx.viewer() {
        Ok(v) => compared(&app, v, ReportId(id)).await,
        Err(e) => Err(e),
    };
    answer(found)
}

pub async fn accept_new(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Response {
    let Ok(a) = ctx.viewer().map(Viewer::actor) else {
        return error(WebError::Forbidden);
    };
    answer(
        app.write(move |tx| triage::accept_new(tx, &a, ReportId(id)))
            .await
            .map(|d| json!({"detention": d.map(|d| d.0)})),
    )
}

pub async fn attach(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Json(f): Json<AttachForm>,
) -> Response {
    let Ok(a) = ctx.viewer().map(Viewer::actor) else {
        return error(WebError::Forbidden);
    };
    let to = match AttachTo::chosen(f.person, f.detention, f.group) {
        Ok(to) => to,
        Err(e) => return error(e.into()),
    };
    answer(
        app.write(move |tx| triage::attach(tx, &a, ReportId(id), to))
            .await
            .map(|d| json!({"detention": d.map(|d| d.0)})),
    )
}

pub async fn reject(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Json(f): Json<ReasonForm>,
) -> Response {
    let Ok(a) = ctx.viewer().map(Viewer::actor) else {
        return error(WebError::Forbidden);
    };
    answer(
        app.write(move |tx| triage::reject(tx, &a, ReportId(id), &f.reason))
            .await,
    )
}
