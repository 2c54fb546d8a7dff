//! One test per malformed (and feature) case of the oracle, and per edge case: what
//! next-rsc does, and how that compares with React's own client.
//!
//! `--canonical` (React parity) output is compared with React 19.3 (`.r19.json`) or
//! React 18.3 (`.r18.json`), whichever line the payload's dialect detection picks, with
//! error messages left out. Where next-rsc deliberately differs — React loses rows that
//! are still readable — the test says so and checks what we keep instead.

mod common;

use next_rsc::DiagnosticKind;
use next_rsc::flight::{self, ResolveOptions, Status, Tree, WriteOptions};
use serde_json::Value as Json;

fn case_bytes(name: &str) -> Vec<u8> {
    std::fs::read(common::fixtures().join(format!("oracle-cases/{name}.txt"))).expect("case file")
}

fn react(name: &str, line: &str) -> Json {
    let path = common::fixtures().join(format!("oracle-cases/expected/{name}.{line}.json"));
    strip_messages(serde_json::from_slice(&std::fs::read(path).expect("oracle output")).unwrap())
}

fn strip_messages(v: Json) -> Json {
    match v {
        Json::Object(map) => Json::Object(
            map.into_iter()
                .filter(|(k, _)| k != "message")
                .map(|(k, v)| (k, strip_messages(v)))
                .collect(),
        ),
        Json::Array(items) => Json::Array(items.into_iter().map(strip_messages).collect()),
        other => other,
    }
}

fn ours(bytes: &[u8]) -> Json {
    serde_json::from_str(&common::canonical(bytes)).expect("our output is JSON")
}

fn lenient(bytes: &[u8]) -> (Json, Vec<DiagnosticKind>) {
    let rows = flight::split_rows(bytes);
    let tree = flight::resolve(&rows, ResolveOptions::default());
    let mut out = Vec::new();
    flight::write_canonical(&tree, WriteOptions::default(), &mut out).expect("writing to a Vec");
    let kinds = tree.diagnostics.iter().map(|d| d.kind).collect();
    (serde_json::from_slice(&out).unwrap(), kinds)
}

fn tree_of(bytes: &[u8]) -> Tree<'_> {
    flight::resolve(&flight::split_rows(bytes), ResolveOptions::default())
}

/// Our React-parity output equals what React (the given line) makes of the case.
fn same_as_react(name: &str, line: &str) {
    assert_eq!(
        ours(&case_bytes(name)),
        react(name, line),
        "{name} vs React {line}"
    );
}

fn root(v: &Json) -> &Json {
    &v["root"]
}

// --- features: the payload's dialect decides which React line we follow ---------------

#[test]
fn f01_basic_client_references_as_react_19() {
    same_as_react("f01_basic", "r19");
}
#[test]
fn f02_scalars() {
    same_as_react("f02_scalars", "r19");
    same_as_react("f02_scalars", "r18");
}
#[test]
fn f03_text_rows_read_before_they_arrive_hang_as_in_react() {
    same_as_react("f03_text", "r19");
    // Without parity the late text row is used, and the problem is reported.
    let (out, kinds) = lenient(&case_bytes("f03_text"));
    assert_eq!(root(&out)["d"], "after the root: 日本語\r\n");
    assert!(kinds.contains(&DiagnosticKind::OutOfOrder));
}
#[test]
fn f04_refs() {
    same_as_react("f04_refs", "r19");
}
#[test]
fn f05_map_set() {
    same_as_react("f05_map_set", "r19");
}
#[test]
fn f06_errors_carry_their_digest() {
    same_as_react("f06_errors", "r19");
}
#[test]
fn f07_hints() {
    same_as_react("f07_hints", "r19");
}
#[test]
fn f08_server_ref_f_is_read_as_a_server_reference_in_every_line() {
    // React 19 reads `$F1` as row 0xF1; the spec asks to accept both letters, since
    // unpatched 15.x – 16.0 servers still write `$F`. So we follow React 18 here.
    same_as_react("f08_server_ref_F", "r18");
}
#[test]
fn f09_server_ref_h() {
    same_as_react("f09_server_ref_h", "r19");
}
#[test]
fn f10_cycles_between_rows_resolve_as_in_react_19() {
    same_as_react("f10_cycle", "r19");
}
#[test]
fn f11_path_references_are_followed() {
    same_as_react("f11_path_ref", "r19");
}
#[test]
fn f12_next14_payload_as_react_18() {
    same_as_react("f12_next14", "r18");
}
#[test]
fn f13_binary_rows_and_streams() {
    same_as_react("f13_r19_binary_streams", "r19");
}

// --- malformed input -----------------------------------------------------------------

#[test]
fn m01_truncated_root_is_rejected_and_reported() {
    same_as_react("m01_truncated_root", "r19");
    let (_, kinds) = lenient(&case_bytes("m01_truncated_root"));
    assert!(kinds.contains(&DiagnosticKind::IncompleteRow));
}
#[test]
fn m02_truncated_lazy_row() {
    same_as_react("m02_truncated_lazy_row", "r19");
}
#[test]
fn m03_last_row_without_newline_is_kept_unless_parity() {
    // React drops it (root "Connection closed."); with parity so do we.
    same_as_react("m03_no_trailing_newline", "r19");
    let (out, kinds) = lenient(&case_bytes("m03_no_trailing_newline"));
    assert_eq!(root(&out), &serde_json::json!({"a": 1}));
    assert_eq!(kinds, [DiagnosticKind::IncompleteRow]);
}
#[test]
fn m04_short_text_length_loses_only_the_damaged_bytes() {
    // React reads " world\n2" as the next row id and loses row 2. We keep the 5 counted
    // bytes, report the line after them, resynchronise at the next line, and row 2
    // resolves. (With no line end after the text, the text is read on to row 2:
    // `a_short_text_length_reads_on_to_the_next_row` in the decoder.)
    let out = ours(&case_bytes("m04_T_len_short"));
    assert_eq!(root(&out), &serde_json::json!({"t": "hello", "u": "two"}));
    assert_ne!(out, react("m04_T_len_short", "r19"));
    let (_, kinds) = lenient(&case_bytes("m04_T_len_short"));
    assert!(kinds.contains(&DiagnosticKind::NotARowHeader));
}
#[test]
fn m05_long_text_length_gives_back_the_rows_it_swallowed() {
    // React's text swallows row 2 and then loses row 3 too; we end the text where the
    // row nearest its declared end starts, walk back row by row, and keep both.
    let out = ours(&case_bytes("m05_T_len_long"));
    assert_eq!(
        root(&out),
        &serde_json::json!({"t": "hello", "u": "two", "v": "three"})
    );
    let (_, kinds) = lenient(&case_bytes("m05_T_len_long"));
    assert_eq!(kinds, [DiagnosticKind::WrongTextLength]);
}
#[test]
fn m06_non_hex_text_length_rejects_that_row_only() {
    same_as_react("m06_T_len_nonhex", "r19");
    let (_, kinds) = lenient(&case_bytes("m06_T_len_nonhex"));
    assert!(kinds.contains(&DiagnosticKind::MalformedText));
}
#[test]
fn m06b_text_row_after_its_reader_hangs_as_in_react() {
    same_as_react("m06b_T_forward_ref", "r19");
}
#[test]
fn m07_text_row_cut_short() {
    same_as_react("m07_T_truncated", "r19");
    let (_, kinds) = lenient(&case_bytes("m07_T_truncated"));
    assert!(kinds.contains(&DiagnosticKind::IncompleteRow));
}
#[test]
fn m08_missing_lazy_row_is_an_error_there_only() {
    same_as_react("m08_missing_row_lazy", "r19");
    let (_, kinds) = lenient(&case_bytes("m08_missing_row_lazy"));
    assert!(kinds.contains(&DiagnosticKind::MissingRow));
}
#[test]
fn m09_missing_row_read_eagerly_rejects_its_reader() {
    same_as_react("m09_missing_row_direct", "r19");
}
#[test]
fn m10_missing_root() {
    same_as_react("m10_missing_root", "r19");
    let bytes = case_bytes("m10_missing_root");
    assert_eq!(tree_of(&bytes).root_status(), Status::Rejected(None));
}
#[test]
fn m11_empty_input_has_a_rejected_root() {
    // The CLI exits 2 on it (nothing usable); the library says what React says.
    same_as_react("m11_empty", "r19");
}
#[test]
fn m12_unknown_escape_q() {
    same_as_react("m12_unknown_escape_q", "r19");
    let (_, kinds) = lenient(&case_bytes("m12_unknown_escape_q"));
    assert!(kinds.contains(&DiagnosticKind::UnknownEscape));
}
#[test]
fn m13_error_value_z() {
    same_as_react("m13_unknown_escape_Z", "r19");
}
#[test]
fn m14_hex_like_escapes() {
    same_as_react("m14_unknown_escape_hexlike", "r19");
}
#[test]
fn m15_unknown_upper_case_tag_is_kept_and_read_as_a_model() {
    same_as_react("m15_unknown_tag_upper", "r19");
    let (_, kinds) = lenient(&case_bytes("m15_unknown_tag_upper"));
    assert!(kinds.contains(&DiagnosticKind::UnknownTag));
}
#[test]
fn m16_unknown_lower_case_tag() {
    same_as_react("m16_unknown_tag_lower", "r19");
    let (_, kinds) = lenient(&case_bytes("m16_unknown_tag_lower"));
    assert!(kinds.contains(&DiagnosticKind::InvalidJson));
}
#[test]
fn m17_bad_json_in_a_lazy_row() {
    same_as_react("m17_bad_json_lazy", "r19");
}
#[test]
fn m18_bad_json_in_the_root() {
    same_as_react("m18_bad_json_root", "r19");
}
#[test]
fn m19_bad_row_id_is_skipped_and_reported() {
    same_as_react("m19_bad_row_id", "r19");
    let (_, kinds) = lenient(&case_bytes("m19_bad_row_id"));
    assert!(kinds.contains(&DiagnosticKind::NotARowHeader));
}
#[test]
fn m20_object_form_import_row_is_accepted() {
    // React 18.3 (13.5+) and 19 abort on the 13.2 – 13.4 object form; real 13.4 payloads
    // use it, so we read it as the client reference it is.
    let out = ours(&case_bytes("m20_I_object_form"));
    assert_eq!(
        root(&out)["$el"],
        serde_json::json!({"$client": {"id": "1", "name": ""}})
    );
}
#[test]
fn m21_bad_json_in_an_import_row() {
    same_as_react("m21_I_bad_json", "r19");
    let (_, kinds) = lenient(&case_bytes("m21_I_bad_json"));
    assert!(kinds.contains(&DiagnosticKind::BadImport));
}
#[test]
fn m22_duplicate_row_keeps_the_first() {
    same_as_react("m22_duplicate_row", "r19");
}
#[test]
fn m23_crlf_line_ends() {
    same_as_react("m23_crlf", "r19");
}
#[test]
fn m24_short_element_tuples() {
    same_as_react("m24_element_short", "r19");
}
#[test]
fn m25_bad_date_and_bigint() {
    same_as_react("m25_bad_date_bigint", "r19");
}
#[test]
fn m26_bad_json_in_an_error_row() {
    same_as_react("m26_E_bad_json", "r19");
    let (_, kinds) = lenient(&case_bytes("m26_E_bad_json"));
    assert!(kinds.contains(&DiagnosticKind::BadError));
}
#[test]
fn m27_blank_lines_are_skipped_not_folded_into_ids() {
    // React 13.4+ folds "\n" into the next row id and loses the row; we skip and report.
    let (out, kinds) = lenient(&case_bytes("m27_blank_lines"));
    assert_eq!(root(&out), &serde_json::json!({"a": "one"}));
    assert!(kinds.contains(&DiagnosticKind::BlankLine));
    assert_eq!(ours(&case_bytes("m27_blank_lines")), out);
}
#[test]
fn m28_proto_key_dropped_as_react_19() {
    same_as_react("m28_proto_key", "r19");
}
#[test]
fn m29_long_row_ids_are_read_whole() {
    // React keeps 32 bits of `100000001` (row 1); we read the id whole and report it.
    let out = ours(&case_bytes("m29_row_id_overflow"));
    assert_eq!(root(&out)["a"], "wrapped");
    let (_, kinds) = lenient(&case_bytes("m29_row_id_overflow"));
    assert!(kinds.contains(&DiagnosticKind::UnusualRowId));
}
#[test]
fn m30_upper_case_row_ids_are_hex() {
    // React reads `A:` as row 17; we read hex either case, and report it.
    let out = ours(&case_bytes("m30_row_id_uppercase"));
    assert_eq!(root(&out)["a"], "upper");
    let (_, kinds) = lenient(&case_bytes("m30_row_id_uppercase"));
    assert!(kinds.contains(&DiagnosticKind::UnusualRowId));
}
#[test]
fn m31_references_without_an_id() {
    same_as_react("m31_empty_ref_id", "r19");
}
#[test]
fn m32_invalid_utf8_becomes_replacement_characters() {
    same_as_react("m32_invalid_utf8", "r19");
}
#[test]
fn m33_trailing_garbage_after_json() {
    same_as_react("m33_trailing_garbage_json", "r19");
}
#[test]
fn m34_odd_chunk_list() {
    same_as_react("m34_odd_chunk_list", "r19");
}
#[test]
fn m35_development_row_in_production() {
    // React's production client aborts there; with parity so do we. Without, the rows
    // after it are kept.
    same_as_react("m35_dev_row_in_prod", "r19");
    let (out, _) = lenient(&case_bytes("m35_dev_row_in_prod"));
    assert_eq!(root(&out)["b"], "three");
}
#[test]
fn m36_duplicate_row_then_more() {
    // React 19 aborts at the duplicate; parity does too. Without it, row 2 is kept.
    same_as_react("m36_duplicate_row_then_more", "r19");
    let (out, kinds) = lenient(&case_bytes("m36_duplicate_row_then_more"));
    assert_eq!(root(&out), &serde_json::json!({"a": "first", "b": "two"}));
    assert!(kinds.contains(&DiagnosticKind::DuplicateRow));
}

// --- the shared edge cases (their goldens are checked in goldens.rs) --------------------

fn edge(name: &str) -> Vec<u8> {
    std::fs::read(common::fixtures().join(format!("edge/{name}"))).expect("edge case")
}

#[test]
fn edge01_seed_without_trailing_newline_keeps_its_last_row() {
    let (out, kinds) = lenient(&edge("01_seed_no_trailing_newline.txt"));
    assert!(!out.to_string().contains("$error"), "row 1 (null) is kept");
    assert_eq!(kinds, [DiagnosticKind::IncompleteRow]);
}
#[test]
fn edge02_turbopack_string_module_id() {
    let out = ours(&edge("02_turbopack_I_string_module_id.txt"));
    assert!(out.to_string().contains("\"$client\""));
}
#[test]
fn edge04_anonymous_hint_rows_do_not_touch_the_root() {
    let bytes = edge("04_anonymous_HL_rows.txt");
    let tree = tree_of(&bytes);
    assert!(!tree.hints.is_empty());
    assert_eq!(tree.root_status(), Status::Fulfilled);
}
#[test]
fn edge05_error_row_digest() {
    let out = ours(&edge("05_E_error_row.txt"));
    assert_eq!(
        root(&out),
        &serde_json::json!({"$error": {"digest": "NEXT_NOT_FOUND"}})
    );
}
#[test]
fn edge06_debug_row_is_skipped_without_parity() {
    let (out, _) = lenient(&edge("06_D_debug_row.txt"));
    assert_eq!(root(&out), &Json::Null);
}
#[test]
fn edge11_multibyte_text_then_row_without_separator() {
    let bytes = edge("11_T_multibyte_then_row_no_sep.txt");
    let rows = flight::split_rows(&bytes);
    assert_eq!(rows.rows.len(), 2);
    assert_eq!(
        std::str::from_utf8(rows.rows[0].payload).unwrap(),
        "héllo\n세계\n"
    );
}
#[test]
fn edge14_truncated_last_row_is_reported() {
    let (_, kinds) = lenient(&edge("14_truncated_last_row.txt"));
    assert!(kinds.contains(&DiagnosticKind::IncompleteRow));
}
#[test]
fn edge16_text_row_quoting_next_f_push_stays_raw_flight() {
    let bytes = edge("16_T_row_mentions_next_f_push.txt");
    let rows = flight::split_rows(&bytes);
    assert!(rows.is_flight(&bytes));
    assert_eq!(rows.rows.len(), 3);
}

#[test]
fn deep_nesting_200000_levels_resolves_and_writes() {
    let depth = 200_000;
    let mut payload = b"0:".to_vec();
    payload.extend(std::iter::repeat_n(b'[', depth));
    payload.extend(std::iter::repeat_n(b']', depth));
    payload.push(b'\n');
    let out = common::canonical(&payload);
    assert_eq!(out.len(), "{\"hints\":[],\"root\":}\n".len() + 2 * depth);
}

#[test]
fn a_long_chain_of_rows_does_not_recurse() {
    let n = 100_000u32;
    let mut payload = Vec::new();
    for i in 0..n {
        payload.extend(format!("{i:x}:{{\"next\":\"${:x}\"}}\n", i + 1).as_bytes());
    }
    payload.extend(format!("{n:x}:\"end\"\n").as_bytes());
    let tree = tree_of(&payload);
    assert_eq!(tree.root_status(), Status::Fulfilled);
    let mut out = Vec::new();
    flight::write_canonical(&tree, WriteOptions::default(), &mut out).expect("writing to a Vec");
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.matches("{\"next\":").count(), n as usize);
    assert!(text.contains("\"end\"}"));
}

#[test]
fn reference_cycles_without_containers_do_not_hang() {
    let out = ours(b"0:\"$1\"\n1:\"$0\"\n");
    assert!(out.to_string().contains("$pending") || out.to_string().contains("$error"));
    let out = ours(b"0:\"$L1\"\n1:\"$L0\"\n");
    assert!(out.to_string().contains("$pending") || out.to_string().contains("$error"));
}

#[test]
fn a_huge_declared_length_allocates_nothing() {
    let rows = flight::split_rows(b"1:Tffffffff,abc");
    assert_eq!(rows.rows.len(), 1);
    assert!(!rows.rows[0].complete);
}

#[test]
fn a_server_reference_bound_to_itself_ends() {
    // Found by the resolve fuzz target: row 0's `bound` is a server reference to row 0.
    let out =
        ours(b"1:{\"id\":\"abc123\",\"bound\":null}\n0:{\"action\":\"$h1\",\"bound\":\"$h0\"}\n");
    assert_eq!(
        root(&out)["action"],
        serde_json::json!({"$fn": {"bound": [], "id": "abc123"}})
    );
    assert_eq!(
        root(&out)["bound"]["$fn"]["bound"],
        serde_json::json!({"$cycle": "/bound"})
    );
}

#[test]
fn react18_rejects_a_row_whose_map_comes_after_it() {
    // docs/FLIGHT-FORMAT.md §3.2: 13.4 – 14.x reject row 0; React 19 builds the Map.
    let bytes = b"0:{\"m\":\"$Q1\"}\n1:[[\"a\",1]]\n";
    let options = |dialect| ResolveOptions {
        dialect: Some(dialect),
        react_parity: true,
        ..Default::default()
    };
    let rows = flight::split_rows(bytes);
    let old = flight::resolve(&rows, options(flight::Dialect::React18));
    assert_eq!(old.root_status(), Status::Rejected(None));
    assert!(
        old.diagnostics
            .iter()
            .any(|d| d.kind == DiagnosticKind::OutOfOrder)
    );
    let new = flight::resolve(&rows, options(flight::Dialect::React19));
    assert_eq!(new.root_status(), Status::Fulfilled);
}

#[test]
fn a_path_reference_into_itself_ends() {
    // Found by the resolve fuzz target: `"$3:5"` is item 5 of row 3 itself, so following
    // the path meant following it again, without end.
    let bytes =
        std::fs::read(common::fixtures().join("fuzz/path-reference-into-itself.txt")).unwrap();
    let (_, kinds) = lenient(&bytes);
    assert!(kinds.contains(&DiagnosticKind::MissingRow));
    let out = ours(b"0:{\"x\":[\"a\",\"$0:x:1:0\"]}\n");
    assert!(root(&out).get("$error").is_some() || root(&out).get("$pending").is_some());
}

#[test]
fn the_largest_row_id_is_a_row_id_like_any_other() {
    // 16 hex digits of f: once the "no id" sentinel, so the reference read as a row that
    // never comes.
    let bytes = b"ffffffffffffffff:\"last\"\n0:[\"$ffffffffffffffff\"]\n";
    assert_eq!(ours(bytes)["root"], serde_json::json!(["last"]));
    let tree = tree_of(bytes);
    assert!(!tree.diagnostics.iter().any(|d| matches!(
        d.kind,
        DiagnosticKind::MissingRow | DiagnosticKind::UnknownEscape
    )));
}

#[test]
fn random_bytes_give_a_thousand_problems_and_say_how_many_more() {
    // Random bytes behind `0:`: a problem every few hundred bytes.
    let mut state = 1u64;
    let mut bytes = b"0:".to_vec();
    for _ in 0..2_000_000 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        bytes.push((state >> 33) as u8);
    }
    let rows = flight::split_rows(&bytes);
    assert!(rows.diagnostics.len() > next_rsc::error::MAX_DIAGNOSTICS);
    let diagnostics = next_rsc::error::capped(rows.diagnostics.clone());
    assert_eq!(diagnostics.len(), next_rsc::error::MAX_DIAGNOSTICS + 1);
    let last = diagnostics.last().unwrap();
    assert_eq!(last.kind, DiagnosticKind::TooManyProblems);
    let left_out = rows.diagnostics.len() - next_rsc::error::MAX_DIAGNOSTICS;
    assert!(
        last.message
            .starts_with(&format!("{left_out} more problems"))
    );
    // Capping what is capped changes nothing.
    assert_eq!(next_rsc::error::capped(diagnostics.clone()), diagnostics);
}

#[test]
fn bytes_that_are_not_utf8_are_said_with_their_row_and_offset() {
    let bytes = b"1:T4,a\xffbc0:[\"$1\",\"x\xfey\"]\n";
    let tree = tree_of(bytes);
    let said: Vec<_> = tree
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("not UTF-8"))
        .map(|d| (d.row.clone(), d.offset))
        .collect();
    assert_eq!(
        said,
        [(Some("1".to_string()), 6), (Some("0".to_string()), 19)]
    );
    // The value holds U+FFFD where the bytes were, as React's decoder makes of them.
    assert_eq!(
        ours(bytes)["root"],
        serde_json::json!(["a\u{fffd}bc", "x\u{fffd}y"])
    );
}
