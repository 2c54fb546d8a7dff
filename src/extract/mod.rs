//! What users came for, read from a [`Document`]: the Next.js facts, the metadata, the
//! article and the navigation, all from the composed page.

pub mod article;
mod content;
pub mod kind;
pub mod metadata;
pub mod navigation;
pub mod text;

use serde::Serialize;

use crate::document::{Document, read};
use crate::error::{Diagnostic, DiagnosticKind, Error};
use crate::next::NextFacts;
use crate::next::response::ResponseKind;

pub use article::{Article, article_and_kind};
pub use kind::{Kind, PageKind};
pub use metadata::{Metadata, metadata};
pub use navigation::{Link, Region, navigation};

/// Everything extracted from one page or payload.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Extraction {
    /// The Next.js facts: router, build id, route, path, params, assets.
    pub next: NextFacts,
    /// The metadata: title, description, Open Graph … and every head tag.
    pub metadata: Metadata,
    /// What kind of page it is (article, list, home, docs, error, other) and why.
    pub page_kind: PageKind,
    /// The article (of an article or a documentation page), or `None` when the page has
    /// none.
    pub article: Option<Article>,
    /// The navigation regions and their links.
    pub navigation: Vec<Region>,
    /// What was wrong with the input (the rest was still used).
    pub diagnostics: Vec<Diagnostic>,
}

/// Extracts from the bytes of a flight payload or an HTML page. Problems that still
/// leave something to extract are in [`Extraction::diagnostics`].
pub fn extract(bytes: &[u8]) -> Result<Extraction, Error> {
    Ok(extraction(&read(bytes)?))
}

/// Extracts from a document already read.
pub fn extraction(document: &Document) -> Extraction {
    let metadata = metadata(&document.page, document.html.as_ref());
    // Only a page has an article (not a not-found page, a redirect, a prefetch …), and
    // only an article or a page of documentation.
    let (article, page_kind) = article_and_kind(&document.page, &metadata, &document.next);
    let mut diagnostics = document.diagnostics.clone();
    if page_kind.kind == Kind::Article && article.is_none() {
        diagnostics.push(Diagnostic::new(
            0,
            None,
            DiagnosticKind::ArticleNotInPayload,
            format!(
                "the page is an article ({}), but its text is not in the payload: the browser \
                 fetches it or draws it from code; no article is given",
                page_kind.evidence.join("; ")
            ),
        ));
    }
    Extraction {
        next: document.next.clone(),
        page_kind,
        article,
        // A redirect shows no page: the layout around the thrown redirect is never seen.
        navigation: if document.next.response.kind == ResponseKind::Redirect {
            Vec::new()
        } else {
            navigation(&document.page, document.url.as_deref())
        },
        metadata,
        diagnostics,
    }
}
