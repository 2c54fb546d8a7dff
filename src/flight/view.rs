//! A reader's view of a resolved [`Tree`]: values with references already followed, so
//! code that looks for things in a payload (the Next.js layer, extractors, renderers)
//! asks "the `b` field of the root" and never handles rows, statuses or lazy wrappers.
//!
//! A view only goes where React's client would: a reference that React leaves pending or
//! rejects leads nowhere (`None`), and promises are followed only once fulfilled.

use super::resolve::{Content, Status, Target, Tree};
use super::value::{Element, NodeId, RefKind, Reference, Span, Value};

/// A settled value of a tree: never an eager, lazy or fulfilled-promise reference.
#[derive(Debug, Clone, Copy)]
pub struct View<'t> {
    tree: &'t Tree<'t>,
    target: Target,
}

/// What an element's type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementType<'t> {
    /// A host element: `div`, `a`, `meta` …
    Host(&'t str),
    /// A client component: an `I` row.
    Client(ClientModule<'t>),
    /// A symbol: `react.fragment`, `react.suspense` …
    Symbol(&'t str),
    /// A type React never gets (a pending or rejected row), or one of no known kind.
    Unknown,
}

/// A client module as an `I` row names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientModule<'t> {
    /// The row id of the `I` row (several elements share one).
    pub row: u64,
    /// The module id (a number or a path, as written).
    pub id: &'t str,
    /// The export name (`""` for a module's namespace, `*` for all of it).
    pub name: &'t str,
    /// The `I` row's payload, to read its chunk list with [`View::module_chunks`].
    payload: NodeId,
}

/// The parts of an element.
#[derive(Debug, Clone, Copy)]
pub struct ElementView<'t> {
    /// The element type.
    pub element_type: ElementType<'t>,
    /// The key, when it is a string or a number.
    pub key: Option<&'t str>,
    /// The props object.
    pub props: Option<View<'t>>,
    /// The element's node, for identity.
    pub node: NodeId,
}

impl<'t> ElementView<'t> {
    /// A prop, settled.
    pub fn prop(&self, name: &str) -> Option<View<'t>> {
        self.props?.field(name)
    }

    /// A string prop.
    pub fn str_prop(&self, name: &str) -> Option<&'t str> {
        self.prop(name)?.str()
    }

    /// The host tag name, when it is a host element.
    pub fn host(&self) -> Option<&'t str> {
        match self.element_type {
            ElementType::Host(name) => Some(name),
            _ => None,
        }
    }
}

impl<'t> Tree<'t> {
    /// Every element of the tree that React renders, in arena order (roughly stream
    /// order), wherever it sits.
    pub fn elements(&'t self) -> impl Iterator<Item = ElementView<'t>> + 't {
        self.element_nodes()
            .filter_map(move |(node, _)| self.view(node)?.element())
    }

    /// Every element node as written (type, key and props not resolved): a cheap scan
    /// for callers that look at one part first.
    pub fn element_nodes(&'t self) -> impl Iterator<Item = (NodeId, Element)> + 't {
        self.arena
            .node_ids()
            .filter_map(move |node| match self.arena.node(node) {
                crate::flight::value::Node::Element(_) => match self.arena.get(node) {
                    Value::Element(el) => Some((node, el)),
                    _ => None,
                },
                _ => None,
            })
    }

    /// The elements whose props (an object, or a reference to one) have `key`.
    pub fn elements_with_prop(
        &'t self,
        key: &'t str,
    ) -> impl Iterator<Item = ElementView<'t>> + 't {
        self.element_nodes().filter_map(move |(node, el)| {
            let props = self.view(el.props?)?;
            props.field(key)?;
            self.view(node)?.element()
        })
    }

    /// The host elements of the given tags (`link`, `script` …), in one pass over the
    /// arena (a pass per tag walked a big tree's memory once more each).
    pub fn host_elements(
        &'t self,
        tags: &'t [&'t str],
    ) -> impl Iterator<Item = ElementView<'t>> + 't {
        self.element_nodes()
            .filter_map(move |(node, el)| match self.arena.get(el.element_type?) {
                Value::String(t) if tags.contains(&t) => self.view(node)?.element(),
                _ => None,
            })
    }

    /// The root value (row 0), settled.
    pub fn root(&'t self) -> Option<View<'t>> {
        View::settled(self, self.chunk_target(0)?)
    }

    /// The value a row id holds, settled.
    pub fn view_of_row(&'t self, id: u64) -> Option<View<'t>> {
        View::settled(self, self.chunk_target(id)?)
    }

    /// A node of the arena, settled.
    pub fn view(&'t self, node: NodeId) -> Option<View<'t>> {
        View::settled(self, Target::Node(node))
    }
}

impl<'t> View<'t> {
    fn settled(tree: &'t Tree<'t>, mut target: Target) -> Option<View<'t>> {
        // Each step leaves a reference; more steps than chunks means a cycle.
        for _ in 0..=tree.chunks().len() + 1 {
            let Target::Node(node) = target else {
                return Some(View { tree, target });
            };
            match tree.arena.get(node) {
                Value::Reference(ref r)
                    if matches!(r.kind, RefKind::Value | RefKind::Lazy | RefKind::Promise) =>
                {
                    if tree.reference_status(node, r) != Status::Fulfilled {
                        return None;
                    }
                    // A whole row: settled once for everyone (chains stay linear).
                    if r.path.len == 0
                        && let Some(id) = r.id()
                    {
                        let settled = tree.settled_chunk(id)?;
                        return Some(View {
                            tree,
                            target: settled,
                        });
                    }
                    target = tree.reference_target(r)?;
                }
                _ => return Some(View { tree, target }),
            }
        }
        None
    }

    fn node(&self) -> Option<NodeId> {
        match self.target {
            Target::Node(node) => Some(node),
            Target::Chunk(_) => None,
        }
    }

    /// The tree this view reads.
    pub fn tree(&self) -> &'t Tree<'t> {
        self.tree
    }

    /// The arena node, when the value is one (not a text, binary, module or stream row).
    pub fn node_id(&self) -> Option<NodeId> {
        self.node()
    }

    /// The value as decoded (a reference only for kinds a view does not follow: maps,
    /// sets, server references …).
    pub fn value(&self) -> Option<Value<'t>> {
        Some(self.tree.arena.get(self.node()?))
    }

    /// The row id, when the value is a whole non-model row (text, binary, module, stream).
    pub fn row(&self) -> Option<u64> {
        match self.target {
            Target::Chunk(id) => Some(id),
            Target::Node(_) => None,
        }
    }

    /// A string, or a text row's text.
    pub fn str(&self) -> Option<&'t str> {
        match self.target {
            Target::Node(node) => match self.tree.arena.get(node) {
                Value::String(s) => Some(s),
                _ => None,
            },
            Target::Chunk(id) => match &self.tree.chunk(id)?.content {
                Content::Text(text) => Some(text),
                _ => None,
            },
        }
    }

    /// A number as written, or a string's text: what prints for it.
    pub fn scalar_text(&self) -> Option<&'t str> {
        match self.value() {
            Some(Value::Number(n)) => Some(n),
            Some(Value::BigInt(n)) => Some(n),
            _ => self.str(),
        }
    }

    /// A boolean.
    pub fn bool(&self) -> Option<bool> {
        match self.value()? {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// True for `null` and `undefined`.
    pub fn is_nullish(&self) -> bool {
        matches!(self.value(), Some(Value::Null | Value::Undefined))
    }

    /// An object's field, settled.
    pub fn field(&self, key: &str) -> Option<View<'t>> {
        let node = self.node()?;
        match self.tree.arena.get(node) {
            Value::Object(_) => {
                View::settled(self.tree, Target::Node(self.tree.arena.field(node, key)?))
            }
            _ => None,
        }
    }

    /// A string field.
    pub fn str_field(&self, key: &str) -> Option<&'t str> {
        self.field(key)?.str()
    }

    /// The array's item count, or `None` when it is not an array.
    pub fn len(&self) -> Option<usize> {
        match self.value()? {
            Value::Array(span) => Some(span.len as usize),
            _ => None,
        }
    }

    /// True for an empty array.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// An array's item, settled.
    pub fn index(&self, i: usize) -> Option<View<'t>> {
        match self.value()? {
            Value::Array(span) => {
                let item = *self.tree.arena.items(span).get(i)?;
                View::settled(self.tree, Target::Node(item))
            }
            _ => None,
        }
    }

    /// An array's item as written, references not followed.
    pub fn raw_index(&self, i: usize) -> Option<Value<'t>> {
        match self.value()? {
            Value::Array(span) => Some(self.tree.arena.get(*self.tree.arena.items(span).get(i)?)),
            _ => None,
        }
    }

    /// An array's items, settled; items that lead nowhere are skipped. Empty when the
    /// value is not an array.
    pub fn items(&self) -> impl Iterator<Item = View<'t>> + 't {
        let tree = self.tree;
        let span = match self.value() {
            Some(Value::Array(span)) => span,
            _ => Span::default(),
        };
        tree.arena
            .items(span)
            .iter()
            .filter_map(move |&n| View::settled(tree, Target::Node(n)))
    }

    /// An object's entries in key order, settled. Empty when it is not an object.
    pub fn entries(&self) -> impl Iterator<Item = (&'t str, View<'t>)> + 't {
        let tree = self.tree;
        let span = match self.value() {
            Some(Value::Object(span)) => span,
            _ => Span::default(),
        };
        tree.arena
            .entries(span)
            .filter_map(move |(k, n)| Some((k, View::settled(tree, Target::Node(n))?)))
    }

    /// A `$Q` map's entries (the row holds `[[key, value], …]`), settled.
    pub fn map_entries(&self) -> Vec<(View<'t>, View<'t>)> {
        let Some(Value::Reference(r)) = self.value() else {
            return Vec::new();
        };
        if r.kind != RefKind::Map || !self.reference_ok(&r) {
            return Vec::new();
        }
        let Some(pairs) = self.target_of(&r) else {
            return Vec::new();
        };
        pairs
            .items()
            .filter_map(|pair| Some((pair.index(0)?, pair.index(1)?)))
            .collect()
    }

    /// A `$W` set's items, settled.
    pub fn set_items(&self) -> Vec<View<'t>> {
        match self.value() {
            Some(Value::Reference(r)) if r.kind == RefKind::Set && self.reference_ok(&r) => self
                .target_of(&r)
                .map(|items| items.items().collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    fn reference_ok(&self, r: &Reference) -> bool {
        self.node()
            .is_some_and(|node| self.tree.reference_status(node, r) == Status::Fulfilled)
    }

    fn target_of(&self, r: &Reference) -> Option<View<'t>> {
        View::settled(self.tree, self.tree.reference_target(r)?)
    }

    /// The element, when the value is one that React renders (not pending or rejected).
    pub fn element(&self) -> Option<ElementView<'t>> {
        let node = self.node()?;
        let Value::Element(el) = self.tree.arena.get(node) else {
            return None;
        };
        if self.tree.element_status(node) != Status::Fulfilled {
            return None;
        }
        let element_type = match el.element_type.and_then(|t| self.tree.view(t)) {
            Some(t) => t.as_element_type(),
            None => ElementType::Unknown,
        };
        let key = el
            .key
            .and_then(|k| self.tree.view(k))
            .and_then(|k| k.scalar_text());
        Some(ElementView {
            element_type,
            key,
            props: el.props.and_then(|p| self.tree.view(p)),
            node,
        })
    }

    fn as_element_type(&self) -> ElementType<'t> {
        match self.target {
            Target::Node(node) => match self.tree.arena.get(node) {
                Value::String(s) => ElementType::Host(s),
                Value::Symbol(s) => ElementType::Symbol(s),
                _ => ElementType::Unknown,
            },
            Target::Chunk(id) => match self.tree.chunk(id).map(|c| &c.content) {
                Some(Content::Module(payload)) => self.client_module(id, *payload),
                Some(Content::Text(t)) => ElementType::Host(t),
                _ => ElementType::Unknown,
            },
        }
    }

    fn client_module(&self, row: u64, payload: NodeId) -> ElementType<'t> {
        let tree = self.tree;
        let part = |name: &str, index: usize| -> Option<View<'t>> {
            let holder = View::settled(tree, Target::Node(payload))?;
            holder.field(name).or_else(|| holder.index(index))
        };
        let text = |v: Option<View<'t>>| v.and_then(|v| v.scalar_text()).unwrap_or("");
        ElementType::Client(ClientModule {
            row,
            id: text(part("id", 0)),
            name: text(part("name", 2)),
            payload,
        })
    }
}

impl<'t> ClientModule<'t> {
    /// The chunk list, as strings (pairs of chunk id and file in Next 13.5 – 15, file
    /// URLs in 16.4, `id:file` strings in 13.2 – 13.4).
    pub fn chunks(&self, tree: &'t Tree<'t>) -> Vec<&'t str> {
        let Some(holder) = tree.view(self.payload) else {
            return Vec::new();
        };
        let list = holder.field("chunks").or_else(|| holder.index(1));
        list.map(|l| l.items().filter_map(|c| c.scalar_text()).collect())
            .unwrap_or_default()
    }
}
