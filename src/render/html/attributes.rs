//! React 19's server rules for a host element's attributes (`react-dom/server`'s
//! `pushAttribute`): prop names to attribute names (`className`, `tabIndex`, the SVG
//! aliases), `style` objects to CSS text, boolean, booleanish, numeric and URL
//! attributes, event handlers dropped, `javascript:` URLs blocked, names that are not safe
//! left out.

use std::fmt::Write;

use crate::markup::{escape_into, is_attribute_name_safe, is_void};
use crate::next::page::{PageElement, PropValue};

/// Props written as `name=""` when truthy and left out otherwise.
pub(super) const BOOLEAN: [&str; 23] = [
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
pub(super) const BOOLEANISH: [&str; 8] = [
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
pub(super) const IGNORED: [&str; 8] = [
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
pub(super) const ALIASES: [(&str, &str); 81] = [
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
pub(super) const UNITLESS: [&str; 73] = [
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
pub(super) const BLOCKED_URL: &str =
    "javascript:throw new Error('React has blocked a javascript: URL as a security precaution.')";

pub(super) fn open_tag(tag: &str, el: &PageElement, out: &mut String) {
    open_tag_skipping(tag, el, &[], out);
}

pub(super) fn open_tag_skipping(tag: &str, el: &PageElement, skip: &[&str], out: &mut String) {
    open_tag_without_end(tag, el, skip, out);
    out.push_str(if is_void(tag) { "/>" } else { ">" });
}

pub(super) fn open_tag_without_end(tag: &str, el: &PageElement, skip: &[&str], out: &mut String) {
    out.push('<');
    out.push_str(tag);
    write_attributes(tag, el, skip, out);
}

/// `<input>`: its other props, then `name` and the `form*` props, `checked`, `value`.
pub(super) fn write_input(el: &PageElement, out: &mut String) {
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
pub(super) fn write_attributes(tag: &str, el: &PageElement, skip: &[&str], out: &mut String) {
    for (name, value) in &el.props {
        // The Markdown a client-drawn body was rendered from is for the Markdown writer.
        if !skip.contains(&name.as_str()) && name != crate::next::drawn::SOURCE_PROP {
            attribute(tag, name, value, out);
        }
    }
}

/// One prop as React's `pushAttribute` writes it (FLIGHT of `react-dom/server` 19.2).
pub(super) fn attribute(tag: &str, name: &str, value: &PropValue, out: &mut String) {
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
                    write_escaped_attribute("style", &css, out);
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
pub(super) fn custom_element_attribute(name: &str, value: &PropValue, out: &mut String) {
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
                write_escaped_attribute("style", &css, out);
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

pub(super) fn write_attribute(name: &str, value: &str, out: &mut String) {
    let _ = write!(out, " {name}=\"");
    escape_into(value, out);
    out.push('"');
}

/// An attribute whose value is escaped already: `style`, whose names and values React
/// escapes one by one as it builds the CSS text (escaping it again would show `&amp;quot;`).
fn write_escaped_attribute(name: &str, escaped: &str, out: &mut String) {
    let _ = write!(out, " {name}=\"{escaped}\"");
}

/// JavaScript's `String(value)` for what can be written; `None` for what never is.
pub(super) fn js_string(value: &PropValue) -> Option<String> {
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

pub(super) fn js_number_of(value: &PropValue) -> Option<f64> {
    match value {
        PropValue::Number(n) => n.parse().ok(),
        PropValue::String(s) if s.trim().is_empty() => Some(0.0),
        PropValue::String(s) => s.trim().parse().ok(),
        PropValue::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

/// JavaScript truthiness.
pub(super) fn truthy(value: &PropValue) -> bool {
    match value {
        PropValue::Null => false,
        PropValue::Bool(b) => *b,
        PropValue::Number(n) => n.parse::<f64>().is_ok_and(|v| v != 0.0 && !v.is_nan()),
        PropValue::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// A value's text when it is a string or number.
pub(super) fn plain_text(value: &PropValue) -> Option<String> {
    match value {
        PropValue::String(_) | PropValue::Number(_) | PropValue::Bool(_) => js_string(value),
        _ => None,
    }
}

/// React's `sanitizeURL`: a `javascript:` URL is replaced by one that throws.
pub(super) fn sanitize_url(url: &str) -> String {
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
pub(super) fn break_end_tag(text: &str, tag: &str) -> String {
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
pub(super) fn style_text(entries: &[(String, PropValue)]) -> String {
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
pub(super) fn hyphenate(name: &str) -> String {
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
