//! The command line: `hugmood [--config FILE] <serve|migrate|seed|token>`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "hugmood", version, about = "HugMood realtime notification hub")]
pub struct Cli {
    /// A TOML file overriding config/default.toml (HUGMOOD_* variables override both).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the hub (the default): migrate the database, then serve HTTP.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create demo users with friendships, mood entries and hugs that reach their
    /// inboxes and event logs; print how to log in (with --tokens-out, also write an
    /// access token per user to a file).
    Seed(SeedArgs),
    /// Print an access token for a user, for load tests and curl.
    Token(TokenArgs),
}

#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// How many users to create.
    #[arg(long, default_value_t = 20)]
    pub users: u32,
    /// Username prefix: users are `<prefix>_<n>`.
    #[arg(long, default_value = "demo")]
    pub prefix: String,
    /// Friends each user has (at most --users minus one): in a ring, each user
    /// befriends the K/2 users after it and the K/2 before it, and for an odd K also
    /// the user half-way round (when --users and K are both odd, one user has K-1).
    #[arg(long, value_name = "K", default_value_t = 6)]
    pub friends: u32,
    /// Also make the first user friends with the next N users (a star, for the
    /// fan-out benchmark: one author, N friends); pairs already in the ring count once.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub star_friends: u32,
    /// Mood entries per user, one a day up to today (0 for none). Today's reaches the
    /// friends' event logs; the older ones are history.
    #[arg(long, default_value_t = 3)]
    pub moods: u32,
    /// Hugs each user sends to their first friend (0 for none), unread: each is an
    /// inbox item and events of the recipient.
    #[arg(long, default_value_t = 1)]
    pub hugs: u32,
    /// Write `<user id> <access token>` per seeded user to this file (tokens are not
    /// printed otherwise).
    #[arg(long, value_name = "FILE")]
    pub tokens_out: Option<PathBuf>,
    /// Lifetime of the written tokens in seconds (default: access_token_ttl_secs).
    #[arg(long, value_name = "SECS")]
    pub token_ttl: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// Username or email of the user.
    #[arg(long)]
    pub user: String,
    /// Lifetime in seconds (default: access_token_ttl_secs).
    #[arg(long, value_name = "SECS")]
    pub ttl: Option<u64>,
}
