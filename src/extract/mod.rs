//! What users came for, read from any input `input::detect` accepts: the Next.js facts,
//! the metadata, the article and the navigation, all from the composed page.

pub mod article;
pub mod metadata;
pub mod navigation;
pub mod text;

use serde::Serialize;

use crate::error::{Diagnostic, Error};
use crate::flight::{self, ResolveOptions};
use crate::input::{Source, detect};
use crate::next::html::HtmlPage;
use crate::next::page::compose;
use crate::next::{NextFacts, app_facts, pages_facts};

pub use article::{Article, article};
pub use metadata::{Metadata, metadata};
pub use navigation::{Link, Region, navigation};

/// Everything extracted from one page or payload.
#[derive(Debug, Clone, Serialize)]
pub struct Extraction {
    /// The Next.js facts: router, build id, route, path, params, assets.
    pub next: NextFacts,
    /// The metadata: title, description, Open Graph … and every head tag.
    pub metadata: Metadata,
    /// The article, or `None` when the page has none.
    pub article: Option<Article>,
    /// The navigation regions and their links.
    pub navigation: Vec<Region>,
    /// What was wrong with the input (the rest was still used).
    pub diagnostics: Vec<Diagnostic>,
}

/// Extracts from the bytes of a flight payload or an HTML page. Problems that still
/// leave something to extract are in [`Extraction::diagnostics`].
pub fn extract(bytes: &[u8]) -> Result<Extraction, Error> {
    match detect(bytes)? {
        Source::Flight => from_flight(bytes, None, Vec::new()),
        Source::Page(flight, page) => {
            let bytes = flight.bytes;
            from_flight(&bytes, Some(&page), flight.diagnostics)
        }
        Source::PagesRouter(page) => {
            let text = page.next_data.as_deref().unwrap_or_default();
            let data: serde_json::Value = serde_json::from_str(text).map_err(|e| {
                Error::NotFlight(format!("the page's __NEXT_DATA__ is not JSON: {e}"))
            })?;
            let mut next = pages_facts(&data);
            next.assets.merge(&page.assets.css, &page.assets.js);
            next.before_interactive = page.before_interactive.clone();
            // No flight: what the HTML's head says is the metadata.
            let metadata = metadata(&crate::next::page::Page::default(), Some(&page));
            Ok(Extraction {
                next,
                metadata,
                article: None,
                navigation: Vec::new(),
                diagnostics: Vec::new(),
            })
        }
    }
}

fn from_flight(
    bytes: &[u8],
    page: Option<&HtmlPage>,
    mut diagnostics: Vec<Diagnostic>,
) -> Result<Extraction, Error> {
    let rows = flight::split_rows(bytes);
    if !rows.is_flight(bytes) {
        return Err(Error::NotFlight(format!(
            "{} bytes, and they do not start with a row header such as `0:`",
            bytes.len()
        )));
    }
    let tree = flight::resolve(&rows, ResolveOptions::default());
    let mut next = app_facts(&tree);
    if let Some(page) = page {
        next.assets.merge(&page.assets.css, &page.assets.js);
        next.before_interactive = page.before_interactive.clone();
    }
    let composed = compose(&tree, next.router_tree.as_ref());
    let metadata = metadata(&composed, page);
    let article = article(&composed, &metadata);
    let navigation = navigation(&composed);
    diagnostics.extend(tree.diagnostics.iter().cloned());
    Ok(Extraction {
        next,
        metadata,
        article,
        navigation,
        diagnostics,
    })
}
