//! The shape of the code that keeps one user action in one service call: the HTTP
//! and page layers never name a stored entity, services name no database library;
//! across the whole crate no file imports from a higher
//! floor and no files import each other in a circle; `domain/` is pure rules. Read
//! from the source, as a reviewer would.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

fn code_of(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// `use a::{b, c::{d}}` → ["a::b", "a::c::d"].
fn expand(tree: &str) -> Vec<String> {
    let Some(open) = tree.find('{') else { return vec![tree.to_owned()] };
    let prefix = &tree[..open];
    let body = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let (mut parts, mut depth, mut cur) = (Vec::new(), 0, String::new());
    for ch in body.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if ch == ',' && depth == 0 {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(ch);
        }
    }
    parts.push(cur);
    parts.iter().filter(|p| !p.is_empty()).flat_map(|p| expand(&format!("{prefix}{p}"))).collect()
}

fn cycle_from(
    node: &str,
    graph: &BTreeMap<String, BTreeSet<String>>,
    state: &mut BTreeMap<String, u8>,
    stack: &mut Vec<String>,
) -> Option<Vec<String>> {
    state.insert(node.to_owned(), 1);
    stack.push(node.to_owned());
    for next in &graph[node] {
        match state.get(next) {
            Some(1) => {
                let at = stack.iter().position(|s| s == next).unwrap_or(0);
                let mut c = stack[at..].to_vec();
                c.push(next.clone());
                return Some(c);
            }
            Some(_) => {}
            None => {
                if let Some(c) = cycle_from(next, graph, state, stack) {
                    return Some(c);
                }
            }
        }
    }
    stack.pop();
    state.insert(node.to_owned(), 2);
    None
}

#[test]
fn the_http_and_page_layers_never_name_a_stored_entity() {
    fn walk(dir: &Path, found: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, found);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let code = code_of(&p);
                for (n, line) in code.lines().enumerate() {
                    if line.contains("entities") || line.contains("sea_orm") {
                        found.push(format!("{}:{}: {}", p.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("server");
    let mut found = Vec::new();
    walk(&root.join("http"), &mut found);
    walk(&root.join("web"), &mut found);
    assert!(found.is_empty(), "entities named outside the services:\n{}", found.join("\n"));
}

#[test]
fn services_name_no_database_library_queries_live_in_storage() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("server");
    let mut found = Vec::new();
    let mut read = 0;
    for (module, p) in crate_files(&root) {
        if !module.starts_with("services") {
            continue;
        }
        read += 1;
        for (n, line) in code_of(&p).lines().enumerate() {
            if ["sea_orm", "Entity::", "ActiveModel"].iter().any(|w| line.contains(w)) {
                found.push(format!("{}:{}: {}", p.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(read > 30, "the check must see the services: {read}");
    assert!(
        found.is_empty(),
        "a service names the database library; move the query to storage/:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_file_is_over_500_lines() {
    fn walk(dir: &Path, root: &Path, found: &mut BTreeMap<String, usize>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, root, found);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let lines = fs::read_to_string(&p).unwrap().lines().count();
                found.insert(p.strip_prefix(root).unwrap().to_string_lossy().into_owned(), lines);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("server");
    let mut lines = BTreeMap::new();
    walk(&root, &root, &mut lines);
    assert!(lines.len() > 100, "the walk must see the crate: {}", lines.len());
    let mut wrong = Vec::new();
    for (file, n) in &lines {
        if *n > 500 {
            wrong.push(format!("{file}: {n} lines (at most 500); split it by what it does"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every file of the library crate (`server/`, without the binary's `main.rs` and
/// `cli/`) as its module path: `web/documents/page.rs` → `web::documents::page`.
fn crate_files(root: &Path) -> BTreeMap<String, std::path::PathBuf> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, std::path::PathBuf>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, root, out);
                continue;
            }
            if p.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = p.strip_prefix(root).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
                parts.pop();
            }
            if parts.first().is_some_and(|f| f == "main" || f == "cli") {
                continue;
            }
            out.insert(parts.join("::"), p);
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// The `use` statements of `code`, whitespace removed, each with whether it is a
/// re-export (`pub use`, `pub(crate) use` …): `(true, "form::{Form,ctx}")`.
fn use_statements(code: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut lines = code.lines();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        let (public, rest) = if let Some(r) = t.strip_prefix("use ") {
            (false, r)
        } else if let Some(r) =
            t.strip_prefix("pub ").or_else(|| t.split_once(") ").map(|(_, r)| r)).filter(|_| t.starts_with("pub"))
        {
            match r.strip_prefix("use ") {
                Some(r) => (true, r),
                None => continue,
            }
        } else {
            continue;
        };
        let mut stmt = rest.to_owned();
        while !stmt.contains(';') {
            match lines.next() {
                Some(l) => stmt.push_str(l),
                None => break,
            }
        }
        // `x as y` keeps `x`; a statement that is no path list is not read.
        let mut words = stmt.split(';').next().unwrap_or("").split_whitespace().peekable();
        let mut path = String::new();
        while let Some(w) = words.next() {
            if w == "as" {
                let alias = words.next().unwrap_or("");
                path.push_str(alias.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_'));
            } else {
                path.push_str(w);
            }
        }
        if path.chars().all(|c| c.is_alphanumeric() || "_:{},*".contains(c)) {
            out.push((public, path));
        }
    }
    out
}

/// Where each name a module file re-exports (`pub use form::{Form, ctx}`) is defined.
fn reexports(module: &str, code: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for (_, stmt) in use_statements(code).into_iter().filter(|(public, _)| *public) {
        for path in expand(&stmt) {
            let target = path.rsplit_once("::").map_or("", |(m, _)| m).to_owned();
            let name = path.rsplit("::").next().unwrap_or("").to_owned();
            let target = if let Some(r) = target.strip_prefix("crate::") {
                r.to_owned()
            } else if target.starts_with("super") || target.is_empty() {
                continue;
            } else if module.is_empty() {
                target
            } else {
                format!("{module}::{target}")
            };
            names.insert(name, target);
        }
    }
    names
}

/// The file a path used in `module` lands in, or `None` outside the crate.
fn resolve(
    module: &str,
    path: &str,
    files: &BTreeMap<String, std::path::PathBuf>,
    exports: &BTreeMap<String, BTreeMap<String, String>>,
) -> Option<String> {
    let mut segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Vec<&str> = if module.is_empty() { vec![] } else { module.split("::").collect() };
    match segs.first().copied() {
        Some("crate") => {
            base.clear();
            segs.remove(0);
        }
        Some("super") => {
            while segs.first() == Some(&"super") {
                segs.remove(0);
                base.pop();
            }
        }
        Some("self") => {
            segs.remove(0);
        }
        _ => return None,
    }
    let mut at = base.join("::");
    for seg in segs {
        let next = if at.is_empty() { seg.to_owned() } else { format!("{at}::{seg}") };
        if files.contains_key(&next) {
            at = next;
        } else if let Some(target) = exports.get(&at).and_then(|e| e.get(seg)) {
            // A name the module re-exports: the file that defines it (or the module
            // re-exported under its old name, then what is used of it).
            let module = format!("{target}::{seg}");
            if files.contains_key(&module) {
                at = module;
                continue;
            }
            return files.contains_key(target).then(|| target.clone()).or(Some(at));
        } else {
            break;
        }
    }
    Some(at)
}

/// Each file's imports of other files of the crate (by `use` and by paths written
/// out), module declarations and a module's re-exports left aside.
fn file_graph(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = crate_files(root);
    let codes: BTreeMap<String, String> = files.iter().map(|(m, p)| (m.clone(), code_of(p))).collect();
    let exports: BTreeMap<String, BTreeMap<String, String>> =
        codes.iter().map(|(m, c)| (m.clone(), reexports(m, c))).collect();
    let mut graph = BTreeMap::new();
    for (module, code) in &codes {
        let is_module_file = files[module].ends_with("mod.rs") || files[module].ends_with("lib.rs");
        let mut deps = BTreeSet::new();
        for (public, stmt) in use_statements(code) {
            if is_module_file && public {
                continue;
            }
            for path in expand(&stmt) {
                deps.extend(resolve(module, &path, &files, &exports));
            }
        }
        // Paths written out in the code: `crate::a::b::f(…)`, `super::x::y`.
        for start in ["crate::", "super::"] {
            for (i, _) in code.match_indices(start) {
                if code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                let path: String =
                    code[i..].chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                deps.extend(resolve(module, &path, &files, &exports));
            }
        }
        deps.remove(module);
        // A child module reading its parent's own items is one unit with it.
        deps.retain(|d| !is_parent(d, module));
        graph.insert(module.clone(), deps);
    }
    graph
}

fn is_parent(parent: &str, child: &str) -> bool {
    parent.is_empty() || child.starts_with(&format!("{parent}::"))
}

/// The floor of each top-level module: a file imports only from its own floor or
/// below (`domain` ← `storage`, `signing`, `render`, `mail` ← `services` ← `http`,
/// `web` ← `app`).
fn floor(module: &str) -> u8 {
    match module.split("::").next().unwrap_or("") {
        "config" | "domain" => 1,
        "error" | "render" | "sheet" | "inspect" => 2,
        "storage" | "signing" | "mail" => 3,
        "model" => 4,
        "services" => 5,
        "state" => 6,
        "http" | "scheduler" => 7,
        "web" => 8,
        "app" => 9,
        _ => 10,
    }
}

#[test]
fn the_crate_has_no_import_circle_and_no_import_from_a_lower_floor_to_a_higher_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("server");
    let graph = file_graph(&root);
    assert!(graph.len() > 100, "the check must see the crate: {}", graph.len());
    // The reader must see real edges, or the check proves nothing.
    assert!(graph["web::tasks"].contains("web::records"), "{:?}", graph["web::tasks"]);
    assert!(graph["services::results"].contains("storage::results"), "{:?}", graph["services::results"]);
    assert!(
        graph["web::tasks"].contains("web::frame"),
        "a re-export is followed to its file: {:?}",
        graph["web::tasks"]
    );
    let mut upward = Vec::new();
    for (m, deps) in &graph {
        for d in deps {
            if floor(d) > floor(m) {
                upward.push(format!("{m} (floor {}) imports {d} (floor {})", floor(m), floor(d)));
            }
        }
    }
    assert!(upward.is_empty(), "imports that run back up:\n{}", upward.join("\n"));
    let mut state = BTreeMap::new();
    for m in graph.keys() {
        if !state.contains_key(m)
            && let Some(c) = cycle_from(m, &graph, &mut state, &mut Vec::new())
        {
            panic!("files import each other in a circle: {}", c.join(" → "));
        }
    }
}

#[test]
fn config_imports_nothing_of_the_product_and_domain_only_itself() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("server");
    let graph = file_graph(&root);
    let config: Vec<_> = graph["config"].iter().filter(|d| *d != "config").collect();
    assert!(config.is_empty(), "config imports {config:?}");
    let mut found = Vec::new();
    for (m, deps) in graph.iter().filter(|(m, _)| m.starts_with("domain")) {
        for d in deps.iter().filter(|d| !d.starts_with("domain")) {
            found.push(format!("{m} imports {d}"));
        }
        let code = code_of(&crate_files(&root)[m]);
        for lib in ["sea_orm", "poem", "tokio", "lettre", "typst", "reqwest", "std::fs", "std::net"] {
            if code.contains(&format!("{lib}::")) {
                found.push(format!("{m} names {lib}"));
            }
        }
    }
    assert!(graph.keys().filter(|m| m.starts_with("domain")).count() > 10);
    assert!(found.is_empty(), "domain/ is pure rules (no I/O, no framework):\n{}", found.join("\n"));
}
