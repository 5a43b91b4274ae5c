//! A phonetic key for Spanish as it is spoken in Venezuela: two spellings a reporter could
//! write for the same sound get the same key.

use vigilia_core::text::fold;

/// The key of one word (folded first: accents and case do not count).
///
/// `Jhonny`, `Yony` → `yoni`; `Gonzalez`, `Gonsales` → `gonsales`; `Vásquez`, `Bazques` →
/// `baskes`; `Hernández`, `Ernandes` → `ernandes`; `Ximena`, `Jimena` → `jimena`.
pub fn key(word: &str) -> String {
    let w: Vec<char> = fold(word).chars().filter(|c| c.is_alphanumeric()).collect();
    let mut out = String::with_capacity(w.len());
    let at = |i: usize| w.get(i).copied();
    let mut i = 0;
    while let Some(c) = at(i) {
        let next = at(i + 1);
        let front = |n: Option<char>| matches!(n, Some('e' | 'i' | 'y'));
        let (sound, used): (&str, usize) = match c {
            // "ch" is its own sound; any other h is silent.
            'c' if next == Some('h') => ("ch", 2),
            'c' if front(next) => ("s", 1),
            'c' | 'k' | 'q' => ("k", if c == 'q' && next == Some('u') { 2 } else { 1 }),
            'h' => ("", 1),
            'z' | 's' => ("s", 1),
            'v' | 'b' | 'w' => ("b", 1),
            // "Jhon", "Jhonny": the j is a y in Venezuela.
            'j' if next == Some('h') => ("y", 2),
            'j' | 'x' => ("j", 1),
            'g' if front(next) => ("j", 1),
            'g' if next == Some('u') && front(at(i + 2)) => ("g", 2),
            'l' if next == Some('l') => ("y", 2),
            'y' if next.is_none_or(|n| !"aeiou".contains(n)) => ("i", 1),
            'ñ' => ("n", 1),
            c => {
                // A letter written twice sounds once (`Wilmmer`, `Isaac`).
                let mut buf = [0u8; 4];
                let s: &str = c.encode_utf8(&mut buf);
                if out.ends_with(s) {
                    ("", 1)
                } else {
                    out.push(c);
                    ("", 1)
                }
            }
        };
        if !sound.is_empty() && !out.ends_with(sound) {
            out.push_str(sound);
        }
        i += used;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn spellings_of_one_sound_share_a_key() {
        for group in [
            &["Jhonny", "Yony", "Jhony"][..],
            &["Jhon", "Yon"],
            &["González", "Gonzales", "Gonsalez", "GONSALES"],
            &["Vásquez", "Vasquez", "Basques", "Vazquez"],
            &["Hernández", "Ernandes", "Hernandez"],
            &["Ximena", "Jimena"],
            &["Yépez", "Llepes"],
            &["Gerardo", "Jerardo"],
            &["Cecilia", "Sesilia"],
            &["Guillermo", "Guiyermo"],
            &["Wilmer", "Wilmmer", "Wilmeer"],
        ] {
            let keys: Vec<String> = group.iter().map(|w| key(w)).collect();
            assert!(keys.iter().all(|k| *k == keys[0]), "{group:?} → {keys:?}");
        }
    }

    #[test]
    fn different_sounds_keep_apart() {
        for (a, b) in [
            ("Pérez", "Peña"),
            ("Rosa", "Rojas"),
            ("Carlos", "Marcos"),
            ("Ana", "Nana"),
        ] {
            assert_ne!(key(a), key(b), "{a} / {b}");
        }
    }
}
