//! The composed page of every `nextjs/` route against the HTML the server rendered for
//! it: each host element of the composed tree must be found in the server's DOM, under
//! the element its composed parent was found at, in document order, with the same tag,
//! `id` and `class`; an element whose children are all text must read the same.
//!
//! The server's DOM is built from its tokens, with React's streamed Suspense content
//! (`<div hidden id="S:n">`) moved to where `$RC` moves it (`<template id="B:n">`).
//! Client components render markup of their own (Link's `<a>`), so the server DOM may
//! have more elements than the composed tree; never fewer, never elsewhere.

mod common;

use std::path::Path;

use common::dom::Dom;
use next_rsc::flight::{self, ResolveOptions};
use next_rsc::input::{Source, detect};
use next_rsc::next::page::{ElementKind, Page, PageNode, compose};
use next_rsc::next::router::app_facts;

/// Pre-order positions of the elements below `root`: (node, end of its subtree).
fn preorder(dom: &Dom, root: usize) -> Vec<(usize, usize)> {
    let mut order: Vec<(usize, usize)> = Vec::new();
    let mut stack = vec![(root, false)];
    let mut open: Vec<usize> = Vec::new();
    while let Some((i, done)) = stack.pop() {
        if done {
            let at = open.pop().unwrap();
            order[at].1 = order.len();
            continue;
        }
        let Some(e) = dom.element(i) else { continue };
        open.push(order.len());
        order.push((i, 0));
        stack.push((i, true));
        for &c in e.children.iter().rev() {
            stack.push((c, false));
        }
    }
    order
}

/// The host elements of the composed page below a node, with React's hoistables and
/// scripts left out (React moves those into `<head>`).
fn host_children(page: &Page, index: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut stack: Vec<u32> = page
        .element(index)
        .map(|e| e.children.iter().rev().copied().collect())
        .unwrap_or_default();
    while let Some(i) = stack.pop() {
        let Some(el) = page.element(i) else { continue };
        match &el.kind {
            ElementKind::Host(tag)
                if matches!(
                    tag.as_str(),
                    "link" | "meta" | "title" | "script" | "style" | "base"
                ) => {}
            ElementKind::Host(_) => out.push(i),
            _ => stack.extend(el.children.iter().rev().copied()),
        }
    }
    out
}

fn tag(page: &Page, i: u32) -> &str {
    match &page.element(i).unwrap().kind {
        ElementKind::Host(t) => t,
        _ => unreachable!(),
    }
}

/// Embeds the composed subtree at `node` into the DOM below `dom_at`; returns the count
/// of elements checked, or what could not be found.
fn embed(
    page: &Page,
    dom: &Dom,
    order: &[(usize, usize)],
    node: u32,
    at: usize,
    path: &str,
) -> Result<usize, String> {
    let mut checked = 0;
    if dom.element(order[at].0).is_some_and(|e| e.client_rendered) {
        return Ok(0);
    }
    let mut cursor = at + 1;
    let end = order[at].1;
    for child in host_children(page, node) {
        let el = page.element(child).unwrap();
        let want_tag = tag(page, child);
        let want_class = el.str_prop("className");
        let want_id = el.str_prop("id");
        let here = format!(
            "{path} > {want_tag}{}",
            want_class.map(|c| format!(".{c}")).unwrap_or_default()
        );
        let found = (cursor..end).find(|&k| {
            let Some(d) = dom.element(order[k].0) else {
                return false;
            };
            d.tag == want_tag
                && (want_class.is_none() || d.attr("class") == want_class)
                && (want_id.is_none() || d.attr("id") == want_id)
        });
        let Some(k) = found else {
            return Err(format!(
                "not in the server's HTML where the tree puts it: {here}"
            ));
        };
        let all_text = !el.children.is_empty()
            && el
                .children
                .iter()
                .all(|&c| matches!(page.node(c), PageNode::Text(_)));
        if all_text {
            let want: String = page.text(child);
            let got = &dom.text(order[k].0);
            if want.trim() != got.trim() {
                return Err(format!("{here}: text {want:?}, server has {got:?}"));
            }
        }
        checked += 1 + embed(page, dom, order, child, k, &here)?;
        cursor = order[k].1;
    }
    Ok(checked)
}

fn composed(flight_bytes: &[u8]) -> Page {
    let rows = flight::split_rows(flight_bytes);
    let tree = flight::resolve(&rows, ResolveOptions::default());
    let facts = app_facts(&tree);
    compose(&tree, facts.router_tree.as_ref())
}

fn check(page: &Page, html: &str, what: &str) -> usize {
    let dom = Dom::parse(html);
    let html_at = dom.find("html").expect("the server page has <html>");
    let order = preorder(&dom, html_at);
    let html_node = html_root(page)
        .unwrap_or_else(|| panic!("{what}: the composed page has no <html> at its top"));
    match embed(page, &dom, &order, html_node, 0, "html") {
        Ok(n) => n,
        Err(e) => panic!("{what}: {e}"),
    }
}

/// The `<html>` element among the page's top-level nodes.
fn html_root(page: &Page) -> Option<u32> {
    page.roots().iter().copied().find(|&r| {
        page.element(r)
            .is_some_and(|e| e.kind == ElementKind::Host("html".into()))
    })
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_route_composes_to_what_the_server_rendered() {
    for version in ["v13", "v14", "v15", "v16"] {
        let dir = common::fixtures().join("nextjs").join(version);
        for route in common::ROUTES.iter().copied().chain(["action-form-nojs"]) {
            let html_bytes = read(&dir.join(format!("{route}.html")));
            let html = String::from_utf8_lossy(&html_bytes);
            let Ok(Source::Page(flight, _)) = detect(&html_bytes) else {
                panic!("{version}/{route}.html is an App Router page")
            };
            let page = composed(&flight.bytes);
            let checked = check(&page, &html, &format!("{version}/{route}.html"));
            assert!(
                checked >= 10,
                "{version}/{route}.html: only {checked} elements checked"
            );
            assert!(
                page.missing.is_empty(),
                "{version}/{route}.html: {:?}",
                page.missing
            );
            if route == "post-missing" {
                let text: String = page.roots().iter().map(|&r| page.text(r)).collect();
                assert!(
                    text.contains("404 — Page not found"),
                    "{version}: the not-found UI is shown"
                );
            }
        }
    }
}

#[test]
fn the_rsc_payload_of_each_route_composes_to_its_html() {
    // The same route fetched with `RSC: 1`: a payload of its own, the same page.
    for version in ["v13", "v14", "v15", "v16"] {
        let dir = common::fixtures().join("nextjs").join(version);
        for route in [
            "home",
            "about",
            "post-hello",
            "post-missing",
            "special",
            "deep",
        ] {
            let page = composed(&read(&dir.join(format!("{route}.rsc"))));
            let html =
                String::from_utf8_lossy(&read(&dir.join(format!("{route}.html")))).to_string();
            check(&page, &html, &format!("{version}/{route}.rsc"));
        }
    }
}

#[test]
fn the_head_is_attached_to_html() {
    for version in ["v13", "v14", "v15", "v16"] {
        let path = common::fixtures()
            .join("nextjs")
            .join(version)
            .join("post-hello.html");
        let Ok(Source::Page(flight, _)) = detect(&read(&path)) else {
            panic!()
        };
        let page = composed(&flight.bytes);
        let html = html_root(&page).unwrap();
        let head = page.element(html).unwrap().children[0];
        assert_eq!(
            page.element(head).unwrap().kind,
            ElementKind::Host("head".into()),
            "{version}"
        );
        let title = page
            .descendants(head)
            .into_iter()
            .find(|&(i, _)| {
                page.element(i)
                    .is_some_and(|e| e.kind == ElementKind::Host("title".into()))
            })
            .map(|(i, _)| page.text(i));
        assert_eq!(
            title.as_deref(),
            Some("Hello, World | RSC Fixture Blog"),
            "{version}"
        );
    }
}

#[test]
fn partial_payloads_say_what_they_lack() {
    let dir = common::fixtures().join("nextjs");
    let nav = composed(&read(&dir.join("v15/stream.nav-from-home.rsc")));
    assert!(
        nav.missing
            .iter()
            .any(|m| m.contains("starts below the root")),
        "{:?}",
        nav.missing
    );
    assert!(!nav.is_empty(), "the page segment is still composed");
    let prefetch = composed(&read(&dir.join("v14/guestbook.prefetch.rsc")));
    assert!(prefetch.is_empty());
    assert!(!prefetch.missing.is_empty());
    let tree_only = composed(&read(&dir.join("v16/home.segment._tree.rsc")));
    assert!(tree_only.is_empty());
    assert!(tree_only.missing.iter().any(|m| m.contains("router tree")));
}

#[test]
fn a_page_does_not_embed_into_another_routes_html() {
    // The check has teeth: the post's tree is not in the about page's HTML.
    let dir = common::fixtures().join("nextjs/v15");
    let page = composed(&read(&dir.join("post-hello.rsc")));
    let html = String::from_utf8_lossy(&read(&dir.join("about.html"))).to_string();
    let dom = Dom::parse(&html);
    let html_at = dom.find("html").unwrap();
    let order = preorder(&dom, html_at);
    let root = html_root(&page).unwrap();
    let result = embed(&page, &dom, &order, root, 0, "html");
    assert!(
        result.is_err_and(|e| e.contains("article")),
        "the post's <article> is not on the about page"
    );
}
