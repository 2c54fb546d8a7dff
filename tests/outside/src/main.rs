//! `outside extract FILE` prints the page's JSON, `outside html FILE` its HTML, as the
//! `next-rsc` command line does; bytes that are no page exit 2 with the error.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [command, file] = args.as_slice() else {
        eprintln!("usage: outside extract|html FILE");
        return ExitCode::from(2);
    };
    let bytes = std::fs::read(file).expect("a readable file");
    // The file's path, as the command line is given it: a static export's layout tells
    // the trailing slash.
    let options = next_rsc::Options {
        source: Some(file.clone()),
        ..Default::default()
    };
    let page = match next_rsc::Page::parse_with(&bytes, &options) {
        Ok(page) => page,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(2);
        }
    };
    match command.as_str() {
        "extract" => println!("{}", serde_json::to_string(&page).expect("JSON")),
        "html" => print!("{}", page.to_html().expect("a page to render")),
        _ => return ExitCode::from(2),
    }
    ExitCode::SUCCESS
}
