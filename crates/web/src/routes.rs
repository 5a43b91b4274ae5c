//! Every route, once: its method and path, who may use it, whether it is part of the JSON API,
//! what it does (for the OpenAPI document), and its handler. The router is built from this
//! table, the authorisation middleware reads it, and the tests walk it, so a route cannot be
//! added without saying who may use it.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use vigilia_core::model::Role;

use crate::app::App;
use crate::{
    accounts, alerts, api, balance, estimates, groups, home, intake, merges, places, records,
    reports, submissions, team, triage,
};

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    Signed,
    Roles(&'static [Role]),
}

#[derive(Debug)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub api: bool,
    /// What it does: Spanish, English.
    pub summary: (&'static str, &'static str),
    /// The largest body taken: forms are small; only routes declared `UPLOAD` take files.
    pub body_limit: usize,
    pub handler: fn() -> MethodRouter<Arc<App>>,
}

impl Route {
    /// The route a request matched.
    /// The row of a method and a matched path (`HEAD` is `GET` without the body, and is
    /// allowed to exactly whom `GET` is).
    pub fn find(method: &Method, path: &str) -> Option<&'static Route> {
        let method = if method == Method::HEAD {
            "GET"
        } else {
            method.as_str()
        };
        ROUTES.iter().find(|r| r.path == path && r.method == method)
    }

    /// The page a request to `address` (matched by this route) belongs to, to come back to
    /// after switching language: the address itself when it answers `GET`, else the nearest
    /// address above it that does (`/detentions/7/step` → `/detentions/7`, `/logout` → `/`).
    /// A form answered with its errors is shown at its action's address, which may take only
    /// `POST`; coming back there by a link would be refused.
    pub fn page_for(&self, address: &str) -> String {
        let mut pattern = self.path;
        let (mut path, query) = match address.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (address, None),
        };
        while Route::find(&Method::GET, pattern).is_none() {
            let (Some((up, _)), Some((above, _))) =
                (pattern.rsplit_once('/'), path.rsplit_once('/'))
            else {
                return "/".into();
            };
            if up.is_empty() {
                return "/".into();
            }
            (pattern, path) = (up, above);
        }
        match query {
            Some(q) if pattern == self.path => format!("{path}?{q}"),
            _ => path.to_string(),
        }
    }
}

/// The most a form body may be.
pub const FORM_LIMIT: usize = 256 * 1024;
/// The most a form with a file may be: the file and its other fields.
pub const UPLOAD_LIMIT: usize = vigilia_core::attachment::MAX_BYTES + 64 * 1024;

use Role::{Admin, Analyst, Coordinator, Lawyer, Volunteer};

const CASES: &[Role] = &[Coordinator, Lawyer];
const FIGURES: &[Role] = &[Coordinator, Lawyer, Analyst];
const REPORTERS: &[Role] = &[Volunteer, Coordinator, Lawyer];
const OWN_REPORTS: &[Role] = &[Volunteer, Coordinator];
const TRIAGE: &[Role] = &[Coordinator];
const ADMIN: &[Role] = &[Admin];
/// Who restores others' access: administrators and coordinators, each for the roles
/// `vigilia_app::accounts::may_manage` names.
const MANAGERS: &[Role] = &[Admin, Coordinator];

macro_rules! routes {
    ($( $method:ident $path:literal $access:expr, $api:literal, $es:literal, $en:literal => $handler:path; )*) => {
        pub static ROUTES: &[Route] = &[
            $(Route {
                method: routes!(@m $method),
                path: $path,
                access: $access,
                api: $api,
                summary: ($es, $en),
                body_limit: routes!(@limit $method),
                handler: || routes!(@r $method, $handler),
            },)*
        ];
    };
    (@m GET) => { "GET" };
    (@m POST) => { "POST" };
    (@r GET, $h:path) => { get($h) };
    (@m UPLOAD) => { "POST" };
    (@r POST, $h:path) => { post($h) };
    (@r UPLOAD, $h:path) => { post($h).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)) };
    (@limit UPLOAD) => { UPLOAD_LIMIT };
    (@limit $m:ident) => { FORM_LIMIT };
}

routes! {
    GET "/" Access::Public, false, "Inicio", "Home" => home::home;
    GET "/static/style.css" Access::Public, false, "Hoja de estilo", "Stylesheet" => home::style;
    GET "/static/work.js" Access::Public, false, "La prueba de trabajo del formulario público", "The public form's proof of work" => home::work;
    GET "/lang/{code}" Access::Public, false, "Cambiar de idioma", "Switch language" => home::language;
    GET "/report" Access::Public, false, "Formulario para familias", "Family report form" => intake::form;
    POST "/report" Access::Public, false, "Enviar un reporte familiar", "Send a family report" => intake::submit;
    GET "/follow" Access::Public, false, "Seguir un reporte con su código", "Follow a report by its code" => intake::follow_form;
    POST "/follow" Access::Public, false, "Ver el estado de un reporte", "See a report's status" => intake::follow;
    POST "/follow/add" Access::Public, false, "Agregar información a un reporte", "Add to a report" => intake::add;
    GET "/public" Access::Public, false, "Balances publicados", "Published balances" => balance::public_list;
    GET "/public/method" Access::Public, false, "Definiciones y método", "Definitions and method" => home::method;
    GET "/public/feed.atom" Access::Public, false, "Lo publicado, como canal Atom", "What is published, as an Atom feed" => balance::feed;
    GET "/public/certified/{id}/{file}" Access::Public, false, "El manifiesto firmado de una lista certificada", "A certified list's signed manifest" => balance::certified_manifest;
    GET "/public/releases/{id}/{file}" Access::Public, false, "Un archivo de los datos abiertos", "A file of the open data" => balance::released_file;
    GET "/public/{id}" Access::Public, false, "Un balance publicado", "A published balance" => balance::public_one;
    GET "/public/{id}/names" Access::Public, false, "Los nombres detrás de un balance publicado, según el consentimiento", "The names behind a published balance, as consented" => balance::public_names;
    GET "/login" Access::Public, false, "Entrar", "Sign in" => accounts::login_form;
    POST "/login" Access::Public, false, "Entrar", "Sign in" => accounts::login;
    POST "/logout" Access::Signed, false, "Salir", "Sign out" => accounts::logout;
    GET "/invitation/{token}" Access::Public, false, "Aceptar una invitación", "Take up an invitation" => accounts::invitation_form;
    POST "/invitation/{token}" Access::Public, false, "Crear contraseña y segundo factor", "Set password and second factor" => accounts::accept;
    GET "/accounts" Access::Roles(ADMIN), false, "Cuentas", "Accounts" => accounts::list;
    POST "/accounts" Access::Roles(ADMIN), false, "Invitar una cuenta", "Invite an account" => accounts::invite_form;
    GET "/accounts/{id}/revoke" Access::Roles(ADMIN), false, "Confirmar que se revoca una cuenta", "Confirm revoking an account" => accounts::revoke_form;
    POST "/accounts/{id}/revoke" Access::Roles(ADMIN), false, "Revocar una cuenta", "Revoke an account" => accounts::revoke;
    GET "/accounts/{id}/access" Access::Roles(MANAGERS), false, "Confirmar que se restablece el acceso de una cuenta", "Confirm resetting an account's access" => accounts::access_form;
    POST "/accounts/{id}/access" Access::Roles(MANAGERS), false, "Restablecer el acceso de una cuenta (contraseña y segundo factor)", "Reset an account's access (password and second factor)" => accounts::access;
    GET "/team" Access::Roles(TRIAGE), false, "El equipo: abogados y voluntarios", "The team: lawyers and volunteers" => team::show;
    POST "/team/{id}/states" Access::Roles(TRIAGE), false, "Los estados cuyos casos ve un abogado", "The states whose cases a lawyer sees" => team::states;
    GET "/reports" Access::Roles(OWN_REPORTS), false, "Mis reportes", "My reports" => reports::mine;
    GET "/reports/new" Access::Roles(REPORTERS), false, "Reportar una detención", "Report a detention" => reports::form;
    POST "/reports/new" Access::Roles(REPORTERS), false, "Enviar un reporte", "Send a report" => reports::submit;
    GET "/reports/{id}" Access::Roles(REPORTERS), false, "Un reporte", "A report" => reports::show;
    UPLOAD "/reports/{id}/sources" Access::Roles(OWN_REPORTS), false, "Adjuntar una fuente", "Attach a source" => reports::add_source;
    GET "/sources/{id}/file" Access::Roles(REPORTERS), false, "El archivo de una fuente", "A source's file" => reports::source_file;
    GET "/triage" Access::Roles(TRIAGE), false, "Reportes nuevos", "New reports" => triage::queue;
    GET "/triage/{id}" Access::Roles(TRIAGE), false, "Revisar un reporte", "Review a report" => triage::show;
    POST "/triage/{id}/new" Access::Roles(TRIAGE), false, "Aceptar como persona nueva", "Accept as a new person" => triage::accept_new;
    POST "/triage/{id}/attach" Access::Roles(TRIAGE), false, "Vincular a una persona o detención", "Attach to a person or detention" => triage::attach;
    POST "/triage/{id}/reject" Access::Roles(TRIAGE), false, "Rechazar un reporte", "Reject a report" => triage::reject;
    POST "/triage/{id}/assign" Access::Roles(TRIAGE), false, "Asignar un reporte", "Assign a report" => triage::assign;
    GET "/persons" Access::Roles(CASES), false, "Buscar personas", "Search persons" => records::search;
    GET "/persons/{id}/file" Access::Roles(CASES), false, "La ficha de una persona, para imprimir", "A person's case file, to print" => records::case_file;
    GET "/persons/{id}" Access::Roles(CASES), false, "Una persona", "A person" => records::person;
    GET "/persons/{id}/merge" Access::Roles(TRIAGE), false, "Comparar dos personas antes de fusionarlas", "Compare two persons before merging them" => merges::compare;
    POST "/persons/{id}/merge" Access::Roles(TRIAGE), false, "Fusionar personas", "Merge persons" => merges::merge;
    POST "/persons/{id}/unmerge" Access::Roles(TRIAGE), false, "Separar personas", "Split persons" => merges::unmerge;
    POST "/persons/{id}/consent" Access::Roles(CASES), false, "Registrar el consentimiento para publicar", "Record the consent to publish" => records::consent;
    POST "/persons/{id}/identity" Access::Roles(CASES), false, "Corregir los datos de una persona", "Correct who a person is" => records::identity;
    GET "/groups/{id}" Access::Roles(CASES), false, "Una detención colectiva", "A group detention" => groups::show;
    POST "/groups/{id}/count" Access::Roles(TRIAGE), false, "Corregir el número de una detención colectiva", "Correct a group detention's number" => groups::correct;
    GET "/cases" Access::Roles(CASES), false, "Mis casos", "My cases" => records::cases;
    GET "/detentions/{id}/urgent" Access::Roles(CASES), false, "Preparar borradores de hábeas corpus y acción urgente ante la ONU", "Prepare habeas corpus and UN urgent action drafts" => alerts::urgent_form;
    POST "/detentions/{id}/urgent" Access::Roles(CASES), false, "Borradores de hábeas corpus y acción urgente ante la ONU", "Habeas corpus and UN urgent action drafts" => alerts::urgent;
    GET "/detentions/{id}/drafts/{body}" Access::Roles(CASES), false, "Preparar un borrador para el Grupo de Trabajo sobre la Detención Arbitraria o la CIDH", "Prepare a draft for the Working Group on Arbitrary Detention or the IACHR" => submissions::form;
    POST "/detentions/{id}/drafts/{body}" Access::Roles(CASES), false, "Un borrador para el Grupo de Trabajo sobre la Detención Arbitraria o la CIDH", "A draft for the Working Group on Arbitrary Detention or the IACHR" => submissions::draft;
    GET "/alerts" Access::Roles(CASES), false, "Para hoy: plazos vencidos y paraderos desconocidos", "To do today: deadlines passed and whereabouts unknown" => alerts::show;
    GET "/places" Access::Roles(CASES), false, "Centros de reclusión", "Places of detention" => places::list;
    POST "/places" Access::Roles(TRIAGE), false, "Agregar un centro de reclusión", "Add a place of detention" => places::add;
    POST "/places/alias" Access::Roles(TRIAGE), false, "Agregar otro nombre de un centro", "Add another name of a place" => places::alias;
    GET "/places/{id}" Access::Roles(CASES), false, "Un centro de reclusión", "A place of detention" => places::show;
    POST "/places/{id}" Access::Roles(TRIAGE), false, "Corregir los datos de un centro", "Correct a place's entry" => places::edit;
    POST "/places/{id}/observe" Access::Roles(CASES), false, "Registrar una observación de condiciones", "Record an observation of conditions" => places::observe;
    POST "/places/{id}/count" Access::Roles(CASES), false, "Registrar la población de un centro", "Record a place's population" => places::count;
    GET "/detentions/{id}" Access::Roles(CASES), false, "Una detención", "A detention" => records::detention;
    POST "/detentions/{id}/step" Access::Roles(CASES), false, "Registrar un paso", "Record a step" => records::step;
    POST "/detentions/{id}/case" Access::Roles(CASES), false, "Registrar en el caso judicial", "Record in the criminal case" => records::case;
    POST "/detentions/{id}/end" Access::Roles(CASES), false, "Registrar el fin", "Record the end" => records::end;
    POST "/detentions/{id}/recognition" Access::Roles(CASES), false, "Decidir el reconocimiento", "Decide recognition" => records::recognition;
    GET "/balance" Access::Roles(FIGURES), false, "Balance", "Balance" => balance::current;
    GET "/estimate" Access::Roles(&[Coordinator, Analyst]), false, "Estimación de lo no documentado", "Estimating the undocumented" => estimates::page;
    POST "/estimate/publish" Access::Roles(TRIAGE), false, "Publicar la estimación", "Publish the estimate" => estimates::publish;
    GET "/balance/download" Access::Roles(FIGURES), false, "Descargar el balance (CSV o JSON)", "Download the balance (CSV or JSON)" => balance::download;
    GET "/balance/list" Access::Roles(FIGURES), false, "La lista detrás de una cifra", "The list behind a figure" => balance::list;
    GET "/balance/list/download" Access::Roles(FIGURES), false, "Descargar la lista detrás de una cifra (CSV o XLSX)", "Download the list behind a figure (CSV or XLSX)" => balance::list_download;
    GET "/balance/publish" Access::Roles(TRIAGE), false, "Ver lo que se publicaría", "Preview a publication" => balance::publish_form;
    POST "/balance/publish" Access::Roles(TRIAGE), false, "Publicar el balance", "Publish the balance" => balance::publish;
    GET "/api/openapi.json" Access::Public, true, "Este documento", "This document" => api::openapi;
    GET "/api/publications" Access::Public, true, "Balances publicados", "Published balances" => api::publications;
    GET "/api/balance" Access::Roles(FIGURES), true, "Balance a una fecha", "Balance at a date" => api::balance;
    GET "/api/persons" Access::Roles(CASES), true, "Buscar personas (q)", "Search persons (q)" => api::search;
    GET "/api/persons/{id}" Access::Roles(CASES), true, "Una persona con sus detenciones", "A person with their detentions" => api::person;
    POST "/api/persons/{id}/identity" Access::Roles(CASES), true, "Corregir los datos de una persona", "Correct who a person is" => api::identity;
    GET "/api/detentions/{id}" Access::Roles(CASES), true, "Una detención con su historia", "A detention with its history" => api::detention;
    POST "/api/detentions/{id}/steps" Access::Roles(CASES), true, "Registrar un paso", "Record a step" => api::step;
    POST "/api/detentions/{id}/end" Access::Roles(CASES), true, "Registrar el fin", "Record the end" => api::end;
    POST "/api/detentions/{id}/recognition" Access::Roles(CASES), true, "Decidir el reconocimiento", "Decide recognition" => api::recognition;
    GET "/api/reports" Access::Roles(OWN_REPORTS), true, "Mis reportes", "My reports" => api::reports;
    POST "/api/reports" Access::Roles(REPORTERS), true, "Enviar un reporte", "Send a report" => api::submit;
    GET "/api/triage" Access::Roles(TRIAGE), true, "Reportes nuevos", "New reports" => api::queue;
    GET "/api/triage/{id}" Access::Roles(TRIAGE), true, "Un reporte con sus candidatos", "A report with its candidates" => api::candidates;
    POST "/api/triage/{id}/new" Access::Roles(TRIAGE), true, "Aceptar como persona nueva", "Accept as a new person" => api::accept_new;
    POST "/api/triage/{id}/attach" Access::Roles(TRIAGE), true, "Vincular", "Attach" => api::attach;
    POST "/api/triage/{id}/reject" Access::Roles(TRIAGE), true, "Rechazar", "Reject" => api::reject;
}
