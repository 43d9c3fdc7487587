//! Character folding: the one definition of "the same character" that indexing, querying
//! and highlighting share. Full-width and ASCII forms, Traditional and Simplified script,
//! and upper and lower case fold together; whitespace and punctuation are not searchable
//! characters at all, so `“双减”工作` and `双减工作` read the same.

/// One searchable character of a text, with where it stands in the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoldedChar {
    pub ch: char,
    /// Byte range of the original character in the original text.
    pub start: usize,
    pub end: usize,
}

/// Symbols that carry meaning in these documents and so stay searchable
/// (`1+X证书`, `30%`); all other punctuation and symbols are dropped.
const KEPT_SYMBOLS: &[char] = &['+', '%', '#', '&', '@', '='];

/// CJK Unified Ideographs: most of the text, letters with no case to fold.
fn is_common_ideograph(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Fold one character's width and case. Script is folded separately because
/// Traditional→Simplified conversion looks at neighbours.
fn fold_width_and_case(c: char) -> char {
    // Fast paths for the two kinds of character nearly every text is made of.
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if is_common_ideograph(c) {
        return c;
    }
    let c = match c {
        // Full-width ASCII block maps one-to-one onto ASCII.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_lowercase().next().unwrap_or(c)
}

/// The text with width, case and script folded, one output character per input
/// character, so that character indices of the two agree (for word segmentation).
pub fn fold_text(text: &str) -> String {
    with_folded(text, |folded| folded.chars.iter().collect())
}

/// The searchable characters of `text`, folded, with their places in the original.
///
/// ```
/// use edusearch_index::analysis::searchable_chars;
/// let chars: String = searchable_chars("“雙減”工作 2.0版").iter().map(|c| c.ch).collect();
/// assert_eq!(chars, "双减工作2.0版");
/// ```
pub fn searchable_chars(text: &str) -> Vec<FoldedChar> {
    with_folded(text, |folded| folded.searchable.clone())
}

/// One text, folded: what every view of it is cut from.
#[derive(Default)]
pub(crate) struct Folded {
    text: String,
    /// Every character, folded (see [`fold_text`]).
    pub chars: Vec<char>,
    /// The searchable ones, with their byte ranges in the original.
    pub searchable: Vec<FoldedChar>,
}

impl Folded {
    fn refill(&mut self, text: &str) {
        self.text.clear();
        self.text.push_str(text);
        self.chars.clear();
        self.chars
            .extend(fast2s::convert(text).chars().map(fold_width_and_case));
        self.searchable.clear();
        keep_searchable(text, &self.chars, &mut self.searchable);
    }
}

/// Runs `f` on `text` folded. Indexing analyses one text in several fields (bigrams,
/// unigrams, words) one after the other on the same thread, so the last text folded on
/// each thread is kept: folding, Traditional→Simplified above all, is done once, not
/// once per field.
pub(crate) fn with_folded<R>(text: &str, f: impl FnOnce(&Folded) -> R) -> R {
    thread_local! {
        static LAST: std::cell::RefCell<Folded> = std::cell::RefCell::default();
    }
    LAST.with(|last| {
        // A re-entrant call (none today) would find the cell borrowed: fold afresh.
        match last.try_borrow_mut() {
            Ok(mut last) => {
                if last.text != text {
                    last.refill(text);
                }
                f(&last)
            }
            Err(_) => {
                let mut fresh = Folded::default();
                fresh.refill(text);
                f(&fresh)
            }
        }
    })
}

fn keep_searchable(text: &str, folded: &[char], out: &mut Vec<FoldedChar>) {
    for (i, (start, original)) in text.char_indices().enumerate() {
        let Some(&ch) = folded.get(i) else { break };
        let keep = if is_common_ideograph(ch) || ch.is_alphanumeric() || KEPT_SYMBOLS.contains(&ch)
        {
            true
        } else if ch == '.' {
            // A decimal point (2.0, 3.3) is part of the number; other dots are punctuation.
            let digit_at = |j: Option<usize>| {
                j.and_then(|j| folded.get(j))
                    .is_some_and(|c| c.is_ascii_digit())
            };
            digit_at(i.checked_sub(1)) && digit_at(Some(i + 1))
        } else {
            false
        };
        if keep {
            out.push(FoldedChar {
                ch,
                start,
                end: start + original.len_utf8(),
            });
        }
    }
}

/// The searchable characters of a query term, as a plain string.
pub fn normalize(text: &str) -> String {
    searchable_chars(text).into_iter().map(|c| c.ch).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_ascii_fold_together() {
        assert_eq!(
            normalize("（责任单位：基教科）"),
            normalize("(责任单位:基教科)")
        );
        assert_eq!(normalize("ＳＴＥＡＭ教育"), "steam教育");
    }

    #[test]
    fn traditional_folds_to_simplified() {
        assert_eq!(normalize("課後服務"), "课后服务");
        assert_eq!(normalize("雙減"), "双减");
    }

    #[test]
    fn punctuation_and_spaces_are_not_searchable() {
        assert_eq!(normalize("“双减”工作"), "双减工作");
        assert_eq!(normalize("研 学"), "研学");
        assert_eq!(normalize("1+X证书、30%"), "1+x证书30%");
    }

    #[test]
    fn decimal_points_stay_other_dots_go() {
        assert_eq!(normalize("2.0版"), "2.0版");
        assert_eq!(normalize("28.协调"), "28协调");
    }

    #[test]
    fn offsets_point_into_the_original() {
        let text = "深入推进“双减”工作";
        let chars = searchable_chars(text);
        let shuang = chars.iter().find(|c| c.ch == '双').unwrap();
        assert_eq!(&text[shuang.start..shuang.end], "双");
        assert_eq!(chars.len(), 8);
    }
}
