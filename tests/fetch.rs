//! URLs as inputs: the command line fetches pages from a small HTTP server on the loopback
//! address that answers as `next start` does (gzip, `RSC: 1` redirected to `?_rsc`,
//! `text/x-component`) and as a static host does (HTML whatever the headers, the export's
//! `.txt` files beside). Nothing here reaches beyond 127.0.0.1.

mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::process::Output;
use std::sync::{Arc, Mutex};

use common::fixtures;
use common::http::{Request as Seen, next_rsc, read_request, respond};

fn fixture(name: &str) -> std::path::PathBuf {
    fixtures().join(name)
}

struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = libflate::gzip::Encoder::new(Vec::new()).unwrap();
    encoder.write_all(bytes).unwrap();
    encoder.finish().into_result().unwrap()
}

fn serve(mut stream: TcpStream, seen: &Mutex<Vec<Seen>>) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let target = request.target.clone();
    seen.lock().unwrap().push(request.clone());
    let rsc = request.header("rsc") == Some("1");
    let v16 = |name: &str| std::fs::read(fixture("nextjs/v16").join(name)).unwrap();
    match (target.as_str(), rsc) {
        // `next start`: the HTML gzipped; RSC: 1 without `_rsc` is redirected to it.
        ("/posts/hello", false) => respond(
            &mut stream,
            "200 OK",
            &[
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Encoding", "gzip"),
            ],
            &gzip(&v16("post-hello.html")),
        ),
        ("/about", true) => respond(
            &mut stream,
            "307 Temporary Redirect",
            &[("Location", "/about?_rsc=1x2y3")],
            b"",
        ),
        ("/about?_rsc=1x2y3", true) => respond(
            &mut stream,
            "200 OK",
            &[
                ("Content-Type", "text/x-component"),
                ("Content-Encoding", "gzip"),
                ("Vary", "rsc, next-router-state-tree"),
            ],
            &gzip(&v16("about.rsc")),
        ),
        ("/about", false) => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "text/html")],
            &v16("about.html"),
        ),
        // A static host: the same HTML whatever the headers, the flight in `.txt` files.
        ("/static/about", _) => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "text/html")],
            &v16("about.html"),
        ),
        ("/static/about.txt", _) => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "text/plain")],
            &v16("export/about.txt"),
        ),
        ("/moved", _) => respond(
            &mut stream,
            "308 Permanent Redirect",
            &[("Location", "/posts/hello")],
            b"",
        ),
        ("/slow", _) => {
            std::thread::sleep(std::time::Duration::from_secs(4));
            respond(
                &mut stream,
                "200 OK",
                &[("Content-Type", "text/html")],
                &v16("about.html"),
            );
        }
        ("/plain", _) => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "text/html")],
            b"<html><body>hello</body></html>",
        ),
        _ => respond(
            &mut stream,
            "404 Not Found",
            &[("Content-Type", "text/html")],
            b"<html><body>not here</body></html>",
        ),
    }
}

fn server() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = Arc::clone(&log);
            std::thread::spawn(move || serve(stream, &log));
        }
    });
    Server { base, seen }
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn a_url_reads_as_its_file_does_with_that_url() {
    let server = server();
    let url = format!("{}/posts/hello", server.base);
    let fetched = json(&next_rsc(&["extract", "--compact", &url]));
    let file = fixture("nextjs/v16/post-hello.html");
    let read = json(&next_rsc(&[
        "extract",
        "--compact",
        "--url",
        &url,
        file.to_str().unwrap(),
    ]));
    assert_eq!(fetched, read);
    assert_eq!(fetched["article"]["title"], "Hello, World");
    // Links resolve against the page's URL.
    let links = fetched["navigation"][0]["links"].as_array().unwrap();
    assert!(
        links
            .iter()
            .all(|l| l["url"].as_str().unwrap().starts_with(&server.base))
    );
    // It said who it is, asked for HTML, and took gzip.
    let seen = server.seen.lock().unwrap().clone();
    let agent = seen[0].header("user-agent").unwrap();
    assert!(
        agent.starts_with(&format!("next-rsc/{}", env!("CARGO_PKG_VERSION"))),
        "{agent}"
    );
    assert!(
        seen[0]
            .header("accept-encoding")
            .is_some_and(|e| e.contains("gzip"))
    );
    assert!(seen[0].header("rsc").is_none());
    // Every command takes URLs.
    let markdown = next_rsc(&["markdown", &url]);
    assert!(String::from_utf8_lossy(&markdown.stdout).contains("Hello, World"));
    let html = next_rsc(&["html", "--safe", &url]);
    assert!(html.status.success() && !String::from_utf8_lossy(&html.stdout).contains("<script"));
    let tree = next_rsc(&["tree", "--canonical", &url]);
    let from_file = next_rsc(&["tree", "--canonical", file.to_str().unwrap()]);
    assert_eq!(tree.stdout, from_file.stdout);
}

#[test]
fn flight_follows_the_rsc_redirect_as_a_next_server_answers() {
    let server = server();
    let url = format!("{}/about", server.base);
    let fetched = json(&next_rsc(&["extract", "--flight", "--compact", &url]));
    let file = fixture("nextjs/v16/about.rsc");
    let read = json(&next_rsc(&[
        "extract",
        "--compact",
        "--url",
        &url,
        file.to_str().unwrap(),
    ]));
    assert_eq!(fetched, read);
    let seen = server.seen.lock().unwrap().clone();
    let targets: Vec<&str> = seen.iter().map(|s| s.target.as_str()).collect();
    assert_eq!(targets, ["/about", "/about?_rsc=1x2y3"]);
    assert!(seen.iter().all(|s| s.header("rsc") == Some("1")));
    // The rows of the flight, straight from the server.
    let rows = next_rsc(&["rows", "--flight", &url]);
    assert!(rows.status.success());
    assert_eq!(
        rows.stdout,
        next_rsc(&["rows", file.to_str().unwrap()]).stdout
    );
}

#[test]
fn flight_from_a_static_host_is_the_exports_txt() {
    let server = server();
    let url = format!("{}/static/about", server.base);
    let fetched = json(&next_rsc(&["extract", "--flight", "--compact", &url]));
    assert_eq!(fetched["next"]["route"], "/about");
    assert_eq!(fetched["next"]["payload"], "document");
    let targets: Vec<String> = server
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.target.clone())
        .collect();
    assert_eq!(targets, ["/static/about", "/static/about.txt"]);
}

#[test]
fn what_gives_no_page_is_an_error_that_says_why() {
    let server = server();
    let cases = [
        (
            format!("{}/missing", server.base),
            vec![],
            "cannot fetch it: HTTP 404",
        ),
        (
            format!("{}/missing", server.base),
            vec!["--flight"],
            "/missing.txt is HTTP 404",
        ),
        (
            format!("{}/plain", server.base),
            vec![],
            "not a Next.js page",
        ),
        (
            format!("{}/slow", server.base),
            vec!["--timeout", "1"],
            "timeout",
        ),
        ("http://127.0.0.1:1/".to_string(), vec![], "cannot fetch it"),
    ];
    for (url, flags, why) in cases {
        let mut args = vec!["extract"];
        args.extend(flags.iter().copied());
        args.push(&url);
        let run = next_rsc(&args);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{url}: {stderr}");
        assert!(
            stderr.contains(&url) && stderr.to_lowercase().contains(&why.to_lowercase()),
            "{url}: {stderr}"
        );
    }
    // Several inputs: a failed URL is reported and the others still read.
    let good = format!("{}/posts/hello", server.base);
    let bad = format!("{}/missing", server.base);
    let run = next_rsc(&["extract", "--compact", &bad, &good]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&run.stdout).lines().count(), 1);
}

#[test]
fn a_redirect_gives_the_page_its_final_url() {
    let server = server();
    let url = format!("{}/moved", server.base);
    let fetched = json(&next_rsc(&["extract", "--compact", &url]));
    let links = fetched["navigation"][0]["links"].as_array().unwrap();
    assert!(!links.is_empty());
    assert_eq!(fetched["next"]["path"], "/posts/hello");
    let targets: Vec<String> = server
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.target.clone())
        .collect();
    assert_eq!(targets, ["/moved", "/posts/hello"]);
}
