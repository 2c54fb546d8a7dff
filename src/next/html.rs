//! The flight stream of an App Router HTML page, rebuilt from its inline
//! `self.__next_f.push(…)` scripts exactly as Next's browser runtime does
//! (FLIGHT-FORMAT §4.2; the reference is the oracle's `reassemble.mjs`).
//!
//! Scripts are found with html5ever's tokenizer, so `</script>` inside a comment, an
//! attribute, a `<template>` or a text row that quotes `self.__next_f.push` cannot fool
//! it: only the inline classic scripts a browser would run count.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use crate::error::{Diagnostic, DiagnosticKind};
use crate::flight::Arena;
use crate::flight::value::{Value, parse_plain_prefix};

/// The flight stream rebuilt from a page.
#[derive(Debug, Default)]
pub struct PageFlight {
    /// The bytes Next's runtime hands to React, in order.
    pub bytes: Vec<u8>,
    /// How many `push` entries were read.
    pub pushes: usize,
    /// Problems met (offsets are in the HTML).
    pub diagnostics: Vec<Diagnostic>,
}

/// The inline scripts of a page that a browser would run, with the line each starts on.
pub fn inline_scripts(html: &str) -> Vec<(usize, String)> {
    scan(html).done
}

/// The text of a pages-router page's `<script id="__NEXT_DATA__">` (JSON), if it has one.
pub fn next_data(html: &[u8]) -> Option<String> {
    scan(&String::from_utf8_lossy(html)).next_data
}

fn scan(html: &str) -> ScriptState {
    let sink = ScriptSink::default();
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let sink = tokenizer.sink;
    sink.state.into_inner()
}

/// Rebuilds the flight of an App Router page; `None` when no script mentions
/// `self.__next_f` (a pages-router page, or not Next.js).
pub fn flight_of_page(html: &[u8]) -> Option<PageFlight> {
    let text = String::from_utf8_lossy(html.strip_prefix(b"\xef\xbb\xbf").unwrap_or(html));
    let scripts: Vec<(usize, String)> = inline_scripts(&text)
        .into_iter()
        .filter(|(_, s)| s.contains("self.__next_f"))
        .collect();
    if scripts.is_empty() {
        return None;
    }
    let mut page = PageFlight::default();
    let mut started = false;
    let mut search_from = 0;
    for (_, script) in &scripts {
        // The tokenizer gives lines, not bytes: find the script's text in the page's own
        // bytes to report offsets (not found when invalid UTF-8 was replaced: approximate).
        let offset = memchr::memmem::find(&html[search_from.min(html.len())..], script.as_bytes())
            .map_or(search_from, |i| search_from + i);
        search_from = offset;
        for (at, entry) in pushes(script) {
            let place = (offset + at).min(html.len());
            page.pushes += 1;
            let mut arena = Arena::default();
            let Ok((node, _)) = parse_plain_prefix(&mut arena, entry.as_bytes()) else {
                page.diagnostics.push(Diagnostic::new(
                    place,
                    None,
                    DiagnosticKind::PageScript,
                    "a self.__next_f.push argument that is not JSON: skipped",
                ));
                continue;
            };
            let Value::Array(span) = arena.get(node) else {
                continue;
            };
            let items = arena.items(span);
            let kind = items.first().map(|&k| arena.get(k));
            let data = items.get(1).map(|&d| arena.get(d));
            match (kind, data) {
                (Some(Value::Number("0")), _) => {
                    // A new bootstrap starts a new stream (Next's runtime does the same).
                    started = true;
                    page.bytes.clear();
                }
                (Some(Value::Number(k @ ("1" | "3"))), Some(Value::String(s))) => {
                    if !started {
                        page.diagnostics.push(Diagnostic::new(
                            place,
                            None,
                            DiagnosticKind::PageScript,
                            "data pushed before the [0] bootstrap: Next's runtime throws \
                             \"missing bootstrap script\" and uses none of it; kept here",
                        ));
                        started = true;
                    }
                    if k == "1" {
                        page.bytes.extend_from_slice(s.as_bytes());
                    } else {
                        match base64_decode(s) {
                            Some(bytes) => page.bytes.extend_from_slice(&bytes),
                            None => page.diagnostics.push(Diagnostic::new(
                                place,
                                None,
                                DiagnosticKind::PageScript,
                                "a [3, …] push whose data is not base64: skipped",
                            )),
                        }
                    }
                }
                // [2, form state] is not stream data; other entries are for future runtimes.
                _ => {}
            }
        }
    }
    Some(page)
}

/// Each `self.__next_f….push(` argument of a script: (offset of the argument, text from
/// there on). The argument is a JSON array (Next writes `JSON.stringify` output).
fn pushes(script: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = script[from..].find(".push(") {
        let at = from + i;
        let before = &script[..at];
        if before.ends_with("self.__next_f") || before.ends_with("self.__next_f||[])") {
            found.push((at + 6, &script[at + 6..]));
        }
        from = at + 6;
    }
    found
}

/// Standard base64 with padding, as `atob` reads it (white space ignored).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0;
    for b in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

#[derive(Default)]
struct ScriptState {
    /// Open `<template>`, `<svg>` and `<math>` elements: scripts inside do not run.
    inert: usize,
    /// The script being read: (line of its start tag, runs?, text).
    current: Option<(usize, bool, String)>,
    /// Is the script being read `<script id="__NEXT_DATA__">`?
    reading_next_data: bool,
    done: Vec<(usize, String)>,
    next_data: Option<String>,
}

#[derive(Default)]
struct ScriptSink {
    state: RefCell<ScriptState>,
}

impl TokenSink for ScriptSink {
    type Handle = ();

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        let mut state = self.state.borrow_mut();
        match token {
            Token::CharacterTokens(text) => {
                if let Some((_, _, buf)) = &mut state.current {
                    buf.push_str(&text);
                }
            }
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                let start = tag.kind == TagKind::StartTag;
                match name {
                    "script" if start => {
                        let attr = |n: &str| {
                            tag.attrs
                                .iter()
                                .find(|a| &*a.name.local == n)
                                .map(|a| a.value.to_string())
                        };
                        let classic = attr("type").is_none_or(|t| {
                            let t = t.trim().to_ascii_lowercase();
                            t.is_empty() || t == "text/javascript" || t == "application/javascript"
                        });
                        let runs = state.inert == 0
                            && attr("src").is_none()
                            && attr("nomodule").is_none()
                            && classic;
                        let at = line as usize;
                        if state.inert > 0 {
                            return TokenSinkResult::Continue; // foreign content: not raw text
                        }
                        state.reading_next_data = attr("id").as_deref() == Some("__NEXT_DATA__");
                        state.current = Some((at, runs, String::new()));
                        return TokenSinkResult::RawData(RawKind::ScriptData);
                    }
                    "script" => {
                        if let Some((at, runs, text)) = state.current.take() {
                            if std::mem::take(&mut state.reading_next_data) {
                                state.next_data.get_or_insert(text.clone());
                            }
                            if runs {
                                state.done.push((at, text));
                            }
                        }
                    }
                    "template" | "svg" | "math" if start && !tag.self_closing => state.inert += 1,
                    "template" | "svg" | "math" if !start => {
                        state.inert = state.inert.saturating_sub(1)
                    }
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" if start => {
                        return TokenSinkResult::RawData(RawKind::Rawtext);
                    }
                    "textarea" | "title" if start => {
                        return TokenSinkResult::RawData(RawKind::Rcdata);
                    }
                    "plaintext" if start => return TokenSinkResult::Plaintext,
                    _ => {}
                }
            }
            // A script cut off by the end of the file never runs.
            Token::EOFToken => state.current = None,
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushes_rebuild_the_stream_across_scripts() {
        let html = br#"<html><body><script>(self.__next_f=self.__next_f||[]).push([0]);self.__next_f.push([2,null])</script>
<script>self.__next_f.push([1,"0:[\"$\",\"p\",null,{\"children\":\"\u003c/script\u003e\"}]\n1:T"])</script>
<script nonce="x">self.__next_f.push([1,"3,abc"])</script><script>self.__next_f.push([3,"MjoiXHUwMGU5Igo="])</script></body></html>"#;
        let page = flight_of_page(html).expect("an app router page");
        assert_eq!(page.pushes, 5);
        assert_eq!(
            String::from_utf8(page.bytes).unwrap(),
            "0:[\"$\",\"p\",null,{\"children\":\"</script>\"}]\n1:T3,abc2:\"\\u00e9\"\n"
        );
        assert!(page.diagnostics.is_empty());
    }

    #[test]
    fn scripts_in_templates_comments_and_text_do_not_count() {
        let html = br#"<template><script>self.__next_f.push([1,"x"])</script></template>
<!-- <script>self.__next_f.push([1,"y"])</script> -->
<textarea><script>self.__next_f.push([1,"z"])</script></textarea>
<script src="a.js">self.__next_f.push([1,"w"])</script>"#;
        assert!(flight_of_page(html).is_none());
    }

    #[test]
    fn data_before_the_bootstrap_is_kept_and_reported() {
        let page = flight_of_page(br#"<script>self.__next_f.push([1,"0:1\n"])</script>"#).unwrap();
        assert_eq!(page.bytes, b"0:1\n");
        assert_eq!(page.diagnostics.len(), 1);
    }
}

#[cfg(test)]
mod next_data_tests {
    use super::*;

    #[test]
    fn next_data_is_found_by_its_script_id_only() {
        let page = br#"<p>__NEXT_DATA__ in text</p><script id="__NEXT_DATA__" type="application/json">{"buildId":"b1"}</script>"#;
        assert_eq!(next_data(page).as_deref(), Some(r#"{"buildId":"b1"}"#));
        assert_eq!(
            next_data(b"<p>__NEXT_DATA__ is only mentioned here</p>"),
            None
        );
    }
}
