//! The bulk shape of one searchable entry: `export --jsonl` writes it, `index --items`
//! reads it, `/api/items/{id}` answers it. It holds a hit's fields plus everything
//! needed to rebuild the index from an export alone.

use edusearch_plans::{Basis, Completeness, Plan, Provenance, Region, Section};
use serde::{Deserialize, Serialize};

/// What an entry is: a numbered item, or a plan's preamble (总体要求 and the like).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    #[default]
    Item,
    Preamble,
}

/// One item (or preamble) with its plan's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemRecord {
    pub id: String,
    pub plan_id: String,
    #[serde(default)]
    pub kind: EntryKind,
    /// None for a preamble.
    pub number: Option<u32>,
    pub title: String,
    pub plan_title: String,
    pub region: Region,
    pub year: Option<i32>,
    pub section: Option<Section>,
    #[serde(default)]
    pub units: Vec<String>,
    #[serde(default)]
    pub completeness: Completeness,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub doc_number: Option<String>,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub title_basis: Basis,
    #[serde(default)]
    pub issuer_basis: Basis,
    #[serde(default)]
    pub year_basis: Basis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clues: Vec<String>,
}

impl ItemRecord {
    /// The entries of a plan: its preamble (if any) first, then its items in order.
    pub fn from_plan(plan: &Plan) -> Vec<ItemRecord> {
        let base = |id: String, kind, number, title: String, body: String| ItemRecord {
            id,
            plan_id: plan.id.clone(),
            kind,
            number,
            title,
            plan_title: plan.title.clone(),
            region: plan.region.clone(),
            year: plan.year,
            section: None,
            units: Vec::new(),
            completeness: Completeness::Complete,
            body,
            issuer: plan.issuer.clone(),
            published: plan.published.clone(),
            doc_number: plan.doc_number.clone(),
            source: plan.source.clone(),
            title_basis: plan.title_basis,
            issuer_basis: plan.issuer_basis,
            year_basis: plan.year_basis,
            provenance: plan.provenance.clone(),
            clues: plan.clues.clone(),
        };
        let mut records = Vec::with_capacity(plan.items.len() + 1);
        if let Some(preamble) = plan.preamble.as_deref().filter(|p| !p.trim().is_empty()) {
            let id = edusearch_plans::preamble_id(&plan.id);
            records.push(base(
                id,
                EntryKind::Preamble,
                None,
                "总体要求".to_owned(),
                preamble.to_owned(),
            ));
        }
        for item in &plan.items {
            let mut record = base(
                item.id.clone(),
                EntryKind::Item,
                Some(item.number),
                item.title.clone(),
                item.body.clone(),
            );
            record.section = item.section.and_then(|n| {
                plan.section(n).cloned().or(Some(Section {
                    number: n,
                    title: None,
                }))
            });
            record.units = item.units.clone();
            record.completeness = item.completeness;
            records.push(record);
        }
        records
    }
}
