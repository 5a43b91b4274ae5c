//! Spanish first, English always: every message a person reads has both texts.

use serde::{Deserialize, Serialize};

/// The language a message is shown in. Spanish is the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Es,
    En,
}

impl Lang {
    /// Reads `es`/`en` (also `es-VE`, `en_US.UTF-8`, as locales are written); anything else is Spanish.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Es
        }
    }

    /// A whole number as this language writes it: `12.345` in Spanish, `12,345` in English.
    pub fn number(self, n: u64) -> String {
        let sep = self.pick(".", ",");
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    }

    /// A fraction with `places` decimals, as this language writes it: `1,022` in Spanish,
    /// `1.022` in English (for figures that are never in the thousands, as an R-hat).
    pub fn decimal(self, x: f64, places: usize) -> String {
        let text = format!("{x:.places$}");
        match self {
            Lang::Es => text.replace('.', ","),
            Lang::En => text,
        }
    }

    /// Picks the text in this language.
    pub fn pick<'a>(self, es: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Es => es,
            Lang::En => en,
        }
    }

    /// Picks one of two values (tables of words) by language.
    pub fn pick_static<T: ?Sized>(self, es: &'static T, en: &'static T) -> &'static T {
        match self {
            Lang::Es => es,
            Lang::En => en,
        }
    }
}

/// A message that can be said in Spanish and in English.
pub trait Localize {
    fn localize(&self, lang: Lang) -> String;
}

impl<T: Localize + ?Sized> Localize for &T {
    fn localize(&self, lang: Lang) -> String {
        (**self).localize(lang)
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn numbers_are_written_as_each_language_writes_them() {
        assert_eq!(Lang::Es.number(1_234_567), "1.234.567");
        assert_eq!(Lang::En.number(1_234_567), "1,234,567");
        assert_eq!(Lang::Es.number(999), "999");
        // An R-hat as the CLI and the pages show it: one decimal mark, the language's.
        assert_eq!(Lang::Es.decimal(1.02249, 3), "1,022");
        assert_eq!(Lang::En.decimal(1.02249, 3), "1.022");
        assert_eq!(Lang::Es.decimal(1.1, 2), "1,10");
    }
}
