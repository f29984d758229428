//! Incremental Server-Sent Events parser (WHATWG `text/event-stream` rules):
//! lines end in CRLF, LF or CR (a CRLF may be split across reads), `:` starts a
//! comment, `field: value` loses one leading space, `data` lines join with `\n`,
//! a blank line dispatches. It keeps three small reusable buffers per connection.
//!
//! Difference from a browser's EventSource, on purpose for a load tester: a
//! frame with an `event:` or `id:` but no `data:` is still reported (so that a
//! bare `event: heartbeat` counts), and the reported `id` is the frame's own
//! `id:` field (None if it had none), not the sticky last-event-id.

/// One parsed item, borrowing from the parser's buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SseItem<'a> {
    Event(SseEvent<'a>),
    /// A `retry: <ms>` line.
    Retry(u64),
    /// A comment line, without its leading `:`.
    Comment(&'a [u8]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SseEvent<'a> {
    /// The frame's `id:` field, if it had one.
    pub id: Option<&'a [u8]>,
    /// The `event:` field, `message` when absent.
    pub event: &'a [u8],
    /// The `data:` lines joined with `\n` (no trailing newline).
    pub data: &'a [u8],
}

impl SseEvent<'_> {
    /// The id as an integer (the hub's event ids are integers).
    pub fn id_u64(&self) -> Option<u64> {
        let id = self.id?;
        if id.is_empty() || !id.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(id).ok()?.parse().ok()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SseError {
    /// A line or an event's data grew past the limit.
    TooLong,
}

impl std::fmt::Display for SseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SSE line or event larger than the limit")
    }
}

impl std::error::Error for SseError {}

#[derive(Debug)]
pub struct SseParser {
    line: Vec<u8>,
    pending_cr: bool,
    data: Vec<u8>,
    event: Vec<u8>,
    id: Vec<u8>,
    has_id: bool,
    has_data: bool,
    has_event: bool,
    max: usize,
}

impl SseParser {
    /// `max`: largest line, and largest event data, accepted (bytes).
    pub fn new(max: usize) -> Self {
        SseParser {
            line: Vec::new(),
            pending_cr: false,
            data: Vec::new(),
            event: Vec::new(),
            id: Vec::new(),
            has_id: false,
            has_data: false,
            has_event: false,
            max,
        }
    }

    /// Forgets any partial frame (for a new connection); keeps the allocations.
    pub fn reset(&mut self) {
        self.line.clear();
        self.pending_cr = false;
        self.clear_frame();
    }

    fn clear_frame(&mut self) {
        self.data.clear();
        self.event.clear();
        self.id.clear();
        self.has_id = false;
        self.has_data = false;
        self.has_event = false;
    }

    /// Feeds the next bytes of the stream; calls `f` for each complete item.
    pub fn feed<F: FnMut(SseItem<'_>)>(&mut self, input: &[u8], f: &mut F) -> Result<(), SseError> {
        if input.is_empty() {
            return Ok(());
        }
        let mut i = 0;
        if self.pending_cr {
            self.pending_cr = false;
            if input.first() == Some(&b'\n') {
                i = 1;
            }
        }
        while i < input.len() {
            let rest = &input[i..];
            match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
                None => {
                    if self.line.len() + rest.len() > self.max {
                        return Err(SseError::TooLong);
                    }
                    self.line.extend_from_slice(rest);
                    break;
                }
                Some(p) => {
                    let end = i + p;
                    if self.line.is_empty() {
                        self.process_line(&input[i..end], f)?;
                    } else {
                        if self.line.len() + p > self.max {
                            return Err(SseError::TooLong);
                        }
                        self.line.extend_from_slice(&input[i..end]);
                        let line = std::mem::take(&mut self.line);
                        let res = self.process_line(&line, f);
                        self.line = line;
                        self.line.clear();
                        res?;
                    }
                    let term = input[end];
                    i = end + 1;
                    if term == b'\r' {
                        match input.get(i) {
                            Some(b'\n') => i += 1,
                            Some(_) => {}
                            None => self.pending_cr = true,
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn process_line<F: FnMut(SseItem<'_>)>(
        &mut self,
        line: &[u8],
        f: &mut F,
    ) -> Result<(), SseError> {
        if line.is_empty() {
            if self.has_data || self.has_event || self.has_id {
                let data = if self.has_data {
                    // Drop the newline that followed the last data line.
                    &self.data[..self.data.len() - 1]
                } else {
                    &self.data[..0]
                };
                f(SseItem::Event(SseEvent {
                    id: self.has_id.then_some(self.id.as_slice()),
                    event: if self.event.is_empty() {
                        b"message"
                    } else {
                        &self.event
                    },
                    data,
                }));
            }
            self.clear_frame();
            return Ok(());
        }
        if line[0] == b':' {
            f(SseItem::Comment(&line[1..]));
            return Ok(());
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(c) => {
                let v = &line[c + 1..];
                (&line[..c], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &line[..0]),
        };
        match field {
            b"data" => {
                if self.data.len() + value.len() + 1 > self.max {
                    return Err(SseError::TooLong);
                }
                self.data.extend_from_slice(value);
                self.data.push(b'\n');
                self.has_data = true;
            }
            b"event" => {
                self.event.clear();
                self.event.extend_from_slice(value);
                self.has_event = true;
            }
            b"id" if !value.contains(&0) => {
                self.id.clear();
                self.id.extend_from_slice(value);
                self.has_id = true;
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                if let Some(ms) = std::str::from_utf8(value).ok().and_then(|s| s.parse().ok()) {
                    f(SseItem::Retry(ms));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Owned copy of an item, for comparisons.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Item {
        Event {
            id: Option<String>,
            event: String,
            data: String,
        },
        Retry(u64),
        Comment(String),
    }

    fn own(item: SseItem<'_>) -> Item {
        let s = |b: &[u8]| String::from_utf8(b.to_vec()).expect("utf8");
        match item {
            SseItem::Event(e) => Item::Event {
                id: e.id.map(s),
                event: s(e.event),
                data: s(e.data),
            },
            SseItem::Retry(ms) => Item::Retry(ms),
            SseItem::Comment(c) => Item::Comment(s(c)),
        }
    }

    fn parse_pieces(pieces: &[&[u8]]) -> Vec<Item> {
        let mut p = SseParser::new(1 << 16);
        let mut out = Vec::new();
        for piece in pieces {
            p.feed(piece, &mut |item| out.push(own(item)))
                .expect("feed");
        }
        out
    }

    fn ev(id: Option<&str>, event: &str, data: &str) -> Item {
        Item::Event {
            id: id.map(str::to_string),
            event: event.into(),
            data: data.into(),
        }
    }

    const STREAM: &[u8] = b"retry: 3000\n\
: hello there\n\
\n\
id: 1\nevent: hug_received\ndata: {\"id\":1,\"type\":\"hug_received\"}\n\n\
id: 2\r\nevent: notification\r\ndata: line one\r\ndata: line two\r\ndata:\r\n\r\n\
event: heartbeat\rdata: {\"time\":\"now\"}\r\r\
data:no-space\n\
data:  two-spaces\n\n\
event: reconnect\n\n\
id: 3\nunknown: field\nnocolon\ndata\n\n";

    fn expected() -> Vec<Item> {
        vec![
            Item::Retry(3000),
            Item::Comment(" hello there".into()),
            ev(
                Some("1"),
                "hug_received",
                "{\"id\":1,\"type\":\"hug_received\"}",
            ),
            ev(Some("2"), "notification", "line one\nline two\n"),
            ev(None, "heartbeat", "{\"time\":\"now\"}"),
            ev(None, "message", "no-space\n two-spaces"),
            ev(None, "reconnect", ""),
            ev(Some("3"), "message", ""),
        ]
    }

    #[test]
    fn whole_stream() {
        assert_eq!(parse_pieces(&[STREAM]), expected());
    }

    #[test]
    fn split_at_every_byte_boundary() {
        for cut in 0..=STREAM.len() {
            assert_eq!(
                parse_pieces(&[&STREAM[..cut], &STREAM[cut..]]),
                expected(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn split_at_every_pair_of_boundaries() {
        for a in 0..=STREAM.len() {
            for b in a..=STREAM.len() {
                assert_eq!(
                    parse_pieces(&[&STREAM[..a], &STREAM[a..b], &STREAM[b..]]),
                    expected(),
                    "cuts {a},{b}"
                );
            }
        }
    }

    #[test]
    fn one_byte_at_a_time() {
        let pieces: Vec<&[u8]> = STREAM.chunks(1).collect();
        assert_eq!(parse_pieces(&pieces), expected());
    }

    #[test]
    fn crlf_split_between_reads_is_one_line_end() {
        // "\r" at the end of one read, "\n" at the start of the next: one line end,
        // not an extra blank line that would dispatch early.
        let got = parse_pieces(&[b"data: a\r", b"\ndata: b\r\n\r\n"]);
        assert_eq!(got, vec![ev(None, "message", "a\nb")]);
    }

    #[test]
    fn event_without_id_and_id_parsing() {
        let mut p = SseParser::new(1024);
        let mut ids = Vec::new();
        p.feed(
            b"event: x\ndata: 1\n\nid: 42\ndata: 2\n\nid: abc\ndata: 3\n\n",
            &mut |item| {
                if let SseItem::Event(e) = item {
                    ids.push((e.id.is_some(), e.id_u64()));
                }
            },
        )
        .expect("feed");
        assert_eq!(ids, vec![(false, None), (true, Some(42)), (true, None)]);
    }

    #[test]
    fn retry_must_be_digits() {
        let got = parse_pieces(&[b"retry: 12a\nretry:\nretry: 250\n"]);
        assert_eq!(got, vec![Item::Retry(250)]);
    }

    #[test]
    fn incomplete_frame_is_held_and_reset_drops_it() {
        let mut p = SseParser::new(1024);
        let mut n = 0;
        p.feed(b"id: 1\ndata: partial", &mut |_| n += 1)
            .expect("feed");
        assert_eq!(n, 0);
        p.reset();
        p.feed(b"\n\ndata: x\n\n", &mut |_| n += 1).expect("feed");
        assert_eq!(n, 1);
    }

    #[test]
    fn limits() {
        let mut p = SseParser::new(16);
        assert_eq!(
            p.feed(b"data: 0123456789abcdef", &mut |_| {}),
            Err(SseError::TooLong)
        );
        let mut p = SseParser::new(16);
        assert_eq!(
            p.feed(b"data: 0123456789\ndata: 0123456789\n", &mut |_| {}),
            Err(SseError::TooLong)
        );
    }
}
