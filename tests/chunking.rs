//! Property: feeding any fixture to the streaming decoder in chunks split anywhere —
//! inside a UTF-8 character, inside a `T` length, between `\r` and `\n` — gives the same
//! rows and the same diagnostics as decoding it whole.

mod common;

use common::Rng;
use next_rsc::flight::{self, Decoder, RowTag};

type Framed = (Vec<u8>, RowTag, Vec<u8>, usize, usize, bool);

fn framed(r: &flight::Row<'_>) -> Framed {
    (
        r.id.to_vec(),
        r.tag,
        r.payload.to_vec(),
        r.offset,
        r.length,
        r.complete,
    )
}

fn whole(input: &[u8]) -> (Vec<Framed>, Vec<String>) {
    let rows = flight::split_rows(input);
    let diagnostics = rows.diagnostics.iter().map(|d| d.to_string()).collect();
    (rows.rows.iter().map(framed).collect(), diagnostics)
}

fn chunked(input: &[u8], cuts: &[usize]) -> (Vec<Framed>, Vec<String>) {
    let mut rows = Vec::new();
    let mut decoder = Decoder::new();
    let mut push = |r: flight::Row<'_>| rows.push(framed(&r));
    let mut at = 0;
    for &cut in cuts {
        decoder.feed(&input[at..cut], &mut push);
        at = cut;
    }
    decoder.feed(&input[at..], &mut push);
    decoder.finish(&mut push);
    let diagnostics = decoder
        .diagnostics()
        .iter()
        .map(|d| d.to_string())
        .collect();
    (rows, diagnostics)
}

/// Positions where a split is most likely to go wrong.
fn tricky_positions(input: &[u8]) -> Vec<usize> {
    let mut at = Vec::new();
    for row in flight::split_rows(input).rows {
        // Every byte of the header (id, colon, tag, length, comma) and just after it.
        let header = row.length.saturating_sub(row.payload.len()).min(24);
        at.extend(row.offset..=row.offset + header + 1);
    }
    for (i, w) in input.windows(2).enumerate() {
        let inside_utf8 = w[1] & 0xc0 == 0x80;
        if inside_utf8 || w == b"\r\n" {
            at.push(i + 1);
        }
    }
    at.retain(|&p| p <= input.len());
    at.sort_unstable();
    at.dedup();
    at
}

#[test]
fn every_split_of_every_fixture_gives_the_same_rows() {
    let inputs = common::flight_inputs();
    assert!(inputs.len() > 250);
    let mut rng = Rng(0x5eed);
    for path in inputs {
        let input = std::fs::read(&path).unwrap();
        let expected = whole(&input);
        let mut positions = tricky_positions(&input);
        // Bound the work on big files: a deterministic sample of the tricky positions.
        while positions.len() > 120 {
            positions.swap_remove(rng.below(positions.len()));
        }
        for &cut in &positions {
            assert_eq!(
                chunked(&input, &[cut]),
                expected,
                "{} split at {cut}",
                path.display()
            );
        }
        // Random chunkings, from one byte at a time to network-sized pieces.
        for max in [1usize, 3, 17, 700, 65536] {
            if max == 1 && input.len() > 20_000 {
                continue;
            }
            let mut cuts = Vec::new();
            let mut at = 0;
            while at < input.len() {
                at += 1 + rng.below(max);
                cuts.push(at.min(input.len()));
            }
            assert_eq!(
                chunked(&input, &cuts),
                expected,
                "{} chunks of up to {max}",
                path.display()
            );
        }
    }
}

#[test]
fn a_small_payload_split_at_every_pair_of_positions() {
    let input =
        "0:[\"$L1\",\"$2\"]\r\n1:T6,日本:HL[\"/a.css\",\"style\"]\n\n2:\"é\"\n3:{}".as_bytes();
    let expected = whole(input);
    for a in 0..=input.len() {
        for b in a..=input.len() {
            assert_eq!(chunked(input, &[a, b]), expected, "cuts {a}, {b}");
        }
    }
}
