//! The page's article, found by structure: the `<article>` element with the most text
//! (else the `<main>` of a page whose metadata says it is an article), its `<h1>`, its
//! `<time dateTime>`, its tag lists, and its body: the block that holds most of its
//! text, without the title and the header, footer, nav and aside regions around it.
//! JSON-LD and `article:*` metadata fill in what the structure does not say. Nothing
//! here knows any one site.

use std::collections::HashSet;

use serde::Serialize;

use super::content::{Stats, main_content, not_article, title_heading, title_prop};
use super::kind::{Kind, PageKind, Shape, article_evidence, page_kind};
use super::metadata::Metadata;
use super::text::{collapse, readable_text_with, word_count};
use crate::next::NextFacts;
use crate::next::drawn::SOURCE_PROP;
use crate::next::page::{ElementKind, NodeIndex, Page, PageElement, PageNode, PropValue};
use crate::render::html::write_nodes;
use crate::render::markdown::{MarkdownOptions, escape_inline, html_to_markdown, yaml_string};

/// An article.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    /// Its title: the `<h1>`, else the Open Graph or document title.
    pub title: Option<String>,
    /// When it was published (as written: a `dateTime`, an ISO date …).
    pub published: Option<String>,
    /// When it was last changed.
    pub modified: Option<String>,
    /// Its author.
    pub author: Option<String>,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its language.
    pub lang: Option<String>,
    /// Its canonical URL (`<link rel="canonical">`, else `og:url`, else JSON-LD `url`).
    pub url: Option<String>,
    /// The body as HTML (`dangerouslySetInnerHTML` content inlined).
    pub html: String,
    /// The body's readable text, one line per block.
    pub text: String,
    /// Words in `text`.
    pub word_count: usize,
    /// The Markdown the body was drawn from, when a client component drew the whole body
    /// from a Markdown prop (the `markdown` command writes it as it is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

impl Article {
    /// The article as Markdown: YAML front matter, the title, then the body (the
    /// author's own Markdown when a client component drew it from Markdown, else the
    /// body's HTML converted).
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = self.write_markdown(MarkdownOptions::default(), &mut out);
        out
    }

    /// Writes the article as Markdown, saying where it came from when told.
    pub fn write_markdown(
        &self,
        options: MarkdownOptions<'_>,
        out: &mut impl std::fmt::Write,
    ) -> std::fmt::Result {
        out.write_str("---\n")?;
        let field =
            |out: &mut dyn std::fmt::Write, name: &str, value: Option<&str>| -> std::fmt::Result {
                match value {
                    Some(v) => writeln!(out, "{name}: {}", yaml_string(v)),
                    None => Ok(()),
                }
            };
        field(out, "title", self.title.as_deref())?;
        field(out, "date", self.published.as_deref())?;
        field(out, "modified", self.modified.as_deref())?;
        field(out, "author", self.author.as_deref())?;
        if !self.tags.is_empty() {
            let tags: Vec<String> = self.tags.iter().map(|t| yaml_string(t)).collect();
            writeln!(out, "tags: [{}]", tags.join(", "))?;
        }
        field(out, "lang", self.lang.as_deref())?;
        field(out, "canonical", self.url.as_deref())?;
        field(out, "source", options.source)?;
        out.write_str("---\n\n")?;
        if let Some(title) = &self.title {
            writeln!(out, "# {}\n", escape_inline(title))?;
        }
        match &self.markdown {
            // A body drawn from Markdown on the client: the author's Markdown as it is.
            Some(markdown) => {
                out.write_str(markdown.trim_end())?;
                out.write_char('\n')?;
            }
            None => out.write_str(&html_to_markdown(&self.html, self.url.as_deref()))?,
        }
        Ok(())
    }
}

/// Finds the page's kind and, for an article or a page of documentation, its article.
pub fn article_and_kind(
    page: &Page,
    metadata: &Metadata,
    next: &NextFacts,
) -> (Option<Article>, PageKind) {
    let stats = Stats::of(page);
    let main = main_content(page, &stats);
    let ld = article_json_ld(metadata);
    let ld_text = |key: &str| {
        ld.and_then(|o| o.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let titles: Vec<&str> = [
        metadata.title.as_deref(),
        metadata.open_graph.title.as_deref(),
        ld.and_then(|o| o.get("headline")).and_then(|v| v.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let title_node = main
        .as_ref()
        .and_then(|m| title_heading(page, &stats, m, &titles));
    let shape = Shape::of(page, &stats, main.as_ref(), main.as_ref().map(|m| m.region));
    let evidence = article_evidence(next, metadata, &shape, ld.is_some());
    let title_text = title_node
        .map(|h| collapse(&page.text(h)))
        .filter(|t| !t.is_empty())
        .or_else(|| main.as_ref().and_then(|m| title_prop(page, &stats, m.body)));
    let kind = page_kind(next, metadata, &shape, title_text.as_deref(), &evidence);
    // Never an empty article: a post whose text is not in the payload has none.
    let Some(main) = main.filter(|_| {
        matches!(kind.kind, Kind::Article | Kind::Docs)
            && (shape.words >= 5 || kind.kind == Kind::Docs)
    }) else {
        return (None, kind);
    };
    let body = main.body;
    let skip_set = not_article(page, &stats, body, title_node);
    let skip = |i: NodeIndex| skip_set.contains(&i);
    // The nodes that hold a skipped one somewhere below: found once, walking up from
    // each skipped node (stops at a node already marked), so the body stays linear.
    let mut around_skipped: HashSet<NodeIndex> = HashSet::new();
    for &i in &skip_set {
        let mut up = stats.parent[i as usize];
        while let Some(p) = up {
            if p == body || !around_skipped.insert(p) {
                break;
            }
            up = stats.parent[p as usize];
        }
    }
    let parts = body_parts(page, body, &skip, &around_skipped);
    let site = metadata.open_graph.site_name.as_deref();
    // A body drawn from an HTML string: its front matter printed as text (Markdown
    // rendered without taking it off) is not the article, and an `<h1>` it opens with is
    // the title when the page has no heading of its own.
    let inner = parts.first().and_then(|&p| leading_inner_html(page, p));
    let front_matter = inner.and_then(leading_front_matter);
    let opening_h1 = inner.and_then(|html| {
        let rest = front_matter.map_or(html, |f| html.trim_start()[f.len()..].trim_start());
        opening_h1_text(rest)
    });
    let title_text = title_text.or(if title_node.is_none() {
        opening_h1
    } else {
        None
    });
    let title = title_text.or_else(|| ld_text("headline")).or_else(|| {
        metadata
            .open_graph
            .title
            .as_deref()
            .or(metadata.title.as_deref())
            .map(|t| without_site_name(t, site))
    });
    let mut html = String::new();
    // Writing into a String cannot fail.
    let _ = write_nodes(page, &parts, &mut html);
    let mut text = parts
        .iter()
        .map(|&p| readable_text_with(page, p, &stats.inner_texts))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(front_matter) = front_matter {
        html = html.replacen(front_matter, "", 1);
        let said = collapse(&super::text::html_text(front_matter));
        if let Some(rest) = text.strip_prefix(said.as_str()) {
            text = rest.trim_start_matches('\n').to_string();
        }
    }
    // A body drawn from an HTML string that starts with the title again (the `# Title`
    // of a Markdown post): the title is said once, as the title.
    if let Some(title) = title.as_deref()
        && let Some(heading) = inner
            .map(|html| front_matter.map_or(html, |f| html.trim_start()[f.len()..].trim_start()))
            .and_then(|inner| leading_title_heading(inner, title))
    {
        html = html.replacen(heading, "", 1);
        let title = collapse(title);
        if let Some(rest) = text.strip_prefix(title.as_str())
            && (rest.is_empty() || rest.starts_with('\n'))
        {
            text = rest.trim_start_matches('\n').to_string();
        }
    }
    let published = descendants_of(page, main.region)
        .filter_map(|i| page.element(i))
        .find(|el| el.kind == ElementKind::Host("time".into()))
        .and_then(|el| el.str_prop("dateTime").map(str::to_string))
        .or_else(|| metadata.open_graph.published_time.clone())
        .or_else(|| ld_text("datePublished"));
    let modified = metadata
        .open_graph
        .modified_time
        .clone()
        .or_else(|| ld_text("dateModified"));
    let author = ld
        .and_then(|o| o.get("author"))
        .and_then(json_ld_name)
        .or_else(|| {
            metadata
                .open_graph
                .authors
                .iter()
                .find(|a| !a.contains("://"))
                .cloned()
        })
        .or_else(|| metadata.authors.iter().find_map(|a| a.name.clone()))
        .or_else(|| rel_author(page, main.region));
    // The body as content: its HTML never carries a script, a handler or a frame, since
    // no article needs them (`render::safe`).
    let html = crate::render::safe::sanitize(&html);
    let word_count = word_count(&text);
    // A body drawn wholly from one Markdown prop: its Markdown, as the author wrote it.
    // (The body is its own part when it is the drawn element.)
    let drawn: Vec<&str> = std::iter::once(body)
        .filter(|b| !parts.contains(b))
        .chain(
            parts
                .iter()
                .flat_map(|&p| std::iter::once(p).chain(descendants_of(page, p))),
        )
        .filter_map(|i| page.element(i)?.str_prop(SOURCE_PROP))
        .collect();
    let markdown = match drawn.as_slice() {
        [source] if super::text::word_count(source) * 10 >= word_count * 9 => {
            Some(source.to_string())
        }
        _ => None,
    };
    let article = Article {
        title,
        published,
        modified,
        author,
        tags: tags(page, main.region, metadata, ld, &stats),
        lang: metadata.lang.clone().or_else(|| ld_text("inLanguage")),
        url: metadata
            .canonical
            .clone()
            .or_else(|| metadata.open_graph.url.clone())
            .or_else(|| ld_text("url")),
        html,
        text,
        word_count,
        markdown,
    };
    (Some(article), kind)
}

fn descendants_of(page: &Page, index: NodeIndex) -> impl Iterator<Item = NodeIndex> + '_ {
    page.descendants(index).into_iter().map(|(i, _)| i)
}

/// The body's parts: the body's children, leaving out what is not the article (its
/// siblings stay).
fn body_parts(
    page: &Page,
    body: NodeIndex,
    skip: &dyn Fn(NodeIndex) -> bool,
    around_skipped: &HashSet<NodeIndex>,
) -> Vec<NodeIndex> {
    let Some(el) = page.element(body) else {
        return vec![body];
    };
    if crate::render::html::inner_html(el).is_some() {
        return vec![body];
    }
    let mut parts = Vec::new();
    let mut stack: Vec<NodeIndex> = el.children.iter().rev().copied().collect();
    while let Some(i) = stack.pop() {
        if skip(i) {
            continue;
        }
        // An element around something left out (a wrapper, a Suspense, a client
        // component) gives its other content.
        match page.node(i) {
            PageNode::Element(child) if around_skipped.contains(&i) => {
                stack.extend(child.children.iter().rev().copied())
            }
            _ => parts.push(i),
        }
    }
    parts
}

/// The HTML string the body part begins with: its own `dangerouslySetInnerHTML`, or that
/// of its first element child, and so on down.
fn leading_inner_html(page: &Page, part: NodeIndex) -> Option<&str> {
    let mut index = part;
    // Wrappers are few; the bound keeps a hostile chain of them cheap.
    for _ in 0..32 {
        let el = page.element(index)?;
        if let Some(html) = crate::render::html::inner_html(el) {
            return Some(html);
        }
        index = *el
            .children
            .iter()
            .find(|&&c| !matches!(page.node(c), PageNode::Text(t) if t.trim().is_empty()))?;
    }
    None
}

/// Front matter that Markdown rendering printed instead of taking off: a rule, then a
/// block of `key: value` lines (`<hr><h2>title: …\ndate: …</h2>`).
fn leading_front_matter(html: &str) -> Option<&str> {
    let rest = html.trim_start();
    let after_rule = ["<hr>", "<hr/>", "<hr />"]
        .iter()
        .find_map(|hr| rest.strip_prefix(hr))?;
    let block = after_rule.trim_start();
    let tag = ["h2", "p"]
        .into_iter()
        .find(|t| block.starts_with(&format!("<{t}>")))?;
    let close = format!("</{tag}>");
    let end = block.find(&close)? + close.len();
    let lines: Vec<&str> = block[tag.len() + 2..end - close.len()].lines().collect();
    let yaml = |line: &str| {
        line.split_once(':').is_some_and(|(key, _)| {
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
    };
    let at = rest.len() - block.len() + end;
    (lines.len() >= 2 && lines.iter().all(|l| yaml(l.trim()))).then(|| &rest[..at])
}

/// The text of the `<h1>` an HTML string opens with.
fn opening_h1_text(html: &str) -> Option<String> {
    let rest = html.trim_start().strip_prefix("<h1")?;
    let rest = rest.strip_prefix('>').or_else(|| {
        rest.strip_prefix(' ')
            .map(|r| r.split_once('>').map_or(r, |(_, r)| r))
    })?;
    let (heading, _) = rest.split_once("</h1>")?;
    let text = collapse(&super::text::html_text(heading));
    (!text.is_empty()).then_some(text)
}

/// The `<h1>` or `<h2>` an HTML string opens with, when its text is the title.
fn leading_title_heading<'a>(html: &'a str, title: &str) -> Option<&'a str> {
    let rest = html.trim_start();
    let level = ["h1", "h2"].into_iter().find(|h| {
        rest.get(1..3).is_some_and(|t| t.eq_ignore_ascii_case(h))
            && rest.starts_with('<')
            && rest[3..].starts_with(['>', ' '])
    })?;
    let close = format!("</{level}>");
    let end = rest.to_ascii_lowercase().find(&close)? + close.len();
    let heading = &rest[..end];
    (collapse(&super::text::html_text(heading)) == collapse(title)).then_some(heading)
}

/// A document title without the site's name: `Post | Site` → `Post` (also `::`, `—`,
/// `–`, `·`, `•`, `-`). When the site's name is known and leads, it is the first part
/// that goes.
fn without_site_name(title: &str, site: Option<&str>) -> String {
    const SEPARATORS: [&str; 8] = [" | ", " :: ", " — ", " – ", " · ", " • ", " » ", " - "];
    let title = title.trim();
    for sep in SEPARATORS {
        if let Some((first, rest)) = title.split_once(sep)
            && site.is_some_and(|s| first.trim() == s.trim())
        {
            return rest.trim().to_string();
        }
        if let Some((head, _)) = title.rsplit_once(sep)
            && !head.trim().is_empty()
        {
            return head.trim().to_string();
        }
    }
    title.to_string()
}

/// The JSON-LD object that describes an article (`Article`, `BlogPosting`,
/// `NewsArticle` …), looking into `@graph` lists.
fn article_json_ld(metadata: &Metadata) -> Option<&serde_json::Map<String, serde_json::Value>> {
    let is_article = |o: &serde_json::Map<String, serde_json::Value>| {
        let kinds: Vec<&str> = match o.get("@type") {
            Some(serde_json::Value::String(s)) => vec![s.as_str()],
            Some(serde_json::Value::Array(items)) => {
                items.iter().filter_map(|i| i.as_str()).collect()
            }
            _ => Vec::new(),
        };
        kinds
            .iter()
            .any(|k| k.ends_with("Article") || *k == "BlogPosting" || *k == "Report")
    };
    let mut candidates: Vec<&serde_json::Value> = metadata.json_ld.iter().collect();
    while let Some(value) = candidates.pop() {
        match value {
            serde_json::Value::Object(o) if is_article(o) => return Some(o),
            serde_json::Value::Object(o) => {
                if let Some(graph) = o.get("@graph") {
                    candidates.push(graph);
                }
            }
            serde_json::Value::Array(items) => candidates.extend(items.iter()),
            _ => {}
        }
    }
    None
}

/// A JSON-LD person or organisation's name (or a list's first).
fn json_ld_name(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(o) => o.get("name").and_then(|n| n.as_str()).map(str::to_string),
        serde_json::Value::Array(items) => items.iter().find_map(json_ld_name),
        _ => None,
    }
}

/// The text of an `<a rel="author">` in the article.
fn rel_author(page: &Page, root: NodeIndex) -> Option<String> {
    descendants_of(page, root).find_map(|i| {
        let el = page.element(i)?;
        let rel = el.str_prop("rel")?;
        rel.split_ascii_whitespace()
            .any(|r| r == "author")
            .then(|| collapse(&page.text(i)))
    })
}

/// Tags: `article:tag` metadata, else JSON-LD `keywords`, else the article's own tag
/// lists (`rel="tag"` links, items of elements whose class names them tags, a client
/// component's `tags` prop).
fn tags(
    page: &Page,
    root: NodeIndex,
    metadata: &Metadata,
    ld: Option<&serde_json::Map<String, serde_json::Value>>,
    stats: &Stats,
) -> Vec<String> {
    if !metadata.open_graph.tags.is_empty() {
        return metadata.open_graph.tags.clone();
    }
    if let Some(keywords) = ld.and_then(|o| o.get("keywords")) {
        let list: Vec<String> = match keywords {
            serde_json::Value::String(s) => s
                .split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect(),
            serde_json::Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        if !list.is_empty() {
            return list;
        }
    }
    let mut found: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut add = |tag: String| {
        let tag = collapse(tag.trim_start_matches('#'));
        if !tag.is_empty() && tag.chars().count() <= 60 && seen.insert(tag.clone()) {
            found.push(tag);
        }
    };
    for i in descendants_of(page, root) {
        let Some(el) = page.element(i) else { continue };
        if let ElementKind::Client { .. } = el.kind
            && let Some(PropValue::Array(items)) = el.prop("tags")
        {
            for item in items {
                if let PropValue::String(s) = item {
                    add(s.clone());
                }
            }
        }
        let rel_tag = el
            .str_prop("rel")
            .is_some_and(|r| r.split_ascii_whitespace().any(|r| r == "tag"));
        // Tags are short: the size bound keeps nested candidates linear.
        if stats.sizes[i as usize] <= 16 && (rel_tag || is_tag_item(page, i, el)) {
            add(page.text(i));
        }
    }
    found
}

/// An element whose class names it a tag (`tag`, `taxonomy-item`, `keyword`, `chip`) and
/// that holds only a short text, not other tag items.
fn is_tag_item(page: &Page, index: NodeIndex, el: &PageElement) -> bool {
    let Some(class) = el.str_prop("className") else {
        return false;
    };
    let class = class.to_ascii_lowercase();
    let named = class.split_ascii_whitespace().any(|c| {
        (c.contains("tag") && !c.contains("stage"))
            || c.contains("taxonomy-item")
            || c.contains("keyword")
            || c.contains("chip")
    });
    named
        && !descendants_of(page, index).any(|d| {
            page.element(d)
                .is_some_and(|e| matches!(e.kind, ElementKind::Host(ref t) if is_block_list(t)))
        })
        && page.text(index).chars().count() <= 60
}

fn is_block_list(tag: &str) -> bool {
    matches!(tag, "ul" | "ol" | "div" | "li" | "p" | "section")
}

#[cfg(test)]
mod title_tests {
    use super::without_site_name;

    #[test]
    fn site_names_come_off_titles() {
        assert_eq!(without_site_name("Post | Site", None), "Post");
        assert_eq!(
            without_site_name("분리 집합 :: chayhan's Blog --", None),
            "분리 집합"
        );
        assert_eq!(without_site_name("A - B - Site", None), "A - B");
        assert_eq!(without_site_name("Site | Post", Some("Site")), "Post");
        assert_eq!(without_site_name("Just a title", None), "Just a title");
    }
}
