//! Archiving many pages at once: inputs are files and folders (walked for `.html`,
//! `.htm`, `.rsc`, `.txt` flight files and `.warc` / `.warc.gz` web archives), processed
//! in parallel with rayon, each page written as its extraction JSON, the Markdown of its
//! article and its rendered HTML, and listed in `index.jsonl`.
//!
//! Memory stays flat: pages are read, processed and written one at a time per worker,
//! and a web archive streams record by record (rayon's `par_bridge` pulls the next one
//! when a worker is free). A broken input is recorded and the run carries on.
//!
//! WARC files are read with the `warc` crate (0.4, maintained, reads and writes WARC 1.0
//! and 1.1, streams record bodies instead of buffering them, reads multi-member gzip):
//! its streaming reader lets a 1 GB archive pass through with one record in memory.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;

use crate::document::{ReadOptions, read_with};
use crate::error::Error;
use crate::extract::{Extraction, extraction};
use crate::next::links::LinkHints;
use crate::render::{HtmlOptions, MarkdownOptions, write_document};

/// Records bigger than this are skipped (and reported): a hostile archive cannot make
/// a worker allocate gigabytes.
pub const MAX_RECORD: u64 = 256 << 20;

/// What to do.
#[derive(Debug, Clone, Default)]
pub struct ArchiveOptions {
    /// Where to write; `None` with `jsonl` (records go to the caller instead).
    pub out: Option<PathBuf>,
    /// Skip inputs `index.jsonl` already lists as done.
    pub resume: bool,
    /// Link the pages' stylesheets in the rendered HTML.
    pub css: bool,
}

/// One input page: where it came from and its bytes (or where to read them).
#[derive(Debug)]
pub struct Input {
    /// The file path, or `archive.warc#<target URI>` for a web archive's record, or the
    /// URL a crawl fetched.
    pub source: String,
    body: Body,
    /// What HTTP said of a page a crawl fetched; listed in its index record.
    pub http: Option<HttpFacts>,
}

/// What HTTP said of a fetched page, as its index record lists it.
#[derive(Debug, Clone, Serialize)]
pub struct HttpFacts {
    /// The URL fetched.
    pub url: String,
    /// The HTTP status (absent when the request failed before one came).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// When the response came, in UTC (RFC 3339).
    pub fetched: String,
    /// Its `ETag` and `Last-Modified`, for a later conditional request.
    #[serde(rename = "etag", skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// See `etag`.
    #[serde(rename = "lastModified", skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// What the response is instead of the page asked for: `bot-challenge`, `login`,
    /// `draft-mode`, `soft-404`, `server-error` (a flight that carries the page's error).
    #[serde(rename = "notThePage", skip_serializing_if = "Option::is_none")]
    pub not_the_page: Option<&'static str>,
}

#[derive(Debug)]
enum Body {
    File(PathBuf),
    Bytes(Vec<u8>),
    /// A record that could not be read: the error.
    Broken(String),
}

/// The outcome of one input, as `index.jsonl` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct IndexEntry {
    /// Where the page came from.
    pub source: String,
    /// True when the page was read and written.
    pub ok: bool,
    /// Why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The page's path on its site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The page's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The build id.
    #[serde(rename = "buildId", skip_serializing_if = "Option::is_none")]
    pub build_id: Option<String>,
    /// The files written, relative to the output folder.
    pub files: Files,
    /// How many problems the input had (the rest was still used).
    #[serde(skip_serializing_if = "is_zero")]
    pub diagnostics: usize,
    /// The same route's flight file beside the page, read through the page instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flight: Option<String>,
    /// Why the page was stored cut short (it lacks rows, or passed a limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cut: Option<String>,
    /// What HTTP said, for a page a crawl fetched: `url`, `status`, `fetched` …
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpFacts>,
}

impl Input {
    /// A page fetched by a crawl: its body, or why there is none.
    pub fn fetched(http: HttpFacts, body: Result<Vec<u8>, String>) -> Input {
        Input {
            source: http.url.clone(),
            body: match body {
                Ok(bytes) => Body::Bytes(bytes),
                Err(error) => Body::Broken(error),
            },
            http: Some(http),
        }
    }

    /// How many bytes the page is (a file's size as the file system says).
    pub fn size(&self) -> u64 {
        match &self.body {
            Body::File(path) => fs::metadata(path).map_or(0, |m| m.len()),
            Body::Bytes(bytes) => bytes.len() as u64,
            Body::Broken(_) => 0,
        }
    }

    /// The page's bytes: the file read, or the web archive record's HTTP body.
    pub fn bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>, Error> {
        match &self.body {
            Body::File(path) => crate::input::read_file(path)
                .map(std::borrow::Cow::Owned)
                .map_err(|source| Error::Io {
                    path: path.display().to_string(),
                    source,
                }),
            Body::Bytes(b) => Ok(std::borrow::Cow::Borrowed(b)),
            Body::Broken(e) => Err(Error::BadRecord(e.clone())),
        }
    }

    /// The page's URL, for a web archive's record (its target URI).
    pub fn url(&self) -> Option<&str> {
        self.source
            .split_once(".warc#")
            .or_else(|| self.source.split_once(".warc.gz#"))
            .map(|(_, uri)| uri)
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The files written for one page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Files {
    /// The extraction JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<String>,
    /// The article as Markdown (pages with an article).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
    /// The rendered page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

/// Finds the inputs below the given paths, in a stable order: files as given, folders
/// walked (sorted; a link to a folder is followed once, a link back into a folder
/// already walked is said and skipped). The archive's own output folder `out`, when it
/// lies below an input, is not read. A folder that cannot be read is listed among the
/// problems and the walk goes on.
pub fn find_inputs(paths: &[PathBuf], out: Option<&Path>) -> (Vec<PathBuf>, Vec<String>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let out = out.and_then(|o| fs::canonicalize(o).ok());
    let mut walked: HashSet<PathBuf> = HashSet::new();
    for path in paths {
        let is_dir = match fs::metadata(path) {
            Ok(meta) => meta.is_dir(),
            Err(e) => {
                problems.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        if is_dir {
            let mut stack = vec![path.clone()];
            while let Some(dir) = stack.pop() {
                if let Ok(real) = fs::canonicalize(&dir) {
                    if out.as_ref() == Some(&real) {
                        continue; // the archive being written
                    }
                    if !walked.insert(real) {
                        problems.push(format!(
                            "{}: a folder already walked (a link back into it?): skipped",
                            dir.display()
                        ));
                        continue;
                    }
                }
                let entries = match fs::read_dir(&dir) {
                    Ok(entries) => entries,
                    Err(e) => {
                        problems.push(format!("{}: {e}", dir.display()));
                        continue;
                    }
                };
                let mut entries: Vec<PathBuf> =
                    entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
                entries.sort();
                let mut subdirs = Vec::new();
                let names: HashSet<String> = entries
                    .iter()
                    .filter_map(|e| e.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .collect();
                for entry in entries {
                    let Ok(meta) = fs::symlink_metadata(&entry) else {
                        continue;
                    };
                    if !meta.is_dir() && is_input(&entry) && !is_regular_file(&entry) {
                        // A pipe would block the run, a device never end: said, not read.
                        problems.push(format!(
                            "{}: not a regular file (a pipe, a socket, a device or a link to one): skipped",
                            entry.display()
                        ));
                        continue;
                    }
                    let links_to_folder = meta.file_type().is_symlink()
                        && fs::metadata(&entry).is_ok_and(|m| m.is_dir());
                    if meta.is_dir() || links_to_folder {
                        // Next 16's per-segment prefetch files (`__next.blog/…`,
                        // `x.segments/…`) are parts of routes read whole elsewhere.
                        if !is_segment_file(&entry) {
                            subdirs.push(entry);
                        }
                    } else if is_input(&entry)
                        && !is_segment_file(&entry)
                        && page_of_flight(&entry, &names).is_none()
                    {
                        found.push(entry);
                    }
                }
                stack.extend(subdirs.into_iter().rev());
            }
        } else if is_regular_file(path) {
            found.push(path.clone());
        } else {
            problems.push(format!(
                "{}: not a regular file (a pipe, a socket or a device): skipped",
                path.display()
            ));
        }
    }
    (found, problems)
}

/// A regular file, or a symbolic link to one.
fn is_regular_file(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// A per-segment prefetch payload of Next 16 (`__next.<segments>.txt`, a `__next.*`
/// folder, a `.segments` folder of a build): a part of a route, not a page.
pub fn is_segment_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.starts_with("__next.") || name.ends_with(".segments")
}

/// The HTML page of the same route beside a flight file (`x.txt` or `x.rsc` beside
/// `x.html`): the page carries the same flight and more (its head), so it is the one
/// read, and the flight file is noted in its record.
fn page_of_flight(path: &Path, names: &HashSet<String>) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name
        .strip_suffix(".txt")
        .or_else(|| name.strip_suffix(".rsc"))?;
    let page = format!("{stem}.html");
    names.contains(&page).then_some(page)
}

/// The flight file of the same route beside an HTML page, when there is one.
pub fn flight_beside(page: &Path) -> Option<PathBuf> {
    let stem = page.file_name()?.to_str()?.strip_suffix(".html")?;
    ["txt", "rsc"]
        .iter()
        .map(|ext| page.with_file_name(format!("{stem}.{ext}")))
        .find(|p| p.is_file())
}

/// True for the file names archive reads.
pub fn is_input(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    [".html", ".htm", ".rsc", ".txt", ".warc", ".warc.gz"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

fn is_warc(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".warc") || name.ends_with(".warc.gz")
}

/// Every input page of the files, lazily: web archives are read record by record as
/// the iterator is pulled.
pub fn inputs(files: Vec<PathBuf>) -> impl Iterator<Item = Input> + Send {
    files
        .into_iter()
        .flat_map(|path| -> Box<dyn Iterator<Item = Input> + Send> {
            if is_warc(&path) {
                Box::new(warc_pages(path))
            } else {
                Box::new(std::iter::once(Input {
                    source: path.display().to_string(),
                    body: Body::File(path),
                    http: None,
                }))
            }
        })
}

/// The HTML and flight responses of a web archive. The `warc` crate's streaming reader
/// borrows its source, so one thread owns it and hands pages over a short queue: the
/// archive streams through with a few records in memory at most.
fn warc_pages(path: PathBuf) -> impl Iterator<Item = Input> + Send {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Input>(0);
    std::thread::spawn(move || read_warc(&path, &sender));
    std::iter::from_fn(move || receiver.recv().ok())
}

fn broken(source: String, error: String) -> Input {
    Input {
        source,
        body: Body::Broken(error),
        http: None,
    }
}

fn read_warc(path: &Path, sender: &std::sync::mpsc::SyncSender<Input>) {
    let name = path.display().to_string();
    let gz = name.to_ascii_lowercase().ends_with(".gz");
    match File::open(path) {
        Err(e) => {
            let _ = sender.send(broken(name.clone(), e.to_string()));
        }
        Ok(file) => read_warc_from(&name, file, gz, &mut |input| sender.send(input).is_ok()),
    }
}

/// The HTML and flight responses of a web archive held in memory (a whole `.warc` or
/// `.warc.gz` file, as a cluster's file reader hands it over), in file order; the
/// sources are `name#<target URI>`, as [`inputs`] names them. Records that cannot be
/// read are inputs whose [`Input::bytes`] is the error.
pub fn warc_pages_in(name: &str, data: &[u8]) -> Vec<Input> {
    let mut pages = Vec::new();
    let gz = data.starts_with(&[0x1f, 0x8b]);
    read_warc_from(name, data, gz, &mut |input| {
        pages.push(input);
        true
    });
    pages
}

/// Reads the records of a web archive, handing each page to `each` until it says stop.
fn read_warc_from<'a, R: Read + 'a>(
    name: &str,
    source: R,
    gz: bool,
    each: &mut dyn FnMut(Input) -> bool,
) {
    let name = name.to_string();
    let reader: Box<dyn BufRead + 'a> = if gz {
        match libflate::gzip::MultiDecoder::new(BufReader::with_capacity(1 << 20, source)) {
            Ok(decoder) => Box::new(BufReader::with_capacity(1 << 20, decoder)),
            Err(e) => {
                each(broken(name.clone(), format!("not gzip: {e}")));
                return;
            }
        }
    } else {
        Box::new(BufReader::with_capacity(1 << 20, source))
    };
    let in_header = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut reader = warc::WarcReader::new(HeaderCap {
        inner: reader,
        header_bytes: 0,
        in_header: std::sync::Arc::clone(&in_header),
    });
    let mut records = reader.stream_records();
    let mut count = 0usize;
    // Captures per URL, by a hash of it: a file of a million long URLs keeps 12 bytes each.
    let mut seen: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
    while let Some(record) = records.next_item() {
        count += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                // The reader cannot find the next record after a broken one.
                each(broken(
                    format!("{name}#record-{count}"),
                    format!("unreadable WARC record: {e}"),
                ));
                return;
            }
        };
        if record.warc_type() != &warc::RecordType::Response {
            continue;
        }
        let full_uri = record
            .header(warc::WarcHeader::TargetURI)
            .unwrap_or_default();
        let key = {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            full_uri.hash(&mut hasher);
            hasher.finish()
        };
        // A URL past any real one's length is kept cut, with its hash: sources, index
        // lines and the resume table stay small whatever the file holds.
        let uri = if full_uri.len() > MAX_URI_KEPT {
            let mut cut = MAX_URI_KEPT;
            while !full_uri.is_char_boundary(cut) {
                cut -= 1;
            }
            format!("{}…~{key:016x}", &full_uri[..cut])
        } else {
            full_uri.to_string()
        };
        // The same URL captured again is a page of its own: `#2`, `#3` … tell them apart.
        let times = seen.entry(key).or_insert(0);
        *times = times.saturating_add(1);
        let source = if *times == 1 {
            format!("{name}#{uri}")
        } else {
            format!("{name}#{uri}#{times}")
        };
        let length = record.content_length();
        let input = if length > MAX_RECORD {
            // Skipped by the reader in 1 MB reads, never held.
            broken(
                source,
                format!("a record of {length} bytes (more than {MAX_RECORD})"),
            )
        } else {
            let mut bytes = Vec::with_capacity(length as usize);
            let mut body = record;
            match (&mut body).take(MAX_RECORD).read_to_end(&mut bytes) {
                Err(e) => broken(source, format!("reading the record: {e}")),
                // The file ends inside the body: what came is not the page.
                Ok(read) if (read as u64) < length => broken(
                    source,
                    format!("the file ends {read} bytes into this record's {length}-byte body"),
                ),
                Ok(_) => match http_body(&bytes) {
                    Ok(Some(page)) => Input {
                        source,
                        body: Body::Bytes(page),
                        http: None,
                    },
                    Ok(None) => continue, // not a page: images, scripts, redirects
                    Err(e) => broken(source, e.to_string()),
                },
            }
        };
        // A body cut by the end of the file is the last thing in it.
        let cut = matches!(&input.body, Body::Broken(e) if e.starts_with("the file ends"));
        if !each(input) || cut {
            return; // the run stopped, or the file did
        }
    }
    // The reader ends quietly when the file ends inside a header.
    if in_header.load(std::sync::atomic::Ordering::Relaxed) > 0 {
        each(broken(
            format!("{name}#record-{}", count + 1),
            "the file ends inside a WARC record's header".into(),
        ));
    } else if count == 0 {
        each(broken(name, "no WARC records in it".into()));
    }
}

/// Bounds what a WARC record's header may take: the `warc` crate reads header lines
/// with `read_until` until the blank line, and bodies with `read`, so the bytes
/// consumed between two `read`s are a header's. A header over 1 MiB is an error, not a
/// buffer that grows with the file.
struct HeaderCap<R> {
    inner: R,
    header_bytes: usize,
    /// The same count, seen from outside the reader: bytes of a header still being read
    /// when the file ends mean the file was cut inside it.
    in_header: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

const MAX_HEADER: usize = 1 << 20;

/// The most of a record's URL kept in its `source` (real URLs are far shorter).
const MAX_URI_KEPT: usize = 4096;

impl<R: BufRead> Read for HeaderCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.header_bytes = 0;
        self.in_header
            .store(0, std::sync::atomic::Ordering::Relaxed);
        self.inner.read(buf)
    }
}

impl<R: BufRead> BufRead for HeaderCap<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.header_bytes > MAX_HEADER {
            return Err(io::Error::other("a WARC record header over 1 MiB"));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.header_bytes += amount;
        self.in_header
            .store(self.header_bytes, std::sync::atomic::Ordering::Relaxed);
        self.inner.consume(amount);
    }
}

/// The body of an HTTP response that is an HTML page or a flight payload (`None` for
/// other responses), with chunked transfer and gzip/deflate content coding undone.
pub fn http_body(response: &[u8]) -> Result<Option<Vec<u8>>, Error> {
    response_body(response).map_err(Error::BadRecord)
}

fn response_body(response: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let Some(end) = memchr::memmem::find(response, b"\r\n\r\n") else {
        return Err("an HTTP response without the end of its headers".into());
    };
    let head = String::from_utf8_lossy(&response[..end]);
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default();
    let code: u16 = status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let mut content_type = String::new();
    let mut chunked = false;
    let mut encoding = String::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_ascii_lowercase();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-type" => content_type = value,
            "transfer-encoding" => chunked = value.contains("chunked"),
            "content-encoding" => encoding = value,
            _ => {}
        }
    }
    let page = content_type.starts_with("text/html")
        || content_type.starts_with("text/x-component")
        || content_type.starts_with("application/xhtml");
    if !page || !(200..300).contains(&code) && code != 404 {
        return Ok(None);
    }
    let mut body = response[end + 4..].to_vec();
    if chunked {
        body = dechunk(&body)?;
    }
    match encoding.as_str() {
        "" | "identity" => Ok(Some(body)),
        "gzip" | "x-gzip" => {
            let mut out = Vec::new();
            // Every member: a body may be several gzip members back to back.
            libflate::gzip::MultiDecoder::new(&body[..])
                .and_then(|d| d.take(MAX_RECORD + 1).read_to_end(&mut out))
                .map_err(|e| format!("gzip body: {e}"))?;
            too_big(out)
        }
        "deflate" => {
            let mut out = Vec::new();
            libflate::zlib::Decoder::new(&body[..])
                .and_then(|d| d.take(MAX_RECORD + 1).read_to_end(&mut out))
                .or_else(|_| {
                    out.clear();
                    libflate::deflate::Decoder::new(&body[..])
                        .take(MAX_RECORD + 1)
                        .read_to_end(&mut out)
                })
                .map_err(|e| format!("deflate body: {e}"))?;
            too_big(out)
        }
        other => Err(format!(
            "a body in the {other} content coding, which next-rsc does not decode"
        )),
    }
}

/// A decompressed body, or the error that it is bigger than a record may be.
fn too_big(body: Vec<u8>) -> Result<Option<Vec<u8>>, String> {
    if body.len() as u64 > MAX_RECORD {
        Err(format!(
            "a body that decompresses to more than {MAX_RECORD} bytes"
        ))
    } else {
        Ok(Some(body))
    }
}

/// Undoes HTTP/1.1 chunked transfer coding.
fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let line_end =
            memchr::memmem::find(body, b"\r\n").ok_or("a chunk without its size line")?;
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("a chunk size that is not hex: {size_text:?}"))?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if size > body.len() {
            return Err("a chunk longer than the record".into());
        }
        out.extend_from_slice(&body[..size]);
        body = body.get(size + 2..).unwrap_or_default();
    }
}

/// What the user says about the site of every page (`--base-path`, `--trailing-slash`).
#[derive(Debug, Clone, Default)]
pub struct SiteHints {
    /// The base path.
    pub base_path: Option<String>,
    /// The trailing-slash setting.
    pub trailing_slash: Option<bool>,
}

/// Reads one input into its extraction. A web archive's record gives its URL as the
/// page's URL; a file gives its path (a static export's layout tells the trailing slash).
pub fn extract_input(
    input: &Input,
    site: &SiteHints,
) -> Result<(crate::document::Document, Extraction), Error> {
    let data = input.bytes()?;
    let data: &[u8] = &data;
    let url = input.url();
    let layout = match &input.body {
        Body::File(path) => crate::document::export_trailing_slash(path),
        _ => None,
    };
    let options = ReadOptions {
        links: LinkHints {
            base_path: site.base_path.as_deref(),
            trailing_slash: site.trailing_slash,
            source: Some(url.unwrap_or(&input.source)),
            layout_trailing_slash: layout,
        },
        url,
        // Pages are read in parallel already, one per worker thread (`--threads`).
        single_thread: true,
    };
    let document = read_with(data, &options)?;
    let extraction = extraction(&document);
    Ok((document, extraction))
}

/// True when a `.txt` file is not a flight payload (static exports hold `robots.txt`
/// and the like beside their flight files): such files are not pages, not failures.
pub fn is_stray_text(input: &Input) -> bool {
    let Body::File(path) = &input.body else {
        return false;
    };
    if !path
        .to_string_lossy()
        .to_ascii_lowercase()
        .ends_with(".txt")
    {
        return false;
    }
    let mut head = [0u8; 64];
    // An unreadable or vanished file is no stray text: reading it fails, and says so.
    let Ok(n) = File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return false;
    };
    let head = &head[..n];
    let rows = crate::flight::split_rows(head);
    !(rows.is_flight(head) || rows.rows.first().is_some_and(|r| r.offset == 0))
}

/// The output name of a page: its path on the site (`posts/hello`, `index` for `/`),
/// made safe for a file system; else the input's file stem.
pub fn page_name(extraction: Option<&Extraction>, source: &str) -> String {
    let from_path = extraction.and_then(|x| x.next.path.clone()).map(|p| {
        let parts: Vec<String> = p
            .split('/')
            .filter(|s| !s.is_empty() && *s != "." && *s != "..")
            .map(safe_segment)
            .collect();
        if parts.is_empty() {
            "index".to_string()
        } else {
            parts.join("/")
        }
    });
    from_path.unwrap_or_else(|| {
        // A web archive's record: the path of its URL; a file: its stem.
        if let Some((_, url)) = source.split_once('#') {
            let path = url
                .split_once("://")
                .map_or(url, |(_, rest)| rest.split_once('/').map_or("", |(_, p)| p));
            let path = path.split(['?', '#']).next().unwrap_or_default();
            let parts: Vec<String> = path
                .split('/')
                .filter(|s| !s.is_empty() && *s != "." && *s != "..")
                .map(safe_segment)
                .collect();
            return if parts.is_empty() {
                "index".into()
            } else {
                parts.join("/")
            };
        }
        let stem = source.rsplit(['/', '\\']).next().unwrap_or(source);
        let stem = stem.split('.').next().unwrap_or(stem);
        safe_segment(if stem.is_empty() { "page" } else { stem })
    })
}

fn safe_segment(segment: &str) -> String {
    /// Bytes a name may take before its suffixes (`~hash-2.json`): file systems allow 255.
    const MAX_BYTES: usize = 200;
    let mut cleaned = String::with_capacity(segment.len().min(MAX_BYTES + 16));
    let mut cut = false;
    for c in segment.chars() {
        let c = if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '@' | '+') {
            c
        } else {
            '_'
        };
        if cleaned.len() + c.len_utf8() > MAX_BYTES {
            cut = true;
            break;
        }
        cleaned.push(c);
    }
    if cut {
        // Long names cut alike stay apart.
        cleaned = format!("{cleaned}~{}", short_hash(segment));
    }
    if cleaned.starts_with('.') {
        cleaned.insert(0, '_');
    }
    // Windows keeps device names (`CON`, `aux.txt`, `com1`) whatever follows their first
    // dot, and drops a trailing dot.
    let stem = cleaned
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let device = matches!(stem.as_str(), "con" | "prn" | "aux" | "nul")
        || (stem.len() == 4
            && (stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.as_bytes()[3].is_ascii_digit());
    if device {
        cleaned.insert(0, '_');
    }
    if cleaned.ends_with('.') {
        cleaned.push('_');
    }
    // A folder named `x.md` would clash with the Markdown of the page `x`.
    if [".md", ".json", ".html"]
        .iter()
        .any(|ext| cleaned.to_ascii_lowercase().ends_with(ext))
    {
        cleaned.push('_');
    }
    cleaned
}

fn short_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{:08x}", h as u32)
}

/// An archive being written: the output folder, the index, the names taken.
pub struct Archive {
    out: PathBuf,
    /// Held while the archive is open: no other run writes into the folder.
    _lock: File,
    /// The index, written a whole record at a time (one `write` per line), so that a run
    /// killed at any moment leaves whole lines and at most a partial last one.
    index: Mutex<Index>,
    /// Pages wait here, written under staging names, until every input before them is
    /// named: names go out in input order, so clashes resolve the same in every run.
    commits: Mutex<Commits>,
    done: HashSet<String>,
    resumed: bool,
    css: bool,
    site: SiteHints,
    safe: bool,
    memory: MemoryBudget,
    /// Every file and index record on the disk before the next is listed.
    durable: bool,
    /// The records of inputs that failed in the runs before `--resume`, by source key:
    /// put back at the end for those this run did not meet.
    failed_before: Mutex<std::collections::HashMap<String, String>>,
}

impl Archive {
    /// Writes each page's HTML with no active content (`render::safe`): for sites whose
    /// pages a browser will open from the archive.
    pub fn with_safe_html(mut self, safe: bool) -> Archive {
        self.safe = safe;
        self
    }

    /// Makes each page durable before it is listed: its files and their folder synced to
    /// the disk, and the index after each record, so that even a power cut leaves no
    /// record of a file that is not whole. Costs a few milliseconds per page.
    pub fn with_durable_writes(mut self, durable: bool) -> Archive {
        self.durable = durable;
        if let Ok(mut index) = self.index.lock() {
            index.sync_every = if durable { 1 } else { SYNC_EVERY };
        }
        self
    }

    /// Bounds the memory the pages being processed may take together (by default half
    /// the machine's): a big page waits until others are done, and a page that would need
    /// more than all of it fails as too large, not the run.
    pub fn with_memory_budget(mut self, bytes: u64) -> Archive {
        self.memory = MemoryBudget::new(bytes);
        self
    }

    /// Opens (or, with `resume`, continues) an archive in `out`.
    ///
    /// Resuming keeps the records of the inputs that were done, once each (the last record
    /// of a source wins), and drops the rest: failed inputs and a partial last line left by
    /// a run that was killed, which are done again. The index is rewritten to a temporary
    /// file and renamed over the old one, so it is never half written.
    pub fn open(out: &Path, resume: bool, css: bool, site: SiteHints) -> io::Result<Archive> {
        fs::create_dir_all(out)?;
        // One run per folder: a second one would interleave the index and overwrite
        // pages. The lock goes with the process, however it ends.
        let lock = open_lock(&out.join(".next-rsc.lock"))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(io::Error::new(
                    io::ErrorKind::ResourceBusy,
                    "another next-rsc run is writing into this folder; wait for it or use another -o",
                ));
            }
            Err(fs::TryLockError::Error(e)) => return Err(e),
        }
        let index_path = out.join("index.jsonl");
        // Another run's archive is added to only on purpose: writing a new index over it
        // would lose every record it holds.
        if !resume && fs::metadata(&index_path).is_ok_and(|m| m.len() > 0) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "it already holds an archive (index.jsonl): add --resume to add to it, or \
                 choose another folder",
            ));
        }
        let mut done = HashSet::new();
        let mut failed_before = std::collections::HashMap::new();
        let mut names = HashSet::new();
        let mut kept_names = std::collections::HashMap::new();
        let mut kept: Vec<String> = Vec::new();
        if resume && index_path.exists() {
            let text = fs::read(&index_path)?;
            // Only complete lines: a run killed mid-write leaves a partial last one.
            let complete = match memchr::memrchr(b'\n', &text) {
                Some(end) => &text[..=end],
                None => &text[..0],
            };
            for entry in last_record_of_each(&String::from_utf8_lossy(complete)) {
                if entry["ok"] != true {
                    // Done again if this run meets the input; kept if it does not.
                    if let Some(source) = entry["source"].as_str() {
                        failed_before.insert(source_key(source), entry.to_string());
                    }
                    continue;
                }
                if let Some(source) = entry["source"].as_str() {
                    done.insert(source_key(source));
                }
                if let Some(json) = entry["files"]["json"].as_str() {
                    let name = json.trim_end_matches(".json");
                    names.insert(name.to_lowercase());
                    if let Some(source) = entry["source"].as_str() {
                        kept_names.insert(source_key(source), name.to_string());
                    }
                }
                kept.push(entry.to_string());
            }
        }
        if resume {
            remove_partial_files(out);
        }
        // What a run that was stopped left staged (none of it is in the index), or a link
        // planted in its place (removed, not followed).
        let staging = out.join(STAGING);
        if fs::symlink_metadata(&staging).is_ok() {
            fs::remove_dir_all(&staging).or_else(|_| fs::remove_file(&staging))?;
        }
        let partial = out.join(".index.jsonl.partial");
        let mut fresh = create_fresh(&partial)?;
        for line in &kept {
            fresh.write_all(format!("{line}\n").as_bytes())?;
        }
        fresh.sync_all()?;
        drop(fresh);
        fs::rename(&partial, &index_path)?;
        let index = fs::OpenOptions::new().append(true).open(&index_path)?;
        Ok(Archive {
            out: out.to_path_buf(),
            _lock: lock,
            index: Mutex::new(Index {
                file: index,
                written: 0,
                sync_every: SYNC_EVERY,
                failed: None,
            }),
            commits: Mutex::new(Commits {
                next: 0,
                waiting: BTreeMap::new(),
                names,
                kept_names,
                replaced: 0,
            }),
            done,
            resumed: resume,
            css,
            site,
            safe: false,
            memory: MemoryBudget::for_this_machine(),
            durable: false,
            failed_before: Mutex::new(failed_before),
        })
    }

    /// The output folder.
    pub fn folder(&self) -> &Path {
        &self.out
    }

    /// True when the archive was opened to carry on (`--resume`).
    pub fn is_resumed(&self) -> bool {
        self.resumed
    }

    /// True when `--resume` found the input already done.
    pub fn is_done(&self, source: &str) -> bool {
        self.done.contains(&source_key(source))
    }

    /// Processes input number `seq` of the run (numbered from 0, each once): extracts it and
    /// writes its files under staging names, then names and lists every page whose turn
    /// has come. Returns the records listed by this call, in input order.
    pub fn process(&self, seq: u64, input: &Input) -> Vec<IndexEntry> {
        let mut entry = IndexEntry {
            source: input.source.clone(),
            http: input.http.clone(),
            ok: false,
            error: None,
            path: None,
            title: None,
            build_id: None,
            files: Files::default(),
            diagnostics: 0,
            flight: match &input.body {
                Body::File(path) => flight_beside(path).map(|p| p.display().to_string()),
                _ => None,
            },
            cut: None,
        };
        let cost = input.size().saturating_mul(MEMORY_PER_INPUT_BYTE);
        let Some(_admitted) = self.memory.admit(cost) else {
            entry.error = Some(format!(
                "too large: a page of {} would need about {} of memory, more than the {} \
                 budget (--max-memory)",
                bytes_text(input.size()),
                bytes_text(cost),
                bytes_text(self.memory.limit)
            ));
            return self.commit(seq, Some((entry, None)));
        };
        let staged = extract_input(input, &self.site)
            .map_err(|e| e.to_string())
            .and_then(|(document, extraction)| {
                self.stage_page(seq, &input.source, &document, &extraction, &mut entry)
            });
        let page = match staged {
            Ok(page) => Some(page),
            Err(e) => {
                entry.error = Some(e);
                None
            }
        };
        self.commit(seq, Some((entry, page)))
    }

    /// Passes over input number `seq` (already done, not a page, or the run is stopping):
    /// later pages need not wait for it. Returns the records listed meanwhile.
    pub fn skip(&self, seq: u64) -> Vec<IndexEntry> {
        self.commit(seq, None)
    }

    /// Hands in input `seq`'s outcome, then lists every waiting one whose turn has come.
    fn commit(
        &self,
        seq: u64,
        outcome: Option<(IndexEntry, Option<StagedPage>)>,
    ) -> Vec<IndexEntry> {
        let Ok(mut commits) = self.commits.lock() else {
            return Vec::new();
        };
        commits.waiting.insert(seq, outcome);
        let mut listed = Vec::new();
        loop {
            let next = commits.next;
            let Some(outcome) = commits.waiting.remove(&next) else {
                break;
            };
            commits.next += 1;
            if let Some((entry, page)) = outcome {
                listed.push(self.list(&mut commits, entry, page));
            }
        }
        listed
    }

    /// Names a page, moves its staged files into place and appends its index record.
    ///
    /// A page the archive held before this run (a crawl's `--refresh`) goes in its old
    /// place, its files replaced; when it fails now, its old record and files are kept
    /// (the failure is returned, not listed): a passing outage loses no page.
    fn list(
        &self,
        commits: &mut Commits,
        mut entry: IndexEntry,
        page: Option<StagedPage>,
    ) -> IndexEntry {
        let key = source_key(&entry.source);
        let old_name = commits.kept_names.get(&key).cloned();
        if old_name.is_some() && page.is_none() {
            return entry;
        }
        let names = &mut commits.names;
        if let Some(page) = page {
            // Names compare without case: on macOS and Windows `A.json` is `a.json`.
            let mut name = old_name.clone().unwrap_or_else(|| page.base.clone());
            if old_name.is_none() && names.contains(&name.to_lowercase()) {
                name = format!("{}~{}", page.base, short_hash(&entry.source));
                let mut n = 2;
                while names.contains(&name.to_lowercase()) {
                    name = format!("{}~{}-{n}", page.base, short_hash(&entry.source));
                    n += 1;
                }
            }
            names.insert(name.to_lowercase());
            // A page archived again: its files are set aside until the new ones are all in
            // place, and put back if they cannot be.
            let mut aside = Vec::new();
            if old_name.is_some() {
                for ext in ["json", "md", "html"] {
                    let path = self.out.join(format!("{name}.{ext}"));
                    let kept = self.out.join(format!("{name}.{ext}.previous"));
                    if fs::rename(&path, &kept).is_ok() {
                        aside.push((path, kept));
                    }
                }
            }
            let mut placed = Vec::new();
            let mut failure = None;
            for (ext, staged) in &page.files {
                let relative = format!("{name}.{ext}");
                let path = self.out.join(&relative);
                let moved = self
                    .make_folders(&relative)
                    .and_then(|()| fs::rename(staged, &path));
                match moved {
                    Ok(()) => placed.push((*ext, relative)),
                    Err(e) => {
                        failure = Some(format!("{}: {e}", path.display()));
                        break;
                    }
                }
            }
            if failure.is_none() && self.durable {
                // A rename is durable once the folder that holds the new name is.
                let folders: HashSet<PathBuf> = placed
                    .iter()
                    .filter_map(|(_, relative)| {
                        self.out.join(relative).parent().map(Path::to_path_buf)
                    })
                    .collect();
                for folder in folders {
                    if let Err(e) = File::open(&folder).and_then(|f| f.sync_all()) {
                        failure = Some(format!("{}: {e}", folder.display()));
                    }
                }
            }
            if failure.is_none() && old_name.is_some() {
                // What the page had before goes, what it has no longer (its Markdown, when
                // it is no article now) included: the record names the files it has.
                for (_, kept) in &aside {
                    let _ = fs::remove_file(kept);
                }
                commits.replaced += 1;
                commits.kept_names.remove(&key);
            }
            match failure {
                None => {
                    for (ext, relative) in placed {
                        match ext {
                            "json" => entry.files.json = Some(relative),
                            "md" => entry.files.markdown = Some(relative),
                            _ => entry.files.html = Some(relative),
                        }
                    }
                    entry.ok = true;
                }
                Some(e) => {
                    // The index names only complete pages: take back what was placed.
                    for (_, relative) in placed {
                        let _ = fs::remove_file(self.out.join(relative));
                    }
                    for (_, staged) in &page.files {
                        let _ = fs::remove_file(staged);
                    }
                    entry.error = Some(e);
                    if old_name.is_some() {
                        // The page stays as it was, and its record with it.
                        for (path, kept) in &aside {
                            let _ = fs::rename(kept, path);
                        }
                        return entry;
                    }
                }
            }
        }
        if let Ok(mut failed) = self.failed_before.lock() {
            failed.remove(&source_key(&entry.source));
        }
        if let Ok(line) = serde_json::to_string(&entry)
            && let Ok(mut index) = self.index.lock()
        {
            index.append(&line);
        }
        entry
    }

    /// Creates the folders of `relative` below the output folder, refusing a symbolic link
    /// among them: a link planted in the archive would send pages elsewhere.
    fn make_folders(&self, relative: &str) -> io::Result<()> {
        let mut folder = self.out.clone();
        let parts: Vec<&str> = relative.split('/').collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            folder.push(part);
            match fs::symlink_metadata(&folder) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(io::Error::other(format!(
                        "{} is a symbolic link: pages are not written through it",
                        folder.display()
                    )));
                }
                Ok(meta) if meta.is_dir() => {}
                Ok(_) => {
                    return Err(io::Error::other(format!(
                        "{} is a file, not a folder",
                        folder.display()
                    )));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir(&folder)?,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Writes a page's files whole under staging names of its own.
    fn stage_page(
        &self,
        seq: u64,
        source: &str,
        document: &crate::document::Document,
        extraction: &Extraction,
        entry: &mut IndexEntry,
    ) -> Result<StagedPage, String> {
        entry.path = extraction.next.path.clone();
        entry.title = extraction
            .article
            .as_ref()
            .and_then(|a| a.title.clone())
            .or_else(|| extraction.metadata.title.clone());
        entry.build_id = extraction.next.build_id.clone();
        entry.diagnostics = extraction.diagnostics.len();
        entry.cut = extraction
            .diagnostics
            .iter()
            .find(|d| d.kind == crate::error::DiagnosticKind::PageIncomplete)
            .map(|d| d.message.clone());
        let mut page = StagedPage {
            base: page_name(Some(extraction), source),
            files: Vec::new(),
        };
        let staging = self.out.join(STAGING);
        let mut stage = |ext: &'static str, text: &str| -> Result<(), String> {
            let path = staging.join(format!("{seq}.{ext}"));
            let durable = self.durable;
            fs::create_dir_all(&staging)
                .and_then(|()| {
                    let mut file = create_fresh(&path)?;
                    file.write_all(text.as_bytes())?;
                    if durable {
                        file.sync_data()?;
                    }
                    Ok(())
                })
                .map_err(|e| {
                    let _ = fs::remove_file(&path);
                    format!("{}: {e}", path.display())
                })?;
            page.files.push((ext, path));
            Ok(())
        };
        // Each file is dropped once staged: a big page's three files never wait together.
        let json = serde_json::to_string_pretty(extraction).map_err(|e| e.to_string())?;
        stage("json", &json)?;
        drop(json);
        if let Some(article) = &extraction.article {
            let mut markdown = String::new();
            let _ = article.write_markdown(
                MarkdownOptions {
                    source: Some(source),
                },
                &mut markdown,
            );
            stage("md", &markdown)?;
        }
        if !document.page.is_empty() {
            let options = HtmlOptions {
                stylesheets: if self.css {
                    &document.next.assets.css
                } else {
                    &[]
                },
                no_css: !self.css,
                scripts: false,
                // A web archive's record knows its URL: assets load from the site.
                base: document.url.as_deref(),
                images: document.next.assets.images.as_ref(),
            };
            let mut html = String::new();
            let _ = if self.safe {
                crate::render::safe::write_safe_document(
                    &document.page,
                    options,
                    extraction.metadata.title.as_deref(),
                    extraction.metadata.lang.as_deref(),
                    &mut html,
                )
            } else {
                write_document(&document.page, options, &mut html)
            };
            stage("html", &html)?;
        }
        Ok(page)
    }

    /// Lists whatever still waits (in input order, past any input that never came), makes
    /// the index durable, and says whether every record reached it. Returns the records
    /// listed here.
    pub fn finish(&self) -> io::Result<Vec<IndexEntry>> {
        let mut listed = Vec::new();
        let mut replaced = 0;
        if let Ok(mut commits) = self.commits.lock() {
            let waiting = std::mem::take(&mut commits.waiting);
            for (_, outcome) in waiting {
                if let Some((entry, page)) = outcome {
                    listed.push(self.list(&mut commits, entry, page));
                }
            }
            replaced = commits.replaced;
        }
        let _ = fs::remove_dir(self.out.join(STAGING));
        let kept: Vec<String> = self
            .failed_before
            .lock()
            .map(|mut failed| failed.drain().map(|(_, line)| line).collect())
            .unwrap_or_default();
        match self.index.lock() {
            Ok(mut index) => {
                let mut kept = kept;
                kept.sort();
                for line in &kept {
                    index.append(line);
                }
            }
            Err(_) => return Err(io::Error::other("the index writer is poisoned")),
        }
        match self.index.lock() {
            Ok(mut index) => index.finish()?,
            Err(_) => return Err(io::Error::other("the index writer is poisoned")),
        }
        if replaced > 0 {
            self.one_record_per_page()?;
        }
        Ok(listed)
    }

    /// Rewrites the index with one record per page, where pages archived again left two:
    /// the last record of each, as `--resume` reads an index. Written aside and renamed
    /// over the index, so it is never half written (a crash before leaves both records,
    /// and the next `--resume` keeps the last).
    fn one_record_per_page(&self) -> io::Result<()> {
        let index_path = self.out.join("index.jsonl");
        let text = fs::read_to_string(&index_path)?;
        let partial = self.out.join(".index.jsonl.partial");
        let mut fresh = create_fresh(&partial)?;
        for record in last_record_of_each(&text) {
            fresh.write_all(format!("{record}\n").as_bytes())?;
        }
        fresh.sync_all()?;
        drop(fresh);
        fs::rename(&partial, &index_path)
    }
}

/// Peak memory per byte of input while a page is read, composed and written, the input
/// included: about 12 on big article pages, up to 31 on the worst shape measured (an
/// article of many tiny elements).
const MEMORY_PER_INPUT_BYTE: u64 = 32;

/// Memory that the pages in progress share.
struct MemoryBudget {
    limit: u64,
    used: Mutex<u64>,
    freed: std::sync::Condvar,
}

impl MemoryBudget {
    fn new(limit: u64) -> Self {
        MemoryBudget {
            limit,
            used: Mutex::new(0),
            freed: std::sync::Condvar::new(),
        }
    }

    /// Half of what this process may use: the machine's memory (`MemTotal`), its
    /// container's limit (cgroup `memory.max`) and its address-space limit (`ulimit -v`),
    /// whichever is least; 4 GiB when none can be read.
    fn for_this_machine() -> Self {
        let machine = fs::read_to_string("/proc/meminfo").ok().and_then(|info| {
            let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        });
        let container = fs::read_to_string("/sys/fs/cgroup/memory.max")
            .ok()
            .and_then(|max| max.trim().parse::<u64>().ok());
        let address_space = fs::read_to_string("/proc/self/limits")
            .ok()
            .and_then(|limits| {
                let line = limits
                    .lines()
                    .find(|l| l.starts_with("Max address space"))?;
                line.split_whitespace().nth(3)?.parse::<u64>().ok()
            });
        let least = [machine, container, address_space]
            .into_iter()
            .flatten()
            .min();
        MemoryBudget::new(least.map_or(4 << 30, |bytes| (bytes / 2).max(256 << 20)))
    }

    /// Waits until `cost` fits beside the pages in progress; `None` when it never can.
    fn admit(&self, cost: u64) -> Option<Admitted<'_>> {
        if cost > self.limit {
            return None;
        }
        let mut used = self.used.lock().ok()?;
        while *used > 0 && *used + cost > self.limit {
            used = self.freed.wait(used).ok()?;
        }
        *used += cost;
        Some(Admitted { budget: self, cost })
    }
}

/// A page's share of the budget, given back when it is done.
struct Admitted<'a> {
    budget: &'a MemoryBudget,
    cost: u64,
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        if let Ok(mut used) = self.budget.used.lock() {
            *used = used.saturating_sub(self.cost);
        }
        self.budget.freed.notify_all();
    }
}

/// `1.5 GiB`, `300 MiB`, `12 KiB`.
fn bytes_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b => format!("{} KiB", b.div_ceil(1024)),
    }
}

/// The folder in the output where pages are written before they are named.
const STAGING: &str = ".next-rsc-staging";

/// Pages waiting to be named, by input number.
struct Commits {
    /// The input whose turn it is.
    next: u64,
    /// Outcomes handed in ahead of their turn (`None`: an input passed over).
    waiting: BTreeMap<u64, Option<(IndexEntry, Option<StagedPage>)>>,
    /// Names taken, in lower case.
    names: HashSet<String>,
    /// The name each page done before this run has (its files' path without the
    /// extension), by source key: a page archived again goes in its place.
    kept_names: std::collections::HashMap<String, String>,
    /// Pages archived again in this run (the index has two records for each until
    /// [`Archive::finish`]).
    replaced: usize,
}

/// A page's files, written under staging names.
struct StagedPage {
    /// The name it asks for (see [`page_name`]).
    base: String,
    /// Extension and staging path of each file.
    files: Vec<(&'static str, PathBuf)>,
}

/// The archive's index file.
struct Index {
    file: File,
    /// Records written since the last sync.
    written: usize,
    /// Records between two syncs.
    sync_every: usize,
    /// The first write that failed: the run must not end as if the index were whole.
    failed: Option<io::Error>,
}

/// Records between two syncs of the index to the disk.
const SYNC_EVERY: usize = 256;

impl Index {
    /// Appends one record as one `write` of the whole line.
    fn append(&mut self, line: &str) {
        if self.failed.is_some() {
            return;
        }
        let mut record = String::with_capacity(line.len() + 1);
        record.push_str(line);
        record.push('\n');
        if let Err(e) = self.file.write_all(record.as_bytes()) {
            self.failed = Some(e);
            return;
        }
        self.written += 1;
        if self.written >= self.sync_every {
            self.written = 0;
            if let Err(e) = self.file.sync_data() {
                self.failed = Some(e);
            }
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.file.sync_all()
    }
}

/// Opens the folder's lock file without following a link planted in its place and
/// without emptying what is there.
fn open_lock(path: &Path) -> io::Result<File> {
    if fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
        fs::remove_file(path)?;
    }
    fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
}

/// Creates a file that did not exist: whatever had the name (a link planted there
/// included) is removed first, and the creation refuses to follow a link.
fn create_fresh(path: &Path) -> io::Result<File> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// The last record of each source in an index's text, in the order those last records
/// come (lines that are no record are dropped).
fn last_record_of_each(index: &str) -> Vec<serde_json::Value> {
    let mut last: std::collections::HashMap<String, (usize, serde_json::Value)> =
        Default::default();
    for (at, line) in index.lines().enumerate() {
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if let Some(source) = entry["source"].as_str() {
            last.insert(source_key(source), (at, entry));
        }
    }
    let mut records: Vec<(usize, serde_json::Value)> = last.into_values().collect();
    records.sort_by_key(|(at, _)| *at);
    records.into_iter().map(|(_, entry)| entry).collect()
}

/// Removes what a run that was killed left half written (`.name.partial`), below `out`,
/// and puts back the files a page being archived again had set aside (`name.json.previous`).
fn remove_partial_files(out: &Path) {
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t) if t.is_file() && name.starts_with('.') && name.ends_with(".partial") => {
                    let _ = fs::remove_file(&path);
                }
                // A page being archived again when the run stopped: its record is still
                // the old one (the new is listed only once these are gone), so its old
                // files go back.
                Ok(t)
                    if t.is_file()
                        && [".json.previous", ".md.previous", ".html.previous"]
                            .iter()
                            .any(|suffix| name.ends_with(suffix)) =>
                {
                    let _ = fs::rename(&path, path.with_extension(""));
                }
                _ => {}
            }
        }
    }
}

/// The key of an input's source for `--resume`: its canonical path (so `./in/a.txt` and
/// `in/a.txt` are one input), with a web archive record's URI kept after the `#`.
fn source_key(source: &str) -> String {
    let (file, record) = match source.find(".warc#").or_else(|| source.find(".warc.gz#")) {
        Some(at) => {
            let hash = at + source[at..].find('#').unwrap_or(0);
            (&source[..hash], &source[hash..])
        }
        None => (source, ""),
    };
    match fs::canonicalize(file) {
        Ok(path) => format!("{}{record}", path.display()),
        Err(_) => source.to_string(),
    }
}

/// Runs an archive: every input in parallel, `on_page` told of each outcome (for a
/// progress bar). Returns how many inputs failed.
pub fn run(
    files: Vec<PathBuf>,
    archive: &Archive,
    on_page: &(dyn Fn(&IndexEntry) + Sync),
) -> io::Result<usize> {
    run_until(files, archive, on_page, &|| false)
}

/// [`run`], stopping when `stop` says so (a signal): the pages being written are finished
/// and listed, no new one is started, and the index is left whole.
pub fn run_until(
    files: Vec<PathBuf>,
    archive: &Archive,
    on_page: &(dyn Fn(&IndexEntry) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> io::Result<usize> {
    let failed = std::sync::atomic::AtomicUsize::new(0);
    let report = |entries: Vec<IndexEntry>| {
        for entry in entries {
            if !entry.ok {
                failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            on_page(&entry);
        }
    };
    (0u64..)
        .zip(inputs(files))
        .take_while(|_| !stop())
        .par_bridge()
        .for_each(|(seq, input)| {
            let passed = stop() || archive.is_done(&input.source) || is_stray_text(&input);
            report(if passed {
                archive.skip(seq)
            } else {
                archive.process(seq, &input)
            });
        });
    report(archive.finish()?);
    Ok(failed.into_inner())
}

/// A JSON Lines record of one input for `--jsonl`: the source, and the extraction or
/// the error.
pub fn jsonl_record(input: &Input, site: &SiteHints) -> (bool, String) {
    #[derive(Serialize)]
    struct Record<'a> {
        source: &'a str,
        ok: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        #[serde(flatten, skip_serializing_if = "Option::is_none")]
        extraction: Option<Extraction>,
    }
    let (ok, error, extraction) = match extract_input(input, site) {
        Ok((_, x)) => (true, None, Some(x)),
        Err(e) => (false, Some(e.to_string()), None),
    };
    let record = Record {
        source: &input.source,
        ok,
        error,
        extraction,
    };
    (ok, serde_json::to_string(&record).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_set_aside_when_the_run_stopped_gets_its_files_back() {
        let out = std::env::temp_dir().join(format!("next-rsc-aside-{}", std::process::id()));
        let _ = fs::remove_dir_all(&out);
        fs::create_dir_all(out.join("posts")).unwrap();
        // Stopped after the new JSON was placed, before the old files were dropped.
        fs::write(out.join("posts/hello.json"), "new").unwrap();
        fs::write(out.join("posts/hello.json.previous"), "old").unwrap();
        fs::write(out.join("posts/hello.md.previous"), "old markdown").unwrap();
        fs::write(out.join("notes.previous"), "someone's file").unwrap();
        remove_partial_files(&out);
        assert_eq!(
            fs::read_to_string(out.join("posts/hello.json")).unwrap(),
            "old"
        );
        assert_eq!(
            fs::read_to_string(out.join("posts/hello.md")).unwrap(),
            "old markdown"
        );
        assert!(!out.join("posts/hello.json.previous").exists());
        assert!(out.join("notes.previous").exists());
        fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn page_names_fit_file_systems_and_never_clash_with_page_files() {
        let long = "汉".repeat(120);
        let name = safe_segment(&long);
        assert!(name.len() <= 220, "{} bytes", name.len());
        assert_ne!(
            name,
            safe_segment(&format!("{long}x")),
            "cut alike, still apart"
        );
        assert_eq!(safe_segment("x.md"), "x.md_");
        assert_eq!(safe_segment("notes.HTML"), "notes.HTML_");
        assert_eq!(safe_segment(".hidden"), "_.hidden");
        assert_eq!(safe_segment("plain-name"), "plain-name");
        assert_eq!(safe_segment("CON"), "_CON");
        assert_eq!(safe_segment("aux.txt"), "_aux.txt");
        assert_eq!(safe_segment("com1"), "_com1");
        assert_eq!(safe_segment("console"), "console");
        assert_eq!(safe_segment("trail."), "trail._");
    }

    #[test]
    fn the_memory_budget_admits_what_fits_and_waits_for_the_rest() {
        let budget = MemoryBudget::new(100);
        assert!(budget.admit(101).is_none(), "never fits");
        let first = budget.admit(60).unwrap();
        std::thread::scope(|scope| {
            let waiting = scope.spawn(|| {
                let _second = budget.admit(60).unwrap();
                *budget.used.lock().unwrap()
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert_eq!(*budget.used.lock().unwrap(), 60, "the second waits");
            drop(first);
            assert_eq!(waiting.join().unwrap(), 60, "then it is let in");
        });
        assert_eq!(*budget.used.lock().unwrap(), 0, "and everything given back");
    }

    #[test]
    fn http_bodies_are_undone() {
        let response = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n<html\r\n2\r\n>x\r\n0\r\n\r\n";
        assert_eq!(http_body(response).unwrap().unwrap(), b"<html>x"); // ok: a test
        let image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG";
        assert_eq!(http_body(image).unwrap(), None); // ok: a test
        let brotli =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: br\r\n\r\nxx";
        assert!(http_body(brotli).is_err());
        // A gzip body of two members is decoded whole.
        let member = |text: &[u8]| {
            let mut encoder = libflate::gzip::Encoder::new(Vec::new()).unwrap();
            encoder.write_all(text).unwrap();
            encoder.finish().into_result().unwrap()
        };
        let mut two =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        two.extend(member(b"<html>first half, "));
        two.extend(member(b"second half</html>"));
        assert_eq!(
            http_body(&two).unwrap().unwrap(),
            b"<html>first half, second half</html>"
        );
    }

    #[test]
    fn page_names_come_from_the_path() {
        assert_eq!(page_name(None, "a/b/home.rsc"), "home");
        assert_eq!(page_name(None, "x.warc#https://e.com/"), "index");
        assert_eq!(page_name(None, "x.warc#https://e.com/a/b?q=1"), "a/b");
        assert_eq!(safe_segment("../e vil"), "_.._e_vil");
    }
}
