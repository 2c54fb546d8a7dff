//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod dom;
pub mod http;
pub mod memory;
pub mod score;

use std::path::{Path, PathBuf};

use next_rsc::flight::{self, ResolveOptions, WriteOptions};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// What `next-rsc tree --canonical` prints for these bytes.
pub fn canonical(input: &[u8]) -> String {
    let rows = flight::split_rows(input);
    let tree = flight::resolve(
        &rows,
        ResolveOptions {
            react_parity: true,
            ..Default::default()
        },
    );
    let mut out = Vec::new();
    flight::write_canonical(&tree, WriteOptions::default(), &mut out).expect("writing to a Vec");
    String::from_utf8(out).expect("canonical JSON is UTF-8")
}

/// Every flight input in the fixtures that has a golden: (input, golden) paths, from the
/// `goldens.tsv` index of each `*-expected` folder (HTML pages: their rebuilt `.flight`).
pub fn golden_pairs() -> Vec<(PathBuf, PathBuf)> {
    goldens().into_iter().map(|g| (g.input, g.golden)).collect()
}

/// One golden: the fixture it was made from (a payload or a page), the flight that was
/// decoded (the payload itself, or the page's rebuilt `.flight`), and the golden JSON.
pub struct Golden {
    pub source: PathBuf,
    pub input: PathBuf,
    pub golden: PathBuf,
}

pub fn goldens() -> Vec<Golden> {
    let mut pairs = Vec::new();
    let root = fixtures();
    let mut indexes = Vec::new();
    for entry in std::fs::read_dir(&root).expect("fixtures folder").flatten() {
        let tsv = entry.path().join("goldens.tsv");
        if entry.file_name().to_string_lossy().ends_with("-expected") && tsv.exists() {
            indexes.push((entry.path(), tsv));
        }
    }
    indexes.sort();
    for (expected, tsv) in indexes {
        let text = std::fs::read_to_string(&tsv).expect("goldens.tsv");
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (golden, source, set) = (cols[0], cols[1], cols[2]);
            if golden == "-" || set.contains("--dev") {
                continue; // no flight, or made with React's development client
            }
            let golden = expected.join(golden);
            let input = if source.ends_with(".html") {
                golden.with_extension("flight")
            } else {
                root.join(source)
            };
            assert!(
                input.exists(),
                "input of {} is missing: {}",
                golden.display(),
                input.display()
            );
            pairs.push(Golden {
                source: root.join(source),
                input,
                golden,
            });
        }
    }
    pairs
}

/// Every flight payload in the fixtures (goldens' inputs and the oracle cases).
pub fn flight_inputs() -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = golden_pairs().into_iter().map(|(i, _)| i).collect();
    let cases = fixtures().join("oracle-cases");
    for entry in std::fs::read_dir(cases).expect("oracle cases").flatten() {
        if entry.path().extension().is_some_and(|e| e == "txt") {
            inputs.push(entry.path());
        }
    }
    inputs.sort();
    inputs.dedup();
    inputs
}

/// A small deterministic PRNG (xorshift64*), so property tests need no extra crate.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The routes of `fixtures/nextjs/` that every version has as both a page and a payload.
pub const ROUTES: [&str; 9] = [
    "home",
    "about",
    "post-hello",
    "post-missing",
    "not-found",
    "special",
    "deep",
    "stream",
    "guestbook",
];

/// How many of `want` appear in `got`, in order (a longest common subsequence).
pub fn in_order(want: &[String], got: &[String]) -> usize {
    let mut previous = vec![0usize; got.len() + 1];
    for w in want {
        let mut current = vec![0usize; got.len() + 1];
        for (j, g) in got.iter().enumerate() {
            current[j + 1] = if w == g {
                previous[j] + 1
            } else {
                current[j].max(previous[j + 1])
            };
        }
        previous = current;
    }
    previous[got.len()]
}
