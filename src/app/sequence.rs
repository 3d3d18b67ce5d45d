//! A sequence as it stands: the engine reads it (file, boards, keepers from the store).
pub use shotdeck_engine::sequence::*;
