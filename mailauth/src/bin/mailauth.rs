//! The `mailauth` command-line tool (placeholder while the library grows).
fn main() {}
