//! The tantivy schema: one document per item (and per plan preamble).

use tantivy::schema::{
    BytesOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
    FAST, STRING,
};

/// Tokenizer names registered on every index (see `analysis`).
pub const BIGRAMS: &str = "edusearch_bigrams";
pub const UNIGRAMS: &str = "edusearch_unigrams";
pub const WORDS: &str = "edusearch_words";

/// Code stored for an unknown region, and year stored for an unknown year.
pub const UNKNOWN: u64 = 0;
pub const UNKNOWN_YEAR: i64 = 0;

/// The fields, resolved once.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Entry id (exact), for lookups.
    pub id: Field,
    /// Plan id (exact), to gather a plan's entries.
    pub plan_id: Field,
    /// Search text (title, body, units) as character bigrams with positions: decides matches.
    pub text_bigrams: Field,
    /// Search text as single characters: decides one-character terms.
    pub text_chars: Field,
    /// Title as character bigrams: title matches rank first.
    pub title_bigrams: Field,
    /// Search text as jieba words: whole-word matches rank above partial ones.
    pub text_words: Field,
    /// Title as jieba words: a title holding a query term as a whole word earns the
    /// title bonus without its bigram positions being read. None in an index built
    /// before the field was added, whose titles are decided by positions alone.
    pub title_words: Option<Field>,
    /// Every division code the issuer sits in (province, city, county), or 0.
    pub region: Field,
    /// The most specific division code, for facet counts.
    pub region_code: Field,
    /// Plan year, 0 when unknown.
    pub year: Field,
    /// Responsible units, multi-valued.
    pub unit: Field,
    /// Plan order << 20 | entry order: browse order.
    pub order: Field,
    /// 1 for numbered items, 0 for preambles (stats count items only).
    pub is_item: Field,
    /// The entry as JSON (see `StoredEntry`).
    pub stored: Field,
}

pub fn build_schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |tokenizer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    let fields = Fields {
        id: builder.add_text_field("id", STRING),
        plan_id: builder.add_text_field("plan_id", STRING),
        text_bigrams: builder.add_text_field(
            "text_bigrams",
            text(BIGRAMS, IndexRecordOption::WithFreqsAndPositions),
        ),
        text_chars: builder.add_text_field("text_chars", text(UNIGRAMS, IndexRecordOption::Basic)),
        title_bigrams: builder.add_text_field(
            "title_bigrams",
            text(BIGRAMS, IndexRecordOption::WithFreqsAndPositions),
        ),
        text_words: builder.add_text_field("text_words", text(WORDS, IndexRecordOption::WithFreqs)),
        title_words: Some(
            builder.add_text_field("title_words", text(WORDS, IndexRecordOption::WithFreqs)),
        ),
        region: builder.add_u64_field("region", NumericOptions::default().set_indexed()),
        region_code: builder.add_u64_field("region_code", FAST),
        year: builder.add_i64_field("year", NumericOptions::default().set_indexed().set_fast()),
        unit: builder.add_text_field("unit", STRING | FAST),
        order: builder.add_u64_field("order", FAST),
        is_item: builder.add_u64_field("is_item", FAST),
        stored: builder.add_bytes_field("stored", BytesOptions::default().set_stored()),
    };
    (builder.build(), fields)
}

impl Fields {
    pub fn resolve(schema: &Schema) -> tantivy::Result<Fields> {
        let get = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: get("id")?,
            plan_id: get("plan_id")?,
            text_bigrams: get("text_bigrams")?,
            text_chars: get("text_chars")?,
            title_bigrams: get("title_bigrams")?,
            text_words: get("text_words")?,
            title_words: get("title_words").ok(),
            region: get("region")?,
            region_code: get("region_code")?,
            year: get("year")?,
            unit: get("unit")?,
            order: get("order")?,
            is_item: get("is_item")?,
            stored: get("stored")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{Schema, STRING};

    use super::{build_schema, Fields};

    /// An index built before titles had a word field still opens: without it, title
    /// bonuses are decided by the title's bigram positions alone.
    #[test]
    fn an_index_without_title_words_resolves_without_them() {
        let (schema, fields) = build_schema();
        assert!(fields.title_words.is_some());
        let mut older = Schema::builder();
        for (_, entry) in schema.fields() {
            if entry.name() != "title_words" {
                older.add_field(entry.clone());
            }
        }
        let older = Fields::resolve(&older.build()).unwrap();
        assert!(older.title_words.is_none());
        assert_eq!(older.text_words, fields.text_words);
        let mut broken = Schema::builder();
        broken.add_text_field("id", STRING);
        assert!(Fields::resolve(&broken.build()).is_err());
    }
}
