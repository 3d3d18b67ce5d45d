//! Image facts for validation, read from file headers only (never a full decode), and the
//! Base64 embedding used when a board is submitted.

use std::path::{Path, PathBuf};

use base64::Engine;

use super::safe_read;
use shotdeck_core::ImageSource;
use shotdeck_core::gateway_profile::Profiles;
use shotdeck_core::images::{ImageFact, ImageFacts, ImageReadError};
use shotdeck_core::model::{Board, is_url};
use shotdeck_core::{Finding, Provider, validate_for};

/// Resolves a board's image reference against the board's folder.
pub fn resolve(board_dir: &Path, reference: &str) -> PathBuf {
    let p = Path::new(reference.trim());
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        board_dir.join(p)
    }
}

/// Where a local image really is when that is not where the board says: a symlink
/// `x.png` leading out of the board's folder (to `~/.ssh/id_ed25519`, say). Confirmations
/// name it, since that file is what gets uploaded. `None` when it is where it says (or
/// cannot be looked at).
pub fn real_target(board_dir: &Path, reference: &str) -> Option<PathBuf> {
    let real = std::fs::canonicalize(resolve(board_dir, reference)).ok()?;
    let dir = std::fs::canonicalize(board_dir).ok()?;
    let as_named = super::board_file::lexical(&dir.join(reference.trim()));
    (real != as_named).then_some(real)
}

/// What the header of one image says.
pub fn probe(board_dir: &Path, reference: &str) -> ImageFact {
    if is_url(reference) {
        return ImageFact::Remote;
    }
    let path = resolve(board_dir, reference);
    let bytes = match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => m.len(),
        Ok(_) => return ImageFact::Missing("not a file".into()),
        Err(e) => return ImageFact::Missing(e.kind().to_string()),
    };
    let mut header = [0u8; 16];
    // Only the header is read here (the size rule judges `bytes`), so no size cap.
    let kind = match safe_read::open_regular(&path, u64::MAX) {
        Ok((mut f, _)) => match std::io::Read::read(&mut f, &mut header) {
            Ok(n) => imagesize::image_type(&header[..n]),
            Err(e) => return ImageFact::Missing(e.kind().to_string()),
        },
        Err(safe_read::ReadError::Io { source, .. }) => {
            return ImageFact::Missing(source.kind().to_string());
        }
        Err(_) => return ImageFact::Missing("not a file".into()),
    };
    let format = match kind {
        Ok(imagesize::ImageType::Jpeg) => "jpeg".to_string(),
        Ok(imagesize::ImageType::Png) => "png".to_string(),
        Ok(other) => format!("{other:?}").to_lowercase(),
        Err(_) => return ImageFact::Unreadable("unrecognised header".into()),
    };
    match imagesize::size(&path) {
        Ok(size) => ImageFact::Local {
            format,
            width: size.width as u32,
            height: size.height as u32,
            bytes,
        },
        Err(e) => ImageFact::Unreadable(e.to_string()),
    }
}

/// Facts for every non-empty image the board mentions.
pub fn gather(board: &Board, board_dir: &Path) -> ImageFacts {
    board
        .image_refs()
        .into_iter()
        .filter(|(_, r)| !r.trim().is_empty())
        .map(|(_, r)| (r.to_string(), probe(board_dir, r)))
        .collect()
}

/// Every rule for `provider` with the user's profiles, with the facts of the board's local
/// images read from disk: what `shotdeck validate` prints and what the engine checks before
/// it records a submit.
pub fn validate_on_disk(
    board: &Board,
    board_dir: &Path,
    provider: Provider,
    profiles: &Profiles,
) -> Vec<Finding> {
    validate_for(board, provider, profiles, &gather(board, board_dir))
}

/// Embeds local images as raw Base64 (no `data:` prefix), as both providers expect.
pub struct FileImages {
    pub board_dir: PathBuf,
}

impl ImageSource for FileImages {
    fn local_image(&self, reference: &str) -> Result<String, ImageReadError> {
        let path = resolve(&self.board_dir, reference);
        match safe_read::read_bytes(&path, safe_read::MAX_IMAGE_BYTES) {
            Ok(bytes) => Ok(base64::engine::general_purpose::STANDARD.encode(bytes)),
            Err(e) => Err(ImageReadError {
                path,
                reason: e.to_string(),
            }),
        }
    }
}
