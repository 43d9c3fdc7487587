//! Many queries for one opening of the index: `search --queries FILE` and `stats
//! --queries FILE` answer each line of FILE (`-`: standard input) with one JSON line.
//! Opening a national index takes most of a command's time (0.3 s at 1.5 M entries,
//! a query a few ms), which a script looping over the command pays for every query.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use edusearch_index::SearchError;
use serde::Serialize;

/// A line that could not be answered: the query as read, and why.
#[derive(Serialize)]
struct Unanswered<'a> {
    query: &'a str,
    error: Fault<'a>,
}

/// As the HTTP API words an error.
#[derive(Serialize)]
struct Fault<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<&'a str>,
    message: String,
}

/// Answers each non-blank line of `source` (UTF-8) as a query, writing one JSON line
/// per query as it goes. A query that fails gets a line with its error (also on stderr,
/// with its line number), and the others are still answered; the exit status then says
/// so.
pub fn answer_each_line<T: Serialize>(
    source: &Path,
    mut answer: impl FnMut(&str) -> Result<T, SearchError>,
) -> anyhow::Result<ExitCode> {
    let named = || source.display().to_string();
    let reader: Box<dyn BufRead> = if source == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        let file = File::open(source).with_context(|| format!("cannot read {}", named()))?;
        Box::new(BufReader::new(file))
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let mut failed = 0;
    for (number, line) in reader.split(b'\n').enumerate() {
        let line = line.with_context(|| format!("cannot read {}", named()))?;
        let lossy;
        let (query, answered) = match std::str::from_utf8(&line) {
            // A file saved by Windows' Notepad starts with a byte-order mark.
            Ok(text) => {
                let query = text.trim_start_matches('\u{feff}').trim();
                let answered = match query.is_empty() {
                    true => continue,
                    false => answer(query).map_err(|e| (e.parameter_name(), e.to_string())),
                };
                (query, answered)
            }
            Err(_) => {
                lossy = String::from_utf8_lossy(&line).into_owned();
                let message = "the line is not UTF-8 text: save the file as UTF-8".to_owned();
                (lossy.trim(), Err((None, message)))
            }
        };
        let written = match answered {
            Ok(answered) => serde_json::to_writer(&mut out, &answered),
            Err((parameter, message)) => {
                failed += 1;
                eprintln!("edusearch: {} line {}: {message}", named(), number + 1);
                let unanswered = Unanswered {
                    query,
                    error: Fault { parameter, message },
                };
                serde_json::to_writer(&mut out, &unanswered)
            }
        };
        written.context("cannot write the answer")?;
        // Each answer goes out whole as soon as it is ready, for a reader on a pipe.
        (out.write_all(b"\n").and_then(|()| out.flush())).context("cannot write the answer")?;
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("edusearch: {failed} of the queries in {} failed", named());
        ExitCode::FAILURE
    })
}
