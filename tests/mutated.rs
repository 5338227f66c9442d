//! Mutated fixtures never panic the extractors: each generated PDF has
//! bytes flipped, runs deleted or duplicated and its tail cut, and the
//! result must be an extraction or one error. HTML gets the same treatment.
//! (The `fuzz/` targets run the same property coverage-guided.)

use proptest::prelude::*;
use sopncheck::extract::{Limits, extract_bytes};
use sopncheck::synth::fixtures;

/// Small limits, so a mutation that inflates work stays quick.
fn limits() -> Limits {
    Limits {
        max_operators: 200_000,
        max_time: std::time::Duration::from_secs(5),
        ..Limits::default()
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip { at: usize, value: u8 },
    Delete { at: usize, len: usize },
    Duplicate { at: usize, len: usize },
    Truncate { keep: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, value)| Mutation::Flip { at, value }),
        (any::<usize>(), 1..64usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 1..256usize).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        any::<usize>().prop_map(|keep| Mutation::Truncate { keep }),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let n = bytes.len();
    match *mutation {
        Mutation::Flip { at, value } => bytes[at % n] = value,
        Mutation::Delete { at, len } => {
            let start = at % n;
            bytes.drain(start..(start + len).min(n));
        }
        Mutation::Duplicate { at, len } => {
            let start = at % n;
            let copy = bytes[start..(start + len).min(n)].to_vec();
            bytes.splice(start..start, copy);
        }
        Mutation::Truncate { keep } => bytes.truncate(keep % n),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixture_pdfs_never_panic(
        which in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let all = fixtures();
        let mut bytes = all[which % all.len()].bytes.clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        // Either outcome is fine; a panic fails the test.
        let _ = extract_bytes(&bytes, None, &limits());
    }

    #[test]
    fn mutated_html_never_panics(
        mutations in proptest::collection::vec(mutation(), 1..8),
    ) {
        let mut bytes = b"<!DOCTYPE html><html><head><meta charset=windows-1252><title>Notice</title></head>\
            <body><table><tr><th>Name</th><th>Home address</th></tr>\
            <tr><td>QUILLAN Tobias</td><td>14 Quenby Road<br>Northbury<br>NB4 7QT</td></tr>\
            <tr style=\"display:none\"><td>hidden</td></tr></table></body></html>".to_vec();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let _ = extract_bytes(&bytes, Some("text/html"), &limits());
    }
}
