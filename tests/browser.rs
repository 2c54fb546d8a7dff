//! Rendered pages checked in a real browser: headless Chromium opens the HTML next-rsc
//! renders from a route's flight alone and the server's own HTML of that route, and the
//! text each shows (`document.body.innerText`) is compared; a screenshot of one is kept
//! in `target/browser/` for a reviewer to look at.
//!
//! Needs Chromium (Debian's `chromium` package): `./test.sh` installs it and runs this
//! with `cargo test --test browser -- --ignored`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Routes of every era, each as its `RSC: 1` payload and its server HTML.
const ROUTES: [&str; 6] = [
    "nextjs/v13/post-hello",
    "nextjs/v14/post-hello",
    "nextjs/v15/post-hello",
    "nextjs/v16/post-hello",
    "nextjs/v16/about",
    "nextjs/v14/about",
];

fn chromium() -> PathBuf {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("Chromium is installed (./test.sh installs Debian's chromium package)")
}

/// Where this run's pages and pictures go.
fn scratch() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The page with a script at its end that writes what the browser shows of the body
/// into a `<pre id="inner-text">` after it, where `--dump-dom` prints it. The page's own
/// scripts run too; those that load Next's chunks find no file and stop.
fn with_probe(html: &str) -> String {
    let probe = "<script>addEventListener('load',()=>{const p=document.createElement('pre');\
                 p.id='inner-text';p.textContent=document.body.innerText;\
                 document.documentElement.appendChild(p)})</script>";
    match html.rfind("</body>") {
        Some(at) => format!("{}{probe}{}", &html[..at], &html[at..]),
        None => format!("{html}{probe}"),
    }
}

/// The words of the body's text as Chromium shows it.
fn shown_words(browser: &Path, page: &Path) -> Vec<String> {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--allow-file-access-from-files",
            "--virtual-time-budget=3000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("Chromium runs");
    let dumped = String::from_utf8_lossy(&out.stdout);
    let text = dumped
        .split_once("<pre id=\"inner-text\">")
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(text, _)| {
            text.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
        })
        .unwrap_or_default();
    text.split_whitespace().map(str::to_string).collect()
}

#[test]
#[ignore = "needs Chromium: ./test.sh runs it"]
fn rendered_pages_show_in_a_browser_what_the_server_pages_show() {
    let browser = chromium();
    let dir = scratch();
    for route in ROUTES {
        let name = route.replace('/', "_");
        let flight = std::fs::read(common::fixtures().join(format!("{route}.rsc"))).unwrap();
        let server =
            std::fs::read_to_string(common::fixtures().join(format!("{route}.html"))).unwrap();
        let page = next_rsc::Page::parse(&flight).unwrap();
        let ours_path = dir.join(format!("{name}.ours.html"));
        let theirs_path = dir.join(format!("{name}.server.html"));
        std::fs::write(&ours_path, with_probe(&page.to_html().unwrap())).unwrap();
        std::fs::write(&theirs_path, with_probe(&server)).unwrap();
        let theirs = shown_words(&browser, &theirs_path);
        let ours = shown_words(&browser, &ours_path);
        assert!(
            theirs.len() >= 5,
            "{route}: the server page shows {theirs:?}"
        );
        let shown = common::score::overlap(&theirs, &ours);
        assert!(
            shown * 100 >= theirs.len() * 98,
            "{route}: the browser shows {shown} of the server page's {} words; missing e.g. {:?}",
            theirs.len(),
            theirs
                .iter()
                .filter(|w| !ours.contains(w))
                .take(10)
                .collect::<Vec<_>>()
        );
        // No script shows as text.
        for code in ["self.__next_f", "function(", "=>"] {
            assert!(
                !ours.iter().any(|w| w.contains(code)),
                "{route}: {code} shown"
            );
        }
        // The safe page shows the same text.
        let safe = page
            .to_html_with(next_rsc::HtmlSettings {
                safe: true,
                ..Default::default()
            })
            .unwrap();
        let safe_path = dir.join(format!("{name}.safe.html"));
        std::fs::write(&safe_path, with_probe(&safe)).unwrap();
        let safe_words = shown_words(&browser, &safe_path);
        assert!(
            common::score::overlap(&theirs, &safe_words) * 100 >= theirs.len() * 98,
            "{route}: the safe page lost words"
        );
    }
    // A picture of one page, as our renderer wrote it (without the probe), for a reviewer.
    let picture = dir.join("nextjs_v16_post-hello.png");
    let shown = dir.join("nextjs_v16_post-hello.html");
    let flight = std::fs::read(common::fixtures().join("nextjs/v16/post-hello.rsc")).unwrap();
    let page = next_rsc::Page::parse(&flight).unwrap().to_html().unwrap();
    std::fs::write(&shown, page).unwrap();
    let status = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,1600",
        ])
        .arg(format!("--screenshot={}", picture.display()))
        .arg(format!("file://{}", shown.display()))
        .output()
        .expect("Chromium runs");
    assert!(status.status.success() && picture.is_file(), "a screenshot");
}
