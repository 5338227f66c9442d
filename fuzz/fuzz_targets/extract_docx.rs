//! Fuzzes the Word reader: any bytes read as a `.docx` must give a result
//! or an error, never a panic, a hang or unbounded memory (zip bombs,
//! XML nesting, broken tables).
//!
//! Seed corpus: `cargo run --bin sopncheck-synth -- formats fuzz/corpus/extract_docx`
//! (keep the `.docx` files).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sopncheck::extract::docx;

fuzz_target!(|data: &[u8]| {
    let _ = docx::extract(data);
});
