//! Character n-gram tokenizers: the exact-match side of the index.
//!
//! Every searchable character is a unigram, and every pair of neighbouring searchable
//! characters a bigram at the position of its first character. A query term of two or
//! more characters becomes a phrase of its bigrams, which matches exactly where the
//! term's characters stand together: "found" is "contains", whatever jieba makes of
//! the words around it.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::fold::searchable_chars;

/// Emits each searchable character, folded, as its own token.
#[derive(Clone, Default)]
pub struct UnigramTokenizer {
    tokens: Vec<Token>,
}

/// Emits each pair of neighbouring searchable characters as a token.
#[derive(Clone, Default)]
pub struct BigramTokenizer {
    tokens: Vec<Token>,
}

impl Tokenizer for UnigramTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream<'a> {
        self.tokens.clear();
        for (position, c) in searchable_chars(text).into_iter().enumerate() {
            self.tokens.push(Token {
                offset_from: c.start,
                offset_to: c.end,
                position,
                text: c.ch.to_string(),
                position_length: 1,
            });
        }
        VecTokenStream::new(&mut self.tokens)
    }
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream<'a> {
        self.tokens.clear();
        let chars = searchable_chars(text);
        for (position, pair) in chars.windows(2).enumerate() {
            let mut text = String::with_capacity(8);
            text.push(pair[0].ch);
            text.push(pair[1].ch);
            self.tokens.push(Token {
                offset_from: pair[0].start,
                offset_to: pair[1].end,
                position,
                text,
                position_length: 1,
            });
        }
        VecTokenStream::new(&mut self.tokens)
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
            vec![("课".into(), 0), ("后".into(), 1), ("a".into(), 2)]
        );
    }

    #[test]
    fn empty_text_gives_no_tokens() {
        assert!(texts(BigramTokenizer::default(), "。").is_empty());
        assert!(texts(BigramTokenizer::default(), "双").is_empty());
    }
}
