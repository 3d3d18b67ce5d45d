//! What a route can carry, as data: each provider profile declares how it carries a shot
//! list, Auto, references and frames, and which answer shapes its polls come in. The rules
//! refuse a board the route cannot carry whole (nothing is sent), and `compose` and the
//! submit dialog say what the route will carry.

use super::gateway_profile::{Profiles, ShotDuration, ShotList};
use super::model::{Board, Mode, ShotType};
use super::provider::Provider;

mod v2;

/// How a route carries the shot list.
#[derive(Debug, Clone, PartialEq)]
pub struct ShotListForm {
    /// Top level or in `metadata` (never [`ShotList::None`] here).
    pub place: ShotList,
    /// The field's name (`multi_prompt`); items are `{index, prompt, duration}`.
    pub field: String,
    pub duration: ShotDuration,
}

/// What one route carries, and the answer shapes its create and poll come back in.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteCaps {
    pub provider: Provider,
    /// `None`: a custom multi-shot board cannot go this way.
    pub shot_list: Option<ShotListForm>,
    /// Auto (`shot_type: "intelligence"`): the model cuts the shots from one prompt.
    pub auto: bool,
    /// Reference images, which need omni-video.
    pub references: bool,
    pub first_frame: bool,
    pub last_frame: bool,
    /// Kling's `element_list` (and `voice_list`), passed in Kling's own body to omni-video.
    /// A gateway's OpenAI-style body has no place the docs or source show for them.
    pub elements: bool,
    /// The shapes of the route's answers, in words (for `compose` and the README).
    pub answers: &'static [&'static str],
    /// Where the user says the route carries more (a fork, a relay passing Kling's body).
    pub config_key: &'static str,
    /// `[profiles.kling] route`: which of Kling's designs the official provider uses.
    pub kling_route: crate::kling_v2::RoutePref,
}

const KLING_ANSWERS: &[&str] = &["Kling's envelope {code, message, data}"];
const GATEWAY_ANSWERS: &[&str] = &[
    "the OpenAI video object on create",
    "new-api's task envelope {code: \"success\", data: {status, result_url, fail_reason}}",
    "new-api's task errors {code, message, data}, upstream bodies wrapped in fail_to_fetch_task",
];
const RELAY_ANSWERS: &[&str] = &[
    "Kling's envelope",
    "the OpenAI video object on create",
    "new-api's task envelope on poll",
    "new-api's task errors, upstream bodies wrapped in fail_to_fetch_task",
];

impl Profiles {
    /// What `provider` carries with these profiles.
    pub fn caps(&self, provider: Provider) -> RouteCaps {
        match provider {
            Provider::Kling => RouteCaps {
                provider,
                shot_list: Some(ShotListForm {
                    place: ShotList::TopLevel,
                    field: "multi_prompt".into(),
                    duration: ShotDuration::String,
                }),
                auto: true,
                references: true,
                first_frame: true,
                last_frame: true,
                elements: true,
                answers: KLING_ANSWERS,
                config_key: "",
                kling_route: self.kling.route,
            },
            Provider::Gateway | Provider::NewApi => {
                let (p, config_key) = match provider {
                    Provider::Gateway => (&*self.gateway, "[profiles.gateway] shot_list"),
                    _ => (&*self.newapi, "[profiles.newapi] shot_list"),
                };
                RouteCaps {
                    provider,
                    shot_list: (p.shot_list != ShotList::None).then(|| ShotListForm {
                        place: p.shot_list,
                        field: p.shots_field.clone(),
                        duration: p.shot_duration,
                    }),
                    auto: p.auto,
                    references: p.references,
                    first_frame: true,
                    last_frame: p.last_frame,
                    elements: false,
                    answers: GATEWAY_ANSWERS,
                    config_key,
                    kling_route: Default::default(),
                }
            }
            Provider::KlingRelay => {
                let r = &self.kling_relay;
                RouteCaps {
                    provider,
                    shot_list: r.body_whole.then(|| ShotListForm {
                        place: ShotList::TopLevel,
                        field: "multi_prompt".into(),
                        duration: ShotDuration::String,
                    }),
                    auto: r.body_whole,
                    references: r.omni,
                    first_frame: true,
                    last_frame: true,
                    // Only a relay that passes Kling's body whole to omni-video keeps
                    // `element_list`: new-api's `/kling/v1` rewraps the body into
                    // `metadata` and serves no omni-video.
                    elements: r.body_whole && r.omni,
                    answers: RELAY_ANSWERS,
                    config_key: "[profiles.kling-relay] body_whole",
                    kling_route: Default::default(),
                }
            }
        }
    }
}

impl RouteCaps {
    /// What this route will carry of `board`, in one line: "3 shots as multi_prompt",
    /// "single prompt", "Auto: one prompt, the model cuts the shots". A board the official
    /// provider sends by the v2 design is told in that design's words.
    pub fn carries(&self, board: &Board) -> String {
        let row = crate::models::row_or_default(crate::models::MODELS, &board.model);
        let pref = self.kling_route;
        if let Some(v2) = crate::kling_v2::sent_by_v2(row, board.mode, self.provider, pref) {
            return v2::carries(board, v2);
        }
        let mut what = match (board.multi_shot, board.shot_type) {
            (true, ShotType::Custom) => match &self.shot_list {
                Some(list) => {
                    let n = board.shots.len();
                    let place = match list.place {
                        ShotList::Metadata => " in metadata",
                        _ => "",
                    };
                    format!(
                        "{n} shot{} as {}{place}",
                        if n == 1 { "" } else { "s" },
                        list.field
                    )
                }
                None => "nothing: this route cannot carry a shot list".into(),
            },
            (true, ShotType::Auto) if self.auto => {
                "Auto: one prompt, the model cuts the shots".into()
            }
            (true, ShotType::Auto) => "nothing: this route cannot carry Auto".into(),
            (false, _) => "single prompt".into(),
        };
        if board.mode == Mode::Reference {
            let n = board.references.len();
            what.push_str(&if self.references {
                format!(
                    ", {n} reference{} as image_list",
                    if n == 1 { "" } else { "s" }
                )
            } else {
                ", no references: this route has no omni-video".into()
            });
        }
        if !board.elements.is_empty() {
            let n = board.elements.len();
            what.push_str(&if self.elements {
                format!(
                    ", {n} element{} as element_list",
                    if n == 1 { "" } else { "s" }
                )
            } else {
                ", no elements: this route cannot carry element_list".into()
            });
        }
        what
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_newapi_carries_no_shot_list_and_says_so() {
        let caps = Profiles::default().caps(Provider::NewApi);
        assert!(caps.shot_list.is_none() && !caps.auto && !caps.references);
        let board = Board::starter();
        assert!(board.uses_shot_list());
        assert_eq!(
            caps.carries(&board),
            "nothing: this route cannot carry a shot list"
        );
        let gateway = Profiles::default().caps(Provider::Gateway);
        assert_eq!(
            gateway.carries(&board),
            format!("{} shots as multi_prompt", board.shots.len())
        );
    }

    #[test]
    fn the_relay_carries_shots_only_where_it_passes_the_body_whole() {
        let mut profiles = Profiles::default();
        assert!(profiles.caps(Provider::KlingRelay).shot_list.is_none());
        profiles.kling_relay.body_whole = true;
        assert!(profiles.caps(Provider::KlingRelay).shot_list.is_some());
    }
}
