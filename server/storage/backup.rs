//! Backups an office can restore: one `.tar` file holding a consistent copy of the
//! SQLite database (taken with `VACUUM INTO` while the server runs), every stored
//! file, and a manifest with the SHA-256 of each. Restoring checks every sum before
//! anything is put in place, and only into an empty data folder.
//!
//! The database is copied first and the files after it: files are written before
//! the record that names them commits and are never changed afterwards, so every
//! file the copied database names is already there when the files are read.
//!
//! The manifest is written last, and the archive is renamed into place only when whole.
//! Restore unpacks into a staging folder, refuses names outside it, checks every sum,
//! then moves the database and files into the empty data folder. `[backup]` schedules
//! backups in `serve`.

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Database, DatabaseBackend};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Db;

/// The manifest's name inside the archive (its last entry).
pub const MANIFEST: &str = "manifest.json";
/// The database's name inside the archive.
pub const DATABASE: &str = "nhiemvu.sqlite";
/// The folder of stored files inside the archive.
const FILES: &str = "files";
/// Most entries an archive may hold, and deepest folder in the file store.
const MAX_ENTRIES: usize = 1_000_000;
const MAX_DEPTH: usize = 16;

/// What a backup holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// Layout version of the archive.
    pub format: u32,
    /// When the backup was taken.
    pub created_at: DateTime<Utc>,
    /// The audit chain's last event in the copied database.
    pub audit_head: i64,
    /// The database file.
    pub database: Entry,
    /// Every stored file, by its path in the file store.
    pub files: Vec<Entry>,
}

/// One file of the archive.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// Path inside the archive.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

fn fail(what: impl std::fmt::Display) -> String {
    what.to_string()
}

/// Writes a backup of `db` and the file store `files_dir` to `out`. The archive
/// appears under its name only when complete (written beside it, then renamed).
pub async fn backup(db: &Db, files_dir: &Path, out: &Path, now: DateTime<Utc>) -> Result<Manifest, String> {
    if db.backend() != DatabaseBackend::Sqlite {
        return Err("Cơ sở dữ liệu là PostgreSQL: sao lưu bằng pg_dump và thư mục tệp như README hướng dẫn / \
                    the database is PostgreSQL: back it up with pg_dump and the file folder as the README says"
            .into());
    }
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let stem = out.file_name().and_then(|n| n.to_str()).ok_or_else(|| format!("{}: not a file name", out.display()))?;
    let snapshot = dir.join(format!(".{stem}.{}.sqlite", std::process::id()));
    let partial = dir.join(format!(".{stem}.{}.partial", std::process::id()));
    let _cleanup = Cleanup(vec![snapshot.clone(), partial.clone()]);
    let _ = std::fs::remove_file(&snapshot);
    let target = snapshot.to_str().ok_or("backup path is not UTF-8")?.replace('\'', "''");
    db.conn.execute_unprepared(&format!("VACUUM INTO '{target}'")).await.map_err(fail)?;
    let audit_head = {
        let copy = Database::connect(format!("sqlite://{}?mode=ro", snapshot.display())).await.map_err(fail)?;
        let head = super::cache::revision(&copy).await.map_err(fail)?;
        copy.close().await.map_err(fail)?;
        head
    };
    let (files_dir, out, snapshot_path, partial_path) =
        (files_dir.to_owned(), out.to_owned(), snapshot.clone(), partial.clone());
    tokio::task::spawn_blocking(move || write_archive(&files_dir, &snapshot_path, &partial_path, &out, audit_head, now))
        .await
        .map_err(fail)?
}

/// Removes its paths when dropped (the temporary copy and an unfinished archive).
struct Cleanup(Vec<PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn write_archive(
    files_dir: &Path,
    snapshot: &Path,
    partial: &Path,
    out: &Path,
    audit_head: i64,
    now: DateTime<Utc>,
) -> Result<Manifest, String> {
    let file = std::fs::File::create(partial).map_err(|e| format!("{}: {e}", partial.display()))?;
    let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
    let database = append(&mut tar, DATABASE, &std::fs::read(snapshot).map_err(fail)?)?;
    let mut files = Vec::new();
    for (rel, path) in stored_files(files_dir)? {
        // A file removed since the database was copied (a deleted draft's evidence)
        // is no longer named by anything that matters; skip it.
        let Ok(bytes) = std::fs::read(&path) else { continue };
        files.push(append(&mut tar, &format!("{FILES}/{rel}"), &bytes)?);
    }
    let manifest = Manifest { format: 1, created_at: now, audit_head, database, files };
    let json = serde_json::to_vec_pretty(&manifest).map_err(fail)?;
    append(&mut tar, MANIFEST, &json)?;
    let mut w = tar.into_inner().map_err(fail)?;
    w.flush().map_err(fail)?;
    w.get_ref().sync_all().map_err(fail)?;
    drop(w);
    std::fs::rename(partial, out).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(manifest)
}

fn append<W: Write>(tar: &mut tar::Builder<W>, path: &str, bytes: &[u8]) -> Result<Entry, String> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, path, bytes).map_err(|e| format!("{path}: {e}"))?;
    Ok(Entry { path: path.to_owned(), size: bytes.len() as u64, sha256: hex::encode(Sha256::digest(bytes)) })
}

/// Every regular file under `root` with its path relative to it ('/'-separated),
/// walked without recursion.
fn stored_files(root: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out = Vec::new();
    if !root.is_dir() {
        return Ok(out);
    }
    let mut stack = vec![(root.to_owned(), String::new(), 0usize)];
    while let Some((dir, prefix, depth)) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(std::result::Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let Some(name) = e.file_name().to_str().map(str::to_owned) else { continue };
            // The store's own scratch folder holds only unfinished writes.
            if prefix.is_empty() && name == "tmp" {
                continue;
            }
            let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
            let kind = e.file_type().map_err(fail)?;
            if kind.is_dir() && depth < MAX_DEPTH {
                stack.push((e.path(), rel, depth + 1));
            } else if kind.is_file() {
                out.push((rel, e.path()));
            }
            if out.len() > MAX_ENTRIES {
                return Err(format!("more than {MAX_ENTRIES} files under {}", root.display()));
            }
        }
    }
    Ok(out)
}

/// Restores the archive `from` into an empty data folder: the database to
/// `database` and the files under `files_dir`. Every file's size and SHA-256 is
/// checked against the manifest before anything is moved into place; on any
/// problem nothing is left behind.
pub fn restore(from: &Path, database: &Path, files_dir: &Path) -> Result<Manifest, String> {
    if database.exists() {
        return Err(format!(
            "{} đã có; chỉ khôi phục vào thư mục dữ liệu trống / already exists; restore only into an empty data folder",
            database.display()
        ));
    }
    if files_dir.read_dir().is_ok_and(|mut d| d.next().is_some()) {
        return Err(format!(
            "{} không trống; chỉ khôi phục vào thư mục dữ liệu trống / is not empty; restore only into an empty data folder",
            files_dir.display()
        ));
    }
    let parent = database.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let staging = parent.join(format!(".restore-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    let result = unpack_and_check(from, &staging).and_then(|manifest| {
        std::fs::rename(staging.join(DATABASE), database).map_err(|e| format!("{}: {e}", database.display()))?;
        let files = staging.join(FILES);
        if files.is_dir() {
            if files_dir.exists() {
                std::fs::remove_dir(files_dir).map_err(|e| format!("{}: {e}", files_dir.display()))?;
            }
            if let Some(p) = files_dir.parent() {
                std::fs::create_dir_all(p).map_err(|e| format!("{}: {e}", p.display()))?;
            }
            std::fs::rename(&files, files_dir).map_err(|e| format!("{}: {e}", files_dir.display()))?;
        }
        Ok(manifest)
    });
    let _ = std::fs::remove_dir_all(&staging);
    result
}

fn bad(what: &str) -> String {
    format!("Tệp sao lưu hỏng hoặc không phải của nhiemvu ({what}) / not a sound nhiemvu backup ({what})")
}

fn unpack_and_check(from: &Path, staging: &Path) -> Result<Manifest, String> {
    let file = std::fs::File::open(from).map_err(|e| format!("{}: {e}", from.display()))?;
    let mut archive = tar::Archive::new(std::io::BufReader::new(file));
    let mut seen: Vec<Entry> = Vec::new();
    let mut manifest: Option<Manifest> = None;
    for (n, entry) in archive.entries().map_err(|_| bad("not a tar file"))?.enumerate() {
        if n > MAX_ENTRIES {
            return Err(bad("too many entries"));
        }
        let mut entry = entry.map_err(|_| bad("damaged entry"))?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(bad("an entry that is not a file"));
        }
        let path = entry.path().map_err(|_| bad("a damaged name"))?.into_owned();
        let name = path.to_str().ok_or_else(|| bad("a name that is not UTF-8"))?.to_owned();
        let safe = path.components().all(|c| matches!(c, Component::Normal(_)))
            && path.components().count() <= MAX_DEPTH + 1
            && (name == MANIFEST || name == DATABASE || name.starts_with("files/"));
        if !safe {
            return Err(bad(&format!("unexpected name {name:?}")));
        }
        if name == MANIFEST {
            let mut json = Vec::new();
            entry.by_ref().take(64 << 20).read_to_end(&mut json).map_err(|_| bad("damaged manifest"))?;
            manifest = Some(serde_json::from_slice(&json).map_err(|_| bad("unreadable manifest"))?);
            continue;
        }
        let dest = staging.join(&path);
        if let Some(p) = dest.parent() {
            std::fs::create_dir_all(p).map_err(|e| format!("{}: {e}", p.display()))?;
        }
        let mut out = std::fs::File::create(&dest).map_err(|e| format!("{}: {e}", dest.display()))?;
        let mut hash = Sha256::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let k = entry.read(&mut buf).map_err(|_| bad("damaged data"))?;
            if k == 0 {
                break;
            }
            hash.update(&buf[..k]);
            out.write_all(&buf[..k]).map_err(fail)?;
            size += k as u64;
        }
        out.sync_all().map_err(fail)?;
        seen.push(Entry { path: name, size, sha256: hex::encode(hash.finalize()) });
    }
    let manifest = manifest.ok_or_else(|| bad("no manifest"))?;
    let mut wanted: Vec<Entry> = manifest.files.clone();
    wanted.push(manifest.database.clone());
    wanted.sort_by(|a, b| a.path.cmp(&b.path));
    seen.sort_by(|a, b| a.path.cmp(&b.path));
    if wanted != seen {
        let differs = wanted
            .iter()
            .find(|w| !seen.contains(w))
            .or_else(|| seen.iter().find(|s| !wanted.contains(s)))
            .map(|e| e.path.clone())
            .unwrap_or_default();
        return Err(bad(&format!("{differs} does not match its SHA-256 in the manifest")));
    }
    Ok(manifest)
}

/// Backups in `dir` named by [`scheduled_name`], newest first.
pub fn scheduled_backups(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(std::result::Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("nhiemvu-") && n.ends_with(".tar"))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.reverse();
    found
}

/// The name of a scheduled backup taken at `at` (sorts by time).
pub fn scheduled_name(at: DateTime<Utc>) -> String {
    format!("nhiemvu-{}.tar", at.format("%Y%m%dT%H%M%SZ"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_backup_restores_whole_and_a_damaged_one_restores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("a.sqlite").display());
        let db = Db::connect(&url, 2, std::time::Duration::from_secs(5)).await.unwrap();
        let files = dir.path().join("files");
        std::fs::create_dir_all(files.join("evidence/x")).unwrap();
        std::fs::write(files.join("evidence/x/a.pdf"), b"%PDF-1.7 a").unwrap();
        std::fs::write(files.join("top.png"), b"png").unwrap();
        let out = dir.path().join("b/backup.tar");
        let m = backup(&db, &files, &out, Utc::now()).await.unwrap();
        assert_eq!(
            m.files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
            ["files/top.png", "files/evidence/x/a.pdf"]
        );
        assert!(std::fs::read_dir(dir.path().join("b")).unwrap().count() == 1, "no temporary file left");

        let into = dir.path().join("restored");
        let m2 = restore(&out, &into.join("nhiemvu.sqlite"), &into.join("files")).unwrap();
        assert_eq!(m2.database, m.database);
        assert_eq!(std::fs::read(into.join("files/evidence/x/a.pdf")).unwrap(), b"%PDF-1.7 a");
        let again = restore(&out, &into.join("nhiemvu.sqlite"), &into.join("files")).unwrap_err();
        assert!(again.contains("thư mục dữ liệu trống"), "{again}");

        // One byte changed in a stored file: refused, and nothing is left behind.
        let mut bytes = std::fs::read(&out).unwrap();
        let at = bytes.windows(10).position(|w| w == b"%PDF-1.7 a").unwrap();
        bytes[at + 9] = b'b';
        let bad_copy = dir.path().join("bad.tar");
        std::fs::write(&bad_copy, bytes).unwrap();
        let into = dir.path().join("other");
        let e = restore(&bad_copy, &into.join("nhiemvu.sqlite"), &into.join("files")).unwrap_err();
        assert!(e.contains("SHA-256"), "{e}");
        assert!(!into.join("nhiemvu.sqlite").exists() && !into.join("files").exists());
        assert_eq!(std::fs::read_dir(&into).unwrap().count(), 0, "staging removed");

        // A name that climbs out of the folder is refused.
        let mut evil = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(1);
        h.set_entry_type(tar::EntryType::Regular);
        h.as_gnu_mut().unwrap().name[..13].copy_from_slice(b"files/../../x");
        h.set_cksum();
        evil.append(&h, &b"x"[..]).unwrap();
        let evil_path = dir.path().join("evil.tar");
        std::fs::write(&evil_path, evil.into_inner().unwrap()).unwrap();
        let e = restore(&evil_path, &into.join("nhiemvu.sqlite"), &into.join("files")).unwrap_err();
        assert!(e.contains("unexpected name"), "{e}");
        assert!(!dir.path().join("x").exists());
    }
}
