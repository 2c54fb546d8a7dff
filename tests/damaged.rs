//! Damaged payloads keep every row that can be recovered: real fixtures, each damaged in one
//! place the ways payloads get damaged in the wild (a byte-order mark, a text row's length
//! too short, too long or not hex, line ends converted, a row cut, a stray or blank line,
//! bytes that are not UTF-8, a repeated row, a stream cut short). Every row the damage did
//! not touch comes out of framing exactly as in the sound payload, and a diagnostic names
//! the damaged row or the byte where the damage is.

mod common;

use next_rsc::flight::{self, RowTag};

/// Sound payloads with text rows, from Next 13.4 to 16.
const FIXTURES: [&str; 5] = [
    "nextjs/v14/post-hello.rsc",
    "nextjs/v15/post-hello.rsc",
    "nextjs/v16/post-hello.rsc",
    "nextjs/v16/deep.rsc",
    "nextjs/v13/post-hello.rsc",
];

/// A row as framing gives it: id, tag and payload.
type Framed = (String, String, Vec<u8>);

fn framed(input: &[u8]) -> Vec<Framed> {
    flight::split_rows(input)
        .rows
        .iter()
        .map(|row| {
            (
                String::from_utf8_lossy(row.id).into_owned(),
                row.tag.wire(),
                row.payload.to_vec(),
            )
        })
        .collect()
}

/// One damaged payload, the rows the damage may change or lose (by their index in the
/// sound payload), and where a diagnostic must point: a row id or a byte range.
struct Damage {
    name: String,
    bytes: Vec<u8>,
    touched: Vec<usize>,
    blame: Blame,
}

enum Blame {
    Row(String),
    Bytes(std::ops::Range<usize>),
}

/// Every damage of every kind this test makes, at a few places in one payload.
fn damages(sound: &[u8]) -> Vec<Damage> {
    let rows = flight::split_rows(sound);
    let mut out = Vec::new();
    let id_of = |i: usize| String::from_utf8_lossy(rows.rows[i].id).into_owned();
    let with = |at: std::ops::Range<usize>, new: &[u8]| {
        let mut bytes = sound[..at.start].to_vec();
        bytes.extend_from_slice(new);
        bytes.extend_from_slice(&sound[at.end..]);
        bytes
    };
    out.push(Damage {
        name: "a byte-order mark".into(),
        bytes: with(0..0, "\u{feff}".as_bytes()),
        touched: vec![],
        blame: Blame::Bytes(0..3),
    });
    let texts: Vec<usize> = (0..rows.rows.len())
        .filter(|&i| rows.rows[i].tag == RowTag::Text && i + 1 < rows.rows.len())
        .collect();
    for &i in texts.iter().take(3) {
        let row = &rows.rows[i];
        let header = row.offset + row.id.len() + 2; // after `<id>:T`
        let comma = header + sound[header..].iter().position(|&b| b == b',').unwrap();
        let declared = row.payload.len();
        let mut lengths: Vec<(String, Vec<u8>)> = [1usize, 7, 40]
            .into_iter()
            .filter(|&k| k < declared)
            .map(|k| {
                (
                    format!("short by {k}"),
                    format!("{:x}", declared - k).into_bytes(),
                )
            })
            .collect();
        for k in [1usize, 5, 300] {
            lengths.push((
                format!("long by {k}"),
                format!("{:x}", declared + k).into_bytes(),
            ));
        }
        lengths.push(("not hex".into(), b"zz".to_vec()));
        for (how, digits) in lengths {
            out.push(Damage {
                name: format!("text row {} with a length {how}", id_of(i)),
                bytes: with(header..comma, &digits),
                touched: vec![i],
                blame: Blame::Row(id_of(i)),
            });
        }
    }
    let lines: Vec<usize> = (0..rows.rows.len())
        .filter(|&i| {
            rows.rows[i].tag == RowTag::Model
                && rows.rows[i].payload.len() > 20
                && i + 1 < rows.rows.len()
        })
        .collect();
    for &i in [lines[0], lines[lines.len() / 2], lines[lines.len() - 1]].iter() {
        let row = &rows.rows[i];
        let payload_at = row.offset + row.length - 1 - row.payload.len();
        let middle = payload_at + row.payload.len() / 2;
        out.push(Damage {
            name: format!("row {} cut in the middle of its line", id_of(i)),
            bytes: with(middle..payload_at + row.payload.len(), b""),
            touched: vec![i],
            blame: Blame::Row(id_of(i)),
        });
        let string = row.payload.iter().position(|&b| b == b'"').unwrap() + 1;
        out.push(Damage {
            name: format!("row {} with a byte that is not UTF-8 in a string", id_of(i)),
            bytes: with(payload_at + string..payload_at + string, b"\xff"),
            touched: vec![i],
            blame: Blame::Row(id_of(i)),
        });
        out.push(Damage {
            name: format!("a stray line before row {}", id_of(i)),
            bytes: with(row.offset..row.offset, b"<html>not a row</html>\n"),
            touched: vec![],
            blame: Blame::Bytes(row.offset..row.offset + 23),
        });
        out.push(Damage {
            name: format!("a blank line before row {}", id_of(i)),
            bytes: with(row.offset..row.offset, b"\n"),
            touched: vec![],
            blame: Blame::Bytes(row.offset..row.offset + 1),
        });
        out.push(Damage {
            name: format!("row {} sent twice", id_of(i)),
            bytes: with(
                row.offset + row.length..row.offset + row.length,
                &sound[row.offset..row.offset + row.length],
            ),
            touched: vec![],
            blame: Blame::Row(id_of(i)),
        });
    }
    let last = rows.rows.len() - 1;
    let cut_at = rows.rows[last].offset + rows.rows[last].length / 2;
    out.push(Damage {
        name: "the stream cut inside its last row".into(),
        bytes: sound[..cut_at].to_vec(),
        touched: vec![last],
        blame: Blame::Row(id_of(last)),
    });
    out
}

#[test]
fn damaged_payloads_keep_every_row_the_damage_did_not_touch() {
    let mut kept = 0;
    let mut failures = Vec::new();
    let mut total = 0;
    for fixture in FIXTURES {
        let sound = std::fs::read(common::fixtures().join(fixture)).unwrap();
        let want = framed(&sound);
        for damage in damages(&sound) {
            total += 1;
            let got = framed(&damage.bytes);
            let lost: Vec<&Framed> = want
                .iter()
                .enumerate()
                .filter(|(i, row)| !damage.touched.contains(i) && !got.contains(row))
                .map(|(_, row)| row)
                .collect();
            let diagnostics = flight::split_rows(&damage.bytes).diagnostics;
            let blamed = diagnostics.iter().any(|d| match &damage.blame {
                Blame::Row(id) => d.row.as_deref() == Some(id.as_str()),
                Blame::Bytes(range) => range.contains(&d.offset),
            });
            // A repeated row and a byte that is not UTF-8 are seen by resolution.
            let resolved = {
                let rows = flight::split_rows(&damage.bytes);
                let tree = flight::resolve(&rows, Default::default());
                tree.diagnostics.iter().any(|d| match &damage.blame {
                    Blame::Row(id) => d.row.as_deref() == Some(id.as_str()),
                    Blame::Bytes(range) => range.contains(&d.offset),
                })
            };
            if lost.is_empty() && (blamed || resolved) {
                kept += 1;
            } else {
                failures.push(format!(
                    "{fixture}, {}: {} rows lost (first: {:?}), blamed: {}",
                    damage.name,
                    lost.len(),
                    lost.first().map(|(id, tag, _)| (id, tag)),
                    blamed || resolved
                ));
            }
        }
    }
    eprintln!(
        "damaged payloads that keep every untouched row, with a diagnostic: {kept} / {total}"
    );
    assert!(total >= 100, "{total} damaged payloads");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
