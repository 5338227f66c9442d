//! `sopncheck-synth`: writes synthetic notices (invented people and
//! addresses) to disk, for looking at fixtures with other PDF tools and for
//! the whole-process benchmark.
//!
//! ```text
//! sopncheck-synth fixtures DIR                 # the named fixtures, one PDF each
//! sopncheck-synth formats DIR                  # every layout as Word and HTML
//! sopncheck-synth hostile DIR                  # hostile files (bombs, cycles)
//! sopncheck-synth corpus --count N --seed S DIR  # N benchmark notices
//! sopncheck-synth text-corpus --megabytes M DIR   # their extracted text, M MB
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
    /// One small notice in every layout as DIR/LAYOUT.docx and
    /// DIR/LAYOUT.html (seed files for the fuzz targets, and for looking at
    /// what the generator writes).
    Formats {
        /// Output directory (created if missing).
        dir: PathBuf,
    },
    /// Hostile files built to exhaust a reader (a text bomb, a
    /// decompression bomb, deep nesting, a page-tree cycle, a Word zip
    /// bomb...) as DIR/NAME: seeds for the fuzz targets and input for
    /// benches/hostile_folder.sh.
    Hostile {
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
    /// The benchmark corpus's notices as text (what `sopncheck extract
    /// --rows` prints), DIR/notice-00000.txt and so on, until the files
    /// hold at least the given size: input for the detection benchmark.
    TextCorpus {
        /// Total size to reach, in megabytes (10^6 bytes).
        #[arg(long, default_value_t = 100)]
        megabytes: u64,
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
        Command::Formats { dir } => write_formats(&dir),
        Command::Hostile { dir } => write_hostile(&dir),
        Command::Corpus { count, seed, dir } => write_corpus(&dir, count, seed),
        Command::TextCorpus {
            megabytes,
            seed,
            dir,
        } => write_text_corpus(&dir, megabytes.saturating_mul(1_000_000), seed),
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

fn write_formats(dir: &Path) -> Result<(), String> {
    use sopncheck::synth::{docx, html, notice, notice::Layout, people::People};
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (seed, layout) in (1..).zip(Layout::ALL) {
        let notice = notice(&mut People::new(seed), layout, 2, 3);
        let name = format!("{layout:?}").to_lowercase();
        write(&dir.join(format!("{name}.docx")), &docx::write(&notice))?;
        write(
            &dir.join(format!("{name}.html")),
            html::write(&notice).as_bytes(),
        )?;
    }
    Ok(())
}

fn write_hostile(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for file in sopncheck::synth::hostile::files() {
        write(&dir.join(file.name), &file.bytes)?;
    }
    Ok(())
}

fn write_corpus(dir: &Path, count: usize, seed: u64) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    (0..count).into_par_iter().try_for_each(|index| {
        let bytes = sopncheck::synth::corpus_document(seed, index);
        write(&dir.join(format!("notice-{index:05}.pdf")), &bytes)
    })
}

/// Notices rendered to PDF, extracted and written as text, in parallel
/// batches until `target` bytes are written.
fn write_text_corpus(dir: &Path, target: u64, seed: u64) -> Result<(), String> {
    use sopncheck::extract::{Limits, extract_bytes, text};
    const BATCH: usize = 512;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let limits = Limits::default();
    let mut written: u64 = 0;
    let mut next = 0;
    while written < target {
        let sizes: Vec<u64> = (next..next + BATCH)
            .into_par_iter()
            .map(|index| {
                let pdf = sopncheck::synth::corpus_document(seed, index);
                let extraction = extract_bytes(&pdf, None, &limits)
                    .map_err(|e| format!("notice {index}: {e}"))?;
                let mut out = Vec::new();
                text::write(&mut out, &extraction, &extraction.rows)
                    .map_err(|e| format!("notice {index}: {e}"))?;
                write(&dir.join(format!("notice-{index:06}.txt")), &out)?;
                Ok(out.len() as u64)
            })
            .collect::<Result<_, String>>()?;
        written += sizes.iter().sum::<u64>();
        next += BATCH;
    }
    eprintln!("{next} notices, {written} bytes of text");
    Ok(())
}
