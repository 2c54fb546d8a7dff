//! Memory stays within a few times the input, whatever its shape: measured as the peak
//! resident size of this test's own process (Linux), which runs nothing else. A flight of
//! millions of small values once needed ~155 bytes per input byte.

#![cfg(target_os = "linux")]

mod common;

use common::memory::{Count, assert_within, peak_added_by};

#[test]
fn millions_of_small_values_need_a_few_bytes_each() {
    let mut flight = b"0:[".to_vec();
    for shape in ["1", "true", "null", "[]", "{}", "7"]
        .iter()
        .cycle()
        .take(3_000_000)
    {
        flight.extend_from_slice(shape.as_bytes());
        flight.push(b',');
    }
    flight.extend_from_slice(b"0]\n");
    let input = flight.len();
    let Some(added) = peak_added_by(|| {
        let page = next_rsc::Page::parse(&flight).expect("a flight");
        assert!(page.diagnostics().is_empty(), "{:?}", page.diagnostics());
        let mut written = Count(0);
        page.write_tree(true, &mut written).unwrap();
        assert!(written.0 > input / 2);
        std::hint::black_box(page.to_html().ok());
    }) else {
        eprintln!("no /proc/self/clear_refs here: not measured");
        return;
    };
    // The input itself is already resident: within 4x the input all told.
    assert_within("small values", input, added, 3);
}
