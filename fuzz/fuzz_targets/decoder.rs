//! The streaming decoder, fed the input in chunks whose sizes come from the input
//! itself, must give exactly the rows and diagnostics of the whole-input decoder — and
//! neither may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use next_rsc::flight::{Decoder, Row, RowTag, split_rows};

fn framed(r: &Row<'_>) -> (Vec<u8>, RowTag, Vec<u8>, usize, usize, bool) {
    (
        r.id.to_vec(),
        r.tag,
        r.payload.to_vec(),
        r.offset,
        r.length,
        r.complete,
    )
}

fuzz_target!(|data: &[u8]| {
    // The first bytes choose the chunk sizes; the rest is the payload.
    let (sizes, payload) = data.split_at(data.len().min(8));
    let whole = split_rows(payload);
    let expected: Vec<_> = whole.rows.iter().map(framed).collect();

    let mut got = Vec::new();
    let mut decoder = Decoder::new();
    let mut push = |r: Row<'_>| got.push(framed(&r));
    let mut at = 0;
    let mut turn = 0;
    while at < payload.len() {
        let size = 1 + *sizes.get(turn % sizes.len().max(1)).unwrap_or(&7) as usize;
        let end = (at + size).min(payload.len());
        decoder.feed(&payload[at..end], &mut push);
        at = end;
        turn += 1;
    }
    decoder.finish(&mut push);
    assert_eq!(got, expected, "chunked rows differ from whole-input rows");
    assert_eq!(decoder.diagnostics(), &whole.diagnostics[..]);
});
