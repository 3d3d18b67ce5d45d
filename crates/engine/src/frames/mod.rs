//! The previous keeper's last frame as a PNG, for a board that continues from it (see
//! `shotdeck_core::sequence::continuation`): decoded with OpenH264 ([`decode`]), or by
//! `ffmpeg` when installed and the decoder fails, then written atomically.

mod decode;
mod ffmpeg;

use std::path::{Path, PathBuf};

use image::RgbImage;
use image::imageops::FilterType;

pub use decode::last_frame as decode_last_frame;

/// Kling's image limit, "宽高尺寸：≥300px" (omni-video page, image limits; image2video the
/// same): a smaller last frame is enlarged to it, keeping its shape, or the first frame
/// would be refused.
pub const MIN_SIDE_PX: u32 = 300;

/// How the frame was had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoder {
    OpenH264,
    /// OpenH264 failed (its reason kept); ffmpeg made it.
    Ffmpeg {
        openh264_failed: String,
    },
}

/// What was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub png: PathBuf,
    pub width: u32,
    pub height: u32,
    pub decoder: Decoder,
}

/// Writes `video`'s last frame to `png` (its folders made): OpenH264 first, ffmpeg (when
/// `ffmpeg` is given) if that fails, enlarged to [`MIN_SIDE_PX`] when smaller. `Err` says
/// what failed, each way.
pub fn last_frame_png(video: &Path, png: &Path, ffmpeg: Option<&Path>) -> Result<Frame, String> {
    if !video.is_file() {
        return Err(format!("{} is not on this machine", video.display()));
    }
    if let Some(dir) = png.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    }
    let (image, decoder) = match decode::last_frame(video) {
        Ok(image) => (image, Decoder::OpenH264),
        Err(why) => {
            let Some(ffmpeg) = ffmpeg else {
                return Err(format!(
                    "OpenH264 could not decode {}: {why}; ffmpeg is not installed to try instead",
                    video.display()
                ));
            };
            let made = png.with_extension("ffmpeg.png");
            ffmpeg::last_frame(ffmpeg, video, &made)
                .map_err(|e| format!("OpenH264: {why}; {e}"))?;
            let image = image::open(&made)
                .map_err(|e| format!("ffmpeg's frame cannot be read: {e}"))?
                .to_rgb8();
            let _ = std::fs::remove_file(&made);
            (
                image,
                Decoder::Ffmpeg {
                    openh264_failed: why,
                },
            )
        }
    };
    let image = at_least(image, MIN_SIDE_PX);
    write_png(&image, png)?;
    Ok(Frame {
        png: png.to_path_buf(),
        width: image.width(),
        height: image.height(),
        decoder,
    })
}

/// `image` scaled up so its shorter side is `min` (unchanged when it already is).
pub fn at_least(image: RgbImage, min: u32) -> RgbImage {
    let (w, h) = image.dimensions();
    let short = w.min(h).max(1);
    if short >= min {
        return image;
    }
    let scale = f64::from(min) / f64::from(short);
    let size = |side: u32| ((f64::from(side) * scale).round() as u32).max(min);
    image::imageops::resize(&image, size(w), size(h), FilterType::Lanczos3)
}

/// Encodes `image` as PNG and writes it atomically.
pub fn write_png(image: &RgbImage, png: &Path) -> Result<(), String> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .map_err(|e| format!("cannot encode the frame: {e}"))?;
    shotdeck_files::board_file::write_atomic(png, bytes.get_ref())
        .map_err(|e| format!("cannot write {}: {e}", png.display()))
}

#[cfg(test)]
mod tests;
