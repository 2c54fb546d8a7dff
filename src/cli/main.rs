//! The `next-rsc` command line: a thin shell over the library.

#![deny(unsafe_code)]

mod mapped;

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use next_rsc::flight::canonical::Pretty;
use next_rsc::flight::{self, Dialect, ResolveOptions, WriteOptions};
use next_rsc::input::Source;
use next_rsc::query::{CanonicalTree, Query};
use next_rsc::{Diagnostic, Error, HtmlSettings, Page};

/// Read the React Server Components ("flight") data that Next.js sites send to browsers
/// and get what users come for: React's resolved tree, the page's metadata, article and
/// navigation, the page as HTML, the article as Markdown, whole sites archived.
///
/// Every command takes one or more inputs (files, - for standard input, or http(s) URLs,
/// fetched: the HTML, or with --flight the flight) and decides what each is: raw flight
/// (an `RSC: 1` body, `.rsc`, a static export's `.txt`), an App Router HTML page, or a
/// pages-router page. JSON is pretty on a terminal and compact when piped (--pretty /
/// --compact to choose).
///
/// Exit status: 0 when every input gave output (diagnostics, if any, on stderr); 1 when
/// some input failed, or with --strict when an input had problems, or in `archive` when
/// an input failed; 2 when nothing usable came out, or on a usage error. Errors name the
/// file, and for problems inside a payload the row id and byte offset.
///
/// Examples:
///   next-rsc extract saved-page.html
///   next-rsc extract https://example.com/blog/post
///   next-rsc markdown --flight https://example.com/blog/post
///   curl -s -H 'RSC: 1' https://example.com/blog/post | next-rsc markdown -
///   next-rsc html out/blog/post.txt > post.html
///   next-rsc archive site/ crawl.warc.gz -o archive/
#[derive(Parser)]
#[command(name = "next-rsc", version, about, long_about, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    fetch: FetchArgs,
}

/// How inputs given as URLs are fetched.
#[derive(clap::Args, Clone)]
struct FetchArgs {
    /// For inputs given as http(s) URLs: fetch the page's flight, as client navigation
    /// does (`RSC: 1`; on a static host, the export's .txt file), instead of its HTML.
    #[arg(long, global = true)]
    flight: bool,
    /// For inputs given as URLs: give up on a request after this many seconds.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 30.0)]
    timeout: f64,
}

/// The client for URL inputs, made once from the command line's settings.
static FETCHER: std::sync::OnceLock<(next_rsc::fetch::Fetcher, next_rsc::fetch::Want)> =
    std::sync::OnceLock::new();

/// How JSON output is laid out.
#[derive(clap::Args, Clone, Copy, Default)]
struct JsonArgs {
    /// Pretty-print JSON (the default on a terminal).
    #[arg(long, conflicts_with = "compact")]
    pretty: bool,
    /// Compact JSON (the default when piped; JSON Lines for several inputs).
    #[arg(long)]
    compact: bool,
}

impl JsonArgs {
    fn layout(self) -> Layout {
        if self.pretty {
            Layout::Pretty
        } else if self.compact || !io::stdout().is_terminal() {
            Layout::Compact
        } else {
            Layout::Pretty
        }
    }
}

/// Where documents go when there are several.
#[derive(clap::Args, Clone, Default)]
struct OutArgs {
    /// Write one file per input into this folder (created if needed), named after the
    /// input (post.txt → post.html), instead of to standard output. Needed for several
    /// inputs: one standard output holds one document.
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// What the user knows about the site that the page itself may not tell.
#[derive(clap::Args, Clone, Default)]
struct SiteArgs {
    /// The site's basePath (e.g. /blog), added to Link hrefs as Next does. Default:
    /// inferred from the page (canonical URL, asset prefix, asset URLs); `next.basePath`
    /// says what it was read from.
    #[arg(long, value_name = "PATH")]
    base_path: Option<String>,
    /// The site's trailingSlash setting (true or false), applied to Link hrefs as Next
    /// does. Default: inferred from the page (its canonical URL, the file's place in a
    /// static export, --url); `next.trailingSlash` says from what. Unknown: links stay as
    /// written.
    #[arg(long, value_name = "BOOL")]
    trailing_slash: Option<bool>,
    /// The page's URL: tells the trailing slash, and navigation links get their absolute
    /// `url` resolved against it.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
}

impl SiteArgs {
    /// One input read, and how to read it: a file or standard input, or a URL fetched
    /// (its URL, after redirects, tells links and the trailing slash, unless --url does).
    fn read(&self, file: &Path) -> Result<(Input, next_rsc::Options), Error> {
        let Some(url) = as_url(file) else {
            return Ok((read_input(file)?, self.options(file)));
        };
        let (fetched, want) = fetch(url)?;
        let page_url = match want {
            next_rsc::fetch::Want::Html => fetched.url,
            // The flight's own URL is `?_rsc=…` or an export's `.txt`: not the page's.
            next_rsc::fetch::Want::Flight => fetched.requested,
        };
        let options = next_rsc::Options {
            url: self.url.clone().or(Some(page_url)),
            source: Some(url.to_string()),
            ..self.options(file)
        };
        Ok((Input::Read(fetched.body), options))
    }

    /// How to read one input: these settings, and where the input came from.
    fn options(&self, file: &Path) -> next_rsc::Options {
        next_rsc::Options {
            url: self.url.clone(),
            base_path: self.base_path.clone(),
            trailing_slash: self.trailing_slash,
            source: (file.as_os_str() != "-").then(|| file.display().to_string()),
            single_thread: false,
            safe: false,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Print the resolved tree of a flight payload (or of an App Router HTML page) as JSON.
    ///
    /// Without --canonical the tree is pretty-printed and client references also show
    /// their chunk files and async flag. With --canonical the output is exactly what
    /// `decode.mjs --no-messages --hints` (React's own client, in the oracle) prints:
    /// `{"hints":[…],"root":…}` with sorted keys, `$el` elements, `$client` references,
    /// `$error` / `$pending` where React rejects or never settles a value.
    ///
    /// Examples:
    ///   next-rsc tree page.rsc
    ///   next-rsc tree --canonical saved-page.html
    ///   curl -s -H 'RSC: 1' https://example.com/blog | next-rsc tree --canonical -
    #[command(verbatim_doc_comment)]
    Tree {
        /// Flight payloads (`RSC: 1` bodies, `.rsc`, export `.txt`) or App Router HTML
        /// pages; - for standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print the canonical JSON of React's own client (compact, React's view byte for byte).
        #[arg(long)]
        canonical: bool,
        /// Resolve with the rules of one React line instead of detecting it from the payload.
        #[arg(long, value_enum)]
        react: Option<ReactLine>,
        /// Exit with status 1 when the input had any problem.
        #[arg(long)]
        strict: bool,
        /// Stop (exit 2) after writing this many bytes. Shared values are written at
        /// every use, so a small hostile payload can ask for gigabytes. Default: 64 MiB
        /// plus 256 times the input's size.
        #[arg(long, value_name = "BYTES")]
        max_output: Option<u64>,
        #[command(flatten)]
        json: JsonArgs,
    },
    /// Print what a page or payload says as JSON: next, metadata, article, navigation.
    ///
    /// next        the Next.js facts: router ("app"/"pages"), payload kind,
    ///             responseKind (page, prefetch, action, segment, not-found, forbidden,
    ///             unauthorized, redirect with its url, error with its digest), version
    ///             range, buildId, route ("/posts/[...slug]"), path, search, params,
    ///             dynamicSegments, assetPrefix, basePath and trailingSlash (each
    ///             {value, from}: what it was read from), routerTree, assets {css, js},
    ///             beforeInteractive (self.__next_s scripts)
    /// pageKind    {kind, evidence}: article, list, home, docs, error or other, and why
    /// metadata    title, description, canonical, lang, keywords, authors, robots,
    ///             openGraph (with article:* fields), twitter, icons, alternates,
    ///             viewport, themeColor, jsonLd, and tags: every head element in order
    ///             (streamed metadata and what React hoists from the body included)
    /// article     of an article or a docs page: title, published, modified, author,
    ///             tags, lang, html, text, wordCount (CJK characters count as words),
    ///             markdown (when a client component drew it from Markdown); null
    ///             otherwise
    /// navigation  [{region, label?, links: [{href, url?, text, current?}]}] for header,
    ///             nav, aside, footer, breadcrumb, toc and pagination regions; hrefs as
    ///             the page writes them (Link's base path and trailing slash applied),
    ///             url absolute when --url is given
    /// diagnostics what was wrong with the input (also on stderr)
    ///
    /// Everything comes from the flight alone (the page as the browser composes it);
    /// for an HTML page, head tags only its HTML has are added. A value the input
    /// does not carry is null. Accepts raw flight (an `RSC: 1` body, `.rsc`, export
    /// `.txt`), App Router pages and pages-router pages (`__NEXT_DATA__`: the next
    /// section and the HTML head's metadata); any other HTML exits 2.
    ///
    /// Examples:
    ///   next-rsc extract page.html
    ///   next-rsc extract out/blog/hello.txt | jq .article.text
    ///   next-rsc extract --base-path /blog --trailing-slash true out/posts/a/index.txt
    ///   curl -s -H 'RSC: 1' https://example.com/blog/post | next-rsc extract - | jq .metadata.title
    #[command(verbatim_doc_comment)]
    Extract {
        /// Flight payloads or HTML pages; - for standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Exit with status 1 when the input had any problem.
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        site: SiteArgs,
        #[command(flatten)]
        json: JsonArgs,
    },
    /// Print the page as a complete HTML document, rendered from the flight alone.
    ///
    /// The composed page (every layout with its slot filled, down to the page) written
    /// with React's server rendering rules, the head rebuilt from the metadata elements
    /// and the page's stylesheets linked. Next's Link, Image and Script components are
    /// written as what they render; other client components as the server-rendered
    /// content they received, inside <rsc-client data-rsc-client="module#export">.
    /// Element types and attribute names React refuses are never written.
    ///
    /// Active content: by default the page is what React's server would send, so the
    /// page's own inline scripts, event handlers and frames are in it (<script src>
    /// elements are left out unless --scripts). For pages from sites you do not trust
    /// that a browser will open, use --safe: no script, no on* handler, no javascript:
    /// or data: URL, no iframe, object, embed, form, <base> or refresh; the text kept.
    ///
    /// Examples:
    ///   next-rsc html out/blog/hello.txt > hello.html
    ///   next-rsc html --safe saved-from-a-stranger.html > page.html
    ///   next-rsc html --no-css --scripts page.rsc
    #[command(verbatim_doc_comment)]
    Html {
        /// Flight payloads or App Router HTML pages; - for standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Leave every stylesheet out (the page's own links too).
        #[arg(long)]
        no_css: bool,
        /// Keep <script src> elements (Next's chunks try to hydrate the page).
        #[arg(long, conflicts_with = "safe")]
        scripts: bool,
        /// No active content: scripts, handlers, frames, forms and script URLs taken out
        /// (by ammonia), the text kept.
        #[arg(long)]
        safe: bool,
        /// Exit with status 1 when the input had any problem.
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        site: SiteArgs,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Print the page's article as Markdown (CommonMark with GFM tables).
    ///
    /// YAML front matter (title, date, modified, author, tags, lang, canonical, source),
    /// the title, then the body: headings, paragraphs, emphasis, links and images resolved
    /// against the canonical URL, lists, code blocks with their language, blockquotes,
    /// tables. HTML that Markdown cannot say is kept as HTML. Exits 2 when the page has
    /// no article.
    ///
    /// Examples:
    ///   next-rsc markdown out/blog/hello.txt > hello.md
    ///   curl -s https://example.com/blog/post | next-rsc markdown -
    #[command(verbatim_doc_comment)]
    Markdown {
        /// Flight payloads or HTML pages; - for standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Exit with status 1 when the input had any problem.
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        site: SiteArgs,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Find what a page carries: one JSON line per match, {"source"?,"path","value"}.
    ///
    /// The path is a JSON pointer into what `tree --canonical` prints, the value what is
    /// there, in that form: elements are {"$el","key","props"}, client components'
    /// types {"$client":{"id","name"}}. Exit status as grep's: 0 with matches, 1 with
    /// none, 2 on an error.
    ///
    /// Examples:
    ///   next-rsc find --client shop/product.html          # the data handed to the browser
    ///   next-rsc find --keys price,currency shop/product.html
    ///   next-rsc find --type Link --count page.rsc
    ///   next-rsc find --text 'out of stock' -i out/**/*.txt
    ///   next-rsc find --urls --url https://example.com/blog/ page.html
    #[command(verbatim_doc_comment)]
    #[command(group(clap::ArgGroup::new("selector").required(true).args(["keys", "element_type", "module", "text", "client", "urls"])))]
    Find {
        /// Flight payloads or HTML pages; - for standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Every object (element props included) that has all these keys.
        #[arg(long, value_name = "K1,K2", value_delimiter = ',')]
        keys: Vec<String>,
        /// Every element whose type is this host tag (a, img) or client export (Link).
        #[arg(long = "type", value_name = "T")]
        element_type: Option<String>,
        /// Every element of this client module id (as `find --client` shows it).
        #[arg(long, value_name = "ID")]
        module: Option<String>,
        /// Every string that contains this text.
        #[arg(long, value_name = "S")]
        text: Option<String>,
        /// Read --text as a regular expression (the regex crate's syntax).
        #[arg(long, requires = "text")]
        regex: bool,
        /// Compare --text without case.
        #[arg(short = 'i', long, requires = "text")]
        ignore_case: bool,
        /// Every client component: its module, export name and props without children.
        #[arg(long)]
        client: bool,
        /// Every URL in element props (href, src, srcSet, action, poster, URL metas),
        /// resolved against --url when given.
        #[arg(long)]
        urls: bool,
        /// Print how many matches, not the matches.
        #[arg(long)]
        count: bool,
        /// Stop at the first match of each input.
        #[arg(long)]
        first: bool,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Print the value at a JSON pointer into the page's canonical tree.
    ///
    /// Pointers are what `find` prints (RFC 6901: /root/props/children/0). An error names
    /// the first segment that is not there.
    ///
    /// Examples:
    ///   next-rsc get /root/props/children/0 page.rsc
    ///   next-rsc get "$(next-rsc find --type h1 --first page.rsc | jq -r .path)/props/children" page.rsc
    #[command(verbatim_doc_comment)]
    Get {
        /// The JSON pointer.
        pointer: String,
        /// Flight payloads or HTML pages; - for standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Compare two pages: the JSON Patch (RFC 6902) that turns OLD's canonical tree into
    /// NEW's.
    ///
    /// Objects are compared by key and arrays by content, so one changed item in a long
    /// list is one operation inside it. --summary counts what changed (text, links,
    /// metadata, data) and where. Exit status as diff's: 0 the same, 1 different, 2 on
    /// an error.
    ///
    /// Examples:
    ///   next-rsc diff yesterday/pricing.html today/pricing.html
    ///   next-rsc diff --summary old.rsc new.rsc
    #[command(verbatim_doc_comment)]
    Diff {
        /// The earlier page.
        old: PathBuf,
        /// The later page.
        new: PathBuf,
        /// Say what changed where, in words, instead of the patch.
        #[arg(long)]
        summary: bool,
        #[command(flatten)]
        json: JsonArgs,
    },
    /// Archive whole sites: every page below the inputs, in parallel, into a folder.
    ///
    /// Inputs are files and folders, walked recursively for .html, .htm, .rsc and .txt
    /// flight files (text files that are not flight, like robots.txt, are passed over)
    /// and web archives (.warc, .warc.gz: their HTML and flight responses). OUT gets
    /// index.jsonl, one line per input page:
    ///   {"source","ok","error"?,"path"?,"title"?,"buildId"?,"files":{"json","markdown"?,"html"?},
    ///    "diagnostics"?,"cut"?}   ("cut": why a page was stored cut short)
    /// and per page, named after its path on the site (posts/hello.json, .md, .html;
    /// index for /), the extraction JSON, the Markdown of its article and the rendered
    /// HTML. A broken input is listed with "ok":false and its error, the run carries on,
    /// and the exit status is 1. A progress bar shows on stderr when it is a terminal.
    ///
    /// Nothing is lost: each index line and each file is written whole. Killed at any
    /// moment, the run leaves a whole index, and --resume does what is left (failed
    /// inputs too). Ctrl-C finishes the pages being written and exits 130 (TERM: 143).
    /// One run at a time writes into OUT. Pipes and devices are skipped; an input over
    /// 4 GiB (NEXT_RSC_MAX_INPUT_BYTES) fails.
    ///
    /// Examples:
    ///   next-rsc archive out/ -o archive/
    ///   next-rsc archive crawl.warc.gz pages/ -o archive/ --resume
    ///   next-rsc archive site/ --jsonl > pages.jsonl
    #[command(verbatim_doc_comment)]
    Archive(ArchiveArgs),
    /// Crawl a live Next.js site into an archive (the `archive` layout).
    ///
    /// From the start URLs, it fetches each page's HTML and follows the same-origin links
    /// the page carries — its HTML anchors and the links of its flight, which only client
    /// navigation follows — and the pages its sitemaps list (robots.txt's Sitemap lines,
    /// else /sitemap.xml), within --scope, --max-depth and --max-pages. It is polite:
    /// robots.txt is obeyed (the group for next-rsc, else *; the longest rule wins), at
    /// most two requests are in flight per host, --delay seconds pass between requests
    /// (or robots.txt's Crawl-delay), and a 429 or 503 is retried after its Retry-After.
    /// Redirects are followed only within the scope; other origins are never fetched.
    ///
    /// OUT/index.jsonl lists each page as `archive` does, plus its "url", HTTP "status",
    /// "fetched" time, "etag" and "lastModified". A page that fails (404, 500, a timeout,
    /// a refused connection) is listed with "ok":false and its status or reason, the
    /// crawl goes on, and the exit status is 1. What answers in a page's place is listed
    /// with "notThePage" (bot-challenge, login, draft-mode, soft-404, server-error), not
    /// archived as the page. Redirects are listed in OUT/redirects.jsonl. --resume
    /// fetches nothing OUT already holds; --refresh asks again for all of it with
    /// conditional requests. --warc FILE also keeps every exchange as sent, in a WARC
    /// file. --flight crawls the pages' flights instead of their HTML. Ctrl-C finishes
    /// the pages in flight and exits 130 (TERM: 143).
    ///
    /// Examples:
    ///   next-rsc crawl https://example.com/ -o site/
    ///   next-rsc crawl https://example.com/docs/ --scope https://example.com/docs/ --delay 1 -o docs/
    ///   next-rsc crawl https://example.com/ --max-pages 100 --max-depth 3 -o sample/ --resume
    ///   next-rsc crawl https://example.com/ -o site/ --warc site.warc.gz
    ///   next-rsc crawl https://example.com/ -o site/ --refresh --warc site.warc.gz
    #[command(verbatim_doc_comment)]
    Crawl(CrawlArgs),
    /// Print one JSON line per row: {"id","tag","offset","length"}.
    ///
    /// `id` and `tag` are as on the wire (`""` for an anonymous row or a model row,
    /// `"HL"` for a hint); offset and length are in bytes of the input.
    ///
    /// Example:
    ///   next-rsc rows page.rsc | grep '"tag":"T"'
    #[command(verbatim_doc_comment)]
    Rows {
        /// Flight payloads or App Router HTML pages (their rebuilt flight); - for
        /// standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Exit with status 1 when the input had any problem.
        #[arg(long)]
        strict: bool,
    },
}

/// `next-rsc archive`'s arguments.
#[derive(clap::Args)]
struct ArchiveArgs {
    /// Files and folders to archive.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// The output folder (created if needed).
    #[arg(short, long, value_name = "OUT", required_unless_present = "jsonl")]
    out: Option<PathBuf>,
    /// Skip inputs that OUT/index.jsonl already lists as done, and add to it.
    #[arg(long)]
    resume: bool,
    /// Write one extraction record per page to standard output (JSON Lines:
    /// {"source","ok","error"?, …extraction}) instead of files, for xargs, GNU
    /// parallel or a cluster's pipe stage.
    #[arg(long)]
    jsonl: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Memory the pages in progress may take together (default: half of what the
    /// process may use: the machine's memory, its container's limit or ulimit -v), as
    /// bytes or with K, M, G: a big page waits for others to finish, and a page that
    /// would need more (reckoned at 32 bytes per byte of it) fails as too large.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_memory: Option<u64>,
    /// Sync each page's files, their folder and the index to the disk before the
    /// page is listed, so that even a power cut leaves no record of a file that is
    /// not whole (a few milliseconds per page). Without it the index is synced every
    /// 256 pages and at the end, which a killed run or a full disk never corrupts.
    #[arg(long)]
    durable: bool,
    /// Do not link the pages' stylesheets in the rendered HTML.
    #[arg(long)]
    no_css: bool,
    /// Write each page's HTML with no active content (see `html --safe`). The
    /// article HTML in the JSON and the Markdown never carry any.
    #[arg(long)]
    safe: bool,
    #[command(flatten)]
    site: SiteArgs,
}

/// `next-rsc crawl`'s arguments.
#[derive(clap::Args)]
struct CrawlArgs {
    /// Where to start: http(s) URLs.
    #[arg(required = true, value_name = "URL")]
    urls: Vec<String>,
    /// The output folder (created if needed).
    #[arg(short, long, value_name = "OUT")]
    out: PathBuf,
    /// Fetch only URLs that start with this prefix (repeatable). Default: the origin of
    /// each start URL.
    #[arg(long, value_name = "PREFIX")]
    scope: Vec<String>,
    /// Stop after this many pages.
    #[arg(long, value_name = "N")]
    max_pages: Option<usize>,
    /// Follow links at most this many steps from a start URL (sitemap pages count 0).
    #[arg(long, value_name = "N")]
    max_depth: Option<usize>,
    /// Seconds between two requests to one host (default 0; robots.txt's Crawl-delay
    /// when it asks for more).
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0)]
    delay: f64,
    /// Do not read sitemaps: only links lead to pages.
    #[arg(long)]
    no_sitemaps: bool,
    /// Fetch nothing OUT/index.jsonl lists as done nor any redirect OUT/redirects.jsonl
    /// lists, and add to them (and to the --warc file).
    #[arg(long)]
    resume: bool,
    /// Ask again for every page OUT holds, as conditional requests (If-None-Match with
    /// its ETag, If-Modified-Since with its Last-Modified): a 304 keeps the page; a new
    /// answer replaces it, in place under the same file names; a failure keeps it as it
    /// was (reported, exit status 1). New pages are added as --resume adds them.
    #[arg(long)]
    refresh: bool,
    /// Also write every exchange (pages, redirects, failures, robots.txt, sitemaps) to
    /// this WARC 1.1 file: request and response records with the bytes as sent,
    /// chunked framing and gzip intact. A name ending in .gz compresses each record.
    /// It must not exist, unless --resume adds to it.
    #[arg(long, value_name = "FILE")]
    warc: Option<PathBuf>,
    /// Do not link the pages' stylesheets in the rendered HTML.
    #[arg(long)]
    no_css: bool,
    /// Write each page's HTML with no active content (see `html --safe`).
    #[arg(long)]
    safe: bool,
    /// The site's basePath, when its pages do not tell it.
    #[arg(long, value_name = "PATH")]
    base_path: Option<String>,
    /// The site's trailingSlash setting (true or false), when its pages do not tell it.
    #[arg(long, value_name = "BOOL")]
    trailing_slash: Option<bool>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReactLine {
    /// Next 13.0 – 13.1 (tag-first rows).
    Legacy,
    /// Next 13.2 – 14.2 (React 18.3).
    #[value(name = "18")]
    React18,
    /// Next 15 and later (React 19).
    #[value(name = "19")]
    React19,
}

use mapped::Input;

/// `4096`, `512K`, `300M`, `8G` (powers of 1024; `KiB`, `MB`… also read).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let number: u64 = text[..digits]
        .parse()
        .map_err(|_| format!("{text:?} is not a size such as 8G or 512M"))?;
    let shift = match text[digits..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        unit => return Err(format!("unknown unit {unit:?}: use K, M or G")),
    };
    number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("{text:?} is too large"))
}

/// Reads an input whole: standard input, or a regular file (mapped when large).
/// The input as a URL, when it is one.
fn as_url(path: &Path) -> Option<&str> {
    path.to_str().filter(|text| next_rsc::fetch::is_url(text))
}

/// Fetches a URL input as the command line says (HTML, or the flight with --flight).
fn fetch(url: &str) -> Result<(next_rsc::fetch::Fetched, next_rsc::fetch::Want), Error> {
    let (fetcher, want) = FETCHER.get_or_init(|| {
        (
            next_rsc::fetch::Fetcher::new(next_rsc::fetch::FetchOptions::default()),
            next_rsc::fetch::Want::Html,
        )
    });
    let fetched = fetcher
        .fetch(url, *want)
        .map_err(|e| Error::Fetch(e.to_string()))?;
    if fetched.body.is_empty() {
        return Err(Error::Empty);
    }
    Ok((fetched, *want))
}

fn read_input(path: &Path) -> Result<Input, Error> {
    if let Some(url) = as_url(path) {
        return fetch(url).map(|(fetched, _)| Input::Read(fetched.body));
    }
    let io_error = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let limit = next_rsc::input::max_input_bytes();
    let buf = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        io::stdin()
            .take(limit + 1)
            .read_to_end(&mut buf)
            .map_err(io_error)?;
        Input::Read(buf)
    } else {
        mapped::open(path).map_err(io_error)?
    };
    if buf.len() as u64 > limit {
        return Err(io_error(io::Error::other(format!(
            "larger than {limit} bytes (NEXT_RSC_MAX_INPUT_BYTES sets the limit)"
        ))));
    }
    if buf.is_empty() {
        return Err(Error::Empty);
    }
    Ok(buf)
}

/// The flight to decode: the input itself, or for an HTML page the stream its
/// `self.__next_f` scripts carry (with what was wrong with the page).
fn flight_input(input: Input) -> Result<(Input, Vec<Diagnostic>), Error> {
    match next_rsc::input::detect(&input)? {
        Source::Flight => Ok((input, Vec::new())),
        Source::Page(flight, _) => Ok((Input::Read(flight.bytes), flight.diagnostics)),
        Source::PagesRouter(_) => Err(Error::PagesRouter),
    }
}

/// The input's tree as `tree --canonical` prints it, with the input's problems: what
/// `find` and `get` ask questions of (no page is composed or extracted for them).
fn canonical_of(file: &Path) -> Result<(Vec<u8>, Vec<Diagnostic>), Error> {
    let (input, mut diagnostics) = flight_input(read_input(file)?)?;
    let rows = flight_rows(&input)?;
    let options = ResolveOptions {
        react_parity: true,
        ..ResolveOptions::default()
    };
    let tree = flight::resolve(&rows, options);
    let write = WriteOptions {
        detailed: false,
        max_output: Some((64 << 20) + input.len() as u64 * 256),
        ..Default::default()
    };
    let mut json = Vec::new();
    flight::write_canonical(&tree, write, &mut json)
        .map_err(|e| Error::TreeTooLarge(e.to_string()))?;
    diagnostics.extend(tree.diagnostics.iter().cloned());
    Ok((json, diagnostics))
}

/// Splits the input, or says why it is not a flight stream.
fn flight_rows(input: &[u8]) -> Result<flight::Rows<'_>, Error> {
    let rows = flight::split_rows(input);
    if rows.is_flight(input) {
        return Ok(rows);
    }
    let why = format!(
        "{} bytes, and they do not start with a row header such as `0:`",
        input.len()
    );
    Err(Error::NotFlight(why))
}

/// How JSON is printed.
#[derive(Clone, Copy)]
enum Layout {
    Pretty,
    Compact,
}

/// What one input gave.
enum Outcome {
    /// Output was written; the input's problems.
    Written(Vec<Diagnostic>),
    /// Output could not be written (a closed pipe ends the run quietly).
    Stopped(io::Error),
}

/// Where each input's output goes, and how the run is going.
struct Run {
    stdout: io::Stdout,
    strict: bool,
    failed: usize,
    had_problems: bool,
    inputs: usize,
}

impl Run {
    /// Reports an input's problems on stderr, named after the file.
    fn report(&mut self, file: &str, diagnostics: &[Diagnostic]) {
        let stderr = io::stderr();
        let mut err = stderr.lock();
        // The first ones, and how many more (an input already capped says so itself).
        let shown = next_rsc::error::MAX_DIAGNOSTICS + 1;
        let capped = next_rsc::error::capped(diagnostics.iter().take(shown * 2).cloned().collect());
        let more = diagnostics.len().saturating_sub(shown * 2);
        for d in &capped {
            match d.kind {
                next_rsc::DiagnosticKind::TooManyProblems if more > 0 => {
                    let _ = writeln!(
                        err,
                        "next-rsc: {file}: at byte {}: {} more problems from here on are left out",
                        d.offset,
                        diagnostics.len() - next_rsc::error::MAX_DIAGNOSTICS
                    );
                }
                _ => {
                    let _ = writeln!(err, "next-rsc: {file}: {d}");
                }
            }
        }
        self.had_problems |= !diagnostics.is_empty();
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut lock = self.stdout.lock();
        lock.write_all(bytes).and_then(|_| lock.flush())
    }

    fn exit_code(&self) -> ExitCode {
        if self.failed == self.inputs {
            ExitCode::from(2)
        } else if self.failed > 0 || self.strict && self.had_problems {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}

fn display(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".into()
    } else {
        path.display().to_string()
    }
}

/// Runs a command over each input; each failure is reported with its file and the rest
/// carry on.
fn each_input(
    files: &[PathBuf],
    strict: bool,
    mut one: impl FnMut(&mut Run, &Path) -> Result<Outcome, Error>,
) -> ExitCode {
    let mut run = Run {
        stdout: io::stdout(),
        strict,
        failed: 0,
        had_problems: false,
        inputs: files.len(),
    };
    for file in files {
        let name = display(file);
        match one(&mut run, file) {
            Ok(Outcome::Written(diagnostics)) => run.report(&name, &diagnostics),
            Ok(Outcome::Stopped(e)) if e.kind() == io::ErrorKind::BrokenPipe => break,
            Ok(Outcome::Stopped(e)) => {
                if flight::canonical::OutputLimit::is_in(&e) {
                    eprintln!(
                        "next-rsc: {name}: {e} (the output so far is cut short; raise it with --max-output BYTES)"
                    );
                } else {
                    eprintln!("next-rsc: {name}: cannot write output: {e}");
                }
                run.failed += 1;
            }
            Err(e) => {
                eprintln!("next-rsc: {name}: {e}");
                run.failed += 1;
            }
        }
    }
    run.exit_code()
}

fn written(result: io::Result<()>, diagnostics: Vec<Diagnostic>) -> Outcome {
    match result {
        Ok(()) => Outcome::Written(diagnostics),
        Err(e) => Outcome::Stopped(e),
    }
}

/// An extraction record of one of several inputs: the input, then what it gave.
#[derive(serde::Serialize)]
struct Record<'a> {
    source: &'a str,
    #[serde(flatten)]
    page: &'a Page,
}

/// Where `html` and `markdown` put each input's document: standard output for one input,
/// else one file per input in the `-o` folder, named after the input.
struct Documents {
    folder: Option<PathBuf>,
    extension: &'static str,
    taken: std::collections::HashSet<String>,
}

impl Documents {
    fn new(
        files: &[PathBuf],
        folder: Option<PathBuf>,
        extension: &'static str,
    ) -> Result<Documents, Error> {
        if files.len() > 1 && folder.is_none() {
            return Err(Error::Usage(format!(
                "{} inputs, and standard output holds one document: give -o DIR to write \
                 one .{extension} file per input",
                files.len()
            )));
        }
        if let Some(folder) = &folder {
            std::fs::create_dir_all(folder).map_err(|source| Error::Write {
                path: folder.display().to_string(),
                source,
            })?;
        }
        Ok(Documents {
            folder,
            extension,
            taken: Default::default(),
        })
    }

    /// Writes one input's document. In a folder it is named after the input's file
    /// (`post.txt` → `post.html`; `post/index.txt` → `post.html`), made unique with
    /// `-2`, `-3` …, and written whole or not at all.
    fn write(&mut self, run: &mut Run, input: &Path, bytes: &[u8]) -> io::Result<()> {
        let Some(folder) = &self.folder else {
            return run.write(bytes);
        };
        let stem = |p: &Path| p.file_stem().map(|s| s.to_string_lossy().to_string());
        let mut name = match stem(input).as_deref() {
            None | Some("-") => "stdin".to_string(),
            Some("index" | "page") => input
                .parent()
                .and_then(stem)
                .unwrap_or_else(|| "index".into()),
            Some(s) => s.to_string(),
        };
        let base = name.clone();
        let mut n = 1;
        while !self.taken.insert(name.clone()) {
            n += 1;
            name = format!("{base}-{n}");
        }
        let path = folder.join(format!("{name}.{}", self.extension));
        let partial = folder.join(format!(".{name}.{}.partial", self.extension));
        std::fs::write(&partial, bytes)?;
        std::fs::rename(&partial, &path)
    }
}

fn json_bytes(value: &impl serde::Serialize, layout: Layout) -> Result<Vec<u8>, Error> {
    let mut out = match layout {
        Layout::Pretty => serde_json::to_vec_pretty(value),
        Layout::Compact => serde_json::to_vec(value),
    }
    .map_err(|e| Error::Write {
        path: "standard output".into(),
        source: e.into(),
    })?;
    out.push(b'\n');
    Ok(out)
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    Ok(match cli.command {
        Command::Tree {
            files,
            canonical,
            react,
            strict,
            max_output,
            json,
        } => each_input(&files, strict, |run, file| {
            let (input, page_diagnostics) = flight_input(read_input(file)?)?;
            run.report(&display(file), &page_diagnostics);
            let rows = flight_rows(&input)?;
            let options = ResolveOptions {
                dialect: react.map(|r| match r {
                    ReactLine::Legacy => Dialect::Legacy,
                    ReactLine::React18 => Dialect::React18,
                    ReactLine::React19 => Dialect::React19,
                }),
                react_parity: canonical,
                single_thread: false,
            };
            let tree = flight::resolve(&rows, options);
            let write_options = WriteOptions {
                detailed: !canonical,
                // Real pages write about as many bytes as they read; a payload that
                // shares rows with themselves can ask for exponentially many.
                max_output: Some(max_output.unwrap_or((64 << 20) + input.len() as u64 * 256)),
                ..Default::default()
            };
            // The canonical JSON is compact unless --pretty asks otherwise.
            let pretty = if canonical {
                json.pretty
            } else {
                matches!(json.layout(), Layout::Pretty)
            };
            let mut lock = run.stdout.lock();
            let result = if pretty {
                let mut pretty = Pretty::new(&mut lock);
                flight::write_canonical(&tree, write_options, &mut pretty)
                    .and_then(|_| pretty.flush())
            } else {
                flight::write_canonical(&tree, write_options, &mut lock)
            };
            let result = result.and_then(|_| lock.flush());
            drop(lock);
            let diagnostics = tree.diagnostics.clone();
            // The process ends soon: handing the tree's memory back piece by piece costs
            // several percent of a run on big inputs, and the OS takes it back at once.
            std::mem::forget(tree);
            std::mem::forget(rows);
            std::mem::forget(input);
            Ok(written(result, diagnostics))
        }),
        Command::Extract {
            files,
            strict,
            site,
            json,
        } => {
            let layout = json.layout();
            // Several inputs: each record says which input it is.
            let several = files.len() > 1;
            each_input(&files, strict, |run, file| {
                let (input, options) = site.read(file)?;
                let page = Page::parse_owned(input, &options)?;
                let out = if several {
                    json_bytes(
                        &Record {
                            source: &display(file),
                            page: &page,
                        },
                        layout,
                    )?
                } else {
                    json_bytes(&page, layout)?
                };
                Ok(written(run.write(&out), page.diagnostics().to_vec()))
            })
        }
        Command::Html {
            files,
            no_css,
            scripts,
            safe,
            strict,
            site,
            out,
        } => {
            let mut names = Documents::new(&files, out.out, "html")?;
            each_input(&files, strict, |run, file| {
                let (input, options) = site.read(file)?;
                let page = Page::parse_owned(input, &options)?;
                let html = page.to_html_with(HtmlSettings {
                    no_css,
                    scripts,
                    safe,
                })?;
                Ok(written(
                    names.write(run, file, html.as_bytes()),
                    page.diagnostics().to_vec(),
                ))
            })
        }
        Command::Markdown {
            files,
            strict,
            site,
            out,
        } => {
            let mut names = Documents::new(&files, out.out, "md")?;
            each_input(&files, strict, |run, file| {
                let (input, options) = site.read(file)?;
                let page = Page::parse_owned(input, &options)?;
                let markdown = page.to_markdown().ok_or(Error::NoArticle)?;
                Ok(written(
                    names.write(run, file, markdown.as_bytes()),
                    page.diagnostics().to_vec(),
                ))
            })
        }
        Command::Rows { files, strict } => each_input(&files, strict, |run, file| {
            let (input, page_diagnostics) = flight_input(read_input(file)?)?;
            run.report(&display(file), &page_diagnostics);
            let rows = flight_rows(&input)?;
            let mut out = Vec::with_capacity(rows.rows.len() * 48);
            for row in &rows.rows {
                // Written by hand to keep the documented key order.
                let id = serde_json::to_string(row.id_str()).unwrap_or_default();
                let tag = serde_json::to_string(&row.tag.wire()).unwrap_or_default();
                out.extend_from_slice(
                    format!(
                        "{{\"id\":{id},\"tag\":{tag},\"offset\":{},\"length\":{}}}",
                        row.offset, row.length
                    )
                    .as_bytes(),
                );
                out.push(b'\n');
            }
            Ok(written(run.write(&out), rows.diagnostics.clone()))
        }),
        Command::Find {
            files,
            keys,
            element_type,
            module,
            text,
            regex,
            ignore_case,
            client,
            urls: _, // the selector left when no other is given
            count,
            first,
            site,
        } => {
            let several = files.len() > 1;
            let mut found_any = false;
            let mut failed = false;
            each_input(&files, false, |run, file| {
                let outcome = (|| {
                    let (json, diagnostics) = canonical_of(file)?;
                    let query = if !keys.is_empty() {
                        Query::keys(keys.iter().cloned())?
                    } else if let Some(t) = &element_type {
                        Query::element_type(t.clone())
                    } else if let Some(m) = &module {
                        Query::module(m.clone())
                    } else if let Some(t) = &text {
                        if regex {
                            Query::pattern(t, ignore_case)?
                        } else {
                            Query::text(t.clone(), ignore_case)
                        }
                    } else if client {
                        Query::client()
                    } else {
                        Query::urls(site.url.as_deref())
                    };
                    let tree = CanonicalTree::read(&json)?;
                    let matches = match (first, count) {
                        (true, _) => tree.find_first(&query).into_iter().collect(),
                        (false, true) => Vec::new(),
                        (false, false) => {
                            tree.find_within(&query, CanonicalTree::default_find_bound(json.len()))?
                        }
                    };
                    // Counted without writing each value.
                    let how_many = if count && !first {
                        tree.count(&query)
                    } else {
                        matches.len()
                    };
                    found_any |= how_many > 0;
                    let source = display(file);
                    let mut out = Vec::new();
                    if count {
                        if several {
                            out.extend(
                                serde_json::json!({"source": source, "count": how_many})
                                    .to_string()
                                    .bytes(),
                            );
                        } else {
                            out.extend(how_many.to_string().bytes());
                        }
                        out.push(b'\n');
                    } else {
                        for m in &matches {
                            let mut line = String::from("{");
                            if several {
                                line.push_str("\"source\":");
                                line.push_str(&serde_json::to_string(&source).unwrap_or_default());
                                line.push(',');
                            }
                            line.push_str("\"path\":");
                            line.push_str(&serde_json::to_string(&m.path).unwrap_or_default());
                            line.push_str(",\"value\":");
                            line.push_str(&m.value);
                            line.push_str("}\n");
                            out.extend_from_slice(line.as_bytes());
                        }
                    }
                    Ok(written(run.write(&out), diagnostics))
                })();
                failed |= outcome.is_err();
                outcome
            });
            ExitCode::from(if failed {
                2
            } else if found_any {
                0
            } else {
                1
            })
        }
        Command::Get { pointer, files } => {
            let several = files.len() > 1;
            each_input(&files, false, |run, file| {
                let (json, diagnostics) = canonical_of(file)?;
                let value = CanonicalTree::read(&json)?.get(&pointer)?;
                let line = if several {
                    format!(
                        "{{\"source\":{},\"value\":{value}}}\n",
                        serde_json::to_string(&display(file)).unwrap_or_default()
                    )
                } else {
                    format!("{value}\n")
                };
                Ok(written(run.write(line.as_bytes()), diagnostics))
            })
        }
        Command::Diff {
            old,
            new,
            summary,
            json,
        } => {
            let read = |file: &Path| -> Result<(Page, Vec<u8>), Error> {
                let page = Page::parse_owned(read_input(file)?, &next_rsc::Options::default())?;
                for d in page.diagnostics() {
                    eprintln!("next-rsc: {}: {d}", display(file));
                }
                let tree = page.canonical_tree()?;
                Ok((page, tree))
            };
            let (_, old_json) = read(&old)?;
            let (_, new_json) = read(&new)?;
            let (a, b) = (
                CanonicalTree::read(&old_json)?,
                CanonicalTree::read(&new_json)?,
            );
            let ops = next_rsc::query::diff(&a, &b);
            let mut out = String::new();
            if summary {
                out = next_rsc::query::summarize(&ops, &a, &b).to_string();
            } else if matches!(json.layout(), Layout::Pretty) && !ops.is_empty() {
                out.push_str("[\n");
                for (i, op) in ops.iter().enumerate() {
                    out.push_str("  ");
                    out.push_str(&op.to_json());
                    out.push_str(if i + 1 < ops.len() { ",\n" } else { "\n" });
                }
                out.push_str("]\n");
            } else {
                out.push('[');
                out.push_str(
                    &ops.iter()
                        .map(|o| o.to_json())
                        .collect::<Vec<_>>()
                        .join(","),
                );
                out.push_str("]\n");
            }
            let mut stdout = io::stdout().lock();
            match stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                    return Err(Error::Write {
                        path: "standard output".into(),
                        source: e,
                    });
                }
                _ => {}
            }
            ExitCode::from(if ops.is_empty() { 0 } else { 1 })
        }
        Command::Archive(args) => archive(args)?,
        Command::Crawl(args) => crawl(args)?,
    })
}

/// Ctrl-C or a TERM, once registered: the pages being written are finished and listed, the
/// index is left whole, and `--resume` carries on. A second one ends the process at once.
struct Signals {
    interrupted: std::sync::Arc<std::sync::atomic::AtomicBool>,
    terminated: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Signals {
    fn register() -> Signals {
        let signals = Signals {
            interrupted: std::sync::Arc::default(),
            terminated: std::sync::Arc::default(),
        };
        for (signal, flag, code) in [
            (signal_hook::consts::SIGINT, &signals.interrupted, 130),
            (signal_hook::consts::SIGTERM, &signals.terminated, 143),
        ] {
            let _ = signal_hook::flag::register_conditional_shutdown(
                signal,
                code,
                std::sync::Arc::clone(flag),
            );
            let _ = signal_hook::flag::register(signal, std::sync::Arc::clone(flag));
        }
        signals
    }

    fn stopped(&self) -> bool {
        self.interrupted.load(std::sync::atomic::Ordering::Relaxed)
            || self.terminated.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// 143 after a TERM, 130 after Ctrl-C.
    fn exit_code(&self) -> ExitCode {
        let terminated = self.terminated.load(std::sync::atomic::Ordering::Relaxed);
        ExitCode::from(if terminated { 143 } else { 130 })
    }
}

/// Says on stderr what went wrong with a page just listed, and counts it.
fn say_listed(progress: &indicatif::ProgressBar, entry: &next_rsc::archive::IndexEntry) {
    if let (true, Some(why)) = (entry.ok, &entry.cut) {
        progress.suspend(|| eprintln!("next-rsc: {}: stored, but {why}", entry.source));
    }
    if !entry.ok {
        progress.suspend(|| {
            eprintln!(
                "next-rsc: {}: {}",
                entry.source,
                entry.error.as_deref().unwrap_or("failed")
            )
        });
    }
    progress.inc(1);
}

/// `next-rsc crawl`: the library's crawler with a progress line.
fn crawl(args: CrawlArgs) -> Result<ExitCode, Error> {
    use next_rsc::archive::Archive;
    use next_rsc::crawl::CrawlOptions;
    use next_rsc::crawl::warc::WarcWriter;

    if !(args.delay.is_finite() && args.delay >= 0.0) {
        return Err(Error::Usage(
            "--delay wants a number of seconds, 0 or more".into(),
        ));
    }
    for url in &args.urls {
        if !next_rsc::fetch::is_url(url) {
            return Err(Error::Usage(format!(
                "{url:?} is not an http(s) URL to start from"
            )));
        }
    }
    let hints = next_rsc::archive::SiteHints {
        base_path: args.base_path.clone(),
        trailing_slash: args.trailing_slash,
    };
    let out = &args.out;
    let resume = args.resume || args.refresh;
    let archive = Archive::open(out, resume, !args.no_css, hints)
        .map_err(|source| Error::Write {
            path: out.display().to_string(),
            source,
        })?
        .with_safe_html(args.safe);
    let (fetch, want) = FETCHER
        .get()
        .map(|(fetcher, want)| (fetcher.options().clone(), *want))
        .unwrap_or((Default::default(), next_rsc::fetch::Want::Html));
    let options = CrawlOptions {
        scope: args.scope.clone(),
        max_pages: args.max_pages,
        max_depth: args.max_depth,
        delay: std::time::Duration::from_secs_f64(args.delay.min(3600.0)),
        sitemaps: !args.no_sitemaps,
        fetch,
        flight: want == next_rsc::fetch::Want::Flight,
        refresh: args.refresh,
        ..CrawlOptions::default()
    };
    let progress = if io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("crawling");
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let signals = Signals::register();
    let warc = match &args.warc {
        None => None,
        Some(path) if resume => Some(WarcWriter::append(path)),
        Some(path) => Some(WarcWriter::create(path)),
    }
    .transpose()
    .map_err(|source| match source.kind() {
        io::ErrorKind::AlreadyExists => Error::Usage(format!(
            "{}: {source}; --resume adds to it, or name a new file",
            args.warc.as_deref().unwrap_or(out).display()
        )),
        _ => Error::Write {
            path: args.warc.as_deref().unwrap_or(out).display().to_string(),
            source,
        },
    })?;
    let report = next_rsc::crawl::crawl(
        &args.urls,
        &archive,
        warc.as_ref(),
        &options,
        &|entry| {
            say_listed(&progress, entry);
            progress.set_message(entry.source.clone());
        },
        &|| signals.stopped(),
    )
    .map_err(|source| Error::Write {
        path: out.display().to_string(), // the index or the WARC file (whose errors name it)
        source,
    })?;
    progress.finish_and_clear();
    eprintln!(
        "next-rsc: {} pages listed in {} ({} failed){}{}{}",
        report.listed,
        out.join("index.jsonl").display(),
        report.failed,
        if report.disallowed > 0 {
            format!(
                ", {} URLs robots.txt disallows left alone",
                report.disallowed
            )
        } else {
            String::new()
        },
        if report.already_done > 0 {
            format!(", {} already archived", report.already_done)
        } else if args.refresh {
            format!(", {} not modified", report.unchanged)
        } else {
            String::new()
        },
        if report.not_pages > 0 {
            format!(", {} responses that are no page skipped", report.not_pages)
        } else {
            String::new()
        }
    );
    if signals.stopped() {
        eprintln!("next-rsc: stopped: the index lists every page finished; --resume carries on");
        return Ok(signals.exit_code());
    }
    Ok(if report.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `next-rsc archive`: the library's archive run with a progress bar.
fn archive(args: ArchiveArgs) -> Result<ExitCode, Error> {
    let ArchiveArgs {
        inputs,
        out,
        resume,
        jsonl,
        threads,
        max_memory,
        durable,
        no_css,
        safe,
        site,
    } = args;
    use next_rsc::archive::{Archive, find_inputs, inputs as pages, jsonl_record, run_until};
    use rayon::prelude::*;

    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .map_err(|e| Error::Io {
                path: "thread pool".into(),
                source: io::Error::other(e),
            })?;
    }
    let (files, problems) = find_inputs(&inputs, out.as_deref());
    for problem in &problems {
        eprintln!("next-rsc: {problem}");
    }
    if files.is_empty() && !problems.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let warcs = files
        .iter()
        .any(|f| f.to_string_lossy().to_ascii_lowercase().contains(".warc"));
    let progress = if io::stderr().is_terminal() {
        let bar = if warcs {
            indicatif::ProgressBar::new_spinner()
        } else {
            indicatif::ProgressBar::new(files.len() as u64)
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} pages, {per_sec} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let hints = next_rsc::archive::SiteHints {
        base_path: site.base_path.clone(),
        trailing_slash: site.trailing_slash,
    };
    if jsonl {
        let failed = std::sync::atomic::AtomicUsize::new(0);
        let write_error: std::sync::Mutex<Option<io::Error>> = std::sync::Mutex::new(None);
        let stdout = io::stdout();
        pages(files)
            .par_bridge()
            .filter(|input| !next_rsc::archive::is_stray_text(input))
            .for_each(|input| {
                if write_error.lock().is_ok_and(|e| e.is_some()) {
                    return;
                }
                let (ok, line) = jsonl_record(&input, &hints);
                if !ok {
                    failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                // One write of the whole record: the threads never mix their lines, nor
                // do processes appending to one file. Through a pipe shared by several
                // processes, a record over the pipe's atomic size (4 KiB) can mix.
                let mut record = line.into_bytes();
                record.push(b'\n');
                let mut lock = stdout.lock();
                if let Err(e) = lock.write_all(&record).and_then(|()| lock.flush())
                    && let Ok(mut first) = write_error.lock()
                {
                    first.get_or_insert(e);
                }
                progress.inc(1);
            });
        progress.finish_and_clear();
        if let Some(e) = write_error.into_inner().ok().flatten() {
            if e.kind() != io::ErrorKind::BrokenPipe {
                eprintln!("next-rsc: cannot write to standard output: {e}");
            }
            return Ok(ExitCode::from(2));
        }
        return Ok(if failed.into_inner() > 0 || !problems.is_empty() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    let Some(out) = out else {
        return Err(Error::Usage(
            "archive needs an output folder (-o OUT) or --jsonl".into(),
        ));
    };
    let archive = Archive::open(&out, resume, !no_css, hints)
        .map_err(|source| Error::Write {
            path: out.display().to_string(),
            source,
        })?
        .with_safe_html(safe)
        .with_durable_writes(durable);
    let archive = match max_memory {
        Some(bytes) => archive.with_memory_budget(bytes),
        None => archive,
    };
    let signals = Signals::register();
    let failed = run_until(
        files,
        &archive,
        &|entry| say_listed(&progress, entry),
        &|| signals.stopped(),
    )
    .map_err(|source| Error::Write {
        path: out.join("index.jsonl").display().to_string(),
        source,
    })?;
    progress.finish_and_clear();
    if signals.stopped() {
        eprintln!(
            "next-rsc: stopped: {} lists every page finished; --resume carries on",
            out.join("index.jsonl").display()
        );
        return Ok(signals.exit_code());
    }
    Ok(if failed > 0 || !problems.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !(cli.fetch.timeout.is_finite() && cli.fetch.timeout > 0.0) {
        eprintln!("next-rsc: --timeout wants a number of seconds above 0");
        return ExitCode::from(2);
    }
    let options = next_rsc::fetch::FetchOptions {
        timeout: std::time::Duration::from_secs_f64(cli.fetch.timeout.min(86_400.0)),
        ..Default::default()
    };
    let want = if cli.fetch.flight {
        next_rsc::fetch::Want::Flight
    } else {
        next_rsc::fetch::Want::Html
    };
    let _ = FETCHER.set((next_rsc::fetch::Fetcher::new(options), want));
    // A limit that is no number would silently be the default.
    if let Ok(value) = std::env::var("NEXT_RSC_MAX_INPUT_BYTES")
        && value.trim().parse::<u64>().is_err()
    {
        eprintln!(
            "next-rsc: NEXT_RSC_MAX_INPUT_BYTES={value:?} is not a number of bytes (such as 1000000000)"
        );
        return ExitCode::from(2);
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("next-rsc: {e}");
            ExitCode::from(2)
        }
    }
}
