//! A downloaded video's length, read from its MP4 header (`moov/mvhd`: timescale and
//! duration). Only box headers are read; `mdat` (the media, nearly all of the file) is
//! skipped with a seek, wherever `moov` sits.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// The presentation length in seconds; `Ok(None)` when the file is not an MP4 with a
/// readable `moov/mvhd`.
pub fn mp4_duration_secs(path: &Path) -> io::Result<Option<f64>> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let Some((moov_start, moov_end)) = find_box(&mut file, 0, len, b"moov")? else {
        return Ok(None);
    };
    let Some((mvhd_start, mvhd_end)) = find_box(&mut file, moov_start, moov_end, b"mvhd")? else {
        return Ok(None);
    };
    file.seek(SeekFrom::Start(mvhd_start))?;
    let mut body = vec![0u8; (mvhd_end - mvhd_start).min(64) as usize];
    file.read_exact(&mut body)?;
    Ok(mvhd_seconds(&body))
}

/// The first box named `name` between `start` and `end`: its body's start and end.
fn find_box(
    file: &mut File,
    start: u64,
    end: u64,
    name: &[u8; 4],
) -> io::Result<Option<(u64, u64)>> {
    let mut at = start;
    while at + 8 <= end {
        file.seek(SeekFrom::Start(at))?;
        let mut head = [0u8; 8];
        file.read_exact(&mut head)?;
        let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let (size, header) = match size32 {
            // A 64-bit size follows the type.
            1 => {
                let mut large = [0u8; 8];
                file.read_exact(&mut large)?;
                (u64::from_be_bytes(large), 16)
            }
            // The box runs to the end of its parent.
            0 => (end - at, 8),
            n => (u64::from(n), 8),
        };
        if size < header || at + size > end {
            return Ok(None);
        }
        if &head[4..8] == name {
            return Ok(Some((at + header, at + size)));
        }
        at += size;
    }
    Ok(None)
}

/// `mvhd`'s body: version 0 has 32-bit times, version 1 64-bit ones.
fn mvhd_seconds(body: &[u8]) -> Option<f64> {
    let be32 = |at: usize| Some(u32::from_be_bytes(body.get(at..at + 4)?.try_into().ok()?));
    let be64 = |at: usize| Some(u64::from_be_bytes(body.get(at..at + 8)?.try_into().ok()?));
    let (timescale, duration) = match body.first()? {
        0 => (be32(12)?, u64::from(be32(16)?)),
        1 => (be32(20)?, be64(24)?),
        _ => return None,
    };
    (timescale > 0).then(|| duration as f64 / f64::from(timescale))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(name: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(name);
        b.extend_from_slice(body);
        b
    }

    fn mvhd_v0(timescale: u32, duration: u32) -> Vec<u8> {
        let mut body = vec![0u8; 12];
        body.extend_from_slice(&timescale.to_be_bytes());
        body.extend_from_slice(&duration.to_be_bytes());
        body.extend_from_slice(&[0u8; 80]);
        boxed(b"mvhd", &body)
    }

    fn duration_of(bytes: &[u8]) -> Option<f64> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.mp4");
        std::fs::write(&path, bytes).unwrap();
        mp4_duration_secs(&path).unwrap()
    }

    #[test]
    fn the_simulators_sample_is_one_second() {
        let sample = include_bytes!("../../sim/src/assets/sample.mp4");
        assert_eq!(duration_of(sample), Some(1.0));
    }

    #[test]
    fn moov_after_a_large_mdat_and_a_version_1_header() {
        let mut body = vec![1u8, 0, 0, 0];
        body.extend_from_slice(&[0u8; 16]);
        body.extend_from_slice(&600u32.to_be_bytes());
        body.extend_from_slice(&7_200u64.to_be_bytes());
        let mut file = boxed(b"ftyp", b"isom\0\0\0\0");
        // A 64-bit sized mdat.
        let media = vec![0u8; 1000];
        file.extend_from_slice(&1u32.to_be_bytes());
        file.extend_from_slice(b"mdat");
        file.extend_from_slice(&(media.len() as u64 + 16).to_be_bytes());
        file.extend_from_slice(&media);
        file.extend(boxed(b"moov", &boxed(b"mvhd", &body)));
        assert_eq!(duration_of(&file), Some(12.0));
    }

    #[test]
    fn not_an_mp4_or_cut_short_is_none() {
        assert_eq!(duration_of(b"<html>not a video</html>"), None);
        let mut file = boxed(b"ftyp", b"isom\0\0\0\0");
        file.extend(boxed(b"moov", &mvhd_v0(1000, 5000)));
        assert_eq!(duration_of(&file), Some(5.0));
        file.truncate(file.len() - 60);
        assert_eq!(duration_of(&file), None, "a box running past the end");
        let zero_scale = [boxed(b"ftyp", b"isom"), boxed(b"moov", &mvhd_v0(0, 5))].concat();
        assert_eq!(duration_of(&zero_scale), None);
    }
}
