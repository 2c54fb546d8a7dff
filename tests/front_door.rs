//! The library's front door, used from outside as a user would: a program that depends on
//! `next-rsc` with `default-features = false` (`tests/outside/`) gets from `Page::parse`
//! the same JSON as `next-rsc extract` and the same HTML as `next-rsc html`, on flights
//! and HTML pages, and an error on bytes that are no page.

mod common;

use std::path::PathBuf;
use std::process::Command;

fn cli(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_next-rsc"))
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn a_program_outside_gets_what_the_command_line_prints() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let manifest = root.join("tests/outside/Cargo.toml");
    // Its own target folder: this test's cargo still holds the crate's.
    let target = root.join("target/outside");
    let build = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--offline", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target)
        .status()
        .expect("cargo runs");
    assert!(
        build.success(),
        "the outside program builds without the cli feature"
    );
    let program = target
        .join("debug")
        .join(format!("outside{}", std::env::consts::EXE_SUFFIX));
    let outside = |command: &str, file: &str| {
        Command::new(&program)
            .args([command, file])
            .output()
            .expect("the program runs")
    };
    for fixture in [
        "nextjs/v16/post-hello.rsc",
        "nextjs/v16/post-hello.html",
        "nextjs/v14/about.html",
        "seed/000_7b5ef04b44413318.txt",
    ] {
        let file = common::fixtures().join(fixture).display().to_string();
        let json = outside("extract", &file);
        assert!(json.status.success(), "{fixture}");
        let theirs: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        let ours: serde_json::Value =
            serde_json::from_slice(&cli(&["extract", "--compact", &file])).unwrap();
        assert_eq!(theirs, ours, "{fixture}: extract");
        let html = outside("html", &file);
        assert!(html.status.success(), "{fixture}");
        assert_eq!(html.stdout, cli(&["html", &file]), "{fixture}: html");
    }
    let not_a_page = common::fixtures().join("README.md").display().to_string();
    let refused = outside("extract", &not_a_page);
    assert_eq!(refused.status.code(), Some(2));
    assert!(!refused.stderr.is_empty());
}

/// The published package: the code and its documents, no captured third-party page, at
/// most 1 MiB.
#[test]
fn the_package_holds_no_captured_page_and_stays_small() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline", "--quiet"])
        .current_dir(&root)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert!(files.iter().any(|f| f == "src/lib.rs"));
    assert!(
        files.iter().any(|f| f == "LICENSE-MIT") && files.iter().any(|f| f == "LICENSE-APACHE")
    );
    for file in &files {
        assert!(
            !file.starts_with("fixtures/") && !file.starts_with("tests/"),
            "{file} would be published"
        );
    }
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(root.join(f)).ok())
        .map(|m| m.len())
        .sum();
    // crates.io takes 10 MB; the sources, docs and examples are about 1 MB.
    assert!(bytes <= 2 << 20, "{bytes} bytes");
}

/// `Page::parse_owned` keeps a raw flight instead of copying it, and reads every fixture
/// payload and page exactly as `Page::parse` does: the same extraction, the same flight,
/// the same tree.
#[test]
fn a_page_given_its_input_reads_as_one_given_a_borrow() {
    let root = common::fixtures().join("nextjs");
    let mut compared = 0;
    for version in ["v13", "v14", "v15", "v16"] {
        for entry in std::fs::read_dir(root.join(version)).unwrap().flatten() {
            let path = entry.path();
            if !path
                .extension()
                .is_some_and(|e| e == "html" || e == "rsc" || e == "txt")
            {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let options = next_rsc::Options::default();
            let (Ok(borrowed), Ok(owned)) = (
                next_rsc::Page::parse_with(&bytes, &options),
                next_rsc::Page::parse_owned(bytes.clone(), &options),
            ) else {
                continue;
            };
            let json = |page: &next_rsc::Page| serde_json::to_string(page.extraction()).unwrap();
            assert_eq!(json(&borrowed), json(&owned), "{}", path.display());
            assert_eq!(borrowed.flight(), owned.flight(), "{}", path.display());
            let tree = |page: &next_rsc::Page| {
                let mut out = Vec::new();
                page.write_tree(true, &mut out).unwrap();
                out
            };
            assert_eq!(tree(&borrowed), tree(&owned), "{}", path.display());
            compared += 1;
        }
    }
    assert!(compared > 100, "{compared}");
}
