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

/// nextjs.org serves its images through Next's optimiser with its own sizes (300 among
/// them) and a deployment id: what its `<img srcset>` shows is learnt, and every `Image`
/// the flight carries is written byte for byte as the server wrote it.
#[test]
fn images_through_the_optimiser_are_written_as_the_server_wrote_them() {
    let path = common::fixtures().join("sites/njsparser__nextjs.org.html");
    let server = String::from_utf8(read_file(&path)).unwrap();
    let ours = next_rsc::Page::parse(server.as_bytes())
        .unwrap()
        .to_html()
        .unwrap();
    let images = |html: &str| -> Vec<String> {
        html.split("<img ")
            .skip(1)
            .filter_map(|rest| Some(format!("<img {}>", &rest[..rest.find('>')?])))
            .filter(|img| img.contains("data-nimg"))
            .collect()
    };
    let theirs: BTreeSet<String> = images(&server).into_iter().collect();
    let ours = images(&ours);
    assert!(ours.len() >= 19, "{} images", ours.len());
    assert!(
        ours.iter()
            .any(|img| img.contains("&amp;w=300&amp;q=100&amp;dpl="))
    );
    for img in &ours {
        assert!(theirs.contains(img), "not what the server wrote: {img}");
    }
}

/// Markdown written from a stranger's article cannot be broken out of: read back with
/// pulldown-cmark, it holds the article's words and links and no block, HTML or link the
/// article did not have.
#[test]
fn hostile_text_and_links_stay_inside_the_markdown() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let paragraph = |children: &str| format!(r#"["$","p",null,{{"children":{children}}}]"#);
    let body = [
        paragraph(r##"["Line one",["$","br",null,{}],"- not an item",["$","br",null,{}],"=== not a heading"]"##),
        paragraph(r##""1. not a list, # not a heading, <script>alert(1)</script>, &copy; *not em*""##),
        paragraph(r##"["see ",["$","a",null,{"href":"https://example.com/a b)\n\n# injected\n[x](javascript:alert(2))","children":"this"}]," and ",["$","a",null,{"href":" javascript:alert(3)","children":"that"}]]"##),
        paragraph(r##"[["$","img",null,{"src":"data:text/html,<script>alert(4)</script>","alt":"pic"}],"end"]"##),
        paragraph(r##"[["$","img",null,{"src":"/pic.png","alt":"a\n\n# Injected alt heading\n[phish](https://evil.example)"}]]"##),
    ]
    .join(",");
    let payload = format!(
        "0:[\"$\",\"html\",null,{{\"children\":[\"$\",\"body\",null,{{\"children\":[\"$\",\"main\",null,{{\"children\":[\"$\",\"article\",null,{{\"children\":[[\"$\",\"h1\",null,{{\"children\":\"Hostile\"}}],[\"$\",\"time\",null,{{\"dateTime\":\"2025-01-01\",\"children\":\"Jan 1, 2025\"}}],{body}]}}]}}]}}]}}]\n"
    );
    let page = next_rsc::Page::parse(payload.as_bytes()).unwrap();
    let article = page.article().expect("an article");
    let markdown = page.to_markdown().unwrap();
    let mut headings = 0;
    let mut text = String::new();
    let mut links = Vec::new();
    for event in Parser::new_ext(&markdown, Options::ENABLE_YAML_STYLE_METADATA_BLOCKS) {
        match event {
            Event::Start(Tag::Heading { .. }) => headings += 1,
            Event::Start(Tag::List(_)) => panic!("a list was injected:\n{markdown}"),
            Event::Html(h) | Event::InlineHtml(h) => panic!("HTML {h:?} came through:\n{markdown}"),
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
            _ => {}
        }
    }
    assert_eq!(headings, 1, "only the title is a heading:\n{markdown}");
    // The one link that runs no code, its destination percent-encoded whole.
    assert_eq!(
        links,
        [
            "https://example.com/a%20b%29%0A%0A#%20injected%0A[x]%28javascript:alert%282%29%29",
            "/pic.png"
        ]
    );
    let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let body_words = words(&article.text);
    let read_back = words(&text);
    for w in &body_words {
        assert!(read_back.contains(w), "{w:?} lost:\n{markdown}");
    }
}

/// Every article of the patterns site (real Next builds of every era), written as
/// Markdown and read back with pulldown-cmark, still holds its words and its links.
#[test]
fn articles_round_trip_through_a_markdown_parser() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let mut files = Vec::new();
    let mut stack = vec![common::fixtures().join("patterns")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "txt" || e == "rsc") {
                files.push(path);
            }
        }
    }
    let mut articles = 0;
    for path in files {
        let Ok(page) = next_rsc::Page::parse(&read_file(&path)) else {
            continue;
        };
        let (Some(article), Some(markdown)) = (page.article(), page.to_markdown()) else {
            continue;
        };
        articles += 1;
        let mut text = String::new();
        let mut links = BTreeSet::new();
        for event in Parser::new_ext(
            &markdown,
            Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
                | Options::ENABLE_TABLES
                | Options::ENABLE_STRIKETHROUGH,
        ) {
            match event {
                Event::Text(t) | Event::Code(t) => text.push_str(&t),
                Event::Html(h) | Event::InlineHtml(h) => text.push_str(&visible_text_of(&h)),
                Event::Start(Tag::Link { dest_url, .. }) => {
                    links.insert(dest_url.to_string());
                }
                Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
                _ => {}
            }
        }
        let read_back: Vec<String> = text.split_whitespace().map(str::to_string).collect();
        let words: Vec<String> = article
            .text
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let kept = common::score::overlap(&words, &read_back);
        assert!(
            kept * 100 >= words.len() * 99,
            "{}: {kept} of {} words read back",
            path.display(),
            words.len()
        );
        let links: BTreeSet<String> = links.iter().map(|l| percent_decoded(l)).collect();
        let dom = Dom::parse(&article.html);
        for href in link_targets(&dom) {
            let url = next_rsc::render::markdown::resolve(article.url.as_deref(), &href);
            assert!(
                links.contains(&percent_decoded(&url)),
                "{}: link {href} lost",
                path.display()
            );
        }
    }
    assert!(articles >= 100, "{articles} articles");
}

/// The text an HTML fragment kept as HTML in Markdown shows.
fn visible_text_of(html: &str) -> String {
    next_rsc::markup::html_text(html)
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Next's `Image` written as Next's server writes it (images served as they are, as the
/// patterns site is configured): every `<img data-nimg>` of a route's server HTML is in
/// the HTML rendered from its flight, byte for byte.
#[test]
fn next_images_are_written_as_the_server_writes_them() {
    let mut checked = 0;
    for version in [
        "v14-plain",
        "v151-plain",
        "v155-plain",
        "v155t-plain",
        "v16-plain",
    ] {
        let dir = common::fixtures()
            .join("patterns")
            .join(version)
            .join("posts");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let html_path = entry.path();
            if html_path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            let server = String::from_utf8(read_file(&html_path)).unwrap();
            let flight = read_file(&html_path.with_extension("txt"));
            let ours = next_rsc::Page::parse(&flight).unwrap().to_html().unwrap();
            let mut at = 0;
            while let Some(start) = server[at..].find("<img ") {
                let start = at + start;
                let end = start + server[start..].find('>').unwrap() + 1;
                let img = &server[start..end];
                at = end;
                if !img.contains("data-nimg") {
                    continue;
                }
                assert!(
                    ours.contains(img),
                    "{}: {img} not in ours",
                    html_path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 5, "{checked} images");
}
