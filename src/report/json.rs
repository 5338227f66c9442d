//! The JSON report: DESIGN.md's `sopncheck-report/1` schema
//! (`src/report/report.schema.json`), pretty-printed. Reading it back is
//! [`Report::from_json`](super::Report::from_json).

use std::io::{self, Write};

use super::Report;

/// Writes the report as pretty JSON followed by a newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
