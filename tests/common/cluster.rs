//! A real cluster for the black-box tests: hub nodes as separate `hugmood serve`
//! processes (so one can be SIGKILLed) sharing one fresh PostgreSQL database and one
//! Redis server of the test's own (so it can be restarted without disturbing other
//! tests). PostgreSQL comes from `HUGMOOD_TEST_POSTGRES_URL` (an admin URL) and Redis
//! is started from the `redis-server` binary; without them the tests skip locally,
//! and fail under `CI=true`.

use reqwest::Client;
use sqlx::Connection;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{eventually, Config, TestHub};

/// The JWT secret every node of a test cluster shares.
pub const CLUSTER_SECRET: &str = "test-cluster-secret-of-at-least-32-bytes";

/// Whether a missing service or tool must fail the test rather than skip it (`CI` as
/// the test scripts read it).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| ["true", "1", "yes"].contains(&v.to_lowercase().as_str()))
}

/// Says why the test cannot run: a panic in CI, a skip note otherwise.
fn unavailable(what: &str) -> Option<std::convert::Infallible> {
    assert!(
        !in_ci(),
        "CI=true but {what}: cluster tests cannot be skipped in CI"
    );
    eprintln!("{what}: skipping this cluster test");
    None
}

/// A port free right now on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A Redis server of the test's own.
pub struct TestRedis {
    pub port: u16,
    child: Option<Child>,
}

impl TestRedis {
    pub fn start() -> Option<Self> {
        let mut redis = Self {
            port: free_port(),
            child: None,
        };
        if !redis.spawn() {
            unavailable("redis-server cannot be started (is it installed?)")?;
        }
        Some(redis)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) -> bool {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--loglevel", "warning"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(child) = child else { return false };
        self.child = Some(child);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Kills the server (every connection to it drops).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) {
        self.stop();
        assert!(self.spawn(), "redis-server restarts on port {}", self.port);
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A fresh PostgreSQL database, dropped with the test.
pub struct TestDatabase {
    pub url: String,
    admin_url: String,
    name: String,
}

impl TestDatabase {
    pub async fn create() -> Option<Self> {
        let Ok(admin_url) = std::env::var("HUGMOOD_TEST_POSTGRES_URL") else {
            match unavailable("HUGMOOD_TEST_POSTGRES_URL is not set")? {}
        };
        let name = format!("hugmood_cluster_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect to the PostgreSQL admin URL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        let (base, _) = admin_url
            .rsplit_once('/')
            .expect("admin URL names a database");
        Some(Self {
            url: format!("{base}/{name}"),
            admin_url,
            name,
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

/// One hub process; `hub` drives it like an in-process hub.
pub struct Node {
    pub hub: TestHub,
    child: Option<Child>,
}

impl Node {
    /// Whether the process still runs.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Kills the process with SIGKILL: nothing of it runs on.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Nodes sharing one database and one Redis.
pub struct Cluster {
    pub nodes: Vec<Node>,
    pub redis: TestRedis,
    pub db: TestDatabase,
    env: Vec<(String, String)>,
}

impl Cluster {
    /// `n` nodes with the default settings.
    pub async fn start(n: usize) -> Option<Self> {
        Self::start_with(n, &[]).await
    }

    /// `n` nodes, each with the extra `HUGMOOD_*` settings of `env`.
    pub async fn start_with(n: usize, env: &[(&str, &str)]) -> Option<Self> {
        let redis = TestRedis::start()?;
        let db = TestDatabase::create().await?;
        let mut cluster = Self {
            nodes: Vec::new(),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            redis,
            db,
        };
        for _ in 0..n {
            let node = cluster.spawn_node().await;
            cluster.nodes.push(node);
        }
        Some(cluster)
    }

    /// Node `i`'s hub, to send requests to.
    pub fn hub(&self, i: usize) -> &TestHub {
        &self.nodes[i].hub
    }

    /// Starts one more node; it is ready (database and Redis answer) on return.
    pub async fn spawn_node(&self) -> Node {
        self.spawn_node_on(free_port()).await
    }

    /// Starts one more node listening on `port` (which other nodes may share).
    pub async fn spawn_node_on(&self, port: u16) -> Node {
        let child = Command::new(env!("CARGO_BIN_EXE_hugmood"))
            .arg("serve")
            .env_remove("HUGMOOD_TEST_POSTGRES_URL")
            .env_remove("HUGMOOD_TEST_REDIS_URL")
            .env("HUGMOOD_BIND", format!("127.0.0.1:{port}"))
            .env("HUGMOOD_DATABASE_URL", &self.db.url)
            .env("HUGMOOD_REDIS_URL", self.redis.url())
            .env("HUGMOOD_JWT_SECRET", CLUSTER_SECRET)
            .env("HUGMOOD_DB_MAX_CONNECTIONS", "8")
            .envs(
                super::ROOMY_LIMITS
                    .iter()
                    .map(|(key, n)| (format!("HUGMOOD_{key}"), n.to_string())),
            )
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env(
                "RUST_LOG",
                std::env::var("HUGMOOD_TEST_NODE_LOG").unwrap_or("warn".into()),
            )
            .stdin(Stdio::null())
            .spawn()
            .expect("start a hugmood serve process");
        let base = format!("http://127.0.0.1:{port}");
        let mut config = Config::defaults();
        config.database_url = self.db.url.clone();
        config.redis_url = Some(self.redis.url());
        config.jwt_secret = CLUSTER_SECRET.into();
        let hub = TestHub::remote(base, config);
        let node = Node {
            hub,
            child: Some(child),
        };
        let ready = eventually(Duration::from_secs(30), || async {
            matches!(
                node.hub.client.get(node.hub.url("/readyz")).send().await,
                Ok(r) if r.status().is_success()
            )
        })
        .await;
        assert!(ready, "node on port {port} became ready");
        node
    }

    /// Whether node `i`'s readiness check answers `status` within `limit`.
    pub async fn ready_becomes(&self, i: usize, status: u16, limit: Duration) -> bool {
        let hub = self.hub(i);
        eventually(limit, || async {
            matches!(
                hub.client.get(hub.url("/readyz")).send().await,
                Ok(r) if r.status().as_u16() == status
            )
        })
        .await
    }
}
