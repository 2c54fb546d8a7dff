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

/// Our own site (`fixtures/patterns/`, built with Next 14.2, 15.1, 15.5 webpack and
/// Turbopack, and 16.4, with and without a base path and trailing slashes): every
/// pattern the real-sites issue names, scored from the flight alone against the server's
/// HTML of each route.
#[test]
fn the_patterns_app_from_the_flight_alone() {
    let folder = common::fixtures().join("patterns");
    let routes = routes(&folder);
    assert!(routes.len() >= 200, "{} routes", routes.len());
    let mut score = Score::default();
    for route in &routes {
        score_route(route, &mut score);
    }
    let report = format!("{}\n{}", score.report(), score.misses.join("\n"));
    assert_eq!(score.metadata.hit, score.metadata.of, "{report}");
    assert_eq!(score.versions.hit, score.versions.of, "{report}");
    assert_eq!(score.kinds.hit, score.kinds.of, "{report}");
    assert_eq!(score.false_articles.hit, 0, "{report}");
    assert_eq!(score.navigation.hit, score.navigation.of, "{report}");
    // Every link we write is one the server's page writes (base path, trailing slash).
    assert_eq!(
        score.navigation_exact.hit, score.navigation_exact.of,
        "{report}"
    );
    assert_eq!(
        score.body_links_exact.hit, score.body_links_exact.of,
        "{report}"
    );
    // The 'use client' <Heading> draws anchor links the flight does not carry.
    assert!(score.body_links.share() >= 0.99, "{report}");
    // The same post's client <Callout title> draws a word the flight only has as a prop.
    assert!(score.articles.hit + 7 >= score.articles.of, "{report}");
    assert!(
        score.rendered_words / score.rendered_pages as f64 >= 0.99,
        "{report}"
    );
}
