//! The migrations are embedded by `sqlx::migrate!`, which does not tell cargo about
//! new files: without this, adding a migration would not rebuild the crate.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
