//! Rows → a [`Tree`]: every row's value parsed, every reference checked, and for each
//! row, element and reference the outcome React's client reaches for the same bytes —
//! fulfilled, rejected (with the `E` row's digest) or pending forever (docs/FLIGHT-FORMAT.md §3).
//!
//! Nothing here recurses on input depth: statuses are computed with explicit stacks.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::decoder::Rows;
use super::row::{LegacyTag, Row, RowTag, Syntax};
use super::value::{
    Arena, BlockingRef, Dialect, JsonError, Node, NodeId, Parsed, RefKind, Reference, Span, Value,
    parse, parse_plain, utf8_lossy,
};
use crate::error::{Diagnostic, DiagnosticKind};

/// How to resolve.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResolveOptions {
    /// Which React client's rules to follow; `None` decides from the payload.
    pub dialect: Option<Dialect>,
    /// Follow React where it loses data: drop a last row without its newline, stop at the
    /// rows that make React abort the whole response. Off by default: then every
    /// well-formed row is used and each problem is only reported.
    pub react_parity: bool,
    /// Parse on the calling thread only (big inputs are otherwise parsed on two).
    pub single_thread: bool,
}

/// The outcome of a row, an element or a reference, as React's client settles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// It has a value.
    Fulfilled,
    /// It was rejected; the index of the error's digest in [`Tree::digest`] if it had one.
    Rejected(Option<u32>),
    /// It never settles (React suspends forever).
    Pending,
}

/// What a row id holds.
#[derive(Debug, Clone)]
pub enum Content<'a> {
    /// A JSON model; its root node.
    Model(NodeId),
    /// A `T` row's text.
    Text(Cow<'a, str>),
    /// A binary row: its tag letter and bytes.
    Binary {
        /// The tag letter (`o`, `A`, `g` …).
        letter: u8,
        /// The raw bytes.
        bytes: &'a [u8],
    },
    /// A client reference (`I` row, legacy `M` row); the parsed payload.
    Module(NodeId),
    /// An `E` row: the error's digest, if it had one.
    Error(Option<u32>),
    /// A row that could not be read (bad JSON, bad text length); rejected.
    Failed,
    /// An empty model row (React 19.2+): never resolves.
    Halted,
    /// A stream or iterable opened by `R`, `r`, `X` or `x` (boxed: rare, and the biggest
    /// variant, it would make every chunk of a payload of many rows bigger).
    Stream(Box<Stream<'a>>),
}

/// A stream or iterable and the items that arrived for it.
#[derive(Debug, Clone)]
pub struct Stream<'a> {
    /// `R`, `r`, `X` or `x`.
    pub kind: RowTag,
    /// The items, in order.
    pub items: Vec<Item<'a>>,
    /// True once a `C` row closed it.
    pub closed: bool,
    /// Set when an `E` row errored it: the digest index, if any.
    pub error: Option<Option<u32>>,
}

/// One item of a stream.
#[derive(Debug, Clone)]
pub enum Item<'a> {
    /// A model value.
    Model(NodeId),
    /// A text item.
    Text(Cow<'a, str>),
    /// A binary item.
    Binary {
        /// The tag letter.
        letter: u8,
        /// The bytes.
        bytes: &'a [u8],
    },
    /// An item whose JSON could not be read.
    Failed,
}

/// One row id's chunk.
#[derive(Debug, Clone)]
pub struct Chunk<'a> {
    /// The row id.
    pub id: u64,
    /// Byte offset of the row that defined it.
    pub offset: usize,
    /// What it holds.
    pub content: Content<'a>,
    /// Bytes the defining row occupies in the input.
    pub length: usize,
    arrival: u32,
    refs: Span,
    status: Status,
}

/// A resource hint (`H` row), with its arguments as React hands them to ReactDOM.
#[derive(Debug, Clone)]
pub struct Hint {
    /// The hint code: `L` preload, `S` preinit style, `C` preconnect, …
    pub code: u8,
    /// The arguments; `None` marks an `undefined` one.
    pub args: Vec<Option<NodeId>>,
    /// Byte offset of the row.
    pub offset: usize,
}

/// A resolved flight stream: every value, every row, and how each settles.
#[derive(Debug)]
pub struct Tree<'a> {
    /// Every parsed value.
    pub arena: Arena<'a>,
    /// The rules the payload was resolved with.
    pub dialect: Dialect,
    /// Resource hints, in stream order.
    pub hints: Vec<Hint>,
    /// Problems found, in stream order of where they are.
    pub diagnostics: Vec<Diagnostic>,
    chunks: Vec<Chunk<'a>>,
    index: ChunkIndex,
    refs: Vec<BlockingRef>,
    digests: Vec<String>,
    element_status: HashMap<NodeId, Status, FastHash>,
    /// References that were read before their text or binary row arrived.
    stuck: HashSet<NodeId, FastHash>,
    /// Rows React 18.3 rejects because a row they read at once came after them.
    order_rejected: Vec<usize>,
    /// What each chunk settles to, found once (see [`Tree::settled_chunk`]).
    settled: Vec<std::sync::OnceLock<Option<Target>>>,
}

const END_OF_STREAM: u32 = u32::MAX;

/// Row id → chunk position. Servers number rows densely from 0, so small ids live in a
/// vector; anything else falls back to a map.
#[derive(Debug, Default)]
struct ChunkIndex {
    dense: Vec<u32>,
    sparse: HashMap<u64, u32, FastHash>,
}

const DENSE_LIMIT: u64 = 1 << 20;

impl ChunkIndex {
    fn get(&self, id: &u64) -> Option<&u32> {
        if *id < DENSE_LIMIT {
            self.dense.get(*id as usize).filter(|&&i| i != u32::MAX)
        } else {
            self.sparse.get(id)
        }
    }

    fn contains_key(&self, id: &u64) -> bool {
        self.get(id).is_some()
    }

    fn insert(&mut self, id: u64, at: u32) {
        if id < DENSE_LIMIT {
            let i = id as usize;
            if self.dense.len() <= i {
                self.dense.resize(i + 1, u32::MAX);
            }
            self.dense[i] = at;
        } else {
            self.sparse.insert(id, at);
        }
    }
}

/// A fast hasher for integer keys (row ids, node ids): hashing them with SipHash costs
/// more than the rest of a lookup, and these keys come from the input's own numbering.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHash;

impl std::hash::BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(0)
    }
}

/// The hasher of [`FastHash`]: one multiply per word (the Fx hash).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(n as u64);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

impl<'a> Tree<'a> {
    /// The chunk of a row id.
    pub fn chunk(&self, id: u64) -> Option<&Chunk<'a>> {
        self.index.get(&id).map(|&i| &self.chunks[i as usize])
    }

    /// The reference nodes in a chunk's own row (not in rows it refers to).
    pub fn references_in(&self, chunk: &Chunk<'_>) -> impl Iterator<Item = NodeId> + '_ {
        self.refs[span_range(chunk.refs)].iter().map(|r| r.node)
    }

    /// The position of a row id's chunk in [`Tree::chunks`].
    pub fn chunk_position(&self, id: u64) -> Option<usize> {
        self.index.get(&id).map(|&i| i as usize)
    }

    /// Every chunk, in order of arrival.
    pub fn chunks(&self) -> &[Chunk<'a>] {
        &self.chunks
    }

    /// How a chunk settles (`Rejected` for an id no row defined).
    pub fn status(&self, id: Option<u64>) -> Status {
        match id.and_then(|id| self.chunk(id)) {
            Some(chunk) => chunk.status,
            None => Status::Rejected(None),
        }
    }

    /// How the root (row 0) settles.
    pub fn root_status(&self) -> Status {
        self.status(Some(0))
    }

    /// How an element settles: React 19 turns an element whose own references failed
    /// into an error (or a lazy that never resolves) while its siblings survive.
    pub fn element_status(&self, element: NodeId) -> Status {
        if self.element_status.is_empty() {
            return Status::Fulfilled;
        }
        self.element_status
            .get(&element)
            .copied()
            .unwrap_or(Status::Fulfilled)
    }

    /// How a reference node settles where it stands (lazy and promise references carry
    /// their target's outcome; any reference read before its text row arrived hangs).
    pub fn reference_status(&self, node: NodeId, reference: &Reference) -> Status {
        if !self.stuck.is_empty() && self.stuck.contains(&node) {
            return Status::Pending;
        }
        self.status(reference.id())
    }

    /// The digest text of a rejection.
    pub fn digest(&self, index: u32) -> &str {
        &self.digests[index as usize]
    }
}

/// Resolves the rows of a whole input.
pub fn resolve<'a>(rows: &Rows<'a>, options: ResolveOptions) -> Tree<'a> {
    let dialect = options
        .dialect
        .unwrap_or_else(|| detect_dialect(&rows.rows, rows.syntax));
    let mut builder = Builder {
        tree: Tree {
            arena: Arena::with_capacity_for(rows.rows.iter().map(|r| r.payload.len()).sum()),
            dialect,
            hints: Vec::new(),
            diagnostics: rows.diagnostics.clone(),
            // At most one chunk per row: reserved whole, a vector of a million chunks
            // does not pass through the doublings that overshoot it by half.
            chunks: Vec::with_capacity(rows.rows.len()),
            index: ChunkIndex::default(),
            refs: Vec::new(),
            digests: Vec::new(),
            element_status: HashMap::default(),
            stuck: HashSet::default(),
            order_rejected: Vec::new(),
            settled: Vec::new(),
        },
        parity: options.react_parity,
        aborted: false,
        pre_parsed: None,
    };
    let mut parsed = pre_parse(
        &mut builder.tree.arena,
        &rows.rows,
        dialect,
        options.react_parity,
    );
    for (arrival, row) in rows.rows.iter().enumerate() {
        if builder.aborted {
            break;
        }
        // The arena counts in 32 bits: what lies past 4 GiB of input is left out, said so.
        if row.offset + row.length > u32::MAX as usize {
            builder.tree.diagnostics.push(Diagnostic::new(
                row.offset,
                Some(row.id),
                DiagnosticKind::IncompleteRow,
                "the input goes on past 4 GiB, more than one payload is read at once: this row \
                 and the rest are left out",
            ));
            break;
        }
        builder.pre_parsed = parsed.get_mut(arrival).and_then(Option::take);
        builder.add_row(row, arrival as u32);
    }
    drop(parsed);
    let mut tree = builder.tree;
    tree.diagnostics.sort_by_key(|d| d.offset);
    let parse_times = parse_times(&tree);
    mark_stuck(&mut tree, &parse_times, options.react_parity);
    compute_statuses(&mut tree);
    report_missing(&mut tree);
    tree.settled = (0..tree.chunks.len())
        .map(|_| std::sync::OnceLock::new())
        .collect();
    tree
}

/// A row's payload parsed ahead (see [`pre_parse`]).
type PreParsed = Result<Parsed, Box<JsonError>>;

/// Below this many payload bytes one thread parses as fast as two.
const PARALLEL_FROM: usize = 1 << 20;

/// True for the rows whose payload `add_row` parses as a model (the bulk of the work).
fn parsed_as_model(row: &Row<'_>, dialect: Dialect, parity: bool) -> bool {
    if !row.complete && parity {
        return false;
    }
    let model_tag = matches!(
        row.tag,
        RowTag::Model
            | RowTag::Unknown(_)
            | RowTag::Postpone
            | RowTag::Import
            | RowTag::Legacy(LegacyTag::Model | LegacyTag::Symbol | LegacyTag::Module)
    );
    let halted = dialect == Dialect::React19
        && row.tag == RowTag::Model
        && row.payload.iter().all(u8::is_ascii_whitespace);
    model_tag && !halted && !(row.id.is_empty() && row.tag == RowTag::Model)
}

/// Parses the model rows of a big input on two threads: the first half into `arena`,
/// the second half, at the same time, into a second part that is then attached to it.
/// Returns, per row, its parse (`None` for rows left to `add_row`); errors boxed, as
/// they are rare and one unboxed would make each of a million rows' slots bigger.
fn pre_parse<'a>(
    arena: &mut Arena<'a>,
    rows: &[Row<'a>],
    dialect: Dialect,
    parity: bool,
) -> Vec<Option<PreParsed>> {
    let total: usize = rows.iter().map(|r| r.payload.len()).sum();
    if total < PARALLEL_FROM || std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        return Vec::new();
    }
    let mut half = 0;
    let mut acc = 0;
    while half < rows.len() && acc * 2 < total {
        acc += rows[half].payload.len();
        half += 1;
    }
    let (first, second) = rows.split_at(half);
    let parse_all = |arena: &mut Arena<'a>, rows: &[Row<'a>]| -> Vec<Option<PreParsed>> {
        rows.iter()
            .map(|row| {
                parsed_as_model(row, dialect, parity)
                    .then(|| parse(arena, row.payload, dialect).map_err(Box::new))
            })
            .collect()
    };
    std::thread::scope(|scope| {
        let helper = scope.spawn(|| {
            let mut part = Arena::second_part(total - acc);
            let results = parse_all(&mut part, second);
            (part, results)
        });
        let mut results = parse_all(arena, first);
        match helper.join() {
            Ok((part, rest)) => {
                arena.attach(part);
                results.extend(rest);
            }
            // The helper cannot fail on input; should it die all the same, `add_row`
            // parses those rows itself.
            Err(_) => results.resize_with(rows.len(), || None),
        }
        results
    })
}

/// Decides which React client's rules fit the payload (docs/FLIGHT-FORMAT.md §4.10).
pub fn detect_dialect(rows: &[Row<'_>], syntax: Option<Syntax>) -> Dialect {
    if syntax == Some(Syntax::Legacy) {
        return Dialect::Legacy;
    }
    let mut react18 = false;
    for row in rows {
        match row.tag {
            RowTag::Stream
            | RowTag::ByteStream
            | RowTag::AsyncIterable
            | RowTag::AsyncIterator
            | RowTag::Close
            | RowTag::ByteChunk
            | RowTag::Binary(b'O' | b'o' | b'G' | b'g' | b'M') => return Dialect::React19,
            RowTag::Binary(b'C' | b'c' | b'F' | b'D' | b'd' | b'N') => react18 = true,
            RowTag::Import if row.payload.first() == Some(&b'{') => react18 = true,
            _ => {}
        }
        if row.id.is_empty() {
            return Dialect::React19;
        }
        if row.id == b"0" && row.tag == RowTag::Model {
            let p = trim_start(row.payload);
            let root_array_of_strings = p.starts_with(b"[") && {
                let rest = trim_start(&p[1..]);
                rest.starts_with(b"\"") && !rest.starts_with(b"\"$\"")
            };
            // Next 13.5 – 14.2: `[buildId, …]`, `"$L2"`, or the AppRouter element with a build id.
            let next14_element =
                p.starts_with(b"[\"$\"") && memchr::memmem::find(p, b"\"buildId\":").is_some();
            if root_array_of_strings || p.starts_with(b"\"$L") || next14_element {
                react18 = true;
            }
        }
    }
    if react18 {
        Dialect::React18
    } else {
        Dialect::React19
    }
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

struct Builder<'a> {
    tree: Tree<'a>,
    parity: bool,
    aborted: bool,
    /// The current row's payload, if it was parsed ahead (see [`pre_parse`]).
    pre_parsed: Option<PreParsed>,
}

impl<'a> Builder<'a> {
    fn diag(&mut self, row: &Row<'a>, kind: DiagnosticKind, message: String) {
        self.tree
            .diagnostics
            .push(Diagnostic::new(row.offset, Some(row.id), kind, message));
    }

    /// React stops reading the whole response here; with parity, so do we.
    fn abort(&mut self, row: &Row<'a>, why: &str) {
        if self.parity {
            self.diag(
                row,
                DiagnosticKind::InvalidJson,
                format!("{why}: React aborts the whole response here, later rows are ignored"),
            );
            self.aborted = true;
        } else {
            self.diag(
                row,
                DiagnosticKind::InvalidJson,
                format!(
                    "{why} (React would abort the whole response here; the other rows are kept)"
                ),
            );
        }
    }

    fn json_error(&mut self, row: &Row<'a>, what: &str, e: &JsonError) {
        let kind = match row.tag {
            RowTag::Hint(_) => DiagnosticKind::BadHint,
            RowTag::Error | RowTag::Legacy(LegacyTag::Error) => DiagnosticKind::BadError,
            RowTag::Import | RowTag::Legacy(LegacyTag::Module) => DiagnosticKind::BadImport,
            _ => DiagnosticKind::InvalidJson,
        };
        let payload_offset = row.offset + row.length.saturating_sub(row.payload.len() + 1);
        self.tree.diagnostics.push(Diagnostic::new(
            payload_offset + e.offset,
            Some(row.id),
            kind,
            format!("{what}: {} at byte {} of the payload", e.message, e.offset),
        ));
    }

    /// The row's payload parsed as a model: parsed ahead when it was, now otherwise.
    fn parse(&mut self, row: &Row<'a>) -> Result<Parsed, JsonError> {
        match self.pre_parsed.take() {
            Some(done) => done.map_err(|e| *e),
            None => parse(&mut self.tree.arena, row.payload, self.tree.dialect),
        }
    }

    /// Says where a row's bytes stop being UTF-8 (its text holds U+FFFD from there, as
    /// React's decoder makes of it).
    fn invalid_utf8(&mut self, row: &Row<'a>) {
        let at = std::str::from_utf8(row.payload)
            .err()
            .map_or(0, |e| e.valid_up_to());
        // Where the payload starts: after the header (a line row's length counts its
        // newline too).
        let newline = usize::from(!row.tag.is_length_prefixed() && row.complete);
        let start = row.offset + row.length.saturating_sub(row.payload.len() + newline);
        self.tree.diagnostics.push(Diagnostic::new(
            start + at,
            Some(row.id),
            DiagnosticKind::InvalidJson,
            "bytes that are not UTF-8: read as U+FFFD, as React's decoder does".to_string(),
        ));
    }

    fn intern_digest(&mut self, digest: String) -> u32 {
        self.tree.digests.push(digest);
        (self.tree.digests.len() - 1) as u32
    }

    fn chunk_index(&self, id: u64) -> Option<usize> {
        self.tree.index.get(&id).map(|&i| i as usize)
    }

    fn stream_of(&mut self, id: u64) -> Option<&mut Stream<'a>> {
        let i = self.chunk_index(id)?;
        match &mut self.tree.chunks[i].content {
            Content::Stream(s) => Some(&mut **s),
            _ => None,
        }
    }

    fn define(
        &mut self,
        row: &Row<'a>,
        id: u64,
        arrival: u32,
        content: Content<'a>,
        refs: Vec<BlockingRef>,
    ) {
        if self.chunk_index(id).is_some() {
            if self.parity && self.tree.dialect == Dialect::React19 {
                self.abort(row, "a second row for an id that is not a stream");
                return;
            }
            self.diag(
                row,
                DiagnosticKind::DuplicateRow,
                format!(
                    "row id {:?} was already defined: this row is ignored, as React 18 does",
                    row.id_str()
                ),
            );
            return;
        }
        let start = self.tree.refs.len() as u32;
        self.tree.refs.extend(refs);
        let len = self.tree.refs.len() as u32 - start;
        self.tree.index.insert(id, self.tree.chunks.len() as u32);
        self.tree.chunks.push(Chunk {
            id,
            offset: row.offset,
            content,
            length: row.length,
            arrival,
            refs: Span { start, len },
            status: Status::Fulfilled,
        });
    }

    fn add_row(&mut self, row: &Row<'a>, arrival: u32) {
        if !row.complete && self.parity {
            return; // React drops an unterminated last row and never completes a short one.
        }
        let dialect = self.tree.dialect;
        let id = if row.id.is_empty() {
            Some(0)
        } else {
            row.numeric_id()
        };
        let Some(id) = id else { return };
        match row.tag {
            RowTag::Model
            | RowTag::Unknown(_)
            | RowTag::Postpone
            | RowTag::Legacy(LegacyTag::Model)
            | RowTag::Legacy(LegacyTag::Symbol)
            | RowTag::Legacy(LegacyTag::Provider) => {
                if row.id.is_empty() {
                    self.diag(
                        row,
                        DiagnosticKind::UnknownTag,
                        "a model row without an id is not a value: ignored".into(),
                    );
                    return;
                }
                if self.stream_of(id).is_some() {
                    let item = match self.parse(row) {
                        Ok(parsed) => Item::Model(parsed.root),
                        Err(e) => {
                            self.json_error(row, "stream item is not valid JSON", &e);
                            Item::Failed
                        }
                    };
                    if let Some(stream) = self.stream_of(id) {
                        stream.items.push(item);
                    }
                    return;
                }
                if row.tag == RowTag::Legacy(LegacyTag::Provider) {
                    let name = utf8_lossy(row.payload);
                    let name = self.tree.arena.keep(name);
                    let node = self.tree.arena.push(Node::ContextProvider(name));
                    self.define(row, id, arrival, Content::Model(node), Vec::new());
                    return;
                }
                if row.payload.iter().all(u8::is_ascii_whitespace) && dialect == Dialect::React19 {
                    self.define(row, id, arrival, Content::Halted, Vec::new());
                    return;
                }
                match self.parse(row) {
                    Ok(parsed) => {
                        if parsed.lossy {
                            self.invalid_utf8(row);
                        }
                        let node = if row.tag == RowTag::Legacy(LegacyTag::Symbol) {
                            self.legacy_symbol(parsed.root)
                        } else {
                            parsed.root
                        };
                        self.define(row, id, arrival, Content::Model(node), parsed.refs)
                    }
                    Err(e) => {
                        let what = match row.tag {
                            RowTag::Unknown(t) => format!(
                                "row with unknown tag {:?} read as a model, and it is not valid JSON",
                                t as char
                            ),
                            _ => "not valid JSON".into(),
                        };
                        self.json_error(row, &what, &e);
                        self.define(row, id, arrival, Content::Failed, Vec::new())
                    }
                }
            }
            RowTag::Import | RowTag::Legacy(LegacyTag::Module) => match self.parse(row) {
                Ok(parsed) => {
                    if !is_client_reference(&self.tree.arena, parsed.root) {
                        self.diag(
                            row,
                            DiagnosticKind::BadImport,
                            "client reference of no known shape".into(),
                        );
                    }
                    self.define(row, id, arrival, Content::Module(parsed.root), parsed.refs)
                }
                Err(e) => {
                    self.json_error(row, "client reference is not valid JSON", &e);
                    self.abort(row, "a client reference row could not be read");
                    self.define(row, id, arrival, Content::Failed, Vec::new())
                }
            },
            RowTag::Hint(code) => match parse_plain(&mut self.tree.arena, row.payload) {
                Ok(node) => self.add_hint(code, node, row.offset),
                Err(e) => {
                    self.json_error(row, "hint is not valid JSON", &e);
                    self.abort(row, "a hint row could not be read");
                }
            },
            RowTag::Error | RowTag::Legacy(LegacyTag::Error) => {
                let digest = match parse_plain(&mut self.tree.arena, row.payload) {
                    Ok(node) => {
                        let arena = &self.tree.arena;
                        arena
                            .field(node, "digest")
                            .and_then(|d| match arena.get(d) {
                                Value::String(s) | Value::Number(s) => Some(s.to_string()),
                                _ => None,
                            })
                    }
                    Err(e) => {
                        self.json_error(row, "error row is not valid JSON", &e);
                        self.abort(row, "an error row could not be read");
                        None
                    }
                };
                let digest = digest.map(|d| self.intern_digest(d));
                if let Some(stream) = self.stream_of(id) {
                    stream.error = Some(digest);
                    return;
                }
                self.define(row, id, arrival, Content::Error(digest), Vec::new())
            }
            RowTag::Text => {
                let text = utf8_lossy(row.payload);
                if matches!(text, std::borrow::Cow::Owned(_)) {
                    self.invalid_utf8(row);
                }
                if let Some(stream) = self.stream_of(id) {
                    stream.items.push(Item::Text(text));
                    return;
                }
                self.define(row, id, arrival, Content::Text(text), Vec::new())
            }
            RowTag::MalformedText => self.define(row, id, arrival, Content::Failed, Vec::new()),
            RowTag::Binary(letter) => {
                if let Some(stream) = self.stream_of(id) {
                    stream.items.push(Item::Binary {
                        letter,
                        bytes: row.payload,
                    });
                    return;
                }
                self.define(
                    row,
                    id,
                    arrival,
                    Content::Binary {
                        letter,
                        bytes: row.payload,
                    },
                    Vec::new(),
                )
            }
            RowTag::ByteChunk => {
                if let Some(stream) = self.stream_of(id) {
                    stream.items.push(Item::Binary {
                        letter: b'o',
                        bytes: row.payload,
                    });
                } else {
                    self.diag(
                        row,
                        DiagnosticKind::UnknownTag,
                        "byte chunk for a row that is not an open byte stream: ignored".into(),
                    );
                }
            }
            RowTag::Debug | RowTag::Console | RowTag::TimeOrigin | RowTag::IoInfo => {
                let fatal = match row.tag {
                    RowTag::Debug | RowTag::Console => dialect != Dialect::Legacy,
                    _ => dialect == Dialect::React19,
                };
                if fatal {
                    if self.parity {
                        self.diag(row, DiagnosticKind::DevelopmentRow, format!(
                            "development-only {} row: React's production client aborts the response here",
                            row.tag.wire()
                        ));
                        self.aborted = true;
                    }
                } else {
                    // Older clients read an unknown upper-case tag as a model row.
                    if let Ok(parsed) = parse(&mut self.tree.arena, row.payload, dialect) {
                        self.define(row, id, arrival, Content::Model(parsed.root), parsed.refs);
                    }
                }
            }
            RowTag::Stream | RowTag::ByteStream | RowTag::AsyncIterable | RowTag::AsyncIterator => {
                let stream = Stream {
                    kind: row.tag,
                    items: Vec::new(),
                    closed: false,
                    error: None,
                };
                self.define(
                    row,
                    id,
                    arrival,
                    Content::Stream(Box::new(stream)),
                    Vec::new(),
                )
            }
            RowTag::Close => match self.stream_of(id) {
                Some(stream) => stream.closed = true,
                None => self.diag(
                    row,
                    DiagnosticKind::UnknownTag,
                    "close row for a row that is not an open stream: ignored".into(),
                ),
            },
        }
    }

    fn legacy_symbol(&mut self, node: NodeId) -> NodeId {
        self.tree.arena.symbol_from(node).unwrap_or(node)
    }

    /// The arguments React's `dispatchHint` passes to ReactDOM for each hint code.
    fn add_hint(&mut self, code: u8, node: NodeId, offset: usize) {
        let arena = &self.tree.arena;
        let items: Vec<NodeId> = match arena.get(node) {
            Value::Array(ref span) => arena.items(*span).to_vec(),
            _ => Vec::new(),
        };
        let is_string = matches!(arena.get(node), Value::String(_));
        let at = |i: usize| items.get(i).copied();
        let mut args: Vec<Option<NodeId>> = match code {
            b'D' => vec![Some(node)],
            b'C' | b'm' | b'X' | b'M' if is_string => vec![Some(node)],
            b'C' | b'm' | b'X' | b'M' => vec![at(0), at(1)],
            b'L' => {
                let options = at(2).filter(|&o| !matches!(arena.get(o), Value::Null));
                vec![at(0), at(1), options]
            }
            b'S' if is_string => vec![Some(node)],
            b'S' => {
                let precedence = at(1).filter(|&p| !matches!(arena.get(p), Value::Number("0")));
                vec![
                    at(0),
                    precedence,
                    if items.len() == 3 { at(2) } else { None },
                ]
            }
            // ReactDOM has no dispatcher for other codes: React drops them.
            _ => return,
        };
        while args.last() == Some(&None) {
            args.pop();
        }
        self.tree.hints.push(Hint { code, args, offset });
    }
}

fn is_client_reference(arena: &Arena<'_>, node: NodeId) -> bool {
    match arena.get(node) {
        Value::Array(ref span) => span.len >= 2,
        Value::Object(_) => arena.field(node, "id").is_some(),
        _ => false,
    }
}

/// When React parses each model row: at its arrival when something already waits for it
/// (the root, and what the rows parsed on arrival reference eagerly), otherwise when it
/// is first read, after the whole input.
fn parse_times(tree: &Tree<'_>) -> Vec<u32> {
    let mut times = vec![END_OF_STREAM; tree.chunks.len()];
    // Per chunk: something waited for it before it arrived. (Ids no row defines are
    // never asked about, so a flag per chunk is all the bookkeeping needed.)
    let mut waited = vec![false; tree.chunks.len()];
    if let Some(&root) = tree.index.get(&0) {
        waited[root as usize] = true;
    }
    let mut order: Vec<u32> = (0..tree.chunks.len() as u32).collect();
    order.sort_by_key(|&i| tree.chunks[i as usize].arrival);
    let mut work = Vec::new();
    for i in order {
        let i = i as usize;
        let chunk = &tree.chunks[i];
        if !matches!(chunk.content, Content::Model(_)) || !waited[i] {
            continue;
        }
        let now = chunk.arrival;
        if times[i] != END_OF_STREAM {
            continue;
        }
        times[i] = now;
        work.push(i);
        while let Some(c) = work.pop() {
            for r in &tree.refs[span_range(tree.chunks[c].refs)] {
                let Value::Reference(ref reference) = tree.arena.get(r.node) else {
                    continue;
                };
                if !reference.kind.blocks() {
                    continue;
                }
                let Some(&t) = reference.id().and_then(|id| tree.index.get(&id)) else {
                    continue;
                };
                let t = t as usize;
                let arrived = tree.chunks[t].arrival <= now;
                if arrived
                    && times[t] == END_OF_STREAM
                    && matches!(tree.chunks[t].content, Content::Model(_))
                {
                    times[t] = now;
                    work.push(t);
                } else if !arrived {
                    waited[t] = true;
                }
            }
        }
    }
    times
}

fn span_range(span: Span) -> std::ops::Range<usize> {
    span.start as usize..(span.start + span.len) as usize
}

/// A text or binary row that arrives after the row that reads it replaces the chunk React
/// was waiting on, so that reference never resolves (docs/FLIGHT-FORMAT.md §3.2).
fn mark_stuck(tree: &mut Tree<'_>, times: &[u32], parity: bool) {
    let mut stuck = Vec::new();
    let mut early = Vec::new();
    for (i, chunk) in tree.chunks.iter().enumerate() {
        let parsed_at = times[i];
        if parsed_at == END_OF_STREAM {
            continue;
        }
        for r in &tree.refs[span_range(chunk.refs)] {
            let Value::Reference(ref reference) = tree.arena.get(r.node) else {
                continue;
            };
            let Some(&t) = reference.id().and_then(|id| tree.index.get(&id)) else {
                continue;
            };
            let target = &tree.chunks[t as usize];
            if matches!(target.content, Content::Text(_) | Content::Binary { .. })
                && target.arrival > parsed_at
            {
                stuck.push((r.node, chunk.id, target.id, target.offset));
            }
            // React 18.3 reads the row behind `$F`/`$h`, `$Q` and `$W` at once, and
            // rejects the row that needs it when it has not arrived yet.
            let read_at_once = matches!(
                reference.kind,
                RefKind::ServerReference | RefKind::Map | RefKind::Set
            );
            if tree.dialect == Dialect::React18 && read_at_once && target.arrival > parsed_at {
                early.push((i, chunk.id, target.id));
            }
        }
    }
    for (chunk, from, to) in early {
        if parity {
            tree.order_rejected.push(chunk);
        }
        let offset = tree.chunks[chunk].offset;
        tree.diagnostics.push(Diagnostic::new(
            offset,
            Some(format!("{from:x}").as_bytes()),
            DiagnosticKind::OutOfOrder,
            format!("this row needs row {to:x} before it, which React 18.3 requires (it rejects this row)"),
        ));
    }
    for (node, from, to, offset) in stuck {
        // Without parity the text is used all the same: only React hangs on it.
        if parity {
            tree.stuck.insert(node);
        }
        let outcome = if parity {
            "left pending, as in React"
        } else {
            "resolved anyway"
        };
        tree.diagnostics.push(Diagnostic::new(
            offset,
            Some(format!("{to:x}").as_bytes()),
            DiagnosticKind::OutOfOrder,
            format!(
                "row {from:x} reads this row before it arrives: React never resolves that reference ({outcome})"
            ),
        ));
    }
}

fn combine(acc: Status, next: Status) -> Status {
    match (acc, next) {
        (Status::Rejected(_), _) => acc,
        (_, Status::Rejected(_)) => next,
        (Status::Pending, _) | (_, Status::Pending) => Status::Pending,
        _ => Status::Fulfilled,
    }
}

/// Settles every chunk and element: a row (or, in React 19, the innermost element) is
/// rejected when a blocking reference in it points at a rejected row, and pending when
/// one never resolves. Row cycles resolve, as in React 19.
fn compute_statuses(tree: &mut Tree<'_>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Visiting,
        Done,
    }
    let n = tree.chunks.len();
    let mut marks = vec![Mark::New; n];
    let mut invalid_path_rows: HashSet<usize> = tree.order_rejected.iter().copied().collect();
    for _round in 0..2 {
        for chunk in tree.chunks.iter_mut() {
            chunk.status = base_status(&chunk.content);
        }
        marks.fill(Mark::New);
        for &i in &invalid_path_rows {
            tree.chunks[i].status = Status::Rejected(None);
            marks[i] = Mark::Done;
        }
        for start in 0..n {
            if marks[start] != Mark::New {
                continue;
            }
            let mut stack = vec![start];
            while let Some(&c) = stack.last() {
                if marks[c] == Mark::New {
                    marks[c] = Mark::Visiting;
                    for r in &tree.refs[span_range(tree.chunks[c].refs)] {
                        if let Value::Reference(ref reference) = tree.arena.get(r.node)
                            && reference.kind.blocks()
                            && let Some(&t) = reference.id().and_then(|id| tree.index.get(&id))
                            && marks[t as usize] == Mark::New
                        {
                            stack.push(t as usize);
                        }
                    }
                    continue;
                }
                stack.pop();
                if marks[c] == Mark::Done {
                    continue;
                }
                marks[c] = Mark::Done;
                if tree.chunks[c].status != Status::Fulfilled {
                    continue;
                }
                let mut status = Status::Fulfilled;
                for r in &tree.refs[span_range(tree.chunks[c].refs)] {
                    if r.element.is_some() {
                        continue;
                    }
                    if let Value::Reference(ref reference) = tree.arena.get(r.node)
                        && reference.kind.blocks()
                    {
                        status = combine(status, tree.reference_status(r.node, reference));
                    }
                }
                tree.chunks[c].status = status;
            }
        }
        // Element-level outcomes (React 19).
        tree.element_status.clear();
        for r in &tree.refs {
            let Some(element) = r.element else { continue };
            if let Value::Reference(ref reference) = tree.arena.get(r.node)
                && reference.kind.blocks()
            {
                let s = tree.reference_status(r.node, reference);
                if s != Status::Fulfilled {
                    let entry = tree
                        .element_status
                        .entry(element)
                        .or_insert(Status::Fulfilled);
                    *entry = combine(*entry, s);
                }
            }
        }
        // Path references that cannot be walked reject their whole row (React 19.2+).
        let before = invalid_path_rows.len();
        for (i, chunk) in tree.chunks.iter().enumerate() {
            for r in &tree.refs[span_range(chunk.refs)] {
                if let Value::Reference(ref reference) = tree.arena.get(r.node)
                    && reference.path.len > 0
                    && tree.status(reference.id()) == Status::Fulfilled
                    && tree.reference_target(reference).is_none()
                {
                    invalid_path_rows.insert(i);
                }
            }
        }
        if invalid_path_rows.len() == before {
            break;
        }
    }
}

fn base_status(content: &Content<'_>) -> Status {
    match content {
        Content::Error(digest) => Status::Rejected(*digest),
        Content::Failed => Status::Rejected(None),
        Content::Halted => Status::Pending,
        _ => Status::Fulfilled,
    }
}

/// What a value stands for once references are followed: a node, or a whole chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A value node.
    Node(NodeId),
    /// A chunk whose content is not a model (text, bytes, module, stream).
    Chunk(u64),
}

impl<'a> Tree<'a> {
    /// The value a chunk stands for.
    pub fn chunk_target(&self, id: u64) -> Option<Target> {
        let chunk = self.chunk(id)?;
        Some(match chunk.content {
            Content::Model(node) => Target::Node(node),
            _ => Target::Chunk(id),
        })
    }

    /// Follows eager references and lazy wrappers until a value that is neither,
    /// giving up after as many steps as there are chunks (a reference cycle).
    pub fn settle(&self, target: Target) -> Option<Target> {
        self.settle_within(target, &mut PATH_BUDGET.clone())
    }

    /// What a chunk settles to (eager, lazy and fulfilled promise references followed),
    /// found once per chunk: a chain of rows referring to rows is walked once, however
    /// many values lead into it. `None` when it never settles.
    pub fn settled_chunk(&self, id: u64) -> Option<Target> {
        let first = self.chunk_position(id)?;
        if let Some(done) = self.settled.get(first).and_then(|c| c.get()) {
            return *done;
        }
        let mut chain = vec![first];
        let mut target = self.chunk_target(id);
        let result = loop {
            let Some(Target::Node(node)) = target else {
                break target;
            };
            match self.arena.get(node) {
                Value::Reference(ref r)
                    if matches!(r.kind, RefKind::Value | RefKind::Lazy | RefKind::Promise) =>
                {
                    if self.reference_status(node, r) != Status::Fulfilled {
                        break None;
                    }
                    match (
                        r.path.len,
                        r.id()
                            .and_then(|next| Some((next, self.chunk_position(next)?))),
                    ) {
                        (0, Some((next, at))) => {
                            if let Some(done) = self.settled.get(at).and_then(|c| c.get()) {
                                break *done;
                            }
                            if chain.len() > self.chunks.len() {
                                break None; // a cycle
                            }
                            chain.push(at);
                            target = self.chunk_target(next);
                        }
                        _ => target = self.reference_target(r),
                    }
                    if chain.len() > self.chunks.len() + 1 {
                        break None;
                    }
                }
                _ => break target,
            }
        };
        for at in chain {
            if let Some(cell) = self.settled.get(at) {
                let _ = cell.set(result);
            }
        }
        result
    }

    /// The value an eager or lazy reference points at, path included.
    pub fn reference_target(&self, reference: &Reference) -> Option<Target> {
        self.reference_target_within(reference, &mut PATH_BUDGET.clone())
    }

    fn settle_within(&self, mut target: Target, budget: &mut u32) -> Option<Target> {
        for _ in 0..=self.chunks.len() {
            let Target::Node(node) = target else {
                return Some(target);
            };
            match self.arena.get(node) {
                Value::Reference(ref r) if matches!(r.kind, RefKind::Value | RefKind::Lazy) => {
                    if self.reference_status(node, r) != Status::Fulfilled {
                        return None;
                    }
                    target = self.reference_target_within(r, budget)?;
                }
                _ => return Some(target),
            }
        }
        None
    }

    fn reference_target_within(&self, reference: &Reference, budget: &mut u32) -> Option<Target> {
        if reference.path.len == 0 {
            return self.chunk_target(reference.id()?);
        }
        // A path may go through other path references; each costs one step of the budget,
        // so paths that lead into themselves end (found by fuzzing: "$3:5" inside row 3).
        *budget = budget.checked_sub(1)?;
        walk_path(self, reference, budget)
    }
}

/// How many path references one lookup may go through. Real payloads nest a handful.
const PATH_BUDGET: u32 = 256;

/// Walks a React 19 path reference (docs/FLIGHT-FORMAT.md §2.4).
fn walk_path(tree: &Tree<'_>, reference: &Reference, budget: &mut u32) -> Option<Target> {
    let mut current = tree.chunk_target(reference.id()?)?;
    for key in tree.arena.path(reference.path) {
        let Target::Node(node) = tree.settle_within(current, budget)? else {
            return None;
        };
        current = Target::Node(match tree.arena.get(node) {
            Value::Object(_) => tree.arena.field(node, key)?,
            Value::Array(ref span) => {
                let index: usize = key.parse().ok()?;
                *tree.arena.items(*span).get(index)?
            }
            Value::Element(ref el) => match key {
                "type" => el.element_type?,
                "key" => el.key?,
                "props" => el.props?,
                "_owner" => el.owner?,
                _ => return None,
            },
            _ => return None,
        });
    }
    Some(current)
}

fn report_missing(tree: &mut Tree<'_>) {
    // (offset of the referring row, its id, the id it refers to)
    let mut missing: Vec<(usize, u64, Option<u64>)> = Vec::new();
    let mut seen = HashSet::new();
    for chunk in &tree.chunks {
        for r in &tree.refs[span_range(chunk.refs)] {
            if let Value::Reference(ref reference) = tree.arena.get(r.node) {
                match reference.id() {
                    Some(id) if tree.index.contains_key(&id) => {}
                    Some(id) => {
                        if seen.insert(id) {
                            missing.push((chunk.offset, chunk.id, Some(id)));
                        }
                    }
                    None => missing.push((chunk.offset, chunk.id, None)),
                }
            }
        }
    }
    for (offset, from, id) in missing {
        let (kind, message) = match id {
            None => (
                DiagnosticKind::UnknownEscape,
                "a reference whose id is not hex (an unknown `$` escape): React reads a row that never comes".to_string(),
            ),
            Some(id) => (
                DiagnosticKind::MissingRow,
                format!("reference to row {id:x}, which the input does not contain"),
            ),
        };
        let from = format!("{from:x}");
        tree.diagnostics.push(Diagnostic::new(
            offset,
            Some(from.as_bytes()),
            kind,
            message,
        ));
    }
    if !tree.index.contains_key(&0) {
        tree.diagnostics.push(Diagnostic::new(
            0,
            None,
            DiagnosticKind::MissingRow,
            "the input has no root row (row 0)",
        ));
    }
    tree.diagnostics.sort_by_key(|d| d.offset);
}
