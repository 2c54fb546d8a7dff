//! The front door: [`Page::parse`] reads any input — raw flight (an `RSC: 1` body, a
//! static export's `.txt`), an App Router HTML page, a pages-router page — and the
//! [`Page`] answers everything the command line prints: its metadata, article,
//! navigation, Next.js facts and diagnostics, the resolved tree, the page as HTML and the
//! article as Markdown. Its JSON (`serde::Serialize`) is exactly what `next-rsc extract`
//! prints.
//!
//! ```
//! let payload = br#"0:{"b":"B1","f":[[["",{"children":["blog",{"children":[["slug","hi","d"],{"children":["__PAGE__",{}]}]}]},"$undefined","$undefined",true],["",["$","html",null,{"children":["$","body",null,{"children":["$","main",null,{"children":["$","article",null,{"children":[["$","h1",null,{"children":"Hello"}],["$","p",null,{"children":"A first post, with a few words in it so that it reads as one."}]]}]}]}]}],{},null,false],[["$","title","t",{"children":"Hello | Blog"}]],false]]}
//! "#;
//! let page = next_rsc::Page::parse(payload)?;
//! assert_eq!(page.next().route.as_deref(), Some("/blog/[slug]"));
//! assert_eq!(page.metadata().title.as_deref(), Some("Hello | Blog"));
//! assert_eq!(page.article().and_then(|a| a.title.as_deref()), Some("Hello"));
//! assert!(page.to_html()?.contains("<h1>Hello</h1>"));
//! assert!(page.to_markdown().is_some_and(|md| md.contains("# Hello")));
//! assert!(next_rsc::Page::parse(b"<html><body>not Next.js</body></html>").is_err());
//! # Ok::<(), next_rsc::Error>(())
//! ```

use std::io;
use std::sync::Arc;

use serde::Serialize;

use crate::document::{Document, ReadOptions, read_detected};
use crate::error::{Diagnostic, Error};
use crate::extract::{Article, Extraction, Metadata, PageKind, Region, extraction};
use crate::flight::{self, ResolveOptions, Tree, WriteOptions};
use crate::input::detect;
use crate::next::NextFacts;
use crate::next::links::LinkHints;
use crate::next::page::Page as Composed;
use crate::next::router::RouterKind;
use crate::query::{CanonicalTree, Match, Operation, Query, diff};
use crate::render::html::{HtmlOptions, write_document};
use crate::render::markdown::MarkdownOptions;
use crate::render::safe::write_safe_document;

/// What the caller knows about an input beyond its bytes.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The page's URL: relative links resolve against it, its path tells the trailing
    /// slash, and navigation links get an absolute `url`.
    pub url: Option<String>,
    /// The site's `basePath` (`/blog`), when the page does not tell it.
    pub base_path: Option<String>,
    /// The site's `trailingSlash` setting, when the page does not tell it.
    pub trailing_slash: Option<bool>,
    /// Where the bytes came from, a file path or a URL: a static export's layout
    /// (`about/index.txt`) tells the trailing slash, and the Markdown's front matter
    /// names it as its `source`.
    pub source: Option<String>,
    /// Resolve on the calling thread only. Otherwise inputs of several megabytes are
    /// parsed on two threads.
    pub single_thread: bool,
    /// [`Page::to_html`] writes a page with no active content (see
    /// [`HtmlSettings::safe`]).
    pub safe: bool,
}

/// Matches read into a type (see [`Page::find_as`]).
#[derive(Debug, Clone)]
pub struct Typed<T> {
    /// Each match that fits, with its path.
    pub values: Vec<(String, T)>,
    /// Each that does not, with its path and why.
    pub skipped: Vec<(String, String)>,
}

/// How to write the page as HTML.
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlSettings {
    /// Leave every stylesheet out, the page's own links too.
    pub no_css: bool,
    /// Keep `<script src>` elements (Next's chunks would try to hydrate the page).
    pub scripts: bool,
    /// No active content: no script, no `on*` handler, no `javascript:` or `data:` URL,
    /// no frame, object, form, `<base>` or refresh; the text kept. For pages from
    /// strangers that a browser will open. (Without it, the page is written as React's
    /// server writes it: inline scripts included.)
    pub safe: bool,
}

/// A page, read: everything `next-rsc` prints about it.
#[derive(Debug, Clone)]
pub struct Page {
    document: Document,
    extraction: Extraction,
    /// The flight stream decoded (the input, or an HTML page's rebuilt stream).
    flight: Flight,
    source: Option<String>,
    single_thread: bool,
    safe: bool,
}

/// The bytes of the flight a page was read from, kept to resolve it again on demand
/// (`tree`, `find`, `diff`): a copy, the input itself when [`Page::parse_owned`] was
/// given it (no copy of a big input), or an HTML page's rebuilt stream.
#[derive(Clone)]
enum Flight {
    Owned(Vec<u8>),
    Shared(Arc<dyn AsRef<[u8]> + Send + Sync>),
}

impl Flight {
    fn bytes(&self) -> &[u8] {
        match self {
            Flight::Owned(bytes) => bytes,
            Flight::Shared(input) => (**input).as_ref(),
        }
    }
}

impl std::fmt::Debug for Flight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Flight({} bytes)", self.bytes().len())
    }
}

impl Page {
    /// Reads any input: raw flight, an App Router HTML page or a pages-router page. An
    /// [`Error`] when the bytes are no page at all; problems inside a page are in
    /// [`Page::diagnostics`], and the rest of it is still read.
    pub fn parse(bytes: &[u8]) -> Result<Page, Error> {
        Page::parse_with(bytes, &Options::default())
    }

    /// Reads any input, with what the caller knows of it.
    pub fn parse_with(bytes: &[u8], options: &Options) -> Result<Page, Error> {
        Page::read(bytes, options, |flight| Flight::Owned(flight.to_vec()))
    }

    /// [`Page::parse_with`] for an input the page may keep: a raw flight is then kept as
    /// it is, not copied (a `Vec<u8>`, a memory map, anything that holds bytes).
    ///
    /// ```
    /// let input: Vec<u8> = b"0:[\"$\",\"p\",null,{\"children\":\"Hello\"}]\n".to_vec();
    /// let page = next_rsc::Page::parse_owned(input.clone(), &next_rsc::Options::default())?;
    /// assert_eq!(page.flight(), input.as_slice());
    /// # Ok::<(), next_rsc::Error>(())
    /// ```
    pub fn parse_owned<B>(bytes: B, options: &Options) -> Result<Page, Error>
    where
        B: AsRef<[u8]> + Send + Sync + 'static,
    {
        let input: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(bytes);
        let whole = (*input).as_ref();
        Page::read(whole, options, |flight| {
            if std::ptr::eq(flight, whole) {
                Flight::Shared(Arc::clone(&input))
            } else {
                Flight::Owned(flight.to_vec())
            }
        })
    }

    /// Reads the input; `keep` makes what the page keeps of a flight that is (part of)
    /// the input itself.
    fn read(
        bytes: &[u8],
        options: &Options,
        keep: impl FnOnce(&[u8]) -> Flight,
    ) -> Result<Page, Error> {
        let layout_trailing_slash = options
            .source
            .as_deref()
            .filter(|s| !s.contains("://"))
            .and_then(|s| crate::document::export_trailing_slash(std::path::Path::new(s)));
        let read = ReadOptions {
            links: LinkHints {
                base_path: options.base_path.as_deref(),
                trailing_slash: options.trailing_slash,
                source: options.url.as_deref().or(options.source.as_deref()),
                layout_trailing_slash,
            },
            url: options.url.as_deref(),
            single_thread: options.single_thread,
        };
        let (document, flight) = read_detected(bytes, detect(bytes)?, &read)?;
        let extraction = extraction(&document);
        let flight = match flight {
            std::borrow::Cow::Borrowed(flight) => keep(flight),
            std::borrow::Cow::Owned(flight) => Flight::Owned(flight),
        };
        Ok(Page {
            document,
            extraction,
            flight,
            source: options.source.clone(),
            single_thread: options.single_thread,
            safe: options.safe,
        })
    }

    /// The Next.js facts: router, response kind, version range, build id, route, path,
    /// params, base path and trailing slash, assets.
    pub fn next(&self) -> &NextFacts {
        &self.extraction.next
    }

    /// The metadata: title, description, Open Graph … and every head element.
    pub fn metadata(&self) -> &Metadata {
        &self.extraction.metadata
    }

    /// What kind of page it is (article, list, home, docs, error, other) and why.
    pub fn kind(&self) -> &PageKind {
        &self.extraction.page_kind
    }

    /// The article, of an article or a documentation page.
    pub fn article(&self) -> Option<&Article> {
        self.extraction.article.as_ref()
    }

    /// The navigation regions and their links.
    pub fn navigation(&self) -> &[Region] {
        &self.extraction.navigation
    }

    /// What was wrong with the input (the rest was still used).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.extraction.diagnostics
    }

    /// Everything above at once, as `next-rsc extract` prints it.
    pub fn extraction(&self) -> &Extraction {
        &self.extraction
    }

    /// The page as the browser composes it: every layout with its slot filled.
    pub fn composed(&self) -> &Composed {
        &self.document.page
    }

    /// The document the extraction was made from (composed page, facts, the HTML page's
    /// own parts).
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The flight stream that was decoded: the input, or the stream an HTML page's
    /// scripts carry (empty for a pages-router page).
    pub fn flight(&self) -> &[u8] {
        self.flight.bytes()
    }

    /// The flight resolved into the tree React's client builds (`next-rsc tree`).
    pub fn tree(&self) -> Tree<'_> {
        self.resolved(false)
    }

    /// The flight resolved; with `react_parity`, losing what React's client loses.
    fn resolved(&self, react_parity: bool) -> Tree<'_> {
        let rows = flight::split_rows(self.flight.bytes());
        let options = ResolveOptions {
            single_thread: self.single_thread,
            react_parity,
            ..ResolveOptions::default()
        };
        flight::resolve(&rows, options)
    }

    /// Writes the resolved tree as JSON: with `canonical`, exactly what React's own client
    /// makes of it (`next-rsc tree --canonical`), else with client references' chunks.
    /// Output stops with an error past 64 MiB plus 256 times the flight's size: a small
    /// hostile payload can share one value millions of times.
    pub fn write_tree(&self, canonical: bool, out: &mut impl io::Write) -> io::Result<()> {
        let options = WriteOptions {
            detailed: !canonical,
            max_output: Some((64 << 20) + self.flight.bytes().len() as u64 * 256),
            one_thread: self.single_thread,
            ..WriteOptions::default()
        };
        flight::write_canonical(&self.resolved(canonical), options, out)
    }

    /// The resolved tree as `next-rsc tree --canonical` prints it: the document that
    /// [`Page::find`] and [`Page::get`] paths point into.
    pub fn canonical_tree(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.write_tree(true, &mut out)
            .map_err(|e| Error::TreeTooLarge(e.to_string()))?;
        Ok(out)
    }

    /// Every match of `query` in the canonical tree, in document order: its JSON pointer
    /// and its value.
    ///
    /// ```
    /// use next_rsc::{Page, query::Query};
    /// let page = Page::parse(b"0:[\"$\",\"a\",null,{\"href\":\"/about\",\"children\":\"About us\"}]\n")?;
    /// let links = page.find(&Query::element_type("a"))?;
    /// assert_eq!(links[0].path, "/root");
    /// assert_eq!(page.get("/root/props/href")?, "\"/about\"");
    /// # Ok::<(), next_rsc::Error>(())
    /// ```
    pub fn find(&self, query: &Query) -> Result<Vec<Match>, Error> {
        let json = self.canonical_tree()?;
        let bound = CanonicalTree::default_find_bound(json.len());
        Ok(CanonicalTree::read(&json)?.find_within(query, bound)?)
    }

    /// The value at a JSON pointer into the canonical tree, as JSON text; an error names
    /// the first segment that is not there.
    pub fn get(&self, pointer: &str) -> Result<String, Error> {
        let json = self.canonical_tree()?;
        Ok(CanonicalTree::read(&json)?.get(pointer)?)
    }

    /// Every match of `query` read into `T` with serde; matches that do not fit `T` are
    /// skipped and listed with the reason.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Product { name: String, price: f64 }
    /// let page = next_rsc::Page::parse(b"0:[{\"name\":\"Tea\",\"price\":4.5},{\"name\":\"Cup\"}]\n")?;
    /// let found = page.find_as::<Product>(&next_rsc::query::Query::keys(["name"])?)?;
    /// assert_eq!(found.values[0].1.price, 4.5);
    /// assert_eq!(found.skipped.len(), 1); // no price
    /// # Ok::<(), next_rsc::Error>(())
    /// ```
    pub fn find_as<T: serde::de::DeserializeOwned>(
        &self,
        query: &Query,
    ) -> Result<Typed<T>, Error> {
        let mut typed = Typed {
            values: Vec::new(),
            skipped: Vec::new(),
        };
        for found in self.find(query)? {
            match found.deserialize::<T>() {
                Ok(value) => typed.values.push((found.path, value)),
                Err(e) => typed.skipped.push((found.path, e.to_string())),
            }
        }
        Ok(typed)
    }

    /// The JSON Patch (RFC 6902) that turns this page's canonical tree into `newer`'s.
    pub fn diff(&self, newer: &Page) -> Result<Vec<Operation>, Error> {
        let (old, new) = (self.canonical_tree()?, newer.canonical_tree()?);
        Ok(diff(
            &CanonicalTree::read(&old)?,
            &CanonicalTree::read(&new)?,
        ))
    }

    /// The page as a complete HTML document, as `next-rsc html` writes it: React's
    /// server rendering of the composed page, its head and stylesheets. An error when the
    /// input has no page to render (a pages-router page, a tree-only prefetch).
    pub fn to_html(&self) -> Result<String, Error> {
        self.to_html_with(HtmlSettings {
            safe: self.safe,
            ..HtmlSettings::default()
        })
    }

    /// The page as HTML, written as told.
    pub fn to_html_with(&self, settings: HtmlSettings) -> Result<String, Error> {
        let page = &self.document.page;
        if page.is_empty() {
            let why = page.missing.join("; ");
            return Err(Error::NothingToRender(
                if self.document.next.router == RouterKind::Pages {
                    "a pages-router page carries no flight".into()
                } else if why.is_empty() {
                    "the payload composes to no page".into()
                } else {
                    why
                },
            ));
        }
        let options = HtmlOptions {
            stylesheets: if settings.no_css {
                &[]
            } else {
                &self.document.next.assets.css
            },
            no_css: settings.no_css,
            scripts: settings.scripts,
            base: self.document.url.as_deref(),
            images: self.document.next.assets.images.as_ref(),
        };
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = if settings.safe {
            let metadata = &self.extraction.metadata;
            write_safe_document(
                page,
                options,
                metadata.title.as_deref(),
                metadata.lang.as_deref(),
                &mut out,
            )
        } else {
            write_document(page, options, &mut out)
        };
        out.push('\n');
        Ok(out)
    }

    /// Writes the page as HTML (see [`Page::to_html`]).
    pub fn write_html(&self, out: &mut impl io::Write) -> Result<(), Error> {
        let html = self.to_html()?;
        out.write_all(html.as_bytes()).map_err(|source| Error::Io {
            path: "the HTML output".into(),
            source,
        })
    }

    /// The article as Markdown (front matter, title, body), as `next-rsc markdown`
    /// writes it; `None` when the page has no article.
    pub fn to_markdown(&self) -> Option<String> {
        let article = self.article()?;
        let mut out = String::new();
        let options = MarkdownOptions {
            source: self.source.as_deref().filter(|s| *s != "-"),
        };
        // Writing into a String cannot fail.
        let _ = article.write_markdown(options, &mut out);
        Some(out)
    }
}

impl Serialize for Page {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.extraction.serialize(serializer)
    }
}
