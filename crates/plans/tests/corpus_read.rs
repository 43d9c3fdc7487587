//! The bundled corpus read whole: documents parsed and completed from the manifest.

use std::path::Path;

use edusearch_plans::corpus::read_corpus;
use edusearch_plans::{Basis, Plan};

fn plans() -> Vec<Plan> {
    let output = read_corpus(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus")).unwrap();
    assert_eq!(output.files, 5);
    assert!(
        output
            .warnings
            .iter()
            .all(|w| !w.source.ends_with("manifest.toml")),
        "{:?}",
        output.warnings
    );
    output.plans
}

#[test]
fn every_plan_has_its_region_and_year_with_the_right_basis() {
    let plans = plans();
    type Fact<'a> = (&'a str, Option<&'a str>, Basis, Option<i32>, Basis, usize);
    let facts: Vec<Fact> = plans
        .iter()
        .map(|p| {
            (
                p.id.as_str(),
                p.region.code.as_deref(),
                p.region.basis,
                p.year,
                p.year_basis,
                p.items.len(),
            )
        })
        .collect();
    assert_eq!(
        facts,
        [
            (
                "000_7df3fdc0b0d15778-p1",
                Some("441900"),
                Basis::Inferred,
                Some(2024),
                Basis::Title,
                50
            ),
            (
                "001_e4caccb4cccb9945-p1",
                Some("370200"),
                Basis::Inferred,
                Some(2021),
                Basis::Title,
                25
            ),
            (
                "001_e4caccb4cccb9945-p2",
                Some("321283"),
                Basis::Inferred,
                Some(2021),
                Basis::Title,
                23
            ),
            (
                "002_450f203c91f27f3e-p1",
                Some("441600"),
                Basis::Title,
                Some(2021),
                Basis::Title,
                55
            ),
            (
                "003_48301fe1551795f4-p1",
                Some("371082"),
                Basis::Inferred,
                Some(2025),
                Basis::Inferred,
                28
            ),
            (
                "004_2a59dc35d15015e3-p1",
                Some("350205"),
                Basis::Title,
                Some(2023),
                Basis::Title,
                25
            ),
        ]
    );
    let haicang = &plans[5].region;
    assert_eq!(
        (
            haicang.province.as_deref(),
            haicang.city.as_deref(),
            haicang.county.as_deref()
        ),
        (Some("福建省"), Some("厦门市"), Some("海沧区"))
    );
    let rongcheng = &plans[4];
    assert_eq!(
        (rongcheng.title.as_str(), rongcheng.title_basis),
        ("荣成市教育工作要点（节选）", Basis::Manifest)
    );
    assert!(rongcheng.clues.iter().any(|c| c.contains("来荣研学")));
    assert_eq!(plans[0].source, "corpus/000_7df3fdc0b0d15778.txt");
    let items: usize = plans.iter().map(|p| p.items.len()).sum();
    assert_eq!(items, 206);
}
