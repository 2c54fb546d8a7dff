//! The page's metadata, read from the composed page's `<head>` (where composition put
//! the metadata and viewport elements of every era, streamed metadata included) and from
//! its JSON-LD scripts: every head tag in order, and the usual fields drawn from them.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::next::HtmlPage;
use crate::next::page::{ElementKind, NodeIndex, Page, PageElement, PropValue};

/// The metadata of a page.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// `<title>`.
    pub title: Option<String>,
    /// `<meta name="description">`.
    pub description: Option<String>,
    /// `<link rel="canonical">`.
    pub canonical: Option<String>,
    /// `<html lang>`.
    pub lang: Option<String>,
    /// `<meta name="keywords">`, split at commas.
    pub keywords: Vec<String>,
    /// `<meta name="author">`, each with the `<link rel="author">` before it.
    pub authors: Vec<Author>,
    /// `<meta name="robots">`.
    pub robots: Option<String>,
    /// `og:*` and `article:*` properties.
    pub open_graph: OpenGraph,
    /// `twitter:*` names.
    pub twitter: Twitter,
    /// Icons: `icon`, `shortcut icon`, `apple-touch-icon`, `mask-icon` links.
    pub icons: Vec<Icon>,
    /// Alternate versions of the page.
    pub alternates: Alternates,
    /// `<meta name="viewport">`.
    pub viewport: Option<String>,
    /// `<meta name="theme-color">` (the first, when there are several for media).
    pub theme_color: Option<String>,
    /// JSON-LD objects (`<script type="application/ld+json">`, `self.__next_s` too).
    pub json_ld: Vec<serde_json::Value>,
    /// Every head element, in order.
    pub tags: Vec<HeadTag>,
}

/// An author.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Author {
    /// The name.
    pub name: Option<String>,
    /// The author's page.
    pub url: Option<String>,
}

/// Open Graph properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenGraph {
    /// `og:title`
    pub title: Option<String>,
    /// `og:description`
    pub description: Option<String>,
    /// `og:url`
    pub url: Option<String>,
    /// `og:site_name`
    pub site_name: Option<String>,
    /// `og:locale`
    pub locale: Option<String>,
    /// `og:type`
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `og:image` and its `og:image:*` properties.
    pub images: Vec<Image>,
    /// `article:published_time`
    pub published_time: Option<String>,
    /// `article:modified_time` (or `og:updated_time`)
    pub modified_time: Option<String>,
    /// `article:author`
    pub authors: Vec<String>,
    /// `article:section`
    pub section: Option<String>,
    /// `article:tag`
    pub tags: Vec<String>,
}

/// An image of a card.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Image {
    /// Its URL.
    pub url: String,
    /// `…:width`
    pub width: Option<String>,
    /// `…:height`
    pub height: Option<String>,
    /// `…:alt`
    pub alt: Option<String>,
    /// `…:type`
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// Twitter card names.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Twitter {
    /// `twitter:card`
    pub card: Option<String>,
    /// `twitter:site`
    pub site: Option<String>,
    /// `twitter:creator`
    pub creator: Option<String>,
    /// `twitter:title`
    pub title: Option<String>,
    /// `twitter:description`
    pub description: Option<String>,
    /// `twitter:image` and its `twitter:image:*` names.
    pub images: Vec<Image>,
}

/// An icon link.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Icon {
    /// `rel`
    pub rel: String,
    /// `href`
    pub href: String,
    /// `type`
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `sizes`
    pub sizes: Option<String>,
    /// `media`
    pub media: Option<String>,
}

/// `<link rel="alternate">` versions of the page.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Alternates {
    /// By language: (`hrefLang`, `href`), in order.
    #[serde(serialize_with = "pairs_as_object")]
    pub languages: Vec<(String, String)>,
    /// By media query: (`media`, `href`).
    #[serde(serialize_with = "pairs_as_object")]
    pub media: Vec<(String, String)>,
    /// By type (RSS, Atom …): (`type`, `href`).
    #[serde(serialize_with = "pairs_as_object")]
    pub types: Vec<(String, String)>,
}

fn pairs_as_object<S: Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// One head element: its tag, its attributes under React's prop names (`charSet`,
/// `httpEquiv`, `hrefLang`), and a title's text. JSON: `{"tag":"meta","name":…,"content":…}`.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadTag {
    /// `title`, `meta`, `link`, `base`.
    pub tag: String,
    /// The attributes, in the order the element has them.
    pub attributes: Vec<(String, String)>,
    /// The text of a `<title>`.
    pub text: Option<String>,
}

impl HeadTag {
    /// An attribute's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Serialize for HeadTag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("tag", &self.tag)?;
        for (k, v) in &self.attributes {
            map.serialize_entry(k, v)?;
        }
        if let Some(text) = &self.text {
            map.serialize_entry("text", text)?;
        }
        map.end()
    }
}

/// Attributes of head elements that carry metadata, in the order they are written.
const HEAD_ATTRIBUTES: [&str; 12] = [
    "name",
    "property",
    "httpEquiv",
    "charSet",
    "itemProp",
    "content",
    "rel",
    "href",
    "hrefLang",
    "type",
    "sizes",
    "media",
];

/// Reads the metadata of a composed page. When the input was an HTML page, `html` adds
/// what only the HTML has: head tags the server inserted outside the flight, and
/// JSON-LD among its `beforeInteractive` scripts.
pub fn metadata(page: &Page, html: Option<&HtmlPage>) -> Metadata {
    let mut meta = Metadata {
        tags: head_tags(page),
        ..Metadata::default()
    };
    if let Some(html) = html {
        let mut known: std::collections::HashSet<String> = meta.tags.iter().map(tag_key).collect();
        for tag in &html.head_tags {
            let tag = HeadTag {
                tag: tag.tag.clone(),
                attributes: tag
                    .attributes
                    .iter()
                    .filter_map(|(name, value)| {
                        let name = react_name(name)?;
                        Some((name.to_string(), value.clone()))
                    })
                    .collect(),
                text: tag.text.clone(),
            };
            if known.insert(tag_key(&tag)) {
                meta.tags.push(tag);
            }
        }
    }
    meta.lang = html_element(page)
        .and_then(|el| el.str_prop("lang").map(str::to_string))
        .or_else(|| html.and_then(|h| h.lang.clone()));
    let scripts = html
        .map(|h| h.before_interactive.as_slice())
        .unwrap_or_default();
    meta.json_ld = json_ld(page, scripts);
    let mut pending_author_url: Option<String> = None;
    for tag in &meta.tags {
        let content = tag.get("content").map(str::to_string);
        match tag.tag.as_str() {
            "title" if meta.title.is_none() => meta.title = tag.text.clone(),
            "meta" => {
                if let Some(name) = tag.get("name") {
                    let name = name.to_ascii_lowercase();
                    match name.as_str() {
                        "description" => set(&mut meta.description, content),
                        "keywords" => meta.keywords.extend(content.iter().flat_map(|c| {
                            c.split(',')
                                .map(str::trim)
                                .filter(|k| !k.is_empty())
                                .map(str::to_string)
                                .collect::<Vec<_>>()
                        })),
                        "author" => meta.authors.push(Author {
                            name: content,
                            url: pending_author_url.take(),
                        }),
                        "robots" => set(&mut meta.robots, content),
                        "viewport" => set(&mut meta.viewport, content),
                        "theme-color" => set(&mut meta.theme_color, content),
                        _ if name.starts_with("twitter:") => {
                            twitter(&mut meta.twitter, &name, content)
                        }
                        _ => {}
                    }
                } else if let Some(property) = tag.get("property") {
                    let property = property.to_ascii_lowercase();
                    if property.starts_with("twitter:") {
                        twitter(&mut meta.twitter, &property, content);
                    } else {
                        open_graph(&mut meta.open_graph, &property, content);
                    }
                }
            }
            "link" => {
                let Some(href) = tag.get("href").map(str::to_string) else {
                    continue;
                };
                let rel = tag.get("rel").unwrap_or_default().to_ascii_lowercase();
                let rels: Vec<&str> = rel.split_ascii_whitespace().collect();
                if rels.contains(&"canonical") {
                    set(&mut meta.canonical, Some(href.clone()));
                }
                if rels.contains(&"author") {
                    // Next writes each author's link just before its name.
                    if let Some(pending) = pending_author_url.replace(href.clone()) {
                        meta.authors.push(Author {
                            name: None,
                            url: Some(pending),
                        });
                    }
                }
                if rels.contains(&"alternate") {
                    if let Some(lang) = tag.get("hrefLang") {
                        meta.alternates
                            .languages
                            .push((lang.to_string(), href.clone()));
                    } else if let Some(media) = tag.get("media") {
                        meta.alternates
                            .media
                            .push((media.to_string(), href.clone()));
                    } else if let Some(kind) = tag.get("type") {
                        meta.alternates.types.push((kind.to_string(), href.clone()));
                    }
                }
                if rels.iter().any(|r| r.contains("icon")) {
                    meta.icons.push(Icon {
                        rel: tag.get("rel").unwrap_or_default().to_string(),
                        href,
                        kind: tag.get("type").map(str::to_string),
                        sizes: tag.get("sizes").map(str::to_string),
                        media: tag.get("media").map(str::to_string),
                    });
                }
            }
            _ => {}
        }
    }
    if let Some(url) = pending_author_url {
        meta.authors.push(Author {
            name: None,
            url: Some(url),
        });
    }
    meta
}

/// The prop name React uses for a head attribute, for the attributes kept.
fn react_name(html_name: &str) -> Option<&'static str> {
    let lower = html_name.to_ascii_lowercase();
    HEAD_ATTRIBUTES
        .iter()
        .copied()
        .find(|react| react.to_ascii_lowercase() == lower)
        .or(match lower.as_str() {
            "http-equiv" => Some("httpEquiv"),
            _ => None,
        })
}

/// What makes two head elements the same: tag, text and attributes (in any order).
fn tag_key(tag: &HeadTag) -> String {
    let mut attrs = tag.attributes.clone();
    attrs.sort();
    format!("{}\u{0}{:?}\u{0}{:?}", tag.tag, tag.text, attrs)
}

fn set(field: &mut Option<String>, value: Option<String>) {
    if field.is_none() {
        *field = value;
    }
}

fn open_graph(og: &mut OpenGraph, property: &str, content: Option<String>) {
    let Some(content) = content else { return };
    match property {
        "og:title" => set(&mut og.title, Some(content)),
        "og:description" => set(&mut og.description, Some(content)),
        "og:url" => set(&mut og.url, Some(content)),
        "og:site_name" => set(&mut og.site_name, Some(content)),
        "og:locale" => set(&mut og.locale, Some(content)),
        "og:type" => set(&mut og.kind, Some(content)),
        "og:updated_time" | "article:modified_time" => set(&mut og.modified_time, Some(content)),
        "article:published_time" => set(&mut og.published_time, Some(content)),
        "article:author" => og.authors.push(content),
        "article:section" => set(&mut og.section, Some(content)),
        "article:tag" => og.tags.push(content),
        _ => image_property(&mut og.images, property.strip_prefix("og:"), content),
    }
}

fn twitter(card: &mut Twitter, name: &str, content: Option<String>) {
    let Some(content) = content else { return };
    match name {
        "twitter:card" => set(&mut card.card, Some(content)),
        "twitter:site" => set(&mut card.site, Some(content)),
        "twitter:creator" => set(&mut card.creator, Some(content)),
        "twitter:title" => set(&mut card.title, Some(content)),
        "twitter:description" => set(&mut card.description, Some(content)),
        _ => image_property(&mut card.images, name.strip_prefix("twitter:"), content),
    }
}

/// `image`, `image:url`, `image:secure_url` start an image; `image:width` etc. describe
/// the last one.
fn image_property(images: &mut Vec<Image>, key: Option<&str>, content: String) {
    match key {
        Some("image" | "image:url" | "image:src") => images.push(Image {
            url: content,
            ..Image::default()
        }),
        Some(other) => {
            let Some(last) = images.last_mut() else {
                return;
            };
            match other {
                "image:width" => last.width = Some(content),
                "image:height" => last.height = Some(content),
                "image:alt" => last.alt = Some(content),
                "image:type" => last.kind = Some(content),
                _ => {}
            }
        }
        None => {}
    }
}

/// The composed page's `<html>` element.
fn html_element(page: &Page) -> Option<&PageElement> {
    find_host(page, "html").and_then(|i| page.element(i))
}

/// The first host element with this tag, top-level nodes first.
pub(crate) fn find_host(page: &Page, tag: &str) -> Option<NodeIndex> {
    page.roots().iter().find_map(|&root| {
        std::iter::once(root)
            .chain(page.descendants(root).into_iter().map(|(i, _)| i))
            .find(|&i| page.is_host(i, tag))
    })
}

/// The title, meta, link and base elements of `<html><head>`, in order.
fn head_tags(page: &Page) -> Vec<HeadTag> {
    // A partial payload (a navigation answer) has no <html> to attach its head to: its
    // head data is read as it came.
    let nodes: Vec<NodeIndex> = match find_host(page, "head") {
        Some(head) => page.descendants(head).into_iter().map(|(i, _)| i).collect(),
        None => page
            .head()
            .iter()
            .flat_map(|&h| {
                std::iter::once(h).chain(page.descendants(h).into_iter().map(|(i, _)| i))
            })
            .collect(),
    };
    // React 19 hoists <title>, <meta> and <link> rendered anywhere in the body into the
    // head, ahead of the head's own elements (Next's default not-found page writes its
    // <title> so).
    let mut nodes_in_order = hoisted_from_body(page);
    nodes_in_order.extend(nodes);
    let mut tags = Vec::new();
    for i in nodes_in_order {
        let Some(el) = page.element(i) else { continue };
        let ElementKind::Host(tag) = &el.kind else {
            continue;
        };
        if !matches!(tag.as_str(), "title" | "meta" | "link" | "base") {
            continue;
        }
        let attributes = HEAD_ATTRIBUTES
            .iter()
            .filter_map(|&name| {
                let value = match el.prop(name)? {
                    PropValue::String(s) => s.clone(),
                    PropValue::Number(n) => n.clone(),
                    _ => return None,
                };
                Some((name.to_string(), value))
            })
            .collect();
        let text = (tag == "title").then(|| page.text(i));
        tags.push(HeadTag {
            tag: tag.clone(),
            attributes,
            text,
        });
    }
    tags
}

/// The `<title>`, `<meta>` and `<link>` elements of the body that React hoists: not in
/// an SVG or `<noscript>`, without `itemProp`, a link with a `rel` (a stylesheet only
/// with a `precedence`).
fn hoisted_from_body(page: &Page) -> Vec<NodeIndex> {
    let Some(body) = find_host(page, "body") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut stack: Vec<NodeIndex> = page
        .element(body)
        .map(|el| el.children.iter().rev().copied().collect())
        .unwrap_or_default();
    while let Some(i) = stack.pop() {
        let Some(el) = page.element(i) else { continue };
        match &el.kind {
            ElementKind::Host(tag)
                if matches!(
                    tag.as_str(),
                    "svg" | "math" | "noscript" | "script" | "style" | "template"
                ) => {}
            ElementKind::Host(tag) if matches!(tag.as_str(), "title" | "meta" | "link") => {
                let hoists = el.prop("itemProp").is_none()
                    && (tag != "link"
                        || el.str_prop("rel").is_some_and(|rel| {
                            rel != "stylesheet" || el.prop("precedence").is_some()
                        }));
                if hoists {
                    found.push(i);
                }
            }
            _ => stack.extend(el.children.iter().rev().copied()),
        }
    }
    found
}

/// JSON-LD: the `application/ld+json` scripts of the page and of `self.__next_s`.
fn json_ld(
    page: &Page,
    scripts: &[crate::next::BeforeInteractiveScript],
) -> Vec<serde_json::Value> {
    let mut texts: Vec<String> = Vec::new();
    for &root in page.roots() {
        for i in std::iter::once(root).chain(page.descendants(root).into_iter().map(|(i, _)| i)) {
            let Some(el) = page.element(i) else { continue };
            if !page.is_host(i, "script") || !is_ld_json(el.str_prop("type")) {
                continue;
            }
            let inner = match el.prop("dangerouslySetInnerHTML") {
                Some(PropValue::Object(entries)) => {
                    entries.iter().find_map(|(k, v)| match (k.as_str(), v) {
                        ("__html", PropValue::String(s)) => Some(s.clone()),
                        _ => None,
                    })
                }
                _ => None,
            };
            texts.push(inner.unwrap_or_else(|| page.text(i)));
        }
    }
    for script in scripts {
        if is_ld_json(script.props.get("type").and_then(|t| t.as_str()))
            && let Some(code) = script.props.get("children").and_then(|c| c.as_str())
        {
            texts.push(code.to_string());
        }
    }
    texts
        .iter()
        .filter_map(|t| serde_json::from_str(t.trim()).ok())
        .collect()
}

fn is_ld_json(kind: Option<&str>) -> bool {
    kind.is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
}
