//! The house rules, checked on the source itself (this file reads files only; it does not link the
//! factory crate, and it needs nothing but std):
//! - no circle of imports between the crate's own modules (data and control flow one way);
//! - no file longer than 500 lines, no function longer than 80 (from its `fn` line to its closing
//!   brace), no `too_many_arguments` allowance;
//! - the module map: every top-level module has a row in the table at the top of `src/lib.rs` and a
//!   line in the README's Layout map; every submodule (any other file under `src/`) is named as a
//!   `code span` word in its top-level module's row; every path the Layout map names exists;
//! - every long flag of the command line (`#[arg(long ...)]` under `src/cli/`) is in the README.
//!
//! Each checker is also run on planted text, so it is shown to fail when it should.
//!
//! Written here from scratch: each file's `crate::`, `super::` and `self::` paths are resolved to
//! the longest module file they name; a circle is a strongly connected set of files. Function
//! lengths count as `/work/shared/tools/fn-lengths` does (ported line for line).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

type Module = Vec<String>;

/// The checkout: the crate's folder under cargo, else the current folder (for a plain
/// `rustc --test tests/house.rs` run from the checkout).
fn root() -> PathBuf {
    PathBuf::from(option_env!("CARGO_MANIFEST_DIR").unwrap_or("."))
}

/// A fresh folder under the system's temp folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("house-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("a temp folder");
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

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
    let dir = TempDir::new("circle");
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
    let src = root().join("src");
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
    let src = root().join("src");
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

// ---------------------------------------------------------------------------------------------
// Function length and `too_many_arguments`, counted as `/work/shared/tools/fn-lengths` counts.

/// The most lines a function may have, from its `fn` line to its closing brace.
const MAX_FN_LINES: usize = 80;

/// The name of the function a line starts, if it does: optional `pub` / `pub(...)`, then optional
/// `async`, `const`, `unsafe` (in that order), then `fn NAME` (fn-lengths' pattern).
fn fn_name(line: &str) -> Option<String> {
    // takes `word` and the whitespace after it, if both are there
    fn keyword<'a>(s: &'a str, word: &str) -> Option<&'a str> {
        let rest = s.strip_prefix(word)?;
        let after = rest.trim_start();
        (after.len() < rest.len()).then_some(after)
    }
    let mut s = line.trim_start();
    if let Some(rest) = s.strip_prefix("pub") {
        let rest = match rest.strip_prefix('(') {
            Some(inner) => inner.find(')').map(|k| &inner[k + 1..]),
            None => Some(rest),
        };
        if let Some(after) = rest.and_then(|r| keyword(r, "")) {
            s = after;
        }
    }
    for word in ["async", "const", "unsafe"] {
        if let Some(after) = keyword(s, word) {
            s = after;
        }
    }
    let s = keyword(s, "fn")?;
    let name: String = s.chars().take_while(|&c| is_ident(c)).collect();
    (!name.is_empty()).then_some(name)
}

/// A line without its string literals and its `//` comment, for counting braces.
fn braces_code(line: &str) -> String {
    let c: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            break;
        }
        if c[i] == '"' {
            // a string closes at the next quote not escaped, on this line
            let mut j = i + 1;
            let mut closed = None;
            while j < c.len() {
                match c[j] {
                    '\\' if j + 1 < c.len() => j += 2,
                    '\\' => break,
                    '"' => {
                        closed = Some(j);
                        break;
                    }
                    _ => j += 1,
                }
            }
            if let Some(j) = closed {
                i = j + 1;
                continue;
            }
        }
        out.push(c[i]);
        i += 1;
    }
    out
}

/// The functions in `text` longer than `limit` lines: (lines, line of the `fn`, name). A function
/// inside a long one is not counted again.
fn long_functions(text: &str, limit: usize) -> Vec<(usize, usize, String)> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(name) = fn_name(lines[i]) else {
            i += 1;
            continue;
        };
        if lines[i].trim_end().ends_with(';') {
            i += 1;
            continue;
        }
        let (mut depth, mut started, mut j) = (0i64, false, i);
        while j < lines.len() {
            for ch in braces_code(lines[j]).chars() {
                if ch == '{' {
                    depth += 1;
                    started = true;
                } else if ch == '}' {
                    depth -= 1;
                }
            }
            if started && depth <= 0 {
                break;
            }
            j += 1;
        }
        let n = j - i + 1;
        if n > limit {
            found.push((n, i + 1, name));
        }
        i = if started { j + 1 } else { i + 1 };
    }
    found
}

/// Every function over `limit` lines and every `too_many_arguments` under `src`, as messages.
fn function_rule_breaks(src: &Path, limit: usize) -> (Vec<String>, Vec<String>) {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let (mut long, mut allowances) = (Vec::new(), Vec::new());
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let shown = f.strip_prefix(src).unwrap_or(f).display().to_string();
        for (n, line, name) in long_functions(&text, limit) {
            long.push(format!("{name} (src/{shown}:{line}, {n} lines)"));
        }
        for (k, line) in text.lines().enumerate() {
            for _ in line.matches("too_many_arguments") {
                allowances.push(format!("src/{shown}:{}", k + 1));
            }
        }
    }
    (long, allowances)
}

#[test]
fn the_function_checker_finds_a_long_function_and_an_allowance() {
    // a function of exactly `MAX_FN_LINES` lines passes; one line more does not
    let body = |n: usize| -> String {
        (0..n)
            .map(|k| format!("    let x{k} = \"}}\"; // }} {{\n"))
            .collect()
    };
    let fits = format!("pub(crate) fn fits() {{\n{}}}\n", body(MAX_FN_LINES - 2));
    let long = format!(
        "/// doc\n#[allow(clippy::too_many_arguments)]\npub async fn too_long(a: u8) -> u8 {{\n    if a > 0 {{\n{}    }}\n    a\n}}\n",
        body(MAX_FN_LINES - 4)
    );
    let decl = "trait T {\n    fn declared(&self);\n}\n";
    let text = format!("{fits}{decl}{long}");
    let found = long_functions(&text, MAX_FN_LINES);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].2, "too_long");
    assert_eq!(found[0].0, MAX_FN_LINES + 1);
    assert_eq!(long_functions(&fits, MAX_FN_LINES), []);
    // the same through the files
    let dir = TempDir::new("fns");
    std::fs::create_dir_all(dir.path().join("ui")).unwrap();
    std::fs::write(dir.path().join("lib.rs"), &fits).unwrap();
    std::fs::write(dir.path().join("ui/panel.rs"), &text).unwrap();
    let (long_found, allowances) = function_rule_breaks(dir.path(), MAX_FN_LINES);
    assert_eq!(long_found.len(), 1, "{long_found:?}");
    assert!(
        long_found[0].starts_with("too_long (src/ui/panel.rs:"),
        "{long_found:?}"
    );
    // after `fits` (its lines, then the trait's 3) and the doc line
    let line = MAX_FN_LINES + 3 + 2;
    assert_eq!(allowances, [format!("src/ui/panel.rs:{line}")]);
    std::fs::write(dir.path().join("ui/panel.rs"), &fits).unwrap();
    assert_eq!(
        function_rule_breaks(dir.path(), MAX_FN_LINES),
        (vec![], vec![])
    );
}

#[test]
fn no_function_is_longer_than_80_lines() {
    let (long, _) = function_rule_breaks(&root().join("src"), MAX_FN_LINES);
    assert!(
        long.is_empty(),
        "{} functions over {MAX_FN_LINES} lines; split each by what its parts do: {long:#?}",
        long.len()
    );
}

#[test]
fn no_too_many_arguments_allowance() {
    let (_, allowances) = function_rule_breaks(&root().join("src"), MAX_FN_LINES);
    assert!(
        allowances.is_empty(),
        "`too_many_arguments` at {allowances:?}: group the parameters (a SystemParam, a struct)"
    );
}

// ---------------------------------------------------------------------------------------------
// The module map: `src/lib.rs`'s table and the README's Layout map.

/// The identifier-like words of the `code spans` in a line of Markdown.
fn code_words(text: &str) -> BTreeSet<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .flat_map(|span| span.split(|c: char| !is_ident(c)))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The rows of the module table in `lib.rs`'s doc comment: the first cell's module (written in a
/// code span, as ``[`ui`]``) → the whole row.
fn map_rows(lib_rs: &str) -> BTreeMap<String, String> {
    let mut rows = BTreeMap::new();
    for line in lib_rs.lines() {
        let Some(row) = line.trim_start().strip_prefix("//!").map(str::trim) else {
            continue;
        };
        let Some(cells) = row.strip_prefix('|') else {
            continue;
        };
        let first = cells.split('|').next().unwrap_or("");
        if !first.contains('`') {
            continue; // the header and the separator
        }
        let name: String = first.chars().filter(|&c| is_ident(c)).collect();
        rows.insert(name, row.to_owned());
    }
    rows
}

/// The README's Layout map: each entry (a line starting with `src/`, and the indented lines after
/// it) as (its path, its text after the path).
fn layout_entries(readme: &str) -> Vec<(String, String)> {
    let Some(at) = readme
        .match_indices("## Layout")
        .map(|(k, _)| k)
        .find(|&k| k == 0 || readme[..k].ends_with('\n'))
    else {
        return Vec::new();
    };
    let section = &readme[at..];
    let Some(start) = section.find("\n```") else {
        return Vec::new();
    };
    let block = &section[start + 4..];
    let block = &block[block.find('\n').map_or(0, |k| k + 1)..];
    let block = &block[..block.find("```").unwrap_or(block.len())];
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut in_src = false;
    for line in block.lines() {
        if line.starts_with(char::is_whitespace) {
            if in_src && let Some(last) = entries.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            continue;
        }
        let (path, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        in_src = path.starts_with("src/");
        if in_src {
            entries.push((path.to_owned(), rest.trim().to_owned()));
        }
    }
    entries
}

/// What the module map gets wrong, for the source folder `src` (whose parent holds the paths the
/// README names), the text of `lib.rs` and of the README.
fn module_map_problems(src: &Path, lib_rs: &str, readme: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<Module> = files
        .iter()
        .map(|f| module_of(src, f))
        .filter(|m| !m.is_empty())
        .collect();
    let rows = map_rows(lib_rs);
    let entries = layout_entries(readme);
    let checkout = src.parent().unwrap_or(src);
    for m in &modules {
        let top = &m[0];
        let Some(row) = rows.get(top) else {
            if m.len() == 1 {
                problems.push(format!("src/lib.rs's module map has no row for `{top}`"));
            }
            continue;
        };
        if m.len() == 1 {
            // its line in the README, as the file or folder it is now
            let as_dir = src.join(top).is_dir();
            let want = if as_dir {
                format!("src/{top}/")
            } else {
                format!("src/{top}.rs")
            };
            if !entries.iter().any(|(p, _)| *p == want) {
                problems.push(format!("the README's Layout map has no line for {want}"));
            }
        } else {
            let name = m.last().expect("a submodule");
            if !code_words(row).contains(name) {
                problems.push(format!(
                    "`{}` is not named in the `{top}` row of src/lib.rs's module map",
                    m.join("::")
                ));
            }
        }
    }
    let tops: BTreeSet<&String> = modules.iter().map(|m| &m[0]).collect();
    for name in rows.keys() {
        if !tops.contains(name) {
            problems.push(format!(
                "src/lib.rs's module map has a row for `{name}`, which is gone"
            ));
        }
    }
    for (path, text) in &entries {
        let on_disk = checkout.join(path);
        if !on_disk.exists() {
            problems.push(format!(
                "the README's Layout map names {path}, which does not exist"
            ));
            continue;
        }
        if !on_disk.is_dir() {
            continue;
        }
        // `name.rs` and `name/` in a folder's entry: somewhere under that folder
        let mut under = Vec::new();
        rust_files(&on_disk, &mut under);
        for word in text.split(|c: char| c.is_whitespace() || ",;()".contains(c)) {
            // a sentence's full stop or colon after the name is not part of it
            let word = word.trim_end_matches(':');
            let word = match word.strip_suffix('.') {
                Some(w) if w.ends_with(".rs") || w.ends_with('/') => w,
                _ => word,
            };
            let (stem, is_dir) = match (word.strip_suffix(".rs"), word.strip_suffix('/')) {
                (Some(stem), _) => (stem, false),
                (None, Some(stem)) => (stem, true),
                _ => continue,
            };
            if stem.is_empty() || !stem.chars().all(is_ident) {
                continue;
            }
            let found = under.iter().any(|f| {
                if is_dir {
                    f.parent().is_some_and(|p| p.ends_with(stem))
                } else {
                    f.file_name()
                        .is_some_and(|n| n == format!("{stem}.rs").as_str())
                }
            });
            if !found {
                problems.push(format!(
                    "the README's Layout map names {word} in {path}, which holds no such file"
                ));
            }
        }
    }
    problems
}

#[test]
fn the_map_checker_finds_what_the_map_leaves_out() {
    let dir = TempDir::new("map");
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("ui")).unwrap();
    std::fs::create_dir_all(src.join("record")).unwrap();
    for f in [
        "lib.rs",
        "main.rs",
        "app.rs",
        "ui/mod.rs",
        "ui/booth.rs",
        "ui/banner.rs",
    ] {
        std::fs::write(src.join(f), "").unwrap();
    }
    std::fs::write(src.join("record/mod.rs"), "").unwrap();
    let lib = "//! | module | what |\n//! |---|---|\n//! | [`app`] | the window |\n\
               //! | [`ui`] | the overlay: `booth` and a banner |\n//! | [`gone`] | was here |\n";
    let readme = "# x\n\n## Layout\n\n```\nsrc/main.rs   thin\nsrc/app.rs    the window\n\
                  src/ui/       egui: booth.rs, labels.rs, explain/\n\
                  src/record.rs recording\n```\n";
    let problems = module_map_problems(&src, lib, readme);
    let expect = [
        "`ui::banner` is not named in the `ui` row",
        "has no row for `record`",
        "has a row for `gone`",
        "Layout map names labels.rs in src/ui/",
        "Layout map names explain/ in src/ui/",
        "Layout map names src/record.rs, which does not exist",
    ];
    for e in expect {
        assert!(
            problems.iter().any(|p| p.contains(e)),
            "no {e:?} in {problems:#?}"
        );
    }
    assert_eq!(problems.len(), expect.len(), "{problems:#?}");
    // named everywhere: nothing to say
    let lib = "//! | [`app`] | the window |\n//! | [`ui`] | `booth`, `banner` |\n\
               //! | [`record`] | recording |\n";
    let readme = "## Layout\n\n```\nsrc/main.rs   thin\nsrc/app.rs    the window\n\
                  src/ui/       egui: booth.rs (inside a booth),\n              banner.rs\n\
                  src/record/   recording\n```\n";
    assert_eq!(module_map_problems(&src, lib, readme), Vec::<String>::new());
}

#[test]
fn every_module_is_in_the_map() {
    let root = root();
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let problems = module_map_problems(&root.join("src"), &read("src/lib.rs"), &read("README.md"));
    assert!(
        problems.is_empty(),
        "name each module in the map (src/lib.rs's table, and the README's Layout map for the \
         top-level ones): {problems:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Every long flag of the command line is in the README.

/// Splits at the commas outside parentheses, brackets and strings.
fn top_level_items(text: &str) -> Vec<&str> {
    let (mut items, mut depth, mut in_str, mut escaped, mut start) =
        (Vec::new(), 0, false, false, 0);
    for (k, c) in text.char_indices() {
        if in_str {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
}

/// Where the bracketed text that opens just before `from` closes (`open`/`close` outside strings).
fn closing(text: &str, from: usize, open: char, close: char) -> Option<usize> {
    let (mut depth, mut in_str, mut escaped) = (1, false, false);
    for (k, c) in text[from..].char_indices() {
        if in_str {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_str = false,
                _ => {}
            }
            continue;
        }
        if c == '"' {
            in_str = true;
        } else if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(from + k);
            }
        }
    }
    None
}

/// The field an attribute belongs to: the first `name:` after `text`, past doc comments, other
/// attributes and a visibility.
fn field_after(text: &str) -> Option<String> {
    let mut s = text;
    loop {
        s = s.trim_start();
        if s.starts_with("//") {
            s = s.split_once('\n').map_or("", |(_, rest)| rest);
        } else if let Some(rest) = s.strip_prefix("#[") {
            let end = closing(rest, 0, '[', ']')?;
            s = &rest[end + 1..];
        } else {
            break;
        }
    }
    if let Some(rest) = s.strip_prefix("pub") {
        s = match rest.trim_start().strip_prefix('(') {
            Some(inner) => &inner[inner.find(')')? + 1..],
            None => rest,
        };
    }
    let s = s.trim_start();
    let s = s.strip_prefix("r#").unwrap_or(s);
    let name: String = s.chars().take_while(|&c| is_ident(c)).collect();
    let after = s[name.len()..].trim_start();
    (!name.is_empty() && after.starts_with(':')).then_some(name)
}

/// Every long flag clap's derive makes from `code`: `#[arg(long ...)]` (the field's name with `_`
/// as `-`) and `#[arg(long = "name" ...)]`. Comment lines are left out.
fn long_flags(code: &str) -> Vec<String> {
    let code: String = code
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut flags = Vec::new();
    let mut at = 0;
    while let Some(k) = code[at..].find("#[arg(") {
        let open = at + k + "#[arg(".len();
        let Some(close) = closing(&code, open, '(', ')') else {
            break;
        };
        for item in top_level_items(&code[open..close]) {
            let item = item.trim();
            if item == "long" {
                if let Some(name) = field_after(code[close..].trim_start_matches([')', ']'])) {
                    flags.push(name.replace('_', "-"));
                }
            } else if let Some(value) = item.strip_prefix("long").map(str::trim_start)
                && let Some(value) = value.strip_prefix('=')
            {
                flags.push(value.trim().trim_matches('"').to_owned());
            }
        }
        at = close;
    }
    flags
}

/// The long flags under `cli` that `readme` never writes as `--flag`.
fn flags_missing_from(cli: &Path, readme: &str) -> (Vec<String>, Vec<String>) {
    let mut files = Vec::new();
    rust_files(cli, &mut files);
    let mut flags: Vec<String> = files
        .iter()
        .flat_map(|f| long_flags(&std::fs::read_to_string(f).unwrap()))
        .collect();
    flags.sort();
    flags.dedup();
    let mentioned = |flag: &str| {
        let written = format!("--{flag}");
        readme.match_indices(&written).any(|(k, _)| {
            readme[k + written.len()..]
                .chars()
                .next()
                .is_none_or(|c| !(is_ident(c) || c == '-'))
        })
    };
    let missing = flags.iter().filter(|f| !mentioned(f)).cloned().collect();
    (flags, missing)
}

#[test]
fn the_flag_checker_finds_a_flag_the_readme_leaves_out() {
    let args = r#"
#[derive(Debug, Args)]
pub(super) struct Planted {
    /// Shown as `#[arg(long)]` in a doc comment, which is no flag.
    #[arg(long, value_name = "N", help = "a, b (c)")]
    pub(super) max_new_tokens: usize,
    #[arg(
        long,
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    /// Doc after the attribute.
    #[serde(default)]
    pub(super) top_p: f32,
    #[arg(long = "ablate", value_name = "SPEC")]
    specs: Vec<String>,
    /// A positional argument, no flag.
    #[arg(required_unless_present = "expr", conflicts_with = "expr")]
    word: Option<String>,
    #[arg(long_help = "no flag either")]
    other: u8,
    // #[arg(long)] commented out
    #[arg(long)]
    pub r#type: String,
}
"#;
    assert_eq!(
        long_flags(args),
        ["max-new-tokens", "top-p", "ablate", "type"]
    );
    let dir = TempDir::new("flags");
    std::fs::write(dir.path().join("args.rs"), args).unwrap();
    let readme = "`--max-new-tokens N`, `--top-p P`, --ablate-all, --type.";
    let (flags, missing) = flags_missing_from(dir.path(), readme);
    assert_eq!(flags.len(), 4);
    assert_eq!(missing, ["ablate"], "--ablate-all is not --ablate");
    let (_, missing) = flags_missing_from(dir.path(), &format!("{readme} [--ablate SPEC]"));
    assert!(missing.is_empty(), "{missing:?}");
}

#[test]
fn every_long_flag_is_in_the_readme() {
    let root = root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let (flags, missing) = flags_missing_from(&root.join("src/cli"), &readme);
    assert!(
        flags.len() >= 30,
        "only {} flags found: {flags:?}",
        flags.len()
    );
    assert!(
        missing.is_empty(),
        "flags of the command line that the README never names: {missing:?}"
    );
}
