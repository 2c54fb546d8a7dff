//! Renderers: the composed page back to HTML.

pub mod html;
