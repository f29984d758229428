//! `hugmood-loadgen`: the SSE load generator for the HugMood hub (k6 has no
//! SSE). `hold` opens and holds many SSE streams; `hugs` measures end-to-end
//! hug delivery latency and loss; `fanout` times one author's mood reaching
//! every friend's stream; `longpoll` times waiting long-polls woken by hugs. See `loadtests/README.md`.
//!
//! Everything is written against raw tokio sockets so that one process can
//! hold thousands of streams with a few KB each, spread over several source
//! addresses (127.0.0.x) and processes (the open-files limit is per process).

pub mod chunked;
pub mod cli;
pub mod fanout;
pub mod fleet;
pub mod flood;
pub mod hist;
pub mod hold;
pub mod http;
pub mod hugs;
pub mod longpoll;
pub mod nonce;
pub mod procfs;
pub mod spawn;
pub mod sse;
pub mod target;
pub mod tokens;
pub mod util;
pub mod worker;
