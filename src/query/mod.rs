//! Questions asked of a page's resolved tree, in the form `next-rsc tree --canonical` prints
//! it: every match is a JSON pointer into that output and the value there, written as that
//! output writes it. `find` walks the tree for objects with given keys, elements of a type,
//! text, client components (the page's data islands) and URLs; `get` follows one pointer;
//! [`diff`] compares two trees as a JSON Patch.
//!
//! The canonical tree is read back with the crate's own JSON parser, which keeps no
//! recursion: a tree nested a million deep is walked like a flat one.

mod diff;

pub use diff::{Operation, Summary, diff, summarize};

use crate::flight::canonical::write_string;
use crate::flight::value::{Arena, NodeId, Value, parse_plain};

/// What to look for.
#[derive(Debug, Clone)]
pub struct Query {
    selector: Selector,
}

#[derive(Debug, Clone)]
enum Selector {
    Keys(Vec<String>),
    Type(String),
    Module(String),
    Text(Text),
    Client,
    Urls { base: Option<url::Url> },
}

#[derive(Debug, Clone)]
enum Text {
    Contains { needle: String, ignore_case: bool },
    Pattern(regex::Regex),
}

/// A query that cannot be asked.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// `keys` with no key, or an empty one.
    #[error("give at least one key, and no empty one")]
    NoKeys,
    /// A regular expression that does not compile.
    #[error("not a regular expression: {0}")]
    Pattern(String),
    /// A pointer that is not an RFC 6901 JSON pointer.
    #[error("{0:?} is not a JSON pointer (they start with `/`, as in /root/props/children/0)")]
    BadPointer(String),
    /// A pointer that leads nowhere.
    #[error("{pointer}: nothing at {missing:?} (the value at {found:?} has no such {what})")]
    Missing {
        /// The whole pointer.
        pointer: String,
        /// The pointer up to and including the first segment that is not there.
        missing: String,
        /// The pointer up to the last value found.
        found: String,
        /// `key` or `index`.
        what: &'static str,
    },
    /// The matches would pass this many bytes (nested matches each hold the ones inside).
    #[error(
        "the matches pass {0} bytes: each holds the matches nested in it; ask for something narrower, or count them (--count)"
    )]
    TooLarge(usize),
    /// The tree could not be read back (a bug: it is our own output).
    #[error("the canonical tree is not JSON: {0}")]
    Tree(String),
}

impl Query {
    /// Every object that has all these keys (element props included).
    pub fn keys<S: Into<String>>(keys: impl IntoIterator<Item = S>) -> Result<Query, QueryError> {
        let keys: Vec<String> = keys.into_iter().map(Into::into).collect();
        if keys.is_empty() || keys.iter().any(String::is_empty) {
            return Err(QueryError::NoKeys);
        }
        Ok(Query {
            selector: Selector::Keys(keys),
        })
    }

    /// Every element whose type is the host tag `name` (`a`, `img`) or a client component
    /// exported as `name` (`ProductCard`). Next's own `Link`, `Image` and `Script` are
    /// found by those names whatever their module calls them, told by their props.
    pub fn element_type(name: impl Into<String>) -> Query {
        Query {
            selector: Selector::Type(name.into()),
        }
    }

    /// Every element of the client module `id` (as the payload names it: a webpack path,
    /// or a Turbopack number).
    pub fn module(id: impl Into<String>) -> Query {
        Query {
            selector: Selector::Module(id.into()),
        }
    }

    /// Every string that contains `needle`.
    pub fn text(needle: impl Into<String>, ignore_case: bool) -> Query {
        Query {
            selector: Selector::Text(Text::Contains {
                needle: needle.into(),
                ignore_case,
            }),
        }
    }

    /// Every string in which the regular expression `pattern` (the `regex` crate's
    /// syntax) finds a match.
    pub fn pattern(pattern: &str, ignore_case: bool) -> Result<Query, QueryError> {
        let regex = regex::RegexBuilder::new(pattern)
            .case_insensitive(ignore_case)
            .size_limit(1 << 24)
            .build()
            .map_err(|e| QueryError::Pattern(e.to_string()))?;
        Ok(Query {
            selector: Selector::Text(Text::Pattern(regex)),
        })
    }

    /// Every client component element: its module, export name and props without
    /// `children`, which is the data the server handed to the browser.
    pub fn client() -> Query {
        Query {
            selector: Selector::Client,
        }
    }

    /// Every URL an element's props carry (`href`, `src`, each `srcSet` candidate,
    /// `action`, `formAction`, `poster`, `data`, and the `content` of URL metas such as
    /// `og:image`), resolved against `base` when it is given.
    pub fn urls(base: Option<&str>) -> Query {
        Query {
            selector: Selector::Urls {
                base: base.and_then(|b| url::Url::parse(b).ok()),
            },
        }
    }
}

/// One match: where it is and what is there.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Match {
    /// A JSON pointer (RFC 6901) into the canonical tree.
    pub path: String,
    /// The value, as JSON text in the canonical tree's form.
    #[serde(serialize_with = "raw_json")]
    pub value: String,
}

/// How deep a match's value may nest to be serialized as a value: serde walks it
/// recursively, on whatever stack the caller has.
const SERIALIZED_DEPTH: usize = 1_000;

fn raw_json<S: serde::Serializer>(json: &str, serializer: S) -> Result<S::Ok, S::Error> {
    use serde::de::Deserialize;
    use serde::ser::{Error, Serialize};
    // Our own JSON: it parses. Written through serde_json's value for any serializer, past
    // serde_json's limit of 128 levels (a Next 13 layout's `childProp` holds the whole
    // page) but not so deep that the recursion could exhaust the stack.
    if nesting(json.as_bytes()) > SERIALIZED_DEPTH {
        return Err(S::Error::custom(format!(
            "a value nested more than {SERIALIZED_DEPTH} levels deep: read Match::value, its JSON text"
        )));
    }
    let mut deserializer = serde_json::Deserializer::from_str(json);
    deserializer.disable_recursion_limit();
    let value = serde_json::Value::deserialize(&mut deserializer).map_err(S::Error::custom)?;
    value.serialize(serializer)
}

/// The deepest nesting of arrays and objects in JSON text.
fn nesting(json: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
    for &byte in json {
        match (in_string, escaped, byte) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (true, false, _) => {}
            (false, _, b'"') => in_string = true,
            (false, _, b'[' | b'{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, _, b']' | b'}') => depth = depth.saturating_sub(1),
            (false, _, _) => {}
        }
    }
    deepest
}

impl Match {
    /// The value as `T`, through serde.
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        let mut deserializer = serde_json::Deserializer::from_str(&self.value);
        T::deserialize(&mut deserializer)
    }
}

/// A canonical tree read back for questions.
pub struct CanonicalTree<'a> {
    arena: Arena<'a>,
    root: NodeId,
}

impl<'a> CanonicalTree<'a> {
    /// Reads the bytes `tree --canonical` printed.
    pub fn read(json: &'a [u8]) -> Result<CanonicalTree<'a>, QueryError> {
        let mut arena = Arena::default();
        let root = parse_plain(&mut arena, json)
            .map_err(|e| QueryError::Tree(format!("at byte {}: {}", e.offset, e.message)))?;
        Ok(CanonicalTree { arena, root })
    }

    pub(crate) fn arena(&self) -> &Arena<'a> {
        &self.arena
    }

    pub(crate) fn root(&self) -> NodeId {
        self.root
    }

    /// Every match of `query`, in document order (an element before what it holds).
    /// Each match holds the matches inside it, so nested matches can add up to far more
    /// than the tree: see [`find_within`](CanonicalTree::find_within) for a bound.
    pub fn find(&self, query: &Query) -> Vec<Match> {
        let mut found = Vec::new();
        self.walk(|path, node| {
            self.matches(query, path, node, &mut found);
            true
        });
        found
    }

    /// [`find`](CanonicalTree::find), stopping with [`QueryError::TooLarge`] once the
    /// matches' paths and values pass `max_bytes` (a chain of a thousand nested `div`s
    /// holds a thousand copies of the deepest).
    pub fn find_within(&self, query: &Query, max_bytes: usize) -> Result<Vec<Match>, QueryError> {
        let mut found: Vec<Match> = Vec::new();
        let (mut total, mut over) = (0usize, false);
        self.walk(|path, node| {
            if over {
                return false;
            }
            let before = found.len();
            self.matches(query, path, node, &mut found);
            total += found[before..]
                .iter()
                .map(|m| m.path.len() + m.value.len())
                .sum::<usize>();
            over = total > max_bytes;
            !over
        });
        if over {
            Err(QueryError::TooLarge(max_bytes))
        } else {
            Ok(found)
        }
    }

    /// The bound [`Page::find`](crate::Page::find) and the command line put on
    /// [`find_within`](CanonicalTree::find_within) for a tree of `tree_bytes`: 64 MiB and
    /// sixteen times the tree.
    pub fn default_find_bound(tree_bytes: usize) -> usize {
        (64 << 20) + tree_bytes.saturating_mul(16)
    }

    /// How many matches `query` has (their values are not written).
    pub fn count(&self, query: &Query) -> usize {
        let mut count = 0;
        let mut found = Vec::new();
        self.walk(|path, node| {
            if let Selector::Urls { .. } | Selector::Client = query.selector {
                self.matches(query, path, node, &mut found);
                count += found.len();
                found.clear();
            } else if self.is_match(query, node) {
                count += 1;
            }
            true
        });
        count
    }

    /// The first match of `query`, without walking the rest.
    pub fn find_first(&self, query: &Query) -> Option<Match> {
        let mut found = Vec::new();
        self.walk(|path, node| {
            self.matches(query, path, node, &mut found);
            found.is_empty()
        });
        found.into_iter().next()
    }

    /// The value at `pointer`, as JSON text.
    pub fn get(&self, pointer: &str) -> Result<String, QueryError> {
        let node = self.resolve(pointer)?;
        Ok(self.json(node))
    }

    /// The node at `pointer`.
    pub(crate) fn resolve(&self, pointer: &str) -> Result<NodeId, QueryError> {
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(QueryError::BadPointer(pointer.to_string()));
        }
        let arena = &self.arena;
        let mut node = self.root;
        let mut found_len = 0;
        for raw in pointer.split('/').skip(1) {
            let segment = unescape_segment(raw);
            let end = found_len + 1 + raw.len();
            let missing = |what| QueryError::Missing {
                pointer: pointer.to_string(),
                missing: pointer[..end].to_string(),
                found: pointer[..found_len].to_string(),
                what,
            };
            node = match arena.get(node) {
                Value::Object(span) => arena
                    .entries(span)
                    .find(|(k, _)| *k == segment)
                    .map(|(_, v)| v)
                    .ok_or_else(|| missing("key"))?,
                Value::Array(span) => {
                    let index = (!segment.is_empty()
                        && segment.bytes().all(|b| b.is_ascii_digit())
                        && (segment == "0" || !segment.starts_with('0')))
                    .then(|| segment.parse::<usize>().ok())
                    .flatten();
                    index
                        .and_then(|i| arena.items(span).get(i).copied())
                        .ok_or_else(|| missing("index"))?
                }
                _ => return Err(missing("key")),
            };
            found_len = end;
        }
        Ok(node)
    }

    /// Visits every value in document order with its pointer; `visit` returns false to
    /// stop. An explicit stack: any depth.
    fn walk(&self, mut visit: impl FnMut(&str, NodeId) -> bool) {
        struct Frame {
            node: NodeId,
            next: usize,
            path_len: usize,
        }
        let arena = &self.arena;
        let mut path = String::new();
        if !visit(&path, self.root) {
            return;
        }
        let mut stack = vec![Frame {
            node: self.root,
            next: 0,
            path_len: 0,
        }];
        while let Some(frame) = stack.last_mut() {
            let i = frame.next;
            frame.next += 1;
            path.truncate(frame.path_len);
            let child = match arena.get(frame.node) {
                Value::Array(span) => arena.items(span).get(i).map(|&c| {
                    path.push('/');
                    path.push_str(&i.to_string());
                    c
                }),
                Value::Object(span) => arena.entry_at(span, i).map(|(key, c)| {
                    path.push('/');
                    escape_segment(key, &mut path);
                    c
                }),
                _ => None,
            };
            let Some(child) = child else {
                stack.pop();
                continue;
            };
            if !visit(&path, child) {
                return;
            }
            if matches!(arena.get(child), Value::Array(_) | Value::Object(_)) {
                stack.push(Frame {
                    node: child,
                    next: 0,
                    path_len: path.len(),
                });
            }
        }
    }

    fn field(&self, node: NodeId, key: &str) -> Option<NodeId> {
        match self.arena.get(node) {
            Value::Object(span) => self
                .arena
                .entries(span)
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    fn str_of(&self, node: Option<NodeId>) -> Option<&str> {
        match self.arena.get(node?) {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar text of a node (a string, or a number as written).
    fn scalar_of(&self, node: Option<NodeId>) -> Option<&str> {
        match self.arena.get(node?) {
            Value::String(s) | Value::Number(s) => Some(s),
            _ => None,
        }
    }

    /// `{"$client":{"id":…,"name":…}}` as an element's type: (module id, export name).
    fn client_type(&self, element: NodeId) -> Option<(NodeId, Option<&str>)> {
        let client = self.field(self.field(element, "$el")?, "$client")?;
        Some((
            self.field(client, "id")?,
            self.str_of(self.field(client, "name")),
        ))
    }

    /// Next's own `Link`, `Image` or `Script`, told by their props as the renderer tells
    /// them (their modules' export names are `""` or `default`, and Turbopack numbers
    /// the modules): a Link has an `href`, an Image a `src`, an `alt` and a size, a
    /// Script a loading `strategy` or a JavaScript `src`.
    fn next_builtin(&self, element: NodeId) -> Option<&'static str> {
        let (_, export) = self.client_type(element)?;
        if !matches!(export, None | Some("" | "default")) {
            return None;
        }
        let props = self.field(element, "props")?;
        let has = |key: &str| self.field(props, key).is_some();
        if has("href") {
            return Some("Link");
        }
        if has("src") && has("alt") && (has("width") || has("height") || has("fill")) {
            return Some("Image");
        }
        let strategy = self.str_of(self.field(props, "strategy"));
        let script_src = self
            .str_of(self.field(props, "src"))
            .is_some_and(|s| s.ends_with(".js") || s.contains(".js?"));
        if matches!(
            strategy,
            Some("beforeInteractive" | "afterInteractive" | "lazyOnload" | "worker")
        ) || script_src && !has("alt")
        {
            return Some("Script");
        }
        None
    }

    /// Whether `node` is a match of a selector whose match is the node itself.
    fn is_match(&self, query: &Query, node: NodeId) -> bool {
        let arena = &self.arena;
        match &query.selector {
            Selector::Keys(keys) => match arena.get(node) {
                Value::Object(span) => keys
                    .iter()
                    .all(|key| arena.entries(span).any(|(k, _)| k == key)),
                _ => false,
            },
            Selector::Type(name) => {
                let Some(tag) = self.field(node, "$el") else {
                    return false;
                };
                self.str_of(Some(tag)) == Some(name.as_str())
                    || self.client_type(node).and_then(|(_, export)| export) == Some(name)
                    || self.next_builtin(node) == Some(name.as_str())
            }
            Selector::Module(id) => self
                .client_type(node)
                .is_some_and(|(module, _)| self.scalar_of(Some(module)) == Some(id.as_str())),
            Selector::Text(text) => {
                let Value::String(s) = arena.get(node) else {
                    return false;
                };
                match text {
                    Text::Contains {
                        needle,
                        ignore_case: false,
                    } => s.contains(needle.as_str()),
                    Text::Contains {
                        needle,
                        ignore_case: true,
                    } => s.to_lowercase().contains(&needle.to_lowercase()),
                    Text::Pattern(regex) => regex.is_match(s),
                }
            }
            Selector::Client | Selector::Urls { .. } => false,
        }
    }

    fn matches(&self, query: &Query, path: &str, node: NodeId, found: &mut Vec<Match>) {
        let arena = &self.arena;
        let hit = |value: String, found: &mut Vec<Match>| {
            found.push(Match {
                path: path.to_string(),
                value,
            })
        };
        match &query.selector {
            Selector::Keys(_) | Selector::Type(_) | Selector::Module(_) | Selector::Text(_) => {
                if self.is_match(query, node) {
                    hit(self.json(node), found);
                }
            }
            Selector::Client => {
                if let Some((module, export)) = self.client_type(node) {
                    let mut out = Vec::new();
                    out.extend_from_slice(b"{\"module\":");
                    self.write_json(module, &mut out);
                    out.extend_from_slice(b",\"export\":");
                    match export {
                        Some(name) => write_string(&mut out, name),
                        None => out.extend_from_slice(b"null"),
                    }
                    out.extend_from_slice(b",\"props\":{");
                    if let Some(Value::Object(span)) =
                        self.field(node, "props").map(|p| arena.get(p))
                    {
                        let mut first = true;
                        for (key, value) in arena.entries(span).filter(|(k, _)| *k != "children") {
                            if !std::mem::take(&mut first) {
                                out.push(b',');
                            }
                            write_string(&mut out, key);
                            out.push(b':');
                            self.write_json(value, &mut out);
                        }
                    }
                    out.extend_from_slice(b"}}");
                    hit(utf8(out), found);
                }
            }
            Selector::Urls { base } => {
                let Some(props) = self.field(node, "props") else {
                    return;
                };
                let Some(tag) = self.field(node, "$el") else {
                    return;
                };
                let Value::Object(span) = arena.get(props) else {
                    return;
                };
                let host = self.str_of(Some(tag));
                let url_meta = host == Some("meta")
                    && [self.field(props, "property"), self.field(props, "name")]
                        .into_iter()
                        .filter_map(|n| self.str_of(n))
                        .any(is_url_meta);
                for (key, value) in arena.entries(span) {
                    let Value::String(text) = arena.get(value) else {
                        continue;
                    };
                    let urls: Vec<&str> = match key {
                        "href" | "src" | "action" | "formAction" | "poster" | "data" => {
                            vec![text]
                        }
                        "srcSet" | "srcset" | "imageSrcSet" => text
                            .split(',')
                            .filter_map(|c| c.split_whitespace().next())
                            .collect(),
                        "content" if url_meta => vec![text],
                        _ => continue,
                    };
                    let mut at = String::with_capacity(path.len() + 16);
                    at.push_str(path);
                    at.push_str("/props/");
                    escape_segment(key, &mut at);
                    for url in urls.into_iter().map(str::trim).filter(|u| !u.is_empty()) {
                        let resolved = base
                            .as_ref()
                            .and_then(|b| b.join(url).ok())
                            .map_or_else(|| url.to_string(), String::from);
                        let mut json = Vec::new();
                        write_string(&mut json, &resolved);
                        found.push(Match {
                            path: at.clone(),
                            value: utf8(json),
                        });
                    }
                }
            }
        }
    }

    /// A value as JSON text.
    pub(crate) fn json(&self, node: NodeId) -> String {
        let mut out = Vec::new();
        self.write_json(node, &mut out);
        utf8(out)
    }

    /// Writes a value as the canonical tree writes it; an explicit stack, any depth.
    pub(crate) fn write_json(&self, node: NodeId, out: &mut Vec<u8>) {
        enum Step {
            Value(NodeId),
            Raw(&'static [u8]),
            Key(usize, NodeId),
            Item(usize, NodeId),
        }
        let arena = &self.arena;
        let mut stack = vec![Step::Value(node)];
        while let Some(step) = stack.pop() {
            match step {
                Step::Raw(bytes) => out.extend_from_slice(bytes),
                Step::Value(node) => match arena.get(node) {
                    Value::Null => out.extend_from_slice(b"null"),
                    Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
                    Value::Number(n) => out.extend_from_slice(n.as_bytes()),
                    Value::String(s) => write_string(out, s),
                    Value::Array(_) => {
                        out.push(b'[');
                        stack.push(Step::Item(0, node));
                    }
                    Value::Object(_) => {
                        out.push(b'{');
                        stack.push(Step::Key(0, node));
                    }
                    // A plain parse makes nothing else.
                    _ => out.extend_from_slice(b"null"),
                },
                Step::Item(i, array) => {
                    let Value::Array(span) = arena.get(array) else {
                        continue;
                    };
                    match arena.items(span).get(i) {
                        Some(&item) => {
                            if i > 0 {
                                out.push(b',');
                            }
                            stack.push(Step::Item(i + 1, array));
                            stack.push(Step::Value(item));
                        }
                        None => stack.push(Step::Raw(b"]")),
                    }
                }
                Step::Key(i, object) => {
                    let Value::Object(span) = arena.get(object) else {
                        continue;
                    };
                    match arena.entry_at(span, i) {
                        Some((key, value)) => {
                            if i > 0 {
                                out.push(b',');
                            }
                            write_string(out, key);
                            out.push(b':');
                            stack.push(Step::Key(i + 1, object));
                            stack.push(Step::Value(value));
                        }
                        None => stack.push(Step::Raw(b"}")),
                    }
                }
            }
        }
    }
}

/// JSON this module wrote (from valid strings: UTF-8 whole).
fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Metas whose `content` is a URL (Open Graph, Twitter cards, `msapplication-TileImage`).
fn is_url_meta(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["image", "url", "video", "audio", "player"]
        .iter()
        .any(|kind| name == *kind || name.ends_with(&format!(":{kind}")))
        || name.ends_with(":secure_url")
        || name == "msapplication-tileimage"
}

/// A pointer segment as RFC 6901 writes it (`~` as `~0`, `/` as `~1`).
pub fn escape_segment(segment: &str, out: &mut String) {
    for c in segment.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

fn unescape_segment(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TREE: &[u8] = br#"{"hints":[],"root":[{"$el":"a","key":null,"props":{"children":"Home","href":"/"}},{"$el":{"$client":{"id":"app/card.js","name":"ProductCard"}},"key":"1","props":{"children":[{"$el":"img","key":null,"props":{"srcSet":"/a.png 1x, /b.png 2x"}}],"price":9.5,"title":"Tea ~/ cup"}},{"$el":"meta","key":null,"props":{"content":"/og.png","property":"og:image"}}]}"#;

    fn tree() -> CanonicalTree<'static> {
        CanonicalTree::read(TREE).unwrap()
    }

    #[test]
    fn keys_find_objects_with_all_of_them() {
        let found = tree().find(&Query::keys(["price", "title"]).unwrap());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "/root/1/props");
        assert!(
            found[0]
                .value
                .starts_with("{\"children\":[{\"$el\":\"img\"")
        );
        assert!(Query::keys(Vec::<String>::new()).is_err());
    }

    #[test]
    fn types_are_host_tags_or_client_exports() {
        let t = tree();
        assert_eq!(t.find(&Query::element_type("a"))[0].path, "/root/0");
        assert_eq!(
            t.find(&Query::element_type("ProductCard"))[0].path,
            "/root/1"
        );
        assert_eq!(t.find(&Query::module("app/card.js")).len(), 1);
        assert_eq!(
            t.find(&Query::element_type("img"))[0].path,
            "/root/1/props/children/0"
        );
        // Next's Link as Turbopack sends it: module 7, export "".
        let link = br#"{"root":{"$el":{"$client":{"id":7,"name":""}},"key":null,"props":{"children":"Docs","href":"/docs"}}}"#;
        let t = CanonicalTree::read(link).unwrap();
        assert_eq!(t.find(&Query::element_type("Link"))[0].path, "/root");
        assert!(t.find(&Query::element_type("Image")).is_empty());
    }

    #[test]
    fn text_plain_caseless_and_by_pattern() {
        let t = tree();
        assert_eq!(t.find(&Query::text("home", false)).len(), 0);
        assert_eq!(t.find(&Query::text("home", true))[0].value, "\"Home\"");
        let cup = t.find(&Query::pattern(r"^Tea\b", false).unwrap());
        assert_eq!(cup[0].path, "/root/1/props/title");
        assert!(Query::pattern("(", false).is_err());
    }

    #[test]
    fn counting_agrees_with_finding() {
        let t = tree();
        for query in [
            Query::keys(["href"]).unwrap(),
            Query::element_type("img"),
            Query::text("e", true),
            Query::client(),
            Query::urls(None),
        ] {
            assert_eq!(t.count(&query), t.find(&query).len(), "{query:?}");
        }
    }

    #[test]
    fn client_components_give_their_data_without_children() {
        let found = tree().find(&Query::client());
        assert_eq!(
            found[0].value,
            r#"{"module":"app/card.js","export":"ProductCard","props":{"price":9.5,"title":"Tea ~/ cup"}}"#
        );
    }

    #[test]
    fn urls_are_resolved_against_the_page() {
        let found = tree().find(&Query::urls(Some("https://shop.example/tea/")));
        let urls: Vec<&str> = found.iter().map(|m| m.value.as_str()).collect();
        assert_eq!(
            urls,
            [
                "\"https://shop.example/\"",
                "\"https://shop.example/a.png\"",
                "\"https://shop.example/b.png\"",
                "\"https://shop.example/og.png\""
            ]
        );
        assert_eq!(found[1].path, "/root/1/props/children/0/props/srcSet");
    }

    #[test]
    fn get_follows_a_pointer_and_names_what_is_missing() {
        let t = tree();
        assert_eq!(t.get("/root/1/props/price").unwrap(), "9.5");
        assert_eq!(t.get("/root/0/props/href").unwrap(), "\"/\"");
        let err = t.get("/root/1/props/nope/x").unwrap_err().to_string();
        assert!(err.contains("\"/root/1/props/nope\""), "{err}");
        assert!(t.get("/root/7").is_err());
        assert!(t.get("/root/01").is_err());
        assert!(matches!(t.get("root"), Err(QueryError::BadPointer(_))));
        assert_eq!(t.get("").unwrap().len(), TREE.len());
    }

    #[test]
    fn pointer_segments_escape_tilde_and_slash() {
        let json = br#"{"a/b":{"c~d":1}}"#;
        let t = CanonicalTree::read(json).unwrap();
        let found = t.find(&Query::keys(["c~d"]).unwrap());
        assert_eq!(found[0].path, "/a~1b");
        assert_eq!(t.get("/a~1b/c~0d").unwrap(), "1");
    }

    #[test]
    fn any_depth_is_walked_and_written() {
        let deep = format!("{}\"x\"{}", "[".repeat(200_000), "]".repeat(200_000));
        let t = CanonicalTree::read(deep.as_bytes()).unwrap();
        let found = t.find(&Query::text("x", false));
        assert_eq!(found[0].path.len(), 2 * 200_000);
        assert_eq!(t.json(t.root()).len(), deep.len());
    }
}
