//! Linux /proc readings: the hub's memory and open files, and this process's
//! own limits (open files, ephemeral ports).

use serde::{Deserialize, Serialize};
use std::io;

/// One look at the hub process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubSample {
    /// Resident memory (VmRSS) in KiB.
    pub rss_kb: u64,
    /// Open file descriptors (None when /proc/PID/fd is not readable).
    pub fds: Option<u64>,
    /// Milliseconds since the run started.
    pub at_ms: u64,
}

/// VmRSS in KiB from the text of /proc/PID/status.
pub fn parse_vm_rss_kb(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

pub fn vm_rss_kb(pid: u32) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    parse_vm_rss_kb(&status)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no VmRSS line"))
}

pub fn fd_count(pid: u32) -> io::Result<u64> {
    Ok(std::fs::read_dir(format!("/proc/{pid}/fd"))?.count() as u64)
}

/// Samples the hub; errors if the process is gone.
pub fn sample_hub(pid: u32, at_ms: u64) -> io::Result<HubSample> {
    Ok(HubSample {
        rss_kb: vm_rss_kb(pid)?,
        fds: fd_count(pid).ok(),
        at_ms,
    })
}

/// Soft "Max open files" from the text of /proc/self/limits.
pub fn parse_nofile_soft(limits: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line["Max open files".len()..].split_whitespace().next()?;
    if soft == "unlimited" {
        return Some(u64::MAX);
    }
    soft.parse().ok()
}

/// This process's soft limit on open files, if known.
pub fn nofile_soft_limit() -> Option<u64> {
    parse_nofile_soft(&std::fs::read_to_string("/proc/self/limits").ok()?)
}

/// Size of the ephemeral port range (ports a single source address can use to
/// one destination), if known.
pub fn ephemeral_ports() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    let mut it = text.split_whitespace().map(|n| n.parse::<u64>().ok());
    let (lo, hi) = (it.next()??, it.next()??);
    Some(hi.saturating_sub(lo) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_and_limits() {
        let status = "Name:\thugmood\nVmPeak:\t  300000 kB\nVmRSS:\t   123456 kB\nThreads:\t3\n";
        assert_eq!(parse_vm_rss_kb(status), Some(123_456));
        assert_eq!(parse_vm_rss_kb("Name: x\n"), None);
        let limits =
            "Limit                     Soft Limit           Hard Limit           Units     \n\
Max cpu time              unlimited            unlimited            seconds   \n\
Max open files            20000                20000                files     \n";
        assert_eq!(parse_nofile_soft(limits), Some(20_000));
        assert_eq!(
            parse_nofile_soft(
                "Max open files            unlimited            unlimited            files\n"
            ),
            Some(u64::MAX)
        );
    }

    #[test]
    fn samples_this_process() {
        let s = sample_hub(std::process::id(), 0).expect("own /proc");
        assert!(s.rss_kb > 0);
        assert!(s.fds.is_some_and(|n| n >= 3));
        assert!(nofile_soft_limit().is_some_and(|n| n > 0));
    }
}
