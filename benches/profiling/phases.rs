//! Time each phase of `tree --canonical` on one file, for profiling:
//! `cargo run --profile profiling --example phases -- FILE [RUNS]` (phases are averaged over RUNS).

use std::time::{Duration, Instant};

use next_rsc::flight::{self, ResolveOptions, WriteOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: phases FILE [RUNS]");
    let runs: u32 = args.next().and_then(|r| r.parse().ok()).unwrap_or(1);
    let started = Instant::now();
    let input = std::fs::read(&path).expect("readable file");
    let read = started.elapsed();
    let (mut split, mut resolve, mut write) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut written = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let rows = flight::split_rows(&input);
        split += t.elapsed();
        let t = Instant::now();
        let options = ResolveOptions {
            react_parity: true,
            ..Default::default()
        };
        let tree = flight::resolve(&rows, options);
        resolve += t.elapsed();
        let t = Instant::now();
        let mut counter = Counter(0);
        flight::write_canonical(&tree, WriteOptions::default(), &mut counter).expect("sink");
        write += t.elapsed();
        written = counter.0;
    }
    let mb = input.len() as f64 / 1e6;
    let rate = |d: Duration| mb / (d.as_secs_f64() / runs as f64);
    println!(
        "{mb:.2} MB: read {read:?}; split {:?} ({:.0} MB/s); resolve {:?} ({:.0} MB/s); write {:?} ({:.0} MB/s, {written} bytes out)",
        split / runs,
        rate(split),
        resolve / runs,
        rate(resolve),
        write / runs,
        rate(write)
    );
}

/// A sink that only counts bytes.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
