//! Everything that touches the disk: board files, image headers, config, credentials, paths.

pub mod board_file;
pub mod config;
pub mod credentials;
pub mod image_probe;
pub mod logging;
pub mod paths;
