//! Incremental `Transfer-Encoding: chunked` decoder that works in place: feed it
//! the bytes of one read, it moves the payload bytes to the front of the same
//! buffer and returns how many there are. No allocation, any split of the input.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkError {
    /// A chunk-size line that is not hex (or has no digits).
    BadSize,
    /// A chunk size beyond 2^60.
    TooLarge,
    /// Missing CRLF after a chunk's data, or a stray byte where LF was due.
    BadFraming,
}

impl std::fmt::Display for ChunkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ChunkError::BadSize => "bad chunk size",
            ChunkError::TooLarge => "chunk too large",
            ChunkError::BadFraming => "bad chunk framing",
        })
    }
}

impl std::error::Error for ChunkError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading hex digits of the size.
    Size,
    /// After the digits: whitespace / `;extension` up to CR LF.
    Ext,
    /// Saw CR after the size line; LF must follow.
    SizeLf,
    /// Inside chunk data.
    Data,
    /// After the data: CR (or a bare LF) must follow.
    DataCr,
    /// After the data's CR: LF must follow.
    DataLf,
    /// Start of a trailer line (after the last, zero-size chunk).
    TrailerStart,
    /// Inside a trailer field line.
    TrailerLine,
    /// CR of the final empty line seen; LF must follow.
    TrailerEndLf,
    /// The body is complete.
    Done,
}

#[derive(Debug, Clone)]
pub struct ChunkedDecoder {
    state: State,
    size: u64,
    digits: u32,
    remaining: u64,
}

impl Default for ChunkedDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl ChunkedDecoder {
    pub fn new() -> Self {
        ChunkedDecoder {
            state: State::Size,
            size: 0,
            digits: 0,
            remaining: 0,
        }
    }

    /// True once the terminating zero-size chunk and trailer have been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    fn end_size_line(&mut self) -> Result<(), ChunkError> {
        if self.digits == 0 {
            return Err(ChunkError::BadSize);
        }
        if self.size == 0 {
            self.state = State::TrailerStart;
        } else {
            self.remaining = self.size;
            self.state = State::Data;
        }
        self.size = 0;
        self.digits = 0;
        Ok(())
    }

    /// Decodes `buf` (the raw bytes of one read) in place; on return the payload
    /// bytes are `buf[..n]`. Bytes after the end of the body are ignored.
    pub fn decode(&mut self, buf: &mut [u8]) -> Result<usize, ChunkError> {
        let mut r = 0usize;
        let mut w = 0usize;
        while r < buf.len() {
            match self.state {
                State::Data => {
                    let avail = buf.len() - r;
                    let take = usize::try_from(self.remaining).map_or(avail, |rem| rem.min(avail));
                    if w != r {
                        buf.copy_within(r..r + take, w);
                    }
                    w += take;
                    r += take;
                    self.remaining -= take as u64;
                    if self.remaining == 0 {
                        self.state = State::DataCr;
                    }
                }
                State::Done => break,
                state => {
                    let b = buf[r];
                    r += 1;
                    match state {
                        State::Size => match b {
                            b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F' => {
                                if self.digits >= 15 {
                                    return Err(ChunkError::TooLarge);
                                }
                                let d = (b as char).to_digit(16).unwrap_or(0);
                                self.size = self.size * 16 + u64::from(d);
                                self.digits += 1;
                            }
                            b';' | b' ' | b'\t' if self.digits > 0 => self.state = State::Ext,
                            b'\r' => self.state = State::SizeLf,
                            b'\n' => self.end_size_line()?,
                            _ => return Err(ChunkError::BadSize),
                        },
                        State::Ext => match b {
                            b'\r' => self.state = State::SizeLf,
                            b'\n' => self.end_size_line()?,
                            _ => {}
                        },
                        State::SizeLf => {
                            if b != b'\n' {
                                return Err(ChunkError::BadFraming);
                            }
                            self.end_size_line()?;
                        }
                        State::DataCr => match b {
                            b'\r' => self.state = State::DataLf,
                            b'\n' => self.state = State::Size,
                            _ => return Err(ChunkError::BadFraming),
                        },
                        State::DataLf => {
                            if b != b'\n' {
                                return Err(ChunkError::BadFraming);
                            }
                            self.state = State::Size;
                        }
                        State::TrailerStart => match b {
                            b'\r' => self.state = State::TrailerEndLf,
                            b'\n' => self.state = State::Done,
                            _ => self.state = State::TrailerLine,
                        },
                        State::TrailerLine => {
                            if b == b'\n' {
                                self.state = State::TrailerStart;
                            }
                        }
                        State::TrailerEndLf => {
                            if b != b'\n' {
                                return Err(ChunkError::BadFraming);
                            }
                            self.state = State::Done;
                        }
                        State::Data | State::Done => unreachable!("handled above"),
                    }
                }
            }
        }
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` split at the given cut points, returns the payload.
    fn decode_split(input: &[u8], cuts: &[usize]) -> Result<(Vec<u8>, bool), ChunkError> {
        let mut d = ChunkedDecoder::new();
        let mut out = Vec::new();
        let mut start = 0;
        for &end in cuts.iter().chain(std::iter::once(&input.len())) {
            let mut piece = input[start..end].to_vec();
            let n = d.decode(&mut piece)?;
            out.extend_from_slice(&piece[..n]);
            start = end;
        }
        Ok((out, d.is_done()))
    }

    const BODY: &[u8] = b"5;name=value\r\nhello\r\n7 ; ext\r\n, world\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: yes\r\n\r\n";
    const PAYLOAD: &[u8] = b"hello, worldabcdefghijklmnopqrstuvwxyz";

    #[test]
    fn whole_body_with_extensions_and_trailer() {
        assert_eq!(decode_split(BODY, &[]), Ok((PAYLOAD.to_vec(), true)));
    }

    #[test]
    fn every_single_split_point() {
        for cut in 0..=BODY.len() {
            assert_eq!(
                decode_split(BODY, &[cut]),
                Ok((PAYLOAD.to_vec(), true)),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn byte_by_byte() {
        let cuts: Vec<usize> = (1..BODY.len()).collect();
        assert_eq!(decode_split(BODY, &cuts), Ok((PAYLOAD.to_vec(), true)));
    }

    #[test]
    fn every_pair_of_split_points() {
        for a in 0..BODY.len() {
            for b in a..BODY.len() {
                assert_eq!(
                    decode_split(BODY, &[a, b]),
                    Ok((PAYLOAD.to_vec(), true)),
                    "cuts {a},{b}"
                );
            }
        }
    }

    #[test]
    fn open_stream_is_not_done_and_bare_lf_is_tolerated() {
        let (out, done) = decode_split(b"3\r\nabc\r\n4\ndefg\n", &[]).expect("ok");
        assert_eq!(out, b"abcdefg");
        assert!(!done);
        let (out, done) = decode_split(b"0\r\n\r\n", &[]).expect("ok");
        assert!(out.is_empty() && done);
    }

    #[test]
    fn bytes_after_the_end_are_ignored() {
        let (out, done) = decode_split(b"2\r\nok\r\n0\r\n\r\nHTTP/1.1 200 OK", &[]).expect("ok");
        assert_eq!(out, b"ok");
        assert!(done);
    }

    #[test]
    fn malformed() {
        assert_eq!(decode_split(b"zz\r\n", &[]), Err(ChunkError::BadSize));
        assert_eq!(decode_split(b"\r\n", &[]), Err(ChunkError::BadSize));
        assert_eq!(decode_split(b";x\r\n", &[]), Err(ChunkError::BadSize));
        assert_eq!(decode_split(b"3\r\nabcX", &[]), Err(ChunkError::BadFraming));
        assert_eq!(decode_split(b"3\rX", &[]), Err(ChunkError::BadFraming));
        assert_eq!(
            decode_split(b"ffffffffffffffff\r\n", &[]),
            Err(ChunkError::TooLarge)
        );
    }
}
