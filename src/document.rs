//! One input read all the way: whatever `input::detect` makes of the bytes, decoded,
//! resolved and composed into a [`Document`] that extractors and renderers share.

use std::borrow::Cow;
use std::fs;
use std::path::Path;

use crate::error::{Diagnostic, DiagnosticKind, Error, capped};
use crate::flight::{self, ResolveOptions};
use crate::input::{Source, detect};
use crate::next::classify::classify;
use crate::next::drawn::{BodyFormat, draw_client_bodies};
use crate::next::html::HtmlPage;
use crate::next::links::{LinkHints, LinkStyle};
use crate::next::page::{Page, compose};
use crate::next::{NextFacts, app_facts, pages_facts};

/// A page or payload, read.
#[derive(Debug, Clone)]
pub struct Document {
    /// The Next.js facts.
    pub next: NextFacts,
    /// The composed page (empty for a pages-router page: it has no flight).
    pub page: Page,
    /// What the HTML page carried, when the input was one.
    pub html: Option<HtmlPage>,
    /// What was wrong with the input (the rest was still used).
    pub diagnostics: Vec<Diagnostic>,
    /// The page's URL, when the caller gave it.
    pub url: Option<String>,
}

/// What the caller knows about an input beyond its bytes.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions<'a> {
    /// The site's base path and trailing-slash setting when known, and where the input
    /// came from (a URL, or a file path whose layout may tell the trailing slash).
    pub links: LinkHints<'a>,
    /// The page's URL, when known: relative links are resolved against it.
    pub url: Option<&'a str>,
    /// Resolve on the calling thread only (inputs of several megabytes are otherwise
    /// parsed on two).
    pub single_thread: bool,
}

/// Reads a flight payload or an HTML page.
pub fn read(bytes: &[u8]) -> Result<Document, Error> {
    read_with(bytes, &ReadOptions::default())
}

/// Reads a flight payload or an HTML page, with what the caller knows of it.
pub fn read_with(bytes: &[u8], options: &ReadOptions<'_>) -> Result<Document, Error> {
    read_detected(bytes, detect(bytes)?, options).map(|(document, _)| document)
}

/// Reads what [`detect`] made of the input, and gives back the flight stream decoded: the
/// input itself, or the stream an HTML page's scripts carry (empty for a pages-router
/// page).
pub(crate) fn read_detected<'b>(
    bytes: &'b [u8],
    source: Source,
    options: &ReadOptions<'_>,
) -> Result<(Document, Cow<'b, [u8]>), Error> {
    match source {
        Source::Flight => {
            from_flight(bytes, None, Vec::new(), options).map(|d| (d, Cow::Borrowed(bytes)))
        }
        Source::Page(flight, page) => {
            let bytes = flight.bytes;
            from_flight(&bytes, Some(page), flight.diagnostics, options)
                .map(|d| (d, Cow::Owned(bytes)))
        }
        Source::PagesRouter(page) => {
            let text = page.next_data.as_deref().unwrap_or_default();
            let data: serde_json::Value = serde_json::from_str(text).map_err(|e| {
                Error::NotFlight(format!("the page's __NEXT_DATA__ is not JSON: {e}"))
            })?;
            let mut next = pages_facts(&data);
            next.assets.merge(&page.assets);
            next.before_interactive = page.before_interactive.clone();
            let document = Document {
                next,
                page: Page::default(),
                html: Some(page),
                diagnostics: Vec::new(),
                url: options.url.map(str::to_string),
            };
            Ok((document, Cow::Borrowed(&[])))
        }
    }
}

fn from_flight(
    bytes: &[u8],
    html: Option<HtmlPage>,
    mut diagnostics: Vec<Diagnostic>,
    options: &ReadOptions<'_>,
) -> Result<Document, Error> {
    let rows = flight::split_rows(bytes);
    if !rows.is_flight(bytes) {
        return Err(Error::NotFlight(format!(
            "{} bytes, and they do not start with a row header such as `0:`",
            bytes.len()
        )));
    }
    let tree = flight::resolve(
        &rows,
        ResolveOptions {
            single_thread: options.single_thread,
            ..ResolveOptions::default()
        },
    );
    let mut next = app_facts(&tree);
    if let Some(html) = &html {
        next.assets.merge(&html.assets);
        next.before_interactive = html.before_interactive.clone();
    }
    let mut page = compose(&tree, next.router_tree.as_ref());
    next.response = classify(
        &tree,
        next.payload,
        next.route.as_deref(),
        next.path.as_deref(),
        &page,
    );
    next.link_style = LinkStyle::infer(&next, &page, &options.links);
    next.link_style.rewrite(&mut page);
    for drawn in draw_client_bodies(&mut page) {
        diagnostics.push(Diagnostic::new(
            0,
            None,
            DiagnosticKind::DrawnOnClient,
            format!(
                "client component {} draws a body from its prop `{}` ({}); it was rendered from that string",
                drawn.module,
                drawn.prop,
                match drawn.format {
                    BodyFormat::Markdown => "Markdown",
                    BodyFormat::Html => "HTML",
                }
            ),
        ));
    }
    diagnostics.extend(refused_names(&page, &rows));
    // What the composed page lacks, said where every problem is said.
    diagnostics.extend(
        page.missing
            .iter()
            .map(|why| Diagnostic::new(0, None, DiagnosticKind::PageIncomplete, why.clone())),
    );
    diagnostics.extend(tree.diagnostics.iter().cloned());
    let diagnostics = capped(diagnostics);
    Ok(Document {
        next,
        page,
        html,
        diagnostics,
        url: options.url.map(str::to_string),
    })
}

/// What the files beside a static export's root page say of `trailingSlash`: with it,
/// every route is a folder holding `index.txt` / `index.html`; without it, routes are
/// `name.txt` / `name.html` beside `index.txt`. `None` for any other file, or when the
/// folder does not tell. Looks at no more than a few hundred entries.
pub fn export_trailing_slash(path: &Path) -> Option<bool> {
    let name = path.file_name()?.to_str()?;
    if !matches!(name, "index.txt" | "index.html" | "index.rsc") {
        return None;
    }
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut with_folders = 0;
    let mut with_files = 0;
    for entry in fs::read_dir(folder).ok()?.take(400).flatten() {
        let entry_path = entry.path();
        let Some(entry_name) = entry_path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if entry_name.starts_with('_') || entry_name.starts_with('.') {
            continue; // `_next`, `_not-found`, `.git`
        }
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            if entry_path.join("index.html").is_file() || entry_path.join("index.txt").is_file() {
                with_folders += 1;
            }
        } else if let Some(stem) = entry_name.strip_suffix(".html")
            && stem != "index"
            && stem != "404"
            && folder.join(format!("{stem}.txt")).is_file()
        {
            with_files += 1;
        }
    }
    match (with_folders, with_files) {
        (0, 0) => None,
        (f, n) => Some(f >= n),
    }
}

/// Element types and prop names React's server renderer refuses: the renderers write
/// neither (an element's content still shows), and this says so once per name.
fn refused_names(page: &Page, rows: &flight::Rows<'_>) -> Vec<Diagnostic> {
    use crate::markup::{is_attribute_name_safe, is_valid_tag_name};
    use crate::next::page::{ElementKind, PageNode};
    // The row that writes a name, as JSON (`"img src=x …"`), and where in it.
    let place = |name: &str| -> (usize, Option<&[u8]>) {
        let Ok(quoted) = serde_json::to_string(name) else {
            return (0, None);
        };
        rows.rows
            .iter()
            .find_map(|row| {
                let at = memchr::memmem::find(row.payload, quoted.as_bytes())?;
                let header = row.length
                    - row.payload.len()
                    - usize::from(!row.tag.is_length_prefixed() && row.complete);
                Some((row.offset + header + at, Some(row.id)))
            })
            .unwrap_or((0, None))
    };
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::new();
    for index in 0..page.len() as crate::next::page::NodeIndex {
        let PageNode::Element(el) = page.node(index) else {
            continue;
        };
        let ElementKind::Host(tag) = &el.kind else {
            continue;
        };
        if !is_valid_tag_name(tag) && seen.insert(("tag", tag.clone())) {
            let (offset, row) = place(tag);
            found.push(Diagnostic::new(
                offset,
                row,
                DiagnosticKind::InvalidName,
                format!(
                    "element type {tag:?} is not a tag name (React refuses it: \"Invalid tag\"); \
                     only its content is written"
                ),
            ));
        }
        for (name, _) in &el.props {
            if !is_attribute_name_safe(name) && seen.insert(("prop", name.clone())) {
                let (offset, row) = place(name);
                found.push(Diagnostic::new(
                    offset,
                    row,
                    DiagnosticKind::InvalidName,
                    format!(
                        "prop {name:?} of a <{tag}> is not a safe attribute name; it is not written"
                    ),
                ));
            }
        }
    }
    found
}
