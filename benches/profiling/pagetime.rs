//! Times reading, extracting and rendering every fixture page, by kind:
//! `cargo run --profile profiling --example pagetime`.

use std::time::Instant;

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/nextjs");
    for ext in ["html", "rsc"] {
        let mut pages = Vec::new();
        for v in ["v13", "v14", "v15", "v16"] {
            for e in std::fs::read_dir(root.join(v)).unwrap().flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == ext) {
                    pages.push(std::fs::read(p).unwrap());
                }
            }
        }
        let bytes: usize = pages.iter().map(|p| p.len()).sum();
        let rounds = 50;
        let mut timings = [0f64; 4];
        for _ in 0..rounds {
            for p in &pages {
                let t = Instant::now();
                let html = next_rsc::next::read_page(p);
                timings[0] += t.elapsed().as_secs_f64();
                let _ = html;
                let t = Instant::now();
                let d = next_rsc::document::read(p).unwrap();
                timings[1] += t.elapsed().as_secs_f64();
                let t = Instant::now();
                let x = next_rsc::extract::extraction(&d);
                timings[2] += t.elapsed().as_secs_f64();
                let t = Instant::now();
                let _ = next_rsc::render::to_html(&d.page);
                if let Some(a) = &x.article {
                    let _ = a.to_markdown();
                }
                timings[3] += t.elapsed().as_secs_f64();
            }
        }
        let mb = (bytes * rounds) as f64 / 1e6;
        println!(
            "{ext}: {} pages, {bytes} bytes; html scan {:.0} MB/s, read {:.0} MB/s, extract {:.0} MB/s, render {:.0} MB/s",
            pages.len(),
            mb / timings[0],
            mb / timings[1],
            mb / timings[2],
            mb / timings[3]
        );
    }
}
