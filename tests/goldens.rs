//! Every golden made with React's own client passes, byte for byte.

mod common;

#[test]
fn every_golden_is_reproduced_byte_for_byte() {
    let pairs = common::golden_pairs();
    assert!(
        pairs.len() >= 250,
        "expected the whole golden set, found {}",
        pairs.len()
    );
    let mut failures = Vec::new();
    for (input, golden) in &pairs {
        let bytes = std::fs::read(input).expect("input");
        let want = std::fs::read_to_string(golden).expect("golden");
        let got = common::canonical(&bytes);
        if got != want {
            let at = got
                .bytes()
                .zip(want.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            let from = at.saturating_sub(80);
            failures.push(format!(
                "{}: first difference at byte {at}\n  ours: {}\n  want: {}",
                golden.display(),
                got.get(from..(at + 80).min(got.len())).unwrap_or(""),
                want.get(from..(at + 80).min(want.len())).unwrap_or(""),
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} goldens differ:\n{}",
        failures.len(),
        pairs.len(),
        failures.join("\n")
    );
}

#[test]
fn the_seed_resolves_its_korean_text_row_and_client_modules() {
    let seed = common::fixtures().join("seed/000_7b5ef04b44413318.txt");
    let out = common::canonical(&std::fs::read(seed).unwrap());
    // The T row (0xe69 bytes of Korean HTML) lands in dangerouslySetInnerHTML.
    assert!(out.contains("\"dangerouslySetInnerHTML\":{\"__html\":\""));
    assert!(out.contains("{\"$client\":{\"id\":9157,\"name\":\"default\"}}"));
    assert!(!out.contains("$L"), "no lazy reference is left unresolved");
}

#[test]
fn every_reference_to_a_failed_row_is_an_error_however_many_follow_each_other() {
    // Five lazy references in a row to an `E` row, in a payload of two rows: the writer
    // once counted them as one chain of references going round (more hops than rows)
    // and wrote the fourth as pending. React 19 (the oracle's `decode.mjs --react r19
    // --no-messages --hints`) rejects all five.
    let payload = b"0:[\"$L1\",\"$L1\",\"$L1\",\"$L1\",\"$L1\"]\n1:E{\"digest\":\"x\"}\n";
    let error = r#"{"$error":{"digest":"x"}}"#;
    assert_eq!(
        common::canonical(payload),
        format!("{{\"hints\":[],\"root\":[{}]}}\n", [error; 5].join(","))
    );
}

#[test]
fn writing_subtrees_ahead_on_another_thread_changes_nothing() {
    use next_rsc::flight::{self, ResolveOptions, WriteOptions};
    // Big trees are written by two threads; force that on every golden (and on the
    // seed's own tree) and compare with the one-thread writer.
    for (input, golden) in common::golden_pairs() {
        let bytes = std::fs::read(&input).unwrap();
        let rows = flight::split_rows(&bytes);
        let options = ResolveOptions {
            react_parity: true,
            ..Default::default()
        };
        let tree = flight::resolve(&rows, options);
        let mut two = Vec::new();
        let forced = WriteOptions {
            ahead_from: Some(0),
            ..Default::default()
        };
        flight::write_canonical(&tree, forced, &mut two).unwrap();
        let want = std::fs::read(&golden).unwrap();
        assert!(
            two == want,
            "{} differs when written by two threads",
            golden.display()
        );
    }
}
