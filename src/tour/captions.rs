//! Captions: the placeholders a tour's caption may hold, filled from the loaded model, and the
//! catalogue's captions (`@id`) in the language shown. Checked by the tour's loader.

use crate::i18n::Lang;
use crate::model::Config;

/// The placeholders a caption may hold, each filled from the model the tour runs on.
pub const PLACEHOLDERS: [&str; 8] = [
    "{layers}",
    "{heads}",
    "{width}",
    "{ffn}",
    "{context}",
    "{vocab}",
    "{params}",
    "{role}",
];

/// The placeholder for the role in general of the stop's booth (`factory heads`): kept by
/// [`fill`] and [`resolve`], filled per stop by [`fill_role`] (a stop holding it must be at a booth).
pub const ROLE: &str = "{role}";

/// `text` with [`ROLE`] replaced by the role line of head (`layer`, `head`) from `roles` (the
/// model folder's `heads.json`), or by a line saying it is not measured when the folder has none.
pub fn fill_role(
    text: &str,
    roles: &[crate::model::heads::HeadRole],
    (layer, head): (usize, usize),
    lang: Lang,
) -> String {
    if !text.contains(ROLE) {
        return text.to_string();
    }
    let line = roles
        .iter()
        .find(|r| r.layer == layer && r.head == head)
        .map_or_else(
            || crate::tr!(lang, "role-unmeasured"),
            |r| crate::scene::layout::role_text(lang, r),
        );
    text.replace(ROLE, &line)
}

/// A caption with its placeholders filled from the model: `{layers}`, `{heads}` (per layer),
/// `{width}` (numbers per token vector), `{ffn}` (neurons per FFN), `{context}`, `{vocab}` and
/// `{params}` ("1.7 million"); `{role}` is kept for [`fill_role`]. Text in braces that is none of
/// them is an error naming it.
pub fn fill(text: &str, cfg: &Config) -> Result<String, String> {
    let params = crate::model::scale::count_words(cfg.n_params() as f64);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return Ok(out);
        };
        let name = &rest[open + 1..open + close];
        let value = match name {
            "layers" => cfg.n_layer.to_string(),
            "heads" => cfg.n_head.to_string(),
            "width" => cfg.n_embd.to_string(),
            "ffn" => cfg.n_inner.to_string(),
            "context" => cfg.n_positions.to_string(),
            "vocab" => cfg.vocab_size.to_string(),
            "params" => params.clone(),
            "role" => ROLE.to_string(),
            other => return Err(other.to_string()),
        };
        out.push_str(&value);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A caption as shown in `lang`: `@id` (or `@id.attribute`) is that message of the catalogue
/// (assets/i18n), its arguments `$layers` ... `$params` filled from the model; any other text is
/// the author's own, in their language, with its `{placeholders}` filled (see [`fill`]). The error
/// says what is wrong.
pub fn resolve(text: &str, cfg: &Config, lang: Lang) -> Result<String, String> {
    if let Some(id) = text.strip_prefix('@') {
        if !Lang::En.has(id) {
            return Err(format!(
                "@{id} is not a message of the catalogue (assets/i18n/en/)"
            ));
        }
        let params = crate::i18n::count_words(lang, cfg.n_params() as f64);
        return Ok(crate::tr!(
            lang,
            id,
            layers = cfg.n_layer,
            heads = cfg.n_head,
            width = cfg.n_embd,
            ffn = cfg.n_inner,
            context = cfg.n_positions,
            vocab = cfg.vocab_size,
            params = params,
            role = ROLE,
        ));
    }
    fill(text, cfg).map_err(|name| {
        format!(
            "{{{name}}} is not a placeholder (known: {})",
            PLACEHOLDERS.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tour::{Tour, default_tour_path};

    #[test]
    fn placeholders_are_filled_from_the_model() {
        let cfg = Config::gpt2_small();
        assert_eq!(
            fill(
                "{layers} layers of {heads} heads, {width} wide, {params} numbers",
                &cfg
            )
            .unwrap(),
            "12 layers of 12 heads, 768 wide, 124 million numbers"
        );
        assert_eq!(fill("no braces", &cfg).unwrap(), "no braces");
        assert_eq!(fill("an open { brace", &cfg).unwrap(), "an open { brace");
        assert_eq!(
            fill("{heads} and {colour}", &cfg),
            Err("colour".to_string())
        );
    }
    #[test]
    fn a_role_is_filled_from_the_stops_booth_and_only_at_a_booth() {
        use crate::model::heads::{HeadRole, Role};
        let head = |layer, head, role, previous| HeadRole {
            layer,
            head,
            previous,
            first: 0.0,
            itself: 0.0,
            induction: 0.0,
            local: previous,
            role,
        };
        let roles = [
            head(0, 0, Role::Mixed, 0.1),
            head(1, 1, Role::Previous, 0.83),
        ];
        let text = "This head, {role}.";
        assert_eq!(
            fill_role(text, &roles, (1, 1), Lang::En),
            "This head, in general: looks at the previous word (0.83 of its attention)."
        );
        let unmeasured = fill_role(text, &[], (1, 1), Lang::En);
        assert!(unmeasured.contains("factory heads"), "{unmeasured}");
        assert_eq!(fill_role("no role", &roles, (1, 1), Lang::En), "no role");
        // a caption naming a role at a station that is no booth is an error naming the rule
        let cfg = Config::gpt2_small();
        let tour = |station: &str| {
            Tour::parse(
                &format!(
                    "Tour(title: \"t\", stops: [Stop(title: \"a\", text: \"{text}\", \
                     station: {station}, seconds: 5.0)])"
                ),
                std::path::Path::new("t.ron"),
            )
            .unwrap()
        };
        let e = tour("Dock").check(&cfg, std::path::Path::new("t.ron"));
        assert!(
            e.unwrap_err().to_string().contains("must be a Booth"),
            "a dock has no role"
        );
        assert!(
            tour("Booth(1, 1)")
                .check(&cfg, std::path::Path::new("t.ron"))
                .is_ok()
        );
        let filled = tour("Booth(1, 1)").filled(&cfg, Lang::De, &roles);
        assert!(
            filled.stops[0].text.contains("vorige Wort"),
            "{}",
            filled.stops[0].text
        );
    }

    /// Exhibit captions: the first sentence at most 20 words, the whole at most 50, on screen at
    /// least 0.3 s per word; and no number about this model written into the text (placeholders
    /// fill those): the only numbers left are 0, 1 and GPT-2's and GPT-3's published figures.
    #[test]
    fn the_default_tour_reads_in_the_time_it_is_shown() {
        let t = Tour::load(&default_tour_path()).unwrap();
        let cfg =
            Config::from_file(&crate::model::default_model_dir().join("config.json")).unwrap();
        let published = ["0", "1", "12", "96", "124", "175"];
        // the longest language decides how long a stop must stay (the roles the model ships with)
        let roles = crate::model::heads::load_roles(&crate::model::default_model_dir())
            .expect("heads.json ships")
            .unwrap();
        let langs = Lang::ALL.map(|l| t.clone().filled(&cfg, l, &roles));
        for (i, raw) in t.stops.iter().enumerate() {
            // every number the text itself holds (arguments filled with a mark, not a number)
            let marked = |l: Lang| match raw.text.strip_prefix('@') {
                Some(id) => crate::tr!(
                    l,
                    id,
                    layers = "#",
                    heads = "#",
                    width = "#",
                    ffn = "#",
                    context = "#",
                    vocab = "#",
                    params = "#",
                    role = "#"
                ),
                None => raw.text.clone(),
            };
            for (lang, filled) in Lang::ALL.iter().zip(&langs) {
                let filled = &filled.stops[i];
                let raw_text = marked(*lang);
                let text = &filled.text;
                let name = format!("{} ({})", filled.title, lang.code());
                assert!(!text.starts_with('@'), "{name}: not in the catalogue");
                let words = text.split_whitespace().count();
                let first = text
                    .split_inclusive(['.', '?', '!'])
                    .next()
                    .unwrap_or_default();
                assert!(words <= 50, "{name}: {words} words");
                assert!(
                    first.split_whitespace().count() <= 20,
                    "{name}: first sentence {first:?}"
                );
                assert!(
                    raw.seconds >= 0.3 * words as f32,
                    "{name}: {} s for {words} words",
                    raw.seconds
                );
                let bare = raw_text.replace("GPT-2", "").replace("GPT-3", "");
                for number in bare
                    .split(|c: char| !c.is_ascii_digit())
                    .filter(|n| !n.is_empty())
                {
                    assert!(
                        published.contains(&number),
                        "{name}: the number {number} should come from a placeholder"
                    );
                }
            }
        }
    }
}
