//! Drafts for courts and international bodies, from the record and what the lawyer adds: a
//! habeas corpus request and an urgent action to the UN Working Group on Enforced or
//! Involuntary Disappearances (WGEID) for a person whose whereabouts are unknown; a
//! communication to the UN Working Group on Arbitrary Detention (WGAD) following its model
//! questionnaire, with the categories of arbitrary detention the lawyer selects; and a request
//! for precautionary measures to the Inter-American Commission on Human Rights (IACHR, Rules
//! of Procedure, art. 25). A draft lacking an element its recipient requires is refused with
//! every missing element named. The drafts are in Spanish, which both bodies accept; a lawyer
//! reviews and signs them. Each draft made is recorded (an audit fact on the detention).

use vigilia_core::ids::DetentionId;
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::{Detention, Person, Step};

use vigilia_ledger::Ledger;

use crate::actor::Actor;
use crate::error::AppError;

/// An element the UN Working Group needs in an urgent action, or the family's consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Element {
    /// The person's name.
    Name,
    /// When they were arrested or disappeared.
    Date,
    /// Where they were arrested.
    Place,
    /// The forces believed responsible.
    Forces,
    /// What the family has done to find them.
    FamilySteps,
    /// Who submits the appeal.
    Submitter,
    /// The family's consent to give the name (a person counted only is never named).
    Consent,
    /// The person's whereabouts are not unknown (any more).
    NotMissing,
    /// At least one category of arbitrary detention (WGAD).
    Categories,
    /// The circumstances of the arrest and detention, and why they are arbitrary (WGAD).
    Circumstances,
    /// What happened and what is happening now (IACHR).
    Facts,
    /// The remedies sought before the country's courts and authorities.
    DomesticSteps,
    /// The gravity of the situation (IACHR).
    Gravity,
    /// Why it is urgent (IACHR).
    Urgency,
    /// The irreparable harm it would cause (IACHR).
    Harm,
    /// The measures asked of the State (IACHR).
    Measures,
    /// The consent of the person or their family to this communication.
    SubmissionConsent,
    /// (IACHR) The beneficiary's consent to the request, or why it could not be had.
    ConsentOrReason,
}

impl Localize for Element {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            Element::Name => ("el nombre de la persona", "the person's name"),
            Element::Date => ("la fecha de la detención", "the date of the arrest"),
            Element::Place => ("el lugar de la detención", "the place of the arrest"),
            Element::Forces => (
                "los cuerpos que se cree responsables",
                "the forces believed responsible",
            ),
            Element::FamilySteps => (
                "lo que ha hecho la familia para encontrarla",
                "what the family has done to find them",
            ),
            Element::Submitter => ("quién presenta la comunicación", "who submits it"),
            Element::Consent => (
                "el consentimiento de la persona o su familia para dar su nombre fuera de la organización (si lo dieron, un coordinador lo registra en la ficha de la persona)",
                "the consent of the person or their family to give their name outside the organisation (if they gave it, a coordinator records it on the person's page)",
            ),
            Element::Categories => (
                "al menos una categoría de detención arbitraria",
                "at least one category of arbitrary detention",
            ),
            Element::Facts => (
                "los hechos: qué pasó y qué pasa ahora",
                "the facts: what happened and what is happening now",
            ),
            Element::Circumstances => (
                "las circunstancias y por qué la detención es arbitraria",
                "the circumstances and why the detention is arbitrary",
            ),
            Element::DomesticSteps => (
                "los recursos intentados ante tribunales y autoridades del país",
                "the remedies sought before the country's courts and authorities",
            ),
            Element::Gravity => (
                "la gravedad de la situación",
                "the gravity of the situation",
            ),
            Element::Urgency => ("por qué es urgente", "why it is urgent"),
            Element::Harm => ("el daño irreparable", "the irreparable harm"),
            Element::Measures => (
                "las medidas que se piden al Estado",
                "the measures asked of the State",
            ),
            Element::SubmissionConsent => (
                "el consentimiento de la persona o su familia para esta comunicación",
                "the consent of the person or their family to this communication",
            ),
            Element::ConsentOrReason => (
                "el consentimiento de la persona beneficiaria o su familia para esta solicitud, o por qué no se pudo obtener",
                "the consent of the beneficiary or their family to this request, or why it could not be had",
            ),
            Element::NotMissing => (
                "que el paradero siga desconocido: el registro no lo tiene así",
                "that the whereabouts are still unknown: the registry does not say so",
            ),
        };
        lang.pick(es, en).to_string()
    }
}

/// The habeas corpus, and the UN urgent action (none when the name may not leave the
/// organisation).
pub type UrgentDrafts = (String, Option<String>);

/// Drafts of a habeas corpus request and of an urgent action to the UN Working Group on
/// Enforced or Involuntary Disappearances for a person whose whereabouts are unknown, in
/// Spanish, from the record and what the lawyer adds (the family's steps, who submits);
/// refused, naming every element that is missing, when one of the six the Working Group
/// requires is missing. Without the family's consent to give the name, the urgent action is
/// not drafted (and says why); the court filing is.
pub fn urgent_action(
    ledger: &mut Ledger,
    actor: &Actor,
    id: DetentionId,
    family_steps: &str,
    submitter: &str,
) -> Result<Result<UrgentDrafts, Vec<Element>>, AppError> {
    let Facts {
        person,
        d,
        name,
        id_line,
        state,
        place,
        forces,
        ..
    } = facts(ledger, actor, id)?;
    let mut missing = Vec::new();
    // Missing until an explicit "whereabouts known" (the balance's rule, so that the alert, the
    // figure and this page agree).
    use vigilia_core::model::Custody;
    let since = d
        .steps
        .iter()
        .filter_map(|s| match &s.what {
            Step::Custody(Custody::WhereaboutsUnknown) => Some(Some(s.date)),
            Step::Custody(Custody::WhereaboutsKnown) => Some(None),
            _ => None,
        })
        // Unknown again while still unknown: it has been unknown since the first.
        .fold(None, |state, step| step.map(|on| state.unwrap_or(on)));
    if since.is_none() || d.end.is_some() {
        missing.push(Element::NotMissing);
    }
    if name.trim().is_empty() {
        missing.push(Element::Name);
    }
    if place.is_empty() {
        missing.push(Element::Place);
    }
    if forces.trim().is_empty() {
        missing.push(Element::Forces);
    }
    let (steps, by) = (family_steps.trim(), submitter.trim());
    if steps.is_empty() {
        missing.push(Element::FamilySteps);
    }
    if by.is_empty() {
        missing.push(Element::Submitter);
    }
    let consented = named(&person);
    if !missing.is_empty() {
        if !consented {
            missing.push(Element::Consent);
        }
        return Ok(Err(missing));
    }
    let arrested = on(d.arrest.date);
    let unknown_since = since.flatten().map(on).unwrap_or_else(|| arrested.clone());
    // Caracas's courts are those of its metropolitan area, not of a "state".
    let circuit = match state.as_str() {
        "Distrito Capital" => "del Área Metropolitana de Caracas".to_string(),
        "" => "competente".to_string(),
        s => format!("del estado {s}"),
    };
    let (detained, presented) = match person.identity.sex {
        Some(vigilia_core::model::Sex::F) => ("detenida", "presentada"),
        Some(vigilia_core::model::Sex::M) => ("detenido", "presentado"),
        // Neither a woman nor a man, or not recorded: said of «la persona», never «o».
        _ => ("persona detenida", "presentada la persona"),
    };
    let habeas = format!(
        "SOLICITUD DE HÁBEAS CORPUS (borrador)\n\n\
         A: Juez o Jueza de Control del Circuito Judicial Penal {circuit} (verifique el \
         tribunal competente y la norma: acción de amparo a la libertad y seguridad personales, \
         Constitución, art. 27; cita sin verificar por un abogado de la organización).\n\n\
         Quien suscribe, {by}, solicita mandamiento de hábeas corpus a favor de {name}{id_line}, \
         {detained} {arrested} en {place} por funcionarios de {forces}, cuyo paradero se \
         desconoce desde \
         {unknown_since}: ni su familia ni su defensa saben dónde se encuentra.\n\n\
         Gestiones de la familia: {steps}\n\n\
         Se pide que la autoridad informe de inmediato dónde se encuentra, por orden de quién y \
         por qué, que sea {presented} ante el tribunal, y que se garantice su integridad y su \
         derecho a comunicarse con su familia y su defensa.\n\n\
         Firma, número de Inpreabogado y domicilio procesal de quien suscribe: ______\n"
    );
    if !consented {
        // A court filing names the person in any case; the UN is given a name only with the
        // family's consent.
        return Ok(Ok((habeas, None)));
    }
    let appeal = format!(
        "ACCIÓN URGENTE – Grupo de Trabajo de la ONU sobre Desapariciones Forzadas o \
         Involuntarias (borrador)\n\n\
         1. Persona desaparecida: {name}{id_line}.\n\
         2. Fecha: {detained} {arrested}; paradero desconocido desde {unknown_since}.\n\
         3. Lugar: {place}.\n\
         4. Fuerzas que se cree responsables: {forces}.\n\
         5. Gestiones de la familia: {steps}\n\
         6. Presenta: {by}.\n\n\
         La familia consintió en que se dé el nombre.\n"
    );
    Ok(Ok((habeas, Some(appeal))))
}

/// A category of arbitrary detention, as the WGAD defines them (Methods of work, para. 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    I,
    II,
    III,
    IV,
    V,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::I,
        Category::II,
        Category::III,
        Category::IV,
        Category::V,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Category::I => "I",
            Category::II => "II",
            Category::III => "III",
            Category::IV => "IV",
            Category::V => "V",
        }
    }

    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name.trim()))
    }
}

impl Localize for Category {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            Category::I => (
                "Categoría I: no puede invocarse base legal alguna que la justifique",
                "Category I: no legal basis can be invoked to justify it",
            ),
            Category::II => (
                "Categoría II: resulta del ejercicio de derechos y libertades (expresión, reunión, asociación, participación política…)",
                "Category II: it results from the exercise of rights and freedoms (expression, assembly, association, political participation…)",
            ),
            Category::III => (
                "Categoría III: no se observaron las normas del derecho a un juicio imparcial",
                "Category III: the norms of the right to a fair trial were not observed",
            ),
            Category::IV => (
                "Categoría IV: solicitantes de asilo, inmigrantes o refugiados en custodia administrativa prolongada sin revisión",
                "Category IV: asylum seekers, immigrants or refugees in prolonged administrative custody without review",
            ),
            Category::V => (
                "Categoría V: discriminación (opinión política, origen, sexo, religión, orientación sexual…)",
                "Category V: discrimination (political opinion, origin, sex, religion, sexual orientation…)",
            ),
        };
        lang.pick(es, en).to_string()
    }
}

/// What the lawyer adds to the record for a WGAD communication or an IACHR request.
#[derive(Clone, Debug, Default)]
pub struct SubmissionForm {
    /// Who submits it (name, organisation, address).
    pub submitter: String,
    /// WGAD: the circumstances and why the detention is arbitrary; IACHR: the facts.
    pub circumstances: String,
    /// The remedies sought in the country (habeas corpus, appeals, complaints) and their result.
    pub domestic_steps: String,
    /// WGAD: the categories selected.
    pub categories: Vec<Category>,
    /// IACHR: gravity, urgency, irreparable harm, the measures asked.
    pub gravity: String,
    pub urgency: String,
    pub harm: String,
    pub measures: String,
    /// The person or their family consented to this communication.
    pub consent: bool,
    /// IACHR: why the consent could not be had.
    pub no_consent_reason: String,
}

/// What the record gives every draft about the person and the detention.
struct Facts {
    person: Person,
    d: Detention,
    name: String,
    id_line: String,
    state: String,
    place: String,
    forces: String,
    held_at: Option<String>,
    /// Whether, today, the person's whereabouts are unknown, and since when.
    missing_since: Option<Option<vigilia_core::date::PartialDate>>,
    /// The charges as written, and with the law and article each cites, where the profile has it.
    charges: Vec<String>,
    laws: Vec<String>,
    court: Option<String>,
    case_number: Option<String>,
    /// The State the body is asked about (the country profile's name).
    country: String,
}

fn facts(ledger: &mut Ledger, actor: &Actor, id: DetentionId) -> Result<Facts, AppError> {
    let d = crate::records::in_scope(ledger, actor, id)?;
    // The person as the outside may know them: the one merged into, with the strictest
    // consent of the records merged (what every output that leaves the organisation uses).
    let person = crate::public::published_person(ledger, d.person)?
        .ok_or(AppError::NotFound(d.person.into()))?;
    let profile = ledger.profile()?.clone();
    let state = d
        .arrest
        .state
        .as_deref()
        .map(|s| profile.state_name(s).unwrap_or(s).to_string())
        .unwrap_or_default();
    let place = [
        d.arrest.circumstances.clone(),
        d.arrest.municipality.clone(),
        (!state.is_empty()).then(|| state.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let today = ledger.today()?;
    let case = vigilia_core::case::Case::of(&d, today);
    let laws = case
        .charges
        .iter()
        .map(
            |c| match profile.charges.find(c, &[]).and_then(|n| n.law.clone()) {
                Some(law) => format!("{c}: {law}"),
                None => format!("{c}: norma no identificada en el registro"),
            },
        )
        .collect();
    let court = case
        .court
        .name
        .clone()
        .map(|n| match case.court.jurisdiction {
            Some(j) => format!("{n}, {}", j.localize(Lang::Es)),
            None => n,
        });
    use vigilia_core::model::Custody;
    let missing_since = match d.custody_on(today) {
        Some(Custody::WhereaboutsUnknown) => Some(
            d.steps
                .iter()
                .rev()
                .find(|s| matches!(s.what, Step::Custody(Custody::WhereaboutsUnknown)))
                .and_then(|s| s.date),
        ),
        _ => None,
    };
    Ok(Facts {
        name: person.identity.full_name(),
        id_line: cedula(&person),
        state,
        place,
        forces: d.arrest.agency.clone().unwrap_or_default(),
        held_at: crate::places::held_at(&d, today).map(str::to_string),
        missing_since,
        charges: case.charges.clone(),
        laws,
        court,
        case_number: case.court.case_number.clone(),
        country: profile.name.clone(),
        person,
        d,
    })
}

impl Facts {
    /// Where the person is now, in words: in freedom since the end, whereabouts unknown since,
    /// the place held at, or that the record does not say.
    fn now(&self) -> String {
        if let Some(e) = &self.d.end {
            return format!(
                "en libertad desde {} ({})",
                on(e.date),
                e.kind.localize(Lang::Es)
            );
        }
        match (&self.missing_since, &self.held_at) {
            (Some(Some(since)), _) => format!("paradero desconocido desde {}", on(*since)),
            (Some(None), _) => "paradero desconocido".to_string(),
            (None, Some(at)) => format!("en {at}"),
            (None, None) => "lugar de reclusión no consta en el registro".to_string(),
        }
    }

    /// The court and the case number, as far as the record has them.
    fn court_and_case(&self) -> Option<String> {
        match (&self.court, &self.case_number) {
            (Some(c), Some(n)) => Some(format!("{c}, expediente {n}")),
            (Some(c), None) => Some(c.clone()),
            _ => None,
        }
    }
}

/// The cédula as Venezuelans write it: `, cédula V-12.345.678` (nothing without one).
fn cedula(person: &Person) -> String {
    person
        .identity
        .national_id
        .map(|n| {
            let kind = n.to_string().chars().next().unwrap_or('V');
            format!(", cédula {kind}-{}", Lang::Es.number(u64::from(n.number)))
        })
        .unwrap_or_default()
}

/// Whether the person's name may leave the organisation: only with the consent to be named.
/// A body the draft goes to passes it to the government concerned, the state the family hid
/// the name from.
fn named(p: &Person) -> bool {
    p.disclosure == vigilia_core::model::Disclosure::Named
}

/// The elements every communication needs from the record and the form.
/// `told`: what the lawyer's account of the events is called for this body.
fn common_missing(f: &Facts, form: &SubmissionForm, told: Element) -> Vec<Element> {
    let mut missing = Vec::new();
    if !named(&f.person) {
        missing.push(Element::Consent);
    }
    if f.name.trim().is_empty() {
        missing.push(Element::Name);
    }
    if f.forces.trim().is_empty() {
        missing.push(Element::Forces);
    }
    if f.place.is_empty() {
        missing.push(Element::Place);
    }
    if form.circumstances.trim().is_empty() {
        missing.push(told);
    }
    if form.submitter.trim().is_empty() {
        missing.push(Element::Submitter);
    }
    missing
}

/// A date in a sentence: «el 14/11/2026» for a day, «en 11/2026» or «en 2026» for less.
fn on(date: vigilia_core::date::PartialDate) -> String {
    if date.is_exact() {
        format!("el {}", date.short(Lang::Es))
    } else {
        format!("en {}", date.short(Lang::Es))
    }
}

/// «detenida», «detenido», or «persona detenida» of one who is neither or not recorded.
fn detained(p: &Person) -> &'static str {
    match p.identity.sex {
        Some(vigilia_core::model::Sex::F) => "detenida",
        Some(vigilia_core::model::Sex::M) => "detenido",
        _ => "persona detenida",
    }
}

fn still_held(p: &Person) -> &'static str {
    vigilia_core::words::still_held(p.identity.sex, Lang::Es)
}

fn or_unknown(text: &str) -> &str {
    if text.trim().is_empty() {
        "no consta en el registro"
    } else {
        text.trim()
    }
}

/// The places the person was held, transfers included, as the record has them.
fn places_held(d: &Detention) -> String {
    use vigilia_core::model::Custody;
    let mut out: Vec<String> = Vec::new();
    for s in &d.steps {
        if let Step::Custody(
            Custody::Held { facility: Some(f) } | Custody::Hospital { facility: Some(f) },
        ) = &s.what
        {
            let when = s
                .date
                .map(|x| format!(" (desde el {})", x.short(Lang::Es)))
                .unwrap_or_default();
            out.push(format!("{f}{when}"));
        }
    }
    out.join("; ")
}

/// A communication to the UN Working Group on Arbitrary Detention, following its model
/// questionnaire; refused with every missing element named.
pub fn wgad(
    ledger: &mut Ledger,
    actor: &Actor,
    id: DetentionId,
    form: &SubmissionForm,
) -> Result<Result<String, Vec<Element>>, AppError> {
    let f = facts(ledger, actor, id)?;
    let mut missing = common_missing(&f, form, Element::Circumstances);
    if form.categories.is_empty() {
        missing.push(Element::Categories);
    }
    if !form.consent {
        missing.push(Element::SubmissionConsent);
    }
    if !missing.is_empty() {
        return Ok(Err(missing));
    }
    let today = ledger.today()?;
    let i = &f.person.identity;
    let d = &f.d;
    let sex = i.sex.map(|s| s.localize(Lang::Es)).unwrap_or_default();
    let born = i.birth_date.map(|b| b.short(Lang::Es)).unwrap_or_default();
    let held = match (d.end.as_ref(), d.arrest.date.is_exact()) {
        (Some(e), _) => format!(
            "desde {} hasta {} ({})",
            on(d.arrest.date),
            on(e.date),
            e.kind.localize(Lang::Es)
        ),
        (None, true) => {
            let days = (today - d.arrest.date.first_day()).get_days().max(0);
            format!("{days} días a la fecha; {}", still_held(&f.person))
        }
        (None, false) => format!(
            "desde {} (el día no consta); {}",
            on(d.arrest.date),
            still_held(&f.person)
        ),
    };
    let categories = form
        .categories
        .iter()
        .map(|c| format!("- {}", c.localize(Lang::Es)))
        .collect::<Vec<_>>()
        .join("\n");
    let (charges, laws) = if f.charges.is_empty() {
        (
            "no constan en el registro".to_string(),
            "no consta en el registro".to_string(),
        )
    } else {
        (f.charges.join("; "), f.laws.join("; "))
    };
    let places = places_held(d);
    let now_at = f.now();
    let court = f
        .court_and_case()
        .unwrap_or_else(|| "no consta en el registro".to_string());
    Ok(Ok(format!(
        "COMUNICACIÓN AL GRUPO DE TRABAJO DE LA ONU SOBRE LA DETENCIÓN ARBITRARIA\n\
         Borrador según su cuestionario modelo. Estado: {country}.\n\n\
         I. IDENTIDAD\n\
         1. Apellidos: {surnames}\n\
         2. Nombres: {given}\n\
         3. Sexo: {sex}\n\
         4. Fecha de nacimiento o edad: {born}\n\
         5. Nacionalidad: ______\n\
         6. Documento de identidad: {id_line}\n\
         7. Profesión o actividad: ______\n\
         8. Domicilio habitual: ______\n\n\
         II. ARRESTO\n\
         1. Fecha: {arrested}\n\
         2. Lugar: {place}\n\
         3. Fuerzas que lo practicaron: {forces}\n\
         4. ¿Se mostró una orden de detención u otra decisión de una autoridad? ______\n\
         5. Autoridad que la dictó: ______\n\
         6. Motivos imputados por las autoridades: {charges}\n\
         7. Base legal invocada: {laws}\n\n\
         III. DETENCIÓN\n\
         1. Fecha: {arrested}\n\
         2. Duración: {held}\n\
         3. Fuerzas que la custodian: ______\n\
         4. Lugares de detención (traslados incluidos): {places}. Situación actual: {now_at}.\n\
         5. Autoridades que la ordenaron: {court}\n\
         6 y 7. Motivos y base legal: véanse II.6 y II.7.\n\n\
         IV. CIRCUNSTANCIAS Y POR QUÉ LA DETENCIÓN ES ARBITRARIA\n{circumstances}\n\n\
         Categorías invocadas:\n{categories}\n\n\
         V. RECURSOS INTERNOS INTENTADOS\n{steps}\n\n\
         VI. QUIÉN PRESENTA\n{submitter}\n\
         La persona detenida o su familia consintió en esta comunicación.\n\n\
         Fecha: {today}          Firma: ______\n",
        country = f.country,
        surnames = or_unknown(&i.surnames()),
        given = or_unknown(i.given_names.as_deref().unwrap_or_default()),
        sex = or_unknown(&sex),
        born = or_unknown(&born),
        id_line = or_unknown(f.id_line.trim_start_matches(", ")),
        arrested = d.arrest.date.short(Lang::Es),
        place = f.place,
        forces = f.forces,
        places = or_unknown(&places),
        circumstances = form.circumstances.trim(),
        // The Working Group does not require remedies exhausted: left for the lawyer if none.
        steps = or_blank(form.domestic_steps.trim()),
        submitter = form.submitter.trim(),
        today = vigilia_core::date::short_day(today, Lang::Es),
    )))
}

/// The text, or a blank for the lawyer to fill.
fn or_blank(text: &str) -> &str {
    if text.is_empty() { "______" } else { text }
}

/// A request for precautionary measures to the Inter-American Commission on Human Rights
/// (Rules of Procedure, art. 25): gravity, urgency, irreparable harm, the beneficiary's consent
/// or why it could not be had; refused with every missing element named.
pub fn iachr(
    ledger: &mut Ledger,
    actor: &Actor,
    id: DetentionId,
    form: &SubmissionForm,
) -> Result<Result<String, Vec<Element>>, AppError> {
    let f = facts(ledger, actor, id)?;
    let mut missing = common_missing(&f, form, Element::Facts);
    for (text, element) in [
        (&form.gravity, Element::Gravity),
        (&form.urgency, Element::Urgency),
        (&form.harm, Element::Harm),
        (&form.measures, Element::Measures),
    ] {
        if text.trim().is_empty() {
            missing.push(element);
        }
    }
    if !form.consent && form.no_consent_reason.trim().is_empty() {
        missing.push(Element::ConsentOrReason);
    }
    if !missing.is_empty() {
        return Ok(Err(missing));
    }
    let today = ledger.today()?;
    let d = &f.d;
    let consent = if form.consent {
        "La persona beneficiaria, o su familia, consintió en esta solicitud.".to_string()
    } else {
        format!(
            "No se pudo obtener el consentimiento de la persona beneficiaria: {}",
            form.no_consent_reason.trim()
        )
    };
    // Left blank for the lawyer: article 25 asks why, when none was made.
    let steps = if form.domestic_steps.trim().is_empty() {
        "______".to_string()
    } else {
        form.domestic_steps.trim().to_string()
    };
    let custody = f.now();
    let court = f
        .court_and_case()
        .map(|c| format!(" Tribunal: {c}."))
        .unwrap_or_default();
    Ok(Ok(format!(
        "SOLICITUD DE MEDIDAS CAUTELARES – Comisión Interamericana de Derechos Humanos, \
         Reglamento, art. 25 (borrador)\n\
         Estado: {country}.\n\n\
         1. Persona propuesta como beneficiaria: {name}{id_line}. ¿Pide que su identidad se \
         mantenga en reserva ante el Estado? ______\n\
         2. Hechos: {detained} {arrested} en {place} por funcionarios de {forces}; situación \
         actual: \
         {custody}. Cargos: {charges}.{court}\n{circumstances}\n\n\
         3. Gravedad: {gravity}\n\n\
         4. Urgencia: {urgency}\n\n\
         5. Daño irreparable: {harm}\n\n\
         6. Medidas que se solicitan al Estado: {measures}\n\n\
         7. Gestiones ante las autoridades del Estado: {steps}\n\n\
         8. Consentimiento: {consent}\n\n\
         9. Presenta: {submitter}\n\n\
         Fecha: {today}          Firma: ______\n",
        name = f.name,
        id_line = f.id_line,
        country = f.country,
        detained = detained(&f.person),
        arrested = on(d.arrest.date),
        place = f.place,
        forces = f.forces,
        charges = if f.charges.is_empty() {
            "no constan".to_string()
        } else {
            f.charges.join("; ")
        },
        circumstances = form.circumstances.trim(),
        gravity = form.gravity.trim(),
        urgency = form.urgency.trim(),
        harm = form.harm.trim(),
        measures = form.measures.trim(),
        today = vigilia_core::date::short_day(today, Lang::Es),
        submitter = form.submitter.trim(),
    )))
}
