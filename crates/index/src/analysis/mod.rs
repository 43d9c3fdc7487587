//! Text analysis. Three views of the same text:
//! - `fold`: the normal form both the index and queries use (Simplified script, ASCII
//!   for full-width forms, lowercase; punctuation and spaces are not searchable);
//! - `grams`: character unigrams and bigrams of the folded text, which decide whether
//!   an item matches, so that any string found verbatim in an item finds it;
//! - `words`: jieba words, which only add to the score of whole-word matches.

pub mod fold;
pub mod grams;
pub mod words;

pub use fold::{normalize, searchable_chars};
pub use words::{shared_jieba, BUILTIN_DICTIONARY};
