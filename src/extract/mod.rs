//! What users came for, read from any input `input::detect` accepts: for now the
//! Next.js facts (`next` section); metadata, article and navigation come next.

use serde::Serialize;

use crate::error::{Diagnostic, Error};
use crate::flight::{self, ResolveOptions};
use crate::input::{Source, detect};
use crate::next::html::HtmlPage;
use crate::next::{NextFacts, app_facts, pages_facts};

/// Everything extracted from one page or payload.
#[derive(Debug, Clone, Serialize)]
pub struct Extraction {
    /// The Next.js facts: router, build id, route, path, params, assets.
    pub next: NextFacts,
}

/// Extracts from the bytes of a flight payload or an HTML page. Problems that still
/// leave something to extract come back as diagnostics beside the result.
pub fn extract(bytes: &[u8]) -> Result<(Extraction, Vec<Diagnostic>), Error> {
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
            next.before_interactive = page.before_interactive;
            Ok((Extraction { next }, Vec::new()))
        }
    }
}

fn from_flight(
    bytes: &[u8],
    page: Option<&HtmlPage>,
    mut diagnostics: Vec<Diagnostic>,
) -> Result<(Extraction, Vec<Diagnostic>), Error> {
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
    diagnostics.extend(tree.diagnostics.iter().cloned());
    Ok((Extraction { next }, diagnostics))
}
