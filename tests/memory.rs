//! Memory stays within a few times the input, whatever its shape: measured as the peak
//! resident size of this test's own process (Linux), which runs nothing else. A flight of
//! millions of small values once needed ~155 bytes per input byte.

#![cfg(target_os = "linux")]

/// Resident bytes now and at the peak since the last reset (`VmRSS`, `VmHWM`).
fn resident() -> (usize, usize) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").parse::<usize>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The peak resident bytes that `work` adds to what the process holds before it.
fn peak_added_by(work: impl FnOnce()) -> Option<usize> {
    // Writing 5 resets the peak to the current size (Linux 4.0+).
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    let (before, _) = resident();
    work();
    let (_, peak) = resident();
    Some(peak.saturating_sub(before))
}

#[test]
fn millions_of_small_values_need_a_few_bytes_each() {
    let mut flight = b"0:[".to_vec();
    for shape in ["1", "true", "null", "[]", "{}", "7"]
        .iter()
        .cycle()
        .take(3_000_000)
    {
        flight.extend_from_slice(shape.as_bytes());
        flight.push(b',');
    }
    flight.extend_from_slice(b"0]\n");
    let input = flight.len();
    let Some(added) = peak_added_by(|| {
        let page = next_rsc::Page::parse(&flight).expect("a flight");
        assert!(page.diagnostics().is_empty(), "{:?}", page.diagnostics());
        // Counted, not kept: the output is not the tool's memory.
        struct Count(usize);
        impl std::io::Write for Count {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0 += bytes.len();
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut written = Count(0);
        page.write_tree(true, &mut written).unwrap();
        assert!(written.0 > input / 2);
        std::hint::black_box(page.to_html().ok());
    }) else {
        eprintln!("no /proc/self/clear_refs here: not measured");
        return;
    };
    eprintln!(
        "{input} bytes of small values: peak {:.2}x the input on top of it",
        added as f64 / input as f64
    );
    // The input itself is already resident: within 4x the input all told.
    assert!(
        added <= 3 * input,
        "{added} bytes for an input of {input} ({:.1}x)",
        added as f64 / input as f64
    );
}
