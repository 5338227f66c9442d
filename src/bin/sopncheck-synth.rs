//! `sopncheck-synth`: writes synthetic notices (invented people and
//! addresses) to disk, for looking at fixtures with other PDF tools and for
//! the whole-process benchmark.
//!
//! ```text
//! sopncheck-synth fixtures DIR                 # the named fixtures, one PDF each
//! sopncheck-synth corpus --count N --seed S DIR  # N benchmark notices
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rayon::prelude::*;

/// Writes synthetic election notices.
#[derive(Debug, Parser)]
#[command(name = "sopncheck-synth", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Every named fixture as DIR/NAME.pdf, plus DIR/README.txt describing them.
    Fixtures {
        /// Output directory (created if missing).
        dir: PathBuf,
    },
    /// A benchmark corpus: DIR/notice-00000.pdf and so on.
    Corpus {
        /// How many documents.
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// Seed; the same seed writes the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output directory (created if missing).
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Fixtures { dir } => write_fixtures(&dir),
        Command::Corpus { count, seed, dir } => write_corpus(&dir, count, seed),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sopncheck-synth: {message}");
            ExitCode::from(2)
        }
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_fixtures(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut readme = String::new();
    for fixture in sopncheck::synth::fixtures() {
        write(&dir.join(format!("{}.pdf", fixture.name)), &fixture.bytes)?;
        readme.push_str(&format!("{}.pdf: {}\n", fixture.name, fixture.about));
    }
    write(&dir.join("README.txt"), readme.as_bytes())
}

fn write_corpus(dir: &Path, count: usize, seed: u64) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    (0..count).into_par_iter().try_for_each(|index| {
        let bytes = sopncheck::synth::corpus_document(seed, index);
        write(&dir.join(format!("notice-{index:05}.pdf")), &bytes)
    })
}
