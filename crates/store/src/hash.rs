//! Content hashes: how the SQLite backend keys stored images, and how sidecars and take
//! comparisons name an image.

use sha2::{Digest, Sha256};

/// The SHA-256 of `data` in lowercase hex: how blobs are keyed (of the Base64 text), and
/// how sidecars and take comparisons name an image (of its bytes, as `sha256sum` does).
pub fn sha256_hex(data: impl AsRef<[u8]>) -> String {
    lower_hex(&Sha256::digest(data.as_ref()))
}

/// `bytes` as lowercase hex, two digits each.
pub fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
