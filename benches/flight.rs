//! Throughput of the flight core, in MB/s (10^6 bytes): framing alone, framing +
//! resolution, the whole canonical JSON (framing + resolution + writing), and `extract`;
//! then the same payloads inside an HTML page as Next writes one (the flight rebuilt
//! from its push scripts, and `extract`).
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
        group.bench_function("extract", |b| b.iter(|| extract_json(&input)));
        group.finish();
        if name == "seed" {
            continue;
        }
        // The same flight in an HTML page, as Next writes one (`next_page.py`).
        let Some(page) = page_around(&name) else {
            continue;
        };
        let mut group = c.benchmark_group(format!("html-page/{name}"));
        group.throughput(Throughput::BytesDecimal(page.len() as u64));
        group.sample_size(10);
        group.bench_function("flight", |b| {
            b.iter(|| match next_rsc::input::detect(&page) {
                Ok(next_rsc::input::Source::Page(flight, _)) => flight.bytes.len(),
                _ => panic!("the page carries a flight"),
            })
        });
        group.bench_function("extract", |b| b.iter(|| extract_json(&page)));
        group.finish();
    }
}

/// What `next-rsc extract` does with one input: the page read, extracted and written as
/// JSON.
fn extract_json(input: &[u8]) -> usize {
    let page = next_rsc::Page::parse(input).expect("a page");
    serde_json::to_vec(page.extraction())
        .expect("serialisable")
        .len()
}

/// An HTML page around the generated payload of that size, written by
/// `benches/next_page.py` into `target/bench-data/` (needs Python 3).
fn page_around(size: &str) -> Option<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let flight = root.join(format!("target/bench-data/gen-{}.txt", size.to_uppercase()));
    let page = flight.with_extension("html");
    if !page.exists() {
        let ok = Command::new("python3")
            .arg(root.join("benches/next_page.py"))
            .arg(root.join("fixtures/nextjs/v16/post-hello.html"))
            .args([&flight, &page])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("note: could not run benches/next_page.py: skipping the HTML page");
            return None;
        }
    }
    std::fs::read(page).ok()
}

/// The whole page pipeline on every page of `fixtures/nextjs/` (HTML and RSC payloads of
/// four Next.js majors): reading (HTML scripts, framing, resolution, facts, composition),
/// extraction, and both renderers.
fn page_benches(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/nextjs");
    let mut pages: Vec<Vec<u8>> = Vec::new();
    for version in ["v13", "v14", "v15", "v16"] {
        let Ok(entries) = std::fs::read_dir(root.join(version)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let name = path.to_string_lossy().to_string();
            if name.ends_with(".html") || name.ends_with(".rsc") {
                pages.push(std::fs::read(&path).expect("fixture"));
            }
        }
    }
    let bytes: u64 = pages.iter().map(|p| p.len() as u64).sum();
    let mut group = c.benchmark_group(format!("page/{}-fixtures", pages.len()));
    group.throughput(Throughput::BytesDecimal(bytes));
    group.bench_function("read", |b| {
        b.iter(|| {
            pages
                .iter()
                .filter_map(|p| next_rsc::document::read(p).ok())
                .map(|d| d.page.len())
                .sum::<usize>()
        })
    });
    group.bench_function("read+extract", |b| {
        b.iter(|| {
            pages
                .iter()
                .filter_map(|p| next_rsc::document::read(p).ok())
                .map(|d| next_rsc::extract::extraction(&d).navigation.len())
                .sum::<usize>()
        })
    });
    group.bench_function("read+extract+html+markdown", |b| {
        b.iter(|| {
            pages
                .iter()
                .filter_map(|p| next_rsc::document::read(p).ok())
                .map(|d| {
                    let x = next_rsc::extract::extraction(&d);
                    let html = next_rsc::render::to_html(&d.page).len();
                    html + x.article.map_or(0, |a| a.to_markdown().len())
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

/// Shapes that were once quadratic or worse (outlined rows, one tag with a great many
/// attributes, millions of small values, deep nesting), whole page pipeline, at two sizes:
/// linear code runs the big one at about the small one's MB/s.
fn shape_benches(c: &mut Criterion) {
    fn outlined_rows(n: usize) -> Vec<u8> {
        let refs: Vec<String> = (1..=n).map(|i| format!("\"${i:x}\"")).collect();
        let mut out = format!("0:[{}]\n", refs.join(",")).into_bytes();
        for i in 1..=n {
            out.extend_from_slice(format!("{i:x}:\"row {i} of text\"\n").as_bytes());
        }
        out
    }
    fn many_attributes(n: usize) -> Vec<u8> {
        let attributes: String = (0..n).map(|i| format!(" data-a{i}=\"x\"")).collect();
        format!(
            "<!DOCTYPE html><html><body><div{attributes}>hi</div><script>\
             (self.__next_f=self.__next_f||[]).push([0]);self.__next_f.push([1,\
             \"0:[\\\"$\\\",\\\"p\\\",null,{{\\\"children\\\":\\\"hi\\\"}}]\\n\"])\
             </script></body></html>"
        )
        .into_bytes()
    }
    fn small_values(n: usize) -> Vec<u8> {
        let mut out = b"0:[".to_vec();
        for _ in 0..n {
            out.extend_from_slice(b"1,");
        }
        out.extend_from_slice(b"0]\n");
        out
    }
    fn deep(n: usize) -> Vec<u8> {
        let mut out = b"0:".to_vec();
        out.extend(std::iter::repeat_n(b'[', n));
        out.extend(std::iter::repeat_n(b']', n));
        out.push(b'\n');
        out
    }
    type Shape = (&'static str, fn(usize) -> Vec<u8>, usize);
    let shapes: [Shape; 4] = [
        ("outlined-rows", outlined_rows, 40_000),
        ("many-attributes", many_attributes, 40_000),
        ("small-values", small_values, 500_000),
        ("deep-nesting", deep, 200_000),
    ];
    for (name, make, n) in shapes {
        let mut group = c.benchmark_group(format!("shape/{name}"));
        group.sample_size(10);
        for scale in [1, 4] {
            let input = make(n * scale);
            group.throughput(Throughput::BytesDecimal(input.len() as u64));
            group.bench_function(format!("x{scale}"), |b| {
                b.iter(|| {
                    let page = next_rsc::Page::parse(&input).expect("a page");
                    let mut tree = std::io::sink();
                    let _ = page.write_tree(true, &mut tree);
                    page.to_html().map_or(0, |h| h.len())
                })
            });
        }
        group.finish();
    }
}

criterion_group!(flight_benches, benches, page_benches, shape_benches);
criterion_main!(flight_benches);
