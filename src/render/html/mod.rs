//! A composed page (or a part of it) written back as HTML with React 19's server rules
//! for host elements (`react-dom/server`): prop names to attribute names (`className`,
//! `tabIndex`, the SVG aliases), `style` objects to CSS text, boolean, booleanish,
//! numeric and URL attributes, event handlers dropped, `dangerouslySetInnerHTML` as is,
//! text escaped, void elements, form controls' values, and the hoisting of `<title>`,
//! `<meta>`, `<link>` and stylesheets into `<head>`.
//!
//! Client components cannot run here. Next's own are written as what they render —
//! `Link` as `<a href>`, `Image` as `<img>`, `Script` as `<script src>`, layout routers,
//! templates, boundaries and outlets as their content — recognised by their props and
//! export names, not by the module ids of one build. Any other client component is
//! written as the server-rendered content it was given (its `children` and other element
//! props) inside `<rsc-client data-rsc-client="module#export">`. Suspense shows its
//! content, or its fallback when the content never arrived.
//!
//! Attribute order: React writes props in the order the object has them; a payload's
//! objects reach us sorted by key, so attributes come out in key order.

use std::collections::HashSet;
use std::fmt::{self, Write};

mod attributes;
mod next_components;

pub use crate::markup::{escape_into, is_block_element};
use crate::markup::{is_valid_tag_name, is_void};
use crate::next::images::ImageOptimizer;
use crate::next::page::{ElementKind, NodeIndex, Page, PageElement, PageNode, PropValue};
use attributes::*;
use next_components::*;
pub(crate) use next_components::{inner_html, is_next_script, link_href};

/// How to write a whole document.
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlOptions<'a> {
    /// Stylesheets to link in `<head>` (the page's CSS assets) when the page does not
    /// link them itself; empty for none.
    pub stylesheets: &'a [String],
    /// Leave out every stylesheet link, the page's own included.
    pub no_css: bool,
    /// Keep `<script src>` elements. Off by default: Next's chunk scripts would try to
    /// hydrate the page and fail when it is opened from a file. Inline scripts stay.
    pub scripts: bool,
    /// The page's URL, when known: a `<base href>` opens the head, so that the page's
    /// stylesheets, images and fonts load from its site when the file is opened.
    pub base: Option<&'a str>,
    /// Next's image optimiser, when the page shows its images going through it: `Image`
    /// elements then get the `srcset` Next's server writes. Otherwise they are written as
    /// they are served (a static export's way).
    pub images: Option<&'a ImageOptimizer>,
}

/// The composed page as a complete HTML document.
pub fn to_html(page: &Page) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = write_document(page, HtmlOptions::default(), &mut out);
    out
}

/// Writes the composed page as a complete HTML document: `<!DOCTYPE html>`, `<html>`, a
/// `<head>` with the page's head elements, what React hoists there and the stylesheets
/// asked for, then the body.
pub fn write_document(page: &Page, options: HtmlOptions<'_>, out: &mut impl Write) -> fmt::Result {
    let html = document_element(page);
    let html_el = html.and_then(|h| page.element(h));
    let head = html_el.and_then(|el| {
        el.children
            .iter()
            .copied()
            .find(|&c| page.is_host(c, "head"))
    });
    let mut writer = Writer::new(page, options, true);
    // The head's own elements first, then what is hoisted from everywhere else.
    let head_children: &[NodeIndex] = head
        .and_then(|h| page.element(h))
        .map(|h| h.children.as_slice())
        .unwrap_or_default();
    writer.write(head_children);
    let mut head_html = std::mem::take(&mut writer.out);
    // Elements beside <html> (a root layout's stylesheet links and scripts): what is left
    // of the top level once the wrappers around <html> are looked through.
    let beside: Vec<NodeIndex> = match html {
        Some(h) => beside_document_element(page, h),
        None => page.roots().to_vec(),
    };
    let body_nodes: Vec<NodeIndex> = match html_el {
        Some(el) => el
            .children
            .iter()
            .copied()
            .filter(|&c| Some(c) != head)
            .collect(),
        None => Vec::new(),
    };
    writer.write(&beside);
    let stray = std::mem::take(&mut writer.out);
    writer.write(&body_nodes);
    let body_html = std::mem::take(&mut writer.out);
    head_html.push_str(&writer.hoisted);
    for href in options.stylesheets {
        if writer.stylesheets.insert(href.clone()) {
            head_html.push_str("<link rel=\"stylesheet\" href=\"");
            escape_into(href, &mut head_html);
            head_html.push_str("\"/>");
        }
    }

    out.write_str("<!DOCTYPE html>")?;
    match html_el {
        Some(el) => {
            let mut open = String::new();
            open_tag("html", el, &mut open);
            out.write_str(&open)?;
        }
        None => out.write_str("<html>")?,
    }
    match head.and_then(|h| page.element(h)) {
        Some(el) => {
            let mut open = String::new();
            open_tag("head", el, &mut open);
            out.write_str(&open)?;
        }
        None => out.write_str("<head>")?,
    }
    if let Some(base) = options
        .base
        .filter(|b| b.starts_with("http://") || b.starts_with("https://"))
    {
        out.write_str("<base href=\"")?;
        let mut escaped = String::new();
        escape_into(base, &mut escaped);
        out.write_str(&escaped)?;
        out.write_str("\"/>")?;
    }
    out.write_str(&head_html)?;
    out.write_str("</head>")?;
    if html_el.is_none() {
        out.write_str("<body>")?;
    }
    out.write_str(&stray)?;
    out.write_str(&body_html)?;
    if html_el.is_none() {
        out.write_str("</body>")?;
    }
    out.write_str("</html>")
}

/// Writes the nodes, in order, and everything below them: a fragment, nothing hoisted.
pub fn write_nodes(page: &Page, nodes: &[NodeIndex], out: &mut impl Write) -> fmt::Result {
    let options = HtmlOptions {
        scripts: true,
        ..HtmlOptions::default()
    };
    let mut writer = Writer::new(page, options, false);
    writer.write(nodes);
    out.write_str(&writer.out)
}

/// The `<html>` element: at the top level, or inside wrappers that render only their
/// content (a root layout inside a route group sits in a slot).
fn document_element(page: &Page) -> Option<NodeIndex> {
    let mut stack: Vec<NodeIndex> = page.roots().iter().rev().copied().collect();
    while let Some(i) = stack.pop() {
        let Some(el) = page.element(i) else { continue };
        match &el.kind {
            ElementKind::Host(tag) if tag == "html" => return Some(i),
            ElementKind::Host(_) => {}
            _ => stack.extend(el.children.iter().rev().copied()),
        }
    }
    None
}

/// The nodes around `<html>` on the way down to it, without the wrappers themselves.
fn beside_document_element(page: &Page, html: NodeIndex) -> Vec<NodeIndex> {
    let mut beside = Vec::new();
    let mut stack: Vec<NodeIndex> = page.roots().iter().rev().copied().collect();
    while let Some(i) = stack.pop() {
        if i == html {
            continue;
        }
        match page.element(i) {
            Some(el) if !matches!(el.kind, ElementKind::Host(_)) && contains(page, i, html) => {
                stack.extend(el.children.iter().rev().copied())
            }
            _ => beside.push(i),
        }
    }
    beside
}

fn contains(page: &Page, ancestor: NodeIndex, node: NodeIndex) -> bool {
    page.descendants(ancestor).iter().any(|&(d, _)| d == node)
}

/// Writes nodes, keeping the context React's rules need (inside `<svg>`, `<noscript>`,
/// a `<select>`'s value) and, for documents, collecting what goes into `<head>`.
struct Writer<'p> {
    page: &'p Page,
    options: HtmlOptions<'p>,
    out: String,
    /// Hoisting into `<head>` (documents only).
    hoisting: bool,
    hoisted: String,
    stylesheets: HashSet<String>,
    scripts: HashSet<String>,
}

enum Step<'p> {
    Nodes(&'p [NodeIndex]),
    Close(&'p str),
    LeaveSvg,
    LeaveNoscript,
    LeaveSelect,
}

impl<'p> Writer<'p> {
    fn new(page: &'p Page, options: HtmlOptions<'p>, hoisting: bool) -> Self {
        Writer {
            page,
            options,
            out: String::new(),
            hoisting,
            hoisted: String::new(),
            stylesheets: HashSet::new(),
            scripts: HashSet::new(),
        }
    }

    fn write(&mut self, nodes: &'p [NodeIndex]) {
        let page = self.page;
        let mut svg = 0usize;
        let mut noscript = 0usize;
        let mut selects: Vec<Option<PropValue>> = Vec::new();
        // An explicit stack of slices: a page nested 100,000 deep is written like a flat
        // one, and nothing is copied per node.
        let mut stack: Vec<Step<'p>> = vec![Step::Nodes(nodes)];
        while let Some(step) = stack.pop() {
            let index = match step {
                Step::Close(tag) => {
                    let _ = write!(self.out, "</{tag}>");
                    continue;
                }
                Step::LeaveSvg => {
                    svg -= 1;
                    continue;
                }
                Step::LeaveNoscript => {
                    noscript -= 1;
                    continue;
                }
                Step::LeaveSelect => {
                    selects.pop();
                    continue;
                }
                Step::Nodes(list) => {
                    let Some((&first, rest)) = list.split_first() else {
                        continue;
                    };
                    if !rest.is_empty() {
                        stack.push(Step::Nodes(rest));
                    }
                    first
                }
            };
            let el = match page.node(index) {
                PageNode::Text(text) => {
                    escape_into(text, &mut self.out);
                    continue;
                }
                PageNode::Element(el) => el,
                PageNode::Pending | PageNode::Error { .. } => continue,
            };
            match &el.kind {
                // A type that is no tag name (`img src=x onerror=…`) never becomes markup:
                // React refuses it ("Invalid tag"); its content is still shown.
                ElementKind::Host(tag) if !is_valid_tag_name(tag) => {
                    stack.push(Step::Nodes(&el.children));
                }
                ElementKind::Host(tag) => {
                    let stylesheet = tag == "link"
                        && el
                            .str_prop("rel")
                            .is_some_and(|r| r.split_ascii_whitespace().any(|r| r == "stylesheet"));
                    if stylesheet && self.options.no_css {
                        continue;
                    }
                    let in_place = svg > 0 || noscript > 0 || el.prop("itemProp").is_some();
                    if self.hoisting && !in_place && self.hoist(tag, el) {
                        continue;
                    }
                    if tag == "script" && !self.options.scripts && el.prop("src").is_some() {
                        continue;
                    }
                    let selected = selects.last().cloned().flatten();
                    // The context ends after the element's content: scheduled first.
                    match tag.as_str() {
                        "svg" => {
                            svg += 1;
                            stack.push(Step::LeaveSvg);
                        }
                        "noscript" => {
                            noscript += 1;
                            stack.push(Step::LeaveNoscript);
                        }
                        "select" => {
                            selects.push(
                                el.prop("value")
                                    .or_else(|| el.prop("defaultValue"))
                                    .cloned(),
                            );
                            stack.push(Step::LeaveSelect);
                        }
                        _ => {}
                    }
                    self.element(tag, el, selected.as_ref(), &mut stack);
                }
                ElementKind::Client { module, export } => {
                    self.client(el, module, export, &mut stack)
                }
                ElementKind::Symbol(name)
                    if name == "react.suspense" && shows_fallback(page, el) =>
                {
                    if let Some(fallback) = el.prop("fallback") {
                        for holder in fallback.nodes().into_iter().rev() {
                            stack.push(Step::Nodes(single(page, holder)));
                        }
                    }
                }
                _ => stack.push(Step::Nodes(&el.children)),
            }
        }
    }

    /// Writes a host element's start tag and schedules its content and end tag.
    fn element(
        &mut self,
        tag: &'p str,
        el: &'p PageElement,
        selected: Option<&PropValue>,
        stack: &mut Vec<Step<'p>>,
    ) {
        let out = &mut self.out;
        match tag {
            "input" => {
                write_input(el, out);
                return;
            }
            "textarea" => {
                open_tag(tag, el, out);
                let content = el
                    .prop("value")
                    .or_else(|| el.prop("defaultValue"))
                    .and_then(plain_text)
                    .unwrap_or_else(|| self.page.text_of_children(el));
                if content.starts_with('\n') {
                    out.push('\n');
                }
                escape_into(&content, out);
                out.push_str("</textarea>");
                return;
            }
            "option" => {
                open_tag_without_end(tag, el, &["selected"], out);
                let is_selected = match selected {
                    Some(value) => {
                        let own = el
                            .prop("value")
                            .and_then(plain_text)
                            .unwrap_or_else(|| self.page.text_of_children(el));
                        match value {
                            PropValue::Array(items) => items
                                .iter()
                                .any(|i| plain_text(i).as_deref() == Some(own.as_str())),
                            other => plain_text(other).as_deref() == Some(own.as_str()),
                        }
                    }
                    None => el.prop("selected").is_some_and(truthy),
                };
                if is_selected {
                    out.push_str(" selected=\"\"");
                }
                out.push('>');
            }
            "select" => open_tag_skipping(tag, el, &["value", "defaultValue"], out),
            _ => open_tag(tag, el, out),
        }
        if is_void(tag) {
            return;
        }
        stack.push(Step::Close(tag));
        if let Some(html) = inner_html(el) {
            if tag == "pre" && html.starts_with('\n') {
                out.push('\n');
            }
            out.push_str(html);
            return;
        }
        if matches!(tag, "script" | "style") {
            // Script and style text is not HTML-escaped; only its end tag is broken up.
            let text = self.page.text_of_children(el);
            out.push_str(&break_end_tag(
                &text,
                if tag == "script" { "script" } else { "style" },
            ));
            return;
        }
        if matches!(tag, "pre" | "listing")
            && let Some(&first) = el.children.first()
            && matches!(self.page.node(first), PageNode::Text(t) if t.starts_with('\n'))
        {
            out.push('\n');
        }
        stack.push(Step::Nodes(&el.children));
    }

    fn client(
        &mut self,
        el: &'p PageElement,
        module: &str,
        export: &str,
        stack: &mut Vec<Step<'p>>,
    ) {
        let page = self.page;
        let out = &mut self.out;
        match client_role(page, el) {
            ClientRole::Link => {
                out.push_str("<a href=\"");
                escape_into(&sanitize_url(&link_href(el).unwrap_or_default()), out);
                out.push('"');
                write_attributes("a", el, &LINK_ONLY, out);
                out.push('>');
                stack.push(Step::Close("a"));
                stack.push(Step::Nodes(&el.children));
            }
            ClientRole::Image => write_image(el, self.options.images, out),
            // `beforeInteractive`: what Next's server writes in its place, a script that
            // hands the script to Next's runtime (`self.__next_s`).
            ClientRole::Script if el.str_prop("strategy") == Some("beforeInteractive") => {
                let children = self.page.text_of_children(el);
                out.push_str("<script>");
                out.push_str(&break_end_tag(&next_s_push(el, &children), "script"));
                out.push_str("</script>");
            }
            ClientRole::Script => {
                if self.options.scripts {
                    out.push_str("<script");
                    write_attributes("script", el, &SCRIPT_ONLY, out);
                    out.push('>');
                    // An inline script: its source, as children or as an HTML string.
                    let source = match inner_html(el) {
                        Some(html) => html.to_string(),
                        None => self.page.text_of_children(el),
                    };
                    out.push_str(&break_end_tag(&source, "script"));
                    out.push_str("</script>");
                }
            }
            ClientRole::Transparent => stack.push(Step::Nodes(&el.children)),
            ClientRole::Other => {
                out.push_str("<rsc-client data-rsc-client=\"");
                escape_into(module, out);
                out.push('#');
                escape_into(export, out);
                out.push_str("\">");
                stack.push(Step::Close("rsc-client"));
                stack.push(Step::Nodes(&el.children));
                // Elements it was given in other props: it shows them somewhere.
                for (name, value) in el.props.iter().rev() {
                    if name == "children" {
                        continue;
                    }
                    for holder in value.nodes().into_iter().rev() {
                        stack.push(Step::Nodes(single(page, holder)));
                    }
                }
            }
        }
    }

    /// Moves a hoistable element into the head, as React does; false when it stays.
    fn hoist(&mut self, tag: &str, el: &PageElement) -> bool {
        match tag {
            "title" => {
                self.hoisted.push_str("<title");
                write_attributes("title", el, &[], &mut self.hoisted);
                self.hoisted.push('>');
                escape_into(&self.page.text_of_children(el), &mut self.hoisted);
                self.hoisted.push_str("</title>");
                true
            }
            "meta" => {
                open_tag("meta", el, &mut self.hoisted);
                true
            }
            "link" => {
                let (Some(rel), Some(href)) = (el.str_prop("rel"), el.str_prop("href")) else {
                    return false;
                };
                if href.is_empty() || el.prop("onLoad").is_some() || el.prop("onError").is_some() {
                    return false;
                }
                if rel == "stylesheet" {
                    let Some(precedence) = el.str_prop("precedence") else {
                        return false;
                    };
                    if el.prop("disabled").is_some() {
                        return false;
                    }
                    if self.stylesheets.insert(href.to_string()) {
                        self.hoisted.push_str("<link");
                        write_attributes("link", el, &["precedence"], &mut self.hoisted);
                        self.hoisted.push_str(" data-precedence=\"");
                        escape_into(precedence, &mut self.hoisted);
                        self.hoisted.push_str("\"/>");
                    }
                    return true;
                }
                open_tag("link", el, &mut self.hoisted);
                true
            }
            "script" => {
                let Some(src) = el.str_prop("src").filter(|s| !s.is_empty()) else {
                    return false;
                };
                if !el.prop("async").is_some_and(truthy)
                    || el.prop("onLoad").is_some()
                    || el.prop("onError").is_some()
                {
                    return false;
                }
                if self.options.scripts && self.scripts.insert(src.to_string()) {
                    open_tag("script", el, &mut self.hoisted);
                    self.hoisted.push_str("</script>");
                }
                true
            }
            _ => false,
        }
    }
}

/// A one-node slice of a holder's content (its children).
fn single(page: &Page, holder: NodeIndex) -> &[NodeIndex] {
    page.element(holder)
        .map(|h| h.children.as_slice())
        .unwrap_or_default()
}

/// True when a Suspense boundary's content never arrived, so React shows the fallback.
fn shows_fallback(page: &Page, el: &PageElement) -> bool {
    el.children.is_empty()
        || el
            .children
            .iter()
            .all(|&c| matches!(page.node(c), PageNode::Pending | PageNode::Error { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(list: &[(&str, PropValue)]) -> PageElement {
        PageElement {
            kind: ElementKind::Host("div".into()),
            key: None,
            props: list
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            children: Vec::new(),
        }
    }

    fn attrs(tag: &str, list: &[(&str, PropValue)]) -> String {
        let mut out = String::new();
        write_attributes(tag, &props(list), &[], &mut out);
        out
    }

    fn s(v: &str) -> PropValue {
        PropValue::String(v.into())
    }

    fn n(v: &str) -> PropValue {
        PropValue::Number(v.into())
    }

    #[test]
    fn styles_get_units_and_dashes() {
        let style = vec![
            ("fontSize".to_string(), n("12")),
            ("lineHeight".to_string(), n("1.5")),
            ("msTransform".to_string(), s("none")),
            ("WebkitTransition".to_string(), s("all")),
            ("--gap".to_string(), n("4")),
            ("marginTop".to_string(), n("0")),
            ("color".to_string(), s("")),
            ("content".to_string(), s("'a'")),
        ];
        assert_eq!(
            style_text(&style),
            "font-size:12px;line-height:1.5;-ms-transform:none;-webkit-transition:all;--gap:4;margin-top:0;content:&#x27;a&#x27;"
        );
        // Escaped once, as React does, not once more as an attribute value.
        let font = PropValue::Object(vec![("fontFamily".into(), s("\"Segoe UI\", sans-serif"))]);
        assert_eq!(
            attrs("p", &[("style", font)]),
            " style=\"font-family:&quot;Segoe UI&quot;, sans-serif\""
        );
    }

    #[test]
    fn names_follow_react() {
        assert_eq!(
            attrs("div", &[("className", s("a")), ("tabIndex", n("-1"))]),
            " class=\"a\" tabindex=\"-1\""
        );
        assert_eq!(attrs("label", &[("htmlFor", s("x"))]), " for=\"x\"");
        assert_eq!(
            attrs(
                "meta",
                &[("httpEquiv", s("refresh")), ("charSet", s("utf-8"))]
            ),
            " http-equiv=\"refresh\" charSet=\"utf-8\""
        );
        assert_eq!(
            attrs("path", &[("strokeWidth", n("2")), ("xlinkHref", s("#a"))]),
            " stroke-width=\"2\" xlink:href=\"#a\""
        );
        assert_eq!(
            attrs("time", &[("dateTime", s("2024"))]),
            " dateTime=\"2024\""
        );
        assert_eq!(
            attrs(
                "input",
                &[
                    ("readOnly", PropValue::Bool(true)),
                    ("autoFocus", PropValue::Bool(true))
                ]
            ),
            " readOnly=\"\" autofocus=\"\""
        );
    }

    #[test]
    fn booleans_and_booleanish() {
        assert_eq!(
            attrs(
                "div",
                &[
                    ("hidden", PropValue::Bool(false)),
                    ("draggable", PropValue::Bool(false))
                ]
            ),
            " draggable=\"false\""
        );
        assert_eq!(
            attrs(
                "div",
                &[
                    ("aria-hidden", PropValue::Bool(true)),
                    ("data-x", PropValue::Bool(false)),
                    ("foo", PropValue::Bool(true))
                ]
            ),
            " aria-hidden=\"true\" data-x=\"false\""
        );
        assert_eq!(
            attrs("a", &[("download", PropValue::Bool(true))]),
            " download=\"\""
        );
        assert_eq!(
            attrs("textarea", &[("rows", n("0")), ("cols", n("3"))]),
            " cols=\"3\""
        );
    }

    #[test]
    fn urls_handlers_and_empties() {
        assert_eq!(attrs("img", &[("src", s(""))]), "");
        assert_eq!(attrs("a", &[("href", s(""))]), " href=\"\"");
        assert_eq!(
            attrs("a", &[("href", s(" JavaScript:alert(1)"))]),
            format!(" href=\"{}\"", BLOCKED_URL.replace('\'', "&#x27;"))
        );
        assert_eq!(
            attrs("button", &[("onClick", s("x()")), ("one", s("1"))]),
            ""
        );
        assert_eq!(attrs("div", &[("bad name", s("x"))]), "");
    }

    #[test]
    fn custom_elements_keep_names() {
        assert_eq!(
            attrs(
                "my-el",
                &[
                    ("onThing", s("1")),
                    ("flag", PropValue::Bool(true)),
                    ("className", s("c"))
                ]
            ),
            " onThing=\"1\" flag=\"\" class=\"c\""
        );
    }

    #[test]
    fn script_text_breaks_its_end_tag() {
        assert_eq!(
            break_end_tag("a</script><SCRIPT>", "script"),
            "a</\\u0073cript><\\u0053CRIPT>"
        );
    }

    fn page_of(payload: &[u8]) -> Page {
        let rows = crate::flight::split_rows(payload);
        let tree = crate::flight::resolve(&rows, Default::default());
        crate::next::page::compose(&tree, None)
    }

    fn body_of(payload: &str) -> String {
        let page = page_of(payload.as_bytes());
        let mut out = String::new();
        write_nodes(&page, page.roots(), &mut out).unwrap(); // ok: a test
        out
    }

    #[test]
    fn form_controls_write_their_values_as_react_does() {
        assert_eq!(
            body_of(
                r#"0:["$","input",null,{"value":"x","name":"q","type":"text","checked":true}]"#
            ),
            r#"<input type="text" name="q" checked="" value="x"/>"#
        );
        assert_eq!(
            body_of(r#"0:["$","textarea",null,{"defaultValue":"\nhi <b>","rows":3}]"#),
            "<textarea rows=\"3\">\n\nhi &lt;b&gt;</textarea>"
        );
        assert_eq!(
            body_of(
                r#"0:["$","select",null,{"value":"b","children":[["$","option",null,{"value":"a","children":"A"}],["$","option",null,{"value":"b","children":"B"}]]}]"#
            ),
            r#"<select><option value="a">A</option><option value="b" selected="">B</option></select>"#
        );
    }

    #[test]
    fn next_components_render_as_what_they_render() {
        let payload = r#"1:I["1",[],""]
2:I["2",[],"default"]
3:I["3",[],"Widget"]
0:["$","div",null,{"children":[["$","$L1",null,{"href":"/a","prefetch":false,"className":"l","children":"A"}],["$","$L2",null,{"src":"/i.png","alt":"I","width":10,"height":20,"priority":true}],["$","$L3",null,{"icon":["$","b",null,{"children":"*"}],"children":"w"}]]}]"#;
        assert_eq!(
            body_of(payload),
            r#"<div><a href="/a" class="l">A</a><img alt="I" fetchpriority="high" width="10" height="20" decoding="async" data-nimg="1" style="color:transparent" src="/i.png"/><rsc-client data-rsc-client="3#Widget"><b>*</b>w</rsc-client></div>"#
        );
    }

    #[test]
    fn suspense_shows_its_fallback_when_the_content_never_came() {
        let payload = r#"1:"$Sreact.suspense"
0:["$","div",null,{"children":["$","$1",null,{"fallback":["$","p",null,{"children":"wait"}],"children":"$L9"}]}]"#;
        assert_eq!(body_of(payload), "<div><p>wait</p></div>");
    }

    #[test]
    fn documents_hoist_into_the_head() {
        let payload = r#"0:["$","html",null,{"lang":"en","children":["$","body",null,{"children":[["$","title",null,{"children":"T"}],["$","link",null,{"rel":"stylesheet","href":"/a.css","precedence":"p"}],["$","link",null,{"rel":"stylesheet","href":"/a.css","precedence":"p"}],["$","svg",null,{"children":["$","title",null,{"children":"icon"}]}],["$","p",null,{"children":"x"}]]}]}]"#;
        let page = page_of(payload.as_bytes());
        assert_eq!(
            to_html(&page),
            r#"<!DOCTYPE html><html lang="en"><head><title>T</title><link href="/a.css" rel="stylesheet" data-precedence="p"/></head><body><svg><title>icon</title></svg><p>x</p></body></html>"#
        );
    }

    #[test]
    fn scripts_preformatted_text_and_xml_attributes() {
        let payload = r#"1:I["1",[],"default"]
0:["$","div",null,{"xmlLang":"ko","children":[["$","pre",null,{"children":"\nkept"}],["$","$L1",null,{"src":"/s.js","strategy":"afterInteractive"}],["$","script",null,{"children":"if (a</script>) {}"}]]}]"#;
        let page = page_of(payload.as_bytes());
        let mut with_scripts = String::new();
        let options = HtmlOptions {
            scripts: true,
            ..HtmlOptions::default()
        };
        let mut writer = Writer::new(&page, options, false);
        writer.write(page.roots());
        with_scripts.push_str(&writer.out);
        assert_eq!(
            with_scripts,
            "<div xml:lang=\"ko\"><pre>\n\nkept</pre><script src=\"/s.js\"></script><script>if (a</\\u0073cript>) {}</script></div>"
        );
        // Without scripts (the document default), Next's Script writes nothing.
        let mut document = String::new();
        write_document(&page, HtmlOptions::default(), &mut document).unwrap(); // ok: a test
        assert!(!document.contains("/s.js") && document.contains("<script>if (a"));
    }

    #[test]
    fn before_interactive_scripts_are_handed_to_next_s_as_next_writes_them() {
        let payload = r#"1:I[79520,[],""]
0:["$","body",null,{"children":[["$","$L1",null,{"id":"theme","strategy":"beforeInteractive","children":"try{document.documentElement.dataset.t=localStorage.t}catch(e){}</script>"}],["$","p",null,{"children":"text"}]]}]"#;
        let page = page_of(payload.as_bytes());
        let mut writer = Writer::new(&page, HtmlOptions::default(), false);
        writer.write(page.roots());
        assert_eq!(
            writer.out,
            "<body><script>(self.__next_s=self.__next_s||[]).push([0,{\"dangerouslySetInnerHTML\":{\"__html\":\"try{document.documentElement.dataset.t=localStorage.t}catch(e){}</\\u0073cript>\"},\"id\":\"theme\"}])</script><p>text</p></body>"
        );
    }

    #[test]
    fn text_is_escaped() {
        let mut out = String::new();
        escape_into("a<b & \"c\" 'd'", &mut out);
        assert_eq!(out, "a&lt;b &amp; &quot;c&quot; &#x27;d&#x27;");
    }
}
