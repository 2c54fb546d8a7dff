//! Walks web archives (or folders and files) and prints each Next.js page's URL and
//! title, a tab between them: `cargo run --example warc_titles -- crawl.warc.gz`.

use std::path::PathBuf;

use next_rsc::archive::{find_inputs, inputs};

fn main() {
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: warc_titles FILE.warc[.gz]|FOLDER …");
        std::process::exit(2);
    }
    let (files, problems) = find_inputs(&paths, None);
    for problem in problems {
        eprintln!("{problem}");
    }
    for input in inputs(files) {
        let bytes = match input.bytes() {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("{}: {e}", input.source);
                continue;
            }
        };
        // A record's URL resolves the page's links and tells its trailing slash.
        let options = next_rsc::Options {
            url: input.url().map(str::to_string),
            source: Some(input.source.clone()),
            ..Default::default()
        };
        match next_rsc::Page::parse_with(&bytes, &options) {
            Ok(page) => println!(
                "{}\t{}",
                input.url().unwrap_or(&input.source),
                page.metadata().title.as_deref().unwrap_or("")
            ),
            // Records that are not Next.js pages (images, scripts, other sites) are passed.
            Err(_) => continue,
        }
    }
}
