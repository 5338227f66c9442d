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
//! * [`extract`] turns a PDF or HTML notice into an
//!   [`Extraction`](model::Extraction): positioned text runs with their
//!   visibility, reading-order lines, metadata, annotations and earlier
//!   revisions.
//! * [`synth`] writes synthetic notices (invented people and addresses) for
//!   tests, benchmarks and the demo.
//!
//! The command line in `main.rs` and [`cli`] only parses options into
//! configuration and calls these stages.

pub mod cli;
pub mod extract;
pub mod model;
pub mod synth;
