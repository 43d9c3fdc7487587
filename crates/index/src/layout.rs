//! Where an index lives on disk, and how a rebuild replaces it without ever leaving
//! a half-written index in its place.
//!
//! ```text
//! index/
//!   CURRENT            name of the live generation, replaced by an atomic rename
//!   gen-<time>/        one complete index: tantivy files, edusearch.json, plans.json, dictionary.txt
//!   .staging-<…>/      a build in progress; renamed to gen-<time> only when complete
//! ```

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;

use crate::error::{IndexError, Result};
use crate::response::IndexInfo;

/// Bumped whenever the schema, the analysis or the side files change meaning.
pub const FORMAT_VERSION: u32 = 3;

pub const CURRENT: &str = "CURRENT";
pub const META_FILE: &str = "edusearch.json";
pub const PLANS_FILE: &str = "plans.json";
pub const DICTIONARY_FILE: &str = "dictionary.txt";

/// The live generation's folder under `root`.
pub fn current_generation(root: &Path) -> Result<PathBuf> {
    let pointer = root.join(CURRENT);
    let name = match fs::read_to_string(&pointer) {
        Ok(name) => name,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(IndexError::Missing {
                path: root.to_path_buf(),
            });
        }
        Err(e) => return Err(IndexError::io(&pointer)(e)),
    };
    let name = name.trim();
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(IndexError::Corrupt {
            path: pointer,
            message: format!("{name:?} is not a generation name"),
        });
    }
    Ok(root.join(name))
}

/// Reads a generation's `edusearch.json`, refusing another format version.
pub fn read_meta(generation: &Path) -> Result<IndexInfo> {
    let path = generation.join(META_FILE);
    let text = fs::read_to_string(&path).map_err(IndexError::io(&path))?;
    // Read the version alone first, so that a future layout is reported as such
    // rather than as a parse error.
    #[derive(Deserialize)]
    struct Version {
        format_version: u32,
    }
    let version: Version = serde_json::from_str(&text).map_err(|e| IndexError::Corrupt {
        path: path.clone(),
        message: e.to_string(),
    })?;
    if version.format_version != FORMAT_VERSION {
        return Err(IndexError::FormatVersion {
            path: generation.to_path_buf(),
            found: version.format_version,
            expected: FORMAT_VERSION,
        });
    }
    serde_json::from_str(&text).map_err(|e| IndexError::Corrupt {
        path,
        message: e.to_string(),
    })
}

/// A fresh, unique staging folder under `root`.
pub fn new_staging(root: &Path) -> Result<PathBuf> {
    fs::create_dir_all(root).map_err(IndexError::io(root))?;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let staging = root.join(format!(".staging-{}-{nanos}", std::process::id()));
    fs::create_dir(&staging).map_err(IndexError::io(&staging))?;
    Ok(staging)
}

/// Makes a complete staging folder the live generation, then removes older ones.
/// The only step that changes what readers see is the rename of `CURRENT.tmp` over
/// `CURRENT`, which is atomic.
pub fn publish(root: &Path, staging: &Path) -> Result<PathBuf> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let name = format!("gen-{nanos}");
    let generation = root.join(&name);
    fs::rename(staging, &generation).map_err(IndexError::io(&generation))?;
    let tmp = root.join(format!("{CURRENT}.tmp"));
    fs::write(&tmp, format!("{name}\n")).map_err(IndexError::io(&tmp))?;
    fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(IndexError::io(&tmp))?;
    fs::rename(&tmp, root.join(CURRENT)).map_err(IndexError::io(root.join(CURRENT)))?;
    remove_old_generations(root, &name);
    Ok(generation)
}

/// Best effort: a server still reading an old generation keeps its open files (Unix).
fn remove_old_generations(root: &Path, keep: &str) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("gen-") && name != keep {
            if let Err(e) = fs::remove_dir_all(entry.path()) {
                tracing::warn!(
                    "could not remove old index generation {}: {e}",
                    entry.path().display()
                );
            }
        }
    }
}

/// Now, as an RFC 3339 UTC timestamp.
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default() as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}
