//! `next-rsc crawl` against a site served on the loopback address from the Next 16 fixture
//! app's pages: links and sitemaps followed, robots.txt obeyed, two requests at most in
//! flight, --delay kept, --max-pages held, --resume fetching nothing again, failures
//! listed, other origins never asked. Nothing here reaches beyond 127.0.0.1.

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::http::{index, next_rsc, read_request, respond, temp_dir};

fn fixture(name: &str) -> PathBuf {
    common::fixtures().join("nextjs/v16").join(name)
}

/// What the server saw.
#[derive(Default)]
struct Log {
    /// (path, when the request came).
    requests: Mutex<Vec<(String, Instant)>>,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

struct Site {
    base: String,
    log: Arc<Log>,
}

/// A site: `/` and the fixture app's pages, a robots.txt that disallows /guestbook, a
/// sitemap with a page no link reaches and a page of another origin, a redirect within the
/// site and one to another origin, a 404 (the app links a post it does not have).
fn site(other_origin: &str) -> Site {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Log::default());
    let (served_log, served_base, other) =
        (Arc::clone(&log), base.clone(), other_origin.to_string());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (log, base, other) = (Arc::clone(&served_log), served_base.clone(), other.clone());
            std::thread::spawn(move || serve(stream, &log, &base, &other));
        }
    });
    Site { base, log }
}

fn serve(mut stream: TcpStream, log: &Log, base: &str, other: &str) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let path = request.target;
    log.requests
        .lock()
        .unwrap()
        .push((path.clone(), Instant::now()));
    let now = log.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    log.most_in_flight.fetch_max(now, Ordering::SeqCst);
    // Slow enough that a crawler without a limit would have more in flight.
    std::thread::sleep(Duration::from_millis(40));
    let html = |name: &str| std::fs::read(fixture(name)).unwrap();
    let page = |stream: &mut TcpStream, name: &str| {
        respond(
            stream,
            "200 OK",
            &[("Content-Type", "text/html; charset=utf-8")],
            &html(name),
        )
    };
    match path.as_str() {
        "/robots.txt" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "text/plain")],
            format!("User-Agent: *\nAllow: /\nDisallow: /guestbook\n\nSitemap: {base}/sitemap.xml\n").as_bytes(),
        ),
        "/sitemap.xml" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "application/xml")],
            format!(
                "<?xml version=\"1.0\"?><urlset><url><loc>{base}/</loc></url><url><loc>{base}/only-in-sitemap</loc></url><url><loc>{other}/elsewhere</loc></url><url><loc>{base}/old</loc></url><url><loc>{base}/challenge</loc></url><url><loc>{base}/members</loc></url><url><loc>{base}/soft</loc></url><url><loc>{base}/draft</loc></url></urlset>"
            )
            .as_bytes(),
        ),
        "/" => page(&mut stream, "home.html"),
        "/about" => page(&mut stream, "about.html"),
        "/posts/hello" => page(&mut stream, "post-hello.html"),
        "/special" => page(&mut stream, "special.html"),
        "/deep" => page(&mut stream, "deep.html"),
        "/stream" => page(&mut stream, "stream.html"),
        "/guestbook" => page(&mut stream, "guestbook.html"),
        "/only-in-sitemap" => page(&mut stream, "post-hello.html"),
        "/old" => respond(&mut stream, "308 Permanent Redirect", &[("Location", "/about")], b""),
        // What is not the page: a bot challenge, a login wall, Next's not-found page
        // served as 200 (Next 13-15 under a loading.js), a page that turns on draft mode.
        "/challenge" => respond(
            &mut stream,
            "403 Forbidden",
            &[("Content-Type", "text/html"), ("cf-mitigated", "challenge")],
            b"<html><head><title>Just a moment...</title></head><body></body></html>",
        ),
        "/members" => respond(&mut stream, "307 Temporary Redirect", &[("Location", "/login?next=%2Fmembers")], b""),
        "/soft" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "text/html")],
            &std::fs::read(fixture("../v15/post-missing.html")).unwrap(),
        ),
        "/draft" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "text/html"), ("Set-Cookie", "__prerender_bypass=abc; Path=/; HttpOnly")],
            &html("about.html"),
        ),
        "/away" => respond(&mut stream, "307 Temporary Redirect", &[("Location", format!("{other}/x").as_str())], b""),
        _ => respond(&mut stream, "404 Not Found", &[("Content-Type", "text/html")], &html("not-found.html")),
    }
    log.in_flight.fetch_sub(1, Ordering::SeqCst);
}

fn paths_requested(log: &Log) -> Vec<String> {
    log.requests
        .lock()
        .unwrap()
        .iter()
        .map(|(p, _)| p.clone())
        .collect()
}

#[test]
fn a_crawl_archives_every_page_it_may_and_nothing_else() {
    let elsewhere = site("http://127.0.0.1:9");
    let site = site(&elsewhere.base);
    let out = temp_dir("crawl-whole");
    let run = next_rsc(&[
        "crawl",
        &format!("{}/", site.base),
        "-o",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    // The app links a post it does not have: that 404 makes the exit status 1.
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    let records = index(&out);
    let by_url = |path: &str| {
        records
            .iter()
            .find(|r| r["url"] == format!("{}{path}", site.base))
            .unwrap_or_else(|| panic!("{path} is not in the index: {records:#?}"))
    };
    for (path, title) in [
        ("/", "RSC Fixture Blog"),
        ("/about", "About | RSC Fixture Blog"),
        ("/posts/hello", "Hello, World"),
        ("/special", "Special values | RSC Fixture Blog"),
        ("/deep", "Deep tree | RSC Fixture Blog"),
        ("/stream", "Streaming | RSC Fixture Blog"),
        ("/only-in-sitemap", "Hello, World"),
    ] {
        let record = by_url(path);
        assert_eq!(record["ok"], true, "{path}: {record}");
        assert_eq!(record["status"], 200, "{path}");
        assert!(record["fetched"].as_str().unwrap().ends_with('Z'));
        let title_found = record["title"].as_str().unwrap_or_default();
        assert!(
            title_found.starts_with(title.split(" | ").next().unwrap()),
            "{path}: {title_found}"
        );
        // The page files are there.
        let json = record["files"]["json"].as_str().unwrap();
        assert!(out.join(json).is_file(), "{path}: {json}");
    }
    for (path, kind) in [
        ("/challenge", "bot-challenge"),
        ("/members", "login"),
        ("/soft", "soft-404"),
        ("/draft", "draft-mode"),
    ] {
        let record = by_url(path);
        assert_eq!(record["ok"], false, "{path}: {record}");
        assert_eq!(record["notThePage"], kind, "{path}: {record}");
        assert!(
            record["error"]
                .as_str()
                .unwrap()
                .starts_with("not the page"),
            "{path}"
        );
        assert!(
            record["files"]["json"].is_null(),
            "{path}: not archived as a page"
        );
    }
    let missing = by_url("/posts/2024/korean-emoji");
    assert_eq!(missing["ok"], false);
    assert_eq!(missing["status"], 404);
    assert!(missing["error"].as_str().unwrap().contains("404"));
    // One record per page: the redirect's target once, not the redirect.
    let urls: Vec<&str> = records.iter().map(|r| r["url"].as_str().unwrap()).collect();
    let mut unique = urls.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), urls.len(), "{urls:?}");
    let requested = paths_requested(&site.log);
    assert!(
        !requested.iter().any(|p| p.starts_with("/guestbook")),
        "{requested:?}"
    );
    assert!(requested.contains(&"/old".to_string()));
    assert!(
        !requested.iter().any(|p| p.starts_with("/login")),
        "{requested:?}"
    );
    assert_eq!(
        requested.iter().filter(|p| *p == "/about").count(),
        1,
        "{requested:?}"
    );
    assert!(site.log.most_in_flight.load(Ordering::SeqCst) <= 2);
    assert!(
        paths_requested(&elsewhere.log).is_empty(),
        "another origin was asked"
    );
    assert!(stderr.contains("robots.txt disallows"), "{stderr}");

    // --resume: nothing archived is fetched again.
    site.log.requests.lock().unwrap().clear();
    let again = next_rsc(&[
        "crawl",
        &format!("{}/", site.base),
        "-o",
        out.to_str().unwrap(),
        "--resume",
    ]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let requested = paths_requested(&site.log);
    for done in [
        "/",
        "/about",
        "/posts/hello",
        "/special",
        "/deep",
        "/stream",
        "/only-in-sitemap",
    ] {
        assert!(
            !requested.iter().any(|p| p == done),
            "{done} fetched again: {requested:?}"
        );
    }
    // A redirect met before is not asked again: OUT/redirects.jsonl remembers it, and its
    // target is still followed.
    assert!(!requested.iter().any(|p| p == "/old"), "{requested:?}");
    let redirects = std::fs::read_to_string(out.join("redirects.jsonl")).unwrap();
    let old: serde_json::Value = redirects
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|r| r["url"] == format!("{}/old", site.base))
        .unwrap_or_else(|| panic!("{redirects}"));
    assert_eq!(old["status"], 308);
    assert_eq!(old["location"], format!("{}/about", site.base));
    // What failed is tried again, and keeps one record.
    assert!(
        requested.iter().any(|p| p == "/posts/2024/korean-emoji"),
        "{requested:?}"
    );
    let after = index(&out);
    assert_eq!(after.len(), records.len());
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn max_pages_max_depth_and_delay_hold() {
    let site = site("http://127.0.0.1:9");
    let out = temp_dir("crawl-limits");
    let run = next_rsc(&[
        "crawl",
        &format!("{}/", site.base),
        "-o",
        out.to_str().unwrap(),
        "--max-pages",
        "3",
        "--delay",
        "0.3",
        "--no-sitemaps",
    ]);
    assert!(
        run.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(index(&out).len(), 3);
    let requests = site.log.requests.lock().unwrap().clone();
    let pages: Vec<&(String, Instant)> = requests
        .iter()
        .filter(|(p, _)| p != "/robots.txt")
        .collect();
    assert_eq!(pages.len(), 3, "{requests:?}");
    for pair in requests.windows(2) {
        let gap = pair[1].1 - pair[0].1;
        assert!(
            gap >= Duration::from_millis(270),
            "{} then {} after {gap:?}",
            pair[0].0,
            pair[1].0
        );
    }
    assert!(!requests.iter().any(|(p, _)| p == "/sitemap.xml"));
    std::fs::remove_dir_all(&out).unwrap();

    // Depth 0: the start page alone.
    let out = temp_dir("crawl-depth");
    let run = next_rsc(&[
        "crawl",
        &format!("{}/", site.base),
        "-o",
        out.to_str().unwrap(),
        "--max-depth",
        "0",
        "--no-sitemaps",
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let records = index(&out);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["url"], format!("{}/", site.base));
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn bad_start_urls_are_usage_errors() {
    let out = temp_dir("crawl-usage");
    let run = next_rsc(&["crawl", "example.com", "-o", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("not an http(s) URL"));
    let run = next_rsc(&[
        "crawl",
        "http://127.0.0.1:9/",
        "-o",
        out.to_str().unwrap(),
        "--delay",
        "-1",
    ]);
    assert_eq!(run.status.code(), Some(2));
    // A usage error writes nothing.
    assert!(!out.exists());
}
