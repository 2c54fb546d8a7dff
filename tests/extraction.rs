//! Extraction from a route's `RSC: 1` payload alone equals what the same route's
//! server-rendered HTML shows (read with html5ever, streamed segments moved in place):
//! the metadata elements and `<html lang>`, the article's `<h1>`, `<time dateTime>` and
//! body words, and the links of the navigation regions. Goldens hold the whole
//! extraction of the seed payload and the real sites.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::dom::Dom;
use common::score::describe;
use next_rsc::extract::{Extraction, extract};

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
fn extraction(path: &Path) -> Extraction {
    extract(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn server_metadata(dom: &Dom) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let Some(html) = dom.find("html") else {
        return set;
    };
    for (i, ancestors) in dom.elements_with_ancestors(html) {
        let e = dom.element(i).unwrap();
        // Inline SVG has <title> elements of its own; they are not the page's.
        let in_svg = ancestors
            .iter()
            .any(|&a| dom.element(a).unwrap().tag == "svg");
        if in_svg || !matches!(e.tag.as_str(), "title" | "meta" | "link") {
            continue;
        }
        let text = (e.tag == "title").then(|| dom.text(i));
        if let Some(d) = describe(&e.tag, &e.attrs, text.as_deref()) {
            set.insert(d);
        }
    }
    set
}

fn our_metadata(x: &Extraction) -> BTreeSet<String> {
    x.metadata
        .tags
        .iter()
        .filter_map(|t| describe(&t.tag, &t.attributes, t.text.as_deref()))
        .collect()
}

const REGIONS: [&str; 4] = ["nav", "aside", "header", "footer"];

fn server_links(dom: &Dom) -> BTreeSet<(String, String)> {
    let mut set = BTreeSet::new();
    let Some(body) = dom.find("body") else {
        return set;
    };
    for (i, ancestors) in dom.elements_with_ancestors(body) {
        let e = dom.element(i).unwrap();
        let in_region = ancestors
            .iter()
            .any(|&a| REGIONS.contains(&dom.element(a).unwrap().tag.as_str()));
        if e.tag == "a"
            && in_region
            && let Some(href) = e.attr("href")
        {
            set.insert((href.to_string(), link_text(dom, i)));
        }
    }
    set
}

/// A link's text, else its `aria-label` or `title`, else an image's `alt` inside it.
fn link_text(dom: &Dom, i: usize) -> String {
    let text = collapse(&dom.text(i));
    if !text.is_empty() {
        return text;
    }
    let e = dom.element(i).unwrap();
    e.attr("aria-label")
        .or_else(|| e.attr("title"))
        .map(collapse)
        .or_else(|| {
            dom.descendants(i).into_iter().find_map(|d| {
                let img = dom.element(d)?;
                (img.tag == "img")
                    .then(|| img.attr("alt").map(collapse))
                    .flatten()
            })
        })
        .unwrap_or_default()
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn our_links(x: &Extraction) -> BTreeSet<(String, String)> {
    x.navigation
        .iter()
        .flat_map(|r| r.links.iter().map(|l| (l.href.clone(), l.text.clone())))
        .collect()
}

/// The server's article: the `<article>` with most words (20 or more).
fn server_article(dom: &Dom) -> Option<usize> {
    (0..dom.nodes.len())
        .filter(|&i| dom.element(i).is_some_and(|e| e.tag == "article"))
        .map(|i| (words(&dom.text(i)).len(), i))
        .filter(|&(w, _)| w >= 20)
        .max()
        .map(|(_, i)| i)
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

/// The article body's words in the server's DOM: from the article, down into the child
/// holding 70 % or more of the article's words while there is one; the `<h1>` and the header,
/// footer, nav and aside regions left out.
fn server_body_words(dom: &Dom, article: usize) -> Vec<String> {
    let h1 = dom
        .descendants(article)
        .into_iter()
        .find(|&i| dom.element(i).is_some_and(|e| e.tag == "h1"));
    let count = |i: usize| {
        let all = words(&dom.text(i)).len();
        match h1 {
            Some(h) if dom.descendants(i).contains(&h) => all - words(&dom.text(h)).len(),
            _ => all,
        }
    };
    let total = count(article);
    let mut body = article;
    loop {
        let children: Vec<usize> = dom.element(body).unwrap().children.clone();
        let next = children
            .into_iter()
            .filter(|&c| dom.element(c).is_some() && Some(c) != h1)
            .find(|&c| count(c) * 10 >= total * 7);
        match next {
            Some(c) => body = c,
            None => break,
        }
    }
    // The body's text, without the title and the regions around the body.
    let mut text = String::new();
    let mut stack = vec![body];
    while let Some(n) = stack.pop() {
        match &dom.nodes[n] {
            common::dom::Node::Text(t) => {
                text.push_str(t);
                text.push(' ');
            }
            common::dom::Node::Comment(_) => {}
            common::dom::Node::Element(e) => {
                let skip = Some(n) == h1
                    || n != body && REGIONS.contains(&e.tag.as_str())
                    || matches!(e.tag.as_str(), "script" | "style" | "template");
                if !skip {
                    stack.extend(e.children.iter().rev().copied());
                }
            }
        }
    }
    words(&text)
}

#[test]
fn every_route_extracts_from_its_payload_what_its_html_shows() {
    let mut articles = 0;
    for version in ["v13", "v14", "v15", "v16"] {
        let dir = common::fixtures().join("nextjs").join(version);
        for route in common::ROUTES {
            let what = format!("{version}/{route}");
            let ours = extraction(&dir.join(format!("{route}.rsc")));
            let html =
                String::from_utf8_lossy(&read(&dir.join(format!("{route}.html")))).to_string();
            articles += compare(&what, &ours, &html, true);
        }
    }
    assert!(articles >= 4, "only {articles} articles compared");
}

#[test]
fn real_pages_extract_from_their_flight_what_their_html_shows() {
    // (page, all its navigation links are in the flight). The other sites draw their
    // menus with client components from data in their props: no link is made up, but
    // those links cannot be seen without running the components.
    for (site, exact_links) in [
        ("trusted-server__real-nextjs-blog.html", true),
        ("trusted-server__real-nextjs-home.html", true),
        ("trusted-server__real-nextjs-about.html", true),
        ("njsparser__nextjs.org.html", false),
        ("njsparser__swag.live.html", false),
        ("njsparser__club.fans.html", false),
        ("njsparser__mintstars.com.html", false),
    ] {
        let path = common::fixtures().join("sites").join(site);
        let html = String::from_utf8_lossy(&read(&path)).to_string();
        compare(site, &extraction(&path), &html, exact_links);
    }
}

/// Compares an extraction with the page the server rendered; returns 1 when an article
/// was compared.
fn compare(what: &str, ours: &Extraction, html: &str, exact_links: bool) -> usize {
    let mut articles = 0;
    let dom = Dom::parse(html);
    {
        {
            // Metadata: the same set of elements, and the same language.
            let theirs = server_metadata(&dom);
            let mine = our_metadata(ours);
            assert_eq!(
                mine.difference(&theirs).collect::<Vec<_>>(),
                Vec::<&String>::new(),
                "{what}: metadata the server did not render"
            );
            assert_eq!(
                theirs.difference(&mine).collect::<Vec<_>>(),
                Vec::<&String>::new(),
                "{what}: metadata missing"
            );
            let lang = dom.element(dom.find("html").unwrap()).unwrap().attr("lang");
            assert_eq!(ours.metadata.lang.as_deref(), lang, "{what}: lang");

            // Navigation: the links of the regions, none made up.
            let (mine, theirs) = (our_links(ours), server_links(&dom));
            let made_up: Vec<_> = mine.difference(&theirs).collect();
            assert!(
                made_up.is_empty(),
                "{what}: links the server did not render: {made_up:?}"
            );
            if exact_links {
                assert_eq!(mine, theirs, "{what}: navigation links");
            }

            // The article: its h1, its time, its body words.
            match (server_article(&dom), &ours.article) {
                (None, None) => {}
                (Some(article), Some(got)) => {
                    articles += 1;
                    let h1 = dom
                        .descendants(article)
                        .into_iter()
                        .find(|&i| dom.element(i).is_some_and(|e| e.tag == "h1"))
                        .map(|h| collapse(&dom.text(h)));
                    assert_eq!(got.title, h1, "{what}: article title");
                    let time = dom
                        .descendants(article)
                        .into_iter()
                        .filter_map(|i| dom.element(i))
                        .find(|e| e.tag == "time")
                        .and_then(|e| e.attr("datetime"));
                    assert_eq!(got.published.as_deref(), time, "{what}: published");
                    let want = server_body_words(&dom, article);
                    let found = common::in_order(&want, &words(&got.text));
                    assert!(
                        found * 100 >= want.len() * 99,
                        "{what}: {found} of {} body words in order",
                        want.len()
                    );
                    assert_eq!(got.word_count, words(&got.text).len());
                }
                (theirs, mine) => panic!(
                    "{what}: the server has an article: {}, the extraction: {}",
                    theirs.is_some(),
                    mine.is_some()
                ),
            }
        }
    }
    articles
}

#[test]
fn a_page_without_an_article_gives_null() {
    let path = common::fixtures().join("nextjs/v15/home.rsc");
    let x = extraction(&path);
    assert!(x.article.is_none());
    let json = serde_json::to_value(&x).unwrap();
    assert_eq!(json["article"], serde_json::Value::Null);
}

/// The whole extraction of a fixture against its golden JSON. `UPDATE_GOLDENS=1`
/// rewrites the goldens (review the diff before committing it).
fn golden(fixture: &str) {
    let path = common::fixtures().join(fixture);
    let json = serde_json::to_string_pretty(&extraction(&path)).unwrap() + "\n";
    let name = Path::new(fixture)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let golden = common::fixtures()
        .join("extract-expected")
        .join(format!("{name}.json"));
    if std::env::var_os("UPDATE_GOLDENS").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &json).unwrap();
    }
    let want = String::from_utf8(read(&golden)).unwrap();
    assert!(
        want == json,
        "{fixture}: the extraction differs from {}",
        golden.display()
    );
}

#[test]
fn the_seed_payload_against_its_golden() {
    golden("seed/000_7b5ef04b44413318.txt");
    let x = extraction(&common::fixtures().join("seed/000_7b5ef04b44413318.txt"));
    let article = x.article.expect("the seed is an article");
    assert_eq!(
        article.title.as_deref(),
        Some("[논문리뷰] Who invented deep residual learning?")
    );
    assert_eq!(
        article.published.as_deref(),
        Some("2025-10-01 14:04:08+0900")
    );
    assert_eq!(article.tags.len(), 9, "{:?}", article.tags);
    assert_eq!(article.tags[0], "Review");
    assert_eq!(article.lang.as_deref(), Some("ko"));
    assert!(
        article.text.contains("깊은 잔여 학습"),
        "the Korean body is there"
    );
}

#[test]
fn real_sites_against_their_goldens() {
    for site in [
        "sites/trusted-server__real-nextjs-blog.html",
        "sites/trusted-server__real-nextjs-home.html",
        "sites/trusted-server__real-nextjs-about.html",
        "sites/njsparser__nextjs.org.html",
        "sites/njsparser__swag.live.html",
        "sites/njsparser__club.fans.html",
        "sites/njsparser__mintstars.com.html",
    ] {
        golden(site);
    }
    let blog = extraction(&common::fixtures().join("sites/trusted-server__real-nextjs-blog.html"));
    let article = blog.article.expect("the blog page has an article");
    assert_eq!(article.title.as_deref(), Some("Blog Post: hello-world"));
    assert!(article.text.contains("Paragraph 20:"));
    assert!(
        !article.text.contains("Related Post"),
        "the related-posts nav is not body"
    );
}

/// Hostile shapes finish in linear time: tens of thousands of nested articles, tag-like
/// spans and layout routers, and props that share each other exponentially.
#[test]
fn hostile_nesting_and_sharing_end() {
    let depth = 30_000;
    let mut row = String::new();
    for _ in 0..depth {
        row.push_str(r##"["$","article",null,{"children":["some words here ",["$","span",null,{"className":"tag","children":"#t "}],"##);
    }
    row.push_str("null");
    for _ in 0..depth {
        row.push_str("]}]");
    }
    let payload = format!("0:{row}\n");
    let x = extract(payload.as_bytes()).expect("flight");
    let article = x.article.expect("the outer article");
    // The body is the block with 70 % of the words: 30 % of the levels at most are cut.
    assert!(
        article.word_count >= 3 * depth * 7 / 10,
        "{}",
        article.word_count
    );

    // Each row holds the one before twice: 2^40 copies if props were copied naively.
    let mut shared = String::from("1:[\"x\"]\n");
    for i in 2..42 {
        shared.push_str(&format!("{:x}:[\"${:x}\",\"${:x}\"]\n", i, i - 1, i - 1));
    }
    shared.push_str("0:[\"$\",\"div\",null,{\"data\":\"$29\",\"children\":\"hi\"}]\n");
    let x = extract(shared.as_bytes()).expect("flight");
    assert!(x.article.is_none());
}
