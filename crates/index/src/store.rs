//! What is stored beside the inverted index: each entry's own fields (in the tantivy
//! document) and each plan's metadata (in `plans.json`, which an open index reads into
//! a [`crate::plan_table::PlanTable`]).

use edusearch_plans::{Basis, Completeness, Provenance, Region, Section};
use serde::{Deserialize, Serialize};

use crate::record::{EntryKind, ItemRecord};

/// An entry's own fields, stored as JSON in the document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredEntry {
    pub id: String,
    pub plan_id: String,
    pub kind: EntryKind,
    pub number: Option<u32>,
    pub section: Option<u32>,
    pub title: String,
    pub body: String,
    pub units: Vec<String>,
    pub completeness: Completeness,
}

impl StoredEntry {
    pub fn from_record(record: &ItemRecord) -> Self {
        StoredEntry {
            id: record.id.clone(),
            plan_id: record.plan_id.clone(),
            kind: record.kind,
            number: record.number,
            section: record.section.as_ref().map(|s| s.number),
            title: record.title.clone(),
            body: record.body.clone(),
            units: record.units.clone(),
            completeness: record.completeness,
        }
    }

    /// Body and units: where a hit's passage is cut from (the title is shown apart).
    pub fn passage_text(&self) -> String {
        let mut text = self.body.clone();
        for unit in &self.units {
            text.push('\n');
            text.push_str(unit);
        }
        text
    }

    /// Title, body and units: the text search matches against.
    pub fn search_text(&self) -> String {
        let mut text = String::with_capacity(self.title.len() + self.body.len() + 32);
        text.push_str(&self.title);
        if !self.body.is_empty() {
            text.push('\n');
            text.push_str(&self.body);
        }
        for unit in &self.units {
            text.push('\n');
            text.push_str(unit);
        }
        text
    }
}

/// A plan without its items (they live in the index), plus its place in browse order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredPlan {
    pub ordinal: u64,
    pub id: String,
    pub title: String,
    pub title_basis: Basis,
    pub issuer: Option<String>,
    pub issuer_basis: Basis,
    pub region: Region,
    pub year: Option<i32>,
    pub year_basis: Basis,
    pub published: Option<String>,
    pub doc_number: Option<String>,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clues: Vec<String>,
    pub sections: Vec<Section>,
    pub item_count: u64,
}

impl StoredPlan {
    pub fn from_record(ordinal: u64, record: &ItemRecord) -> Self {
        StoredPlan {
            ordinal,
            id: record.plan_id.clone(),
            title: record.plan_title.clone(),
            title_basis: record.title_basis,
            issuer: record.issuer.clone(),
            issuer_basis: record.issuer_basis,
            region: record.region.clone(),
            year: record.year,
            year_basis: record.year_basis,
            published: record.published.clone(),
            doc_number: record.doc_number.clone(),
            source: record.source.clone(),
            provenance: record.provenance.clone(),
            clues: record.clues.clone(),
            sections: Vec::new(),
            item_count: 0,
        }
    }

    /// Takes in what an item says about its plan: that it is one more, its section.
    pub fn absorb(&mut self, record: &ItemRecord) {
        if record.kind != EntryKind::Item {
            return;
        }
        self.item_count += 1;
        if let Some(section) = &record.section {
            match self
                .sections
                .iter_mut()
                .find(|s| s.number == section.number)
            {
                Some(known) if known.title.is_none() => known.title = section.title.clone(),
                Some(_) => {}
                None => self.sections.push(section.clone()),
            }
        }
    }
}
