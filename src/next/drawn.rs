//! Bodies drawn on the client. Many blogs hand the post's Markdown (or an HTML string) to
//! a client component that renders it in the browser: the flight then carries the body
//! only as a string prop, and the composed page would show nothing where the browser
//! shows the post. This pass finds such props and gives the component what the browser
//! shows: a `<div>` holding the rendered body (Markdown through pulldown-cmark, a
//! CommonMark renderer; HTML as it is), marked with where it came from.

use crate::next::page::{ElementKind, NodeIndex, Page, PageElement, PageNode, PropValue};

/// The prop of the rendered body's `<div>` that says what the body was made from
/// (`markdown` or `html`); the Markdown source itself is in [`SOURCE_PROP`].
pub const DRAWN_FROM_PROP: &str = "data-rsc-drawn-from";
/// The prop of the rendered body's `<div>` that holds the Markdown source.
pub const SOURCE_PROP: &str = "data-rsc-markdown";

/// What the body string is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    /// Markdown (or MDX source read as Markdown).
    Markdown,
    /// An HTML fragment.
    Html,
}

/// A body found in a client component's props.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnBody {
    /// The client component.
    pub element: NodeIndex,
    /// The client module and export.
    pub module: String,
    /// Where in the props the string is (`content`, `post.body` …).
    pub prop: String,
    /// What it is.
    pub format: BodyFormat,
}

/// Prop names that hold a body.
const BODY_NAMES: [&str; 12] = [
    "content", "body", "markdown", "md", "mdx", "source", "html", "text", "raw", "post", "article",
    "children",
];

/// Props that never hold a body.
const NOT_BODY: [&str; 8] = [
    "className",
    "style",
    "href",
    "src",
    "alt",
    "id",
    "title",
    "description",
];

/// The shortest string read as a body.
const MIN_BODY: usize = 80;

/// Finds the client components that draw a body from a string prop and gives each the
/// rendered body as its content. Components that already have content of their own are
/// left alone (the server rendered what the browser shows).
pub fn draw_client_bodies(page: &mut Page) -> Vec<DrawnBody> {
    let mut found = Vec::new();
    // The words the page shows already: a component whose string the server rendered
    // elsewhere (react-markdown on the server, a table of contents made from the source)
    // is not drawn twice.
    let mut shown: Option<std::collections::HashSet<String>> = None;
    let below = text_below(page);
    for index in 0..page.len() as NodeIndex {
        let PageNode::Element(el) = page.node(index) else {
            continue;
        };
        let ElementKind::Client { module, export } = &el.kind else {
            continue;
        };
        if el.prop("href").is_some() || below[index as usize] {
            continue;
        }
        let Some((prop, text, format)) = body_prop(el) else {
            continue;
        };
        let html = match format {
            BodyFormat::Markdown => markdown_to_html(text),
            BodyFormat::Html => text.to_string(),
        };
        let shown = shown.get_or_insert_with(|| shown_words(page));
        let body_text = crate::markup::html_text(&html);
        let sample: Vec<&str> = body_text.split_whitespace().take(100).collect();
        let already = sample.iter().filter(|w| shown.contains(**w)).count();
        if !sample.is_empty() && already * 10 >= sample.len() * 6 {
            continue;
        }
        let text = text.to_string();
        let text = text.as_str();
        let mut props = vec![
            (
                "dangerouslySetInnerHTML".to_string(),
                PropValue::Object(vec![("__html".into(), PropValue::String(html))]),
            ),
            (
                DRAWN_FROM_PROP.to_string(),
                PropValue::String(
                    match format {
                        BodyFormat::Markdown => "markdown",
                        BodyFormat::Html => "html",
                    }
                    .into(),
                ),
            ),
        ];
        if format == BodyFormat::Markdown {
            props.push((SOURCE_PROP.to_string(), PropValue::String(text.to_string())));
        }
        found.push(DrawnBody {
            element: index,
            module: format!("{module}#{export}"),
            prop,
            format,
        });
        let div = page.push_node(PageNode::Element(PageElement {
            kind: ElementKind::Host("div".into()),
            key: None,
            props,
            children: Vec::new(),
        }));
        if let Some(el) = page.element_mut(index) {
            el.children.push(div);
        }
    }
    found
}

/// Every word of the page's text.
fn shown_words(page: &Page) -> std::collections::HashSet<String> {
    let mut words = std::collections::HashSet::new();
    for i in 0..page.len() as NodeIndex {
        if let PageNode::Text(t) = page.node(i) {
            words.extend(t.split_whitespace().map(str::to_string));
        }
    }
    words
}

/// For every node, whether some text shows below it: made once, children before their
/// parents, so that nested components cost no more than the page.
fn text_below(page: &Page) -> Vec<bool> {
    let mut below = vec![false; page.len()];
    // Nodes in an order where each comes after every node it holds.
    let mut order = Vec::with_capacity(page.len());
    let mut seen = vec![false; page.len()];
    for start in 0..page.len() as NodeIndex {
        if seen[start as usize] {
            continue;
        }
        let mut stack = vec![(start, false)];
        while let Some((i, expanded)) = stack.pop() {
            if expanded {
                order.push(i);
                continue;
            }
            if std::mem::replace(&mut seen[i as usize], true) {
                continue;
            }
            stack.push((i, true));
            if let PageNode::Element(el) = page.node(i) {
                stack.extend(el.children.iter().map(|&c| (c, false)));
            }
        }
    }
    for i in order {
        below[i as usize] = match page.node(i) {
            PageNode::Text(t) => !t.trim().is_empty(),
            PageNode::Element(el) => el.children.iter().any(|&c| below[c as usize]),
            _ => false,
        };
    }
    below
}

/// The prop that holds the body: the longest string (at most three objects deep) that is
/// Markdown or HTML by its look, or a long text under a body-like name.
fn body_prop(el: &PageElement) -> Option<(String, &str, BodyFormat)> {
    // A body per locale (`content.ja`, `content.zh`): the component's own locale's.
    let locale = el.str_prop("locale").or_else(|| el.str_prop("lang"));
    let of_locale = |path: &str| locale.is_some_and(|l| path.rsplit('.').next() == Some(l));
    let mut best: Option<(String, &str, BodyFormat)> = None;
    let mut stack: Vec<(String, &str, &PropValue, usize)> = el
        .props
        .iter()
        .filter(|(k, _)| !NOT_BODY.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), k.as_str(), v, 0))
        .collect();
    while let Some((path, name, value, depth)) = stack.pop() {
        match value {
            PropValue::String(s) if s.len() >= MIN_BODY => {
                // `content`, or `post.content.ja` (a body per locale): a body's name
                // anywhere on the way.
                let named = BODY_NAMES.contains(&name)
                    || path.split('.').any(|part| BODY_NAMES.contains(&part));
                let format = looks_like(s, named);
                let better = |(bpath, b, _): &(String, &str, BodyFormat)| {
                    (of_locale(&path), s.len()) > (of_locale(bpath), b.len())
                };
                if let Some(format) = format
                    && best.as_ref().is_none_or(better)
                {
                    best = Some((path, s, format));
                }
            }
            PropValue::Object(entries) if depth < 3 => {
                for (k, v) in entries {
                    if !NOT_BODY.contains(&k.as_str()) {
                        stack.push((format!("{path}.{k}"), k, v, depth + 1));
                    }
                }
            }
            _ => {}
        }
    }
    best
}

/// Markdown or HTML, by the marks it has. A body-like prop name lets plain text through
/// as Markdown (paragraphs).
fn looks_like(text: &str, named_body: bool) -> Option<BodyFormat> {
    let trimmed = text.trim_start();
    let html_marks = [
        "</p>",
        "</h2>",
        "</h3>",
        "</li>",
        "<br",
        "</div>",
        "</blockquote>",
    ]
    .iter()
    .filter(|m| text.contains(*m))
    .count();
    if trimmed.starts_with('<') && html_marks >= 1 || html_marks >= 2 {
        return Some(BodyFormat::Html);
    }
    let mut marks = 0;
    for line in text.lines().take(2000) {
        let line = line.trim_start();
        let heading = line.starts_with('#')
            && line.trim_start_matches('#').starts_with(' ')
            && line.len() - line.trim_start_matches('#').len() <= 6;
        if heading
            || line.starts_with("```")
            || line.starts_with("- ")
            || line.starts_with("* ")
            || line.starts_with("> ")
            || line.starts_with("1. ")
            || line.starts_with("| ")
        {
            marks += 1;
        }
    }
    if text.contains("](") || text.contains("**") {
        marks += 1;
    }
    if marks >= 2 || named_body {
        Some(BodyFormat::Markdown)
    } else {
        None
    }
}

/// CommonMark with GitHub's tables, strike-through and task lists. A fenced diagram
/// (` ```mermaid `) becomes `<pre class="mermaid">`, which mermaid.js draws and readers
/// of text pass over, as a browser shows the drawing, not its source.
pub fn markdown_to_html(markdown: &str) -> String {
    use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd, html};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    let mut in_diagram = false;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref lang)))
            if lang.split_whitespace().next() == Some("mermaid") =>
        {
            in_diagram = true;
            Event::Html(CowStr::Borrowed("<pre class=\"mermaid\">"))
        }
        Event::End(TagEnd::CodeBlock) if in_diagram => {
            in_diagram = false;
            Event::Html(CowStr::Borrowed("</pre>\n"))
        }
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_and_html_are_told_by_their_marks() {
        let md = "# Title\n\nSome text with a [link](/a).\n\n- one\n- two\n";
        assert_eq!(looks_like(md, false), Some(BodyFormat::Markdown));
        let html = "<p>One paragraph.</p><p>Another.</p>";
        assert_eq!(looks_like(html, false), Some(BodyFormat::Html));
        let plain = "Just a sentence that is long enough to be a body but has no marks at all.";
        assert_eq!(looks_like(plain, false), None);
        assert!(markdown_to_html(md).contains("<h1>Title</h1>"));
        assert_eq!(
            markdown_to_html("```mermaid\ngraph TD\n  A[<x>] --> B\n```\n"),
            "<pre class=\"mermaid\">graph TD\n  A[&lt;x&gt;] --&gt; B\n</pre>\n"
        );
    }
}
