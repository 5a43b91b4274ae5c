//! The message catalogue: every error of a use case, said to a person in Spanish and English.
//! The web and the command line render these; neither writes its own wording of them.

use vigilia_core::date::spoken_day;
use vigilia_core::ids::{Kind, Subject};
use vigilia_core::lang::{Lang, Localize};

use crate::accounts::{Reach, Why};
use crate::error::AppError;
use crate::fields::Problem;
use crate::import::events::EventProblem;
use crate::import::{InputError, MappingProblem, SheetLimit};

/// A record named as a person would: "la detención 7", "the person 12".
pub fn record(s: Subject, lang: Lang) -> String {
    let (es, en) = match s.kind {
        Kind::Person => ("la persona", "person"),
        Kind::Detention => ("la detención", "detention"),
        Kind::Report => ("el reporte", "report"),
        Kind::Source => ("la fuente", "source"),
        Kind::Facility => ("el centro de reclusión", "facility"),
        Kind::Group => ("la detención colectiva", "group detention"),
        Kind::Publication => ("el balance publicado", "published balance"),
        Kind::Registry => ("el registro", "the registry"),
        Kind::Account => ("la cuenta", "account"),
    };
    match (s.kind, lang) {
        (Kind::Registry, _) => lang.pick(es, en).to_string(),
        (_, Lang::Es) => format!("{es} {}", s.id),
        (_, Lang::En) => format!("{en} {}", s.id),
    }
}

/// The name of a kind of record, without article: "persona", "detention".
pub fn kind_name(kind: Kind, lang: Lang) -> &'static str {
    match kind {
        Kind::Person => lang.pick("persona", "person"),
        Kind::Detention => lang.pick("detención", "detention"),
        Kind::Report => lang.pick("reporte", "report"),
        Kind::Source => lang.pick("fuente", "source"),
        Kind::Facility => lang.pick("centro de reclusión", "facility"),
        Kind::Group => lang.pick("detención colectiva", "group detention"),
        Kind::Publication => lang.pick("balance publicado", "published balance"),
        Kind::Registry => lang.pick("registro", "registry"),
        Kind::Account => lang.pick("cuenta", "account"),
    }
}

fn capitalised(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

impl Localize for AppError {
    fn localize(&self, lang: Lang) -> String {
        let es = lang == Lang::Es;
        match self {
            AppError::NotFound(s) => capitalised(if es {
                format!("{} no existe en el registro.", record(*s, lang))
            } else {
                format!("There is no {} in the registry.", record(*s, lang))
            }),
            AppError::Forbidden(_) => lang
                .pick(
                    "Su cuenta no tiene acceso a esto. Si lo necesita para su trabajo, pídalo a \
                     quien coordina.",
                    "Your account has no access to this. If your work needs it, ask whoever \
                     coordinates.",
                )
                .into(),
            AppError::AlreadyReviewed(r) => capitalised(if es {
                format!(
                    "{} ya fue revisado (quizás por otra persona hace un momento).",
                    record((*r).into(), lang)
                )
            } else {
                format!(
                    "{} was already reviewed (perhaps by someone else a moment ago).",
                    record((*r).into(), lang)
                )
            }),
            AppError::NoArrestDate(_) => lang
                .pick(
                    "El reporte no dice cuándo fue la detención; agréguelo antes de aceptarlo.",
                    "The report does not say when the arrest was; add it before accepting it.",
                )
                .into(),
            AppError::NothingConfidential(s) => capitalised(match lang {
                Lang::Es => format!(
                    "{} no guarda nada confidencial: nombre un reporte o una detención, p. ej. report:12 o detention:5.",
                    record(*s, lang)
                ),
                Lang::En => format!(
                    "{} keeps nothing confidential: name a report or a detention, e.g. report:12 or detention:5.",
                    record(*s, lang)
                ),
            }),
            AppError::ReasonNeeded => lang
                .pick(
                    "Diga por qué: queda en el registro con quien lo decidió.",
                    "Say why: it stays in the registry with who decided it.",
                )
                .into(),
            AppError::NothingChosen => lang
                .pick(
                    "Elija una persona o una detención.",
                    "Choose a person or a detention.",
                )
                .into(),
            AppError::MergeIntoItself(p) => capitalised(if es {
                format!("{} no puede fusionarse consigo misma.", record((*p).into(), lang))
            } else {
                format!("{} cannot be merged into itself.", record((*p).into(), lang))
            }),
            AppError::AlreadyMerged { person, into } => capitalised(if es {
                format!(
                    "{} ya está fusionada con la persona {}.",
                    record((*person).into(), lang),
                    into.0
                )
            } else {
                format!(
                    "{} is already merged into person {}.",
                    record((*person).into(), lang),
                    into.0
                )
            }),
            AppError::InAnotherGroup { detention, group } => capitalised(if es {
                format!(
                    "{} es parte de otra detención colectiva (la {}) que la del hecho que nombra este reporte: elija otra detención, o corrija primero las detenciones colectivas.",
                    record((*detention).into(), lang),
                    group.0
                )
            } else {
                format!(
                    "{} belongs to another group detention ({}) than the arrest this report names: choose another detention, or correct the group detentions first.",
                    record((*detention).into(), lang),
                    group.0
                )
            }),
            AppError::HasMergedPersons(p) => capitalised(if es {
                format!(
                    "{} tiene otras fichas fusionadas en ella: sepárelas primero, o fusiónelas en la misma persona.",
                    record((*p).into(), lang)
                )
            } else {
                format!(
                    "{} has other records merged into it: split them first, or merge them into the same person.",
                    record((*p).into(), lang)
                )
            }),
            AppError::TargetMerged { person, into } => capitalised(if es {
                format!(
                    "{} está fusionada con la persona {}: fusione con la persona {}.",
                    record((*person).into(), lang),
                    into.0,
                    into.0
                )
            } else {
                format!(
                    "{} is merged into person {}: merge into person {}.",
                    record((*person).into(), lang),
                    into.0,
                    into.0
                )
            }),
            AppError::NotMerged(p) => capitalised(if es {
                format!("{} no está fusionada con nadie.", record((*p).into(), lang))
            } else {
                format!("{} is not merged into anyone.", record((*p).into(), lang))
            }),
            AppError::NoActiveAccount(name) => {
                if es {
                    format!("No hay ninguna cuenta activa llamada «{name}».")
                } else {
                    format!("There is no active account named “{name}”.")
                }
            }
            AppError::BadAccountName(name) => match lang {
                Lang::Es => format!(
                    "«{name}»: un nombre de cuenta tiene de 1 a 64 letras (con o sin acento), dígitos, '.', '-' o '_', sin espacios."
                ),
                Lang::En => format!(
                    "“{name}”: an account name has 1 to 64 letters (accented or not), digits, '.', '-' or '_', without spaces."
                ),
            },
            AppError::AccountExists(name) => match lang {
                Lang::Es => format!(
                    "Ya existe la cuenta «{name}» (o una que se escribe igual sin acentos ni signos): elija otro nombre."
                ),
                Lang::En => format!(
                    "The account “{name}” already exists (or one written the same without accents or signs): choose another name."
                ),
            },
            AppError::NoAccount(name) => match lang {
                Lang::Es => format!("No hay ninguna cuenta llamada «{name}»."),
                Lang::En => format!("There is no account named “{name}”."),
            },
            AppError::InvitationExpired => lang
                .pick(
                    "Esta invitación no existe, ya se usó o caducó (duran 7 días). Pida una nueva a quien administra Vigilia.",
                    "This invitation does not exist, was used or expired (they last 7 days). Ask whoever runs Vigilia for a new one.",
                )
                .into(),
            AppError::NotAState { typed, known } => match lang {
                Lang::Es => format!(
                    "«{typed}» no es un estado del perfil del registro; son: {}.",
                    known.join(", ")
                ),
                Lang::En => format!(
                    "“{typed}” is not a state of the registry's profile; they are: {}.",
                    known.join(", ")
                ),
            },
            AppError::TooManyReports => lang
                .pick(
                    "Se recibieron muchos reportes desde esta conexión en la última hora. Espere un rato y vuelva a intentarlo; lo que escribió no se ha guardado.",
                    "Many reports came from this connection in the last hour. Wait a while and try again; what you wrote was not stored.",
                )
                .into(),
            AppError::FormAlreadySent => lang
                .pick(
                    "Este formulario ya se envió y su reporte quedó guardado: guarde el código que recibió. Para reportar otra detención, abra el formulario de nuevo.",
                    "This form was already sent and its report is stored: keep the code you received. To report another detention, open the form again.",
                )
                .into(),
            AppError::FiguresChanged => lang
                .pick(
                    "Algo se registró desde que abrió esta página (las cifras, o lo ya publicado, pueden haber cambiado): no se publicó. Lo de abajo está contado de nuevo; revíselo y, si se puede, vuelva a pulsar «Publicar».",
                    "Something was recorded since this page was opened (the figures, or what is already published, may have changed): nothing was published. What follows is counted again; check it and, if it can be, press “Publish” again.",
                )
                .into(),
            AppError::CountedBeforeAChange => lang
                .pick(
                    "El registro cambió mientras se contaba el balance; no se publicó. Vuelva a calcularlo y publíquelo.",
                    "The registry changed while the balance was being counted; it was not published. Count it again and publish it.",
                )
                .into(),
            AppError::Credential(_) => lang
                .pick(
                    "No se pudo generar la credencial; no se guardó nada.",
                    "The credential could not be made; nothing was stored.",
                )
                .into(),
            AppError::Input(e) => e.localize(lang),
            AppError::Output { path, detail } => match lang {
                Lang::Es => format!("{path}: no se puede escribir: {detail}"),
                Lang::En => format!("{path}: cannot be written: {detail}"),
            },
            AppError::Invalid(errors) => errors
                .iter()
                .map(|(_, p)| p.localize(lang))
                .collect::<Vec<_>>()
                .join(" "),
            AppError::StaffFromCommandLine => lang
                .pick(
                    "Las cuentas de coordinación y de abogados ven los casos: las invita quien guarda la clave del registro, desde la línea de comandos (vigilia user add NOMBRE --role coordinator).",
                    "Coordinator and lawyer accounts see the cases: whoever holds the registry's key invites them, from the command line (vigilia user add NAME --role coordinator).",
                )
                .into(),
            AppError::AdditionLength => lang
                .pick(
                    "Escriba lo que quiere agregar (hasta 5000 caracteres).",
                    "Write what you want to add (up to 5000 characters).",
                )
                .into(),
            AppError::ReportFull => lang
                .pick(
                    "Este reporte ya no admite más agregados por este medio. Si tiene algo importante que decir, comuníquese con la organización por sus canales habituales.",
                    "This report takes no more additions this way. If you have something important to say, reach the organisation through its usual channels.",
                )
                .into(),
            AppError::KeyFileNeeded => lang
                .pick(
                    "un registro en PostgreSQL necesita su clave: indique con --key-file ARCHIVO (o VIGILIA_KEY_FILE) dónde escribirla, o use VIGILIA_PASSPHRASE. Con ella se cifran los contactos de quienes reportan y las notas.",
                    "a registry on PostgreSQL needs its key: say with --key-file FILE (or VIGILIA_KEY_FILE) where to write it, or use VIGILIA_PASSPHRASE. Reporters' contacts and notes are encrypted with it.",
                )
                .into(),
            AppError::NotADemo(what) => match lang {
                Lang::Es => format!(
                    "{what}: --replace solo reemplaza un registro de demostración (un archivo SQLite llamado demo.db); un registro real no se borra nunca. Use --database sqlite://demo.db, o una base de datos vacía"
                ),
                Lang::En => format!(
                    "{what}: --replace only replaces a demo registry (a SQLite file named demo.db); a real registry is never deleted. Use --database sqlite://demo.db, or an empty database"
                ),
            },
            AppError::BadProfile(e) => lang.pick(&format!("perfil de país: {e}"), &format!("country profile: {e}")).into(),
            AppError::NoBackupRecipient => lang
                .pick(
                    "este registro no tiene destinatario de copias: dé una frase con VIGILIA_BACKUP_PASSPHRASE",
                    "this registry has no backup recipient: give a passphrase with VIGILIA_BACKUP_PASSPHRASE",
                )
                .into(),
            AppError::DemoAccountsLeft(name) if es => format!(
                "este registro tiene las cuentas de demostración ({name}, …), cuyas contraseñas se imprimieron en pantalla: sírvalo con --demo, o revóquelas antes (vigilia user revoke {name})"
            ),
            AppError::OwnFile(path) if es => format!(
                "{}: es un archivo del propio registro (la base de datos, su clave o la identidad de las copias); escriba en otro",
                path.display()
            ),
            AppError::SameFile(path) if es => format!(
                "{}: se indicó dos veces, como lo que se lee y lo que se escribe o como dos archivos que se escriben; escriba cada uno en un archivo distinto",
                path.display()
            ),
            AppError::NotAFile(path) if es => format!(
                "{}: no es un archivo común (un dispositivo o una carpeta); escriba en un archivo",
                path.display()
            ),
            AppError::NotABackup { path, detail } if es => {
                format!("{}: no es una copia cifrada de Vigilia ({detail})", path.display())
            }
            AppError::BackupNotOpened { path, detail } if es => format!(
                "{}: no se puede abrir con esa identidad o frase ({detail})",
                path.display()
            ),
            AppError::NoIdentity(path) if es => format!(
                "{}: no contiene una identidad age (AGE-SECRET-KEY-…)",
                path.display()
            ),
            AppError::NotASigningKey(path) if es => {
                format!("{}: no es una clave de firma de Vigilia", path.display())
            }
            AppError::BadAnchor { path, problem } => {
                format!("{}: {}", path.display(), problem.localize(lang))
            }
            AppError::FromNotBeforeTo { from, to } if es => {
                format!("--from {from} debe ser anterior a --to {to}")
            }
            AppError::NotADimension(typed) => {
                let names = vigilia_count::list::dimension_names();
                match lang {
                    Lang::Es => format!("--by: {typed:?} no es una dimensión ({names})"),
                    Lang::En => format!("--by: {typed:?} is not a dimension ({names})"),
                }
            }
            AppError::When(e) => e.localize(lang),
            AppError::Reports { path, error } if es => {
                format!("{}: {}", path.display(), report_error(error))
            }
            // The row's own words name its line (and column).
            AppError::BadRow { path, row } => {
                format!("{}: {}", path.display(), lang.pick(&row.es, &row.en))
            }
            AppError::NotABackup { .. }
            | AppError::OwnFile(_)
            | AppError::SameFile(_)
            | AppError::NotAFile(_)
            | AppError::DemoAccountsLeft(_)
            | AppError::BackupNotOpened { .. }
            | AppError::NoIdentity(_)
            | AppError::NotASigningKey(_)
            | AppError::FromNotBeforeTo { .. }
            | AppError::Reports { .. } => self.to_string(),
            AppError::BadFile(detail) => match lang {
                Lang::Es => format!("El archivo no se puede leer como CSV: {detail}"),
                Lang::En => format!("The file cannot be read as CSV: {detail}"),
            },
            AppError::AfterToday { day, today } => match lang {
                Lang::Es => format!(
                    "{} es posterior a hoy ({}).",
                    vigilia_core::date::short_day(*day, lang),
                    vigilia_core::date::short_day(*today, lang)
                ),
                Lang::En => self.to_string(),
            },
            AppError::OtherSigningKey(key) => match lang {
                Lang::Es => format!(
                    "Lo firmado hasta ahora (listas certificadas, datos abiertos) se firmó con la clave {key}: use esa clave, o diga --new-key si la organización la cambió (quien recibe lo firmado debe saberlo)."
                ),
                Lang::En => format!(
                    "What was signed so far (certified lists, open data) was signed with the key {key}: use that key, or say --new-key if the organisation changed it (whoever receives what is signed must know)."
                ),
            },
            AppError::NoCertifiedList(n) => match lang {
                Lang::Es => format!("No hay lista certificada n.º {n}."),
                Lang::En => format!("There is no certified list number {n}."),
            },
            AppError::ConsentWithdrawn { version, people } => match lang {
                Lang::Es => format!(
                    "{people} personas que la versión {version} muestra retiraron después su consentimiento: sus archivos con nombres ya no se entregan (haga una versión nueva)."
                ),
                Lang::En => format!(
                    "{people} people shown in version {version} have since withdrawn their consent: its files with names are no longer given (make a new version)."
                ),
            },
            AppError::KnownBeforeAsOf { as_of, known_on } => match lang {
                Lang::Es => format!(
                    "Una publicación al {} no puede ser como se sabía el {}, un día anterior.",
                    vigilia_core::date::short_day(*as_of, lang),
                    vigilia_core::date::short_day(*known_on, lang)
                ),
                Lang::En => self.to_string(),
            },
            AppError::Unpublishable(why) => {
                use crate::estimates::Unpublishable;
                match (why, lang) {
                    (Unpublishable::NotTheDefaults, Lang::Es) => "La estimación no se publica: solo se publica calculada como viene por defecto (cadenas, iteraciones, semilla y barandas), para que nadie elija entre varias corridas la que le convenga.".to_string(),
                    (Unpublishable::NotTheDefaults, Lang::En) => "The estimate is not published: only one computed as by default (chains, iterations, seed and guard rails) is, so that no one picks among several runs the one that suits them.".to_string(),
                    (Unpublishable::NotConverged { r_hat, ess }, Lang::Es) if *r_hat <= crate::estimates::PUBLISHED_R_HAT => format!("La estimación no se publica: sus cadenas coinciden (R-hat {}), pero son cortas (tamaño efectivo {ess:.0}; hace falta 200 o más). Se publica solo la corrida por defecto: vuelva a calcularla más adelante, con más listas o más personas documentadas.", Lang::Es.decimal(*r_hat, 3)),
                    (Unpublishable::NotConverged { r_hat, ess }, Lang::En) if *r_hat <= crate::estimates::PUBLISHED_R_HAT => format!("The estimate is not published: its chains agree (R-hat {r_hat:.3}) but are short (effective sample size {ess:.0}; 200 or more is needed). Only the default run is published: compute it again later, with more lists or more people documented."),
                    (Unpublishable::NotConverged { r_hat, ess }, Lang::Es) => format!("La estimación no se publica: las cadenas no coinciden lo bastante (R-hat {}, tamaño efectivo {ess:.0}; hace falta R-hat de 1,05 o menos y tamaño efectivo de 200 o más).", Lang::Es.decimal(*r_hat, 3)),
                    (Unpublishable::NotConverged { r_hat, ess }, Lang::En) => format!("The estimate is not published: the chains do not agree well enough (R-hat {r_hat:.3}, effective sample size {ess:.0}; R-hat of 1.05 or less and an effective sample size of 200 or more are needed)."),
                    (Unpublishable::BelowKnown { estimate, known }, Lang::Es) => format!("La estimación no se publica: estima {} en total y el registro ya tiene {} detenciones en el período; se queda corta (hay detenciones que estas listas casi nunca alcanzan).", lang.number(estimate.round() as u64), lang.number(*known)),
                    (Unpublishable::BelowKnown { estimate, known }, Lang::En) => format!("The estimate is not published: it estimates {} in all and the registry already holds {} detentions in the period; it falls short (some detentions these lists almost never reach).", lang.number(estimate.round() as u64), lang.number(*known)),
                    (Unpublishable::RegistryChanged, Lang::Es) => "La estimación no se publica: el registro cambió desde que se calculó. Vuelva a calcularla, revísela y publíquela.".to_string(),
                    (Unpublishable::RegistryChanged, Lang::En) => "The estimate is not published: the registry changed since it was computed. Compute it again, look at it and publish it.".to_string(),
                    (Unpublishable::AlreadyPublished { version }, Lang::Es) => format!("Esta estimación ya está publicada: es la n.º {version}, del mismo período, con las mismas listas y calculada igual, así que da las mismas cifras. No se publica dos veces."),
                    (Unpublishable::AlreadyPublished { version }, Lang::En) => format!("This estimate is already published: it is no. {version}, for the same period, from the same lists and computed alike, so it gives the same figures. It is not published twice."),
                }
            }
            AppError::NoEstimate(n) => match lang {
                Lang::Es => format!("No hay estimación publicada n.º {n}."),
                Lang::En => format!("There is no published estimate number {n}."),
            },
            AppError::UnknownList(n) => match lang {
                Lang::Es => format!(
                    "No hay una lista «{n}»: las listas son family (familias), volunteer (voluntariado), lawyer (abogados), press (prensa), social_media (redes), official (fuentes oficiales) y las importadas por su nombre."
                ),
                Lang::En => self.to_string(),
            },
            AppError::PeriodBackwards { from, to } => format!(
                "{} {} {} ({})",
                lang.pick("El período empieza el", "The period starts on"),
                vigilia_core::date::short_day(*from, lang),
                lang.pick("después de su final", "after its end"),
                vigilia_core::date::short_day(*to, lang)
            ),
            AppError::ListName(n) => match lang {
                Lang::Es => format!(
                    "«{n}» no sirve como nombre de lista: use un nombre de hasta 60 caracteres (letras, cifras, espacios y .-_()/'º°, empezando por letra o cifra) que no sea el de un canal (family, volunteer, lawyer, press, social_media, official)."
                ),
                Lang::En => self.to_string(),
            },
            AppError::ListImported { name, on } => match lang {
                Lang::Es => format!(
                    "La lista «{name}» ya se importó el {}: cada lista se importa una sola vez (sus filas se corrigen una a una en la bandeja de reportes).",
                    vigilia_core::date::short_day(*on, lang)
                ),
                Lang::En => format!(
                    "The list «{name}» was already imported on {}: a list is imported once (its rows are corrected one by one in the reports queue).",
                    vigilia_core::date::short_day(*on, lang)
                ),
            },
            AppError::Histories(e) => e.localize(lang),
            AppError::NoRelease(n) => match lang {
                Lang::Es => format!("No hay publicación de datos abiertos n.º {n}."),
                Lang::En => format!("There is no open-data release number {n}."),
            },
            AppError::NotSignedFiles { dir, why } => match lang {
                Lang::Es => format!(
                    "{}: no es una lista certificada ni una publicación de datos abiertos ({}).",
                    dir.display(),
                    match why.as_str() {
                        "no manifest" => "no tiene manifiesto",
                        "several manifests" => "tiene varios manifiestos",
                        other => other,
                    }
                ),
                Lang::En => format!("{}.", self),
            },
            AppError::Differs { file, how } => {
                use crate::signed::Differs;
                let how = match (how, lang) {
                    (Differs::NotAFile, Lang::Es) => {
                        "no es un archivo (es un enlace, un dispositivo o una tubería)".to_string()
                    }
                    (Differs::NotAFile, Lang::En) => {
                        "is not a file (it is a link, a device or a pipe)".to_string()
                    }
                    (Differs::Larger { limit }, Lang::Es) => {
                        format!("tiene más de los {limit} bytes que dice el manifiesto")
                    }
                    (Differs::Larger { limit }, Lang::En) => {
                        format!("has more than the {limit} bytes the manifest says")
                    }
                    (Differs::Missing, Lang::Es) => "falta".to_string(),
                    (Differs::Missing, Lang::En) => "is missing".to_string(),
                    (Differs::Changed { stated, found }, Lang::Es) => format!(
                        "cambió: el manifiesto dice SHA-256 {stated}, el archivo da {found}"
                    ),
                    (Differs::Changed { stated, found }, Lang::En) => format!(
                        "was changed: the manifest says SHA-256 {stated}, the file gives {found}"
                    ),
                    (Differs::NotListed, Lang::Es) => {
                        "no está en el manifiesto: alguien lo añadió".to_string()
                    }
                    (Differs::NotListed, Lang::En) => {
                        "is not in the manifest: someone added it".to_string()
                    }
                    (Differs::Unreadable(e), Lang::Es) => format!("no se puede leer: {e}"),
                    (Differs::Unreadable(e), Lang::En) => format!("cannot be read: {e}"),
                    (Differs::BadSignature, Lang::Es) => {
                        "la firma no corresponde: el manifiesto cambió o no lo firmó esa clave"
                            .to_string()
                    }
                    (Differs::BadSignature, Lang::En) => {
                        "the signature does not match: the manifest was changed or that key did not sign it"
                            .to_string()
                    }
                    (Differs::OtherKey { signed_by, trusted }, Lang::Es) => format!(
                        "lo firmó la clave {signed_by}, no la clave de confianza {trusted}"
                    ),
                    (Differs::OtherKey { signed_by, trusted }, Lang::En) => format!(
                        "was signed by the key {signed_by}, not the trusted key {trusted}"
                    ),
                    (Differs::Count { what, stated, found }, Lang::Es) => format!(
                        "da {found} para {what}; el manifiesto dice {stated}"
                    ),
                    (Differs::Count { what, stated, found }, Lang::En) => format!(
                        "gives {found} for {what}; the manifest says {stated}"
                    ),
                };
                format!("{file}: {how}")
            }
            AppError::Mail(detail) => match lang {
                Lang::Es => format!("El resumen no se envió: {detail}"),
                Lang::En => format!("The digest was not sent: {detail}"),
            },
            AppError::BadLines(lines) => {
                let mut out = lang
                    .pick(
                        "No se guardó nada del archivo; corrija estas líneas:",
                        "Nothing of the file was stored; correct these lines:",
                    )
                    .to_string();
                for l in lines {
                    for (field, problem) in l.errors.iter() {
                        out.push_str(&match lang {
                            Lang::Es => format!("\n  línea {}, columna {field}: {}", l.line, problem.localize(lang)),
                            Lang::En => format!("\n  line {}, column {field}: {}", l.line, problem.localize(lang)),
                        });
                    }
                }
                out
            }
            AppError::NoColumn(column) => match lang {
                Lang::Es => format!(
                    "Al archivo le falta la columna «{column}» en la primera línea (vea docs/formats/facilities.md)."
                ),
                Lang::En => format!(
                    "The file lacks the column “{column}” in its first line (see docs/formats/facilities.md)."
                ),
            },
            AppError::Ledger(e) => match e {
                vigilia_ledger::LedgerError::Refused(_) | vigilia_ledger::LedgerError::Fold(_) => {
                    lang.pick(
                        "Otra persona cambió este registro al mismo tiempo; no se guardó nada. Vuelva a abrirlo y revise.",
                        "Someone else changed this record at the same time; nothing was stored. Open it again and check.",
                    )
                    .into()
                }
                other => other.localize(lang),
            },
        }
    }
}

/// A reports CSV's problem, in Spanish.
fn report_error(e: &vigilia_matching::report::ReportError) -> String {
    use vigilia_matching::report::ReportError as R;
    match e {
        R::NoIdColumn => "línea 1: el CSV de reportes necesita una columna report_id".into(),
        R::EmptyId { line } => format!("línea {line}, columna report_id: vacía"),
        R::DuplicateId { line, id, first } => {
            format!("línea {line}, columna report_id: {id:?} ya aparece en la línea {first}")
        }
    }
}

impl Localize for crate::anchors::AnchorProblem {
    fn localize(&self, lang: Lang) -> String {
        use crate::anchors::AnchorProblem as A;
        if let A::UntrustedKey(f) = self {
            return match lang {
                Lang::Es => format!(
                    "firmado con la clave {f}, que no es una de las de confianza: dé la clave pública que la organización guardó al firmar sus puntos de control con --trusted-key (quien tiene la clave del registro puede firmar uno falso con una clave propia)"
                ),
                Lang::En => format!(
                    "signed with the key {f}, which is not a trusted one: give the public key the organisation kept when it signed its checkpoints with --trusted-key (whoever holds the registry's key can sign a false one with a key of their own)"
                ),
            };
        }
        let (es, en) = match self {
            A::UntrustedKey(_) => ("", ""),
            A::NoSignature => (
                "punto de control sin firma",
                "checkpoint without a signature",
            ),
            A::UnreadableKey => ("clave pública ilegible", "unreadable public key"),
            A::UnreadableSignature => ("firma ilegible", "unreadable signature"),
            A::Altered => (
                "la firma no corresponde: el punto de control fue alterado",
                "the signature does not match: the checkpoint was altered",
            ),
            A::NoFactCount => ("sin número de hechos", "no number of facts"),
            A::NotAnAnchor => (
                "no es un punto de control ni un balance publicado (JSON)",
                "neither a checkpoint nor a published balance (JSON)",
            ),
            A::NoLedgerHead => (
                "un balance publicado sin ledger_seq y ledger_head",
                "a published balance without ledger_seq and ledger_head",
            ),
        };
        lang.pick(es, en).into()
    }
}

impl Localize for Problem {
    fn localize(&self, lang: Lang) -> String {
        match self {
            Problem::WhenMissing => lang
                .pick(
                    "¿Cuándo? Escriba la fecha como día/mes/año (15/11/2026), o mes/año si no sabe el día (11/2026).",
                    "When? Write the date as day/month/year (15/11/2026), or month/year if you do not know the day (11/2026).",
                )
                .into(),
            Problem::BadDate(vigilia_core::date::DateError::Malformed(typed)) => match lang {
                Lang::Es => format!(
                    "«{typed}» no es una fecha: escríbala como día/mes/año (12/03/1985), mes/año si no sabe el día (03/1985), o solo el año."
                ),
                Lang::En => format!(
                    "“{typed}” is not a date: write it as day/month/year (12/03/1985), month/year if you do not know the day (03/1985), or just the year."
                ),
            },
            Problem::BadDate(e) => e.localize(lang),
            Problem::DateAfterToday { date, today } => match lang {
                Lang::Es => format!(
                    "La fecha ({}) es posterior a hoy, {}.",
                    date.spoken(lang),
                    spoken_day(*today, lang)
                ),
                Lang::En => format!(
                    "The date ({}) is after today, {}.",
                    date.spoken(lang),
                    spoken_day(*today, lang)
                ),
            },
            Problem::TooLong { max } => match lang {
                Lang::Es => format!("Máximo {} caracteres.", lang.number(*max as u64)),
                Lang::En => format!("At most {} characters.", lang.number(*max as u64)),
            },
            Problem::ChooseWhatHappened => {
                lang.pick("Elija qué pasó.", "Choose what happened.").into()
            }
            Problem::ChooseHowItEnded => lang
                .pick("Elija cómo terminó.", "Choose how it ended.")
                .into(),
            Problem::SayWhy => AppError::ReasonNeeded.localize(lang),
            Problem::ChooseStates => lang
                .pick(
                    "Marque al menos un estado, o elija «todos los estados».",
                    "Tick at least one state, or choose “every state”.",
                )
                .into(),
            Problem::NotAName => lang
                .pick(
                    "Un nombre lleva letras (con o sin acento), espacios, apóstrofos, puntos o guiones; nada más.",
                    "A name has letters (accented or not), spaces, apostrophes, dots or hyphens; nothing else.",
                )
                .into(),
            Problem::OtherLine { line } => match lang {
                Lang::Es => format!(
                    "La línea {line} no se entiende: escriba en cada línea los nombres y apellidos de una persona y, si la sabe, su cédula (V-12345678)."
                ),
                Lang::En => format!(
                    "Line {line} cannot be read: write on each line one person's names and surnames and, if known, their ID number (V-12345678)."
                ),
            },
            Problem::FewerThanNamed { named } => match lang {
                Lang::Es => format!(
                    "El total no puede ser menor que las {named} personas nombradas en el reporte."
                ),
                Lang::En => format!(
                    "The total cannot be fewer than the {named} people named in the report."
                ),
            },
            Problem::TooManyNamed { max } => match lang {
                Lang::Es => format!(
                    "Un reporte nombra hasta {max} personas más: envíe las demás en otro reporte del mismo hecho."
                ),
                Lang::En => format!(
                    "A report names up to {max} more people: send the others in another report of the same event."
                ),
            },
            Problem::RangeReversed => lang
                .pick(
                    "La fecha final no puede ser anterior a la inicial.",
                    "The last date cannot be before the first.",
                )
                .to_string(),
            Problem::EndBeforeArrest => lang
                .pick(
                    "El fin no puede ser anterior a la detención.",
                    "The end cannot be before the arrest.",
                )
                .into(),
            Problem::ChooseDecision => lang
                .pick("Elija la decisión.", "Choose the decision.")
                .into(),
            Problem::BadCategory => lang
                .pick("La categoría es 1, 2 o 3.", "The category is 1, 2 or 3.")
                .into(),
            Problem::BadNationalId(e) => e.localize(lang),
            Problem::ChooseAnOption => lang.pick("Elija una opción.", "Choose an option.").into(),
            Problem::NotAState(s) => match lang {
                Lang::Es => format!("{s:?} no es un estado de la lista."),
                Lang::En => format!("{s:?} is not a state on the list."),
            },
            Problem::NotTheWeek { first } => match lang {
                Lang::Es => format!(
                    "Se publican los movimientos de la semana anterior a la fecha del balance (desde el {}): otro período, aunque sea un día más corto o más largo que el de otra publicación, fecharía una excarcelación o una muerte.",
                    vigilia_core::date::short_day(*first, lang)
                ),
                Lang::En => format!(
                    "The movements published are those of the week before the balance's date (from {}): another period, even a day shorter or longer than another publication's, would date a release or a death.",
                    vigilia_core::date::short_day(*first, lang)
                ),
            },
            Problem::PublishedAsKnownNow => lang
                .pick(
                    "Se publica lo que se sabe hoy: un balance «según lo conocido» en otra fecha se consulta, no se publica.",
                    "What is published is what is known today: a balance \"as known on\" another day is for looking at, not for publishing.",
                )
                .into(),
            Problem::TooCloseToPublished { number, as_of } => off_the_week(
                lang,
                *as_of,
                ("Ya se publicó el balance al", &format!("(n.º {number})")),
                ("The balance as of", &format!("(no. {number}) is already published")),
            ),
            Problem::TooCloseToCertified { version, as_of } => off_the_week(
                lang,
                *as_of,
                (
                    "Ya se certificó la lista al",
                    &format!("(n.º {version}), y su total es público"),
                ),
                (
                    "The list as of",
                    &format!("(no. {version}) is already certified, and its total is public"),
                ),
            ),
            Problem::TooCloseToEstimate { version, as_of } => off_the_week(
                lang,
                *as_of,
                (
                    "Ya se publicó la estimación al",
                    &format!("(n.º {version})"),
                ),
                (
                    "The estimate as of",
                    &format!("(no. {version}) is already published"),
                ),
            ),
            Problem::TooCloseToReleased { version, as_of } => off_the_week(
                lang,
                *as_of,
                (
                    "Ya se publicaron los datos abiertos al",
                    &format!("(n.º {version})"),
                ),
                (
                    "The open data as of",
                    &format!("(no. {version}) are already released"),
                ),
            ),
            Problem::AlreadyPublished { number } => match lang {
                Lang::Es => format!(
                    "Estas mismas cifras ya están publicadas (n.º {number}); no se publican otra vez. Para corregirlas, corrija primero el registro."
                ),
                Lang::En => format!(
                    "These same figures are already published (no. {number}); they are not published again. To correct them, correct the registry first."
                ),
            },
            Problem::CorrectionWithoutNote { number } => match lang {
                Lang::Es => format!(
                    "Ya se publicó un balance a esta fecha (n.º {number}): escriba en la nota qué corrige este, porque los dos quedan en la lista pública."
                ),
                Lang::En => format!(
                    "A balance as of this date is already published (no. {number}): say in the note what this one corrects, for both stay in the public list."
                ),
            },
            Problem::CorrectionSameNote { number } => match lang {
                Lang::Es => format!(
                    "Esa es la nota del balance n.º {number}, de esta misma fecha: escriba qué corrige este, porque los dos quedan en la lista pública."
                ),
                Lang::En => format!(
                    "That is the note of balance no. {number}, of this same date: say what this one corrects, for both stay in the public list."
                ),
            },
            Problem::CountTooSmall { at_least } => match lang {
                Lang::Es => format!(
                    "Escriba un número entero de personas, al menos {} (las ya identificadas en el grupo).",
                    lang.number(u64::from(*at_least))
                ),
                Lang::En => format!(
                    "Type a whole number of people, at least {} (those already identified in the group).",
                    lang.number(u64::from(*at_least))
                ),
            },
            Problem::NotACount => lang
                .pick(
                    "Escriba un número entero de personas (1 o más).",
                    "Write a whole number of people (1 or more).",
                )
                .into(),
            Problem::Marks => lang
                .pick(
                    "Tiene más de cuatro acentos o marcas sobre una letra, o una letra tachada: \
                     se vería encima de las líneas de al lado.",
                    "It has more than four accents or marks over one letter, or a letter struck \
                     through: it would show over the lines beside it.",
                )
                .into(),
            Problem::OneOf(values) => match lang {
                Lang::Es => format!("Elija una opción (en un archivo: {}).", values.join(", ")),
                Lang::En => format!("Choose an option (in a file: {}).", values.join(", ")),
            },
            Problem::NoOneNamed => lang
                .pick(
                    "Escriba al menos un nombre, un apellido o la cédula de la persona detenida.",
                    "Write at least a given name, a surname or the ID number of the person detained.",
                )
                .into(),
            Problem::Width { expected, found } => {
                let said = vigilia_core::exchange::cells_moved(lang, *found, *expected);
                format!("{}.", capitalised(said))
            }
            Problem::WhenArrested => lang
                .pick(
                    "¿Cuándo fue la detención? Escríbala como 12/03/2024; si no sabe el día, el mes (03/2024) o el año.",
                    "When was the arrest? Write it as 12/03/2024 (day/month/year); if you do not know the day, the month (03/2024) or the year.",
                )
                .into(),
            Problem::ChooseConsent => lang
                .pick(
                    "Elija qué podemos publicar sobre la persona detenida.",
                    "Choose what we may publish about the person detained.",
                )
                .into(),
            Problem::ChooseWhichConsent => lang
                .pick(
                    "Elija cuál de los dos consentimientos vale para la persona que queda.",
                    "Choose which of the two consents stands for the person who stays.",
                )
                .into(),
            Problem::NotALink => lang
                .pick(
                    "Un enlace empieza por https:// o http://",
                    "A link starts with https:// or http://",
                )
                .into(),
            Problem::FileRefused(why) => match lang {
                Lang::Es => format!(
                    "{}. Elija el archivo otra vez.",
                    capitalised(why.localize(lang))
                ),
                Lang::En => format!("{}. Choose the file again.", capitalised(why.localize(lang))),
            },
            Problem::NoSource => lang
                .pick(
                    "Escriba qué es la fuente, su enlace, o adjunte un archivo.",
                    "Write what the source is, its link, or attach a file.",
                )
                .into(),
            Problem::ExplainDecision => lang
                .pick(
                    "Explique la decisión: queda en el registro.",
                    "Explain the decision: it stays on the record.",
                )
                .into(),
            Problem::NothingChanged => lang
                .pick(
                    "No se cambió ningún dato: corrija el que esté mal y vuelva a registrar.",
                    "No data was changed: correct what is wrong and record again.",
                )
                .to_string(),
            Problem::NationalIdTaken { person: Some(n) } => match lang {
                Lang::Es => format!("Esa cédula ya es de la ficha n.º {n}: si son la misma persona, compárelas y fusiónelas en «¿Es la misma persona que otra ficha?»."),
                Lang::En => format!("That ID number is already record no. {n}'s: if they are the same person, compare and merge them under «Is this the same person as another record?»."),
            },
            Problem::NationalIdTaken { person: None } => lang
                .pick(
                    "Esa cédula ya está en otra ficha del registro: pida a coordinación que revise si son la misma persona.",
                    "That ID number is already on another record: ask a coordinator to check whether they are the same person.",
                )
                .to_string(),
            Problem::RankOfCivilian => lang
                .pick(
                    "Un grado es de un militar: bórrelo, o marque «militar».",
                    "A rank is a soldier's: delete it, or choose «military».",
                )
                .to_string(),
            Problem::ChangedMeanwhile => lang
                .pick(
                    "Alguien corrigió los datos de esta persona mientras usted tenía abierto el formulario: ahora muestra lo que quedó registrado. Vuelva a hacer su corrección sobre eso.",
                    "Someone corrected this person's data while you had the form open: it now shows what was recorded. Make your correction again on that.",
                )
                .to_string(),
            Problem::AgeAtArrest { arrested, years } => {
                let on = arrested.short(lang);
                match lang {
                    Lang::Es if *years < 0 => format!("Con esa fecha habría nacido después de su detención del {on}: revise el año (con sus cuatro cifras, como 1990)."),
                    Lang::Es => format!("Con esa fecha tendría {years} años en su detención del {on}: revise el año (con sus cuatro cifras, como 1990)."),
                    Lang::En if *years < 0 => format!("With that date they would be born after their arrest of {on}: check the year (all four digits, as 1990)."),
                    Lang::En => format!("With that date they would be {years} at their arrest of {on}: check the year (all four digits, as 1990)."),
                }
            }
            Problem::NothingToRecord => lang
                .pick(
                    "Escriba o marque lo que hay que registrar: el formulario está vacío.",
                    "Type or tick what is to be recorded: the form is empty.",
                )
                .into(),
            Problem::RaiseByCoordinator => lang
                .pick(
                    "Publicar más de lo consentido hasta ahora lo registra coordinación; usted puede registrar que se retira o se reduce.",
                    "Publishing more than consented so far is recorded by a coordinator; you may record that it is withdrawn or reduced.",
                )
                .into(),
            Problem::OutOfRange { min, max } => match lang {
                Lang::Es => format!("Escriba un número entero entre {min} y {max}."),
                Lang::En => format!("Type a whole number from {min} to {max}."),
            },
            Problem::TickPresentation => lang
                .pick(
                    "Marque «Presentación periódica» para registrar cada cuántos días, o borre los días.",
                    "Tick “Periodic reporting” to record every how many days, or clear the days.",
                )
                .into(),
            Problem::TickAMeasure => lang
                .pick(
                    "Marque al menos una medida, o escriba la que impuso el tribunal.",
                    "Tick at least one measure, or write the one the court imposed.",
                )
                .into(),
            Problem::NotInForce => lang
                .pick(
                    "Esa medida no estaba vigente ese día: revise la medida y la fecha.",
                    "That measure was not in force that day: check the measure and the date.",
                )
                .into(),
            Problem::BeforeArrest => lang
                .pick(
                    "Esa fecha es anterior a la detención.",
                    "That date is before the arrest.",
                )
                .into(),
            Problem::WriteObservation => lang
                .pick(
                    "Escriba lo observado: es lo que queda en el registro.",
                    "Write what was observed: it is what the registry keeps.",
                )
                .into(),
            Problem::SayWhyDeferred => lang
                .pick(
                    "Diga por qué se difirió (p. ej. no hubo traslado, el tribunal no despachó).",
                    "Say why it was deferred (e.g. no transfer from prison, the court did not sit).",
                )
                .into(),
            Problem::NotADayCount { max } => match lang {
                Lang::Es => format!("Escriba un número de días entre 1 y {max}, p. ej. 15 o 30."),
                Lang::En => format!("Type a number of days between 1 and {max}, e.g. 15 or 30."),
            },
            Problem::NotANumber => lang
                .pick(
                    "Escriba un número entero, sin puntos ni letras, p. ej. 750.",
                    "Type a whole number, without dots or letters, e.g. 750.",
                )
                .into(),
            Problem::NotAPlace(name) => match lang {
                Lang::Es => format!(
                    "«{name}» no está en el registro de centros de reclusión: escríbalo como en el registro, o agréguelo primero."
                ),
                Lang::En => format!(
                    "“{name}” is not in the register of places of detention: write it as the register does, or add it first."
                ),
            },
            Problem::PlaceExists(name) => match lang {
                Lang::Es => format!("«{name}» ya es el nombre de otro centro del registro."),
                Lang::En => format!("“{name}” is already the name of another place in the register."),
            },
        }
    }
}

impl Localize for Why {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (Why::Reported, _) => lang.pick("lo reportó", "reported it").into(),
            (Why::Assigned, _) => lang.pick("asignado", "assigned").into(),
            (Why::Audited(what, on), Lang::Es) => {
                format!("{} el {}", what.words().0, spoken_day(*on, lang))
            }
            (Why::Audited(what, on), Lang::En) => {
                format!("{} on {}", what.words().1, spoken_day(*on, lang))
            }
            (Why::Recorded(on), Lang::Es) => format!("lo registró el {}", spoken_day(*on, lang)),
            (Why::Recorded(on), Lang::En) => format!("recorded it on {}", spoken_day(*on, lang)),
        }
    }
}

impl Localize for Reach {
    fn localize(&self, lang: Lang) -> String {
        match self {
            Reach::Everything => lang
                .pick(
                    "todo el registro, con los contactos de quienes reportan",
                    "the whole registry, with reporters' contacts",
                )
                .into(),
            Reach::EveryCase => lang
                .pick(
                    "todos los casos (sin contactos)",
                    "every case (without contacts)",
                )
                .into(),
            Reach::CasesOf(states) => match lang {
                Lang::Es => format!("los casos de {} (sin contactos)", states.join(", ")),
                Lang::En => format!("the cases of {} (without contacts)", states.join(", ")),
            },
            Reach::OwnReports => lang
                .pick(
                    "solo sus reportes y los asignados",
                    "only their reports and those assigned",
                )
                .into(),
            Reach::Figures => lang
                .pick("cifras, sin nombres", "figures, without names")
                .into(),
            Reach::Accounts => lang
                .pick("las cuentas, sin casos", "the accounts, no cases")
                .into(),
        }
    }
}

impl Localize for SheetLimit {
    fn localize(&self, lang: Lang) -> String {
        let n = |v: u64| lang.number(v);
        let most = n(crate::import::rows::MAX_COLUMNS);
        match (self, lang) {
            (SheetLimit::Unpacked(mb), Lang::Es) => format!(
                "la hoja se descomprime en más de {} MB; divídala en varias o guárdela como .csv",
                n(*mb)
            ),
            (SheetLimit::Unpacked(mb), Lang::En) => format!(
                "the spreadsheet unpacks to more than {} MB; split it or save it as .csv",
                n(*mb)
            ),
            (SheetLimit::Column { row, column }, Lang::Es) => format!(
                "fila {}: hay una celda en la columna {}, más allá de las {most} que se leen; borre lo que haya a la derecha de la tabla",
                n(*row),
                n(*column)
            ),
            (SheetLimit::Column { row, column }, Lang::En) => format!(
                "row {}: there is a cell in column {}, beyond the {most} read; delete what lies right of the table",
                n(*row),
                n(*column)
            ),
            (SheetLimit::Cells(max), Lang::Es) => format!(
                "la hoja tiene más de {} celdas; divídala en varias o guárdela como .csv",
                n(*max)
            ),
            (SheetLimit::Cells(max), Lang::En) => format!(
                "the sheet has more than {} cells; split it or save it as .csv",
                n(*max)
            ),
            (SheetLimit::Text(mb), Lang::Es) => format!(
                "las celdas de la hoja suman más de {} MB de texto; divídala en varias o guárdela como .csv",
                n(*mb)
            ),
            (SheetLimit::Text(mb), Lang::En) => format!(
                "the sheet's cells hold more than {} MB of text; split it or save it as .csv",
                n(*mb)
            ),
        }
    }
}

impl Localize for InputError {
    fn localize(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return match self {
                InputError::Mapping { path, problem } => {
                    format!("{}: {}", path.display(), problem.localize(lang))
                }
                other => other.to_string(),
            };
        }
        match self {
            InputError::NoFile(p) => format!("no existe el archivo {}", p.display()),
            InputError::Unreadable { path, detail } => format!("{}: {detail}", path.display()),
            InputError::NotGzip { path, detail } => format!(
                "{}: no es un archivo gzip válido (el nombre termina en .gz): {detail}",
                path.display()
            ),
            InputError::GzippedSheet(p) => format!(
                "{}: una hoja de cálculo comprimida con gzip no se lee; descomprímala antes (gunzip)",
                p.display()
            ),
            InputError::Header { path, detail } => format!(
                "{}: la línea 1 (encabezado) no se puede leer: {detail}",
                path.display()
            ),
            InputError::Sheet { path, detail } => format!(
                "{}: no se puede leer la hoja de cálculo: {detail}",
                path.display()
            ),
            InputError::SheetTooBig { path, limit } => {
                format!("{}: {}", path.display(), limit.localize(lang))
            }
            InputError::SheetFormat(p) => format!(
                "{}: Vigilia lee hojas .xlsx y archivos .csv; guarde esta como .xlsx o .csv (Archivo › Guardar como)",
                p.display()
            ),
            InputError::Columns { label, error } => format!("{label}: {}", error.localize(lang)),
            InputError::Mapping { path, problem } => {
                format!("{}: {}", path.display(), problem.localize(lang))
            }
        }
    }
}

impl Localize for MappingProblem {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (
                MappingProblem::RecordedBeforePublished {
                    recorded_on,
                    published,
                },
                lang,
            ) => {
                let (r, p) = (
                    vigilia_core::date::short_day(*recorded_on, lang),
                    vigilia_core::date::short_day(*published, lang),
                );
                match lang {
                    Lang::Es => format!(
                        "recorded_on = {r} no es posterior al {p}, último día en que se publicaron cifras: lo que el registro sabía entonces ya es público y no cambia (quite recorded_on y la lista se registra hoy)"
                    ),
                    Lang::En => format!(
                        "recorded_on = {r} is not after {p}, the last day figures were made public: what the registry knew then is public and does not change (leave recorded_on out and the list is recorded today)"
                    ),
                }
            }
            (MappingProblem::Invalid(e), Lang::Es) => format!("el mapeo no es válido: {e}"),
            (MappingProblem::Invalid(e), Lang::En) => format!("the mapping is not valid: {e}"),
            (MappingProblem::UnknownVersion(v), Lang::Es) => {
                format!("versión de mapeo {v} desconocida (se lee la 1)")
            }
            (MappingProblem::UnknownVersion(v), Lang::En) => {
                format!("unknown mapping version {v} (this reads 1)")
            }
            (MappingProblem::MissingColumn { column, for_what }, Lang::Es) => {
                format!("la columna {column:?} (para {for_what}) no está en la línea 1 del archivo")
            }
            (MappingProblem::MissingColumn { column, for_what }, Lang::En) => {
                format!("column {column:?} (for {for_what}) is not on line 1 of the file")
            }
            (MappingProblem::NotAColumn(c), Lang::Es) => {
                format!("{c:?} no es una columna del CSV de detenciones")
            }
            (MappingProblem::NotAColumn(c), Lang::En) => {
                format!("{c:?} is not a column of the detentions CSV")
            }
            (MappingProblem::DateFormat(f), Lang::Es) => {
                format!("date.format {f:?}: use DD.MM.YYYY, DD/MM/YYYY o YYYY-MM-DD")
            }
            (MappingProblem::DateFormat(f), Lang::En) => {
                format!("date.format {f:?}: use DD.MM.YYYY, DD/MM/YYYY or YYYY-MM-DD")
            }
            (MappingProblem::StateColumnOrValue, Lang::Es) => {
                "state necesita column o value (uno de los dos)".into()
            }
            (MappingProblem::StateColumnOrValue, Lang::En) => {
                "state needs column or value (one of them)".into()
            }
        }
    }
}

impl Localize for EventProblem {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (EventProblem::NoReference, _) => lang
                .pick("está vacía y es obligatoria", "is empty and required")
                .into(),
            (EventProblem::NotADate { value, format }, Lang::Es) => {
                format!("{value:?} no es una fecha {format}")
            }
            (EventProblem::NotADate { value, format }, Lang::En) => {
                format!("{value:?} is not a {format} date")
            }
            (EventProblem::NotACount(v), Lang::Es) => format!("{v:?} no es un número de personas"),
            (EventProblem::NotACount(v), Lang::En) => format!("{v:?} is not a number of people"),
            (EventProblem::NotAState(v), Lang::Es) => {
                format!("{v:?} no es un estado del perfil de país")
            }
            (EventProblem::NotAState(v), Lang::En) => {
                format!("{v:?} is not a state of the country profile")
            }
            (EventProblem::Unstorable(fault), _) => fault.localize(lang),
            (EventProblem::Ambiguous { first, second }, Lang::Es) => format!(
                "es el id de dos detenciones colectivas (números {first} y {second}) cuyos ids se \
                 leen igual, escritos con letras de alfabetos distintos: corrija una de las dos antes \
                 de importar esta fila"
            ),
            (EventProblem::Ambiguous { first, second }, Lang::En) => format!(
                "is the id of two group detentions (numbers {first} and {second}) whose ids read \
                 alike, written in letters of different scripts: correct one of them before \
                 importing this row"
            ),
            (EventProblem::Marks, _) => lang
                .pick(
                    "tiene más de cuatro acentos o marcas sobre una letra, o una letra tachada",
                    "has more than four accents or marks over one letter, or a letter struck \
                     through",
                )
                .to_string(),
            (EventProblem::Width { expected, found }, _) => {
                vigilia_core::exchange::cells_moved(lang, *found, *expected)
            }
        }
    }
}

/// Why a date is refused beside what was made public on `day` (`what`: the words before and
/// after the day, in Spanish and English): everything public falls on one day of the week.
fn off_the_week(
    lang: Lang,
    day: vigilia_core::date::Day,
    es: (&str, &str),
    en: (&str, &str),
) -> String {
    let (before, after) = match lang {
        Lang::Es => es,
        Lang::En => en,
    };
    let weekday = vigilia_core::date::weekday(day, lang);
    let day = vigilia_core::date::short_day(day, lang);
    match lang {
        Lang::Es => format!(
            "{before} {weekday} {day} {after}: lo que se publica cae el mismo día de la semana que lo ya publicado, a semanas enteras, porque restar las cifras de días más cercanos fecharía una excarcelación o una muerte."
        ),
        Lang::En => format!(
            "{before} {weekday} {day} {after}: what is published falls on the same day of the week as what already is, whole weeks apart, because subtracting the figures of closer days would date a release or a death."
        ),
    }
}
