//! An independent reader agrees with the fixture generator: poppler's
//! `pdftotext` finds every drawn text of every readable fixture, so the
//! fixtures are real PDFs and not shaped to this crate's extractor alone.
//! Skips with a printed reason when `pdftotext` is missing, and fails so
//! under `CI=true` (`.ci/run` installs it).

mod tools_support;

use std::process::Command;

use sopncheck::synth::{Expected, fixtures};

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn pdftotext_reads_every_drawn_text() {
    let installed = Command::new("pdftotext").arg("-v").output().is_ok();
    if tools_support::skip_without(installed, "pdftotext (Debian: poppler-utils)") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("sopncheck-poppler-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for fixture in fixtures() {
        let Expected::Runs { runs, .. } = &fixture.expected else {
            continue;
        };
        let path = dir.join(format!("{}.pdf", fixture.name));
        std::fs::write(&path, &fixture.bytes).expect("write fixture");
        // -raw keeps content-stream order, so one Tj's text stays together;
        // a generous crop keeps text beyond the crop box.
        let output = Command::new("pdftotext")
            .args([
                "-q", "-raw", "-x", "0", "-y", "0", "-W", "2000", "-H", "2000",
            ])
            .arg(&path)
            .arg("-")
            .output()
            .expect("run pdftotext");
        let text = normalise(&String::from_utf8_lossy(&output.stdout));
        for run in runs {
            assert!(
                text.contains(&normalise(&run.text)),
                "{}: pdftotext lacks {:?} ({:?})",
                fixture.name,
                run.text,
                run.visibility
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
