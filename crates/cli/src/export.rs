//! `vigilia export detentions --out FILE`: the detentions CSV, one row per detention by id, so
//! that it imports into an empty registry and exports again byte for byte the same. The file is
//! written beside its final name and moved into place only when complete.

use std::io::Write;
use std::path::Path;

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
