//! The curator's manifest (`manifest.toml` beside the corpus files): what the texts do
//! not state about themselves — region, year, title — each with its basis and clues,
//! and where a copy came from. A value the text states is never overridden.

use std::path::{Path, PathBuf};

use edusearch_divisions::Divisions;
use serde::Deserialize;

use crate::model::{Basis, Plan, Provenance, Region};

pub const MANIFEST_FILE: &str = "manifest.toml";

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(default, rename = "plan")]
    pub plans: Vec<PlanEntry>,
}

/// What the curator knows about one plan.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanEntry {
    /// The source file, relative to the manifest's folder.
    pub file: String,
    /// 1 for the first plan in the file.
    #[serde(default = "first")]
    pub ordinal: usize,
    pub region: Option<String>,
    pub region_basis: Option<Basis>,
    pub year: Option<i32>,
    pub year_basis: Option<Basis>,
    pub title: Option<String>,
    pub title_basis: Option<Basis>,
    #[serde(default)]
    pub clues: Vec<String>,
    pub provenance: Option<Provenance>,
}

fn first() -> usize {
    1
}

impl Manifest {
    /// Reads `manifest.toml` from `folder`; no file is an empty manifest.
    pub fn load(folder: &Path) -> Result<Manifest, ManifestError> {
        let path = folder.join(MANIFEST_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Manifest::default()),
            Err(source) => return Err(ManifestError::Io { path, source }),
        };
        Manifest::parse(&text).map_err(|message| ManifestError::Invalid { path, message })
    }

    pub fn parse(text: &str) -> Result<Manifest, String> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| e.to_string())?;
        for entry in &manifest.plans {
            entry.check()?;
        }
        Ok(manifest)
    }

    pub fn entry(&self, file: &str, ordinal: usize) -> Option<&PlanEntry> {
        self.plans
            .iter()
            .find(|e| e.file == file && e.ordinal == ordinal)
    }
}

impl PlanEntry {
    fn check(&self) -> Result<(), String> {
        let at = format!("[[plan]] {} #{}", self.file, self.ordinal);
        for (name, value, basis) in [
            ("region", self.region.is_some(), self.region_basis),
            ("year", self.year.is_some(), self.year_basis),
            ("title", self.title.is_some(), self.title_basis),
        ] {
            match basis {
                Some(Basis::Manifest | Basis::Inferred) if value => {}
                None if !value => {}
                None => {
                    return Err(format!(
                        "{at}: {name} needs {name}_basis = \"manifest\" or \"inferred\""
                    ))
                }
                Some(_) if !value => return Err(format!("{at}: {name}_basis without a {name}")),
                Some(other) => {
                    return Err(format!(
                    "{at}: {name}_basis is {:?}; a manifest value is \"manifest\" or \"inferred\"",
                    other.as_str()
                ))
                }
            }
        }
        if let Some(region) = &self.region {
            resolve_region(region).map_err(|message| format!("{at}: region: {message}"))?;
        }
        if matches!(self.year, Some(y) if !(1949..=2100).contains(&y)) {
            return Err(format!(
                "{at}: year {} is out of range",
                self.year.unwrap_or_default()
            ));
        }
        if self.region_basis == Some(Basis::Inferred) && self.clues.is_empty()
            || self.year_basis == Some(Basis::Inferred) && self.clues.is_empty()
        {
            return Err(format!("{at}: an inferred value needs its clues"));
        }
        Ok(())
    }

    /// Fills what the plan's text leaves unknown; returns a note for every value the
    /// text states differently (the text wins).
    pub fn apply(&self, plan: &mut Plan) -> Vec<String> {
        let mut notes = Vec::new();
        if let (Some(region), Some(basis)) = (&self.region, self.region_basis) {
            if let Ok(mut resolved) = resolve_region(region) {
                if plan.region.is_unknown() {
                    resolved.basis = basis;
                    plan.region = resolved;
                } else if plan.region.code != resolved.code {
                    notes.push(format!(
                        "manifest region {region} differs from the region the text states ({}); kept the text's",
                        plan.region.display_name().unwrap_or_default()
                    ));
                }
            }
        }
        if let (Some(year), Some(basis)) = (self.year, self.year_basis) {
            match plan.year {
                None => {
                    plan.year = Some(year);
                    plan.year_basis = basis;
                }
                Some(stated) if stated != year => notes.push(format!(
                    "manifest year {year} differs from the year the text states ({stated}); kept the text's"
                )),
                Some(_) => {}
            }
        }
        if let (Some(title), Some(basis)) = (&self.title, self.title_basis) {
            if plan.title.trim().is_empty() || plan.title_basis == Basis::Unknown {
                plan.title = title.clone();
                plan.title_basis = basis;
            }
        }
        plan.clues.extend(self.clues.iter().cloned());
        if self.provenance.is_some() {
            plan.provenance = self.provenance.clone();
        }
        notes
    }
}

/// A region from a code or an unambiguous division name, basis unset.
pub fn resolve_region(value: &str) -> Result<Region, String> {
    let divisions = Divisions::global();
    let division = match divisions.get(value) {
        Some(d) => d,
        None => match divisions.lookup(value).as_slice() {
            [one] => *one,
            [] => return Err(format!("{value:?} is not a division code or name")),
            many => {
                return Err(format!(
                    "{value:?} fits several divisions ({}); use the code",
                    many.iter()
                        .map(|d| d.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        },
    };
    Ok(region_from_code(&division.code).unwrap_or_default())
}

/// The region of a division code, with the names of every level.
pub fn region_from_code(code: &str) -> Option<Region> {
    let chain = Divisions::global().chain(code)?;
    Some(Region {
        province: chain.province.map(|d| d.name.clone()),
        city: chain.city.map(|d| d.name.clone()),
        county: chain.county.map(|d| d.name.clone()),
        code: Some(code.to_owned()),
        basis: Basis::Unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_manifest_is_valid() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
        let manifest = Manifest::load(&folder).unwrap();
        assert_eq!(manifest.plans.len(), 4);
        let rongcheng = manifest.entry("003_48301fe1551795f4.txt", 1).unwrap();
        assert_eq!(
            resolve_region(rongcheng.region.as_deref().unwrap())
                .unwrap()
                .city
                .as_deref(),
            Some("威海市")
        );
    }

    #[test]
    fn bad_entries_are_named() {
        for (text, needle) in [
            (
                "[[plan]]\nfile='a.txt'\nregion='441900'\n",
                "region needs region_basis",
            ),
            (
                "[[plan]]\nfile='a.txt'\nregion='441900'\nregion_basis='title'\n",
                "\"manifest\" or \"inferred\"",
            ),
            (
                "[[plan]]\nfile='a.txt'\nregion='朝阳区'\nregion_basis='manifest'\n",
                "fits several",
            ),
            (
                "[[plan]]\nfile='a.txt'\nyear=2025\nyear_basis='inferred'\n",
                "needs its clues",
            ),
            ("[[plan]]\nfile='a.txt'\ncolour='red'\n", "unknown field"),
        ] {
            let message = Manifest::parse(text).unwrap_err();
            assert!(message.contains(needle), "{text} → {message}");
        }
    }

    #[test]
    fn the_text_wins_over_the_manifest() {
        let mut plan = Plan {
            id: "x-p1".into(),
            title: "河源市教育局2021年工作要点".into(),
            title_basis: Basis::Title,
            issuer: None,
            issuer_basis: Basis::Unknown,
            region: Region {
                basis: Basis::Title,
                ..region_from_code("441600").unwrap()
            },
            year: Some(2021),
            year_basis: Basis::Title,
            published: None,
            doc_number: None,
            source: "x.txt".into(),
            provenance: None,
            clues: vec![],
            preamble: None,
            sections: vec![],
            items: vec![],
        };
        let entry = Manifest::parse("[[plan]]\nfile='x.txt'\nregion='441900'\nregion_basis='manifest'\nyear=2020\nyear_basis='manifest'\n")
            .unwrap()
            .plans
            .remove(0);
        let notes = entry.apply(&mut plan);
        assert_eq!(notes.len(), 2);
        assert_eq!(plan.region.code.as_deref(), Some("441600"));
        assert_eq!(plan.year, Some(2021));
    }
}
