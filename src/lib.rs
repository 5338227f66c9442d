//! sopncheck finds UK election candidates' home addresses that councils
//! publish despite the candidates' requests to withhold them.
//!
//! The library is one pipeline, each stage a module that depends only on
//! [`model`] and on the stages before it:
//!
//! ```text
//! registry ──► crawl ──► store ──► extract ──► detect ──► report
//! ```
//!
//! * [`registry`] knows the councils (`rules/councils.csv`) and recognises
//!   one from a document's text or URL.
//! * [`crawl`] fetches councils' notices (robots.txt, politeness, link
//!   scoring, budgets, retries, redirects kept in scope) into the [`store`]:
//!   content-addressed files and an SQLite index, resumable after a kill.
//! * [`extract`] turns a PDF, HTML or text notice into an
//!   [`Extraction`](model::Extraction): positioned text runs with their
//!   visibility, reading-order lines, metadata, annotations and earlier
//!   revisions.
//! * [`detect`] reads an extraction and decides, per candidate, whether
//!   the home address is published or withheld, and finds candidates'
//!   addresses wherever else they leak:
//!   [`DocumentFindings`](model::DocumentFindings).
//! * [`scan`] runs extract and detect over files in parallel, turning every
//!   failure into that document's error.
//! * [`report`] renders the results, masked unless asked otherwise.
//! * [`markup`] is the guarded HTML parser the crawler and the extractor
//!   share.
//! * [`synth`] writes synthetic notices (invented people and addresses) for
//!   tests, benchmarks and the demo; [`demo`] serves the bundled fixture
//!   council sites on 127.0.0.1 for `audit --demo` and the crawler's tests.
//!
//! The command line in `main.rs` and [`cli`] only parses options into
//! configuration and calls these stages.

pub mod cli;
pub mod clock;
pub mod crawl;
pub mod demo;
pub mod detect;
pub mod extract;
pub mod markup;
pub mod model;
pub mod printable;
pub mod registry;
pub mod report;
pub mod scan;
pub mod store;
pub mod synth;
