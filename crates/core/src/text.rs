//! Folding text for comparison: `Edo. Táchira`, `TACHIRA` and `tachira` are the same key.

use unicode_normalization::UnicodeNormalization;

/// Lower case, accents removed, punctuation turned into spaces, blanks collapsed.
pub fn fold(text: &str) -> String {
    // Most cells are plain ASCII: nothing to take apart, so the Unicode decomposition (most of
    // the time of reading a million reports' names) is skipped.
    if text.is_ascii() {
        folded(text.chars(), text.len())
    } else {
        let bare = text
            .nfd()
            .filter(|c| !unicode_normalization::char::is_combining_mark(*c));
        folded(bare, text.len())
    }
}

/// Letters and digits in lower case, a space for each run of anything else, none at the ends.
fn folded(chars: impl Iterator<Item = char>, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut space = true;
    for c in chars {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Trims a cell; an empty or blank cell is unknown (`None`).
pub fn non_empty(text: &str) -> Option<&str> {
    let t = text.trim();
    (!t.is_empty()).then_some(t)
}

/// A character that is not text: a control character other than a tab or a line break (a NUL
/// byte, an escape), found in damaged or wrongly exported files. PostgreSQL refuses NUL in text
/// where SQLite stores it, so no cell that holds one is stored on either.
pub fn not_text(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// A character that shows nothing and changes nothing a person reads (a zero-width space, a
/// byte-order mark, a direction override, a soft hyphen): in a reference it would make `D1` and
/// `D1` two records.
pub fn invisible(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// The longest reference (a person's, a detention's, a group's), in characters: far under what
/// an index of PostgreSQL holds (2,704 bytes), far over what an organisation writes (`D-2024-000123`).
pub const REFERENCE_CHARS: usize = 100;

/// What makes a reference unfit to identify a record (and, [`ReferenceFault::NotText`], any
/// cell unfit to store).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceFault {
    /// A character that is not text, or does not show ([`not_text`], [`invisible`]).
    NotText(u32),
    /// Longer than [`REFERENCE_CHARS`].
    TooLong,
}

/// Said once for every place that refuses one: a row of a file, the ledger.
impl crate::lang::Localize for ReferenceFault {
    fn localize(&self, lang: crate::lang::Lang) -> String {
        match (self, lang) {
            (ReferenceFault::NotText(code), crate::lang::Lang::Es) => format!(
                "contiene un carácter que no es texto o no se ve (U+{code:04X}), como los que deja un archivo dañado o mal exportado"
            ),
            (ReferenceFault::NotText(code), crate::lang::Lang::En) => format!(
                "contains a character that is not text or does not show (U+{code:04X}), as a damaged or wrongly exported file leaves"
            ),
            (ReferenceFault::TooLong, crate::lang::Lang::Es) => format!(
                "tiene más de {REFERENCE_CHARS} caracteres: una referencia es corta (D-2024-000123)"
            ),
            (ReferenceFault::TooLong, crate::lang::Lang::En) => format!(
                "has more than {REFERENCE_CHARS} characters: a reference is short (D-2024-000123)"
            ),
        }
    }
}

/// Whether `reference` can identify a record, alike on every engine.
pub fn reference_fault(reference: &str) -> Option<ReferenceFault> {
    if let Some(c) = reference.chars().find(|&c| not_text(c) || invisible(c)) {
        return Some(ReferenceFault::NotText(c as u32));
    }
    (reference.chars().count() > REFERENCE_CHARS).then_some(ReferenceFault::TooLong)
}

/// The text with its accents composed (NFC): `é` typed as `e` and a combining accent is the
/// same `é` as typed at once.
pub fn composed(text: &str) -> String {
    text.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold("Edo. Táchira"), "edo tachira");
        assert_eq!(fold("  Edo.  ZULIA-- "), "edo zulia", "plain ASCII");
        assert_eq!(fold("  NÚÑEZ,  José "), "nunez jose");
        assert_eq!(fold("Distrito-Capital"), "distrito capital");
    }
}
