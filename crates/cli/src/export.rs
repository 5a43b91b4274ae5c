//! `vigilia export detentions --out FILE`: the detentions CSV, one row per detention by id, so
//! that it imports into an empty registry and exports again byte for byte the same. The file is
//! written beside its final name and moved into place only when complete.

use std::io::Write;
use std::path::{Path, PathBuf};

use vigilia_app::export::Output;
use vigilia_core::lang::{Lang, Localize};

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

/// What `vigilia certify` is asked.
#[derive(Debug, clap::Args)]
pub struct CertifyArgs {
    /// The day the list is of (today by default).
    #[arg(long, conflicts_with = "reproduce")]
    as_of: Option<String>,
    /// The folder the files are written to (made if missing).
    #[arg(long)]
    out: PathBuf,
    /// The ed25519 signing key (made on first use; keep it apart from the registry).
    #[arg(long, required_unless_present = "reproduce")]
    signing_key: Option<PathBuf>,
    /// Write version N again, byte for byte as made.
    #[arg(long)]
    reproduce: Option<u64>,
    /// Sign with another key than the versions before (the organisation changed it).
    #[arg(long)]
    new_key: bool,
}

/// `vigilia certify`: the next certified list (or `--reproduce N`), its files written to
/// `--out`: the list as CSV and XLSX, what changed since the previous one, the manifest and
/// its signature.
pub fn certify(env: &Env, args: &CertifyArgs) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let files = match (args.reproduce, &args.signing_key) {
        (Some(n), _) => vigilia_app::certify::reproduce(&mut ledger, n)?,
        (None, Some(key_path)) => {
            let (key, new) = vigilia_app::anchors::signing(key_path)?;
            if new {
                let path = key_path.display();
                crate::registry::tell(
                    env,
                    format!("Clave de firma nueva en {path}: guárdela aparte del registro."),
                    format!("New signing key in {path}: keep it apart from the registry."),
                );
            }
            let today = ledger.today()?;
            let as_of = match args.as_of.as_deref() {
                Some(d) => vigilia_core::date::typed_day(d, today).map_err(|e| {
                    Failure::bad(
                        format!("--as-of: {}", e.localize(Lang::Es)),
                        format!("--as-of: {}", e.localize(Lang::En)),
                    )
                })?,
                None => today,
            };
            let index = vigilia_count::stored::current_index(&mut ledger)?;
            let actor = vigilia_app::Actor::operator(&env.actor);
            vigilia_app::certify::certify(&mut ledger, &actor, &index, as_of, &key, args.new_key)?
        }
        (None, None) => unreachable_args()?,
    };
    std::fs::create_dir_all(&args.out).map_err(|e| Failure::io(&args.out, &e))?;
    for (name, bytes) in &files.files {
        let path = args.out.join(name);
        let mut out = Output::create(env.keys.output(&path)?)?;
        out.writer()
            .write_all(bytes)
            .map_err(|e| Failure::io(&path, &e))?;
        out.finish()?;
    }
    let (n, dir) = (files.version, args.out.display());
    crate::registry::say(
        env,
        format!(
            "Lista certificada n.º {n} escrita en {dir}; clave pública de la firma: {}",
            files.public_key
        ),
        format!(
            "Certified list no. {n} written to {dir}; the signature's public key: {}",
            files.public_key
        ),
    );
    Ok(())
}

fn unreachable_args() -> Result<vigilia_app::certify::Files, Failure> {
    Err(Failure::bad(
        "nombre --signing-key (o --reproduce N)",
        "name --signing-key (or --reproduce N)",
    ))
}
