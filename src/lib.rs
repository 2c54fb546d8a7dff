//! next-rsc reads what Next.js App Router sites send to browsers — the React Server
//! Components "flight" stream — and resolves it into the tree React's own client builds,
//! and from that what users come for: metadata, the article, navigation, the Next.js
//! facts, the page as HTML and the article as Markdown.
//!
//! The front door is [`Page::parse`]: any input (raw flight, an App Router HTML page, a
//! pages-router page) in, everything `next-rsc` prints out.
//!
//! ```
//! let bytes = br#"0:["$","html",null,{"children":["$","body",null,{"children":["$","h1",null,{"children":"Hi"}]}]}]
//! "#;
//! let page = next_rsc::Page::parse(bytes)?;
//! assert!(page.to_html()?.contains("<h1>Hi</h1>"));
//! assert!(page.diagnostics().is_empty());
//! # Ok::<(), next_rsc::Error>(())
//! ```
//!
//! The layers below stay public: rows, values and the tree React builds ([`flight`]), the
//! Next.js facts and the composed page ([`next`]), the renderers ([`render`]) and the
//! extractors ([`extract`]).
//!
//! ```
//! use next_rsc::flight::{self, ResolveOptions, WriteOptions};
//!
//! let payload = b"1:\"$Sreact.suspense\"\n0:[\"$\",\"$1\",null,{\"children\":\"$L2\"}]\n2:\"hi\"\n";
//! let rows = flight::split_rows(payload);
//! let tree = flight::resolve(&rows, ResolveOptions::default());
//! let mut json = Vec::new();
//! flight::write_canonical(&tree, WriteOptions::default(), &mut json)?;
//! assert_eq!(
//!     String::from_utf8(json).unwrap(),
//!     "{\"hints\":[],\"root\":{\"$el\":{\"$symbol\":\"react.suspense\"},\"key\":null,\"props\":{\"children\":\"hi\"}}}\n"
//! );
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! What a page or payload says about itself, whatever its Next.js version:
//!
//! ```
//! let payload = br#"0:{"b":"B1","f":[[["",{"children":["blog",{"children":[["slug","hi","d"],{"children":["__PAGE__",{}]}]}]},"$undefined","$undefined",true],null,null,false]],"S":false}
//! "#;
//! let extraction = next_rsc::extract::extract(payload)?;
//! assert_eq!(extraction.next.build_id.as_deref(), Some("B1"));
//! assert_eq!(extraction.next.route.as_deref(), Some("/blog/[slug]"));
//! assert_eq!(extraction.next.path.as_deref(), Some("/blog/hi"));
//! // Only the router tree came (a prefetch): a diagnostic says the page itself did not.
//! assert!(
//!     extraction
//!         .diagnostics
//!         .iter()
//!         .any(|d| d.kind == next_rsc::DiagnosticKind::PageIncomplete)
//! );
//! # Ok::<(), next_rsc::Error>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![deny(missing_docs)]

pub mod archive;
#[cfg(feature = "fetch")]
pub mod crawl;
pub mod document;
pub mod error;
pub mod extract;
#[cfg(feature = "fetch")]
pub mod fetch;
pub mod flight;
pub mod input;
pub mod markup;
pub mod next;
mod page;
pub mod query;
pub mod render;

pub use error::{Diagnostic, DiagnosticKind, Error};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
pub use page::{HtmlSettings, Options, Page, Typed};
