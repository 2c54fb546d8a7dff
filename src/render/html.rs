//! A composed page (or a part of it) written back as HTML, with React's server rendering
//! rules for host elements: prop names to attribute names, `style` objects to CSS text,
//! boolean attributes, escaping, void elements, `dangerouslySetInnerHTML` as is.
//!
//! Client components cannot run here. A `Link`-like component (one with an `href`) is
//! written as the `<a href>` Next's `Link` renders; layout routers, templates, boundaries
//! and any other client component are written as the server-rendered content they hold.
//! Suspense shows its content, or its fallback when the content never arrived.

use std::fmt::Write;

use crate::next::page::{ElementKind, NodeIndex, Page, PageElement, PageNode, PropValue};

/// Elements that have no end tag.
const VOID: [&str; 15] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
];

/// Attributes React writes as `name=""` when true and leaves out when false.
const BOOLEAN: [&str; 25] = [
    "allowFullScreen",
    "async",
    "autoFocus",
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
    "checked",
    "multiple",
];

/// Props React never writes as attributes.
const RESERVED: [&str; 8] = [
    "children",
    "dangerouslySetInnerHTML",
    "key",
    "ref",
    "suppressHydrationWarning",
    "suppressContentEditableWarning",
    "defaultValue",
    "defaultChecked",
];

/// CSS properties React writes without a unit when given a number.
const UNITLESS: [&str; 44] = [
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
];

/// Writes the node and everything below it.
pub fn write_node(page: &Page, index: NodeIndex, out: &mut String) {
    write_nodes(page, &[index], out);
}

/// Writes the nodes, in order, and everything below them.
pub fn write_nodes(page: &Page, nodes: &[NodeIndex], out: &mut String) {
    enum Step<'p> {
        Node(NodeIndex),
        Close(&'p str),
    }
    // An explicit stack: a page nested 100,000 deep is written like a flat one.
    let mut stack: Vec<Step<'_>> = nodes.iter().rev().map(|&n| Step::Node(n)).collect();
    while let Some(step) = stack.pop() {
        let index = match step {
            Step::Close(tag) => {
                let _ = write!(out, "</{tag}>");
                continue;
            }
            Step::Node(index) => index,
        };
        let el = match page.node(index) {
            PageNode::Text(text) => {
                escape_into(text, out);
                continue;
            }
            PageNode::Element(el) => el,
            PageNode::Pending | PageNode::Error { .. } => continue,
        };
        let children: Vec<NodeIndex> = match &el.kind {
            ElementKind::Host(tag) => {
                open_tag(tag, el, out);
                if VOID.contains(&tag.as_str()) {
                    continue;
                }
                stack.push(Step::Close(tag));
                if let Some(html) = inner_html(el) {
                    out.push_str(html);
                    continue;
                }
                el.children.clone()
            }
            ElementKind::Client { .. } => match link_href(el) {
                Some(href) => {
                    out.push_str("<a href=\"");
                    escape_into(&href, out);
                    out.push('"');
                    for name in ["className", "target", "rel", "title", "id"] {
                        if let Some(value) = el.str_prop(name) {
                            attribute(name, value, out);
                        }
                    }
                    out.push('>');
                    stack.push(Step::Close("a"));
                    el.children.clone()
                }
                None => el.children.clone(),
            },
            ElementKind::Symbol(name) if name == "react.suspense" && shows_fallback(page, el) => el
                .prop("fallback")
                .map(PropValue::nodes)
                .unwrap_or_default(),
            _ => el.children.clone(),
        };
        stack.extend(children.into_iter().rev().map(Step::Node));
    }
}

/// True when a Suspense boundary's content never arrived, so React shows the fallback.
fn shows_fallback(page: &Page, el: &PageElement) -> bool {
    el.children.is_empty()
        || el
            .children
            .iter()
            .all(|&c| matches!(page.node(c), PageNode::Pending))
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
    out.push('<');
    out.push_str(tag);
    for (name, value) in &el.props {
        if RESERVED.contains(&name.as_str()) || is_event_handler(name) {
            continue;
        }
        match value {
            PropValue::Null
            | PropValue::Node(_)
            | PropValue::Client { .. }
            | PropValue::ServerAction
            | PropValue::Other(_) => {}
            PropValue::Bool(b) => {
                if BOOLEAN.contains(&name.as_str()) {
                    if *b {
                        let _ = write!(out, " {}=\"\"", attribute_name(name));
                    }
                } else if name.starts_with("data-")
                    || name.starts_with("aria-")
                    || matches!(
                        name.as_str(),
                        "contentEditable" | "draggable" | "spellCheck" | "value"
                    )
                {
                    attribute(name, if *b { "true" } else { "false" }, out);
                }
            }
            PropValue::Number(n) => attribute(name, n, out),
            PropValue::String(s) => attribute(name, s, out),
            PropValue::Object(entries) if name == "style" => {
                let css = style_text(entries);
                if !css.is_empty() {
                    attribute("style", &css, out);
                }
            }
            PropValue::Array(_) | PropValue::Object(_) => {}
        }
    }
    if VOID.contains(&tag) {
        out.push_str("/>");
    } else {
        out.push('>');
    }
}

fn is_event_handler(name: &str) -> bool {
    name.len() > 2 && name.starts_with("on") && name.as_bytes()[2].is_ascii_uppercase()
}

fn attribute(name: &str, value: &str, out: &mut String) {
    let _ = write!(out, " {}=\"", attribute_name(name));
    escape_into(value, out);
    out.push('"');
}

/// The attribute React writes for a prop.
fn attribute_name(prop: &str) -> String {
    match prop {
        "className" => "class".into(),
        "htmlFor" => "for".into(),
        "httpEquiv" => "http-equiv".into(),
        "acceptCharset" => "accept-charset".into(),
        "tabIndex" | "crossOrigin" => prop.to_ascii_lowercase(),
        "xlinkHref" => "xlink:href".into(),
        "xmlLang" => "xml:lang".into(),
        _ if BOOLEAN.contains(&prop) => prop.to_ascii_lowercase(),
        _ => prop.to_string(),
    }
}

/// A `style` object as CSS text: `fontSize: 12` is `font-size:12px`.
fn style_text(entries: &[(String, PropValue)]) -> String {
    let mut css = String::new();
    for (name, value) in entries {
        let value = match value {
            PropValue::String(s) => s.trim().to_string(),
            PropValue::Number(n)
                if n == "0" || name.starts_with("--") || UNITLESS.contains(&name.as_str()) =>
            {
                n.clone()
            }
            PropValue::Number(n) => format!("{n}px"),
            _ => continue,
        };
        if !css.is_empty() {
            css.push(';');
        }
        if name.starts_with("--") {
            css.push_str(name);
        } else {
            for (i, c) in name.chars().enumerate() {
                if c.is_ascii_uppercase() {
                    css.push('-');
                    css.push(c.to_ascii_lowercase());
                } else if i == 0
                    && name.starts_with("ms")
                    && name.len() > 2
                    && name.as_bytes()[2].is_ascii_uppercase()
                {
                    css.push_str("-m");
                } else {
                    css.push(c);
                }
            }
        }
        css.push(':');
        css.push_str(&value);
    }
    css
}

/// Escapes text and attribute values as React does.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_get_units_and_dashes() {
        let style = vec![
            ("fontSize".to_string(), PropValue::Number("12".into())),
            ("lineHeight".to_string(), PropValue::Number("1.5".into())),
            ("msTransform".to_string(), PropValue::String("none".into())),
            ("--gap".to_string(), PropValue::Number("4".into())),
            ("marginTop".to_string(), PropValue::Number("0".into())),
        ];
        assert_eq!(
            style_text(&style),
            "font-size:12px;line-height:1.5;-ms-transform:none;--gap:4;margin-top:0"
        );
    }

    #[test]
    fn text_is_escaped() {
        let mut out = String::new();
        escape_into("a<b & \"c\" 'd'", &mut out);
        assert_eq!(out, "a&lt;b &amp; &quot;c&quot; &#x27;d&#x27;");
    }
}
