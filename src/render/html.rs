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

use crate::markup::is_void;
pub use crate::markup::{escape_into, is_block_element};
use crate::next::page::{ElementKind, NodeIndex, Page, PageElement, PageNode, PropValue};

/// Props written as `name=""` when truthy and left out otherwise.
const BOOLEAN: [&str; 23] = [
    "inert",
    "allowFullScreen",
    "async",
    "autoPlay",
    "controls",
    "default",
    "defer",
    "disabled",
    "disablePictureInPicture",
    "disableRemotePlayback",
    "formNoValidate",
    "hidden",
    "loop",
    "noModule",
    "noValidate",
    "open",
    "playsInline",
    "readOnly",
    "required",
    "reversed",
    "scoped",
    "seamless",
    "itemScope",
];

/// Props whose booleans are written as `"true"` / `"false"`.
const BOOLEANISH: [&str; 8] = [
    "contentEditable",
    "spellCheck",
    "draggable",
    "value",
    "autoReverse",
    "externalResourcesRequired",
    "focusable",
    "preserveAlpha",
];

/// Props React never writes.
const IGNORED: [&str; 8] = [
    "children",
    "dangerouslySetInnerHTML",
    "defaultValue",
    "defaultChecked",
    "innerHTML",
    "suppressContentEditableWarning",
    "suppressHydrationWarning",
    "ref",
];

/// Prop name → attribute name (React's `getAttributeAlias`).
const ALIASES: [(&str, &str); 81] = [
    ("acceptCharset", "accept-charset"),
    ("htmlFor", "for"),
    ("httpEquiv", "http-equiv"),
    ("crossOrigin", "crossorigin"),
    ("accentHeight", "accent-height"),
    ("alignmentBaseline", "alignment-baseline"),
    ("arabicForm", "arabic-form"),
    ("baselineShift", "baseline-shift"),
    ("capHeight", "cap-height"),
    ("clipPath", "clip-path"),
    ("clipRule", "clip-rule"),
    ("colorInterpolation", "color-interpolation"),
    ("colorInterpolationFilters", "color-interpolation-filters"),
    ("colorProfile", "color-profile"),
    ("colorRendering", "color-rendering"),
    ("dominantBaseline", "dominant-baseline"),
    ("enableBackground", "enable-background"),
    ("fillOpacity", "fill-opacity"),
    ("fillRule", "fill-rule"),
    ("floodColor", "flood-color"),
    ("floodOpacity", "flood-opacity"),
    ("fontFamily", "font-family"),
    ("fontSize", "font-size"),
    ("fontSizeAdjust", "font-size-adjust"),
    ("fontStretch", "font-stretch"),
    ("fontStyle", "font-style"),
    ("fontVariant", "font-variant"),
    ("fontWeight", "font-weight"),
    ("glyphName", "glyph-name"),
    ("glyphOrientationHorizontal", "glyph-orientation-horizontal"),
    ("glyphOrientationVertical", "glyph-orientation-vertical"),
    ("horizAdvX", "horiz-adv-x"),
    ("horizOriginX", "horiz-origin-x"),
    ("imageRendering", "image-rendering"),
    ("letterSpacing", "letter-spacing"),
    ("lightingColor", "lighting-color"),
    ("markerEnd", "marker-end"),
    ("markerMid", "marker-mid"),
    ("markerStart", "marker-start"),
    ("overlinePosition", "overline-position"),
    ("overlineThickness", "overline-thickness"),
    ("paintOrder", "paint-order"),
    ("panose-1", "panose-1"),
    ("pointerEvents", "pointer-events"),
    ("renderingIntent", "rendering-intent"),
    ("shapeRendering", "shape-rendering"),
    ("stopColor", "stop-color"),
    ("stopOpacity", "stop-opacity"),
    ("strikethroughPosition", "strikethrough-position"),
    ("strikethroughThickness", "strikethrough-thickness"),
    ("strokeDasharray", "stroke-dasharray"),
    ("strokeDashoffset", "stroke-dashoffset"),
    ("strokeLinecap", "stroke-linecap"),
    ("strokeLinejoin", "stroke-linejoin"),
    ("strokeMiterlimit", "stroke-miterlimit"),
    ("strokeOpacity", "stroke-opacity"),
    ("strokeWidth", "stroke-width"),
    ("textAnchor", "text-anchor"),
    ("textDecoration", "text-decoration"),
    ("textRendering", "text-rendering"),
    ("transformOrigin", "transform-origin"),
    ("underlinePosition", "underline-position"),
    ("underlineThickness", "underline-thickness"),
    ("unicodeBidi", "unicode-bidi"),
    ("unicodeRange", "unicode-range"),
    ("unitsPerEm", "units-per-em"),
    ("vAlphabetic", "v-alphabetic"),
    ("vHanging", "v-hanging"),
    ("vIdeographic", "v-ideographic"),
    ("vMathematical", "v-mathematical"),
    ("vectorEffect", "vector-effect"),
    ("vertAdvY", "vert-adv-y"),
    ("vertOriginX", "vert-origin-x"),
    ("vertOriginY", "vert-origin-y"),
    ("wordSpacing", "word-spacing"),
    ("writingMode", "writing-mode"),
    ("xmlnsXlink", "xmlns:xlink"),
    ("xHeight", "x-height"),
    ("maskType", "mask-type"),
    ("transformBox", "transform-box"),
    ("xlinkHref", "xlink:href"),
];

/// CSS properties React writes without a unit when given a number (the camelCase key).
const UNITLESS: [&str; 73] = [
    "animationIterationCount",
    "aspectRatio",
    "borderImageOutset",
    "borderImageSlice",
    "borderImageWidth",
    "boxFlex",
    "boxFlexGroup",
    "boxOrdinalGroup",
    "columnCount",
    "columns",
    "flex",
    "flexGrow",
    "flexPositive",
    "flexShrink",
    "flexNegative",
    "flexOrder",
    "gridArea",
    "gridRow",
    "gridRowEnd",
    "gridRowSpan",
    "gridRowStart",
    "gridColumn",
    "gridColumnEnd",
    "gridColumnSpan",
    "gridColumnStart",
    "fontWeight",
    "lineClamp",
    "lineHeight",
    "opacity",
    "order",
    "orphans",
    "scale",
    "tabSize",
    "widows",
    "zIndex",
    "zoom",
    "fillOpacity",
    "floodOpacity",
    "stopOpacity",
    "strokeDasharray",
    "strokeDashoffset",
    "strokeMiterlimit",
    "strokeOpacity",
    "strokeWidth",
    "MozAnimationIterationCount",
    "MozBoxFlex",
    "MozBoxFlexGroup",
    "MozLineClamp",
    "msAnimationIterationCount",
    "msFlex",
    "msZoom",
    "msFlexGrow",
    "msFlexNegative",
    "msFlexOrder",
    "msFlexPositive",
    "msFlexShrink",
    "msGridColumn",
    "msGridColumnSpan",
    "msGridRow",
    "msGridRowSpan",
    "WebkitAnimationIterationCount",
    "WebkitBoxFlex",
    "WebKitBoxFlexGroup",
    "WebkitBoxOrdinalGroup",
    "WebkitColumnCount",
    "WebkitColumns",
    "WebkitFlex",
    "WebkitFlexGrow",
    "WebkitFlexPositive",
    "WebkitFlexShrink",
    "WebkitLineClamp",
    "WebkitBoxFlexGroup",
    "WebkitOrder",
];

/// What React writes instead of a `javascript:` URL.
const BLOCKED_URL: &str =
    "javascript:throw new Error('React has blocked a javascript: URL as a security precaution.')";

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

/// What a client component is written as.
enum ClientRole {
    /// Next's `Link`: an `<a>`.
    Link,
    /// Next's `Image`: an `<img>`.
    Image,
    /// Next's `Script`: a `<script src>`.
    Script,
    /// One of Next's own wrappers (boundaries, outlets, providers): its content.
    Transparent,
    /// Any other: its server-rendered content inside `<rsc-client>`.
    Other,
}

/// Next's own client components that only wrap their content (or render nothing the
/// page needs), by the export names 15+ payloads give them.
const NEXT_WRAPPERS: [&str; 18] = [
    "ViewportBoundary",
    "MetadataBoundary",
    "OutletBoundary",
    "AsyncMetadataOutlet",
    "MetadataOutlet",
    "StreamingMetadataOutlet",
    "IconMark",
    "LoadingBoundaryProvider",
    "ClientPageRoot",
    "ClientSegmentRoot",
    "HTTPAccessFallbackBoundary",
    "ErrorBoundary",
    "NotFoundBoundary",
    "RedirectBoundary",
    "RenderFromTemplateContext",
    "LayoutRouter",
    "ScrollAndFocusHandler",
    "InnerLayoutRouter",
];

fn client_role(el: &PageElement) -> ClientRole {
    let ElementKind::Client { export, .. } = &el.kind else {
        return ClientRole::Transparent;
    };
    if NEXT_WRAPPERS.contains(&export.as_str()) {
        return ClientRole::Transparent;
    }
    if link_href(el).is_some() {
        return ClientRole::Link;
    }
    let has = |name: &str| el.prop(name).is_some();
    // A static import's `src` is an object that carries the size.
    let static_import = matches!(el.prop("src"), Some(PropValue::Object(entries)) if entries.iter().any(|(k, _)| k == "src"));
    if has("src")
        && has("alt")
        && el.children.is_empty()
        && (has("width") || has("height") || has("fill") || static_import)
    {
        return ClientRole::Image;
    }
    if is_next_script(el) {
        return ClientRole::Script;
    }
    ClientRole::Other
}

/// Next's `Script`, by its props (Turbopack names its module by a number, so the
/// reference says nothing): a loading `strategy` of Next's, or an `src` naming a
/// JavaScript file and nothing to show. Its children are script source, never text.
pub(crate) fn is_next_script(el: &PageElement) -> bool {
    if !matches!(el.kind, ElementKind::Client { .. }) {
        return false;
    }
    let strategy = el.str_prop("strategy");
    if strategy.is_some_and(|s| {
        matches!(
            s,
            "beforeInteractive" | "afterInteractive" | "lazyOnload" | "worker"
        )
    }) {
        return true;
    }
    let script_like = el
        .str_prop("src")
        .is_some_and(|s| s.ends_with(".js") || s.contains(".js?"));
    el.children.is_empty() && (strategy.is_some() || script_like && el.prop("alt").is_none())
}

/// Props of `Link` that are Next's, not the `<a>`'s.
const LINK_ONLY: [&str; 11] = [
    "href",
    "as",
    "replace",
    "scroll",
    "shallow",
    "passHref",
    "prefetch",
    "locale",
    "legacyBehavior",
    "onNavigate",
    "unstable_dynamicOnHover",
];

/// Props of `Image` that are Next's, not the `<img>`'s.
const IMAGE_ONLY: [&str; 10] = [
    "src",
    "fill",
    "priority",
    "quality",
    "placeholder",
    "blurDataURL",
    "unoptimized",
    "loader",
    "overrideSrc",
    "layout",
];

/// Props of `Script` that are Next's, not the `<script>`'s.
const SCRIPT_ONLY: [&str; 4] = ["strategy", "onLoad", "onReady", "onError"];

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
        match client_role(el) {
            ClientRole::Link => {
                out.push_str("<a href=\"");
                escape_into(&sanitize_url(&link_href(el).unwrap_or_default()), out);
                out.push('"');
                write_attributes("a", el, &LINK_ONLY, out);
                out.push('>');
                stack.push(Step::Close("a"));
                stack.push(Step::Nodes(&el.children));
            }
            ClientRole::Image => {
                let src = match el.prop("src") {
                    Some(PropValue::String(s)) => s.clone(),
                    // A static import: {src, width, height, blurDataURL}.
                    Some(PropValue::Object(entries)) => entries
                        .iter()
                        .find_map(|(k, v)| match (k.as_str(), v) {
                            ("src", PropValue::String(s)) => Some(s.clone()),
                            _ => None,
                        })
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                out.push_str("<img");
                write_attributes("img", el, &IMAGE_ONLY, out);
                if !src.is_empty() {
                    out.push_str(" src=\"");
                    escape_into(&sanitize_url(&src), out);
                    out.push('"');
                }
                out.push_str("/>");
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

/// The `href` a `Link`-like client component renders.
pub(crate) fn link_href(el: &PageElement) -> Option<String> {
    match el.prop("href")? {
        PropValue::String(s) => Some(s.clone()),
        PropValue::Object(entries) => entries.iter().find_map(|(k, v)| match (k.as_str(), v) {
            ("pathname", PropValue::String(s)) => Some(s.clone()),
            _ => None,
        }),
        _ => None,
    }
}

/// `dangerouslySetInnerHTML.__html`.
pub(crate) fn inner_html(el: &PageElement) -> Option<&str> {
    match el.prop("dangerouslySetInnerHTML")? {
        PropValue::Object(entries) => entries.iter().find_map(|(k, v)| match (k.as_str(), v) {
            ("__html", PropValue::String(s)) => Some(s.as_str()),
            _ => None,
        }),
        _ => None,
    }
}

fn open_tag(tag: &str, el: &PageElement, out: &mut String) {
    open_tag_skipping(tag, el, &[], out);
}

fn open_tag_skipping(tag: &str, el: &PageElement, skip: &[&str], out: &mut String) {
    open_tag_without_end(tag, el, skip, out);
    out.push_str(if is_void(tag) { "/>" } else { ">" });
}

fn open_tag_without_end(tag: &str, el: &PageElement, skip: &[&str], out: &mut String) {
    out.push('<');
    out.push_str(tag);
    write_attributes(tag, el, skip, out);
}

/// `<input>`: its other props, then `name` and the `form*` props, `checked`, `value`.
fn write_input(el: &PageElement, out: &mut String) {
    const LATE: [&str; 9] = [
        "name",
        "formAction",
        "formEncType",
        "formMethod",
        "formTarget",
        "checked",
        "defaultChecked",
        "value",
        "defaultValue",
    ];
    out.push_str("<input");
    write_attributes("input", el, &LATE, out);
    for name in &LATE[..5] {
        if let Some(value) = el.prop(name) {
            attribute("input", name, value, out);
        }
    }
    if el
        .prop("checked")
        .or_else(|| el.prop("defaultChecked"))
        .is_some_and(truthy)
    {
        out.push_str(" checked=\"\"");
    }
    if let Some(value) = el.prop("value").or_else(|| el.prop("defaultValue")) {
        attribute("input", "value", value, out);
    }
    out.push_str("/>");
}

/// The attributes of an element, props in `skip` left out.
fn write_attributes(tag: &str, el: &PageElement, skip: &[&str], out: &mut String) {
    for (name, value) in &el.props {
        // The Markdown a client-drawn body was rendered from is for the Markdown writer.
        if !skip.contains(&name.as_str()) && name != crate::next::drawn::SOURCE_PROP {
            attribute(tag, name, value, out);
        }
    }
}

/// One prop as React's `pushAttribute` writes it (FLIGHT of `react-dom/server` 19.2).
fn attribute(tag: &str, name: &str, value: &PropValue, out: &mut String) {
    if matches!(value, PropValue::Null) || IGNORED.contains(&name) {
        return;
    }
    if tag.contains('-') {
        return custom_element_attribute(name, value, out);
    }
    let Some(text) = js_string(value) else {
        // Functions, symbols, client references, elements: never written.
        return;
    };
    let is_bool = matches!(value, PropValue::Bool(_));
    match name {
        "className" | "tabIndex" | "dir" | "role" | "viewBox" | "width" | "height" => {
            if !is_bool {
                let attr = match name {
                    "className" => "class",
                    "tabIndex" => "tabindex",
                    other => other,
                };
                write_attribute(attr, &text, out);
            }
        }
        "style" => {
            if let PropValue::Object(entries) = value {
                let css = style_text(entries);
                if !css.is_empty() {
                    write_attribute("style", &css, out);
                }
            }
        }
        "src" | "href" | "action" | "formAction" | "xlinkHref" => {
            if is_bool {
                return;
            }
            let empty_dropped = matches!(name, "src" | "href") && !(name == "href" && tag == "a");
            if text.is_empty() && empty_dropped {
                return;
            }
            let attr = if name == "xlinkHref" {
                "xlink:href"
            } else {
                name
            };
            write_attribute(attr, &sanitize_url(&text), out);
        }
        "autoFocus" | "multiple" | "muted" => {
            if truthy(value) {
                let _ = write!(out, " {}=\"\"", name.to_ascii_lowercase());
            }
        }
        _ if BOOLEANISH.contains(&name) => write_attribute(name, &text, out),
        _ if BOOLEAN.contains(&name) => {
            if truthy(value) {
                let _ = write!(out, " {name}=\"\"");
            }
        }
        "capture" | "download" => match value {
            PropValue::Bool(true) => {
                let _ = write!(out, " {name}=\"\"");
            }
            PropValue::Bool(false) => {}
            _ => write_attribute(name, &text, out),
        },
        "cols" | "rows" | "size" | "span" => {
            if js_number_of(value).is_some_and(|n| n >= 1.0) {
                write_attribute(name, &text, out);
            }
        }
        "rowSpan" | "start" => {
            if js_number_of(value).is_some_and(|n| !n.is_nan()) {
                write_attribute(name, &text, out);
            }
        }
        "xlinkActuate" | "xlinkArcrole" | "xlinkRole" | "xlinkShow" | "xlinkTitle"
        | "xlinkType" => {
            if !is_bool {
                let attr = format!("xlink:{}", name["xlink".len()..].to_ascii_lowercase());
                write_attribute(&attr, &text, out);
            }
        }
        "xmlBase" | "xmlLang" | "xmlSpace" => {
            if !is_bool {
                let attr = format!("xml:{}", name["xml".len()..].to_ascii_lowercase());
                write_attribute(&attr, &text, out);
            }
        }
        _ => {
            let bytes = name.as_bytes();
            let event_handler = bytes.len() > 2
                && (bytes[0] == b'o' || bytes[0] == b'O')
                && (bytes[1] == b'n' || bytes[1] == b'N');
            if event_handler {
                return;
            }
            let attr = ALIASES
                .iter()
                .find(|(prop, _)| *prop == name)
                .map_or(name, |(_, attr)| attr);
            if !is_attribute_name_safe(attr) {
                return;
            }
            if is_bool {
                let lower = attr.to_ascii_lowercase();
                if lower.starts_with("data-") || lower.starts_with("aria-") {
                    write_attribute(attr, &text, out);
                }
                return;
            }
            write_attribute(attr, &text, out);
        }
    }
}

/// Custom elements (a `-` in the tag): names as written, no event-handler rule.
fn custom_element_attribute(name: &str, value: &PropValue, out: &mut String) {
    let attr = if name == "className" { "class" } else { name };
    if !is_attribute_name_safe(attr) {
        return;
    }
    match value {
        PropValue::Bool(true) => {
            let _ = write!(out, " {attr}=\"\"");
        }
        PropValue::Object(entries) if name == "style" => {
            let css = style_text(entries);
            if !css.is_empty() {
                write_attribute("style", &css, out);
            }
        }
        PropValue::Bool(false) | PropValue::Object(_) | PropValue::Array(_) => {}
        other => {
            if let Some(text) = js_string(other) {
                write_attribute(attr, &text, out);
            }
        }
    }
}

fn write_attribute(name: &str, value: &str, out: &mut String) {
    let _ = write!(out, " {name}=\"");
    escape_into(value, out);
    out.push('"');
}

/// JavaScript's `String(value)` for what can be written; `None` for what never is.
fn js_string(value: &PropValue) -> Option<String> {
    Some(match value {
        PropValue::Null => return None,
        PropValue::Bool(b) => b.to_string(),
        PropValue::Number(n) => match n.parse::<f64>() {
            Ok(v) => crate::flight::canonical::js_number(v),
            Err(_) => n.clone(),
        },
        PropValue::String(s) => s.clone(),
        // Arrays join their items with commas; objects print as JavaScript prints them.
        PropValue::Array(items) => items
            .iter()
            .map(|i| match i {
                PropValue::Null => String::new(),
                other => js_string(other).unwrap_or_default(),
            })
            .collect::<Vec<_>>()
            .join(","),
        PropValue::Object(_) => "[object Object]".into(),
        PropValue::Node(_)
        | PropValue::Client { .. }
        | PropValue::ServerAction
        | PropValue::Other(_) => {
            return None;
        }
    })
}

fn js_number_of(value: &PropValue) -> Option<f64> {
    match value {
        PropValue::Number(n) => n.parse().ok(),
        PropValue::String(s) if s.trim().is_empty() => Some(0.0),
        PropValue::String(s) => s.trim().parse().ok(),
        PropValue::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

/// JavaScript truthiness.
fn truthy(value: &PropValue) -> bool {
    match value {
        PropValue::Null => false,
        PropValue::Bool(b) => *b,
        PropValue::Number(n) => n.parse::<f64>().is_ok_and(|v| v != 0.0 && !v.is_nan()),
        PropValue::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// A value's text when it is a string or number.
fn plain_text(value: &PropValue) -> Option<String> {
    match value {
        PropValue::String(_) | PropValue::Number(_) | PropValue::Bool(_) => js_string(value),
        _ => None,
    }
}

/// React's `isAttributeNameSafe`.
fn is_attribute_name_safe(name: &str) -> bool {
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

/// React's `sanitizeURL`: a `javascript:` URL is replaced by one that throws.
fn sanitize_url(url: &str) -> String {
    let trimmed = url.trim_start_matches(|c: char| c <= ' ');
    let letters: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n' | '\t'))
        .take(11)
        .collect();
    if letters.to_ascii_lowercase().starts_with("javascript:") {
        BLOCKED_URL.to_string()
    } else {
        url.to_string()
    }
}

/// Breaks up `</script` (or `<style`) inside a script's (style's) text, as React does.
fn break_end_tag(text: &str, tag: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let lower = text.to_ascii_lowercase();
    let mut i = 0;
    while i < text.len() {
        let rest = &lower[i..];
        let opener = if rest.starts_with("</") {
            2
        } else if rest.starts_with('<') {
            1
        } else {
            0
        };
        if opener > 0 && rest[opener..].starts_with(tag) {
            out.push_str(&text[i..i + opener]);
            let s = text.as_bytes()[i + opener];
            let replacement = match (tag, s) {
                ("script", b's') => "\\u0073",
                ("script", _) => "\\u0053",
                (_, b's') => "\\73 ",
                _ => "\\53 ",
            };
            out.push_str(replacement);
            i += opener + 1;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// A `style` object as CSS text: `fontSize: 12` is `font-size:12px`.
fn style_text(entries: &[(String, PropValue)]) -> String {
    let mut css = String::new();
    for (name, value) in entries {
        let value = match value {
            PropValue::String(s) if s.trim().is_empty() => continue,
            PropValue::String(s) => s.trim().to_string(),
            PropValue::Number(n) => {
                let number = js_string(value).unwrap_or_else(|| n.clone());
                if number == "0" || name.starts_with("--") || UNITLESS.contains(&name.as_str()) {
                    number
                } else {
                    format!("{number}px")
                }
            }
            _ => continue,
        };
        if !css.is_empty() {
            css.push(';');
        }
        if name.starts_with("--") {
            escape_into(name, &mut css);
        } else {
            escape_into(&hyphenate(name), &mut css);
        }
        css.push(':');
        escape_into(&value, &mut css);
    }
    css
}

/// `backgroundColor` → `background-color`, `msTransform` → `-ms-transform`.
fn hyphenate(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    if out.starts_with("ms-") {
        out.insert(0, '-');
    }
    out
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
            r#"<div><a href="/a" class="l">A</a><img alt="I" height="20" width="10" src="/i.png"/><rsc-client data-rsc-client="3#Widget"><b>*</b>w</rsc-client></div>"#
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
    fn text_is_escaped() {
        let mut out = String::new();
        escape_into("a<b & \"c\" 'd'", &mut out);
        assert_eq!(out, "a&lt;b &amp; &quot;c&quot; &#x27;d&#x27;");
    }
}
