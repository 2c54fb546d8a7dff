//! Throughput of the flight core, in MB/s (10^6 bytes): framing alone, framing +
//! resolution, and the whole canonical JSON (framing + resolution + writing).
//!
//! Inputs: the seed payload, and 5 MB / 50 MB payloads generated at bench time with the
//! oracle's deterministic generator (`node ../shared/tools/oracle/gen.mjs --seed 1`) into
//! `target/bench-data/` (not committed). Without Node, only the seed is measured.

use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use next_rsc::flight::{self, ResolveOptions, WriteOptions};

fn generated(size: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench-data");
    let path = dir.join(format!("gen-{size}.txt"));
    if path.exists() {
        return Some(path);
    }
    std::fs::create_dir_all(&dir).ok()?;
    let generator = root.join("../shared/tools/oracle/gen.mjs");
    let ok = Command::new("node")
        .arg(&generator)
        .args(["--size", size, "--seed", "1", "--out"])
        .arg(&path)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        eprintln!(
            "note: could not run {} (needs Node): skipping the {size} payload",
            generator.display()
        );
        return None;
    }
    Some(path)
}

fn inputs() -> Vec<(String, Vec<u8>)> {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seed/000_7b5ef04b44413318.txt");
    let mut inputs = vec![(
        "seed".to_string(),
        std::fs::read(seed).expect("seed fixture"),
    )];
    for size in ["5MB", "50MB"] {
        if let Some(path) = generated(size) {
            inputs.push((
                size.to_lowercase(),
                std::fs::read(path).expect("generated payload"),
            ));
        }
    }
    inputs
}

fn benches(c: &mut Criterion) {
    for (name, input) in inputs() {
        let mut group = c.benchmark_group(format!("flight/{name}"));
        group.throughput(Throughput::BytesDecimal(input.len() as u64));
        if input.len() > 1_000_000 {
            group.sample_size(10);
        }
        group.bench_function("decode", |b| {
            b.iter(|| flight::split_rows(&input).rows.len())
        });
        group.bench_function("decode+resolve", |b| {
            b.iter(|| {
                let rows = flight::split_rows(&input);
                flight::resolve(&rows, ResolveOptions::default())
                    .arena
                    .len()
            })
        });
        group.bench_function("decode+resolve/one-thread", |b| {
            b.iter(|| {
                let rows = flight::split_rows(&input);
                let options = ResolveOptions {
                    single_thread: true,
                    ..Default::default()
                };
                flight::resolve(&rows, options).arena.len()
            })
        });
        let mut out = Vec::with_capacity(input.len() * 2);
        group.bench_function("canonical", |b| {
            b.iter(|| {
                out.clear();
                let rows = flight::split_rows(&input);
                let options = ResolveOptions {
                    react_parity: true,
                    ..Default::default()
                };
                let tree = flight::resolve(&rows, options);
                flight::write_canonical(&tree, WriteOptions::default(), &mut out)
                    .expect("writing to a Vec");
                out.len()
            })
        });
        group.finish();
    }
}

criterion_group!(flight_benches, benches);
criterion_main!(flight_benches);
