//! Pages by URL: an HTTP client (ureq, rustls) that fetches a Next.js page as a browser's
//! first visit does (its HTML), or as client navigation does (its flight: `RSC: 1`, or a
//! static export's `.txt` file), and keeps what only HTTP knows: the final URL after
//! redirects, the status and the headers.
//!
//! ```no_run
//! let fetcher = next_rsc::fetch::Fetcher::new(next_rsc::fetch::FetchOptions::default());
//! let fetched = fetcher.fetch("https://nextjs.org/docs", next_rsc::fetch::Want::Html)?;
//! let page = next_rsc::Page::parse_with(&fetched.body, &next_rsc::Options {
//!     url: Some(fetched.url.clone()),
//!     ..Default::default()
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod wire;

use std::time::{Duration, Instant};

use ureq::ResponseExt;
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{Connector, DefaultConnector};

pub use wire::Wire;

/// What to fetch of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// The HTML page, as a browser's first visit gets it.
    Html,
    /// The flight, as client navigation gets it: the URL with `RSC: 1` (a Next.js server
    /// redirects that to `?_rsc=…` and answers `text/x-component`), or, where the server
    /// answers with HTML anyway (a static host), the static export's `.txt` file.
    Flight,
}

/// How to fetch.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// The whole of one request, connecting and reading included.
    pub timeout: Duration,
    /// Redirects followed before giving up.
    pub max_redirects: u32,
    /// The most bytes a body may have (decompressed).
    pub max_body: u64,
    /// Sent as `User-Agent`.
    pub user_agent: String,
    /// Keep the bytes of each exchange as they crossed the connection
    /// ([`Fetched::wire`]), for a web archive. The client then asks for gzip alone (not
    /// br), the coding every archive reader decodes.
    pub record_wire: bool,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            timeout: Duration::from_secs(30),
            max_redirects: 10,
            max_body: crate::input::max_input_bytes(),
            user_agent: USER_AGENT.to_string(),
            record_wire: false,
        }
    }
}

/// `next-rsc/<version> (+https://github.com/…)`: who is asking, for the site's logs.
pub const USER_AGENT: &str = concat!(
    "next-rsc/",
    env!("CARGO_PKG_VERSION"),
    " (+https://crates.io/crates/next-rsc)"
);

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL asked for.
    pub requested: String,
    /// The URL that answered, after redirects.
    pub url: String,
    /// The HTTP status.
    pub status: u16,
    /// The response headers, names in lower case, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body, with its content coding (gzip, br) undone.
    pub body: Vec<u8>,
    /// How long the request took, the body read included.
    pub elapsed: Duration,
    /// The exchange as it crossed the connection, when [`FetchOptions::record_wire`]
    /// asked for it.
    pub wire: Option<Wire>,
}

impl Fetched {
    /// The first value of a header (`name` in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// True for a status in 200–299.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    fn content_type(&self) -> String {
        self.header("content-type")
            .unwrap_or("")
            .to_ascii_lowercase()
    }
}

/// Why a URL gave no page.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Not an `http` or `https` URL.
    #[error("{0:?} is not an http(s) URL")]
    BadUrl(String),
    /// The request failed: a refused connection, a timeout, a TLS error, too many
    /// redirects, a body over the limit.
    #[error("{reason}")]
    Request {
        /// The URL asked for.
        url: String,
        /// Why it failed.
        reason: String,
    },
    /// The server answered with a status that is not success.
    #[error("HTTP {status}{}", if url == final_url { String::new() } else { format!(" from {final_url}") })]
    Status {
        /// The URL asked for.
        url: String,
        /// The URL that answered.
        final_url: String,
        /// The status.
        status: u16,
    },
    /// `Want::Flight`, and neither the server nor a static export's `.txt` gave one.
    #[error("no flight: {reason}")]
    NoFlight {
        /// The URL asked for.
        url: String,
        /// What came instead.
        reason: String,
    },
}

/// An HTTP client for pages; cheap to clone, and shared by threads.
#[derive(Clone)]
pub struct Fetcher {
    agent: ureq::Agent,
    options: FetchOptions,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("options", &self.options)
            .finish()
    }
}

/// True for text that is an http(s) URL (what the command line fetches instead of reading
/// a file).
pub fn is_url(text: &str) -> bool {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

impl Fetcher {
    /// A client with these options.
    pub fn new(options: FetchOptions) -> Fetcher {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .max_redirects(options.max_redirects)
            // With none to follow, a redirect is the answer (the crawler follows its own).
            .max_redirects_will_error(options.max_redirects > 0)
            .http_status_as_error(false)
            .user_agent(options.user_agent.as_str())
            .build();
        let agent = if options.record_wire {
            let connector = DefaultConnector::new().chain(wire::RecordingConnector);
            ureq::Agent::with_parts(config, connector, DefaultResolver::default())
        } else {
            ureq::Agent::new_with_config(config)
        };
        Fetcher { agent, options }
    }

    /// The options it was made with.
    pub fn options(&self) -> &FetchOptions {
        &self.options
    }

    /// One GET with these request headers, read whole, whatever its status.
    pub fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Fetched, FetchError> {
        if !is_url(url) {
            return Err(FetchError::BadUrl(url.to_string()));
        }
        if !self.options.record_wire {
            return self.get_once(url, headers);
        }
        let mut headers = headers.to_vec();
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("accept-encoding"))
        {
            headers.push(("accept-encoding", "gzip"));
        }
        let (fetched, wire) = wire::recording(|| self.get_once(url, &headers));
        fetched.map(|fetched| Fetched {
            wire: Some(wire),
            ..fetched
        })
    }

    fn get_once(&self, url: &str, headers: &[(&str, &str)]) -> Result<Fetched, FetchError> {
        let failed = |reason: String| FetchError::Request {
            url: url.to_string(),
            reason,
        };
        let started = Instant::now();
        let mut request = self.agent.get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut response = request.call().map_err(|e| failed(e.to_string()))?;
        let final_url = response.get_uri().to_string();
        let status = response.status().as_u16();
        let response_headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(self.options.max_body)
            .read_to_vec()
            .map_err(|e| failed(format!("reading the body: {e}")))?;
        Ok(Fetched {
            requested: url.to_string(),
            url: final_url,
            status,
            headers: response_headers,
            body,
            elapsed: started.elapsed(),
            wire: None,
        })
    }

    /// The page at `url`, as HTML or as flight; a status that is not success is an
    /// error (with the status).
    pub fn fetch(&self, url: &str, want: Want) -> Result<Fetched, FetchError> {
        let fetched = match want {
            Want::Html => self.get(url, &[("accept", "text/html,application/xhtml+xml")])?,
            Want::Flight => return self.flight(url),
        };
        success(fetched)
    }

    fn flight(&self, url: &str) -> Result<Fetched, FetchError> {
        success(flight_by(url, &[], &|url, headers| self.get(url, headers))?)
    }
}

/// One GET with request headers, as a caller makes it.
type Get<'a> = dyn Fn(&str, &[(&str, &str)]) -> Result<Fetched, FetchError> + 'a;

/// The flight of the page at `url`, with the requests made by `get` (the crawler's are
/// polite, and recorded): the URL with `RSC: 1` — following Next's redirect to the same
/// page with `?_rsc`, for a client that follows none itself — or, where the server
/// answers with HTML anyway (a static host), the static export's `.txt` file. Extra
/// request headers (`If-None-Match`) go with each request; a `304` is the answer. So is
/// a flight with any status (Next's own 404 or 500), and any other status but a 404,
/// for the caller to judge.
pub(crate) fn flight_by(
    url: &str,
    conditions: &[(&str, &str)],
    get: &Get<'_>,
) -> Result<Fetched, FetchError> {
    let mut headers = vec![("rsc", "1"), ("accept", "text/x-component")];
    headers.extend_from_slice(conditions);
    let mut fetched = get(url, &headers)?;
    if let Some(target) = rsc_redirect(url, &fetched) {
        fetched = get(&target, &headers)?;
    }
    let flight_type = fetched.content_type().starts_with("text/x-component");
    if fetched.status == 304 || flight_type {
        return Ok(fetched);
    }
    // A static host serves the HTML whatever the headers (or nothing, where it does not
    // map clean URLs to files): the export's flight is the route's `.txt` file beside it
    // (`/about` → `/about.txt`, `/` and `/about/` → `index.txt` inside).
    if !fetched.is_success() && fetched.status != 404 {
        return Ok(fetched);
    }
    let came = if fetched.is_success() {
        fetched.content_type()
    } else {
        format!("HTTP {}", fetched.status)
    };
    // Where the export keeps it depends on its trailingSlash setting, which the URL
    // asked for tells, or the one a redirect led to.
    let mut candidates: Vec<String> = Vec::new();
    for page in [url, fetched.url.as_str()] {
        if let Some(export) = export_flight_url(page)
            && !candidates.contains(&export)
        {
            candidates.push(export);
        }
    }
    let mut tried = Vec::new();
    for export in candidates {
        let text = get(&export, conditions)?;
        if text.status == 304
            || text.is_success() && crate::flight::split_rows(&text.body).is_flight(&text.body)
        {
            return Ok(text);
        }
        tried.push(if text.is_success() {
            format!("{export} is no flight")
        } else {
            format!("{export} is HTTP {}", text.status)
        });
    }
    Err(FetchError::NoFlight {
        url: url.to_string(),
        reason: format!(
            "the server answered {came} to RSC: 1, and {}",
            tried.join(", ")
        ),
    })
}

/// Next's answer to `RSC: 1` without `?_rsc`: a redirect to the same page with it.
fn rsc_redirect(url: &str, fetched: &Fetched) -> Option<String> {
    if !(300..400).contains(&fetched.status) {
        return None;
    }
    let page = url::Url::parse(url).ok()?;
    let target = page.join(fetched.header("location")?).ok()?;
    let same_page = target.origin() == page.origin() && target.path() == page.path();
    (same_page && target.query_pairs().any(|(key, _)| key == "_rsc")).then(|| target.into())
}

fn success(fetched: Fetched) -> Result<Fetched, FetchError> {
    if fetched.is_success() {
        Ok(fetched)
    } else {
        Err(FetchError::Status {
            url: fetched.requested,
            final_url: fetched.url,
            status: fetched.status,
        })
    }
}

/// Where a static export keeps the flight of the page at `url`.
fn export_flight_url(url: &str) -> Option<String> {
    let mut parsed = url::Url::parse(url).ok()?;
    let path = parsed.path().to_string();
    let file = if path.ends_with('/') {
        format!("{path}index.txt")
    } else if let Some(stem) = path.strip_suffix(".html") {
        format!("{stem}.txt")
    } else {
        format!("{path}.txt")
    };
    parsed.set_path(&file);
    parsed.set_query(None);
    parsed.set_fragment(None);
    Some(parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exports_flight_is_the_txt_beside_the_page() {
        let cases = [
            ("https://a.example/", "https://a.example/index.txt"),
            ("https://a.example/about", "https://a.example/about.txt"),
            (
                "https://a.example/about/",
                "https://a.example/about/index.txt",
            ),
            (
                "https://a.example/about.html?x=1#y",
                "https://a.example/about.txt",
            ),
        ];
        for (page, flight) in cases {
            assert_eq!(export_flight_url(page).as_deref(), Some(flight), "{page}");
        }
    }

    #[test]
    fn only_http_urls_are_urls() {
        assert!(is_url("https://a.example/x"));
        assert!(is_url("HTTP://a.example"));
        assert!(!is_url("ftp://a.example"));
        assert!(!is_url("out/index.html"));
        assert!(!is_url("http:"));
        assert!(!is_url("ü"));
    }
}
