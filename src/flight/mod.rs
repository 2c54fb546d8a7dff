//! The React Flight wire format, nothing Next.js-specific: rows, values, resolution and
//! the canonical JSON of what React's client makes of a payload.

pub mod canonical;
pub mod decoder;
pub mod resolve;
pub mod row;
pub(crate) mod scan;
pub mod value;
pub mod view;

pub use canonical::{WriteOptions, write_canonical};
pub use decoder::{Decoder, Rows, split_rows};
pub use resolve::{ResolveOptions, Status, Tree, resolve};
pub use row::{Row, RowTag, Syntax};
pub use value::{Arena, Dialect, NodeId, Value};
pub use view::{ClientModule, ElementType, ElementView, View};
