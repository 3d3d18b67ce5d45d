//! The sound in a cut. The simulator's sample is pictures only, so these build takes with
//! an AAC track (`mp4a`: dummy access units of 1024 samples at 48 kHz, each marked with its
//! take and its number; nothing decodes them) beside the sample's pictures.

use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use mp4::{
    AacConfig, AudioObjectType, AvcConfig, ChannelConfig, MediaConfig, Mp4Config, Mp4Reader,
    Mp4Sample, Mp4Writer, SampleFreqIndex, TrackConfig, TrackType,
};

use super::tests::{SAMPLE, input, resized_sample};
use super::*;

const AUDIO_RATE: u32 = 48_000;
const AAC_FRAME: u32 = 1024;

/// The sample's pictures with `frames` AAC access units beside them; each unit's bytes
/// are `[marker, n]`.
fn with_sound(dir: &Path, marker: u8, frames: u8) -> CutInput {
    with_sound_sized(dir, marker, frames, None)
}

/// The same, its pictures said to be `size`.
fn with_sound_sized(dir: &Path, marker: u8, frames: u8, size: Option<(u16, u16)>) -> CutInput {
    let name = format!("sound-{marker}");
    CutInput {
        label: format!("take {marker}"),
        path: rewritten_sample(dir, &name, size, Some((marker, frames))),
    }
}

/// `dir/name.mp4`: the sample's pictures, said to be `size` when given (nothing here
/// decodes them, so the bytes stay the sample's), with `sound` = (marker, frames) AAC
/// access units beside them when given.
pub(super) fn rewritten_sample(
    dir: &Path,
    name: &str,
    size: Option<(u16, u16)>,
    sound: Option<(u8, u8)>,
) -> PathBuf {
    let source = dir.join("source.mp4");
    std::fs::write(&source, SAMPLE).unwrap();
    let file = std::fs::File::open(&source).unwrap();
    let bytes = file.metadata().unwrap().len();
    let mut reader = Mp4Reader::read_header(BufReader::new(file), bytes).unwrap();
    let (id, track) = reader.tracks().iter().next().unwrap();
    let (id, timescale) = (*id, track.timescale());
    let avc = AvcConfig {
        width: size.map_or(track.width(), |s| s.0),
        height: size.map_or(track.height(), |s| s.1),
        seq_param_set: track.sequence_parameter_set().unwrap().to_vec(),
        pic_param_set: track.picture_parameter_set().unwrap().to_vec(),
    };
    let path = dir.join(format!("{name}.mp4"));
    let config = Mp4Config {
        major_brand: "isom".parse().unwrap(),
        minor_version: 512,
        compatible_brands: vec!["isom".parse().unwrap()],
        timescale: 1000,
    };
    let file = BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut writer = Mp4Writer::write_start(file, &config).unwrap();
    writer
        .add_track(&TrackConfig {
            track_type: TrackType::Video,
            timescale,
            language: "und".into(),
            media_conf: MediaConfig::AvcConfig(avc),
        })
        .unwrap();
    if sound.is_some() {
        writer
            .add_track(&TrackConfig {
                track_type: TrackType::Audio,
                timescale: AUDIO_RATE,
                language: "und".into(),
                media_conf: MediaConfig::AacConfig(AacConfig {
                    bitrate: 128_000,
                    profile: AudioObjectType::AacLowComplexity,
                    freq_index: SampleFreqIndex::Freq48000,
                    chan_conf: ChannelConfig::Stereo,
                }),
            })
            .unwrap();
    }
    for n in 1..=reader.sample_count(id).unwrap() {
        let sample = reader.read_sample(id, n).unwrap().unwrap();
        writer.write_sample(1, &sample).unwrap();
    }
    let (marker, frames) = sound.unwrap_or_default();
    for n in 0..frames {
        let unit = Mp4Sample {
            start_time: u64::from(n) * u64::from(AAC_FRAME),
            duration: AAC_FRAME,
            rendering_offset: 0,
            is_sync: true,
            bytes: vec![marker, n].into(),
        };
        writer.write_sample(2, &unit).unwrap();
    }
    writer.write_end().unwrap();
    drop(writer);
    path
}

/// Each track of `path`: its kind, timescale and samples (start, duration, bytes).
type Samples = Vec<(u64, u32, Vec<u8>)>;
fn tracks(path: &PathBuf) -> Vec<(TrackType, u32, Samples)> {
    let file = std::fs::File::open(path).unwrap();
    let size = file.metadata().unwrap().len();
    let mut reader = Mp4Reader::read_header(BufReader::new(file), size).unwrap();
    let mut ids: Vec<u32> = reader.tracks().keys().copied().collect();
    ids.sort_unstable();
    ids.into_iter()
        .map(|id| {
            let track = &reader.tracks()[&id];
            let (kind, scale) = (track.track_type().unwrap(), track.timescale());
            let samples = (1..=reader.sample_count(id).unwrap())
                .map(|n| {
                    let s = reader.read_sample(id, n).unwrap().unwrap();
                    (s.start_time, s.duration, s.bytes.to_vec())
                })
                .collect();
            (kind, scale, samples)
        })
        .collect()
}

#[test]
fn each_shot_s_sound_starts_where_its_pictures_do() {
    let dir = tempfile::tempdir().unwrap();
    // One second of pictures each; sound a little long (50 units, 1.067 s), a little short
    // (45, 0.96 s), then long again: copied as they are, shot 3's sound would start
    // 0.027 s late and the drift would grow with every shot.
    let inputs = vec![
        with_sound(dir.path(), 1, 50),
        with_sound(dir.path(), 2, 45),
        with_sound(dir.path(), 3, 50),
    ];
    let out = dir.path().join("cut.mp4");
    let report = cut(&inputs, &out, None).unwrap();
    assert_eq!(report.method, CutMethod::Copied);
    assert_eq!(report.lengths, vec![1.0, 1.0, 1.0], "the pictures' lengths");
    assert!(report.audio && report.silent.is_empty());

    let tracks = tracks(&out);
    assert_eq!(tracks.len(), 2, "pictures and sound");
    let (video, audio) = (&tracks[0], &tracks[1]);
    assert_eq!((video.0, audio.0), (TrackType::Video, TrackType::Audio));
    let per_shot = video.2.len() / 3;
    let at = |scale: u32, ticks: u64| ticks as f64 / f64::from(scale);
    let frame = f64::from(AAC_FRAME) / f64::from(AUDIO_RATE);
    for shot in 0..3u8 {
        let pictures = at(video.1, video.2[usize::from(shot) * per_shot].0);
        let sound = audio.2.iter().find(|s| s.2[0] == shot + 1).unwrap();
        assert_eq!(
            sound.2[1],
            0,
            "shot {}'s sound from its first unit",
            shot + 1
        );
        assert!(
            (at(audio.1, sound.0) - pictures).abs() < 1.0 / f64::from(AUDIO_RATE),
            "shot {}: sound at {}, pictures at {pictures}",
            shot + 1,
            at(audio.1, sound.0)
        );
    }
    // The sound keeps to the pictures' end: nothing of a shot plays under the next one.
    let end = |t: &(TrackType, u32, Samples)| {
        let last = t.2.last().unwrap();
        at(t.1, last.0 + u64::from(last.1))
    };
    assert!(
        (end(audio) - end(video)).abs() < frame,
        "{} against {}",
        end(audio),
        end(video)
    );
    let kept = |marker| audio.2.iter().filter(|s| s.2[0] == marker).count();
    assert_eq!(
        (kept(1), kept(2), kept(3)),
        (47, 45, 47),
        "units past the pictures left out"
    );
}

#[test]
fn a_silent_shot_among_sound_ones_is_named_and_not_copied() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = vec![
        with_sound(dir.path(), 1, 47),
        input(dir.path(), "02-market", SAMPLE),
        with_sound(dir.path(), 3, 47),
    ];
    let out = dir.path().join("cut.mp4");
    let err = cut(&inputs, &out, None).unwrap_err().to_string();
    assert!(
        err.starts_with(
            "shot 2 (02-market take 1) has no sound and shots 1 (take 1) and 3 (take 3) have sound: \
             the cut cannot be joined without re-encoding"
        ),
        "{err}"
    );
    assert!(err.contains("install ffmpeg"), "{err}");
    assert!(!out.exists());
}

#[cfg(unix)]
#[test]
fn with_ffmpeg_sound_is_kept_and_a_silent_shot_gets_silence_of_its_length() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, args_file) = super::tests::recording_ffmpeg(dir.path());

    // Every shot with sound, one of another frame size: re-encoded, every sound kept.
    let inputs = vec![
        with_sound(dir.path(), 1, 47),
        with_sound_sized(dir.path(), 2, 47, Some((320, 180))),
    ];
    let out = dir.path().join("cut.mp4");
    let report = cut(&inputs, &out, Some(&fake)).unwrap();
    assert_eq!(report.method, CutMethod::Ffmpeg);
    assert!(report.audio && report.silent.is_empty());
    let args = std::fs::read_to_string(&args_file).unwrap();
    assert!(args.contains("[1:a:0]aresample=48000"), "{args}");
    assert!(!args.contains("anullsrc"), "{args}");
    assert!(args.contains("concat=n=2:v=1:a=1[v][a]"), "{args}");

    // A shot without sound among them: silence of its length there, the rest kept.
    let sized = resized_sample(dir.path(), 320, 180);
    let inputs = vec![
        with_sound(dir.path(), 1, 47),
        CutInput {
            label: "02-market take 1".into(),
            path: sized,
        },
    ];
    let report = cut(&inputs, &out, Some(&fake)).unwrap();
    assert_eq!(report.method, CutMethod::Ffmpeg);
    assert!(report.audio);
    assert_eq!(report.silent, vec![1]);
    let args = std::fs::read_to_string(&args_file).unwrap();
    assert!(
        args.contains("[0:a:0]aresample=48000,aformat=channel_layouts=stereo[a0];"),
        "{args}"
    );
    assert!(
        args.contains("anullsrc=r=48000:cl=stereo,atrim=duration=1.000000[a1];"),
        "{args}"
    );
    assert!(
        args.contains("[s0][a0][s1][a1]concat=n=2:v=1:a=1[v][a]"),
        "{args}"
    );
    assert!(args.contains("-map\n[a]\n-c:a\naac\n"), "{args}");
}
