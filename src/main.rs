//! `hugmood`: parse the command line, load configuration, start logging, and run the
//! chosen command. Everything else lives in the library.

use anyhow::Context;
use clap::Parser;
use hugmood::cli::{Cli, Command, SeedArgs};
use hugmood::seed::{self, Step};
use hugmood::{config::Config, progress::Progress, telemetry, IfMissing};
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
            let opened = hugmood::open_store(&config, IfMissing::Create).await?;
            let store = hugmood::deployment::store(&config.database_url);
            match opened.migrations_applied {
                0 => println!("applied 0 migrations: {store} is up to date"),
                1 => println!("applied 1 migration to {store}"),
                n => println!("applied {n} migrations to {store}"),
            }
            Ok(())
        }
        Command::Seed(args) => seed(&config, &args).await,
        Command::Token(args) => {
            config.validate_jwt_secret()?;
            let store = hugmood::open_store(&config, IfMissing::Refuse).await?.store;
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

/// `hugmood seed`: the users, progress on stderr, then what was made and how to log in.
async fn seed(config: &Config, args: &SeedArgs) -> anyhow::Result<()> {
    if args.tokens_out.is_some() {
        // The tokens are signed with it: one the hub would refuse makes useless tokens.
        config.validate_jwt_secret()?;
    }
    let store = hugmood::open_store(config, IfMissing::Create).await?.store;
    let keys = hugmood::jwt_keys(config);
    let ttl = args.token_ttl.unwrap_or(config.access_token_ttl_secs);
    let started = std::time::Instant::now();
    let mut users = Some(Progress::stderr("seeded", "users", u64::from(args.users)));
    let mut activity = None;
    let report = seed::seed(store, &keys, args, ttl, &mut |step| match step {
        Step::Users(n) => users.iter_mut().for_each(|p| p.advance(n)),
        Step::ActivityPlanned(total) => {
            users.take().into_iter().for_each(Progress::finish);
            activity = Some(Progress::stderr("wrote", "mood entries and hugs", total));
        }
        Step::Activity(n) => activity.iter_mut().for_each(|p| p.advance(n)),
    })
    .await?;
    users.into_iter().chain(activity).for_each(Progress::finish);
    println!(
        "seeded {} users ({} friendships, {} mood entries, {} hugs) with {} unread \
         notifications and {} events in {:.1}s",
        report.users,
        report.friendships,
        report.moods,
        report.hugs,
        report.notifications,
        report.events,
        started.elapsed().as_secs_f64(),
    );
    if report.users > 0 {
        let first = format!("{}_1", args.prefix);
        let password = seed::DEMO_PASSWORD;
        println!(
            "log in as {first} (or any {}_N up to {}_{}) with password {password}, e.g.\n  \
             curl -s -X POST {}/api/v1/auth/login -H 'Content-Type: application/json' \
             -d '{{\"login\":\"{first}\",\"password\":\"{password}\"}}'",
            args.prefix,
            args.prefix,
            report.users,
            base_url(&config.bind),
        );
    }
    Ok(())
}

/// The URL a client on this machine reaches a hub bound to `bind` at (loopback for a
/// wildcard address).
fn base_url(bind: &str) -> String {
    match bind.parse::<std::net::SocketAddr>() {
        Ok(mut addr) => {
            if addr.ip().is_unspecified() {
                addr.set_ip(match addr {
                    std::net::SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                    std::net::SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
                });
            }
            format!("http://{addr}")
        }
        Err(_) => format!("http://{bind}"),
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
