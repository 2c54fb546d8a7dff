//! The Python binding of next-rsc: `import next_rsc`.
//!
//! A thin layer over the crate's front door, [`next_rsc::Page`]: no second
//! implementation. Whatever the command line prints as JSON crosses over as that JSON
//! and is read by Python's own `json` module, so `Page.to_dict()` is exactly what
//! `next-rsc extract` prints. Parsing releases the GIL; `parse_many` parses a batch on
//! several threads.

use next_rsc::query::{Query, QueryError};
use next_rsc::{Error, HtmlSettings, Options, Page};
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString};
use serde::Serialize;

pyo3::create_exception!(
    next_rsc,
    ParseError,
    PyValueError,
    "The bytes are not a page next-rsc can read: empty, no flight rows, an HTML page Next.js \
     did not make, or a pages-router page (which carries no flight)."
);

/// Python's `json.loads`, looked up once.
static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Hands a value to Python as the JSON the command line prints, read by `json.loads`.
fn to_python<T: Serialize + ?Sized>(py: Python<'_>, value: &T) -> PyResult<Py<PyAny>> {
    let json = serde_json::to_string(value)
        .map_err(|e| PyValueError::new_err(format!("cannot write as JSON: {e}")))?;
    json_to_python(py, &json)
}

/// How deep Python's `json` reads (its recursion limit is about 1,000 frames).
const PYTHON_DEPTH: usize = 900;

fn json_to_python(py: Python<'_>, json: &str) -> PyResult<Py<PyAny>> {
    let depth = nesting(json.as_bytes());
    if depth > PYTHON_DEPTH {
        return Err(PyValueError::new_err(format!(
            "the value nests {depth} levels deep, past the {PYTHON_DEPTH} Python's json reads: \
             tree_json() gives the tree as JSON text"
        )));
    }
    let loads = JSON_LOADS.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("json")?.getattr("loads")?.unbind())
    })?;
    Ok(loads.bind(py).call1((json,))?.unbind())
}

/// The deepest nesting of arrays and objects in JSON text.
fn nesting(json: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
    for &byte in json {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The bytes of `data`: `bytes` are borrowed, `bytearray` and `memoryview` copied; a `str`
/// is refused with a hint, as is anything else.
fn input_bytes(data: &Bound<'_, PyAny>) -> PyResult<PyBackedBytes> {
    if data.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "next_rsc reads bytes, not str: pass the response's body as bytes \
             (response.content with requests/httpx, response.body with Scrapy), \
             or text.encode(\"utf-8\")",
        ));
    }
    if data.is_instance_of::<PyBytes>() || data.is_instance_of::<PyByteArray>() {
        return data.extract::<PyBackedBytes>().map_err(Into::into);
    }
    if data.is_instance_of::<PyMemoryView>() {
        let bytes = data.call_method0("tobytes")?;
        return bytes.extract::<PyBackedBytes>().map_err(Into::into);
    }
    Err(PyTypeError::new_err(format!(
        "next_rsc reads bytes, bytearray or memoryview, not {}",
        data.get_type().name()?
    )))
}

fn parse_error(error: Error) -> PyErr {
    ParseError::new_err(error.to_string())
}

fn query_error(error: Error) -> PyErr {
    match error {
        Error::Query(QueryError::Missing { .. }) => PyKeyError::new_err(error.to_string()),
        other => PyValueError::new_err(other.to_string()),
    }
}

/// A page, read: its metadata, article, navigation, Next.js facts and diagnostics, the
/// tree React's client builds from its flight, the page as HTML and the article as
/// Markdown. Made by `parse` or `parse_many`.
#[pyclass(module = "next_rsc", name = "Page", frozen)]
struct PyPage {
    page: Page,
    /// The URL it was parsed with: `find(urls=True)` resolves against it.
    url: Option<String>,
}

#[pymethods]
impl PyPage {
    /// The metadata: title, description, canonical URL, Open Graph, Twitter, icons,
    /// alternates, JSON-LD, and every head tag (a dict).
    #[getter]
    fn metadata(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_python(py, self.page.metadata())
    }

    /// The article (title, published, author, tags, text, html, wordCount …) as a dict, or None when
    /// the page has none (a list, a home page, an error page …; `kind` says which).
    #[getter]
    fn article(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_python(py, &self.page.article())
    }

    /// The navigation regions (header, footer, sidebar, breadcrumbs …) and their links.
    #[getter]
    fn navigation(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_python(py, self.page.navigation())
    }

    /// What kind of page this is (article, list, home, docs, error, other) and why.
    #[getter]
    fn kind(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_python(py, self.page.kind())
    }

    /// The Next.js facts: router, version era, build id, route, path, params, assets.
    #[getter]
    fn next(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_python(py, self.page.next())
    }

    /// What was wrong with the input (the rest was still read): a list of dicts with the
    /// byte offset, the row id when there is one, a kind and a message.
    #[getter]
    fn diagnostics(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_python(py, self.page.diagnostics())
    }

    /// The flight stream the page was read from (the input, or an HTML page's stream as
    /// Next's browser runtime rebuilds it from its scripts).
    #[getter]
    fn flight<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.page.flight())
    }

    /// Everything `next-rsc extract` prints, as a dict: `next`, `metadata`, `pageKind`,
    /// `article`, `navigation`, `diagnostics`.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_python(py, &self.page)
    }

    /// The same as JSON text, byte for byte what `next-rsc extract` prints (without its
    /// final newline).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.page)
            .map_err(|e| PyValueError::new_err(format!("cannot write as JSON: {e}")))
    }

    /// The page as HTML, as `next-rsc html` writes it. `safe=True` leaves out all active
    /// content (scripts, handlers, `javascript:` URLs, frames, forms) for pages a browser
    /// will open; `no_css` leaves stylesheets out; `scripts` keeps `<script src>` elements.
    /// Raises ValueError when the input has no page to render (a prefetch of the router
    /// tree alone), or for safe=True with scripts=True.
    #[pyo3(signature = (*, safe = false, no_css = false, scripts = false))]
    fn to_html(&self, py: Python<'_>, safe: bool, no_css: bool, scripts: bool) -> PyResult<String> {
        if safe && scripts {
            return Err(PyValueError::new_err(
                "safe=True writes no script: it cannot keep scripts=True",
            ));
        }
        let settings = HtmlSettings {
            no_css,
            scripts,
            safe,
        };
        py.detach(|| self.page.to_html_with(settings))
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// The article as Markdown with YAML front matter, as `next-rsc markdown` writes it;
    /// None when the page has no article.
    fn to_markdown(&self, py: Python<'_>) -> Option<String> {
        py.detach(|| self.page.to_markdown())
    }

    /// The tree React's own client builds from the flight, in the canonical form of
    /// `next-rsc tree --canonical`: `{"hints": [...], "root": ...}`, elements as
    /// `{"$el": type, "key": ..., "props": {...}}`.
    fn tree(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let json = py
            .detach(|| self.page.canonical_tree())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        json_to_python(py, &String::from_utf8_lossy(&json))
    }

    /// The same tree as JSON text, byte for byte what `next-rsc tree --canonical` prints
    /// (for trees nested deeper than Python's `json` reads).
    fn tree_json(&self, py: Python<'_>) -> PyResult<String> {
        let json = py
            .detach(|| self.page.canonical_tree())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(String::from_utf8_lossy(&json).into_owned())
    }

    /// Finds values in the tree, as `next-rsc find` does; give exactly one selector:
    ///
    /// - `keys=["href", "title"]`: every object with all these keys (element props too);
    /// - `type="a"` / `type="Link"`: elements of a host tag or client component (Next's
    ///   Link, Image and Script are known by their props);
    /// - `module="…"`: elements of one client module;
    /// - `text="…"` (with `ignore_case`) or `regex="…"`: strings that contain it;
    /// - `client=True`: every client component element with its props;
    /// - `urls=True`: every URL the elements' props carry, resolved against `base` (by
    ///   default the `url` the page was parsed with).
    ///
    /// Returns a list of `{"path": JSON pointer into tree(), "value": the value}`.
    #[pyo3(signature = (*, keys = None, r#type = None, module = None, text = None, regex = None, ignore_case = false, client = false, urls = false, base = None))]
    #[allow(clippy::too_many_arguments)]
    fn find(
        &self,
        py: Python<'_>,
        keys: Option<Vec<String>>,
        r#type: Option<String>,
        module: Option<String>,
        text: Option<String>,
        regex: Option<String>,
        ignore_case: bool,
        client: bool,
        urls: bool,
        base: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        let mut queries = Vec::new();
        if let Some(keys) = keys {
            queries.push(Query::keys(keys).map_err(|e| PyValueError::new_err(e.to_string()))?);
        }
        if let Some(name) = r#type {
            queries.push(Query::element_type(name));
        }
        if let Some(id) = module {
            queries.push(Query::module(id));
        }
        if let Some(needle) = text {
            queries.push(Query::text(needle, ignore_case));
        }
        if let Some(pattern) = regex {
            queries.push(
                Query::pattern(&pattern, ignore_case)
                    .map_err(|e| PyValueError::new_err(e.to_string()))?,
            );
        }
        if client {
            queries.push(Query::client());
        }
        if urls {
            queries.push(Query::urls(base.as_deref().or(self.url.as_deref())));
        } else if base.is_some() {
            return Err(PyTypeError::new_err("base= goes with urls=True"));
        }
        let [query] = <[Query; 1]>::try_from(queries).map_err(|given| {
            PyTypeError::new_err(format!(
                "find takes exactly one of keys=, type=, module=, text=, regex=, client=True, \
                 urls=True ({} given)",
                given.len()
            ))
        })?;
        let matches = py.detach(|| self.page.find(&query)).map_err(query_error)?;
        // Each value is JSON text already, as deep as the tree: joined as it is, not
        // through serde's value (which stops at 128 levels).
        let mut json = String::from("[");
        for (i, found) in matches.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str("{\"path\":");
            json.push_str(&serde_json::to_string(&found.path).unwrap_or_default());
            json.push_str(",\"value\":");
            json.push_str(&found.value);
            json.push('}');
        }
        json.push(']');
        json_to_python(py, &json)
    }

    /// The value at a JSON pointer into `tree()` (`"/root/props/children/0"`), as
    /// `next-rsc get` prints it. KeyError when nothing is there, ValueError for a pointer
    /// that is not one.
    fn get(&self, py: Python<'_>, pointer: &str) -> PyResult<Py<PyAny>> {
        let json = py.detach(|| self.page.get(pointer)).map_err(query_error)?;
        json_to_python(py, &json)
    }

    /// What changed from this page's tree to `newer`'s, as `next-rsc diff` prints it: a
    /// list of JSON Patch operations (RFC 6902) that turn this tree into the other.
    fn diff(&self, py: Python<'_>, newer: &Bound<'_, PyPage>) -> PyResult<Py<PyAny>> {
        let newer = newer.get();
        let operations = py
            .detach(|| self.page.diff(&newer.page))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let json = operations
            .iter()
            .map(|op| op.to_json())
            .collect::<Vec<_>>()
            .join(",");
        json_to_python(py, &format!("[{json}]"))
    }

    fn __repr__(&self) -> String {
        let quoted = |s: Option<&str>| s.map_or("None".to_string(), |s| format!("{s:?}"));
        format!(
            "<next_rsc.Page title={} route={} kind={:?}>",
            quoted(self.page.metadata().title.as_deref()),
            quoted(self.page.next().route.as_deref()),
            self.page.kind().kind
        )
    }
}

/// The most threads `parse_many` starts.
const MAX_THREADS: usize = 256;

/// The keyword options of `parse` and `parse_many`.
fn options(
    url: Option<String>,
    base_path: Option<String>,
    trailing_slash: Option<bool>,
    source: Option<String>,
) -> Options {
    Options {
        url,
        base_path,
        trailing_slash,
        source,
        single_thread: false,
        safe: false,
    }
}

/// Reads a Next.js page: a raw flight (an `RSC: 1` response body, a static export's
/// `.txt`), an App Router HTML page, or a pages-router page, as bytes.
///
/// - `url`: the page's URL; relative links resolve against it, and navigation links get
///   an absolute `url`.
/// - `base_path`, `trailing_slash`: the site's `basePath` and `trailingSlash` settings, when
///   the page does not tell them.
/// - `source`: where the bytes came from (a file path); an export's layout
///   (`about/index.txt`) tells the trailing slash.
///
/// Raises ParseError for bytes that are no page, TypeError for a str. Problems that still
/// leave a page are in `Page.diagnostics`. The GIL is released while parsing.
#[pyfunction]
#[pyo3(signature = (data, url = None, *, base_path = None, trailing_slash = None, source = None))]
fn parse(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    url: Option<String>,
    base_path: Option<String>,
    trailing_slash: Option<bool>,
    source: Option<String>,
) -> PyResult<PyPage> {
    let bytes = input_bytes(data)?;
    let options = options(url, base_path, trailing_slash, source);
    let page = py
        .detach(|| Page::parse_with(&bytes, &options))
        .map_err(parse_error)?;
    Ok(PyPage {
        page,
        url: options.url,
    })
}

/// Reads many pages on several threads, the GIL released, and returns them in input
/// order. `threads` (default: one per processor) bounds the threads used; `url` and the
/// other options apply to every page. `errors="raise"` (the default) raises the
/// ParseError of the first input that is no page, naming its index;
/// `errors="return"` puts that ParseError in the list in the page's place.
#[pyfunction]
#[pyo3(signature = (data, *, threads = None, url = None, base_path = None, trailing_slash = None, errors = "raise"))]
#[allow(clippy::too_many_arguments)]
fn parse_many(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    threads: Option<i64>,
    url: Option<String>,
    base_path: Option<String>,
    trailing_slash: Option<bool>,
    errors: &str,
) -> PyResult<Vec<Py<PyAny>>> {
    let return_errors = match errors {
        "raise" => false,
        "return" => true,
        other => {
            return Err(PyValueError::new_err(format!(
                "errors must be \"raise\" or \"return\", not {other:?}"
            )));
        }
    };
    if data.is_instance_of::<PyString>() || data.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "parse_many takes a list of pages (each bytes); for one page use parse",
        ));
    }
    let inputs = data
        .try_iter()?
        .map(|item| input_bytes(&item?))
        .collect::<PyResult<Vec<_>>>()?;
    // A pool of its own for each call, never the global one: its threads would not
    // survive a fork (multiprocessing, gunicorn --preload), and a bound keeps a huge
    // `threads` from starting thousands of threads.
    let available = std::thread::available_parallelism().map_or(2, |n| n.get());
    let threads = match threads {
        Some(n) if n < 1 => return Err(PyValueError::new_err("threads must be at least 1")),
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
        None => available,
    }
    .min(inputs.len().max(1))
    .min(MAX_THREADS);
    let options = options(url, base_path, trailing_slash, None);
    let results = py.detach(|| -> Result<Vec<Result<Page, Error>>, String> {
        use rayon::prelude::*;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(pool.install(|| {
            inputs
                .par_iter()
                .map(|bytes| Page::parse_with(bytes, &options))
                .collect::<Vec<_>>()
        }))
    });
    let results =
        results.map_err(|e| PyValueError::new_err(format!("cannot start threads: {e}")))?;
    let mut pages = Vec::with_capacity(results.len());
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(page) => pages.push(
                Py::new(
                    py,
                    PyPage {
                        page,
                        url: options.url.clone(),
                    },
                )?
                .into_any(),
            ),
            Err(error) if return_errors => {
                let error = ParseError::new_err(format!("input {index}: {error}"));
                pages.push(error.into_value(py).into_any());
            }
            Err(error) => return Err(ParseError::new_err(format!("input {index}: {error}"))),
        }
    }
    Ok(pages)
}

/// One page of a web archive, for Python: its URL, its body or why there is none.
type WarcPage = (String, Option<Py<PyBytes>>, Option<String>);

/// The HTML and flight responses of a web archive (a whole `.warc` or `.warc.gz` file's
/// bytes; gzip is told by its first bytes), in file order, as `(url, body, error)`: the
/// record's target URI (`#2`, `#3` … after a URL captured again), the HTTP body with its
/// transfer and content coding undone (None when the record cannot be read), and why not.
/// Other records (requests, images, scripts, redirects) are left out. The GIL is
/// released while reading.
#[pyfunction]
#[pyo3(signature = (data, name = "archive.warc"))]
fn warc_pages(py: Python<'_>, data: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<WarcPage>> {
    let bytes = input_bytes(data)?;
    let pages = py.detach(|| next_rsc::archive::warc_pages_in(name, &bytes));
    let prefix = format!("{name}#");
    Ok(pages
        .into_iter()
        .map(|page| {
            let url = page
                .source
                .strip_prefix(&prefix)
                .unwrap_or(&page.source)
                .to_string();
            match page.bytes() {
                Ok(body) => (url, Some(PyBytes::new(py, &body).unbind()), None),
                Err(error) => (url, None, Some(error.to_string())),
            }
        })
        .collect())
}

/// The native part of the `next_rsc` package (`python/next_rsc/__init__.py` re-exports it).
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPage>()?;
    m.add("ParseError", m.py().get_type::<ParseError>())?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(parse_many, m)?)?;
    m.add_function(wrap_pyfunction!(warc_pages, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
