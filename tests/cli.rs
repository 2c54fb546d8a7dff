//! The command line, run as a user would.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn next_rsc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_next-rsc"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn fixture(rel: &str) -> String {
    common::fixtures().join(rel).display().to_string()
}

#[test]
fn tree_canonical_prints_the_golden() {
    let out = next_rsc(&[
        "tree",
        "--canonical",
        &fixture("seed/000_7b5ef04b44413318.txt"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let golden = std::fs::read(fixture("seed-expected/000_7b5ef04b44413318.txt.json")).unwrap();
    assert_eq!(out.stdout, golden);
    assert!(out.stderr.is_empty());
}

#[test]
fn tree_reads_standard_input() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_next-rsc"))
        .args(["tree", "--canonical", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"0:[\"$\",\"p\",null,{\"children\":\"$L1\"}]\n1:\"hi\"\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"hints\":[],\"root\":{\"$el\":\"p\",\"key\":null,\"props\":{\"children\":\"hi\"}}}\n"
    );
}

/// A flight of `size` bytes or more, big enough that the command line maps the file
/// rather than reading it: rows of long texts, then a root naming them.
fn big_flight(size: usize) -> Vec<u8> {
    let text: String = "Grüße aus der Flight-Welt, ".repeat(4000);
    let rows = size / text.len() + 1;
    let mut flight = Vec::new();
    for i in 1..=rows {
        flight.extend_from_slice(format!("{i:x}:T{:x},{text}", text.len()).as_bytes());
    }
    let ids: Vec<String> = (1..=rows).map(|i| format!("\"${i:x}\"")).collect();
    flight.extend_from_slice(format!("0:[{}]\n", ids.join(",")).as_bytes());
    flight
}

#[test]
fn a_large_file_is_read_as_standard_input_is() {
    let dir = temp_dir("large-file");
    let path = dir.join("big.txt");
    std::fs::write(&path, big_flight(6 << 20)).unwrap();
    let from_file = next_rsc(&["tree", "--canonical", path.to_str().unwrap()]);
    let from_stdin = Command::new(env!("CARGO_BIN_EXE_next-rsc"))
        .args(["tree", "--canonical", "-"])
        .stdin(std::fs::File::open(&path).unwrap())
        .output()
        .unwrap();
    assert_eq!(from_file.status.code(), Some(0));
    assert!(from_file.stdout.len() > 6 << 20);
    assert!(
        from_file.stdout == from_stdin.stdout,
        "mapped and read inputs differ"
    );
    assert!(from_file.stderr.is_empty());
}

/// A mapped input that shrinks under the process raises SIGBUS; the command line says so
/// and exits with status 2 rather than dying of the signal. The process is stopped
/// writing (nobody reads its output yet) while it holds the map, and sent the signal.
#[test]
fn a_mapped_input_that_fails_is_an_error_not_a_crash() {
    let dir = temp_dir("sigbus");
    let path = dir.join("big.txt");
    std::fs::write(&path, big_flight(6 << 20)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_next-rsc"))
        .args(["tree", "--canonical", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Its first output means the input is mapped and the guard installed; the pipe
    // then fills and the process waits on it.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    let killed = Command::new("kill")
        .args(["-BUS", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{:?}", out.status);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("shrank or failed while it was being read"),
        "{stderr}"
    );
}

#[test]
fn tree_without_canonical_is_readable_and_shows_module_chunks() {
    let out = next_rsc(&["tree", &fixture("edge/02_turbopack_I_string_module_id.txt")]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let client = &json["root"]["$el"]["$client"];
    assert_eq!(client["name"], "default");
    assert_eq!(client["chunks"][0], "static/chunks/src_a._.js");
    // Piped: compact, one line.
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    let pretty = next_rsc(&[
        "tree",
        "--pretty",
        &fixture("edge/02_turbopack_I_string_module_id.txt"),
    ]);
    assert!(String::from_utf8_lossy(&pretty.stdout).contains("\n  \"root\": {"));
}

#[test]
fn rows_prints_one_json_line_per_row() {
    let out = next_rsc(&["rows", &fixture("edge/04_anonymous_HL_rows.txt")]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "{\"id\":\"\",\"tag\":\"HL\",\"offset\":0,\"length\":39}"
    );
    assert_eq!(
        lines[2],
        "{\"id\":\"0\",\"tag\":\"\",\"offset\":120,\"length\":7}"
    );
}

#[test]
fn rows_of_a_text_row_count_bytes() {
    let out = next_rsc(&["rows", &fixture("edge/11_T_multibyte_then_row_no_sep.txt")]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("{\"id\":\"9\",\"tag\":\"T\",\"offset\":0,\"length\":19}")
    );
}

#[test]
fn diagnostics_go_to_stderr_and_strict_makes_them_fail() {
    let path = fixture("edge/01_seed_no_trailing_newline.txt");
    let out = next_rsc(&["tree", &path]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("row \"1\" at byte 14537"), "{err}");
    assert_eq!(
        next_rsc(&["tree", "--strict", &path]).status.code(),
        Some(1)
    );
}

#[test]
fn nothing_usable_exits_2() {
    let empty = next_rsc(&["tree", &fixture("edge/15_empty_input.txt")]);
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("empty"));
    let html = next_rsc(&["tree", &fixture("sites/njsparser__x.com.html")]);
    assert_eq!(html.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&html.stderr).contains("not a Next.js page"));
    let pages_router = next_rsc(&["tree", &fixture("sites/njsparser__m.soundcloud.com.html")]);
    assert_eq!(pages_router.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&pages_router.stderr).contains("pages-router"));
    let garbage = next_rsc(&["rows", &fixture("README.md")]);
    assert_eq!(garbage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&garbage.stderr).contains("not a flight stream"));
    let missing = next_rsc(&["rows", "/no/such/file"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn a_text_row_that_quotes_next_f_push_is_still_raw_flight() {
    let out = next_rsc(&[
        "tree",
        "--canonical",
        &fixture("edge/16_T_row_mentions_next_f_push.txt"),
    ]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn help_teaches_with_examples() {
    let out = next_rsc(&["tree", "--help"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Examples:"));
    assert!(text.contains("--canonical"));
}

#[test]
fn exponential_sharing_stops_at_the_output_bound() {
    // Found by fuzzing: 7.9 KB that would write gigabytes.
    let out = next_rsc(&[
        "tree",
        "--canonical",
        &fixture("fuzz/exponential-sharing.txt"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("output limit reached"));
    assert!(out.stdout.len() < 80 << 20);
    let small = next_rsc(&[
        "tree",
        "--max-output",
        "1000",
        &fixture("seed/000_7b5ef04b44413318.txt"),
    ]);
    assert_eq!(small.status.code(), Some(2));
}

#[test]
fn an_html_page_is_read_through_its_next_f_scripts() {
    let out = next_rsc(&[
        "tree",
        "--canonical",
        &fixture("nextjs/v15/post-hello.html"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let golden = std::fs::read(fixture("nextjs-expected/v15/post-hello.html.json")).unwrap();
    assert_eq!(out.stdout, golden);
}

#[test]
fn extract_prints_the_next_section() {
    let out = next_rsc(&["extract", &fixture("nextjs/v15/post-hello.html")]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let next = &json["next"];
    assert_eq!(next["router"], "app");
    assert_eq!(next["buildId"], "pXIY7y7MxisPpv6H2QnCW");
    assert_eq!(next["route"], "/posts/[...slug]");
    assert_eq!(next["path"], "/posts/hello");
    assert_eq!(next["params"], serde_json::json!({"slug": ["hello"]}));
    assert!(
        next["assets"]["css"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    assert!(
        next["assets"]["js"]
            .as_array()
            .is_some_and(|j| !j.is_empty())
    );
}

#[test]
fn extract_reads_pages_router_pages_and_refuses_other_html() {
    let out = next_rsc(&[
        "extract",
        &fixture("sites/njsparser__m.soundcloud.com.html"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["next"]["router"], "pages");
    assert_eq!(json["next"]["buildId"], "1733156665");

    let out = next_rsc(&["extract", &fixture("sites/njsparser__x.com.html")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Next.js page"));
    assert!(out.stdout.is_empty());
}

#[test]
fn html_writes_a_document_and_markdown_the_article() {
    let out = next_rsc(&["html", &fixture("nextjs/v16/post-hello.rsc")]);
    assert_eq!(out.status.code(), Some(0));
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"en\"><head>"));
    assert!(html.contains("<title>Hello, World | RSC Fixture Blog</title>"));
    assert!(
        html.contains("rel=\"stylesheet\""),
        "the page's CSS is linked"
    );
    assert!(html.contains("<h1 class=\"m1WJWW_title\">Hello, World</h1>"));
    let bare = next_rsc(&["html", "--no-css", &fixture("nextjs/v16/post-hello.rsc")]);
    assert!(
        !String::from_utf8(bare.stdout)
            .unwrap()
            .contains("rel=\"stylesheet\"")
    );

    let out = next_rsc(&["markdown", &fixture("nextjs/v14/post-hello.html")]);
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("---\ntitle: \"Hello, World\"\n"));
    assert!(md.contains("\n# Hello, World\n"));

    let none = next_rsc(&["markdown", &fixture("nextjs/v14/home.rsc")]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no article"));
}

/// A folder `in` below `dir` holding `n` copies of one fixture page, for long archive runs.
fn copies_of_a_page(dir: &std::path::Path, n: usize) -> std::path::PathBuf {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    let page = std::fs::read(common::fixtures().join("nextjs/v16/post-hello.html")).unwrap();
    for i in 0..n {
        std::fs::write(input.join(format!("p{i:04}.html")), &page).unwrap();
    }
    input
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("next-rsc-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn index_lines(out: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(out.join("index.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn archive_writes_every_page_and_carries_on_past_a_broken_one() {
    let dir = temp_dir("archive");
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("posts")).unwrap();
    std::fs::copy(
        fixture("nextjs/v15/post-hello.rsc"),
        site.join("posts/hello.rsc"),
    )
    .unwrap();
    std::fs::copy(fixture("nextjs/v16/home.html"), site.join("index.html")).unwrap();
    std::fs::write(
        site.join("broken.html"),
        "<html><body>not next</body></html>",
    )
    .unwrap();
    std::fs::write(site.join("robots.txt"), "User-agent: *\n").unwrap();
    let out = dir.join("out");
    let run = next_rsc(&[
        "archive",
        site.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "a broken input makes the exit status 1"
    );
    assert!(String::from_utf8_lossy(&run.stderr).contains("broken.html"));
    let lines = index_lines(&out);
    assert_eq!(lines.len(), 3, "robots.txt is not a page: {lines:?}");
    let post = lines
        .iter()
        .find(|l| l["path"] == "/posts/hello")
        .expect("the post");
    assert_eq!(post["ok"], true);
    assert_eq!(post["title"], "Hello, World");
    assert_eq!(post["files"]["markdown"], "posts/hello.md");
    assert!(
        std::fs::read_to_string(out.join("posts/hello.md"))
            .unwrap()
            .contains("# Hello, World")
    );
    assert!(
        std::fs::read_to_string(out.join("posts/hello.html"))
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    let home = lines
        .iter()
        .find(|l| l["path"] == "/")
        .expect("the home page");
    assert_eq!(home["files"]["json"], "index.json");
    let broken = lines
        .iter()
        .find(|l| l["ok"] == false)
        .expect("the broken page");
    assert!(
        broken["error"]
            .as_str()
            .unwrap()
            .contains("not a Next.js page")
    );

    // --resume skips what is done and tries the rest again.
    let again = next_rsc(&[
        "archive",
        site.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--resume",
    ]);
    assert_eq!(again.status.code(), Some(1));
    let lines = index_lines(&out);
    // Once each: the done pages kept, the broken one tried again and listed once.
    assert_eq!(lines.len(), 3, "only the broken page was tried again");
    assert_eq!(lines[2]["ok"], false);

    // --jsonl: records on standard output instead.
    let jsonl = next_rsc(&["archive", "--jsonl", site.join("posts").to_str().unwrap()]);
    assert_eq!(jsonl.status.code(), Some(0));
    let record: serde_json::Value = serde_json::from_slice(&jsonl.stdout).unwrap();
    assert_eq!(record["ok"], true);
    assert_eq!(record["next"]["path"], "/posts/hello");
    assert_eq!(record["article"]["title"], "Hello, World");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A WARC record.
fn warc_record(kind: &str, uri: &str, block: &[u8]) -> Vec<u8> {
    let mut record = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2026-11-28T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:{:08x}-0000-4000-8000-000000000000>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        block.len() ^ uri.len(),
        block.len()
    )
    .into_bytes();
    record.extend_from_slice(block);
    record.extend_from_slice(b"\r\n\r\n");
    record
}

#[test]
fn archive_reads_web_archives() {
    let dir = temp_dir("warc");
    let page = std::fs::read(fixture("nextjs/v14/post-hello.html")).unwrap();
    let mut html_response =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n".to_vec();
    html_response.extend_from_slice(&page);
    // A flight response, chunked and gzipped as servers send it.
    let flight = std::fs::read(fixture("nextjs/v16/about.rsc")).unwrap();
    let mut encoder = libflate::gzip::Encoder::new(Vec::new()).unwrap();
    encoder.write_all(&flight).unwrap();
    let gz = encoder.finish().into_result().unwrap();
    let mut flight_response = b"HTTP/1.1 200 OK\r\nContent-Type: text/x-component\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for chunk in gz.chunks(100) {
        flight_response.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        flight_response.extend_from_slice(chunk);
        flight_response.extend_from_slice(b"\r\n");
    }
    flight_response.extend_from_slice(b"0\r\n\r\n");
    let image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG".to_vec();
    let mut warc = Vec::new();
    warc.extend(warc_record(
        "response",
        "https://blog.example.com/posts/hello",
        &html_response,
    ));
    warc.extend(warc_record(
        "response",
        "https://blog.example.com/logo.png",
        &image,
    ));
    warc.extend(warc_record(
        "request",
        "https://blog.example.com/about",
        b"GET /about HTTP/1.1\r\n\r\n",
    ));
    warc.extend(warc_record(
        "response",
        "https://blog.example.com/about",
        &flight_response,
    ));
    let plain = dir.join("crawl.warc");
    std::fs::write(&plain, &warc).unwrap();
    let mut encoder = libflate::gzip::Encoder::new(Vec::new()).unwrap();
    encoder.write_all(&warc).unwrap();
    let compressed = dir.join("crawl.warc.gz");
    std::fs::write(&compressed, encoder.finish().into_result().unwrap()).unwrap();

    for (input, name) in [(&plain, "plain"), (&compressed, "gz")] {
        let out = dir.join(name);
        let run = next_rsc(&[
            "archive",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(
            run.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let lines = index_lines(&out);
        assert_eq!(
            lines.len(),
            2,
            "{name}: the two pages, not the image or the request"
        );
        assert!(
            lines
                .iter()
                .any(|l| l["path"] == "/posts/hello" && l["title"] == "Hello, World")
        );
        assert!(
            lines
                .iter()
                .any(|l| l["path"] == "/about" && l["buildId"] == "dOJ9_UHNztZRhKcMxbSEm")
        );
        assert!(
            lines
                .iter()
                .all(|l| l["source"].as_str().unwrap().contains(".warc"))
        );
        // The same pages from the file's bytes, as a cluster's reader hands them over.
        let bytes = std::fs::read(input).unwrap();
        let in_memory = ::next_rsc::archive::warc_pages_in(&input.display().to_string(), &bytes);
        let mut sources: Vec<&str> = in_memory.iter().map(|p| p.source.as_str()).collect();
        let mut listed: Vec<&str> = lines
            .iter()
            .map(|l| l["source"].as_str().unwrap())
            .collect();
        sources.sort_unstable();
        listed.sort_unstable();
        assert_eq!(sources, listed, "{name}");
        for page in &in_memory {
            let extraction = ::next_rsc::extract::extract(&page.bytes().unwrap()).unwrap();
            assert!(extraction.next.path.is_some(), "{}", page.source);
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every file below `dir`, with its bytes, by path.
fn folder_contents(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if entry.file_name() != ".next-rsc.lock" {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                files.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn archive_names_clashing_pages_the_same_in_every_run() {
    // Pages that ask for one name (a path written many ways, and names that differ only
    // in case): which one gets the plain name must not depend on which thread is first.
    let dir = temp_dir("clashes");
    let flight = std::fs::read(fixture("nextjs/v16/about.rsc")).unwrap();
    let mut response = b"HTTP/1.1 200 OK\r\nContent-Type: text/x-component\r\n\r\n".to_vec();
    response.extend_from_slice(&flight);
    let mut warc = Vec::new();
    for uri in [
        "https://a.example/col",
        "https://a.example/col/",
        "https://a.example/col?x=1",
        "https://a.example/COL",
        "https://a.example/col#top",
        "https://a.example/x",
        "https://a.example/x.md/child",
        "https://a.example/CON",
        "https://a.example/con",
    ]
    .iter()
    .cycle()
    .take(60)
    .enumerate()
    .map(|(i, uri)| {
        format!(
            "{uri}{}",
            if i >= 9 {
                format!("?copy={i}")
            } else {
                String::new()
            }
        )
    }) {
        warc.extend(warc_record("response", &uri, &response));
    }
    let input = dir.join("clashes.warc");
    std::fs::write(&input, &warc).unwrap();
    let runs: Vec<_> = (0..3)
        .map(|i| {
            let out = dir.join(format!("run{i}"));
            let run = next_rsc(&[
                "archive",
                input.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
                "--threads",
                "2",
            ]);
            assert_eq!(
                run.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&run.stderr)
            );
            folder_contents(&out)
        })
        .collect();
    assert_eq!(index_lines(&dir.join("run0")).len(), 60);
    assert!(runs[0].keys().all(|name| !name.contains("staging")));
    for other in &runs[1..] {
        assert_eq!(
            other.keys().collect::<Vec<_>>(),
            runs[0].keys().collect::<Vec<_>>()
        );
        assert!(
            other == &runs[0],
            "the same files, byte for byte, index included"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_durable_archive_writes_what_a_plain_one_does() {
    let dir = temp_dir("durable");
    let input = fixture("nextjs/v16");
    let runs: Vec<_> = ["plain", "durable"]
        .iter()
        .map(|how| {
            let out = dir.join(how);
            let mut args = vec!["archive", input.as_str(), "-o", out.to_str().unwrap()];
            if *how == "durable" {
                args.push("--durable");
            }
            let run = next_rsc(&args);
            assert_eq!(
                run.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&run.stderr)
            );
            folder_contents(&out)
        })
        .collect();
    assert!(runs[0].len() > 20);
    assert!(runs[0] == runs[1], "the same files, byte for byte");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn links_planted_in_the_output_folder_are_never_followed() {
    use std::os::unix::fs::symlink;
    let dir = temp_dir("planted");
    let outside = dir.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let victim = outside.join("victim.txt");
    std::fs::write(&victim, "IMPORTANT DATA").unwrap();
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    symlink(&victim, out.join(".next-rsc.lock")).unwrap();
    symlink(&victim, out.join(".index.jsonl.partial")).unwrap();
    symlink(&outside, out.join(".next-rsc-staging")).unwrap();
    symlink(&outside, out.join("posts")).unwrap();
    let run = next_rsc(&[
        "archive",
        &fixture("nextjs/v16/about.rsc"),
        &fixture("nextjs/v16/post-hello.rsc"),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "IMPORTANT DATA");
    let outside_files: Vec<_> = std::fs::read_dir(&outside).unwrap().flatten().collect();
    assert_eq!(
        outside_files.len(),
        1,
        "nothing written outside the output folder"
    );
    let lines = index_lines(&out);
    let post = lines.iter().find(|l| l["path"] == "/posts/hello").unwrap();
    assert_eq!(post["ok"], false);
    assert!(post["error"].as_str().unwrap().contains("symbolic link"));
    assert!(
        lines
            .iter()
            .any(|l| l["path"] == "/about" && l["ok"] == true)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn linked_folders_are_walked_once_and_the_archive_itself_never() {
    use std::os::unix::fs::symlink;
    let dir = temp_dir("links-in");
    let shared = dir.join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::copy(fixture("nextjs/v16/about.rsc"), shared.join("about.rsc")).unwrap();
    let site = dir.join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::copy(fixture("nextjs/v16/post-hello.rsc"), site.join("post.rsc")).unwrap();
    symlink(&shared, site.join("blog")).unwrap();
    symlink(&site, site.join("loop")).unwrap();
    // The archive inside the folder it archives, twice.
    let out = site.join("archive");
    for _ in 0..2 {
        let run = next_rsc(&[
            "archive",
            site.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--resume",
        ]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        // The loop is said, and the status says something was passed over.
        assert_eq!(run.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("loop: a folder already walked"), "{stderr}");
    }
    let lines = index_lines(&out);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().all(|l| l["ok"] == true));
    assert!(
        lines
            .iter()
            .any(|l| l["source"].as_str().unwrap().ends_with("blog/about.rsc"))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_archive_is_added_to_only_with_resume_and_keeps_its_failures() {
    let dir = temp_dir("add-to");
    let out = dir.join("out");
    let broken = dir.join("broken.rsc");
    std::fs::write(&broken, "this is no flight\n").unwrap();
    let first = next_rsc(&[
        "archive",
        broken.to_str().unwrap(),
        &fixture("nextjs/v16/about.rsc"),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(first.status.code(), Some(1));
    // A second batch into the same folder without --resume would replace its index.
    let again = next_rsc(&[
        "archive",
        &fixture("nextjs/v16/home.rsc"),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("cannot write") && stderr.contains("--resume"),
        "{stderr}"
    );
    assert_eq!(index_lines(&out).len(), 2);
    // With --resume, the failure of an input this run does not meet stays listed.
    let more = next_rsc(&[
        "archive",
        &fixture("nextjs/v16/home.rsc"),
        "-o",
        out.to_str().unwrap(),
        "--resume",
    ]);
    assert_eq!(
        more.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&more.stderr)
    );
    let lines = index_lines(&out);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l["ok"] == false && l["source"].as_str().unwrap().ends_with("broken.rsc"))
    );
    // An output folder that cannot be made is a write error, and says so.
    let under_a_file = broken.join("out");
    let bad = next_rsc(&[
        "archive",
        &fixture("nextjs/v16/home.rsc"),
        "-o",
        under_a_file.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot write"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_page_stored_cut_short_says_so() {
    // One 1 MiB text shown 100 times: more text than a page is given.
    let dir = temp_dir("cut-short");
    let text = "word ".repeat(1 << 18);
    let refs: Vec<&str> = vec!["[\"$\",\"p\",null,{\"children\":\"$1\"}]"; 100];
    let flight = format!(
        "1:T{:x},{text}0:[\"$\",\"html\",null,{{\"children\":[\"$\",\"body\",null,{{\"children\":[{}]}}]}}]\n",
        text.len(),
        refs.join(",")
    );
    let input = dir.join("big.rsc");
    std::fs::write(&input, flight).unwrap();
    let out = dir.join("out");
    let run = next_rsc(&[
        "archive",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&run.stderr).contains("stored, but the page is cut"));
    let lines = index_lines(&out);
    assert!(
        lines[0]["cut"].as_str().unwrap().contains("64 MiB"),
        "{lines:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn web_archive_urls_past_any_real_length_are_kept_cut() {
    // Each URL 200 KB long: the index must not carry (nor the reader keep) them whole.
    let dir = temp_dir("long-urls");
    let flight = std::fs::read(fixture("nextjs/v16/about.rsc")).unwrap();
    let mut response = b"HTTP/1.1 200 OK\r\nContent-Type: text/x-component\r\n\r\n".to_vec();
    response.extend_from_slice(&flight);
    let mut warc = Vec::new();
    for i in 0..3 {
        let uri = format!("https://a.example/{i}/{}", "x".repeat(200_000));
        warc.extend(warc_record("response", &uri, &response));
    }
    // The same long URL captured twice is still two pages.
    warc.extend(warc_record(
        "response",
        &format!("https://a.example/0/{}", "x".repeat(200_000)),
        &response,
    ));
    let input = dir.join("long.warc");
    std::fs::write(&input, &warc).unwrap();
    let out = dir.join("out");
    let run = next_rsc(&[
        "archive",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let lines = index_lines(&out);
    assert_eq!(lines.len(), 4);
    let sources: std::collections::BTreeSet<&str> = lines
        .iter()
        .map(|l| l["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources.len(), 4, "told apart");
    assert!(sources.iter().all(|s| s.len() < 5000 && s.contains("…~")));
    assert!(sources.iter().any(|s| s.ends_with("#2")));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn archive_fails_a_page_too_large_for_its_memory_budget_and_goes_on() {
    let dir = temp_dir("budget");
    let small = fixture("nextjs/v16/about.rsc"); // 5 KB: about 170 KB to process
    let big = fixture("nextjs/v16/post-hello.rsc"); // 15 KB: about 490 KB
    let out = dir.join("out");
    let run = next_rsc(&[
        "archive",
        &small,
        &big,
        "-o",
        out.to_str().unwrap(),
        "--max-memory",
        "256K",
    ]);
    assert_eq!(run.status.code(), Some(1), "one page failed");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("too large") && stderr.contains("--max-memory"),
        "{stderr}"
    );
    let lines = index_lines(&out);
    assert_eq!(lines.len(), 2);
    let of = |name: &str| {
        lines
            .iter()
            .find(|l| l["source"].as_str().unwrap().contains(name))
            .unwrap()
    };
    assert_eq!(of("about")["ok"], true);
    assert_eq!(of("post-hello")["ok"], false);
    // A size that is no size is refused before anything runs.
    let bad = next_rsc(&[
        "archive",
        &small,
        "-o",
        out.to_str().unwrap(),
        "--max-memory",
        "lots",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn several_inputs_one_after_another_and_errors_name_the_file() {
    let out = next_rsc(&[
        "extract",
        "--compact",
        &fixture("nextjs/v15/about.rsc"),
        &fixture("sites/njsparser__x.com.html"),
        &fixture("nextjs/v16/about.rsc"),
    ]);
    assert_eq!(out.status.code(), Some(1), "one input of three failed");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().count(),
        2,
        "JSON Lines, one per input that worked"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("njsparser__x.com.html: not a Next.js page"),
        "{stderr}"
    );
    let all_bad = next_rsc(&["extract", &fixture("sites/njsparser__x.com.html")]);
    assert_eq!(all_bad.status.code(), Some(2));
    let usage = next_rsc(&["extract"]);
    assert_eq!(usage.status.code(), Some(2), "a usage error");
}

#[test]
fn every_command_reads_standard_input() {
    let page = std::fs::read(fixture("nextjs/v15/post-hello.html")).unwrap();
    for (command, expect) in [
        ("rows", "\"tag\":\"I\""),
        ("tree", "\"root\""),
        ("extract", "\"buildId\":\"pXIY7y7MxisPpv6H2QnCW\""),
        ("html", "<h1 class=\"post_title__Ei3XI\">Hello, World</h1>"),
        ("markdown", "# Hello, World"),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_next-rsc"))
            .args([command, "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&page).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{command}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(expect),
            "{command}"
        );
    }
}

#[test]
fn a_warc_with_an_endless_header_is_an_error_not_a_buffer() {
    let dir = temp_dir("warc-bomb");
    let mut warc = b"WARC/1.0\r\n".to_vec();
    warc.extend(std::iter::repeat_n(&b"y\n"[..], 2 << 20).flatten());
    let path = dir.join("bomb.warc");
    std::fs::write(&path, &warc).unwrap();
    let out = next_rsc(&["archive", "--jsonl", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record["ok"], false);
    std::fs::write(dir.join("empty.warc"), b"").unwrap();
    let empty = next_rsc(&[
        "archive",
        "--jsonl",
        dir.join("empty.warc").to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&empty.stdout).contains("no WARC records"));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn links_follow_the_site_settings_inferred_or_given() {
    // A static export with basePath /fieldnotes and trailingSlash: read from the asset
    // URLs and the export's layout.
    let post = fixture("patterns/v14-base/posts/performance-budgets-in-practice/index.txt");
    let x = json_of(&next_rsc(&["extract", "--compact", &post]));
    assert_eq!(x["next"]["basePath"]["value"], "/fieldnotes");
    assert_eq!(x["next"]["trailingSlash"]["value"], true);
    let hrefs: Vec<&str> = x["navigation"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["links"].as_array().unwrap())
        .filter_map(|l| l["href"].as_str())
        .collect();
    assert!(hrefs.contains(&"/fieldnotes/posts/"), "{hrefs:?}");
    // Told otherwise, and given the page's URL.
    let x = json_of(&next_rsc(&[
        "extract",
        "--compact",
        "--base-path",
        "/elsewhere",
        "--trailing-slash",
        "false",
        "--url",
        "https://example.org/elsewhere/posts/a",
        &post,
    ]));
    assert_eq!(x["next"]["basePath"]["from"], "option");
    let first = &x["navigation"][0]["links"][0];
    assert!(
        first["href"].as_str().unwrap().starts_with("/elsewhere"),
        "{first}"
    );
    assert!(
        first["url"]
            .as_str()
            .unwrap()
            .starts_with("https://example.org/elsewhere"),
        "{first}"
    );
}

#[test]
fn a_list_page_says_list_and_has_no_article() {
    let list = fixture("patterns/v16-plain/posts.txt");
    let x = json_of(&next_rsc(&["extract", "--compact", &list]));
    assert_eq!(x["pageKind"]["kind"], "list");
    assert!(x["article"].is_null());
    assert_eq!(next_rsc(&["markdown", &list]).status.code(), Some(2));
    let redirect = fixture("patterns/v16-plain/old.txt");
    let x = json_of(&next_rsc(&["extract", "--compact", &redirect]));
    assert_eq!(x["next"]["responseKind"], "redirect");
    assert_eq!(x["next"]["redirect"]["url"], "/posts/");
}

#[test]
fn a_body_drawn_from_markdown_is_written_as_the_author_wrote_it() {
    let note = fixture("patterns/v155-plain/notes/a-winter-reading-list.txt");
    let out = next_rsc(&["markdown", &note]);
    assert_eq!(out.status.code(), Some(0));
    let markdown = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("draws a body from its prop"), "{stderr}");
    // The flight carries the Markdown as a string prop: every line of it is in the output.
    let flight = std::fs::read_to_string(&note).unwrap();
    let line = markdown
        .lines()
        .find(|l| l.starts_with("## "))
        .expect("a section heading of the Markdown source");
    assert!(flight.contains(line), "{line}");
}

#[test]
fn archive_reads_each_route_once_and_leaves_segment_files_out() {
    // A Next 16 export: per route an .html, its .txt and per-segment __next.*.txt files.
    let site = common::fixtures().join("patterns/v16-plain");
    let out = temp_dir("archive-routes-once");
    let run = next_rsc(&[
        "archive",
        &site.display().to_string(),
        "-o",
        &out.display().to_string(),
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let lines = index_lines(&out);
    let mut pages = 0;
    let mut stack = vec![site.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                pages += 1;
            }
        }
    }
    assert_eq!(lines.len(), pages, "one record per page");
    for line in &lines {
        let source = line["source"].as_str().unwrap();
        assert!(source.ends_with(".html"), "{source}");
        assert!(!source.contains("__next."), "{source}");
        assert_eq!(line["ok"], true, "{line}");
    }
    // The page's flight file is named in its record.
    assert!(lines.iter().any(|l| {
        l["flight"]
            .as_str()
            .is_some_and(|f| f.ends_with("posts.txt"))
    }));
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn extract_of_several_inputs_names_each_record_s_source() {
    let a = fixture("nextjs/v16/post-hello.rsc");
    let b = fixture("nextjs/v16/about.rsc");
    let out = next_rsc(&["extract", "--compact", &a, &b]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["source"], a.as_str());
    assert_eq!(lines[1]["source"], b.as_str());
    assert!(lines[0]["next"]["route"].is_string());
    // One input: the record is the extraction alone, as the library's Page serializes it.
    let one = next_rsc(&["extract", "--compact", &a]);
    let one: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert!(one.get("source").is_none());
    let page = next_rsc::Page::parse(&std::fs::read(&a).unwrap()).unwrap();
    assert_eq!(one, serde_json::to_value(&page).unwrap());
}

#[test]
fn html_and_markdown_of_several_inputs_write_one_file_each_or_refuse() {
    let a = fixture("nextjs/v16/post-hello.rsc");
    let b = fixture("nextjs/v16/about.rsc");
    let refused = next_rsc(&["html", &a, &b]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(refused.stdout.is_empty());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("-o DIR"));
    let dir = temp_dir("several-html");
    let dir_arg = dir.display().to_string();
    let out = next_rsc(&["html", &a, &b, "-o", &dir_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let html = std::fs::read_to_string(dir.join("post-hello.html")).unwrap();
    let page = next_rsc::Page::parse(&std::fs::read(&a).unwrap()).unwrap();
    assert_eq!(html, page.to_html().unwrap());
    assert!(dir.join("about.html").is_file());
    let out = next_rsc(&["markdown", &a, "-o", &dir_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let markdown = std::fs::read_to_string(dir.join("post-hello.md")).unwrap();
    assert!(markdown.starts_with("---\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_layout_flags_belong_to_the_commands_that_print_json() {
    let html = next_rsc(&["html", "--pretty", &fixture("nextjs/v16/about.rsc")]);
    assert_eq!(html.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&html.stderr).contains("--pretty"));
    let extract = next_rsc(&["extract", "--pretty", &fixture("nextjs/v16/about.rsc")]);
    assert!(extract.status.success());
}

#[test]
fn html_safe_has_no_active_content_and_keeps_the_text() {
    // A real page whose own inline scripts React's server would send.
    let page = fixture("sites/njsparser__swag.live.html");
    let plain = next_rsc(&["html", &page]);
    let safe = next_rsc(&["html", "--safe", &page]);
    assert!(
        safe.status.success(),
        "{}",
        String::from_utf8_lossy(&safe.stderr)
    );
    let plain = String::from_utf8(plain.stdout).unwrap();
    let safe = String::from_utf8(safe.stdout).unwrap();
    assert!(
        plain.contains("<script"),
        "the page has scripts to take out"
    );
    for active in [
        "<script",
        " onclick",
        "javascript:",
        "<iframe",
        "<object",
        "<embed",
        "<base",
    ] {
        assert!(
            !safe.to_ascii_lowercase().contains(active),
            "{active} in --safe output"
        );
    }
    // The visible words stay.
    let words = |html: &str| {
        let text = next_rsc::markup::html_text(html);
        text.split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let (theirs, ours) = (words(&plain), words(&safe));
    let kept = theirs.iter().filter(|w| ours.contains(w)).count();
    assert!(
        kept * 100 >= theirs.len() * 98,
        "{kept} of {} words",
        theirs.len()
    );
    assert!(String::from_utf8_lossy(&next_rsc(&["html", "--help"]).stdout).contains("--safe"));
}

#[test]
fn with_the_page_url_the_rendered_page_loads_its_assets_from_the_site() {
    let page = fixture("nextjs/v16/post-hello.rsc");
    let url = "https://example.com/posts/hello";
    let plain = String::from_utf8(next_rsc(&["html", "--url", url, &page]).stdout).unwrap();
    assert!(
        plain.contains("<head><base href=\"https://example.com/posts/hello\"/>"),
        "{plain}"
    );
    let safe =
        String::from_utf8(next_rsc(&["html", "--safe", "--url", url, &page]).stdout).unwrap();
    assert!(!safe.contains("<base"));
    assert!(
        safe.contains("<link rel=\"stylesheet\" href=\"https://example.com/_next/"),
        "{safe}"
    );
    // Relative links of the body are made absolute instead.
    assert!(!safe.contains("href=\"/"), "{safe}");
}

/// A run killed mid-write leaves a partial last line; resuming repairs it, does the
/// unfinished and the failed inputs again, and lists every input once, however its path
/// was written.
#[test]
fn resuming_an_interrupted_archive_lists_every_input_once() {
    let dir = temp_dir("resume-interrupted");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    for name in ["about.rsc", "post-hello.rsc", "home.rsc"] {
        std::fs::copy(
            common::fixtures().join("nextjs/v16").join(name),
            input.join(name),
        )
        .unwrap();
    }
    std::fs::write(input.join("broken.rsc"), "not a flight payload at all").unwrap();
    let out = dir.join("out");
    let (input_arg, out_arg) = (input.display().to_string(), out.display().to_string());
    let first = next_rsc(&["archive", &input_arg, "-o", &out_arg]);
    assert_eq!(first.status.code(), Some(1), "the broken input fails");
    // As if killed in the middle of writing a record, and of writing a page.
    std::fs::write(out.join(".half-a-page.html.partial"), "<html><bo").unwrap();
    let index = out.join("index.jsonl");
    let mut text = std::fs::read_to_string(&index).unwrap();
    text.push_str(r#"{"source":"half a rec"#);
    std::fs::write(&index, text).unwrap();
    // Resumed with the same folder written another way.
    let other_way = format!("{}/./", input.display());
    let resumed = next_rsc(&["archive", &other_way, "-o", &out_arg, "--resume"]);
    assert_eq!(resumed.status.code(), Some(1));
    let text = std::fs::read_to_string(&index).unwrap();
    assert!(text.ends_with('\n'));
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is a whole record"))
        .collect();
    assert_eq!(records.len(), 4, "{text}");
    assert_eq!(records.iter().filter(|r| r["ok"] == true).count(), 3);
    // No file is left half written under its own name.
    for entry in std::fs::read_dir(&out).unwrap().flatten() {
        assert!(!entry.file_name().to_string_lossy().ends_with(".partial"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Records that cannot be written are an error, not a quiet exit 0.
#[test]
fn archive_jsonl_fails_when_its_output_cannot_be_written() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not a Linux machine
    };
    let out = Command::new(env!("CARGO_BIN_EXE_next-rsc"))
        .args(["archive", "--jsonl", &fixture("nextjs/v16/about.rsc")])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
}

/// Two runs into one folder: the second refuses at once, saying why.
#[test]
fn a_second_archive_run_into_the_same_folder_refuses() {
    let dir = temp_dir("locked");
    let out = dir.join("out");
    let (out_arg, input) = (out.display().to_string(), fixture("nextjs/v16/about.rsc"));
    // Another run holds the folder (as a running archive does, with its lock file).
    std::fs::create_dir_all(&out).unwrap();
    let held = std::fs::File::create(out.join(".next-rsc.lock")).unwrap();
    held.lock().unwrap();
    let second = next_rsc(&["archive", &input, "-o", &out_arg]);
    drop(held);
    assert_eq!(second.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&second.stderr).contains("another next-rsc run"));
    // Once the first is done, a run goes ahead.
    let third = next_rsc(&["archive", &input, "-o", &out_arg]);
    assert_eq!(
        third.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A pipe named like a page in an input folder would block the run forever: it is
/// skipped and said; a file over the size limit fails with "too large"; the rest goes on.
#[test]
fn archive_skips_pipes_and_fails_inputs_that_are_too_large() {
    let dir = temp_dir("pipes");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(
        common::fixtures().join("nextjs/v16/about.rsc"),
        input.join("about.rsc"),
    )
    .unwrap();
    std::fs::copy(
        common::fixtures().join("nextjs/v16/post-hello.html"),
        input.join("big.html"),
    )
    .unwrap();
    let fifo = input.join("blocking.html");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return; // no mkfifo here
    }
    let out = dir.join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_next-rsc"))
        .args([
            "archive",
            &input.display().to_string(),
            "-o",
            &out.display().to_string(),
        ])
        .env("NEXT_RSC_MAX_INPUT_BYTES", "20000")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("blocking.html: not a regular file"),
        "{stderr}"
    );
    let index = std::fs::read_to_string(out.join("index.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = index
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let big = records
        .iter()
        .find(|r| r["source"].as_str().unwrap().ends_with("big.html"))
        .unwrap();
    assert_eq!(big["ok"], false);
    assert!(big["error"].as_str().unwrap().contains("too large"));
    assert!(records.iter().any(|r| r["ok"] == true));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Killed at any moment (SIGKILL: no handler runs), then resumed: every input is in the
/// index once, every line a whole record, every file it names complete.
#[test]
fn an_archive_killed_at_any_moment_resumes_to_a_whole_index() {
    let dir = temp_dir("killed");
    let input = copies_of_a_page(&dir, 400);
    let out = dir.join("out");
    let (input_arg, out_arg) = (input.display().to_string(), out.display().to_string());
    for delay in [30, 120] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_next-rsc"))
            .args(["archive", &input_arg, "-o", &out_arg, "--resume"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
    }
    let last = next_rsc(&["archive", &input_arg, "-o", &out_arg, "--resume"]);
    assert_eq!(
        last.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&last.stderr)
    );
    let index = std::fs::read_to_string(out.join("index.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = index
        .lines()
        .map(|l| serde_json::from_str(l).expect("a whole record"))
        .collect();
    let sources: std::collections::BTreeSet<&str> = records
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    assert_eq!(records.len(), 400, "each input once");
    assert_eq!(sources.len(), 400);
    for record in &records {
        assert_eq!(record["ok"], true);
        let html =
            std::fs::read_to_string(out.join(record["files"]["html"].as_str().unwrap())).unwrap();
        assert!(html.ends_with("</html>") || html.trim_end().ends_with("</html>"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Ctrl-C (SIGINT) or a TERM mid-run: the run stops within moments, exits 130 or 143,
/// and leaves a whole index that `--resume` completes.
#[test]
fn an_interrupted_archive_stops_cleanly_and_resumes() {
    let dir = temp_dir("sigint");
    let input = copies_of_a_page(&dir, 1200);
    let out = dir.join("out");
    let (input_arg, out_arg) = (input.display().to_string(), out.display().to_string());
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_next-rsc"))
            .args(["archive", &input_arg, "-o", &out_arg, "--resume"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status();
        if !sent.is_ok_and(|s| s.success()) {
            let _ = child.kill();
            let _ = child.wait();
            return; // no kill command here
        }
        let started = std::time::Instant::now();
        let status = child.wait().unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
        // The run may have ended before the signal came.
        if status.code() != Some(0) {
            assert_eq!(status.code(), Some(code), "SIG{signal}");
        }
        let index = std::fs::read_to_string(out.join("index.jsonl")).unwrap();
        assert!(index.is_empty() || index.ends_with('\n'));
        for line in index.lines() {
            serde_json::from_str::<serde_json::Value>(line).expect("a whole record");
        }
    }
    let last = next_rsc(&["archive", &input_arg, "-o", &out_arg, "--resume"]);
    assert_eq!(last.status.code(), Some(0));
    let index = std::fs::read_to_string(out.join("index.jsonl")).unwrap();
    assert_eq!(index.lines().count(), 1200);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A web archive cut short, inside a record's body or inside its header: the record is
/// listed as failed with why, never stored as a page, and the exit status says so.
#[test]
fn a_web_archive_cut_short_fails_the_cut_record() {
    let dir = temp_dir("warc-cut");
    let page = std::fs::read(fixture("nextjs/v14/post-hello.html")).unwrap();
    let mut response = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n".to_vec();
    response.extend_from_slice(&page);
    let first = warc_record("response", "https://blog.example.com/a", &response);
    let second = warc_record("response", "https://blog.example.com/b", &response);
    let header_end = second.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    for (name, cut) in [("body", header_end + 500), ("header", header_end / 2)] {
        let mut warc = first.clone();
        warc.extend_from_slice(&second[..cut]);
        let input = dir.join(format!("{name}.warc"));
        std::fs::write(&input, &warc).unwrap();
        let out = dir.join(name);
        let run = next_rsc(&[
            "archive",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(
            run.status.code(),
            Some(1),
            "{name}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let index = std::fs::read_to_string(out.join("index.jsonl")).unwrap();
        let records: Vec<serde_json::Value> = index
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(records.len(), 2, "{name}: {index}");
        assert_eq!(
            records.iter().filter(|r| r["ok"] == true).count(),
            1,
            "{name}"
        );
        let failed = records.iter().find(|r| r["ok"] == false).unwrap();
        assert!(
            failed["error"].as_str().unwrap().contains("file ends"),
            "{name}: {failed}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Lines of JSON a command printed.
fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn find_recipes_from_the_readme() {
    // A creator's offer, from a client component's props.
    let offer = next_rsc(&[
        "find",
        "--keys",
        "defaultPriceAmount,defaultProductId",
        &fixture("sites/njsparser__club.fans.html"),
    ]);
    assert_eq!(offer.status.code(), Some(0));
    let lines = json_lines(&offer);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["value"]["defaultPriceAmount"], 999);
    assert_eq!(lines[0]["value"]["fanCount"], 99);
    assert!(lines[0]["path"].as_str().unwrap().starts_with("/root/"));
    // A table of contents: in-page links with their text.
    let toc = next_rsc(&[
        "find",
        "--keys",
        "href,children",
        &fixture("patterns/v155-plain/docs/getting-started.txt"),
    ]);
    let entries: Vec<(String, String)> = json_lines(&toc)
        .iter()
        .filter(|l| l["value"]["href"].as_str().unwrap().starts_with('#'))
        .map(|l| {
            (
                l["value"]["children"].as_str().unwrap().to_string(),
                l["value"]["href"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        entries[1..],
        [
            ("Create a folder of notes".into(), "#create-a-folder".into()),
            (
                "Add a configuration file".into(),
                "#add-a-config-file".into()
            ),
            ("Build and preview".into(), "#build-and-preview".into()),
            ("Publish".into(), "#publish".into()),
        ]
    );
    // Every post card of a list page.
    let cards = next_rsc(&[
        "find",
        "--type",
        "article",
        &fixture("patterns/v155-plain/posts.txt"),
    ]);
    let keys: Vec<String> = json_lines(&cards)
        .iter()
        .map(|l| l["value"]["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys.len(), 6);
    assert!(
        keys.iter()
            .all(|k| k.starts_with("/posts/") || k.starts_with("/notes/"))
    );
    // Every image URL, absolute.
    let urls = next_rsc(&[
        "find",
        "--urls",
        "--url",
        "https://nextjs.org/",
        &fixture("sites/njsparser__nextjs.org.html"),
    ]);
    let images: Vec<String> = json_lines(&urls)
        .iter()
        .map(|l| l["value"].as_str().unwrap().to_string())
        .filter(|u| {
            [".png", ".jpg", ".jpeg", ".webp", ".avif", ".svg"]
                .iter()
                .any(|e| u.contains(e))
        })
        .collect();
    assert!(images.len() >= 10, "{images:?}");
    assert!(images.iter().all(|u| u.starts_with("https://")));
}

#[test]
fn find_and_get_answer_as_grep_does() {
    let page = fixture("nextjs/v16/post-hello.rsc");
    let none = next_rsc(&["find", "--text", "no such words here", &page]);
    assert_eq!(none.status.code(), Some(1));
    assert!(none.stdout.is_empty());
    let count = next_rsc(&["find", "--type", "Link", "--count", &page]);
    assert_eq!(String::from_utf8_lossy(&count.stdout).trim(), "14");
    let first = next_rsc(&["find", "--type", "h1", "--first", &page]);
    let lines = json_lines(&first);
    assert_eq!(lines.len(), 1);
    let title_path = format!("{}/props/children", lines[0]["path"].as_str().unwrap());
    let title = next_rsc(&["get", &title_path, &page]);
    assert_eq!(
        String::from_utf8_lossy(&title.stdout).trim(),
        "\"Hello, World\""
    );
    // Several inputs: each line names its source.
    let both = next_rsc(&[
        "find",
        "--type",
        "h1",
        &page,
        &fixture("nextjs/v15/post-hello.rsc"),
    ]);
    assert!(json_lines(&both).iter().all(|l| l["source"].is_string()));
    // Bad questions: exit 2 and a clear message.
    for (args, says) in [
        (
            vec!["find", "--text", "(", "--regex", page.as_str()],
            "not a regular expression",
        ),
        (
            vec!["get", "/root/nope", page.as_str()],
            "nothing at \"/root/nope\"",
        ),
        (vec!["get", "root", page.as_str()], "not a JSON pointer"),
        (
            vec!["find", "--keys", ",", page.as_str()],
            "at least one key",
        ),
    ] {
        let out = next_rsc(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // No selector at all: a usage error.
    assert_eq!(next_rsc(&["find", &page]).status.code(), Some(2));
}

#[test]
fn diff_prints_a_patch_and_a_summary() {
    let about = fixture("nextjs/v16/about.rsc");
    let home = fixture("nextjs/v16/home.rsc");
    let same = next_rsc(&["diff", &about, &about]);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&same.stdout).trim(), "[]");
    let patch = next_rsc(&["diff", "--compact", &about, &home]);
    assert_eq!(patch.status.code(), Some(1));
    let ops: Vec<serde_json::Value> = serde_json::from_slice(&patch.stdout).unwrap();
    assert!(!ops.is_empty());
    assert!(
        ops.iter()
            .all(|op| ["add", "remove", "replace"].contains(&op["op"].as_str().unwrap()))
    );
    let summary = next_rsc(&["diff", "--summary", &about, &home]);
    let text = String::from_utf8_lossy(&summary.stdout);
    assert!(
        text.contains(" changes: ") && text.contains("text"),
        "{text}"
    );
}
