//! The open-data release: what anyone may download and check, as a Frictionless Data Package
//! (<https://specs.frictionlessdata.io/data-package/>).
//!
//! A release of a day holds:
//! - `series.csv`: the week by week series since the first detention recorded, each week ending
//!   on a day seven days after the one before, the last on the day of the release;
//! - `balance.csv`: the balance of that day, its breakdowns with the small cells gathered (as
//!   the public page shows them: `vigilia_count::disclosure`);
//! - `public-list.csv`: the political prisoners as their consent allows (name, or initials),
//!   the counted only in the manifest's count;
//! - `README.md`: what each figure means and how it was counted, in Spanish and English;
//! - `datapackage.json`: a table schema for each CSV and each file's SHA-256;
//! - `manifest.json` and its signature `manifest.json.sig` (see [`crate::signed`]).
//!
//! Releases are numbered and kept like the certified list: `reproduce` gives the same bytes.

use serde_json::{Value, json};
use vigilia_core::fact::{Change, SignedFiles};
use vigilia_core::fold::KnownOn;
use vigilia_count::Index;
use vigilia_count::when::{When, week_before};
use vigilia_ledger::Ledger;

use crate::actor::Actor;
use crate::error::AppError;
use crate::signed::Files;

/// The releases made so far, in order.
pub fn releases(ledger: &mut Ledger) -> Result<Vec<SignedFiles>, AppError> {
    Ok(crate::signed::made(ledger)?.1)
}

/// Release `version`, as its fact says.
fn release_of(ledger: &mut Ledger, version: u64) -> Result<SignedFiles, AppError> {
    releases(ledger)?
        .into_iter()
        .find(|r| r.version == version)
        .ok_or(AppError::NoRelease(version))
}

/// Release `version`, byte for byte as made.
pub fn reproduce(ledger: &mut Ledger, version: u64) -> Result<Files, AppError> {
    let r = release_of(ledger, version)?;
    crate::signed::reproduce(ledger, &r)
}

/// Whether everyone release `r` shows by name or initials still consents to it.
pub fn consent_holds(ledger: &mut Ledger, r: &SignedFiles) -> Result<bool, AppError> {
    Ok(crate::signed::withdrawn(ledger, r)? == 0)
}

/// One file of release `version` by its name; none when it has no such file.
/// `consent_holds`: whether everyone the release shows still consents ([`consent_holds`]),
/// which a caller serving many requests may keep until a person changes.
pub fn file(
    ledger: &mut Ledger,
    version: u64,
    name: &str,
    consent_holds: impl FnOnce(&mut Ledger, &SignedFiles) -> Result<bool, AppError>,
) -> Result<Option<Vec<u8>>, AppError> {
    let r = release_of(ledger, version)?;
    match r.files.iter().find(|f| f.name == name) {
        // The public list names people: not given once one of them withdrew.
        Some(f) if f.name == "public-list.csv" => {
            if !consent_holds(ledger, &r)? {
                return Err(AppError::ConsentWithdrawn {
                    version,
                    people: crate::signed::withdrawn(ledger, &r)?,
                });
            }
            crate::signed::kept(ledger, f).map(Some)
        }
        Some(f) => crate::signed::kept(ledger, f).map(Some),
        None => Ok(None),
    }
}

/// Makes the next release, of `when` (its `as_of`, as known on its `known_on`), signed with
/// `key`; stores it as a fact with its files; returns them. Coordinators (and the key holder at
/// the command line).
pub fn release(
    ledger: &mut Ledger,
    actor: &Actor,
    index: &Index,
    head: vigilia_ledger::Head,
    when: &When,
    key: &ed25519_dalek::SigningKey,
    new_key: bool,
) -> Result<Files, AppError> {
    let today = ledger.today()?;
    if when.as_of > today {
        return Err(AppError::AfterToday {
            day: when.as_of,
            today,
        });
    }
    if let Some(k) = when.known_on.0
        && k < when.as_of
    {
        return Err(AppError::KnownBeforeAsOf {
            as_of: when.as_of,
            known_on: k,
        });
    }
    let public_key = crate::signed::public_key(key);
    crate::signed::same_key(ledger, &public_key, new_key)?;
    crate::publication::far_enough(ledger, when.as_of)?;
    let released = releases(ledger)?;
    let version = released.last().map_or(1, |r| r.version + 1);
    let below = crate::publication::small_cells(ledger)?;
    let (as_of, known_on) = (when.as_of, when.known_on);

    let weeks = weekly(index, as_of, known_on);
    let series = crate::counting::series_csv(&weeks, &[]);
    let balance = vigilia_count::balance(index, as_of, known_on, when.since);
    let mut public = vigilia_count::disclosure::for_the_public(
        &serde_json::from_str(&balance.to_json()).unwrap_or_default(),
        below,
    );
    // The movements of the week ending on the release's day, as in the series.
    let end = as_of;
    let week = vigilia_count::balance(index, end, known_on, week_before(end));
    let week = vigilia_count::disclosure::for_the_public(
        &serde_json::from_str(&week.to_json()).unwrap_or_default(),
        below,
    );
    if let (Some(o), Some(p)) = (public.as_object_mut(), week.get("period")) {
        o.insert("period".into(), p.clone());
    }
    let list = crate::public::public_list(ledger, index, as_of, known_on, None, below)?;
    let named = list.listed.iter().filter(|r| r.named).count();
    let shown = list
        .listed
        .iter()
        .map(|r| vigilia_core::fact::Shown {
            person: r.person,
            named: r.named,
        })
        .collect();
    let profile = ledger.profile()?.clone();
    let known_on_day = known_on.0.unwrap_or(today);

    let mut data: Vec<(String, Vec<u8>)> = vec![
        ("series.csv".into(), line_ended(series)),
        ("balance.csv".into(), line_ended(balance_csv(&public))),
        (
            "public-list.csv".into(),
            line_ended(crate::public::list_csv(&list)),
        ),
    ];
    let readme = readme(&Readme {
        country: &profile.name,
        as_of,
        known_on: known_on_day,
        week_end: end,
        below,
        version,
        ledger_head: &head.hash.to_string(),
    });
    data.push(("README.md".into(), readme.into_bytes()));
    let package = package(
        version,
        &profile.name,
        when,
        known_on_day,
        &head,
        below,
        &data,
    );
    let mut files = vec![("datapackage.json".to_string(), package)];
    files.extend(data);
    let manifest = crate::signed::Manifest {
        format: "vigilia-release 1".into(),
        version,
        as_of: as_of.to_string(),
        known_on: known_on_day.to_string(),
        ledger_seq: head.facts,
        ledger_head: head.hash.to_string(),
        political_prisoners: Some(list.political_prisoners as u64),
        by_name: Some(named as u64),
        by_initials: Some((list.listed.len() - named) as u64),
        counted_only: Some(list.counted_only as u64),
        withheld_below: Some(below),
        weeks: Some(weeks.len() as u64),
        files: crate::signed::fingerprints(&files),
        public_key: public_key.clone(),
        ..Default::default()
    };
    crate::signed::sign(&mut files, "manifest.json", &manifest, key)?;
    crate::signed::record(
        ledger,
        actor,
        head,
        SignedFiles {
            version,
            as_of,
            known_on: known_on.0,
            made_on: None,
            ledger_seq: head.facts,
            ledger_head: head.hash.to_string(),
            files: Vec::new(),
            public_key,
            shown,
        },
        files,
        Change::DataReleased,
    )
}

/// The weeks of seven days ending on `as_of`'s day of the week, from the one of the first
/// recorded arrest to the one ending on `as_of`: every row falls on the day of the week that
/// everything public falls on ([`crate::publication::too_close_to`]), so no two rows, nor a row
/// and another publication, are fewer than 7 days apart.
fn weekly(
    index: &Index,
    as_of: vigilia_core::date::Day,
    known_on: KnownOn,
) -> Vec<vigilia_count::series::Step> {
    use vigilia_count::index::{day_no, day_of};
    let end = as_of;
    let last = day_no(end);
    let first = index
        .cols
        .a_first
        .iter()
        .copied()
        .filter(|d| *d <= last)
        .min()
        .unwrap_or(last);
    // The first week is the one with the first arrest in it.
    let weeks = (last - first) / 7;
    let from = day_of(last - 7 * weeks);
    vigilia_count::series::series(
        index,
        from,
        end,
        vigilia_count::series::Every::Week,
        &[],
        known_on,
    )
}

fn line_ended(mut text: String) -> Vec<u8> {
    text.push('\n');
    text.into_bytes()
}

/// The public balance (as `for_the_public` gives it) as rows `figure,dimension,value,count`:
/// a total is `figure,total,,n`; a breakdown's cell `figure,dimension,value,n`; the period's
/// movements `period,releases,,n` and their bound `period,releases,upper,n`.
pub fn balance_csv(public: &Value) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (figure, value) in public.as_object().into_iter().flatten() {
        let Some(fields) = value.as_object() else {
            continue;
        };
        for (name, v) in fields {
            match (name.as_str(), v) {
                ("by", Value::Object(dims)) => {
                    for (dim, cells) in dims {
                        for (cell, n) in cells.as_object().into_iter().flatten() {
                            if let Some(n) = n.as_u64() {
                                rows.push(vec![
                                    figure.clone(),
                                    dim.clone(),
                                    cell.clone(),
                                    n.to_string(),
                                ]);
                            }
                        }
                    }
                }
                ("upper", Value::Object(bounds)) => {
                    for (what, n) in bounds {
                        if let Some(n) = n.as_u64() {
                            rows.push(vec![
                                figure.clone(),
                                what.clone(),
                                "upper".into(),
                                n.to_string(),
                            ]);
                        }
                    }
                }
                (_, Value::Number(n)) => {
                    if let Some(n) = n.as_u64() {
                        rows.push(vec![
                            figure.clone(),
                            name.clone(),
                            String::new(),
                            n.to_string(),
                        ]);
                    }
                }
                _ => {}
            }
        }
    }
    crate::counting::csv_table(&["figure", "dimension", "value", "count"], &rows)
}

/// A field of a table schema.
fn field(name: &str, kind: &str, description: &str) -> Value {
    if kind == "integer" {
        json!({"name": name, "type": kind, "description": description,
               "constraints": {"required": true, "minimum": 0}})
    } else {
        json!({"name": name, "type": kind, "description": description})
    }
}

/// `datapackage.json`: each data file with its table schema, SHA-256 and size.
fn package(
    version: u64,
    country: &str,
    when: &When,
    known_on: vigilia_core::date::Day,
    head: &vigilia_ledger::Head,
    below: u64,
    data: &[(String, Vec<u8>)],
) -> Vec<u8> {
    let count = |name: &str, what: &str| field(name, "integer", what);
    let series_fields: Vec<Value> = std::iter::once(field(
        "date",
        "date",
        "Último día de la semana / last day of the week",
    ))
    .chain(
        [
            ("political_prisoners", "Presos políticos ese día / political prisoners that day"),
            ("political_prisoners_lower", "Cota inferior / lower bound"),
            ("political_prisoners_upper", "Cota superior / upper bound"),
            ("held", "Detenidos ese día, presos políticos o no / held that day, political prisoners or not"),
            ("political_detentions", "Detenciones políticas en la semana / political detentions in the week"),
            ("releases", "Excarcelaciones en la semana / releases in the week"),
            ("prisoner_releases", "Excarcelaciones de presos políticos / releases of political prisoners"),
            ("deaths", "Muertes bajo custodia en la semana / deaths in custody in the week"),
        ]
        .map(|(n, d)| count(n, d)),
    )
    .collect();
    let schema = |name: &str| -> Value {
        match name {
            "series.csv" => json!({"fields": series_fields, "primaryKey": ["date"]}),
            "balance.csv" => json!({"fields": [
                field("figure", "string", "La cifra / the figure (docs/balance.md)"),
                field("dimension", "string", "total, lower, upper, o el desglose / or the breakdown"),
                field("value", "string", "El valor del desglose; others reúne los grupos pequeños / the breakdown's value; others gathers the small groups"),
                count("count", "Personas / people"),
            ]}),
            _ => json!({"fields": [
                field("name", "string", "Nombre completo, o iniciales / full name, or initials"),
                {"name": "listed_as", "type": "string", "description": "named | initials",
                 "constraints": {"required": true, "enum": ["named", "initials"]}},
                field("state", "string", "Estado de la detención / state of the arrest"),
                field("arrest_date", "string", "Fecha de la detención, AAAA, AAAA-MM o AAAA-MM-DD (solo con nombre) / arrest date, YYYY, YYYY-MM or YYYY-MM-DD (named only)"),
            ]}),
        }
    };
    let resources: Vec<Value> = data
        .iter()
        .map(|(name, bytes)| {
            let stem = name.split('.').next().unwrap_or(name);
            let hash = format!("sha256:{}", crate::signed::sha256(bytes));
            if name.ends_with(".csv") {
                json!({
                    "name": stem,
                    "path": name,
                    "profile": "tabular-data-resource",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "bytes": bytes.len(),
                    "hash": hash,
                    "schema": schema(name),
                })
            } else {
                json!({
                    "name": stem.to_lowercase(),
                    "path": name,
                    "format": "md",
                    "mediatype": "text/markdown",
                    "encoding": "utf-8",
                    "bytes": bytes.len(),
                    "hash": hash,
                })
            }
        })
        .collect();
    let package = json!({
        "profile": "data-package",
        "name": format!("vigilia-release-{version}"),
        "title": format!("{country}: presos políticos al {} / political prisoners as of {}", when.as_of, when.as_of),
        "version": version.to_string(),
        "vigilia": {
            "as_of": when.as_of.to_string(),
            "known_on": known_on.to_string(),
            "last_week_ends": when.as_of.to_string(),
            "ledger_seq": head.facts,
            "ledger_head": head.hash.to_string(),
            "withheld_below": below,
        },
        "resources": resources,
    });
    let mut bytes = serde_json::to_vec_pretty(&package).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

struct Readme<'a> {
    country: &'a str,
    as_of: vigilia_core::date::Day,
    known_on: vigilia_core::date::Day,
    /// The day the last week ends on: the release's.
    week_end: vigilia_core::date::Day,
    below: u64,
    version: u64,
    ledger_head: &'a str,
}

/// What each file and figure means, in Spanish and English.
fn readme(r: &Readme<'_>) -> String {
    use vigilia_core::date::short_day;
    use vigilia_core::lang::Lang;
    let Readme {
        country,
        below,
        version,
        ledger_head,
        ..
    } = r;
    let monday = r
        .week_end
        .checked_sub(jiff::Span::new().days(6))
        .unwrap_or(r.week_end);
    let day = |d, l| short_day(d, l);
    let weekday_es = vigilia_core::date::weekday(r.week_end, Lang::Es);
    let weekday_en = vigilia_core::date::weekday(r.week_end, Lang::En);
    let (as_of, known_on, monday_es, sunday_es) = (
        day(r.as_of, Lang::Es),
        day(r.known_on, Lang::Es),
        day(monday, Lang::Es),
        day(r.week_end, Lang::Es),
    );
    let (as_of_en, known_on_en, monday_en, sunday_en) = (
        day(r.as_of, Lang::En),
        day(r.known_on, Lang::En),
        day(monday, Lang::En),
        day(r.week_end, Lang::En),
    );
    format!(
        "# {country}: datos abiertos n.º {version} / open data no. {version}

## Español

Cifras al {as_of}, tal como se conocían el {known_on}, contadas del registro en la posición
cuyo hash es `{ledger_head}`.

- `series.csv`: una fila por semana, de siete días que terminan en {weekday_es} como el día
  de estos datos (todo lo que la organización publica cae el mismo día de la semana, para que
  restar dos cifras no feche una excarcelación o una muerte), desde la semana de la primera
  detención registrada hasta la que termina el {sunday_es}; cada
  fila termina en su `date`. `political_prisoners` es el número de presos políticos
  ese día (con sus cotas `_lower` y `_upper` cuando una fecha se conoce solo por su mes o año);
  `held`, las personas detenidas ese día por motivos políticos, reconocidas o no todavía como
  presos políticos; las demás columnas cuentan lo ocurrido en la semana.
- `balance.csv`: el balance del día: los totales al {as_of}, los movimientos de la última
  semana (del {monday_es} al {sunday_es}), y los
  desgloses de los presos políticos. Ningún desglose nombra un grupo de menos de {below}
  personas: esos grupos se suman en `others` (y con ellos los más pequeños hasta llegar a
  {below}), para que ninguna cifra señale a una persona.
- `public-list.csv`: los presos políticos del día tal como su consentimiento lo permite: el
  nombre completo (`named`), o las iniciales (`initials`); los que solo se cuentan no aparecen,
  y su número está en `manifest.json` (`counted_only`). Con nombre, más iniciales, más solo
  contados da el total de presos políticos. El estado se omite donde los solo contados de ese
  estado son menos de {below}.
- `manifest.json`: la huella SHA-256 de cada archivo, el día, la posición del registro y los
  totales; `manifest.json.sig` es su firma ed25519. `vigilia verify-release CARPETA
  --trusted-key CLAVE` comprueba la firma, cada huella y los totales.

Un preso político es una persona detenida por motivos políticos, reconocida como tal por la
organización, y no excarcelada ese día (la casa por cárcel y el paradero desconocido cuentan
como detención). Una cifra puede cambiar cuando se conoce algo nuevo de una fecha pasada: por
eso cada publicación dice cuándo se conocía lo que cuenta.

## English

Figures as of {as_of_en}, as known on {known_on_en}, counted from the registry at the position whose
hash is `{ledger_head}`.

- `series.csv`: one row per week, of seven days ending on a {weekday_en} as the day of these
  data does (everything the organisation publishes falls on the same day of the week, so that
  subtracting two figures dates no release or death), from the week of the first detention
  recorded to the one ending on {sunday_en}; each row ends on its
  `date`. `political_prisoners` is the number of political prisoners that
  day (with bounds `_lower` and `_upper` where a date is known only by its month or year);
  `held`, the people held that day for political reasons, recognised as political prisoners or
  not yet; the other columns count what happened during the week.
- `balance.csv`: the day's balance: the totals as of {as_of_en}, the movements of the last
  week ({monday_en} to {sunday_en}), and the
  breakdowns of political prisoners. No breakdown names a group of fewer than {below} people:
  those groups are added into `others` (with the smallest named ones until it reaches {below}),
  so that no figure points at a person.
- `public-list.csv`: the day's political prisoners as their consent allows: the full name
  (`named`) or the initials (`initials`); those counted only are not listed, and their number
  is in `manifest.json` (`counted_only`). Named plus initials plus counted only is the total of
  political prisoners. The state is left out where fewer than {below} people of that state are
  counted only.
- `manifest.json`: each file's SHA-256 fingerprint, the day, the registry position and the
  totals; `manifest.json.sig` is its ed25519 signature. `vigilia verify-release FOLDER
  --trusted-key KEY` checks the signature, every fingerprint and the totals.

A political prisoner is a person detained for political reasons, recognised as such by the
organisation, and not released that day (house arrest and unknown whereabouts count as
detention). A figure can change when something new is learnt about a past date: that is why
each publication says when what it counts was known.
"
    )
}
