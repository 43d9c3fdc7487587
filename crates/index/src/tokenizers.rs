//! Registers the analysis tokenizers under the names the schema uses.

use jieba_rs::Jieba;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Index;

use crate::analysis::grams::{BigramTokenizer, UnigramTokenizer};
use crate::analysis::words::WordTokenizer;
use crate::schema::{BIGRAMS, UNIGRAMS, WORDS};

pub fn register_tokenizers(index: &Index, jieba: &Jieba) {
    let manager = index.tokenizers();
    manager.register(BIGRAMS, TextAnalyzer::from(BigramTokenizer::default()));
    manager.register(UNIGRAMS, TextAnalyzer::from(UnigramTokenizer::default()));
    manager.register(WORDS, TextAnalyzer::from(WordTokenizer::new(jieba)));
}
