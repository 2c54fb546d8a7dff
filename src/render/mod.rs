//! Renderers: the composed page back to HTML, and HTML to Markdown (an article's
//! Markdown is `extract::Article::to_markdown`, one layer up).

pub mod html;
pub mod markdown;
pub mod safe;

pub use html::{HtmlOptions, to_html, write_document};
pub use markdown::{MarkdownOptions, html_to_markdown};
