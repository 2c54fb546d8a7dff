//! What a Next.js HTML page carries besides its markup: the flight stream rebuilt from
//! its inline `self.__next_f.push(…)` scripts exactly as Next's browser runtime does
//! (docs/FLIGHT-FORMAT.md §4.2), the pages
//! router's `__NEXT_DATA__`, the `self.__next_s` scripts and the page's asset tags.
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
use crate::next::images::ImageOptimizer;

/// The flight stream rebuilt from a page.
#[derive(Debug, Clone, Default)]
pub struct PageFlight {
    /// The bytes Next's runtime hands to React, in order.
    pub bytes: Vec<u8>,
    /// How many `push` entries were read.
    pub pushes: usize,
    /// Problems met (offsets are in the HTML).
    pub diagnostics: Vec<Diagnostic>,
}

/// Everything Next.js-specific an HTML page carries, read in one pass.
#[derive(Debug, Clone, Default)]
pub struct HtmlPage {
    /// The flight stream of an App Router page; `None` when no script mentions
    /// `self.__next_f`.
    pub flight: Option<PageFlight>,
    /// The text of `<script id="__NEXT_DATA__">` (pages router), if present.
    pub next_data: Option<String>,
    /// `next/script` scripts with `strategy="beforeInteractive"` (`self.__next_s`).
    pub before_interactive: Vec<BeforeInteractiveScript>,
    /// Stylesheets (`<link rel="stylesheet">`) and script files (`<script src>`), in
    /// document order.
    pub assets: HtmlAssets,
    /// The title, meta and link elements of the page's `<head>`, in order. Servers
    /// insert some that the flight never carries (`useServerInsertedHTML`, tracing).
    pub head_tags: Vec<HtmlHeadTag>,
    /// `<html lang>`.
    pub lang: Option<String>,
}

/// A `<title>`, `<meta>` or `<link>` of a page's `<head>`, as the HTML writes it
/// (attribute names in lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlHeadTag {
    /// `title`, `meta` or `link`.
    pub tag: String,
    /// The attributes, in order.
    pub attributes: Vec<(String, String)>,
    /// A title's text.
    pub text: Option<String>,
}

/// Asset URLs an HTML page loads, as written in its tags.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HtmlAssets {
    /// `href`s of stylesheets.
    pub css: Vec<String>,
    /// `src`s of scripts.
    pub js: Vec<String>,
    /// The image optimiser the page's `<img srcset>` and image preloads go through.
    pub images: Option<ImageOptimizer>,
}

/// A script queued with `(self.__next_s=self.__next_s||[]).push([src, props])`: Next's
/// `beforeInteractive` scripts, loaded before hydration.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BeforeInteractiveScript {
    /// The script's URL; `None` for an inline script (its code is `props.children`).
    pub src: Option<String>,
    /// The attributes (and `children` for inline code), as Next wrote them.
    pub props: serde_json::Value,
}

/// Reads a page: flight, `__NEXT_DATA__`, `__next_s` scripts and assets.
///
/// A big page is mostly push scripts, and memory, not computing, bounds reading it: so
/// the fast lane reads each push body once, while it is in the processor's cache —
/// checks it, sets it aside and unescapes its flight data — instead of walking the whole
/// page once per step. The flight assembled that way is kept when the page holds no
/// other script that feeds `self.__next_f` (else it is assembled again from every script
/// in order, which is what it means).
pub fn read_page(html: &[u8]) -> HtmlPage {
    let page = html.strip_prefix(b"\xef\xbb\xbf").unwrap_or(html);
    let mut assembler = FlightAssembler::new(html);
    let mut next_s_in_bodies = false;
    let Some(scanned) = scan_with_pushes_set_aside(page, |body| {
        assembler.script(body);
        next_s_in_bodies |= NEXT_S.find(body.as_bytes()).is_some();
    }) else {
        return read_page_with_tokenizer(html);
    };
    let scripts = scanned.scripts();
    // The tokenizer's own scripts are copies; only bodies set aside lie in the page.
    let set_aside = |script: &str| page.as_ptr_range().contains(&script.as_ptr());
    let before_interactive = scripts
        .iter()
        .filter(|(_, script)| next_s_in_bodies || !set_aside(script))
        .flat_map(|(_, script)| next_s_pushes(script))
        .collect();
    let others_feed_the_flight = scripts
        .iter()
        .any(|(_, script)| !set_aside(script) && NEXT_F.find(script.as_bytes()).is_some());
    let flight = if others_feed_the_flight {
        flight_of_scripts(html, &scripts)
    } else {
        Some(assembler.page)
    };
    page_of(scanned.state, flight, before_interactive)
}

/// [`read_page`] through the tokenizer alone, for pages the fast lane does not take.
fn read_page_with_tokenizer(html: &[u8]) -> HtmlPage {
    let text = text_of(html.strip_prefix(b"\xef\xbb\xbf").unwrap_or(html));
    let state = scan(&text);
    let scripts: Vec<(usize, &str)> = state
        .done
        .iter()
        .map(|(line, text)| (*line, text.as_str()))
        .collect();
    let before_interactive = scripts
        .iter()
        .flat_map(|(_, script)| next_s_pushes(script))
        .collect();
    let flight = flight_of_scripts(html, &scripts);
    page_of(state, flight, before_interactive)
}

fn page_of(
    state: ScriptState,
    flight: Option<PageFlight>,
    before_interactive: Vec<BeforeInteractiveScript>,
) -> HtmlPage {
    HtmlPage {
        flight,
        next_data: state.next_data,
        before_interactive,
        assets: state.assets,
        head_tags: state.head_tags,
        lang: state.lang,
    }
}

/// The inline scripts of a page that a browser would run, with the line each starts on.
pub fn inline_scripts(html: &str) -> Vec<(usize, String)> {
    let scanned = scan_page(html);
    scanned
        .scripts()
        .into_iter()
        .map(|(line, text)| (line, text.to_string()))
        .collect()
}

/// A page read: what the tokenizer found, and the script bodies the fast lane set aside
/// (which the tokenizer's scripts name by number).
struct Scanned<'a> {
    state: ScriptState,
    set_aside: Vec<&'a str>,
}

impl<'a> Scanned<'a> {
    /// The inline scripts that run, with the line each starts on; bodies set aside are
    /// borrowed from the page.
    fn scripts(&self) -> Vec<(usize, &str)> {
        self.state
            .done
            .iter()
            .map(|(line, text)| {
                let body = text
                    .strip_prefix(SET_ASIDE)
                    .and_then(|t| t.strip_suffix(SET_ASIDE_END))
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| self.set_aside.get(n).copied());
                (*line, body.unwrap_or(text.as_str()))
            })
            .collect()
    }
}

/// Reads a page through the fast lane when it can, else through the tokenizer alone; both
/// give the same (`lanes_agree` tests it on every fixture page, and the mutation test on
/// damaged ones).
fn scan_page(html: &str) -> Scanned<'_> {
    scan_with_pushes_set_aside(html.as_bytes(), |_| {}).unwrap_or_else(|| Scanned {
        state: scan(html),
        set_aside: Vec::new(),
    })
}

/// The marker that stands in for a push script's body in the page the tokenizer reads: a
/// private-use character no page of Next's writes, then the body's number.
const SET_ASIDE: char = '\u{E000}';
const SET_ASIDE_END: char = '\u{E001}';

/// The fast lane. Next writes its flight in `<script>self.__next_f.push([1,"…"])</script>`
/// elements, with `<`, `>` and `&` escaped inside: 70 % of a big page's bytes, which the
/// tokenizer would walk character by character. Each such body is set aside (replaced by
/// a short marker) and the tokenizer reads the rest. The answer is the same as the
/// tokenizer's on the whole page when every body set aside comes back as the whole text of
/// a script that runs: the tokenizer was then reading script data at each, where nothing
/// in a body without `<` can change what follows. Otherwise (a marker inside a comment, a
/// template, an attribute; a page that holds the marker character), `None`: the page is
/// read by the tokenizer alone.
///
/// The page is taken as bytes and checked to be UTF-8 piece by piece (a page that is not
/// goes to the tokenizer, which replaces what is wrong as a browser does); `each_body` is
/// called on each body as it is set aside, while its bytes are in the processor's cache.
fn scan_with_pushes_set_aside<'a>(
    page: &'a [u8],
    mut each_body: impl FnMut(&'a str),
) -> Option<Scanned<'a>> {
    static OPEN: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("<script>"));
    // Valid UTF-8 without the marker characters, U+E000 and U+E001 (EE 80 80, EE 80 81).
    let text = |bytes: &'a [u8]| -> Option<&'a str> {
        let text = simdutf8::basic::from_utf8(bytes).ok()?;
        let marked = memchr::memmem::find_iter(bytes, b"\xee\x80")
            .any(|at| matches!(bytes.get(at + 2), Some(0x80 | 0x81)));
        (!marked).then_some(text)
    };
    let mut skeleton = String::new();
    let mut bodies: Vec<&str> = Vec::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = OPEN.find(&page[from..]) {
        let start = from + found + "<script>".len();
        from = start;
        let rest = &page[start..];
        if !(rest.starts_with(b"self.__next_f.push(")
            || rest.starts_with(b"(self.__next_f=self.__next_f||[]).push("))
        {
            continue;
        }
        let Some(len) = memchr::memchr(b'<', rest) else {
            continue;
        };
        let body = &rest[..len];
        // The tokenizer would turn CR and NUL into something else, and count lines.
        if !rest[len..].starts_with(b"</script>")
            || memchr::memchr3(b'\r', b'\n', b'\0', body).is_some()
        {
            continue;
        }
        let (before, body) = (text(&page[copied..start])?, text(body)?);
        if skeleton.is_empty() {
            skeleton.reserve(page.len() / 8);
        }
        skeleton.push_str(before);
        skeleton.push(SET_ASIDE);
        skeleton.push_str(&bodies.len().to_string());
        skeleton.push(SET_ASIDE_END);
        bodies.push(body);
        each_body(body);
        copied = start + len;
        from = copied;
    }
    if bodies.is_empty() {
        return None;
    }
    skeleton.push_str(text(&page[copied..])?);
    let state = scan(&skeleton);
    let mut next = 0;
    for (_, text) in &state.done {
        if !text.contains(SET_ASIDE) {
            continue;
        }
        // Each body must come back whole, in order, as the text of a running script.
        let number = text
            .strip_prefix(SET_ASIDE)?
            .strip_suffix(SET_ASIDE_END)?
            .parse::<usize>()
            .ok()?;
        if number != next {
            return None;
        }
        next += 1;
    }
    let elsewhere = |t: &str| t.contains(SET_ASIDE);
    if next != bodies.len()
        || state.next_data.as_deref().is_some_and(elsewhere)
        || state.head_tags.iter().any(|t| {
            t.text.as_deref().is_some_and(elsewhere)
                || t.attributes.iter().any(|(_, v)| elsewhere(v))
        })
    {
        return None;
    }
    Some(Scanned {
        state,
        set_aside: bodies,
    })
}

/// The text of a pages-router page's `<script id="__NEXT_DATA__">` (JSON), if it has one.
pub fn next_data(html: &[u8]) -> Option<String> {
    scan(&text_of(html)).next_data
}

/// The page's text: borrowed when it is UTF-8 (checked at SIMD speed), else with U+FFFD
/// for each bad sequence, as a browser decodes it.
fn text_of(html: &[u8]) -> std::borrow::Cow<'_, str> {
    match simdutf8::basic::from_utf8(html) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(html),
    }
}

fn scan(html: &str) -> ScriptState {
    let html = thin_crowded_tags(html);
    let sink = ScriptSink::default();
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(&html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let sink = tokenizer.sink;
    sink.state.into_inner()
}

/// Attributes a tag keeps for the tokenizer, which checks each new one against all
/// before it (quadratic: one tag of 300,000 attributes took minutes).
const MAX_ATTRIBUTES: usize = 1000;

/// The page with every tag's attributes past the first [`MAX_ATTRIBUTES`] blanked out
/// (spaces, newlines kept: offsets and lines stay where they were). Walks the page once,
/// as the tokenizer would: comments and the text of `script`, `style` and the like are
/// not tags. Borrowed as it is when no tag has that many.
fn thin_crowded_tags(html: &str) -> std::borrow::Cow<'_, str> {
    const RAW: [&str; 10] = [
        "script",
        "style",
        "textarea",
        "title",
        "xmp",
        "iframe",
        "noembed",
        "noframes",
        "noscript",
        "plaintext",
    ];
    let bytes = html.as_bytes();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
        let lt = at + found;
        if bytes[lt..].starts_with(b"<!--") {
            at = memchr::memmem::find(&bytes[lt + 4..], b"-->")
                .map_or(bytes.len(), |e| lt + 4 + e + 3);
            continue;
        }
        let name_len = bytes[lt + 1..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
            .count();
        if name_len == 0 || !bytes[lt + 1].is_ascii_alphabetic() {
            at = lt + 1;
            continue;
        }
        let name = html[lt + 1..lt + 1 + name_len].to_ascii_lowercase();
        // The attributes, up to the `>` outside quotes.
        let mut i = lt + 1 + name_len;
        let (mut quote, mut in_name, mut count, mut cut) = (None, false, 0usize, None);
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None if b == b'>' => break,
                None if b.is_ascii_whitespace() || b == b'/' => in_name = false,
                None if b == b'=' => in_name = false,
                None if !in_name => {
                    in_name = true;
                    // Only after white space does a new attribute begin.
                    if bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b'/' {
                        count += 1;
                        if count > MAX_ATTRIBUTES && cut.is_none() {
                            cut = Some(i);
                        }
                    }
                }
                None => {}
            }
            i += 1;
        }
        if let Some(from) = cut {
            cuts.push((from, i));
        }
        at = i.min(bytes.len());
        if RAW.contains(&name.as_str()) {
            // Its text is not markup: on to its end tag.
            let close = format!("</{name}");
            let lower_rest = &bytes[at..];
            at = memchr::memmem::find_iter(lower_rest, b"</")
                .find(|&p| {
                    lower_rest[p..]
                        .get(..close.len())
                        .is_some_and(|t| t.eq_ignore_ascii_case(close.as_bytes()))
                })
                .map_or(bytes.len(), |p| at + p);
        }
    }
    if cuts.is_empty() {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = html.as_bytes().to_vec();
    for (from, to) in cuts {
        for b in &mut out[from..to] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    // Only whole characters were blanked (a cut starts at an ASCII-led name and ends at
    // `>`), and every byte of each became a space.
    std::borrow::Cow::Owned(
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

/// Rebuilds the flight of an App Router page; `None` when no script mentions
/// `self.__next_f` (a pages-router page, or not Next.js).
pub fn flight_of_page(html: &[u8]) -> Option<PageFlight> {
    let text = text_of(html.strip_prefix(b"\xef\xbb\xbf").unwrap_or(html));
    flight_of_scripts(html, &scan_page(&text).scripts())
}

/// Finds `self.__next_f` at SIMD speed (`str::contains` took a tenth of a page's reading).
static NEXT_F: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("self.__next_f"));

/// Finds `self.__next_s` (the queue of `beforeInteractive` scripts).
static NEXT_S: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("self.__next_s"));

fn flight_of_scripts(html: &[u8], scripts: &[(usize, &str)]) -> Option<PageFlight> {
    let scripts: Vec<&(usize, &str)> = scripts
        .iter()
        .filter(|(_, s)| NEXT_F.find(s.as_bytes()).is_some())
        .collect();
    if scripts.is_empty() {
        return None;
    }
    let mut assembler = FlightAssembler::new(html);
    for (_, script) in scripts {
        assembler.script(script);
    }
    Some(assembler.page)
}

/// The stream Next's browser runtime builds from a page's scripts, fed one script at a
/// time in document order.
struct FlightAssembler<'h> {
    html: &'h [u8],
    page: PageFlight,
    /// Has the `[0]` bootstrap (or data before it) been seen?
    started: bool,
    /// Where in the page to look for the next script that is not a slice of it.
    search_from: usize,
}

impl<'h> FlightAssembler<'h> {
    fn new(html: &'h [u8]) -> Self {
        FlightAssembler {
            html,
            page: PageFlight::default(),
            started: false,
            search_from: 0,
        }
    }

    /// Runs one script's pushes onto `self.__next_f`.
    fn script(&mut self, script: &str) {
        let FlightAssembler {
            html,
            page,
            started,
            search_from,
        } = self;
        let html: &[u8] = html;
        if page.bytes.capacity() == 0 {
            // The stream is never longer than the page it is unescaped from: one
            // reservation at the first script (only what is written is touched), not a
            // series of copies, and none for a page that feeds no flight.
            page.bytes.reserve(html.len());
        }
        // The tokenizer gives lines, not bytes: find where the script's text starts in the
        // page's own bytes to report offsets, by its first bytes (a finder for the whole
        // script cost more than the rest of the page's reading; approximate when invalid
        // UTF-8 was replaced).
        // A body the fast lane set aside is a slice of the page: its place is known.
        let (page_at, script_at) = (html.as_ptr() as usize, script.as_ptr() as usize);
        let offset = if script_at >= page_at && script_at + script.len() <= page_at + html.len() {
            script_at - page_at
        } else {
            let head = &script.as_bytes()[..script.len().min(64)];
            memchr::memmem::find(&html[(*search_from).min(html.len())..], head)
                .map_or(*search_from, |i| *search_from + i)
        };
        *search_from = offset + script.len().min(64);
        // Each push in turn, the next looked for after the argument of the last (a string
        // that quotes `self.__next_f.push(` is data, as it is to the browser).
        let mut from = 0;
        while let Some(at) = next_push(script, from, "self.__next_f") {
            let entry = &script[at..];
            let place = (offset + at).min(html.len());
            page.pushes += 1;
            // The push Next writes for stream data, `[1,"…"]`: its string unescaped straight
            // onto the stream, with no value built.
            if *started && let Some(used) = push_text(entry, &mut page.bytes) {
                from = at + used;
                continue;
            }
            let mut arena = Arena::default();
            let Ok((node, end)) = parse_plain_prefix(&mut arena, entry.as_bytes()) else {
                page.diagnostics.push(Diagnostic::new(
                    place,
                    None,
                    DiagnosticKind::PageScript,
                    "a self.__next_f.push argument that is not JSON: skipped",
                ));
                from = at;
                continue;
            };
            from = at + end;
            let Value::Array(span) = arena.get(node) else {
                continue;
            };
            let items = arena.items(span);
            let kind = items.first().map(|&k| arena.get(k));
            let data = items.get(1).map(|&d| arena.get(d));
            match (kind, data) {
                (Some(Value::Number("0")), _) => {
                    // A new bootstrap starts a new stream (Next's runtime does the same).
                    *started = true;
                    page.bytes.clear();
                }
                (Some(Value::Number(k @ ("1" | "3"))), Some(Value::String(s))) => {
                    if !*started {
                        page.diagnostics.push(Diagnostic::new(
                            place,
                            None,
                            DiagnosticKind::PageScript,
                            "data pushed before the [0] bootstrap: Next's runtime throws \
                             \"missing bootstrap script\" and uses none of it; kept here",
                        ));
                        *started = true;
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
}

/// Appends the text of a `[1,"…"])` push argument to `out`, undoing the JSON string's
/// escapes, and says how many bytes the argument took; `None` (and nothing appended) for
/// any other shape, which the general path reads.
fn push_text(entry: &str, out: &mut Vec<u8>) -> Option<usize> {
    let body = entry.strip_prefix("[1,\"")?;
    let bytes = body.as_bytes();
    let mark = out.len();
    let mut i = 0;
    let undo = |out: &mut Vec<u8>| {
        out.truncate(mark);
        None
    };
    loop {
        // The run up to the next quote or backslash, copied whole (runs are short: most
        // quotes of the flight are escaped, so the scan goes eight bytes at a time rather
        // than calling a search per run).
        let Some(end) = crate::flight::scan::copy_until_special(bytes, i, out) else {
            return undo(out);
        };
        // Control characters are not valid inside a JSON string.
        if bytes[end] < 0x20 {
            return undo(out);
        }
        i = end;
        if bytes[i] == b'"' {
            // The string ends; the argument must too.
            return if bytes[i + 1..].starts_with(b"]") {
                Some("[1,\"".len() + i + 2)
            } else {
                undo(out)
            };
        }
        let escape = bytes.get(i + 1).copied();
        i += 2;
        let plain = match escape {
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b'/') => b'/',
            Some(b'b') => 0x08,
            Some(b'f') => 0x0c,
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(b'u') => {
                let hex = |at: usize| {
                    body.get(at..at + 4)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .filter(|_| {
                            body.as_bytes()[at..at + 4]
                                .iter()
                                .all(u8::is_ascii_hexdigit)
                        })
                };
                let Some(unit) = hex(i) else {
                    return undo(out);
                };
                i += 4;
                let code = if (0xd800..0xdc00).contains(&unit) {
                    // A surrogate pair, or a lone high surrogate (U+FFFD, as JSON.parse
                    // then UTF-8 encoding give it).
                    match (bytes.get(i..i + 2), hex(i + 2)) {
                        (Some(b"\\u"), Some(low)) if (0xdc00..0xe000).contains(&low) => {
                            i += 6;
                            0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)
                        }
                        _ => 0xfffd,
                    }
                } else if (0xdc00..0xe000).contains(&unit) {
                    0xfffd
                } else {
                    unit
                };
                let c = char::from_u32(code).unwrap_or('\u{fffd}');
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                continue;
            }
            _ => return undo(out),
        };
        out.push(plain);
    }
}

/// Where the argument of the next `<queue>.push(` or `(<queue>=<queue>||[]).push(` from
/// `from` on starts.
fn next_push(script: &str, mut from: usize, queue: &str) -> Option<usize> {
    while let Some(i) = PUSH.find(&script.as_bytes()[from.min(script.len())..]) {
        let at = from + i;
        let before = &script[..at];
        if before.ends_with(queue)
            || before
                .strip_suffix("||[])")
                .is_some_and(|b| b.ends_with(queue))
        {
            return Some(at + ".push(".len());
        }
        from = at + ".push(".len();
    }
    None
}

static PUSH: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(".push("));

/// Each `<queue>.push(` or `(<queue>=<queue>||[]).push(` argument of a script.
fn pushes_to<'s>(script: &'s str, queue: &str) -> Vec<(usize, &'s str)> {
    let bootstrap = format!("{queue}||[])");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = PUSH.find(&script.as_bytes()[from..]) {
        let at = from + i;
        let before = &script[..at];
        if before.ends_with(queue) || before.ends_with(&bootstrap) {
            found.push((at + 6, &script[at + 6..]));
        }
        from = at + 6;
    }
    found
}

/// The `[src, props]` entries a script pushes onto `self.__next_s`.
fn next_s_pushes(script: &str) -> Vec<BeforeInteractiveScript> {
    if NEXT_S.find(script.as_bytes()).is_none() {
        return Vec::new();
    }
    pushes_to(script, "self.__next_s")
        .into_iter()
        .filter_map(|(_, text)| {
            let mut values = serde_json::Deserializer::from_str(text).into_iter();
            let serde_json::Value::Array(entry) = values.next()?.ok()? else {
                return None;
            };
            let src = entry.first().and_then(|s| s.as_str()).map(str::to_string);
            let props = entry.get(1).cloned().unwrap_or(serde_json::Value::Null);
            Some(BeforeInteractiveScript { src, props })
        })
        .collect()
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
    assets: HtmlAssets,
    /// Between `<head>` and `</head>` (or `<body>`).
    in_head: bool,
    /// The text of the head's `<title>` being read.
    title: Option<String>,
    head_tags: Vec<HtmlHeadTag>,
    lang: Option<String>,
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
                if let Some(title) = &mut state.title {
                    title.push_str(&text);
                }
            }
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                let start = tag.kind == TagKind::StartTag;
                match (name, start) {
                    ("html", true) if state.lang.is_none() => {
                        state.lang = tag
                            .attrs
                            .iter()
                            .find(|a| &*a.name.local == "lang")
                            .map(|a| a.value.to_string())
                    }
                    ("head", true) => state.in_head = true,
                    ("head", false) | ("body", true) => state.in_head = false,
                    ("meta" | "link", true) if state.in_head && state.inert == 0 => {
                        state.head_tags.push(HtmlHeadTag {
                            tag: name.to_string(),
                            attributes: tag
                                .attrs
                                .iter()
                                .map(|a| (a.name.local.to_string(), a.value.to_string()))
                                .collect(),
                            text: None,
                        })
                    }
                    ("title", true) if state.in_head && state.inert == 0 => {
                        state.title = Some(String::new())
                    }
                    ("title", false) => {
                        if let Some(text) = state.title.take() {
                            state.head_tags.push(HtmlHeadTag {
                                tag: "title".into(),
                                attributes: Vec::new(),
                                text: Some(text),
                            });
                        }
                    }
                    _ => {}
                }
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
                        if let (0, Some(src)) = (state.inert, attr("src")) {
                            state.assets.js.push(src);
                        }
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
                    "img" if start && state.inert == 0 => {
                        if let Some(srcset) = tag.attrs.iter().find(|a| &*a.name.local == "srcset")
                        {
                            ImageOptimizer::learn(&mut state.assets.images, &srcset.value);
                        }
                    }
                    "link" if start && state.inert == 0 => {
                        let attr = |n: &str| tag.attrs.iter().find(|a| &*a.name.local == n);
                        if let Some(srcset) = attr("imagesrcset") {
                            ImageOptimizer::learn(&mut state.assets.images, &srcset.value);
                        }
                        let stylesheet = attr("rel").is_some_and(|rel| {
                            rel.value
                                .split_ascii_whitespace()
                                .any(|r| r.eq_ignore_ascii_case("stylesheet"))
                        });
                        if let (true, Some(href)) = (stylesheet, attr("href")) {
                            state.assets.css.push(href.value.to_string());
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

    /// What a lane makes of a page, in a form to compare.
    fn reading(scanned: &Scanned<'_>) -> String {
        let state = &scanned.state;
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            scanned.scripts(),
            state.next_data,
            state.assets,
            state.head_tags,
            state.lang
        )
    }

    /// Every HTML page under `fixtures/`.
    fn fixture_pages() -> Vec<std::path::PathBuf> {
        let mut pages = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "html") {
                    pages.push(path);
                }
            }
        }
        pages
    }

    /// The fast lane and the tokenizer alone read every fixture page alike, and the fast
    /// lane is taken on the pages Next wrote.
    #[test]
    fn lanes_agree_on_every_fixture_page() {
        let pages = fixture_pages();
        let mut fast = 0;
        for path in &pages {
            let bytes = std::fs::read(path).unwrap();
            let text = text_of(&bytes);
            let slow = Scanned {
                state: scan(&text),
                set_aside: Vec::new(),
            };
            if let Some(quick) = scan_with_pushes_set_aside(text.as_bytes(), |_| {}) {
                assert_eq!(reading(&quick), reading(&slow), "{}", path.display());
                fast += 1;
            }
        }
        assert!(
            pages.len() > 300 && fast * 2 > pages.len(),
            "{fast} of {} pages",
            pages.len()
        );
    }

    /// `read_page` (the fast lane, its flight assembled body by body) reads every fixture
    /// page, whole and damaged, exactly as the tokenizer alone does.
    #[test]
    fn read_page_equals_the_tokenizer_on_every_fixture_page() {
        let pages = fixture_pages();
        let mut with_flight = 0;
        for path in &pages {
            let bytes = std::fs::read(path).unwrap();
            let (fast, slow) = (read_page(&bytes), read_page_with_tokenizer(&bytes));
            assert_eq!(
                format!("{fast:?}"),
                format!("{slow:?}"),
                "{}",
                path.display()
            );
            with_flight += usize::from(fast.flight.is_some_and(|f| !f.bytes.is_empty()));
        }
        assert!(with_flight >= 300, "{with_flight} of {} pages", pages.len());
        // A script between the pushes that feeds the queue too is heard, in its place.
        let page = "<html><body><script>(self.__next_f=self.__next_f||[]).push([0])</script>\
                    <script>self.__next_f.push([1,\"a\"])</script>\
                    <script nonce=\"n\">self.__next_f.push([1,\"b\"])</script>\
                    <script>self.__next_f.push([1,\"c\"])</script></body></html>";
        let flight = read_page(page.as_bytes()).flight.unwrap();
        assert_eq!(flight.bytes, b"abc");
        assert_eq!(
            format!("{:?}", read_page(page.as_bytes())),
            format!("{:?}", read_page_with_tokenizer(page.as_bytes()))
        );
    }

    /// Damaged pages (bytes cut, flipped, inserted around their push scripts): wherever
    /// the fast lane answers, it answers as the tokenizer does.
    #[test]
    fn lanes_agree_on_damaged_pages() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let pages: Vec<Vec<u8>> = [
            "nextjs/v14/post-hello.html",
            "nextjs/v16/post-hello.html",
            "nextjs/v15/special.html",
        ]
        .iter()
        .map(|p| std::fs::read(root.join(p)).unwrap())
        .collect();
        const PIECES: [&[u8]; 10] = [
            b"<",
            b">",
            b"\"",
            b"<!--",
            b"-->",
            b"</script>",
            b"<script>",
            b"<template>",
            b"\n",
            b"\xee\x80\x80",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n.max(1) as u64) as usize
        };
        let mut compared = 0;
        for _ in 0..400 {
            let mut page = pages[next(pages.len())].clone();
            let hits: Vec<usize> = memchr::memmem::find_iter(&page, b"<script>").collect();
            for _ in 0..1 + next(3) {
                let at = (hits[next(hits.len())] + next(300)).min(page.len());
                match next(3) {
                    0 if at < page.len() => {
                        page.remove(at);
                    }
                    1 if at < page.len() => page[at] ^= 1 << next(8),
                    _ => {
                        let piece = PIECES[next(PIECES.len())];
                        page.splice(at..at, piece.iter().copied());
                    }
                }
            }
            assert_eq!(
                format!("{:?}", read_page(&page)),
                format!("{:?}", read_page_with_tokenizer(&page)),
                "{}",
                String::from_utf8_lossy(&page)
            );
            let text = text_of(&page);
            if let Some(quick) = scan_with_pushes_set_aside(text.as_bytes(), |_| {}) {
                let slow = Scanned {
                    state: scan(&text),
                    set_aside: Vec::new(),
                };
                assert_eq!(
                    reading(&quick),
                    reading(&slow),
                    "{}",
                    String::from_utf8_lossy(&page)
                );
                compared += 1;
            }
        }
        assert!(compared > 100, "{compared}");
    }

    #[test]
    fn a_push_set_aside_where_no_script_runs_sends_the_page_to_the_tokenizer() {
        for page in [
            "<html><body><!-- <script>self.__next_f.push([1,\"x\"])</script> --></body></html>",
            "<html><body><template><script>self.__next_f.push([1,\"x\"])</script></template></body></html>",
            "<html><body><textarea><script>self.__next_f.push([1,\"x\"])</script></textarea></body></html>",
            "<html><body><div title=\"<script>self.__next_f.push([1,\"x\"])</script>\"></div></body></html>",
        ] {
            assert!(
                scan_with_pushes_set_aside(page.as_bytes(), |_| {}).is_none(),
                "{page}"
            );
        }
        let page = "<html><body><script>(self.__next_f=self.__next_f||[]).push([0])</script>\
                    <script>self.__next_f.push([1,\"0:\\\"a\\\"\\n\"])</script></body></html>";
        let quick = scan_with_pushes_set_aside(page.as_bytes(), |_| {}).expect("the fast lane");
        assert_eq!(
            reading(&quick),
            reading(&Scanned {
                state: scan(page),
                set_aside: Vec::new()
            })
        );
    }

    #[test]
    fn a_string_that_quotes_a_push_is_data() {
        // A text row quoting `self.__next_f.push([0])` must not restart the stream.
        let page = br#"<html><body><script>(self.__next_f=self.__next_f||[]).push([0])</script><script>self.__next_f.push([1,"0:\"$1\"\n1:T19,self.__next_f.push([0]) x"])</script><script>self.__next_f.push([1,"2:\"b\"\n"])</script></body></html>"#;
        let flight = flight_of_page(page).unwrap();
        assert_eq!(
            String::from_utf8(flight.bytes).unwrap(),
            "0:\"$1\"\n1:T19,self.__next_f.push([0]) x2:\"b\"\n"
        );
    }

    #[test]
    fn the_fast_push_reader_agrees_with_the_json_parser() {
        let general = |entry: &str| -> Option<Vec<u8>> {
            let mut arena = Arena::default();
            let (node, _) = parse_plain_prefix(&mut arena, entry.as_bytes()).ok()?;
            let Value::Array(span) = arena.get(node) else {
                return None;
            };
            match arena.items(span).get(1).map(|&d| arena.get(d)) {
                Some(Value::String(s)) => Some(s.as_bytes().to_vec()),
                _ => None,
            }
        };
        for entry in [
            r#"[1,"0:[\"$\",\"p\",null,{}]\n"])"#,
            r#"[1,"\u003cscript\u003e \u0026 \u2028 \u2029 é ✓"])"#,
            r#"[1,"\ud83d\ude00 pair, \ud800 lone high, \udc00 lone low, \ud800\u0041"])"#,
            r#"[1,"tabs\tand\r\nlines \/ \b \f \\"])"#,
            r#"[1,""])"#,
            r#"[1,"a run of plain text longer than a word, then \"quoted\" words, é ✓ 😀 and more plain text to the end"])"#,
        ] {
            let mut fast = Vec::new();
            assert!(push_text(entry, &mut fast).is_some(), "{entry}");
            assert_eq!(Some(fast), general(entry), "{entry}");
        }
        // Shapes the fast reader leaves to the parser, appending nothing.
        for entry in [
            r#"[1, "spaced"])"#,
            r#"[1,"bad \x escape"])"#,
            "[1,\"raw\ncontrol\"])",
            "[1,\"a run of plain text longer than a word holds a raw\ttab\"])",
            "[1,\"a run of plain text longer than a word ends unclosed",
            r#"[1,"unclosed"#,
            r#"[1,"x",2])"#,
            r#"[3,"YQ=="])"#,
        ] {
            let mut fast = b"kept".to_vec();
            assert!(push_text(entry, &mut fast).is_none(), "{entry}");
            assert_eq!(fast, b"kept");
        }
    }

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

#[cfg(test)]
mod page_tests {
    use super::*;

    // No shared fixture uses `beforeInteractive`; the markup is what Next's `next/script`
    // writes for it (`(self.__next_s=self.__next_s||[]).push([src, props])`).
    #[test]
    fn before_interactive_scripts_are_read() {
        let html = br#"<html><head><link rel="stylesheet" href="/_next/static/css/a.css" data-precedence="next"/>
<script src="/_next/static/chunks/main-app.js" async=""></script>
<script>(self.__next_s=self.__next_s||[]).push(["https://cdn.example.com/polyfill.js",{"id":"polyfill"}])</script>
<script>(self.__next_s=self.__next_s||[]).push([0,{"children":"window.x=1","id":"inline"}])</script>
<template><link rel="stylesheet" href="/inert.css"></template>
</head></html>"#;
        let page = read_page(html);
        assert!(page.flight.is_none());
        assert_eq!(page.before_interactive.len(), 2);
        assert_eq!(
            page.before_interactive[0].src.as_deref(),
            Some("https://cdn.example.com/polyfill.js")
        );
        assert_eq!(page.before_interactive[0].props["id"], "polyfill");
        assert_eq!(page.before_interactive[1].src, None);
        assert_eq!(page.before_interactive[1].props["children"], "window.x=1");
        assert_eq!(page.assets.css, ["/_next/static/css/a.css"]);
        assert_eq!(page.assets.js, ["/_next/static/chunks/main-app.js"]);
    }
}
