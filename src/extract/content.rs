//! The page's main content, found by a model of the composed page rather than by one tag:
//! how many words each element holds outside links and outside the regions that are not
//! content (navigation, headers, footers, sidebars, and what their names say: share,
//! related, comments, table of contents …), repeated cards, headings and dates.
//!
//! The body is found by going down from `<main>` (else `<body>`) into the child that
//! holds nearly all of the content words, while there is one. Inside the body, what is
//! not the article (the title, a byline, a tag list, related cards, share links) is left
//! out, and what is (callouts, blockquotes with their attribution, figures, code) stays.
//! Every count is made once for the whole page in linear time; nothing recurses.

use std::collections::{HashMap, HashSet};

use super::text::{html_text, word_count};
use crate::next::page::{ElementKind, NodeIndex, Page, PageElement, PageNode, PropValue};
use crate::render::html::inner_html;

/// Word counts and structure of every node, made once.
pub(crate) struct Stats {
    /// Words below the node (itself included).
    pub words: Vec<usize>,
    /// Of those, words inside links.
    pub link_words: Vec<usize>,
    /// Words below the node that are content: not in links, not in non-content regions.
    pub content: Vec<usize>,
    /// Nodes below the node (itself included).
    pub sizes: Vec<usize>,
    /// Links below the node (itself included).
    pub links: Vec<usize>,
    pub parent: Vec<Option<NodeIndex>>,
    /// The text of each element whose content is an HTML string, read once (tokenizing
    /// an article's HTML body was a tenth of a small page's extraction, and it was done
    /// again for the article's text).
    pub inner_texts: HashMap<NodeIndex, String>,
    /// The node is a region that is not content (for the page as a whole).
    pub boilerplate: Vec<bool>,
    /// Nodes in document order.
    pub order: Vec<NodeIndex>,
}

impl Stats {
    pub fn of(page: &Page) -> Stats {
        let n = page.len();
        let mut s = Stats {
            words: vec![0; n],
            link_words: vec![0; n],
            content: vec![0; n],
            sizes: vec![1; n],
            links: vec![0; n],
            parent: vec![None; n],
            boilerplate: vec![false; n],
            order: Vec::with_capacity(n),
            inner_texts: HashMap::new(),
        };
        let mut stack: Vec<NodeIndex> = page.roots().iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            s.order.push(i);
            match page.node(i) {
                PageNode::Text(t) => {
                    s.words[i as usize] = word_count(t);
                }
                PageNode::Element(el) => {
                    if super::text::is_unread(page, el) {
                        continue;
                    }
                    if let Some(html) = inner_html(el) {
                        let text = html_text(html);
                        s.words[i as usize] = word_count(&text);
                        s.inner_texts.insert(i, text);
                    }
                    s.boilerplate[i as usize] = is_boilerplate(el);
                    if is_link(el) {
                        s.links[i as usize] = 1;
                    }
                    for &c in el.children.iter().rev() {
                        s.parent[c as usize] = Some(i);
                        stack.push(c);
                    }
                }
                _ => {}
            }
        }
        for &i in s.order.iter().rev() {
            let i = i as usize;
            let is_link_node = page.element(i as NodeIndex).is_some_and(is_link);
            if is_link_node {
                s.link_words[i] = s.words[i];
            } else if page
                .element(i as NodeIndex)
                .is_none_or(|el| inner_html(el).is_some())
            {
                // Text, and an element whose content is an HTML string, are content.
                s.content[i] += s.words[i];
            }
            if let Some(p) = s.parent[i] {
                let p = p as usize;
                s.sizes[p] += s.sizes[i];
                s.words[p] += s.words[i];
                s.links[p] += s.links[i];
                let inside_link = page.element(p as NodeIndex).is_some_and(is_link);
                s.link_words[p] += if inside_link { 0 } else { s.link_words[i] };
                if !s.boilerplate[i] && !inside_link {
                    s.content[p] += s.content[i];
                }
            }
        }
        s
    }

    pub fn is_ancestor(&self, ancestor: NodeIndex, mut node: NodeIndex) -> bool {
        for _ in 0..self.parent.len() + 1 {
            if node == ancestor {
                return true;
            }
            match self.parent[node as usize] {
                Some(p) => node = p,
                None => return false,
            }
        }
        false
    }

    /// Share of the node's words that are in links.
    pub fn link_density(&self, i: NodeIndex) -> f64 {
        let w = self.words[i as usize];
        if w == 0 {
            0.0
        } else {
            self.link_words[i as usize] as f64 / w as f64
        }
    }

    /// The ancestors of a node, nearest first.
    pub fn ancestors(&self, node: NodeIndex) -> impl Iterator<Item = NodeIndex> + '_ {
        let mut at = self.parent[node as usize];
        std::iter::from_fn(move || {
            let here = at?;
            at = self.parent[here as usize];
            Some(here)
        })
    }
}

/// An `<a href>`, or a client component with an `href` (Next's `Link`, or a wrapper).
pub(crate) fn is_link(el: &PageElement) -> bool {
    match &el.kind {
        ElementKind::Host(t) => t == "a" && el.prop("href").is_some(),
        ElementKind::Client { .. } => matches!(
            el.prop("href"),
            Some(PropValue::String(_) | PropValue::Object(_))
        ),
        _ => false,
    }
}

/// The host tag of an element, if it is one.
pub(crate) fn tag(el: &PageElement) -> Option<&str> {
    match &el.kind {
        ElementKind::Host(t) => Some(t.as_str()),
        _ => None,
    }
}

/// Words of class names and ids that name a region that is not content.
const NOT_CONTENT: [&str; 30] = [
    "nav",
    "navbar",
    "navigation",
    "menu",
    "sidebar",
    "footer",
    "header",
    "masthead",
    "comment",
    "comments",
    "share",
    "sharing",
    "social",
    "related",
    "recommended",
    "newsletter",
    "subscribe",
    "breadcrumb",
    "breadcrumbs",
    "pagination",
    "pager",
    "toc",
    "cookie",
    "advert",
    "ads",
    "promo",
    "skip",
    "widget",
    "disqus",
    "giscus",
];

/// The words a class or id is made of (`post-header_x` → `post`, `header`, `x`).
fn name_words(el: &PageElement) -> impl Iterator<Item = String> + '_ {
    ["className", "id"]
        .into_iter()
        .filter_map(|k| el.str_prop(k))
        .flat_map(|v| v.split(|c: char| c.is_ascii_whitespace() || c == '-' || c == '_'))
        .filter(|w| !w.is_empty() && !w.contains(':'))
        .map(|w| w.to_ascii_lowercase())
}

/// What an element's class or id says it is not content, if it says.
pub(crate) fn named_not_content(el: &PageElement) -> bool {
    let lower_id_class = ["className", "id"]
        .into_iter()
        .filter_map(|k| el.str_prop(k))
        .any(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("table-of-contents") || v.contains("tableofcontents")
        });
    lower_id_class || name_words(el).any(|w| NOT_CONTENT.contains(&w.as_str()))
}

/// A region of the page that is not content: navigation, the site's header and footer,
/// sidebars, forms, and what its name says is not content.
fn is_boilerplate(el: &PageElement) -> bool {
    let role = el.str_prop("role").unwrap_or_default();
    if matches!(
        role,
        "navigation" | "banner" | "contentinfo" | "complementary" | "search"
    ) {
        return true;
    }
    match tag(el) {
        Some("nav" | "header" | "footer" | "aside" | "form" | "dialog") => true,
        Some("main" | "article" | "body" | "html") => false,
        _ => named_not_content(el),
    }
}

/// The main content of a page: the element that holds the body, and what inside it is
/// not the body.
pub(crate) struct MainContent {
    /// Where the search started: the `<main>`, else `<body>`.
    pub region: NodeIndex,
    /// The element holding the body.
    pub body: NodeIndex,
    /// The body's content words.
    pub words: usize,
}

/// Containers the descent may go into; blocks such as a paragraph or a list are content
/// themselves, never the whole body.
fn is_container(page: &Page, i: NodeIndex) -> bool {
    match page.element(i).map(|e| &e.kind) {
        Some(ElementKind::Host(t)) => matches!(
            t.as_str(),
            "div" | "section" | "article" | "main" | "body" | "html" | "span" | "center"
        ),
        Some(_) => true,
        None => false,
    }
}

/// The element children of an element, looking through fragments, slots, Suspense and
/// client components (their content is where it shows).
pub(crate) fn flat_children(page: &Page, el: &PageElement) -> Vec<NodeIndex> {
    let mut out = Vec::new();
    let mut stack: Vec<NodeIndex> = el.children.iter().rev().copied().collect();
    while let Some(i) = stack.pop() {
        match page.node(i) {
            PageNode::Element(child) if matches!(child.kind, ElementKind::Host(_)) => out.push(i),
            PageNode::Element(child) if is_link(child) => out.push(i),
            PageNode::Element(child) => stack.extend(child.children.iter().rev().copied()),
            _ => {}
        }
    }
    out
}

/// Of two columns, the one that holds the text when the other is a side column: less
/// than half its content and no paragraph of its own (a profile, a menu beside a short post).
fn side_column(page: &Page, stats: &Stats, el: &PageElement, total: usize) -> Option<NodeIndex> {
    let children: Vec<NodeIndex> = flat_children(page, el)
        .into_iter()
        .filter(|&c| stats.words[c as usize] > 0)
        .collect();
    let [a, b] = children.as_slice() else {
        return None;
    };
    let (big, small) = if stats.content[*a as usize] >= stats.content[*b as usize] {
        (*a, *b)
    } else {
        (*b, *a)
    };
    let has_paragraph = || {
        stats.sizes[small as usize] > 256
            || page.descendants(small).iter().any(|&(d, _)| {
                page.element(d).and_then(tag) == Some("p") && stats.words[d as usize] >= 5
            })
    };
    // Still most of the region's text (70 %: nesting cannot whittle the body away).
    (is_container(page, big)
        && stats.content[big as usize] * 10 >= total * 7
        && stats.content[big as usize] > 2 * stats.content[small as usize] + 5
        && !has_paragraph())
    .then_some(big)
}

/// Finds the main content: from the `<main>` (or `role=main`) with the most content
/// words, else `<body>`, down into the child that holds at least 80 % of them (of the
/// region's, not of its parent's).
pub(crate) fn main_content(page: &Page, stats: &Stats) -> Option<MainContent> {
    let start = stats
        .order
        .iter()
        .copied()
        .filter(|&i| {
            page.element(i)
                .is_some_and(|el| tag(el) == Some("main") || el.str_prop("role") == Some("main"))
        })
        .max_by_key(|&i| stats.content[i as usize])
        .filter(|&i| stats.content[i as usize] > 0)
        .or_else(|| {
            stats
                .order
                .iter()
                .copied()
                .find(|&i| page.element(i).is_some_and(|el| tag(el) == Some("body")))
        })
        .or_else(|| {
            // A partial payload: the top node with the most content.
            page.roots()
                .iter()
                .copied()
                .max_by_key(|&i| stats.content[i as usize])
        })?;
    // Measured against the region's whole content, so that nesting cannot whittle the
    // body away one level at a time.
    let total = stats.content[start as usize];
    let mut node = start;
    while let Some(el) = page.element(node).filter(|_| total > 0) {
        let next = flat_children(page, el).into_iter().find(|&c| {
            !stats.boilerplate[c as usize]
                && is_container(page, c)
                && stats.content[c as usize] * 10 >= total * 8
        });
        match next.or_else(|| side_column(page, stats, el, total)) {
            Some(c) => node = c,
            None => break,
        }
    }
    Some(MainContent {
        region: start,
        body: node,
        words: stats.content[node as usize],
    })
}

/// Elements inside which everything is content: a quote's attribution, a figure's
/// caption, a table's header.
fn keeps_all(el: &PageElement) -> bool {
    matches!(
        tag(el),
        Some("blockquote" | "figure" | "table" | "pre" | "code" | "details" | "dl")
    )
}

/// Words of class names that name a byline, a date or a reading time.
const BYLINE: [&str; 12] = [
    "byline",
    "meta",
    "date",
    "time",
    "author",
    "authors",
    "posted",
    "published",
    "reading",
    "readtime",
    "info",
    "dateline",
];

/// Words of class names and link targets that name a tag list.
const TAGS: [&str; 8] = [
    "tag",
    "tags",
    "category",
    "categories",
    "label",
    "labels",
    "topic",
    "topics",
];

/// Texts of links to the previous and next post.
const PREV_NEXT: [&str; 16] = [
    "prev",
    "previous",
    "next",
    "older",
    "newer",
    "←",
    "→",
    "«",
    "»",
    "이전",
    "다음",
    "上一篇",
    "下一篇",
    "前へ",
    "次へ",
    "上一页",
];

/// What inside the body is not the article: the title, navigation and regions that say
/// they are not content, bylines, tag lists, prev/next links and lists of related cards.
/// Inside a blockquote, figure, table or code everything stays.
pub(crate) fn not_article(
    page: &Page,
    stats: &Stats,
    body: NodeIndex,
    title: Option<NodeIndex>,
) -> HashSet<NodeIndex> {
    let mut skip = HashSet::new();
    let Some(el) = page.element(body) else {
        return skip;
    };
    let title_text = title.map(|t| super::text::collapse(&page.text(t)));
    // (node, elements between it and the body)
    let mut stack: Vec<(NodeIndex, usize)> = el.children.iter().rev().map(|&c| (c, 0)).collect();
    while let Some((i, depth)) = stack.pop() {
        let Some(el) = page.element(i) else { continue };
        // The title written again as the body's first heading (Markdown's `# Title`).
        let repeats_title = matches!(tag(el), Some("h1" | "h2"))
            && title_text
                .as_deref()
                .is_some_and(|t| !t.is_empty() && super::text::collapse(&page.text(i)) == t);
        if Some(i) == title || repeats_title || is_not_article(page, stats, i, el, title, depth) {
            skip.insert(i);
            continue;
        }
        if keeps_all(el) {
            continue;
        }
        let depth = if page.element(i).is_some_and(|e| tag(e).is_some()) {
            depth + 1
        } else {
            depth
        };
        stack.extend(el.children.iter().rev().map(|&c| (c, depth)));
    }
    skip
}

fn is_not_article(
    page: &Page,
    stats: &Stats,
    i: NodeIndex,
    el: &PageElement,
    title: Option<NodeIndex>,
    depth: usize,
) -> bool {
    let words = stats.words[i as usize];
    let density = stats.link_density(i);
    let holds_title = title.is_some_and(|t| stats.is_ancestor(i, t));
    // A disclosure around a table of contents (`<details><summary>Contents</summary><nav>`).
    if tag(el) == Some("details")
        && stats.sizes[i as usize] <= 512
        && page.descendants(i).iter().any(|&(d, _)| {
            page.element(d)
                .is_some_and(|e| tag(e) == Some("nav") || e.str_prop("role") == Some("navigation"))
        })
    {
        return true;
    }
    match tag(el) {
        Some("nav" | "form" | "dialog" | "button") => return true,
        Some("header") => return holds_title || words <= 40 || density >= 0.5,
        Some("footer") => return words <= 60 || density >= 0.4 || named_not_content(el),
        Some("aside") => return density >= 0.5 || named_not_content(el),
        _ => {}
    }
    if matches!(
        el.str_prop("role"),
        Some("navigation" | "banner" | "contentinfo" | "complementary")
    ) {
        return true;
    }
    if named_not_content(el) && (holds_title || words <= 200 || density >= 0.3) {
        return true;
    }
    let is_block = tag(el)
        .is_some_and(|t| matches!(t, "p" | "div" | "span" | "ul" | "ol" | "section" | "small"));
    // The looks below walk the element's subtree: only small ones (a byline, a tag list)
    // are looked into, so that nesting stays linear.
    let small = stats.sizes[i as usize] <= 256;
    // A byline: a short block with a date in it, or named so.
    if is_block && words <= 25 && !holds_title && small {
        let named = name_words(el).any(|w| BYLINE.contains(&w.as_str()));
        let has_time = page
            .descendants(i)
            .iter()
            .any(|&(d, _)| match page.node(d) {
                PageNode::Element(e) => tag(e) == Some("time"),
                PageNode::Text(t) => super::text::is_date_only(t),
                _ => false,
            });
        if named || has_time {
            return true;
        }
    }
    // A byline written as a minor heading or a line: "By Ann Lee | 10/20/2023".
    let minor_heading = matches!(tag(el), Some("h4" | "h5" | "h6"));
    if (is_block || minor_heading) && words <= 25 && !holds_title && small {
        let text = page.text_up_to(i, 200);
        let text = text.trim();
        let signed = ["by ", "posted by ", "written by "].iter().any(|p| {
            text.get(..p.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(p))
        });
        if signed && super::text::looks_like_date(text) {
            return true;
        }
    }
    // A list of tags: short links that point at tags or are named so.
    let links = stats.links[i as usize];
    if small && links >= 1 && density >= 0.6 && words <= 12 * links + 4 {
        let named = name_words(el).any(|w| TAGS.contains(&w.as_str()));
        let to_tags = link_targets(page, i).iter().any(|href| {
            let lower = href.to_ascii_lowercase();
            TAGS.iter()
                .any(|t| lower.contains(&format!("/{t}/")) || lower.contains(&format!("/{t}?")))
                || lower.contains("tag=")
        });
        if named || to_tags && links >= 1 {
            return true;
        }
    }
    // Links to the previous and next post.
    if small && (1..=3).contains(&links) && density >= 0.5 && words <= 40 {
        let text = page.text_up_to(i, 400).to_lowercase();
        if PREV_NEXT.iter().any(|w| text.contains(w)) {
            return true;
        }
    }
    // Near the body's top level only (inside the text, link cards and lists of links are
    // the author's): a block of links beside the text (contributors, further posts), a
    // list of cards (related posts).
    // Their links stay on the site: cards of other sites' pages are link previews the
    // author put in.
    if depth > 2 {
        return false;
    }
    let heading_says = || {
        let first = flat_children(page, el).into_iter().next().unwrap_or(i);
        page.element(first)
            .and_then(tag)
            .is_some_and(|t| matches!(t, "h2" | "h3" | "h4" | "h5" | "h6" | "p" | "strong"))
            && names_related(&page.text_up_to(first, 120))
    };
    if matches!(tag(el), Some("h2" | "h3" | "h4" | "h5" | "h6")) {
        return names_related(&page.text_up_to(i, 120));
    }
    // A line of the site's footer: `© 2025 Name`.
    if is_block && words <= 12 && small {
        let text = page.text_up_to(i, 200);
        let text = text.trim_start().to_lowercase();
        if text.starts_with('©') || text.starts_with("copyright") || text.starts_with("(c) ") {
            return true;
        }
    }
    let targets = || {
        if small {
            link_targets(page, i)
        } else {
            Vec::new()
        }
    };
    let is_internal = |t: &String| {
        t.starts_with('/') && !t.starts_with("//") || t.starts_with('#') || !t.contains(':')
    };
    links >= 1 && heading_says()
        || matches!(tag(el), Some("section" | "div"))
            && links >= 2
            && density >= 0.6
            && words <= 60
            // A site's links, with a profile or two elsewhere (GitHub, RSS).
            && {
                let targets = targets();
                !targets.is_empty() && targets.iter().filter(|t| is_internal(t)).count() * 3 >= targets.len() * 2
            }
        || card_list(page, stats, i).is_some_and(|cards| cards >= 2) && density >= 0.25 && {
            let targets = targets();
            !targets.is_empty() && targets.iter().all(is_internal)
        }
}

/// Headings of what follows an article: related posts, contributors, comments.
fn names_related(text: &str) -> bool {
    let text = super::text::collapse(text).to_lowercase();
    if text.is_empty() || text.chars().count() > 40 {
        return false;
    }
    [
        "related",
        "contributors",
        "more posts",
        "more articles",
        "read next",
        "read more",
        "you may also like",
        "recommended",
        "comments",
        "more from",
        "latest posts",
        "相关",
        "推荐",
        "贡献",
        "貢獻",
        "貢献",
        "기여",
        "相關",
        "推薦",
        "관련",
        "다른 글",
        "関連",
        "おすすめ",
        "похожие",
        "читайте также",
    ]
    .iter()
    .any(|p| text.contains(p))
}

/// The link targets below a node.
fn link_targets(page: &Page, i: NodeIndex) -> Vec<String> {
    page.descendants(i)
        .into_iter()
        .map(|(d, _)| d)
        .chain(std::iter::once(i))
        .filter_map(|d| {
            let el = page.element(d)?;
            if !is_link(el) {
                return None;
            }
            match el.prop("href")? {
                PropValue::String(s) => Some(s.clone()),
                _ => None,
            }
        })
        .collect()
}

/// A link that holds a card's blocks: a heading or a paragraph (`<a><article><h3>`).
fn link_around_blocks(page: &Page, link: NodeIndex) -> bool {
    page.descendants(link).iter().take(64).any(|&(d, _)| {
        page.element(d)
            .and_then(tag)
            .is_some_and(|t| matches!(t, "h2" | "h3" | "h4" | "h5" | "h6" | "p" | "article"))
    })
}

/// The number of cards an element lists: children that each hold a link and a little
/// text (a title, a date, an excerpt), alike in shape. `None` when it lists none.
pub(crate) fn card_list(page: &Page, stats: &Stats, i: NodeIndex) -> Option<usize> {
    let el = page.element(i)?;
    // Only an element lists: a wrapper (a client component, a fragment) is looked through
    // from the element above it, which keeps nested wrappers linear.
    tag(el)?;
    let children = flat_children(page, el);
    if children.len() < 2 {
        return None;
    }
    let cards = children
        .iter()
        .filter(|&&c| {
            let words = stats.words[c as usize];
            // A card holds a link and more (a tag list's items are the links), or is a
            // link around a title and more.
            (!page.element(c).is_some_and(is_link) || link_around_blocks(page, c))
                && stats.links[c as usize] >= 1
                && stats.links[c as usize] <= 6
                && words <= 120
                && (stats.link_words[c as usize] > 0)
        })
        .count();
    // Most children are cards, and the cards share a tag.
    let first_tag = children
        .first()
        .and_then(|&c| page.element(c))
        .and_then(tag);
    let same = children
        .iter()
        .filter(|&&c| page.element(c).and_then(tag) == first_tag)
        .count();
    // Two children far apart in size are a layout's columns (a sidebar beside the text),
    // not two cards.
    let columns = children.len() == 2 && {
        let (a, b) = (
            stats.words[children[0] as usize],
            stats.words[children[1] as usize],
        );
        a.max(b) > 3 * a.min(b) + 5
    };
    (cards >= 2 && !columns && cards * 10 >= children.len() * 7 && same * 10 >= children.len() * 7)
        .then_some(cards)
}

/// The article's title heading. Site headings are not titles: one in navigation, in a
/// footer or sidebar, in the page's own header (outside `<main>` and `<article>`), or one
/// that only links home. Among the others, in this order: an `<h1>` the page's title
/// names; an `<h2>` it names before the body's text; the `<h1>` inside the body, else the
/// nearest before it; the first `<h2>` of the main region before the body.
pub(crate) fn title_heading(
    page: &Page,
    stats: &Stats,
    main: &MainContent,
    titles: &[&str],
) -> Option<NodeIndex> {
    let body = main.body;
    let heading = |i: NodeIndex, want: &str| page.element(i).and_then(tag) == Some(want);
    let is_site_heading = |i: NodeIndex| {
        let inside_content = stats.ancestors(i).any(|a| {
            page.element(a)
                .is_some_and(|el| matches!(tag(el), Some("main" | "article")))
        });
        for a in stats.ancestors(i) {
            let Some(el) = page.element(a) else { continue };
            match tag(el) {
                Some("nav" | "footer" | "aside") => return true,
                // The page's header, unless the main content is inside it.
                Some("header") if !inside_content && !stats.is_ancestor(a, body) => {
                    return true;
                }
                _ => {}
            }
            if is_link(el) || el.str_prop("role") == Some("navigation") {
                return true;
            }
        }
        // A heading that only links home is the site's name.
        if stats.sizes[i as usize] > 64 {
            return false;
        }
        let targets = link_targets(page, i);
        !targets.is_empty() && targets.iter().all(|t| t == "/" || t.is_empty())
    };
    let order_of = |i: NodeIndex| stats.order.iter().position(|&o| o == i);
    let body_at = order_of(body)?;
    let body_end = body_at + stats.sizes[body as usize];
    let region_at = order_of(main.region).unwrap_or(0);
    // Where the body's own text starts: its first paragraph, list or quote (a line of
    // links, "← Back", is not text).
    let text_at = (body_at..body_end)
        .find(|&at| {
            let i = stats.order[at];
            page.element(i)
                .and_then(tag)
                .is_some_and(|t| matches!(t, "p" | "ul" | "ol" | "blockquote" | "pre"))
                && stats.words[i as usize] > 0
                && stats.link_density(i) < 0.6
        })
        .unwrap_or(body_at);
    // A heading the title names: the title holds it (and it is no mere word of the
    // title: "Solution" in "Problem 2818: Solution"), or it holds the title.
    let named_by_title = |i: NodeIndex| {
        let text = super::text::collapse(&page.text_up_to(i, 600));
        let chars = text.chars().count();
        !text.is_empty()
            && titles
                .iter()
                .any(|t| t.contains(&text) && chars * 2 >= t.chars().count() || text.contains(*t))
    };
    let candidates = |want: &'static str| {
        stats
            .order
            .iter()
            .enumerate()
            .filter(move |&(_, &i)| heading(i, want))
            // Pages have a handful; the bound keeps hostile ones linear.
            .take(64)
            .filter(|&(_, &i)| !is_site_heading(i))
            .map(|(at, &i)| (at, i))
    };
    let h1s: Vec<(usize, NodeIndex)> = candidates("h1").collect();
    let near = |&&(at, _): &&(usize, NodeIndex)| at < body_end;
    if let Some(&(_, i)) = h1s.iter().filter(near).find(|&&(_, i)| named_by_title(i)) {
        return Some(i);
    }
    let h2_before_text = |&(at, _): &(usize, NodeIndex)| at >= region_at && at <= text_at;
    if let Some((_, i)) = candidates("h2")
        .filter(h2_before_text)
        .find(|&(_, i)| named_by_title(i))
    {
        return Some(i);
    }
    // A block that is the title, word for word, before the body's text (`<div
    // class="title">`).
    if let Some(i) = (region_at..=text_at.min(stats.order.len().saturating_sub(1)))
        .map(|at| stats.order[at])
        .take(256)
        .find(|&i| {
            page.element(i)
                .and_then(tag)
                .is_some_and(|t| matches!(t, "div" | "p" | "span" | "strong" | "header"))
                && stats.sizes[i as usize] <= 8
                && stats.links[i as usize] == 0
                && {
                    let text = super::text::collapse(&page.text_up_to(i, 600));
                    !text.is_empty() && titles.contains(&text.as_str())
                }
        })
    {
        return Some(i);
    }
    // The body's `<h1>`: the one it starts with, when it has only one (Markdown posts use
    // several as their sections); else the nearest before the body; else an `<h2>`
    // before the body.
    let inside: Vec<&(usize, NodeIndex)> = h1s
        .iter()
        .filter(|(at, _)| (body_at..body_end).contains(at))
        .collect();
    if let [only] = inside.as_slice()
        && only.0 <= text_at
    {
        return Some(only.1);
    }
    if let Some(&(_, i)) = h1s.iter().rev().find(|(at, _)| *at < body_at) {
        return Some(i);
    }
    if let Some((_, i)) = candidates("h2").find(|&(at, _)| at >= region_at && at < body_at) {
        return Some(i);
    }
    // The heading the body opens with, before its text: an `<h1>`; an `<h2>` or `<h3>`
    // above the body's `<h1>` sections, or the only one of its rank (else it is the
    // first section's).
    let opening = (body_at..text_at.min(body_end))
        .take(256)
        .map(|at| (at, stats.order[at]))
        .find(|&(_, i)| {
            page.element(i)
                .and_then(tag)
                .is_some_and(|t| matches!(t, "h1" | "h2" | "h3"))
                && !is_site_heading(i)
        });
    if let Some((at, i)) = opening {
        let rank = match page.element(i).and_then(tag) {
            Some("h2") => "h2",
            Some("h3") => "h3",
            _ => "h1",
        };
        let alone = || {
            candidates(rank)
                .filter(|(a, _)| (body_at..body_end).contains(a) && *a != at)
                .count()
                == 0
        };
        if rank == "h1" || !inside.is_empty() || alone() {
            return Some(i);
        }
    }
    match inside.as_slice() {
        [only] => Some(only.1),
        _ => None,
    }
}

/// A title a client component around the body was given (`title`, `heading`,
/// `headline`): the browser draws it as the heading.
pub(crate) fn title_prop(page: &Page, stats: &Stats, body: NodeIndex) -> Option<String> {
    std::iter::once(body)
        .chain(stats.ancestors(body))
        .filter_map(|a| page.element(a))
        .filter(|el| matches!(el.kind, ElementKind::Client { .. }))
        .find_map(|el| {
            let locale = el.str_prop("locale").or_else(|| el.str_prop("lang"));
            // `title`, `post.title`, and either one per locale (`title.ja`).
            let pick = |value: &PropValue| -> Option<String> {
                match value {
                    PropValue::String(s) => Some(s.clone()),
                    PropValue::Object(entries) => locale.and_then(|l| {
                        entries.iter().find_map(|(k, v)| match v {
                            PropValue::String(s) if k == l => Some(s.clone()),
                            _ => None,
                        })
                    }),
                    _ => None,
                }
            };
            let named = |props: &[(String, PropValue)]| {
                props.iter().find_map(|(k, v)| {
                    matches!(k.as_str(), "title" | "heading" | "headline")
                        .then(|| pick(v))
                        .flatten()
                })
            };
            named(&el.props)
                .or_else(|| {
                    el.props.iter().find_map(|(_, v)| match v {
                        PropValue::Object(entries) => named(entries),
                        _ => None,
                    })
                })
                .map(|t| super::text::collapse(&t))
                .filter(|t| !t.is_empty() && t.chars().count() <= 300)
        })
}
