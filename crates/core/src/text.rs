//! Folding text for comparison: `Edo. Táchira`, `TACHIRA` and `tachira` are the same key.

use unicode_normalization::UnicodeNormalization;

/// Lower case, accents removed, punctuation turned into spaces, blanks collapsed; in a word that
/// mixes Latin letters with letters of another script, a letter drawn as a Latin one
/// ([`ascii_lookalike`]) is that letter, so that `Hеctor` typed with a Cyrillic `е` and `Ζoraida`
/// with a Greek `Ζ` are found, matched and compared as `Hector` and `Zoraida`. A word wholly in
/// another script is left as it is (`ВЕРА` and `вера` stay one name: the capital `В` is drawn as
/// `B`, the small `в` as nothing Latin).
pub fn fold(text: &str) -> String {
    // Most cells are plain ASCII: nothing to take apart, so the Unicode decomposition (most of
    // the time of reading a million reports' names) is skipped.
    if text.is_ascii() {
        return folded(text.chars(), text.len());
    }
    let marks = unicode_normalization::char::is_combining_mark;
    let mut plain = String::with_capacity(text.len());
    let mut word = Vec::new();
    for c in text.nfd().filter(|c| !marks(*c)) {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            latin_word(&mut word, &mut plain);
            plain.push(c);
        }
    }
    latin_word(&mut word, &mut plain);
    folded(plain.chars(), text.len())
}

/// A word of [`fold`], written to `out` (and emptied): its look-alike letters as Latin ones when
/// it mixes Latin letters with others.
fn latin_word(word: &mut Vec<char>, out: &mut String) {
    let latin = word.iter().any(|c| c.is_ascii_alphabetic());
    let other = word.iter().any(|c| !c.is_ascii() && c.is_alphabetic());
    for &c in word.iter() {
        match (latin && other).then(|| ascii_lookalike(c)).flatten() {
            Some(ascii) => out.push_str(&ascii),
            None => out.push(c),
        }
    }
    word.clear();
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

/// A free-text cell or field (a name, a place, an agency), trimmed; `None` when it is empty or
/// only says the value is not known ([`says_unknown`]). Codes (a nationality, an `end_type`)
/// are read with [`non_empty`]: `SD` is Sudan.
pub fn known(text: &str) -> Option<&str> {
    non_empty(text).filter(|t| !says_unknown(t))
}

/// What spreadsheets of detentions write for a value not known: `N/D`, `S/I`, `N/A`,
/// `Desconocido`, `Sin dato`, `Sin información`, `No se sabe`, or only signs (`-`,
/// `?`, `—`). Read as a value, `Desconocido` became a place of detention of its own in every
/// breakdown, beside «sin dato».
pub fn says_unknown(text: &str) -> bool {
    // Not `unknown`: the files' own word for an end whose kind is not known (`end_type`); nor
    // two letters without their slash (`SD` is Sudan, `Nd` a surname).
    const ASCII: [&str; 25] = [
        "n/d",
        "s/d",
        "s/i",
        "n/a",
        "desconocido",
        "desconocida",
        "no se sabe",
        "sin dato",
        "sin datos",
        "sin informacion",
        "no disponible",
        "no consta",
        "se desconoce",
        "desconocidos",
        "desconocidas",
        "no se",
        "no lo se",
        "no sabemos",
        "no sabe",
        "no se conoce",
        "se ignora",
        "ignorado",
        "ignorada",
        "no hay dato",
        "no hay datos",
    ];
    let t = text.trim().trim_end_matches('.');
    // Most cells are names, dates and numbers: longer, or begun by a letter or digit and not
    // one of these; each is decided by its first bytes.
    if t.len() > 16 {
        return false;
    }
    if t.chars().all(|c| !c.is_alphanumeric()) {
        return true;
    }
    if t.is_ascii() {
        return ASCII.iter().any(|u| u.eq_ignore_ascii_case(t));
    }
    matches!(
        t.to_lowercase().as_str(),
        "sin información" | "no sé" | "no lo sé"
    )
}

/// A character that is not text: a control character other than a tab or a line break (a NUL
/// byte, an escape), found in damaged or wrongly exported files. PostgreSQL refuses NUL in text
/// where SQLite stores it, so no cell that holds one is stored on either.
pub fn not_text(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// A character that changes the direction of the text around it (an embedding, an override,
/// an isolate, a direction mark): `U+202E` before `ediocileH lE` shows `El Helicoide` and turns
/// the page's own words after it around too; an Arabic letter mark in `123؜-456` shows
/// `456-123`.
pub fn reorders(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// The most marks drawn over or under one character: a pointed Hebrew letter carries four
/// (`שָּֽׁ`: a vowel, a dagesh, a meteg and the shin's dot), Vietnamese two (`ễ`).
pub const MARKS_ON_ONE: usize = 4;

/// Whether a text's marks sit as accents do: at most [`MARKS_ON_ONE`] drawn over or under one
/// character (Unicode's nonspacing and enclosing marks, of every script; a character that shows
/// nothing between them, a joiner, does not part them), and none that strikes through it (an
/// overlay: `P̶` or `P⃫`). A stack of marks runs over the lines above and below it on a page and
/// in a spreadsheet, and a struck letter reads as crossed out. Marks that take their own space
/// beside a letter (Burmese `ကျော်`, Devanagari vowel signs) do not stack and are not counted.
pub fn marks_fit(text: &str) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    let mut on_one = 0;
    text.chars().all(|c| {
        // No mark comes before U+0300, and of what shows nothing only the soft hyphen does:
        // most text is read without looking up each character's category, which was a sixth
        // of an import's work (bench/README.md, stop 37).
        if c < '\u{300}' {
            if c != '\u{AD}' {
                on_one = 0;
            }
            return true;
        }
        match c.general_category() {
            GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark => {
                on_one += 1;
                let overlay = unicode_normalization::char::canonical_combining_class(c) == 1;
                return on_one <= MARKS_ON_ONE && !overlay;
            }
            GeneralCategory::SpacingMark => {}
            _ if invisible(c) => {}
            _ => on_one = 0,
        }
        true
    })
}

/// The text without its characters that are not text ([`not_text`]) or that reorder what
/// follows ([`reorders`]): a form's fields and the API's are kept so, where a file's cell
/// holding one is refused by its line.
pub fn only_text(text: &str) -> std::borrow::Cow<'_, str> {
    let unfit = |c: char| not_text(c) || reorders(c);
    if text.chars().any(unfit) {
        std::borrow::Cow::Owned(text.chars().filter(|&c| !unfit(c)).collect())
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
/// a no-break space), every dash and minus sign written `-`, a character drawn as ASCII written
/// as that ASCII ([`ascii_lookalike`]), runs of spaces as one, trimmed. References already stored are looked up in this form too, so a file written
/// otherwise finds them.
pub fn normal_reference(text: &str) -> String {
    // Almost every reference is plain ASCII with single spaces, already normal: every import
    // puts each stored reference through here (two million in a registry of a million), so
    // those are copied as they are, without the Unicode tables.
    let plain = text.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
    if plain && !text.contains("  ") && !text.starts_with(' ') && !text.ends_with(' ') {
        return text.to_string();
    }
    let mut folded = String::with_capacity(text.len());
    for c in compatible(text).chars() {
        match c {
            // Dashes, minus signs, and the marks and box lines drawn as one.
            '\u{2010}'..='\u{2015}'
            | '\u{2043}'
            | '\u{2212}'
            | '\u{FE58}'
            | '\u{FE63}'
            | '\u{2E3A}'
            | '\u{2E3B}'
            | '\u{2500}'
            | '\u{2501}'
            | '\u{2796}'
            | '\u{30FC}'
            | '\u{FF70}'
            | '\u{1806}' => folded.push('-'),
            c => match ascii_lookalike(c) {
                Some(ascii) => folded.push_str(&ascii),
                None => folded.push(c),
            },
        }
    }
    let mut out = String::with_capacity(folded.len());
    for word in folded.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// What a character that is not ASCII is drawn as in ASCII, when it is drawn as ASCII: its
/// skeleton by Unicode's list of confusable characters (UTS #39, through `unicode-security`).
/// `Р-1` typed on a Russian keyboard, `ꓓ-1` in Lisu, `Ꭰ-1` in Cherokee and `D-1` are one
/// reference to whoever reads them, so they are one reference to the registry, and a file
/// cannot make a second record by changing a letter's script. A letter the list does not draw
/// as ASCII (`Д`, `Ж`, `λ`, `é`, the small capital `ᴅ`) is kept.
pub fn ascii_lookalike(c: char) -> Option<String> {
    if c.is_ascii() {
        return None;
    }
    let skeleton = skeleton_of(c);
    if skeleton.is_empty() || !skeleton.is_ascii() {
        return None;
    }
    // The skeleton of `I`, `l`, `1` and `|` is `l` for them all: the ASCII character is the
    // one of those of the same kind (a capital for `І`, a digit for `١`).
    let mut one = skeleton.chars();
    let (Some(first), None) = (one.next(), one.next()) else {
        return Some(skeleton);
    };
    // The case first: `ⅼ` (a small Roman numeral) is a small letter before it is a number.
    let case = |a: &&char| {
        (c.is_uppercase() && a.is_ascii_uppercase()) || (c.is_lowercase() && a.is_ascii_lowercase())
    };
    let digit = |a: &&char| c.is_numeric() && a.is_ascii_digit();
    let alike = ascii_by_skeleton()
        .get(&first)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let chosen = alike.iter().find(case).or_else(|| alike.iter().find(digit));
    Some(chosen.copied().unwrap_or(first).to_string())
}

/// The printable ASCII characters by their one-character skeleton (`l`: `1`, `I`, `l`, `|`).
fn ascii_by_skeleton() -> &'static std::collections::HashMap<char, Vec<char>> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<char, Vec<char>>> =
        std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: std::collections::HashMap<char, Vec<char>> = Default::default();
        for a in ' '..='~' {
            let mut one = skeleton_of(a).chars().collect::<Vec<_>>();
            if let (Some(s), 1) = (one.pop(), one.len() + 1) {
                table.entry(s).or_default().push(a);
            }
        }
        table
    })
}

/// A character's skeleton by Unicode's confusables (UTS #39).
fn skeleton_of(c: char) -> String {
    let mut buf = [0u8; 4];
    unicode_security::confusable_detection::skeleton(c.encode_utf8(&mut buf)).collect()
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

    #[test]
    fn a_cell_that_says_it_is_not_known_is_read_as_unknown() {
        for unknown in [
            "N/D",
            " n/d ",
            "S/I",
            "Desconocido",
            "DESCONOCIDA",
            "Sin información",
            "SIN INFORMACIÓN",
            "sin informacion",
            "No se sabe.",
            "No sé",
            "no sabemos",
            "Se ignora",
            "-",
            "—",
            "?",
            "??",
        ] {
            assert_eq!(super::known(unknown), None, "{unknown:?}");
        }
        // Values, however short or alike.
        for value in [
            "Sí",
            "NE",
            "Nadia",
            "Desconocidos de Catia",
            "SEBIN",
            "El Rodeo I",
            "V-12345678",
            "2024",
            "José",
            "D'Amico",
            "unknown",
            "SD",
            "Nd",
        ] {
            assert_eq!(super::known(value), Some(value), "{value:?}");
        }
    }

    /// Every character before the first block of marks parts two stacks of them, as any
    /// letter does, except the soft hyphen, which shows nothing: what the lookup of each
    /// character's category said before it was passed over for them.
    #[test]
    fn a_character_before_the_marks_parts_stacks_and_a_soft_hyphen_does_not() {
        use super::marks_fit;
        let four = "\u{301}\u{302}\u{303}\u{304}";
        for c in (0..0x300u32).filter_map(char::from_u32) {
            let stacked = format!("{c}{four}{c}{four}");
            assert_eq!(marks_fit(&stacked), c != '\u{AD}', "{c:?}");
        }
        assert!(!marks_fit("a\u{301}\u{302}\u{303}\u{304}\u{305}"));
    }

    /// A name typed with letters of another script that look Latin is folded as the Latin name.
    #[test]
    fn names_in_lookalike_letters_fold_as_the_latin_name() {
        assert_eq!(fold("Hеctor Mеdina"), fold("Héctor Medina"));
        assert_eq!(fold("Іvan"), "ivan");
        // A name in another script is one name in either case.
        assert_eq!(fold("ВЕРА ПЕТРОВА"), fold("вера петрова"));
        assert_eq!(fold("МАРИЯ"), fold("мария"));
        // A capital of another script at the head of a Latin name is the Latin capital.
        assert_eq!(fold("Ζoraida Quevedo"), "zoraida quevedo");
        assert_eq!(fold("Мiguel Villegas"), "miguel villegas");
        assert_eq!(super::ascii_lookalike('ⅼ').as_deref(), Some("l"));
        // A name in another script keeps its letters that do not look Latin.
        assert!(fold("Дмитрий").starts_with("дмит"), "{}", fold("Дмитрий"));
    }

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
        // Letters of other scripts drawn as Latin ones are those Latin letters, alone or among
        // others of their script; a letter drawn otherwise is kept.
        for typed in ["Р-1", "Ρ-1", "\u{420}-1", "ꓑ-1", "Ꮲ-1", "Ⲣ-1"] {
            assert_eq!(reference(typed).as_deref(), Ok("P-1"), "{typed:?}");
        }
        for typed in ["D˗1", "D─1", "Dー1", "D⸺1", "D᠆1"] {
            assert_eq!(reference(typed).as_deref(), Ok("D-1"), "{typed:?}");
        }
        assert_eq!(reference("Dı-1").as_deref(), Ok("Di-1"));
        // `I`, `l` and `1` share a skeleton: a capital stays a capital, a digit a digit.
        for typed in ["І-7", "Ι-7", "Ӏ-7"] {
            assert_eq!(reference(typed).as_deref(), Ok("I-7"), "{typed:?}");
        }
        assert_eq!(reference("P-١").as_deref(), Ok("P-1"));
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
