//! The Next.js facts of a resolved App Router payload, for every era of docs/FLIGHT-FORMAT.md
//! §4.4–§4.8: what kind of response it is, the build id, the router tree and from it the
//! route pattern, the concrete path and its params, the CSS and JS assets, and what can
//! be told of the Next.js version. Keys are read by name and shapes told apart by what
//! they hold, never by position alone, so one reader serves 13.0 to 16.4.

use serde::Serialize;

use crate::flight::resolve::Content;
use crate::flight::value::RefKind;
use crate::flight::view::View;
use crate::flight::{Dialect, Tree, Value};
use crate::next::html::{BeforeInteractiveScript, HtmlAssets};
use crate::next::images::ImageOptimizer;
pub use crate::next::links::LinkStyle;
pub use crate::next::response::{PayloadKind, Response};

/// One segment of the router tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Segment {
    /// A static path segment; route groups `(name)` and interception markers included.
    Static {
        /// The segment as written: `""` for the root layout, `blog`, `(group)`.
        name: String,
    },
    /// The page leaf (`__PAGE__`).
    Page,
    /// A parallel slot's `default.js` (`__DEFAULT__`).
    Default,
    /// A dynamic segment.
    Dynamic {
        /// The param name (without brackets).
        param: String,
        /// The value from the URL; `None` when the payload leaves it to the URL (16.4).
        value: Option<String>,
        /// How the folder is written.
        #[serde(rename = "paramKind")]
        param_kind: ParamKind,
        /// The type code as sent (`d`, `c`, `oc`, `di(..)` …).
        code: String,
    },
}

/// The kind of a dynamic segment (docs/FLIGHT-FORMAT.md §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParamKind {
    /// `[slug]`
    Dynamic,
    /// `[...slug]`
    CatchAll,
    /// `[[...slug]]`
    OptionalCatchAll,
    /// `(.)[slug]` and the other interception markers
    DynamicIntercepted,
    /// `(..)[...slug]` and the other interception markers
    CatchAllIntercepted,
}

impl ParamKind {
    fn from_code(code: &str) -> Option<ParamKind> {
        Some(match code {
            "d" => ParamKind::Dynamic,
            "c" => ParamKind::CatchAll,
            "oc" => ParamKind::OptionalCatchAll,
            _ if code.starts_with("di") => ParamKind::DynamicIntercepted,
            _ if code.starts_with("ci") => ParamKind::CatchAllIntercepted,
            _ => return None,
        })
    }

    fn is_catch_all(self) -> bool {
        matches!(
            self,
            ParamKind::CatchAll | ParamKind::OptionalCatchAll | ParamKind::CatchAllIntercepted
        )
    }
}

/// The router tree: a segment and its parallel slots (`children` and named slots).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouterTree {
    /// This node's segment.
    pub segment: Segment,
    /// The slots, in the order the payload lists them (JSON: an object by slot name).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "slots_as_object"
    )]
    pub slots: Vec<(String, RouterTree)>,
}

fn slots_as_object<S: serde::Serializer>(
    slots: &[(String, RouterTree)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(slots.len()))?;
    for (name, tree) in slots {
        map.serialize_entry(name, tree)?;
    }
    map.end()
}

/// A param's value as Next hands it to the page: a string, or for catch-alls a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// `[slug]`
    One(String),
    /// `[...slug]`, `[[...slug]]`
    Many(Vec<String>),
}

/// One param of the route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Param {
    /// The name.
    pub name: String,
    /// The value; `None` when neither the payload nor a URL in it says.
    pub value: Option<ParamValue>,
    /// The kind.
    pub kind: ParamKind,
}

/// Which router served the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RouterKind {
    /// The App Router (React Server Components).
    App,
    /// The pages router (`__NEXT_DATA__`).
    Pages,
}

/// CSS and JS files a page uses, as absolute paths or URLs, first seen first, and the
/// image optimiser its images go through.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Assets {
    /// Stylesheets.
    pub css: Vec<String>,
    /// Scripts.
    pub js: Vec<String>,
    /// Next's image optimiser, when the page shows its images going through it (its own
    /// `<img srcset>` or an image preload); absent for images served as they are and
    /// when the page does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<ImageOptimizer>,
}

impl Assets {
    fn add_css(&mut self, url: String) {
        self.css.push(url);
    }

    fn add_js(&mut self, url: String) {
        self.js.push(url);
    }

    /// Keeps the first of each URL (in linear time: a page may list thousands).
    fn dedupe(&mut self) {
        for list in [&mut self.css, &mut self.js] {
            let mut seen = std::collections::HashSet::new();
            list.retain(|url| seen.insert(url.clone()));
        }
    }

    /// Adds the assets of an HTML page after these, skipping ones already listed.
    pub fn merge(&mut self, html: &HtmlAssets) {
        html.css.iter().for_each(|c| self.add_css(c.clone()));
        html.js.iter().for_each(|j| self.add_js(j.clone()));
        ImageOptimizer::merge(&mut self.images, html.images.as_ref());
        self.dedupe();
    }
}

/// What a payload says about the Next.js app that sent it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NextFacts {
    /// App or pages router.
    pub router: RouterKind,
    /// What kind of response this is (`None` for pages-router pages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<PayloadKind>,
    /// What the response is (a page, a redirect, a not-found page …), read with the
    /// composed page (`responseKind`, `redirect`, `errorDigest` in JSON).
    #[serde(flatten)]
    pub response: Response,
    /// The Next.js versions the payload's shape fits (`"15.2–15.5"`, `"16.4+"` …).
    pub version: Option<String>,
    /// The build id; Next 13.0 – 13.3 payloads carry none, 16.2+ may leave it out.
    pub build_id: Option<String>,
    /// The route pattern with route groups left out: `/posts/[...slug]`.
    pub route: Option<String>,
    /// The concrete path: `/posts/hello`.
    pub path: Option<String>,
    /// The search string when the payload says (`?a=1`).
    pub search: Option<String>,
    /// Param values by name, as the page receives them.
    pub params: serde_json::Map<String, serde_json::Value>,
    /// The dynamic segments of the route, in order, with their kinds.
    pub dynamic_segments: Vec<Param>,
    /// The asset prefix, when the payload says.
    pub asset_prefix: Option<String>,
    /// The site's `basePath` and `trailingSlash`, and what they were read from (set once
    /// the page is composed; `basePath`, `trailingSlash` in JSON).
    #[serde(flatten)]
    pub link_style: LinkStyle,
    /// The page's URL as the payload carries it (`c`, `urlParts`, `initialCanonicalUrl`).
    #[serde(skip)]
    pub url: Option<String>,
    /// The router tree (App Router).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub router_tree: Option<RouterTree>,
    /// Segments above `router_tree` that a partial response starts below.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub segment_path: Vec<Segment>,
    /// CSS and JS files.
    pub assets: Assets,
    /// `next/script` scripts loaded before hydration (`self.__next_s`, HTML pages only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub before_interactive: Vec<BeforeInteractiveScript>,
}

/// Deeper router trees are cut (real ones are a handful of levels; this bounds the stack).
const MAX_TREE_DEPTH: usize = 128;
/// More segments than this are cut (real router trees have tens).
const MAX_TREE_NODES: usize = 4096;

/// Reads the Next.js facts of an App Router payload.
pub fn app_facts(tree: &Tree<'_>) -> NextFacts {
    let root = tree.root();
    let object_root = root.filter(|r| matches!(r.value(), Some(Value::Object(_))));
    // An object root (Next 14.2+) says everything itself; the AppRouter element is older.
    let app_router = if object_root.is_some() {
        None
    } else {
        find_app_router(tree)
    };
    let props = app_router.and_then(|el| el.props);

    let payload = object_root.map_or_else(
        || Some(array_payload_kind(root, props.is_some())),
        |o| Some(object_payload_kind(&o)),
    );
    let build_id = object_root
        .and_then(|o| o.str_field("b"))
        .or_else(|| array_build_id(root))
        .or_else(|| props.and_then(|p| p.str_field("buildId")))
        .map(str::to_string);
    let asset_prefix = object_root
        .and_then(|o| o.str_field("p"))
        .or_else(|| props.and_then(|p| p.str_field("assetPrefix")))
        .map(str::to_string);

    let (router_tree, segment_path, flight_data_path) = router_tree_of(root, object_root, props);
    let url = canonical_url(object_root, props);
    let mut facts = NextFacts {
        router: RouterKind::App,
        payload,
        response: Response::default(),
        version: version_of(tree, root, object_root, props, flight_data_path),
        build_id,
        route: None,
        path: None,
        search: None,
        params: serde_json::Map::new(),
        dynamic_segments: Vec::new(),
        asset_prefix,
        link_style: LinkStyle::default(),
        url: url.clone(),
        router_tree,
        segment_path,
        assets: Assets::default(),
        before_interactive: Vec::new(),
    };
    if facts.version.is_none() && facts.router_tree.is_none() && facts.build_id.is_none() {
        // Flight, but none of the roots Next.js sends (a bare React payload).
        facts.payload = None;
    }
    fill_route(&mut facts, url);
    if let Some(q) = object_root.and_then(|o| o.str_field("q")) {
        facts.search = Some(q.to_string());
    }
    facts.assets = assets_of(tree, facts.asset_prefix.as_deref().unwrap_or(""));
    facts
}

/// The AppRouter element of 13.x – 14.x HTML payloads: the element whose props hold the
/// initial tree, wherever row 0 puts it (§4.4.1).
/// The AppRouter element of a 13.x – 14.x payload: the first with an `initialTree`, else
/// the first with a `buildId`, found in one pass over the elements.
pub(crate) fn find_app_router<'t>(tree: &'t Tree<'t>) -> Option<crate::flight::ElementView<'t>> {
    let root = tree.root()?;
    // Where it lives: the root of a 13.x – 14.x page's flight.
    if let Some(element) = root.element()
        && element
            .props
            .is_some_and(|p| p.field("initialTree").is_some() || p.field("buildId").is_some())
    {
        return Some(element);
    }
    // A `[buildId, flightData]` response (a navigation, a prefetch) has none.
    if root.index(0).and_then(|first| first.str()).is_some() {
        return None;
    }
    let mut with_build_id = None;
    for (node, el) in tree.element_nodes() {
        let Some(props) = el.props.and_then(|p| tree.view(p)) else {
            continue;
        };
        if props.field("initialTree").is_some() {
            return tree.view(node)?.element();
        }
        if with_build_id.is_none() && props.field("buildId").is_some() {
            with_build_id = Some(node);
        }
    }
    tree.view(with_build_id?)?.element()
}

fn object_payload_kind(root: &View<'_>) -> PayloadKind {
    let has = |k: &str| root.field(k).is_some();
    if has("u") && !has("q") {
        // 16.4 per-segment page payload {t, a, u, b}.
        PayloadKind::Segment
    } else if has("a") && (has("f") || has("q") || !has("t")) {
        PayloadKind::Action
    } else if has("G") || has("c") || has("P") {
        PayloadKind::Document
    } else if has("t") && !has("q") && !has("S") {
        // The 16.4 `_tree` payload {b, t}.
        PayloadKind::Segment
    } else {
        PayloadKind::Navigation
    }
}

fn array_payload_kind(root: Option<View<'_>>, has_app_router: bool) -> PayloadKind {
    let Some(root) = root else {
        return PayloadKind::Document;
    };
    if root.element().is_some() || has_app_router && root.index(0).and_then(|r| r.str()).is_none() {
        return PayloadKind::Document;
    }
    if is_action_array(&root) {
        return PayloadKind::Action;
    }
    PayloadKind::Navigation
}

/// `[result, [buildId, FlightData | null]]` (13.4 – 14.x action replies).
pub(crate) fn is_action_array(root: &View<'_>) -> bool {
    root.len() == Some(2)
        && root.index(1).is_some_and(|second| {
            second.len() == Some(2) && second.index(0).and_then(|b| b.str()).is_some()
        })
        && !root.index(1).and_then(|s| s.index(1)).is_some_and(|fd| {
            // `[buildId, [[tree…]]]` also has two items; there the first item is the id.
            fd.index(0).and_then(|p| p.index(0)).is_some()
                && root.index(0).is_some_and(|b| b.str().is_some())
        })
}

/// The build id of the array roots: `[buildId, FlightData]` (13.4 – 14.x navigation)
/// and `[result, [buildId, …]]` (actions).
fn array_build_id<'t>(root: Option<View<'t>>) -> Option<&'t str> {
    let root = root?;
    if root.len()? != 2 {
        return None;
    }
    if is_action_array(&root) {
        return root.index(1)?.index(0)?.str();
    }
    let first = root.index(0)?.str()?;
    // The second item is FlightData: a list of paths, or a URL string (MPA navigation).
    let second = root.index(1)?;
    (second.len().is_some() || second.str().is_some()).then_some(first)
}

/// The router tree: from `t` (16.4), the first FlightDataPath of `f` or of the array
/// roots, or the AppRouter's `initialTree`. Also the segment path a partial response
/// starts below, and the FlightDataPath read (for the version).
fn router_tree_of<'t>(
    root: Option<View<'t>>,
    object_root: Option<View<'t>>,
    props: Option<View<'t>>,
) -> (Option<RouterTree>, Vec<Segment>, Option<View<'t>>) {
    if let Some(transport) = object_root.and_then(|o| o.field("t")) {
        let node = transport.field("t");
        return (
            node.and_then(|n| transport_tree(&n, 0, &mut MAX_TREE_NODES.clone())),
            Vec::new(),
            None,
        );
    }
    let flight_data = if let Some(o) = object_root {
        o.field("f")
    } else if let Some(initial) = props.and_then(|p| p.field("initialTree")) {
        return (
            router_state(&initial, 0, &mut MAX_TREE_NODES.clone()),
            Vec::new(),
            None,
        );
    } else {
        root.and_then(|r| {
            if is_action_array(&r) {
                r.index(1)?.index(1)
            } else if r.index(0)?.str().is_some() {
                r.index(1)
            } else {
                // 13.0 – 13.3 navigation: the root is FlightData itself.
                Some(r)
            }
        })
    };
    let Some(path) = flight_data.and_then(|fd| fd.index(0)) else {
        return (None, Vec::new(), None);
    };
    let Some(len) = path.len() else {
        return (None, Vec::new(), None);
    };
    let Some(at) = tail_start(&path, len) else {
        return (None, Vec::new(), Some(path));
    };
    // The prefix is [slot, segment, slot, segment …] down to the tree's own segment.
    let mut prefix: Vec<Segment> = (1..at)
        .step_by(2)
        .filter_map(|i| path.index(i).and_then(|s| segment_of(&s)))
        .collect();
    prefix.pop();
    let tree = path
        .index(at)
        .and_then(|t| router_state(&t, 0, &mut MAX_TREE_NODES.clone()));
    (tree, prefix, Some(path))
}

/// A FlightRouterState `[segment, {slot: state}, …]`. `budget` is the segments left: rows
/// shared by several slots would otherwise double the tree at every level.
fn router_state(state: &View<'_>, depth: usize, budget: &mut usize) -> Option<RouterTree> {
    *budget = budget.checked_sub(1)?;
    let segment = segment_of(&state.index(0)?)?;
    let slots = if depth < MAX_TREE_DEPTH {
        state
            .index(1)
            .map(|slots| {
                slots
                    .entries()
                    .filter_map(|(key, child)| {
                        Some((key.to_string(), router_state(&child, depth + 1, budget)?))
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Some(RouterTree { segment, slots })
}

/// A 16.4 transport node `{s, h, d, c: Map}`; `budget` as for [`router_state`].
fn transport_tree(node: &View<'_>, depth: usize, budget: &mut usize) -> Option<RouterTree> {
    *budget = budget.checked_sub(1)?;
    let segment = segment_of(&node.field("s")?)?;
    let slots = match node.field("c") {
        Some(children) if depth < MAX_TREE_DEPTH => children
            .map_entries()
            .into_iter()
            .filter_map(|(key, child)| {
                Some((
                    key.str()?.to_string(),
                    transport_tree(&child, depth + 1, budget)?,
                ))
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(RouterTree { segment, slots })
}

/// A segment: a string, `[param, value, code]`, or 16.4's `{n, t, k, s}`.
pub(crate) fn segment_of(view: &View<'_>) -> Option<Segment> {
    if let Some(name) = view.str() {
        return Some(if name == "__PAGE__" || name.starts_with("__PAGE__?") {
            Segment::Page
        } else if name == "__DEFAULT__" {
            Segment::Default
        } else {
            Segment::Static {
                name: name.to_string(),
            }
        });
    }
    let (param, value, code) = match view.len() {
        Some(_) => (view.index(0)?, view.index(1), view.index(2)?),
        None => (view.field("n")?, view.field("k"), view.field("t")?),
    };
    let code = code.str()?;
    Some(Segment::Dynamic {
        param: param.str()?.to_string(),
        value: value.and_then(|v| v.str()).map(str::to_string),
        param_kind: ParamKind::from_code(code)?,
        code: code.to_string(),
    })
}

/// The page's URL when the payload carries it: `c` (15+), `urlParts` (later 14.2.x) or
/// `initialCanonicalUrl` (13.x – 14.2.3).
fn canonical_url(object_root: Option<View<'_>>, props: Option<View<'_>>) -> Option<String> {
    let parts = object_root
        .and_then(|o| o.field("c"))
        .or_else(|| props.and_then(|p| p.field("urlParts")));
    if let Some(parts) = parts.filter(|p| p.len().is_some()) {
        let joined: Vec<&str> = parts.items().filter_map(|p| p.str()).collect();
        return Some(joined.join("/"));
    }
    props
        .and_then(|p| p.str_field("initialCanonicalUrl"))
        .map(str::to_string)
}

/// Route pattern, path and params from the router tree's main branch (the `children`
/// slot at each level), with the URL (when known) for values the tree leaves out.
fn fill_route(facts: &mut NextFacts, url: Option<String>) {
    let Some(tree) = &facts.router_tree else {
        return;
    };
    let mut segments: Vec<&Segment> = facts.segment_path.iter().collect();
    let mut node = tree;
    loop {
        segments.push(&node.segment);
        let next = node
            .slots
            .iter()
            .find(|(k, _)| k == "children")
            .or_else(|| node.slots.first());
        match next {
            Some((_, child)) => node = child,
            None => break,
        }
    }
    let (url_path, search) = match &url {
        Some(u) => match u.split_once('?') {
            Some((p, s)) => (Some(p.to_string()), Some(format!("?{s}"))),
            None => (Some(u.clone()), None),
        },
        None => (None, None),
    };
    let url_parts: Vec<&str> = url_path
        .as_deref()
        .map(|p| p.split('/').filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();

    let mut route = String::new();
    let mut path = String::new();
    let mut url_at = 0;
    let mut complete = true;
    for segment in segments {
        match segment {
            Segment::Static { name } => {
                // `/_not-found` carries its own slash.
                let name = name.trim_start_matches('/');
                if name.is_empty() || name.starts_with('(') && name.ends_with(')') {
                    continue;
                }
                route.push('/');
                route.push_str(name);
                path.push('/');
                path.push_str(name);
                url_at += 1;
            }
            Segment::Page | Segment::Default => break,
            Segment::Dynamic {
                param,
                value,
                param_kind,
                code,
            } => {
                let marker = code.find('(').map(|i| &code[i..]).unwrap_or_default();
                route.push('/');
                route.push_str(marker);
                route.push_str(&match param_kind {
                    ParamKind::Dynamic | ParamKind::DynamicIntercepted => format!("[{param}]"),
                    ParamKind::CatchAll | ParamKind::CatchAllIntercepted => format!("[...{param}]"),
                    ParamKind::OptionalCatchAll => format!("[[...{param}]]"),
                });
                let value: Option<Vec<String>> = match value {
                    Some(v) if param_kind.is_catch_all() => Some(
                        v.split('/')
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect(),
                    ),
                    Some(v) => Some(vec![v.clone()]),
                    None if url_path.is_some() => Some(if param_kind.is_catch_all() {
                        url_parts[url_at.min(url_parts.len())..]
                            .iter()
                            .map(|s| s.to_string())
                            .collect()
                    } else {
                        url_parts
                            .get(url_at)
                            .map(|s| s.to_string())
                            .into_iter()
                            .collect()
                    }),
                    None => None,
                };
                match &value {
                    Some(parts) => {
                        for part in parts {
                            path.push('/');
                            path.push_str(part);
                        }
                        url_at += parts.len();
                    }
                    None => complete = false,
                }
                let value = value.map(|parts| {
                    if param_kind.is_catch_all() {
                        ParamValue::Many(parts)
                    } else {
                        ParamValue::One(parts.into_iter().next().unwrap_or_default())
                    }
                });
                if let Some(Ok(json)) = value.as_ref().map(serde_json::to_value) {
                    facts.params.insert(param.clone(), json);
                }
                facts.dynamic_segments.push(Param {
                    name: param.clone(),
                    value,
                    kind: *param_kind,
                });
            }
        }
    }
    // A value the tree leaves to the URL, with no URL in the payload, leaves the path open.
    facts.route = Some(if route.is_empty() { "/".into() } else { route });
    facts.path = match url_path {
        Some(p) if !p.is_empty() => Some(p),
        Some(_) => Some("/".into()),
        None if complete => Some(if path.is_empty() { "/".into() } else { path }),
        None => None,
    };
    facts.search = search;
}

/// CSS and JS files: resource hints, `<link rel=stylesheet>` and `<script src>` elements,
/// and the chunk files of every client module.
fn assets_of(tree: &Tree<'_>, prefix: &str) -> Assets {
    let mut assets = Assets::default();
    let arg = |hint: &crate::flight::resolve::Hint, i: usize| {
        hint.args
            .get(i)
            .copied()
            .flatten()
            .and_then(|n| tree.view(n))
            .and_then(|v| v.str())
    };
    for hint in &tree.hints {
        let Some(href) = arg(hint, 0) else { continue };
        match (hint.code, arg(hint, 1)) {
            (b'S', _) | (b'L', Some("style")) => assets.add_css(asset_url(href, prefix)),
            (b'L', Some("image")) => {
                let srcset = hint
                    .args
                    .get(2)
                    .copied()
                    .flatten()
                    .and_then(|n| tree.view(n));
                match srcset.and_then(|options| options.str_field("imageSrcSet")) {
                    Some(srcset) => ImageOptimizer::learn(&mut assets.images, srcset),
                    None => ImageOptimizer::learn(&mut assets.images, href),
                }
            }
            (b'X' | b'M' | b'm', _) | (b'L', Some("script")) => {
                assets.add_js(asset_url(href, prefix))
            }
            _ => {}
        }
    }
    // (Links add only stylesheets and scripts only scripts: one pass keeps both orders.)
    for element in tree.host_elements(&["link", "script"]) {
        match element.host() {
            Some("link") => {
                let stylesheet = element
                    .str_prop("rel")
                    .is_some_and(|rel| rel.split_ascii_whitespace().any(|r| r == "stylesheet"));
                if let (true, Some(href)) = (stylesheet, element.str_prop("href")) {
                    assets.add_css(asset_url(href, prefix));
                }
            }
            Some("script") => {
                if let Some(src) = element.str_prop("src") {
                    assets.add_js(asset_url(src, prefix));
                }
            }
            _ => {}
        }
    }
    for chunk in tree.chunks() {
        let Content::Module(payload) = chunk.content else {
            continue;
        };
        let Some(module) = tree.view(payload) else {
            continue;
        };
        let Some(list) = module.field("chunks").or_else(|| module.index(1)) else {
            continue;
        };
        let files: Vec<&str> = list.items().filter_map(|c| c.str()).collect();
        let paired = module.len().is_some() && files.iter().any(|f| f.starts_with("static/"));
        for (i, file) in files.iter().enumerate() {
            let file = if paired {
                // 13.5 – 15: [chunkId, file, chunkId, file …]
                if i % 2 == 0 {
                    continue;
                }
                file.to_string()
            } else if let Some((_, name)) = file.split_once(':').filter(|_| module.len().is_none())
            {
                // 13.0 – 13.4: "chunkId:file" (13.0 – 13.1 without the directory and `.js`).
                if name.ends_with(".js") {
                    name.to_string()
                } else {
                    format!("static/chunks/{name}.js")
                }
            } else {
                file.to_string()
            };
            assets.add_js(asset_url(&file, prefix));
        }
    }
    assets.dedupe();
    assets
}

/// A chunk path made absolute the way Next's runtime loads it.
fn asset_url(file: &str, prefix: &str) -> String {
    if file.starts_with('/') || file.contains("://") {
        file.to_string()
    } else {
        format!("{}/_next/{file}", prefix.trim_end_matches('/'))
    }
}

/// Where a FlightDataPath's tail starts: it ends in `[tree, seed, head]`, and from 15.1 in
/// `[tree, seed, head, isHeadPartial]` (a boolean); before it come the slot and segment
/// pairs down to the tree's own segment. `None` when the path is shorter than its tail.
pub(crate) fn tail_start(path: &View<'_>, len: usize) -> Option<usize> {
    let head_partial = len > 0 && matches!(path.raw_index(len - 1), Some(Value::Bool(_)));
    len.checked_sub(if head_partial { 4 } else { 3 })
}

/// The versions an object root (15+) fits: `t` is 16.4's transport tree, `q` came with
/// 16.0, and 15.x seed data starts with the segment name, which 16.0 dropped. Within
/// 15.x, the FlightDataPath tail grew to four (`isHeadPartial`) during 15.1, and 15.2
/// moved the metadata boundary out of the head's request-keyed fragment (the head
/// fragment then has three children instead of two).
fn object_root_version(o: &View<'_>, flight_data_path: Option<View<'_>>) -> &'static str {
    if o.field("t").is_some() || o.field("q").is_some() && o.field("f").is_none() {
        return "16.4+";
    }
    if o.field("q").is_some() {
        return "16.0–16.3";
    }
    let four = flight_data_path.is_some_and(|p| {
        p.len()
            .is_some_and(|len| len > 0 && matches!(p.raw_index(len - 1), Some(Value::Bool(_))))
    });
    let tail_at = |p: &View<'_>| tail_start(p, p.len()?);
    let seed_first = flight_data_path.and_then(|p| p.index(tail_at(&p)? + 1)?.raw_index(0));
    let head_children = flight_data_path
        .and_then(|p| p.index(tail_at(&p)? + 2))
        .and_then(|head| head.element()?.prop("children")?.len());
    match seed_first {
        Some(Value::String(_)) if four => match head_children {
            Some(2) => "15.1",
            Some(3) => "15.2–15.5",
            _ => "15.1–15.5",
        },
        Some(Value::String(_)) => "15.0–15.1",
        Some(_) => "16.0",
        None if o.field("p").is_some() => "15.x",
        None => "15.x–16.0",
    }
}

/// The Next.js versions the payload's shape fits (docs/FLIGHT-FORMAT.md §4.10); `None` when it
/// has none of the shapes Next.js sends.
fn version_of(
    tree: &Tree<'_>,
    root: Option<View<'_>>,
    object_root: Option<View<'_>>,
    props: Option<View<'_>>,
    flight_data_path: Option<View<'_>>,
) -> Option<String> {
    let object_modules = tree.chunks().iter().any(|c| {
        matches!(c.content, Content::Module(p) if matches!(tree.arena.get(p), Value::Object(_)))
    });
    let version = if tree.dialect == Dialect::Legacy {
        "13.0–13.1"
    } else if let Some(o) = object_root {
        object_root_version(&o, flight_data_path)
    } else if object_modules {
        // 13.2 – 13.4 write `I` rows as objects; 13.4 added the build id.
        // 13.4 HTML and fetch answers carry one, but its exports' `.txt` files do not; `T`
        // rows and `$Q`/`$W` are 13.4's too.
        let has_build_id =
            array_build_id(root).is_some() || props.is_some_and(|p| p.field("buildId").is_some());
        let has_13_4_rows = tree.chunks().iter().any(|c| matches!(c.content, Content::Text(_)))
            || tree.arena.node_ids().any(|n| {
                matches!(tree.arena.get(n), Value::Reference(r) if matches!(r.kind, RefKind::Map | RefKind::Set))
            });
        if has_build_id || has_13_4_rows {
            "13.4"
        } else {
            "13.2–13.4"
        }
    } else if let Some(props) = props {
        let raw_root = match tree.chunk_target(0) {
            Some(crate::flight::resolve::Target::Node(n)) => Some(tree.arena.get(n)),
            _ => None,
        };
        match raw_root {
            _ if props.field("urlParts").is_some() => "14.2",
            Some(Value::Element(_)) => "14.2",
            Some(Value::Array(_)) => "14.2.0–14.2.3",
            _ if props.field("initialSeedData").is_some() => "14.0–14.1",
            _ => "13.5",
        }
    } else if array_build_id(root).is_some() {
        // [tree, seed, head]: 14.x seed data is an array, 13.5 sends a lazy node.
        match flight_data_path.and_then(|p| p.raw_index(p.len()?.checked_sub(2)?)) {
            Some(Value::Array(_)) => "14.x",
            Some(Value::Reference(_)) => "13.5",
            _ => "13.5–14.x",
        }
    } else {
        return None;
    };
    Some(version.to_string())
}

/// Reads the Next.js facts of a pages-router page from its `__NEXT_DATA__` JSON.
pub fn pages_facts(next_data: &serde_json::Value) -> NextFacts {
    let text = |k: &str| {
        next_data
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let page = text("page");
    let query = next_data.get("query").and_then(|q| q.as_object());
    let mut facts = NextFacts {
        router: RouterKind::Pages,
        payload: None,
        response: Response::default(),
        version: None,
        build_id: text("buildId"),
        route: page.clone(),
        path: None,
        search: None,
        params: serde_json::Map::new(),
        dynamic_segments: Vec::new(),
        asset_prefix: text("assetPrefix"),
        link_style: LinkStyle::default(),
        url: None,
        router_tree: None,
        segment_path: Vec::new(),
        assets: Assets::default(),
        before_interactive: Vec::new(),
    };
    let Some(page) = page else {
        return facts;
    };
    let mut path = String::new();
    let mut complete = true;
    for part in page.split('/').filter(|p| !p.is_empty()) {
        let (kind, name) = if let Some(n) = part
            .strip_prefix("[[...")
            .and_then(|p| p.strip_suffix("]]"))
        {
            (Some(ParamKind::OptionalCatchAll), n)
        } else if let Some(n) = part.strip_prefix("[...").and_then(|p| p.strip_suffix(']')) {
            (Some(ParamKind::CatchAll), n)
        } else if let Some(n) = part.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
            (Some(ParamKind::Dynamic), n)
        } else {
            (None, part)
        };
        let Some(kind) = kind else {
            path.push('/');
            path.push_str(part);
            continue;
        };
        let value = query.and_then(|q| q.get(name));
        let parts: Option<Vec<String>> = match value {
            Some(serde_json::Value::String(s)) => Some(vec![s.clone()]),
            Some(serde_json::Value::Array(items)) => Some(
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect(),
            ),
            None if kind == ParamKind::OptionalCatchAll => Some(Vec::new()),
            _ => None,
        };
        match &parts {
            Some(parts) => parts.iter().for_each(|p| {
                path.push('/');
                path.push_str(p);
            }),
            None => complete = false,
        }
        if let Some(v) = value {
            facts.params.insert(name.to_string(), v.clone());
        }
        facts.dynamic_segments.push(Param {
            name: name.to_string(),
            value: parts.map(|p| {
                if kind.is_catch_all() {
                    ParamValue::Many(p)
                } else {
                    ParamValue::One(p.into_iter().next().unwrap_or_default())
                }
            }),
            kind,
        });
    }
    facts.path = complete.then(|| if path.is_empty() { "/".into() } else { path });
    // The query's other keys are the search string.
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .iter()
            .filter(|(k, _)| !facts.params.contains_key(*k))
            .flat_map(|(k, v)| {
                let values: Vec<String> = match v {
                    serde_json::Value::Array(items) => items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect(),
                    serde_json::Value::String(s) => vec![s.clone()],
                    _ => Vec::new(),
                };
                values
                    .into_iter()
                    .map(move |v| format!("{}={}", form_encode(k), form_encode(&v)))
            })
            .collect();
        facts.search = Some(if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        });
    }
    facts
}

/// `application/x-www-form-urlencoded` encoding, as `URLSearchParams` writes it.
pub(crate) fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_router_params_fill_the_route_and_the_rest_is_the_search() {
        let data = serde_json::json!({
            "buildId": "b1",
            "page": "/docs/[section]/[[...rest]]",
            "query": {"section": "api", "rest": ["a", "b"], "ref": "x y", "tag": ["1", "2"]},
        });
        let facts = pages_facts(&data);
        assert_eq!(facts.router, RouterKind::Pages);
        assert_eq!(facts.route.as_deref(), Some("/docs/[section]/[[...rest]]"));
        assert_eq!(facts.path.as_deref(), Some("/docs/api/a/b"));
        assert_eq!(facts.search.as_deref(), Some("?ref=x+y&tag=1&tag=2"));
        assert_eq!(facts.dynamic_segments[1].kind, ParamKind::OptionalCatchAll);
        // A dynamic param the query does not give leaves the path unknown.
        let partial = pages_facts(&serde_json::json!({"page": "/p/[id]", "query": {}}));
        assert_eq!(partial.path, None);
    }
}
