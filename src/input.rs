//! What the bytes are: a flight stream, or an HTML page carrying one — decided from
//! structure (where the first markup is, which scripts the page has), not from a substring
//! anywhere in the bytes, so a flight whose text row quotes `self.__next_f.push` stays a
//! flight.

use crate::error::Error;
use crate::next::{HtmlPage, PageFlight, read_page};

/// What the bytes are.
#[derive(Debug)]
pub enum Source {
    /// The bytes are a flight stream themselves.
    Flight,
    /// An App Router page: the flight its `self.__next_f` scripts carry, and the rest of
    /// what the page holds.
    Page(PageFlight, HtmlPage),
    /// A pages-router page: its `__NEXT_DATA__` (in `page.next_data`), no flight.
    PagesRouter(HtmlPage),
}

/// True when the bytes start (after white space or a byte-order mark) with markup.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// Decides what the bytes are. An HTML page that is neither an App Router page with flight
/// data nor a pages-router page is an error that says which.
pub fn detect(bytes: &[u8]) -> Result<Source, Error> {
    if !looks_like_html(bytes) {
        return Ok(Source::Flight);
    }
    let mut page = read_page(bytes);
    match page.flight.take() {
        Some(flight) if flight.bytes.is_empty() => Err(Error::NotFlight(
            "the page's self.__next_f scripts carry no data".into(),
        )),
        Some(flight) => Ok(Source::Page(flight, page)),
        None if page.next_data.is_some() => Ok(Source::PagesRouter(page)),
        None => Err(Error::NotNextPage),
    }
}

/// The largest input read (`/dev/zero` behind a name, a runaway file): a bigger one fails
/// with "too large", and an archive run goes on. `NEXT_RSC_MAX_INPUT_BYTES` changes it.
pub fn max_input_bytes() -> u64 {
    std::env::var("NEXT_RSC_MAX_INPUT_BYTES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(4 << 30)
}

/// Reads a regular file whole, within [`max_input_bytes`]: a file known to be larger is
/// refused before a byte is read, a size the memory cannot hold is an error rather than
/// an abort, and a file that grows while it is read stops at the limit. Read, not
/// mapped: a file that shrinks meanwhile ends the read early instead of crashing (the
/// command line maps large single inputs, and guards against that itself).
pub fn read_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, Read};
    let limit = max_input_bytes();
    let file = std::fs::File::open(path)?;
    let size = checked_size(&file)?;
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(size as usize + 1).map_err(|_| {
        Error::other(format!(
            "too large: {size} bytes, more than the memory available can hold"
        ))
    })?;
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(Error::other(format!(
            "too large: more than {limit} bytes (NEXT_RSC_MAX_INPUT_BYTES sets the limit)"
        )));
    }
    Ok(bytes)
}

/// The size of an open input file, when it is a regular file within
/// [`max_input_bytes`]; what a reader checks before it reads or maps a byte.
pub fn checked_size(file: &std::fs::File) -> std::io::Result<u64> {
    use std::io::Error;
    let limit = max_input_bytes();
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(Error::other(
            "not a regular file (a folder, a pipe or a device): not read",
        ));
    }
    if meta.len() > limit {
        return Err(Error::other(format!(
            "too large: {} bytes, more than {limit} (NEXT_RSC_MAX_INPUT_BYTES sets the limit)",
            meta.len()
        )));
    }
    Ok(meta.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_flight_quoting_the_page_script_stays_flight() {
        let flight = b"0:\"$9\"\n9:T2c,<script>self.__next_f.push([1,\"x\"])</script>";
        assert!(matches!(detect(flight), Ok(Source::Flight)));
    }

    #[test]
    fn pages_are_told_apart() {
        assert!(matches!(
            detect(b"<html><p>hi</p></html>"),
            Err(Error::NotNextPage)
        ));
        let pages =
            br#"<html><script id="__NEXT_DATA__" type="application/json">{}</script></html>"#;
        assert!(matches!(detect(pages), Ok(Source::PagesRouter(_))));
        let app = br#"<script>(self.__next_f=self.__next_f||[]).push([0])</script><script>self.__next_f.push([1,"0:1\n"])</script>"#;
        assert!(matches!(detect(app), Ok(Source::Page(p, _)) if p.bytes == b"0:1\n"));
    }
}
