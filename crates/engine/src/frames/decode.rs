//! The last frame of an MP4's H.264 track, decoded with Cisco's OpenH264 (the `openh264`
//! crate, built from the source it bundles) — no system library, no ffmpeg.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use image::RgbImage;
use mp4::{Mp4Reader, TrackType};
use openh264::decoder::{DecodedYUV, Decoder};
use openh264::formats::YUVSource;

/// Annex B's start code, which OpenH264 reads NAL units by (MP4 stores them length-prefixed).
const START_CODE: [u8; 4] = [0, 0, 0, 1];

/// Decodes the video track from its last sync sample (a keyframe: decoding can only start
/// at one) to its end and returns the last picture the decoder gives, as RGB.
pub fn last_frame(mp4: &Path) -> Result<RgbImage, String> {
    let file = File::open(mp4).map_err(|e| e.to_string())?;
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    let mut reader = Mp4Reader::read_header(BufReader::new(file), size)
        .map_err(|e| format!("not an MP4 shotdeck can read ({e})"))?;
    let (track_id, track) = reader
        .tracks()
        .iter()
        .find(|(_, t)| matches!(t.track_type(), Ok(TrackType::Video)))
        .ok_or("the file has no video track")?;
    let track_id = *track_id;
    let avc1 = track
        .trak
        .mdia
        .minf
        .stbl
        .stsd
        .avc1
        .as_ref()
        .ok_or("its video is not H.264 (avc1)")?;
    let length_size = usize::from(avc1.avcc.length_size_minus_one & 3) + 1;
    let mut headers = Vec::new();
    for nal in avc1
        .avcc
        .sequence_parameter_sets
        .iter()
        .chain(&avc1.avcc.picture_parameter_sets)
    {
        headers.extend_from_slice(&START_CODE);
        headers.extend_from_slice(&nal.bytes);
    }
    let count = track.sample_count();
    if count == 0 {
        return Err("the video track has no samples".into());
    }
    // Sample numbers are 1-based; without a sync sample table every sample is one.
    let from = track
        .trak
        .mdia
        .minf
        .stbl
        .stss
        .as_ref()
        .and_then(|stss| stss.entries.iter().copied().filter(|&s| s <= count).max())
        .unwrap_or(count);

    let mut decoder = Decoder::new().map_err(|e| format!("OpenH264: {e}"))?;
    decoder
        .decode(&headers)
        .map_err(|e| format!("OpenH264 refused the SPS/PPS: {e}"))?;
    let mut last: Option<RgbImage> = None;
    for sample_id in from..=count {
        let sample = reader
            .read_sample(track_id, sample_id)
            .map_err(|e| format!("sample {sample_id}: {e}"))?
            .ok_or_else(|| format!("sample {sample_id} is missing"))?;
        let packet = annex_b(&sample.bytes, length_size)?;
        if let Some(yuv) = decoder
            .decode(&packet)
            .map_err(|e| format!("OpenH264 could not decode sample {sample_id}: {e}"))?
        {
            last = Some(rgb(&yuv)?);
        }
    }
    let flushed = decoder
        .flush_remaining()
        .map_err(|e| format!("OpenH264 could not flush: {e}"))?;
    if let Some(yuv) = flushed.last() {
        last = Some(rgb(yuv)?);
    }
    last.ok_or_else(|| "OpenH264 gave no picture".into())
}

/// Length-prefixed NAL units (MP4's form) as Annex B.
fn annex_b(mut data: &[u8], length_size: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(data.len() + 16);
    while !data.is_empty() {
        if data.len() < length_size {
            return Err("a NAL unit's length is cut short".into());
        }
        let len = data[..length_size]
            .iter()
            .fold(0usize, |n, &b| (n << 8) | usize::from(b));
        let rest = &data[length_size..];
        if len > rest.len() {
            return Err("a NAL unit runs past its sample".into());
        }
        out.extend_from_slice(&START_CODE);
        out.extend_from_slice(&rest[..len]);
        data = &rest[len..];
    }
    Ok(out)
}

fn rgb(yuv: &DecodedYUV<'_>) -> Result<RgbImage, String> {
    let (w, h) = yuv.dimensions();
    let mut buf = vec![0u8; w * h * 3];
    yuv.write_rgb8(&mut buf);
    let (w, h) = (
        u32::try_from(w).map_err(|e| e.to_string())?,
        u32::try_from(h).map_err(|e| e.to_string())?,
    );
    RgbImage::from_raw(w, h, buf).ok_or_else(|| "the decoded picture has the wrong size".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_prefixed_units_become_annex_b() {
        let avcc = [0, 0, 0, 2, 0x65, 0xaa, 0, 0, 0, 1, 0x41];
        assert_eq!(
            annex_b(&avcc, 4).unwrap(),
            vec![0, 0, 0, 1, 0x65, 0xaa, 0, 0, 0, 1, 0x41]
        );
        assert!(annex_b(&[0, 0, 0, 9, 1], 4).is_err(), "past the sample");
        assert!(annex_b(&[0, 0], 4).is_err(), "a cut length");
    }
}
