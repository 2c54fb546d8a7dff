//! Errors and diagnostics. A [`Diagnostic`] is a problem in the input that did not stop
//! decoding: it names the row and the byte offset, and the rest of the payload is still used.
//! An [`Error`] is a problem that left nothing usable.

use serde::Serialize;
use std::fmt;

/// What kind of problem a diagnostic reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticKind {
    /// An empty line where a row should start (skipped).
    BlankLine,
    /// Bytes that are not a row header (skipped up to the next line).
    NotARowHeader,
    /// A row id that is upper case, or longer than React's 32-bit ids.
    UnusualRowId,
    /// The input ended inside a row.
    IncompleteRow,
    /// A `T` row without a valid hex length.
    MalformedText,
    /// A `T` row whose length counts CR LF line ends the input no longer has (its line
    /// ends were converted, as Git's `autocrlf` does): read with bare LFs counted as CR LF.
    LineEndsConverted,
    /// A `T` row whose length is wrong (too short, too long, or not hex): read up to the
    /// row header nearest its declared end, so that the rows after it are kept.
    WrongTextLength,
    /// A row whose JSON payload could not be parsed.
    InvalidJson,
    /// A row tag that no React build handles.
    UnknownTag,
    /// A development-only row (React's production client stops the stream on it).
    DevelopmentRow,
    /// The same id defined twice by rows that are not stream items.
    DuplicateRow,
    /// A reference to a row that never came.
    MissingRow,
    /// A row that arrived after a row that needed it before (React never resolves it).
    OutOfOrder,
    /// A path reference whose path cannot be followed.
    InvalidPath,
    /// An `I` row that is not a client reference of any known shape.
    BadImport,
    /// A hint row that is not valid JSON.
    BadHint,
    /// An `E` row that is not valid JSON.
    BadError,
    /// A `$` escape that no React build defines.
    UnknownEscape,
    /// A page's `self.__next_f` scripts: data before the bootstrap, an entry that is not JSON.
    PageScript,
    /// A body the browser draws from a client component's string prop (Markdown, HTML):
    /// it was rendered from that string, not from server-rendered elements.
    DrawnOnClient,
    /// The page looks like an article, but its text is not in the payload (the browser
    /// fetches it).
    ArticleNotInPayload,
    /// An element type or a prop name that React's server renderer refuses ("Invalid
    /// tag", an unsafe attribute name): never written as markup.
    InvalidName,
    /// More problems than are worth listing: the first ones are, and this says how many
    /// more there were.
    TooManyProblems,
    /// Part of the page is not in the response (a prefetch, a navigation that starts below
    /// the layouts the browser keeps, a slot without data) or was cut by a bound.
    PageIncomplete,
}

/// A problem found in the input; decoding went on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Byte offset in the input where the problem is.
    pub offset: usize,
    /// The id of the row concerned, as on the wire (`None` when not inside a row).
    pub row: Option<String>,
    /// What kind of problem it is.
    pub kind: DiagnosticKind,
    /// What is wrong, for a person.
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn new(
        offset: usize,
        row: Option<&[u8]>,
        kind: DiagnosticKind,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            offset,
            row: row.map(|id| String::from_utf8_lossy(id).into_owned()),
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.row {
            Some(id) => write!(f, "row {id:?} at byte {}: {}", self.offset, self.message),
            None => write!(f, "at byte {}: {}", self.offset, self.message),
        }
    }
}

/// The most diagnostics kept for one input: a damaged or random input can have one
/// problem every few bytes, and a reader needs the first ones and their count.
pub const MAX_DIAGNOSTICS: usize = 1000;

/// Keeps the first [`MAX_DIAGNOSTICS`], and says how many more there were.
pub fn capped(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let already = diagnostics.len() == MAX_DIAGNOSTICS + 1
        && diagnostics
            .last()
            .is_some_and(|d| d.kind == DiagnosticKind::TooManyProblems);
    if diagnostics.len() > MAX_DIAGNOSTICS && !already {
        let left_out = diagnostics.len() - MAX_DIAGNOSTICS;
        let at = diagnostics[MAX_DIAGNOSTICS].offset;
        diagnostics.truncate(MAX_DIAGNOSTICS);
        diagnostics.push(Diagnostic::new(
            at,
            None,
            DiagnosticKind::TooManyProblems,
            format!("{left_out} more problems from here on are left out"),
        ));
    }
    diagnostics
}

/// A failure that left nothing usable.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is empty.
    #[error("the input is empty")]
    Empty,
    /// The input holds no flight row at all.
    #[error("not a flight stream: {0}")]
    NotFlight(String),
    /// An HTML page that Next.js did not make.
    #[error(
        "not a Next.js page: no inline script pushes flight data (self.__next_f) and there is no __NEXT_DATA__"
    )]
    NotNextPage,
    /// A pages-router page: its data is JSON in `__NEXT_DATA__`, there is no flight.
    #[error(
        "a Next.js pages-router page: it carries no flight stream (its data is the __NEXT_DATA__ JSON)"
    )]
    PagesRouter,
    /// The page has no article (nothing to write as Markdown).
    #[error(
        "the page has no article: it is a list, a home, an error or another page, or its text is not in the payload (extract says which: pageKind)"
    )]
    NoArticle,
    /// The page has no composed content (a pages-router page, a tree-only prefetch).
    #[error("the input has no page content to render: {0}")]
    NothingToRender(String),
    /// A web archive's record that cannot be read: its HTTP response or content coding.
    #[error("{0}")]
    BadRecord(String),
    /// A question the tree cannot answer: a pointer that leads nowhere, a bad pattern.
    #[error(transparent)]
    Query(#[from] crate::query::QueryError),
    /// The tree is larger than its output bound (a payload that shares one value
    /// millions of times).
    #[error("the tree is too large to write: {0}")]
    TreeTooLarge(String),
    /// Writing an output failed (a full disk, a folder that cannot be written).
    #[error("cannot write {path}: {source}")]
    Write {
        /// What was being written.
        path: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The command was asked for something it cannot do as given.
    #[error("{0}")]
    Usage(String),
    /// Fetching a URL gave no page: the request failed, or the status was not success.
    #[error("cannot fetch it: {0}")]
    Fetch(String),
    /// Reading the input failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// What was being read.
        path: String,
        /// Why it failed.
        source: std::io::Error,
    },
}
