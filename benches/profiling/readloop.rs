//! Reads every fixture payload many times (a workload to profile):
//! `cargo run --release --example readloop -- rsc 200`; with a third argument `extract`,
//! does what `next-rsc extract` does with each (read, extract, JSON).

fn main() {
    let mut args = std::env::args().skip(1);
    let ext = args.next().unwrap_or_else(|| "rsc".into());
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(200);
    let extract = args.next().is_some_and(|a| a == "extract");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/nextjs");
    let mut pages = Vec::new();
    for v in ["v13", "v14", "v15", "v16"] {
        for e in std::fs::read_dir(root.join(v)).unwrap().flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == ext.as_str()) {
                pages.push(std::fs::read(p).unwrap());
            }
        }
    }
    let mut total = 0;
    for _ in 0..rounds {
        for p in &pages {
            total += if extract {
                next_rsc::Page::parse(p)
                    .ok()
                    .and_then(|page| serde_json::to_vec(page.extraction()).ok())
                    .map_or(0, |json| json.len())
            } else {
                next_rsc::document::read(p)
                    .map(|d| d.page.len())
                    .unwrap_or(0)
            };
        }
    }
    println!("{total}");
}
