//! Reads a flight stream from standard input chunk by chunk, as it arrives, and prints
//! each row as soon as it is complete: `curl -sN -H 'RSC: 1' URL | cargo run --example
//! stream_rows`.

use std::io::Read;

use next_rsc::flight::{Decoder, Row};

fn print(row: Row<'_>) {
    println!(
        "row {:>4} {:<3} at byte {:>8}, {} bytes",
        row.id_str(),
        row.tag.wire(),
        row.offset,
        row.payload.len()
    );
}

fn main() -> std::io::Result<()> {
    let mut decoder = Decoder::new();
    let mut stdin = std::io::stdin().lock();
    let mut chunk = vec![0; 64 * 1024];
    loop {
        let n = stdin.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        decoder.feed(&chunk[..n], print);
    }
    decoder.finish(print);
    // Framing problems (a damaged row, a cut stream), with their byte offsets.
    for d in decoder.diagnostics() {
        eprintln!("{d}");
    }
    Ok(())
}
