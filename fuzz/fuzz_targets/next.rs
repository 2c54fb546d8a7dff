//! The Next.js layer and the renderers on any bytes: reading a document (input detection,
//! the facts, the composed page), extracting (metadata, article, navigation) and writing
//! HTML and Markdown never panic or hang, and every node a prop names exists.
#![no_main]

use libfuzzer_sys::fuzz_target;
use next_rsc::next::page::PageNode;

fuzz_target!(|data: &[u8]| {
    let Ok(document) = next_rsc::document::read(data) else {
        return;
    };
    let page = &document.page;
    for i in 0..page.len() as u32 {
        if let PageNode::Element(el) = page.node(i) {
            for (_, prop) in &el.props {
                for n in prop.nodes() {
                    assert!((n as usize) < page.len());
                }
            }
        }
    }
    let extraction = next_rsc::extract::extraction(&document);
    let _ = next_rsc::render::to_html(page);
    if let Some(article) = &extraction.article {
        let _ = next_rsc::render::to_markdown(article);
    }
});
