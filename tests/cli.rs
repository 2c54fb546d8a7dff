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

#[test]
fn tree_without_canonical_is_readable_and_shows_module_chunks() {
    let out = next_rsc(&["tree", &fixture("edge/02_turbopack_I_string_module_id.txt")]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let client = &json["root"]["$el"]["$client"];
    assert_eq!(client["name"], "default");
    assert_eq!(client["chunks"][0], "static/chunks/src_a._.js");
    assert!(String::from_utf8_lossy(&out.stdout).contains("\n  \"root\": {"));
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
