//! Links as the browser sees them. `next/link` writes its `href` through the site's
//! `basePath` and `trailingSlash` settings, which the flight's props do not carry; the
//! payload shows them in other places (asset URLs under the base path, the canonical URL
//! that ends in an empty segment). This module holds the settings, with how each was
//! learnt, and the `href` rules; `link_style` infers them and rewrites every `Link`.
//!
//! The rules are Next's own (`client/app-dir/link.tsx`, `add-base-path.ts`,
//! `normalize-trailing-slash.ts`): an absolute URL is left alone; a path starting with `/`
//! gets the base path in front, and then, with `trailingSlash`, a slash at the end unless
//! its last segment looks like a file, and without it the trailing slash removed.

use serde::Serialize;

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
pub(crate) fn split_path(href: &str) -> (&str, &str) {
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

/// The path of a URL (`https://host/a/b` → `/a/b`); a path as it is.
pub(crate) fn url_path(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |at| &rest[at..]),
        None if url.starts_with("//") => url[2..].find('/').map_or("", |at| &url[2 + at..]),
        None => url,
    }
}

/// Whether a URL's path ends in a slash, for a path that is not the root (the root has
/// one either way) and not a file.
pub(crate) fn ends_in_slash(url: &str) -> Option<bool> {
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
    fn paths_of_urls() {
        assert_eq!(url_path("https://x.github.io/repo"), "/repo");
        assert_eq!(url_path("https://x.github.io"), "");
        assert_eq!(url_path("/base"), "/base");
        assert_eq!(ends_in_slash("https://x.org/a/b/"), Some(true));
        assert_eq!(ends_in_slash("https://x.org/"), None);
        assert_eq!(ends_in_slash("/a/b.html"), None);
    }
}
