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

/// A character that shows nothing and changes nothing a person reads: in a reference it would
/// make `D1` and `D1` two records. These are Unicode's default-ignorable code points (a
/// zero-width space or joiner, a byte-order mark, a direction mark or override, a soft hyphen,
/// a variation selector, a tag character, a Hangul filler, …: the `Default_Ignorable_Code_Point`
/// property of Unicode's DerivedCoreProperties), the line and paragraph separators, the
/// interlinear annotation marks, and the blank Braille pattern, which shows as a space.
pub fn invisible(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{115F}'..='\u{1160}' | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
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
    /// Not in composed form (NFC): `Peña` with its `ñ` written as `n` and a combining tilde
    /// would be another record than `Peña` typed at once. Files are composed as they are read
    /// ([`reference`]); the ledger refuses what was not.
    NotComposed,
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
            (ReferenceFault::NotComposed, crate::lang::Lang::Es) => {
                "tiene letras y acentos escritos por separado (no compuestos, NFC)".into()
            }
            (ReferenceFault::NotComposed, crate::lang::Lang::En) => {
                "has letters and accents written apart (not composed, NFC)".into()
            }
        }
    }
}

/// Whether `reference` can identify a record, alike on every engine: no character that is not
/// text or does not show, no space but the plain one (a no-break space, a tab, an ideographic
/// space look like it and would make another record), composed, and short.
pub fn reference_fault(reference: &str) -> Option<ReferenceFault> {
    let unfit = |c: char| not_text(c) || invisible(c) || (c.is_whitespace() && c != ' ');
    if let Some(c) = reference.chars().find(|&c| unfit(c)) {
        return Some(ReferenceFault::NotText(c as u32));
    }
    if !unicode_normalization::is_nfc(reference) {
        return Some(ReferenceFault::NotComposed);
    }
    (reference.chars().count() > REFERENCE_CHARS).then_some(ReferenceFault::TooLong)
}

/// A reference as read from a file or typed: trimmed and composed (NFC), then checked as
/// [`reference_fault`] does.
pub fn reference(text: &str) -> Result<String, ReferenceFault> {
    let reference = composed(text.trim());
    match reference_fault(&reference) {
        Some(fault) => Err(fault),
        None => Ok(reference),
    }
}

/// The text with its accents composed (NFC): `é` typed as `e` and a combining accent is the
/// same `é` as typed at once.
pub fn composed(text: &str) -> String {
    text.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::fold;

    /// Two references that read alike are one reference, or one of them is refused: never two
    /// records for one detention.
    #[test]
    fn references_that_read_alike_are_one_or_refused() {
        use super::{ReferenceFault, reference, reference_fault};
        assert_eq!(reference(" D-Pen\u{303}a-7 ").as_deref(), Ok("D-Peña-7"));
        assert_eq!(
            reference_fault("D-Pen\u{303}a-7"),
            Some(ReferenceFault::NotComposed)
        );
        for hidden in [
            '\u{34F}',
            '\u{61C}',
            '\u{115F}',
            '\u{3164}',
            '\u{FFA0}',
            '\u{FE0F}',
            '\u{E0020}',
            '\u{E0100}',
            '\u{1D173}',
            '\u{180B}',
            '\u{1BCA0}',
            '\u{FFF0}',
            '\u{2800}',
            '\u{A0}',
            '\u{3000}',
            '\u{2007}',
            '\t',
            '\u{200D}',
            '\u{2060}',
            '\u{FEFF}',
        ] {
            let typed = format!("D-{hidden}8");
            assert_eq!(
                reference(&typed),
                Err(ReferenceFault::NotText(hidden as u32)),
                "U+{:04X}",
                hidden as u32
            );
        }
        // What shows is kept: letters of any script, a plain space, an emoji.
        for shown in ["D 2024 8", "Д-8", "ד-8", "D-٨", "D-😀"] {
            assert_eq!(reference(shown).as_deref(), Ok(shown));
        }
    }

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold("Edo. Táchira"), "edo tachira");
        assert_eq!(fold("  Edo.  ZULIA-- "), "edo zulia", "plain ASCII");
        assert_eq!(fold("  NÚÑEZ,  José "), "nunez jose");
        assert_eq!(fold("Distrito-Capital"), "distrito capital");
    }
}
