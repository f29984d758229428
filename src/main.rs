//! `hugmood`: parse the command line, load configuration, start logging, and run the
//! chosen command. Everything else lives in the library.

use anyhow::Context;
use clap::Parser;
use hugmood::cli::{Cli, Command};
use hugmood::{config::Config, progress::Progress, seed, telemetry};
use tokio::net::TcpListener;

/// mimalloc keeps the resident size of many long-lived connections close to what they
/// use (the system allocator holds on to the garbage of connection bursts).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let huge_pages_off = hugmood::memory::disable_transparent_huge_pages();
    let cli = Cli::parse();
    let loaded = Config::load(cli.config.as_deref())?;
    telemetry::init(loaded.config.log_format);
    for warning in &loaded.warnings {
        tracing::warn!("{warning}");
    }
    if !huge_pages_off && cfg!(target_os = "linux") {
        tracing::debug!("transparent huge pages could not be turned off for the process");
    }
    let config = loaded.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            hugmood::open_store(&config).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Seed(args) => {
            let store = hugmood::open_store(&config).await?;
            let keys = hugmood::jwt_keys(&config);
            let ttl = args.token_ttl.unwrap_or(config.access_token_ttl_secs);
            let started = std::time::Instant::now();
            let mut progress = Progress::stderr("seeded", "users", u64::from(args.users));
            let report = seed::seed(store, &keys, &args, ttl, &mut |n| progress.advance(n)).await?;
            progress.finish();
            println!(
                "seeded {} users ({} friendships, {} mood entries, {} hugs) in {:.1}s; password: {}",
                report.users,
                report.friendships,
                report.moods,
                report.hugs,
                started.elapsed().as_secs_f64(),
                seed::DEMO_PASSWORD
            );
            Ok(())
        }
        Command::Token(args) => {
            let store = hugmood::open_store(&config).await?;
            let user = store
                .user_by_login(&args.user)
                .await?
                .with_context(|| format!("no user {:?}", args.user))?;
            let keys = hugmood::jwt_keys(&config);
            let ttl = args.ttl.unwrap_or(config.access_token_ttl_secs);
            println!(
                "{}",
                keys.issue(user.id, hugmood_actors::domain::time::now(), ttl)?
            );
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let listener =
        listen(&config.bind).with_context(|| format!("cannot listen on {}", config.bind))?;
    let hub = hugmood::run(config, listener).await?;
    let shutdown = hub.shutdown_token();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        shutdown.cancel();
    });
    hub.wait().await
}

/// Listens on `bind` with `SO_REUSEPORT`, so several `hugmood serve` processes on one
/// machine may share the address: the kernel spreads connections over them, and they
/// behave as nodes of one cluster.
fn listen(bind: &str) -> std::io::Result<TcpListener> {
    let addr: std::net::SocketAddr = bind
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Connections the kernel queues before the hub accepts them.
const LISTEN_BACKLOG: u32 = 4096;

/// Resolves on Ctrl-C or SIGTERM.
async fn wait_for_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
