//! A resolved tree of many small elements stays within a few times the input (see
//! `tests/memory.rs`; a binary of its own, so that it is measured alone).

#![cfg(target_os = "linux")]

mod common;

use common::memory::{Count, assert_within, peak_added_by};

#[test]
fn a_tree_of_many_small_elements_needs_a_few_bytes_each() {
    // A code block highlighted span by span: 200,000 elements of 35 bytes.
    let span = br#"["$","span",null,{"children":"a"}]"#;
    let mut flight = br#"0:["$","pre",null,{"children":["#.to_vec();
    for i in 0..200_000 {
        if i > 0 {
            flight.push(b',');
        }
        flight.extend_from_slice(span);
    }
    flight.extend_from_slice(b"]}]\n");
    let input = flight.len();
    let Some(added) = peak_added_by(|| {
        let rows = next_rsc::flight::split_rows(&flight);
        let tree = next_rsc::flight::resolve(&rows, Default::default());
        let mut written = Count(0);
        next_rsc::flight::write_canonical(&tree, Default::default(), &mut written).unwrap();
        assert!(written.0 > input);
    }) else {
        eprintln!("no /proc/self/clear_refs here: not measured");
        return;
    };
    // Each element is five values and a tuple: 16-byte nodes for four of them (the
    // marker and the tag name are stored once), 16 bytes of tuple, an entry, an item.
    assert_within("small elements", input, added, 3);
}
