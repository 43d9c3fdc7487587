//! What a search answers: the JSON shapes shared by `search --json`, `stats --json`,
//! `plans --json` and the HTTP API.

use std::borrow::Cow;

use edusearch_plans::{Basis, Completeness, Region, Section};
use serde::{Deserialize, Serialize};

use crate::record::EntryKind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    /// The exact number of matching entries.
    pub total: u64,
    pub hits: Vec<Hit>,
    /// Counts over the whole result set; absent when not asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub id: String,
    pub plan_id: String,
    pub kind: EntryKind,
    pub number: Option<u32>,
    pub title: String,
    pub plan_title: String,
    pub region: Region,
    pub year: Option<i32>,
    pub section: Option<Section>,
    pub units: Vec<String>,
    pub completeness: Completeness,
    /// A passage of the entry's body and units around the first match (the start when
    /// only the title matches), HTML-escaped, the matched text in `<mark>`.
    pub snippet: String,
    /// The title, HTML-escaped, with matches in `<mark>`.
    pub title_marked: String,
    /// BM25 score; 0 when browsing without a query.
    pub score: f32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facets {
    /// Province → city → county, largest count first, unknown last.
    pub region: Vec<RegionCount>,
    /// Newest first, unknown last.
    pub year: Vec<YearCount>,
    /// Largest count first.
    pub unit: Vec<UnitCount>,
}

/// A region's count. Its names are borrowed from the division list: a national answer
/// names ~400 regions, and copying three strings for each cost ~5 % of the throughput
/// of the server under load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionCount {
    /// Display name (广东省); "未知" for the unknown region.
    pub value: Cow<'static, str>,
    /// GB/T 2260 code, or "unknown".
    pub code: Cow<'static, str>,
    /// "province", "city", "county" or "unknown".
    pub level: Cow<'static, str>,
    pub count: u64,
    /// Whether this value is among the request's region filters.
    pub selected: bool,
    /// Largest first. When the whole tree would exceed 400 nodes, counties are listed
    /// only under a selected city (or beside a selected county); select a city to see them.
    pub children: Vec<RegionCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearCount {
    /// None for plans of unknown year.
    pub value: Option<i32>,
    pub count: u64,
    pub selected: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitCount {
    pub value: String,
    pub count: u64,
    pub selected: bool,
}

/// A page of the plans that pass a listing's filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanList {
    /// Plans that pass the filters, on this page or not.
    pub total: u64,
    /// Their numbered items.
    pub items: u64,
    pub offset: usize,
    /// In browse order: newest year first, then by division code.
    pub plans: Vec<PlanSummary>,
}

/// A plan as listed by `plans`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub id: String,
    pub title: String,
    pub issuer: Option<String>,
    pub region: Region,
    pub year: Option<i32>,
    pub year_basis: Basis,
    pub published: Option<String>,
    pub doc_number: Option<String>,
    pub source: String,
    /// Numbered items (the preamble is not counted).
    pub items: u64,
}

/// Counts of a query's items over time and place: what a trend chart needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub query: String,
    /// Matching numbered items (preambles are not counted).
    pub total_items: u64,
    /// Oldest first; unknown year last.
    pub by_year: Vec<YearStats>,
    /// Most items first.
    pub by_region: Vec<RegionStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearStats {
    pub year: Option<i32>,
    pub items: u64,
    /// Distinct issuing regions (most specific known division) with a matching item.
    pub regions: u64,
    pub plans: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionStats {
    /// Most specific division's code, or "unknown".
    pub code: String,
    pub region: Region,
    pub items: u64,
}

/// What `index` built.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexInfo {
    pub format_version: u32,
    pub built_at: String,
    pub plans: u64,
    pub items: u64,
    pub preambles: u64,
}
