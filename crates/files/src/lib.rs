//! Everything that touches the disk: board files, image headers, config, credentials, paths.

pub mod board_file;
pub mod board_lock;
pub mod config;
pub mod config_parse;
pub mod credentials;
pub mod image_files;
pub mod image_probe;
pub mod logging;
pub mod paths;
pub mod preview;
pub mod project;
pub mod safe_read;
pub mod sequence_file;
pub mod toml_error;

/// Whether process `pid` is running, where the system can tell (`/proc` on Linux);
/// `None` elsewhere, so callers leave things alone rather than guess.
pub fn process_alive(pid: u32) -> Option<bool> {
    let proc = std::path::Path::new("/proc");
    proc.join("self")
        .exists()
        .then(|| proc.join(pid.to_string()).exists())
}
