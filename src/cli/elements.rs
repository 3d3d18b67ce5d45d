//! `shotdeck elements [list | create NAME IMAGE... | show TASK_ID]`: the account's element
//! library on the official API, so a board's `elements` can name what exists.
//!
//! None of these calls is paid. `create` checks its images exactly as a board's reference
//! images are checked (JPG/PNG, ≤ 10 MB, sides ≥ 300 px, ratio within 1:2.5–2.5:1) and sends
//! nothing when one fails (exit 2).

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::out::outln;
use crate::app::provider_settings;
use crate::app::runtime::{self, Flavor};
use crate::core::{Board, FieldPath, Mode, Provider, Severity, printable, validate};
use crate::files::image_probe::{FileImages, gather};
use crate::providers::parse::ElementTask;
use crate::providers::{Client, KlingClient, NewElement};

#[derive(Debug, clap::Args)]
pub struct ElementsArgs {
    #[command(subcommand)]
    pub action: Option<ElementsAction>,
}

#[derive(Debug, clap::Subcommand)]
pub enum ElementsAction {
    /// List the library's elements: id, name, status (the default).
    List,
    /// Create an element from 2–4 images (the first is the frontal one) and wait for its id.
    Create {
        /// The element's name (at most 20 characters).
        name: String,
        /// Local JPG/PNG files or http(s) URLs; the first shows the element from the front.
        #[arg(required = true, num_args = 2..=4)]
        images: Vec<String>,
        /// What the element is (at most 100 characters; default: the name).
        #[arg(long)]
        description: Option<String>,
        /// Seconds to wait for the element to be made (0: do not wait).
        #[arg(long, default_value_t = 120)]
        wait: u64,
    },
    /// Show one creation task and the elements it made.
    Show {
        /// The task id `create` printed.
        task_id: String,
    },
}

const EXIT_ERROR: u8 = 1;
const EXIT_REFUSED: u8 = crate::app::EXIT_UNREADABLE;

pub(super) fn run(args: ElementsArgs) -> ExitCode {
    let config = super::load_config();
    let settings = provider_settings(&config);
    let action = args.action.unwrap_or(ElementsAction::List);
    let element = match &action {
        ElementsAction::Create {
            name,
            images,
            description,
            ..
        } => match new_element(name, images, description.as_deref(), Path::new(".")) {
            Ok(e) => Some(e),
            Err(lines) => {
                for l in lines {
                    eprintln!("error: {}", printable(&l));
                }
                eprintln!("nothing was sent");
                return ExitCode::from(EXIT_REFUSED);
            }
        },
        _ => None,
    };
    // The library is Kling's own: always the official API, whatever `provider` says.
    let client = match Client::from_env(Provider::Kling, &settings) {
        Ok(Client::Kling(c)) => c,
        Ok(Client::Gateway(_)) => {
            eprintln!("error: the element library is on the official Kling API only");
            return ExitCode::from(EXIT_REFUSED);
        }
        Err(e) => {
            eprintln!("error: {}", printable(&e.to_string()));
            return ExitCode::from(EXIT_REFUSED);
        }
    };
    runtime::block_on(Flavor::CurrentThread, async move {
        let result = match (action, element) {
            (ElementsAction::Create { wait, .. }, Some(e)) => create(&client, &e, wait).await,
            (ElementsAction::Show { task_id }, _) => {
                client.element_task(&task_id).await.map(|t| print_task(&t))
            }
            _ => list(&client).await,
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {}", printable(&e.to_string()));
                ExitCode::from(EXIT_ERROR)
            }
        }
    })
}

/// Checks the images as reference images and builds the request; every problem, one line
/// each, when something is wrong.
fn new_element(
    name: &str,
    images: &[String],
    description: Option<&str>,
    dir: &Path,
) -> Result<NewElement, Vec<String>> {
    let mut problems = Vec::new();
    if name.trim().is_empty() || name.chars().count() > 20 {
        problems.push(format!("the name {name:?} must be 1–20 characters"));
    }
    let description = description.unwrap_or(name).to_string();
    if description.chars().count() > 100 {
        problems.push("the description must be at most 100 characters".into());
    }
    // The same rules a board's references meet: one throwaway reference board.
    let probe = Board {
        mode: Mode::Reference,
        references: images.to_vec(),
        ..Board::default()
    };
    let facts = gather(&probe, dir);
    for f in validate(&probe, Provider::Kling, &facts) {
        if let (Severity::Error, FieldPath::Reference(i)) = (f.severity, f.path) {
            problems.push(format!("image {}: {}", i + 1, f.message));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let source = FileImages {
        board_dir: dir.to_path_buf(),
    };
    let data = images
        .iter()
        .map(|r| {
            if crate::core::model::is_url(r) {
                Ok(r.trim().to_string())
            } else {
                crate::core::ImageSource::local_image(&source, r)
                    .map_err(|e| vec![format!("{r}: {}", e.reason)])
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (frontal, refer) = data
        .split_first()
        .ok_or_else(|| vec!["no images".to_string()])?;
    Ok(NewElement {
        name: name.to_string(),
        description,
        frontal_image: frontal.clone(),
        refer_images: refer.to_vec(),
    })
}

async fn list(client: &KlingClient) -> Result<(), crate::providers::ProviderError> {
    let listing = client.list_elements().await?;
    if listing.tasks.is_empty() {
        outln!("no elements yet: `shotdeck elements create NAME FRONT.png SIDE.png` makes one");
    }
    for task in &listing.tasks {
        print_task(task);
    }
    // On standard error, so the listing itself stays one element a line for scripts.
    if let Some(note) = listing.capped_note() {
        eprintln!("note: {note}");
    }
    Ok(())
}

fn print_task(task: &ElementTask) {
    if task.elements.is_empty() {
        let why = task.status_msg.as_deref().unwrap_or("");
        outln!(
            "(task {}: {} {})",
            printable(&task.task_id),
            task.status,
            printable(why)
        );
    }
    for e in &task.elements {
        outln!(
            "{}\t{}\t{}",
            printable(&e.id),
            printable(&e.name),
            printable(e.status.as_deref().unwrap_or(&task.status))
        );
    }
}

async fn create(
    client: &KlingClient,
    element: &NewElement,
    wait: u64,
) -> Result<(), crate::providers::ProviderError> {
    let mut task = client.create_element(element).await?;
    outln!("element task {} {}", printable(&task.task_id), task.status);
    let deadline = Instant::now() + Duration::from_secs(wait);
    while !matches!(task.status.as_str(), "succeed" | "failed") && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(2)).await;
        task = client.element_task(&task.task_id).await?;
    }
    print_task(&task);
    if let Some(e) = task.elements.first() {
        // What a board's `elements` list takes, ready to paste.
        let entry = serde_json::json!({ "id": e.id, "name": e.name });
        outln!("board entry: {entry}");
    }
    Ok(())
}
