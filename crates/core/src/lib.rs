//! The pure core: storyboard model, validation rules, request composition and cost.
//! No I/O, no async runtime, no terminal: everything here is a plain function of its inputs.

pub mod board_key;
pub mod budget;
pub mod compare;
pub mod compose;
pub mod cost;
pub mod elements;
pub mod field_path;
pub mod findings;
pub mod gateway_profile;
pub mod images;
pub mod jobs;
pub mod kling_v2;
pub mod model;
pub mod models;
pub mod printable;
pub mod provider;
pub mod renumber;
pub mod route;
pub mod rules;
pub mod sequence;
pub mod store_url;
pub mod task_id;

pub use board_key::BoardKey;
pub use compose::{
    ComposeError, ComposedRequest, ImageSource, PlaceholderImages, compose, compose_with,
};
pub use field_path::{FieldPath, ShotField, UnknownFieldPath};
pub use findings::{Finding, Severity, is_submittable};
pub use images::{ImageFact, ImageFacts, ImageReadError};
pub use model::{Board, Mode, Shot, ShotType};
pub use models::{MODELS, ModelRow, ModelTable};
pub use printable::{printable, printable_path};
pub use provider::{Limits, Provider};
pub use route::RouteCaps;
pub use rules::{validate, validate_for, validate_with};
