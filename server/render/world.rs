//! The typst `World` of one document: the templates, the fonts, and the
//! document's data as `/data.json`. Nothing else can be read: no file system,
//! no system fonts, no packages, no network.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::fonts::Fonts;

/// The templates compiled into the binary: (virtual path, text).
const BUNDLED_TEMPLATES: [(&str, &str); 4] = [
    ("frame.typ", include_str!("../../templates/documents/frame.typ")),
    ("report.typ", include_str!("../../templates/documents/report.typ")),
    ("plan.typ", include_str!("../../templates/documents/plan.typ")),
    ("letter.typ", include_str!("../../templates/documents/letter.typ")),
];

/// The path under which a document's data is visible to its template.
pub const DATA_PATH: &str = "data.json";

/// What every document shares: library, fonts, parsed templates. Built once.
pub struct Environment {
    library: LazyHash<Library>,
    /// The fonts.
    pub fonts: Fonts,
    sources: HashMap<FileId, Source>,
    data_id: FileId,
}

/// A file id in the project root.
pub fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(format!("/{path}")).expect("a valid virtual path");
    FileId::new(RootedPath::new(VirtualRoot::Project, vpath))
}

impl Environment {
    /// Loads templates (bundled, or from `templates_dir` when given) and fonts.
    pub fn new(templates_dir: Option<&Path>, fonts: Fonts) -> std::io::Result<Environment> {
        let mut sources = HashMap::new();
        for (name, bundled) in BUNDLED_TEMPLATES {
            let text = match templates_dir {
                Some(dir) => std::fs::read_to_string(dir.join(name))?,
                None => bundled.to_owned(),
            };
            let id = file_id(name);
            sources.insert(id, Source::new(id, text));
        }
        Ok(Environment {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            sources,
            data_id: file_id(DATA_PATH),
        })
    }

    /// A world whose main file is `template`, whose `/data.json` is `data`, and which
    /// can also read `assets` (images such as a signature, by virtual path).
    pub fn world<'a>(
        &'a self,
        template: &str,
        data: Bytes,
        assets: &[(String, Vec<u8>)],
        today: Datetime,
    ) -> Option<DocWorld<'a>> {
        let main = file_id(template);
        let assets = assets.iter().map(|(p, b)| (file_id(p.trim_start_matches('/')), Bytes::new(b.clone()))).collect();
        self.sources.contains_key(&main).then_some(DocWorld { env: self, main, data, assets, today })
    }
}

/// One compilation's view of the environment.
pub struct DocWorld<'a> {
    env: &'a Environment,
    main: FileId,
    data: Bytes,
    assets: HashMap<FileId, Bytes>,
    today: Datetime,
}

fn not_found(id: FileId) -> FileError {
    match id.root() {
        VirtualRoot::Project => FileError::NotFound(PathBuf::from(id.vpath().get_without_slash())),
        VirtualRoot::Package(_) => FileError::AccessDenied,
    }
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.env.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.env.fonts.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.env.sources.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.env.data_id {
            return Ok(self.data.clone());
        }
        if let Some(bytes) = self.assets.get(&id) {
            return Ok(bytes.clone());
        }
        match self.env.sources.get(&id) {
            Some(source) => Ok(Bytes::from_string(source.clone())),
            None => Err(not_found(id)),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.env.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
