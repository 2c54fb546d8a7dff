//! Next's own client components, told by their props and export names (never by one
//! build's module ids): `Link` is written as `<a href>`, `Image` as `<img>`, `Script` as
//! `<script>`, its layout routers, boundaries and outlets as their content; any other
//! client component as the server-rendered content it was given.

use super::attributes::{attribute, sanitize_url, truthy, write_attributes};
use crate::markup::escape_into;
use crate::next::images::{ImageOptimizer, served_as_is};
use crate::next::page::{ElementKind, Page, PageElement, PageNode, PropValue};

/// What a client component is written as.
pub(super) enum ClientRole {
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
pub(super) const NEXT_WRAPPERS: [&str; 18] = [
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

pub(super) fn client_role(page: &Page, el: &PageElement) -> ClientRole {
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
    if is_next_script(page, el) {
        return ClientRole::Script;
    }
    ClientRole::Other
}

/// Next's `Script`, by its props (Turbopack names its module by a number, so the
/// reference says nothing): a loading `strategy` of Next's, or an `src` naming a
/// JavaScript file and nothing to show. Its children are script source, never text.
pub(crate) fn is_next_script(page: &Page, el: &PageElement) -> bool {
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
        || inline_script(page, el)
}

/// Props a `Script` with its source inline takes (none a component that shows text would
/// be given alone).
const INLINE_SCRIPT_PROPS: [&str; 14] = [
    "id",
    "children",
    "dangerouslySetInnerHTML",
    "nonce",
    "type",
    "onLoad",
    "onReady",
    "onError",
    "async",
    "defer",
    "crossOrigin",
    "integrity",
    "referrerPolicy",
    "noModule",
];

/// Next's `Script` with its source inline and no `strategy` (the default one): an `id`
/// (Next asks for one) or `dangerouslySetInnerHTML`, no prop a `<script>` would not take,
/// and text that reads as code (`try{var t=localStorage…}`).
fn inline_script(page: &Page, el: &PageElement) -> bool {
    let props_fit = el
        .props
        .iter()
        .all(|(k, _)| INLINE_SCRIPT_PROPS.contains(&k.as_str()) || k.starts_with("data-"));
    if !props_fit || el.prop("id").is_none() && inner_html(el).is_none() {
        return false;
    }
    let source = match inner_html(el) {
        Some(html) => html.to_string(),
        None if !el.children.is_empty()
            && el
                .children
                .iter()
                .all(|&c| matches!(page.node(c), PageNode::Text(_))) =>
        {
            page.text_of_children(el)
        }
        None => return false,
    };
    let code = source.trim();
    code.contains('(')
        && code.contains(')')
        && (code.contains(';') || code.contains('{') || code.contains("=>"))
}

/// Props of `Link` that are Next's, not the `<a>`'s.
pub(super) const LINK_ONLY: [&str; 11] = [
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
pub(super) const IMAGE_ONLY: [&str; 16] = [
    "src",
    "className",
    "sizes",
    "width",
    "height",
    "loading",
    "style",
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
pub(super) const SCRIPT_ONLY: [&str; 4] = ["strategy", "onLoad", "onReady", "onError"];

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

/// The inline script Next's `Script` writes on the server for `beforeInteractive`:
/// `(self.__next_s=self.__next_s||[]).push([src or 0, {…props, id}])`, inline source as
/// `dangerouslySetInnerHTML` (`client/script.tsx`).
pub(super) fn next_s_push(el: &PageElement, children: &str) -> String {
    const NOT_PASSED: [&str; 7] = [
        "id",
        "src",
        "onLoad",
        "onReady",
        "strategy",
        "onError",
        "stylesheets",
    ];
    // Written by hand: the object keeps the order JavaScript gives it (the props in
    // order, `id` last).
    let json = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into());
    let mut fields: Vec<String> = el
        .props
        .iter()
        .filter(|(name, _)| !NOT_PASSED.contains(&name.as_str()) && name != "children")
        .filter_map(|(name, value)| {
            Some(format!(
                "{}:{}",
                json(name),
                serde_json::to_string(value).ok()?
            ))
        })
        .collect();
    let src = el.str_prop("src").filter(|s| !s.is_empty());
    if src.is_none() && !children.is_empty() && inner_html(el).is_none() {
        fields.push(format!(
            "\"dangerouslySetInnerHTML\":{{\"__html\":{}}}",
            json(children)
        ));
    }
    if let Some(id) = el.prop("id").and_then(|v| serde_json::to_string(v).ok()) {
        fields.push(format!("\"id\":{id}"));
    }
    let first = src.map_or("0".to_string(), json);
    let entry = format!("[{first},{{{}}}]", fields.join(","));
    format!("(self.__next_s=self.__next_s||[]).push({entry})")
}

/// Next's `Image` as its server writes it (`getImgProps`, `ImageElement`): the other
/// props, then `loading="lazy"` unless it has priority, the size (from the props, else
/// from a static import), `decoding="async"`, `data-nimg`, the class, `color:transparent`
/// (and the fill layout) in its style, then `sizes`, `srcset` and `src`. Through Next's
/// image optimiser when the page shows its images going through it (`images`): the
/// flight alone never says, so an image is otherwise written as it is served by a static
/// export.
pub(super) fn write_image(el: &PageElement, images: Option<&ImageOptimizer>, out: &mut String) {
    let import = match el.prop("src") {
        Some(PropValue::Object(entries)) => Some(entries.as_slice()),
        _ => None,
    };
    let from_import = |key: &str| {
        import.and_then(|entries| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v))
    };
    let src = match el.prop("src") {
        Some(PropValue::String(s)) => s.clone(),
        _ => match from_import("src") {
            Some(PropValue::String(s)) => s.clone(),
            _ => String::new(),
        },
    };
    let fill = el.prop("fill").is_some_and(truthy);
    let priority = el.prop("priority").is_some_and(truthy);
    out.push_str("<img");
    write_attributes("img", el, &IMAGE_ONLY, out);
    match el.prop("loading") {
        Some(loading) => attribute("img", "loading", loading, out),
        None if !priority => out.push_str(" loading=\"lazy\""),
        None => out.push_str(" fetchpriority=\"high\""),
    }
    let width = if fill {
        None
    } else {
        let width = el.prop("width").or_else(|| from_import("width"));
        for (key, size) in [
            ("width", width),
            (
                "height",
                el.prop("height").or_else(|| from_import("height")),
            ),
        ] {
            if let Some(size) = size {
                attribute("img", key, size, out);
            }
        }
        width.and_then(integer)
    };
    out.push_str(" decoding=\"async\"");
    out.push_str(if fill {
        " data-nimg=\"fill\""
    } else {
        " data-nimg=\"1\""
    });
    if let Some(class) = el.prop("className") {
        attribute("img", "className", class, out);
    }
    let mut style: Vec<(String, PropValue)> = Vec::new();
    if fill {
        for (k, v) in [
            ("position", "absolute"),
            ("height", "100%"),
            ("width", "100%"),
        ]
        .into_iter()
        .chain([("left", "0"), ("top", "0"), ("right", "0"), ("bottom", "0")])
        {
            style.push((k.into(), PropValue::String(v.into())));
        }
    }
    // `Object.assign(layout, {color: 'transparent'}, style)`: a key the image's own style
    // sets again keeps its first place and takes the new value.
    style.push(("color".into(), PropValue::String("transparent".into())));
    if let Some(PropValue::Object(own)) = el.prop("style") {
        for (key, value) in own {
            match style.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value.clone(),
                None => style.push((key.clone(), value.clone())),
            }
        }
    }
    attribute("img", "style", &PropValue::Object(style), out);
    let optimizer = images.filter(|_| {
        !src.is_empty() && !served_as_is(&src) && !el.prop("unoptimized").is_some_and(truthy)
    });
    let src = match optimizer {
        Some(optimizer) => {
            let quality = el.prop("quality").and_then(integer).map(|q| q as u32);
            let sizes = el.str_prop("sizes");
            let image = optimizer.attributes(&src, width, sizes, quality);
            if let Some(sizes) = &image.sizes {
                attribute("img", "sizes", &PropValue::String(sizes.clone()), out);
            }
            out.push_str(" srcSet=\"");
            escape_into(&image.srcset, out);
            out.push('"');
            image.src
        }
        None => src,
    };
    if !src.is_empty() {
        out.push_str(" src=\"");
        escape_into(&sanitize_url(&src), out);
        out.push('"');
    }
    out.push_str("/>");
}

/// A number prop (or a string of digits) as Next's `getInt` reads it.
fn integer(value: &PropValue) -> Option<f64> {
    let number = match value {
        PropValue::Number(n) => n.parse::<f64>().ok()?,
        PropValue::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse::<f64>().ok()?
        }
        _ => return None,
    };
    number.is_finite().then_some(number)
}
