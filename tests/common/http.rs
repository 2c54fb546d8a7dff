//! The parts of a loopback HTTP server and of the command line that the tests which fetch
//! share: one request read, one response written, the binary run, an archive's index read.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// One request as a test server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request target (`/path?query`).
    pub target: String,
    /// The header lines, as sent.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first value of a header, its name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a request's line and headers (`None` when the client sent nothing).
pub fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return None;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.trim_end().split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    Some(Request { target, headers })
}

/// Writes a whole response and closes the exchange (`Connection: close`).
pub fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// Runs the `next-rsc` binary.
pub fn next_rsc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_next-rsc"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs `next-rsc crawl START -o OUT` with more arguments.
pub fn crawl(start: &str, out: &Path, more: &[&str]) -> Output {
    let mut args = vec!["crawl", start, "-o", out.to_str().unwrap()];
    args.extend_from_slice(more);
    next_rsc(&args)
}

/// The response blocks a WARC's records hold for `url`.
pub fn responses<'a>(records: &'a [(String, String, Vec<u8>)], url: &str) -> Vec<&'a Vec<u8>> {
    records
        .iter()
        .filter(|(kind, uri, _)| kind == "response" && uri == url)
        .map(|(_, _, block)| block)
        .collect()
}

/// A fresh folder under the system's temporary one (not created: `crawl` makes it).
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("next-rsc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The records of an archive's `index.jsonl`.
pub fn index(out: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(out.join("index.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// (WARC-Type, WARC-Target-URI, block) of every record.
pub fn warc_records(path: &Path) -> Vec<(String, String, Vec<u8>)> {
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        libflate::gzip::MultiDecoder::new(file)
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
    } else {
        BufReader::new(file).read_to_end(&mut bytes).unwrap();
    }
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let end = at + find(&bytes[at..], b"\r\n\r\n").expect("a whole header") + 4;
        let head = String::from_utf8_lossy(&bytes[at..end]).into_owned();
        assert!(head.starts_with("WARC/1.1\r\n"), "{head}");
        let field = |name: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .unwrap_or_default()
                .to_string()
        };
        let length: usize = field("Content-Length").parse().unwrap();
        let block = bytes[end..end + length].to_vec();
        assert_eq!(&bytes[end + length..end + length + 4], b"\r\n\r\n");
        out.push((field("WARC-Type"), field("WARC-Target-URI"), block));
        at = end + length + 4;
    }
    out
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
