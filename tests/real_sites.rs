//! What next-rsc reads from the flight alone, scored against the server-rendered HTML of
//! the same routes (`tests/common/score.rs` says how).
//!
//! A corpus of third-party sites stays outside the repository: point
//! `NEXT_RSC_CORPUS` at its folder (with its `TRUTH.tsv`) and run
//! `cargo test --release --test real_sites -- --ignored --nocapture`.

mod common;

use common::score::{Score, routes, score_route};

#[test]
#[ignore = "needs a corpus outside the repository: NEXT_RSC_CORPUS=folder"]
fn corpus() {
    let Some(folder) = std::env::var_os("NEXT_RSC_CORPUS") else {
        panic!("set NEXT_RSC_CORPUS to a corpus folder with a TRUTH.tsv");
    };
    let routes = routes(std::path::Path::new(&folder));
    let mut score = Score::default();
    for route in &routes {
        score_route(route, &mut score);
    }
    if std::env::var_os("SHOW_MISSES").is_some() {
        for miss in &score.misses {
            println!("{miss}");
        }
    }
    if std::env::var_os("BY_SITE").is_some() {
        println!("{}", score.by_site());
    }
    println!("{} routes\n{}", routes.len(), score.report());
}
