//! What a comparison of two takes needs from one job beyond its stored record: the charge
//! in USD, its videos as they are on disk now (size, length from the MP4 header), and a hash
//! of the image data its request carried for each image the board named. Reads files, so
//! the engine runs it on a blocking thread.

use serde_json::Value;

use super::media::mp4_duration_secs;
use shotdeck_core::budget::{UnitPrices, units_to_usd};
use shotdeck_core::compare::{SentImage, TakeFacts, TakeFile};
use shotdeck_core::compose::{ImageSource, compose_with, effective_model};
use shotdeck_core::gateway_profile::Profiles;
use shotdeck_core::images::ImageReadError;
use shotdeck_store::{JobRecord, sha256_hex};

/// Brackets a board reference in the re-composed request, so its place can be found.
const MARK: char = '\u{1}';

/// Stands in for the images: each becomes `MARK reference MARK`.
struct MarkedImages;

impl ImageSource for MarkedImages {
    fn local_image(&self, reference: &str) -> Result<String, ImageReadError> {
        Ok(format!("{MARK}{reference}{MARK}"))
    }
}

pub fn take_facts(record: &JobRecord, profiles: &Profiles, prices: &UnitPrices) -> TakeFacts {
    let view = &record.view;
    let model = effective_model(&record.board, view.provider);
    let files = view
        .files
        .iter()
        .map(|f| {
            let bytes = std::fs::metadata(&f.path).ok().map(|m| m.len());
            // Measured at download; measured now for a video finished before that existed.
            let media_seconds = f.media_seconds.or_else(|| {
                bytes
                    .and_then(|_| mp4_duration_secs(&f.path).ok())
                    .flatten()
            });
            TakeFile {
                path: f.path.clone(),
                bytes,
                media_seconds,
            }
        })
        .collect();
    TakeFacts {
        id: view.id,
        take: view.take,
        provider: view.provider,
        charged_usd: view
            .units_charged
            .as_deref()
            .and_then(|u| units_to_usd(u, &model, prices)),
        model,
        board: record.board.clone(),
        estimated_usd: view.estimated_usd,
        units_charged: view.units_charged.clone(),
        files,
        images: sent_images(record, profiles),
    }
}

/// Each image the board names, with the hash of the data sent for it. The stored board
/// is composed again with marked stand-ins for the images: where a mark lands in that
/// request, the stored request holds the data that was sent for that reference. Compose is
/// pure, so the places are the ones the original submit used.
fn sent_images(record: &JobRecord, profiles: &Profiles) -> Vec<SentImage> {
    let board = &record.board;
    let ext = &record.view.external_task_id;
    let mut hashes = Vec::new();
    if let Ok(marked) = compose_with(board, record.view.provider, profiles, &MarkedImages, ext) {
        find_marks(&marked.body, &record.request.body, &mut hashes);
    }
    board
        .image_refs()
        .into_iter()
        .map(|(slot, file)| SentImage {
            slot: slot.to_string(),
            file: file.to_string(),
            sha256: hashes
                .iter()
                .find(|(reference, _)| reference == file)
                .map(|(_, hash)| hash.clone()),
        })
        .collect()
}

/// The SHA-256 of the image bytes a request carried as Base64 (what `sha256sum` says of
/// the file, and what sidecars name), or of the string itself when it is not Base64.
fn data_sha256(sent: &str) -> String {
    use base64::Engine as _;
    match base64::engine::general_purpose::STANDARD.decode(sent) {
        Ok(bytes) => sha256_hex(bytes),
        Err(_) => sha256_hex(sent),
    }
}

/// Walks `marked` and `sent` together, pairing each marked reference with the hash of
/// the string in the same place of `sent`.
fn find_marks(marked: &Value, sent: &Value, out: &mut Vec<(String, String)>) {
    match (marked, sent) {
        (Value::String(m), Value::String(s)) => {
            let mut parts = m.split(MARK);
            if let (Some(_), Some(reference), Some(_)) = (parts.next(), parts.next(), parts.next())
            {
                out.push((reference.to_string(), data_sha256(s)));
            }
        }
        (Value::Array(ms), Value::Array(ss)) => {
            for (m, s) in ms.iter().zip(ss) {
                find_marks(m, s, out);
            }
        }
        (Value::Object(ms), Value::Object(ss)) => {
            for (key, m) in ms {
                if let Some(s) = ss.get(key) {
                    find_marks(m, s, out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shotdeck_core::compose::compose;
    use shotdeck_core::{Board, Mode, Provider};
    use shotdeck_store::{NewJob, Store};

    /// Sends the frame's bytes as its data (what a real submit embeds, in Base64).
    struct Bytes(&'static str);

    impl ImageSource for Bytes {
        fn local_image(&self, _: &str) -> Result<String, ImageReadError> {
            Ok(self.0.to_string())
        }
    }

    fn recorded(data: &'static str, provider: Provider) -> JobRecord {
        let mut board = Board::starter();
        board.mode = Mode::Image;
        board.first_frame = Some("street.png".into());
        board.references = vec!["https://example.test/ref.png".into()];
        let request = compose(&board, provider, &Bytes(data), "shotdeck-t").unwrap();
        let job = NewJob {
            board_key: None,
            board_path: "/b.json".into(),
            board,
            provider,
            request,
            external_task_id: "shotdeck-t".into(),
            estimated_usd: Some(1.0),
            retry_of: None,
        };
        let mut s = Store::open_in_memory().unwrap();
        let id = s.insert_job(&job, "me", 0, 0).unwrap();
        s.record(id).unwrap().unwrap()
    }

    #[test]
    fn each_local_image_is_named_with_the_hash_of_the_data_sent_for_it() {
        for provider in [Provider::Kling, Provider::Gateway] {
            let facts = take_facts(
                &recorded("AAAA", provider),
                &Profiles::default(),
                &UnitPrices::new(),
            );
            let first = &facts.images[0];
            assert_eq!(first.slot, "first_frame");
            assert_eq!(first.file, "street.png");
            assert_eq!(
                first.sha256.as_deref(),
                Some(data_sha256("AAAA").as_str()),
                "{provider}"
            );
            assert_eq!(
                data_sha256("AAAA"),
                "709e80c88487a2411e1ee4dfb9f22a861492d20c4765150c0c794abd70f8147c",
                "the hash of the three zero bytes it decodes to"
            );
            let other = take_facts(
                &recorded("BBBB", provider),
                &Profiles::default(),
                &UnitPrices::new(),
            );
            assert_ne!(first.sha256, other.images[0].sha256);
        }
    }

    #[test]
    fn a_missing_video_has_no_size_and_charges_convert_with_the_unit_price() {
        let mut record = recorded("AAAA", Provider::Kling);
        record.view.units_charged = Some("2".into());
        record.view.files = vec![shotdeck_core::jobs::JobFile {
            url: "https://cdn.test/v.mp4".into(),
            path: "/nonexistent/shotdeck/v.mp4".into(),
            bytes_done: 10,
            bytes_total: Some(10),
            complete: true,
            media_seconds: None,
        }];
        let mut prices = UnitPrices::new();
        let model = effective_model(&record.board, Provider::Kling);
        prices.insert(model.clone(), 0.5);
        let facts = take_facts(&record, &Profiles::default(), &prices);
        assert_eq!(facts.charged_usd, Some(1.0));
        assert_eq!(facts.files[0].bytes, None);
        assert_eq!(facts.files[0].media_seconds, None);
        assert_eq!(facts.model, model);
    }
}
