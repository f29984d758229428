//! The README's walk-through, run as written against the real `hugmood serve`: every
//! shell block marked `<!-- walkthrough -->` is run, in order, in one bash session
//! (`set -euo pipefail`) with `HUB_URL` naming the hub, so the README stays true.

mod common;

use common::Served;

const MARK: &str = "<!-- walkthrough -->";

/// The marked blocks of the README, in order.
fn walkthrough_blocks(readme: &str) -> Vec<String> {
    readme
        .split(MARK)
        .skip(1)
        .map(|after| {
            let body = after
                .trim_start()
                .strip_prefix("```sh\n")
                .unwrap_or_else(|| panic!("a ```sh block follows each {MARK}: {after:.80}"));
            let end = body.find("\n```").expect("the block is closed");
            body[..end].to_owned()
        })
        .collect()
}

#[test]
fn the_readme_marks_its_walkthrough() {
    let blocks = walkthrough_blocks(include_str!("../README.md"));
    assert_eq!(blocks.len(), 3, "account and friends, realtime, errors");
    for block in &blocks[1..] {
        assert!(
            !block.contains("127.0.0.1"),
            "only the first block names the default address: {block}"
        );
    }
    assert!(
        blocks[0].contains("${HUB_URL:-http://127.0.0.1:8080}"),
        "the address comes from HUB_URL with the default: {}",
        blocks[0]
    );
}

#[tokio::test]
async fn readme_walkthrough_runs_as_written() {
    let served = Served::start().await;
    let script = walkthrough_blocks(include_str!("../README.md")).join("\n");
    let output = tokio::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .env("HUB_URL", &served.base)
        .output()
        .await
        .expect("bash runs (curl must be installed)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "walk-through failed ({}): {stdout}\n{stderr}\nhub: {}",
        output.status,
        served.log_text()
    );
    // What the README says each step prints.
    for (what, printed) in [
        ("Alice is registered", r#""username":"alice""#),
        (
            "her own profile shows her email",
            r#""email":"alice@example.com""#,
        ),
        ("Bob's request is pending", r#""status":"pending""#),
        ("Alice accepted it", r#""status":"accepted""#),
        ("Bob has one friend", r#""total":1"#),
        ("the hug arrives on the stream", "event: hug_received"),
        ("with its inbox item", "event: notification"),
        ("the inbox lists it unread", r#""type":"hug_received""#),
        ("the request and the hug are unread", r#""unreadCount":2"#),
        ("the hug is seen", r#""status":"seen""#),
        ("the events since 0", r#""events":[{"id":1,"#),
        ("the bad registration", r#""code":"validation_failed""#),
        (
            "naming the username",
            r#""username":"must be 3 to 30 characters""#,
        ),
    ] {
        assert!(stdout.contains(printed), "{what}: {printed} in {stdout}");
    }
    let errors = stdout.matches(r#""error""#).count();
    assert_eq!(errors, 1, "only the error example fails: {stdout}");
}
