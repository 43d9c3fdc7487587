//! Word segmentation with jieba, for ranking: whole-word matches score higher than
//! matches that only line up characters. The exact-match guarantee comes from the
//! character grams (see `grams`); jieba never decides whether an item matches.

use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::fold::{fold_text, with_folded};
use super::grams::VecTokenStream;
use crate::error::{IndexError, Result};

/// The domain dictionary shipped with edusearch (policy terms jieba's own dictionary lacks).
pub const BUILTIN_DICTIONARY: &str = include_str!("../../dict/policy.dict");

/// A jieba instance with the general dictionary plus a domain dictionary, shared by
/// every tokenizer that uses the same dictionary text (loading takes ~0.3 s).
pub fn shared_jieba(dictionary: &str) -> Result<Arc<Jieba>> {
    // Almost every process uses one dictionary (the index's); keep the last one loaded.
    type Loaded = Option<(String, Arc<Jieba>)>;
    static LOADED: OnceLock<std::sync::Mutex<Loaded>> = OnceLock::new();
    let slot = LOADED.get_or_init(Default::default);
    let mut slot = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((text, jieba)) = slot.as_ref() {
        if text == dictionary {
            return Ok(Arc::clone(jieba));
        }
    }
    let jieba = Arc::new(load_jieba(dictionary)?);
    *slot = Some((dictionary.to_owned(), Arc::clone(&jieba)));
    Ok(jieba)
}

fn load_jieba(dictionary: &str) -> Result<Jieba> {
    let mut jieba = Jieba::new();
    for (line_number, line) in dictionary.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        let word = fields.next().unwrap_or_default();
        let freq = match fields.next() {
            Some(f) => Some(f.parse::<usize>().map_err(|_| IndexError::Dictionary {
                line: line_number + 1,
                message: format!("frequency {f:?} is not a whole number"),
            })?),
            None => None,
        };
        let tag = fields.next();
        jieba.add_word(&fold_text(word), freq, tag);
    }
    Ok(jieba)
}

/// Words of a text as jieba cuts it (its longest words, as [`whole_words`] cuts query
/// terms), folded, without punctuation, with byte offsets into the original text: what
/// the word field holds.
pub fn words(jieba: &Jieba, text: &str) -> Vec<(String, usize, usize)> {
    let folded = fold_text(text);
    let mut tokens = Vec::new();
    for token in jieba.tokenize(&folded, jieba_rs::TokenizeMode::Default, true) {
        tokens.push((token.word.to_owned(), token.start, token.end));
    }
    map_to_original(text, tokens)
}

/// The words jieba cuts a query term into, longest only, as the indexed text is cut:
/// 劳动教育 is one word, so it scores as a whole word where the text has the word
/// 劳动教育, and 教育 alone scores as a whole word only where it stands as a word of its own.
pub fn whole_words(jieba: &Jieba, term: &str) -> Vec<String> {
    jieba
        .cut(&fold_text(term), true)
        .into_iter()
        .map(|token| token.word)
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .map(str::to_owned)
        .collect()
}

/// Turns tokens of the folded text (with character indices) into tokens with byte
/// offsets in the original text, dropping those with nothing searchable in them.
fn map_to_original(text: &str, tokens: Vec<(String, usize, usize)>) -> Vec<(String, usize, usize)> {
    // fold_text keeps one character per original character, so character indices agree.
    let starts: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    tokens
        .into_iter()
        .filter(|(word, _, _)| word.chars().any(|c| c.is_alphanumeric()))
        .filter_map(|(word, from, to)| Some((word, *starts.get(from)?, *starts.get(to)?)))
        .collect()
}

/// The tantivy tokenizer of the word fields: tantivy-jieba's default (longest-word) cut,
/// run over the folded text, with offsets mapped back to the original. Search mode's
/// extra parts (劳动 and 教育 beside 劳动教育) would make a word inside a longer word
/// count as whole, and cost a fifth of the word postings.
#[derive(Clone)]
pub struct WordTokenizer {
    inner: tantivy_jieba::JiebaTokenizer,
    folded: String,
    /// Byte offset of each character and of the end, in the folded and the original
    /// text: character `i` is at `folded_starts[i]` in one and `original_starts[i]` in the other.
    folded_starts: Vec<usize>,
    original_starts: Vec<usize>,
    tokens: Vec<Token>,
}

impl WordTokenizer {
    pub fn new(jieba: &Jieba) -> Self {
        let mut inner = tantivy_jieba::JiebaTokenizer::with_jieba(jieba.clone());
        inner.set_search_mode(false);
        // Character offsets as positions are what tantivy-jieba gives by default; word
        // fields serve ranking only (phrases run on the character grams), so plain
        // ordinals are enough and keep positions meaningful.
        inner.set_ordinal_position_mode(true);
        WordTokenizer {
            inner,
            folded: String::new(),
            folded_starts: Vec::new(),
            original_starts: Vec::new(),
            tokens: Vec::new(),
        }
    }
}

fn fill_char_starts(starts: &mut Vec<usize>, text: &str) {
    starts.clear();
    starts.extend(text.char_indices().map(|(i, _)| i));
    starts.push(text.len());
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream<'a> {
        let folded = &mut self.folded;
        folded.clear();
        with_folded(text, |f| folded.extend(f.chars.iter()));
        fill_char_starts(&mut self.folded_starts, &self.folded);
        fill_char_starts(&mut self.original_starts, text);
        self.tokens.clear();
        let mut stream = self.inner.token_stream(&self.folded);
        while stream.advance() {
            let token = stream.token_mut();
            if !token.text.chars().any(char::is_alphanumeric) {
                continue;
            }
            let char_at = |byte: usize| self.folded_starts.binary_search(&byte).ok();
            let (Some(from), Some(to)) = (char_at(token.offset_from), char_at(token.offset_to))
            else {
                continue;
            };
            let (Some(&offset_from), Some(&offset_to)) =
                (self.original_starts.get(from), self.original_starts.get(to))
            else {
                continue;
            };
            self.tokens.push(Token {
                offset_from,
                offset_to,
                position: self.tokens.len(),
                text: std::mem::take(&mut token.text),
                position_length: 1,
            });
        }
        VecTokenStream::new(&mut self.tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jieba() -> Arc<Jieba> {
        shared_jieba(BUILTIN_DICTIONARY).unwrap()
    }

    #[test]
    fn domain_terms_are_whole_words() {
        let got: Vec<String> = words(&jieba(), "深入推进“双减”工作")
            .into_iter()
            .map(|w| w.0)
            .collect();
        assert!(got.contains(&"双减".to_string()), "{got:?}");
        assert!(!got.iter().any(|w| w.contains('“')));
    }

    #[test]
    fn whole_words_are_the_longest_cut() {
        assert_eq!(whole_words(&jieba(), "劳动教育"), ["劳动教育"]);
        assert_eq!(whole_words(&jieba(), "減負"), ["减负"]);
    }

    #[test]
    fn tokenizer_and_query_words_agree_and_offsets_are_original() {
        let text = "稳妥推进第四轮“縣管校聘”管理改革";
        let mut tokenizer = WordTokenizer::new(&jieba());
        let mut stream = tokenizer.token_stream(text);
        let mut from_tokenizer = Vec::new();
        while stream.advance() {
            let t = stream.token();
            from_tokenizer.push((t.text.clone(), t.offset_from, t.offset_to));
        }
        assert_eq!(from_tokenizer, words(&jieba(), text));
        let county = from_tokenizer
            .iter()
            .find(|w| w.0 == "县管校聘")
            .expect("县管校聘 is a word");
        assert_eq!(&text[county.1..county.2], "縣管校聘");
    }
}
