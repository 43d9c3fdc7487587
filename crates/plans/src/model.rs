//! The data model shared by every part of edusearch: a plan, its sections and items,
//! and the basis on which each metadata value is known. These types serialise to the
//! JSON shapes that `parse --json`, `search --json` and the HTTP API all use.

use serde::{Deserialize, Serialize};

/// How a metadata value is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// Stated in the plan's own title (or heading).
    Title,
    /// Stated elsewhere in the text: an issuer line, a metadata block, a signature.
    Metadata,
    /// Known to the curator from outside the text and recorded in the manifest.
    Manifest,
    /// Deduced from clues in the text; the manifest records the clues.
    Inferred,
    /// Neither stated nor recorded.
    #[default]
    Unknown,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Title => "title",
            Basis::Metadata => "metadata",
            Basis::Manifest => "manifest",
            Basis::Inferred => "inferred",
            Basis::Unknown => "unknown",
        }
    }
}

/// Where a plan's issuer sits among China's administrative divisions (GB/T 2260).
/// Names are the divisions' full names (河源市, not 河源); `code` is the six-digit
/// code of the most specific level known.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Region {
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub code: Option<String>,
    pub basis: Basis,
}

impl Region {
    pub fn unknown() -> Self {
        Region::default()
    }
    pub fn is_unknown(&self) -> bool {
        self.code.is_none()
    }
    /// The most specific name known, for display ("海沧区", "东莞市").
    pub fn display_name(&self) -> Option<&str> {
        self.county
            .as_deref()
            .or(self.city.as_deref())
            .or(self.province.as_deref())
    }
}

/// Where a copy of a plan came from, as the curator recorded it, so a user can cite it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Provenance {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retrieved: Option<String>,
    /// "official" (the bureau's own site) or "repost" (a copy elsewhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One numbered section heading of a plan (一、… → 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub number: u32,
    /// None where the copy lacks the heading (a fragment that starts mid-section).
    pub title: Option<String>,
}

/// How much of an item's text the copy holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Completeness {
    /// Title and body as published.
    #[default]
    Complete,
    /// Known only from an outline: a title, no body.
    Outline,
    /// Cut off by the end of the copy.
    Truncated,
}

/// One numbered item of a plan: the unit of search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    /// The number as written (`14 .` is 14).
    pub number: u32,
    /// The number of the section the item stands under, if any.
    pub section: Option<u32>,
    /// The lead phrase: the words before the first 。.
    pub title: String,
    /// The rest of the item's text, without the title and the units.
    pub body: String,
    /// Responsible units (责任单位) listed at the end of the item.
    pub units: Vec<String>,
    pub completeness: Completeness,
}

/// One annual work plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub id: String,
    pub title: String,
    pub title_basis: Basis,
    pub issuer: Option<String>,
    pub issuer_basis: Basis,
    pub region: Region,
    pub year: Option<i32>,
    pub year_basis: Basis,
    /// Publication date, `YYYY-MM-DD`, where stated.
    pub published: Option<String>,
    /// Document number (文号) such as 厦海教工委〔2023〕16号, where stated.
    pub doc_number: Option<String>,
    /// The source file, as a path relative to where the corpus was read from.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// Clues recorded by the curator for inferred values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clues: Vec<String>,
    /// The text before the first section (总体要求 and the like); searchable.
    pub preamble: Option<String>,
    pub sections: Vec<Section>,
    pub items: Vec<Item>,
}

impl Plan {
    pub fn section(&self, number: u32) -> Option<&Section> {
        self.sections.iter().find(|s| s.number == number)
    }
}

/// A problem with one source file; the rest of the corpus goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub source: String,
    pub message: String,
}

/// What reading one or more files produced: the `parse --json` shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ParseOutput {
    pub plans: Vec<Plan>,
    pub warnings: Vec<Warning>,
    /// How many files were read (including those that gave only warnings).
    #[serde(default)]
    pub files: usize,
}

/// Ids are stable across re-indexing the same corpus and safe in a URL: they are made
/// from the source file's name (ASCII letters, digits, `_` and `-` kept; anything else
/// replaced by a short hash of the name) and the plan's place in its file.
pub fn plan_id(file_name: &str, ordinal: usize) -> String {
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    let safe: String = stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let base = if safe.len() == stem.len() && !safe.is_empty() {
        safe
    } else {
        // FNV-1a: stable across Rust versions, unlike DefaultHasher.
        let hash = file_name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        if safe.is_empty() {
            format!("f{hash:016x}")
        } else {
            format!("{safe}-{:08x}", hash as u32)
        }
    };
    format!("{base}-p{ordinal}")
}

/// The id of a plan's numbered item.
pub fn item_id(plan_id: &str, number: u32) -> String {
    format!("{plan_id}-{number}")
}

/// The id of a plan's preamble entry.
pub fn preamble_id(plan_id: &str) -> String {
    format!("{plan_id}-pre")
}
