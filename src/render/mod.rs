//! Renderers: the composed page back to HTML, the article to Markdown.

pub mod html;
pub mod markdown;

pub use html::{HtmlOptions, to_html, write_document};
pub use markdown::{MarkdownOptions, to_markdown, write_markdown};
