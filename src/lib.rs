//! next-rsc reads what Next.js App Router sites send to browsers — the React Server
//! Components "flight" stream — and resolves it into the tree React's own client builds.
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
//! assert!(extraction.diagnostics.is_empty());
//! # Ok::<(), next_rsc::Error>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![warn(missing_docs)]

pub mod archive;
pub mod document;
pub mod error;
pub mod extract;
pub mod flight;
pub mod input;
pub mod markup;
pub mod next;
pub mod render;

pub use error::{Diagnostic, DiagnosticKind, Error};
