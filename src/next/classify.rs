//! Tells what a response is — a page, a prefetch, an action's reply, a segment, a
//! not-found, forbidden or unauthorized page, a redirect, an error page — from its root,
//! its route and its composed page (the kinds themselves: `response`).

use crate::flight::Tree;
use crate::next::page::{Page, PageNode};
use crate::next::response::{PayloadKind, Redirect, Response, ResponseKind, redirect_of};

/// Classifies an App Router response from its root, its shape, its route pattern and
/// path, and its composed page.
pub fn classify(
    tree: &Tree<'_>,
    payload: Option<PayloadKind>,
    route: Option<&str>,
    path: Option<&str>,
    page: &Page,
) -> Response {
    match payload {
        Some(PayloadKind::Action) => return Response::of(ResponseKind::Action),
        Some(PayloadKind::Segment) => return Response::of(ResponseKind::Segment),
        _ => {}
    }
    if let Some(url) = full_page_navigation(tree) {
        return Response {
            kind: ResponseKind::Redirect,
            redirect: Some(Redirect { url, status: None }),
            digest: None,
        };
    }
    // The first framework error the page shows decides; a hashed digest (a real error)
    // makes an error page unless a framework one says more.
    let mut error: Option<Option<String>> = None;
    for digest in shown_errors(page) {
        match digest.as_deref().map(framework_error) {
            Some(Some(FrameworkError::Redirect(redirect))) => {
                return Response {
                    kind: ResponseKind::Redirect,
                    redirect: Some(redirect),
                    digest: None,
                };
            }
            Some(Some(FrameworkError::Status(kind))) => return Response::of(kind),
            _ => {
                error.get_or_insert(digest);
            }
        }
    }
    if page.shows_not_found || route == Some("/_not-found") {
        return Response::of(ResponseKind::NotFound);
    }
    if let Some(digest) = error {
        return Response {
            kind: ResponseKind::Error,
            redirect: None,
            digest,
        };
    }
    if matches!(route, Some("/_global-error" | "/_error" | "/500"))
        || path == Some("/_global-error")
    {
        return Response::of(ResponseKind::Error);
    }
    if payload == Some(PayloadKind::Navigation) && page.lacks_content() {
        return Response::of(ResponseKind::Prefetch);
    }
    Response::of(ResponseKind::Page)
}

enum FrameworkError {
    Redirect(Redirect),
    Status(ResponseKind),
}

/// What a Next.js control-flow digest means, or `None` for any other digest.
fn framework_error(digest: &str) -> Option<FrameworkError> {
    if digest == "NEXT_NOT_FOUND" {
        return Some(FrameworkError::Status(ResponseKind::NotFound));
    }
    if let Some(status) = digest.strip_prefix("NEXT_HTTP_ERROR_FALLBACK;") {
        return Some(FrameworkError::Status(match status {
            "403" => ResponseKind::Forbidden,
            "401" => ResponseKind::Unauthorized,
            _ => ResponseKind::NotFound,
        }));
    }
    redirect_of(digest).map(FrameworkError::Redirect)
}

/// The URL of a response that asks for a full page navigation instead of data: `f` as a
/// string (13.x – 16.3), `n` (16.4+), or the array root `[buildId, "url"]`.
fn full_page_navigation(tree: &Tree<'_>) -> Option<String> {
    let root = tree.root()?;
    let url = match root.field("f").or_else(|| root.field("n")) {
        Some(f) => f.str(),
        None if root.len() == Some(2) && root.index(0)?.str().is_some() => root.index(1)?.str(),
        None => None,
    };
    url.filter(|u| !u.is_empty()).map(str::to_string)
}

/// The digests of the errors the page shows (in its content or head), in document order.
fn shown_errors(page: &Page) -> Vec<Option<String>> {
    let mut found = Vec::new();
    let mut stack: Vec<_> = page
        .roots()
        .iter()
        .chain(page.head())
        .rev()
        .copied()
        .collect();
    while let Some(i) = stack.pop() {
        match page.node(i) {
            PageNode::Error { digest } => found.push(digest.clone()),
            PageNode::Element(el) => stack.extend(el.children.iter().rev().copied()),
            _ => {}
        }
    }
    found
}
