//! Links as the browser sees them. `next/link` writes its `href` through the site's
//! `basePath` and `trailingSlash` settings, which the flight's props do not carry; the
//! payload shows them in other places (asset URLs under the base path, the canonical URL
//! that ends in an empty segment). This module infers both, says how, and rewrites every
//! `Link`'s `href` in the composed page to the `<a href>` Next renders.
//!
//! The rules are Next's own (`client/app-dir/link.tsx`, `add-base-path.ts`,
//! `normalize-trailing-slash.ts`): an absolute URL is left alone; a path starting with `/`
//! gets the base path in front, and then, with `trailingSlash`, a slash at the end unless
//! its last segment looks like a file, and without it the trailing slash removed.

use serde::Serialize;

use crate::next::page::{ElementKind, Page, PageNode, PropValue};
use crate::next::router::NextFacts;

/// A setting and what it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inferred<T> {
    /// The setting (`null` when nothing tells it).
    pub value: T,
    /// Where it was read.
    pub from: Evidence,
}

/// Where a setting was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// The caller said (`--base-path`, `--trailing-slash`).
    Option,
    /// The asset prefix the payload names (15.x `p`, the AppRouter's `assetPrefix`); Next
    /// uses the base path for it when no other is configured.
    AssetPrefix,
    /// The path in front of `/_next/` in the page's CSS and JS URLs.
    AssetUrls,
    /// The canonical URL the payload carries (`c`, `urlParts`, `initialCanonicalUrl`).
    CanonicalUrl,
    /// The page's `<link rel="canonical">` or `og:url`: Next's metadata writes them with
    /// the trailing-slash rule.
    Metadata,
    /// Where the page's file lies: a static export writes `x/index.txt` with
    /// `trailingSlash` and `x.txt` without.
    FileLayout,
    /// The page's URL.
    PageUrl,
    /// Nothing tells: Next's default (no base path), or, for the trailing slash, links
    /// are left as written.
    Default,
}

/// The site's link settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkStyle {
    /// The base path (`""` for none).
    pub base_path: Inferred<String>,
    /// `trailingSlash`, or `None` when nothing tells.
    pub trailing_slash: Inferred<Option<bool>>,
}

impl Default for LinkStyle {
    fn default() -> LinkStyle {
        LinkStyle {
            base_path: Inferred {
                value: String::new(),
                from: Evidence::Default,
            },
            trailing_slash: Inferred {
                value: None,
                from: Evidence::Default,
            },
        }
    }
}

/// What the caller knows about the page beyond its bytes.
#[derive(Debug, Clone, Default)]
pub struct LinkHints<'a> {
    /// The base path, when the caller knows it (`""` for none).
    pub base_path: Option<&'a str>,
    /// `trailingSlash`, when the caller knows it.
    pub trailing_slash: Option<bool>,
    /// The page's URL, or the path of the file it was read from.
    pub source: Option<&'a str>,
    /// What the files beside the page's file say of `trailingSlash` (a static export
    /// writes `about/index.txt` with it and `about.txt` without): for the root page,
    /// whose own file is `index.txt` either way.
    pub layout_trailing_slash: Option<bool>,
}

impl LinkStyle {
    /// Infers the settings from the payload's facts, the composed page and the hints.
    pub fn infer(facts: &NextFacts, page: &Page, hints: &LinkHints<'_>) -> LinkStyle {
        LinkStyle {
            base_path: base_path(facts, page, hints),
            trailing_slash: trailing_slash(facts, page, hints),
        }
    }

    /// The `href` Next's `Link` renders for the one it was given.
    pub fn link_href(&self, href: &str) -> String {
        if is_absolute_url(href) || !href.starts_with('/') {
            return href.to_string();
        }
        let (pathname, rest) = split_path(href);
        let prefixed = format!("{}{pathname}", self.base_path.value);
        let pathname = match self.trailing_slash.value {
            None => prefixed,
            Some(true) => {
                let last = prefixed
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or("");
                if last.contains('.') {
                    trim_trailing_slash(&prefixed)
                } else if prefixed.ends_with('/') {
                    prefixed
                } else {
                    prefixed + "/"
                }
            }
            Some(false) => trim_trailing_slash(&prefixed),
        };
        pathname + rest
    }

    /// Rewrites the `href` of every `Link` in the page (a client component with an `href`
    /// prop: Next's own, or a wrapper that hands it on) to what the browser gets.
    pub fn rewrite(&self, page: &mut Page) {
        for index in 0..page.len() as u32 {
            let PageNode::Element(el) = page.node(index) else {
                continue;
            };
            if !matches!(el.kind, ElementKind::Client { .. }) {
                continue;
            }
            // `as` wins over `href`, as in Next's Link.
            let written = el
                .prop("as")
                .and_then(format_href)
                .or_else(|| el.prop("href").and_then(format_href));
            let Some(written) = written else { continue };
            let href = self.link_href(&written);
            if let Some(el) = page.element_mut(index) {
                el.props.retain(|(k, _)| k != "as");
                match el.props.iter_mut().find(|(k, _)| k == "href") {
                    Some((_, value)) => *value = PropValue::String(href),
                    None => el.props.push(("href".into(), PropValue::String(href))),
                }
            }
        }
    }
}

/// `formatStringOrUrl`: a string as it is, a URL object as `pathname?query#hash`.
fn format_href(value: &PropValue) -> Option<String> {
    match value {
        PropValue::String(s) => Some(s.clone()),
        PropValue::Object(entries) => {
            let field = |name: &str| {
                entries.iter().find_map(|(k, v)| match v {
                    PropValue::String(s) if k == name => Some(s.as_str()),
                    _ => None,
                })
            };
            let mut out = String::new();
            if let Some(host) = field("host").or_else(|| field("hostname")) {
                let protocol = field("protocol").unwrap_or("");
                out.push_str(protocol);
                if !protocol.is_empty() && !protocol.ends_with(':') {
                    out.push(':');
                }
                out.push_str("//");
                out.push_str(host);
            }
            out.push_str(field("pathname").unwrap_or(""));
            if let Some(search) = field("search").filter(|s| !s.is_empty()) {
                if !search.starts_with('?') {
                    out.push('?');
                }
                out.push_str(search);
            } else if let Some(PropValue::Object(query)) =
                entries.iter().find(|(k, _)| k == "query").map(|(_, v)| v)
            {
                let pairs: Vec<String> = query
                    .iter()
                    .flat_map(|(k, v)| query_values(v).into_iter().map(move |v| (k, v)))
                    .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(&v)))
                    .collect();
                if !pairs.is_empty() {
                    out.push('?');
                    out.push_str(&pairs.join("&"));
                }
            }
            if let Some(hash) = field("hash").filter(|h| !h.is_empty()) {
                if !hash.starts_with('#') {
                    out.push('#');
                }
                out.push_str(hash);
            }
            (!out.is_empty()).then_some(out)
        }
        _ => None,
    }
}

/// The values a query parameter stands for (`URLSearchParams` repeats arrays).
fn query_values(value: &PropValue) -> Vec<String> {
    match value {
        PropValue::String(s) => vec![s.clone()],
        PropValue::Number(n) => vec![n.clone()],
        PropValue::Bool(b) => vec![b.to_string()],
        PropValue::Array(items) => items.iter().flat_map(query_values).collect(),
        _ => vec![String::new()],
    }
}

/// `application/x-www-form-urlencoded`, as `URLSearchParams` writes it.
fn form_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `isAbsoluteUrl`: a scheme, then `:`.
fn is_absolute_url(href: &str) -> bool {
    let Some((scheme, _)) = href.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `parsePath`: the path, and the query and hash after it.
fn split_path(href: &str) -> (&str, &str) {
    let end = href.find(['?', '#']).unwrap_or(href.len());
    href.split_at(end)
}

/// `removeTrailingSlash`: one trailing slash off; the root stays `/`.
fn trim_trailing_slash(path: &str) -> String {
    match path.strip_suffix('/') {
        Some("") => "/".into(),
        Some(trimmed) => trimmed.into(),
        None => path.into(),
    }
}

/// The base path: from the caller; else from the asset prefix (Next's default asset
/// prefix is the base path) or the path in front of `/_next/` in the asset URLs, which
/// Next writes itself; else, or when the assets sit under a folder named like a static
/// files folder (`/static`, `/assets`: an asset prefix of its own, not a base path),
/// what the page's canonical URL holds in front of the page's path (authors write those,
/// so they come second).
fn base_path(facts: &NextFacts, page: &Page, hints: &LinkHints<'_>) -> Inferred<String> {
    if let Some(given) = hints.base_path {
        return Inferred {
            value: given.trim_end_matches('/').to_string(),
            from: Evidence::Option,
        };
    }
    let from_assets = asset_base(facts);
    let looks_static = from_assets.as_ref().is_some_and(|b| {
        let last = b.value.rsplit('/').next().unwrap_or("");
        matches!(
            last,
            "static" | "_static" | "assets" | "public" | "cdn" | "files" | "s"
        )
    });
    if let Some(found) = from_assets.clone().filter(|_| !looks_static) {
        return found;
    }
    // `https://host/base/posts/a` for the page at `/posts/a`: the base is `/base`.
    let page_path = facts
        .path
        .as_deref()
        .map(|p| p.trim_end_matches('/'))
        .filter(|p| !p.is_empty());
    let canonical = metadata_url(page);
    let in_front = page_path.zip(canonical.as_deref()).and_then(|(path, url)| {
        let url_path = split_path(url_path(url)).0.trim_end_matches('/');
        url_path.strip_suffix(path).map(str::to_string)
    });
    if let Some(base) = in_front {
        return Inferred {
            value: base,
            from: Evidence::Metadata,
        };
    }
    from_assets.unwrap_or(Inferred {
        value: String::new(),
        from: Evidence::Default,
    })
}

/// The base path the assets say: the asset prefix when the payload names one, else the
/// prefix most asset URLs share (the page's own; third-party scripts have none).
fn asset_base(facts: &NextFacts) -> Option<Inferred<String>> {
    if let Some(prefix) = facts.asset_prefix.as_deref().filter(|p| !p.is_empty()) {
        return Some(Inferred {
            value: url_path(prefix).trim_end_matches('/').to_string(),
            from: Evidence::AssetPrefix,
        });
    }
    // Stylesheet URLs are written out in the payload; script URLs of webpack builds are
    // made from chunk names with the asset prefix, so they count only without CSS.
    let css = &facts.assets.css;
    let urls = if css.iter().any(|u| u.contains("/_next/")) {
        css
    } else {
        &facts.assets.js
    };
    let mut prefixes: Vec<&str> = urls
        .iter()
        .filter_map(|url| url.find("/_next/").map(|at| url_path(&url[..at])))
        .collect();
    prefixes.sort_unstable();
    let most = prefixes
        .chunk_by(|a, b| a == b)
        .max_by_key(|run| run.len())
        .and_then(|run| run.first())?;
    Some(Inferred {
        value: most.trim_end_matches('/').to_string(),
        from: Evidence::AssetUrls,
    })
}

/// The path of a URL (`https://host/a/b` → `/a/b`); a path as it is.
fn url_path(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |at| &rest[at..]),
        None if url.starts_with("//") => url[2..].find('/').map_or("", |at| &url[2 + at..]),
        None => url,
    }
}

/// Whether a URL's path ends in a slash, for a path that is not the root (the root has
/// one either way) and not a file.
fn ends_in_slash(url: &str) -> Option<bool> {
    let path = url_path(url);
    let path = split_path(path).0;
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty()
        || trimmed
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'))
    {
        return None;
    }
    Some(path.ends_with('/'))
}

fn trailing_slash(facts: &NextFacts, page: &Page, hints: &LinkHints<'_>) -> Inferred<Option<bool>> {
    let found = |value: bool, from: Evidence| Inferred {
        value: Some(value),
        from,
    };
    if let Some(given) = hints.trailing_slash {
        return found(given, Evidence::Option);
    }
    if let Some(value) = facts.url.as_deref().and_then(ends_in_slash) {
        return found(value, Evidence::CanonicalUrl);
    }
    let not_root = facts
        .path
        .as_deref()
        .is_some_and(|p| !p.trim_matches('/').is_empty());
    if let Some(source) = hints.source {
        if source.contains("://") {
            if let Some(value) = ends_in_slash(source) {
                return found(value, Evidence::PageUrl);
            }
        } else if not_root {
            let name = source.rsplit(['/', '\\']).next().unwrap_or(source);
            if matches!(name, "index.txt" | "index.html" | "index.rsc") {
                return found(true, Evidence::FileLayout);
            } else if name.ends_with(".txt") || name.ends_with(".html") {
                return found(false, Evidence::FileLayout);
            }
        }
    }
    if let Some(value) = hints.layout_trailing_slash {
        return found(value, Evidence::FileLayout);
    }
    if let Some(value) = metadata_url(page).as_deref().and_then(ends_in_slash) {
        return found(value, Evidence::Metadata);
    }
    Inferred {
        value: None,
        from: Evidence::Default,
    }
}

/// The page's `<link rel="canonical">` href, else its `og:url`.
fn metadata_url(page: &Page) -> Option<String> {
    let mut og = None;
    for &i in page.head() {
        for (node, _) in std::iter::once((i, 0)).chain(page.descendants(i)) {
            let Some(el) = page.element(node) else {
                continue;
            };
            match &el.kind {
                ElementKind::Host(t) if t == "link" && el.str_prop("rel") == Some("canonical") => {
                    return el.str_prop("href").map(str::to_string);
                }
                ElementKind::Host(t)
                    if t == "meta" && el.str_prop("property") == Some("og:url") =>
                {
                    og = og.or_else(|| el.str_prop("content").map(str::to_string));
                }
                _ => {}
            }
        }
    }
    og
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(base: &str, trailing: Option<bool>) -> LinkStyle {
        LinkStyle {
            base_path: Inferred {
                value: base.into(),
                from: Evidence::Option,
            },
            trailing_slash: Inferred {
                value: trailing,
                from: Evidence::Option,
            },
        }
    }

    #[test]
    fn next_link_rules() {
        let with = style("/docs", Some(true));
        assert_eq!(with.link_href("/"), "/docs/");
        assert_eq!(with.link_href("/a"), "/docs/a/");
        assert_eq!(with.link_href("/a/?x=1#h"), "/docs/a/?x=1#h");
        assert_eq!(with.link_href("/feed.xml"), "/docs/feed.xml");
        assert_eq!(with.link_href("https://x.org/a"), "https://x.org/a");
        assert_eq!(with.link_href("mailto:a@b.c"), "mailto:a@b.c");
        assert_eq!(with.link_href("#top"), "#top");
        assert_eq!(with.link_href("rel/ative"), "rel/ative");
        let without = style("/docs", Some(false));
        assert_eq!(without.link_href("/"), "/docs");
        assert_eq!(without.link_href("/a/"), "/docs/a");
        let plain = style("", Some(false));
        assert_eq!(plain.link_href("/"), "/");
        assert_eq!(plain.link_href("/a/#x"), "/a#x");
        let unknown = style("", None);
        assert_eq!(unknown.link_href("/a/"), "/a/");
    }

    #[test]
    fn url_objects_format_as_next_formats_them() {
        let href = PropValue::Object(vec![
            ("pathname".into(), PropValue::String("/s".into())),
            (
                "query".into(),
                PropValue::Object(vec![("q".into(), PropValue::String("a b&c".into()))]),
            ),
        ]);
        assert_eq!(format_href(&href).as_deref(), Some("/s?q=a+b%26c"));
    }

    #[test]
    fn paths_of_urls() {
        assert_eq!(url_path("https://x.github.io/repo"), "/repo");
        assert_eq!(url_path("https://x.github.io"), "");
        assert_eq!(url_path("/base"), "/base");
        assert_eq!(ends_in_slash("https://x.org/a/b/"), Some(true));
        assert_eq!(ends_in_slash("https://x.org/"), None);
        assert_eq!(ends_in_slash("/a/b.html"), None);
    }
}
