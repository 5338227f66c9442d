//! Synthetic notices (placeholder until the generator lands).
