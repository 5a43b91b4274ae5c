//! Progress on long work: a bar on a terminal, plain lines otherwise (logs, CI, pipes).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use vigilia_core::lang::Lang;

/// Reports progress of `total` units (bytes of a file, facts of a ledger).
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    label: String,
    total: u64,
    last_line: Instant,
}

impl Progress {
    pub fn new(label: &str, total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            let style =
                ProgressStyle::with_template("{prefix} [{bar:40}] {percent:>3}% {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(label.to_string());
            bar
        });
        Progress {
            bar,
            label: label.to_string(),
            total,
            last_line: Instant::now(),
        }
    }

    /// Moves to `done` of the total, with a message (e.g. "12 000 rows").
    pub fn set(&mut self, done: u64, message: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_position(done);
                bar.set_message(message.to_string());
            }
            None => {
                if self.last_line.elapsed() >= Duration::from_secs(2) {
                    self.line(done, message);
                }
            }
        }
    }

    /// A plain line now, whatever the time since the last one (e.g. after a commit).
    pub fn line(&mut self, done: u64, message: &str) {
        if self.bar.is_none() {
            let pct = (done.saturating_mul(100))
                .checked_div(self.total)
                .unwrap_or(100);
            eprintln!("{}: {pct}% {message}", self.label);
            self.last_line = Instant::now();
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// An import's progress as the command line shows it: rows read, and the lines of batches
/// stored (durable when the line is printed).
#[derive(Debug)]
pub struct Rows {
    bar: Progress,
    lang: Lang,
}

impl Rows {
    /// Over `total` units of the source (bytes of a file, rows of a generator).
    pub fn new(lang: Lang, total: u64) -> Rows {
        Rows {
            bar: Progress::new(lang.pick("importando", "importing"), total),
            lang,
        }
    }
}

impl vigilia_app::import::Progress for Rows {
    fn read(&mut self, position: u64, rows: u64) {
        let message = format!(
            "{} {}",
            self.lang.number(rows),
            self.lang.pick("filas", "rows")
        );
        self.bar.set(position, &message);
    }

    fn stored(&mut self, position: u64, rows: u64) {
        let message = format!(
            "{} {} ({})",
            self.lang.number(rows),
            self.lang.pick("filas", "rows"),
            self.lang.pick("guardadas", "stored")
        );
        self.bar.line(position, &message);
    }

    fn finish(&mut self) {
        self.bar.finish();
    }
}
