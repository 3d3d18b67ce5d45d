//! Everything that touches the disk: board files, image headers, config and paths.

pub mod credentials;
pub mod paths;
