//! The bytes of an exchange as they crossed the connection — the request as written, the
//! response as read, chunked framing and content coding intact — for web archives, which
//! keep what the server sent rather than what the client made of it.
//!
//! ureq hands over bodies de-chunked and decompressed, so the bytes are taken below it: a
//! connector at the end of ureq's chain wraps each connection (inside TLS, so the bytes
//! are plain HTTP) and copies what passes through into the recording of the thread making
//! the call. A blocking call does all its I/O on its own thread, and a pooled connection
//! serves one call at a time, so the thread tells the exchanges apart.

use std::cell::RefCell;

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// The bytes of one exchange (several, when the client followed redirects itself).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wire {
    /// What was written: request line, headers (and body).
    pub request: Vec<u8>,
    /// What was read: status line, headers and body, as sent.
    pub response: Vec<u8>,
}

thread_local! {
    static RECORDING: RefCell<Option<Wire>> = const { RefCell::new(None) };
}

/// Records the exchanges `call` makes on this thread.
pub(crate) fn recording<T>(call: impl FnOnce() -> T) -> (T, Wire) {
    RECORDING.with(|r| *r.borrow_mut() = Some(Wire::default()));
    let result = call();
    let wire = RECORDING
        .with(|r| r.borrow_mut().take())
        .unwrap_or_default();
    (result, wire)
}

fn record(each: impl FnOnce(&mut Wire)) {
    RECORDING.with(|r| {
        if let Some(wire) = r.borrow_mut().as_mut() {
            each(wire);
        }
    });
}

/// The last link of the connector chain: wraps every connection in a [`Recorder`].
#[derive(Debug)]
pub(crate) struct RecordingConnector;

impl Connector<Box<dyn Transport>> for RecordingConnector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<Box<dyn Transport>>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| Box::new(Recorder { inner }) as Box<dyn Transport>))
    }
}

/// A connection that copies its traffic into the thread's recording, when there is one.
#[derive(Debug)]
struct Recorder {
    inner: Box<dyn Transport>,
}

impl Transport for Recorder {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let output = self.inner.buffers().output();
        record(|wire| {
            wire.request
                .extend_from_slice(&output[..amount.min(output.len())])
        });
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        // What was unconsumed stays at the front of the input; what comes is appended.
        let before = self.inner.buffers().input().len();
        let progress = self.inner.await_input(timeout)?;
        let input = self.inner.buffers().input();
        record(|wire| {
            wire.response
                .extend_from_slice(input.get(before..).unwrap_or(&[]))
        });
        Ok(progress)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}
