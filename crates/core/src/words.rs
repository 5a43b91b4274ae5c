//! The vocabulary people read: every value of the model a page or a text shows, in Spanish (as
//! a Venezuelan organisation writes it) and English. Codes (`released_under_measures`) stay in
//! files and the API; people read these.

use crate::case::{Defence, HearingOutcome, Jurisdiction, Measure, MeasureKind, Phase};
use crate::date::PartialDate;
use crate::lang::{Lang, Localize};
use crate::model::{
    Custody, Disclosure, EndType, RecognitionStatus, Reliability, ReportStatus, Service, Sex, Step,
};

/// «lista certificada n.º 3 (al 15/11/2026)»: a numbered output of a day.
fn numbered(lang: Lang, (es, en): (&str, &str), version: u64, as_of: crate::date::Day) -> String {
    let day = crate::date::short_day(as_of, lang);
    match lang {
        Lang::Es => format!("{es} n.º {version} (al {day})"),
        Lang::En => format!("{en} no. {version} (as of {day})"),
    }
}

/// «sigue privada de libertad», agreeing with the person's sex when it is a woman's or a
/// man's; otherwise said without a gender («en privación de libertad»), never «privada o
/// privado» of a person who is neither.
pub fn still_held(sex: Option<Sex>, lang: Lang) -> &'static str {
    match (lang, sex) {
        (Lang::Es, Some(Sex::F)) => "sigue privada de libertad",
        (Lang::Es, Some(Sex::M)) => "sigue privado de libertad",
        (Lang::Es, _) => "sigue en privación de libertad",
        (Lang::En, _) => "still held",
    }
}

fn pick(lang: Lang, es: &str, en: &str) -> String {
    match lang {
        Lang::Es => es.to_string(),
        Lang::En => en.to_string(),
    }
}

impl Localize for EndType {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            EndType::Released => ("liberación plena", "released"),
            EndType::ReleasedUnderMeasures => (
                "excarcelación con medidas cautelares",
                "released under restrictions",
            ),
            EndType::Deported => ("expulsión del país", "deported"),
            EndType::DiedInCustody => ("muerte bajo custodia", "died in custody"),
            EndType::Escaped => ("fuga", "escaped"),
            EndType::Unknown => ("fin de causa desconocida", "ended, how is not known"),
        };
        pick(lang, es, en)
    }
}

impl Localize for RecognitionStatus {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            RecognitionStatus::Recognised => {
                ("preso político reconocido", "recognised political prisoner")
            }
            RecognitionStatus::UnderStudy => ("en estudio", "under study"),
            RecognitionStatus::NotRecognised => {
                ("no reconocido como preso político", "not recognised")
            }
        };
        pick(lang, es, en)
    }
}

impl Localize for Disclosure {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            Disclosure::Named => (
                "se publica su nombre completo",
                "their full name is published",
            ),
            Disclosure::Initials => (
                "solo sus iniciales y el estado",
                "only their initials and state",
            ),
            Disclosure::CountOnly => (
                "solo se cuenta, nunca se nombra",
                "counted only, never named",
            ),
        };
        pick(lang, es, en)
    }
}

impl Localize for Reliability {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            Reliability::Confirmed => ("confirmada", "confirmed"),
            Reliability::Probable => ("probable", "probable"),
            Reliability::Unverified => ("sin verificar", "unverified"),
        };
        pick(lang, es, en)
    }
}

impl Localize for ReportStatus {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            ReportStatus::New => ("recibido, en revisión", "received, being reviewed"),
            ReportStatus::Accepted => ("verificado", "verified"),
            ReportStatus::Rejected => ("no se pudo verificar", "could not be verified"),
        };
        pick(lang, es, en)
    }
}

impl Localize for Sex {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            Sex::F => ("mujer", "woman"),
            Sex::M => ("hombre", "man"),
            Sex::X => ("otro", "other"),
        };
        pick(lang, es, en)
    }
}

impl Localize for crate::model::ConsentGiver {
    /// Who decided, as a history says it ("lo decidió la familia").
    fn localize(&self, lang: Lang) -> String {
        use crate::model::ConsentGiver as G;
        let (es, en) = match self {
            G::Family => ("lo decidió la familia", "decided by the family"),
            G::Person => ("lo decidió la persona", "decided by the person"),
            G::Lawyer => ("lo decidió su abogado o abogada", "decided by their lawyer"),
        };
        pick(lang, es, en)
    }
}

impl Localize for crate::model::FacilityType {
    fn localize(&self, lang: Lang) -> String {
        use crate::model::FacilityType as T;
        let (es, en) = match self {
            T::Prison => ("cárcel o centro penitenciario", "prison"),
            T::PoliceCell => ("calabozo policial", "police cells"),
            T::Intelligence => (
                "sede de un servicio de inteligencia",
                "intelligence service",
            ),
            T::Military => ("instalación militar", "military"),
            T::Other => ("otro lugar", "other place"),
        };
        pick(lang, es, en)
    }
}

/// An aspect of a place's conditions ([`crate::model::Observation::ASPECTS`]) in words.
pub fn aspect(name: &str, lang: Lang) -> String {
    let (es, en) = match name {
        "family_visits" => ("visitas de la familia", "family visits"),
        "lawyer_access" => ("acceso de la defensa", "lawyer access"),
        "food" => ("alimentación", "food"),
        "water" => ("agua", "water"),
        "health_care" => ("atención médica", "health care"),
        "isolation" => ("aislamiento", "isolation"),
        "death" => ("muertes y su causa", "deaths and their cause"),
        "torture" => ("tortura o malos tratos", "torture or ill-treatment"),
        _ => ("otro", "other"),
    };
    pick(lang, es, en)
}

impl Localize for Phase {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            Phase::PresentationHearing => ("audiencia de presentación", "presentation hearing"),
            Phase::Investigation => ("investigación", "investigation"),
            Phase::Indictment => ("acusación", "indictment"),
            Phase::PreliminaryHearing => ("audiencia preliminar", "preliminary hearing"),
            Phase::Trial => ("juicio", "trial"),
            Phase::Sentence => ("sentencia", "sentence"),
            Phase::Enforcement => ("ejecución de la pena", "serving the sentence"),
        };
        pick(lang, es, en)
    }
}

impl Localize for Jurisdiction {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            Jurisdiction::Civilian => ("jurisdicción civil (ordinaria)", "civilian jurisdiction"),
            Jurisdiction::Military => ("jurisdicción militar", "military jurisdiction"),
        };
        pick(lang, es, en)
    }
}

impl Localize for Defence {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            Defence::Private => (
                "defensa privada de su confianza",
                "private defence of their choice",
            ),
            Defence::Imposed => (
                "el tribunal le impuso un defensor público",
                "the court imposed a public defender",
            ),
            Defence::Denied => ("se le negó la defensa", "denied a defence"),
        };
        pick(lang, es, en)
    }
}

impl Localize for HearingOutcome {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            HearingOutcome::Scheduled => ("fijada", "set"),
            HearingOutcome::Held => ("celebrada", "held"),
            HearingOutcome::Deferred => ("diferida", "deferred"),
            HearingOutcome::Cancelled => ("anulada (sin nueva fecha)", "called off (no new date)"),
        };
        pick(lang, es, en)
    }
}

impl Localize for MeasureKind {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            MeasureKind::Presentation => (
                "presentación periódica ante el tribunal",
                "periodic reporting to the court",
            ),
            MeasureKind::NoLeavingCountry => {
                ("prohibición de salida del país", "not to leave the country")
            }
            MeasureKind::NoLeavingLocality => (
                "prohibición de salir de la localidad",
                "not to leave the locality",
            ),
            MeasureKind::NoPress => (
                "prohibición de declarar a medios y redes",
                "not to speak to the press or online",
            ),
            MeasureKind::Other => ("otra medida", "another measure"),
        };
        pick(lang, es, en)
    }
}

impl Localize for Measure {
    /// `presentación periódica ante el tribunal, cada 30 días, ante Tribunal 3.º de Control`;
    /// another measure as written.
    fn localize(&self, lang: Lang) -> String {
        if self.kind == MeasureKind::Other {
            return self
                .text
                .clone()
                .unwrap_or_else(|| self.kind.localize(lang));
        }
        let mut out = self.kind.localize(lang);
        if let Some(n) = self.every_days {
            out.push_str(&match lang {
                Lang::Es => format!(", cada {n} días"),
                Lang::En => format!(", every {n} days"),
            });
        }
        if let Some(c) = &self.court {
            out.push_str(&format!(", {} {c}", pick(lang, "ante", "before")));
        }
        out
    }
}

impl Localize for Service {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            Service::Civilian => ("civil", "civilian"),
            Service::Military => ("militar", "military"),
        };
        pick(lang, es, en)
    }
}

/// «datos de la persona: María Pérez, cédula V-12345678» when a person is first stated; a
/// correction says what it set and what it left unknown, and why: «datos corregidos: sexo:
/// mujer; nacimiento: 04/03/1990; sin dato: cédula (verificado con la partida)».
fn stated(
    i: &crate::model::Identity,
    cleared: &[String],
    reason: Option<&str>,
    lang: Lang,
) -> String {
    let mut said = match reason {
        // A correction names each part of the name it set («segundo apellido: Rojas»).
        Some(_) => {
            let parts = [
                (&i.given_names, "given_names"),
                (&i.paternal_surname, "paternal_surname"),
                (&i.maternal_surname, "maternal_surname"),
            ];
            let mut said: Vec<String> = parts
                .iter()
                .filter_map(|(v, f)| v.as_ref().map(|v| format!("{}: {v}", field_name(f, lang))))
                .collect();
            let rest = crate::model::Identity {
                given_names: None,
                paternal_surname: None,
                maternal_surname: None,
                ..i.clone()
            };
            said.extend(identity_said(&rest, lang));
            said
        }
        None => identity_said(i, lang),
    };
    if !cleared.is_empty() {
        let fields: Vec<String> = cleared.iter().map(|f| field_name(f, lang)).collect();
        said.push(format!(
            "{}: {}",
            pick(lang, "sin dato", "not known"),
            fields.join(", ")
        ));
    }
    let mut out = match reason {
        Some(_) => pick(lang, "datos corregidos", "data corrected"),
        None => pick(lang, "datos de la persona", "who the person is"),
    };
    if !said.is_empty() {
        out.push_str(": ");
        out.push_str(&said.join(if reason.is_some() { "; " } else { ", " }));
    }
    if let Some(r) = reason {
        out.push_str(&format!(" ({r})"));
    }
    out
}

/// What an identity says, each field in words: «María Pérez», «cédula V-12345678», «sexo:
/// mujer», «nacimiento: 04/03/1990», «militar», «grado: sargento».
pub fn identity_said(i: &crate::model::Identity, lang: Lang) -> Vec<String> {
    let mut said = Vec::new();
    let name = i.full_name();
    if !name.is_empty() {
        said.push(name);
    }
    if let Some(n) = &i.national_id {
        said.push(format!("{} {n}", pick(lang, "cédula", "ID")));
    }
    if let Some(s) = i.sex {
        said.push(format!(
            "{}: {}",
            pick(lang, "sexo", "sex"),
            s.localize(lang)
        ));
    }
    if let Some(b) = i.birth_date {
        said.push(format!(
            "{}: {}",
            pick(lang, "nacimiento", "born"),
            b.short(lang)
        ));
    }
    if let Some(s) = i.service {
        said.push(s.localize(lang));
    }
    if let Some(r) = &i.rank {
        said.push(format!("{}: {r}", pick(lang, "grado", "rank")));
    }
    said
}

/// A person's field as a form labels it (`national_id`: «cédula»).
pub fn field_name(field: &str, lang: Lang) -> String {
    let (es, en) = match field {
        "given_names" => ("nombres", "given names"),
        "paternal_surname" => ("primer apellido", "first surname"),
        "maternal_surname" => ("segundo apellido", "second surname"),
        "national_id" => ("cédula", "ID number"),
        "sex" => ("sexo", "sex"),
        "birth_date" => ("fecha de nacimiento", "birth date"),
        "service" => ("civil o militar", "civilian or military"),
        "rank" => ("grado", "rank"),
        "nationalities" => ("nacionalidad", "nationality"),
        other => (other, other),
    };
    pick(lang, es, en)
}

/// Where a place is said, or "a place not known" when it is not.
fn place(facility: &Option<String>, lang: Lang) -> String {
    match facility {
        Some(f) => f.clone(),
        None => pick(lang, "un lugar no conocido", "a place not known"),
    }
}

impl Localize for Custody {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (Custody::Held { facility }, Lang::Es) => {
                format!("reclusión en {}", place(facility, lang))
            }
            (Custody::Held { facility }, Lang::En) => format!("held at {}", place(facility, lang)),
            (Custody::WhereaboutsUnknown, _) => pick(
                lang,
                "paradero desconocido: la familia y la defensa no saben dónde está",
                "whereabouts unknown: family and lawyers do not know where they are held",
            ),
            (Custody::WhereaboutsKnown, _) => pick(
                lang,
                "se conoce de nuevo su paradero",
                "whereabouts known again",
            ),
            (Custody::HouseArrest, _) => pick(lang, "arresto domiciliario", "house arrest"),
            (Custody::Hospital { facility }, Lang::Es) => {
                format!("hospitalizado bajo custodia en {}", place(facility, lang))
            }
            (Custody::Hospital { facility }, Lang::En) => {
                format!("in hospital under custody at {}", place(facility, lang))
            }
        }
    }
}

impl Localize for Step {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (Step::Custody(c), _) => c.localize(lang),
            (
                Step::CourtPresentation {
                    court,
                    military_court,
                },
                Lang::Es,
            ) => {
                let military = if *military_court == Some(true) {
                    " (tribunal militar)"
                } else {
                    ""
                };
                match court {
                    Some(c) => format!("presentado ante el tribunal: {c}{military}"),
                    None => format!("presentado ante un tribunal{military}"),
                }
            }
            (
                Step::CourtPresentation {
                    court,
                    military_court,
                },
                Lang::En,
            ) => {
                let military = if *military_court == Some(true) {
                    " (military court)"
                } else {
                    ""
                };
                match court {
                    Some(c) => format!("presented before the court: {c}{military}"),
                    None => format!("presented before a court{military}"),
                }
            }
            (Step::Charged { charges }, Lang::Es) => {
                format!("imputado por: {}", charges.join(", "))
            }
            (Step::Charged { charges }, Lang::En) => {
                format!("charged with: {}", charges.join(", "))
            }
            (Step::Defence { imposed, denied }, _) => {
                let d = if *denied {
                    Defence::Denied
                } else if *imposed {
                    Defence::Imposed
                } else {
                    Defence::Private
                };
                d.localize(lang)
            }
            (Step::CaseStage { phase }, _) => format!(
                "{}: {}",
                pick(lang, "fase del proceso", "phase of the case"),
                phase.localize(lang)
            ),
            (
                Step::CourtAssigned {
                    jurisdiction,
                    court,
                    judge,
                    case_number,
                },
                _,
            ) => {
                let mut parts = vec![pick(lang, "tribunal de la causa", "court of the case")];
                parts.extend(court.clone());
                parts.extend(jurisdiction.map(|j| j.localize(lang)));
                parts.extend(
                    judge
                        .as_ref()
                        .map(|j| format!("{} {j}", pick(lang, "juez o jueza", "judge"))),
                );
                parts.extend(
                    case_number
                        .as_ref()
                        .map(|n| format!("{} {n}", pick(lang, "expediente", "case no."))),
                );
                parts.join(" · ")
            }
            (Step::Hearing { outcome, reason }, _) => {
                let mut out = format!(
                    "{}: {}",
                    pick(lang, "audiencia", "hearing"),
                    outcome.localize(lang)
                );
                if let Some(r) = reason {
                    out.push_str(&format!(" ({r})"));
                }
                out
            }
            (Step::MeasuresImposed { measures }, _) => format!(
                "{}: {}",
                pick(lang, "medidas cautelares", "measures imposed"),
                measures
                    .iter()
                    .map(|m| m.localize(lang))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            (Step::MeasuresLifted { kinds }, _) if kinds.is_empty() => pick(
                lang,
                "se levantaron todas las medidas cautelares",
                "every measure lifted",
            ),
            (Step::MeasuresLifted { kinds }, _) => format!(
                "{}: {}",
                pick(lang, "medidas levantadas", "measures lifted"),
                kinds
                    .iter()
                    .map(|k| k.localize(lang))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            (Step::Convicted { sentence }, Lang::Es) => match sentence {
                Some(s) => format!("condenado: {s}"),
                None => "condenado".to_string(),
            },
            (Step::Convicted { sentence }, Lang::En) => match sentence {
                Some(s) => format!("convicted: {s}"),
                None => "convicted".to_string(),
            },
            (Step::Contact { with }, _) => match with {
                crate::model::ContactWith::Family => pick(
                    lang,
                    "contacto con la familia (visita o llamada)",
                    "contact with the family (visit or call)",
                ),
                crate::model::ContactWith::Lawyer => pick(
                    lang,
                    "contacto con la defensa (visita o llamada)",
                    "contact with the lawyer (visit or call)",
                ),
            },
        }
    }
}

impl Localize for PartialDate {
    /// As a table shows it (`05/08/2024`; see [`PartialDate::short`]).
    fn localize(&self, lang: Lang) -> String {
        self.short(lang)
    }
}

/// A fact as a sentence of a record's history ("excarcelación con medidas cautelares el
/// 03/08/2024"); what it changed, never a code.
impl Localize for crate::fact::Change {
    fn localize(&self, lang: Lang) -> String {
        use crate::fact::Change as C;
        let es = lang == Lang::Es;
        let on = |d: &Option<PartialDate>| match d {
            // «el 14/11/2026» for a day; «en 11/2026», «en 2026» for less.
            Some(d) if d.is_exact() => format!("{} {}", pick(lang, "el", "on"), d.short(lang)),
            Some(d) => format!("{} {}", pick(lang, "en", "in"), d.short(lang)),
            None => pick(lang, "sin fecha", "undated"),
        };
        match self {
            C::RegistryCreated { .. } => pick(lang, "registro creado", "registry created"),
            C::ListCertified(c) => numbered(
                lang,
                ("lista certificada", "certified list"),
                c.version,
                c.as_of,
            ),
            C::EstimatePublished(e) => numbered(
                lang,
                (
                    "estimación de lo no documentado publicada,",
                    "estimate of the undocumented published,",
                ),
                e.version,
                e.as_of,
            ),
            C::DataReleased(c) => numbered(
                lang,
                ("publicación de datos abiertos", "open-data release"),
                c.version,
                c.as_of,
            ),
            C::SmallCellsSet { below } => match lang {
                Lang::Es => {
                    format!("las cifras públicas no muestran grupos de menos de {below} personas")
                }
                Lang::En => format!("public figures show no group of fewer than {below} people"),
            },
            C::BackupRecipientSet { .. } => pick(
                lang,
                "nueva clave de las copias de respaldo",
                "new backup recipient",
            ),
            C::PersonStated {
                identity,
                cleared,
                reason,
                ..
            } => stated(identity, cleared, reason.as_deref(), lang),
            C::DisclosureSet { level, given_by } => {
                let mut out = format!(
                    "{}: {}",
                    pick(lang, "qué se publica", "what is published"),
                    level.localize(lang)
                );
                if let Some(by) = given_by {
                    out.push_str(&format!(" ({})", by.localize(lang)));
                }
                out
            }
            C::MergedInto { into, reason, .. } => format!(
                "{} {} ({reason})",
                pick(lang, "es la misma persona que la", "is the same person as"),
                into.0
            ),
            C::MergeUndone { reason } => {
                format!(
                    "{} ({reason})",
                    pick(lang, "fusión deshecha", "merge undone")
                )
            }
            C::DetentionOpened { arrest, .. } => format!(
                "{} {}",
                pick(
                    lang,
                    "detención registrada: arresto",
                    "detention recorded: arrested"
                ),
                on(&Some(arrest.date))
            ),
            C::ArrestCorrected { arrest } => format!(
                "{} {}",
                pick(
                    lang,
                    "detención corregida: arresto",
                    "arrest corrected: arrested"
                ),
                on(&Some(arrest.date))
            ),
            C::StepRecorded(step) => format!("{} {}", step.what.localize(lang), on(&step.date)),
            C::Ended { end } => format!("{} {}", end.kind.localize(lang), on(&Some(end.date))),
            C::EndRetracted { reason } => format!(
                "{} ({reason})",
                pick(
                    lang,
                    "el fin registrado era un error: sigue bajo custodia",
                    "the end recorded was wrong: still held"
                )
            ),
            C::RecognitionDecided(r) => {
                let category = r
                    .category
                    .map(|c| format!(", {} {c}", pick(lang, "categoría", "category")))
                    .unwrap_or_default();
                let why = r
                    .reason
                    .as_ref()
                    .map(|w| format!(": {w}"))
                    .unwrap_or_default();
                format!("{}{category}{why}", r.status.localize(lang))
            }
            C::NotesSet { .. } => pick(
                lang,
                "notas internas actualizadas",
                "internal notes updated",
            ),
            C::ConfidentialErased { reason } => format!(
                "{} ({reason})",
                pick(
                    lang,
                    "datos confidenciales borrados para siempre",
                    "confidential data erased for good"
                )
            ),
            C::ReportReceived { channel, .. } => {
                let (e, n) = channel.words();
                format!(
                    "{} {}",
                    pick(lang, "reporte recibido de", "report received from"),
                    if es { e } else { n }
                )
            }
            C::ReportAdded { text } => {
                format!(
                    "{}: «{text}»",
                    pick(lang, "quien reportó agregó", "the reporter added")
                )
            }
            C::ReportAssigned { to } => format!("{} {to}", pick(lang, "asignado a", "assigned to")),
            C::ReportRejected { reason } => {
                format!("{}: {reason}", pick(lang, "rechazado", "rejected"))
            }
            C::ReportGrouped { group } => format!(
                "{} {}",
                pick(
                    lang,
                    "archivado en la detención colectiva",
                    "filed under the group detention"
                ),
                group.0
            ),
            C::ReportMatched { detention } => format!(
                "{} {}",
                pick(
                    lang,
                    "corresponde a la detención",
                    "matched to the detention"
                ),
                detention.0
            ),
            C::SourceRecorded {
                title, reliability, ..
            } => format!(
                "{}: {title} ({})",
                pick(lang, "fuente registrada", "source recorded"),
                reliability.localize(lang)
            ),
            C::FacilityRecorded { name, .. } => {
                format!(
                    "{}: {name}",
                    pick(
                        lang,
                        "centro de reclusión registrado",
                        "place of detention recorded"
                    )
                )
            }
            C::FacilityStated { name, details } => {
                let mut parts = vec![pick(
                    lang,
                    "datos del centro corregidos",
                    "place's entry corrected",
                )];
                parts.extend(name.clone());
                if !details.aliases.is_empty() {
                    parts.push(format!(
                        "{}: {}",
                        pick(lang, "también llamado", "also called"),
                        details.aliases.join(", ")
                    ));
                }
                parts.join(" · ")
            }
            C::FacilityCounted(p) => format!(
                "{}: {} {}",
                pick(lang, "población contada", "population counted"),
                lang.number(u64::from(p.count)),
                on(&Some(p.on))
            ),
            C::FacilityObserved(_) => pick(
                lang,
                "observación del centro de reclusión",
                "observation of the place",
            ),
            C::GroupRecorded { count, .. } => format!(
                "{} {count} {}",
                pick(
                    lang,
                    "detención colectiva registrada:",
                    "group detention recorded:"
                ),
                pick(lang, "personas", "people")
            ),
            C::GroupCountCorrected { count, reason } => {
                let why = reason
                    .as_ref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default();
                format!(
                    "{} {count}{why}",
                    pick(lang, "número corregido a", "number corrected to")
                )
            }
            C::GroupMemberIdentified { detention } => format!(
                "{} {}",
                pick(
                    lang,
                    "identificada una persona: detención",
                    "a person identified: detention"
                ),
                detention.0
            ),
            C::AccountCreated { role, .. } => {
                let (e, n) = role.words();
                format!(
                    "{} {}",
                    pick(
                        lang,
                        "cuenta creada con el rol",
                        "account made with the role"
                    ),
                    if es { e } else { n }
                )
            }
            C::InvitationRenewed { .. } => pick(lang, "invitación renovada", "invitation renewed"),
            C::AccessReset { .. } => pick(
                lang,
                "acceso restablecido: nueva invitación",
                "access reset: new invitation",
            ),
            C::PasswordSet { .. } => pick(lang, "contraseña establecida", "password set"),
            C::SecondFactorSet { .. } => {
                pick(lang, "segundo factor inscrito", "second factor enrolled")
            }
            C::RoleChanged { role } => {
                let (e, n) = role.words();
                format!(
                    "{} {}",
                    pick(lang, "nuevo rol:", "new role:"),
                    if es { e } else { n }
                )
            }
            C::RegionsSet { states } => format!(
                "{}: {}",
                pick(lang, "estados cuyos casos ve", "states whose cases it sees"),
                if states.is_empty() {
                    pick(lang, "todos", "all")
                } else {
                    states.join(", ")
                }
            ),
            C::TokenIssued { .. } => pick(lang, "clave de API emitida", "API token issued"),
            C::AccountRevoked { reason } => format!(
                "{}: {reason}",
                pick(lang, "cuenta revocada", "account revoked")
            ),
            C::Audited { what, .. } => {
                let (e, n) = what.words();
                if es { e.to_string() } else { n.to_string() }
            }
            C::BalancePublished(p) => format!(
                "{} {}",
                pick(lang, "balance publicado al", "balance published as of"),
                crate::date::short_day(p.as_of, lang)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::Change;
    use crate::model::{Dated, End};

    #[test]
    fn facts_read_as_sentences() {
        let on = PartialDate::parse("2024-08-03").ok();
        let moved = Change::StepRecorded(Dated {
            date: on,
            what: Step::Custody(Custody::Held {
                facility: Some("El Helicoide (SEBIN)".into()),
            }),
        });
        assert_eq!(
            moved.localize(Lang::Es),
            "reclusión en El Helicoide (SEBIN) el 03/08/2024"
        );
        let ended = Change::Ended {
            end: End {
                date: PartialDate::parse("2024-09").unwrap(),
                kind: EndType::ReleasedUnderMeasures,
            },
        };
        assert_eq!(
            ended.localize(Lang::Es),
            "excarcelación con medidas cautelares en 09/2024"
        );
        assert_eq!(
            ended.localize(Lang::En),
            "released under restrictions in September 2024"
        );
        assert_eq!(
            RecognitionStatus::UnderStudy.localize(Lang::Es),
            "en estudio"
        );
    }
}
