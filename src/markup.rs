//! What HTML is, in one place: void and block elements, React's escaping, and the
//! readable text of an HTML fragment (html5ever's tokenizer, driven once here). The
//! renderers, the extractors and the page composer all take these facts from here.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// Elements that have no end tag.
pub const VOID_ELEMENTS: [&str; 15] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
];

/// Elements a browser lays out as blocks (they start a line of text, a Markdown block).
const BLOCK_ELEMENTS: [&str; 45] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "iframe",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "video",
];

/// True for an element a browser lays out as a block.
pub fn is_block_element(tag: &str) -> bool {
    BLOCK_ELEMENTS.contains(&tag)
}

/// React's rule for a host element's type (`VALID_TAG_REGEX`): a letter, then letters,
/// digits, `:`, `_`, `.` and `-`. Anything else is refused ("Invalid tag").
pub fn is_valid_tag_name(tag: &str) -> bool {
    let mut chars = tag.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '.' | '-'))
}

/// React's `isAttributeNameSafe`.
pub fn is_attribute_name_safe(name: &str) -> bool {
    let start = |c: char| {
        matches!(c, ':' | 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
            | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
            | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}')
    };
    let mut chars = name.chars();
    chars.next().is_some_and(start)
        && chars.all(|c| {
            start(c) || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
        })
}

/// True for an element that has no end tag.
pub fn is_void(tag: &str) -> bool {
    VOID_ELEMENTS.contains(&tag)
}

/// Tags that close an open `<p>` when they start (HTML's implied end tags).
const CLOSES_P: [&str; 25] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
];

/// True for a tag whose start closes an open `<p>`.
pub fn closes_p(tag: &str) -> bool {
    CLOSES_P.contains(&tag)
}

/// Escapes text and attribute values as React does (`" & ' < >`).
pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
}

/// Elements whose content a reader does not see as text.
pub const UNREAD_ELEMENTS: [&str; 6] = ["script", "style", "template", "noscript", "head", "title"];

/// The class of a diagram's source that a script draws (`<pre class="mermaid">`): a reader
/// sees the drawing, not the source.
pub fn is_diagram_class(class: &str) -> bool {
    class.split_ascii_whitespace().any(|c| c == "mermaid")
}

/// White space runs made one space, ends trimmed.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Appends text; outside `<pre>` its line breaks are spaces.
pub(crate) fn push_text(raw: &mut String, text: &str, keep_lines: bool) {
    if keep_lines {
        raw.push_str(text);
    } else {
        raw.extend(
            text.chars()
                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
        );
    }
}

/// Lines with white space collapsed, empty ones dropped.
pub(crate) fn lines(raw: &str) -> String {
    raw.lines()
        .map(collapse)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The readable text of an HTML fragment (a `dangerouslySetInnerHTML` string).
pub fn html_text(html: &str) -> String {
    let sink = TextSink::default();
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let state = tokenizer.sink.0.into_inner();
    lines(&state.text)
}

#[derive(Default)]
struct TextState {
    text: String,
    /// Inside a script, style … whose text is not read.
    unread: Option<String>,
    /// Open `<pre>` elements.
    pre: usize,
}

#[derive(Default)]
struct TextSink(RefCell<TextState>);

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.0.borrow_mut();
        match token {
            Token::CharacterTokens(t) if state.unread.is_none() => {
                let keep_lines = state.pre > 0;
                push_text(&mut state.text, &t, keep_lines)
            }
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                if name == "pre" {
                    if tag.kind == TagKind::EndTag {
                        state.pre = state.pre.saturating_sub(1);
                    } else {
                        state.pre += 1;
                    }
                }
                if tag.kind == TagKind::EndTag {
                    if state.unread.as_deref() == Some(name) {
                        state.unread = None;
                    }
                } else if state.unread.is_none()
                    && (UNREAD_ELEMENTS.contains(&name)
                        || name == "pre"
                            && tag
                                .attrs
                                .iter()
                                .any(|a| &*a.name.local == "class" && is_diagram_class(&a.value)))
                {
                    state.unread = Some(name.to_string());
                    if matches!(name, "script" | "style") {
                        return TokenSinkResult::RawData(if name == "script" {
                            RawKind::ScriptData
                        } else {
                            RawKind::Rawtext
                        });
                    }
                }
                if is_block_element(name) {
                    state.text.push('\n');
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}
