//! Writes synthetic fixtures (placeholder until the generator lands).
fn main() {}
