//! Command line: `hold`, `hugs`, `fanout`, and the hidden `worker`.

use crate::fanout::{run_fanout, FanoutConfig};
use crate::flood::{run_flood, FloodConfig};
use crate::hold::{run_hold, HoldConfig};
use crate::hugs::{run_hugs, HugsConfig};
use crate::longpoll::{run_long_poll, LongPollConfig};
use crate::spawn::worker_main;
use crate::target::{
    check_sources_for_target, parse_source_ips, parse_target_list, parse_target_url, Target,
};
use crate::tokens::read_tokens;
use crate::util::duration_at_most;
use crate::worker::WorkerConfig;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Longest --duration (every run stops by itself).
pub const MAX_DURATION: Duration = Duration::from_secs(600);
/// Longest --drain, --connect-timeout, --idle-timeout, ... .
pub const MAX_WAIT: Duration = Duration::from_secs(120);

#[derive(Debug, Parser)]
#[command(
    name = "hugmood-loadgen",
    version,
    about = "SSE load generator for the HugMood hub (loopback targets only)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open M SSE streams, hold them for the duration, report connects, drops,
    /// events and (with --hub-pid) the hub's memory and open files per stream.
    Hold(HoldArgs),
    /// End-to-end hug latency and loss: POST hugs at a fixed rate to recipients
    /// whose SSE streams are open, match the `hug_received` frames by nonce.
    Hugs(HugsArgs),
    /// Mood fan-out: the first token's user posts moods one at a time while each of
    /// the next N users (their friends) holds a stream; time until every stream has
    /// each post. Exits non-zero if any delivery is missing.
    Fanout(FanoutArgs),
    /// Password guessing: C clients at once POST logins with wrong passwords for the
    /// duration; answers by status, latency and (with --hub-pid) the hub's peak RSS.
    LoginFlood(LoginFloodArgs),
    /// Long-poll wake latency: R receivers long-poll their events while the first
    /// token's user sends them hugs at a fixed rate; each answer is timed from the
    /// event's createdAt and from its POST.
    Longpoll(LongPollArgs),
    /// Internal: one worker process (started by `hold` and `hugs`).
    #[command(hide = true)]
    Worker(WorkerArgs),
}

fn duration_arg(s: &str) -> Result<Duration, String> {
    duration_at_most(s, MAX_DURATION, "--duration")
}

fn wait_arg(s: &str) -> Result<Duration, String> {
    duration_at_most(s, MAX_WAIT, "the value")
}

fn target_arg(s: &str) -> Result<Target, String> {
    parse_target_url(s)
}

/// A parsed comma-separated list of targets (one argument, not repeated values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetList(pub Vec<Target>);

fn url_list_arg(s: &str) -> Result<TargetList, String> {
    parse_target_list(s, "--url").map(TargetList)
}

fn stream_url_list_arg(s: &str) -> Result<TargetList, String> {
    parse_target_list(s, "--stream-url").map(TargetList)
}

/// A parsed `--source-ips` list (one argument, not repeated values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceIps(pub Vec<IpAddr>);

fn sources_arg(s: &str) -> Result<SourceIps, String> {
    parse_source_ips(s).map(SourceIps)
}

/// Options of both `hold` and `hugs` (each has its own `--url`: `hugs` takes a
/// list, for the nodes of a cluster).
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Tokens file from `hugmood seed --users N --tokens-out FILE` (`<user id> <token>` lines).
    #[arg(long, value_name = "FILE")]
    pub tokens: PathBuf,
    /// Worker processes to spread the streams over (a process may hold at most
    /// ~20,000 open files).
    #[arg(long, default_value_t = 1)]
    pub processes: usize,
    /// Local source addresses to bind client sockets to, round-robin, e.g.
    /// `127.0.0.2-127.0.0.9` (each address has its own ~28k ephemeral ports).
    #[arg(long, value_name = "LIST", value_parser = sources_arg)]
    pub source_ips: Option<SourceIps>,
    /// New streams per second (all processes together; 0 = all at once).
    #[arg(long, default_value_t = 1000.0)]
    pub ramp_per_sec: f64,
    /// How long to run (e.g. 120s, 2m; at most 600s).
    #[arg(long, default_value = "60s", value_parser = duration_arg)]
    pub duration: Duration,
    /// PID of the hub, to read its memory (VmRSS) and open files from /proc.
    #[arg(long, value_name = "PID")]
    pub hub_pid: Option<u32>,
    /// Print one JSON object on stdout (the human summary goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// No progress lines.
    #[arg(long, short)]
    pub quiet: bool,
    /// Run the workers as tasks of this process instead of child processes.
    #[arg(long)]
    pub in_process: bool,
    /// Time for TCP connect + response head.
    #[arg(long, default_value = "10s", value_parser = wait_arg)]
    pub connect_timeout: Duration,
    /// A stream silent for this long counts as dropped and reconnects
    /// (the hub sends a heartbeat every 15 s by default).
    #[arg(long, default_value = "60s", value_parser = wait_arg)]
    pub idle_timeout: Duration,
    /// Base reconnect delay when the hub sent no `retry:` hint; jittered ×0.5–1.5.
    #[arg(long, default_value = "500ms", value_parser = wait_arg)]
    pub reconnect_delay: Duration,
}

#[derive(Debug, Clone, Args)]
pub struct HoldArgs {
    /// The hub: http://HOST[:PORT], HOST in 127.0.0.0/8, localhost or [::1].
    #[arg(long, default_value = "http://127.0.0.1:8080", value_parser = target_arg)]
    pub url: Target,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Streams to open; stream i uses token i mod (number of tokens).
    #[arg(long, default_value_t = 1000)]
    pub streams: usize,
    /// Keep retrying streams whose first connect failed (default: count them
    /// as failed and stop).
    #[arg(long)]
    pub retry_connects: bool,
}

#[derive(Debug, Clone, Args)]
pub struct HugsArgs {
    /// Where the POSTs go: http://HOST[:PORT], HOST in 127.0.0.0/8, localhost or
    /// [::1]; a comma-separated list (cluster nodes) spreads the sender
    /// connections over them round-robin.
    #[arg(long, value_name = "URL[,URL...]", default_value = "http://127.0.0.1:8080", value_parser = url_list_arg)]
    pub url: TargetList,
    /// Where the recipients' streams are opened, round-robin by recipient
    /// (default: the --url list). `--url A --stream-url B` makes every hug cross nodes.
    #[arg(long, value_name = "URL[,URL...]", value_parser = stream_url_list_arg)]
    pub stream_url: Option<TargetList>,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Recipients: the first R tokens; each gets one stream.
    #[arg(long, default_value_t = 100)]
    pub recipients: usize,
    /// Senders: the next S tokens (default: all the tokens after the recipients).
    #[arg(long)]
    pub senders: Option<usize>,
    /// Hugs per second, all senders together.
    #[arg(long, default_value_t = 100.0)]
    pub rate: f64,
    /// POSTs in flight at most (one keep-alive connection each).
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// After the last POST, wait this long for frames still on their way.
    #[arg(long, default_value = "5s", value_parser = wait_arg)]
    pub drain: Duration,
    /// How long the receivers may take to connect before sending starts.
    #[arg(long, default_value = "60s", value_parser = wait_arg)]
    pub ready_timeout: Duration,
    /// Timeout of one POST.
    #[arg(long, default_value = "10s", value_parser = wait_arg)]
    pub post_timeout: Duration,
    /// hugType of the hugs sent.
    #[arg(long, default_value = "warm")]
    pub hug_type: String,
}

#[derive(Debug, Clone, Args)]
pub struct LoginFloodArgs {
    /// The hub: http://HOST[:PORT], HOST in 127.0.0.0/8, localhost or [::1].
    #[arg(long, default_value = "http://127.0.0.1:8080", value_parser = target_arg)]
    pub url: Target,
    /// Clients sending at once (one keep-alive connection each).
    #[arg(long, default_value_t = 200)]
    pub concurrency: usize,
    /// How long to run (e.g. 30s; at most 600s).
    #[arg(long, default_value = "30s", value_parser = duration_arg)]
    pub duration: Duration,
    /// Login names to guess the passwords of, comma-separated, round-robin by client.
    #[arg(long, value_delimiter = ',', default_value = "demo_1")]
    pub login: Vec<String>,
    /// Timeout of one POST.
    #[arg(long, default_value = "10s", value_parser = wait_arg)]
    pub post_timeout: Duration,
    /// PID of the hub, to read its memory (VmRSS) from /proc.
    #[arg(long, value_name = "PID")]
    pub hub_pid: Option<u32>,
    /// Print one JSON object on stdout (the human summary goes to stderr).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct LongPollArgs {
    /// The hub: http://HOST[:PORT], HOST in 127.0.0.0/8, localhost or [::1].
    #[arg(long, default_value = "http://127.0.0.1:8080", value_parser = target_arg)]
    pub url: Target,
    /// Tokens file from `hugmood seed --users R+1 --star-friends R --tokens-out FILE`:
    /// the first line sends, the next R receive.
    #[arg(long, value_name = "FILE")]
    pub tokens: PathBuf,
    /// Receivers, each with its own connection (at most 18,000: one process).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=18_000))]
    pub receivers: u64,
    /// Hugs per second, all senders together (at most 5,000).
    #[arg(long, default_value_t = 100.0)]
    pub rate: f64,
    /// How long hugs are sent (e.g. 30s; at most 600s).
    #[arg(long, default_value = "30s", value_parser = duration_arg)]
    pub duration: Duration,
    /// Seconds one long-poll waits at most (1-60).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=60))]
    pub wait: u64,
    /// Local source addresses for the receivers, round-robin, e.g. `127.0.0.2-127.0.0.9`.
    #[arg(long, value_name = "LIST", value_parser = sources_arg)]
    pub source_ips: Option<SourceIps>,
    /// How long the receivers may take to be waiting before hugs are sent anyway.
    #[arg(long, default_value = "60s", value_parser = wait_arg)]
    pub ready_timeout: Duration,
    /// Print one JSON object on stdout (the human summary goes to stderr).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct FanoutArgs {
    /// The hub: http://HOST[:PORT], HOST in 127.0.0.0/8, localhost or [::1].
    #[arg(long, default_value = "http://127.0.0.1:8080", value_parser = target_arg)]
    pub url: Target,
    /// Tokens file from `hugmood seed --users N+1 --star-friends N --tokens-out FILE`:
    /// the first line is the author, the next ones their friends.
    #[arg(long, value_name = "FILE")]
    pub tokens: PathBuf,
    /// Friends' streams: tokens 2..=N+1 (default: every token after the author).
    #[arg(long)]
    pub friends: Option<usize>,
    /// Moods the author posts, one at a time.
    #[arg(long, default_value_t = 20)]
    pub posts: usize,
    /// Pause after one post has reached every stream, before the next POST.
    #[arg(long, default_value = "500ms", value_parser = wait_arg)]
    pub interval: Duration,
    /// Local source addresses for the streams, round-robin, e.g. `127.0.0.2-127.0.0.9`.
    #[arg(long, value_name = "LIST", value_parser = sources_arg)]
    pub source_ips: Option<SourceIps>,
    /// New streams per second while opening them (0 = all at once).
    #[arg(long, default_value_t = 1000.0)]
    pub ramp_per_sec: f64,
    /// The whole run ends by this (e.g. 120s; at most 600s); missing deliveries then
    /// count as lost.
    #[arg(long, default_value = "120s", value_parser = duration_arg)]
    pub timeout: Duration,
    /// How long the streams may take to open before nothing is posted.
    #[arg(long, default_value = "60s", value_parser = wait_arg)]
    pub ready_timeout: Duration,
    /// How long one post may take to reach every stream before the next POST.
    #[arg(long, default_value = "10s", value_parser = wait_arg)]
    pub deliver_timeout: Duration,
    /// Timeout of one POST.
    #[arg(long, default_value = "10s", value_parser = wait_arg)]
    pub post_timeout: Duration,
    /// Time for TCP connect + response head of a stream.
    #[arg(long, default_value = "10s", value_parser = wait_arg)]
    pub connect_timeout: Duration,
    /// A stream silent this long is dropped and resumes with Last-Event-ID.
    #[arg(long, default_value = "60s", value_parser = wait_arg)]
    pub idle_timeout: Duration,
    /// Base delay before a stream reconnects; jittered ×0.5–1.5.
    #[arg(long, default_value = "500ms", value_parser = wait_arg)]
    pub reconnect_delay: Duration,
    /// PID of the hub, to read its memory (VmRSS) before and after.
    #[arg(long, value_name = "PID")]
    pub hub_pid: Option<u32>,
    /// Print one JSON object on stdout (the human summary goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// No progress lines.
    #[arg(long, short)]
    pub quiet: bool,
}

impl FanoutArgs {
    /// The run's configuration; `tokens` is how many lines the tokens file has.
    pub fn to_config(&self, tokens: usize) -> anyhow::Result<FanoutConfig> {
        check_rate("--ramp-per-sec", self.ramp_per_sec)?;
        let ips = self.source_ips.clone().map(|s| s.0).unwrap_or_default();
        check_sources_for_target(&self.url, &ips).map_err(anyhow::Error::msg)?;
        Ok(FanoutConfig {
            target: self.url.clone(),
            friends: self.friends.unwrap_or(tokens.saturating_sub(1)),
            posts: self.posts,
            interval: self.interval,
            source_ips: ips,
            ramp_per_sec: self.ramp_per_sec,
            ready_timeout: self.ready_timeout,
            post_timeout: self.post_timeout,
            deliver_timeout: self.deliver_timeout,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            idle_timeout: self.idle_timeout,
            reconnect_delay: self.reconnect_delay,
            hub_pid: self.hub_pid,
            quiet: self.quiet,
        })
    }
}

#[derive(Debug, Clone, Args)]
pub struct WorkerArgs {
    /// The worker's configuration as JSON.
    #[arg(long)]
    pub config: String,
}

/// The `--source-ips`, checked against every target they will connect to.
fn sources(common: &CommonArgs, targets: &[Target]) -> anyhow::Result<Vec<IpAddr>> {
    let ips = common.source_ips.clone().map(|s| s.0).unwrap_or_default();
    for target in targets {
        check_sources_for_target(target, &ips).map_err(anyhow::Error::msg)?;
    }
    Ok(ips)
}

fn check_rate(name: &str, v: f64) -> anyhow::Result<()> {
    if !(v.is_finite() && v >= 0.0) {
        anyhow::bail!("{name} must be a non-negative number");
    }
    Ok(())
}

impl HoldArgs {
    pub fn to_config(&self) -> anyhow::Result<HoldConfig> {
        let c = &self.common;
        check_rate("--ramp-per-sec", c.ramp_per_sec)?;
        Ok(HoldConfig {
            target: self.url.clone(),
            tokens_file: Some(absolute(&c.tokens)?),
            streams: self.streams,
            processes: c.processes,
            in_process: c.in_process,
            source_ips: sources(c, std::slice::from_ref(&self.url))?,
            ramp_per_sec: c.ramp_per_sec,
            duration: c.duration,
            hub_pid: c.hub_pid,
            connect_timeout: c.connect_timeout,
            idle_timeout: c.idle_timeout,
            reconnect_delay: c.reconnect_delay,
            retry_connects: self.retry_connects,
            quiet: c.quiet,
        })
    }
}

impl HugsArgs {
    pub fn to_config(&self) -> anyhow::Result<HugsConfig> {
        let c = &self.common;
        check_rate("--ramp-per-sec", c.ramp_per_sec)?;
        check_rate("--rate", self.rate)?;
        let send_targets = self.url.0.clone();
        let stream_targets = self
            .stream_url
            .as_ref()
            .map_or_else(|| send_targets.clone(), |l| l.0.clone());
        let all_targets = [send_targets.as_slice(), stream_targets.as_slice()].concat();
        Ok(HugsConfig {
            source_ips: sources(c, &all_targets)?,
            send_targets,
            stream_targets,
            tokens_file: Some(absolute(&c.tokens)?),
            recipients: self.recipients,
            senders: self.senders,
            processes: c.processes,
            in_process: c.in_process,
            ramp_per_sec: c.ramp_per_sec,
            rate: self.rate,
            duration: c.duration,
            concurrency: self.concurrency,
            drain: self.drain,
            ready_timeout: self.ready_timeout,
            post_timeout: self.post_timeout,
            connect_timeout: c.connect_timeout,
            idle_timeout: c.idle_timeout,
            reconnect_delay: c.reconnect_delay,
            hug_type: self.hug_type.clone(),
            hub_pid: c.hub_pid,
            quiet: c.quiet,
        })
    }
}

fn absolute(p: &std::path::Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(p).with_context(|| format!("bad path {}", p.display()))
}

/// Prints a report: JSON on stdout and the summary on stderr with --json,
/// else the summary on stdout.
fn print_report<T: serde::Serialize + std::fmt::Display>(
    report: &T,
    json: bool,
) -> anyhow::Result<()> {
    if json {
        eprintln!("{report}");
        println!("{}", serde_json::to_string(report)?);
    } else {
        println!("{report}");
    }
    Ok(())
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Hold(args) => {
            let cfg = args.to_config()?;
            let tokens = Arc::new(read_tokens(&args.common.tokens)?);
            let report = run_hold(cfg, tokens).await?;
            print_report(&report, args.common.json)
        }
        Command::Hugs(args) => {
            let cfg = args.to_config()?;
            let tokens = Arc::new(read_tokens(&args.common.tokens)?);
            let report = run_hugs(cfg, tokens).await?;
            print_report(&report, args.common.json)
        }
        Command::Fanout(args) => {
            let tokens = Arc::new(read_tokens(&args.tokens)?);
            let cfg = args.to_config(tokens.len())?;
            let report = run_fanout(cfg, tokens).await?;
            print_report(&report, args.json)?;
            if !report.is_clean() {
                anyhow::bail!(
                    "fan-out incomplete: {} deliveries lost, {} duplicates, {} of {} posts reached every stream",
                    report.lost,
                    report.duplicates,
                    report.time_to_all.count,
                    report.posts_planned
                );
            }
            Ok(())
        }
        Command::Longpoll(args) => {
            anyhow::ensure!(
                args.rate > 0.0 && args.rate <= 5_000.0,
                "--rate must be in (0, 5000]"
            );
            let source_ips = args.source_ips.map(|s| s.0).unwrap_or_default();
            check_sources_for_target(&args.url, &source_ips).map_err(anyhow::Error::msg)?;
            let report = run_long_poll(LongPollConfig {
                tokens: read_tokens(&args.tokens)?,
                target: args.url,
                receivers: args.receivers as usize,
                rate: args.rate,
                duration: args.duration,
                wait_secs: args.wait,
                source_ips,
                ready_timeout: args.ready_timeout,
            })
            .await?;
            print_report(&report, args.json)
        }
        Command::LoginFlood(args) => {
            let report = run_flood(FloodConfig {
                target: args.url,
                concurrency: args.concurrency.max(1),
                duration: args.duration,
                logins: args.login,
                post_timeout: args.post_timeout,
                hub_pid: args.hub_pid,
            })
            .await?;
            print_report(&report, args.json)
        }
        Command::Worker(args) => {
            let cfg: WorkerConfig =
                serde_json::from_str(&args.config).context("bad worker --config")?;
            // The parent checked the URLs; a hand-made config is checked again.
            if cfg
                .targets
                .iter()
                .any(|t| !crate::target::is_loopback_target(t.addr.ip()))
                || cfg
                    .source_ips
                    .iter()
                    .any(|s| !crate::target::is_loopback_target(*s))
            {
                anyhow::bail!("worker: refusing a non-loopback address");
            }
            worker_main(cfg).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn hold_arguments() {
        let cli = Cli::try_parse_from([
            "hugmood-loadgen",
            "hold",
            "--url",
            "http://127.0.0.1:8080",
            "--tokens",
            "t.txt",
            "--streams",
            "18000",
            "--processes",
            "4",
            "--source-ips",
            "127.0.0.2-127.0.0.9",
            "--ramp-per-sec",
            "2000",
            "--duration",
            "120s",
            "--hub-pid",
            "42",
        ])
        .expect("parse");
        let Command::Hold(h) = cli.command else {
            panic!("not hold")
        };
        let cfg = h.to_config().expect("config");
        assert_eq!(cfg.streams, 18_000);
        assert_eq!(cfg.processes, 4);
        assert_eq!(cfg.source_ips.len(), 8);
        assert_eq!(cfg.duration, Duration::from_secs(120));
        assert_eq!(cfg.hub_pid, Some(42));
        assert!(cfg.tokens_file.is_some_and(|p| p.is_absolute()));
    }

    #[test]
    fn refuses_remote_targets_and_long_runs() {
        let base = ["hugmood-loadgen", "hold", "--tokens", "t.txt"];
        let with = |extra: &[&str]| {
            let mut v: Vec<&str> = base.to_vec();
            v.extend_from_slice(extra);
            Cli::try_parse_from(v)
        };
        assert!(with(&["--url", "http://10.1.2.3:8080"]).is_err());
        assert!(with(&["--url", "http://example.com"]).is_err());
        assert!(with(&["--duration", "601s"]).is_err());
        assert!(with(&["--duration", "10m"]).is_ok());
        assert!(with(&["--source-ips", "192.168.0.1"]).is_err());
        let hugs = Cli::try_parse_from([
            "hugmood-loadgen",
            "hugs",
            "--tokens",
            "t.txt",
            "--rate",
            "2000",
            "--duration",
            "60s",
            "--concurrency",
            "64",
            "--drain",
            "5s",
        ])
        .expect("parse");
        let Command::Hugs(h) = hugs.command else {
            panic!("not hugs")
        };
        let cfg = h.to_config().expect("config");
        assert_eq!(cfg.rate, 2000.0);
        assert_eq!(cfg.drain, Duration::from_secs(5));
    }

    fn hugs_with(extra: &[&str]) -> Result<HugsArgs, clap::Error> {
        let mut v = vec!["hugmood-loadgen", "hugs", "--tokens", "t.txt"];
        v.extend_from_slice(extra);
        match Cli::try_parse_from(v)?.command {
            Command::Hugs(h) => Ok(h),
            other => panic!("not hugs: {other:?}"),
        }
    }

    #[test]
    fn hugs_send_and_stream_target_lists() {
        let urls = |ts: &[Target]| ts.iter().map(Target::url).collect::<Vec<_>>();
        // One --url: the streams default to it (what a single hub has always had).
        let cfg = hugs_with(&["--url", "http://127.0.0.1:8081"])
            .expect("parse")
            .to_config()
            .expect("config");
        assert_eq!(urls(&cfg.send_targets), ["http://127.0.0.1:8081"]);
        assert_eq!(cfg.stream_targets, cfg.send_targets);

        // Cross-node: POSTs on one node, streams on the other.
        let cfg = hugs_with(&[
            "--url",
            "http://127.0.0.1:8081",
            "--stream-url",
            "http://127.0.0.1:8082",
            "--source-ips",
            "127.0.0.2-127.0.0.9",
        ])
        .expect("parse")
        .to_config()
        .expect("config");
        assert_eq!(urls(&cfg.send_targets), ["http://127.0.0.1:8081"]);
        assert_eq!(urls(&cfg.stream_targets), ["http://127.0.0.1:8082"]);

        // Both nodes loaded both ways.
        let cfg = hugs_with(&["--url", "http://127.0.0.1:8081,http://127.0.0.1:8082"])
            .expect("parse")
            .to_config()
            .expect("config");
        assert_eq!(cfg.send_targets.len(), 2);
        assert_eq!(cfg.stream_targets, cfg.send_targets);
    }

    #[test]
    fn hugs_refuses_bad_target_lists() {
        let refused = |extra: &[&str]| hugs_with(extra).expect_err("refused").to_string();
        let e = refused(&["--url", "http://127.0.0.1:8081,http://10.0.0.2:8082"]);
        assert!(e.contains("--url") && e.contains("non-loopback"), "{e}");
        let e = refused(&["--stream-url", "http://127.0.0.1:8082,http://example.com"]);
        assert!(e.contains("--stream-url") && e.contains("loopback"), "{e}");
        let e = refused(&["--stream-url", ""]);
        assert!(e.contains("at least one"), "{e}");
        let e = refused(&["--url", "http://127.0.0.1:8081,"]);
        assert!(e.contains("empty item"), "{e}");
        // --source-ips are IPv4: every target of both lists must be IPv4 too.
        let e = hugs_with(&[
            "--url",
            "http://127.0.0.1:8081",
            "--stream-url",
            "http://127.0.0.1:8082,http://[::1]:8083",
            "--source-ips",
            "127.0.0.2",
        ])
        .expect("parse")
        .to_config()
        .expect_err("IPv6 stream target with IPv4 sources");
        assert!(e.to_string().contains("IPv4"), "{e}");
        // hold still takes exactly one hub.
        assert!(Cli::try_parse_from([
            "hugmood-loadgen",
            "hold",
            "--tokens",
            "t.txt",
            "--url",
            "http://127.0.0.1:8081,http://127.0.0.1:8082",
        ])
        .is_err());
    }

    #[test]
    fn fanout_arguments() {
        let cli = Cli::try_parse_from([
            "hugmood-loadgen",
            "fanout",
            "--url",
            "http://127.0.0.1:38080",
            "--tokens",
            "t.txt",
            "--posts",
            "20",
            "--interval",
            "500ms",
            "--source-ips",
            "127.0.0.2-127.0.0.9",
        ])
        .expect("parse");
        let Command::Fanout(a) = cli.command else {
            panic!("not fanout")
        };
        let cfg = a.to_config(1001).expect("config");
        assert_eq!(cfg.friends, 1000, "every token after the author");
        assert_eq!(cfg.posts, 20);
        assert_eq!(cfg.interval, Duration::from_millis(500));
        assert_eq!(cfg.source_ips.len(), 8);
        assert_eq!(cfg.timeout, Duration::from_secs(120));
        let base = ["hugmood-loadgen", "fanout", "--tokens", "t.txt"];
        let with = |extra: &[&str]| {
            let mut v: Vec<&str> = base.to_vec();
            v.extend_from_slice(extra);
            Cli::try_parse_from(v)
        };
        assert!(with(&["--url", "http://10.0.0.1:8080"]).is_err());
        assert!(with(&["--timeout", "601s"]).is_err());
        assert!(with(&["--friends", "10"]).is_ok());
    }
}
