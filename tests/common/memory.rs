//! Peak memory of a piece of work, as the process's resident size (Linux). One
//! measurement per test binary: after another measurement, a process's peak also depends
//! on what its allocator kept, and tests of one binary share a process.

/// Resident bytes now and at the peak since the last reset (`VmRSS`, `VmHWM`).
pub fn resident() -> (usize, usize) {
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
pub fn peak_added_by(work: impl FnOnce()) -> Option<usize> {
    // Writing 5 resets the peak to the current size (Linux 4.0+).
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    let (before, _) = resident();
    work();
    let (_, peak) = resident();
    Some(peak.saturating_sub(before))
}

/// Counts what is written without keeping it: the output is not the tool's memory.
pub struct Count(pub usize);

impl std::io::Write for Count {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Says how many times `input` the peak `added` is, and fails past `times`.
pub fn assert_within(what: &str, input: usize, added: usize, times: usize) {
    let ratio = added as f64 / input as f64;
    eprintln!("{input} bytes of {what}: peak {ratio:.2}x the input on top of it");
    assert!(
        added <= times * input,
        "{added} bytes for an input of {input} ({ratio:.1}x)"
    );
}
