//! Writes a [`Tree`] as canonical JSON (docs/FLIGHT-FORMAT.md, "Appendix: the canonical
//! JSON"): `{"hints":[…],"root":…}` holding what React's own client makes of the payload, with
//! object keys sorted by code point, references made transparent, and tags such as `$el`,
//! `$client`, `$error`, `$pending` where React holds an element, a client reference, a
//! rejection or a value that never settles.
//!
//! The writer keeps its own stack, so a tree nested 200,000 deep is written like a flat
//! one. Shared values are written at every use; a value inside itself becomes
//! `{"$cycle": pointer}`.

use std::collections::HashSet;
use std::io::{self, Write};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use super::resolve::{Content, Item, Status, Target, Tree};
use super::value::{Node, NodeId, RefKind, Span, SpecialNumber, Value};

/// How to write the tree.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Add what React does not expose but a reader wants: the chunk list and async flag
    /// of client references.
    pub detailed: bool,
    /// Stop with an error once this many bytes were written. Shared values are written
    /// at every use, as React's tree holds them, so a few kilobytes that share a row
    /// with itself over and over can ask for gigabytes; a caller facing untrusted input
    /// sets a bound.
    pub max_output: Option<u64>,
    /// Write on the calling thread only (big trees are otherwise written by two).
    pub one_thread: bool,
    /// Rows (in bytes) from which a second thread helps; `None` for the default (4 MiB).
    pub ahead_from: Option<usize>,
}

/// The message of the error [`write_canonical`] returns past [`WriteOptions::max_output`].
pub const OUTPUT_LIMIT: &str = "output limit reached: the payload shares values so many times that \
writing each use would exceed it";

/// The error inside the `io::Error` [`write_canonical`] returns past
/// [`WriteOptions::max_output`]: [`OutputLimit::is_in`] tells it from a failing sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputLimit;

impl std::fmt::Display for OutputLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(OUTPUT_LIMIT)
    }
}

impl std::error::Error for OutputLimit {}

impl OutputLimit {
    /// True when the error is the output limit, not the sink failing.
    pub fn is_in(error: &io::Error) -> bool {
        error
            .get_ref()
            .is_some_and(|inner| inner.is::<OutputLimit>())
    }
}

/// Bytes gathered before they are handed to the sink.
const BUFFER: usize = 1 << 16;

/// Writes `{"hints":[…],"root":…}` and a newline to `sink`, in pieces of 64 KiB, so that
/// the output never has to fit in memory at once.
pub fn write_canonical(
    tree: &Tree<'_>,
    options: WriteOptions,
    sink: &mut impl Write,
) -> io::Result<()> {
    let from = options.ahead_from.unwrap_or(AHEAD_FROM);
    // Forced (tests): every subtree may go ahead, however small.
    let smallest = if options.ahead_from.is_some() {
        0
    } else {
        MIN_AHEAD
    };
    let rows: usize = tree.chunks().iter().map(|c| c.length).sum();
    // Rows this small are cheaper to write in place than the plan's tables are to build
    // (two million outlined rows: the plan alone took longer than the whole writing).
    let tiny_rows = smallest > 0 && rows < tree.chunks().len().saturating_mul(MIN_AVERAGE_ROW);
    // (Asking for the number of cores reads files: only when a helper may pay off.)
    let plan = if rows >= from
        && !tiny_rows
        && !options.one_thread
        && std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
    {
        AheadPlan::new(tree, from, smallest)
    } else {
        AheadPlan::default()
    };
    if plan.order.is_empty() {
        return write_with(tree, options, sink, &plan, None);
    }
    // Another thread writes the planned subtrees into buffers while this one writes the
    // rest; this one copies each buffer in when it gets there.
    let handoff = Handoff::new(plan.order.len());
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let _exit = Finally(|| handoff.update(|h| h.helper_gone = true));
            // One path bitset for every subtree the helper writes (a fresh one each time,
            // the size of the whole arena, made many small rows quadratic).
            let mut on_path = vec![0; tree.arena.len().div_ceil(64)];
            for (index, &position) in plan.order.iter().enumerate() {
                if !handoff.wait_for_room() {
                    break;
                }
                let bytes = plan.write_alone(tree, options, position, &mut on_path);
                handoff.put(index, bytes);
            }
        });
        let _done = Finally(|| handoff.update(|h| h.walk_done = true));
        write_with(tree, options, sink, &plan, Some(&handoff))
    })
}

/// Runs a closure when dropped, so that the other thread is told even when this one
/// unwinds.
struct Finally<F: FnMut()>(F);

impl<F: FnMut()> Drop for Finally<F> {
    fn drop(&mut self) {
        (self.0)()
    }
}

/// Bytes the helper may hold written and not yet taken before it waits for the walk.
/// The walk takes the helper's subtrees in turn with parts of its own, so the helper is
/// rarely this far ahead; the bound keeps a slow sink from letting it buffer the tree.
const AHEAD_BUDGET: usize = 4 << 20;

/// The planned subtrees the helper wrote, passed to the walk one by one.
struct Handoff {
    state: Mutex<Handed>,
    changed: Condvar,
}

struct Handed {
    /// Per plan index: what the helper wrote (`Some(None)`: it could not be written
    /// alone), until the walk takes it.
    slots: Vec<Option<Option<Vec<u8>>>>,
    /// Plan items the helper has finished.
    finished: usize,
    /// Plan items below this one the walk has taken or gone past: never asked for again.
    passed: usize,
    /// Bytes written and not taken.
    waiting: usize,
    walk_done: bool,
    helper_gone: bool,
}

impl Handoff {
    fn new(items: usize) -> Handoff {
        Handoff {
            state: Mutex::new(Handed {
                slots: (0..items).map(|_| None).collect(),
                finished: 0,
                passed: 0,
                waiting: 0,
                walk_done: false,
                helper_gone: false,
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Handed> {
        // A thread that panicked holding the lock left the state whole: no update is
        // half-done across a panic point.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'g>(&self, guard: MutexGuard<'g, Handed>) -> MutexGuard<'g, Handed> {
        self.changed
            .wait(guard)
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, change: impl FnOnce(&mut Handed)) {
        change(&mut self.lock());
        self.changed.notify_all();
    }

    /// Helper: waits while the walk has much to take; false once the walk is over.
    fn wait_for_room(&self) -> bool {
        let mut state = self.lock();
        while !state.walk_done && state.waiting > AHEAD_BUDGET {
            state = self.wait(state);
        }
        !state.walk_done
    }

    /// Helper: hands over plan item `index`.
    fn put(&self, index: usize, bytes: Option<Vec<u8>>) {
        self.update(|state| {
            state.finished = index + 1;
            if index >= state.passed {
                state.waiting += bytes.as_ref().map_or(0, Vec::len);
                state.slots[index] = Some(bytes);
            }
        });
    }

    /// Walk: takes plan item `index`, waiting for the helper to write it; `None` when
    /// the walk must write it itself. Items before it will not be asked for: dropped.
    fn take(&self, index: usize) -> Option<Vec<u8>> {
        let mut state = self.lock();
        if index < state.passed {
            return None;
        }
        for skipped in state.passed..index {
            if let Some(Some(bytes)) = state.slots[skipped].take() {
                state.waiting -= bytes.len();
            }
        }
        state.passed = index;
        self.changed.notify_all();
        while state.finished <= index && !state.helper_gone {
            state = self.wait(state);
        }
        state.passed = index + 1;
        let bytes = state.slots[index].take().flatten();
        state.waiting -= bytes.as_ref().map_or(0, Vec::len);
        drop(state);
        self.changed.notify_all();
        bytes
    }
}

/// From this many bytes of rows on, a helper thread writes part of the tree.
const AHEAD_FROM: usize = 4 << 20;

/// The smallest subtree (bytes of rows) the helper writes ahead. A million tiny outlined
/// rows handed over one by one made the two threads twice as slow as one.
const MIN_AHEAD: usize = 64 << 10;

/// Below this average row size the helper is not planned at all.
const MIN_AVERAGE_ROW: usize = 512;

/// Which subtrees a helper thread writes ahead, and what is needed to check that a
/// subtree written alone is exactly what the whole walk would write there.
#[derive(Debug, Default)]
struct AheadPlan {
    /// Chunk positions to write ahead, in the order the walk reaches them.
    order: Vec<usize>,
    /// Per chunk position: its index in `order`, if it is written ahead.
    assigned: Vec<Option<u32>>,
    /// Per chunk position: how many reference nodes point at it.
    referrers: Vec<u32>,
    /// Per chunk position: the chunks whose rows refer to it.
    referred_from: Vec<Vec<usize>>,
}

impl AheadPlan {
    /// Picks, for a big tree, subtrees for the helper: rows referred to exactly once,
    /// whose rows-below are referred to once too, taken whole, each as soon as the walk
    /// has written as much before it as the helper has been given. The helper's share
    /// thus comes in turns with the walk's all along, and what it wrote waits little.
    fn new(tree: &Tree<'_>, from: usize, smallest: usize) -> AheadPlan {
        let chunks = tree.chunks();
        let n = chunks.len();
        let mut plan = AheadPlan {
            referrers: vec![0; n],
            assigned: vec![None; n],
            order: Vec::new(),
            referred_from: vec![Vec::new(); n],
        };
        if chunks
            .iter()
            .any(|c| matches!(c.content, Content::Stream(_)))
        {
            return plan; // stream items' references are not indexed
        }
        let target = |node: NodeId| match tree.arena.get(node) {
            Value::Reference(r) => r.id().and_then(|id| tree.chunk_position(id)),
            _ => None,
        };
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (p, chunk) in chunks.iter().enumerate() {
            // Reference nodes are leaves, numbered in the order they were read: sorted by
            // id they come in document order, the order the walk meets them.
            let mut nodes: Vec<NodeId> = tree.references_in(chunk).collect();
            nodes.sort_unstable();
            for node in nodes {
                if let Some(t) = target(node) {
                    plan.referrers[t] += 1;
                    children[p].push(t);
                    plan.referred_from[t].push(p);
                }
            }
        }
        let Some(root) = tree.chunk_position(0) else {
            return plan;
        };
        // Sizes of the subtrees made of rows referred to once, below the root.
        let own = |p: usize| chunks[p].length;
        let once = |p: usize, plan: &AheadPlan| p != root && plan.referrers[p] == 1;
        let mut size = vec![0usize; n];
        let mut seen = vec![false; n];
        let mut stack = vec![(root, false)];
        while let Some((p, done)) = stack.pop() {
            if done {
                size[p] = own(p)
                    + children[p]
                        .iter()
                        .filter(|&&c| once(c, &plan))
                        .map(|&c| size[c])
                        .sum::<usize>();
                continue;
            }
            if std::mem::replace(&mut seen[p], true) {
                continue;
            }
            stack.push((p, true));
            stack.extend(
                children[p]
                    .iter()
                    .filter(|&&c| once(c, &plan) && !seen[c])
                    .map(|&c| (c, false)),
            );
        }
        let total = size[root];
        if total < from {
            return plan;
        }
        // Walk in order, handing the helper each next whole subtree that it can write
        // while the walk writes what comes before it.
        let mut written_by_walk = own(root);
        let mut given = 0;
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        let mut visited = vec![false; n];
        visited[root] = true;
        while let Some((p, next)) = stack.pop() {
            let Some(&c) = children[p].get(next) else {
                continue;
            };
            stack.push((p, next + 1));
            if !once(c, &plan) || std::mem::replace(&mut visited[c], true) {
                continue;
            }
            // A small subtree costs the helper a buffer and the walk a write of its own,
            // more than writing it in place: only big ones are worth handing over.
            if given + size[c] <= written_by_walk
                && size[c] >= smallest
                && matches!(chunks[c].content, Content::Model(_))
            {
                plan.assigned[c] = Some(plan.order.len() as u32);
                plan.order.push(c);
                given += size[c];
            } else {
                written_by_walk += own(c);
                stack.push((c, 0));
            }
        }
        plan
    }

    /// Writes one chunk's value on its own; `None` when the result might differ from what
    /// the whole walk writes there. The walk's path there runs through rows that can reach
    /// this one; written alone, the value is the same unless it enters one of those rows
    /// (it could then meet a node of the path: a cycle the walk alone can see) or writes
    /// a `$cycle` (whose pointer would lack the path above).
    fn write_alone(
        &self,
        tree: &Tree<'_>,
        options: WriteOptions,
        position: usize,
        on_path: &mut Vec<u64>,
    ) -> Option<Vec<u8>> {
        let id = tree.chunks()[position].id;
        let target = tree.chunk_target(id)?;
        let mut sink = Vec::new();
        let mut buffer = Vec::with_capacity(BUFFER + 4096);
        let path = std::mem::take(on_path);
        let mut w = Writer::new(tree, options, &mut buffer, &mut sink, self, None, path);
        w.visited = Some(Vec::new());
        w.run(Emit::Target(target));
        w.flush();
        let visited = w.visited.take().unwrap_or_default();
        let clean = w.failed.is_none() && !w.cycled;
        *on_path = std::mem::take(&mut w.on_path);
        drop(w);
        if !clean {
            // A walk that stopped early may leave bits set.
            on_path.fill(0);
            return None;
        }
        // Every row that can reach this one, this one included (a set: a fresh vector per
        // row, the size of all rows, was quadratic too).
        let mut above: HashSet<usize> = HashSet::new();
        let mut stack = vec![position];
        while let Some(p) = stack.pop() {
            if above.insert(p) {
                stack.extend(self.referred_from[p].iter().copied());
            }
        }
        let alone = visited
            .iter()
            .all(|&v| tree.chunk_position(v).is_some_and(|p| !above.contains(&p)));
        alone.then_some(sink)
    }
}

fn write_with(
    tree: &Tree<'_>,
    options: WriteOptions,
    sink: &mut impl Write,
    plan: &AheadPlan,
    handoff: Option<&Handoff>,
) -> io::Result<()> {
    let mut buffer = Vec::with_capacity(BUFFER + 4096);
    let on_path = vec![0; tree.arena.len().div_ceil(64)];
    let mut w = Writer::new(tree, options, &mut buffer, sink, plan, handoff, on_path);
    w.out.extend_from_slice(b"{\"hints\":[");
    for (i, hint) in tree.hints.iter().enumerate() {
        if i > 0 {
            w.out.push(b',');
        }
        w.out.extend_from_slice(b"{\"args\":[");
        for (j, arg) in hint.args.iter().enumerate() {
            if j > 0 {
                w.out.push(b',');
            }
            match arg {
                Some(node) => w.run(Emit::Target(Target::Node(*node))),
                None => w.out.extend_from_slice(UNDEFINED.as_bytes()),
            }
        }
        w.out.extend_from_slice(b"],\"code\":");
        write_string(w.out, &(hint.code as char).to_string());
        w.out.push(b'}');
    }
    w.out.extend_from_slice(b"],\"root\":");
    let root = match tree.root_status() {
        Status::Fulfilled => match tree.chunk_target(0) {
            Some(target) => Emit::Target(target),
            None => Emit::Rejected(None),
        },
        Status::Rejected(digest) => Emit::Rejected(digest),
        Status::Pending => Emit::Pending,
    };
    w.run(root);
    w.out.extend_from_slice(b"}\n");
    w.flush();
    match w.failed.take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

const UNDEFINED: &str = "{\"$undefined\":true}";

#[derive(Debug, Clone, Copy)]
enum Emit<'t> {
    Target(Target),
    Text(&'t str),
    Bytes(u8, &'t [u8]),
    Raw(&'static str),
    Rejected(Option<u32>),
    Pending,
}

#[derive(Debug, Clone, Copy)]
enum Seg<'t> {
    Key(&'t str),
    Index(usize),
    Tag(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Identity {
    Node(NodeId),
    Chunk(u64),
}

#[derive(Debug, Clone, Copy)]
enum Task<'t> {
    Emit(Emit<'t>),
    /// Emit a child: push its path segment first, pop it after.
    Child(Seg<'t>, Emit<'t>),
    Raw(&'static str),

    Leave(Identity),
    PushSeg(Seg<'t>),
    PopSeg,
    /// Write an array's items from this index on.
    Items(NodeId, Span, usize),
    /// Write an object's entries from this index on.
    Entries(NodeId, Span, usize),
    /// Write an element from this stage on.
    Element(NodeId, u8),
}

struct Writer<'t, 'a, 'o> {
    tree: &'t Tree<'a>,
    options: WriteOptions,
    out: &'o mut Vec<u8>,
    sink: &'o mut dyn Write,
    failed: Option<io::Error>,
    /// Bytes handed to the sink so far, and how many may be.
    written: u64,
    limit: u64,
    stack: Vec<Task<'t>>,
    segs: Vec<Seg<'t>>,
    /// One bit per node: set while the node is on the current path.
    on_path: Vec<u64>,
    chunks_on_path: HashSet<u64>,
    /// The containers on the current path, each with the length of `segs` where it was
    /// entered (searched only to write a `$cycle` pointer).
    ancestors: Vec<(Identity, usize)>,
    /// References followed in a row without writing anything: past the number of chunks,
    /// the references go round in a cycle that React never resolves.
    hops: usize,
    /// What a helper thread writes ahead (see [`AheadPlan`]).
    plan: &'t AheadPlan,
    handoff: Option<&'t Handoff>,
    /// When writing a subtree alone: every chunk it entered, and whether it met a cycle.
    visited: Option<Vec<u64>>,
    cycled: bool,
}

impl<'t, 'a: 't, 'o> Writer<'t, 'a, 'o> {
    fn new(
        tree: &'t Tree<'a>,
        options: WriteOptions,
        out: &'o mut Vec<u8>,
        sink: &'o mut dyn Write,
        plan: &'t AheadPlan,
        handoff: Option<&'t Handoff>,
        on_path: Vec<u64>,
    ) -> Self {
        Writer {
            tree,
            options,
            out,
            sink,
            failed: None,
            written: 0,
            limit: options.max_output.unwrap_or(u64::MAX),
            stack: Vec::new(),
            segs: Vec::new(),
            on_path,
            chunks_on_path: HashSet::new(),
            ancestors: Vec::new(),
            hops: 0,
            plan,
            handoff,
            visited: None,
            cycled: false,
        }
    }

    /// Copies in what the helper wrote for this chunk, if it was assigned one and wrote it
    /// alone; false when the walk must write it itself.
    fn copy_ahead(&mut self, id: Option<u64>) -> bool {
        let Some(position) = id.and_then(|id| self.tree.chunk_position(id)) else {
            return false;
        };
        let (Some(handoff), Some(Some(index))) = (self.handoff, self.plan.assigned.get(position))
        else {
            return false;
        };
        let Some(bytes) = handoff.take(*index as usize) else {
            return false;
        };
        self.flush();
        self.deliver(&bytes);
        self.hops = 0;
        true
    }

    fn flush(&mut self) {
        let out = std::mem::take(self.out);
        self.deliver(&out);
        *self.out = out;
        self.out.clear();
    }

    /// Hands bytes to the sink, within the output bound.
    fn deliver(&mut self, bytes: &[u8]) {
        self.written += bytes.len() as u64;
        if self.failed.is_none() && self.written > self.limit {
            self.failed = Some(io::Error::other(OutputLimit));
        }
        if self.failed.is_none()
            && let Err(e) = self.sink.write_all(bytes)
        {
            self.failed = Some(e);
        }
    }

    fn run(&mut self, first: Emit<'t>) {
        self.stack.push(Task::Emit(first));
        while let Some(task) = self.stack.pop() {
            if self.out.len() >= BUFFER {
                if self.failed.is_some() {
                    self.stack.clear(); // the sink is gone: stop writing
                    return;
                }
                self.flush();
            }
            match task {
                Task::Emit(e) => self.emit(e),
                Task::Child(seg, e) => {
                    self.segs.push(seg);
                    self.stack.push(Task::PopSeg);
                    self.emit(e);
                }
                Task::Raw(s) => self.out.extend_from_slice(s.as_bytes()),
                Task::Leave(Identity::Node(n)) => self.leave(n),
                Task::Leave(Identity::Chunk(c)) => {
                    self.chunks_on_path.remove(&c);
                    self.ancestors.pop();
                }
                Task::PushSeg(seg) => self.segs.push(seg),
                Task::Items(node, span, from) => self.items(node, span, from),
                Task::Entries(node, span, from) => self.entries(node, span, from),
                Task::Element(node, stage) => self.element(node, stage),
                Task::PopSeg => {
                    self.segs.pop();
                }
            }
        }
    }

    fn leave(&mut self, node: NodeId) {
        let i = self.tree.arena.dense_index(node);
        self.on_path[i / 64] &= !(1 << (i % 64));
        self.ancestors.pop();
    }

    /// Enters a container; false (and a `$cycle` written) when it is its own ancestor.
    fn enter(&mut self, id: Identity) -> bool {
        let fresh = match id {
            Identity::Node(n) => {
                let i = self.tree.arena.dense_index(n);
                let bit = 1 << (i % 64);
                let fresh = self.on_path[i / 64] & bit == 0;
                // Cleared by the container's own end (`leave`), not by a task.
                self.on_path[i / 64] |= bit;
                fresh
            }
            Identity::Chunk(c) => {
                let fresh = self.chunks_on_path.insert(c);
                if fresh {
                    self.stack.push(Task::Leave(id));
                }
                fresh
            }
        };
        if fresh {
            self.ancestors.push((id, self.segs.len()));
            return true;
        }
        let depth = self
            .ancestors
            .iter()
            .rev()
            .find(|(a, _)| *a == id)
            .map_or(0, |&(_, depth)| depth);
        let mut pointer = String::new();
        for seg in &self.segs[..depth.min(self.segs.len())] {
            pointer.push('/');
            match seg {
                Seg::Key(k) => pointer.push_str(&k.replace('~', "~0").replace('/', "~1")),
                Seg::Index(i) => pointer.push_str(&i.to_string()),
                Seg::Tag(t) => pointer.push_str(t),
            }
        }
        self.cycled = true;
        self.out.extend_from_slice(b"{\"$cycle\":");
        write_string(self.out, &pointer);
        self.out.push(b'}');
        false
    }

    fn emit(&mut self, e: Emit<'t>) {
        if !matches!(e, Emit::Target(_)) {
            // Something is written: a chain of references, if one led here, ended.
            self.hops = 0;
        }
        match e {
            Emit::Raw(s) => self.out.extend_from_slice(s.as_bytes()),
            Emit::Text(s) => write_string(self.out, s),
            Emit::Bytes(letter, bytes) => self.bytes(letter, bytes),
            Emit::Rejected(digest) => self.rejected(digest),
            Emit::Pending => self.out.extend_from_slice(b"{\"$pending\":true}"),
            Emit::Target(Target::Chunk(id)) => self.chunk(id),
            Emit::Target(Target::Node(node)) => self.node(node),
        }
    }

    fn rejected(&mut self, digest: Option<u32>) {
        match digest {
            Some(d) => {
                self.out.extend_from_slice(b"{\"$error\":{\"digest\":");
                write_string(self.out, self.tree.digest(d));
                self.out.extend_from_slice(b"}}");
            }
            None => self.out.extend_from_slice(b"{\"$error\":{}}"),
        }
    }

    fn status_emit(status: Status, then: Emit<'t>) -> Emit<'t> {
        match status {
            Status::Fulfilled => then,
            Status::Rejected(d) => Emit::Rejected(d),
            Status::Pending => Emit::Pending,
        }
    }

    /// Opens `{"<tag>":`, schedules the closing `}`, and the inner value as a child.
    fn tagged(&mut self, tag: &'static str, inner: Emit<'t>) {
        self.out.extend_from_slice(b"{");
        write_string(self.out, tag);
        self.out.push(b':');
        self.schedule([Task::Child(Seg::Tag(tag), inner), Task::Raw("}")].into_iter());
    }

    fn node(&mut self, node: NodeId) {
        let tree = self.tree;
        let value = tree.arena.get(node);
        if !matches!(value, Value::Reference(_)) {
            self.hops = 0;
        }
        match value {
            Value::Null => self.out.extend_from_slice(b"null"),
            Value::Bool(true) => self.out.extend_from_slice(b"true"),
            Value::Bool(false) => self.out.extend_from_slice(b"false"),
            Value::Number(n) => write_number(self.out, n),
            Value::String(s) => write_string(self.out, s),
            Value::Undefined => self.out.extend_from_slice(UNDEFINED.as_bytes()),
            Value::Special(s) => {
                let name = match s {
                    SpecialNumber::NaN => "NaN",
                    SpecialNumber::Infinity => "Infinity",
                    SpecialNumber::NegativeInfinity => "-Infinity",
                    SpecialNumber::NegativeZero => "-0",
                };
                self.simple_tag("$num", name);
            }
            Value::BigInt(d) => self.simple_tag("$bigint", d),
            Value::Date(text) => match iso_date(text) {
                Some(iso) => self.simple_tag("$date", &iso),
                None => self.out.extend_from_slice(b"{\"$date\":null}"),
            },
            Value::Symbol(name) => self.simple_tag("$symbol", name),
            Value::ElementMarker => {
                let name = match tree.dialect {
                    super::value::Dialect::React19 => "react.transitional.element",
                    _ => "react.element",
                };
                self.simple_tag("$symbol", name)
            }
            Value::ErrorValue => self.rejected(None),
            Value::FunctionSource(_) => self.out.extend_from_slice(b"{\"$fn\":null}"),
            Value::Omitted => self.out.extend_from_slice(UNDEFINED.as_bytes()),
            Value::Temporary(id) => self.simple_tag("$temporary", id),
            Value::ContextProvider(name) => self.simple_tag("$provider", name),
            Value::Array(ref span) => {
                if self.enter(Identity::Node(node)) {
                    self.out.push(b'[');
                    // A task, not a call: nesting must not grow the call stack.
                    self.stack.push(Task::Items(node, *span, 0));
                }
            }
            Value::Object(ref span) => {
                if self.enter(Identity::Node(node)) {
                    self.out.push(b'{');
                    self.stack.push(Task::Entries(node, *span, 0));
                }
            }
            Value::Element(_) => {
                match tree.element_status(node) {
                    Status::Fulfilled => {}
                    other => return self.emit(Self::status_emit(other, Emit::Pending)),
                }
                if self.enter(Identity::Node(node)) {
                    self.out.extend_from_slice(b"{\"$el\":");
                    self.stack.push(Task::Element(node, 0));
                }
            }
            Value::Reference(ref r) => {
                if let (Some(visited), Some(id)) = (&mut self.visited, r.id()) {
                    visited.push(id);
                }
                let status = tree.reference_status(node, r);
                let target = || match tree.reference_target(r) {
                    Some(t) => Emit::Target(t),
                    None => Emit::Rejected(None),
                };
                if matches!(r.kind, RefKind::Value | RefKind::Lazy) {
                    self.hops += 1;
                    if self.hops > tree.chunks().len() + 1 {
                        self.hops = 0;
                        return self.emit(Emit::Pending);
                    }
                } else {
                    self.hops = 0;
                }
                match r.kind {
                    RefKind::Value | RefKind::Lazy
                        if status == Status::Fulfilled
                            && r.path.len == 0
                            && self.copy_ahead(r.id()) => {}
                    RefKind::Value | RefKind::Lazy | RefKind::Constructor | RefKind::Deferred => {
                        // Scheduled, not called: a chain of references must not grow the call stack.
                        self.stack
                            .push(Task::Emit(Self::status_emit(status, target())))
                    }
                    RefKind::Promise => {
                        let Some(id) = r.id() else {
                            return self.tagged("$promise", Emit::Rejected(None));
                        };
                        if !self.enter(Identity::Chunk(id)) {
                            return;
                        }
                        self.tagged("$promise", Self::status_emit(status, target()))
                    }
                    _ if status != Status::Fulfilled => {
                        self.emit(Self::status_emit(status, Emit::Pending))
                    }
                    RefKind::ServerReference => self.server_reference(node, r),
                    RefKind::Map => self.collection(node, r, "$map", true),
                    RefKind::Set => self.collection(node, r, "$set", false),
                    RefKind::Iterator => self.collection(node, r, "$iterator", false),
                    RefKind::FormData => self.collection(node, r, "$formdata", true),
                    RefKind::Blob => self.blob(r),
                }
            }
        }
    }

    /// Writes a value that has no children at once; false for anything else.
    fn scalar(&mut self, node: NodeId) -> bool {
        let arena = &self.tree.arena;
        match arena.node(node) {
            Node::Null => self.out.extend_from_slice(b"null"),
            Node::Bool(true) => self.out.extend_from_slice(b"true"),
            Node::Bool(false) => self.out.extend_from_slice(b"false"),
            Node::Number(n) => write_number_bytes(self.out, arena.bytes(n)),
            Node::String(s) => write_string_bytes(self.out, arena.bytes(s)),
            _ => return false,
        }
        self.hops = 0;
        true
    }

    /// Writes a child value: at once when it has no children, otherwise by descending into
    /// it after leaving `resume` to carry on with its parent. Returns true when written.
    fn child(&mut self, seg: Seg<'t>, child: Option<NodeId>, resume: Task<'t>) -> bool {
        let Some(child) = child else {
            self.out.extend_from_slice(UNDEFINED.as_bytes());
            return true;
        };
        if self.scalar(child) {
            return true;
        }
        self.stack.push(resume);
        self.stack.push(Task::PopSeg);
        self.segs.push(seg);
        self.node(child);
        false
    }

    /// Writes items inline while they are scalars; at the first one that is not, descends
    /// into it and leaves a task to resume after it. No recursion, few tasks.
    fn items(&mut self, node: NodeId, span: Span, mut i: usize) {
        let items = self.tree.arena.items(span);
        while let Some(&item) = items.get(i) {
            if i > 0 {
                self.out.push(b',');
            }
            // A long array of scalars is written here without a task per item: hand the
            // buffer on as the task loop does, so it never holds more than a buffer's worth.
            if self.out.len() >= BUFFER {
                if self.failed.is_some() {
                    self.stack.clear(); // the sink is gone: stop writing
                    return;
                }
                self.flush();
            }
            i += 1;
            if !self.child(Seg::Index(i - 1), Some(item), Task::Items(node, span, i)) {
                return;
            }
        }
        self.out.push(b']');
        self.leave(node);
    }

    fn entries(&mut self, node: NodeId, span: Span, mut i: usize) {
        let arena = &self.tree.arena;
        while let Some((key, value)) = arena.raw_entry(span, i) {
            if i > 0 {
                self.out.push(b',');
            }
            if self.out.len() >= BUFFER {
                if self.failed.is_some() {
                    self.stack.clear(); // the sink is gone: stop writing
                    return;
                }
                self.flush();
            }
            write_key(self.out, arena.bytes(key));
            self.out.push(b':');
            i += 1;
            if !self.scalar(value) {
                let key = arena.str(key);
                self.child(Seg::Key(key), Some(value), Task::Entries(node, span, i));
                return;
            }
        }
        self.out.push(b'}');
        self.leave(node);
    }

    /// Writes an element from `stage` on: 0 its type, 1 its key, 2 its props, 3 the end.
    fn element(&mut self, node: NodeId, mut stage: u8) {
        let Value::Element(el) = self.tree.arena.get(node) else {
            return;
        };
        loop {
            let resume = Task::Element(node, stage + 1);
            let written = match stage {
                0 => self.child(Seg::Tag("$el"), el.element_type, resume),
                1 => {
                    self.out.extend_from_slice(b",\"key\":");
                    self.child(Seg::Tag("key"), el.key, resume)
                }
                2 => {
                    self.out.extend_from_slice(b",\"props\":");
                    self.child(Seg::Tag("props"), el.props, resume)
                }
                _ => {
                    self.out.push(b'}');
                    self.leave(node);
                    return;
                }
            };
            if !written {
                return;
            }
            stage += 1;
        }
    }

    fn simple_tag(&mut self, tag: &str, value: &str) {
        self.out.push(b'{');
        write_string(self.out, tag);
        self.out.push(b':');
        write_string(self.out, value);
        self.out.push(b'}');
    }

    /// The items of the array a reference points at (after following references).
    fn target_items(&self, r: &super::value::Reference) -> Option<&'t [NodeId]> {
        let tree = self.tree;
        let Target::Node(n) = tree.settle(tree.reference_target(r)?)? else {
            return None;
        };
        match tree.arena.get(n) {
            Value::Array(ref span) => Some(tree.arena.items(*span)),
            _ => None,
        }
    }

    /// Schedules tasks to run in the order given.
    fn schedule(&mut self, tasks: impl DoubleEndedIterator<Item = Task<'t>>) {
        self.stack.extend(tasks.rev());
    }

    fn collection(
        &mut self,
        node: NodeId,
        r: &super::value::Reference,
        tag: &'static str,
        pairs: bool,
    ) {
        if !self.enter(Identity::Node(node)) {
            return;
        }
        let tree = self.tree;
        let items = self.target_items(r).unwrap_or(&[]);
        self.out.push(b'{');
        write_string(self.out, tag);
        self.out.extend_from_slice(b":[");
        let mut tasks = vec![Task::PushSeg(Seg::Tag(tag))];
        for (i, &item) in items.iter().enumerate() {
            if i > 0 {
                tasks.push(Task::Raw(","));
            }
            if !pairs {
                tasks.push(Task::Child(Seg::Index(i), Emit::Target(Target::Node(item))));
                continue;
            }
            let pair = match tree.settle(Target::Node(item)) {
                Some(Target::Node(p)) => match tree.arena.get(p) {
                    Value::Array(ref span) => tree.arena.items(*span),
                    _ => &[],
                },
                _ => &[],
            };
            let half = |j: usize| {
                pair.get(j)
                    .map_or(Emit::Raw(UNDEFINED), |&n| Emit::Target(Target::Node(n)))
            };
            tasks.extend([
                Task::PushSeg(Seg::Index(i)),
                Task::Raw("["),
                Task::Child(Seg::Index(0), half(0)),
                Task::Raw(","),
                Task::Child(Seg::Index(1), half(1)),
                Task::Raw("]"),
                Task::PopSeg,
            ]);
        }
        tasks.extend([
            Task::PopSeg,
            Task::Raw("]}"),
            Task::Leave(Identity::Node(node)),
        ]);
        self.schedule(tasks.into_iter());
    }

    fn server_reference(&mut self, node: NodeId, r: &super::value::Reference) {
        let tree = self.tree;
        let meta = match tree.reference_target(r).and_then(|t| tree.settle(t)) {
            Some(Target::Node(m)) => m,
            _ => return self.out.extend_from_slice(b"{\"$fn\":null}"),
        };
        // Bound arguments may hold this very reference again (found by fuzzing).
        if !self.enter(Identity::Node(node)) {
            return;
        }
        let id = tree.arena.field(meta, "id");
        let bound = tree.arena.field(meta, "bound");
        let bound_emit = match bound.map(|b| (b, tree.arena.get(b))) {
            None | Some((_, Value::Null)) => Emit::Raw("[]"),
            Some((b, Value::Reference(ref br))) if br.kind == RefKind::Promise => {
                let status = tree.reference_status(b, br);
                Self::status_emit(
                    status,
                    tree.reference_target(br)
                        .map_or(Emit::Rejected(None), Emit::Target),
                )
            }
            Some((b, _)) => Emit::Target(Target::Node(b)),
        };
        let id_emit = id.map_or(Emit::Raw("null"), |i| Emit::Target(Target::Node(i)));
        self.out.extend_from_slice(b"{\"$fn\":{\"bound\":");
        self.schedule(
            [
                Task::PushSeg(Seg::Tag("$fn")),
                Task::Child(Seg::Tag("bound"), bound_emit),
                Task::Raw(",\"id\":"),
                Task::Child(Seg::Tag("id"), id_emit),
                Task::PopSeg,
                Task::Raw("}}"),
                Task::Leave(Identity::Node(node)),
            ]
            .into_iter(),
        );
    }

    fn blob(&mut self, r: &super::value::Reference) {
        let tree = self.tree;
        let items = self.target_items(r).unwrap_or(&[]);
        let mime = items.first().and_then(|&m| match tree.arena.get(m) {
            Value::String(s) => Some(s),
            _ => None,
        });
        let mut size = 0usize;
        for &part in items.iter().skip(1) {
            if let Some(Target::Chunk(c)) = tree.settle(Target::Node(part))
                && let Some(chunk) = tree.chunk(c)
                && let Content::Binary { bytes, .. } = chunk.content
            {
                size += bytes.len();
            }
        }
        self.out
            .extend_from_slice(format!("{{\"$blob\":{{\"size\":{size},\"type\":").as_bytes());
        write_string(self.out, mime.unwrap_or(""));
        self.out.extend_from_slice(b"}}");
    }

    fn chunk(&mut self, id: u64) {
        if let Some(visited) = &mut self.visited {
            visited.push(id);
        }
        let tree = self.tree;
        let Some(chunk) = tree.chunk(id) else {
            return self.rejected(None);
        };
        match &chunk.content {
            Content::Model(node) => self.node(*node),
            Content::Text(text) => write_string(self.out, text),
            Content::Binary { letter, bytes } => self.bytes(*letter, bytes),
            Content::Module(node) => self.client_reference(*node),
            Content::Error(digest) => self.rejected(*digest),
            Content::Failed => self.rejected(None),
            Content::Halted => self.emit(Emit::Pending),
            Content::Stream(stream) => {
                if !self.enter(Identity::Chunk(id)) {
                    return;
                }
                self.out.extend_from_slice(b"{\"$stream\":{");
                // An open stream is errored when the response ends ("Connection closed.").
                let error = match stream.error {
                    Some(d) => Some(d),
                    None if !stream.closed => Some(None),
                    None => None,
                };
                let mut tasks = Vec::new();
                if let Some(digest) = error {
                    tasks.push(Task::Raw("\"error\":"));
                    tasks.push(Task::Emit(Emit::Rejected(digest)));
                    tasks.push(Task::Raw(","));
                }
                tasks.push(Task::Raw("\"items\":["));
                tasks.push(Task::PushSeg(Seg::Tag("$stream")));
                tasks.push(Task::PushSeg(Seg::Tag("items")));
                for (i, item) in stream.items.iter().enumerate() {
                    if i > 0 {
                        tasks.push(Task::Raw(","));
                    }
                    let e = match item {
                        Item::Model(n) => Emit::Target(Target::Node(*n)),
                        Item::Text(t) => Emit::Text(t),
                        Item::Binary { letter, bytes } => Emit::Bytes(*letter, bytes),
                        Item::Failed => Emit::Rejected(None),
                    };
                    tasks.push(Task::Child(Seg::Index(i), e));
                }
                tasks.extend([Task::PopSeg, Task::PopSeg, Task::Raw("]}}")]);
                self.schedule(tasks.into_iter());
            }
        }
    }

    fn client_reference(&mut self, node: NodeId) {
        let tree = self.tree;
        let arena = &tree.arena;
        let (id, chunks, name, is_async) = match arena.get(node) {
            Value::Array(ref span) => {
                let items = arena.items(*span);
                (
                    items.first().copied(),
                    items.get(1).copied(),
                    items.get(2).copied(),
                    items.get(3).copied(),
                )
            }
            Value::Object(_) => (
                arena.field(node, "id"),
                arena.field(node, "chunks"),
                arena.field(node, "name"),
                arena.field(node, "async"),
            ),
            _ => (None, None, None, None),
        };
        let settle = |n: Option<NodeId>, absent: &'static str| match n {
            None => Emit::Raw(absent),
            Some(n) => match tree.settle(Target::Node(n)) {
                Some(t) => Emit::Target(t),
                None => Emit::Rejected(None),
            },
        };
        self.out.extend_from_slice(b"{\"$client\":{");
        let mut tasks = Vec::new();
        if self.options.detailed {
            tasks.extend([
                Task::Raw("\"async\":"),
                Task::Emit(settle(is_async, "false")),
                Task::Raw(",\"chunks\":"),
                Task::Emit(settle(chunks, "[]")),
                Task::Raw(","),
            ]);
        }
        tasks.extend([
            Task::Raw("\"id\":"),
            Task::Emit(settle(id, "null")),
            Task::Raw(",\"name\":"),
            Task::Emit(settle(name, "\"\"")),
            Task::Raw("}}"),
        ]);
        self.schedule(tasks.into_iter());
    }

    fn bytes(&mut self, letter: u8, bytes: &[u8]) {
        let kind = match letter {
            b'A' => "ArrayBuffer",
            b'O' | b'C' => "Int8Array",
            b'o' | b'c' | b'b' => "Uint8Array",
            b'U' => "Uint8ClampedArray",
            b'S' => "Int16Array",
            b's' => "Uint16Array",
            b'L' => "Int32Array",
            b'l' => "Uint32Array",
            b'G' | b'F' => "Float32Array",
            b'g' | b'D' | b'd' => "Float64Array",
            b'M' | b'N' => "BigInt64Array",
            b'm' => "BigUint64Array",
            b'V' => "DataView",
            _ => "Uint8Array",
        };
        self.out.extend_from_slice(b"{\"$bytes\":{\"base64\":\"");
        base64(self.out, bytes);
        self.out.extend_from_slice(b"\",\"type\":");
        write_string(self.out, kind);
        self.out.extend_from_slice(b"}}");
    }
}

/// A payload key: one more `$` in front of a key that starts with `$`, so it can never be
/// mistaken for the canonical tags.
fn write_key(out: &mut Vec<u8>, key: &[u8]) {
    out.push(b'"');
    if key.first() == Some(&b'$') {
        out.push(b'$');
    }
    write_string_body(out, key);
    out.push(b'"');
}

/// A string as `JSON.stringify` writes it.
pub(crate) fn write_string(out: &mut Vec<u8>, s: &str) {
    write_string_bytes(out, s.as_bytes());
}

/// [`write_string`] for the bytes of a string (valid UTF-8 by construction).
fn write_string_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    write_string_body(out, bytes);
    out.push(b'"');
}

fn write_string_body(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip eight bytes at a time while none of them needs escaping.
        if let Some(word) = bytes.get(i..i + 8) {
            let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8])); // ok: the slice has 8 bytes
            if !super::scan::word_is_special(w) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[(b >> 4) as usize],
                    HEX[(b & 15) as usize],
                ]);
                i += 1;
                start = i;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// A JSON number literal as JavaScript prints the number it parses to.
pub(crate) fn write_number(out: &mut Vec<u8>, literal: &str) {
    write_number_bytes(out, literal.as_bytes());
}

fn write_number_bytes(out: &mut Vec<u8>, b: &[u8]) {
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    // Integers of up to 15 digits print as written (no leading zeros in valid JSON).
    if digits.len() <= 15 && digits.iter().all(u8::is_ascii_digit) && b != b"-0" {
        out.extend_from_slice(b);
        return;
    }
    let literal = std::str::from_utf8(b).unwrap_or("NaN");
    let value: f64 = literal.parse().unwrap_or(f64::NAN);
    if value == 0.0 && value.is_sign_negative() {
        out.extend_from_slice(b"{\"$num\":\"-0\"}");
    } else if value.is_infinite() {
        out.extend_from_slice(if value > 0.0 {
            b"{\"$num\":\"Infinity\"}"
        } else {
            b"{\"$num\":\"-Infinity\"}"
        });
    } else if value.is_nan() {
        out.extend_from_slice(b"{\"$num\":\"NaN\"}");
    } else {
        out.extend_from_slice(js_number(value).as_bytes());
    }
}

/// `Number.prototype.toString()` for a finite number.
pub(crate) fn js_number(value: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, as JavaScript uses.
    let sci = format!("{:e}", value.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let k = digits.len() as i32;
    let n = exponent + 1;
    let sign = if value < 0.0 { "-" } else { "" };
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let e = if e >= 0 {
            format!("+{e}")
        } else {
            e.to_string()
        };
        if k == 1 {
            format!("{digits}e{e}")
        } else {
            format!("{}.{}e{e}", &digits[..1], &digits[1..])
        }
    };
    format!("{sign}{body}")
}

/// `new Date(Date.parse(text)).toISOString()` for the ISO forms servers send;
/// `None` for an invalid date.
pub(crate) fn iso_date(text: &str) -> Option<String> {
    let t = text.as_bytes();
    let num = |s: &[u8]| -> Option<u32> {
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(s).ok()?.parse().ok()
    };
    let (year, rest): (String, &[u8]) = match t.first()? {
        b'+' | b'-' if t.len() >= 7 => {
            let y = num(&t[1..7])?;
            if t[0] == b'-' && y == 0 {
                return None;
            }
            let y = if t[0] == b'-' {
                format!("-{y:06}")
            } else if y > 9999 {
                format!("+{y:06}")
            } else {
                format!("{y:04}")
            };
            (y, &t[7..])
        }
        _ if t.len() >= 4 => (format!("{:04}", num(&t[..4])?), &t[4..]),
        _ => return None,
    };
    let mut month = 1;
    let mut day = 1;
    let mut rest = rest;
    if let [b'-', m1, m2, r @ ..] = rest {
        month = num(&[*m1, *m2])?;
        rest = r;
        if let [b'-', d1, d2, r @ ..] = rest {
            day = num(&[*d1, *d2])?;
            rest = r;
        }
    }
    let (mut hour, mut minute, mut second, mut millis) = (0, 0, 0, 0);
    if let [b'T', h1, h2, b':', mi1, mi2, r @ ..] = rest {
        hour = num(&[*h1, *h2])?;
        minute = num(&[*mi1, *mi2])?;
        rest = r;
        if let [b':', s1, s2, r @ ..] = rest {
            second = num(&[*s1, *s2])?;
            rest = r;
            if let [b'.', r @ ..] = rest {
                let n = r.iter().take_while(|b| b.is_ascii_digit()).count();
                if n == 0 {
                    return None;
                }
                let mut frac = r[..n.min(3)].to_vec();
                frac.resize(3, b'0');
                millis = num(&frac)?;
                rest = &r[n..];
            }
        }
        match rest {
            b"Z" => {}
            _ => return None,
        }
    } else if !rest.is_empty() {
        return None;
    }
    let days_in_month = match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if day == 0 || day > days_in_month || hour > 24 || minute > 59 || second > 59 {
        return None;
    }
    if hour == 24 && (minute, second, millis) != (0, 0, 0) {
        return None;
    }
    if month == 2 && day == 29 {
        let y: i64 = year.trim_start_matches('+').parse().ok()?;
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        if !leap {
            return None; // Date.parse rolls Feb 29 of a common year over; rare enough to leave
        }
    }
    if hour == 24 {
        return None; // would roll over to the next day; not produced by servers
    }
    Some(format!(
        "{year}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}Z"
    ))
}

fn base64(out: &mut Vec<u8>, bytes: &[u8]) {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        out.push(TABLE[(n >> 18) as usize & 63]);
        out.push(TABLE[(n >> 12) as usize & 63]);
        out.push(if chunk.len() > 1 {
            TABLE[(n >> 6) as usize & 63]
        } else {
            b'='
        });
        out.push(if chunk.len() > 2 {
            TABLE[n as usize & 63]
        } else {
            b'='
        });
    }
}

/// An [`io::Write`] adapter that re-indents compact JSON with two spaces, for people.
/// It keeps only a few bytes of state, so it works on output of any size.
pub struct Pretty<W: Write> {
    inner: W,
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// A container was just opened: its newline waits to see whether it is empty.
    opened: Option<u8>,
    buf: Vec<u8>,
}

impl<W: Write> Pretty<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Pretty {
            inner,
            depth: 0,
            in_string: false,
            escaped: false,
            opened: None,
            buf: Vec::with_capacity(BUFFER),
        }
    }

    fn newline(&mut self) {
        self.buf.push(b'\n');
        self.buf.resize(self.buf.len() + self.depth * 2, b' ');
    }
}

impl<W: Write> Write for Pretty<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        for &b in bytes {
            if let Some(open) = self.opened.take() {
                let close = if open == b'{' { b'}' } else { b']' };
                if b == close {
                    self.buf.push(b);
                    continue;
                }
                self.depth += 1;
                self.newline();
            }
            if self.in_string {
                self.buf.push(b);
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => {
                    self.in_string = true;
                    self.buf.push(b);
                }
                b'{' | b'[' => {
                    self.buf.push(b);
                    self.opened = Some(b);
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    self.newline();
                    self.buf.push(b);
                }
                b',' => {
                    self.buf.push(b);
                    self.newline();
                }
                b':' => self.buf.extend_from_slice(b": "),
                _ => self.buf.push(b),
            }
        }
        if self.buf.len() >= BUFFER {
            self.inner.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.write_all(&self.buf)?;
        self.buf.clear();
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_takes_what_the_helper_wrote_and_drops_what_it_went_past() {
        let handoff = Handoff::new(4);
        handoff.put(0, Some(b"zero".to_vec()));
        handoff.put(1, None);
        handoff.put(2, Some(b"two".to_vec()));
        assert_eq!(handoff.lock().waiting, 7);
        assert_eq!(handoff.take(1), None, "written alone it would differ");
        assert_eq!(handoff.lock().waiting, 3, "item 0 was passed: dropped");
        assert_eq!(
            handoff.take(0),
            None,
            "passed items are written by the walk"
        );
        assert_eq!(handoff.take(2).as_deref(), Some(&b"two"[..]));
        assert_eq!(handoff.lock().waiting, 0);
        // A helper that is gone (it stopped, or it panicked) leaves no one waiting.
        handoff.update(|h| h.helper_gone = true);
        assert_eq!(handoff.take(3), None);
    }

    #[test]
    fn the_helper_waits_while_too_much_is_untaken_and_stops_when_the_walk_ends() {
        let handoff = Handoff::new(3);
        std::thread::scope(|scope| {
            let helper = scope.spawn(|| {
                let mut written = 0;
                for index in 0..3 {
                    if !handoff.wait_for_room() {
                        break;
                    }
                    handoff.put(index, Some(vec![0; AHEAD_BUDGET + 1]));
                    written += 1;
                }
                written
            });
            // The first item fills the budget: the helper waits until it is taken.
            assert_eq!(handoff.take(0).map(|b| b.len()), Some(AHEAD_BUDGET + 1));
            // The walk ends without taking the second: the helper stops.
            while handoff.lock().finished < 2 {
                std::thread::yield_now();
            }
            handoff.update(|h| h.walk_done = true);
            assert_eq!(helper.join().ok(), Some(2));
        });
    }

    #[test]
    fn numbers_print_as_javascript_does() {
        for (input, js) in [
            ("1.50", "1.5"),
            ("1e21", "1e+21"),
            ("1e-7", "1e-7"),
            ("0.000001", "0.000001"),
            ("123456789012345678", "123456789012345680"),
            ("-2.5e3", "-2500"),
            ("1E400", "{\"$num\":\"Infinity\"}"),
            ("-0", "{\"$num\":\"-0\"}"),
            ("42", "42"),
        ] {
            let mut out = Vec::new();
            write_number(&mut out, input);
            assert_eq!(String::from_utf8(out).unwrap(), js, "{input}");
        }
    }

    #[test]
    fn dates_normalise_or_are_invalid() {
        assert_eq!(
            iso_date("2024-02-29T12:34:56.789Z").as_deref(),
            Some("2024-02-29T12:34:56.789Z")
        );
        assert_eq!(
            iso_date("1970-01-01").as_deref(),
            Some("1970-01-01T00:00:00.000Z")
        );
        assert_eq!(iso_date("not-a-date"), None);
    }

    #[test]
    fn strings_escape_like_json_stringify() {
        let mut out = Vec::new();
        write_string(&mut out, "a\"b\\c\n\u{1}é\u{2028}");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a\\\"b\\\\c\\n\\u0001é\u{2028}\""
        );
    }

    #[test]
    fn base64_pads() {
        let mut out = Vec::new();
        base64(&mut out, b"hello");
        assert_eq!(out, b"aGVsbG8=");
    }
}
