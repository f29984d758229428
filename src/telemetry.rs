//! Logging: human-readable text or JSON lines, filtered by `RUST_LOG`. Panics are
//! logged through it too, once each, as an error event in the same format (with a
//! backtrace when `RUST_BACKTRACE` asks for one), instead of as raw text on stderr.
//! Logs go to stdout, coloured only when it is a terminal (a file or a pipe gets
//! plain text, without escape codes).

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber and the panic hook. Without `RUST_LOG`, logs `info`
/// and above.
pub fn init(format: LogFormat) {
    std::panic::set_hook(Box::new(|info| {
        let backtrace = std::backtrace::Backtrace::capture();
        tracing::error!(panic = %info, backtrace = %backtrace, "panic");
    }));
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stdout().is_terminal());
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
