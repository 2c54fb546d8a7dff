//! A polite crawler that archives a live Next.js site: from start URLs, it follows the
//! same-origin links each page carries — its HTML anchors and the links of its flight,
//! which only client navigation follows — and the pages its sitemaps list, within a scope,
//! as robots.txt allows, at most two requests at a time per host with a delay between
//! them, backing off when the server says so (429 or 503 with `Retry-After`). Each page
//! goes into an [`Archive`] (the `archive` layout: page files and `index.jsonl`), its
//! record carrying the URL, the HTTP status and the time of the fetch; a page that fails
//! (404, 500, a timeout, a refused connection) is listed with its status or reason.

pub mod robots;
pub mod sitemap;
pub mod warc;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::archive::{Archive, HttpFacts, IndexEntry, Input};
use crate::fetch::{FetchError, FetchOptions, Fetched, Fetcher};
use crate::query::Query;
use crate::{Options, Page};
use robots::Robots;
use warc::WarcWriter;

/// How to crawl.
#[derive(Debug, Clone)]
pub struct CrawlOptions {
    /// Only URLs that start with one of these are fetched (default: each start URL's
    /// origin and `/`).
    pub scope: Vec<String>,
    /// Stop after this many pages (fetched, failed ones included).
    pub max_pages: Option<usize>,
    /// Follow links at most this many steps from a start URL (sitemap pages are at 0).
    pub max_depth: Option<usize>,
    /// The least time between two requests to one host (robots.txt's `Crawl-delay` when
    /// it asks for more).
    pub delay: Duration,
    /// Requests in flight at once per host.
    pub per_host: usize,
    /// Read robots.txt's and `/sitemap.xml`'s sitemaps for pages no link reaches.
    pub sitemaps: bool,
    /// Tries of a URL the server answers 429 or 503 (each after its `Retry-After`).
    pub tries: u32,
    /// The longest `Retry-After` waited for; longer ones fail the page.
    pub max_retry_after: Duration,
    /// The HTTP client's settings (the timeout, the user agent).
    pub fetch: FetchOptions,
    /// Fetch each page's flight, as client navigation does (`RSC: 1`, following Next's
    /// redirect to `?_rsc=…`; on a static host, the export's `.txt`), not its HTML. A
    /// page whose flight carries its error (Next answers 200 with an `E` row where the
    /// HTML would be a 500) is listed as failed, with `notThePage: server-error`.
    pub flight: bool,
    /// Ask again for the pages the archive holds, as conditional requests (their
    /// `ETag` as `If-None-Match`, their `Last-Modified` as `If-Modified-Since`): a 304
    /// keeps the page, a new answer replaces it in place, and a failure keeps it too
    /// (and is reported). Without it, archived pages are not asked for at all.
    pub refresh: bool,
}

impl Default for CrawlOptions {
    fn default() -> Self {
        CrawlOptions {
            scope: Vec::new(),
            max_pages: None,
            max_depth: None,
            delay: Duration::from_millis(0),
            per_host: 2,
            sitemaps: true,
            tries: 3,
            max_retry_after: Duration::from_secs(120),
            fetch: FetchOptions::default(),
            flight: false,
            refresh: false,
        }
    }
}

/// What a crawl did.
#[derive(Debug, Default, Clone)]
pub struct CrawlReport {
    /// Pages listed in the index (stored or failed).
    pub listed: usize,
    /// Of those, the failed ones.
    pub failed: usize,
    /// URLs robots.txt did not allow (never requested).
    pub disallowed: usize,
    /// Responses that are no page (images, PDFs …), not listed.
    pub not_pages: usize,
    /// Pages already in the archive (`--resume`), not fetched again.
    pub already_done: usize,
    /// Pages the server said were not modified (`refresh`), kept as they were.
    pub unchanged: usize,
}

/// The product token robots.txt groups are matched against.
pub const ROBOTS_AGENT: &str = "next-rsc";

struct Task {
    url: String,
    depth: usize,
    tries: u32,
    /// Already in the archive (`--resume`): its links are read from its stored HTML,
    /// nothing is fetched.
    archived: Option<std::path::PathBuf>,
    /// A redirect an earlier run met (`--resume`): its target is offered, nothing is
    /// fetched.
    redirected: Option<String>,
    /// Already in the archive, asked for again with these validators (`refresh`).
    revalidate: Option<Stored>,
}

/// What the archive holds of a page.
#[derive(Debug, Clone, Default)]
struct Stored {
    html: std::path::PathBuf,
    etag: Option<String>,
    last_modified: Option<String>,
}

#[derive(Default)]
struct Frontier {
    queue: VecDeque<Task>,
    seen: HashSet<String>,
    in_flight: usize,
    /// Pages handed out (the `--max-pages` count).
    started: usize,
    /// The next sequence number of the archive.
    next_seq: u64,
    report: CrawlReport,
}

/// When each host may next be asked, and how many requests it has in flight.
#[derive(Default)]
struct Hosts {
    next_at: HashMap<String, Instant>,
    in_flight: HashMap<String, usize>,
}

struct Crawler<'a> {
    archive: &'a Archive,
    warc: Option<&'a WarcWriter>,
    /// The first failure to write the WARC file: it stops the crawl.
    warc_error: Mutex<Option<std::io::Error>>,
    options: &'a CrawlOptions,
    fetcher: Fetcher,
    robots: HashMap<String, Robots>,
    scope: Vec<String>,
    /// What the archive already holds of each page, by URL (`--resume`).
    archived: HashMap<String, Stored>,
    /// The redirects earlier runs met, by URL, and their targets (`--resume`).
    redirects_before: HashMap<String, String>,
    /// `OUT/redirects.jsonl`: each redirect met, a line each.
    redirects: Mutex<Option<std::fs::File>>,
    frontier: Mutex<Frontier>,
    wake: Condvar,
    hosts: Mutex<Hosts>,
    host_free: Condvar,
    on_page: &'a (dyn Fn(&IndexEntry) + Sync),
    stop: &'a (dyn Fn() -> bool + Sync),
}

/// Crawls from `starts` into `archive`, and every exchange (robots.txt and sitemaps
/// included) into `warc` when given; `on_page` is told of each record listed, `stop`
/// asked between pages (a signal: the pages in flight are finished and listed).
pub fn crawl(
    starts: &[String],
    archive: &Archive,
    warc: Option<&WarcWriter>,
    options: &CrawlOptions,
    on_page: &(dyn Fn(&IndexEntry) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> std::io::Result<CrawlReport> {
    let fetcher = Fetcher::new(FetchOptions {
        // Redirects are followed by the crawl itself, only where the scope allows.
        max_redirects: 0,
        record_wire: warc.is_some(),
        ..options.fetch.clone()
    });
    let mut starts_parsed = Vec::new();
    for start in starts {
        match url::Url::parse(start) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => starts_parsed.push(url),
            _ => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("{start:?} is not an http(s) URL"),
                ));
            }
        }
    }
    let scope = if options.scope.is_empty() {
        starts_parsed
            .iter()
            .map(|u| format!("{}/", u.origin().ascii_serialization()))
            .collect()
    } else {
        options.scope.clone()
    };
    let redirects = open_redirects(archive.folder(), archive.is_resumed())?;
    let mut crawler = Crawler {
        archive,
        warc,
        warc_error: Mutex::new(None),
        options,
        fetcher,
        robots: HashMap::new(),
        scope,
        archived: archived_pages(archive.folder()),
        // A refresh asks the redirects again too: they may have changed.
        redirects_before: if archive.is_resumed() && !options.refresh {
            redirects_met(archive.folder())
        } else {
            HashMap::new()
        },
        redirects: Mutex::new(Some(redirects)),
        frontier: Mutex::new(Frontier::default()),
        wake: Condvar::new(),
        hosts: Mutex::new(Hosts::default()),
        host_free: Condvar::new(),
        on_page,
        stop,
    };
    // robots.txt of every origin, read first: a request like the others, the delay after
    // it kept.
    for url in &starts_parsed {
        let origin = url.origin().ascii_serialization();
        if crawler.robots.contains_key(&origin) {
            continue;
        }
        let rules = match crawler.get(&format!("{origin}/robots.txt"), &[]) {
            Ok(got) if got.is_success() => {
                Robots::parse(&String::from_utf8_lossy(&got.body), ROBOTS_AGENT)
            }
            Ok(got) if (400..500).contains(&got.status) => Robots::open(),
            _ => Robots::closed(),
        };
        let delay = rules.crawl_delay.map_or(options.delay, |d| {
            options.delay.max(Duration::from_secs_f64(d.min(60.0)))
        });
        if let Ok(hosts) = crawler.hosts.get_mut() {
            hosts.next_at.insert(origin.clone(), Instant::now() + delay);
        }
        crawler.robots.insert(origin, rules);
    }
    for url in &starts_parsed {
        crawler.offer(url.as_str(), 0);
    }
    if options.refresh {
        // Every page the archive holds is asked again, whether or not a link still leads
        // to it (links that only the flight carries are not in the stored HTML).
        let mut held: Vec<&String> = crawler.archived.keys().collect();
        held.sort_unstable();
        for url in held {
            crawler.offer(url, 0);
        }
    }
    if options.sitemaps {
        crawler.read_sitemaps(&starts_parsed);
    }
    let workers = options.per_host.max(1) * crawler.robots.len().max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| crawler.work());
        }
    });
    let warc_synced = warc.map_or(Ok(()), WarcWriter::finish);
    let finished = archive.finish()?;
    if let Some(error) = crawler
        .warc_error
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
    {
        return Err(error);
    }
    warc_synced?;
    let mut frontier = crawler
        .frontier
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    for entry in &finished {
        frontier.report.listed += 1;
        frontier.report.failed += usize::from(!entry.ok);
        on_page(entry);
    }
    Ok(frontier.report)
}

impl Crawler<'_> {
    /// One request, written to the WARC file when there is one.
    fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Fetched, FetchError> {
        let at = SystemTime::now();
        let got = self.fetcher.get(url, headers)?;
        // A resumed crawl writes no response the file holds already (fetched before a
        // crash cut the index short); a refresh writes every new capture.
        if let (Some(warc), Some(wire)) = (self.warc, &got.wire)
            && (self.options.refresh || !warc.holds(url))
            && let Err(error) = warc.write(url, at, wire)
            && let Ok(mut first) = self.warc_error.lock()
        {
            let error =
                std::io::Error::new(error.kind(), format!("{}: {error}", warc.path().display()));
            first.get_or_insert(error);
            self.wake.notify_all();
        }
        Ok(got)
    }

    /// One request, when the host may be asked (and the delay after it kept).
    fn polite_get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Fetched, FetchError> {
        self.wait_for_host(url);
        let got = self.get(url, headers);
        self.done_with_host(url);
        got
    }

    /// The page at `url`: its HTML, or with `flight`, its flight (each request made
    /// politely, and written to the WARC file).
    fn fetch_page(&self, url: &str, conditions: &[(&str, &str)]) -> Result<Fetched, FetchError> {
        if !self.options.flight {
            let mut headers = vec![("accept", "text/html,application/xhtml+xml,text/x-component")];
            headers.extend_from_slice(conditions);
            return self.polite_get(url, &headers);
        }
        crate::fetch::flight_by(url, conditions, &|url, headers| {
            self.polite_get(url, headers)
        })
    }

    fn warc_failed(&self) -> bool {
        self.warc_error.lock().map_or(true, |e| e.is_some())
    }

    /// Queues a URL found at `depth`, when it is new, in scope, allowed and within the
    /// depth; returns whether it was queued.
    fn offer(&self, url: &str, depth: usize) -> bool {
        let Some(url) = normalize(url) else {
            return false;
        };
        if !self
            .scope
            .iter()
            .any(|prefix| url.starts_with(prefix.as_str()))
        {
            return false;
        }
        if self.options.max_depth.is_some_and(|max| depth > max) {
            return false;
        }
        let Ok(mut frontier) = self.frontier.lock() else {
            return false;
        };
        if !frontier.seen.insert(url.clone()) {
            return false;
        }
        if !self.allowed(&url) {
            frontier.report.disallowed += 1;
            return false;
        }
        let redirected = self.redirects_before.get(&url).cloned();
        let stored = self
            .archive
            .is_done(&url)
            .then(|| self.archived.get(&url).cloned().unwrap_or_default());
        let (archived, revalidate) = match stored {
            Some(stored) if self.options.refresh => (None, Some(stored)),
            Some(stored) => {
                frontier.report.already_done += 1;
                // Its links still lead on, from what the archive stored of it.
                (Some(stored.html), None)
            }
            None => (None, None),
        };
        frontier.queue.push_back(Task {
            url,
            depth,
            tries: 0,
            archived,
            redirected,
            revalidate,
        });
        self.wake.notify_one();
        true
    }

    fn allowed(&self, url: &str) -> bool {
        let Ok(parsed) = url::Url::parse(url) else {
            return false;
        };
        let origin = parsed.origin().ascii_serialization();
        let path = match parsed.query() {
            Some(q) => format!("{}?{q}", parsed.path()),
            None => parsed.path().to_string(),
        };
        self.robots.get(&origin).is_none_or(|r| r.allows(&path))
    }

    /// The pages the sitemaps list (robots.txt's `Sitemap:` lines, else `/sitemap.xml`),
    /// at depth 0; sitemap indexes are followed, up to 64 files.
    fn read_sitemaps(&self, starts: &[url::Url]) {
        let mut files: VecDeque<String> = VecDeque::new();
        for url in starts {
            let origin = url.origin().ascii_serialization();
            let listed = self
                .robots
                .get(&origin)
                .map(|r| r.sitemaps.clone())
                .unwrap_or_default();
            if listed.is_empty() {
                files.push_back(format!("{origin}/sitemap.xml"));
            } else {
                files.extend(listed);
            }
        }
        let mut read = HashSet::new();
        while let Some(file) = files.pop_front() {
            if read.len() >= 64 || !read.insert(file.clone()) {
                continue;
            }
            // Only sitemaps of the crawl's own origins, as robots.txt allows.
            if !self.scope.iter().any(|p| same_origin(&file, p)) || !self.allowed(&file) {
                continue;
            }
            self.wait_for_host(&file);
            let got = self.get(&file, &[]);
            self.done_with_host(&file);
            let Ok(got) = got else { continue };
            if !got.is_success() {
                continue;
            }
            let map = sitemap::read(&got.body);
            files.extend(map.sitemaps);
            for page in map.pages {
                self.offer(&page, 0);
            }
        }
    }

    fn work(&self) {
        while let Some(task) = self.next_task() {
            self.visit(task);
            if let Ok(mut frontier) = self.frontier.lock() {
                frontier.in_flight -= 1;
            }
            self.wake.notify_all();
        }
    }

    /// The next URL to fetch, waiting while others are in flight and may find more;
    /// None when the crawl is over.
    fn next_task(&self) -> Option<Task> {
        let mut frontier = self.frontier.lock().ok()?;
        loop {
            if (self.stop)() || self.warc_failed() {
                return None;
            }
            let full = self
                .options
                .max_pages
                .is_some_and(|max| frontier.started >= max);
            if !full && let Some(task) = frontier.queue.pop_front() {
                frontier.in_flight += 1;
                if task.tries == 0 {
                    frontier.started += 1;
                }
                return Some(task);
            }
            if frontier.in_flight == 0 {
                return None;
            }
            frontier = self
                .wake
                .wait_timeout(frontier, Duration::from_millis(200))
                .ok()?
                .0;
        }
    }

    /// Waits until the URL's host may be asked: fewer than `per_host` requests in
    /// flight, and the delay since the last one past.
    fn wait_for_host(&self, url: &str) {
        let host = origin_of(url);
        let delay = self.delay_for(&host);
        let Ok(mut hosts) = self.hosts.lock() else {
            return;
        };
        loop {
            let busy = hosts.in_flight.get(&host).copied().unwrap_or(0);
            let now = Instant::now();
            let at = hosts.next_at.get(&host).copied().unwrap_or(now);
            if busy < self.options.per_host.max(1) && at <= now {
                *hosts.in_flight.entry(host.clone()).or_default() += 1;
                hosts.next_at.insert(host, now + delay);
                return;
            }
            let wait = if at > now {
                at - now
            } else {
                Duration::from_millis(200)
            };
            hosts = match self.host_free.wait_timeout(hosts, wait) {
                Ok((h, _)) => h,
                Err(_) => return,
            };
        }
    }

    /// The delay between two requests to a host: `--delay`, or robots.txt's
    /// `Crawl-delay` when it is longer (up to a minute).
    fn delay_for(&self, host: &str) -> Duration {
        self.robots
            .get(host)
            .and_then(|r| r.crawl_delay)
            .map_or(self.options.delay, |d| {
                self.options.delay.max(Duration::from_secs_f64(d.min(60.0)))
            })
    }

    /// A request to the URL's host is over: the delay runs from its end too, so that the
    /// site sees at least the delay between two requests however long each took.
    fn done_with_host(&self, url: &str) {
        let host = origin_of(url);
        let delay = self.delay_for(&host);
        if let Ok(mut hosts) = self.hosts.lock() {
            if let Some(n) = hosts.in_flight.get_mut(&host) {
                *n = n.saturating_sub(1);
            }
            if !delay.is_zero() {
                let at = Instant::now() + delay;
                let next = hosts.next_at.entry(host).or_insert(at);
                *next = (*next).max(at);
            }
        }
        self.host_free.notify_all();
    }

    /// Holds the host back for `wait` (a `Retry-After`).
    fn back_off(&self, url: &str, wait: Duration) {
        if let Ok(mut hosts) = self.hosts.lock() {
            let at = Instant::now() + wait;
            let entry = hosts.next_at.entry(origin_of(url)).or_insert(at);
            *entry = (*entry).max(at);
        }
    }

    fn visit(&self, task: Task) {
        if let Some(target) = &task.redirected {
            self.offer(target, task.depth);
            return;
        }
        if let Some(stored) = &task.archived {
            return self.follow_stored(&task.url, stored, task.depth);
        }
        let mut conditions = Vec::new();
        if let Some(stored) = &task.revalidate {
            if let Some(etag) = &stored.etag {
                conditions.push(("if-none-match", etag.as_str()));
            }
            if let Some(date) = &stored.last_modified {
                conditions.push(("if-modified-since", date.as_str()));
            }
        }
        let got = self.fetch_page(&task.url, &conditions);
        let now = SystemTime::now();
        if let (Ok(got), Some(stored)) = (&got, &task.revalidate)
            && got.status == 304
        {
            if let Ok(mut frontier) = self.frontier.lock() {
                frontier.report.unchanged += 1;
            }
            return self.follow_stored(&task.url, &stored.html, task.depth);
        }
        let got = match got {
            Ok(got) => got,
            Err(error) => {
                let facts = facts(&task.url, None, now);
                return self.list(Input::fetched(facts, Err(error.to_string())));
            }
        };
        // A challenge, a login wall, draft mode: listed as what it is, not archived as the
        // page, its links not followed.
        if let Some((kind, why)) = not_the_page(&got, &task.url) {
            let mut facts = facts(&task.url, Some(got.status), now);
            facts.not_the_page = Some(kind);
            return self.list(Input::fetched(facts, Err(format!("not the page: {why}"))));
        }
        // A redirect: its target is crawled as a page of its own, when in scope.
        if (300..400).contains(&got.status) {
            if let Some(location) = got.header("location")
                && let Ok(target) = url::Url::parse(&task.url).and_then(|u| u.join(location))
            {
                let target = target.as_str();
                // A page that sends to itself (or, held before, now sends elsewhere) is
                // listed as failed: it is not silently gone.
                let to_itself = normalize(target).as_deref() == Some(task.url.as_str());
                if !to_itself {
                    self.note_redirect(&task.url, got.status, target, now);
                    self.offer(target, task.depth);
                }
                if to_itself || task.revalidate.is_some() {
                    let facts = facts(&task.url, Some(got.status), now);
                    let why = format!("HTTP {}: redirects to {target}", got.status);
                    return self.list(Input::fetched(facts, Err(why)));
                }
            }
            return;
        }
        if matches!(got.status, 429 | 503) && task.tries + 1 < self.options.tries {
            let wait = retry_after(&got).unwrap_or(Duration::from_secs(1));
            if wait <= self.options.max_retry_after {
                self.back_off(&task.url, wait);
                if let Ok(mut frontier) = self.frontier.lock() {
                    frontier.queue.push_back(Task {
                        tries: task.tries + 1,
                        ..task
                    });
                    self.wake.notify_one();
                }
                return;
            }
        }
        let mut facts = facts(&task.url, Some(got.status), now);
        facts.etag = got.header("etag").map(str::to_string);
        facts.last_modified = got.header("last-modified").map(str::to_string);
        if !got.is_success() {
            let why = format!("HTTP {}", got.status);
            return self.list(Input::fetched(facts, Err(why)));
        }
        let kind = got
            .header("content-type")
            .unwrap_or("")
            .to_ascii_lowercase();
        let page_like = kind.is_empty()
            || kind.contains("html")
            || kind.contains("x-component")
            || kind.starts_with("text/plain");
        if !page_like {
            if let Ok(mut frontier) = self.frontier.lock() {
                frontier.report.not_pages += 1;
            }
            return;
        }
        let options = Options {
            url: Some(task.url.clone()),
            ..Options::default()
        };
        let page = Page::parse_with(&got.body, &options).ok();
        if let Some((kind, why)) = page.as_ref().and_then(page_is_not_the_page) {
            facts.not_the_page = Some(kind);
            return self.list(Input::fetched(facts, Err(format!("not the page: {why}"))));
        }
        for link in links(page.as_ref(), &got, &task.url) {
            self.offer(&link, task.depth + 1);
        }
        self.list(Input::fetched(facts, Ok(got.body)));
    }

    /// Follows the links of a page the archive holds, from its stored HTML.
    fn follow_stored(&self, url: &str, html: &std::path::Path, depth: usize) {
        let html = std::fs::read(html).unwrap_or_default();
        if let Ok(base) = url::Url::parse(url) {
            for href in html_anchors(&html) {
                if let Ok(link) = base.join(&href) {
                    self.offer(link.as_str(), depth + 1);
                }
            }
        }
    }

    /// Appends a redirect to `OUT/redirects.jsonl`, a whole line in one write, so that a
    /// resumed crawl knows it without asking again.
    fn note_redirect(&self, url: &str, status: u16, target: &str, at: SystemTime) {
        let line = serde_json::json!({
            "url": url,
            "status": status,
            "location": target,
            "fetched": rfc3339(at),
        });
        if let Ok(mut file) = self.redirects.lock()
            && let Some(file) = file.as_mut()
        {
            use std::io::Write;
            // A redirect not noted is only asked again by a resumed crawl.
            let _ = file.write_all(format!("{line}\n").as_bytes());
        }
    }

    /// Stores a page (or its failure) in the archive, in the order pages came.
    fn list(&self, input: Input) {
        let seq = match self.frontier.lock() {
            Ok(mut frontier) => {
                frontier.next_seq += 1;
                frontier.next_seq - 1
            }
            Err(_) => return,
        };
        let entries = self.archive.process(seq, &input);
        if let Ok(mut frontier) = self.frontier.lock() {
            for entry in &entries {
                frontier.report.listed += 1;
                frontier.report.failed += usize::from(!entry.ok);
            }
        }
        for entry in &entries {
            (self.on_page)(entry);
        }
    }
}

/// The redirects file of a crawl's folder.
const REDIRECTS: &str = "redirects.jsonl";

/// The redirects listed in `OUT/redirects.jsonl`, by URL (a partial last line, left by a
/// crash, is skipped).
fn redirects_met(folder: &std::path::Path) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(folder.join(REDIRECTS)) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|r| {
            Some((
                r["url"].as_str()?.to_string(),
                r["location"].as_str()?.to_string(),
            ))
        })
        .collect()
}

/// Opens `OUT/redirects.jsonl` to add to it (`--resume`) or to start it afresh.
fn open_redirects(folder: &std::path::Path, resume: bool) -> std::io::Result<std::fs::File> {
    let path = folder.join(REDIRECTS);
    if resume {
        // A line cut by a crash is ended, so that the next one starts whole.
        let cut = std::fs::read(&path).is_ok_and(|t| !t.is_empty() && !t.ends_with(b"\n"));
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        if cut {
            use std::io::Write;
            file.write_all(b"\n")?;
        }
        Ok(file)
    } else {
        std::fs::File::create(&path)
    }
}

/// What an archive holds of each page, by its URL (read from its index).
fn archived_pages(folder: &std::path::Path) -> HashMap<String, Stored> {
    let Ok(index) = std::fs::read_to_string(folder.join("index.jsonl")) else {
        return HashMap::new();
    };
    let text = |record: &serde_json::Value, key: &str| record[key].as_str().map(str::to_string);
    index
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|record| record["ok"] == true)
        .filter_map(|record| {
            let url = record["url"].as_str()?.to_string();
            let html = record["files"]["html"].as_str().unwrap_or_default();
            let stored = Stored {
                html: folder.join(html),
                etag: text(&record, "etag"),
                last_modified: text(&record, "lastModified"),
            };
            Some((url, stored))
        })
        .collect()
}

fn facts(url: &str, status: Option<u16>, at: SystemTime) -> HttpFacts {
    HttpFacts {
        url: url.to_string(),
        status,
        fetched: rfc3339(at),
        etag: None,
        last_modified: None,
        not_the_page: None,
    }
}

/// What a response is instead of the page asked for, and why it is taken so: a bot
/// challenge, a login wall, draft mode. (A soft 404 and a page's error are told by the
/// page itself: see [`page_is_not_the_page`].)
fn not_the_page(got: &Fetched, asked: &str) -> Option<(&'static str, String)> {
    let mitigated = ["cf-mitigated", "x-vercel-mitigated"].iter().find_map(|h| {
        got.header(h)
            .filter(|v| v.eq_ignore_ascii_case("challenge"))
    });
    let head = &got.body[..got.body.len().min(64 * 1024)];
    let marks = [
        "<title>Just a moment...</title>",
        "challenge-platform",
        "Checking your browser",
        "_vercel/security",
    ];
    let marked = marks
        .iter()
        .find(|m| memchr::memmem::find(head, m.as_bytes()).is_some());
    if let Some(h) = mitigated {
        return Some(("bot-challenge", format!("a bot challenge (mitigated: {h})")));
    }
    if let Some(mark) = marked
        && (!got.is_success() || mark.starts_with("<title>"))
    {
        return Some((
            "bot-challenge",
            format!("a bot challenge ({mark:?} in the page)"),
        ));
    }
    if got.status == 401 {
        return Some(("login", "HTTP 401: a login is asked for".into()));
    }
    if (300..400).contains(&got.status)
        && let Some(location) = got.header("location")
        && let Ok(target) = url::Url::parse(asked).and_then(|u| u.join(location))
        && is_login_path(target.path())
        && url::Url::parse(asked).is_ok_and(|u| !is_login_path(u.path()))
    {
        return Some(("login", format!("redirected to a login page ({target})")));
    }
    let drafted = got.headers.iter().any(|(name, value)| {
        name == "set-cookie"
            && (value.starts_with("__prerender_bypass=")
                || value.starts_with("__next_preview_data="))
    });
    if drafted {
        return Some((
            "draft-mode",
            "the response turns on draft mode (its preview cookies)".into(),
        ));
    }
    None
}

/// Paths that ask for a login.
fn is_login_path(path: &str) -> bool {
    let path = path.to_ascii_lowercase();
    path.split('/').any(|segment| {
        matches!(
            segment,
            "login" | "log-in" | "signin" | "sign-in" | "auth" | "sso" | "oauth" | "authorize"
        )
    })
}

/// What a page read says it is instead of the page asked for: Next's not-found page
/// served with 200 (a soft 404), or a flight whose page failed on the server (200 as a
/// flight, with the error's digest in an `E` row).
fn page_is_not_the_page(page: &Page) -> Option<(&'static str, String)> {
    use crate::next::response::ResponseKind;
    match page.next().response.kind {
        ResponseKind::NotFound => Some(("soft-404", "Next's not-found page, served as 200".into())),
        ResponseKind::Error => Some((
            "server-error",
            "the page failed on the server (an error row)".into(),
        )),
        _ => None,
    }
}

/// The links a page carries: its HTML anchors, the URLs its flight's elements carry
/// (`next/link` hrefs among them: what client navigation follows), and its navigation,
/// resolved against the page's URL.
fn links(page: Option<&Page>, got: &Fetched, url: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(page) = page {
        let base_path = page.next().link_style.base_path.value.clone();
        for region in page.navigation() {
            found.extend(region.links.iter().filter_map(|l| l.url.clone()));
        }
        // Every URL an element carries, and every `href` of the data the server hands to
        // client components (a menu's items, drawn only when opened).
        let mut carried: Vec<String> = Vec::new();
        if let Ok(matches) = page.find(&Query::urls(Some(url))) {
            carried.extend(
                matches
                    .iter()
                    .filter_map(|m| serde_json::from_str::<String>(&m.value).ok()),
            );
        }
        if let (Ok(query), Ok(base)) = (Query::keys(["href"]), url::Url::parse(url)) {
            for found in page.find(&query).unwrap_or_default() {
                let Ok(object) = serde_json::from_str::<serde_json::Value>(&found.value) else {
                    continue;
                };
                if let Some(href) = object["href"].as_str()
                    && let Ok(joined) = base.join(href)
                {
                    carried.push(joined.to_string());
                }
            }
        }
        for text in carried {
            // The flight's Link hrefs leave the base path out; Next adds it.
            let with_base = match url::Url::parse(&text) {
                Ok(mut u) if !base_path.is_empty() && !u.path().starts_with(&base_path) => {
                    let path = format!("{base_path}{}", u.path());
                    u.set_path(&path);
                    u.to_string()
                }
                _ => text,
            };
            found.push(with_base);
        }
    }
    if let Ok(base) = url::Url::parse(url) {
        for href in html_anchors(&got.body) {
            if let Ok(joined) = base.join(&href) {
                found.push(joined.to_string());
            }
        }
    }
    found.retain(|l| !looks_like_asset(l));
    found
}

/// The `href` of each `<a>` in an HTML page (entities for `&` undone).
fn html_anchors(html: &[u8]) -> Vec<String> {
    static ANCHOR: std::sync::LazyLock<Option<regex::bytes::Regex>> =
        std::sync::LazyLock::new(|| {
            regex::bytes::Regex::new(r#"(?i)<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)')"#).ok()
        });
    let Some(anchor) = ANCHOR.as_ref() else {
        return Vec::new();
    };
    anchor
        .captures_iter(html)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| String::from_utf8_lossy(m.as_bytes()).replace("&amp;", "&"))
        .collect()
}

/// Files a link may name that are no page.
fn looks_like_asset(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    if path.contains("/_next/") {
        return true;
    }
    const ASSETS: &[&str] = &[
        ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico", ".css", ".js", ".mjs",
        ".map", ".json", ".xml", ".woff", ".woff2", ".ttf", ".otf", ".pdf", ".zip", ".gz", ".mp4",
        ".webm", ".mp3", ".wav", ".txt",
    ];
    ASSETS.iter().any(|ext| path.ends_with(ext))
}

/// The URL as the crawl keys it: http(s) only, no fragment, no query (Next serves the
/// same page whatever the query), the host in lower case.
fn normalize(url: &str) -> Option<String> {
    let mut parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    parsed.set_fragment(None);
    parsed.set_query(None);
    Some(parsed.to_string())
}

fn origin_of(url: &str) -> String {
    url::Url::parse(url).map_or_else(|_| url.to_string(), |u| u.origin().ascii_serialization())
}

fn same_origin(a: &str, b: &str) -> bool {
    origin_of(a) == origin_of(b)
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(got: &Fetched) -> Option<Duration> {
    let value = got.header("retry-after")?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate(value)?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn httpdate(text: &str) -> Option<SystemTime> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| m.eq_ignore_ascii_case(month))? as i64
        + 1;
    let (day, year): (i64, i64) = (day.parse().ok()?, year.parse().ok()?);
    let hms: Vec<i64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [h, m, s] = hms.as_slice() else {
        return None;
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + h * 3600 + m * 60 + s;
    u64::try_from(seconds)
        .ok()
        .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A time in UTC as RFC 3339 (`2026-12-03T17:40:00Z`).
fn rfc3339(at: SystemTime) -> String {
    let seconds = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // The inverse of days_from_civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_and_write() {
        let at = httpdate("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(rfc3339(at), "1994-11-06T08:49:37Z");
        assert_eq!(rfc3339(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap = httpdate("Thu, 29 Feb 2024 23:59:59 GMT").unwrap();
        assert_eq!(rfc3339(leap), "2024-02-29T23:59:59Z");
        assert!(httpdate("yesterday").is_none());
    }

    #[test]
    fn urls_are_keyed_without_fragment_or_query() {
        assert_eq!(
            normalize("https://A.example/x?y=1#z").as_deref(),
            Some("https://a.example/x")
        );
        assert_eq!(normalize("mailto:a@b.c"), None);
        assert!(looks_like_asset("https://a.example/_next/static/x"));
        assert!(looks_like_asset("https://a.example/logo.PNG?v=1"));
        assert!(!looks_like_asset("https://a.example/blog/post"));
    }

    #[test]
    fn anchors_in_html() {
        let html =
            br#"<a href="/a">A</a><A class=x HREF='/b?x=1&amp;y=2'>B</A><link href="/c.css">"#;
        assert_eq!(html_anchors(html), ["/a", "/b?x=1&y=2"]);
    }
}
