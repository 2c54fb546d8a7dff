//! Large input files are mapped into memory instead of read: reading 50 MB copies it
//! into fresh pages the kernel must first clear, which on these machines costs 40–80 ms,
//! as much as decoding it; mapping costs a few. The price of mapping is the one `unsafe`
//! of the command line: a mapped file that another process shrinks while we read it
//! raises SIGBUS. [`guard_against_shrinking_files`] turns that signal into a clear error
//! and exit status 2 instead of a crash with no message. The library never maps.

#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::ops::Deref;
use std::path::Path;
use std::sync::OnceLock;

/// Files smaller than this are read: below it, mapping saves nothing measurable.
const MAP_FROM_BYTES: u64 = 4 << 20;

/// The bytes of one input: read into memory, or mapped.
pub enum Input {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl Deref for Input {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Input::Read(bytes) => bytes,
            Input::Mapped(map) => map,
        }
    }
}

impl AsRef<[u8]> for Input {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

/// Opens a regular file within the size limit: mapped when large, read otherwise.
pub fn open(path: &Path) -> io::Result<Input> {
    let file = File::open(path)?;
    let size = next_rsc::input::checked_size(&file)?;
    if size < MAP_FROM_BYTES {
        return next_rsc::input::read_file(path).map(Input::Read);
    }
    if !guard_against_shrinking_files() {
        return next_rsc::input::read_file(path).map(Input::Read);
    }
    // SAFETY: the map is only read. Another process may still change the file while it
    // is mapped: changed bytes are input like any other (every byte sequence is valid
    // input), and a file cut short raises SIGBUS, which the guard above turns into an
    // orderly exit rather than undefined behaviour observed by the program.
    let map = unsafe { memmap2::MmapOptions::new().map(&file)? };
    Ok(Input::Mapped(map))
}

/// Installs, once, a SIGBUS handler that says what happened and exits with status 2;
/// false when it could not be installed (the caller then reads instead).
fn guard_against_shrinking_files() -> bool {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *INSTALLED.get_or_init(|| {
        const MESSAGE: &[u8] = b"next-rsc: an input file shrank or failed while it was \
            being read (SIGBUS on a mapped file); output so far is incomplete\n";
        // SAFETY: the handler only writes to file descriptor 2 and calls `_exit`, both
        // async-signal-safe; it never returns to the faulting read.
        let installed = unsafe {
            signal_hook::low_level::register(signal_hook::consts::SIGBUS, || {
                use std::io::Write;
                use std::os::fd::FromRawFd;
                let stderr = std::mem::ManuallyDrop::new(File::from_raw_fd(2));
                let _ = (&*stderr).write_all(MESSAGE);
                signal_hook::low_level::exit(2);
            })
        };
        installed.is_ok()
    })
}
