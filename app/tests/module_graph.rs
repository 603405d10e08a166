//! The shape of the code, checked: no import circle between source files (in `app` and in
//! `server`), and the app's layers point one way (DESIGN.md: pages → components → api → domain,
//! api → services → domain).
//!
//! It reads the sources with `syn`, so every path counts, whether it comes through `use` or is
//! written out in the code (`crate::services::slots::acting(...)`). A file and the files of its own
//! folder are one room (a folder's `mod.rs` names its children), so edges between a module and
//! its descendants are not counted; edges between siblings and cousins are.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module's path inside its crate, without `crate`: `["services", "booking"]`.
type ModulePath = Vec<String>;

/// One crate's source files, as modules, and the modules each one's paths reach.
struct Crate {
    /// Every module that is a file, with the file it lives in.
    files: BTreeMap<ModulePath, PathBuf>,
    /// For every file: the modules it names, each with one example of a path that names it.
    edges: BTreeMap<ModulePath, BTreeMap<ModulePath, String>>,
}

fn module_path(src: &Path, file: &Path) -> ModulePath {
    let relative = file.strip_prefix(src).expect("the file is under src/");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file has a name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    parts
}

fn rust_files(folder: &Path, found: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", folder.display()));
    for entry in entries {
        let path = entry.expect("a readable folder entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// Collects the module paths named in one file, resolving `crate::`, `super::` and `self::`
/// against the (possibly inline) module being read.
struct Collector<'a> {
    here: ModulePath,
    named: &'a mut Vec<(ModulePath, String)>,
}

impl Collector<'_> {
    fn resolve(&mut self, segments: &[String]) {
        let Some(first) = segments.first() else {
            return;
        };
        let mut absolute = match first.as_str() {
            "crate" => Vec::new(),
            "self" | "super" => self.here.clone(),
            _ => return,
        };
        let mut rest = &segments[1..];
        if first == "super" {
            absolute.pop();
        }
        while let Some(next) = rest.first() {
            if next != "super" {
                break;
            }
            absolute.pop();
            rest = &rest[1..];
        }
        absolute.extend(rest.iter().cloned());
        self.named.push((absolute, segments.join("::")));
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            // `use super::booking::{self, Actor}`: the `self` names the module its prefix names.
            syn::UseTree::Name(name) if name.ident == "self" => {
                let segments = prefix.clone();
                self.resolve(&segments);
            }
            syn::UseTree::Name(name) => {
                prefix.push(name.ident.to_string());
                let segments = prefix.clone();
                self.resolve(&segments);
                prefix.pop();
            }
            syn::UseTree::Rename(rename) => {
                prefix.push(rename.ident.to_string());
                let segments = prefix.clone();
                self.resolve(&segments);
                prefix.pop();
            }
            syn::UseTree::Glob(_) => {
                let segments = prefix.clone();
                self.resolve(&segments);
            }
            syn::UseTree::Group(group) => {
                for item in &group.items {
                    self.use_tree(prefix, item);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        // Only inline modules (`mod tests { ... }`) change where `super` points inside this file.
        if module.content.is_some() {
            self.here.push(module.ident.to_string());
            syn::visit::visit_item_mod(self, module);
            self.here.pop();
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.resolve(&segments);
        syn::visit::visit_path(self, path);
    }
}

fn read_crate(src: &Path) -> Crate {
    let mut paths = Vec::new();
    rust_files(src, &mut paths);
    // A `main.rs` beside a `lib.rs` is a crate of its own that uses the library by its name, so
    // nothing in the library can point back at it.
    paths.retain(|path| path != &src.join("main.rs"));
    let files: BTreeMap<ModulePath, PathBuf> = paths
        .iter()
        .map(|file| (module_path(src, file), file.clone()))
        .collect();
    let mut edges = BTreeMap::new();
    for (module, file) in &files {
        let text = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let parsed = syn::parse_file(&text)
            .unwrap_or_else(|e| panic!("cannot parse {}: {e}", file.display()));
        let mut named = Vec::new();
        Collector {
            here: module.clone(),
            named: &mut named,
        }
        .visit_file(&parsed);
        let mut targets: BTreeMap<ModulePath, String> = BTreeMap::new();
        for (absolute, written) in named {
            // The longest prefix that is a file: `services::booking::book` names the booking
            // module (or its `book` file, when booking is a folder).
            let Some(target) = (0..=absolute.len())
                .rev()
                .map(|len| absolute[..len].to_vec())
                .find(|prefix| files.contains_key(prefix))
            else {
                continue;
            };
            let related = target.starts_with(module) || module.starts_with(&target);
            if !related {
                targets.entry(target).or_insert(written);
            }
        }
        edges.insert(module.clone(), targets);
    }
    Crate { files, edges }
}

fn name(module: &ModulePath) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

/// The strongly connected components with more than one file (Tarjan's algorithm).
fn circles(krate: &Crate) -> Vec<Vec<ModulePath>> {
    struct Search<'a> {
        krate: &'a Crate,
        next_index: usize,
        index: BTreeMap<&'a ModulePath, usize>,
        low: BTreeMap<&'a ModulePath, usize>,
        stack: Vec<&'a ModulePath>,
        on_stack: BTreeSet<&'a ModulePath>,
        found: Vec<Vec<ModulePath>>,
    }
    impl<'a> Search<'a> {
        fn visit(&mut self, module: &'a ModulePath) {
            self.index.insert(module, self.next_index);
            self.low.insert(module, self.next_index);
            self.next_index += 1;
            self.stack.push(module);
            self.on_stack.insert(module);
            for target in self.krate.edges[module].keys() {
                if !self.index.contains_key(target) {
                    self.visit(target);
                    let low = self.low[module].min(self.low[target]);
                    self.low.insert(module, low);
                } else if self.on_stack.contains(target) {
                    let low = self.low[module].min(self.index[target]);
                    self.low.insert(module, low);
                }
            }
            if self.low[module] == self.index[module] {
                let mut component = Vec::new();
                while let Some(member) = self.stack.pop() {
                    self.on_stack.remove(member);
                    component.push(member.clone());
                    if member == module {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut search = Search {
        krate,
        next_index: 0,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for module in krate.files.keys() {
        if !search.index.contains_key(module) {
            search.visit(module);
        }
    }
    search.found
}

fn describe_circles(krate: &Crate, found: &[Vec<ModulePath>]) -> String {
    let mut report = String::new();
    for component in found {
        let members: BTreeSet<&ModulePath> = component.iter().collect();
        let _ = writeln!(
            report,
            "an import circle between {} files:",
            component.len()
        );
        for from in component {
            for (to, written) in &krate.edges[from] {
                if members.contains(to) {
                    let _ = writeln!(report, "  {} -> {}   (`{written}`)", name(from), name(to));
                }
            }
        }
    }
    report
}

fn source_folder(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

#[test]
fn the_app_has_no_import_circle() {
    let krate = read_crate(&source_folder("src"));
    let found = circles(&krate);
    assert!(found.is_empty(), "{}", describe_circles(&krate, &found));
}

#[test]
fn the_server_has_no_import_circle() {
    let krate = read_crate(&source_folder("../server/src"));
    let found = circles(&krate);
    assert!(found.is_empty(), "{}", describe_circles(&krate, &found));
}

/// The layer a module of the app belongs to, by its top folder.
fn layer(module: &ModulePath) -> Option<&str> {
    module.first().map(String::as_str)
}

#[test]
fn the_app_layers_point_one_way() {
    // What each layer may use besides itself. The crate root (lib.rs: the shell and the route
    // table) may use everything.
    let allowed: BTreeMap<&str, &[&str]> = BTreeMap::from([
        ("domain", &[][..]),
        ("services", &["domain"][..]),
        ("api", &["services", "domain"][..]),
        ("components", &["api", "domain"][..]),
        ("pages", &["components", "api", "domain"][..]),
    ]);
    let krate = read_crate(&source_folder("src"));
    let mut wrong = String::new();
    for (from, targets) in &krate.edges {
        let Some(from_layer) = layer(from) else {
            continue;
        };
        let Some(may) = allowed.get(from_layer) else {
            continue;
        };
        for (to, written) in targets {
            let Some(to_layer) = layer(to) else {
                let _ = writeln!(wrong, "  {} uses the crate root (`{written}`)", name(from));
                continue;
            };
            if to_layer != from_layer && !may.contains(&to_layer) {
                let _ = writeln!(wrong, "  {} -> {}   (`{written}`)", name(from), name(to));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "arrows that point the wrong way between layers:\n{wrong}"
    );
}

/// The check itself must see circles: one is made up here and has to be found.
#[test]
fn a_made_up_circle_is_found() {
    let a = vec!["services".to_owned(), "a".to_owned()];
    let b = vec!["services".to_owned(), "b".to_owned()];
    let c = vec!["services".to_owned(), "c".to_owned()];
    let krate = Crate {
        files: BTreeMap::from([
            (a.clone(), PathBuf::new()),
            (b.clone(), PathBuf::new()),
            (c.clone(), PathBuf::new()),
        ]),
        edges: BTreeMap::from([
            (
                a.clone(),
                BTreeMap::from([(b.clone(), "crate::services::b".to_owned())]),
            ),
            (
                b.clone(),
                BTreeMap::from([(a.clone(), "super::a".to_owned())]),
            ),
            (
                c.clone(),
                BTreeMap::from([(a.clone(), "super::a".to_owned())]),
            ),
        ]),
    };
    assert_eq!(circles(&krate), vec![vec![a, b]]);
}
