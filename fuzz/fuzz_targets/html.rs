//! Any bytes as an HTML page: finding the `self.__next_f` scripts and rebuilding their
//! flight never panics, and every diagnostic offset is inside the page.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(page) = next_rsc::next::flight_of_page(data) {
        for d in &page.diagnostics {
            assert!(d.offset <= data.len() + 3);
        }
        let rows = next_rsc::flight::split_rows(&page.bytes);
        let _ = next_rsc::flight::resolve(&rows, Default::default());
    }
});
