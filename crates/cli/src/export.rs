//! `vigilia export detentions --out FILE`: the detentions CSV, one row per detention by id, so
//! that it imports into an empty registry and exports again byte for byte the same. The file is
//! written beside its final name and moved into place only when complete.

use std::io::Write;
use std::path::{Path, PathBuf};

use vigilia_app::export::Output;
use vigilia_core::lang::Lang;
use vigilia_ledger::Ledger;

use crate::Env;
use crate::failure::Failure;
use crate::progress::Progress;
use crate::registry::tell;

pub fn detentions(env: &Env, out: &Path) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let to_stdout = out.as_os_str() == "-";
    let mut file = match to_stdout {
        true => None,
        false => Some(vigilia_app::export::Output::create(env.keys.output(out)?)?),
    };
    let mut stdout = std::io::stdout().lock();
    let sink: &mut dyn Write = match file.as_mut() {
        Some(f) => f.writer(),
        None => &mut stdout,
    };
    let mut progress: Option<Progress> = None;
    let label = out.display().to_string();
    let written = vigilia_app::export::detentions(
        &mut ledger,
        &env.actor,
        sink,
        &label,
        &mut |done, total| {
            progress
                .get_or_insert_with(|| {
                    Progress::new(env.lang.pick("exportando", "exporting"), total)
                })
                .set(done, "");
        },
    )?;
    if let Some(p) = progress {
        p.finish();
    }
    if let Some(file) = file {
        file.finish()?;
        let (n, o) = (env.lang.number(written), out.display());
        tell(
            env,
            format!("{n} detenciones exportadas a {o}"),
            format!("{n} detentions exported to {o}"),
        );
    }
    Ok(())
}

/// What `vigilia certify` and `vigilia release` share: where the files go, the key that signs
/// them, or the version to give again.
#[derive(Debug, clap::Args)]
pub struct Signing {
    /// The folder the files are written to (made if missing).
    #[arg(long)]
    out: PathBuf,
    /// The ed25519 signing key: one for every signed output (made on first use; keep it apart
    /// from the registry).
    #[arg(long, required_unless_present = "reproduce")]
    signing_key: Option<PathBuf>,
    /// Write version N again, byte for byte as made.
    #[arg(long)]
    reproduce: Option<u64>,
    /// Sign with another key than the outputs before (the organisation changed it).
    #[arg(long)]
    new_key: bool,
}

/// What `vigilia certify` is asked.
#[derive(Debug, clap::Args)]
pub struct CertifyArgs {
    /// The day the list is of (today by default).
    #[arg(long, conflicts_with = "reproduce")]
    as_of: Option<String>,
    #[command(flatten)]
    signing: Signing,
}

/// What `vigilia release` is asked.
#[derive(Debug, clap::Args)]
pub struct ReleaseArgs {
    /// The day the figures are of (today by default).
    #[arg(long, conflicts_with = "reproduce")]
    as_of: Option<String>,
    /// Count what was known on this day (today by default).
    #[arg(long, conflicts_with = "reproduce")]
    known_on: Option<String>,
    #[command(flatten)]
    signing: Signing,
}

/// What a signed output is made from: the days asked, the counting index and the ledger head
/// read before it, the key, and whether it is a new one.
struct Making {
    when: vigilia_count::when::When,
    index: vigilia_count::Index,
    head: vigilia_ledger::Head,
    key: vigilia_app::signed::SigningKey,
    actor: vigilia_app::Actor,
    new_key: bool,
}

/// Makes a signed output (or gives version N again), writes its files to `--out`, and says so.
fn signed_output(
    env: &Env,
    s: &Signing,
    (as_of, known_on): (Option<&str>, Option<&str>),
    reproduce: fn(&mut Ledger, u64) -> Result<vigilia_app::signed::Files, vigilia_app::AppError>,
    make: impl FnOnce(&mut Ledger, Making) -> Result<vigilia_app::signed::Files, vigilia_app::AppError>,
    (es, en): (&str, &str),
) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let files = match (s.reproduce, &s.signing_key) {
        (Some(n), _) => reproduce(&mut ledger, n)?,
        (None, Some(key_path)) => {
            vigilia_app::signed::new_key_allowed(&mut ledger, key_path, s.new_key)?;
            let key = signing_key(env, key_path)?;
            let when = vigilia_count::when::When::parse(ledger.today()?, as_of, known_on, None)
                .map_err(vigilia_app::AppError::from)?;
            let (index, head) = vigilia_count::stored::index_and_head(&mut ledger)?;
            let making = Making {
                when,
                index,
                head,
                key,
                actor: vigilia_app::Actor::operator(&env.actor),
                new_key: s.new_key,
            };
            make(&mut ledger, making)?
        }
        (None, None) => {
            return Err(Failure::bad(
                "nombre --signing-key (o --reproduce N)",
                "name --signing-key (or --reproduce N)",
            ));
        }
    };
    write_files(env, &s.out, &files)?;
    let (n, dir, key) = (files.version, s.out.display(), &files.public_key);
    crate::registry::say(
        env,
        format!("{es} n.º {n} escrita en {dir}; clave pública de la firma: {key}"),
        format!("{en} no. {n} written to {dir}; the signature's public key: {key}"),
    );
    Ok(())
}

/// `vigilia certify`: the next certified list (or `--reproduce N`): the list as CSV and XLSX,
/// what changed since the previous one, the manifest and its signature.
pub fn certify(env: &Env, args: &CertifyArgs) -> Result<(), Failure> {
    signed_output(
        env,
        &args.signing,
        (args.as_of.as_deref(), None),
        vigilia_app::certify::reproduce,
        |ledger, m| {
            vigilia_app::certify::certify(
                ledger,
                &m.actor,
                &m.index,
                m.head,
                m.when.as_of,
                &m.key,
                m.new_key,
            )
        },
        ("Lista certificada", "Certified list"),
    )
}

/// `vigilia release`: the next open-data release (or `--reproduce N`).
pub fn release(env: &Env, args: &ReleaseArgs) -> Result<(), Failure> {
    signed_output(
        env,
        &args.signing,
        (args.as_of.as_deref(), args.known_on.as_deref()),
        vigilia_app::release::reproduce,
        |ledger, m| {
            vigilia_app::release::release(
                ledger, &m.actor, &m.index, m.head, &m.when, &m.key, m.new_key,
            )
        },
        ("Publicación de datos abiertos", "Open-data release"),
    )
}

/// Writes signed files into `dir` (made if missing), each file whole or not at all.
fn write_files(env: &Env, dir: &Path, files: &vigilia_app::signed::Files) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| Failure::io(dir, &e))?;
    for (name, bytes) in &files.files {
        let path = dir.join(name);
        let mut out = Output::create(env.keys.output(&path)?)?;
        out.writer()
            .write_all(bytes)
            .map_err(|e| Failure::io(&path, &e))?;
        out.finish()?;
    }
    Ok(())
}

/// The signing key at `path`, made (and said so) if there is none yet.
fn signing_key(env: &Env, path: &Path) -> Result<vigilia_app::signed::SigningKey, Failure> {
    let (key, new) = vigilia_app::anchors::signing(path)?;
    if new {
        let path = path.display();
        crate::registry::tell(
            env,
            format!("Clave de firma nueva en {path}: guárdela aparte del registro."),
            format!("New signing key in {path}: keep it apart from the registry."),
        );
    }
    Ok(key)
}

/// `vigilia verify-release`: checks a release's or a certified list's folder as its recipient
/// would; exit code 3 and the first file that differs when anything was changed; 4 when all
/// agrees but no trusted key was given to check the signer against (a forger signs with a key
/// of their own: only the organisation's published key tells them apart).
pub fn verify_release(env: &Env, dir: &Path, trusted: Option<&str>) -> Result<(), Failure> {
    let v = vigilia_app::signed::verify(dir, trusted)?;
    let counts = |l: Lang| {
        v.counts
            .iter()
            .map(|(k, n)| {
                let what = match (*k, l) {
                    ("political_prisoners", Lang::Es) => "presos políticos",
                    ("political_prisoners", Lang::En) => "political prisoners",
                    ("by_name", Lang::Es) => "con nombre",
                    ("by_name", Lang::En) => "by name",
                    ("by_initials", Lang::Es) => "con iniciales",
                    ("by_initials", Lang::En) => "by initials",
                    ("counted_only", Lang::Es) => "solo contados",
                    ("counted_only", Lang::En) => "counted only",
                    ("weeks", Lang::Es) => "semanas",
                    ("weeks", Lang::En) => "weeks",
                    (other, _) => other,
                };
                format!("{} {what}", l.number(*n))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let day = vigilia_core::date::short_iso;
    let (n, files, key) = (v.version, v.files, &v.public_key);
    crate::registry::say(
        env,
        format!(
            "{}, versión {n}, al {} (como se sabía el {}): sus {files} archivos coinciden con sus huellas y con la firma de la clave {key}. Totales recalculados de los archivos: {}.",
            v.manifest,
            day(&v.as_of, Lang::Es),
            day(&v.known_on, Lang::Es),
            counts(Lang::Es)
        ),
        format!(
            "{}, version {n}, as of {} (as known on {}): its {files} files match their fingerprints and the signature of the key {key}. Totals recomputed from the files: {}.",
            v.manifest,
            day(&v.as_of, Lang::En),
            day(&v.known_on, Lang::En),
            counts(Lang::En)
        ),
    );
    match v.trusted {
        Some(_) => Ok(()),
        None => Err(Failure::Unchecked {
            es: format!(
                "No se comparó la clave {key} con la que publica la organización: quien falsifica firma con una clave propia. Repita con --trusted-key y la clave pública que la organización da en su página."
            ),
            en: format!(
                "The key {key} was not compared with the one the organisation publishes: a forger signs with a key of their own. Run again with --trusted-key and the public key the organisation gives on its page."
            ),
        }),
    }
}
