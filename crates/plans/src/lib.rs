//! Reading Chinese education work plans (工作要点) into plans, sections and items.
//!
//! A source file (plain text, Markdown or HTML, in UTF-8, UTF-16 or GB18030) is decoded
//! ([`decode`]), cleared of page chrome and split into plans ([`parse`]), and completed
//! from the curator's manifest ([`manifest`]). [`corpus`] does all of it for a folder.

pub mod corpus;
pub mod decode;
pub mod manifest;
pub mod model;
pub mod parse;

pub use model::*;
