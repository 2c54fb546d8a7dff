//! Text as a reader sees it: white space collapsed, block elements on lines of their
//! own, `dangerouslySetInnerHTML` content read as the HTML it is.

use std::collections::HashMap;

use crate::markup::{
    UNREAD_ELEMENTS, is_block_element as is_block, is_diagram_class, lines, push_text,
};
pub use crate::markup::{collapse, html_text};
use crate::next::page::{ElementKind, NodeIndex, Page, PageElement, PageNode};
use crate::render::html::inner_html;

/// An element whose content is not read: a script, a style … or Next's `Script`.
pub(crate) fn is_unread(page: &Page, el: &PageElement) -> bool {
    match &el.kind {
        ElementKind::Host(tag) => {
            UNREAD_ELEMENTS.contains(&tag.as_str())
                || tag == "pre" && el.str_prop("className").is_some_and(is_diagram_class)
        }
        _ => crate::render::html::is_next_script(page, el),
    }
}

/// Words as a reader counts them: runs of letters between white space, and every Chinese
/// or Japanese character (ideographs and kana, which are written without spaces) a word
/// of its own. Korean words are spaced, so Hangul runs count as words.
pub fn word_count(text: &str) -> usize {
    let mut count = 0;
    for token in text.split_whitespace() {
        let mut in_run = false;
        for c in token.chars() {
            if is_cjk(c) {
                count += 1;
                in_run = false;
            } else if !in_run {
                count += 1;
                in_run = true;
            }
        }
    }
    count
}

/// A Chinese ideograph or a Japanese kana.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0x20000..=0x2fa1f)
}

/// True when the node is an `<h1>` … `<h6>`.
pub(crate) fn is_heading(page: &Page, index: NodeIndex) -> bool {
    matches!(page.element(index).map(|e| &e.kind),
        Some(ElementKind::Host(t)) if t.len() == 2 && t.starts_with('h') && t.as_bytes()[1].is_ascii_digit())
}

/// The readable text of a node: one line per block, white space collapsed.
pub fn readable_text(page: &Page, index: NodeIndex) -> String {
    readable_text_with(page, index, &HashMap::new())
}

/// The same, with the text of elements whose HTML strings were read already.
pub(crate) fn readable_text_with(
    page: &Page,
    index: NodeIndex,
    inner_texts: &HashMap<NodeIndex, String>,
) -> String {
    let mut raw = String::new();
    enum Step {
        Node(NodeIndex),
        Break,
        LeavePre,
    }
    // Inside <pre>, line breaks in text are lines; elsewhere they are white space.
    let mut pre = 0usize;
    let mut stack = vec![Step::Node(index)];
    while let Some(step) = stack.pop() {
        let index = match step {
            Step::Break => {
                raw.push('\n');
                continue;
            }
            Step::LeavePre => {
                pre -= 1;
                continue;
            }
            Step::Node(i) => i,
        };
        match page.node(index) {
            PageNode::Text(t) => push_text(&mut raw, t, pre > 0),
            PageNode::Element(el) => {
                if is_unread(page, el) {
                    continue;
                }
                if let ElementKind::Host(tag) = &el.kind {
                    if is_block(tag) {
                        raw.push('\n');
                        stack.push(Step::Break);
                    }
                    if tag == "pre" {
                        pre += 1;
                        stack.push(Step::LeavePre);
                    }
                    if let Some(html) = inner_html(el) {
                        match inner_texts.get(&index) {
                            Some(text) => raw.push_str(text),
                            None => raw.push_str(&html_text(html)),
                        }
                        continue;
                    }
                }
                stack.extend(el.children.iter().rev().map(|&c| Step::Node(c)));
            }
            PageNode::Pending | PageNode::Error { .. } => {}
        }
    }
    lines(&raw)
}

/// Whether a short text reads as a date: a year from 1990 to 2099 with a month (a name,
/// a number beside it, `年`/`月`, `년`/`월`).
pub(crate) fn looks_like_date(text: &str) -> bool {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 60 {
        return false;
    }
    let bytes = text.as_bytes();
    let year = (0..bytes.len().saturating_sub(3)).find(|&i| {
        bytes[i..i + 4].iter().all(u8::is_ascii_digit)
            && (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit())
            && matches!(&text[i..i + 2], "19" | "20")
    });
    let Some(at) = year else { return false };
    let lower = text.to_ascii_lowercase();
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let named = MONTHS.iter().any(|m| lower.contains(m));
    let cjk =
        text.contains('年') || text.contains('月') || text.contains('년') || text.contains('월');
    // 2023-10-11, 2023/10/11, 2023.10.11, 11.10.2023
    let numeric = bytes
        .get(at + 4)
        .is_some_and(|b| matches!(b, b'-' | b'/' | b'.'))
        && bytes.get(at + 5).is_some_and(u8::is_ascii_digit)
        || at >= 2 && matches!(bytes[at - 1], b'-' | b'/' | b'.') && bytes[at - 2].is_ascii_digit();
    named || cjk || numeric
}

/// Whether a short text is a date and nothing else (`Jan 28, 2025`, `2024年9月23日`,
/// `Monday, 3 March 2025`): a sentence that mentions a date is not one.
pub(crate) fn is_date_only(text: &str) -> bool {
    const NAMES: [&str; 19] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "mon", "tue", "wed", "thu", "fri", "sat",
    ];
    let date_word = |word: &str| {
        let lower = word.to_lowercase();
        let letters = lower.trim_start_matches(|c: char| c.is_ascii_digit());
        letters.is_empty()
            || matches!(letters, "st" | "nd" | "rd" | "th" | "sun" | "sunday")
            || lower
                .chars()
                .all(|c| c.is_ascii_digit() || "年月日년월일号號".contains(c))
            || NAMES
                .iter()
                .any(|n| letters.starts_with(n) && letters.len() <= 9 && letters.len() >= 3)
    };
    looks_like_date(text)
        && text
            .split(|c: char| c.is_whitespace() || ",./-:·•|".contains(c))
            .filter(|w| !w.is_empty())
            .all(date_word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_every_script() {
        assert_eq!(word_count("two words"), 2);
        assert_eq!(word_count("中文博客"), 4);
        assert_eq!(word_count("Next.js的博客 ok"), 5);
        assert_eq!(word_count("日本語のテキスト"), 8);
        assert_eq!(word_count("한국어 문장입니다"), 2);
    }

    #[test]
    fn inner_html_reads_as_lines() {
        assert_eq!(
            html_text(
                "<h2>One</h2><p>two <b>three</b>\n  four</p><script>no()</script><ul><li>five</li></ul>"
            ),
            "One\ntwo three four\nfive"
        );
        assert_eq!(
            html_text("<p>one</p><pre class=\"mermaid\">graph TD\nA --> B</pre><p>two</p>"),
            "one\ntwo"
        );
    }
}
