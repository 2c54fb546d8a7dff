//! The page's navigation: the links of its header, nav, aside and footer regions (and
//! breadcrumbs, tables of contents, pagination), with their text as a reader sees it.
//! `Link` client components count as links: Next's `Link` renders an `<a>` with its
//! `href` around its children.

use serde::Serialize;

use super::text::{collapse, is_heading};
use crate::next::page::{ElementKind, NodeIndex, Page, PageElement, PropValue};

/// A navigation region and its links.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Region {
    /// `header`, `nav`, `aside`, `footer`, `breadcrumb`, `toc` or `pagination`.
    pub region: &'static str,
    /// Its `aria-label`, or the heading it starts with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Its links, in order (a link counts for the innermost region around it).
    pub links: Vec<Link>,
}

/// A link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The target as the page writes it (a `Link`'s with the site's base path and
    /// trailing-slash rule applied, as Next renders it).
    pub href: String,
    /// The target as an absolute URL, when the page's URL is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The text, white space collapsed.
    pub text: String,
    /// Marked as the current page (`aria-current`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub current: bool,
}

/// The navigation regions of a composed page, in document order; regions without links
/// are left out. With the page's URL, each link also gets its absolute `url`.
pub fn navigation(page: &Page, page_url: Option<&str>) -> Vec<Region> {
    let base = page_url.and_then(|u| url::Url::parse(u).ok());
    let mut regions: Vec<Region> = Vec::new();
    // (node, index of the innermost region around it)
    let mut stack: Vec<(NodeIndex, Option<usize>)> =
        page.roots().iter().rev().map(|&r| (r, None)).collect();
    while let Some((index, mut region)) = stack.pop() {
        let Some(el) = page.element(index) else {
            continue;
        };
        if let Some(kind) = region_kind(el) {
            regions.push(Region {
                region: kind,
                label: label(page, el),
                links: Vec::new(),
            });
            region = Some(regions.len() - 1);
        }
        if let Some(href) = link_target(el) {
            if let Some(r) = region {
                let url = base
                    .as_ref()
                    .and_then(|b| b.join(&href).ok())
                    .map(String::from);
                regions[r].links.push(Link {
                    href,
                    url,
                    text: link_text(page, index, el),
                    current: el.prop("aria-current").is_some_and(|v| {
                        !matches!(v, PropValue::Bool(false) | PropValue::Null)
                            && *v != PropValue::String("false".into())
                    }),
                });
            }
            continue; // a link's own content is its text
        }
        stack.extend(el.children.iter().rev().map(|&c| (c, region)));
    }
    regions.retain(|r| !r.links.is_empty());
    regions
}

/// What a reader is told a link is: its text, else its `aria-label` or `title`, else
/// the `alt` of an image inside it.
fn link_text(page: &Page, index: NodeIndex, el: &PageElement) -> String {
    let text = collapse(&page.text(index));
    if !text.is_empty() {
        return text;
    }
    el.str_prop("aria-label")
        .or_else(|| el.str_prop("title"))
        .map(collapse)
        .or_else(|| {
            page.descendants(index).into_iter().find_map(|(i, _)| {
                let img = page.element(i)?;
                (img.kind == ElementKind::Host("img".into()))
                    .then(|| img.str_prop("alt").map(collapse))
                    .flatten()
            })
        })
        .unwrap_or_default()
}

/// The region an element opens, if any.
fn region_kind(el: &PageElement) -> Option<&'static str> {
    let ElementKind::Host(tag) = &el.kind else {
        return None;
    };
    let said = |name: &str| el.str_prop(name).unwrap_or_default().to_ascii_lowercase();
    let words = format!(
        "{} {} {}",
        said("aria-label"),
        said("className"),
        said("id")
    );
    let role = said("role");
    let base = match (tag.as_str(), role.as_str()) {
        ("nav", _) | (_, "navigation") => "nav",
        ("header", _) | (_, "banner") => "header",
        ("footer", _) | (_, "contentinfo") => "footer",
        ("aside", _) | (_, "complementary") => "aside",
        ("ol" | "ul" | "div", _) if words.contains("breadcrumb") => return Some("breadcrumb"),
        _ => return None,
    };
    Some(if words.contains("breadcrumb") {
        "breadcrumb"
    } else if words.contains("toc")
        || words.contains("table of contents")
        || words.contains("table-of-contents")
    {
        "toc"
    } else if words.contains("pagination") || words.contains("pager") {
        "pagination"
    } else {
        base
    })
}

/// The link target of an `<a href>` or a `Link`-like client component (one with an
/// `href` prop).
fn link_target(el: &PageElement) -> Option<String> {
    match &el.kind {
        ElementKind::Host(tag) if tag == "a" => el.str_prop("href").map(str::to_string),
        ElementKind::Client { .. } => match el.prop("href")? {
            PropValue::String(s) => Some(s.clone()),
            // `href={{ pathname, query }}`: the pathname is where it goes.
            PropValue::Object(entries) => entries.iter().find_map(|(k, v)| match (k.as_str(), v) {
                ("pathname", PropValue::String(s)) => Some(s.clone()),
                _ => None,
            }),
            _ => None,
        },
        _ => None,
    }
}

/// `aria-label`, else the heading the region starts with.
fn label(page: &Page, el: &PageElement) -> Option<String> {
    if let Some(label) = el.str_prop("aria-label") {
        return Some(label.to_string());
    }
    let first = el
        .children
        .iter()
        .copied()
        .find(|&c| page.element(c).is_some())?;
    is_heading(page, first).then(|| collapse(&page.text_up_to(first, 200)))
}
