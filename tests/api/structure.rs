//! The shape of the code that keeps one user action in one service call: services
//! import each other in one direction only (no cycle), and the HTTP and page layers
//! never name a stored entity. Read from the source, as a reviewer would.

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

/// The service modules `code` uses (by `use` or by a `super::x::`/`services::x::` path).
fn service_deps(code: &str, modules: &BTreeSet<String>, own: &str) -> BTreeSet<String> {
    let mut deps = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let stmt = &rest[i + 4..];
        let end = stmt.find(';').unwrap_or(stmt.len());
        let tree: String = stmt[..end].chars().filter(|c| !c.is_whitespace()).collect();
        for path in expand(&tree) {
            let path = path.replace("crate::services::", "super::");
            if let Some(m) = path.strip_prefix("super::").map(|p| p.split("::").next().unwrap_or("")) {
                deps.insert(m.to_owned());
            }
        }
        rest = &stmt[end..];
    }
    for m in modules {
        if code.contains(&format!("super::{m}::")) || code.contains(&format!("services::{m}::")) {
            deps.insert(m.clone());
        }
    }
    deps.retain(|d| modules.contains(d) && d != own);
    deps
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
fn services_import_each_other_in_one_direction_only() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("server/services");
    let files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs") && !p.ends_with("mod.rs"))
        .collect();
    let modules: BTreeSet<String> =
        files.iter().map(|p| p.file_stem().unwrap().to_string_lossy().into_owned()).collect();
    let graph: BTreeMap<String, BTreeSet<String>> = files
        .iter()
        .map(|p| {
            let own = p.file_stem().unwrap().to_string_lossy().into_owned();
            let deps = service_deps(&code_of(p), &modules, &own);
            (own, deps)
        })
        .collect();
    // The reader must see real edges, or the check proves nothing.
    assert!(graph["results"].contains("tasks") || graph["results"].contains("access"), "{graph:?}");
    let mut state = BTreeMap::new();
    for m in &modules {
        if !state.contains_key(m)
            && let Some(c) = cycle_from(m, &graph, &mut state, &mut Vec::new())
        {
            panic!("services import each other in a circle: {}", c.join(" → "));
        }
    }
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
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("server/services");
    let mut found = Vec::new();
    let mut read = 0;
    for e in fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|e| e != "rs") {
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
