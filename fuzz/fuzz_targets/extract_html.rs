//! Fuzzes HTML extraction: any bytes read as a page must extract without
//! panicking, whatever their encoding or nesting.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sopncheck::extract::html;

fuzz_target!(|data: &[u8]| {
    let _ = html::extract(data, Some("text/html; charset=windows-1252"));
});
