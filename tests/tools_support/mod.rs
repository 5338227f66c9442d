//! Tests that need a tool from outside the project (poppler's `pdftotext`,
//! Debian's chromium, `strace`): where the tool is missing they skip with a
//! printed reason, except under `CI=true`, where a missing tool fails the
//! test (`.ci/run` installs every one of them).

/// Whether the calling test must stop because `tool` is not `present`:
/// prints why and returns `true`; under `CI=true` panics instead.
pub fn skip_without(present: bool, tool: &str) -> bool {
    if present {
        return false;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{tool} is not installed, and CI=true: .ci/run installs it");
    }
    eprintln!("skipped: {tool} is not installed (.ci/run installs it)");
    true
}
