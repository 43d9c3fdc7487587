//! Character n-gram tokenizers: the exact-match side of the index.
//!
//! Every searchable character is a unigram, and every pair of neighbouring searchable
//! characters a bigram at the position of its first character. A query term of two or
//! more characters becomes a phrase of its bigrams, which matches exactly where the
//! term's characters stand together: "found" is "contains", whatever jieba makes of
//! the words around it.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::fold::with_folded;

/// Emits each distinct searchable character, folded, as its own token (for a field
/// indexed without frequencies or positions).
#[derive(Clone, Default)]
pub struct UnigramTokenizer {
    tokens: Vec<Token>,
    distinct: Vec<char>,
}

/// Emits each pair of neighbouring searchable characters as a token.
#[derive(Clone, Default)]
pub struct BigramTokenizer {
    tokens: Vec<Token>,
}

impl Tokenizer for UnigramTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream<'a> {
        // The unigram field records which entries hold a character, not where or how
        // often: each distinct character once is the same index for far fewer tokens.
        with_folded(text, |folded| {
            self.distinct.clear();
            self.distinct.extend(folded.searchable.iter().map(|c| c.ch));
            self.distinct.sort_unstable();
            self.distinct.dedup();
        });
        let distinct = &self.distinct;
        fill_tokens(&mut self.tokens, distinct.len(), |position, token| {
            token.text.push(distinct[position]);
        });
        VecTokenStream::new(&mut self.tokens)
    }
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream<'a> {
        let tokens = &mut self.tokens;
        with_folded(text, |folded| {
            let chars = &folded.searchable;
            let pairs = chars.len().saturating_sub(1);
            fill_tokens(tokens, pairs, |position, token| {
                let (first, second) = (&chars[position], &chars[position + 1]);
                token.offset_from = first.start;
                token.offset_to = second.end;
                token.text.push(first.ch);
                token.text.push(second.ch);
            });
        });
        VecTokenStream::new(&mut self.tokens)
    }
}

/// Makes `tokens` hold `count` tokens at positions 0.., each with an empty text for
/// `fill` to write. The tokens' strings are reused from one text to the next: a
/// token per character is most of what indexing would otherwise allocate.
fn fill_tokens(tokens: &mut Vec<Token>, count: usize, mut fill: impl FnMut(usize, &mut Token)) {
    tokens.truncate(count);
    tokens.resize_with(count, Token::default);
    for (position, token) in tokens.iter_mut().enumerate() {
        token.position = position;
        token.position_length = 1;
        token.offset_from = 0;
        token.offset_to = 0;
        token.text.clear();
        fill(position, token);
    }
}

/// The bigrams of an already normalized query term, in order.
pub fn bigrams(normalized: &str) -> Vec<String> {
    let chars: Vec<char> = normalized.chars().collect();
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

/// A token stream over tokens computed up front.
pub struct VecTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    next: usize,
    // Returned by `token()` before the first `advance()` or on an empty stream.
    none: Token,
}

impl<'a> VecTokenStream<'a> {
    pub(crate) fn new(tokens: &'a mut Vec<Token>) -> Self {
        VecTokenStream {
            tokens,
            next: 0,
            none: Token::default(),
        }
    }
}

impl TokenStream for VecTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        match self.next.checked_sub(1) {
            Some(i) => &self.tokens[i],
            None => &self.none,
        }
    }
    fn token_mut(&mut self) -> &mut Token {
        match self.next.checked_sub(1) {
            Some(i) => &mut self.tokens[i],
            None => &mut self.none,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<T: Tokenizer>(mut tokenizer: T, text: &str) -> Vec<(String, usize)> {
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.token().text.clone(), stream.token().position));
        }
        out
    }

    #[test]
    fn bigrams_skip_punctuation_and_keep_positions_consecutive() {
        let got = texts(BigramTokenizer::default(), "“双减”工作");
        assert_eq!(
            got,
            vec![("双减".into(), 0), ("减工".into(), 1), ("工作".into(), 2)]
        );
    }

    #[test]
    fn unigrams_fold() {
        let got = texts(UnigramTokenizer::default(), "課後 Ａ");
        assert_eq!(
            got,
            vec![("a".into(), 0), ("后".into(), 1), ("课".into(), 2)]
        );
    }

    #[test]
    fn unigrams_are_each_distinct_character_once() {
        let got: Vec<String> = texts(UnigramTokenizer::default(), "教育，教育局")
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(got, ["局", "教", "育"].map(String::from));
    }

    #[test]
    fn empty_text_gives_no_tokens() {
        assert!(texts(BigramTokenizer::default(), "。").is_empty());
        assert!(texts(BigramTokenizer::default(), "双").is_empty());
    }
}
