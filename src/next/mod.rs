//! The Next.js layer: where the flight of a page comes from. Knows Next.js, not the CLI.

pub mod html;

pub use html::{PageFlight, flight_of_page};
