//! `vigilia`: the command a data officer scripts. This file only reads the command line and
//! hands each command to its module; errors are shown in the user's language at the end.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use vigilia_app::keys::KeySource;
use vigilia_core::clock::Clock;
use vigilia_core::lang::Lang;
use vigilia_ledger::{DatabaseUrl, Ledger};

mod backup;
mod clock;
mod count;
mod demo;
mod digest;
mod estimate;
mod export;
mod failure;
mod import;
mod persons;
mod places;
mod progress;
mod registry;
mod serve;

use failure::Failure;

/// mimalloc: an import allocates and frees millions of small strings across two threads, where
/// it measured markedly faster than the system allocator (see bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How long mimalloc keeps memory freed before it gives it back to the system. Its default, one
/// second, is about the time an import takes to write a batch: the batch's memory went back to
/// the system just before the next batch asked for it again, and the system zeroed it anew
/// each time (13.7% of the importer's samples in a profile). Ten seconds keeps it through an
/// import, and still gives it back when the program sits idle (`serve` between imports).
/// mimalloc reads its options from the environment when it starts, before `main`: a
/// `MIMALLOC_PURGE_DELAY` there wins.
const PURGE_DELAY_MS: std::ffi::c_long = 10_000;

/// Sets [`PURGE_DELAY_MS`], unless the environment set it (mimalloc reads its variables in
/// any case, and the delay also by its old name). The one `unsafe` of the workspace: a call
/// into mimalloc with two integers, no pointer, safe from any thread at any time (mimalloc.h:
/// `mi_option_set`).
#[allow(unsafe_code)]
fn keep_freed_memory() {
    let set_by_operator = std::env::vars_os().any(|(name, _)| {
        let name = name.to_string_lossy().to_ascii_uppercase();
        name == "MIMALLOC_PURGE_DELAY" || name == "MIMALLOC_RESET_DELAY"
    });
    if !set_by_operator {
        // SAFETY: `mi_option_set` takes an option's number and a value; it reads and writes
        // only mimalloc's table of options.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    }
}

/// `mi_option_purge_delay`'s number in mimalloc.h's `mi_option_e` (version 3, as vendored by
/// libmimalloc-sys 0.1.49; its Rust bindings do not name it). The test `the_purge_delay_is_the_option_set`
/// checks it by the option's documented default.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Prints a line on standard output; a reader that went away (`| head`) is not an error.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        // What the registry stores (a name, a search someone typed) is printed without the
        // characters a terminal obeys: an escape that erases the lines above, a direction
        // override that turns them round.
        let line = format!($($arg)*);
        let _ = writeln!(std::io::stdout(), "{}", vigilia_core::text::only_text(&line));
    }};
}

/// Vigilia: a registry of political detentions.
#[derive(Debug, Parser)]
#[command(name = "vigilia", version, about, long_about = None)]
struct Cli {
    /// Where the registry is: sqlite://PATH (default sqlite://vigilia.db) or
    /// postgres://USER@HOST/DB. `serve --demo` always uses sqlite://demo.db in this folder.
    #[arg(long, global = true, env = "VIGILIA_DATABASE_URL")]
    database: Option<String>,

    /// The registry's key file (SQLite: what the database is encrypted with). Default: the
    /// database's path with `.key` for its extension (vigilia.db → vigilia.key); keep it, or a
    /// copy, away from the database. VIGILIA_PASSPHRASE gives a passphrase instead.
    #[arg(long, global = true, env = "VIGILIA_KEY_FILE")]
    key_file: Option<PathBuf>,

    /// Language of messages: es (default) or en.
    #[arg(long, global = true, env = "VIGILIA_LANG", default_value = "es")]
    lang: String,

    /// Who is acting, as recorded on every fact written.
    #[arg(long, global = true, env = "VIGILIA_ACTOR")]
    actor: Option<String>,

    /// Take this instant as "now" (RFC 3339, e.g. 2024-08-20T12:00:00Z) for reproducible runs.
    #[arg(long, global = true, env = "VIGILIA_NOW")]
    now: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new, empty registry (the only command that creates one).
    Init {
        /// Country profile (TOML); Venezuela's is built in.
        #[arg(long)]
        profile: Option<PathBuf>,
    },
    /// The registry's key.
    Keys {
        #[command(subcommand)]
        what: KeysWhat,
    },
    /// Write an encrypted backup of the whole registry (while it is in use, too).
    Backup {
        /// Where to write it (readable by its owner only).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into a new registry (--database, --key-file: where it goes, and its
    /// new key).
    Restore {
        file: PathBuf,
        /// The backup identity `init` wrote (AGE-SECRET-KEY-…), or VIGILIA_BACKUP_PASSPHRASE.
        #[arg(long)]
        identity: Option<PathBuf>,
    },
    /// Import records from a file.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export records to a file.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Walk the hash chain of the whole ledger; name the first broken fact. With anchors
    /// (signed checkpoints, published balances as JSON), check the chain against them too.
    Verify {
        #[arg(long = "anchor")]
        anchors: Vec<PathBuf>,
        /// The public key (as `checkpoint` printed it) a checkpoint must be signed with; repeat
        /// for several.
        #[arg(long = "trusted-key", value_name = "HEX")]
        trusted_keys: Vec<String>,
    },
    /// Write a signed checkpoint of the ledger's head, to hand to a partner or print (the
    /// signing key is made on first use; keep it apart from the registry).
    Checkpoint {
        #[arg(long)]
        signing_key: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Erase a record's confidential fields for good (a report's contact, a detention's
    /// notes): its data key is destroyed, and a fact says who did it and why.
    Erase {
        /// The record, as `verify` names it: report:12, detention:5.
        record: String,
        #[arg(long)]
        reason: String,
    },
    /// Recreate the projection (current-state tables) from the ledger.
    Rebuild,
    /// Create a demo registry with generated, Venezuela-like data, and show its summary.
    Demo(demo::DemoArgs),
    /// The balance of political prisoners at a date (rules foro-penal-1).
    Balance(count::BalanceArgs),
    /// What to do today: presentations overdue, whereabouts unknown (with how long, and when
    /// to escalate), incommunicado, hearings, presentations under measures, places without a
    /// recent report of their conditions; for any day.
    Alerts(count::AlertsArgs),
    /// What to do today as an e-mail (no names in it) through the organisation's SMTP server:
    /// to run every morning.
    Digest(digest::DigestArgs),
    /// The political prisoners of a day as the public may see them: full name, initials or
    /// only counted, by each person's consent in force now (CSV or JSON).
    PublicList(count::PublicListArgs),
    /// The certified list for international bodies: CSV and XLSX, what changed since the last
    /// one, a manifest with each file's SHA-256 and the ledger head, signed (ed25519).
    Certify(export::CertifyArgs),
    /// Open data: a Frictionless Data Package (the weekly series, the balance with its small
    /// cells gathered, the public list, a README), with a signed manifest.
    Release(export::ReleaseArgs),
    /// How many detentions no list documented: multiple systems estimation (latent classes or
    /// log-linear), from a capture-history file or the registry's channels, with its interval
    /// and assumption, or a refusal that says why.
    Estimate(estimate::EstimateArgs),
    /// Check a release's or a certified list's folder: signature, fingerprints, totals. Exit
    /// code 3, and the first file that differs, when anything was changed.
    VerifyRelease {
        /// The folder, as received.
        dir: PathBuf,
        /// The organisation's public key (hex), as it published it.
        #[arg(long = "trusted-key", value_name = "HEX")]
        trusted_key: Option<String>,
    },
    /// The organisation's settings: the smallest group public breakdowns name.
    Settings {
        /// Public breakdowns name no value of fewer people than this (2 to 50; 3 by default).
        #[arg(long)]
        small_cells: u64,
    },
    /// Record a person's consent to publish, or its withdrawal, and who gave it.
    Consent {
        person: u64,
        /// named, initials or count_only.
        #[arg(long)]
        level: String,
        /// family, person or lawyer.
        #[arg(long)]
        by: String,
    },
    /// The figures at every step of a period (the revolving door over time).
    Series(count::SeriesArgs),
    /// Who became a political prisoner and who stopped being one between two dates.
    Diff(count::DiffArgs),
    /// Which reports of a reports CSV are the same person (writes `report_id,cluster_id`); with
    /// no FILE, which persons of the registry may be the same (writes pairs to review).
    Dedupe {
        file: Option<PathBuf>,
        /// Write `report_id,cluster_id` here (or, on the registry, the pairs to review).
        #[arg(long)]
        out: PathBuf,
        /// Also write the scored candidate pairs (matches and pairs to review).
        #[arg(long)]
        pairs: Option<PathBuf>,
    },
    /// Record that a person is the same as another (a fact, with --actor and --reason).
    Merge {
        person: u64,
        #[arg(long)]
        into: u64,
        #[arg(long)]
        reason: String,
        /// When the two were given different consents to publish, which one stands: named,
        /// initials or count_only.
        #[arg(long, value_parser = consent)]
        consent: Option<vigilia_core::model::Disclosure>,
    },
    /// Undo a merge: the person is separate again (a fact, with --actor and --reason).
    Unmerge {
        person: u64,
        #[arg(long)]
        reason: String,
    },
    /// For each report of a reports CSV, the registered persons it may be about, best first.
    Candidates {
        file: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// How many candidates per report at most.
        #[arg(long, default_value_t = 5)]
        limit: usize,
    },
    /// Generate reports as they arrive, with the truth, to measure matching (seeded; nothing
    /// in them is about real people).
    DemoReports(demo::ReportsArgs),
    /// Time the counting engine warm, in this process (for bench/; prints JSON).
    #[command(hide = true)]
    BenchCount(count::BenchArgs),
    /// Serve the web application (pages and JSON API).
    Serve(serve::ServeArgs),
    /// The register of places of detention: the list, and files of places and observations.
    Places {
        #[command(subcommand)]
        what: places::PlacesWhat,
    },
    /// Accounts: invite one, issue an API token, revoke one.
    User {
        #[command(subcommand)]
        what: serve::UserWhat,
    },
    /// Show what the registry holds and its balance at a date.
    Summary {
        /// The date counted (YYYY-MM-DD); today by default.
        #[arg(long)]
        as_of: Option<String>,
        /// Count only what had been recorded by this date (YYYY-MM-DD).
        #[arg(long)]
        known_on: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ImportWhat {
    /// A list of events at which people were detained together (group detentions).
    Events(import::EventsArgs),
    /// The detentions CSV (or an .xlsx with the same columns; a CSV named .gz is read through
    /// gzip).
    Detentions(import::DetentionsArgs),
    /// Another organisation's list of detained people (a reports CSV), by name: a list of its
    /// own when estimating the undocumented; rows the registry surely holds are matched at
    /// once, the others wait in triage.
    List(import::ListArgs),
}

#[derive(Debug, Subcommand)]
enum KeysWhat {
    /// Re-encrypt the registry with a new key, written to a new key file; the old key stops
    /// opening it. Stop the server first.
    Rotate {
        #[arg(long)]
        new_key_file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum ExportWhat {
    /// The detentions CSV.
    Detentions {
        /// The file to write (`-` for standard output).
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    keep_freed_memory();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return misunderstood(e),
    };
    let lang = Lang::from_tag(&cli.lang);
    match run(cli, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("vigilia: {}", failure.message(lang));
            ExitCode::from(failure.exit_code())
        }
    }
}

/// A command line that cannot be read, said in the language asked (`--lang`, else
/// `VIGILIA_LANG`, else Spanish): clap says it in English, its help and version as they are.
fn misunderstood(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let tag = (args.iter().position(|a| a == "--lang"))
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix("--lang=").map(str::to_string))
        })
        .or_else(|| std::env::var("VIGILIA_LANG").ok())
        .unwrap_or_else(|| "es".into());
    // An option as typed, without clap's English placeholder (`--chains <CHAINS>`), and with
    // any control character written out (`\u{1b}`), not sent to the terminal.
    let bare = |s: &str| {
        let typed = s.split(' ').next().unwrap_or_default();
        typed
            .chars()
            .map(|c| match c.is_control() {
                true => c.escape_default().to_string(),
                false => c.to_string(),
            })
            .collect::<String>()
    };
    let raw = |kind: ContextKind| match e.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(other) => vec![other.to_string()],
        None => Vec::new(),
    };
    let said = |kind: ContextKind| {
        raw(kind)
            .iter()
            .map(|s| bare(s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (arg, value) = (
        said(ContextKind::InvalidArg),
        raw(ContextKind::InvalidValue).join(", "),
    );
    let what = match e.kind() {
        _ if Lang::from_tag(&tag) != Lang::Es => None,
        ErrorKind::UnknownArgument if arg.starts_with('-') => {
            Some(format!("no se conoce la opción {arg}"))
        }
        ErrorKind::UnknownArgument => Some(format!(
            "sobra {:?}",
            raw(ContextKind::InvalidArg).join(" ")
        )),
        ErrorKind::InvalidSubcommand => Some(format!(
            "no existe la orden {}",
            said(ContextKind::InvalidSubcommand)
        )),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation if value.is_empty() => {
            Some(format!("falta el valor de {arg}"))
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            Some(format!("{value:?} no vale para {arg}"))
        }
        ErrorKind::MissingRequiredArgument => Some(format!("falta {arg}")),
        ErrorKind::InvalidUtf8 if arg.is_empty() => {
            Some("un valor de la línea de órdenes no es texto (UTF-8)".into())
        }
        ErrorKind::InvalidUtf8 => Some(format!("el valor de {arg} no es texto (UTF-8)")),
        ErrorKind::ArgumentConflict => Some(format!(
            "{arg} no se puede usar junto con {}",
            said(ContextKind::PriorArg)
        )),
        ErrorKind::TooManyValues => Some(format!("demasiados valores para {arg}")),
        ErrorKind::WrongNumberOfValues => {
            Some(format!("no es el número de valores que lleva {arg}"))
        }
        _ => None,
    };
    match what {
        Some(what) => {
            eprintln!("vigilia: {what}. Vea las opciones con «vigilia --help».");
            ExitCode::from(2)
        }
        None => e.exit(),
    }
}

/// What every command gets.
#[derive(Debug)]
pub struct Env {
    /// Where the registry is, and its key.
    pub keys: KeySource,
    pub clock: Arc<dyn Clock>,
    pub lang: Lang,
    pub actor: String,
}

impl Env {
    pub fn open(&self) -> Result<Ledger, Failure> {
        Ok(self.keys.open(self.clock.clone())?)
    }
}

fn run(cli: Cli, lang: Lang) -> Result<(), Failure> {
    // `serve --demo` only ever touches its own files (demo.db and demo.key here), whatever
    // --database, --key-file or the environment say: it replaces what it finds there.
    let demo = matches!(&cli.command, Command::Serve(args) if args.demo);
    let (database, key_file, passphrase) = match demo {
        true => ("sqlite://demo.db".to_string(), None, None),
        false => (
            (cli.database.clone()).unwrap_or_else(|| "sqlite://vigilia.db".into()),
            cli.key_file,
            std::env::var("VIGILIA_PASSPHRASE").ok(),
        ),
    };
    let env = Env {
        keys: KeySource::new(DatabaseUrl::parse(&database)?, key_file, passphrase),
        // An empty VIGILIA_NOW is no instant: the machine's clock.
        clock: clock::from_option(cli.now.as_deref().filter(|t| !t.trim().is_empty()))?,
        lang,
        actor: cli.actor.unwrap_or_else(clock::login_name),
    };
    match cli.command {
        Command::Init { profile } => registry::init(&env, profile.as_deref()),
        Command::Backup { out } => backup::backup(&env, &out),
        Command::Keys {
            what: KeysWhat::Rotate { new_key_file },
        } => registry::rotate(&env, &new_key_file),
        Command::Restore { file, identity } => backup::restore(&env, &file, identity.as_deref()),
        Command::Import {
            what: ImportWhat::Detentions(args),
        } => import::detentions_file(&env, &args),
        Command::Import {
            what: ImportWhat::Events(args),
        } => import::events_file(&env, &args),
        Command::Import {
            what: ImportWhat::List(args),
        } => import::list_file(&env, &args),
        Command::Export {
            what: ExportWhat::Detentions { out },
        } => export::detentions(&env, &out),
        Command::Verify {
            anchors,
            trusted_keys,
        } => registry::verify(&env, &anchors, &trusted_keys),
        Command::Checkpoint { signing_key, out } => registry::checkpoint(&env, &signing_key, &out),
        Command::Erase { record, reason } => registry::erase(&env, &record, &reason),
        Command::Rebuild => registry::rebuild(&env),
        Command::Demo(args) => demo::run(&env, &args),
        Command::Balance(args) => count::balance_command(&env, &args),
        Command::Alerts(args) => count::alerts_command(&env, &args),
        Command::Digest(args) => digest::run(&env, &args),
        Command::PublicList(args) => count::public_list_command(&env, &args),
        Command::Certify(args) => export::certify(&env, &args),
        Command::Release(args) => export::release(&env, &args),
        Command::Estimate(args) => estimate::estimate(&env, &args),
        Command::VerifyRelease { dir, trusted_key } => {
            export::verify_release(&env, &dir, trusted_key.as_deref())
        }
        Command::Settings { small_cells } => registry::small_cells(&env, small_cells),
        Command::Consent { person, level, by } => persons::consent(&env, person, &level, &by),
        Command::Series(args) => count::series_command(&env, &args),
        Command::Diff(args) => count::diff_command(&env, &args),
        Command::Dedupe {
            file: Some(file),
            out,
            pairs,
        } => persons::dedupe(&env, &file, &out, pairs.as_deref()),
        Command::Dedupe {
            file: None, out, ..
        } => persons::proposals(&env, &out),
        Command::Merge {
            person,
            into,
            reason,
            consent,
        } => persons::merge(&env, person, into, &reason, consent),
        Command::Unmerge { person, reason } => persons::unmerge(&env, person, &reason),
        Command::Candidates { file, out, limit } => persons::candidates(&env, &file, &out, limit),
        Command::DemoReports(args) => demo::reports(&env, &args),
        Command::Places { what } => places::run(&env, &what),
        Command::BenchCount(args) => count::bench_command(&env, &args),
        Command::Serve(args) => serve::serve(&env, &args),
        Command::User { what } => serve::user(&env, what),
        Command::Summary { as_of, known_on } => {
            registry::summary(&env, as_of.as_deref(), known_on.as_deref())
        }
    }
}

/// A consent to publish as `--consent` takes it.
fn consent(text: &str) -> Result<vigilia_core::model::Disclosure, String> {
    vigilia_core::model::Disclosure::from_name(text).ok_or_else(|| {
        format!("{text:?}: named, initials o count_only (named, initials or count_only)")
    })
}

#[cfg(test)]
mod tests {
    /// The option's number is mimalloc's purge delay: it answers with that option's documented
    /// default (1000 ms in mimalloc 3), then with what `main` sets. Were the number another
    /// option's, an import would tune something else and give memory back as before.
    #[test]
    #[allow(unsafe_code)]
    fn the_purge_delay_is_the_option_set() {
        let set = |n: &str| std::env::var_os(n).is_some();
        if set("MIMALLOC_PURGE_DELAY") || set("MIMALLOC_RESET_DELAY") {
            return;
        }
        // SAFETY: as in `keep_freed_memory`: integers in and out of mimalloc's options.
        let before = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(before, 1000);
        super::keep_freed_memory();
        let after = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(after, super::PURGE_DELAY_MS);
    }
}
