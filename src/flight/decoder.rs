//! Turns bytes into rows, all at once or chunk by chunk. Chunks may split the input
//! anywhere (inside a UTF-8 character, a `T` length, a `\r\n`): the rows that come out
//! are the same as for the whole input. Damaged regions are skipped and reported, and
//! framing resumes at the next row header.

use super::row::{Frame, FrameProblem, Row, RowTag, Syntax, TextRepair, detect_syntax, frame};
use crate::error::{Diagnostic, DiagnosticKind};

/// The rows of a whole input, borrowed from it, and what was wrong with its framing.
#[derive(Debug, Default)]
pub struct Rows<'a> {
    /// Every row, in stream order.
    pub rows: Vec<Row<'a>>,
    /// Framing problems, in stream order.
    pub diagnostics: Vec<Diagnostic>,
    /// Which grammar the stream uses (`None` for an empty input).
    pub syntax: Option<Syntax>,
}

impl Rows<'_> {
    /// True when the input reads as a flight stream: it starts with a row header, or
    /// rows make up most of it. An HTML page or a JSON document may frame a few rows by
    /// accident, but neither starts with one.
    pub fn is_flight(&self, input: &[u8]) -> bool {
        let Some(first) = self.rows.first() else {
            return false;
        };
        let bom = if input.starts_with(BOM) { BOM.len() } else { 0 };
        let leading = bom
            + input[bom..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        let covered: usize = self.rows.iter().map(|r| r.length).sum();
        first.offset == leading || covered * 2 >= input.len()
    }
}

/// Splits a whole input into rows without copying.
pub fn split_rows(input: &[u8]) -> Rows<'_> {
    let mut framer = Framer::default();
    let mut rows = Vec::with_capacity(input.len() / 256 + 4);
    framer.run(input, 0, true, &mut |row| rows.push(row));
    Rows {
        rows,
        diagnostics: framer.diagnostics,
        syntax: framer.syntax,
    }
}

/// A streaming row decoder: [`feed`](Decoder::feed) it chunks, then call
/// [`finish`](Decoder::finish). Rows are handed to a callback as soon as they are complete;
/// a row that lies inside one chunk is borrowed from it, one that spans chunks is
/// borrowed from the decoder's carry buffer.
///
/// ```
/// use next_rsc::flight::Decoder;
/// let mut decoder = Decoder::new();
/// let mut ids = Vec::new();
/// for chunk in [&b"0:\"a"[..], b"\"\n1:T3,x", b"yz2:null\n"] {
///     decoder.feed(chunk, |row| ids.push(row.id_str().to_string()));
/// }
/// decoder.finish(|row| ids.push(row.id_str().to_string()));
/// assert_eq!(ids, ["0", "1", "2"]);
/// ```
#[derive(Debug, Default)]
pub struct Decoder {
    framer: Framer,
    carry: Vec<u8>,
    carry_offset: usize,
}

impl Decoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next chunk; `on_row` gets every row completed by it.
    pub fn feed(&mut self, chunk: &[u8], mut on_row: impl FnMut(Row<'_>)) {
        if self.carry.is_empty() {
            let used = self
                .framer
                .run(chunk, self.carry_offset, false, &mut on_row);
            self.carry.extend_from_slice(&chunk[used..]);
            self.carry_offset += used;
            self.framer.newline_from = self.framer.newline_from.saturating_sub(used);
        } else {
            self.carry.extend_from_slice(chunk);
            let carry = std::mem::take(&mut self.carry);
            let used = self
                .framer
                .run(&carry, self.carry_offset, false, &mut on_row);
            self.carry = carry;
            self.carry.drain(..used);
            self.carry_offset += used;
            self.framer.newline_from = self.framer.newline_from.saturating_sub(used);
        }
    }

    /// Ends the stream: a last row without its terminator is handed over too (marked
    /// incomplete and reported).
    pub fn finish(&mut self, mut on_row: impl FnMut(Row<'_>)) {
        let carry = std::mem::take(&mut self.carry);
        let used = self
            .framer
            .run(&carry, self.carry_offset, true, &mut on_row);
        self.carry_offset += used;
    }

    /// The framing problems met so far.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.framer.diagnostics
    }

    /// The grammar of the stream, once the first bytes decided it.
    pub fn syntax(&self) -> Option<Syntax> {
        self.framer.syntax
    }
}

/// UTF-8's byte-order mark, which some tools write before a stream.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// The state that survives between chunks.
#[derive(Debug, Default)]
struct Framer {
    /// The stream's first bytes were looked at (a byte-order mark skipped).
    started: bool,
    syntax: Option<Syntax>,
    /// Within the pending input, bytes before this were already searched for a newline.
    newline_from: usize,
    /// The last row was length-prefixed: (its id, its offset), to explain a bad length.
    after_length_row: Option<(Vec<u8>, usize)>,
    diagnostics: Vec<Diagnostic>,
}

impl Framer {
    /// Frames as many rows as `input` holds; returns how many bytes were used.
    fn run<'a>(
        &mut self,
        input: &'a [u8],
        offset: usize,
        eof: bool,
        on_row: &mut dyn FnMut(Row<'a>),
    ) -> usize {
        if !self.started {
            if input.len() < BOM.len() && BOM.starts_with(input) && !eof {
                return 0;
            }
            self.started = true;
            if offset == 0 && input.starts_with(BOM) {
                self.diagnostics.push(Diagnostic::new(
                    0,
                    None,
                    DiagnosticKind::NotARowHeader,
                    "a byte-order mark before the first row: skipped (React would lose that row)",
                ));
                return BOM.len() + self.run(&input[BOM.len()..], BOM.len(), eof, on_row);
            }
        }
        let syntax = match self.syntax {
            Some(s) => s,
            None => match detect_syntax(input, eof) {
                Some(s) => {
                    self.syntax = Some(s);
                    s
                }
                None => return 0,
            },
        };
        let mut pos = 0;
        loop {
            let rest = &input[pos..];
            match frame(rest, offset + pos, self.newline_from, eof, syntax) {
                Frame::Row(row) => {
                    self.check_row(&row);
                    self.after_length_row = row
                        .tag
                        .is_length_prefixed()
                        .then(|| (row.id.to_vec(), row.offset));
                    pos += row.length;
                    self.newline_from = 0;
                    on_row(row);
                }
                Frame::Skip(len, problem) => {
                    self.report_skip(problem, offset + pos, &rest[..len], syntax);
                    pos += len;
                    self.newline_from = 0;
                }
                Frame::NeedMore => {
                    // Remember how far the newline search got so a long line fed
                    // in small chunks is scanned once, not once per chunk.
                    self.newline_from = rest.len();
                    return pos;
                }
                Frame::End => return pos,
            }
        }
    }

    fn check_row(&mut self, row: &Row<'_>) {
        let diag = |kind, message: String| Diagnostic::new(row.offset, Some(row.id), kind, message);
        if row.id.iter().any(u8::is_ascii_uppercase) {
            self.diagnostics.push(diag(
                DiagnosticKind::UnusualRowId,
                "row id has upper-case hex digits; servers write lower case (React reads them as other ids)".into(),
            ));
        }
        if row.id.len() > 8 {
            self.diagnostics.push(diag(
                DiagnosticKind::UnusualRowId,
                format!(
                    "row id has {} hex digits; React keeps only 32 bits of it",
                    row.id.len()
                ),
            ));
        }
        match (row.tag, row.repair) {
            (RowTag::MalformedText, Some(_)) => self.diagnostics.push(diag(
                DiagnosticKind::MalformedText,
                format!(
                    "T row without a hex byte length: read as {} bytes, up to where the next row \
                     starts at byte {}",
                    row.payload.len(),
                    row.offset + row.length
                ),
            )),
            (RowTag::MalformedText, None) => self.diagnostics.push(diag(
                DiagnosticKind::MalformedText,
                "T row without a hex byte length: read up to the end of its line".into(),
            )),
            (_, Some(TextRepair::UpToNextRow { declared })) => self.diagnostics.push(diag(
                DiagnosticKind::WrongTextLength,
                format!(
                    "the text row declares {} bytes, which do not end where a row starts: read as \
                     {} bytes, up to where the next row starts at byte {}",
                    declared.unwrap_or_default(),
                    row.payload.len(),
                    row.offset + row.length
                ),
            )),
            _ => {}
        }
        if row.repair == Some(TextRepair::CountedCrlf) {
            self.diagnostics.push(diag(
                DiagnosticKind::LineEndsConverted,
                format!(
                    "the text row's length counts CR LF line ends where the input has bare LFs \
                     (line ends converted, as Git's autocrlf does): read as {} bytes, up to where \
                     the next row starts",
                    row.payload.len()
                ),
            ));
        }
        if let RowTag::Unknown(tag) = row.tag {
            self.diagnostics.push(diag(
                DiagnosticKind::UnknownTag,
                format!(
                    "unknown row tag {:?}: kept, read as a model like React does",
                    tag as char
                ),
            ));
        }
        if !row.complete {
            let message = if row.tag.is_length_prefixed() {
                format!(
                    "the input ends {} bytes into a {}-tagged row whose length header asks for more",
                    row.payload.len(),
                    row.tag.wire()
                )
            } else {
                "the last row has no terminating newline (kept; React drops it)".into()
            };
            self.diagnostics
                .push(diag(DiagnosticKind::IncompleteRow, message));
        }
    }

    fn report_skip(&mut self, problem: FrameProblem, offset: usize, bytes: &[u8], syntax: Syntax) {
        let (kind, message) = match problem {
            FrameProblem::BlankLine if syntax == Syntax::Legacy => return,
            FrameProblem::BlankLine => (
                DiagnosticKind::BlankLine,
                "empty line between rows skipped (React 13.4+ folds it into the next row id and loses that row)".to_string(),
            ),
            FrameProblem::IdTooLong => (
                DiagnosticKind::UnusualRowId,
                format!("row id longer than 16 hex digits: {} bytes skipped", bytes.len()),
            ),
            FrameProblem::NotARowHeader => match &self.after_length_row {
                Some((id, at)) => {
                    let id = String::from_utf8_lossy(id);
                    (
                        DiagnosticKind::NotARowHeader,
                        format!(
                            "{} bytes after the length-prefixed row {id:?} (at byte {at}) are not a row header: \
                             its declared length is probably wrong; skipped to the next line",
                            bytes.len()
                        ),
                    )
                }
                None => (
                    DiagnosticKind::NotARowHeader,
                    format!("{} bytes that are not a row header skipped", bytes.len()),
                ),
            },
        };
        self.diagnostics
            .push(Diagnostic::new(offset, None, kind, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(input: &[u8]) -> Vec<String> {
        split_rows(input)
            .rows
            .iter()
            .map(|r| r.id_str().to_string())
            .collect()
    }

    #[test]
    fn blank_lines_are_skipped_and_reported() {
        let out = split_rows(b"\n\n0:{}\n\n1:\"one\"\n");
        assert_eq!(out.rows.len(), 2);
        assert_eq!(out.diagnostics.len(), 3);
        assert!(
            out.diagnostics
                .iter()
                .all(|d| d.kind == DiagnosticKind::BlankLine)
        );
    }

    #[test]
    fn a_short_text_length_reads_on_to_the_next_row() {
        // Next writes text rows with no line end after them.
        let input = b"1:T5,hello world2:\"two\"\n0:{}\n";
        let out = split_rows(input);
        assert_eq!(ids(input), ["1", "2", "0"]);
        assert_eq!(out.rows[0].payload, b"hello world");
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].kind, DiagnosticKind::WrongTextLength);
        assert_eq!(out.diagnostics[0].row.as_deref(), Some("1"));
        assert!(out.diagnostics[0].message.contains("at byte 16"));
    }

    #[test]
    fn a_stray_line_after_a_text_row_is_skipped_and_its_length_kept() {
        // Skipping the line loses nothing more: the declared length is taken at its word.
        let input = b"1:T5,hello world\n2:\"two\"\n0:{}\n";
        let out = split_rows(input);
        assert_eq!(ids(input), ["1", "2", "0"]);
        assert_eq!(out.rows[0].payload, b"hello");
        assert_eq!(out.diagnostics[0].kind, DiagnosticKind::NotARowHeader);
        assert!(out.diagnostics[0].message.contains("\"1\""));
    }

    #[test]
    fn a_long_text_length_gives_back_the_rows_it_swallowed() {
        // Next writes text rows with no line end after them.
        let input = b"1:T9,hello2:\"two\"\n3:\"three\"\n0:{}\n";
        assert_eq!(ids(input), ["1", "2", "3", "0"]);
        assert_eq!(split_rows(input).rows[0].payload, b"hello");
        // Longer than the whole rest of the input.
        let input = b"1:T400,hello2:\"two\"\n0:{}\n";
        assert_eq!(ids(input), ["1", "2", "0"]);
        let out = split_rows(input);
        assert_eq!(out.rows[0].payload, b"hello");
        assert!(out.rows[0].complete);
        assert_eq!(out.diagnostics[0].kind, DiagnosticKind::WrongTextLength);
    }

    #[test]
    fn a_text_length_that_is_not_hex_reads_on_to_the_next_row() {
        let input = b"1:Tzz,hello\nworld2:\"two\"\n0:{}\n";
        assert_eq!(ids(input), ["1", "2", "0"]);
        let out = split_rows(input);
        assert_eq!(out.rows[0].payload, b"zz,hello\nworld");
        assert_eq!(out.diagnostics[0].kind, DiagnosticKind::MalformedText);
    }

    #[test]
    fn what_only_looks_like_a_row_inside_the_text_is_not_where_it_ends() {
        // `Note:` and `e:` are no row headers; a row written inside the text is followed
        // by more text, not by a row.
        let input = b"1:T4,Note: a 1:I[\"x\",[],\"y\"] and more2:\"two\"\n0:{}\n";
        assert_eq!(ids(input), ["1", "2", "0"]);
        assert_eq!(
            split_rows(input).rows[0].payload,
            b"Note: a 1:I[\"x\",[],\"y\"] and more"
        );
        // A header right after a word: the id is the digits, not the word's last letter.
        let input = b"1:T3,the2:\"two\"\n0:{}\n";
        assert_eq!(ids(input), ["1", "2", "0"]);
    }

    #[test]
    fn a_text_cut_by_the_end_of_the_input_stays_cut() {
        let out = split_rows(b"0:{}\n1:T10,short");
        assert!(!out.rows[1].complete);
        assert_eq!(out.rows[1].payload, b"short");
        assert_eq!(out.diagnostics[0].kind, DiagnosticKind::IncompleteRow);
    }

    #[test]
    fn damaged_text_lengths_frame_the_same_in_any_chunks() {
        let inputs: [&[u8]; 4] = [
            b"1:T5,hello world\n2:\"two\"\n0:{}\n",
            b"1:T9,hello2:\"two\"\n3:\"three\"\n0:{}\n",
            b"1:Tzz,hello\nworld2:\"two\"\n0:{}\n",
            b"1:T400,hello2:\"two\"\n0:{}\n",
        ];
        for input in inputs {
            let whole = ids(input);
            for size in 1..input.len() {
                let mut decoder = Decoder::new();
                let mut got = Vec::new();
                for chunk in input.chunks(size) {
                    decoder.feed(chunk, |row| {
                        got.push(String::from_utf8_lossy(row.id).into_owned())
                    });
                }
                decoder.finish(|row| got.push(String::from_utf8_lossy(row.id).into_owned()));
                assert_eq!(got, whole, "chunks of {size}");
            }
        }
    }

    #[test]
    fn a_text_row_whose_line_ends_lost_their_cr_is_read_to_the_next_row() {
        // Written as "a\r\nb\r\nc" (7 bytes); committed through autocrlf as "a\nb\nc".
        let input = b"1:T7,a\nb\nc2:\"two\"\n0:[\"$1\"]\n";
        let out = split_rows(input);
        assert_eq!(ids(input), ["1", "2", "0"]);
        assert_eq!(out.rows[0].payload, b"a\nb\nc");
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].kind, DiagnosticKind::LineEndsConverted);
        assert_eq!(out.diagnostics[0].row.as_deref(), Some("1"));
        // A right length is read as it is, line ends and all.
        let right = b"1:T5,a\nb\nc2:\"two\"\n";
        assert_eq!(split_rows(right).rows[0].payload, b"a\nb\nc");
        assert!(split_rows(right).diagnostics.is_empty());
    }

    #[test]
    fn a_byte_order_mark_is_skipped_with_a_note_wherever_the_chunks_split() {
        let input = "\u{feff}0:[\"$1\"]\n1:\"one\"\n".as_bytes();
        assert_eq!(ids(input), ["0", "1"]);
        let whole = split_rows(input);
        assert_eq!(whole.diagnostics.len(), 1);
        assert!(whole.is_flight(input));
        for cut in 0..=input.len() {
            let mut decoder = Decoder::new();
            let mut got = Vec::new();
            decoder.feed(&input[..cut], |r| got.push((r.id.to_vec(), r.offset)));
            decoder.feed(&input[cut..], |r| got.push((r.id.to_vec(), r.offset)));
            decoder.finish(|r| got.push((r.id.to_vec(), r.offset)));
            let want: Vec<_> = whole
                .rows
                .iter()
                .map(|r| (r.id.to_vec(), r.offset))
                .collect();
            assert_eq!(got, want, "cut at {cut}");
            assert_eq!(decoder.diagnostics().len(), 1, "cut at {cut}");
        }
    }

    #[test]
    fn chunks_split_anywhere_give_the_same_rows() {
        let input = "0:[\"$L1\"]\r\n1:T6,日本2:\"é\"\n:HL[\"a\"]\n3:{}".as_bytes();
        let whole: Vec<_> = split_rows(input)
            .rows
            .iter()
            .map(|r| (r.id.to_vec(), r.tag, r.payload.to_vec(), r.offset))
            .collect();
        for cut in 0..=input.len() {
            for cut2 in cut..=input.len() {
                let mut got = Vec::new();
                let mut d = Decoder::new();
                let mut push =
                    |r: Row<'_>| got.push((r.id.to_vec(), r.tag, r.payload.to_vec(), r.offset));
                d.feed(&input[..cut], &mut push);
                d.feed(&input[cut..cut2], &mut push);
                d.feed(&input[cut2..], &mut push);
                d.finish(&mut push);
                assert_eq!(got, whole, "cut at {cut} and {cut2}");
            }
        }
    }
}
