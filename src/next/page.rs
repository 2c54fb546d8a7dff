//! The composed page: one element tree of an App Router page as the browser shows it.
//!
//! A Next.js payload does not hold the page as one tree. Each layout renders a
//! `LayoutRouter` client element where its `children` (or a parallel slot) go, and the
//! child segment's output travels separately: inline in the router's `childProp` (13.x),
//! in seed data isomorphic to the router tree (14.x – 16.3), or in the 16.4 transport
//! tree. Composing puts each segment's output into its parent's slot, down to the page,
//! and attaches the head (metadata and viewport elements) to `<html>`.
//!
//! Client components stay typed nodes (module id, export name, props) so later code can
//! recognise Next's own by their props. Nothing here recurses on input depth: nodes live
//! in one flat list and are built from an explicit stack.

use std::collections::HashSet;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::flight::resolve::{Content, Status, Target};
use crate::flight::value::RefKind;
use crate::flight::view::{ElementType, View};
use crate::flight::{NodeId, Tree, Value};
use crate::next::router::{RouterTree, Segment, is_action_array, segment_of};

/// Index of a node in a [`Page`].
pub type NodeIndex = u32;

/// One node of the composed page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PageNode {
    /// Text (strings and numbers React renders as text).
    Text(String),
    /// An element.
    Element(PageElement),
    /// Content that never arrived (a lazy row that is not in the payload, a suspended
    /// promise): React shows the nearest Suspense fallback instead.
    Pending,
    /// Content whose row was rejected; React shows the nearest error boundary. The
    /// digest says why (`NEXT_HTTP_ERROR_FALLBACK;404` is `notFound()`).
    Error {
        /// The `E` row's digest.
        digest: Option<String>,
    },
}

/// An element of the composed page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageElement {
    /// What it is.
    pub kind: ElementKind,
    /// The React key.
    pub key: Option<String>,
    /// The props other than `children`, in key order. An element inside a prop (a
    /// Suspense `fallback`, a layout router's `notFound`) is composed too, and is a
    /// [`PropValue::Node`] here. `undefined` props are left out, as React leaves them.
    #[serde(serialize_with = "serialize_props")]
    pub props: Vec<(String, PropValue)>,
    /// The children, in order (fragments and arrays flattened).
    pub children: Vec<NodeIndex>,
}

impl PageElement {
    /// A prop by name.
    pub fn prop(&self, name: &str) -> Option<&PropValue> {
        self.props.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// A string prop.
    pub fn str_prop(&self, name: &str) -> Option<&str> {
        match self.prop(name)? {
            PropValue::String(s) => Some(s),
            _ => None,
        }
    }
}

/// A prop's value: JSON data, with composed elements where the payload had elements.
/// Serialised as JSON, a node is `{"$node": index}`, a client reference
/// `{"$client": {"id", "name"}}`.
#[derive(Debug, Clone, PartialEq)]
pub enum PropValue {
    /// `null` (also what NaN, the infinities and unreadable values become).
    Null,
    /// A boolean.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string (dates as sent, BigInts as their digits).
    String(String),
    /// An array (a Map's entries as `[key, value]` pairs, a Set's items).
    Array(Vec<PropValue>),
    /// An object, in key order.
    Object(Vec<(String, PropValue)>),
    /// A composed element: a holder node whose children are the element.
    Node(NodeIndex),
    /// A client module passed as a value (`error` boundaries, global error component).
    Client {
        /// The module id.
        id: String,
        /// The export name.
        name: String,
    },
    /// A server action (`$h` / `$F` reference).
    ServerAction,
    /// Something JSON cannot say (a symbol, a stream, binary data), described.
    Other(String),
}

impl PropValue {
    /// The composed nodes inside this value, in order.
    pub fn nodes(&self) -> Vec<NodeIndex> {
        let mut found = Vec::new();
        let mut stack = vec![self];
        while let Some(value) = stack.pop() {
            match value {
                PropValue::Node(i) => found.push(*i),
                PropValue::Array(items) => stack.extend(items.iter().rev()),
                PropValue::Object(entries) => stack.extend(entries.iter().rev().map(|(_, v)| v)),
                _ => {}
            }
        }
        found
    }
}

impl Serialize for PropValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PropValue::Null => serializer.serialize_unit(),
            PropValue::Bool(b) => serializer.serialize_bool(*b),
            PropValue::Number(n) => match n.parse::<serde_json::Number>() {
                Ok(number) => number.serialize(serializer),
                Err(_) => serializer.serialize_unit(),
            },
            PropValue::String(s) => serializer.serialize_str(s),
            PropValue::Array(items) => items.serialize(serializer),
            PropValue::Object(entries) => serialize_entries(entries, serializer),
            PropValue::Node(i) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("$node", i)?;
                map.end()
            }
            PropValue::Client { id, name } => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("$client", &serde_json::json!({"id": id, "name": name}))?;
                map.end()
            }
            PropValue::ServerAction => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("$action", &true)?;
                map.end()
            }
            PropValue::Other(what) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("$other", what)?;
                map.end()
            }
        }
    }
}

fn serialize_entries<S: Serializer>(
    entries: &[(String, PropValue)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(entries.len()))?;
    for (k, v) in entries {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

fn serialize_props<S: Serializer>(
    props: &[(String, PropValue)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serialize_entries(props, serializer)
}

/// The kind of a composed element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ElementKind {
    /// A host element (`div`, `a`, `meta` …).
    Host(String),
    /// A client component.
    Client {
        /// The module id as the `I` row names it.
        module: String,
        /// The export name (`""` or `default` for the default export).
        export: String,
    },
    /// A React built-in named by a symbol (`react.suspense`, `react.activity` …).
    Symbol(String),
    /// A holder for the elements of a prop value, or for a list of top-level nodes.
    Fragment,
    /// Where a layout's `LayoutRouter` stood: the child segment's output is its children.
    /// Its props are the router's (`loading`, `notFound`, `error`, `template` …).
    Slot {
        /// The parallel route key (`children`, or a named slot like `modal`).
        name: String,
        /// The segment whose output fills it, when the payload says (boxed: slots are
        /// few, and a segment inline made every node of a page 176 bytes, not 128).
        segment: Option<Box<Segment>>,
    },
    /// An element whose type React never gets (a pending or rejected module row).
    Unknown,
}

/// The composed page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Page {
    nodes: Vec<PageNode>,
    roots: Vec<NodeIndex>,
    head: Vec<NodeIndex>,
    /// What a partial payload (navigation, prefetch) or a damaged one did not have, in
    /// words: "slot `children` below `posts` has no data" …
    pub missing: Vec<String>,
    /// True when the page shows a not-found UI: `notFound()` was called, or the payload
    /// is the not-found page of an unmatched URL.
    pub shows_not_found: bool,
    /// True when the payload starts below the root (a navigation answer that leaves the
    /// layouts the browser already has); `missing` says so too.
    pub starts_below_root: bool,
}

impl Page {
    /// A node.
    pub fn node(&self, index: NodeIndex) -> &PageNode {
        &self.nodes[index as usize]
    }

    /// The top-level nodes (normally the `<html>` element).
    pub fn roots(&self) -> &[NodeIndex] {
        &self.roots
    }

    /// The head as the payload sends it (boundaries included); its title, meta and link
    /// elements are also placed into `<html><head>`.
    pub fn head(&self) -> &[NodeIndex] {
        &self.head
    }

    /// True when the page's own content is not all there: nothing was composed, or a
    /// slot or segment has no data (a prefetch). Starting below the root does not count.
    pub fn lacks_content(&self) -> bool {
        self.is_empty() || self.missing.len() > usize::from(self.starts_below_root)
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when nothing was composed.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// The element at `index`, if it is one.
    pub fn element(&self, index: NodeIndex) -> Option<&PageElement> {
        match self.node(index) {
            PageNode::Element(el) => Some(el),
            _ => None,
        }
    }

    /// True when the node is the host element `tag` (`div`, `title` …).
    pub fn is_host(&self, index: NodeIndex, tag: &str) -> bool {
        matches!(self.element(index).map(|e| &e.kind), Some(ElementKind::Host(name)) if name == tag)
    }

    /// Adds a node (not yet placed in the tree) and gives its index.
    pub(crate) fn push_node(&mut self, node: PageNode) -> NodeIndex {
        self.nodes.push(node);
        (self.nodes.len() - 1) as NodeIndex
    }

    /// The element at `index`, to change (links rewritten to what the browser gets).
    pub(crate) fn element_mut(&mut self, index: NodeIndex) -> Option<&mut PageElement> {
        match self.nodes.get_mut(index as usize)? {
            PageNode::Element(el) => Some(el),
            _ => None,
        }
    }

    /// The nodes below `index` (not itself) in document order, each with its depth
    /// below `index` (children are at 1). Props' nodes are not visited.
    pub fn descendants(&self, index: NodeIndex) -> Vec<(NodeIndex, usize)> {
        let mut out = Vec::new();
        let mut stack: Vec<(NodeIndex, usize)> = Vec::new();
        let push_children = |stack: &mut Vec<(NodeIndex, usize)>, i: NodeIndex, depth: usize| {
            if let Some(el) = self.element(i) {
                stack.extend(el.children.iter().rev().map(|&c| (c, depth + 1)));
            }
        };
        push_children(&mut stack, index, 0);
        while let Some((i, depth)) = stack.pop() {
            out.push((i, depth));
            push_children(&mut stack, i, depth);
        }
        out
    }

    /// The text of an element's children and everything below them.
    pub fn text_of_children(&self, el: &PageElement) -> String {
        el.children.iter().map(|&c| self.text(c)).collect()
    }

    /// The text of a node and everything below it, cut after about `limit` bytes (for
    /// labels: a heading nested without end must not cost the whole page).
    pub fn text_up_to(&self, index: NodeIndex, limit: usize) -> String {
        let mut text = String::new();
        let mut stack = vec![index];
        while let Some(i) = stack.pop() {
            if text.len() >= limit {
                break;
            }
            match self.node(i) {
                PageNode::Text(t) => text.push_str(t),
                PageNode::Element(el) => stack.extend(el.children.iter().rev().copied()),
                _ => {}
            }
        }
        text
    }

    /// The text of a node and everything below it, as it reads.
    pub fn text(&self, index: NodeIndex) -> String {
        let mut text = String::new();
        if let PageNode::Text(t) = self.node(index) {
            text.push_str(t);
        }
        for (i, _) in self.descendants(index) {
            if let PageNode::Text(t) = self.node(i) {
                text.push_str(t);
            }
        }
        text
    }
}

/// Composes the page a payload describes. Partial payloads compose as far as they go;
/// [`Page::missing`] says what they lacked.
pub fn compose(tree: &Tree<'_>, router_tree: Option<&RouterTree>) -> Page {
    let mut composer = Composer::new(tree);
    let Some(root) = tree.root() else {
        composer
            .page
            .missing
            .push("the payload has no usable root row".into());
        return composer.page;
    };
    let (content, head) = composer.locate(&root, router_tree);
    let roots = composer.holder();
    match content {
        Some(Start::Segment(segment)) => match composer.first_with_output(segment) {
            Some((at, node)) => {
                if at != segment {
                    // 16.4 navigations send `d.r: null` for the layouts the browser keeps.
                    composer.page.starts_below_root = true;
                    composer.page.missing.push(format!(
                        "the response starts below the root, at {}: the layouts above are not in it",
                        composer.segments[at]
                            .segment
                            .as_ref()
                            .map(describe)
                            .unwrap_or_else(|| "a segment".into())
                    ));
                }
                composer.push_view(Some(node), roots, Some(at), 0)
            }
            None => composer.page.missing.push(
                "the payload carries the router tree but no segment output (a tree prefetch)"
                    .into(),
            ),
        },
        Some(Start::Subtree(view)) => composer.push_view(Some(view), roots, None, 0),
        None => composer
            .page
            .missing
            .push("the payload has no page content (a prefetch of the tree only?)".into()),
    }
    composer.run();
    let head_holder = composer.holder();
    if let Some(head) = head {
        composer.push_view(Some(head), head_holder, None, 0);
        composer.run();
    }
    composer.page.roots = composer.children_of(roots);
    composer.page.head = composer.children_of(head_holder);
    if composer.budget == 0 {
        let why = if composer.bytes_left == 0 {
            format!(
                "the page is cut: its text passes {} MiB, the most a page is given",
                MAX_PAGE_TEXT >> 20
            )
        } else {
            "the page is cut: the payload shares so much that it would not end".to_string()
        };
        composer.page.missing.push(why);
    }
    composer.show_not_found();
    composer.place_templates();
    composer.attach_head();
    composer.page
}

/// Where the page's content starts.
enum Start<'t> {
    /// The root segment's data (seed data, transport tree).
    Segment(usize),
    /// A subtree whose layout routers carry their child inline (13.x `childProp`).
    Subtree(View<'t>),
}

/// A segment's output and its slots' segments.
struct SegmentData<'t> {
    segment: Option<Segment>,
    node: Option<View<'t>>,
    slots: Vec<(String, usize)>,
}

/// What to compose next: a value, into a parent's children.
struct Task<'t> {
    item: Item<'t>,
    parent: NodeIndex,
    segment: Option<usize>,
    depth: u32,
}

#[derive(Clone, Copy)]
enum Item<'t> {
    /// A node as written: a reference is settled when the task runs (so that one that
    /// does not settle becomes `Pending` or `Error`).
    Raw(NodeId),
    /// A settled value.
    View(View<'t>),
    /// The items of an array still to compose, one task at a time (pushing a task for
    /// each at once held millions of tasks for an array of millions of small values).
    Rest(&'t [NodeId]),
}

/// Deeper seed data is cut (real pages nest a handful of segments).
const MAX_SEGMENT_DEPTH: usize = 128;
/// More segments than this are cut: seed rows shared by several slots would otherwise
/// double the work at every level (real pages have tens).
const MAX_SEGMENTS: usize = 4096;
/// The most text a composed page copies (real pages hold a few megabytes).
const MAX_PAGE_TEXT: usize = 64 << 20;
/// Deeper prop values are cut (props are data; real ones nest a few levels).
const MAX_PROP_DEPTH: usize = 64;

struct Composer<'t> {
    tree: &'t Tree<'t>,
    page: Page,
    segments: Vec<SegmentData<'t>>,
    stack: Vec<Task<'t>>,
    /// Arrays and elements on the path to the node being composed (cycles end there).
    path: Vec<NodeId>,
    on_path: HashSet<NodeId>,
    /// Nodes left to make: sharing can ask for exponentially many.
    budget: usize,
    /// Text bytes left to copy.
    bytes_left: usize,
}

impl<'t> Composer<'t> {
    fn new(tree: &'t Tree<'t>) -> Self {
        Composer {
            tree,
            page: Page::default(),
            segments: Vec::new(),
            stack: Vec::new(),
            path: Vec::new(),
            on_path: HashSet::new(),
            budget: 64 * tree.arena.values() + 100_000,
            bytes_left: MAX_PAGE_TEXT,
        }
    }

    fn add(&mut self, node: PageNode) -> NodeIndex {
        self.page.nodes.push(node);
        (self.page.nodes.len() - 1) as NodeIndex
    }

    fn holder(&mut self) -> NodeIndex {
        self.add(PageNode::Element(PageElement {
            kind: ElementKind::Fragment,
            key: None,
            props: Vec::new(),
            children: Vec::new(),
        }))
    }

    fn children_of(&self, index: NodeIndex) -> Vec<NodeIndex> {
        self.page
            .element(index)
            .map(|el| el.children.clone())
            .unwrap_or_default()
    }

    fn append(&mut self, parent: NodeIndex, child: NodeIndex) {
        if let PageNode::Element(el) = &mut self.page.nodes[parent as usize] {
            el.children.push(child);
        }
    }

    fn push_view(
        &mut self,
        view: Option<View<'t>>,
        parent: NodeIndex,
        segment: Option<usize>,
        depth: u32,
    ) {
        match view {
            Some(view) => self.stack.push(Task {
                item: Item::View(view),
                parent,
                segment,
                depth,
            }),
            None => {
                let pending = self.add(PageNode::Pending);
                self.append(parent, pending);
            }
        }
    }

    /// Finds the page content and the head for each era's root (docs/FLIGHT-FORMAT.md §4.4,
    /// §4.6, §4.8).
    fn locate(
        &mut self,
        root: &View<'t>,
        router_tree: Option<&RouterTree>,
    ) -> (Option<Start<'t>>, Option<View<'t>>) {
        // 16.4: the transport tree.
        if let Some(transport) = root.field("t") {
            let start = transport
                .field("t")
                .map(|node| Start::Segment(self.transport_segment(&node, 0)));
            let head = transport.field("h").and_then(|h| h.field("r"));
            return (start, head);
        }
        // 15.x – 16.3 object roots and 13.4 – 14.x array roots: a FlightDataPath.
        let flight_data = if let Some(f) = root.field("f") {
            Some(f)
        } else if is_action_array(root) {
            // [result, [buildId, FlightData]] (13.4 – 14.x action replies).
            root.index(1).and_then(|second| second.index(1))
        } else if root.index(0).and_then(|b| b.str()).is_some() {
            root.index(1)
        } else {
            None
        };
        // 13.x – 14.x HTML: the AppRouter element (an object root never has one).
        let object_root = matches!(root.value(), Some(crate::flight::Value::Object(_)));
        let app_router = if object_root {
            None
        } else {
            crate::next::router::find_app_router(self.tree)
        };
        if let Some(props) = app_router.and_then(|el| el.props) {
            let head = props.field("initialHead");
            if let Some(seed) = props.field("initialSeedData") {
                return (
                    Some(Start::Segment(self.seed_segment(&seed, router_tree, 0))),
                    head,
                );
            }
            return (props.field("children").map(Start::Subtree), head);
        }
        let path = flight_data.and_then(|fd| fd.index(0)).or_else(|| {
            root.index(0)
                .filter(|p| p.index(0).and_then(|t| t.len()).is_some())
        });
        let Some(path) = path else {
            // Not a Next.js root: a React payload of its own, whose root is the page.
            let renders = root.element().is_some() || root.len().is_some() || root.str().is_some();
            return (renders.then_some(Start::Subtree(*root)), None);
        };
        let len = path.len().unwrap_or(0);
        let Some(at) = crate::next::router::tail_start(&path, len) else {
            return (None, None);
        };
        if at > 0 {
            let below: Vec<String> = (1..at)
                .step_by(2)
                .filter_map(|i| {
                    path.index(i).and_then(|s| {
                        s.str()
                            .map(str::to_string)
                            .or_else(|| s.index(1)?.str().map(str::to_string))
                    })
                })
                .collect();
            self.page.starts_below_root = true;
            self.page.missing.push(format!(
                "the response starts below the root, at segment path /{}: the layouts above are not in it",
                below.join("/")
            ));
        }
        let head = path.index(at + 2);
        let Some(seed) = path.index(at + 1) else {
            return (None, head);
        };
        if seed.is_nullish() {
            return (None, head);
        }
        // 14.x – 16.3 seed data is an array with the slots object at 1 or 2; 13.x sends
        // the subtree itself (an element, or an array of nodes).
        let is_object =
            |v: Option<View<'t>>| v.is_some_and(|v| matches!(v.value(), Some(Value::Object(_))));
        let seed_like =
            seed.element().is_none() && (is_object(seed.index(1)) || is_object(seed.index(2)));
        if seed_like {
            (
                Some(Start::Segment(self.seed_segment(&seed, router_tree, 0))),
                head,
            )
        } else {
            (Some(Start::Subtree(seed)), head)
        }
    }

    /// Reads CacheNodeSeedData: 14.x `[segment, slots, node, loading]`, 15.x
    /// `[segment, node, slots, loading, …]`, 16.0 – 16.3 `[node, slots, …]`.
    fn seed_segment(
        &mut self,
        seed: &View<'t>,
        router: Option<&RouterTree>,
        depth: usize,
    ) -> usize {
        let is_object =
            |v: Option<View<'t>>| v.is_some_and(|v| matches!(v.value(), Some(Value::Object(_))));
        let named = seed.index(0).is_some_and(|s| segment_of(&s).is_some());
        let (node, slots) = if !named {
            (seed.index(0), seed.index(1))
        } else if is_object(seed.index(1)) {
            (seed.index(2), seed.index(1))
        } else {
            (seed.index(1), seed.index(2))
        };
        let segment = router.map(|r| r.segment.clone()).or_else(|| {
            named
                .then(|| seed.index(0).and_then(|s| segment_of(&s)))
                .flatten()
        });
        let index = self.segments.len();
        self.segments.push(SegmentData {
            segment,
            node,
            slots: Vec::new(),
        });
        if depth < MAX_SEGMENT_DEPTH && self.segments.len() < MAX_SEGMENTS {
            let entries: Vec<(&str, View<'t>)> =
                slots.map(|s| s.entries().collect()).unwrap_or_default();
            for (key, child) in entries {
                if child.is_nullish() {
                    continue;
                }
                let child_router =
                    router.and_then(|r| r.slots.iter().find(|(k, _)| k == key).map(|(_, t)| t));
                let child_index = self.seed_segment(&child, child_router, depth + 1);
                self.segments[index]
                    .slots
                    .push((key.to_string(), child_index));
            }
        }
        index
    }

    /// The segment, from `segment` down its main branch (the `children` slot, else the
    /// first), that first has output of its own.
    fn first_with_output(&self, mut segment: usize) -> Option<(usize, View<'t>)> {
        for _ in 0..MAX_SEGMENT_DEPTH {
            let data = &self.segments[segment];
            if let Some(node) = data.node {
                return Some((segment, node));
            }
            let (_, next) = data
                .slots
                .iter()
                .find(|(name, _)| name == "children")
                .or_else(|| data.slots.first())?;
            segment = *next;
        }
        None
    }

    /// Reads a 16.4 transport node `{s, d: {r}, c: Map}`.
    fn transport_segment(&mut self, node: &View<'t>, depth: usize) -> usize {
        let segment = node.field("s").and_then(|s| segment_of(&s));
        let content = node
            .field("d")
            .and_then(|d| d.field("r"))
            .filter(|r| !r.is_nullish());
        let index = self.segments.len();
        self.segments.push(SegmentData {
            segment,
            node: content,
            slots: Vec::new(),
        });
        if let Some(children) = node
            .field("c")
            .filter(|_| depth < MAX_SEGMENT_DEPTH && self.segments.len() < MAX_SEGMENTS)
        {
            for (key, child) in children.map_entries() {
                let Some(key) = key.str() else { continue };
                let child_index = self.transport_segment(&child, depth + 1);
                self.segments[index]
                    .slots
                    .push((key.to_string(), child_index));
            }
        }
        index
    }

    fn run(&mut self) {
        while let Some(task) = self.stack.pop() {
            if self.budget == 0 {
                self.stack.clear();
                break;
            }
            self.budget -= 1;
            self.step(task);
        }
    }

    fn step(&mut self, task: Task<'t>) {
        let depth = task.depth as usize;
        while self.path.len() > depth {
            if let Some(id) = self.path.pop() {
                self.on_path.remove(&id);
            }
        }
        let view = match task.item {
            Item::Rest(items) => {
                let Some((&first, rest)) = items.split_first() else {
                    return;
                };
                if !rest.is_empty() {
                    self.stack.push(Task {
                        item: Item::Rest(rest),
                        ..task
                    });
                }
                self.stack.push(Task {
                    item: Item::Raw(first),
                    ..task
                });
                return;
            }
            Item::View(view) => view,
            Item::Raw(node) => match self.tree.view(node) {
                Some(view) => view,
                None => {
                    let unsettled = self.unsettled(node);
                    let index = self.add(unsettled);
                    self.append(task.parent, index);
                    return;
                }
            },
        };
        if let Some(id) = view.node_id() {
            match self.tree.arena.get(id) {
                Value::Array(_) | Value::Element(_) => {
                    if !self.on_path.insert(id) {
                        return; // a cycle: React would never finish rendering it
                    }
                    self.path.push(id);
                }
                _ => {}
            }
        }
        let next_depth = task.depth + 1;
        match view.value() {
            Some(Value::String(s)) => self.text(task.parent, s),
            Some(Value::Number(n)) | Some(Value::BigInt(n)) => self.text(task.parent, n),
            Some(Value::Array(span)) => {
                self.stack.push(Task {
                    item: Item::Rest(self.tree.arena.items(span)),
                    parent: task.parent,
                    segment: task.segment,
                    depth: next_depth,
                });
            }
            Some(Value::Element(_)) => self.element(view, task.parent, task.segment, next_depth),
            Some(_) => {} // null, booleans, undefined and data render nothing
            None => {
                if let Some(Content::Text(text)) = view
                    .row()
                    .and_then(|id| self.tree.chunk(id))
                    .map(|c| &c.content)
                {
                    let text = text.to_string();
                    self.text(task.parent, &text);
                }
            }
        }
    }

    fn text(&mut self, parent: NodeIndex, text: &str) {
        if !self.charge(text.len()) {
            return;
        }
        // Text beside text is one text, as the browser shows it (`[1,1,1]` is "111"): one
        // node, not one per piece (a payload of small values would cost a node each).
        let last_node = (self.page.nodes.len() - 1) as NodeIndex;
        let follows_text = match &self.page.nodes[parent as usize] {
            PageNode::Element(el) => el.children.last() == Some(&last_node),
            _ => false,
        };
        if follows_text && let PageNode::Text(previous) = &mut self.page.nodes[last_node as usize] {
            previous.push_str(text);
            return;
        }
        let index = self.add(PageNode::Text(text.to_string()));
        self.append(parent, index);
    }

    /// Counts copied bytes against the budget: a string shared by many places is copied
    /// at each, so a small payload could ask for gigabytes.
    fn charge(&mut self, bytes: usize) -> bool {
        match self.bytes_left.checked_sub(bytes) {
            Some(left) => {
                self.bytes_left = left;
                true
            }
            None => {
                self.bytes_left = 0;
                self.budget = 0;
                false
            }
        }
    }

    /// A reference that does not settle: pending, or rejected with a digest. Follows a
    /// chain of references (`"$La"` whose row is `"$Lb"`) to the link that fails.
    fn unsettled(&self, mut node: NodeId) -> PageNode {
        let mut status = Status::Pending;
        for _ in 0..=self.tree.chunks().len() {
            status = match self.tree.arena.get(node) {
                Value::Reference(r) => {
                    let here = self.tree.reference_status(node, &r);
                    match (here, self.tree.reference_target(&r)) {
                        (Status::Fulfilled, Some(Target::Node(next))) => {
                            node = next;
                            continue;
                        }
                        (Status::Fulfilled, _) => Status::Pending,
                        (other, _) => other,
                    }
                }
                Value::Element(_) => self.tree.element_status(node),
                _ => Status::Pending,
            };
            break;
        }
        match status {
            Status::Rejected(digest) => PageNode::Error {
                digest: digest.map(|d| self.tree.digest(d).to_string()),
            },
            _ => PageNode::Pending,
        }
    }

    fn element(&mut self, view: View<'t>, parent: NodeIndex, segment: Option<usize>, depth: u32) {
        let Some(el) = view.element() else {
            let unsettled = view
                .node_id()
                .map_or(PageNode::Pending, |n| self.unsettled(n));
            let index = self.add(unsettled);
            self.append(parent, index);
            return;
        };
        let props_node = el.props.and_then(|p| p.node_id());
        let children = props_node.and_then(|p| self.tree.arena.field(p, "children"));
        let kind = match el.element_type {
            ElementType::Host(name) => ElementKind::Host(name.to_string()),
            ElementType::Symbol("react.fragment") => {
                // Fragments are transparent: their children join the parent's.
                if let Some(children) = children {
                    self.stack.push(Task {
                        item: Item::Raw(children),
                        parent,
                        segment,
                        depth,
                    });
                }
                return;
            }
            ElementType::Symbol(name) => ElementKind::Symbol(name.to_string()),
            ElementType::Client(module) => {
                if let Some(name) = el.str_prop("parallelRouterKey") {
                    return self.layout_router(&el, name, parent, segment, depth);
                }
                ElementKind::Client {
                    module: module.id.to_string(),
                    export: module.name.to_string(),
                }
            }
            ElementType::Unknown => ElementKind::Unknown,
        };
        let props = self.props(el.props, &["children"], segment, depth);
        let index = self.add(PageNode::Element(PageElement {
            kind,
            key: el.key.map(str::to_string),
            props,
            children: Vec::new(),
        }));
        self.append(parent, index);
        if let Some(children) = children {
            self.stack.push(Task {
                item: Item::Raw(children),
                parent: index,
                segment,
                depth,
            });
        }
    }

    /// A layout's `LayoutRouter`: becomes a [`ElementKind::Slot`] holding the child
    /// segment's output (from `childProp` in 13.x, else from the segment's slots).
    fn layout_router(
        &mut self,
        el: &crate::flight::ElementView<'t>,
        name: &str,
        parent: NodeIndex,
        segment: Option<usize>,
        depth: u32,
    ) {
        let (content, child_segment, segment_value): (
            Option<Item<'t>>,
            Option<usize>,
            Option<Segment>,
        ) = if let Some(child_prop) = el.prop("childProp") {
            let current = child_prop
                .node_id()
                .and_then(|n| self.tree.arena.field(n, "current"))
                .map(Item::Raw);
            let seg = child_prop.field("segment").and_then(|s| segment_of(&s));
            (current, None, seg)
        } else {
            let child = segment.and_then(|s| {
                self.segments[s]
                    .slots
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, c)| *c)
            });
            match child {
                Some(c) => (
                    self.segments[c].node.map(Item::View),
                    Some(c),
                    self.segments[c].segment.clone(),
                ),
                None => (None, None, None),
            }
        };
        let props = self.props(
            el.props,
            &["children", "childProp", "parallelRouterKey", "segmentPath"],
            segment,
            depth,
        );
        let index = self.add(PageNode::Element(PageElement {
            kind: ElementKind::Slot {
                name: name.to_string(),
                segment: segment_value.map(Box::new),
            },
            key: el.key.map(str::to_string),
            props,
            children: Vec::new(),
        }));
        self.append(parent, index);
        match content {
            Some(item) => self.stack.push(Task {
                item,
                parent: index,
                segment: child_segment,
                depth,
            }),
            None => {
                let above = segment
                    .and_then(|s| self.segments[s].segment.as_ref())
                    .map(describe)
                    .unwrap_or_else(|| "the root".into());
                self.page
                    .missing
                    .push(format!("slot `{name}` below {above} has no data"));
            }
        }
    }

    /// Props other than `skip`; elements inside are composed into holders.
    fn props(
        &mut self,
        props: Option<View<'t>>,
        skip: &[&str],
        segment: Option<usize>,
        depth: u32,
    ) -> Vec<(String, PropValue)> {
        let mut out = Vec::new();
        let Some(props) = props else {
            return out;
        };
        let entries: Vec<(&str, View<'t>)> = props.entries().collect();
        for (key, value) in entries {
            if skip.contains(&key) {
                continue;
            }
            if let Some(prop) = self.prop_value(value, segment, depth, 0) {
                out.push((key.to_string(), prop));
            }
        }
        out
    }

    /// A prop value (`None` for `undefined`, which React leaves out).
    fn prop_value(
        &mut self,
        value: View<'t>,
        segment: Option<usize>,
        depth: u32,
        level: usize,
    ) -> Option<PropValue> {
        if level > MAX_PROP_DEPTH {
            return Some(PropValue::Other("nested too deep".into()));
        }
        // Shared values are copied at every use; the budget ends exponential sharing.
        if self.budget == 0 {
            return Some(PropValue::Other("cut: the payload shares too much".into()));
        }
        self.budget -= 1;
        let Some(raw) = value.value() else {
            // A whole row: text, bytes, a client module or a stream.
            let id = value.row()?;
            return Some(match &self.tree.chunk(id)?.content {
                Content::Text(text) if self.charge(text.len()) => {
                    PropValue::String(text.to_string())
                }
                Content::Text(_) => PropValue::Other("cut: the payload shares too much".into()),
                Content::Binary { bytes, .. } => {
                    PropValue::Other(format!("{} bytes of binary data", bytes.len()))
                }
                Content::Module(_) => match value_module(&value) {
                    Some((id, name)) => PropValue::Client { id, name },
                    None => PropValue::Null,
                },
                Content::Stream(_) => PropValue::Other("a stream".into()),
                _ => PropValue::Null,
            });
        };
        let nested = |composer: &mut Self, v: View<'t>| {
            composer
                .prop_value(v, segment, depth, level + 1)
                .unwrap_or(PropValue::Null)
        };
        Some(match raw {
            Value::Null => PropValue::Null,
            Value::Undefined | Value::Omitted => return None,
            Value::Bool(b) => PropValue::Bool(b),
            Value::Number(n) => PropValue::Number(n.to_string()),
            Value::String(s) | Value::BigInt(s) | Value::Date(s) => {
                if !self.charge(s.len()) {
                    return Some(PropValue::Other("cut: the payload shares too much".into()));
                }
                PropValue::String(s.to_string())
            }
            Value::Symbol(s) => PropValue::Other(format!("Symbol.for({s:?})")),
            Value::Array(_) => {
                let items: Vec<View<'t>> = value.items().collect();
                PropValue::Array(items.into_iter().map(|i| nested(self, i)).collect())
            }
            Value::Object(_) => {
                let entries: Vec<(&str, View<'t>)> = value.entries().collect();
                let mut out = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    if let Some(p) = self.prop_value(v, segment, depth, level + 1) {
                        out.push((k.to_string(), p));
                    }
                }
                PropValue::Object(out)
            }
            Value::Element(_) => {
                let holder = self.holder();
                self.stack.push(Task {
                    item: Item::View(value),
                    parent: holder,
                    segment,
                    depth,
                });
                PropValue::Node(holder)
            }
            Value::Reference(r) => match r.kind {
                RefKind::Map => PropValue::Array(
                    value
                        .map_entries()
                        .into_iter()
                        .map(|(k, v)| PropValue::Array(vec![nested(self, k), nested(self, v)]))
                        .collect(),
                ),
                RefKind::Set => PropValue::Array(
                    value
                        .set_items()
                        .into_iter()
                        .map(|v| nested(self, v))
                        .collect(),
                ),
                RefKind::ServerReference => PropValue::ServerAction,
                _ => PropValue::Null,
            },
            _ => PropValue::Null,
        })
    }

    /// Replaces the content of the slot that shows a `notFound()` with that slot's
    /// `notFound` UI, as Next's not-found boundary does.
    fn show_not_found(&mut self) {
        let not_found = |digest: &str| {
            digest == "NEXT_NOT_FOUND" || digest.starts_with("NEXT_HTTP_ERROR_FALLBACK;404")
        };
        // Walk from each root; each node knows the nearest slot above it, each slot the
        // nearest slot above itself (a chain, not a copied list: nesting stays linear).
        let mut chain: Vec<(NodeIndex, Option<usize>)> = Vec::new();
        let mut stack: Vec<(NodeIndex, Option<usize>)> =
            self.page.roots.iter().rev().map(|&r| (r, None)).collect();
        let mut replacements: Vec<(NodeIndex, Vec<NodeIndex>)> = Vec::new();
        let mut chosen: HashSet<NodeIndex> = HashSet::new();
        while let Some((index, above)) = stack.pop() {
            match self.page.node(index) {
                PageNode::Error { digest: Some(d) } if not_found(d) => {
                    let mut link = above;
                    // Real pages nest a handful of layouts; a bound keeps hostile ones linear.
                    for _ in 0..MAX_SEGMENT_DEPTH {
                        let Some(at) = link else { break };
                        let (slot, up) = chain[at];
                        let holders = self
                            .page
                            .element(slot)
                            .and_then(|el| el.prop("notFound"))
                            .map(PropValue::nodes)
                            .unwrap_or_default();
                        if !holders.is_empty() {
                            if chosen.insert(slot) {
                                replacements.push((slot, holders));
                            }
                            break;
                        }
                        link = up;
                    }
                }
                PageNode::Element(el) => {
                    let mut here = above;
                    if matches!(el.kind, ElementKind::Slot { .. }) {
                        chain.push((index, above));
                        here = Some(chain.len() - 1);
                    }
                    stack.extend(el.children.iter().rev().map(|&child| (child, here)));
                }
                _ => {}
            }
        }
        // A slot whose content is its own not-found UI (13.x sends an unmatched URL's page
        // that way) is a not-found page too.
        // (Only the first slots with a not-found UI are compared: pages have a handful.)
        let showing_not_found = (0..self.page.nodes.len() as NodeIndex)
            .filter(|&slot| {
                self.page.element(slot).is_some_and(|el| {
                    matches!(el.kind, ElementKind::Slot { .. }) && el.prop("notFound").is_some()
                })
            })
            .take(16)
            .any(|slot| {
                let Some(el) = self.page.element(slot) else {
                    return false;
                };
                let Some(not_found) = el.prop("notFound").map(PropValue::nodes) else {
                    return false;
                };
                !el.children.is_empty()
                    && matches!(el.kind, ElementKind::Slot { .. })
                    && self.shape(&el.children) == self.shape(&not_found)
            });
        if !replacements.is_empty() || showing_not_found {
            self.page.shows_not_found = true;
            // Next's not-found boundary renders this before the not-found UI; it ends up
            // in the head.
            let noindex = self.add(PageNode::Element(PageElement {
                kind: ElementKind::Host("meta".into()),
                key: None,
                props: vec![
                    ("name".into(), PropValue::String("robots".into())),
                    ("content".into(), PropValue::String("noindex".into())),
                ],
                children: Vec::new(),
            }));
            self.page.head.push(noindex);
        }
        for (slot, holders) in replacements {
            if let PageNode::Element(el) = &mut self.page.nodes[slot as usize] {
                el.children = holders;
            }
        }
    }

    /// The tags and texts of nodes and everything below them, through holders and
    /// wrappers: what they show, to compare two subtrees.
    fn shape(&self, nodes: &[NodeIndex]) -> String {
        let mut out = String::new();
        let mut stack: Vec<NodeIndex> = nodes.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            if out.len() > 1 << 20 {
                break; // enough to tell two subtrees apart
            }
            match self.page.node(i) {
                PageNode::Text(t) => out.push_str(t),
                PageNode::Element(el) => {
                    match &el.kind {
                        ElementKind::Host(tag) => {
                            out.push('<');
                            out.push_str(tag);
                            out.push('>');
                        }
                        // Client components are told apart by module: two pages drawn
                        // wholly on the client show no host element to compare.
                        ElementKind::Client { module, export } => {
                            out.push_str("<#");
                            out.push_str(module);
                            out.push('#');
                            out.push_str(export);
                            out.push('>');
                        }
                        _ => {}
                    }
                    stack.extend(el.children.iter().rev().copied());
                }
                PageNode::Pending | PageNode::Error { .. } => out.push('?'),
            }
        }
        out
    }

    /// Wraps each slot's content in its `template.js` output, as the layout router
    /// does. Without a template the `template` prop is Next's bare placeholder (a client
    /// element with no props and no children), and nothing changes; with one, the
    /// placeholder sits somewhere inside the template's output and takes the content.
    fn place_templates(&mut self) {
        let bare = |page: &Page, i: NodeIndex| {
            matches!(page.element(i), Some(el) if matches!(el.kind, ElementKind::Client { .. })
                && el.props.is_empty() && el.children.is_empty())
        };
        for slot in 0..self.page.nodes.len() as NodeIndex {
            let Some(el) = self.page.element(slot) else {
                continue;
            };
            if !matches!(el.kind, ElementKind::Slot { .. }) {
                continue;
            }
            let Some(holder) = el.prop("template").and_then(|t| t.nodes().first().copied()) else {
                continue;
            };
            // The template is now in place (or was Next's placeholder): not a prop any more.
            if let PageNode::Element(el) = &mut self.page.nodes[slot as usize] {
                el.props.retain(|(k, _)| k != "template");
            }
            let tops = self.children_of(holder);
            if tops.len() == 1 && bare(&self.page, tops[0]) {
                continue;
            }
            let placeholder = self
                .page
                .descendants(holder)
                .into_iter()
                .map(|(i, _)| i)
                .find(|&i| bare(&self.page, i));
            let Some(placeholder) = placeholder else {
                continue;
            };
            let content = std::mem::take(match &mut self.page.nodes[slot as usize] {
                PageNode::Element(el) => &mut el.children,
                _ => continue,
            });
            if let PageNode::Element(el) = &mut self.page.nodes[placeholder as usize] {
                el.children = content;
            }
            if let PageNode::Element(el) = &mut self.page.nodes[slot as usize] {
                el.children = tops;
            }
        }
    }

    /// Puts the head's title, meta, link, base and style elements into `<html><head>`,
    /// after what the root layout's own `<head>` holds.
    fn attach_head(&mut self) {
        // The outermost title/meta/link/base/style elements (what is inside one goes
        // with it, so nothing is placed twice).
        let mut hoisted: Vec<NodeIndex> = Vec::new();
        let mut stack: Vec<NodeIndex> = self.page.head.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            let Some(el) = self.page.element(i) else {
                continue;
            };
            match &el.kind {
                ElementKind::Host(name)
                    if matches!(name.as_str(), "title" | "meta" | "link" | "base" | "style") =>
                {
                    hoisted.push(i)
                }
                _ => stack.extend(el.children.iter().rev().copied()),
            }
        }
        if hoisted.is_empty() {
            return;
        }
        let html = self
            .page
            .roots
            .iter()
            .copied()
            .find(|&r| self.page.is_host(r, "html"))
            .or_else(|| {
                self.page
                    .roots
                    .iter()
                    .flat_map(|&r| self.page.descendants(r))
                    .map(|(i, _)| i)
                    .find(|&i| self.page.is_host(i, "html"))
            });
        let Some(html) = html else {
            return;
        };
        let head = self
            .children_of(html)
            .into_iter()
            .find(|&c| self.page.is_host(c, "head"));
        let head = match head {
            Some(head) => head,
            None => {
                let head = self.add(PageNode::Element(PageElement {
                    kind: ElementKind::Host("head".into()),
                    key: None,
                    props: Vec::new(),
                    children: Vec::new(),
                }));
                if let PageNode::Element(el) = &mut self.page.nodes[html as usize] {
                    el.children.insert(0, head);
                }
                head
            }
        };
        for h in hoisted {
            self.append(head, h);
        }
    }
}

/// The module id and export name of a client module row.
fn value_module(value: &View<'_>) -> Option<(String, String)> {
    let id = value.row()?;
    let target = value.tree().chunk_target(id)?;
    let Target::Chunk(_) = target else {
        return None;
    };
    let Content::Module(payload) = value.tree().chunk(id)?.content else {
        return None;
    };
    let holder = value.tree().view(payload)?;
    let part = |name: &str, i: usize| {
        holder
            .field(name)
            .or_else(|| holder.index(i))
            .and_then(|v| v.scalar_text().map(str::to_string))
    };
    Some((part("id", 0)?, part("name", 2).unwrap_or_default()))
}

fn describe(segment: &Segment) -> String {
    match segment {
        Segment::Static { name } if name.is_empty() => "the root layout".into(),
        Segment::Static { name } => format!("segment `{name}`"),
        Segment::Page => "the page".into(),
        Segment::Default => "a default slot".into(),
        Segment::Dynamic { param, value, .. } => match value {
            Some(v) => format!("segment `[{param}]` = `{v}`"),
            None => format!("segment `[{param}]`"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flight::{ResolveOptions, resolve, split_rows};

    fn composed(payload: &[u8]) -> Page {
        let rows = split_rows(payload);
        let tree = resolve(&rows, ResolveOptions::default());
        let facts = crate::next::router::app_facts(&tree);
        compose(&tree, facts.router_tree.as_ref())
    }

    fn outline(page: &Page) -> String {
        let mut out = String::new();
        for &root in page.roots() {
            for (i, depth) in std::iter::once((root, 0)).chain(page.descendants(root)) {
                let name = match page.node(i) {
                    PageNode::Text(t) => format!("{t:?}"),
                    PageNode::Element(el) => match &el.kind {
                        ElementKind::Host(tag) => tag.clone(),
                        ElementKind::Client { module, .. } => format!("client {module}"),
                        ElementKind::Slot { name, .. } => format!("slot {name}"),
                        other => format!("{other:?}"),
                    },
                    other => format!("{other:?}"),
                };
                out.push_str(&format!("{}{name}\n", "  ".repeat(depth)));
            }
        }
        out
    }

    // No shared fixture has a template.js; this is the shape Next 14 sends for one: the
    // layout router's `template` prop is the template's output around Next's placeholder.
    #[test]
    fn a_template_wraps_the_slot_content() {
        let payload = br#"1:I["11",[],""]
2:I["22",[],""]
3:I["33",[],""]
0:["$","$L2",null,{"buildId":"b","initialTree":["",{"children":["__PAGE__",{}]},null,null,true],"initialSeedData":["",{"children":["__PAGE__",{},["$","p",null,{"children":"page"}],null]},["$","html",null,{"children":["$","body",null,{"children":["$","$L1",null,{"parallelRouterKey":"children","template":["$","div",null,{"className":"tpl","children":["$","$L3",null,{}]}]}]}]}],null],"initialHead":[]}]
"#;
        let page = composed(payload);
        assert_eq!(
            outline(&page),
            "html\n  body\n    slot children\n      div\n        client 33\n          p\n            \"page\"\n"
        );
    }

    #[test]
    fn cycles_and_missing_rows_end() {
        // Row 1 holds itself (lazily, or React could not resolve it at all); row 2
        // never comes, so React rejects it when the stream ends ("Connection closed").
        let page = composed(b"0:[\"$\",\"div\",null,{\"children\":[\"$L1\",\"$L2\"]}]\n1:[\"$\",\"p\",null,{\"children\":\"$L1\"}]\n");
        let text = outline(&page);
        assert_eq!(text, "div\n  p\n  Error { digest: None }\n");
    }
}
