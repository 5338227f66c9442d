//! The JSON report: DESIGN.md's `sopncheck-report/1` schema
//! (`src/report/report.schema.json`), pretty-printed. Reading it back is
//! [`Report::from_json`](super::Report::from_json).

use std::io::{self, BufWriter, Write};

use serde::Serialize;

use super::Report;

/// Writes the report as pretty JSON followed by a newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_pretty(report, out)
}

/// Writes any value as pretty JSON followed by a newline (the SARIF log
/// too).
pub(super) fn write_pretty<T: Serialize>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    // serde_json writes a token at a time: a buffer of a known type takes
    // them without a dynamic call each.
    let mut buffered = BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut buffered, value)?;
    writeln!(buffered)?;
    buffered.flush()
}
