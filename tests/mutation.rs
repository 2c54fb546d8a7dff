//! Seeded mutation test: thousands of damaged fixtures (bytes flipped, inserted, deleted,
//! cut, slices duplicated) go through framing, resolution and both writers without a panic,
//! and every diagnostic points inside the input.

mod common;

use common::Rng;
use next_rsc::flight::{self, ResolveOptions, WriteOptions};

const INTERESTING: &[u8] = b":\n\r,\"$[]{}TIHELDWX@0123456789abcdef\\";

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if !out.is_empty() => {
                let at = at.min(out.len() - 1);
                out[at] ^= 1 << rng.below(8);
            }
            1 => out.insert(at, INTERESTING[rng.below(INTERESTING.len())]),
            2 if at < out.len() => {
                out.remove(at);
            }
            3 => out.truncate(at),
            4 if !out.is_empty() => {
                let len = rng.below(64).min(out.len() - at.min(out.len()));
                let slice = out[at.min(out.len())..at.min(out.len()) + len].to_vec();
                let to = rng.below(out.len() + 1);
                out.splice(to..to, slice);
            }
            _ => {
                let at = at.min(out.len());
                out.splice(at..at, b"\xff\xfe\xc3".iter().copied());
            }
        }
    }
    out
}

#[test]
fn thousands_of_mutated_fixtures_never_panic() {
    let inputs: Vec<Vec<u8>> = common::flight_inputs()
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .filter(|b| b.len() < 40_000)
        .collect();
    let mut rng = Rng(0x00c0_ffee);
    let mut runs = 0;
    while runs < 4000 {
        let input = &inputs[rng.below(inputs.len())];
        let damaged = mutate(&mut rng, input);
        for parity in [false, true] {
            let rows = flight::split_rows(&damaged);
            let tree = flight::resolve(
                &rows,
                ResolveOptions {
                    react_parity: parity,
                    ..Default::default()
                },
            );
            // The Next.js layer reads whatever resolved, whatever the damage.
            let facts = next_rsc::next::router::app_facts(&tree);
            let page = next_rsc::next::page::compose(&tree, facts.router_tree.as_ref());
            assert!(page.roots().iter().all(|&r| (r as usize) < page.len()));
            let mut out = Vec::new();
            let options = WriteOptions {
                detailed: !parity,
                max_output: Some(16 << 20),
                ..Default::default()
            };
            match flight::write_canonical(&tree, options, &mut out) {
                Ok(()) => {}
                // Exponential sharing stopped by the limit: not a failure, and not whole JSON.
                Err(e) if flight::canonical::OutputLimit::is_in(&e) => continue,
                Err(e) => panic!("writing to a Vec failed: {e}"),
            }
            // serde_json stops at 128 levels; our own parser reads any depth.
            let mut arena = next_rsc::flight::Arena::default();
            assert!(
                next_rsc::flight::value::parse_plain(&mut arena, &out).is_ok(),
                "output is not JSON (parity {parity})"
            );
            for d in &tree.diagnostics {
                assert!(
                    d.offset <= damaged.len(),
                    "diagnostic offset {} past the input",
                    d.offset
                );
            }
            // Two threads (forced even on small trees) write exactly what one does.
            let mut two = Vec::new();
            let forced = WriteOptions {
                ahead_from: Some(0),
                ..options
            };
            flight::write_canonical(&tree, forced, &mut two).expect("same bound, same output");
            assert!(
                two == out,
                "the two-thread writer differs on a damaged input"
            );
        }
        runs += 1;
    }
}
