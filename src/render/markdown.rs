//! HTML as CommonMark (with GFM tables and strikethrough), for an article's body (its
//! front matter and title are the article's own: `extract::Article::write_markdown`). What Markdown cannot say (a video, a
//! table with merged cells, `<sup>`, `<details>` …) is kept as HTML, never dropped.
//! Links and images are resolved against the article's canonical URL.

use std::cell::RefCell;
use std::fmt::Write;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use crate::markup::{closes_p, escape_into, is_block_element, is_void};

/// What to say about where an article came from.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownOptions<'a> {
    /// The input it was read from (a path or URL), for the front matter.
    pub source: Option<&'a str>,
}

/// A YAML double-quoted scalar (JSON's string syntax is valid YAML).
pub(crate) fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// Converts an HTML fragment to Markdown blocks, links resolved against `base`.
pub fn html_to_markdown(html: &str, base: Option<&str>) -> String {
    let fragment = Fragment::parse(html);
    let mut writer = MarkdownWriter {
        fragment: &fragment,
        base,
        out: String::new(),
    };
    writer.blocks(&fragment.roots, 0);
    let mut text = writer.out.trim_end().to_string();
    text.push('\n');
    // At most one blank line between blocks.
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text
}

// ---------------------------------------------------------------------------------------
// A small DOM of the fragment.

#[derive(Debug)]
enum FNode {
    Element {
        tag: String,
        attrs: Vec<(String, String)>,
        children: Vec<usize>,
    },
    Text(String),
}

struct Fragment {
    nodes: Vec<FNode>,
    roots: Vec<usize>,
}

#[derive(Default)]
struct FragmentBuilder {
    nodes: Vec<FNode>,
    roots: Vec<usize>,
    open: Vec<usize>,
    /// How many elements of each name are open.
    open_count: std::collections::HashMap<String, usize>,
    raw: bool,
}

impl FragmentBuilder {
    fn add(&mut self, node: FNode) -> usize {
        let index = self.nodes.len();
        self.nodes.push(node);
        match self.open.last() {
            Some(&parent) => {
                if let FNode::Element { children, .. } = &mut self.nodes[parent] {
                    children.push(index);
                }
            }
            None => self.roots.push(index),
        }
        index
    }

    fn open_tag(&self, i: usize) -> &str {
        match &self.nodes[i] {
            FNode::Element { tag, .. } => tag,
            FNode::Text(_) => "",
        }
    }

    fn close(&mut self, name: &str) {
        // A stray end tag (none open by that name) costs nothing, not a scan.
        if self.open_count.get(name).copied().unwrap_or(0) == 0 {
            return;
        }
        if let Some(at) = self.open.iter().rposition(|&i| self.open_tag(i) == name) {
            self.truncate(at);
        }
    }

    fn truncate(&mut self, at: usize) {
        for i in self.open.split_off(at) {
            let tag = self.open_tag(i).to_string();
            if let Some(count) = self.open_count.get_mut(&tag) {
                *count = count.saturating_sub(1);
            }
        }
    }

    fn push_open(&mut self, index: usize, name: &str) {
        self.open.push(index);
        *self.open_count.entry(name.to_string()).or_insert(0) += 1;
    }
}

struct FragmentSink(RefCell<FragmentBuilder>);

impl TokenSink for FragmentSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut b = self.0.borrow_mut();
        match token {
            Token::CharacterTokens(text) => {
                // Adjacent text joins (the tokenizer splits it at entities).
                let last = b.open.last().and_then(|&p| match &b.nodes[p] {
                    FNode::Element { children, .. } => children.last().copied(),
                    FNode::Text(_) => None,
                });
                if let Some(last) = last
                    && let FNode::Text(t) = &mut b.nodes[last]
                {
                    t.push_str(&text);
                    return TokenSinkResult::Continue;
                }
                b.add(FNode::Text(text.to_string()));
            }
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                if tag.kind == TagKind::EndTag {
                    b.raw = false;
                    b.close(&name);
                    return TokenSinkResult::Continue;
                }
                if closes_p(name.as_str()) && b.open.last().is_some_and(|&i| b.open_tag(i) == "p") {
                    let at = b.open.len() - 1;
                    b.truncate(at);
                }
                if name == "li" {
                    // A new item closes the open one of the same list (looked for among
                    // the last few open elements: items do not nest deep inside items).
                    let from = b.open.len().saturating_sub(16);
                    if let Some(at) = b.open[from..]
                        .iter()
                        .rposition(|&i| matches!(b.open_tag(i), "li" | "ul" | "ol"))
                        .map(|at| from + at)
                        && b.open_tag(b.open[at]) == "li"
                    {
                        b.truncate(at);
                    }
                }
                let attrs = tag
                    .attrs
                    .iter()
                    .map(|a| (a.name.local.to_string(), a.value.to_string()))
                    .collect();
                let index = b.add(FNode::Element {
                    tag: name.clone(),
                    attrs,
                    children: Vec::new(),
                });
                if !is_void(name.as_str()) && !tag.self_closing {
                    b.push_open(index, &name);
                }
                match name.as_str() {
                    "script" => return TokenSinkResult::RawData(RawKind::ScriptData),
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                        return TokenSinkResult::RawData(RawKind::Rawtext);
                    }
                    "textarea" | "title" => return TokenSinkResult::RawData(RawKind::Rcdata),
                    _ => {}
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

impl Fragment {
    fn parse(html: &str) -> Fragment {
        let tokenizer = Tokenizer::new(
            FragmentSink(RefCell::new(FragmentBuilder::default())),
            TokenizerOpts::default(),
        );
        let queue = BufferQueue::default();
        queue.push_back(StrTendril::from_slice(html));
        let _ = tokenizer.feed(&queue);
        tokenizer.end();
        let b = tokenizer.sink.0.into_inner();
        Fragment {
            nodes: b.nodes,
            roots: b.roots,
        }
    }

    fn attr(&self, i: usize, name: &str) -> Option<&str> {
        match &self.nodes[i] {
            FNode::Element { attrs, .. } => attrs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str()),
            FNode::Text(_) => None,
        }
    }

    fn tag(&self, i: usize) -> Option<&str> {
        match &self.nodes[i] {
            FNode::Element { tag, .. } => Some(tag),
            FNode::Text(_) => None,
        }
    }

    fn children(&self, i: usize) -> &[usize] {
        match &self.nodes[i] {
            FNode::Element { children, .. } => children,
            FNode::Text(_) => &[],
        }
    }

    /// The subtree written back as HTML (for what Markdown cannot say).
    fn outer_html(&self, i: usize, out: &mut String) {
        let mut stack: Vec<Result<usize, &str>> = vec![Ok(i)];
        while let Some(step) = stack.pop() {
            match step {
                Err(tag) => {
                    let _ = write!(out, "</{tag}>");
                }
                Ok(n) => match &self.nodes[n] {
                    FNode::Text(t) => escape_into(t, out),
                    FNode::Element {
                        tag,
                        attrs,
                        children,
                    } => {
                        out.push('<');
                        out.push_str(tag);
                        for (k, v) in attrs {
                            out.push(' ');
                            out.push_str(k);
                            out.push_str("=\"");
                            escape_into(v, out);
                            out.push('"');
                        }
                        out.push('>');
                        if !is_void(tag.as_str()) {
                            stack.push(Err(tag));
                            stack.extend(children.iter().rev().map(|&c| Ok(c)));
                        }
                    }
                },
            }
        }
    }

    /// The text below a node.
    fn text(&self, i: usize) -> String {
        let mut text = String::new();
        let mut stack = vec![i];
        while let Some(n) = stack.pop() {
            match &self.nodes[n] {
                FNode::Text(t) => text.push_str(t),
                FNode::Element { children, .. } => stack.extend(children.iter().rev()),
            }
        }
        text
    }
}

// ---------------------------------------------------------------------------------------
// Markdown.

/// Deeper nesting is written as HTML (Markdown has no use for it, and the stack stays
/// bounded).
const MAX_DEPTH: usize = 64;

/// Elements kept as HTML.
const KEEP_AS_HTML: [&str; 14] = [
    "video", "audio", "iframe", "details", "svg", "math", "object", "embed", "canvas", "form",
    "dl", "sup", "sub", "kbd",
];

struct MarkdownWriter<'f> {
    fragment: &'f Fragment,
    base: Option<&'f str>,
    out: String,
}

impl MarkdownWriter<'_> {
    fn is_block(&self, i: usize) -> bool {
        self.fragment.tag(i).is_some_and(is_block_element)
    }

    /// Writes nodes as blocks, each followed by a blank line. Runs of inline content
    /// between blocks form paragraphs.
    fn blocks(&mut self, nodes: &[usize], depth: usize) {
        let mut inline_run: Vec<usize> = Vec::new();
        for &n in nodes {
            if self.is_block(n)
                || self
                    .fragment
                    .tag(n)
                    .is_some_and(|t| KEEP_AS_HTML.contains(&t) && is_block_element(t))
            {
                self.paragraph(&inline_run);
                inline_run.clear();
                self.block(n, depth);
            } else {
                inline_run.push(n);
            }
        }
        self.paragraph(&inline_run);
    }

    fn paragraph(&mut self, nodes: &[usize]) {
        let text = self.inline(nodes);
        let text = guard_line_starts(text.trim());
        if !text.is_empty() {
            self.out.push_str(&text);
            self.out.push_str("\n\n");
        }
    }

    fn block(&mut self, n: usize, depth: usize) {
        let f = self.fragment;
        let Some(tag) = f.tag(n) else { return };
        if depth > MAX_DEPTH || KEEP_AS_HTML.contains(&tag) {
            let mut html = String::new();
            f.outer_html(n, &mut html);
            self.out.push_str(&html);
            self.out.push_str("\n\n");
            return;
        }
        let children = f.children(n).to_vec();
        match tag {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = (tag.as_bytes()[1] - b'0') as usize;
                let text = self.inline(&children);
                let _ = write!(self.out, "{} {}\n\n", "#".repeat(level), text.trim());
            }
            "p" => self.paragraph(&children),
            "hr" => self.out.push_str("---\n\n"),
            "pre" => self.code_block(n),
            "ul" | "ol" => self.list(n, depth),
            "blockquote" => {
                let mut inner = MarkdownWriter {
                    fragment: f,
                    base: self.base,
                    out: String::new(),
                };
                inner.blocks(&children, depth + 1);
                for line in inner.out.trim_end().lines() {
                    if line.is_empty() {
                        self.out.push_str(">\n");
                    } else {
                        let _ = writeln!(self.out, "> {line}");
                    }
                }
                self.out.push('\n');
            }
            "table" => self.table(n),
            "figure" => {
                self.blocks(&children, depth + 1);
            }
            "figcaption" => {
                let text = self.inline(&children);
                if !text.trim().is_empty() {
                    let _ = write!(self.out, "*{}*\n\n", text.trim());
                }
            }
            _ => self.blocks(&children, depth + 1),
        }
    }

    fn code_block(&mut self, pre: usize) {
        let f = self.fragment;
        let code = f
            .children(pre)
            .iter()
            .copied()
            .find(|&c| f.tag(c) == Some("code"));
        let class = code
            .and_then(|c| f.attr(c, "class"))
            .or_else(|| f.attr(pre, "class"))
            .unwrap_or_default();
        let lang = class
            .split_ascii_whitespace()
            .find_map(|c| {
                c.strip_prefix("language-")
                    .or_else(|| c.strip_prefix("lang-"))
            })
            .unwrap_or_default();
        let text = f.text(pre);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
        let _ = write!(self.out, "{fence}{lang}\n{text}\n{fence}\n\n");
    }

    fn list(&mut self, list: usize, depth: usize) {
        let f = self.fragment;
        let ordered = f.tag(list) == Some("ol");
        let mut number: i64 = f
            .attr(list, "start")
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(1);
        // What a list holds besides items (text, a stray link) follows it, not lost.
        let mut stray: Vec<usize> = Vec::new();
        for &item in f.children(list) {
            if f.tag(item) != Some("li") {
                stray.push(item);
                continue;
            }
            let marker = if ordered {
                // CommonMark reads up to nine digits, none negative.
                let m = format!("{}. ", number.clamp(0, 999_999_999));
                number = number.saturating_add(1);
                m
            } else {
                "- ".to_string()
            };
            let mut inner = MarkdownWriter {
                fragment: f,
                base: self.base,
                out: String::new(),
            };
            inner.blocks(f.children(item), depth + 1);
            let body = inner.out.trim_end().to_string();
            let indent = " ".repeat(marker.len());
            let lines: Vec<&str> = body.lines().collect();
            // A blank line before a nested list would make the list loose: leave it out.
            let is_marker = |l: &str| {
                let l = l.trim_start();
                l.starts_with("- ")
                    || l.split_once(". ").is_some_and(|(n, _)| {
                        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
                    })
            };
            let mut first = true;
            for (k, line) in lines.iter().enumerate() {
                if line.is_empty() && lines.get(k + 1).is_some_and(|next| is_marker(next)) {
                    continue;
                }
                if first {
                    let _ = writeln!(self.out, "{marker}{line}");
                    first = false;
                } else if line.is_empty() {
                    self.out.push('\n');
                } else {
                    let _ = writeln!(self.out, "{indent}{line}");
                }
            }
            if first {
                let _ = writeln!(self.out, "{}", marker.trim_end());
            }
        }
        self.out.push('\n');
        self.blocks(&stray, depth + 1);
    }

    /// A GFM table when every row is plain cells; HTML otherwise.
    fn table(&mut self, table: usize) {
        let f = self.fragment;
        let mut rows: Vec<usize> = Vec::new();
        let mut stack: Vec<usize> = f.children(table).iter().rev().copied().collect();
        while let Some(n) = stack.pop() {
            match f.tag(n) {
                Some("tr") => rows.push(n),
                Some("thead" | "tbody" | "tfoot") => stack.extend(f.children(n).iter().rev()),
                _ => {}
            }
        }
        let cells = |row: usize| -> Vec<usize> {
            f.children(row)
                .iter()
                .copied()
                .filter(|&c| matches!(f.tag(c), Some("td" | "th")))
                .collect()
        };
        // A caption (and anything else that is not a row) goes before the table.
        let extra: Vec<usize> = f
            .children(table)
            .iter()
            .copied()
            .filter(|&c| {
                !matches!(
                    f.tag(c),
                    Some("tr" | "thead" | "tbody" | "tfoot" | "colgroup" | "col")
                )
            })
            .collect();
        let simple = !rows.is_empty()
            && rows.iter().all(|&r| {
                cells(r).iter().all(|&c| {
                    f.attr(c, "colspan").is_none_or(|s| s == "1")
                        && f.attr(c, "rowspan").is_none_or(|s| s == "1")
                        && !f.children(c).iter().any(|&x| self.is_block(x))
                })
            });
        if !simple {
            let mut html = String::new();
            f.outer_html(table, &mut html);
            self.out.push_str(&html);
            self.out.push_str("\n\n");
            return;
        }
        let captions: Vec<usize> = extra
            .iter()
            .copied()
            .filter(|&c| f.tag(c) == Some("caption"))
            .collect();
        for caption in captions {
            let text = self.inline(f.children(caption));
            if !text.trim().is_empty() {
                let _ = write!(self.out, "*{}*\n\n", text.trim());
            }
        }
        let others: Vec<usize> = extra
            .into_iter()
            .filter(|&c| f.tag(c) != Some("caption"))
            .collect();
        self.blocks(&others, 1);
        let width = rows.iter().map(|&r| cells(r).len()).max().unwrap_or(0);
        for (i, &row) in rows.iter().enumerate() {
            let mut line = String::from("|");
            let row_cells = cells(row);
            for c in 0..width {
                let text = row_cells
                    .get(c)
                    .map(|&cell| self.inline(f.children(cell)).trim().to_string())
                    .unwrap_or_default();
                let _ = write!(line, " {text} |");
            }
            self.out.push_str(&line);
            self.out.push('\n');
            if i == 0 {
                self.out.push('|');
                for _ in 0..width {
                    self.out.push_str(" --- |");
                }
                self.out.push('\n');
            }
        }
        self.out.push('\n');
    }

    /// Inline content as one line of Markdown (white space collapsed).
    fn inline(&self, nodes: &[usize]) -> String {
        let mut out = String::new();
        for &n in nodes {
            self.inline_node(n, &mut out, 0);
        }
        out
    }

    fn inline_node(&self, n: usize, out: &mut String, depth: usize) {
        let f = self.fragment;
        let tag = match &f.nodes[n] {
            FNode::Text(t) => {
                let collapsed = collapse_spaces(t);
                out.push_str(&escape_inline(&collapsed));
                return;
            }
            FNode::Element { tag, .. } => tag.as_str(),
        };
        if depth > MAX_DEPTH || KEEP_AS_HTML.contains(&tag) {
            f.outer_html(n, out);
            return;
        }
        let children = f.children(n);
        let inner = |out: &mut String| {
            for &c in children {
                self.inline_node(c, out, depth + 1);
            }
        };
        match tag {
            "strong" | "b" => wrap(out, "**", inner),
            "em" | "i" => wrap(out, "*", inner),
            "del" | "s" | "strike" => wrap(out, "~~", inner),
            "code" => {
                let text = f.text(n);
                let ticks = "`".repeat(longest_run(&text, '`') + 1);
                let pad = if text.starts_with('`') || text.ends_with('`') {
                    " "
                } else {
                    ""
                };
                let _ = write!(out, "{ticks}{pad}{text}{pad}{ticks}");
            }
            "br" => out.push_str("\\\n"),
            "a" => {
                let mut text = String::new();
                inner(&mut text);
                match f.attr(n, "href").filter(|href| !is_active_url(href)) {
                    Some(href) => {
                        let url = resolve(self.base, href);
                        let _ = write!(out, "[{}]({})", text.trim(), link_destination(&url));
                    }
                    // No link (or one that runs code when followed): its text.
                    None => out.push_str(&text),
                }
            }
            "img" => {
                // One line: a blank line in the alt text would end the image.
                let alt = collapse_spaces(f.attr(n, "alt").unwrap_or_default());
                let alt = alt.trim();
                if let Some(src) = f.attr(n, "src").filter(|src| !is_active_url(src)) {
                    let url = resolve(self.base, src);
                    let _ = write!(out, "![{}]({})", escape_inline(alt), link_destination(&url));
                }
            }
            "script" | "style" | "template" | "noscript" => {}
            _ => inner(out),
        }
    }
}

/// The longest run of `c` in `text`.
fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for ch in text.chars() {
        if ch == c {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

fn wrap(out: &mut String, mark: &str, inner: impl Fn(&mut String)) {
    let mut text = String::new();
    inner(&mut text);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        out.push_str(&text);
        return;
    }
    // Emphasis cannot start or end with white space: keep it outside the marks.
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[text.trim_end().len()..];
    let _ = write!(out, "{lead}{mark}{trimmed}{mark}{trail}");
}

fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// Escapes what Markdown would read as markup in plain text (an `&` that would start an
/// entity too: the text `&copy;` stays text).
pub(crate) fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let entity = c == '&' && {
            let rest = &text[i + 1..];
            let name = rest
                .bytes()
                .take(32)
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
                .count();
            name > 0 && rest.as_bytes().get(name) == Some(&b';')
        };
        if entity
            || matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
            )
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes what would start a block at the start of a line of a paragraph: a list item
/// (`- `, `+ `, `1. `), a setext underline (`===`, `---`). Escaped text never starts the
/// others (`#`, `>`, fences, `<`).
fn guard_line_starts(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let indent = line.len() - line.trim_start().len();
        let (lead, rest) = line.split_at(indent);
        out.push_str(lead);
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if rest.starts_with(['-', '+', '=']) {
            out.push('\\');
            out.push_str(rest);
        } else if digits > 0 && rest[digits..].starts_with(['.', ')']) {
            out.push_str(&rest[..digits]);
            out.push('\\');
            out.push_str(&rest[digits..]);
        } else {
            out.push_str(rest);
        }
    }
    out
}

/// A URL that runs code when followed: `javascript:`, `vbscript:`, `data:text/html`
/// (schemes compared as a browser does, without case, white space or control characters).
fn is_active_url(url: &str) -> bool {
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    scheme.starts_with("javascript:")
        || scheme.starts_with("vbscript:")
        || scheme.starts_with("data:text/html")
}

/// A link destination that cannot end early or break the line: white space, control
/// characters, `<`, `>`, parentheses and backslashes percent-encoded.
fn link_destination(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '(' | ')' | '\\') {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Resolves a reference against a base URL (RFC 3986, the common cases).
pub fn resolve(base: Option<&str>, reference: &str) -> String {
    let reference = reference.trim();
    let Some(base) = base.filter(|b| b.contains("://")) else {
        return reference.to_string();
    };
    if reference.contains("://")
        || reference.starts_with("mailto:")
        || reference.starts_with("tel:")
        || reference.starts_with("data:")
        || reference.is_empty()
    {
        return reference.to_string();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let path = rest[authority_end..].split(['?', '#']).next().unwrap_or("");
    if let Some(r) = reference.strip_prefix("//") {
        return format!("{scheme}://{r}");
    }
    if reference.starts_with('#') || reference.starts_with('?') {
        let without = base.split('#').next().unwrap_or(base);
        let without = if reference.starts_with('?') {
            without.split('?').next().unwrap_or(without)
        } else {
            without
        };
        return format!("{without}{reference}");
    }
    let joined = if reference.starts_with('/') {
        reference.to_string()
    } else {
        let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        format!("{}{reference}", if dir.is_empty() { "/" } else { dir })
    };
    // Remove dot segments.
    let (joined_path, suffix) = match joined.find(['?', '#']) {
        Some(i) => (&joined[..i], &joined[i..]),
        None => (joined.as_str(), ""),
    };
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = joined_path.split('/').collect();
    for (i, seg) in parts.iter().enumerate() {
        match *seg {
            "." => {
                if i == parts.len() - 1 {
                    segments.push("");
                }
            }
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
                if i == parts.len() - 1 {
                    segments.push("");
                }
            }
            s => segments.push(s),
        }
    }
    let mut path = segments.join("/");
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    format!("{scheme}://{authority}{path}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_inlines() {
        let md = html_to_markdown(
            "<h2>Title</h2><p>Some <strong>bold</strong> and <em>em</em> with <code>a`b</code> and <a href=\"/x\">a link</a>.</p><ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul><pre><code class=\"language-rust\">fn main() {}\n</code></pre><blockquote><p>quoted</p></blockquote><table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2|3</td></tr></table><p>x<sup>2</sup></p>",
            Some("https://example.com/blog/post"),
        );
        assert_eq!(
            md,
            "## Title\n\nSome **bold** and *em* with ``a`b`` and [a link](https://example.com/x).\n\n- one\n- two\n  - nested\n\n```rust\nfn main() {}\n```\n\n> quoted\n\n| a | b |\n| --- | --- |\n| 1 | 2\\|3 |\n\nx<sup>2</sup>\n"
        );
    }

    #[test]
    fn urls_resolve_against_the_base() {
        let base = Some("https://example.com/a/b/c?q=1");
        assert_eq!(resolve(base, "d"), "https://example.com/a/b/d");
        assert_eq!(resolve(base, "../d"), "https://example.com/a/d");
        assert_eq!(resolve(base, "/d?x#y"), "https://example.com/d?x#y");
        assert_eq!(
            resolve(base, "//cdn.example.com/i.png"),
            "https://cdn.example.com/i.png"
        );
        assert_eq!(resolve(base, "#top"), "https://example.com/a/b/c?q=1#top");
        assert_eq!(resolve(base, "mailto:a@b.c"), "mailto:a@b.c");
        assert_eq!(resolve(None, "/d"), "/d");
    }

    #[test]
    fn text_that_looks_like_markup_is_escaped() {
        assert_eq!(
            html_to_markdown("<p>**not bold** [x] #1</p>", None),
            "\\*\\*not bold\\*\\* \\[x\\] \\#1\n"
        );
    }
}
