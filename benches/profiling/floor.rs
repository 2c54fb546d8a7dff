//! The floor under `tree --canonical`: how long a whole process takes to do *less* than
//! next-rsc does with a flight, for comparison with React's decode of the same bytes
//! (`benches/compare.sh`). Modes:
//!
//! - `frame`: map the file and split it into rows (what `next-rsc rows` must do first);
//! - `text`: that, and check every `T` row is UTF-8;
//! - `validate`: that, and check every JSON row is JSON (serde's `IgnoredAny`: no value is
//!   built, nothing is resolved, nothing is written).
//!
//! `cargo build --profile profiling --example floor`, then time
//! `target/profiling/examples/floor MODE FILE` as a whole process.

use next_rsc::flight::{RowTag, split_rows};
use serde::de::IgnoredAny;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(mode), Some(path)) = (args.next(), args.next()) else {
        eprintln!("usage: floor frame|text|validate FILE");
        std::process::exit(2);
    };
    let file = std::fs::File::open(&path).expect("readable file");
    // SAFETY: a probe run on a file nothing else writes while it runs.
    let map = unsafe { memmap2::Mmap::map(&file) }.expect("mappable file");
    let rows = split_rows(&map);
    let (mut checked, mut failed) = (0usize, 0usize);
    for row in &rows.rows {
        let ok = match (mode.as_str(), row.tag) {
            ("text" | "validate", RowTag::Text) => simdutf8::basic::from_utf8(row.payload).is_ok(),
            ("validate", RowTag::Model | RowTag::Import | RowTag::Error | RowTag::Hint(_)) => {
                serde_json::from_slice::<IgnoredAny>(row.payload).is_ok()
            }
            _ => continue,
        };
        checked += 1;
        failed += usize::from(!ok);
    }
    eprintln!(
        "{} rows, {checked} checked, {failed} failed",
        rows.rows.len()
    );
}
