// `sqlx::migrate!` embeds migrations/ at compile time; without this, adding or editing
// a migration alone would leave a binary that does not carry it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
