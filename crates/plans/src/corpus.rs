//! Reading a corpus: every document in a folder (or the files named), decoded, parsed
//! and completed from the folder's manifest. A bad file becomes a warning naming it;
//! the rest of the corpus goes on.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::decode::decode_document;
use crate::manifest::{Manifest, MANIFEST_FILE};
use crate::model::{ParseOutput, Warning};
use crate::parse::parse_document;

/// File extensions read as documents.
pub const DOCUMENT_EXTENSIONS: &[&str] = &["txt", "md", "markdown", "html", "htm"];

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Manifest(#[from] crate::manifest::ManifestError),
}

/// Reads a folder (recursively; documents by extension, sorted by path) or one file.
pub fn read_corpus(path: &Path) -> Result<ParseOutput, CorpusError> {
    read_paths(&[path.to_path_buf()])
}

/// Reads every folder and file named, in order. Files named explicitly are read
/// whatever their extension.
pub fn read_paths(paths: &[PathBuf]) -> Result<ParseOutput, CorpusError> {
    let mut output = ParseOutput::default();
    let mut seen_plan_ids = HashSet::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|source| CorpusError::Io {
            path: path.clone(),
            source,
        })?;
        let (root, files) = if metadata.is_dir() {
            (path.clone(), documents_in(path)?)
        } else {
            (
                path.parent().map(Path::to_path_buf).unwrap_or_default(),
                vec![path.clone()],
            )
        };
        let manifest = Manifest::load(if root.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &root
        })?;
        let mut used_entries = HashSet::new();
        output.files += files.len();
        for file in files {
            let relative = file
                .strip_prefix(&root)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            let source = display_source(&root, &relative);
            read_file(
                &file,
                &relative,
                &source,
                &manifest,
                &mut used_entries,
                &mut seen_plan_ids,
                &mut output,
            );
        }
        if metadata.is_dir() {
            for entry in &manifest.plans {
                if !used_entries.contains(&(entry.file.clone(), entry.ordinal)) {
                    output.warnings.push(Warning {
                        source: display_source(&root, MANIFEST_FILE),
                        message: format!(
                            "entry for {} plan #{} matches no plan read",
                            entry.file, entry.ordinal
                        ),
                    });
                }
            }
        }
    }
    Ok(output)
}

fn read_file(
    file: &Path,
    relative: &str,
    source: &str,
    manifest: &Manifest,
    used_entries: &mut HashSet<(String, usize)>,
    seen_plan_ids: &mut HashSet<String>,
    output: &mut ParseOutput,
) {
    let warn = |output: &mut ParseOutput, message: String| {
        output.warnings.push(Warning {
            source: source.to_owned(),
            message,
        });
    };
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) => return warn(output, format!("cannot read: {e}")),
    };
    let decoded = match decode_document(&bytes, file) {
        Ok(decoded) => decoded,
        Err(e) => return warn(output, format!("skipped: {e}")),
    };
    let parsed = parse_document(&decoded.text, relative);
    for message in parsed.warnings {
        warn(output, message);
    }
    for (index, mut plan) in parsed.plans.into_iter().enumerate() {
        let ordinal = index + 1;
        plan.source = source.to_owned();
        if let Some(entry) = manifest.entry(relative, ordinal) {
            used_entries.insert((entry.file.clone(), entry.ordinal));
            for note in entry.apply(&mut plan) {
                warn(output, format!("plan #{ordinal}: {note}"));
            }
        }
        if !seen_plan_ids.insert(plan.id.clone()) {
            warn(
                output,
                format!(
                    "plan #{ordinal} has the id {} of an earlier plan (same file name?); skipped",
                    plan.id
                ),
            );
            continue;
        }
        output.plans.push(plan);
    }
}

/// How a file is named in plans and warnings: the corpus folder's own name and the
/// path inside it (`corpus/002_….txt`), the same wherever the corpus was read from.
fn display_source(root: &Path, relative: &str) -> String {
    let folder = root
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    match folder {
        Some(folder) => format!("{folder}/{relative}"),
        None => relative.to_owned(),
    }
}

/// Document files under `folder`, sorted by path; hidden files and folders skipped.
fn documents_in(folder: &Path) -> Result<Vec<PathBuf>, CorpusError> {
    let mut found = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|source| CorpusError::Io {
            path: dir.clone(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| CorpusError::Io {
                path: dir.clone(),
                source,
            })?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else if has_document_extension(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn has_document_extension(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| DOCUMENT_EXTENSIONS.contains(&e.as_str()))
}
