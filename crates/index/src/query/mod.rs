//! Queries: the language users type ([`syntax`]) and its translation into tantivy
//! queries ([`compile`]), with the queries of our own ([`substring`], and the score bonus of titles and whole
//! words).

pub(crate) mod all_terms;
pub(crate) mod best_scores;
pub(crate) mod bonus;
pub mod compile;
pub(crate) mod conjunction;
pub(crate) mod dense_sets;
mod positions;
mod postings;
mod set_freqs;
pub mod substring;
pub mod syntax;
mod title_windows;
mod window_bounds;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{Explanation, Scorer, Weight};
use tantivy::schema::Field;
use tantivy::{DocId, SegmentReader, TantivyError};

pub use best_scores::BestScores;
pub(crate) use bonus::{Reached, ScoreReaching, WithBonusScorer};
pub use compile::{compile, resolve_region, CompiledQuery, Dimension, IndexCaches};
pub use dense_sets::DenseSets;
pub use postings::FieldFilesCache;
pub use syntax::{parse_query, ParsedQuery};

/// `weight`'s scorer in `reader` standing on `doc`; an error if `doc` does not match.
fn scorer_on(
    weight: &dyn Weight,
    reader: &SegmentReader,
    doc: DocId,
) -> tantivy::Result<Box<dyn Scorer>> {
    let mut scorer = weight.scorer(reader, 1.0)?;
    if scorer.seek(doc) != doc {
        return Err(TantivyError::InvalidArgument(format!(
            "document #{doc} does not match"
        )));
    }
    Ok(scorer)
}

/// The entry lengths BM25 reads for `field` in `reader`: each entry counts as one
/// token where the field records none, as tantivy's term scorer counts it.
fn fieldnorms(reader: &SegmentReader, field: Field) -> tantivy::Result<FieldNormReader> {
    Ok(reader
        .fieldnorms_readers()
        .get_field(field)?
        .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1)))
}

/// The explanation of `doc` under `whole`, which scores the sum of `parts`' scores.
fn explain_sum(
    label: &'static str,
    whole: &dyn Weight,
    parts: &[Box<dyn Weight>],
    reader: &SegmentReader,
    doc: DocId,
) -> tantivy::Result<Explanation> {
    let mut explanation = Explanation::new(label, scorer_on(whole, reader, doc)?.score());
    for part in parts {
        explanation.add_detail(part.explain(reader, doc)?);
    }
    Ok(explanation)
}
