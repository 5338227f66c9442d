//! Fuzzes PDF extraction: any bytes, with a `%PDF-` header forced so the
//! fuzzer spends its time inside the PDF path. Extraction must return (a
//! result or an error) and never panic, hang or run out of memory.
//!
//! Seed corpus: `cargo run --bin sopncheck-synth -- fixtures fuzz/corpus/extract_pdf`.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use sopncheck::extract::{Limits, extract_bytes};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_stream_bytes: 16 << 20,
        max_total_content_bytes: 64 << 20,
        max_time: Duration::from_secs(5),
        ..Limits::default()
    };
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend_from_slice(data.strip_prefix(b"%PDF-").unwrap_or(data));
    let _ = extract_bytes(&bytes, None, &limits);
});
