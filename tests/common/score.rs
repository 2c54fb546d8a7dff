//! Scores what next-rsc reads from a route's flight alone against the route's
//! server-rendered HTML, over a corpus described by a `TRUTH.tsv`:
//!
//! ```text
//! site  html  flight  kind  next_version  body  exclude  title
//! ```
//!
//! `html` and `flight` are paths relative to the corpus folder; `kind` is what a person
//! judged the page to be (`article`, `list`, `home`, `docs`, `error`, `other`);
//! `next_version` the exact Next.js version of the build (`-` when unknown); for an
//! article, `body` is a selector of the element that holds its body in the HTML, `exclude`
//! selectors of what inside it is not the article (`-` for none; several separated by
//! `,`), and `title` its title as the page shows it. Selectors are descendant chains of
//! `tag.class#id` compounds (`main div.prose`).
//!
//! The numbers are the ones the real-sites issue names: metadata fields, articles right,
//! navigation hrefs as written, body links of the rendered HTML, version ranges, page
//! kinds, rendered words.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use next_rsc::document::Document;
use next_rsc::extract::{Extraction, extraction};

use super::dom::{Dom, Node};

/// One route of a corpus, as its truth file describes it.
#[derive(Debug, Clone)]
pub struct Route {
    pub site: String,
    pub html: PathBuf,
    pub flight: PathBuf,
    pub kind: String,
    pub version: Option<String>,
    pub body: Option<String>,
    pub exclude: Vec<String>,
    pub title: Option<String>,
    pub base_path: Option<String>,
}

/// Reads `TRUTH.tsv` of a corpus folder.
pub fn routes(corpus: &Path) -> Vec<Route> {
    let text = std::fs::read_to_string(corpus.join("TRUTH.tsv"))
        .unwrap_or_else(|e| panic!("{}: {e}", corpus.join("TRUTH.tsv").display()));
    let dash = |s: &str| (s != "-" && !s.is_empty()).then(|| s.to_string());
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let c: Vec<&str> = line.split('\t').collect();
            let col = |i: usize| c.get(i).copied().unwrap_or("-");
            Route {
                site: col(0).to_string(),
                html: corpus.join(col(1)),
                flight: corpus.join(col(2)),
                kind: col(3).to_string(),
                version: dash(col(4)),
                body: dash(col(5)),
                exclude: dash(col(6))
                    .map(|e| e.split(',').map(|s| s.trim().to_string()).collect())
                    .unwrap_or_default(),
                title: dash(col(7)),
                base_path: dash(col(8)),
            }
        })
        .collect()
}

/// A count of hits out of a total.
#[derive(Debug, Default, Clone, Copy)]
pub struct Ratio {
    pub hit: usize,
    pub of: usize,
}

impl Ratio {
    fn add(&mut self, hit: usize, of: usize) {
        self.hit += hit;
        self.of += of;
    }

    pub fn share(&self) -> f64 {
        if self.of == 0 {
            1.0
        } else {
            self.hit as f64 / self.of as f64
        }
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} / {} ({:.1} %)",
            self.hit,
            self.of,
            100.0 * self.share()
        )
    }
}

/// The scores of a corpus, and what went wrong, route by route.
#[derive(Debug, Default)]
pub struct Score {
    pub metadata: Ratio,
    pub articles: Ratio,
    /// Pages that are not articles (nor documentation) but got one.
    pub false_articles: Ratio,
    pub navigation: Ratio,
    pub body_links: Ratio,
    /// The same, counting only links whose target the flight carries as a string (links
    /// a client component builds from other data are not in it).
    pub navigation_carried: Ratio,
    pub body_links_carried: Ratio,
    /// Of our navigation links and of the links in our rendered HTML, how many the
    /// server's page writes exactly so (base path and trailing slash included).
    pub navigation_exact: Ratio,
    pub body_links_exact: Ratio,
    pub versions: Ratio,
    pub kinds: Ratio,
    /// Sum of each page's share of the server page's words in the rendered HTML.
    pub rendered_words: f64,
    pub rendered_pages: usize,
    pub misses: Vec<String>,
    /// Navigation and body links by site.
    pub sites: std::collections::BTreeMap<String, [Ratio; 2]>,
}

impl Score {
    pub fn report(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "metadata fields      {}", self.metadata);
        let _ = writeln!(out, "articles right       {}", self.articles);
        let _ = writeln!(out, "false articles       {}", self.false_articles);
        let _ = writeln!(out, "navigation hrefs     {}", self.navigation);
        let _ = writeln!(out, "  carried by flight  {}", self.navigation_carried);
        let _ = writeln!(out, "  ours, exact        {}", self.navigation_exact);
        let _ = writeln!(out, "body links (html)    {}", self.body_links);
        let _ = writeln!(out, "  carried by flight  {}", self.body_links_carried);
        let _ = writeln!(out, "  ours, exact        {}", self.body_links_exact);
        let _ = writeln!(out, "version ranges       {}", self.versions);
        let _ = writeln!(out, "page kinds           {}", self.kinds);
        let _ = writeln!(
            out,
            "rendered words       {:.3} (mean over {} pages)",
            self.rendered_words / self.rendered_pages.max(1) as f64,
            self.rendered_pages
        );
        out
    }

    /// Navigation hrefs and body links, site by site.
    pub fn by_site(&self) -> String {
        let mut out = String::new();
        for (site, [nav, links]) in &self.sites {
            let _ = writeln!(out, "{site:50} nav {nav:28} links {links}");
        }
        out
    }
}

/// Words as a reader counts them: white-space separated, and each CJK ideograph or kana a
/// word of its own.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in text.split_whitespace() {
        let mut run = String::new();
        for c in token.chars() {
            if is_cjk(c) {
                if !run.is_empty() {
                    out.push(std::mem::take(&mut run));
                }
                out.push(c.to_string());
            } else {
                run.push(c);
            }
        }
        if !run.is_empty() {
            out.push(run);
        }
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0x20000..=0x2fa1f)
}

/// The first `limit` of `want` that `got` lacks, counted as multisets.
fn missing_from<'a>(want: &'a [String], got: &[String], limit: usize) -> Vec<&'a String> {
    let mut pool: HashMap<&str, usize> = HashMap::new();
    for g in got {
        *pool.entry(g).or_default() += 1;
    }
    want.iter()
        .filter(|w| match pool.get_mut(w.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .take(limit)
        .collect()
}

/// How many of `want` are in `got`, counted as multisets.
pub fn overlap(want: &[String], got: &[String]) -> usize {
    let mut pool: HashMap<&str, usize> = HashMap::new();
    for g in got {
        *pool.entry(g).or_default() += 1;
    }
    want.iter()
        .filter(|w| {
            pool.get_mut(w.as_str())
                .filter(|n| **n > 0)
                .map(|n| *n -= 1)
                .is_some()
        })
        .count()
}

/// Link relations that load things rather than describe the page.
const LOADING_RELS: [&str; 7] = [
    "stylesheet",
    "preload",
    "modulepreload",
    "preconnect",
    "dns-prefetch",
    "prefetch",
    "expect",
];

/// A metadata element as a comparable string, `None` for one that is not metadata.
pub fn describe(tag: &str, attrs: &[(String, String)], text: Option<&str>) -> Option<String> {
    let mut attrs: Vec<(String, String)> = attrs
        .iter()
        .map(|(k, v)| {
            let k = match k.as_str() {
                "httpEquiv" => "http-equiv".to_string(),
                other => other.to_ascii_lowercase(),
            };
            (k, v.clone())
        })
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "name"
                    | "property"
                    | "http-equiv"
                    | "charset"
                    | "content"
                    | "rel"
                    | "href"
                    | "hreflang"
                    | "type"
                    | "sizes"
                    | "media"
            )
        })
        .collect();
    if tag == "link" {
        let rel = attrs
            .iter()
            .find(|(k, _)| k == "rel")?
            .1
            .to_ascii_lowercase();
        if rel
            .split_ascii_whitespace()
            .any(|r| LOADING_RELS.contains(&r))
        {
            return None;
        }
    }
    if tag == "meta" && attrs.is_empty() {
        return None;
    }
    attrs.sort();
    Some(format!(
        "{tag} {attrs:?} {}",
        text.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    ))
}

/// The metadata elements of a server-rendered page (inline SVG titles are not the page's).
pub fn server_metadata(dom: &Dom) -> Vec<String> {
    let mut out = Vec::new();
    let Some(html) = dom.find("html") else {
        return out;
    };
    for (i, ancestors) in dom.elements_with_ancestors(html) {
        let e = dom.element(i).unwrap();
        let in_svg_or_body_data = ancestors.iter().any(|&a| {
            let a = dom.element(a).unwrap();
            a.tag == "svg" || a.tag == "noscript"
        });
        if in_svg_or_body_data
            || !matches!(e.tag.as_str(), "title" | "meta" | "link")
            || e.attr("itemprop").is_some()
        {
            continue;
        }
        let text = (e.tag == "title").then(|| dom.text(i));
        if let Some(d) = describe(&e.tag, &e.attrs, text.as_deref()) {
            out.push(d);
        }
    }
    out.sort();
    out.dedup();
    out
}

const REGIONS: [&str; 4] = ["nav", "aside", "header", "footer"];

/// `href`s of the links inside navigation regions, as the server wrote them.
pub fn server_navigation(dom: &Dom) -> Vec<String> {
    let mut out = Vec::new();
    let Some(body) = dom.find("body") else {
        return out;
    };
    for (i, ancestors) in dom.elements_with_ancestors(body) {
        let e = dom.element(i).unwrap();
        if e.tag != "a" {
            continue;
        }
        let in_region = ancestors.iter().any(|&a| {
            let a = dom.element(a).unwrap();
            REGIONS.contains(&a.tag.as_str())
                || matches!(
                    a.attr("role"),
                    Some("navigation" | "banner" | "contentinfo" | "complementary")
                )
        });
        if let (true, Some(href)) = (in_region, e.attr("href")) {
            out.push(href.to_string());
        }
    }
    out
}

/// `href`s of every link in the body.
pub fn body_links(dom: &Dom) -> Vec<String> {
    let Some(body) = dom.find("body") else {
        return Vec::new();
    };
    dom.descendants(body)
        .into_iter()
        .filter_map(|i| {
            let e = dom.element(i)?;
            (e.tag == "a").then(|| e.attr("href").map(str::to_string))?
        })
        .collect()
}

/// One compound of a selector: `tag.class.class#id`.
#[derive(Debug)]
struct Compound {
    tag: Option<String>,
    classes: Vec<String>,
    id: Option<String>,
}

fn compound(text: &str) -> Compound {
    let mut c = Compound {
        tag: None,
        classes: Vec::new(),
        id: None,
    };
    let mut current = String::new();
    let mut kind = 't';
    let flush = |kind: char, current: &mut String, c: &mut Compound| {
        if current.is_empty() {
            return;
        }
        let v = std::mem::take(current);
        match kind {
            't' => c.tag = Some(v),
            '.' => c.classes.push(v),
            _ => c.id = Some(v),
        }
    };
    for ch in text.chars() {
        if ch == '.' || ch == '#' {
            flush(kind, &mut current, &mut c);
            kind = ch;
        } else {
            current.push(ch);
        }
    }
    flush(kind, &mut current, &mut c);
    c
}

fn matches(dom: &Dom, i: usize, c: &Compound) -> bool {
    let Some(e) = dom.element(i) else {
        return false;
    };
    c.tag.as_ref().is_none_or(|t| &e.tag == t)
        && c.id.as_ref().is_none_or(|id| e.attr("id") == Some(id))
        && c.classes.iter().all(|class| {
            e.attr("class")
                .is_some_and(|have| have.split_ascii_whitespace().any(|h| h == class))
        })
}

/// The elements a descendant-chain selector matches, in document order.
pub fn select(dom: &Dom, selector: &str) -> Vec<usize> {
    let chain: Vec<Compound> = selector.split_whitespace().map(compound).collect();
    let Some(root) = dom.find("html") else {
        return Vec::new();
    };
    let Some(last) = chain.last() else {
        return Vec::new();
    };
    dom.elements_with_ancestors(root)
        .into_iter()
        .filter(|(i, ancestors)| {
            if !matches(dom, *i, last) {
                return false;
            }
            // The rest of the chain, matched from the nearest ancestor outwards.
            let mut need = chain.len() - 1;
            for &a in ancestors.iter().rev() {
                if need == 0 {
                    break;
                }
                if matches(dom, a, &chain[need - 1]) {
                    need -= 1;
                }
            }
            need == 0
        })
        .map(|(i, _)| i)
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Elements that do not separate words.
const INLINE: [&str; 22] = [
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strong", "sub", "sup", "u",
];

/// The text of an element as a reader reads it, leaving out the `skip`ped elements.
fn text_without(dom: &Dom, i: usize, skip: &std::collections::HashSet<usize>) -> String {
    let mut text = String::new();
    let mut stack = vec![i];
    while let Some(n) = stack.pop() {
        if skip.contains(&n) {
            continue;
        }
        match &dom.nodes[n] {
            Node::Text(t) => text.push_str(t),
            Node::Comment(_) => {}
            Node::Element(e)
                if matches!(
                    e.tag.as_str(),
                    "script" | "style" | "template" | "noscript" | "title"
                ) => {}
            Node::Element(e) => {
                // Block boundaries separate words; inline elements (a highlighted code
                // token, a link) do not.
                if !INLINE.contains(&e.tag.as_str()) {
                    text.push(' ');
                }
                stack.extend(e.children.iter().rev().copied());
            }
        }
    }
    text
}

/// The article a person marked: its body's words (without the excluded parts and the
/// title) and its title.
pub fn server_article(dom: &Dom, route: &Route) -> Option<(Vec<String>, Option<String>)> {
    let body = *select(dom, route.body.as_deref()?).first()?;
    let mut skip: std::collections::HashSet<usize> =
        route.exclude.iter().flat_map(|s| select(dom, s)).collect();
    for d in dom.descendants(body) {
        if dom.element(d).is_some_and(|e| e.tag == "h1") {
            skip.insert(d);
        }
    }
    Some((words(&text_without(dom, body, &skip)), route.title.clone()))
}

/// Whether the extracted version range (`15.2–15.5`, `16.4+`, `14.x`, `13.5`) holds an
/// exact version.
pub fn range_holds(range: &str, version: &str) -> bool {
    let parse = |v: &str| -> Vec<u32> {
        v.split('.')
            .map_while(|p| {
                p.trim_end_matches(|c: char| !c.is_ascii_digit())
                    .parse()
                    .ok()
            })
            .collect()
    };
    let exact = parse(version.split('-').next().unwrap_or(version));
    let prefix_of = |bound: &str| -> Vec<u32> { parse(bound.trim_end_matches(".x")) };
    let cmp = |a: &[u32], b: &[u32]| -> std::cmp::Ordering {
        // Compare only as many parts as the bound names.
        let n = b.len().min(a.len());
        a[..n].cmp(&b[..n])
    };
    if let Some(low) = range.strip_suffix('+') {
        return cmp(&exact, &prefix_of(low)).is_ge();
    }
    let (low, high) = range.split_once('–').unwrap_or((range, range));
    cmp(&exact, &prefix_of(low)).is_ge() && cmp(&exact, &prefix_of(high)).is_le()
}

/// Reads a route's flight and scores it into `score`.
pub fn score_route(route: &Route, score: &mut Score) {
    let Ok(html) = std::fs::read(&route.html) else {
        score
            .misses
            .push(format!("{}: unreadable", route.html.display()));
        return;
    };
    let dom = Dom::parse(&String::from_utf8_lossy(&html));
    let flight = match std::fs::read(&route.flight) {
        Ok(f) => f,
        Err(e) => {
            score
                .misses
                .push(format!("{}: {e}", route.flight.display()));
            return;
        }
    };
    let source = route.flight.to_string_lossy();
    let options = next_rsc::document::ReadOptions {
        links: next_rsc::next::links::LinkHints {
            source: Some(&source),
            layout_trailing_slash: next_rsc::document::export_trailing_slash(&route.flight),
            ..Default::default()
        },
        ..Default::default()
    };
    let document = match next_rsc::document::read_with(&flight, &options) {
        Ok(d) => d,
        Err(e) => {
            score
                .misses
                .push(format!("{}: {e}", route.flight.display()));
            return;
        }
    };
    let x = extraction(&document);
    let name = route.flight.display().to_string();
    score_metadata(&dom, &x, &name, score);
    score_article(&dom, &x, route, &name, score);
    let (nav, links) = (score.navigation, score.body_links);
    let carried = |href: &String| carried(href, &flight, route.base_path.as_deref());
    // A shell the browser fills (an empty body, Next's `__next_error__` document) shows
    // no links to compare with.
    let shell = dom
        .find("body")
        .is_none_or(|b| dom.text(b).split_whitespace().count() < 5);
    if !shell {
        score_navigation(&dom, &x, &name, &carried, score);
        score_rendered(&dom, &document, &name, &carried, score);
    }
    let site = score.sites.entry(route.site.clone()).or_default();
    site[0].add(score.navigation.hit - nav.hit, score.navigation.of - nav.of);
    site[1].add(
        score.body_links.hit - links.hit,
        score.body_links.of - links.of,
    );
    // A version range the payload cannot tell (a damaged file) is not a wrong one.
    if let (Some(version), Some(range)) = (&route.version, x.next.version.as_deref()) {
        let ok = range_holds(range, version);
        score.versions.add(usize::from(ok), 1);
        if !ok {
            score
                .misses
                .push(format!("{name}: version {range}, the build is {version}"));
        }
    }
    let kind = serde_json::to_value(&x)
        .ok()
        .and_then(|v| v["pageKind"]["kind"].as_str().map(str::to_string));
    let ok = kind.as_deref() == Some(route.kind.as_str());
    score.kinds.add(usize::from(ok), 1);
    if !ok {
        score
            .misses
            .push(format!("{name}: page kind {kind:?}, truth {}", route.kind));
    }
}

fn score_metadata(dom: &Dom, x: &Extraction, name: &str, score: &mut Score) {
    let theirs = server_metadata(dom);
    let ours: Vec<String> = x
        .metadata
        .tags
        .iter()
        .filter_map(|t| describe(&t.tag, &t.attributes, t.text.as_deref()))
        .collect();
    let hit = theirs.iter().filter(|t| ours.contains(t)).count();
    score.metadata.add(hit, theirs.len());
    for t in theirs.iter().filter(|t| !ours.contains(t)).take(3) {
        score.misses.push(format!("{name}: metadata missing {t}"));
    }
}

fn score_article(dom: &Dom, x: &Extraction, route: &Route, name: &str, score: &mut Score) {
    if route.kind == "docs" {
        return; // a page of documentation has its text as the article, by design
    }
    if route.kind != "article" {
        score
            .false_articles
            .add(usize::from(x.article.is_some()), 1);
        if let Some(a) = &x.article {
            score.misses.push(format!(
                "{name}: an article ({:?}, {} words) on a {} page",
                a.title, a.word_count, route.kind
            ));
        }
        return;
    }
    if route.body.is_none() {
        // The server's HTML has no article to compare with (a shell drawn on the
        // client): the title alone is checked.
        let ok = x.article.as_ref().is_some_and(|a| a.title == route.title);
        score.articles.add(usize::from(ok), 1);
        if !ok {
            score.misses.push(format!(
                "{name}: article (title only) {:?}, want {:?}",
                x.article.as_ref().map(|a| &a.title),
                route.title
            ));
        }
        return;
    }
    let Some((want, title)) = server_article(dom, route) else {
        score.articles.add(0, 1);
        score.misses.push(format!(
            "{name}: the truth's body selector {:?} matches nothing",
            route.body
        ));
        return;
    };
    let Some(article) = &x.article else {
        score.articles.add(0, 1);
        score.misses.push(format!("{name}: no article"));
        return;
    };
    let got = words(&article.text);
    if std::env::var("DEBUG_ROUTE").is_ok_and(|d| name.contains(&d)) {
        let missing = missing_from(&want, &got, usize::MAX);
        let extra = missing_from(&got, &want, usize::MAX);
        println!(
            "{name}\n  missing {missing:?}\n  extra {extra:?}\n  ours {:?}",
            article.text
        );
    }
    let recall = overlap(&want, &got) as f64 / want.len().max(1) as f64;
    let extra = got.len().saturating_sub(overlap(&got, &want));
    let title_ok = title.as_deref().is_none_or(|t| {
        let collapse = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        article.title.as_deref().map(collapse) == Some(collapse(t))
    });
    let extra_ok = extra <= 3 + got.len() / 50;
    let ok = title_ok && recall >= 0.99 && extra_ok;
    score.articles.add(usize::from(ok), 1);
    if !ok {
        score.misses.push(format!(
            "{name}: article title {:?} (want {:?}), {:.3} of the words, {extra} extra of {}",
            article.title,
            title,
            recall,
            got.len()
        ));
    }
}

/// Whether the flight carries a link's target as an `href` (or a `Link`'s `as`, or a URL
/// object's `pathname`), without the base path and the trailing slash Next's `Link` adds.
fn carried(href: &str, flight: &[u8], base_path: Option<&str>) -> bool {
    let (path, rest) = href.split_at(href.find(['?', '#']).unwrap_or(href.len()));
    let path = base_path
        .and_then(|b| path.strip_prefix(b))
        .filter(|p| p.is_empty() || p.starts_with('/'))
        .unwrap_or(path);
    let path = path.trim_end_matches('/');
    let text = String::from_utf8_lossy(flight);
    [
        format!("{path}{rest}"),
        format!("{path}/{rest}"),
        if path.is_empty() {
            "/".to_string()
        } else {
            path.to_string()
        },
    ]
    .iter()
    .any(|candidate| {
        ["href", "pathname", "as"]
            .iter()
            .any(|key| text.contains(&format!("\"{key}\":\"{candidate}\"")))
    })
}

fn score_navigation(
    dom: &Dom,
    x: &Extraction,
    name: &str,
    carried: &dyn Fn(&String) -> bool,
    score: &mut Score,
) {
    let theirs = server_navigation(dom);
    let ours: Vec<String> = x
        .navigation
        .iter()
        .flat_map(|r| r.links.iter().map(|l| l.href.clone()))
        .collect();
    let hit = overlap(&theirs, &ours);
    score.navigation.add(hit, theirs.len());
    let theirs_carried: Vec<String> = theirs.iter().filter(|h| carried(h)).cloned().collect();
    score
        .navigation_carried
        .add(overlap(&theirs_carried, &ours), theirs_carried.len());
    let all_theirs = body_links(dom);
    let exact = overlap(&ours, &all_theirs);
    score.navigation_exact.add(exact, ours.len());
    if exact < ours.len() {
        let wrong: Vec<&String> = ours
            .iter()
            .filter(|o| !all_theirs.contains(o))
            .take(3)
            .collect();
        score.misses.push(format!(
            "{name}: navigation hrefs the page does not write: {wrong:?}"
        ));
    }
    if hit < theirs.len() {
        let carried_theirs: Vec<String> = theirs.iter().filter(|t| carried(t)).cloned().collect();
        let missing = missing_from(&carried_theirs, &ours, 3);
        score.misses.push(format!(
            "{name}: navigation lacks {missing:?} (ours e.g. {:?})",
            ours.iter().take(3).collect::<Vec<_>>()
        ));
    }
}

fn score_rendered(
    dom: &Dom,
    document: &Document,
    name: &str,
    carried: &dyn Fn(&String) -> bool,
    score: &mut Score,
) {
    let options = next_rsc::render::html::HtmlOptions {
        stylesheets: &document.next.assets.css,
        no_css: false,
        scripts: false,
        base: None,
        images: document.next.assets.images.as_ref(),
    };
    let mut out = String::new();
    let _ = next_rsc::render::html::write_document(&document.page, options, &mut out);
    let ours = Dom::parse(&out);
    let theirs_links = body_links(dom);
    let ours_links = body_links(&ours);
    let hit = overlap(&theirs_links, &ours_links);
    let exact = overlap(&ours_links, &theirs_links);
    score.body_links_exact.add(exact, ours_links.len());
    if exact < ours_links.len() {
        let wrong: Vec<&String> = ours_links
            .iter()
            .filter(|o| !theirs_links.contains(o))
            .take(3)
            .collect();
        score.misses.push(format!(
            "{name}: rendered links the page does not write: {wrong:?}"
        ));
    }
    score.body_links.add(hit, theirs_links.len());
    let theirs_carried: Vec<String> = theirs_links
        .iter()
        .filter(|h| carried(h))
        .cloned()
        .collect();
    score
        .body_links_carried
        .add(overlap(&theirs_carried, &ours_links), theirs_carried.len());
    if hit < theirs_links.len() {
        let missing = missing_from(&theirs_carried, &ours_links, 3);
        score.misses.push(format!(
            "{name}: rendered HTML has {hit} of {} body links; carried but missing {missing:?}",
            theirs_links.len()
        ));
    }
    let text = |d: &Dom| {
        d.find("body")
            .map(|b| words(&text_without(d, b, &Default::default())))
            .unwrap_or_default()
    };
    let theirs = text(dom);
    if !theirs.is_empty() {
        let share = overlap(&theirs, &text(&ours)) as f64 / theirs.len() as f64;
        if share < 0.9 {
            let ours = text(&ours);
            let missing = missing_from(&theirs, &ours, 12);
            score.misses.push(format!(
                "{name}: rendered HTML has {share:.3} of the server page's words; missing e.g. {missing:?}"
            ));
        }
        score.rendered_words += share;
        score.rendered_pages += 1;
    }
}
