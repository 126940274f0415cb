//! Visitor-facing text in every language we ship: one Fluent catalogue per language
//! (`assets/i18n/<code>/*.ftl`, built into the binary), looked up by message id with named
//! arguments. [`Lang`] is the language now shown (a resource; `--lang`, the panel, the kiosk
//! config). Imports only `model`'s number words, so every module but `model` may use it.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use bevy::prelude::Resource;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language the factory speaks.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// German.
    De,
}

/// Every message file of every language, in [`Lang::ALL`] order (built in: no file to lose).
const SOURCES: [(Lang, &[(&str, &str)]); 2] = [
    (
        Lang::En,
        &[
            ("en/ui.ftl", include_str!("../assets/i18n/en/ui.ftl")),
            ("en/tour.ftl", include_str!("../assets/i18n/en/tour.ftl")),
            (
                "en/windows.ftl",
                include_str!("../assets/i18n/en/windows.ftl"),
            ),
            ("en/scene.ftl", include_str!("../assets/i18n/en/scene.ftl")),
        ],
    ),
    (
        Lang::De,
        &[
            ("de/ui.ftl", include_str!("../assets/i18n/de/ui.ftl")),
            ("de/tour.ftl", include_str!("../assets/i18n/de/tour.ftl")),
            (
                "de/windows.ftl",
                include_str!("../assets/i18n/de/windows.ftl"),
            ),
            ("de/scene.ftl", include_str!("../assets/i18n/de/scene.ftl")),
        ],
    ),
];

impl Lang {
    /// Every language we ship.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    /// The language's code: "en", "de".
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// The language's name in itself (for the language button).
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
        }
    }

    /// The language for a code ("de", "DE", "de-AT" all give German); an unknown one is an error
    /// naming the known codes.
    pub fn parse(code: &str) -> Result<Lang, String> {
        let base = code.trim().split(['-', '_']).next().unwrap_or("");
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(base))
            .ok_or_else(|| {
                format!(
                    "unknown language {code:?} (known: {})",
                    Lang::ALL.map(Lang::code).join(", ")
                )
            })
    }

    /// The next language (the language button cycles through them).
    pub fn next(self) -> Lang {
        let i = Lang::ALL.iter().position(|l| *l == self).unwrap_or(0);
        Lang::ALL[(i + 1) % Lang::ALL.len()]
    }

    /// Whether this language's catalogue has the message `id` (or `id.attribute`).
    pub fn has(self, id: &str) -> bool {
        format(self, id, &FluentArgs::new()).is_some()
    }

    /// The message `id` (or `id.attribute`) in this language, without arguments.
    pub fn t(self, id: &str) -> String {
        self.t_args(id, &[])
    }

    /// The message `id` (or `id.attribute`) with its `{ $name }` arguments filled. A message
    /// missing here falls back to English, then to the id itself (a test keeps that from
    /// happening in what we ship).
    pub fn t_args(self, id: &str, args: &[(&str, Arg)]) -> String {
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            fargs.set(
                *k,
                match v {
                    Arg::Num(n) => FluentValue::from(*n),
                    Arg::Text(s) => FluentValue::from(s.clone()),
                },
            );
        }
        format(self, id, &fargs)
            .or_else(|| format(Lang::En, id, &fargs))
            .unwrap_or_else(|| id.to_string())
    }
}

/// An argument of a message: a number (plural forms choose by it) or a text.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A number (shown as written: format it first and pass text for a fixed precision).
    Num(f64),
    /// A text.
    Text(String),
}

impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Arg::Num(n as f64)
    }
}

impl From<u32> for Arg {
    fn from(n: u32) -> Self {
        Arg::Num(n as f64)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Arg::Text(s.clone())
    }
}

/// `tr!(lang, "id")` or `tr!(lang, "id", name = value, ...)`: the message in that language, each
/// value anything that converts into an [`Arg`].
#[macro_export]
macro_rules! tr {
    ($lang:expr, $id:expr) => {
        $crate::i18n::Lang::t($lang, $id)
    };
    ($lang:expr, $id:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::Lang::t_args(
            $lang,
            $id,
            &[$((stringify!($name), $crate::i18n::Arg::from($value))),+],
        )
    };
}

/// A count in words in `lang`: "1.7 million", "1,7 Millionen" (the rounding of
/// [`crate::model::scale::count_words`], the unit and the decimal mark from the catalogue).
pub fn count_words(lang: Lang, n: f64) -> String {
    let en = crate::model::scale::count_words(n);
    let Some((number, unit)) = en.split_once(' ') else {
        return en;
    };
    let number = number.replace('.', &lang.t("decimal-mark"));
    let unit = lang.t(&format!("unit-{unit}"));
    format!("{number} {unit}")
}

type Bundle = FluentBundle<FluentResource>;

/// Each language's bundle, parsed once.
fn bundles() -> &'static [(Lang, Bundle)] {
    static BUNDLES: OnceLock<Vec<(Lang, Bundle)>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(lang, files)| {
                let id = lang
                    .code()
                    .parse()
                    .expect("a language code is a language id");
                let mut bundle = Bundle::new_concurrent(vec![id]);
                // no Unicode isolation marks around arguments: egui's fonts draw them as boxes
                bundle.set_use_isolating(false);
                for (name, text) in *files {
                    let res = FluentResource::try_new(text.to_string()).unwrap_or_else(|(r, e)| {
                        bevy::log::error!("{name}: {} syntax errors: {e:?}", e.len());
                        r
                    });
                    if let Err(e) = bundle.add_resource(res) {
                        bevy::log::error!("{name}: {e:?}");
                    }
                }
                (*lang, bundle)
            })
            .collect()
    })
}

fn format(lang: Lang, id: &str, args: &FluentArgs) -> Option<String> {
    let (_, bundle) = bundles().iter().find(|(l, _)| *l == lang)?;
    let (msg, attr) = match id.split_once('.') {
        Some((m, a)) => (m, Some(a)),
        None => (id, None),
    };
    let msg = bundle.get_message(msg)?;
    let pattern = match attr {
        Some(a) => msg.get_attribute(a)?.value(),
        None => msg.value()?,
    };
    let mut errors = vec![];
    let out = bundle.format_pattern(pattern, Some(args), &mut errors);
    Some(out.into_owned())
}

/// Every message id (with `.attribute` ids) of a language and, for each, the names of the
/// arguments it uses: what the catalogue test compares across languages.
pub fn inventory(lang: Lang) -> Vec<(String, BTreeSet<String>)> {
    use fluent_syntax::ast;
    let mut out = vec![];
    let (_, files) = SOURCES.iter().find(|(l, _)| *l == lang).expect("shipped");
    for (_, text) in *files {
        let res = FluentResource::try_new(text.to_string()).unwrap_or_else(|(r, _)| r);
        for entry in res.entries() {
            if let ast::Entry::Message(m) = entry {
                if let Some(p) = &m.value {
                    out.push((m.id.name.to_string(), variables(p)));
                }
                for a in &m.attributes {
                    out.push((format!("{}.{}", m.id.name, a.id.name), variables(&a.value)));
                }
            }
        }
    }
    out
}

/// The `$variables` a pattern uses, including inside select expressions.
fn variables(p: &fluent_syntax::ast::Pattern<&str>) -> BTreeSet<String> {
    use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
    fn inline(e: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match e {
            InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            InlineExpression::Placeable { expression } => expr(expression, out),
            InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline(a, out);
                }
            }
            _ => {}
        }
    }
    fn expr(e: &Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            Expression::Inline(i) => inline(i, out),
            Expression::Select { selector, variants } => {
                inline(selector, out);
                for v in variants {
                    pat(&v.value, out);
                }
            }
        }
    }
    fn pat(p: &fluent_syntax::ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for el in &p.elements {
            if let PatternElement::Placeable { expression } = el {
                expr(expression, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    pat(p, &mut out);
    out
}

/// The syntax errors of every shipped file, as "file: error" lines (none in what we ship).
pub fn syntax_errors() -> Vec<String> {
    SOURCES
        .iter()
        .flat_map(|(_, files)| files.iter())
        .filter_map(|(name, text)| {
            FluentResource::try_new(text.to_string())
                .err()
                .map(|(_, e)| format!("{name}: {e:?}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_every_language_with_the_same_arguments() {
        assert_eq!(syntax_errors(), Vec::<String>::new());
        let en = inventory(Lang::En);
        assert!(en.len() > 50, "{} messages", en.len());
        for lang in Lang::ALL {
            let other = inventory(lang);
            let mut seen = BTreeSet::new();
            for (id, _) in &other {
                assert!(
                    seen.insert(id.clone()),
                    "{}: {id} is defined twice",
                    lang.code()
                );
            }
            for (id, vars) in &en {
                let found = other.iter().find(|(i, _)| i == id);
                let Some((_, theirs)) = found else {
                    panic!("{}: message {id} is missing", lang.code());
                };
                assert_eq!(theirs, vars, "{}: {id} takes other arguments", lang.code());
            }
            for (id, _) in &other {
                assert!(
                    en.iter().any(|(i, _)| i == id),
                    "{}: {id} is not in English",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn every_id_the_code_asks_for_is_in_the_catalogue() {
        // the ids written as tr!(lang, "id" ...) anywhere under src/
        let en: BTreeSet<String> = inventory(Lang::En).into_iter().map(|(i, _)| i).collect();
        let mut asked = 0;
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    // Lang::t("id") too: the id is its first argument
                    let own = p.ends_with("i18n.rs"); // its tests ask for a missing id
                    for (i, _) in text.match_indices(".t(\"").filter(|_| !own) {
                        let id: String = text[i + 4..].chars().take_while(|c| *c != '"').collect();
                        asked += 1;
                        assert!(
                            en.contains(&id),
                            "{}: {id} is not in the catalogue",
                            p.display()
                        );
                    }
                    for (i, _) in text.match_indices("tr!(") {
                        let before = text[..i].chars().next_back().unwrap_or(' ');
                        if before.is_alphanumeric() || before == '_' || before == '"' {
                            continue; // include_str!( and the like
                        }
                        let line = &text[text[..i].rfind('\n').map_or(0, |n| n + 1)..i];
                        if line.trim_start().starts_with("//") {
                            continue; // a comment
                        }
                        // the second argument, when it is a literal
                        let rest = &text[i + 4..];
                        let Some(comma) = rest.find(',') else {
                            continue;
                        };
                        let Some(lit) = rest[comma + 1..].trim_start().strip_prefix('"') else {
                            continue; // the id is not a literal
                        };
                        let id: String = lit.chars().take_while(|c| *c != '"').collect();
                        asked += 1;
                        assert!(
                            en.contains(&id),
                            "{}: {id} is not in the catalogue",
                            p.display()
                        );
                    }
                }
            }
        }
        assert!(asked > 50, "{asked} ids found");
    }

    #[test]
    fn arguments_are_filled_and_codes_parse() {
        assert_eq!(Lang::parse("DE-at"), Ok(Lang::De));
        assert!(Lang::parse("xx").unwrap_err().contains("en, de"));
        assert_eq!(Lang::En.next(), Lang::De);
        let s = tr!(Lang::En, "station-booth", layer = 2usize, head = 3usize);
        assert!(s.contains('2') && s.contains('3'), "{s}");
        assert!(!s.contains('\u{2068}'), "no isolation marks");
        assert_eq!(Lang::De.t("no-such-message"), "no-such-message");
        assert_eq!(count_words(Lang::En, 1.7e6), "1.7 million");
        assert_eq!(count_words(Lang::De, 1.7e6), "1,7 Millionen");
        assert_eq!(count_words(Lang::De, 124e6), "124 Millionen");
        assert_eq!(count_words(Lang::De, 12.0), "12");
    }
}
