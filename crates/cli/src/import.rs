//! `vigilia import detentions FILE`: every good row is stored, every bad row is reported with its
//! line, column and reason (and written to `--rejects`), or with `--all-or-nothing` nothing is
//! stored unless every row is good. Rows are committed in batches: when a batch's progress line
//! is printed, its facts are durable. Importing the same file again adds nothing.
//!
//! A person's rows in one file are one statement about the person: the first row that gives a
//! person column (sex, civilian/military, names, …) states it, and a later row of the same
//! person that gives another value is reported with both lines and changes nothing
//! (`exchange::Row::settle_person`), so that rows that disagree do not overwrite each other on
//! every import.

use std::path::{Path, PathBuf};

use vigilia_app::import::detentions::Options;
use vigilia_app::import::detentions::{self, Outcome};
use vigilia_app::import::events;
use vigilia_app::import::{mapped::Mapped, rows};
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::RecognitionStatus;

use crate::Env;
use crate::failure::Failure;
use crate::progress::Rows;

/// What `vigilia import detentions` is asked.
#[derive(Debug, clap::Args)]
pub struct DetentionsArgs {
    file: PathBuf,
    /// Recognition for rows whose `recognition` cell is empty.
    #[arg(long, value_enum, default_value_t = DefaultRecognition::UnderStudy)]
    recognition: DefaultRecognition,
    /// Store nothing if any row is bad.
    #[arg(long)]
    all_or_nothing: bool,
    /// Write the bad rows, with line, column and reason, to this CSV.
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Read another table as the detentions CSV (which column is what; see examples/cecc/).
    #[arg(long)]
    mapping: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum DefaultRecognition {
    Recognised,
    UnderStudy,
}

/// What `vigilia import events` is asked.
#[derive(Debug, clap::Args)]
pub struct EventsArgs {
    file: PathBuf,
    /// How to read the list: which column is what (see examples/ovdinfo/).
    #[arg(long)]
    mapping: PathBuf,
    /// Write the bad rows, with line, column and reason, to this CSV.
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// The file is the whole list: a revision (the mapping's `retract_unmatched`) then sets the
    /// earlier list's events of its days that it no longer has to nobody. Without it, or when
    /// a row is rejected, they are left as they are, and counted.
    #[arg(long)]
    whole_list: bool,
}

/// What `vigilia import list` is asked.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// A reports CSV (docs/formats/reports-csv.md), or an .xlsx with the same columns.
    file: PathBuf,
    /// The list's name, as it will be chosen in estimates ("Lista ONG Justicia 2024").
    #[arg(long)]
    name: String,
    /// Where the list came from: volunteer (another organisation), press, lawyer, official,
    /// social_media or family.
    #[arg(long, value_enum, default_value_t = ListChannel::Volunteer)]
    channel: ListChannel,
    /// What may be published of the people on it: count_only (the default: they gave us no
    /// consent), initials or named (only when the list's organisation had that consent).
    #[arg(long, default_value = "count_only")]
    consent: String,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ListChannel {
    Volunteer,
    Press,
    Lawyer,
    Official,
    SocialMedia,
    Family,
}

/// `vigilia import list FILE --name NAME`: every line checked first; nothing stored if one is
/// wrong.
pub fn list_file(env: &Env, args: &ListArgs) -> Result<(), Failure> {
    use vigilia_core::model::{Channel, Disclosure};
    let consent = Disclosure::from_name(args.consent.trim()).ok_or_else(|| {
        Failure::bad(
            format!(
                "--consent {}: diga count_only, initials o named",
                args.consent
            ),
            format!(
                "--consent {}: say count_only, initials or named",
                args.consent
            ),
        )
    })?;
    let channel = match args.channel {
        ListChannel::Volunteer => Channel::Volunteer,
        ListChannel::Press => Channel::Press,
        ListChannel::Lawyer => Channel::Lawyer,
        ListChannel::Official => Channel::Official,
        ListChannel::SocialMedia => Channel::SocialMedia,
        ListChannel::Family => Channel::Family,
    };
    vigilia_app::import::list::check_name(&args.name)?;
    let mut ledger = env.open()?;
    let profile = ledger.profile()?.clone();
    let today = ledger.today()?;
    let list = vigilia_app::import::list::read_file(&args.file, &profile, today)?;
    let actor = vigilia_app::Actor::operator(&env.actor);
    let done = vigilia_app::write(&mut ledger, |tx| {
        vigilia_app::import::list::import(tx, &actor, &args.name, channel, consent, list)
    })?;
    let n = |x: usize| env.lang.number(x as u64);
    let name = args.name.trim();
    crate::say!(
        "{}",
        match env.lang {
            Lang::Es => format!(
                "Lista «{name}»: {} filas guardadas; {} ya estaban en el registro y quedaron unidas a su detención; {} esperan en la bandeja de reportes a que alguien decida.",
                n(done.rows),
                n(done.matched),
                n(done.waiting)
            ),
            Lang::En => format!(
                "List «{name}»: {} rows stored; {} were already in the registry and were joined to their detention; {} wait in the reports queue for someone to decide.",
                n(done.rows),
                n(done.matched),
                n(done.waiting)
            ),
        }
    );
    Ok(())
}

/// `vigilia import detentions FILE [--mapping M.toml]`.
pub fn detentions_file(env: &Env, args: &DetentionsArgs) -> Result<(), Failure> {
    let read: Vec<&Path> = std::iter::once(args.file.as_path())
        .chain(args.mapping.as_deref())
        .collect();
    env.keys
        .outputs(&read, args.rejects.as_deref().as_slice())?;
    let options = Options {
        recognition: match args.recognition {
            DefaultRecognition::Recognised => RecognitionStatus::Recognised,
            DefaultRecognition::UnderStudy => RecognitionStatus::UnderStudy,
        },
        all_or_nothing: args.all_or_nothing,
        rejects: args.rejects.clone(),
    };
    let path = &args.file;
    let mut source = rows::open(path)?;
    if let Some(mapping) = &args.mapping {
        source = Box::new(Mapped::open(source, mapping)?);
    }
    let mut ledger = env.open()?;
    let mut progress = Rows::new(env.lang, source.position().1);
    let outcome = detentions::detentions(
        &mut ledger,
        &env.actor,
        source.as_mut(),
        &options,
        &path.display().to_string(),
        &mut progress,
    )?;
    report(env.lang, &outcome, &options)
}

/// `vigilia import events FILE --mapping M.toml`: a list of events as group detentions.
pub fn events_file(env: &Env, args: &EventsArgs) -> Result<(), Failure> {
    let read = [args.file.as_path(), args.mapping.as_path()];
    env.keys
        .outputs(&read, args.rejects.as_deref().as_slice())?;
    let (path, mapping) = (&args.file, &args.mapping);
    let mut source = rows::open(path)?;
    let mut ledger = env.open()?;
    let outcome = events::events(
        &mut ledger,
        &env.actor,
        source.as_mut(),
        path,
        mapping,
        args.whole_list,
    )?;
    let options = Options {
        recognition: RecognitionStatus::Recognised,
        all_or_nothing: false,
        rejects: args.rejects.clone(),
    };
    report(env.lang, &outcome, &options)
}

/// A count's noun, in the singular for one.
pub fn one(count: u64, singular: &'static str, plural: &'static str) -> &'static str {
    if count == 1 { singular } else { plural }
}

/// Prints what an import did, writes the rejects file, and fails (exit code 2) if rows were rejected.
pub fn report(lang: Lang, o: &Outcome, options: &Options) -> Result<(), Failure> {
    for r in &o.rejected {
        eprintln!("{}", r.problem.localize(lang));
    }
    for c in &o.conflicts {
        eprintln!("{}", c.localize(lang));
    }
    let n = Lang::number;
    if o.stored {
        let (rows, changed, facts) = (n(lang, o.rows), n(lang, o.changed), n(lang, o.facts));
        let (unchanged, rejected) = (n(lang, o.unchanged), n(lang, o.rejected.len() as u64));
        let conflicts = match (o.conflicts.len() as u64, lang) {
            (0, _) => String::new(),
            (c, Lang::Es) => format!(
                ", {} datos de persona en conflicto con una fila anterior (queda el de la primera)",
                n(lang, c)
            ),
            (c, Lang::En) => format!(
                ", {} person cells in conflict with an earlier row (the first row's value is kept)",
                n(lang, c)
            ),
        };
        crate::say!(
            "{}",
            match lang {
                Lang::Es => format!(
                    "{rows} {}: {changed} guardadas ({facts} {}), {unchanged} sin cambios, {rejected} rechazadas{conflicts}",
                    one(o.rows, "fila leída", "filas leídas"),
                    one(o.facts, "hecho nuevo", "hechos nuevos"),
                ),
                Lang::En => format!(
                    "{rows} {}: {changed} stored ({facts} {}), {unchanged} unchanged, {rejected} rejected{conflicts}",
                    one(o.rows, "row read", "rows read"),
                    one(o.facts, "new fact", "new facts"),
                ),
            }
        );
    }
    if let Some((count, partial)) = o.not_retracted {
        use vigilia_app::import::events::Partial;
        let n = n(lang, count);
        let (es, en) = match partial {
            Partial::NotSaidWhole => (
                "si este archivo es la lista entera, impórtelo con --whole-list",
                "if this file is the whole list, import it with --whole-list",
            ),
            Partial::RowsRejected => (
                "eso se hace solo con la lista entera, sin filas rechazadas: corrija las filas en \
                 el archivo original e impórtelo entero otra vez",
                "that is done only with the whole list, with no row rejected: mend the rows in \
                 the original file and import it whole again",
            ),
            Partial::RejectsFile => (
                "es un archivo de filas rechazadas, no la lista entera",
                "it is a rejects file, not the whole list",
            ),
            Partial::Filtered => (
                "el filtro de la correspondencia deja filas fuera: no es la lista entera",
                "the mapping's filter leaves rows out: it is not the whole list",
            ),
        };
        crate::say!(
            "{}",
            match lang {
                Lang::Es => format!(
                    "{n} {} de la lista anterior que este archivo no trae, en sus días, no se \
                     {} en 0: {es}",
                    one(count, "detención colectiva", "detenciones colectivas"),
                    one(count, "puso", "pusieron"),
                ),
                Lang::En => format!(
                    "{n} group {} of the earlier list that this file does not bring, on its \
                     days, {} not set to 0: {en}",
                    one(count, "detention", "detentions"),
                    one(count, "was", "were"),
                ),
            }
        );
    }
    if o.rejected.is_empty() {
        return Ok(());
    }
    let written = match &options.rejects {
        Some(path) => {
            detentions::write_rejects(path, o, lang)?;
            format!(" → {}", path.display())
        }
        None => String::new(),
    };
    let count = o.rejected.len() as u64;
    let (es, en) = match count {
        1 => ("1 fila rechazada".to_string(), "1 row rejected".to_string()),
        _ => (
            format!("{} filas rechazadas", n(lang, count)),
            format!("{} rows rejected", n(lang, count)),
        ),
    };
    Err(if o.stored {
        Failure::bad(
            format!("{es}{written}; las demás quedaron guardadas"),
            format!("{en}{written}; the others were stored"),
        )
    } else {
        Failure::bad(
            format!("{es}{written}; con --all-or-nothing no se guardó nada"),
            format!("{en}{written}; with --all-or-nothing nothing was stored"),
        )
    })
}
