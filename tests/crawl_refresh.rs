//! `next-rsc crawl --refresh`: the pages an archive holds are asked for again with their
//! validators; a 304 keeps a page, a new answer replaces it in place (same files, one
//! record), a failure keeps the page as it was and sets the exit status. Nothing here
//! reaches beyond 127.0.0.1.

mod common;

use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use common::http::{index, next_rsc, read_request, respond, temp_dir};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(common::fixtures().join("nextjs/v16").join(name)).unwrap()
}

struct Site {
    base: String,
    /// After the first crawl: /posts/hello is a new page, /deep fails.
    changed: Arc<AtomicBool>,
    asked: Arc<Asked>,
}

fn site() -> Site {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let site = Site {
        base: format!("http://{}", listener.local_addr().unwrap()),
        changed: Arc::default(),
        asked: Arc::default(),
    };
    let (changed, asked) = (Arc::clone(&site.changed), Arc::clone(&site.asked));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (changed, asked) = (Arc::clone(&changed), Arc::clone(&asked));
            std::thread::spawn(move || serve(stream, &changed, &asked));
        }
    });
    site
}

/// (path, If-None-Match, If-Modified-Since) of each request.
type Asked = Mutex<Vec<(String, Option<String>, Option<String>)>>;

fn serve(mut stream: TcpStream, changed: &AtomicBool, asked: &Asked) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let matches = request.header("if-none-match").map(str::to_string);
    let since = request.header("if-modified-since").map(str::to_string);
    asked
        .lock()
        .unwrap()
        .push((request.target.clone(), matches.clone(), since.clone()));
    let changed = changed.load(Ordering::SeqCst);
    let html = "text/html; charset=utf-8";
    let old_date = "Tue, 01 Dec 2026 10:00:00 GMT";
    match request.target.as_str() {
        // Unchanged: its ETag still matches.
        "/about" if matches.as_deref() == Some("\"about-1\"") => respond(
            &mut stream,
            "304 Not Modified",
            &[("ETag", "\"about-1\"")],
            b"",
        ),
        "/about" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", html), ("ETag", "\"about-1\"")],
            &fixture("about.html"),
        ),
        // Changed since: a new ETag, another page.
        "/posts/hello" if changed => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", html), ("ETag", "\"hello-2\"")],
            &fixture("special.html"),
        ),
        "/posts/hello" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", html), ("ETag", "\"hello-1\"")],
            &fixture("post-hello.html"),
        ),
        // Known by its date; down at the time of the refresh.
        "/deep" if changed => respond(&mut stream, "500 Internal Server Error", &[], b"down"),
        "/deep" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", html), ("Last-Modified", old_date)],
            &fixture("deep.html"),
        ),
        _ => respond(&mut stream, "404 Not Found", &[], b""),
    }
}

#[test]
fn a_refresh_keeps_what_did_not_change_and_replaces_what_did() {
    let site = site();
    let out = temp_dir("crawl-refresh");
    let crawl = |extra: &[&str]| {
        let mut args = vec!["crawl", "-o", out.to_str().unwrap(), "--max-depth", "0"];
        args.extend_from_slice(extra);
        let urls: Vec<String> = ["/about", "/posts/hello", "/deep"]
            .iter()
            .map(|p| format!("{}{p}", site.base))
            .collect();
        args.extend(urls.iter().map(String::as_str));
        next_rsc(&args)
    };
    let first = crawl(&[]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let before = index(&out);
    let record = |records: &[serde_json::Value], path: &str| {
        records
            .iter()
            .find(|r| r["url"] == format!("{}{path}", site.base))
            .unwrap_or_else(|| panic!("{path}: {records:#?}"))
            .clone()
    };
    assert_eq!(record(&before, "/posts/hello")["title"], "Hello, World");
    let hello_json = record(&before, "/posts/hello")["files"]["json"].clone();
    let about_json = out.join(record(&before, "/about")["files"]["json"].as_str().unwrap());
    let about_written = std::fs::metadata(&about_json).unwrap().modified().unwrap();

    site.changed.store(true, Ordering::SeqCst);
    site.asked.lock().unwrap().clear();
    let refresh = crawl(&["--refresh"]);
    let stderr = String::from_utf8_lossy(&refresh.stderr);
    // /deep failed: reported, exit status 1.
    assert_eq!(refresh.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("1 not modified"), "{stderr}");
    let asked = site.asked.lock().unwrap().clone();
    let validators = |path: &str| {
        asked
            .iter()
            .find(|(p, _, _)| p == path)
            .map(|(_, m, s)| (m.clone(), s.clone()))
            .unwrap_or_else(|| panic!("{path} not asked: {asked:?}"))
    };
    assert_eq!(validators("/about").0.as_deref(), Some("\"about-1\""));
    assert_eq!(validators("/posts/hello").0.as_deref(), Some("\"hello-1\""));
    assert_eq!(
        validators("/deep").1.as_deref(),
        Some("Tue, 01 Dec 2026 10:00:00 GMT")
    );

    let after = index(&out);
    assert_eq!(after.len(), 3, "one record per page: {after:#?}");
    // Not modified: the same record, its files untouched.
    assert_eq!(record(&after, "/about"), record(&before, "/about"));
    assert_eq!(
        std::fs::metadata(&about_json).unwrap().modified().unwrap(),
        about_written
    );
    // Changed: the new page in the old place.
    let hello = record(&after, "/posts/hello");
    assert_eq!(hello["ok"], true);
    assert!(
        hello["title"]
            .as_str()
            .unwrap()
            .starts_with("Special values"),
        "{hello}"
    );
    assert_eq!(hello["etag"], "\"hello-2\"");
    assert_eq!(hello["files"]["json"], hello_json);
    let json = std::fs::read_to_string(out.join(hello_json.as_str().unwrap())).unwrap();
    assert!(json.contains("Special values"));
    // No second copy under another name; the post's Markdown went with its article.
    let mut files: Vec<String> = std::fs::read_dir(out.join("posts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["hello.html", "hello.json"]);
    // Failed now: kept as it was.
    assert_eq!(record(&after, "/deep"), record(&before, "/deep"));
    assert!(stderr.contains("/deep: HTTP 500"), "{stderr}");
    std::fs::remove_dir_all(&out).unwrap();
}
