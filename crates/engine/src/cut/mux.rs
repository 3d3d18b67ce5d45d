//! Copying samples from MP4 files with matching streams into one, with the `mp4` crate.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;

use mp4::{
    AacConfig, AvcConfig, MediaConfig, MediaType, Mp4Config, Mp4Reader, Mp4Track, Mp4Writer,
    TrackConfig, TrackType,
};

use super::{CutError, CutInput};

/// One input, its header read (samples are read while writing).
pub(super) struct Source {
    label: String,
    reader: Mp4Reader<BufReader<File>>,
    /// Track ids in order, so every file's tracks pair up the same way.
    track_ids: Vec<u32>,
}

impl Source {
    pub(super) fn open(input: &CutInput) -> Result<Source, CutError> {
        let failed = |reason: String| CutError::Read {
            label: input.label.clone(),
            path: input.path.display().to_string(),
            reason,
        };
        let file = File::open(&input.path).map_err(|e| failed(e.to_string()))?;
        let size = file.metadata().map_err(|e| failed(e.to_string()))?.len();
        let reader = Mp4Reader::read_header(BufReader::new(file), size)
            .map_err(|e| failed(format!("not an MP4 shotdeck can read ({e})")))?;
        if reader.is_fragmented() {
            return Err(failed(
                "a fragmented MP4 (its samples are not indexed)".into(),
            ));
        }
        let mut track_ids: Vec<u32> = reader.tracks().keys().copied().collect();
        track_ids.sort_unstable();
        if track_ids.is_empty() {
            return Err(failed("the file has no track".into()));
        }
        Ok(Source {
            label: input.label.clone(),
            reader,
            track_ids,
        })
    }

    pub(super) fn label(&self) -> &str {
        &self.label
    }

    fn tracks(&self) -> impl Iterator<Item = &Mp4Track> {
        self.track_ids
            .iter()
            .filter_map(|id| self.reader.tracks().get(id))
    }

    /// The shot's length: its first video track's (the pictures are what the cut lines
    /// up; a longer sound track is cut there, a shorter one ends early), else the movie's.
    pub(super) fn seconds(&self) -> f64 {
        self.video()
            .map_or(self.reader.duration(), Mp4Track::duration)
            .as_secs_f64()
    }

    /// The first video track's index among `track_ids`, and the track.
    fn video_at(&self) -> Option<(usize, &Mp4Track)> {
        self.tracks()
            .enumerate()
            .find(|(_, t)| matches!(t.track_type(), Ok(TrackType::Video)))
    }

    fn video(&self) -> Option<&Mp4Track> {
        self.video_at().map(|(_, t)| t)
    }

    pub(super) fn has_audio(&self) -> bool {
        self.tracks()
            .any(|t| matches!(t.track_type(), Ok(TrackType::Audio)))
    }

    /// The first video track's frame (what ffmpeg fits the others to).
    pub(super) fn frame(&self) -> super::ffmpeg::Frame {
        let video = self.video();
        super::ffmpeg::Frame {
            width: video.map_or(1280, |t| t.width()),
            height: video.map_or(720, |t| t.height()),
            fps: self.fps(),
        }
    }

    pub(super) fn fps(&self) -> u32 {
        self.video()
            .map(|t| t.frame_rate().round() as u32)
            .filter(|&f| f > 0)
            .unwrap_or(24)
    }

    /// The first way this file's streams differ from `first`'s, said with both values, or
    /// `None` when its samples can follow `first`'s as they are.
    pub(super) fn differs_from(&self, first: &Source) -> Option<String> {
        let (ours, theirs): (Vec<_>, Vec<_>) = (self.tracks().collect(), first.tracks().collect());
        let of = &first.label;
        if ours.len() != theirs.len() {
            return Some(format!(
                "it has {} tracks, {of} has {}",
                ours.len(),
                theirs.len()
            ));
        }
        for (a, b) in ours.iter().zip(&theirs) {
            let (ka, kb) = (kind(a), kind(b));
            if ka != kb {
                return Some(format!(
                    "its track {} is {ka}, {of}'s is {kb}",
                    a.track_id()
                ));
            }
            if matches!(a.track_type(), Ok(TrackType::Video))
                && (a.width(), a.height()) != (b.width(), b.height())
            {
                return Some(format!(
                    "its video is {}×{}, {of}'s is {}×{}",
                    a.width(),
                    a.height(),
                    b.width(),
                    b.height()
                ));
            }
            if a.timescale() != b.timescale() {
                return Some(format!(
                    "its {ka} timescale is {}, {of}'s is {}",
                    a.timescale(),
                    b.timescale()
                ));
            }
            if a.trak.mdia.minf.stbl.stsd != b.trak.mdia.minf.stbl.stsd {
                return Some(format!(
                    "its {ka} sample description (codec settings) differs from {of}'s"
                ));
            }
        }
        None
    }
}

/// `H.264 video`, `AAC audio`, or what the crate calls it.
fn kind(track: &Mp4Track) -> String {
    let media = track
        .media_type()
        .map(|m| m.to_string())
        .unwrap_or_else(|_| "unknown".into());
    let kind = track
        .track_type()
        .map(|t| t.to_string())
        .unwrap_or_else(|_| "track".into());
    format!("{media} {kind}")
}

/// The first file's track, described for the writer.
fn track_config(track: &Mp4Track) -> Result<TrackConfig, String> {
    let unsupported = || format!("{} tracks are not copied by shotdeck", kind(track));
    let media_conf = match track.media_type().map_err(|_| unsupported())? {
        MediaType::H264 => MediaConfig::AvcConfig(AvcConfig {
            width: track.width(),
            height: track.height(),
            seq_param_set: track
                .sequence_parameter_set()
                .map_err(|e| e.to_string())?
                .to_vec(),
            pic_param_set: track
                .picture_parameter_set()
                .map_err(|e| e.to_string())?
                .to_vec(),
        }),
        MediaType::AAC => MediaConfig::AacConfig(AacConfig {
            bitrate: track.bitrate(),
            profile: track.audio_profile().map_err(|e| e.to_string())?,
            freq_index: track.sample_freq_index().map_err(|e| e.to_string())?,
            chan_conf: track.channel_config().map_err(|e| e.to_string())?,
        }),
        _ => return Err(unsupported()),
    };
    Ok(TrackConfig {
        track_type: track.track_type().map_err(|e| e.to_string())?,
        timescale: track.timescale(),
        language: track.language().to_string(),
        media_conf,
    })
}

/// Writes every source's samples, track by track, into `out`: sample durations,
/// composition offsets and sync marks are kept, and each file's first sample follows the
/// previous file's last one on every track. The first video track sets each shot's
/// length; every other track (the sound) is lined up with it at each shot's end, so each
/// shot's sound starts where its pictures do however many shots come before: the last
/// sample inside the shot is shortened or lengthened to end there, and samples starting
/// past it are left out. (The writer places samples by their durations only, and the
/// files' edit lists, such as an AAC encoder's priming delay, are not carried over.)
pub(super) fn copy_samples(mut sources: Vec<Source>, out: &Path) -> Result<(), String> {
    let first = &sources[0];
    let config = Mp4Config {
        major_brand: *first.reader.major_brand(),
        minor_version: first.reader.minor_version(),
        compatible_brands: first.reader.compatible_brands().to_vec(),
        // The writer adds each sample's duration to the movie's in movie units, rounding
        // each down: in the video track's own units the video's length stays exact.
        timescale: first
            .tracks()
            .find(|t| matches!(t.track_type(), Ok(TrackType::Video)))
            .map_or(first.reader.timescale(), |t| t.timescale()),
    };
    let configs = first
        .tracks()
        .map(track_config)
        .collect::<Result<Vec<_>, _>>()?;
    let file = File::create(out).map_err(|e| e.to_string())?;
    let mut writer =
        Mp4Writer::write_start(BufWriter::new(file), &config).map_err(|e| e.to_string())?;
    for track in &configs {
        writer.add_track(track).map_err(|e| e.to_string())?;
    }
    let timescales: Vec<u64> = configs.iter().map(|c| u64::from(c.timescale)).collect();
    // Each output track's length so far, in its own units.
    let mut written = vec![0u64; configs.len()];
    // The end of the shots so far in the first video track's units: (ticks, timescale).
    let mut shots_end: Option<(u64, u64)> = None;
    for source in &mut sources {
        // The pictures' length as the samples written will have it (their durations).
        let video = source.video_at().map(|(at, t)| {
            let stts = &t.trak.mdia.minf.stbl.stts.entries;
            let ticks = stts
                .iter()
                .map(|e| u64::from(e.sample_count) * u64::from(e.sample_delta))
                .sum::<u64>();
            (at, ticks)
        });
        if let Some((at, duration)) = video {
            let (end, scale) = shots_end.get_or_insert((0, timescales[at]));
            *end += duration;
            debug_assert_eq!(*scale, timescales[at], "the streams were checked to match");
        }
        for (index, id) in source.track_ids.clone().into_iter().enumerate() {
            // Where this track must end with this shot, unless it is the one setting it.
            let target = match (video, shots_end) {
                (Some((at, _)), Some((end, scale))) if at != index => Some(
                    (u128::from(end) * u128::from(timescales[index]) + u128::from(scale) / 2)
                        / u128::from(scale),
                ),
                _ => None,
            }
            .map(|t| u64::try_from(t).unwrap_or(u64::MAX));
            let count = source.reader.sample_count(id).map_err(|e| e.to_string())?;
            for sample_id in 1..=count {
                let mut sample = source
                    .reader
                    .read_sample(id, sample_id)
                    .map_err(|e| format!("{}: {e}", source.label))?
                    .ok_or_else(|| format!("{}: sample {sample_id} is missing", source.label))?;
                if let Some(target) = target {
                    let start = written[index];
                    if start >= target {
                        break; // past the shot's pictures
                    }
                    let end = start + u64::from(sample.duration);
                    if sample_id == count || end >= target {
                        sample.duration = u32::try_from(target - start).unwrap_or(u32::MAX);
                    }
                }
                writer
                    .write_sample(index as u32 + 1, &sample)
                    .map_err(|e| e.to_string())?;
                written[index] += u64::from(sample.duration);
            }
        }
    }
    writer.write_end().map_err(|e| e.to_string())?;
    let mut file = writer.into_writer();
    std::io::Write::flush(&mut file).map_err(|e| e.to_string())?;
    file.get_ref().sync_all().map_err(|e| e.to_string())
}
