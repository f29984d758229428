//! Process-wide memory settings applied before the hub allocates much.
//!
//! Transparent huge pages are turned off for the process. mimalloc asks for them on
//! its large regions, so the first touch of each 2 MiB stretch makes the kernel zero a
//! whole huge page, and the stretches it hands back (it purges freed pages after a few
//! milliseconds) are zeroed whole again when reused. With 4 KiB pages only what is
//! touched is zeroed (measured in `docs/benchmarks.md`, "Huge pages off").

/// Turns transparent huge pages off for this process (Linux; elsewhere nothing).
/// Returns whether the setting took.
pub fn disable_transparent_huge_pages() -> bool {
    #[cfg(target_os = "linux")]
    {
        rustix::thread::disable_transparent_huge_pages(true).is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}
