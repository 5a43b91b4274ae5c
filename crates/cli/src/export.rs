//! `vigilia export detentions --out FILE`: the detentions CSV, one row per detention by id, so
//! that it imports into an empty registry and exports again byte for byte the same. The file is
//! written beside its final name and moved into place only when complete.

use std::io::Write;
use std::path::Path;

use vigilia_core::confidential::{Confidential, Field};
use vigilia_core::exchange::{self, Column};
use vigilia_core::fold::Record;
use vigilia_core::ids::Kind;

use crate::Env;
use crate::failure::Failure;
use crate::progress::Progress;

const PAGE: usize = 10_000;

pub fn detentions(env: &Env, out: &Path) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    // Who took the whole registry, and when: recorded before a row is written.
    ledger.audit(
        &env.actor,
        vigilia_core::ids::Subject::REGISTRY,
        vigilia_core::fact::Audit::Exported,
    )?;
    let profile = ledger.profile()?.clone();
    let total = ledger.count(Kind::Detention)?;
    let to_stdout = out.as_os_str() == "-";
    let partial = out.with_extension("partial");
    let sink: Box<dyn Write> = if to_stdout {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::fs::File::create(&partial).map_err(|e| Failure::io(&partial, &e))?)
    };
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(sink));
    let fail = |e: &dyn std::fmt::Display| Failure::io(out, e);
    w.write_record(Column::ALL.iter().map(|c| c.name()))
        .map_err(|e| fail(&e))?;
    let mut progress = Progress::new(env.lang.pick("exportando", "exporting"), total);
    let (mut after, mut written) = (0, 0u64);
    let mut person: Option<vigilia_core::model::Person> = None;
    loop {
        let page = ledger.page(Kind::Detention, after, PAGE)?;
        let Some(Record::Detention(last)) = page.last() else {
            break;
        };
        after = last.id.0;
        for record in page {
            let Record::Detention(mut d) = record else {
                continue;
            };
            if let Some(notes) = &d.notes {
                d.notes = Some(Confidential::Plain(ledger.reveal(
                    d.id.into(),
                    Field::Notes,
                    notes,
                )?));
            }
            if person.as_ref().is_none_or(|p| p.id != d.person) {
                person = match ledger.get(d.person.into())? {
                    Some(Record::Person(p)) => Some(p),
                    _ => None,
                };
            }
            let Some(p) = &person else { continue };
            w.write_record(exchange::render(p, &d, &profile))
                .map_err(|e| fail(&e))?;
            written += 1;
        }
        progress.set(written, "");
    }
    progress.finish();
    w.flush().map_err(|e| fail(&e))?;
    drop(w);
    if !to_stdout {
        std::fs::rename(&partial, out).map_err(|e| fail(&e))?;
        eprintln!(
            "{}",
            env.lang.pick(
                &format!(
                    "{} detenciones exportadas a {}",
                    env.lang.number(written),
                    out.display()
                ),
                &format!(
                    "{} detentions exported to {}",
                    env.lang.number(written),
                    out.display()
                ),
            )
        );
    }
    Ok(())
}
