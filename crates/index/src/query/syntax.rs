//! The query language: space-separated terms that must all match, `"quoted phrases"`,
//! `OR` between alternatives, `-term` to exclude, and `region:`, `year:`, `unit:`
//! filters. Parsing is separate from execution so that its errors can name exactly
//! what is wrong.

use crate::analysis::normalize;
use crate::error::SearchError;

/// A parsed query string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Every group must match; a group matches when any of its terms does.
    pub required: Vec<Vec<String>>,
    /// No excluded term may match.
    pub excluded: Vec<String>,
    pub regions: Vec<String>,
    pub years: Vec<String>,
    pub units: Vec<String>,
}

impl ParsedQuery {
    /// The normalized terms whose matches are marked in snippets.
    pub fn positive_terms(&self) -> impl Iterator<Item = &str> {
        self.required.iter().flatten().map(String::as_str)
    }
    pub fn has_text(&self) -> bool {
        !self.required.is_empty() || !self.excluded.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A word or a quoted phrase, with whether it was negated.
    Term {
        text: String,
        negated: bool,
        quoted: bool,
    },
    Or,
}

fn error(message: impl Into<String>) -> SearchError {
    SearchError::Query {
        message: message.into(),
    }
}

/// Splits on whitespace, keeping `"…"` together.
fn tokenize(query: &str) -> Result<Vec<Token>, SearchError> {
    let mut tokens = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = c == '-';
        if negated {
            chars.next();
            match chars.peek() {
                None => {
                    return Err(error(
                        "a '-' must be followed by the term to exclude, e.g. -培训",
                    ))
                }
                Some(c) if c.is_whitespace() => {
                    return Err(error(
                        "a '-' must be followed by the term to exclude, with no space, e.g. -培训",
                    ))
                }
                _ => {}
            }
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut phrase = String::new();
            let mut closed = false;
            for c in chars.by_ref() {
                if c == '"' {
                    closed = true;
                    break;
                }
                phrase.push(c);
            }
            if !closed {
                return Err(error(format!(
                    "the quote before {:?} is never closed",
                    phrase.trim()
                )));
            }
            tokens.push(Token::Term {
                text: phrase,
                negated,
                quoted: true,
            });
            continue;
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            if c == '"' {
                return Err(error(format!(
                    "a quote inside {word:?}: put a space before the quoted phrase"
                )));
            }
            word.push(c);
            chars.next();
        }
        if word == "OR" && !negated {
            tokens.push(Token::Or);
        } else {
            tokens.push(Token::Term {
                text: word,
                negated,
                quoted: false,
            });
        }
    }
    Ok(tokens)
}

/// `field:value` with an ASCII field name, as opposed to text that merely has a colon.
fn split_field(word: &str) -> Option<(&str, &str)> {
    let (field, value) = word.split_once(':')?;
    (!field.is_empty() && field.chars().all(|c| c.is_ascii_alphabetic() || c == '_'))
        .then_some((field, value))
}

pub fn parse_query(query: &str) -> Result<ParsedQuery, SearchError> {
    let mut parsed = ParsedQuery::default();
    let tokens = tokenize(query)?;
    // Groups of alternatives joined by OR; `pending_or` marks that the next term joins the last group.
    let mut pending_or = false;
    let mut last_was_term = false;
    for token in tokens {
        match token {
            Token::Or => {
                if !last_was_term {
                    return Err(error("OR needs a term on each side, e.g. 双减 OR 减负"));
                }
                if pending_or {
                    return Err(error("two ORs in a row"));
                }
                pending_or = true;
                continue;
            }
            Token::Term {
                text,
                negated,
                quoted,
            } => {
                if !quoted {
                    if let Some((field, value)) = split_field(&text) {
                        if pending_or {
                            return Err(error(format!(
                                "OR cannot join a filter ({field}:); repeat the filter instead"
                            )));
                        }
                        let value = value.trim();
                        if value.is_empty() {
                            return Err(error(format!(
                                "{field}: needs a value, e.g. {field}:{}",
                                example(field)
                            )));
                        }
                        let list = match field {
                            "region" => &mut parsed.regions,
                            "year" => &mut parsed.years,
                            "unit" => &mut parsed.units,
                            other => {
                                return Err(error(format!(
                                "unknown field {other:?}: the filters are region:, year: and unit:"
                            )))
                            }
                        };
                        if negated {
                            return Err(error(format!("filters cannot be negated (-{field}:)")));
                        }
                        list.push(value.to_owned());
                        last_was_term = false;
                        continue;
                    }
                }
                let term = normalize(&text);
                if term.is_empty() {
                    if quoted && text.trim().is_empty() {
                        return Err(error("an empty quoted phrase"));
                    }
                    if pending_or {
                        return Err(error(format!(
                            "{text:?} has no letters or digits to search for"
                        )));
                    }
                    // Stray punctuation (a pasted 、 or ，) is not a term.
                    last_was_term = false;
                    continue;
                }
                if negated {
                    if pending_or {
                        return Err(error("OR cannot join an excluded term"));
                    }
                    parsed.excluded.push(term);
                    last_was_term = false;
                    continue;
                }
                if pending_or {
                    if let Some(group) = parsed.required.last_mut() {
                        group.push(term);
                    }
                    pending_or = false;
                } else {
                    parsed.required.push(vec![term]);
                }
                last_was_term = true;
            }
        }
    }
    if pending_or {
        return Err(error("OR needs a term on each side, e.g. 双减 OR 减负"));
    }
    if parsed.required.is_empty()
        && parsed.excluded.is_empty()
        && parsed.regions.is_empty()
        && parsed.years.is_empty()
        && parsed.units.is_empty()
        && !query.trim().is_empty()
    {
        return Err(error(format!(
            "{:?} has no letters or digits to search for",
            query.trim()
        )));
    }
    Ok(parsed)
}

fn example(field: &str) -> &'static str {
    match field {
        "region" => "广东",
        "year" => "2021",
        "unit" => "基教科",
        _ => "…",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(q: &str) -> Vec<Vec<String>> {
        parse_query(q).unwrap().required
    }

    #[test]
    fn terms_phrases_or_and_exclusions() {
        assert_eq!(
            groups("双减 课后服务"),
            vec![vec!["双减".to_string()], vec!["课后服务".to_string()]]
        );
        assert_eq!(
            groups("\"义务教育 优质均衡\""),
            vec![vec!["义务教育优质均衡".to_string()]]
        );
        assert_eq!(
            groups("双减 OR 减负 劳动"),
            vec![
                vec!["双减".to_string(), "减负".to_string()],
                vec!["劳动".to_string()]
            ]
        );
        let q = parse_query("培训 -校外 region:广东 year:2019..2023 unit:基教科").unwrap();
        assert_eq!(q.excluded, vec!["校外"]);
        assert_eq!(
            (q.regions, q.years, q.units),
            (
                vec!["广东".into()],
                vec!["2019..2023".into()],
                vec!["基教科".into()]
            )
        );
    }

    #[test]
    fn terms_are_folded_like_the_index() {
        assert_eq!(groups("“雙減”工作"), vec![vec!["双减工作".to_string()]]);
        assert_eq!(groups("ＳＴＥＭ"), vec![vec!["stem".to_string()]]);
        assert_eq!(groups("双减 、"), vec![vec!["双减".to_string()]]);
    }

    #[test]
    fn malformed_queries_say_what_is_wrong() {
        for (query, needle) in [
            ("\"双减", "never closed"),
            ("OR 双减", "OR needs"),
            ("双减 OR", "OR needs"),
            ("双减 OR OR 减负", "two ORs"),
            ("- 双减", "'-'"),
            ("title:双减", "unknown field"),
            ("year:", "needs a value"),
            ("-region:广东", "cannot be negated"),
            ("，。", "no letters"),
            ("\"\"", "empty quoted"),
        ] {
            let message = parse_query(query).unwrap_err().to_string();
            assert!(message.contains(needle), "{query:?} → {message}");
        }
    }

    #[test]
    fn colons_in_text_are_not_fields() {
        assert_eq!(groups("2024：重点"), vec![vec!["2024重点".to_string()]]);
    }
}
