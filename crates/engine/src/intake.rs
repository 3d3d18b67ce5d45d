//! A submit's way in: from the board a front end sent to the job the store records.
//!
//! [`prepare`] reads files (image headers for validation, then every local image the
//! request embeds, up to 10 MB each, as Base64), so the engine runs it on a blocking
//! thread. Nothing here talks to a provider.

use shotdeck_core::cost::{PriceTable, estimate};
use shotdeck_core::gateway_profile::Profiles;
use shotdeck_core::jobs::{JobId, MAX_TAKES, Refusal, SubmitRequest};
use shotdeck_core::{compose_with, is_submittable};
use shotdeck_files::board_file::board_dir;
use shotdeck_files::image_probe::{FileImages, validate_on_disk};
use shotdeck_store::NewJob;

/// Validates the board against the images on disk, estimates its cost and holds it to the
/// ceiling, mints the idempotency key and composes the request with the images embedded.
pub fn prepare(
    req: SubmitRequest,
    prices: &PriceTable,
    profiles: &Profiles,
) -> Result<NewJob, Refusal> {
    prepare_n(req, prices, profiles, 1)
}

/// [`prepare`] for every take the submit asks for (`SubmitOptions::takes`): the board is
/// validated and composed once, the ceiling holds the takes' total, and each take is the
/// same request under its own fresh `external_task_id` (so each is reconciled alone).
pub fn prepare_takes(
    req: SubmitRequest,
    prices: &PriceTable,
    profiles: &Profiles,
) -> Result<Vec<NewJob>, Refusal> {
    let n = req.options.take_count();
    if n > MAX_TAKES {
        return Err(Refusal::TooManyTakes { asked: n });
    }
    let first = prepare_n(req, prices, profiles, n)?;
    let mut jobs = Vec::with_capacity(n as usize);
    for _ in 1..n {
        let mut take = first.clone();
        take.external_task_id = super::new_external_task_id();
        rekey(&mut take.request.body, &take.external_task_id, 0)?;
        jobs.push(take);
    }
    jobs.insert(0, first);
    Ok(jobs)
}

/// [`prepare`], the ceiling holding `takes` copies of the board together.
fn prepare_n(
    req: SubmitRequest,
    prices: &PriceTable,
    profiles: &Profiles,
    takes: u32,
) -> Result<NewJob, Refusal> {
    let mut req = req;
    // Recorded under one name however the board was named (`../x.json`, a symlink), and
    // counted under its project's name for it, the same on every machine.
    let identity = shotdeck_files::project::resolve(&req.board_path);
    req.board_path = identity.board_path;
    let dir = board_dir(&req.board_path);
    let findings = validate_on_disk(&req.board, &dir, req.provider, profiles);
    if !is_submittable(&findings) {
        return Err(Refusal::Findings(findings));
    }
    let estimated_usd = estimate(&req.board, req.provider, prices).map(|e| e.usd);
    let total_usd = estimated_usd.map(|usd| usd * f64::from(takes));
    if let (Some(estimate_usd), Some(max_usd)) = (total_usd, req.options.max_usd)
        && !shotdeck_core::budget::fits_under(estimate_usd, max_usd)
    {
        return Err(Refusal::OverCeiling {
            estimate_usd,
            max_usd,
        });
    }
    let external_task_id = super::new_external_task_id();
    let images = FileImages { board_dir: dir };
    let request = compose_with(
        &req.board,
        req.provider,
        profiles,
        &images,
        &external_task_id,
    )
    .map_err(Refusal::Compose)?;
    Ok(NewJob {
        board_path: req.board_path,
        board_key: Some(identity.key),
        board: req.board,
        provider: req.provider,
        request,
        external_task_id,
        estimated_usd,
        retry_of: None,
    })
}

/// Reconciliation finds a task by the `external_task_id` its create carried; a job whose
/// body carries another id (or none) could never be matched after a lost answer, and a
/// re-send might bill twice. Every job passes here before it is recorded.
pub fn ensure_keyed(job: &NewJob) -> Result<(), Refusal> {
    let ext = job.external_task_id.as_str();
    let places = key_places(&job.request.body);
    let keyed = !places.is_empty()
        && places
            .iter()
            .all(|p| job.request.body.pointer(p).and_then(|v| v.as_str()) == Some(ext));
    if ext.trim().is_empty() || !keyed {
        return Err(Refusal::Unkeyed {
            external_task_id: ext.to_string(),
        });
    }
    Ok(())
}

/// Where a body carries `external_task_id`: at the top level, in a gateway's `metadata`, or
/// both (see core::gateway_profile), or in `options` (Kling's v2 design: "options.external_task_id
/// | string | No | Custom task ID", README "Kling's two request designs").
fn key_places(body: &serde_json::Value) -> Vec<&'static str> {
    [
        "/external_task_id",
        "/metadata/external_task_id",
        "/options/external_task_id",
    ]
    .into_iter()
    .filter(|p| body.pointer(p).is_some())
    .collect()
}

/// Gives a stored body a new `external_task_id` (a retry that resends the stored request):
/// every place the body already carries one is replaced, whatever the provider's form
/// (Kling's body and a relay of it: the top level; a gateway: the top level, its
/// `metadata`, or both). A body that carries none is refused: a key added where the
/// provider does not read it would make the create impossible to reconcile (`id`: the job
/// being retried, for the refusal).
pub fn rekey(
    body: &mut serde_json::Value,
    external_task_id: &str,
    id: JobId,
) -> Result<(), Refusal> {
    let places = key_places(body);
    if places.is_empty() {
        return Err(Refusal::NoKeyToReplace { id });
    }
    for place in places {
        if let Some(slot) = body.pointer_mut(place) {
            *slot = external_task_id.into();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use shotdeck_core::cost::default_prices;
    use shotdeck_core::jobs::SubmitOptions;
    use shotdeck_core::{Board, Mode, Provider};

    fn prepare(req: SubmitRequest, prices: &PriceTable) -> Result<NewJob, Refusal> {
        super::prepare(req, prices, &Profiles::default())
    }

    fn request(dir: &Path, board: Board, options: SubmitOptions) -> SubmitRequest {
        SubmitRequest::new(&dir.join("board.json"), board, Provider::Kling, options)
    }

    #[test]
    fn a_good_board_gets_a_fresh_key_its_estimate_and_its_images() {
        let dir = tempfile::tempdir().unwrap();
        let png = include_bytes!("../../../examples/images/street-first-frame.png");
        std::fs::write(dir.path().join("first.png"), png).unwrap();
        let mut board = Board::starter();
        board.mode = Mode::Image;
        board.first_frame = Some("first.png".into());
        let req = request(dir.path(), board.clone(), SubmitOptions::default());
        let a = prepare(req.clone(), &default_prices()).unwrap();
        let b = prepare(req, &default_prices()).unwrap();
        assert!(a.external_task_id.starts_with("shotdeck-"));
        assert_ne!(a.external_task_id, b.external_task_id, "one key per submit");
        assert_eq!(
            a.request.body["external_task_id"],
            a.external_task_id.as_str()
        );
        use base64::Engine;
        let expected = base64::engine::general_purpose::STANDARD.encode(png);
        assert_eq!(a.request.body["image"], expected.as_str());
        let est = estimate(&board, Provider::Kling, &default_prices()).unwrap();
        assert_eq!(a.estimated_usd, Some(est.usd));
        assert_eq!(a.retry_of, None);
        assert!(ensure_keyed(&a).is_ok());
    }

    #[test]
    fn errors_refuse_naming_each_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut board = Board::starter();
        board.shots[0].duration = 40.0;
        let refusal = prepare(
            request(dir.path(), board, SubmitOptions::default()),
            &default_prices(),
        )
        .unwrap_err();
        let Refusal::Findings(findings) = &refusal else {
            panic!("{refusal:?}")
        };
        assert!(!is_submittable(findings));
        let text = refusal.to_string();
        assert!(
            text.contains("error duration: shots add up to 48 s"),
            "{text}"
        );
        assert!(!text.contains("warning"), "{text}");
    }

    #[test]
    fn a_missing_image_is_a_finding_before_anything_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut board = Board::starter();
        board.mode = Mode::Image;
        board.first_frame = Some("gone.png".into());
        let refusal = prepare(
            request(dir.path(), board, SubmitOptions::default()),
            &default_prices(),
        )
        .unwrap_err();
        assert!(refusal.to_string().contains("first_frame"), "{refusal}");
    }

    #[test]
    fn the_cost_ceiling_refuses_a_dearer_board_only() {
        let dir = tempfile::tempdir().unwrap();
        let board = Board::starter();
        let usd = estimate(&board, Provider::Kling, &default_prices())
            .unwrap()
            .usd;
        let over = SubmitOptions {
            max_usd: Some(usd - 0.01),
            ..SubmitOptions::default()
        };
        let refusal = prepare(request(dir.path(), board.clone(), over), &default_prices());
        assert!(
            matches!(refusal, Err(Refusal::OverCeiling { max_usd, .. }) if max_usd < usd),
            "{refusal:?}"
        );
        let enough = SubmitOptions {
            max_usd: Some(usd),
            ..SubmitOptions::default()
        };
        assert!(
            prepare(
                request(dir.path(), board.clone(), enough),
                &default_prices()
            )
            .is_ok()
        );
        let unpriced = SubmitOptions {
            max_usd: Some(0.01),
            ..SubmitOptions::default()
        };
        let job = prepare(request(dir.path(), board, unpriced), &Default::default()).unwrap();
        assert_eq!(
            job.estimated_usd, None,
            "no price: nothing to hold to the ceiling"
        );
    }

    #[test]
    fn a_body_without_the_jobs_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let req = request(dir.path(), Board::starter(), SubmitOptions::default());
        let mut job = prepare(req, &default_prices()).unwrap();
        job.external_task_id = "shotdeck-other".into();
        assert!(
            ensure_keyed(&job)
                .unwrap_err()
                .to_string()
                .contains("shotdeck-other")
        );
        job.external_task_id = " ".into();
        assert!(ensure_keyed(&job).is_err());
    }

    #[test]
    fn a_gateway_body_is_keyed_in_metadata_and_flat_alike() {
        let dir = tempfile::tempdir().unwrap();
        let req = SubmitRequest::new(
            &dir.path().join("board.json"),
            Board::starter(),
            Provider::Gateway,
            SubmitOptions::default(),
        );
        // A profile that writes Kling's fields in both places.
        let mut profiles = Profiles::default();
        profiles.gateway.form_fields = shotdeck_core::gateway_profile::FormFields::Both;
        let mut job = super::prepare(req, &default_prices(), &profiles).unwrap();
        let ext = job.external_task_id.clone();
        assert_eq!(
            job.request.body["metadata"]["external_task_id"],
            ext.as_str()
        );
        assert!(ensure_keyed(&job).is_ok());
        rekey(&mut job.request.body, "shotdeck-new", 1).unwrap();
        assert_eq!(job.request.body["external_task_id"], "shotdeck-new");
        assert_eq!(
            job.request.body["metadata"]["external_task_id"],
            "shotdeck-new"
        );
        let mut flat_only = serde_json::json!({"prompt": "p", "external_task_id": "a"});
        rekey(&mut flat_only, "b", 1).unwrap();
        assert_eq!(
            flat_only,
            serde_json::json!({"prompt": "p", "external_task_id": "b"})
        );
        // Kling's v2 body: the key is in `options`, and a job carrying it there is keyed.
        let mut v2 = serde_json::json!({"prompt": "p", "options": {"external_task_id": "a"}});
        rekey(&mut v2, "b", 1).unwrap();
        assert_eq!(v2["options"]["external_task_id"], "b");
        let mut metadata_only = serde_json::json!({"metadata": {"external_task_id": "a"}});
        rekey(&mut metadata_only, "b", 1).unwrap();
        assert_eq!(
            metadata_only,
            serde_json::json!({"metadata": {"external_task_id": "b"}})
        );
        job.request.body["metadata"]["external_task_id"] = "other".into();
        job.external_task_id = "shotdeck-new".into();
        assert!(
            ensure_keyed(&job).is_err(),
            "every place must carry the job's key"
        );
    }

    #[test]
    fn a_v2_board_is_keyed_in_options() {
        let dir = tempfile::tempdir().unwrap();
        let board = Board {
            model: "kling-v3-turbo".into(),
            ..Board::starter()
        };
        let req = SubmitRequest::new(
            &dir.path().join("board.json"),
            board,
            Provider::Kling,
            SubmitOptions::default(),
        );
        let job = super::prepare(req, &default_prices(), &Profiles::default()).unwrap();
        assert!(
            job.request.path.starts_with("/text-to-video/"),
            "{}",
            job.request.path
        );
        assert_eq!(
            job.request.body["options"]["external_task_id"],
            job.external_task_id.as_str()
        );
        assert!(ensure_keyed(&job).is_ok(), "v2 jobs may be recorded");
    }

    #[test]
    fn a_body_without_any_key_is_refused_not_keyed_somewhere_new() {
        for mut body in [
            serde_json::json!({"prompt": "p"}),
            serde_json::json!({"prompt": "p", "metadata": {"multi_shot": true}}),
            serde_json::json!("not an object"),
        ] {
            let before = body.clone();
            let err = rekey(&mut body, "shotdeck-new", 1).unwrap_err();
            assert!(err.to_string().contains("no external_task_id"), "{err}");
            assert_eq!(body, before, "nothing is changed");
        }
    }
}
