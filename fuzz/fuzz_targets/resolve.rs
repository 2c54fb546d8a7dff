//! Resolution and both writers on any bytes: no panic, no hang, output that is JSON,
//! diagnostics that point inside the input, and the same bytes whether one thread writes
//! the tree or two do.
#![no_main]

use libfuzzer_sys::fuzz_target;
use next_rsc::flight::{self, Arena, ResolveOptions, WriteOptions};

fuzz_target!(|data: &[u8]| {
    let rows = flight::split_rows(data);
    for parity in [false, true] {
        let options = ResolveOptions {
            react_parity: parity,
            ..Default::default()
        };
        let tree = flight::resolve(&rows, options);
        let mut out = Vec::new();
        let options = WriteOptions {
            detailed: !parity,
            max_output: Some(16 << 20),
            ..Default::default()
        };
        match flight::write_canonical(&tree, options, &mut out) {
            Ok(()) => {}
            // Exponential sharing stopped by the limit: not a failure, and not whole JSON.
            Err(e) if e.to_string() == flight::canonical::OUTPUT_LIMIT => continue,
            Err(e) => panic!("writing to a Vec failed: {e}"),
        }
        let mut arena = Arena::default();
        assert!(
            flight::value::parse_plain(&mut arena, &out).is_ok(),
            "output is not JSON"
        );
        for d in &tree.diagnostics {
            assert!(d.offset <= data.len());
        }
        // Two threads (forced even on small trees) write exactly what one does.
        let mut two = Vec::new();
        let forced = WriteOptions {
            ahead_from: Some(0),
            ..options
        };
        flight::write_canonical(&tree, forced, &mut two).expect("same bound, same output");
        assert!(two == out, "the two-thread writer differs");
    }
});
