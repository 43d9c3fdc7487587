//! The plans of an open index, held in memory for every hit's plan fields.
//!
//! `plans.json` is read one plan at a time into a compact form: what plans share (a
//! region, an issuer) is kept once, and a plan's section titles are one string rather
//! than a string each. Parsed as [`StoredPlan`]s, the 36 k plans of the 1.5 M-entry
//! benchmark held 78 MB, a twelfth of the server's memory; read this way, 34 MB.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use edusearch_divisions::Divisions;
use edusearch_plans::{Basis, Plan, Provenance, Region, Section};
use serde::de::{Deserializer, SeqAccess, Visitor};

use crate::error::{IndexError, Result};
use crate::record::{EntryKind, ItemRecord};
use crate::request::YearFilter;
use crate::response::PlanSummary;
use crate::store::{StoredEntry, StoredPlan};

/// Every plan of an index, in browse order, and where each id is.
pub struct PlanTable {
    plans: Vec<OpenPlan>,
    by_id: HashMap<Arc<str>, usize>,
}

impl PlanTable {
    /// Reads a `plans.json`; errors name the file.
    pub fn read(path: &Path) -> Result<PlanTable> {
        let bytes = std::fs::read(path).map_err(IndexError::io(path))?;
        let corrupt = |e: serde_json::Error| IndexError::Corrupt {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let mut json = serde_json::Deserializer::from_slice(&bytes);
        let plans = json
            .deserialize_seq(PlansVisitor::default())
            .map_err(corrupt)?;
        json.end().map_err(corrupt)?;
        let by_id = plans
            .iter()
            .enumerate()
            .map(|(slot, plan)| (Arc::clone(&plan.id), slot))
            .collect();
        Ok(PlanTable { plans, by_id })
    }

    pub fn get(&self, id: &str) -> Option<&OpenPlan> {
        self.by_id.get(id).map(|&slot| &self.plans[slot])
    }

    /// In browse order.
    pub fn iter(&self) -> impl Iterator<Item = &OpenPlan> {
        self.plans.iter()
    }
}

/// A plan's metadata and section titles (its entries live in the index).
pub struct OpenPlan {
    pub id: Arc<str>,
    pub title: Box<str>,
    pub title_basis: Basis,
    pub issuer: Option<Arc<str>>,
    pub issuer_basis: Basis,
    pub region: Arc<Region>,
    pub year: Option<i32>,
    pub year_basis: Basis,
    pub published: Option<Box<str>>,
    pub doc_number: Option<Box<str>>,
    pub source: Box<str>,
    pub provenance: Option<Box<Provenance>>,
    pub clues: Box<[String]>,
    sections: Box<[SectionSlot]>,
    /// Every section's title, one after the other.
    section_titles: Box<str>,
    pub item_count: u64,
}

/// A section's number and where its title ends in [`OpenPlan::section_titles`] (it
/// starts where the one before ends).
struct SectionSlot {
    number: u32,
    title_end: usize,
    has_title: bool,
}

impl OpenPlan {
    /// Whether the plan passes region filters (positions in the division list, `None`
    /// for unknown) and year filters: any value of each, both if both are given, as a
    /// search filters entries.
    pub fn passes(&self, regions: &[Option<usize>], years: &[YearFilter]) -> bool {
        if !(years.is_empty() || years.iter().any(|y| y.contains(self.year))) {
            return false;
        }
        if regions.is_empty() {
            return true;
        }
        let divisions = Divisions::global();
        // A code the division list does not have counts as unknown, as in the index.
        let position = (self.region.code.as_deref())
            .and_then(|code| code.parse().ok())
            .and_then(|code| divisions.position(code));
        regions.iter().any(|&wanted| match (wanted, position) {
            (Some(wanted), Some(position)) => divisions.is_ancestor_or_self(wanted, position),
            (wanted, position) => wanted.is_none() && position.is_none(),
        })
    }

    pub fn summary(&self) -> PlanSummary {
        PlanSummary {
            id: self.id.to_string(),
            title: self.title.to_string(),
            issuer: self.issuer.as_deref().map(str::to_owned),
            region: Region::clone(&self.region),
            year: self.year,
            year_basis: self.year_basis,
            published: self.published.as_deref().map(str::to_owned),
            doc_number: self.doc_number.as_deref().map(str::to_owned),
            source: self.source.to_string(),
            items: self.item_count,
        }
    }

    /// Section `number`, without a title if the plan does not give one.
    pub fn section(&self, number: u32) -> Section {
        let title = (self.sections.iter().enumerate())
            .find(|(_, slot)| slot.number == number)
            .and_then(|(position, _)| self.section_title(position));
        Section { number, title }
    }

    fn section_title(&self, position: usize) -> Option<String> {
        let slot = &self.sections[position];
        let start = match position {
            0 => 0,
            _ => self.sections[position - 1].title_end,
        };
        let title = &self.section_titles[start..slot.title_end];
        slot.has_title.then(|| title.to_owned())
    }

    fn sections(&self) -> Vec<Section> {
        let section = |(position, slot): (usize, &SectionSlot)| Section {
            number: slot.number,
            title: self.section_title(position),
        };
        self.sections.iter().enumerate().map(section).collect()
    }

    /// The whole plan, given its entries in order.
    pub fn to_plan(&self, entries: Vec<StoredEntry>) -> Plan {
        let preamble = entries
            .iter()
            .find(|e| e.kind == EntryKind::Preamble)
            .map(|e| e.body.clone());
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
            id: self.id.to_string(),
            title: self.title.to_string(),
            title_basis: self.title_basis,
            issuer: self.issuer.as_deref().map(str::to_owned),
            issuer_basis: self.issuer_basis,
            region: Region::clone(&self.region),
            year: self.year,
            year_basis: self.year_basis,
            published: self.published.as_deref().map(str::to_owned),
            doc_number: self.doc_number.as_deref().map(str::to_owned),
            source: self.source.to_string(),
            provenance: self.provenance.as_deref().cloned(),
            clues: self.clues.to_vec(),
            preamble,
            sections: self.sections(),
            items,
        }
    }

    /// The full record of one of this plan's entries.
    pub fn record(&self, entry: StoredEntry) -> ItemRecord {
        ItemRecord {
            section: entry.section.map(|n| self.section(n)),
            id: entry.id,
            plan_id: entry.plan_id,
            kind: entry.kind,
            number: entry.number,
            title: entry.title,
            plan_title: self.title.to_string(),
            region: Region::clone(&self.region),
            year: self.year,
            units: entry.units,
            completeness: entry.completeness,
            body: entry.body,
            issuer: self.issuer.as_deref().map(str::to_owned),
            published: self.published.as_deref().map(str::to_owned),
            doc_number: self.doc_number.as_deref().map(str::to_owned),
            source: self.source.to_string(),
            title_basis: self.title_basis,
            issuer_basis: self.issuer_basis,
            year_basis: self.year_basis,
            provenance: self.provenance.as_deref().cloned(),
            clues: self.clues.to_vec(),
        }
    }
}

/// Reads the array of plans one at a time, so that only the kept form of each stays.
#[derive(Default)]
struct PlansVisitor {
    regions: HashSet<Arc<Region>>,
    issuers: HashSet<Arc<str>>,
}

impl PlansVisitor {
    fn shared_issuer(&mut self, issuer: String) -> Arc<str> {
        if let Some(known) = self.issuers.get(issuer.as_str()) {
            return Arc::clone(known);
        }
        let issuer: Arc<str> = issuer.into();
        self.issuers.insert(Arc::clone(&issuer));
        issuer
    }

    fn shared_region(&mut self, region: Region) -> Arc<Region> {
        if let Some(known) = self.regions.get(&region) {
            return Arc::clone(known);
        }
        let region = Arc::new(region);
        self.regions.insert(Arc::clone(&region));
        region
    }

    fn open(&mut self, plan: StoredPlan) -> OpenPlan {
        let mut section_titles = String::new();
        let sections = (plan.sections.into_iter())
            .map(|section| {
                let title = section.title.as_deref();
                section_titles.push_str(title.unwrap_or_default());
                SectionSlot {
                    number: section.number,
                    title_end: section_titles.len(),
                    has_title: title.is_some(),
                }
            })
            .collect();
        OpenPlan {
            id: plan.id.into(),
            title: plan.title.into(),
            title_basis: plan.title_basis,
            issuer: plan.issuer.map(|issuer| self.shared_issuer(issuer)),
            issuer_basis: plan.issuer_basis,
            region: self.shared_region(plan.region),
            year: plan.year,
            year_basis: plan.year_basis,
            published: plan.published.map(String::into_boxed_str),
            doc_number: plan.doc_number.map(String::into_boxed_str),
            source: plan.source.into(),
            provenance: plan.provenance.map(Box::new),
            clues: plan.clues.into(),
            sections,
            section_titles: section_titles.into(),
            item_count: plan.item_count,
        }
    }
}

impl<'de> Visitor<'de> for PlansVisitor {
    type Value = Vec<OpenPlan>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an array of plans")
    }

    fn visit_seq<A: SeqAccess<'de>>(
        mut self,
        mut seq: A,
    ) -> std::result::Result<Vec<OpenPlan>, A::Error> {
        let mut plans = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(plan) = seq.next_element::<StoredPlan>()? {
            plans.push(self.open(plan));
        }
        Ok(plans)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use edusearch_plans::{Basis, Region, Section};

    use super::PlanTable;
    use crate::error::IndexError;
    use crate::store::StoredPlan;

    fn stored(id: &str, issuer: &str, sections: Vec<Section>) -> StoredPlan {
        StoredPlan {
            ordinal: 0,
            id: id.to_owned(),
            title: format!("{issuer}2024年工作要点"),
            title_basis: Basis::Title,
            issuer: Some(issuer.to_owned()),
            issuer_basis: Basis::Title,
            region: Region {
                province: Some("广东省".to_owned()),
                city: Some("河源市".to_owned()),
                county: None,
                code: Some("441600".to_owned()),
                basis: Basis::Title,
            },
            year: Some(2024),
            year_basis: Basis::Title,
            published: None,
            doc_number: None,
            source: format!("{id}.txt"),
            provenance: None,
            clues: Vec::new(),
            sections,
            item_count: 0,
        }
    }

    fn section(number: u32, title: Option<&str>) -> Section {
        Section {
            number,
            title: title.map(str::to_owned),
        }
    }

    #[test]
    fn sections_read_back_as_written_with_shared_regions_and_issuers() {
        let sections = vec![
            section(1, Some("加强党的全面领导")),
            section(2, None),
            section(3, Some("")),
            section(5, Some("深化教育改革,推进“双减”")),
        ];
        let plans = [
            stored("a-p1", "河源市教育局", sections.clone()),
            stored("b-p1", "河源市教育局", Vec::new()),
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plans.json");
        std::fs::write(&path, serde_json::to_vec(&plans).unwrap()).unwrap();
        let table = PlanTable::read(&path).unwrap();

        let a = table.get("a-p1").unwrap();
        for written in &sections {
            assert_eq!(&a.section(written.number), written);
        }
        assert_eq!(a.section(4), section(4, None));
        assert_eq!(a.to_plan(Vec::new()).sections, sections);
        let b = table.get("b-p1").unwrap();
        assert_eq!(b.section(1), section(1, None));
        assert!(Arc::ptr_eq(&a.region, &b.region));
        assert!(Arc::ptr_eq(
            a.issuer.as_ref().unwrap(),
            b.issuer.as_ref().unwrap()
        ));
        let ids: Vec<&str> = table.iter().map(|p| &*p.id).collect();
        assert_eq!(ids, ["a-p1", "b-p1"]);
        assert!(table.get("c-p1").is_none());
    }

    #[test]
    fn a_damaged_plans_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plans.json");
        std::fs::write(&path, br#"[{"ordinal": 0, "id": "a-p1"#).unwrap();
        match PlanTable::read(&path) {
            Err(IndexError::Corrupt { path: named, .. }) => assert_eq!(named, path),
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("read a damaged file"),
        }
    }
}
