//! Image facts for validation, read from file headers only (never a full decode), and the
//! Base64 embedding used when a board is submitted.

use std::path::{Path, PathBuf};

use base64::Engine;

use crate::core::ImageSource;
use crate::core::gateway_profile::Profiles;
use crate::core::images::{ImageFact, ImageFacts, ImageReadError};
use crate::core::model::{Board, is_url};
use crate::core::{Finding, Provider, validate_for};

/// Resolves a board's image reference against the board's folder.
pub fn resolve(board_dir: &Path, reference: &str) -> PathBuf {
    let p = Path::new(reference.trim());
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        board_dir.join(p)
    }
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
    let kind = match std::fs::File::open(&path).and_then(|mut f| {
        use std::io::Read;
        let n = f.read(&mut header)?;
        Ok(n)
    }) {
        Ok(n) => imagesize::image_type(&header[..n]),
        Err(e) => return ImageFact::Missing(e.kind().to_string()),
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
        match std::fs::read(&path) {
            Ok(bytes) => Ok(base64::engine::general_purpose::STANDARD.encode(bytes)),
            Err(e) => Err(ImageReadError {
                path,
                reason: e.to_string(),
            }),
        }
    }
}
