//! Writing to a socket with a deadline on progress: a client that stops reading makes
//! the write fail after `limit` without a byte taken, instead of holding the
//! connection (and what it buffers) forever. The common case, a socket with room,
//! writes at once and sets no timer.

use bytes::Buf;
use std::io::{self, IoSlice};
use std::time::Duration;
use tokio::net::TcpStream;

/// Writes all of `buf`, failing with `TimedOut` when the socket takes nothing for `limit`.
pub(super) async fn write_all(
    socket: &TcpStream,
    mut buf: impl Buf,
    limit: Duration,
) -> io::Result<()> {
    while buf.has_remaining() {
        // One system call for a chunk's size line, data and CRLF.
        let mut slices = [IoSlice::new(&[]); 4];
        let count = buf.chunks_vectored(&mut slices);
        match socket.try_write_vectored(&slices[..count]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => buf.advance(n),
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                tokio::time::timeout(limit, socket.writable())
                    .await
                    .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??;
            }
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[tokio::test]
    async fn a_reader_that_stops_fails_the_write_in_time() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let client = TcpStream::connect(listener.local_addr().expect("addr"))
            .await
            .expect("connect");
        let (server, _) = listener.accept().await.expect("accept");
        let chunk = vec![b'x'; 1024 * 1024];
        let limit = Duration::from_millis(200);
        let mut outcome = Ok(());
        // Loopback buffers take a few MB; the client never reads.
        for _ in 0..64 {
            outcome = write_all(&server, chunk.as_slice(), limit).await;
            if outcome.is_err() {
                break;
            }
        }
        assert_eq!(outcome.expect_err("stalls").kind(), io::ErrorKind::TimedOut);
        drop(client);
    }
}
