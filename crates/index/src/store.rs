//! What is stored beside the inverted index: each entry's own fields (in the tantivy
//! document) and each plan's metadata (in `plans.json`, loaded into memory on open).

use edusearch_plans::{Basis, Completeness, Plan, Provenance, Region, Section};
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
    /// Kept while building; read back from the preamble entry, so not stored twice.
    #[serde(skip)]
    pub preamble: Option<String>,
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
            preamble: None,
            sections: Vec::new(),
            item_count: 0,
        }
    }

    /// Takes in what an entry says about its plan: the preamble text, its section.
    pub fn absorb(&mut self, record: &ItemRecord) {
        match record.kind {
            EntryKind::Preamble => self.preamble = Some(record.body.clone()),
            EntryKind::Item => {
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
    }

    /// The whole plan, given its entries in order.
    pub fn to_plan(&self, entries: Vec<StoredEntry>) -> Plan {
        let preamble = entries
            .iter()
            .find(|e| e.kind == EntryKind::Preamble)
            .map(|e| e.body.clone())
            .or_else(|| self.preamble.clone());
        let items = entries
            .into_iter()
            .filter(|e| e.kind == EntryKind::Item)
            .map(|e| edusearch_plans::Item {
                id: e.id,
                number: e.number.unwrap_or_default(),
                section: e.section,
                title: e.title,
                body: e.body,
                units: e.units,
                completeness: e.completeness,
            })
            .collect();
        Plan {
            id: self.id.clone(),
            title: self.title.clone(),
            title_basis: self.title_basis,
            issuer: self.issuer.clone(),
            issuer_basis: self.issuer_basis,
            region: self.region.clone(),
            year: self.year,
            year_basis: self.year_basis,
            published: self.published.clone(),
            doc_number: self.doc_number.clone(),
            source: self.source.clone(),
            provenance: self.provenance.clone(),
            clues: self.clues.clone(),
            preamble,
            sections: self.sections.clone(),
            items,
        }
    }

    pub fn section(&self, number: u32) -> Option<Section> {
        self.sections.iter().find(|s| s.number == number).cloned()
    }

    /// The full record of one of this plan's entries.
    pub fn record(&self, entry: StoredEntry) -> ItemRecord {
        let section = entry.section.map(|n| {
            self.section(n).unwrap_or(Section {
                number: n,
                title: None,
            })
        });
        ItemRecord {
            id: entry.id,
            plan_id: entry.plan_id,
            kind: entry.kind,
            number: entry.number,
            title: entry.title,
            plan_title: self.title.clone(),
            region: self.region.clone(),
            year: self.year,
            section,
            units: entry.units,
            completeness: entry.completeness,
            body: entry.body,
            issuer: self.issuer.clone(),
            published: self.published.clone(),
            doc_number: self.doc_number.clone(),
            source: self.source.clone(),
            title_basis: self.title_basis,
            issuer_basis: self.issuer_basis,
            year_basis: self.year_basis,
            provenance: self.provenance.clone(),
            clues: self.clues.clone(),
        }
    }
}
