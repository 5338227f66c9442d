//! Where the real published notices live: `../shared/realdocs`, beside the
//! checkout, read in place and never copied into the repository.

use std::path::{Path, PathBuf};

/// The folder, or `None` (after printing why the test is skipped) when it
/// is absent.
pub fn realdocs() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdocs");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: {} is absent (real notices live beside the checkout)",
            dir.display()
        );
        None
    }
}
