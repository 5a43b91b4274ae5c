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
    let partial = out.with_extension("partial");
    let mut sink: Box<dyn Write> = if to_stdout {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::fs::File::create(&partial).map_err(|e| Failure::io(&partial, &e))?)
    };
    let mut progress: Option<Progress> = None;
    let label = out.display().to_string();
    let written = vigilia_app::export::detentions(
        &mut ledger,
        &env.actor,
        &mut sink,
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
    drop(sink);
    if !to_stdout {
        std::fs::rename(&partial, out).map_err(|e| Failure::io(out, &e))?;
        let (n, o) = (env.lang.number(written), out.display());
        tell(
            env,
            format!("{n} detenciones exportadas a {o}"),
            format!("{n} detentions exported to {o}"),
        );
    }
    Ok(())
}
