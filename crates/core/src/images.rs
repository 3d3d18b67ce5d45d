//! Facts about the images a board points at. The files layer reads them (headers only);
//! the rules judge them here without touching the disk.

use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq)]
pub enum ImageFact {
    /// A local file whose header was read.
    Local {
        /// `jpeg`, `png`, or whatever else the header says it is.
        format: String,
        width: u32,
        height: u32,
        bytes: u64,
    },
    /// An http(s) URL: the provider fetches it, nothing to check locally.
    Remote,
    /// The path does not exist or could not be read.
    Missing(String),
    /// The file exists but its header is not an image we recognise.
    Unreadable(String),
}

/// Image reference (as written in the board) → what is known about it.
pub type ImageFacts = HashMap<String, ImageFact>;

/// Why a local image could not be read for embedding in a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct ImageReadError {
    /// The file as resolved against the board's folder.
    pub path: PathBuf,
    /// What the system said.
    pub reason: String,
}
