//! Rendering: every fixture route's `RSC: 1` payload written as HTML shows what Next's
//! own server-rendered HTML of the route shows (streamed segments moved in place): 95 %
//! or more of its visible body words in order and the same link targets. Markdown of the
//! articles against goldens.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::dom::{Dom, Node};
use next_rsc::document::read;
use next_rsc::render::html::{HtmlOptions, write_document};

fn read_file(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rendered(path: &Path) -> String {
    let document = read(&read_file(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut html = String::new();
    write_document(&document.page, HtmlOptions::default(), &mut html).unwrap();
    html
}

/// Elements that break words apart (everything else runs its text into its neighbours').
const BREAKS: [&str; 24] = [
    "div",
    "p",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "br",
    "td",
    "th",
    "tr",
    "pre",
    "blockquote",
];

/// The words a reader sees in `<body>`: no scripts, styles, templates or hidden elements.
fn visible_words(dom: &Dom) -> Vec<String> {
    let Some(body) = dom.find("body") else {
        return Vec::new();
    };
    let mut text = String::new();
    enum Step {
        Node(usize),
        Space,
    }
    let mut stack = vec![Step::Node(body)];
    while let Some(step) = stack.pop() {
        let n = match step {
            Step::Space => {
                text.push(' ');
                continue;
            }
            Step::Node(n) => n,
        };
        match &dom.nodes[n] {
            Node::Text(t) => text.push_str(t),
            Node::Comment(_) => {}
            Node::Element(e) => {
                let unseen = matches!(
                    e.tag.as_str(),
                    "script" | "style" | "template" | "noscript" | "title"
                ) || e.attr("hidden").is_some();
                if unseen {
                    continue;
                }
                let breaks = BREAKS.contains(&e.tag.as_str());
                if breaks {
                    text.push(' ');
                    stack.push(Step::Space);
                }
                stack.extend(e.children.iter().rev().map(|&c| Step::Node(c)));
            }
        }
    }
    text.split_whitespace().map(str::to_string).collect()
}

fn link_targets(dom: &Dom) -> BTreeSet<String> {
    let Some(body) = dom.find("body") else {
        return BTreeSet::new();
    };
    dom.descendants(body)
        .into_iter()
        .filter_map(|i| dom.element(i))
        .filter(|e| e.tag == "a")
        .filter_map(|e| e.attr("href").map(str::to_string))
        .collect()
}

/// Server elements whose content the browser draws: the output of client components
/// (found where our rendering has an `<rsc-client>`: the server elements under the same
/// parent that none of ours matches) and Suspense boundaries React gave up on the server.
fn client_drawn(ours: &Dom, theirs: &Dom) -> BTreeSet<usize> {
    let mut drawn = BTreeSet::new();
    let (Some(our_body), Some(their_body)) = (ours.find("body"), theirs.find("body")) else {
        return drawn;
    };
    // Map our elements onto theirs: same tag and class, in document order, each under the
    // match of its parent (an <rsc-client> is looked through).
    let mut matched: BTreeSet<usize> = BTreeSet::new();
    let mut with_client: BTreeSet<usize> = BTreeSet::new();
    let mut stack = vec![(our_body, their_body)];
    while let Some((mine, theirs_at)) = stack.pop() {
        matched.insert(theirs_at);
        let order = theirs.descendants(theirs_at);
        let mut cursor = 0;
        let mut children: Vec<usize> = Vec::new();
        let mut pending: Vec<usize> = ours.element(mine).unwrap().children.clone();
        pending.reverse();
        while let Some(c) = pending.pop() {
            let Some(e) = ours.element(c) else { continue };
            if e.tag == "rsc-client" {
                with_client.insert(theirs_at);
                let mut inner = e.children.clone();
                inner.reverse();
                pending.extend(inner);
                continue;
            }
            children.push(c);
        }
        for c in children {
            let e = ours.element(c).unwrap();
            let found = order[cursor.min(order.len())..].iter().position(|&k| {
                theirs
                    .element(k)
                    .is_some_and(|t| t.tag == e.tag && t.attr("class") == e.attr("class"))
            });
            if let Some(at) = found {
                let k = order[cursor + at];
                cursor += at + 1;
                stack.push((c, k));
            }
        }
    }
    for &parent in &with_client {
        for &child in &theirs.element(parent).unwrap().children {
            if theirs.element(child).is_some() && !matched.contains(&child) {
                drawn.insert(child);
            }
        }
    }
    for i in 0..theirs.nodes.len() {
        if theirs.element(i).is_some_and(|e| e.client_rendered) {
            drawn.insert(i);
        }
    }
    drawn
}

/// The visible words of the server's page outside the given subtrees.
fn words_outside(dom: &Dom, skip: &BTreeSet<usize>) -> Vec<String> {
    let mut trimmed = Dom {
        nodes: dom.nodes.clone(),
    };
    for &i in skip {
        if let Node::Element(e) = &mut trimmed.nodes[i] {
            e.children.clear();
        }
    }
    visible_words(&trimmed)
}

#[test]
fn every_route_renders_what_the_server_rendered() {
    let mut drawn_by_clients = 0;
    for version in ["v13", "v14", "v15", "v16"] {
        let dir = common::fixtures().join("nextjs").join(version);
        for route in common::ROUTES {
            let what = format!("{version}/{route}");
            let ours = Dom::parse(&rendered(&dir.join(format!("{route}.rsc"))));
            let theirs = Dom::parse(&String::from_utf8_lossy(&read_file(
                &dir.join(format!("{route}.html")),
            )));
            assert_eq!(
                link_targets(&ours),
                link_targets(&theirs),
                "{what}: link targets"
            );
            let drawn = client_drawn(&ours, &theirs);
            let want = words_outside(&theirs, &drawn);
            drawn_by_clients += visible_words(&theirs).len() - want.len();
            let got = visible_words(&ours);
            let found = common::in_order(&want, &got);
            assert!(
                found * 100 >= want.len() * 95,
                "{what}: {found} of {} visible words in order",
                want.len()
            );
        }
    }
    assert!(drawn_by_clients > 0);
}

#[test]
fn what_client_components_draw_is_what_is_missing() {
    // `special` shows values its client component formats in the browser from its props
    // (dates, maps, typed arrays): the words are not in the payload, only the values.
    // `home` and `post-hello` have a like button and a tag list drawn the same way.
    let dir = common::fixtures().join("nextjs/v15");
    for (route, at_least) in [("special", 50), ("home", 6), ("post-hello", 8)] {
        let ours = Dom::parse(&rendered(&dir.join(format!("{route}.rsc"))));
        let theirs = Dom::parse(&String::from_utf8_lossy(&read_file(
            &dir.join(format!("{route}.html")),
        )));
        let all = visible_words(&theirs);
        let drawn = client_drawn(&ours, &theirs);
        let outside = words_outside(&theirs, &drawn);
        assert!(
            all.len() - outside.len() >= at_least,
            "{route}: {} words drawn by client components",
            all.len() - outside.len()
        );
        // Everything else is there, in order.
        assert_eq!(
            common::in_order(&outside, &visible_words(&ours)),
            outside.len(),
            "{route}"
        );
    }
}

/// Markdown of an article against its golden; `UPDATE_GOLDENS=1` rewrites it.
fn markdown_golden(fixture: &str, golden_name: &str) -> String {
    let path = common::fixtures().join(fixture);
    let document = read(&read_file(&path)).unwrap();
    let article = next_rsc::extract::extraction(&document)
        .article
        .unwrap_or_else(|| panic!("{fixture} has an article"));
    let mut markdown = String::new();
    let options = next_rsc::render::MarkdownOptions {
        source: Some(fixture),
    };
    article.write_markdown(options, &mut markdown).unwrap();
    let golden = common::fixtures()
        .join("markdown-expected")
        .join(golden_name);
    if std::env::var_os("UPDATE_GOLDENS").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &markdown).unwrap();
    }
    let want = String::from_utf8(read_file(&golden)).unwrap();
    assert!(
        want == markdown,
        "{fixture}: the Markdown differs from {}",
        golden.display()
    );
    markdown
}

#[test]
fn markdown_of_the_articles() {
    let seed = markdown_golden("seed/000_7b5ef04b44413318.txt", "seed.md");
    assert!(seed.starts_with("---\ntitle: \"[논문리뷰] Who invented deep residual learning?\"\n"));
    assert!(
        seed.contains("## 핵심 연구 목표"),
        "headings of the Korean body"
    );
    assert!(seed.contains("[논문 PDF로 바로 열기](https://arxiv.org/abs/2509.24732)"));
    for version in ["v13", "v14", "v15", "v16"] {
        let md = markdown_golden(
            &format!("nextjs/{version}/post-hello.rsc"),
            &format!("post-hello-{version}.md"),
        );
        assert!(md.contains("tags: [\"intro\", \"nextjs\", \"$dollar-tag\"]"));
        assert!(md.contains("```\n"), "{version}: the code block");
    }
    let blog = markdown_golden(
        "sites/trusted-server__real-nextjs-blog.html",
        "real-nextjs-blog.md",
    );
    assert!(blog.contains(
        "![Hero image for hello-world](https://origin.example.com/images/blog/hello-world/hero.jpg)"
    ));
}

#[test]
fn a_root_layout_inside_a_route_group_still_makes_the_document() {
    // nextjs.org's root layout lives in `(next-site)`: <html> sits inside a slot.
    let html = rendered(&common::fixtures().join("sites/njsparser__nextjs.org.html"));
    assert!(
        html.starts_with("<!DOCTYPE html><html class="),
        "{}",
        &html[..80]
    );
    assert_eq!(html.matches("<html").count(), 1);
    assert_eq!(html.matches("<body").count(), 1);
    // Next's Image with a statically imported source is an <img>.
    assert!(html.contains("<img alt=\"A Next.js app and a Serverless Function"));
    assert!(!html.contains("data-rsc-client=\"88883#Image\""));
}
