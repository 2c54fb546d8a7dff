//! The Next.js layer: where the flight of a page comes from. Knows Next.js, not the CLI.

pub mod classify;
pub mod drawn;
pub mod html;
pub mod images;
mod link_style;
pub mod links;
pub mod page;
pub mod response;
pub mod router;

pub use html::{
    BeforeInteractiveScript, HtmlAssets, HtmlPage, PageFlight, flight_of_page, read_page,
};
pub use router::{NextFacts, app_facts, pages_facts};
