//! The balance in words: what each breakdown and each of its values is called, in Spanish and
//! English, for every page and text a person reads (the JSON keeps its stable keys).

use vigilia_core::lang::Lang;

/// A breakdown's name ("civilian_military" → "Civiles y militares").
pub fn dimension(name: &str, lang: Lang) -> String {
    let (es, en) = match name {
        "sex" => ("Sexo", "Sex"),
        "civilian_military" => ("Civiles y militares", "Civilian or military"),
        "age" => ("Edad", "Age"),
        "nationality" => ("Nacionalidad", "Nationality"),
        "convicted" => ("Con condena", "Convicted"),
        "whereabouts_unknown" => ("Paradero desconocido", "Whereabouts unknown"),
        "house_arrest" => ("Arresto domiciliario", "House arrest"),
        "state" => ("Estado", "State"),
        "facility" => ("Centro de reclusión", "Place of detention"),
        "agency" => ("Cuerpo que detuvo", "Arresting agency"),
        "charge" => ("Cargos", "Charges"),
        "category" => ("Categoría", "Category"),
        "context" => ("Contexto", "Context"),
        other => (other, other),
    };
    pick(lang, es, en)
}

/// A value of a breakdown ("military" → "militares", "true" of "convicted" → "con condena");
/// names (states, places, agencies, charges) as they are.
pub fn value(dimension: &str, value: &str, lang: Lang) -> String {
    let (es, en) = match (dimension, value) {
        (_, "unknown") => ("sin dato", "not known"),
        // Values of too few people, and when needed those not known and the next smallest with
        // them (so that none can be found by subtraction), at whatever threshold the
        // organisation set.
        (_, "others") => (
            "otros valores, sumados para que nadie sea reconocible",
            "other values, added together so that no one can be recognised",
        ),
        ("sex", "F") => ("mujeres", "women"),
        ("sex", "M") => ("hombres", "men"),
        ("sex", "X") => ("otro", "other"),
        ("civilian_military", "civilian") => ("civiles", "civilians"),
        ("civilian_military", "military") => ("militares", "military"),
        ("age", "adult") => ("adultos", "adults"),
        ("age", "adolescent") => ("adolescentes", "adolescents"),
        ("nationality", "national") => ("nacionales", "nationals"),
        ("nationality", "dual") => ("doble nacionalidad", "dual nationals"),
        ("nationality", "foreign") => ("extranjeros", "foreigners"),
        ("convicted", "true") => ("con condena", "convicted"),
        ("convicted", "false") => ("sin condena", "not convicted"),
        ("whereabouts_unknown", "true") => ("paradero desconocido", "whereabouts unknown"),
        ("whereabouts_unknown", "false") => ("paradero conocido", "whereabouts known"),
        ("house_arrest", "true") => ("en arresto domiciliario", "under house arrest"),
        ("house_arrest", "false") => ("en un centro de reclusión", "in a place of detention"),
        ("category", "1") => ("categoría 1", "category 1"),
        ("category", "2") => ("categoría 2", "category 2"),
        ("category", "3") => ("categoría 3", "category 3"),
        (_, other) => (other, other),
    };
    pick(lang, es, en)
}

/// Where a value goes among its breakdown's, before names are compared: a breakdown with a
/// fixed set of values reads them in their own order (men, women; true, false), the same in
/// every language; names (states, places, agencies, charges, contexts) after them, in the
/// alphabet's order; then what is not known, and last the values gathered.
pub fn value_place(dimension: &str, value: &str) -> (u8, usize) {
    let fixed: &[&str] = match dimension {
        "sex" => &["M", "F", "X"],
        "civilian_military" => &["civilian", "military"],
        "age" => &["adult", "adolescent"],
        "nationality" => &["national", "dual", "foreign"],
        "convicted" | "whereabouts_unknown" | "house_arrest" => &["true", "false"],
        "category" => &["1", "2", "3"],
        _ => &[],
    };
    match value {
        "unknown" => (1, 0),
        "others" => (2, 0),
        _ => (
            0,
            fixed.iter().position(|v| *v == value).unwrap_or(usize::MAX),
        ),
    }
}

/// A figure's name ("held" → "Detenidos").
pub fn figure(name: &str, lang: Lang) -> String {
    let (es, en) = match name {
        "political_prisoners" => ("Presos políticos", "Political prisoners"),
        "held" => (
            "Detenidos (incluye menos de 48 horas)",
            "Held (including under 48 hours)",
        ),
        "under_study" => ("En estudio", "Under study"),
        other => (other, other),
    };
    pick(lang, es, en)
}

/// The title of a list behind a figure, as `vigilia_count::list` names it
/// (`political_prisoners:civilian_military=military` → "Presos políticos: militares").
pub fn list_title(list: &str, lang: Lang) -> String {
    match list.split_once(':') {
        Some((figure_name, selection)) => {
            let chosen = match selection.split_once('=') {
                Some((dim, v)) => format!("{}: {}", dimension(dim, lang), value(dim, v, lang)),
                None => selection.to_string(),
            };
            format!("{}, {chosen}", figure(figure_name, lang))
        }
        None => figure(list, lang),
    }
}

fn pick(lang: Lang, es: &str, en: &str) -> String {
    match lang {
        Lang::Es => es.to_string(),
        Lang::En => en.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_become_words_and_names_stay_names() {
        assert_eq!(
            dimension("civilian_military", Lang::Es),
            "Civiles y militares"
        );
        assert_eq!(
            value("civilian_military", "military", Lang::Es),
            "militares"
        );
        assert_eq!(value("convicted", "true", Lang::Es), "con condena");
        assert_eq!(
            value("house_arrest", "false", Lang::En),
            "in a place of detention"
        );
        assert_eq!(value("state", "Zulia", Lang::Es), "Zulia");
        assert_eq!(
            list_title("political_prisoners:civilian_military=military", Lang::Es),
            "Presos políticos, Civiles y militares: militares"
        );
        assert_eq!(
            list_title("held", Lang::En),
            "Held (including under 48 hours)"
        );
    }
}
