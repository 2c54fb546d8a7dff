//! One row of a flight stream: its id, its tag and its payload, framed the way
//! React's own `processBinaryChunk` frames it (docs/FLIGHT-FORMAT.md §1), borrowed from the input.
//!
//! The framing is a small nom grammar over bytes. It never allocates: a row is a
//! few slices of the input, and a declared length is only compared, never reserved.

use nom::{
    IResult, Parser,
    bytes::streaming::{tag, take, take_while, take_while1},
};

/// The tag of a row, as React's client understands it (docs/FLIGHT-FORMAT.md §1.5, §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowTag {
    /// No tag: a JSON model row (`0:{…}`).
    Model,
    /// `I`: a client module reference.
    Import,
    /// `H` followed by its one-byte hint code (`HL`, `HS`, …).
    Hint(u8),
    /// `E`: the chunk is rejected with this error.
    Error,
    /// `T`: length-prefixed UTF-8 text.
    Text,
    /// A length-prefixed binary row (typed array, ArrayBuffer, DataView); the letter as sent.
    Binary(u8),
    /// `b`: one piece of an open byte stream (Next 16.1+).
    ByteChunk,
    /// `D`: development debug info.
    Debug,
    /// `W`: development console replay.
    Console,
    /// `N`: development time origin.
    TimeOrigin,
    /// `J` (modern): development I/O info.
    IoInfo,
    /// `P` (modern): postpone.
    Postpone,
    /// `R`: a ReadableStream starts.
    Stream,
    /// `r`: a byte ReadableStream starts.
    ByteStream,
    /// `X`: an async iterable starts.
    AsyncIterable,
    /// `x`: an async iterator starts.
    AsyncIterator,
    /// `C`: a stream or iterable closes.
    Close,
    /// Any other tag byte (uppercase letter or `#`): kept, resolved as a model like React does.
    Unknown(u8),
    /// A `T` that is not followed by a valid hex length: framed as a line and reported.
    MalformedText,
    /// Legacy (Next 13.0 – 13.1) rows: the tag letter comes before the id.
    Legacy(LegacyTag),
}

/// Row tags of the legacy grammar (docs/FLIGHT-FORMAT.md §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegacyTag {
    /// `J`: a JSON model.
    Model,
    /// `M`: a client module reference (object form).
    Module,
    /// `S`: a well-known symbol.
    Symbol,
    /// `P`: a server context provider.
    Provider,
    /// `E`: an error.
    Error,
}

impl RowTag {
    /// The tag as written on the wire: `""` for a model row, `"HL"` for a hint, `"T"`, `"I"`…
    pub fn wire(&self) -> String {
        let one = |b: u8| (b as char).to_string();
        match *self {
            RowTag::Model => String::new(),
            RowTag::Import => "I".into(),
            RowTag::Hint(code) => format!("H{}", code as char),
            RowTag::Error => "E".into(),
            RowTag::Text | RowTag::MalformedText => "T".into(),
            RowTag::Binary(b) | RowTag::Unknown(b) => one(b),
            RowTag::ByteChunk => "b".into(),
            RowTag::Debug => "D".into(),
            RowTag::Console => "W".into(),
            RowTag::TimeOrigin => "N".into(),
            RowTag::IoInfo => "J".into(),
            RowTag::Postpone => "P".into(),
            RowTag::Stream => "R".into(),
            RowTag::ByteStream => "r".into(),
            RowTag::AsyncIterable => "X".into(),
            RowTag::AsyncIterator => "x".into(),
            RowTag::Close => "C".into(),
            RowTag::Legacy(t) => match t {
                LegacyTag::Model => "J",
                LegacyTag::Module => "M",
                LegacyTag::Symbol => "S",
                LegacyTag::Provider => "P",
                LegacyTag::Error => "E",
            }
            .into(),
        }
    }

    /// True for rows whose payload is a byte count, not a line.
    pub fn is_length_prefixed(&self) -> bool {
        matches!(self, RowTag::Text | RowTag::Binary(_) | RowTag::ByteChunk)
    }
}

/// One framed row, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<'a> {
    /// The id as on the wire (empty for anonymous rows such as `:HL[…]`).
    pub id: &'a [u8],
    /// What kind of row this is.
    pub tag: RowTag,
    /// The payload: the line without its newline, or exactly the counted bytes.
    pub payload: &'a [u8],
    /// Byte offset of the row's first byte in the whole input.
    pub offset: usize,
    /// Bytes the row occupies in the input, terminator included.
    pub length: usize,
    /// False when the input ended before the row did (no newline, or fewer bytes than counted).
    pub complete: bool,
    /// How a `T` row whose declared length does not end it where a row starts was read
    /// instead; `None` for every sound row.
    pub repair: Option<TextRepair>,
}

/// How a damaged `T` row was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRepair {
    /// Its byte length counted CR LF line ends where the input has bare LFs (its line
    /// ends were converted, as Git's `autocrlf` does to committed exports): read with each
    /// bare LF counted as two bytes, which ends it where the next row starts.
    CountedCrlf,
    /// Its length is wrong (too short, too long, or not hex): read up to the row header
    /// nearest its declared end, looking back first (docs/FLIGHT-FORMAT.md §1.4.2).
    UpToNextRow {
        /// The byte length the row declared (`None` when it is not hex).
        declared: Option<u64>,
    },
}

impl Row<'_> {
    /// The numeric id (hex, either case), or `None` for an anonymous row or one
    /// whose id does not fit in 64 bits.
    pub fn numeric_id(&self) -> Option<u64> {
        if self.id.is_empty() {
            return None;
        }
        parse_hex(self.id)
    }

    /// The id as text.
    pub fn id_str(&self) -> &str {
        std::str::from_utf8(self.id).unwrap_or("?") // ok: ids are framed from hex digits only
    }
}

/// Parses a run of hex digits (either case) as u64; `None` when empty or too long.
pub fn parse_hex(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut v: u64 = 0;
    for &b in digits {
        v = (v << 4) | hex_value(b)? as u64;
    }
    Some(v)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

fn is_any_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// Letters that start a length-prefixed row when followed by `[0-9a-f]+,`
/// (docs/FLIGHT-FORMAT.md §1.4.1).
const LENGTH_TAGS: &[u8] = b"TACcUSsLlFDdNOoGgMmVb";

/// Which grammar the stream uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Next 13.0 – 13.1: `J0:…`, tag before id, every row a line.
    Legacy,
    /// Next 13.2 onwards: id first, `T` and binary rows by length.
    Modern,
}

/// What went wrong at a place where a row should have started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameProblem {
    /// An empty line between rows (React 13.4+ would fold it into the next id and lose that row).
    BlankLine,
    /// Bytes that are not a row header (`<hex>:`); skipped up to the next line.
    NotARowHeader,
    /// A row id that does not fit in 64 bits.
    IdTooLong,
}

/// The outcome of framing at one position.
#[derive(Debug)]
pub(crate) enum Frame<'a> {
    /// A row, `row.length` bytes long.
    Row(Row<'a>),
    /// Bytes to skip, and why.
    Skip(usize, FrameProblem),
    /// The input ends inside a row; more bytes are needed to decide.
    NeedMore,
    /// Nothing left.
    End,
}

/// Decides the grammar from the first bytes; `None` until enough bytes are there.
pub(crate) fn detect_syntax(input: &[u8], eof: bool) -> Option<Syntax> {
    let start = input
        .iter()
        .position(|&b| b != b'\n' && b != b'\r')
        .unwrap_or(input.len());
    let rest = &input[start..];
    match rest.first() {
        None => eof.then_some(Syntax::Modern),
        Some(b'J' | b'M' | b'S' | b'P') => Some(Syntax::Legacy),
        Some(b'E') => {
            // `E1:` is a legacy error row, or a modern row with an upper-case id:
            // only the legacy servers ever wrote a tag first.
            let digits = rest[1..].iter().take_while(|b| is_lower_hex(**b)).count();
            match rest.get(1 + digits) {
                Some(b':') => Some(Syntax::Legacy),
                Some(_) => Some(Syntax::Modern),
                None if eof => Some(Syntax::Modern),
                None => None,
            }
        }
        Some(_) => Some(Syntax::Modern),
    }
}

/// Frames the row that starts at `input[0]`. `offset` is the position of `input` in the
/// whole stream; `newline_from` lets a caller that already searched part of the input
/// for a newline skip that part; `eof` says no more bytes will come.
pub(crate) fn frame<'a>(
    input: &'a [u8],
    offset: usize,
    newline_from: usize,
    eof: bool,
    syntax: Syntax,
) -> Frame<'a> {
    if input.is_empty() {
        return Frame::End;
    }
    match syntax {
        Syntax::Modern => frame_modern(input, offset, newline_from, eof),
        Syntax::Legacy => frame_legacy(input, offset, newline_from, eof),
    }
}

/// `<hex id> ":"`, streaming: `Incomplete` while the id may still go on.
fn row_id(input: &[u8]) -> IResult<&[u8], &[u8]> {
    let (rest, id) = take_while(is_any_hex).parse(input)?;
    let (rest, _) = tag(&b":"[..]).parse(rest)?;
    Ok((rest, id))
}

/// `<letter> <lowercase hex> ","`: the header of a length-prefixed row.
fn length_header(input: &[u8]) -> IResult<&[u8], (u8, &[u8])> {
    let (rest, letter) = take(1usize).parse(input)?;
    if !LENGTH_TAGS.contains(&letter[0]) {
        return Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::OneOf,
        )));
    }
    let (rest, digits) = take_while1(is_lower_hex).parse(rest)?;
    let (rest, _) = tag(&b","[..]).parse(rest)?;
    Ok((rest, (letter[0], digits)))
}

/// Whether what follows a text row can be the next row: a row header (`<hex>:`, or a
/// hint's `:`), a line end, or the end of the input. `None` while too few bytes have come
/// to tell.
fn row_starts(input: &[u8], eof: bool) -> Option<bool> {
    let digits = input
        .iter()
        .take(17)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    match input.get(digits) {
        // An anonymous row is a hint (`:HL[…]`).
        Some(b':') if digits == 0 => match input.get(1) {
            Some(b'H') => Some(true),
            Some(_) => Some(false),
            None if eof => Some(false),
            None => None,
        },
        Some(b':') => Some(digits <= 16),
        Some(b'\n' | b'\r') if digits == 0 => Some(true),
        Some(_) => Some(false),
        None if eof => Some(digits == 0),
        None if digits >= 17 => Some(false),
        None => None,
    }
}

/// Where a text row ends if its `declared` byte length counted every bare LF of `text`
/// as CR LF; `None` when no such end falls inside `text` before its own end.
fn end_counting_crlf(text: &[u8], declared: u64) -> Option<usize> {
    let mut counted = 0u64;
    let mut previous = 0u8;
    for (i, &b) in text.iter().enumerate() {
        counted += if b == b'\n' && previous != b'\r' {
            2
        } else {
            1
        };
        previous = b;
        if counted == declared {
            return (i + 1 < text.len()).then_some(i + 1);
        }
        if counted > declared {
            return None;
        }
    }
    None
}

/// How far past a damaged text row's declared end a row header is looked for. Bounds the
/// work a stream fed in small chunks repeats while it waits for one.
const RECOVERY_WINDOW: usize = 1 << 20;

/// Where a row header was found for a damaged text row.
enum Found {
    /// The text ends at `text_end` (a line end before the header left out) and the next
    /// row starts at `next`.
    At { text_end: usize, next: usize },
    /// More input is needed to decide.
    NeedMore,
    /// No row header follows.
    Nowhere,
}

/// The row header nearest `declared_end` that a text row starting at `start` really ends
/// at: looking back from `declared_end` first (a length too long swallowed the next
/// rows), then forward (a length too short left text behind). A header counts only when
/// the row it opens is followed by another row header or the end of the input, so words
/// such as `Note:` or a row written inside the text do not.
fn next_row_near(input: &[u8], start: usize, declared_end: usize, eof: bool) -> Found {
    let found = |next: usize| {
        let mut text_end = next;
        if text_end > start && input[text_end - 1] == b'\n' {
            text_end -= 1;
            if text_end > start && input[text_end - 1] == b'\r' {
                text_end -= 1;
            }
        }
        Found::At { text_end, next }
    };
    // The first sound row header among these colons (the id may begin before the
    // declared end: a length too long by a byte or two).
    let first_sound = |colons: &mut dyn Iterator<Item = usize>| -> Option<Option<usize>> {
        for colon in colons {
            let Some(header) = header_start(input, start, colon) else {
                continue;
            };
            match opens_sound_row(input, header, eof) {
                Some(true) => return Some(Some(header)),
                Some(false) => {}
                None => return Some(None), // more input needed
            }
        }
        None
    };
    let back_from = declared_end.min(input.len());
    let mut back = memchr::memrchr_iter(b':', &input[start..back_from]).map(|c| start + c);
    match first_sound(&mut back) {
        Some(Some(header)) => return found(rows_ending_at(input, start, header)),
        Some(None) => return Found::NeedMore,
        None => {}
    }
    let window_end = back_from.saturating_add(RECOVERY_WINDOW).min(input.len());
    let mut forward =
        memchr::memchr_iter(b':', &input[back_from..window_end]).map(|c| back_from + c);
    match first_sound(&mut forward) {
        Some(Some(header)) => return found(header),
        Some(None) => return Found::NeedMore,
        None => {}
    }
    if eof || window_end - back_from == RECOVERY_WINDOW {
        Found::Nowhere
    } else {
        Found::NeedMore
    }
}

/// The first of the rows that run back to back up to `next`, after `start`: a length too
/// long by several rows swallowed them all, and each is given back.
fn rows_ending_at(input: &[u8], start: usize, mut next: usize) -> usize {
    'back: loop {
        for colon in memchr::memrchr_iter(b':', &input[start..next]) {
            let Some(header) = header_start(input, start, start + colon) else {
                continue;
            };
            if header > start && sound_row_end(input, header, true) == Some(Some(next)) {
                next = header;
                continue 'back;
            }
        }
        return next;
    }
}

/// Where the row id ending at the `:` at `colon` starts (not before `floor`): the longest
/// run of lower-case hex digits that starts with a digit (text before a header often
/// ends in a letter such as `e`), else one letter; the colon alone for a hint (`:HL`).
fn header_start(input: &[u8], floor: usize, colon: usize) -> Option<usize> {
    let run = input[floor..colon]
        .iter()
        .rev()
        .take(16)
        .take_while(|b| is_lower_hex(**b))
        .count();
    if run == 0 {
        return (input.get(colon + 1) == Some(&b'H')).then_some(colon);
    }
    let digits = &input[colon - run..colon];
    let from = digits
        .iter()
        .position(u8::is_ascii_digit)
        .unwrap_or(run - 1);
    // React writes ids without leading zeros.
    let from = (from..run)
        .find(|&i| digits[i] != b'0' || i == run - 1)
        .unwrap_or(run - 1);
    Some(colon - run + from)
}

/// Whether a sound row starts at `at` and is followed by another row header or the end of
/// the input; `None` while too few bytes have come to tell.
fn opens_sound_row(input: &[u8], at: usize, eof: bool) -> Option<bool> {
    let Some(row_end) = sound_row_end(input, at, eof)? else {
        return Some(false);
    };
    if row_end >= input.len() {
        return if eof { Some(true) } else { None };
    }
    Some(sound_row_end(input, row_end, eof)?.is_some())
}

/// Where the row starting at `at` ends, when it is framed soundly: a row id, then a row
/// that starts as one a server writes (JSON, a known tag with its opening byte, or a
/// length-prefixed row whose length fits). `Some(None)` when it is not such a row; `None`
/// while too few bytes have come to tell.
fn sound_row_end(input: &[u8], at: usize, eof: bool) -> Option<Option<usize>> {
    let rest = &input[at..];
    let id = rest
        .iter()
        .take(17)
        .take_while(|b| is_lower_hex(**b))
        .count();
    if id > 16 || (id > 1 && rest[0] == b'0') {
        return Some(None);
    }
    let after = match rest.get(id) {
        Some(b':') => &rest[id + 1..],
        Some(_) => return Some(None),
        None => return if eof { Some(None) } else { None },
    };
    let Some(&first) = after.first() else {
        return if eof { Some(None) } else { None };
    };
    let body = at + id + 1;
    let next = after.get(1).copied();
    let opens_value = |b: Option<u8>| matches!(b, Some(b'[' | b'{' | b'"'));
    if LENGTH_TAGS.contains(&first) {
        let digits = after[1..]
            .iter()
            .take(17)
            .take_while(|b| is_lower_hex(**b))
            .count();
        let header = digits > 0 && digits <= 16 && after.get(1 + digits) == Some(&b',');
        if !header && after.len() <= 1 + digits && digits <= 16 && !eof {
            return None;
        }
        if header {
            let length = usize::try_from(parse_hex(&after[1..=digits])?).ok()?;
            let end = (body + 2 + digits).checked_add(length);
            return match end {
                Some(end) if end <= input.len() => Some(Some(end)),
                Some(_) if !eof => None,
                _ => Some(None),
            };
        }
    }
    // Where the row's JSON starts, for the rows that carry JSON.
    let mut json_from = Some(body);
    let sound = match first {
        b'[' | b'{' | b'"' | b'-' | b'0'..=b'9' => true,
        b't' => after.starts_with(b"true"),
        b'f' => after.starts_with(b"false"),
        b'n' => after.starts_with(b"null"),
        b'H' if id == 0 => {
            json_from = Some(body + 2);
            next.is_some_and(|b| b.is_ascii_alphabetic()) && opens_value(after.get(2).copied())
        }
        _ if id == 0 => false,
        b'I' | b'E' | b'D' | b'W' | b'J' | b'P' => {
            json_from = Some(body + 1);
            opens_value(next)
        }
        b'H' => {
            json_from = Some(body + 2);
            next.is_some_and(|b| b.is_ascii_alphabetic()) && opens_value(after.get(2).copied())
        }
        b'N' => {
            json_from = None;
            next.is_some_and(|b| b.is_ascii_digit())
        }
        b'R' | b'r' | b'X' | b'x' | b'C' => {
            json_from = None;
            next == Some(b'\n') || opens_value(next)
        }
        _ => false,
    };
    if !sound {
        return if next.is_none() && !eof {
            None
        } else {
            Some(None)
        };
    }
    let (line_end, row_end) = match memchr::memchr(b'\n', after) {
        Some(i) => (body + i, body + i + 1),
        None if eof => (input.len(), input.len()),
        None => return None,
    };
    // The whole line must be the JSON a server writes, not text that happens to start so.
    let json = json_from.map(|from| &input[from.min(line_end)..line_end]);
    let valid = json.is_none_or(|json| {
        serde_json::from_slice::<serde::de::IgnoredAny>(json.strip_suffix(b"\r").unwrap_or(json))
            .is_ok()
    });
    Some(valid.then_some(row_end))
}

fn skip_line(input: &[u8], from: usize, eof: bool, problem: FrameProblem) -> Frame<'static> {
    match memchr::memchr(b'\n', &input[from.min(input.len())..]) {
        Some(i) => Frame::Skip(from + i + 1, problem),
        None if eof => Frame::Skip(input.len(), problem),
        None => Frame::NeedMore,
    }
}

fn frame_modern<'a>(input: &'a [u8], offset: usize, newline_from: usize, eof: bool) -> Frame<'a> {
    match input[0] {
        b'\n' => return Frame::Skip(1, FrameProblem::BlankLine),
        b'\r' if input.get(1) == Some(&b'\n') => return Frame::Skip(2, FrameProblem::BlankLine),
        b'\r' if input.len() == 1 && !eof => return Frame::NeedMore,
        _ => {}
    }
    let (after_id, id) = match row_id(input) {
        Ok(ok) => ok,
        Err(nom::Err::Incomplete(_)) if !eof => return Frame::NeedMore,
        Err(_) => return skip_line(input, 0, eof, FrameProblem::NotARowHeader),
    };
    if id.len() > 16 {
        return skip_line(input, 0, eof, FrameProblem::IdTooLong);
    }
    let body_start = input.len() - after_id.len();
    let row = |tag, payload_start: usize, payload_end: usize, length: usize, complete| {
        Frame::Row(Row {
            id,
            tag,
            payload: &input[payload_start..payload_end],
            offset,
            length,
            complete,
            repair: None,
        })
    };
    let Some(&first) = after_id.first() else {
        return if eof {
            row(RowTag::Model, body_start, body_start, input.len(), false)
        } else {
            Frame::NeedMore
        };
    };

    if LENGTH_TAGS.contains(&first) {
        match length_header(after_id) {
            Ok((payload, (letter, digits))) => {
                let start = input.len() - payload.len();
                let tag = match letter {
                    b'T' => RowTag::Text,
                    b'b' => RowTag::ByteChunk,
                    other => RowTag::Binary(other),
                };
                // A length of more than 16 hex digits cannot be satisfied by any input.
                let declared = parse_hex(digits).unwrap_or(u64::MAX);
                // A text whose length is wrong, read up to where the next row starts.
                let repaired = |text_end: usize, next: usize| {
                    Frame::Row(Row {
                        id,
                        tag,
                        payload: &input[start..text_end],
                        offset,
                        length: next,
                        complete: true,
                        repair: Some(TextRepair::UpToNextRow {
                            declared: Some(declared),
                        }),
                    })
                };
                let available = payload.len() as u64;
                if declared <= available {
                    let end = start + declared as usize;
                    if tag == RowTag::Text {
                        match row_starts(&input[end..], eof) {
                            Some(true) => {}
                            None => return Frame::NeedMore,
                            Some(false) => {
                                if let Some(end) = end_counting_crlf(&input[start..end], declared)
                                    .map(|len| start + len)
                                    .filter(|&end| row_starts(&input[end..], eof) == Some(true))
                                {
                                    return Frame::Row(Row {
                                        id,
                                        tag,
                                        payload: &input[start..end],
                                        offset,
                                        length: end,
                                        complete: true,
                                        repair: Some(TextRepair::CountedCrlf),
                                    });
                                }
                                match next_row_near(input, start, end, eof) {
                                    // A stray line after a right length: skipping that
                                    // line, as framing does, loses nothing more.
                                    Found::At { next, .. }
                                        if next > end
                                            && memchr::memchr(b'\n', &input[end..next])
                                                == Some(next - end - 1) => {}
                                    Found::At { text_end, next } => {
                                        return repaired(text_end, next);
                                    }
                                    Found::NeedMore => return Frame::NeedMore,
                                    Found::Nowhere => {}
                                }
                            }
                        }
                    }
                    return row(tag, start, end, end, true);
                }
                if !eof {
                    return Frame::NeedMore;
                }
                // Longer than what is left: the stream was cut inside the text, or the
                // length is too long and the text swallowed the rows after it.
                if let (RowTag::Text, Found::At { text_end, next }) =
                    (tag, next_row_near(input, start, input.len(), eof))
                {
                    return repaired(text_end, next);
                }
                return row(tag, start, input.len(), input.len(), false);
            }
            Err(nom::Err::Incomplete(_)) if !eof => return Frame::NeedMore,
            Err(_) => {} // not a length header: a line row
        }
    }

    let (tag, payload_start) = match first {
        b'A'..=b'Z' | b'#' | b'r' | b'x' => {
            let tag = match first {
                b'I' => RowTag::Import,
                b'H' => match after_id.get(1) {
                    None if !eof => return Frame::NeedMore,
                    None | Some(b'\n') => RowTag::Unknown(b'H'),
                    Some(&code) => RowTag::Hint(code),
                },
                b'E' => RowTag::Error,
                b'T' => RowTag::MalformedText,
                b'D' => RowTag::Debug,
                b'W' => RowTag::Console,
                b'N' => RowTag::TimeOrigin,
                b'J' => RowTag::IoInfo,
                b'P' => RowTag::Postpone,
                b'R' => RowTag::Stream,
                b'r' => RowTag::ByteStream,
                b'X' => RowTag::AsyncIterable,
                b'x' => RowTag::AsyncIterator,
                b'C' => RowTag::Close,
                other => RowTag::Unknown(other),
            };
            let skip = if matches!(tag, RowTag::Hint(_)) { 2 } else { 1 };
            (tag, body_start + skip)
        }
        _ => (RowTag::Model, body_start),
    };
    if tag == RowTag::MalformedText {
        // No length to go by: the text runs to where the next row starts, if one does.
        let after_tag = body_start + 1;
        match next_row_near(input, after_tag, after_tag, eof) {
            Found::At { text_end, next } => {
                return Frame::Row(Row {
                    id,
                    tag,
                    payload: &input[payload_start..text_end.max(payload_start)],
                    offset,
                    length: next,
                    complete: true,
                    repair: Some(TextRepair::UpToNextRow { declared: None }),
                });
            }
            Found::NeedMore => return Frame::NeedMore,
            Found::Nowhere => {}
        }
    }
    let search_from = newline_from.max(payload_start).min(input.len());
    match memchr::memchr(b'\n', &input[search_from..]) {
        Some(i) => {
            let end = search_from + i;
            row(tag, payload_start, end, end + 1, true)
        }
        None if eof => row(tag, payload_start, input.len(), input.len(), false),
        None => Frame::NeedMore,
    }
}

fn frame_legacy<'a>(input: &'a [u8], offset: usize, newline_from: usize, eof: bool) -> Frame<'a> {
    let line_end = match memchr::memchr(b'\n', &input[newline_from.min(input.len())..]) {
        Some(i) => Some(newline_from + i),
        None if eof => None,
        None => return Frame::NeedMore,
    };
    let (line, length) = match line_end {
        Some(end) => (&input[..end], end + 1),
        None => (input, input.len()),
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() {
        // The legacy client skips empty lines: nothing is lost.
        return Frame::Skip(length, FrameProblem::BlankLine);
    }
    let tag = match line[0] {
        b'J' => LegacyTag::Model,
        b'M' => LegacyTag::Module,
        b'S' => LegacyTag::Symbol,
        b'P' => LegacyTag::Provider,
        b'E' => LegacyTag::Error,
        _ => return Frame::Skip(length, FrameProblem::NotARowHeader),
    };
    let Ok((payload, id)) = row_id(&line[1..]) else {
        return Frame::Skip(length, FrameProblem::NotARowHeader);
    };
    if id.len() > 16 {
        return Frame::Skip(length, FrameProblem::IdTooLong);
    }
    Frame::Row(Row {
        id,
        tag: RowTag::Legacy(tag),
        payload,
        offset,
        length,
        complete: line_end.is_some(),
        repair: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(input: &[u8]) -> Row<'_> {
        match frame(input, 0, 0, true, Syntax::Modern) {
            Frame::Row(r) => r,
            other => panic!("expected a row, got {other:?}"),
        }
    }

    #[test]
    fn text_row_is_framed_by_bytes_and_the_next_row_follows_directly() {
        let input = "5:T6,héllo6:{}\n".as_bytes();
        let r = one(input);
        assert_eq!(
            (r.id, r.tag, r.payload),
            (&b"5"[..], RowTag::Text, "héllo".as_bytes())
        );
        assert_eq!(r.length, 11);
    }

    #[test]
    fn debug_row_with_json_is_a_line_but_d8_comma_is_a_float64_array() {
        assert_eq!(one(b"6:D\"$7\"\n").tag, RowTag::Debug);
        assert_eq!(one(b"2:D8,12345678").tag, RowTag::Binary(b'D'));
        assert_eq!(one(b"6:C\n").tag, RowTag::Close);
        assert_eq!(one(b":N1795837003690.21\n").tag, RowTag::TimeOrigin);
    }

    #[test]
    fn hint_rows_carry_their_code() {
        let r = one(b":HL[\"/a.css\",\"style\"]\n");
        assert_eq!((r.id, r.tag), (&b""[..], RowTag::Hint(b'L')));
        assert_eq!(r.payload, b"[\"/a.css\",\"style\"]");
    }

    #[test]
    fn a_partial_header_waits_for_more_bytes() {
        assert!(matches!(
            frame(b"5:T4", 0, 0, false, Syntax::Modern),
            Frame::NeedMore
        ));
        assert!(matches!(
            frame(b"5", 0, 0, false, Syntax::Modern),
            Frame::NeedMore
        ));
        assert!(matches!(
            frame(b"5:T4,ab", 0, 0, false, Syntax::Modern),
            Frame::NeedMore
        ));
    }

    #[test]
    fn a_huge_declared_length_is_incomplete_not_an_allocation() {
        let r = one(b"1:Tffffffff,abc");
        assert!(!r.complete);
        assert_eq!(r.payload, b"abc");
    }

    #[test]
    fn legacy_rows_put_the_tag_first() {
        let input = b"J0:[\"@1\"]\n";
        assert_eq!(detect_syntax(input, true), Some(Syntax::Legacy));
        match frame(input, 0, 0, true, Syntax::Legacy) {
            Frame::Row(r) => {
                assert_eq!(r.tag, RowTag::Legacy(LegacyTag::Model));
                assert_eq!((r.id, r.payload), (&b"0"[..], &b"[\"@1\"]"[..]));
            }
            other => panic!("{other:?}"),
        }
    }
}
