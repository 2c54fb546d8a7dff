//! Inferring a site's `basePath` and `trailingSlash` from what a payload and its page
//! say, and applying them to every `Link` of the composed page, as Next's `Link` does
//! (the settings and the href rules themselves: `links`).

use crate::next::links::{
    Evidence, Inferred, LinkHints, LinkStyle, ends_in_slash, split_path, url_path,
};
use crate::next::page::{ElementKind, Page, PageNode, PropValue};
use crate::next::router::{NextFacts, form_encode};

impl LinkStyle {
    /// Infers the settings from the payload's facts, the composed page and the hints.
    pub fn infer(facts: &NextFacts, page: &Page, hints: &LinkHints<'_>) -> LinkStyle {
        LinkStyle {
            base_path: base_path(facts, page, hints),
            trailing_slash: trailing_slash(facts, page, hints),
        }
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
}
