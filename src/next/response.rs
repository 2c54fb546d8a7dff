//! What a response is, beyond its shape: a page that renders, or one of the answers that
//! are not a page at all (a server action's reply, a prefetch, a not-found page, a
//! redirect, an error page, a per-segment payload). Extraction and rendering treat only a
//! page as a page.
//!
//! Next.js says most of this with thrown errors whose digests are well known
//! (`NEXT_REDIRECT;…`, `NEXT_HTTP_ERROR_FALLBACK;404`, `NEXT_NOT_FOUND`), with the routes
//! it renders its own pages at (`/_not-found`, `/_global-error`), and with the roots of
//! its payloads.

use serde::Serialize;

/// The shape of a payload: which of Next's roots it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PayloadKind {
    /// A whole page from the root: the flight inside an HTML document, or the prerendered
    /// payload of a static route (`.rsc`, export `.txt`), which has the same shape.
    Document,
    /// The answer to a client navigation or prefetch: it may start below the root.
    Navigation,
    /// A server action's reply: a result and maybe a refreshed tree.
    Action,
    /// A 16.x per-segment prefetch payload (`_tree`, one segment's data).
    Segment,
}

/// What a response is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResponseKind {
    /// A page that renders: a document, or a navigation answer with the page's content.
    Page,
    /// A prefetch or other partial answer: the router tree, maybe a loading shell, not
    /// the page's content.
    Prefetch,
    /// A server action's reply.
    Action,
    /// A 16.x per-segment prefetch payload (`__next.*.txt`, `*.segment.rsc`).
    Segment,
    /// A not-found page (`notFound()`, an unmatched URL, the export's `404` page).
    NotFound,
    /// `forbidden()`: a 403 page.
    Forbidden,
    /// `unauthorized()`: a 401 page.
    Unauthorized,
    /// `redirect()`, `permanentRedirect()`, or a full-page navigation the server asks for.
    Redirect,
    /// An error page: a server error shown through an error boundary, or Next's global
    /// error page.
    Error,
}

impl ResponseKind {
    /// True for a page whose content is there to extract and render.
    pub fn is_page(self) -> bool {
        self == ResponseKind::Page
    }
}

/// Where a redirect goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redirect {
    /// The target, as the server wrote it.
    pub url: String,
    /// The HTTP status Next would answer a document request with (307, 308, 303), when the
    /// response says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// What a response is, and where it redirects to. In JSON its fields sit in the `next`
/// section: `responseKind`, `redirect`, `errorDigest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    /// What it is.
    #[serde(rename = "responseKind")]
    pub kind: ResponseKind,
    /// The redirect, for [`ResponseKind::Redirect`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect: Option<Redirect>,
    /// The digest of the error that made it an error page (a hash of the real error in
    /// production builds).
    #[serde(rename = "errorDigest", skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

impl Default for Response {
    fn default() -> Response {
        Response::of(ResponseKind::Page)
    }
}

impl Response {
    pub(crate) fn of(kind: ResponseKind) -> Response {
        Response {
            kind,
            redirect: None,
            digest: None,
        }
    }
}

/// Reads a redirect digest of any era: `NEXT_REDIRECT;<url>` (13.2 – 13.3),
/// `NEXT_REDIRECT;<type>;<url>` (13.4), `…;<url>;<permanent>` (13.5) and
/// `…;<url>;<status>;` (14.0+). The URL may itself hold `;`.
pub fn redirect_of(digest: &str) -> Option<Redirect> {
    let rest = digest.strip_prefix("NEXT_REDIRECT;")?;
    let mut fields: Vec<&str> = rest.split(';').collect();
    if fields.len() > 1 && matches!(fields[0], "replace" | "push") {
        fields.remove(0);
    }
    let mut status = None;
    if fields.len() > 2 && fields.last() == Some(&"") {
        fields.pop();
        if let Some(code) = fields.last().and_then(|s| s.parse::<u16>().ok()) {
            status = Some(code);
            fields.pop();
        }
    } else if fields.len() > 1 {
        match fields.last() {
            Some(&"true") => status = Some(308),
            Some(&"false") => status = Some(307),
            _ => {}
        }
        if status.is_some() {
            fields.pop();
        }
    }
    let url = fields.join(";");
    (!url.is_empty()).then_some(Redirect { url, status })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirect(url: &str, status: Option<u16>) -> Option<Redirect> {
        Some(Redirect {
            url: url.into(),
            status,
        })
    }

    #[test]
    fn redirect_digests_of_every_era() {
        assert_eq!(redirect_of("NEXT_REDIRECT;/a"), redirect("/a", None));
        assert_eq!(redirect_of("NEXT_REDIRECT;push;/a"), redirect("/a", None));
        assert_eq!(
            redirect_of("NEXT_REDIRECT;replace;/a;true"),
            redirect("/a", Some(308))
        );
        assert_eq!(
            redirect_of("NEXT_REDIRECT;replace;/a?x=1;y=2;307;"),
            redirect("/a?x=1;y=2", Some(307))
        );
        assert_eq!(redirect_of("NEXT_REDIRECT;replace;;307;"), None);
        assert_eq!(redirect_of("NEXT_NOT_FOUND"), None);
    }
}
