use clap::Parser;
use hugmood_loadgen::cli::{run, Cli, Command};
use std::time::Duration;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // A worker holds thousands of sockets on one thread; the parent sends
    // hugs and watches workers with two.
    let runtime = match cli.command {
        Command::Worker(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        _ => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build(),
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hugmood-loadgen: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    // Don't wait for a blocking stdin read of a worker.
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hugmood-loadgen: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
