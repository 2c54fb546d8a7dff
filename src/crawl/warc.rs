//! The crawl as a web archive: a WARC 1.1 file of request and response records holding
//! the bytes as they crossed the connection (chunked framing and gzip intact, so the
//! headers match them), readable by standard tools (warcio, pywb, `next-rsc archive`).
//! A name ending in `.gz` gets one gzip member per record, as `.warc.gz` files have.
//!
//! Each exchange is written whole (its request and response records in one write) and
//! flushed, so a crash leaves at most one cut record at the end; [`WarcWriter::append`]
//! drops it and carries on, and [`WarcWriter::holds`] tells what the file has already.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use crate::fetch::Wire;

/// A WARC file being written by the crawl's threads.
#[derive(Debug)]
pub struct WarcWriter {
    path: PathBuf,
    gz: bool,
    warcinfo_id: String,
    /// The URLs the file held a page of (a response below 400) when it was opened.
    held: HashSet<String>,
    /// The file, locked while open: another run adding to it would interleave records.
    file: Mutex<File>,
}

/// The most a WARC record header may take when a file is read back.
const MAX_HEADER: u64 = 1 << 20;

impl WarcWriter {
    /// Creates `path` (it must not exist: a crawl does not overwrite an archive) and
    /// writes its `warcinfo` record.
    pub fn create(path: &Path) -> io::Result<WarcWriter> {
        let file = OpenOptions::new().write(true).create_new(true).open(path)?;
        lock(&file)?;
        WarcWriter::start(path, file, HashSet::new())
    }

    /// Opens `path` to add to it, creating it when missing. A record cut at the end of
    /// the file (a crash while writing it) is dropped; a file that is not a WARC, or
    /// damaged before its end, is an error and left as it is.
    pub fn append(path: &Path) -> io::Result<WarcWriter> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        lock(&file)?;
        let gz = is_gz(path);
        let (whole, held) = scan(&mut file, gz)?;
        file.set_len(whole)?;
        file.seek(io::SeekFrom::Start(whole))?;
        WarcWriter::start(path, file, held)
    }

    fn start(path: &Path, file: File, held: HashSet<String>) -> io::Result<WarcWriter> {
        let writer = WarcWriter {
            path: path.to_path_buf(),
            gz: is_gz(path),
            warcinfo_id: record_id(),
            held,
            file: Mutex::new(file),
        };
        writer.write_warcinfo()?;
        Ok(writer)
    }

    /// The file written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when the file held a page for `url` (a response below 400) when it was
    /// opened: a resumed crawl that fetches it again (its index cut short by a crash)
    /// need not capture it twice. What failed before is captured again.
    pub fn holds(&self, url: &str) -> bool {
        self.held.contains(url)
    }

    fn write_warcinfo(&self) -> io::Result<()> {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let body = format!(
            "software: next-rsc/{}\r\nformat: WARC File Format 1.1\r\nconformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n",
            env!("CARGO_PKG_VERSION")
        );
        let record = record(
            &[
                ("WARC-Type", "warcinfo"),
                ("WARC-Record-ID", &self.warcinfo_id),
                ("WARC-Date", &warc_date(SystemTime::now())),
                ("WARC-Filename", &name),
                ("Content-Type", "application/warc-fields"),
            ],
            body.as_bytes(),
            None,
        );
        let bytes = self.framed(&[record])?;
        write_flushed(&mut *self.lock()?, &bytes)
    }

    /// Writes the exchange that fetched `url` at `at`: its response record and its
    /// request record, in one write. Nothing is written for bytes that are no HTTP
    /// response; returns whether records were written.
    pub fn write(&self, url: &str, at: SystemTime, wire: &Wire) -> io::Result<bool> {
        let response = final_response(&wire.response);
        if !response.starts_with(b"HTTP/") {
            return Ok(false);
        }
        let date = warc_date(at);
        let response_id = record_id();
        // The payload as warcio and wpull digest it: the bytes after the headers, as sent.
        let payload = match memchr::memmem::find(response, b"\r\n\r\n") {
            Some(end) => &response[end + 4..],
            None => &[][..],
        };
        let response = record(
            &[
                ("WARC-Type", "response"),
                ("WARC-Record-ID", &response_id),
                ("WARC-Date", &date),
                ("WARC-Target-URI", url),
                ("WARC-Warcinfo-ID", &self.warcinfo_id),
                ("Content-Type", "application/http;msgtype=response"),
            ],
            response,
            Some(payload),
        );
        let request = record(
            &[
                ("WARC-Type", "request"),
                ("WARC-Record-ID", &record_id()),
                ("WARC-Date", &date),
                ("WARC-Target-URI", url),
                ("WARC-Concurrent-To", &response_id),
                ("WARC-Warcinfo-ID", &self.warcinfo_id),
                ("Content-Type", "application/http;msgtype=request"),
            ],
            &wire.request,
            None,
        );
        // Digests and compression are done before the file is taken: threads wait only
        // for the write.
        let bytes = self.framed(&[response, request])?;
        write_flushed(&mut *self.lock()?, &bytes)?;
        Ok(true)
    }

    /// Makes what was written durable.
    pub fn finish(&self) -> io::Result<()> {
        self.lock()?.sync_all()
    }

    fn lock(&self) -> io::Result<std::sync::MutexGuard<'_, File>> {
        self.file
            .lock()
            .map_err(|_| io::Error::other("a thread writing the WARC file panicked"))
    }

    /// The records as they go into the file: each a gzip member of its own in a `.gz`.
    fn framed(&self, records: &[Vec<u8>]) -> io::Result<Vec<u8>> {
        if !self.gz {
            return Ok(records.concat());
        }
        let mut out = Vec::new();
        for record in records {
            let mut encoder =
                flate2::write::GzEncoder::new(&mut out, flate2::Compression::default());
            encoder.write_all(record)?;
            encoder.finish()?;
        }
        Ok(out)
    }
}

/// Takes the file for this process: a second crawl writing into it would interleave
/// records, and cut what the first is writing.
fn lock(file: &File) -> io::Result<()> {
    file.try_lock().map_err(|e| match e {
        std::fs::TryLockError::WouldBlock => io::Error::new(
            io::ErrorKind::ResourceBusy,
            "another next-rsc crawl is writing this WARC file",
        ),
        std::fs::TryLockError::Error(e) => e,
    })
}

/// The final response of what was read: an interim `1xx` answer (`103 Early Hints`)
/// before it is no capture of the page.
fn final_response(mut read: &[u8]) -> &[u8] {
    while read.starts_with(b"HTTP/1.1 1") || read.starts_with(b"HTTP/1.0 1") {
        match memchr::memmem::find(read, b"\r\n\r\n") {
            Some(end) => read = &read[end + 4..],
            None => break,
        }
    }
    read
}

fn is_gz(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

fn write_flushed(file: &mut File, bytes: &[u8]) -> io::Result<()> {
    file.write_all(bytes)?;
    file.flush()
}

/// One record: the WARC header (with `Content-Length` and SHA-1 digests added), the
/// block, and the two line ends that close it.
fn record(fields: &[(&str, &str)], block: &[u8], payload: Option<&[u8]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(block.len() + 512);
    out.extend_from_slice(b"WARC/1.1\r\n");
    for (name, value) in fields {
        // Values come from URLs and our own text; a line end in one would forge a field.
        let value: String = value.chars().filter(|c| !c.is_control()).collect();
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("WARC-Block-Digest: sha1:{}\r\n", sha1_base32(block)).as_bytes());
    if let Some(payload) = payload {
        out.extend_from_slice(
            format!("WARC-Payload-Digest: sha1:{}\r\n", sha1_base32(payload)).as_bytes(),
        );
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn sha1_base32(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes);
    base32(digest.as_ref())
}

/// RFC 4648 base32, as WARC digests are written.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut group = [0u8; 5];
        group[..chunk.len()].copy_from_slice(chunk);
        let bits = group.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(ALPHABET[(bits >> (35 - 5 * i) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `<urn:uuid:…>`: a random (version 4) UUID.
fn record_id() -> String {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 16];
    if ring::rand::SystemRandom::new().fill(&mut b).is_err() {
        // No system randomness: the time and a count still make ids unique in a file.
        static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        b[..8].copy_from_slice(&nanos.to_be_bytes());
        let count = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        b[8..].copy_from_slice(&count.to_be_bytes());
    }
    b[6] = b[6] & 0x0f | 0x40;
    b[8] = b[8] & 0x3f | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn warc_date(at: SystemTime) -> String {
    super::rfc3339(at)
}

/// Reads a WARC file from its start: the length of its whole records, and the URLs of
/// the pages it holds (responses below 400). A file that ends inside its last record
/// (a crash while writing it) ends before that record; one that is no WARC, or is
/// damaged anywhere but at its very end, is an error.
fn scan(file: &mut File, gz: bool) -> io::Result<(u64, HashSet<String>)> {
    let length = file.metadata()?.len();
    file.seek(io::SeekFrom::Start(0))?;
    let mut input = Counted {
        inner: BufReader::with_capacity(1 << 16, &mut *file),
        consumed: 0,
    };
    let mut held = HashSet::new();
    let mut whole = 0u64;
    while whole < length {
        // A member's pages count once the whole member has read back.
        let mut found = HashSet::new();
        let read = if gz {
            let mut member = BufReader::new(flate2::bufread::GzDecoder::new(&mut input));
            read_records(&mut member, &mut found)
        } else {
            read_record(&mut input, &mut found).map(|_| ())
        };
        match read {
            Ok(()) => {
                whole = input.consumed;
                held.extend(found);
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                // A cut only if nothing follows: no more bytes, no record starting later.
                let at_end = input
                    .fill_buf()
                    .map(|rest| rest.is_empty())
                    .unwrap_or(false);
                drop(input);
                if !at_end || !tail_is_one_record(file, whole, gz)? {
                    return Err(not_warc(whole, e));
                }
                break;
            }
            Err(e) => return Err(not_warc(whole, e)),
        }
    }
    Ok((whole, held))
}

/// True when the bytes from `from` on are the start of one record at most: a WARC record
/// (or a gzip member) that starts there, and no other starting after it.
fn tail_is_one_record(file: &mut File, from: u64, gz: bool) -> io::Result<bool> {
    file.seek(io::SeekFrom::Start(from))?;
    let mut tail = BufReader::with_capacity(1 << 16, &mut *file);
    let magic: &[u8] = if gz { &[0x1f, 0x8b, 0x08] } else { b"WARC/1." };
    // The bytes read so far that may still hold the start of a match.
    let mut window: Vec<u8> = Vec::new();
    let mut first = true;
    loop {
        let chunk = tail.fill_buf()?;
        if chunk.is_empty() {
            return Ok(!first || window.is_empty() || magic.starts_with(&window));
        }
        window.extend_from_slice(chunk);
        let n = chunk.len();
        tail.consume(n);
        if first {
            if window.len() < magic.len() {
                continue;
            }
            if !window.starts_with(magic) {
                return Ok(false);
            }
            // The record's own start is not another record.
            window.drain(..1);
            first = false;
        }
        if memchr::memmem::find(&window, magic).is_some() {
            return Ok(false);
        }
        // Keep the last bytes, where a start may be split across two reads.
        let keep = window.len().saturating_sub(magic.len() - 1);
        window.drain(..keep);
    }
}

fn not_warc(offset: u64, error: io::Error) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "not a WARC file this crawl can add to, or damaged before its end (at byte \
             {offset}: {error}); it is left as it is"
        ),
    )
}

/// Every record of one gzip member (ours hold one each; other writers' may hold more,
/// or none).
fn read_records(member: &mut impl BufRead, held: &mut HashSet<String>) -> io::Result<()> {
    while read_record(member, held)? {}
    Ok(())
}

/// One record; Ok(false) at the end of the input.
fn read_record(input: &mut impl BufRead, held: &mut HashSet<String>) -> io::Result<bool> {
    let cut = || {
        io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the file ends inside a record",
        )
    };
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
    let mut header = Vec::new();
    let mut line = Vec::new();
    let (mut length, mut kind, mut uri) = (None, String::new(), String::new());
    loop {
        line.clear();
        let n = input
            .by_ref()
            .take(MAX_HEADER)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return if header.is_empty() {
                Ok(false)
            } else {
                Err(cut())
            };
        }
        if !line.ends_with(b"\n") {
            return Err(if (n as u64) < MAX_HEADER {
                cut()
            } else {
                bad("a header line over 1 MiB")
            });
        }
        if header.is_empty() && !line.starts_with(b"WARC/") {
            return Err(bad("a record that does not start with WARC/"));
        }
        header.extend_from_slice(&line);
        if header.len() as u64 > MAX_HEADER {
            return Err(bad("a record header over 1 MiB"));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end();
        if text.is_empty() {
            break;
        }
        if let Some((name, value)) = text.split_once(':') {
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => {
                    length = Some(
                        value
                            .parse::<u64>()
                            .map_err(|_| bad("a bad Content-Length"))?,
                    )
                }
                "warc-type" => kind = value.to_string(),
                "warc-target-uri" => uri = value.to_string(),
                _ => {}
            }
        }
    }
    let length = length.ok_or_else(|| bad("a record without Content-Length"))?;
    // The status line of a response, to tell a page from a failure.
    let mut status_line = Vec::new();
    input
        .by_ref()
        .take(length.min(32))
        .read_to_end(&mut status_line)?;
    let rest = length - status_line.len() as u64;
    let skipped = io::copy(&mut input.by_ref().take(rest), &mut io::sink())?;
    if (status_line.len() as u64) < length.min(32) || skipped < rest {
        return Err(cut());
    }
    let mut end = [0u8; 4];
    input.read_exact(&mut end)?;
    if &end != b"\r\n\r\n" {
        return Err(bad("a record not closed by two line ends"));
    }
    let status = String::from_utf8_lossy(&status_line)
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok());
    if kind == "response" && !uri.is_empty() && status.is_some_and(|s| s < 400) {
        held.insert(uri);
    }
    Ok(true)
}

/// A reader that counts the bytes taken from it (where a gzip member ends).
struct Counted<R> {
    inner: R,
    consumed: u64,
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount);
        self.consumed += amount as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_as_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY======");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI======");
        // SHA-1 of nothing, as WARC writers write it.
        assert_eq!(sha1_base32(b""), "3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    }

    #[test]
    fn record_ids_are_version_4_uuids() {
        let id = record_id();
        assert_eq!(id.len(), "<urn:uuid:>".len() + 36, "{id}");
        assert_eq!(&id[10 + 14..10 + 15], "4", "{id}");
        assert_ne!(id, record_id());
    }
}
