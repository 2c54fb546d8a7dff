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

/// Bytes that matter to an HTML page's flight scripts.
const HTML_INTERESTING: &[&[u8]] = &[
    b"<",
    b">",
    b"\"",
    b"\\",
    b"</script>",
    b"<script>",
    b"self.__next_f.push([1,\"",
    b"\\u003c",
    b"\\n",
    b"<!--",
    b"<template>",
    b"\xff",
    b"\0",
];

/// Damages an HTML page where its flight lives: inside and around its scripts.
fn mutate_html(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    let scripts: Vec<usize> = memchr::memmem::find_iter(input, b"__next_f").collect();
    for _ in 0..1 + rng.below(3) {
        // Near a push script half of the time, anywhere otherwise.
        let at = match (rng.below(2), scripts.is_empty()) {
            (0, false) => (scripts[rng.below(scripts.len())] + rng.below(400)).min(out.len()),
            _ => rng.below(out.len() + 1),
        };
        match rng.below(4) {
            0 if at < out.len() => {
                out.remove(at);
            }
            1 => out.truncate(at),
            2 if !out.is_empty() => {
                let at = at.min(out.len() - 1);
                out[at] ^= 1 << rng.below(8);
            }
            _ => {
                let piece = HTML_INTERESTING[rng.below(HTML_INTERESTING.len())];
                out.splice(at..at, piece.iter().copied());
            }
        }
    }
    out
}

#[test]
fn damaged_html_pages_go_through_the_front_door_without_a_panic() {
    let mut pages: Vec<Vec<u8>> = [
        "nextjs/v13/post-hello.html",
        "nextjs/v14/post-hello.html",
        "nextjs/v15/post-hello.html",
        "nextjs/v16/post-hello.html",
        "nextjs/v16/special.html",
        "sites/trusted-server__real-nextjs-blog.html",
        "sites/njsparser__club.fans.html",
        "sites/trusted-server__inlined-data-escaped.html",
    ]
    .iter()
    .map(|p| std::fs::read(common::fixtures().join(p)).unwrap())
    .collect();
    pages.retain(|p| p.len() < 200_000);
    let mut rng = Rng(0x5eed_f0ba_5e11);
    for _ in 0..300 {
        let which = rng.below(pages.len());
        let damaged = mutate_html(&mut rng, &pages[which]);
        let Ok(page) = next_rsc::Page::parse(&damaged) else {
            continue; // no page left: an error, not a panic
        };
        for d in page.diagnostics() {
            assert!(
                d.offset <= damaged.len(),
                "offset {} past the input",
                d.offset
            );
        }
        let _ = serde_json::to_string(&page).expect("the extraction serialises");
        let _ = page.to_markdown();
        let mut tree = Vec::new();
        let _ = page.write_tree(true, &mut tree);
        for safe in [false, true] {
            if let Ok(html) = page.to_html_with(next_rsc::HtmlSettings {
                safe,
                ..Default::default()
            }) {
                assert!(html.starts_with("<!DOCTYPE html>"));
                if safe {
                    assert!(!html.to_ascii_lowercase().contains("<script"));
                }
            }
        }
    }
}
