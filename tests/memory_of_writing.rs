//! The canonical writer's helper thread holds little of the output: it writes subtrees in
//! turns with the walk and waits while 4 MiB it wrote are not taken. (It once held the
//! whole second half of the output until the walk got there.) A binary of its own, so that
//! it is measured alone (see `tests/common/memory.rs`).

#![cfg(target_os = "linux")]

mod common;

use common::memory::{Count, peak_added_by};

#[test]
fn the_helper_thread_holds_a_bounded_part_of_the_output() {
    // 300 rows of 128 KiB of text under one root: a payload the helper takes part in.
    let rows = 300;
    let text = "x".repeat(128 << 10);
    let mut flight = b"0:[".to_vec();
    for id in 1..=rows {
        if id > 1 {
            flight.push(b',');
        }
        flight.extend_from_slice(format!("\"$L{id:x}\"").as_bytes());
    }
    flight.extend_from_slice(b"]\n");
    for id in 1..=rows {
        flight.extend_from_slice(format!("{id:x}:{{\"text\":\"{text}\"}}\n").as_bytes());
    }
    let input = flight.len();
    let output = std::cell::Cell::new(0);
    let Some(added) = peak_added_by(|| {
        let rows = next_rsc::flight::split_rows(&flight);
        let tree = next_rsc::flight::resolve(&rows, Default::default());
        let mut written = Count(0);
        next_rsc::flight::write_canonical(&tree, Default::default(), &mut written).unwrap();
        output.set(written.0);
    }) else {
        eprintln!("no /proc/self/clear_refs here: not measured");
        return;
    };
    assert!(
        output.get() > input * 9 / 10,
        "the whole tree was written: {}",
        output.get()
    );
    eprintln!(
        "{input} bytes in 128 KiB rows: peak {:.1} MB on top of the input",
        added as f64 / 1e6
    );
    // The budget, a subtree being written, the walk's buffer and the (small) tree.
    assert!(
        added <= 8 << 20,
        "{added} bytes held for an input of {input}"
    );
}
