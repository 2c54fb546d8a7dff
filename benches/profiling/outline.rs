//! Prints the composed page of a payload or page as an indented outline, to see what
//! composition made of it: `cargo run --example outline -- PAGE.html`.

use next_rsc::flight::{self, ResolveOptions};
use next_rsc::input::{Source, detect};
use next_rsc::next::page::{ElementKind, PageNode, compose};
use next_rsc::next::router::app_facts;

fn main() {
    let path = std::env::args().nth(1).expect("usage: outline FILE");
    let bytes = std::fs::read(&path).expect("readable file");
    let flight = match detect(&bytes).expect("a flight payload or an App Router page") {
        Source::Flight => bytes,
        Source::Page(flight, _) => flight.bytes,
        Source::PagesRouter(_) => panic!("a pages-router page has no flight"),
    };
    let rows = flight::split_rows(&flight);
    let tree = flight::resolve(&rows, ResolveOptions::default());
    let facts = app_facts(&tree);
    let page = compose(&tree, facts.router_tree.as_ref());
    for &root in page.roots() {
        print_node(&page, root, 0);
        for (i, depth) in page.descendants(root) {
            print_node(&page, i, depth);
        }
    }
    for missing in &page.missing {
        println!("missing: {missing}");
    }
}

fn print_node(page: &next_rsc::next::page::Page, index: u32, depth: usize) {
    let pad = "  ".repeat(depth);
    match page.node(index) {
        PageNode::Text(t) => println!("{pad}{:?}", t.chars().take(60).collect::<String>()),
        PageNode::Pending => println!("{pad}(pending)"),
        PageNode::Error { digest } => println!("{pad}(error {digest:?})"),
        PageNode::Element(el) => {
            let kind = match &el.kind {
                ElementKind::Host(name) => name.clone(),
                ElementKind::Client { module, export } => format!("client {module}#{export}"),
                ElementKind::Symbol(s) => s.clone(),
                ElementKind::Fragment => "fragment".into(),
                ElementKind::Slot { name, segment } => format!("SLOT {name} {segment:?}"),
                ElementKind::Unknown => "unknown".into(),
            };
            let props: Vec<String> = el
                .props
                .iter()
                .map(|(k, v)| {
                    let json = serde_json::to_string(v).unwrap_or_default();
                    format!("{k}={}", json.chars().take(40).collect::<String>())
                })
                .collect();
            println!("{pad}<{kind}> {}", props.join(" "));
        }
    }
}
