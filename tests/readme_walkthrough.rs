//! The README's curl walk-through, run verbatim (but for the address) against a real
//! hub, so the README stays true.

mod common;

use common::TestHub;

/// The first ```sh block of the README: the walk-through.
fn walkthrough() -> String {
    let readme = include_str!("../README.md");
    let start = readme.find("```sh\n").expect("README has a ```sh block") + "```sh\n".len();
    let len = readme[start..].find("```").expect("the block is closed");
    readme[start..start + len].to_owned()
}

#[tokio::test]
async fn readme_curl_walkthrough_works() {
    let hub = TestHub::start().await;
    let script = walkthrough();
    assert!(
        script.contains("http://127.0.0.1:8080"),
        "the walk-through talks to the default address"
    );
    let script = script.replace("http://127.0.0.1:8080", &hub.base);
    let output = tokio::process::Command::new("bash")
        .arg("-euo")
        .arg("pipefail")
        .arg("-c")
        .arg(&script)
        .output()
        .await
        .expect("bash runs (curl must be installed)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "walk-through failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(r#""username":"alice""#),
        "registered and looked at Alice: {stdout}"
    );
    assert!(
        stdout.contains(r#""email":"alice@example.com""#),
        "me shows the email: {stdout}"
    );
    assert!(
        stdout.contains(r#""status":"pending""#),
        "Bob's request was made: {stdout}"
    );
    assert!(
        stdout.contains(r#""status":"accepted""#),
        "Alice accepted: {stdout}"
    );
    assert!(
        stdout.contains(r#""total":1"#),
        "Bob has one friend: {stdout}"
    );
    assert!(!stdout.contains(r#""error""#), "no step failed: {stdout}");
    hub.stop().await;
}
