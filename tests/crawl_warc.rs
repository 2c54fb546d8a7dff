//! `next-rsc crawl --warc`: the WARC holds each exchange with the bytes as they crossed
//! the connection (a keep-alive server's chunked, gzip-compressed answers byte for byte,
//! and the requests as the server read them), `next-rsc archive` reads it back to the same
//! pages, and `--resume` drops a record cut by a crash and adds no response twice.
//! Nothing here reaches beyond 127.0.0.1.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use common::http::{index, next_rsc, temp_dir, warc_records};

/// What the server wrote and read, per path: (request bytes, response bytes), in order.
type Exchanges = Arc<Mutex<HashMap<String, Vec<(Vec<u8>, Vec<u8>)>>>>;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(common::fixtures().join("nextjs/v16").join(name)).unwrap()
}

/// Pages as `next start` sends them: gzip, chunked, on connections kept alive.
fn site() -> (String, Exchanges) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let exchanges: Exchanges = Arc::default();
    let (log, served_base) = (Arc::clone(&exchanges), base.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (log, base) = (Arc::clone(&log), served_base.clone());
            std::thread::spawn(move || serve(stream, &log, &base));
        }
    });
    (base, exchanges)
}

fn serve(stream: TcpStream, log: &Exchanges, base: &str) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    // One connection, many exchanges: the recorder must tell them apart.
    loop {
        let mut request = Vec::new();
        loop {
            let mut line = Vec::new();
            if reader.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
                return;
            }
            request.extend_from_slice(&line);
            if line == b"\r\n" {
                break;
            }
        }
        let target = String::from_utf8_lossy(&request)
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string();
        let (status, kind, body) = match target.as_str() {
            "/robots.txt" => (
                "200 OK",
                "text/plain",
                format!("User-agent: *\nDisallow: /guestbook\nSitemap: {base}/sitemap.xml\n")
                    .into_bytes(),
            ),
            "/sitemap.xml" => (
                "200 OK",
                "application/xml",
                format!("<urlset><url><loc>{base}/only-in-sitemap</loc></url></urlset>")
                    .into_bytes(),
            ),
            "/" => ("200 OK", "text/html; charset=utf-8", fixture("home.html")),
            "/about" => ("200 OK", "text/html; charset=utf-8", fixture("about.html")),
            "/posts/hello" | "/only-in-sitemap" => (
                "200 OK",
                "text/html; charset=utf-8",
                fixture("post-hello.html"),
            ),
            _ => (
                "404 Not Found",
                "text/html; charset=utf-8",
                fixture("not-found.html"),
            ),
        };
        let mut gz = Vec::new();
        {
            let mut encoder = libflate::gzip::Encoder::new(&mut gz).unwrap();
            encoder.write_all(&body).unwrap();
            encoder.finish().into_result().unwrap();
        }
        let mut response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nVary: rsc, Accept-Encoding\r\n\r\n"
        )
        .into_bytes();
        // Odd chunk sizes, as a streaming server's writes come.
        for chunk in gz.chunks(997) {
            response.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            response.extend_from_slice(chunk);
            response.extend_from_slice(b"\r\n");
        }
        response.extend_from_slice(b"0\r\n\r\n");
        if writer.write_all(&response).is_err() {
            return;
        }
        log.lock()
            .unwrap()
            .entry(target)
            .or_default()
            .push((request, response));
    }
}

#[test]
fn the_warc_holds_the_bytes_as_sent() {
    let (base, exchanges) = site();
    let out = temp_dir("warc-bytes");
    let warc = out.with_extension("warc");
    let _ = std::fs::remove_file(&warc);
    let run = next_rsc(&[
        "crawl",
        &format!("{base}/"),
        "-o",
        out.to_str().unwrap(),
        "--warc",
        warc.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    // The app links a post it does not have: a 404, exit status 1.
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    let records = warc_records(&warc);
    assert_eq!(records[0].0, "warcinfo");
    let exchanges = exchanges.lock().unwrap();
    let mut responses = 0;
    for (path, sent) in exchanges.iter() {
        assert_eq!(sent.len(), 1, "{path} asked once");
        let (request, response) = &sent[0];
        let url = format!("{base}{path}");
        let of = |kind: &str| {
            records
                .iter()
                .filter(|(k, u, _)| k == kind && *u == url)
                .map(|(_, _, block)| block)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            of("response"),
            vec![response],
            "{path}: the response as sent"
        );
        assert_eq!(of("request"), vec![request], "{path}: the request as read");
        responses += 1;
    }
    assert!(responses >= 6, "{responses}");
    // Every record is a request or a response of an exchange the server had.
    assert_eq!(records.len(), 1 + 2 * responses);

    // The WARC reads back to the pages the crawl archived, with the same titles.
    let again = temp_dir("warc-read");
    let read = next_rsc(&[
        "archive",
        warc.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
    ]);
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let crawled: HashMap<String, String> = index(&out)
        .iter()
        .filter(|r| r["ok"] == true)
        .map(|r| {
            (
                r["url"].as_str().unwrap().to_string(),
                r["title"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let archived: HashMap<String, String> = index(&again)
        .iter()
        .filter(|r| r["ok"] == true && r["title"].is_string())
        .filter_map(|r| {
            let url = r["source"].as_str()?.split_once('#')?.1.to_string();
            crawled
                .contains_key(&url)
                .then(|| (url, r["title"].as_str().unwrap().to_string()))
        })
        .collect();
    assert_eq!(archived, crawled);
    assert!(crawled.len() >= 4, "{crawled:?}");

    // A WARC is not overwritten.
    let over = next_rsc(&[
        "crawl",
        &format!("{base}/"),
        "-o",
        temp_dir("warc-over").to_str().unwrap(),
        "--warc",
        warc.to_str().unwrap(),
    ]);
    assert_eq!(over.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&over.stderr).contains("--resume adds to it"),
        "{}",
        String::from_utf8_lossy(&over.stderr)
    );
    for folder in [&out, &again] {
        std::fs::remove_dir_all(folder).unwrap();
    }
    std::fs::remove_file(&warc).unwrap();
}

#[test]
fn resume_drops_a_cut_record_and_adds_no_response_twice() {
    let (base, _) = site();
    let out = temp_dir("warc-resume");
    let warc = out.with_extension("warc.gz");
    let _ = std::fs::remove_file(&warc);
    let crawl = |extra: &[&str]| {
        let mut args = vec![
            "crawl",
            &base,
            "-o",
            out.to_str().unwrap(),
            "--warc",
            warc.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        next_rsc(&args)
    };
    let first = crawl(&["--max-pages", "2"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    // A crash in the middle of writing the last record.
    let length = std::fs::metadata(&warc).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(&warc).unwrap();
    file.set_len(length - 25).unwrap();
    drop(file);
    let second = crawl(&["--resume"]);
    assert_eq!(
        second.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let records = warc_records(&warc);
    // Each page archived has one response (a failure asked again may have two).
    for record in index(&out).iter().filter(|r| r["ok"] == true) {
        let url = record["url"].as_str().unwrap();
        let responses = records
            .iter()
            .filter(|(kind, uri, _)| kind == "response" && uri == url)
            .count();
        assert_eq!(responses, 1, "{url}");
    }
    // Both runs began with a warcinfo record.
    assert_eq!(
        records
            .iter()
            .filter(|(kind, _, _)| kind == "warcinfo")
            .count(),
        2
    );

    // A WARC damaged before its end (a record that claims more bytes than it has, in the
    // middle) is no crash's cut: refused, and left whole.
    let plain = out.with_extension("damaged.warc");
    let _ = std::fs::remove_file(&plain);
    let made = next_rsc(&[
        "crawl",
        &base,
        "-o",
        temp_dir("warc-damaged").to_str().unwrap(),
        "--warc",
        plain.to_str().unwrap(),
        "--max-pages",
        "2",
    ]);
    assert!(made.status.success());
    let text = std::fs::read(&plain).unwrap();
    let at = common::http::find(&text, b"WARC-Type: response").unwrap();
    let length_at = at + common::http::find(&text[at..], b"Content-Length: ").unwrap() + 16;
    let mut damaged = text[..length_at].to_vec();
    damaged.extend_from_slice(b"9");
    damaged.extend_from_slice(&text[length_at..]);
    std::fs::write(&plain, &damaged).unwrap();
    let refused = next_rsc(&[
        "crawl",
        &base,
        "-o",
        out.to_str().unwrap(),
        "--warc",
        plain.to_str().unwrap(),
        "--resume",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("damaged before its end"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert_eq!(std::fs::read(&plain).unwrap(), damaged);
    std::fs::remove_file(&plain).unwrap();

    // What is no WARC is not added to, nor cut.
    let notes = out.with_extension("txt");
    std::fs::write(&notes, "my notes, not a WARC\n").unwrap();
    let refused = next_rsc(&[
        "crawl",
        &base,
        "-o",
        out.to_str().unwrap(),
        "--warc",
        notes.to_str().unwrap(),
        "--resume",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("not a WARC file"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "my notes, not a WARC\n"
    );
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::remove_file(&warc).unwrap();
    std::fs::remove_file(&notes).unwrap();
}
