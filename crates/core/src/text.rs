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

/// The text without its characters that are not text ([`not_text`]): a form's fields and the
/// API's are kept so, where a file's cell holding one is refused by its line.
pub fn only_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(not_text) {
        std::borrow::Cow::Owned(text.chars().filter(|&c| !not_text(c)).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
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
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}'
        // Format characters that show nothing in running text (number signs, an Egyptian
        // joiner) and a blank notehead.
        | '\u{600}'..='\u{605}' | '\u{6DD}' | '\u{70F}' | '\u{890}'..='\u{891}' | '\u{8E2}'
        | '\u{110BD}' | '\u{110CD}' | '\u{13430}'..='\u{1343F}' | '\u{1D159}')
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
    /// Not in the one form references are kept in ([`normal_reference`]): `Peña` with its `ñ`
    /// written as `n` and a combining tilde, `Ｄ１` in full-width letters, `D–1` with an en dash
    /// or `D  1` with two spaces would each be another record than the reference as usually
    /// typed. Files are put in that form as they are read ([`reference`]); the ledger refuses
    /// what was not.
    NotNormal,
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
            (ReferenceFault::NotNormal, crate::lang::Lang::Es) => {
                "tiene letras, guiones o espacios escritos de otra forma que la habitual (sin normalizar)".into()
            }
            (ReferenceFault::NotNormal, crate::lang::Lang::En) => {
                "has letters, dashes or spaces written otherwise than usual (not normalised)".into()
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
    if normal_reference(reference) != reference {
        return Some(ReferenceFault::NotNormal);
    }
    (reference.chars().count() > REFERENCE_CHARS).then_some(ReferenceFault::TooLong)
}

/// The text with its compatibility forms folded (NFKC): full-width letters, mathematical
/// letters, ligatures and superscripts as the letters and digits they are.
pub fn compatible(text: &str) -> String {
    text.nfkc().collect()
}

/// A reference in the one form it is kept and looked up in, whatever program wrote it: its
/// compatibility forms folded (NFKC: full-width letters and digits, ligatures, superscripts,
/// a no-break space), every dash and minus sign written `-`, a Cyrillic or Greek letter drawn
/// as a Latin one written as that Latin letter ([`latin_lookalike`]), runs of spaces as one,
/// trimmed. References already stored are looked up in this form too, so a file written
/// otherwise finds them.
pub fn normal_reference(text: &str) -> String {
    // Almost every reference is plain ASCII with single spaces, already normal: every import
    // puts each stored reference through here (two million in a registry of a million), so
    // those are copied as they are, without the Unicode tables.
    let plain = text.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
    if plain && !text.contains("  ") && !text.starts_with(' ') && !text.ends_with(' ') {
        return text.to_string();
    }
    let folded: String = compatible(text)
        .chars()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2043}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' => '-',
            c => latin_lookalike(c).unwrap_or(c),
        })
        .collect();
    let mut out = String::with_capacity(folded.len());
    for word in folded.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The Latin letter a Cyrillic or Greek letter is drawn as, in the fonts a reference is read in
/// (after Unicode's list of confusable characters, UTS #39): `Р-1` typed on a Russian keyboard
/// and `P-1` are one reference to whoever reads them, so they are one reference to the registry,
/// and a file cannot make a second record by changing a letter's script. Letters drawn otherwise
/// (`Д`, `Ж`, `λ`) have none and are kept.
pub fn latin_lookalike(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic capitals, then small letters.
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'Ѕ' => 'S',
        'І' => 'I',
        'Ӏ' => 'I',
        'Ј' => 'J',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'Ү' => 'Y',
        'Х' => 'X',
        'Ԛ' => 'Q',
        'Ԝ' => 'W',
        'а' => 'a',
        'ԁ' => 'd',
        'е' => 'e',
        'һ' => 'h',
        'і' => 'i',
        'ј' => 'j',
        'ӏ' => 'l',
        'о' => 'o',
        'р' => 'p',
        'ԛ' => 'q',
        'ѕ' => 's',
        'с' => 'c',
        'у' => 'y',
        'ԝ' => 'w',
        'х' => 'x',
        // Greek capitals, then small letters.
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        'ο' => 'o',
        'ν' => 'v',
        _ => return None,
    })
}

/// A reference as read from a file or typed: in its normal form ([`normal_reference`]), then
/// checked as [`reference_fault`] does.
pub fn reference(text: &str) -> Result<String, ReferenceFault> {
    // A character that shows nothing is named as it was written (its normal form may be another
    // such character: a Hangul filler becomes another).
    if let Some(c) = text.chars().find(|&c| not_text(c) || invisible(c)) {
        return Err(ReferenceFault::NotText(c as u32));
    }
    let reference = normal_reference(text.trim());
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
            Some(ReferenceFault::NotNormal)
        );
        // Written by another program, read alike: one reference.
        for typed in [
            "D\u{2011}1",
            "D\u{2010}1",
            "D\u{2013}1",
            "D\u{2212}1",
            "Ｄ－１",
            "D-１",
            "𝐃-1",
            "  D-1 ",
            "D\u{FE63}1",
            "D-¹",
        ] {
            assert_eq!(reference(typed).as_deref(), Ok("D-1"), "{typed:?}");
        }
        for typed in ["D  1", "D\u{A0}1", "D\u{3000}1", "D \u{2007} 1"] {
            assert_eq!(reference(typed).as_deref(), Ok("D 1"), "{typed:?}");
        }
        assert_eq!(reference("Dﬁ1").as_deref(), Ok("Dfi1"));
        // Plain ASCII is kept as it is, and its spaces still folded.
        assert_eq!(reference("D-2024-000123").as_deref(), Ok("D-2024-000123"));
        assert_eq!(super::normal_reference(" D  1 "), "D 1");
        assert_eq!(reference_fault("D  1"), Some(ReferenceFault::NotNormal));
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
            '\t',
            '\u{200D}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{600}',
            '\u{110BD}',
            '\u{13430}',
            '\u{1D159}',
            '\u{202E}',
        ] {
            let typed = format!("D-{hidden}8");
            assert_eq!(
                reference(&typed),
                Err(ReferenceFault::NotText(hidden as u32)),
                "U+{:04X}",
                hidden as u32
            );
        }
        // Cyrillic and Greek letters drawn as Latin ones are those Latin letters, alone or
        // among others of their script; a letter drawn otherwise is kept.
        for typed in ["Р-1", "Ρ-1", "\u{420}-1"] {
            assert_eq!(reference(typed).as_deref(), Ok("P-1"), "{typed:?}");
        }
        assert_eq!(reference("АВС-12").as_deref(), Ok("ABC-12"));
        assert_eq!(reference("Дело-7").as_deref(), Ok("Дeлo-7"));
        assert_eq!(reference_fault("Р-1"), Some(ReferenceFault::NotNormal));
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
