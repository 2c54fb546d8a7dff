//! Output for pages from strangers: HTML with no active content — no `<script>`, no
//! `on*` handlers, no `javascript:`, `vbscript:` or `data:` URLs, no `iframe`, `object`,
//! `embed`, `base`, `form`, `meta` refresh or `srcdoc` — and the page's visible text
//! kept. The work is done by ammonia (built on html5ever), whose allow-list is widened
//! here only by what documents need to keep their look and their anchors: `class`, `id`,
//! `dir`, `role`, `aria-*` and `data-*` attributes, `main` and `section`.

use std::fmt::Write;

use crate::markup::escape_into;
use crate::next::page::Page;
use crate::render::html::{HtmlOptions, write_document};

/// The sanitiser, configured once.
fn cleaner() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(["main", "section"])
        .add_generic_attributes(["class", "id", "dir", "role"])
        .add_generic_attribute_prefixes(["aria-", "data-"])
        .add_tag_attributes("time", ["datetime"])
        // Content a browser with scripts on never shows, and the document's title (said
        // once, in the head).
        .add_clean_content_tags(["title", "noscript", "template"])
        // Links stay as the page wrote them (no `rel` added).
        .link_rel(None)
        .strip_comments(true);
    builder
}

/// An HTML fragment with its active content taken out and its text kept.
pub fn sanitize(html: &str) -> String {
    cleaner().clean(html).to_string()
}

/// The same, relative URLs made absolute against the page's URL (`<base>` is not safe).
fn sanitize_against(html: &str, base: Option<&str>) -> String {
    let base = base.and_then(|b| url::Url::parse(b).ok());
    let mut cleaner = cleaner();
    if let Some(base) = base {
        cleaner.url_relative(ammonia::UrlRelative::RewriteWithBase(base));
    }
    cleaner.clean(html).to_string()
}

/// The composed page as a complete HTML document with no active content: its body
/// sanitised, its head rebuilt from what is safe (charset, viewport, title, the page's
/// stylesheets by `http(s)` or relative URL).
pub fn write_safe_document(
    page: &Page,
    options: HtmlOptions<'_>,
    title: Option<&str>,
    lang: Option<&str>,
    out: &mut impl Write,
) -> std::fmt::Result {
    let mut whole = String::new();
    let unsafe_options = HtmlOptions {
        scripts: false,
        base: None,
        ..options
    };
    write_document(page, unsafe_options, &mut whole)?;
    let body = sanitize_against(&whole, options.base);
    let mut head = String::from("<meta charset=\"utf-8\"/>");
    head.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>");
    if let Some(title) = title {
        head.push_str("<title>");
        escape_into(title, &mut head);
        head.push_str("</title>");
    }
    if !options.no_css {
        let base = options.base.and_then(|b| url::Url::parse(b).ok());
        for href in options.stylesheets.iter().filter(|h| is_plain_url(h)) {
            let absolute = base.as_ref().and_then(|b| b.join(href).ok());
            head.push_str("<link rel=\"stylesheet\" href=\"");
            escape_into(
                absolute.as_ref().map_or(href.as_str(), |u| u.as_str()),
                &mut head,
            );
            head.push_str("\"/>");
        }
    }
    out.write_str("<!DOCTYPE html><html")?;
    if let Some(lang) = lang {
        let mut escaped = String::new();
        escape_into(lang, &mut escaped);
        write!(out, " lang=\"{escaped}\"")?;
    }
    write!(out, "><head>{head}</head><body>{body}</body></html>")
}

/// A URL a stylesheet may be loaded from: `http(s)`, or relative to the page.
fn is_plain_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.find([':', '/', '?', '#']) {
        Some(i) if lower.as_bytes()[i] == b':' => {
            lower.starts_with("http:") || lower.starts_with("https:")
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_content_goes_and_text_stays() {
        let html = sanitize(
            "<div class=\"post\" onclick=\"x()\"><script>alert(1)</script><p>kept <a href=\"javascript:alert(2)\">link</a></p>\
             <iframe srcdoc=\"<script>alert(3)</script>\"></iframe><img src=\"data:text/html,x\" alt=\"pic\"/>\
             <form action=\"/x\"><input value=\"v\"/></form><base href=\"//evil\"/><h2 id=\"a\">Title</h2></div>",
        );
        for gone in [
            "script",
            "onclick",
            "javascript",
            "iframe",
            "srcdoc",
            "data:",
            "<form",
            "<input",
            "<base",
        ] {
            assert!(!html.contains(gone), "{gone}: {html}");
        }
        assert!(
            html.contains("<div class=\"post\">")
                && html.contains("kept")
                && html.contains("<h2 id=\"a\">Title</h2>"),
            "{html}"
        );
    }
}
