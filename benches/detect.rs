//! Throughput of the detection stage alone (`Detector::detect`) on
//! extracted notice text, single-thread and on
//! every thread with rayon, as the scan stage runs it.
//!
//! The corpus is the synthetic benchmark corpus (`synth::corpus_document`:
//! invented notices in the four real layouts), rendered to PDF, extracted,
//! and kept in the text form `sopncheck scan` reads from `.txt` files, so
//! the bytes measured are the same bytes `benches/detect_vs_rg.sh` gives
//! ripgrep. Size: `SOPNCHECK_BENCH_MB` megabytes of text (default 100).
//!
//! ```sh
//! cargo bench --bench detect
//! SOPNCHECK_BENCH_MB=10 cargo bench --bench detect   # a quicker look
//! ```

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
use sopncheck::detect::{Detector, Rules};
use sopncheck::extract::{Limits, extract_bytes, text};
use sopncheck::model::Extraction;

/// The allocator the `sopncheck` binary runs with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Notices as `scan` reads them from text, and their total size in bytes.
fn corpus(megabytes: u64) -> (Vec<Extraction>, u64) {
    const BATCH: usize = 512;
    let target = megabytes * 1_000_000;
    let limits = Limits::default();
    let mut extractions = Vec::new();
    let mut bytes = 0u64;
    let mut next = 0;
    while bytes < target {
        let batch: Vec<(Extraction, u64)> = (next..next + BATCH)
            .into_par_iter()
            .filter_map(|index| {
                let pdf = sopncheck::synth::corpus_document(1, index);
                let extraction = extract_bytes(&pdf, None, &limits).ok()?;
                let mut written = Vec::new();
                text::write(&mut written, &extraction, &extraction.rows).ok()?;
                Some((text::extract(&written), written.len() as u64))
            })
            .collect();
        for (extraction, size) in batch {
            bytes += size;
            extractions.push(extraction);
        }
        next += BATCH;
    }
    (extractions, bytes)
}

fn bench_detect(c: &mut Criterion) {
    let megabytes = std::env::var("SOPNCHECK_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let (documents, bytes) = corpus(megabytes);
    let detector = Detector::new(&Rules::builtin());
    let mut group = c.benchmark_group("detect");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    let threads = rayon::current_num_threads();
    for workers in [1, threads] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .build()
            .expect("thread pool");
        group.bench_with_input(
            BenchmarkId::new("threads", workers),
            &documents,
            |b, documents| {
                b.iter(|| {
                    pool.install(|| {
                        documents
                            .par_iter()
                            .map(|d| detector.detect(d, "bench.txt").findings.len())
                            .sum::<usize>()
                    })
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_detect);
criterion_main!(benches);
