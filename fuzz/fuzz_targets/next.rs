//! The Next.js layer on any bytes: `extract` (input detection, HTML pages, the facts) and
//! the composed page never panic, and every holder node a prop names exists.
#![no_main]

use libfuzzer_sys::fuzz_target;
use next_rsc::flight;
use next_rsc::next::page::{PageNode, compose};
use next_rsc::next::router::app_facts;

fuzz_target!(|data: &[u8]| {
    let _ = next_rsc::extract::extract(data);
    let rows = flight::split_rows(data);
    let tree = flight::resolve(&rows, Default::default());
    let facts = app_facts(&tree);
    let page = compose(&tree, facts.router_tree.as_ref());
    for i in 0..page.len() as u32 {
        if let PageNode::Element(el) = page.node(i) {
            for (_, prop) in &el.props {
                for n in prop.nodes() {
                    assert!((n as usize) < page.len());
                }
            }
        }
    }
});
