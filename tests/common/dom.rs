//! A server-rendered HTML page as a browser ends up with it: the DOM built from
//! html5ever's tokens (React's output is well formed, so no tree-building repairs are
//! needed), with React's streamed Suspense content (`<div hidden id="S:n">`) moved to
//! where its `$RC` script moves it (in place of `<template id="B:n">`).

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

#[derive(Debug, Clone)]
pub enum Node {
    Element(Element),
    Text(String),
    /// A comment (React marks Suspense boundaries with `$`, `$?`, `$!` and `/$`).
    Comment(String),
}

#[derive(Debug, Clone, Default)]
pub struct Element {
    pub tag: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<usize>,
    /// React gave up rendering this element's Suspense boundary on the server (a
    /// `<template data-dgst>` inside: `notFound()` under `loading.js` in 13.x – 14.x); the
    /// browser renders its content, so the server's HTML has only the fallback.
    pub client_rendered: bool,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub struct Dom {
    pub nodes: Vec<Node>,
}

const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param",
];

#[derive(Default)]
struct Builder {
    nodes: Vec<Node>,
    open: Vec<usize>,
}

struct Sink(RefCell<Builder>);

impl TokenSink for Sink {
    type Handle = ();
    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut dom = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                if tag.kind == TagKind::StartTag {
                    let attrs: Vec<(String, String)> = tag
                        .attrs
                        .iter()
                        .map(|a| (a.name.local.to_string(), a.value.to_string()))
                        .collect();
                    let dgst = name == "template" && attrs.iter().any(|(k, _)| k == "data-dgst");
                    let index = dom.nodes.len();
                    dom.nodes.push(Node::Element(Element {
                        tag: name.clone(),
                        attrs,
                        ..Default::default()
                    }));
                    if let Some(&parent) = dom.open.last()
                        && let Node::Element(p) = &mut dom.nodes[parent]
                    {
                        p.children.push(index);
                        p.client_rendered |= dgst;
                    }
                    if !VOID.contains(&name.as_str()) && !tag.self_closing {
                        dom.open.push(index);
                    }
                    match name.as_str() {
                        "script" => return TokenSinkResult::RawData(RawKind::ScriptData),
                        "style" => return TokenSinkResult::RawData(RawKind::Rawtext),
                        "title" | "textarea" => return TokenSinkResult::RawData(RawKind::Rcdata),
                        _ => {}
                    }
                } else {
                    let at = dom
                        .open
                        .iter()
                        .rposition(|&i| matches!(&dom.nodes[i], Node::Element(e) if e.tag == name));
                    if let Some(at) = at {
                        dom.open.truncate(at);
                    }
                }
            }
            Token::CommentToken(text) => {
                let index = dom.nodes.len();
                dom.nodes.push(Node::Comment(text.to_string()));
                if let Some(&parent) = dom.open.last()
                    && let Node::Element(p) = &mut dom.nodes[parent]
                {
                    p.children.push(index);
                }
            }
            Token::CharacterTokens(text) => {
                let index = dom.nodes.len();
                dom.nodes.push(Node::Text(text.to_string()));
                if let Some(&parent) = dom.open.last()
                    && let Node::Element(p) = &mut dom.nodes[parent]
                {
                    p.children.push(index);
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

impl Dom {
    pub fn parse(html: &str) -> Dom {
        let tokenizer = Tokenizer::new(
            Sink(RefCell::new(Builder::default())),
            TokenizerOpts::default(),
        );
        let queue = BufferQueue::default();
        queue.push_back(StrTendril::from_slice(html));
        let _ = tokenizer.feed(&queue);
        tokenizer.end();
        let mut nodes = tokenizer.sink.0.into_inner().nodes;
        // $RC("B:n", "S:n"): the streamed content replaces the template placeholder.
        let segments: Vec<(usize, String)> = nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| match n {
                Node::Element(e) if e.tag == "div" && e.attr("hidden").is_some() => {
                    Some((i, e.attr("id")?.strip_prefix("S:")?.to_string()))
                }
                _ => None,
            })
            .collect();
        for (div, n) in segments {
            let want = format!("B:{n}");
            let Some(template) = nodes.iter().position(
                |node| matches!(node, Node::Element(e) if e.tag == "template" && e.attr("id") == Some(&want)),
            ) else {
                continue;
            };
            let moved = match &mut nodes[div] {
                Node::Element(e) => std::mem::take(&mut e.children),
                _ => continue,
            };
            let is_end = |node: &Node| matches!(node, Node::Comment(c) if c == "/$");
            for p in 0..nodes.len() {
                let Node::Element(parent) = &nodes[p] else {
                    continue;
                };
                let children = parent.children.clone();
                let mut kept: Vec<usize> = Vec::with_capacity(children.len());
                let mut k = 0;
                while k < children.len() {
                    let c = children[k];
                    if c == template {
                        // The fallback after the placeholder, up to the boundary's end, goes.
                        kept.extend(moved.iter().copied());
                        k += 1;
                        while k < children.len() && !is_end(&nodes[children[k]]) {
                            k += 1;
                        }
                        continue;
                    }
                    if c != div {
                        kept.push(c);
                    }
                    k += 1;
                }
                if let Node::Element(parent) = &mut nodes[p] {
                    parent.children = kept;
                }
            }
        }
        Dom { nodes }
    }

    pub fn element(&self, i: usize) -> Option<&Element> {
        match &self.nodes[i] {
            Node::Element(e) => Some(e),
            _ => None,
        }
    }

    /// The first element with this tag.
    pub fn find(&self, tag: &str) -> Option<usize> {
        (0..self.nodes.len()).find(|&i| self.element(i).is_some_and(|e| e.tag == tag))
    }

    /// The descendants of `i` in document order (not `i`).
    pub fn descendants(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self
            .element(i)
            .map(|e| e.children.iter().rev().copied().collect())
            .unwrap_or_default();
        while let Some(n) = stack.pop() {
            out.push(n);
            if let Some(e) = self.element(n) {
                stack.extend(e.children.iter().rev().copied());
            }
        }
        out
    }

    /// Every element below `root` (itself included) with each one's element ancestors.
    pub fn elements_with_ancestors(&self, root: usize) -> Vec<(usize, Vec<usize>)> {
        let mut out = Vec::new();
        let mut stack = vec![(root, Vec::new())];
        while let Some((i, ancestors)) = stack.pop() {
            let Some(e) = self.element(i) else { continue };
            let mut inner = ancestors.clone();
            inner.push(i);
            for &c in e.children.iter().rev() {
                stack.push((c, inner.clone()));
            }
            out.push((i, ancestors));
        }
        out
    }

    /// The text below `i`, as the tokens give it (scripts and styles left out).
    pub fn text(&self, i: usize) -> String {
        let mut text = String::new();
        let mut stack = vec![i];
        while let Some(n) = stack.pop() {
            match &self.nodes[n] {
                Node::Text(t) => text.push_str(t),
                Node::Comment(_) => {}
                Node::Element(e) if matches!(e.tag.as_str(), "script" | "style" | "template") => {}
                Node::Element(e) => stack.extend(e.children.iter().rev().copied()),
            }
        }
        text
    }
}
