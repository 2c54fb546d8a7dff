//! Two canonical trees compared as an RFC 6902 JSON Patch: objects by key, arrays by
//! content (a changed item in a long list is one change inside it, not a shift of every
//! item after it), so that monitoring a site over time shows what really changed.

use std::fmt;

use super::{CanonicalTree, escape_segment};
use crate::flight::value::{NodeId, Value};

/// One operation of a JSON Patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Adds `value` at `path` (inside an array: before what is there).
    Add {
        /// Where.
        path: String,
        /// The JSON text of the value.
        value: String,
    },
    /// Removes what is at `path`.
    Remove {
        /// Where.
        path: String,
    },
    /// Puts `value` in place of what is at `path`.
    Replace {
        /// Where.
        path: String,
        /// The JSON text of the value.
        value: String,
    },
}

impl Operation {
    /// Where the operation applies.
    pub fn path(&self) -> &str {
        match self {
            Operation::Add { path, .. }
            | Operation::Remove { path }
            | Operation::Replace { path, .. } => path,
        }
    }

    /// About how many bytes the operation takes written.
    fn size(&self) -> usize {
        match self {
            Operation::Add { path, value } | Operation::Replace { path, value } => {
                path.len() + value.len() + 36
            }
            Operation::Remove { path } => path.len() + 28,
        }
    }

    /// The operation as RFC 6902 writes it: `{"op":…,"path":…,"value":…}`.
    pub fn to_json(&self) -> String {
        let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
        match self {
            Operation::Add { path, value } => {
                format!(
                    "{{\"op\":\"add\",\"path\":{},\"value\":{value}}}",
                    quote(path)
                )
            }
            Operation::Remove { path } => {
                format!("{{\"op\":\"remove\",\"path\":{}}}", quote(path))
            }
            Operation::Replace { path, value } => {
                format!(
                    "{{\"op\":\"replace\",\"path\":{},\"value\":{value}}}",
                    quote(path)
                )
            }
        }
    }
}

/// Middles of arrays longer than this product are matched by position, not content
/// (the content match needs a table of that many cells).
const MATCH_CELLS: usize = 4 << 20;

/// Subtrees nested deeper than this are replaced whole rather than compared (which keeps
/// the comparison's own stack bounded on trees nested a million deep).
const MAX_DEPTH: usize = 400;

/// The operations that turn `old` into `new`: as few bytes of patch as the comparison
/// finds, a subtree whose changes would take more than its new value being replaced whole.
pub fn diff(old: &CanonicalTree<'_>, new: &CanonicalTree<'_>) -> Vec<Operation> {
    let trees = Trees {
        old,
        new,
        old_facts: facts(old),
        new_facts: facts(new),
    };
    let mut ops = Vec::new();
    trees.compare(old.root(), new.root(), String::new(), 0, &mut ops);
    ops
}

struct Trees<'t, 'a> {
    old: &'t CanonicalTree<'a>,
    new: &'t CanonicalTree<'a>,
    old_facts: Vec<(u64, usize)>,
    new_facts: Vec<(u64, usize)>,
}

impl Trees<'_, '_> {
    /// Appends to `ops` what turns `a` into `b` at `path`.
    fn compare(&self, a: NodeId, b: NodeId, path: String, depth: usize, ops: &mut Vec<Operation>) {
        let (old_hash, _) = self.old_facts[a as usize];
        let (new_hash, new_size) = self.new_facts[b as usize];
        if old_hash == new_hash {
            return;
        }
        let (oa, na) = (self.old.arena(), self.new.arena());
        let replace = |path: String| Operation::Replace {
            value: self.new.json(b),
            path,
        };
        let containers = matches!(
            (oa.get(a), na.get(b)),
            (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_))
        );
        if !containers || depth >= MAX_DEPTH {
            ops.push(replace(path));
            return;
        }
        let mut inside = Vec::new();
        match (oa.get(a), na.get(b)) {
            (Value::Object(sa), Value::Object(sb)) => {
                let mut left = oa.entries(sa).peekable();
                let mut right = na.entries(sb).peekable();
                let at = |key: &str| {
                    let mut p = path.clone();
                    p.push('/');
                    escape_segment(key, &mut p);
                    p
                };
                loop {
                    match (left.peek().copied(), right.peek().copied()) {
                        (None, None) => break,
                        (Some((ka, _)), Some((kb, _))) if ka < kb => {
                            inside.push(Operation::Remove { path: at(ka) });
                            left.next();
                        }
                        (Some((ka, _)), None) => {
                            inside.push(Operation::Remove { path: at(ka) });
                            left.next();
                        }
                        (Some((ka, va)), Some((kb, vb))) if ka == kb => {
                            self.compare(va, vb, at(ka), depth + 1, &mut inside);
                            left.next();
                            right.next();
                        }
                        (_, Some((kb, vb))) => {
                            inside.push(Operation::Add {
                                path: at(kb),
                                value: self.new.json(vb),
                            });
                            right.next();
                        }
                    }
                }
            }
            (Value::Array(sa), Value::Array(sb)) => {
                let items_a = oa.items(sa);
                let items_b = na.items(sb);
                let ha: Vec<u64> = items_a
                    .iter()
                    .map(|&n| self.old_facts[n as usize].0)
                    .collect();
                let hb: Vec<u64> = items_b
                    .iter()
                    .map(|&n| self.new_facts[n as usize].0)
                    .collect();
                let mut index = 0usize;
                let at = |i: usize| format!("{path}/{i}");
                for step in align(&ha, &hb) {
                    match step {
                        Step::Keep => index += 1,
                        // Compared where the item sits now: everything before it is final.
                        Step::Change(i, j) => {
                            self.compare(items_a[i], items_b[j], at(index), depth + 1, &mut inside);
                            index += 1;
                        }
                        Step::Delete => inside.push(Operation::Remove { path: at(index) }),
                        Step::Insert(j) => {
                            inside.push(Operation::Add {
                                path: at(index),
                                value: self.new.json(items_b[j]),
                            });
                            index += 1;
                        }
                    }
                }
            }
            _ => unreachable!("both are containers"), // ok: matched just above
        }
        // Many small changes can take more bytes than the new value itself.
        let cost: usize = inside.iter().map(Operation::size).sum();
        if cost > new_size + path.len() + 32 {
            ops.push(replace(path));
        } else {
            ops.extend(inside);
        }
    }
}

/// One step of an array's edit script, left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The item stays as it is.
    Keep,
    /// Item `i` of the old array becomes item `j` of the new one.
    Change(usize, usize),
    /// The old item here goes.
    Delete,
    /// Item `j` of the new array comes here.
    Insert(usize),
}

/// The edit script between two arrays of item hashes: the common start and end kept,
/// the middle matched by its longest common subsequence (when small enough), and each
/// run of deletions facing a run of insertions paired into changes.
fn align(a: &[u64], b: &[u64]) -> Vec<Step> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut raw: Vec<(Option<usize>, Option<usize>)> = Vec::new(); // (old, new) indices
    if !ma.is_empty() && !mb.is_empty() && ma.len().saturating_mul(mb.len()) <= MATCH_CELLS {
        // lengths[i][j]: the longest common subsequence of ma[i..] and mb[j..].
        let width = mb.len() + 1;
        let mut lengths = vec![0u32; (ma.len() + 1) * width];
        for i in (0..ma.len()).rev() {
            for j in (0..mb.len()).rev() {
                lengths[i * width + j] = if ma[i] == mb[j] {
                    lengths[(i + 1) * width + j + 1] + 1
                } else {
                    lengths[(i + 1) * width + j].max(lengths[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < ma.len() && j < mb.len() {
            if ma[i] == mb[j] {
                raw.push((Some(i), Some(j)));
                i += 1;
                j += 1;
            } else if lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
                raw.push((Some(i), None));
                i += 1;
            } else {
                raw.push((None, Some(j)));
                j += 1;
            }
        }
        raw.extend((i..ma.len()).map(|i| (Some(i), None)));
        raw.extend((j..mb.len()).map(|j| (None, Some(j))));
    } else {
        raw.extend((0..ma.len()).map(|i| (Some(i), None)));
        raw.extend((0..mb.len()).map(|j| (None, Some(j))));
    }
    let mut steps: Vec<Step> = vec![Step::Keep; prefix];
    let mut k = 0;
    while k < raw.len() {
        if let (Some(_), Some(_)) = raw[k] {
            steps.push(Step::Keep);
            k += 1;
            continue;
        }
        // A run of deletions and insertions between two kept items.
        let end = (k..raw.len())
            .find(|&e| matches!(raw[e], (Some(_), Some(_))))
            .unwrap_or(raw.len());
        let deleted: Vec<usize> = raw[k..end]
            .iter()
            .filter_map(|r| r.0.filter(|_| r.1.is_none()))
            .collect();
        let inserted: Vec<usize> = raw[k..end]
            .iter()
            .filter_map(|r| r.1.filter(|_| r.0.is_none()))
            .collect();
        let pairs = deleted.len().min(inserted.len());
        for p in 0..pairs {
            steps.push(Step::Change(prefix + deleted[p], prefix + inserted[p]));
        }
        steps.extend(std::iter::repeat_n(Step::Delete, deleted.len() - pairs));
        steps.extend(inserted[pairs..].iter().map(|&j| Step::Insert(prefix + j)));
        k = end;
    }
    steps.extend(std::iter::repeat_n(Step::Keep, suffix));
    steps
}

/// A structural hash of every node (equal values, equal hashes) and about how many bytes
/// of JSON it takes, bottom up without recursion.
fn facts(tree: &CanonicalTree<'_>) -> Vec<(u64, usize)> {
    let arena = tree.arena();
    let mut facts = vec![(0u64, 0usize); arena.len()];
    let mut done = vec![false; arena.len()];
    let mix = |h: u64, x: u64| (h ^ x).wrapping_mul(0x100_0000_01b3).rotate_left(23);
    let text = |seed: u64, s: &str| s.bytes().fold(seed, |h, b| mix(h, u64::from(b)));
    let mut stack = vec![(tree.root(), false)];
    while let Some((node, expanded)) = stack.pop() {
        let i = node as usize;
        if done[i] {
            continue;
        }
        let children: Vec<NodeId> = match arena.get(node) {
            Value::Array(span) => arena.items(span).to_vec(),
            Value::Object(span) => arena.entries(span).map(|(_, v)| v).collect(),
            _ => Vec::new(),
        };
        if !expanded && children.iter().any(|&c| !done[c as usize]) {
            stack.push((node, true));
            stack.extend(children.into_iter().map(|c| (c, false)));
            continue;
        }
        facts[i] = match arena.get(node) {
            Value::Null => (1, 4),
            Value::Bool(b) => (2 + u64::from(b), 5),
            Value::Number(n) => (text(4, n), n.len()),
            Value::String(s) => (text(5, s), s.len() + 2),
            Value::Array(span) => arena.items(span).iter().fold((6, 2), |(h, size), &c| {
                let (ch, cs) = facts[c as usize];
                (mix(h, ch), size + cs + 1)
            }),
            Value::Object(span) => arena.entries(span).fold((7, 2), |(h, size), (k, v)| {
                let (vh, vs) = facts[v as usize];
                (mix(text(h, k), vh), size + k.len() + 4 + vs)
            }),
            _ => (8, 4),
        };
        done[i] = true;
    }
    facts
}

/// What a patch changes, counted by kind: visible text, links, the page's metadata (its
/// title, metas and links), and the rest of its data.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Operations in all.
    pub operations: usize,
    /// Text and elements inside `children`.
    pub text: usize,
    /// URLs: `href`, `src`, `srcSet`, `action`, `poster`.
    pub links: usize,
    /// Inside `<title>`, `<meta>` and `<link>`.
    pub metadata: usize,
    /// Everything else: props and the data the server handed to client components.
    pub data: usize,
    /// Where, for the first few of each kind: the elements along the path.
    pub examples: Vec<(String, String)>,
}

/// Counts what the operations change, reading each one's place in `old` (removals) or
/// `new` (the rest).
pub fn summarize(ops: &[Operation], old: &CanonicalTree<'_>, new: &CanonicalTree<'_>) -> Summary {
    let mut summary = Summary {
        operations: ops.len(),
        ..Summary::default()
    };
    for op in ops {
        let tree = match op {
            Operation::Remove { .. } => old,
            _ => new,
        };
        let (elements, inside_children) = elements_along(tree, op.path());
        let last = op.path().rsplit('/').next().unwrap_or_default();
        let kind = if elements
            .iter()
            .any(|e| matches!(e.as_str(), "title" | "meta" | "link"))
        {
            "metadata"
        } else if matches!(
            last,
            "href" | "src" | "srcSet" | "srcset" | "action" | "formAction" | "poster"
        ) {
            "links"
        } else if inside_children || holds_elements(op, old) {
            "text"
        } else {
            "data"
        };
        let count = match kind {
            "metadata" => &mut summary.metadata,
            "links" => &mut summary.links,
            "text" => &mut summary.text,
            _ => &mut summary.data,
        };
        *count += 1;
        if *count <= 3 {
            let place = if elements.is_empty() {
                op.path().to_string()
            } else {
                elements.join(" > ")
            };
            summary.examples.push((kind.to_string(), place));
        }
    }
    summary
}

/// Whether what an operation adds, puts or takes away holds elements: page content.
fn holds_elements(op: &Operation, old: &CanonicalTree<'_>) -> bool {
    match op {
        Operation::Add { value, .. } | Operation::Replace { value, .. } => {
            value.contains("\"$el\":")
        }
        Operation::Remove { path } => old.get(path).is_ok_and(|v| v.contains("\"$el\":")),
    }
}

/// The element types along a pointer (host tags and client exports), and whether the
/// pointer ends inside an element's `children`.
fn elements_along(tree: &CanonicalTree<'_>, pointer: &str) -> (Vec<String>, bool) {
    let arena = tree.arena();
    let mut node = tree.root();
    let mut elements = Vec::new();
    let mut inside_children = false;
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    for (n, segment) in segments.iter().enumerate() {
        if let Some(tag) = tree.field(node, "$el") {
            let name = tree.str_of(Some(tag)).map(str::to_string).or_else(|| {
                tree.client_type(node)
                    .and_then(|(_, e)| e.map(str::to_string))
            });
            if let Some(name) = name {
                elements.push(name);
            }
            inside_children = segments.get(n + 1) == Some(&"children");
        }
        let segment = super::unescape_segment(segment);
        let next = match arena.get(node) {
            Value::Object(span) => arena
                .entries(span)
                .find(|(k, _)| *k == segment)
                .map(|(_, v)| v),
            Value::Array(span) => segment
                .parse::<usize>()
                .ok()
                .and_then(|i| arena.items(span).get(i).copied()),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => break,
        }
    }
    (elements, inside_children)
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.operations == 0 {
            return writeln!(f, "no change");
        }
        writeln!(
            f,
            "{} change{}: {} text, {} links, {} metadata, {} data",
            self.operations,
            if self.operations == 1 { "" } else { "s" },
            self.text,
            self.links,
            self.metadata,
            self.data
        )?;
        for (kind, place) in &self.examples {
            writeln!(f, "  {kind:<8} {place}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(old: &str, new: &str) -> Vec<String> {
        let (a, b) = (
            CanonicalTree::read(old.as_bytes()).unwrap(),
            CanonicalTree::read(new.as_bytes()).unwrap(),
        );
        diff(&a, &b).iter().map(Operation::to_json).collect()
    }

    #[test]
    fn equal_trees_need_nothing() {
        assert!(ops(r#"{"a":[1,{"b":2}]}"#, r#"{"a":[1,{"b":2}]}"#).is_empty());
    }

    #[test]
    fn objects_change_by_key() {
        let pad = "x".repeat(200);
        assert_eq!(
            ops(
                &format!(r#"{{"a":1,"b":2,"c":3,"pad":"{pad}"}}"#),
                &format!(r#"{{"b":5,"c":3,"d":4,"pad":"{pad}"}}"#)
            ),
            [
                r#"{"op":"remove","path":"/a"}"#,
                r#"{"op":"replace","path":"/b","value":5}"#,
                r#"{"op":"add","path":"/d","value":4}"#,
            ]
        );
        // A small value changed all over is replaced whole: fewer bytes.
        assert_eq!(
            ops(r#"{"a":1,"b":2}"#, r#"{"c":3,"d":4}"#),
            [r#"{"op":"replace","path":"","value":{"c":3,"d":4}}"#]
        );
    }

    #[test]
    fn one_changed_item_in_a_long_list_is_one_operation_inside_it() {
        let items = |changed: usize| {
            let list: Vec<String> = (0..500)
                .map(|i| {
                    let price = if i == changed { 99 } else { i };
                    format!(r#"{{"id":{i},"price":{price}}}"#)
                })
                .collect();
            format!("[{}]", list.join(","))
        };
        assert_eq!(
            ops(&items(usize::MAX), &items(250)),
            [r#"{"op":"replace","path":"/250/price","value":99}"#]
        );
    }

    #[test]
    fn inserted_and_removed_items_do_not_shift_the_rest() {
        let pad = "x".repeat(200);
        assert_eq!(
            ops(
                &format!(r#"["{pad}",1,2,3,4,5]"#),
                &format!(r#"["{pad}",1,3,4,9,5,6]"#)
            ),
            [
                r#"{"op":"remove","path":"/2"}"#,
                r#"{"op":"add","path":"/4","value":9}"#,
                r#"{"op":"add","path":"/6","value":6}"#,
            ]
        );
    }

    #[test]
    fn different_kinds_are_replaced_whole() {
        assert_eq!(
            ops(r#"{"a":[1]}"#, r#"{"a":{"x":1}}"#),
            [r#"{"op":"replace","path":"/a","value":{"x":1}}"#]
        );
        assert_eq!(
            ops("1", "\"1\""),
            [r#"{"op":"replace","path":"","value":"1"}"#]
        );
    }
}
