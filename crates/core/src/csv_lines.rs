//! Where a CSV's rows are: the line on which each row's first character stands, as a person
//! finds it in a text editor or a spreadsheet, whatever ends the file's lines.

use std::collections::VecDeque;
use std::io::{self, Read};

/// A reader that knows the line of each row: the line on which its first character stands,
/// counting `\n`, `\r\n` and a lone `\r` (old Macs) as one line break each, and blank lines
/// too. The csv crate counts only `\n`, from where the row before ended: a file saved on
/// Windows had each of its rows called a line too early, one from an old Mac every row line 1,
/// and a blank line moved every row after it.
#[derive(Debug)]
pub struct Lines<R> {
    inner: R,
    /// Bytes before the chunk being read.
    offset: u64,
    /// Line breaks before it.
    breaks: u64,
    /// Whether the last byte read was a line break (the file's start counts as one).
    after_break: bool,
    /// Whether it was a `\r` (so that a `\n` right after it ends the same line).
    after_cr: bool,
    /// Where each line's first character is, and that line, not yet asked for.
    starts: VecDeque<(u64, u64)>,
}

impl<R> Lines<R> {
    pub fn new(inner: R) -> Lines<R> {
        Lines {
            inner,
            offset: 0,
            breaks: 0,
            after_break: true,
            after_cr: false,
            starts: VecDeque::new(),
        }
    }

    /// The reader it reads through.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The line of the row that the csv crate says starts at byte `at` (right after the line
    /// break of the row before; the row's own first character is the next one that is not a
    /// line break). Rows are asked for in order, so the lines before are forgotten.
    pub fn line_of_row_at(&mut self, at: u64) -> Option<u64> {
        while self.starts.front().is_some_and(|&(start, _)| start < at) {
            self.starts.pop_front();
        }
        self.starts.front().map(|&(_, line)| line)
    }

    fn scan(&mut self, chunk: &[u8]) {
        let mut next = 0;
        for i in memchr::memchr2_iter(b'\n', b'\r', chunk) {
            if i > next {
                self.text_at(next);
            }
            let cr = chunk.get(i) == Some(&b'\r');
            let second_of_crlf = !cr && i == next && self.after_cr;
            if !second_of_crlf {
                self.breaks += 1;
            }
            self.after_break = true;
            self.after_cr = cr;
            next = i + 1;
        }
        if next < chunk.len() {
            self.text_at(next);
        }
        self.offset += chunk.len() as u64;
    }

    /// Text (not a line break) at `i` of the chunk, after a line break or more text.
    fn text_at(&mut self, i: usize) {
        if self.after_break {
            (self.starts).push_back((self.offset + i as u64, self.breaks + 1));
        }
        self.after_break = false;
        self.after_cr = false;
    }
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.scan(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// The line of the row that a reader made on [`Lines`] read from `position` (a record's or an
/// error's); 0 when there is none.
pub fn line_of<R: Read>(
    reader: &mut csv::Reader<Lines<R>>,
    position: Option<&csv::Position>,
) -> u64 {
    let Some(position) = position else { return 0 };
    (reader.get_mut())
        .line_of_row_at(position.byte())
        .unwrap_or(position.line())
}
