//! The house rules, checked on the source itself: no circle of imports between the crate's own
//! modules (data and control flow one way), and no file longer than 500 lines.
//!
//! Written here from scratch (no shared tool): each file's `crate::`, `super::` and `self::` paths
//! are resolved to the longest module file they name; a circle is a strongly connected set of files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file defines: `src/a/b.rs` → [a, b], `src/a/mod.rs` → [a], `src/lib.rs` → [].
fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Module = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] {
        parts.clear();
    }
    parts
}

/// Source without comments and without the trailing `#[cfg(test)]` module.
fn code_of(text: &str) -> String {
    let body = text.split("#[cfg(test)]").next().unwrap_or("");
    body.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Expands a path tail at `rest` (after `prefix::`): idents, `{a, b::c, ...}` groups, `*`.
fn expand(prefix: &Module, rest: &str, out: &mut Vec<Module>) {
    let rest = rest.trim_start();
    if let Some(inner) = rest.strip_prefix('{') {
        // split the group at top-level commas
        let mut depth = 0;
        let mut start = 0;
        let bytes: Vec<char> = inner.chars().collect();
        let mut end = bytes.len();
        for (i, &c) in bytes.iter().enumerate() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    end = i;
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    let item: String = bytes[start..i].iter().collect();
                    expand_item(prefix, &item, out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        let item: String = bytes[start..end].iter().collect();
        expand_item(prefix, &item, out);
        return;
    }
    let ident: String = rest.chars().take_while(|&c| is_ident(c)).collect();
    if ident.is_empty() {
        out.push(prefix.clone());
        return;
    }
    let mut path = prefix.clone();
    path.push(ident.clone());
    let after = &rest[ident.len()..];
    match after.strip_prefix("::") {
        Some(more) => expand(&path, more, out),
        None => out.push(path),
    }
}

fn expand_item(prefix: &Module, item: &str, out: &mut Vec<Module>) {
    let item = item.trim();
    let item = item.split(" as ").next().unwrap_or("").trim();
    if item.is_empty() || item == "self" || item == "*" {
        out.push(prefix.clone());
    } else {
        expand(prefix, item, out);
    }
}

/// Every path a file names through `crate::`, `super::` or `self::`.
fn paths_in(code: &str, module: &Module) -> Vec<Module> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = code.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let starts_word = i == 0 || !is_ident(chars[i - 1].1);
        if starts_word && is_ident(c) {
            let word: String = code[at..].chars().take_while(|&c| is_ident(c)).collect();
            let mut base: Option<Module> = match word.as_str() {
                "crate" => Some(Vec::new()),
                "self" => Some(module.clone()),
                "super" => {
                    let mut m = module.clone();
                    m.pop();
                    Some(m)
                }
                _ => None,
            };
            let mut rest = &code[at + word.len()..];
            if let Some(b) = base.as_mut() {
                // `super::super::...`
                while let Some(r) = rest.strip_prefix("::super") {
                    b.pop();
                    rest = r;
                }
                if let Some(tail) = rest.strip_prefix("::") {
                    expand(b, tail, &mut out);
                }
            }
            i += word.chars().count();
            continue;
        }
        i += 1;
    }
    out
}

fn resolve(path: &Module, modules: &BTreeSet<Module>) -> Module {
    (0..=path.len())
        .rev()
        .map(|k| path[..k].to_vec())
        .find(|p| modules.contains(p))
        .unwrap_or_default()
}

/// Strongly connected sets of more than one module (Tarjan).
fn circles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct State<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<Module, usize>,
        low: BTreeMap<Module, usize>,
        stack: Vec<Module>,
        on: BTreeSet<Module>,
        next: usize,
        found: Vec<Vec<Module>>,
    }
    fn visit(s: &mut State, v: &Module) {
        s.index.insert(v.clone(), s.next);
        s.low.insert(v.clone(), s.next);
        s.next += 1;
        s.stack.push(v.clone());
        s.on.insert(v.clone());
        for w in s.edges[v].clone() {
            if !s.index.contains_key(&w) {
                visit(s, &w);
                let lw = s.low[&w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on.contains(&w) {
                let iw = s.index[&w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on.remove(&w);
                let done = &w == v;
                comp.push(w);
                if done {
                    break;
                }
            }
            if comp.len() > 1 {
                s.found.push(comp);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.found
}

fn import_graph(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<Module> = files.iter().map(|f| module_of(src, f)).collect();
    let mut edges = BTreeMap::new();
    for f in &files {
        let m = module_of(src, f);
        let code = code_of(&std::fs::read_to_string(f).unwrap());
        let targets: BTreeSet<Module> = paths_in(&code, &m)
            .iter()
            .map(|p| resolve(p, &modules))
            .filter(|t| t != &m && !t.is_empty())
            .collect();
        edges.insert(m, targets);
    }
    edges
}

#[test]
fn the_checker_finds_a_circle_when_there_is_one() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("scene")).unwrap();
    std::fs::write(src.join("lib.rs"), "pub mod a;\npub mod scene;\n").unwrap();
    std::fs::write(
        src.join("a.rs"),
        "use crate::scene::{parts::Crate, Other};\n",
    )
    .unwrap();
    std::fs::write(
        src.join("scene/mod.rs"),
        "pub mod parts;\npub struct Other;\n",
    )
    .unwrap();
    std::fs::write(
        src.join("scene/parts.rs"),
        "// use crate::b; (a comment is no import)\nuse super::super::a::X;\n",
    )
    .unwrap();
    let found = circles(&import_graph(src));
    assert_eq!(found.len(), 1, "{found:?}");
    let mut names: Vec<String> = found[0].iter().map(|m| m.join("/")).collect();
    names.sort();
    assert_eq!(names, ["a", "scene/parts"]);
    // break it: the child no longer names `a`
    std::fs::write(src.join("scene/parts.rs"), "pub struct Crate;\n").unwrap();
    assert!(circles(&import_graph(src)).is_empty());
}

#[test]
fn no_import_circles_between_our_modules() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = import_graph(&src);
    assert!(edges.len() > 30, "only {} module files found", edges.len());
    let found = circles(&edges);
    let shown: Vec<String> = found
        .iter()
        .map(|c| {
            c.iter()
                .map(|m| format!("{} -> {:?}", m.join("::"), edges[m]))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .collect();
    assert!(found.is_empty(), "import circles: {shown:#?}");
    // the model never reads the app: nothing under model/ names a module outside it but `limits`
    for (m, targets) in &edges {
        if m.first().is_some_and(|f| f == "model") {
            for t in targets {
                assert!(
                    t[0] == "model" || t[0] == "limits",
                    "{} imports {}",
                    m.join("::"),
                    t.join("::")
                );
            }
        }
    }
}

#[test]
fn no_source_file_is_longer_than_500_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > 500).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these by reason to change: {long:?}");
}
