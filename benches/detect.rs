//! Throughput of `Detector::detect` over a generated corpus of extracted
//! notices: 2,000 invented statements of persons nominated (one to six
//! wards, two to seven candidates each, polling stations and the returning
//! officer's footer), built in memory as `Extraction`s so the benchmark
//! measures detection alone. Reported in bytes of cell text, single-thread
//! and on every thread with rayon (as the scan stage runs it).
//!
//! Every name, street and postcode is invented (`ZZ` postcodes do not exist).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
use sopncheck::detect::{Detector, Rules};
use sopncheck::model::{Cell, Extraction, Line, SourceFormat, Visibility};

const DOCUMENTS: usize = 2_000;

const SURNAMES: [&str; 8] = [
    "ASHWORTH",
    "BRAMBLE",
    "COPPERFIELD",
    "DUNMORE",
    "ELLERBY",
    "FANSHAWE",
    "GADSBY",
    "HOLLOWAY",
];
const OTHER_NAMES: [&str; 6] = ["Alex", "Robin Jo", "Sam", "Kit Morgan", "Lee", "Pat Ray"];
const STREETS: [&str; 6] = [
    "Nowhere Road",
    "Sample Lane",
    "Example Crescent",
    "Fictional Close",
    "Made Up Way",
    "Pretend Street",
];
const WARDS: [&str; 5] = [
    "Upper Sample",
    "Lower Sample",
    "Example Park",
    "Testford",
    "Mock Hill",
];

/// A tiny deterministic generator (xorshift), so the corpus is the same on
/// every run.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % sides as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.roll(items.len())]
    }
}

fn cell(x: f32, text: String) -> Cell {
    Cell {
        x,
        right: x + 95.0,
        text,
        visibility: Visibility::Visible,
    }
}

fn postcode(dice: &mut Dice) -> String {
    const INWARD: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    let letter = |d: &mut Dice| INWARD[d.roll(INWARD.len())] as char;
    format!(
        "ZZ{} {}{}{}",
        1 + dice.roll(99),
        dice.roll(10),
        letter(dice),
        letter(dice)
    )
}

/// One invented notice as the extractor would give it.
fn notice(dice: &mut Dice) -> Extraction {
    let mut rows = Vec::new();
    let mut line = |page: u32, y: f32, cells: Vec<Cell>| {
        rows.push(Line {
            page,
            baseline: y,
            cells,
        })
    };
    for page in 1..=1 + dice.roll(6) as u32 {
        let ward = dice.pick(&WARDS);
        line(
            page,
            800.0,
            vec![cell(50.0, "STATEMENT OF PERSONS NOMINATED".into())],
        );
        line(
            page,
            790.0,
            vec![cell(50.0, "Exampleshire District Council".into())],
        );
        line(
            page,
            780.0,
            vec![cell(
                50.0,
                format!("Election of a District Councillor for {ward} Ward"),
            )],
        );
        line(
            page,
            770.0,
            vec![cell(
                50.0,
                format!(
                    "A poll for the election of a District Councillor for {ward} will be held on Thursday 4 May 2023."
                ),
            )],
        );
        line(
            page,
            750.0,
            [
                "Name of Candidate",
                "Home Address",
                "Description (if any)",
                "Names of Proposer and Seconder",
            ]
            .iter()
            .enumerate()
            .map(|(i, h)| cell(50.0 + 100.0 * i as f32, (*h).into()))
            .collect(),
        );
        for c in 0..2 + dice.roll(6) {
            let name = format!("{}\n{}", dice.pick(&SURNAMES), dice.pick(&OTHER_NAMES));
            let address = if dice.roll(3) == 0 {
                format!(
                    "{} {},\nSampleton,\n{}",
                    1 + dice.roll(200),
                    dice.pick(&STREETS),
                    postcode(dice)
                )
            } else {
                "(address in Exampleshire)".to_string()
            };
            line(
                page,
                700.0 - 40.0 * c as f32,
                vec![
                    cell(50.0, name),
                    cell(150.0, address),
                    cell(250.0, "Independent".into()),
                    cell(350.0, "Jo Bloggs (+)\nAl Smith (++)".into()),
                ],
            );
        }
        line(
            page,
            300.0,
            vec![cell(50.0, "Situation of Polling Station".into())],
        );
        for s in 0..1 + dice.roll(5) {
            line(
                page,
                290.0 - 10.0 * s as f32,
                vec![
                    cell(
                        50.0,
                        format!("Village Hall, {} {}, Sampleton", 1 + s, dice.pick(&STREETS)),
                    ),
                    cell(250.0, format!("{}", 10 + s)),
                ],
            );
        }
        line(
            page,
            120.0,
            vec![cell(50.0, "Dated Monday 3 April 2023".into())],
        );
        line(
            page,
            110.0,
            vec![cell(
                50.0,
                "Printed and published by the Returning Officer, Civic Offices, Sampleton, ZZ1 1AA"
                    .into(),
            )],
        );
    }
    Extraction {
        format: SourceFormat::Pdf,
        pages: rows.last().map_or(1, |r| r.page),
        runs: Vec::new(),
        lines: rows.clone(),
        rows,
        side_texts: Vec::new(),
        prior_revisions: Vec::new(),
        producer: None,
    }
}

fn bench_detect(c: &mut Criterion) {
    let mut dice = Dice(0x5eed_cafe_f00d);
    let corpus: Vec<Extraction> = (0..DOCUMENTS).map(|_| notice(&mut dice)).collect();
    let bytes: u64 = corpus
        .iter()
        .flat_map(|x| &x.rows)
        .flat_map(|r| &r.cells)
        .map(|c| c.text.len() as u64)
        .sum();
    let detector = Detector::new(&Rules::builtin());

    let mut group = c.benchmark_group("detect");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    group.bench_function("single_thread", |b| {
        b.iter(|| {
            corpus
                .iter()
                .map(|x| detector.detect(x, "notice.pdf").findings.len())
                .sum::<usize>()
        })
    });
    group.bench_function("rayon_all_threads", |b| {
        b.iter(|| {
            corpus
                .par_iter()
                .map(|x| detector.detect(x, "notice.pdf").findings.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_detect);
criterion_main!(benches);
