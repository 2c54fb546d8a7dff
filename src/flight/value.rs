//! JSON payloads with every `$` escape of docs/FLIGHT-FORMAT.md §2 decoded, into a flat arena.
//!
//! The parser is iterative (no recursion, no depth limit: a payload nested 200,000 deep
//! parses like a flat one) and zero-copy: a string is borrowed from the input unless it
//! had escapes to undo or invalid UTF-8 to replace. Values live in one [`Arena`] and refer
//! to each other by [`NodeId`], so dropping a deep tree never recurses either.

use std::borrow::Cow;

/// Index of a value in an [`Arena`].
pub type NodeId = u32;

/// Which React client's rules decode the payload (docs/FLIGHT-FORMAT.md §0, §2.1, §2.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Next 13.0 – 13.1: `@1` lazy references, `$@` escapes a literal `@`.
    Legacy,
    /// Next 13.2 – 14.2.x (React 18.3): no path references, `__proto__` kept.
    React18,
    /// Next 15 onwards (React 19): path references, `$Z`, `$K`, `$B`, `$i`, streams.
    React19,
}

/// A range of an arena's side tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First index.
    pub start: u32,
    /// Number of entries.
    pub len: u32,
}

/// NaN, the infinities and negative zero, which JSON cannot write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecialNumber {
    /// `$NaN`
    NaN,
    /// `$Infinity`
    Infinity,
    /// `$-Infinity`
    NegativeInfinity,
    /// `$-0`
    NegativeZero,
}

/// What a reference string asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// `$<id>`: the row's value itself (blocks the row that holds it).
    Value,
    /// `$L<id>`: a lazy wrapper (legacy `@<id>`).
    Lazy,
    /// `$@<id>`: a promise of the row's value.
    Promise,
    /// `$h<id>` / `$F<id>`: a server function; the row holds `{id, bound}`.
    ServerReference,
    /// `$Q<id>`: a Map built from the row's pairs.
    Map,
    /// `$W<id>`: a Set built from the row's items.
    Set,
    /// `$K<id>`: FormData built from the row's pairs.
    FormData,
    /// `$B<id>`: a Blob built from the row's `[type, …parts]`.
    Blob,
    /// `$i<id>`: an iterator over the row's items.
    Iterator,
    /// `$P<id>` (React 19 dev): a constructor used for debug objects.
    Constructor,
    /// `$Y<id>` / `$Y@<id>` (React 19 dev): a deferred debug value.
    Deferred,
}

impl RefKind {
    /// True when an unresolved target holds up the row (or, in React 19, the element) that
    /// contains the reference. Lazy and promise references never block.
    pub fn blocks(self) -> bool {
        !matches!(self, RefKind::Lazy | RefKind::Promise)
    }
}

/// A reference to another row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// What the reference makes of the row.
    pub kind: RefKind,
    /// Whether the digits formed a number: every `u64` is a row id a payload can write,
    /// so none can stand for "no id".
    has_id: bool,
    /// The row id, when `has_id` (see [`Reference::id`]).
    raw_id: u64,
    /// Keys to walk inside the row's value (React 19 path references), in [`Arena::path`].
    pub path: Span,
}

impl Reference {
    /// A reference to row `id` (`None`: digits that do not form a number).
    pub fn new(kind: RefKind, id: Option<u64>, path: Span) -> Self {
        Reference {
            kind,
            has_id: id.is_some(),
            raw_id: id.unwrap_or_default(),
            path,
        }
    }

    /// The row id; `None` when the digits do not form a number (React reads `NaN`,
    /// a row that never comes).
    pub fn id(&self) -> Option<u64> {
        self.has_id.then_some(self.raw_id)
    }
}

/// A React element tuple `["$", type, key, props, …]`. `None` marks a slot the tuple
/// did not have (React reads `undefined`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element {
    /// The element type: a tag name, a reference to a client module or a symbol row.
    pub element_type: Option<NodeId>,
    /// The key.
    pub key: Option<NodeId>,
    /// The props object (or a reference to one).
    pub props: Option<NodeId>,
    /// The development owner slot.
    pub owner: Option<NodeId>,
}

/// One decoded value, as read from an [`Arena`] (strings borrow from it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'t> {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A JSON number, as written.
    Number(&'t str),
    /// A string (escapes undone, `$$` unescaped).
    String(&'t str),
    /// An array; items from [`Arena::items`].
    Array(Span),
    /// An object; entries from [`Arena::entries`], sorted by key, duplicate keys resolved.
    Object(Span),
    /// A React element.
    Element(Element),
    /// `$undefined` (and the 16.4 `$w` / `$H`).
    Undefined,
    /// `$NaN`, `$Infinity`, `$-Infinity`, `$-0`.
    Special(SpecialNumber),
    /// `$n<digits>`: the decimal digits, normalised.
    BigInt(&'t str),
    /// `$D<text>`: the date text as sent.
    Date(&'t str),
    /// `$S<name>`: a global symbol.
    Symbol(&'t str),
    /// The bare element marker `"$"` anywhere but the head of a tuple.
    ElementMarker,
    /// A reference to another row.
    Reference(Reference),
    /// `$Z` in production: an error value whose details were left out.
    ErrorValue,
    /// `$E<source>` (development): the source of a function.
    FunctionSource(&'t str),
    /// `$Y` (development): an object left out of a debug payload.
    Omitted,
    /// `$T<id>`: a temporary reference (only meaningful to the client that sent it).
    Temporary(&'t str),
    /// `$P<name>` (React 18.3 before 14.2): a server context provider.
    ContextProvider(&'t str),
}

/// A string kept by an arena: a slice of a row's payload, or of the arena's own buffer
/// for strings that had escapes to undo. 12 bytes, so that a [`Node`] is 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Str {
    /// Index in the arena's texts (with the part bit), or [`OWNED`].
    source: u32,
    start: u32,
    len: u32,
}

impl Str {
    /// The same string without its first `skip` bytes (ASCII: `$`, `$S`…).
    fn tail(self, skip: u32) -> Str {
        let skip = skip.min(self.len);
        Str {
            source: self.source,
            start: self.start + skip,
            len: self.len - skip,
        }
    }

    /// `len` bytes from byte `at` of this string.
    fn sub(self, at: u32, len: u32) -> Str {
        Str {
            source: self.source,
            start: self.start + at,
            len,
        }
    }
}

/// An [`Element`] as an arena keeps it: [`NO_NODE`] in a slot the tuple did not have.
/// 16 bytes where the `Option`s of an `Element` take 32 (a page of many small
/// elements holds one per element).
#[derive(Debug, Clone, Copy)]
struct StoredElement([NodeId; 4]);

/// No node. No id is `NodeId::MAX`: first-part ids are below 2³¹, and second-part ids
/// (top bit set) index a part that reads at most half of the 4 GiB an arena counts, and
/// every node takes at least one byte of it.
const NO_NODE: NodeId = NodeId::MAX;

impl StoredElement {
    fn of(element: Element) -> StoredElement {
        let slot = |node: Option<NodeId>| node.unwrap_or(NO_NODE);
        StoredElement([
            slot(element.element_type),
            slot(element.key),
            slot(element.props),
            slot(element.owner),
        ])
    }

    fn element(self) -> Element {
        let slot = |node: NodeId| (node != NO_NODE).then_some(node);
        let [element_type, key, props, owner] = self.0;
        Element {
            element_type: slot(element_type),
            key: slot(key),
            props: slot(props),
            owner: slot(owner),
        }
    }
}

/// The source index of strings held in the arena's own buffer.
const OWNED: u32 = u32::MAX >> 1;

/// How a value is stored: 16 bytes, where a [`Value`] holding borrowed strings and whole
/// references would take 32. Halving the arena halves the page faults and cache misses
/// of a big payload, which dominate its cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Number(Str),
    String(Str),
    Array(Span),
    Object(Span),
    Element(u32),
    Undefined,
    Special(SpecialNumber),
    BigInt(Str),
    Date(Str),
    Symbol(Str),
    ElementMarker,
    Reference(u32),
    ErrorValue,
    FunctionSource(Str),
    Omitted,
    Temporary(Str),
    ContextProvider(Str),
}

/// Every value of a payload, addressed by [`NodeId`].
///
/// Big payloads are parsed on two threads, each into an arena of its own; the second
/// is then attached to the first, and its ids carry [`SECOND_PART`] so that nothing has
/// to be copied or renumbered.
#[derive(Debug, Default)]
pub struct Arena<'a> {
    nodes: Vec<Node>,
    items: Vec<NodeId>,
    entries: Vec<(Str, NodeId)>,
    path: Vec<Str>,
    elements: Vec<StoredElement>,
    references: Vec<Reference>,
    /// The payloads strings are sliced from (each valid UTF-8).
    texts: Vec<&'a str>,
    /// Strings that had escapes to undo or bytes to replace.
    owned: String,
    /// OR'ed into every id, span start and index this arena hands out.
    part: u32,
    /// The one node of each value that is the same wherever a payload writes it (see
    /// [`Shared`]); empty until the first is stored. A payload of a million `1`s holds
    /// one node for them, not a million.
    shared: Vec<Option<NodeId>>,
    /// The node of each element tag name seen (see [`Arena::push_tag`]).
    tags: Vec<KnownTag>,
    second: Option<Box<Arena<'a>>>,
}

/// How many tag names an arena keeps one node for; more are stored at each use.
const MAX_TAGS: usize = 48;

/// A tag name stored once (see [`Arena::push_tag`]).
#[derive(Debug, Clone, Copy)]
struct KnownTag {
    /// The name's first eight bytes (zero-padded) and its length.
    key: (u64, u32),
    name: Str,
    id: NodeId,
}

/// A value stored once per arena however often it is written.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shared {
    Null,
    True,
    False,
    EmptyArray,
    EmptyObject,
    /// The `"$"` that opens every element tuple.
    ElementMarker,
    /// A number written as one or two decimal digits (`0` to `99`).
    SmallNumber(u8),
}

impl Shared {
    const SLOTS: usize = 6 + 100;

    fn slot(self) -> usize {
        match self {
            Shared::Null => 0,
            Shared::True => 1,
            Shared::False => 2,
            Shared::EmptyArray => 3,
            Shared::EmptyObject => 4,
            Shared::ElementMarker => 5,
            Shared::SmallNumber(n) => 6 + usize::from(n.min(99)),
        }
    }

    /// The small number a JSON number's text is, if it is one.
    fn small_number(text: &[u8]) -> Option<Shared> {
        match *text {
            [d @ b'0'..=b'9'] => Some(Shared::SmallNumber(d - b'0')),
            [t @ b'1'..=b'9', u @ b'0'..=b'9'] => {
                Some(Shared::SmallNumber((t - b'0') * 10 + (u - b'0')))
            }
            _ => None,
        }
    }
}

/// The bit that marks ids and spans of an arena's second part.
pub const SECOND_PART: u32 = 1 << 31;

impl<'a> Arena<'a> {
    /// An arena sized for about `bytes` of JSON (reserved, not touched: pages that are
    /// never written cost no memory).
    pub fn with_capacity_for(bytes: usize) -> Self {
        Arena {
            nodes: Vec::with_capacity(bytes / 24 + 16),
            items: Vec::with_capacity(bytes / 48 + 16),
            entries: Vec::with_capacity(bytes / 48 + 16),
            ..Arena::default()
        }
    }

    /// An empty arena whose ids are those of a second part (see [`Arena::attach`]).
    pub fn second_part(bytes: usize) -> Self {
        Arena {
            part: SECOND_PART,
            ..Arena::with_capacity_for(bytes)
        }
    }

    /// Attaches an arena made with [`Arena::second_part`]: its ids become valid here.
    pub fn attach(&mut self, second: Arena<'a>) {
        self.second = Some(Box::new(second));
    }

    /// The part that holds an id or index, and the index inside it.
    #[inline]
    fn part(&self, id: u32) -> (&Arena<'a>, usize) {
        match &self.second {
            Some(second) if id & SECOND_PART != 0 => (second, (id & !SECOND_PART) as usize),
            _ => (self, (id & !SECOND_PART) as usize),
        }
    }

    /// The text of a stored string.
    #[inline]
    pub(crate) fn str(&self, s: Str) -> &str {
        let (part, source) = self.part(s.source);
        let range = s.start as usize..(s.start + s.len) as usize;
        let text = if source == OWNED as usize {
            part.owned.get(range)
        } else {
            part.texts.get(source).and_then(|t| t.get(range))
        };
        text.unwrap_or("")
    }

    /// The bytes of a stored string (valid UTF-8), without the checks of [`Arena::str`].
    #[inline]
    pub(crate) fn bytes(&self, s: Str) -> &[u8] {
        let (part, source) = self.part(s.source);
        let range = s.start as usize..(s.start + s.len) as usize;
        let text = if source == OWNED as usize {
            part.owned.as_bytes().get(range)
        } else {
            part.texts.get(source).and_then(|t| t.as_bytes().get(range))
        };
        text.unwrap_or(b"")
    }

    /// Entry `i` of an object as stored.
    #[inline]
    pub(crate) fn raw_entry(&self, span: Span, i: usize) -> Option<(Str, NodeId)> {
        if i >= span.len as usize {
            return None;
        }
        let (part, start) = self.part(span.start);
        part.entries.get(start + i).copied()
    }

    /// Entry `i` of an object: its key and value.
    #[inline]
    pub(crate) fn entry_at(&self, span: Span, i: usize) -> Option<(&str, NodeId)> {
        self.raw_entry(span, i).map(|(k, v)| (self.str(k), v))
    }

    /// How a node is stored.
    #[inline]
    pub(crate) fn node(&self, id: NodeId) -> Node {
        let (part, i) = self.part(id);
        part.nodes[i]
    }

    /// The value of a node.
    #[inline]
    pub fn get(&self, id: NodeId) -> Value<'_> {
        match self.node(id) {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Number(s) => Value::Number(self.str(s)),
            Node::String(s) => Value::String(self.str(s)),
            Node::Array(span) => Value::Array(span),
            Node::Object(span) => Value::Object(span),
            Node::Element(i) => {
                let (part, i) = self.part(i);
                Value::Element(part.elements[i].element())
            }
            Node::Undefined => Value::Undefined,
            Node::Special(n) => Value::Special(n),
            Node::BigInt(s) => Value::BigInt(self.str(s)),
            Node::Date(s) => Value::Date(self.str(s)),
            Node::Symbol(s) => Value::Symbol(self.str(s)),
            Node::ElementMarker => Value::ElementMarker,
            Node::Reference(i) => {
                let (part, i) = self.part(i);
                Value::Reference(part.references[i])
            }
            Node::ErrorValue => Value::ErrorValue,
            Node::FunctionSource(s) => Value::FunctionSource(self.str(s)),
            Node::Omitted => Value::Omitted,
            Node::Temporary(s) => Value::Temporary(self.str(s)),
            Node::ContextProvider(s) => Value::ContextProvider(self.str(s)),
        }
    }

    /// The items of an array.
    pub fn items(&self, span: Span) -> &[NodeId] {
        let (part, i) = self.part(span.start);
        &part.items[i..i + span.len as usize]
    }

    /// Entry `i` of an object (entries are sorted by key).
    #[inline]
    pub fn entry(&self, span: Span, i: usize) -> Option<(&str, NodeId)> {
        if i >= span.len as usize {
            return None;
        }
        let (part, start) = self.part(span.start);
        let (key, value) = part.entries[start + i];
        Some((self.str(key), value))
    }

    /// The entries of an object, sorted by key.
    pub fn entries(&self, span: Span) -> impl ExactSizeIterator<Item = (&str, NodeId)> + '_ {
        let (part, start) = self.part(span.start);
        part.entries[start..start + span.len as usize]
            .iter()
            .map(|&(k, v)| (self.str(k), v))
    }

    /// The keys of a path reference.
    pub fn path(&self, span: Span) -> impl ExactSizeIterator<Item = &str> + '_ {
        let (part, start) = self.part(span.start);
        part.path[start..start + span.len as usize]
            .iter()
            .map(|&k| self.str(k))
    }

    /// A dense index of a node, below [`Arena::len`], for tables kept beside the arena.
    #[inline]
    pub fn dense_index(&self, id: NodeId) -> usize {
        if id & SECOND_PART != 0 {
            self.nodes.len() + (id & !SECOND_PART) as usize
        } else {
            id as usize
        }
    }

    /// The value of `key` in an object node.
    pub fn field(&self, node: NodeId, key: &str) -> Option<NodeId> {
        let Node::Object(span) = self.node(node) else {
            return None;
        };
        let (part, start) = self.part(span.start);
        let entries = &part.entries[start..start + span.len as usize];
        entries
            .binary_search_by(|(k, _)| self.str(*k).cmp(key))
            .ok()
            .map(|i| entries[i].1)
    }

    /// Every node id, first part then second.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        let second = self.second.as_ref().map_or(0, |s| s.nodes.len());
        (0..self.nodes.len() as NodeId).chain((0..second as NodeId).map(|i| i | SECOND_PART))
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len() + self.second.as_ref().map_or(0, |s| s.nodes.len())
    }

    /// How many values the payloads wrote: nodes, and the places in arrays and objects
    /// that hold them (a value stored once for many places counts at each).
    pub fn values(&self) -> usize {
        let own = self.nodes.len() + self.items.len() + self.entries.len();
        own + self.second.as_ref().map_or(0, |s| s.values())
    }

    /// True when no value was parsed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        (self.nodes.len() - 1) as NodeId | self.part
    }

    /// Stores a value that is the same wherever it is written once, and hands out that
    /// node for every later one. Only leaves are shared, and nodes are never changed once
    /// stored, so no reader can tell.
    pub(crate) fn push_shared(&mut self, value: Shared, node: Node) -> NodeId {
        let slot = value.slot();
        if self.shared.is_empty() {
            self.shared = vec![None; Shared::SLOTS];
        }
        if let Some(id) = self.shared[slot] {
            return id;
        }
        let id = self.push(node);
        self.shared[slot] = Some(id);
        id
    }

    /// Stores an element's tag name once per arena: a page writes the same few dozen
    /// tags for every one of its elements.
    fn push_tag(&mut self, tag: Str) -> NodeId {
        let text = self.str(tag).as_bytes();
        // Compared by length and first eight bytes, which settle names of up to eight
        // (nearly every tag) without reading a second string.
        let mut head = [0u8; 8];
        let n = text.len().min(8);
        head[..n].copy_from_slice(&text[..n]);
        let key = (u64::from_le_bytes(head), tag.len);
        let found = self.tags.iter().find(|known| {
            known.key == key && (tag.len <= 8 || self.str(known.name).as_bytes() == text)
        });
        if let Some(known) = found {
            return known.id;
        }
        let id = self.push(Node::String(tag));
        if self.tags.len() < MAX_TAGS {
            self.tags.push(KnownTag { key, name: tag, id });
        }
        id
    }

    /// Keeps a string: borrowed ones as a slice of their text, owned ones in the buffer.
    pub(crate) fn keep(&mut self, text: std::borrow::Cow<'a, str>) -> Str {
        match text {
            std::borrow::Cow::Borrowed(t) => {
                self.texts.push(t);
                Str {
                    source: (self.texts.len() - 1) as u32 | self.part,
                    start: 0,
                    len: t.len() as u32,
                }
            }
            std::borrow::Cow::Owned(t) => self.keep_owned(&t),
        }
    }

    fn keep_owned(&mut self, text: &str) -> Str {
        let start = self.owned.len() as u32;
        self.owned.push_str(text);
        Str {
            source: OWNED | self.part,
            start,
            len: text.len() as u32,
        }
    }

    /// Stores `node` and returns its id; a `Node::Symbol` made from a string node
    /// (legacy `S` rows) keeps the string's text.
    pub(crate) fn symbol_from(&mut self, string: NodeId) -> Option<NodeId> {
        match self.node(string) {
            Node::String(s) => Some(self.push(Node::Symbol(s))),
            _ => None,
        }
    }

    fn push_element(&mut self, element: Element) -> Node {
        self.elements.push(StoredElement::of(element));
        Node::Element((self.elements.len() - 1) as u32 | self.part)
    }

    fn push_reference(&mut self, reference: Reference) -> Node {
        self.references.push(reference);
        Node::Reference((self.references.len() - 1) as u32 | self.part)
    }
}

/// Why a payload is not JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset inside the payload.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// A reference that can hold up its row, and the element that catches its failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockingRef {
    /// The reference node.
    pub node: NodeId,
    /// The innermost element around it (React 19 turns that element into an error or a
    /// pending lazy), or `None` when the failure goes to the whole row.
    pub element: Option<NodeId>,
}

/// What parsing one payload produced.
#[derive(Debug)]
pub struct Parsed {
    /// The root node.
    pub root: NodeId,
    /// Every reference in the payload (blocking or not), in document order.
    pub refs: Vec<BlockingRef>,
    /// The row's bytes were not all UTF-8: the strings hold U+FFFD where they were not,
    /// as React's decoder makes of them.
    pub lossy: bool,
}

enum Frame {
    Array {
        base: usize,
        element: bool,
        refs_base: usize,
    },
    Object {
        base: usize,
        key: Str,
    },
}

/// Parses one JSON payload into `arena`, decoding `$` strings by the rules of `dialect`.
/// On error the arena is left as it was.
pub fn parse<'a>(
    arena: &mut Arena<'a>,
    input: &'a [u8],
    dialect: Dialect,
) -> Result<Parsed, JsonError> {
    parse_with(arena, input, dialect, true, false).map(|(p, _)| p)
}

/// Parses plain JSON, leaving `$` strings as they are (hint rows are not revived).
pub fn parse_plain<'a>(arena: &mut Arena<'a>, input: &'a [u8]) -> Result<NodeId, JsonError> {
    parse_with(arena, input, Dialect::React19, false, false).map(|(p, _)| p.root)
}

/// Parses one plain JSON value at the start of `input` and says where it ends (the rest
/// of the input may be anything: the JavaScript around a `push(...)` argument).
pub fn parse_plain_prefix<'a>(
    arena: &mut Arena<'a>,
    input: &'a [u8],
) -> Result<(NodeId, usize), JsonError> {
    parse_with(arena, input, Dialect::React19, false, true).map(|(p, end)| (p.root, end))
}

fn parse_with<'a>(
    arena: &mut Arena<'a>,
    input: &'a [u8],
    dialect: Dialect,
    revive: bool,
    prefix: bool,
) -> Result<(Parsed, usize), JsonError> {
    let marks = (
        arena.nodes.len(),
        arena.items.len(),
        arena.entries.len(),
        arena.path.len(),
        arena.elements.len(),
        arena.references.len(),
        arena.texts.len(),
        arena.owned.len(),
    );
    let text = simdutf8::basic::from_utf8(input).ok();
    if let Some(t) = text {
        arena.texts.push(t);
    }
    let mut parser = Parser {
        input,
        text: text.map(|_| (arena.texts.len() - 1) as u32 | arena.part),
        pos: 0,
        dialect,
        revive,
        prefix,
        items: Vec::new(),
        entries: Vec::new(),
        refs: Vec::new(),
        claimed: Vec::new(),
    };
    match parser.run(arena) {
        Ok(root) => {
            let mut refs = parser.claimed;
            refs.extend(parser.refs);
            Ok((
                Parsed {
                    root,
                    refs,
                    lossy: text.is_none(),
                },
                parser.pos,
            ))
        }
        Err(e) => {
            let kept =
                |id: &Option<NodeId>| id.is_some_and(|id| ((id & !SECOND_PART) as usize) < marks.0);
            for slot in arena.shared.iter_mut() {
                if !kept(slot) {
                    *slot = None;
                }
            }
            arena.tags.retain(|tag| kept(&Some(tag.id)));
            arena.nodes.truncate(marks.0);
            arena.items.truncate(marks.1);
            arena.entries.truncate(marks.2);
            arena.path.truncate(marks.3);
            arena.elements.truncate(marks.4);
            arena.references.truncate(marks.5);
            arena.texts.truncate(marks.6);
            arena.owned.truncate(marks.7);
            Err(e)
        }
    }
}

struct Parser<'a> {
    input: &'a [u8],
    /// The payload's index in the arena's texts when it is valid UTF-8 (checked once,
    /// fast), so strings and numbers are sliced from it, not validated one by one.
    text: Option<u32>,
    pos: usize,
    dialect: Dialect,
    /// False for plain JSON: no `$` decoding, no elements.
    revive: bool,
    /// Stop after the first value, whatever follows.
    prefix: bool,
    items: Vec<NodeId>,
    entries: Vec<(Str, NodeId)>,
    /// References not yet claimed by an enclosing element.
    refs: Vec<BlockingRef>,
    /// References claimed by an element.
    claimed: Vec<BlockingRef>,
}

impl<'a> Parser<'a> {
    fn error(&self, message: impl Into<String>) -> JsonError {
        JsonError {
            offset: self.pos,
            message: message.into(),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.input.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn run(&mut self, arena: &mut Arena<'a>) -> Result<NodeId, JsonError> {
        let mut stack: Vec<Frame> = Vec::new();
        'value: loop {
            self.skip_ws();
            let mut node = match self.peek() {
                Some(b'{') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        arena.push_shared(Shared::EmptyObject, Node::Object(Span::default()))
                    } else {
                        let key = self.key(arena)?;
                        stack.push(Frame::Object {
                            base: self.entries.len(),
                            key,
                        });
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        arena.push_shared(Shared::EmptyArray, Node::Array(Span::default()))
                    } else {
                        let element = self.revive && self.input[self.pos..].starts_with(b"\"$\"");
                        stack.push(Frame::Array {
                            base: self.items.len(),
                            element,
                            refs_base: self.refs.len(),
                        });
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    let s = self.string(arena)?;
                    let value = if self.revive {
                        self.decode_string(arena, s)?
                    } else {
                        Node::String(s)
                    };
                    let type_slot = matches!(stack.last(),
                        Some(Frame::Array { base, element: true, .. }) if self.items.len() == base + 1);
                    let id = match value {
                        Node::ElementMarker => arena.push_shared(Shared::ElementMarker, value),
                        Node::String(s) if type_slot => arena.push_tag(s),
                        _ => arena.push(value),
                    };
                    if let Node::Reference(_) = value {
                        self.refs.push(BlockingRef {
                            node: id,
                            element: None,
                        });
                    }
                    id
                }
                Some(b't') => self.literal(arena, b"true", Shared::True, Node::Bool(true))?,
                Some(b'f') => self.literal(arena, b"false", Shared::False, Node::Bool(false))?,
                Some(b'n') => self.literal(arena, b"null", Shared::Null, Node::Null)?,
                Some(b'-' | b'0'..=b'9') => {
                    let start = self.pos;
                    let n = self.number(arena)?;
                    match Shared::small_number(&self.input[start..self.pos]) {
                        Some(small) => arena.push_shared(small, Node::Number(n)),
                        None => arena.push(Node::Number(n)),
                    }
                }
                Some(_) => return Err(self.error("unexpected character")),
                None => return Err(self.error("unexpected end of JSON")),
            };
            // Attach the finished value to its container, closing containers as they end.
            loop {
                match stack.last_mut() {
                    None => {
                        if self.prefix {
                            return Ok(node);
                        }
                        self.skip_ws();
                        if self.pos != self.input.len() {
                            return Err(self.error("unexpected data after the JSON value"));
                        }
                        return Ok(node);
                    }
                    Some(Frame::Array { .. }) => {
                        self.items.push(node);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                continue 'value;
                            }
                            Some(b']') => {
                                self.pos += 1;
                                let Some(Frame::Array {
                                    base,
                                    element,
                                    refs_base,
                                }) = stack.pop()
                                else {
                                    unreachable!("the top frame is an array") // ok: matched just above
                                };
                                node = self.close_array(arena, base, element, refs_base);
                            }
                            _ => return Err(self.error("expected ',' or ']'")),
                        }
                    }
                    Some(Frame::Object { key, .. }) => {
                        let key = *key;
                        self.add_entry(arena, key, node);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                let next = self.key(arena)?;
                                if let Some(Frame::Object { key, .. }) = stack.last_mut() {
                                    *key = next;
                                }
                                continue 'value;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                let Some(Frame::Object { base, .. }) = stack.pop() else {
                                    unreachable!("the top frame is an object") // ok: matched just above
                                };
                                node = self.close_object(arena, base);
                            }
                            _ => return Err(self.error("expected ',' or '}'")),
                        }
                    }
                }
            }
        }
    }

    fn add_entry(&mut self, arena: &Arena<'a>, key: Str, node: NodeId) {
        // React deletes properties whose value is undefined, and React 19 drops `__proto__`.
        if matches!(arena.node(node), Node::Undefined) {
            return;
        }
        if self.revive
            && self.dialect == Dialect::React19
            && key.len == 9
            && arena.str(key) == "__proto__"
        {
            return;
        }
        self.entries.push((key, node));
    }

    fn close_array(
        &mut self,
        arena: &mut Arena<'a>,
        base: usize,
        element: bool,
        refs_base: usize,
    ) -> NodeId {
        if element {
            let slot = |i: usize| self.items.get(base + i).copied();
            let value = arena.push_element(Element {
                element_type: slot(1),
                key: slot(2),
                props: slot(3),
                owner: slot(4),
            });
            self.items.truncate(base);
            let id = arena.push(value);
            if self.dialect == Dialect::React19 {
                for mut r in self.refs.drain(refs_base..) {
                    r.element = Some(id);
                    self.claimed.push(r);
                }
            }
            return id;
        }
        let start = arena.items.len() as u32;
        if base == 0 && arena.items.is_empty() && self.items.len() > arena.items.capacity() {
            // The first array closed holds every item gathered, more than the arena has
            // room for: hand the buffer over rather than copy it (a payload that is one
            // long array would need its items twice over at this moment).
            std::mem::swap(&mut arena.items, &mut self.items);
        } else {
            arena.items.extend(self.items.drain(base..));
        }
        let len = arena.items.len() as u32 - start;
        let start = start | arena.part;
        arena.push(Node::Array(Span { start, len }))
    }

    fn close_object(&mut self, arena: &mut Arena<'a>, base: usize) -> NodeId {
        let entries = &mut self.entries[base..];
        let key = |s: &Str| arena.str(*s);
        if !entries.is_sorted_by(|a, b| key(&a.0) <= key(&b.0)) {
            entries.sort_by(|a, b| key(&a.0).cmp(key(&b.0)));
        }
        let start = arena.entries.len() as u32;
        if entries.windows(2).all(|w| key(&w[0].0) != key(&w[1].0)) {
            arena.entries.extend(self.entries.drain(base..));
        } else {
            // A repeated key keeps its last value, as JSON.parse does.
            let mut i = base;
            while i < self.entries.len() {
                let mut last = i;
                while last + 1 < self.entries.len()
                    && arena.str(self.entries[last + 1].0) == arena.str(self.entries[i].0)
                {
                    last += 1;
                }
                arena.entries.push(self.entries[last]);
                i = last + 1;
            }
        }
        self.entries.truncate(base);
        let len = arena.entries.len() as u32 - start;
        let start = start | arena.part;
        arena.push(Node::Object(Span { start, len }))
    }

    fn literal(
        &mut self,
        arena: &mut Arena<'a>,
        word: &[u8],
        shared: Shared,
        value: Node,
    ) -> Result<NodeId, JsonError> {
        if self.input[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(arena.push_shared(shared, value))
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn number(&mut self, arena: &mut Arena<'a>) -> Result<Str, JsonError> {
        let start = self.pos;
        let bytes = self.input;
        let mut i = self.pos;
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while let Some(b'0'..=b'9') = bytes.get(i) {
                    i += 1;
                }
            }
            _ => {
                self.pos = i;
                return Err(self.error("invalid number"));
            }
        }
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            let digits = i;
            while let Some(b'0'..=b'9') = bytes.get(i) {
                i += 1;
            }
            if i == digits {
                self.pos = i;
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = bytes.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = bytes.get(i) {
                i += 1;
            }
            let digits = i;
            while let Some(b'0'..=b'9') = bytes.get(i) {
                i += 1;
            }
            if i == digits {
                self.pos = i;
                return Err(self.error("invalid number"));
            }
        }
        self.pos = i;
        // ok: the bytes were just checked to be ASCII digits and signs
        Ok(match self.text {
            Some(source) => Str {
                source,
                start: start as u32,
                len: (i - start) as u32,
            },
            // ok: a number is ASCII digits and signs, checked just above
            None => arena.keep_owned(std::str::from_utf8(&bytes[start..i]).unwrap_or("0")),
        })
    }

    fn key(&mut self, arena: &mut Arena<'a>) -> Result<Str, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string key"));
        }
        let key = self.string(arena)?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.error("expected ':'"));
        }
        self.pos += 1;
        Ok(key)
    }

    /// A JSON string at `self.pos` (which is `"`).
    fn string(&mut self, arena: &mut Arena<'a>) -> Result<Str, JsonError> {
        let start = self.pos + 1;
        let Some(end) = super::scan::find_special(self.input, start) else {
            self.pos = self.input.len();
            return Err(self.error("unterminated string"));
        };
        match self.input[end] {
            b'"' => {
                self.pos = end + 1;
                Ok(match self.text {
                    Some(source) => Str {
                        source,
                        start: start as u32,
                        len: (end - start) as u32,
                    },
                    None => arena.keep_owned(&utf8_lossy(&self.input[start..end])),
                })
            }
            b'\\' => {
                let owned = self.escaped_string(start)?;
                Ok(arena.keep_owned(&owned))
            }
            _ => {
                self.pos = end;
                Err(self.error("control character in string"))
            }
        }
    }

    fn escaped_string(&mut self, start: usize) -> Result<String, JsonError> {
        let mut out: Vec<u8> = Vec::new();
        let mut i = start;
        loop {
            let rest = &self.input[i..];
            let Some(at) = memchr::memchr2(b'"', b'\\', rest) else {
                self.pos = self.input.len();
                return Err(self.error("unterminated string"));
            };
            let chunk = &rest[..at];
            if chunk.iter().any(|&b| b < 0x20) {
                self.pos = i;
                return Err(self.error("control character in string"));
            }
            out.extend_from_slice(chunk);
            i += at;
            if self.input[i] == b'"' {
                self.pos = i + 1;
                return Ok(match String::from_utf8(out) {
                    Ok(s) => s,
                    Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
                });
            }
            let Some(&esc) = self.input.get(i + 1) else {
                self.pos = i;
                return Err(self.error("unterminated escape"));
            };
            i += 2;
            match esc {
                b'"' => out.push(b'"'),
                b'\\' => out.push(b'\\'),
                b'/' => out.push(b'/'),
                b'b' => out.push(8),
                b'f' => out.push(12),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'u' => {
                    let unit = self.hex4(i)?;
                    i += 4;
                    let c = if (0xd800..0xdc00).contains(&unit) {
                        // A high surrogate: a low one must follow to make a character.
                        let low = if self.input[i..].starts_with(b"\\u") {
                            self.hex4(i + 2).ok()
                        } else {
                            None
                        };
                        match low {
                            Some(low @ 0xdc00..0xe000) => {
                                i += 6;
                                char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00))
                            }
                            _ => None,
                        }
                    } else {
                        char::from_u32(unit)
                    };
                    // Lone surrogates (which JS strings may hold) become U+FFFD.
                    let c = c.unwrap_or('\u{fffd}');
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                _ => {
                    self.pos = i - 1;
                    return Err(self.error("invalid escape"));
                }
            }
        }
    }

    fn hex4(&self, at: usize) -> Result<u32, JsonError> {
        let digits = self.input.get(at..at + 4).ok_or_else(|| JsonError {
            offset: at,
            message: "truncated \\u escape".into(),
        })?;
        let mut v = 0u32;
        for &d in digits {
            let h = (d as char).to_digit(16).ok_or_else(|| JsonError {
                offset: at,
                message: "invalid \\u escape".into(),
            })?;
            v = v * 16 + h;
        }
        Ok(v)
    }

    /// Decodes a string value by the `$` rules of the dialect (docs/FLIGHT-FORMAT.md §2.1, §2.9).
    fn decode_string(&mut self, arena: &mut Arena<'a>, s: Str) -> Result<Node, JsonError> {
        let text = arena.str(s);
        let bytes = text.as_bytes();
        let (first, code) = (bytes.first().copied(), bytes.get(1).copied());
        if self.dialect == Dialect::Legacy {
            return Ok(match (first, code) {
                (Some(b'$'), None) => Node::ElementMarker,
                (Some(b'$'), Some(b'$' | b'@')) => Node::String(s.tail(1)),
                (Some(b'$'), _) => reference(arena, RefKind::Value, parse_int_hex(&bytes[1..])),
                (Some(b'@'), _) => reference(arena, RefKind::Lazy, parse_int_hex(&bytes[1..])),
                _ => Node::String(s),
            });
        }
        if first != Some(b'$') {
            return Ok(Node::String(s));
        }
        let Some(code) = code else {
            return Ok(Node::ElementMarker);
        };
        let react19 = self.dialect == Dialect::React19;
        let rest = &bytes[2..];
        let id = || parse_int_hex(rest);
        Ok(match code {
            b'$' => Node::String(s.tail(1)),
            b'L' => reference(arena, RefKind::Lazy, id()),
            b'@' => reference(arena, RefKind::Promise, id()),
            b'S' => Node::Symbol(s.tail(2)),
            b'F' | b'h' => self.outlined(arena, RefKind::ServerReference, s, 2),
            b'Q' => self.outlined(arena, RefKind::Map, s, 2),
            b'W' => self.outlined(arena, RefKind::Set, s, 2),
            b'K' if react19 => self.outlined(arena, RefKind::FormData, s, 2),
            b'B' if react19 => self.outlined(arena, RefKind::Blob, s, 2),
            b'i' if react19 => self.outlined(arena, RefKind::Iterator, s, 2),
            b'Z' if react19 => Node::ErrorValue,
            b'T' if react19 => Node::Temporary(s.tail(2)),
            b'P' if react19 => self.outlined(arena, RefKind::Constructor, s, 2),
            b'P' => Node::ContextProvider(s.tail(2)),
            b'Y' if react19 => match rest {
                [] => Node::Omitted,
                [b'@', ..] => self.outlined(arena, RefKind::Deferred, s, 3),
                _ => self.outlined(arena, RefKind::Deferred, s, 2),
            },
            b'w' | b'H' if react19 => Node::Undefined,
            b'I' => Node::Special(SpecialNumber::Infinity),
            b'-' if rest == b"0" => Node::Special(SpecialNumber::NegativeZero),
            b'-' => Node::Special(SpecialNumber::NegativeInfinity),
            b'N' => Node::Special(SpecialNumber::NaN),
            b'u' => Node::Undefined,
            b'D' => Node::Date(s.tail(2)),
            b'n' => {
                let digits =
                    bigint_digits(&text[2..]).ok_or_else(|| self.error("invalid BigInt"))?;
                Node::BigInt(arena.keep_owned(&digits))
            }
            b'E' if !rest.is_empty() && !rest.iter().all(u8::is_ascii_hexdigit) => {
                Node::FunctionSource(s.tail(2))
            }
            _ => self.outlined(arena, RefKind::Value, s, 1),
        })
    }

    /// A reference that React 19 reads with `getOutlinedModel`: `<hex>(:<key>)*` after
    /// `skip` bytes. React 18.3 ignores everything after the hex digits.
    fn outlined(&mut self, arena: &mut Arena<'a>, kind: RefKind, s: Str, skip: u32) -> Node {
        let body = arena.str(s.tail(skip));
        if self.dialect != Dialect::React19 || !body.contains(':') {
            let id = parse_int_hex(body.as_bytes());
            return reference(arena, kind, id);
        }
        let id = parse_int_hex(body.split(':').next().unwrap_or("").as_bytes()); // ok: split yields at least one part
        // The keys, as (offset, length) inside the string, before the arena is changed.
        let mut keys = Vec::new();
        let mut at = skip;
        for (n, key) in body.split(':').enumerate() {
            if n > 0 {
                keys.push((at, key.len() as u32));
            }
            at += key.len() as u32 + 1;
        }
        let start = arena.path.len() as u32;
        arena
            .path
            .extend(keys.into_iter().map(|(at, len)| s.sub(at, len)));
        let len = arena.path.len() as u32 - start;
        let start = start | arena.part;
        arena.push_reference(Reference::new(kind, id, Span { start, len }))
    }
}

fn reference(arena: &mut Arena<'_>, kind: RefKind, id: Option<u64>) -> Node {
    arena.push_reference(Reference::new(kind, id, Span::default()))
}

/// The bytes as text, borrowed when they are valid UTF-8 (checked with the fast
/// validator), with U+FFFD for invalid sequences otherwise, as React's `TextDecoder` does.
pub fn utf8_lossy(bytes: &[u8]) -> Cow<'_, str> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// JavaScript's `parseInt(text, 16)` for the ids React reads: leading hex digits, either
/// case, after optional white space and `0x`; `None` where JS gives `NaN` (or the number
/// is too large to be a row id).
pub fn parse_int_hex(text: &[u8]) -> Option<u64> {
    let mut t = text;
    while let [b' ' | b'\t' | b'\n' | b'\r', rest @ ..] = t {
        t = rest;
    }
    if let [b'+', rest @ ..] = t {
        t = rest;
    }
    if let [b'0', b'x' | b'X', rest @ ..] = t {
        t = rest;
    }
    let digits = t.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    super::row::parse_hex(&t[..digits])
}

/// `BigInt(text)` for decimal text: the normalised digits, or `None` where JS throws.
fn bigint_digits(text: &str) -> Option<String> {
    let t = text.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.is_empty() {
        return if t.is_empty() { Some("0".into()) } else { None };
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    Some(match (trimmed.is_empty(), negative) {
        (true, _) => "0".into(),
        (false, true) => format!("-{trimmed}"),
        (false, false) => trimmed.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(json: &str, dialect: Dialect) -> (Arena<'_>, NodeId) {
        let mut arena = Arena::default();
        let parsed = parse(&mut arena, json.as_bytes(), dialect).expect("valid JSON"); // ok: a test
        (arena, parsed.root)
    }

    #[test]
    fn unescaped_strings_are_borrowed() {
        let json = r#"["plain","with \"escape\""]"#;
        let (arena, root) = one(json, Dialect::React19);
        let Value::Array(span) = arena.get(root) else {
            panic!() // ok: a test
        };
        let items = arena.items(span);
        let Value::String(plain) = arena.get(items[0]) else {
            panic!() // ok: a test
        };
        assert_eq!(plain, "plain");
        // Borrowed: the very bytes of the input.
        assert_eq!(plain.as_ptr(), json[2..].as_ptr());
        assert_eq!(arena.get(items[1]), Value::String("with \"escape\""));
    }

    #[test]
    fn dollar_escapes_decode() {
        let (arena, root) = one(
            r#"["$$x","$L1a","$@2","$Sreact.suspense","$undefined","$-0","$-Infinity","$n0012","$3:props:children","$h4"]"#,
            Dialect::React19,
        );
        let Value::Array(span) = arena.get(root) else {
            panic!() // ok: a test
        };
        let v: Vec<_> = arena.items(span).iter().map(|&i| arena.get(i)).collect();
        assert_eq!(v[0], Value::String("$x"));
        assert!(matches!(
            v[1],
            Value::Reference(r) if r.kind == RefKind::Lazy && r.id() == Some(0x1a)
        ));
        assert!(matches!(
            v[2],
            Value::Reference(r) if r.kind == RefKind::Promise && r.id() == Some(2)
        ));
        assert_eq!(v[3], Value::Symbol("react.suspense"));
        assert_eq!(v[4], Value::Undefined);
        assert_eq!(v[5], Value::Special(SpecialNumber::NegativeZero));
        assert_eq!(v[6], Value::Special(SpecialNumber::NegativeInfinity));
        assert_eq!(v[7], Value::BigInt("12"));
        let Value::Reference(r) = v[8] else { panic!() };
        assert_eq!(r.id(), Some(3));
        assert_eq!(
            arena.path(r.path).collect::<Vec<_>>(),
            ["props", "children"]
        );
        assert!(matches!(
            v[9],
            Value::Reference(r) if r.kind == RefKind::ServerReference && r.id() == Some(4)
        ));
    }

    /// The items of an array.
    fn items_of<'t>(arena: &'t Arena<'_>, array: NodeId) -> &'t [NodeId] {
        let Value::Array(span) = arena.get(array) else {
            panic!("an array") // ok: a test
        };
        arena.items(span)
    }

    /// The type of each element.
    fn element_types<'t>(arena: &'t Arena<'_>, elements: &[NodeId]) -> Vec<Value<'t>> {
        elements
            .iter()
            .map(|&i| match arena.get(i) {
                Value::Element(el) => arena.get(el.element_type.expect("a type")), // ok: a test
                other => panic!("an element: {other:?}"),                          // ok: a test
            })
            .collect()
    }

    #[test]
    fn many_elements_store_their_marker_and_tag_names_once() {
        let span = r#"["$","span",null,{"children":"a"}]"#;
        let json = format!("[{}]", vec![span; 1000].join(","));
        let (arena, root) = one(&json, Dialect::React19);
        let spans = items_of(&arena, root);
        assert_eq!(
            element_types(&arena, spans),
            vec![Value::String("span"); 1000]
        );
        // Per element: the element, its props object, its text; plus the marker, the tag
        // name, the shared `null` and the outer array once.
        assert_eq!(arena.len(), 3 * 1000 + 4);
        let Value::Element(first) = arena.get(spans[0]) else {
            panic!() // ok: a test
        };
        assert_eq!(
            (first.key.map(|k| arena.get(k)), first.owner),
            (Some(Value::Null), None)
        );
        // Long names that share their first eight bytes stay apart.
        let (arena, root) = one(
            r#"[["$","custom-one",null,{}],["$","custom-two",null,{}],["$","custom-one",null,{}]]"#,
            Dialect::React19,
        );
        assert_eq!(
            element_types(&arena, items_of(&arena, root)),
            ["custom-one", "custom-two", "custom-one"].map(Value::String)
        );
        // A tag name elsewhere than an element's type is a string of its own.
        let (arena, root) = one(
            r#"[["$","p",null,{}],"p",["$","p",null,{}]]"#,
            Dialect::React19,
        );
        let items = items_of(&arena, root);
        assert_eq!(arena.get(items[1]), Value::String("p"));
        assert_eq!(
            element_types(&arena, &[items[0], items[2]]),
            [Value::String("p"); 2]
        );
    }

    #[test]
    fn a_row_that_fails_takes_its_tag_names_with_it() {
        let mut arena = Arena::default();
        assert!(parse(&mut arena, br#"[["$","em",null,{}],"#, Dialect::React19).is_err());
        // The next row starts alike: a tag name kept from the failed one would name a
        // node that no longer exists (or a string of this row at the same offsets).
        let parsed = parse(
            &mut arena,
            br#"[["$","em",null,{}],["$","strong",null,{}]]"#,
            Dialect::React19,
        );
        let root = parsed.expect("valid JSON").root; // ok: a test
        assert_eq!(
            element_types(&arena, items_of(&arena, root)),
            [Value::String("em"), Value::String("strong")]
        );
    }

    #[test]
    fn react18_reads_a_path_reference_as_the_whole_row() {
        let (arena, root) = one(r#""$3:props""#, Dialect::React18);
        assert!(matches!(
            arena.get(root),
            Value::Reference(r) if r.id() == Some(3) && r.path.len == 0
        ));
    }

    #[test]
    fn undefined_properties_are_removed_but_array_slots_stay() {
        let (arena, root) = one(
            r#"{"a":"$undefined","b":["$undefined",1]}"#,
            Dialect::React19,
        );
        let Value::Object(span) = arena.get(root) else {
            panic!()
        };
        assert_eq!(span.len, 1);
        let b = arena.field(root, "b").unwrap();
        let Value::Array(items) = arena.get(b) else {
            panic!()
        };
        assert_eq!(items.len, 2);
    }

    #[test]
    fn elements_and_their_references() {
        let mut arena = Arena::default();
        let parsed = parse(
            &mut arena,
            br#"["$","div",null,{"a":"$1","b":["$","$L2",null,{"c":"$3"}]}]"#,
            Dialect::React19,
        )
        .unwrap();
        assert!(matches!(arena.get(parsed.root), Value::Element(_)));
        assert_eq!(parsed.refs.len(), 3);
        assert!(parsed.refs.iter().all(|r| r.element.is_some()));
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let depth = 200_000;
        let json = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let mut arena = Arena::default();
        assert!(parse(&mut arena, json.as_bytes(), Dialect::React19).is_ok());
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let (arena, root) = one(r#""a\ud83d b""#, Dialect::React19);
        assert_eq!(arena.get(root), Value::String("a\u{fffd} b"));
    }

    #[test]
    fn bad_json_is_an_error_with_an_offset() {
        let mut arena = Arena::default();
        let e = parse(&mut arena, br#"{"a":1} xyz"#, Dialect::React19).unwrap_err();
        assert_eq!(e.offset, 8);
        assert!(arena.is_empty());
    }

    #[test]
    fn legacy_at_references_are_lazy() {
        let (arena, root) = one(r#"["@1","$@at","$2"]"#, Dialect::Legacy);
        let Value::Array(span) = arena.get(root) else {
            panic!()
        };
        let v: Vec<_> = arena.items(span).iter().map(|&i| arena.get(i)).collect();
        assert!(matches!(
            v[0],
            Value::Reference(r) if r.kind == RefKind::Lazy && r.id() == Some(1)
        ));
        assert_eq!(v[1], Value::String("@at"));
        assert!(matches!(
            v[2],
            Value::Reference(r) if r.kind == RefKind::Value && r.id() == Some(2)
        ));
    }
}
