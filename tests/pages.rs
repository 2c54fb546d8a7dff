//! HTML pages: the flight rebuilt from their `self.__next_f` scripts equals, byte for byte,
//! what the oracle's `reassemble.mjs` (Next's browser runtime) rebuilt, for every page.

mod common;

use next_rsc::next::flight_of_page;

/// Every page that has a rebuilt flight beside its golden: (page, flight) paths.
fn page_flights() -> Vec<(std::path::PathBuf, std::path::PathBuf)> {
    common::goldens()
        .into_iter()
        .filter(|g| g.input.extension().is_some_and(|e| e == "flight"))
        .map(|g| (g.source, g.input))
        .collect()
}

#[test]
fn every_page_rebuilds_to_the_oracles_flight() {
    let pages = page_flights();
    assert!(
        pages.len() >= 50,
        "expected every shared page, found {}",
        pages.len()
    );
    for (page, flight) in pages {
        let html = std::fs::read(&page).unwrap();
        let rebuilt =
            flight_of_page(&html).unwrap_or_else(|| panic!("{} has no flight", page.display()));
        let want = std::fs::read(&flight).unwrap();
        assert!(
            rebuilt.bytes == want,
            "{} rebuilds differently from {}",
            page.display(),
            flight.display()
        );
    }
}

#[test]
fn every_page_decodes_to_its_golden() {
    for (page, flight) in page_flights() {
        let html = std::fs::read(&page).unwrap();
        let rebuilt = flight_of_page(&html).unwrap();
        let golden = flight.with_extension("json");
        let want = std::fs::read_to_string(&golden).unwrap();
        assert_eq!(
            common::canonical(&rebuilt.bytes),
            want,
            "{}",
            page.display()
        );
    }
}

#[test]
fn pages_without_flight_are_told_apart() {
    let read = |name: &str| std::fs::read(common::fixtures().join("sites").join(name)).unwrap();
    // Pages router (its data is __NEXT_DATA__) and a page that is not Next.js at all.
    assert!(flight_of_page(&read("njsparser__m.soundcloud.com.html")).is_none());
    assert!(flight_of_page(&read("njsparser__x.com.html")).is_none());
    assert!(flight_of_page(&read("trusted-server__non-rsc-page.html")).is_none());
    // Data pushed without the [0] bootstrap: Next throws; we keep it and say so.
    let page = flight_of_page(&read("trusted-server__inlined-data-escaped.html")).unwrap();
    assert!(!page.bytes.is_empty());
    assert!(page.diagnostics[0].message.contains("bootstrap"));
}

#[test]
fn a_text_row_quoting_next_f_push_is_not_an_html_page() {
    let raw =
        std::fs::read(common::fixtures().join("edge/16_T_row_mentions_next_f_push.txt")).unwrap();
    assert!(!raw.starts_with(b"<"));
    assert!(
        flight_of_page(&raw).is_none(),
        "raw flight has no <script> element"
    );
}

#[test]
fn offsets_on_a_page_with_invalid_utf8_stay_inside_it() {
    // Found by the html fuzz target: offsets were counted in the text after invalid bytes
    // became U+FFFD (3 bytes each), so they pointed past the end of the page.
    let html = std::fs::read(common::fixtures().join("fuzz/page-with-invalid-utf8.html")).unwrap();
    let page = flight_of_page(&html).expect("it has next_f scripts");
    assert!(!page.diagnostics.is_empty());
    assert!(page.diagnostics.iter().all(|d| d.offset <= html.len()));
}
