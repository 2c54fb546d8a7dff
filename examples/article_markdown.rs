//! Prints a page's article as Markdown: `cargo run --example article_markdown -- PAGE`,
//! where PAGE is a saved HTML page, an `RSC: 1` response or a static export's `.txt`
//! (`-` reads standard input).

use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: article_markdown PAGE (a file, or - for standard input)");
        return ExitCode::from(2);
    };
    let bytes = if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map(|_| bytes)
    } else {
        std::fs::read(&path)
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    // The file's path tells a static export's trailing slash, and the front matter
    // names it as the source.
    let options = next_rsc::Options {
        source: Some(path.clone()),
        ..Default::default()
    };
    match next_rsc::Page::parse_with(&bytes, &options) {
        Ok(page) => match page.to_markdown() {
            Some(markdown) => {
                print!("{markdown}");
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("{path}: no article ({:?} page)", page.kind().kind);
                ExitCode::from(1)
            }
        },
        Err(e) => {
            eprintln!("{path}: {e}");
            ExitCode::from(2)
        }
    }
}
