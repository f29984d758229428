//! Progress of long command-line work, on stderr (stdout keeps the command's own
//! output): a bar on a terminal, and otherwise plain lines such as
//! `seeded 2000/20000 users` at every tenth of the work, at least every few seconds
//! while it goes on, and always at the end.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Longest time without a plain line while work goes on.
const LINE_INTERVAL: Duration = Duration::from_secs(5);

/// Progress through `total` units of work.
pub struct Progress {
    inner: Inner,
}

enum Inner {
    Bar(ProgressBar),
    Lines(Lines<std::io::Stderr>),
}

impl Progress {
    /// Progress on stderr, reported as `<done> <done>/<total> <unit>` (e.g. "seeded",
    /// "users"): a bar when stderr is a terminal, plain lines when it is not.
    pub fn stderr(done: &'static str, unit: &'static str, total: u64) -> Self {
        let stderr = std::io::stderr();
        let inner = if stderr.is_terminal() {
            Inner::Bar(bar(done, unit, total))
        } else {
            Inner::Lines(Lines::new(stderr, done, unit, total))
        };
        Self { inner }
    }

    /// `n` more units are done.
    pub fn advance(&mut self, n: u64) {
        match &mut self.inner {
            Inner::Bar(bar) => bar.inc(n),
            Inner::Lines(lines) => lines.advance(n),
        }
    }

    /// The work is over: the bar stays as it is, plain lines end with the last count.
    pub fn finish(self) {
        match self.inner {
            Inner::Bar(bar) => bar.finish(),
            Inner::Lines(mut lines) => lines.finish(),
        }
    }
}

fn bar(done: &str, unit: &str, total: u64) -> ProgressBar {
    let template = format!("{done} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{elapsed}}, ETA {{eta}})");
    let style = ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()).with_style(style)
}

/// Plain progress lines on `out`.
struct Lines<W: Write> {
    out: W,
    done_word: &'static str,
    unit: &'static str,
    total: u64,
    done: u64,
    /// The count of the last line written, if any.
    written: Option<u64>,
    /// Tenths of the work reached by the last line written.
    tenths: u64,
    last_line: Instant,
    interval: Duration,
}

impl<W: Write> Lines<W> {
    fn new(out: W, done_word: &'static str, unit: &'static str, total: u64) -> Self {
        Self {
            out,
            done_word,
            unit,
            total,
            done: 0,
            written: None,
            tenths: 0,
            last_line: Instant::now(),
            interval: LINE_INTERVAL,
        }
    }

    /// Tenths of the work that `done` units are (all of it when there is none).
    fn tenths_of(&self, done: u64) -> u64 {
        done.saturating_mul(10)
            .checked_div(self.total)
            .unwrap_or(10)
    }

    fn advance(&mut self, n: u64) {
        self.done = self.done.saturating_add(n).min(self.total);
        let tenths = self.tenths_of(self.done);
        if tenths > self.tenths || self.last_line.elapsed() >= self.interval {
            self.write_line();
        }
    }

    fn finish(&mut self) {
        if self.written != Some(self.done) {
            self.write_line();
        }
    }

    fn write_line(&mut self) {
        // Progress is a courtesy: a closed stderr must not fail the work itself.
        let _ = writeln!(
            self.out,
            "{} {}/{} {}",
            self.done_word, self.done, self.total, self.unit
        );
        let _ = self.out.flush();
        self.written = Some(self.done);
        self.tenths = self.tenths_of(self.done);
        self.last_line = Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(out: &[u8]) -> Vec<String> {
        String::from_utf8_lossy(out)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn a_line_at_each_tenth_and_the_end() {
        let mut out = Vec::new();
        let mut progress = Lines::new(&mut out, "seeded", "users", 20);
        for _ in 0..20 {
            progress.advance(1);
        }
        progress.finish();
        let expected: Vec<String> = (1..=10)
            .map(|t| format!("seeded {}/20 users", t * 2))
            .collect();
        assert_eq!(lines(&out), expected);
    }

    #[test]
    fn large_steps_write_one_line_each_and_the_end_once() {
        let mut out = Vec::new();
        let mut progress = Lines::new(&mut out, "seeded", "users", 50);
        for _ in 0..3 {
            progress.advance(17);
        }
        progress.finish();
        assert_eq!(
            lines(&out),
            [
                "seeded 17/50 users",
                "seeded 34/50 users",
                "seeded 50/50 users"
            ]
        );
    }

    #[test]
    fn slow_work_writes_a_line_after_the_interval() {
        let mut out = Vec::new();
        let mut progress = Lines::new(&mut out, "seeded", "users", 1000);
        progress.interval = Duration::ZERO;
        progress.advance(1);
        progress.advance(1);
        progress.finish();
        assert_eq!(lines(&out), ["seeded 1/1000 users", "seeded 2/1000 users"]);
    }

    #[test]
    fn no_work_still_ends_with_its_count() {
        let mut out = Vec::new();
        Lines::new(&mut out, "seeded", "users", 0).finish();
        assert_eq!(lines(&out), ["seeded 0/0 users"]);
    }
}
