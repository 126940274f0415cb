//! What the overlay keeps between frames, and the prompt the factory starts with.

use bevy::prelude::*;

use crate::limits;
use crate::model::SamplingParams;
use crate::model::catalog::{self, ModelEntry};

/// What the overlay holds between frames.
#[derive(Resource, Debug)]
pub struct UiState {
    /// The prompt being edited.
    pub prompt: String,
    /// Tokens to generate with the "Generate" button.
    pub generate_n: usize,
    /// Help window open.
    pub help: bool,
    /// Sampling values being edited (applied when valid).
    pub edit: SamplingParams,
    /// The values last applied from the widgets.
    pub applied: SamplingParams,
    /// A message about refused input.
    pub refused: Option<String>,
    /// Hide the advanced controls (kiosk).
    pub simple: bool,
    /// The kiosk's attract loop is playing (its demo tour: no detail windows, no tour buttons).
    pub attract: bool,
    /// The kiosk's on-screen keyboard is open.
    pub keyboard: bool,
    /// Its next letter is a capital.
    pub shift: bool,
    /// What was saved last (a screenshot with F12, a tour stop with K), or why it was not.
    pub saved: Option<String>,
    /// The last save failed (the message is shown in red).
    pub save_failed: bool,
    /// Save the view as a tour stop this frame (K or the panel's button).
    pub save_stop: bool,
    /// Write the floor's numbers as JSON this frame (the panel's button).
    pub export_floor: bool,
    /// A recording's title card (title, subtitle), shown over the scene while set.
    pub title_card: Option<[String; 2]>,
    /// The tour file saved stops go to (`--save-tour`, default `my-tour.ron`).
    pub save_tour_path: std::path::PathBuf,
    /// Longest prompt accepted from the box.
    pub max_prompt_chars: usize,
    /// Recording a video: captions and labels only, no control panel or inspector.
    pub recording: bool,
    /// The models the picker offers (those under `models/` and their snapshots).
    pub models: Vec<ModelEntry>,
    /// The loaded model's folder and the name the picker shows for it (found once per model).
    pub shown_model: Option<(std::path::PathBuf, String)>,
    /// The model view (every head as a thumbnail) is open.
    pub model_view: bool,
    /// Every panel hidden (U), for clean pictures; the labels in the hall stay.
    pub hidden: bool,
    /// The tour or the kiosk's attract loop plays on a clean stage: only the caption, the sentence
    /// banner, the hall map and a stop's own room window are shown (`ui/clean_stage.rs`).
    pub stage: bool,
    /// The control panel put away in its drawer: the first screen shows the slim bar instead
    /// (`ui/slim_bar.rs`); "More" opens the drawer.
    pub panel_folded: bool,
    /// Forget the remembered layout this frame (the drawer's "Reset layout").
    pub reset_layout: bool,
    /// How far down the slim bar reaches (points; 0 when it is not shown): the sentence banner
    /// sits below it.
    pub top_bar: f32,
    /// The cost-of-context window is open.
    pub cost_view: bool,
    /// Its slider's number of tokens (None: the floor's).
    pub cost_n: Option<usize>,
    /// The positions window is open.
    pub positions_view: bool,
    /// The A/B window (two prompts side by side) is open.
    pub compare_view: bool,
    /// The embedding room's window is open.
    pub embedding_view: bool,
    /// The training time-lapse window is open.
    pub training_view: bool,
    /// The guessing game is open (`ui/game.rs`).
    pub game_view: bool,
    /// The game's tab shows a tour stop's round (`Guess(n)`): on the stage too.
    pub game_on_stage: bool,
    /// The learning tab is open (`ui/learn.rs`): closing it forgets what was learned.
    pub learn_view: bool,
    /// The routes tab is open: the route into the last word is drawn in the hall.
    pub routes_view: bool,
    /// The learning tab shows a tour stop's steps (`Learn(n)`): on the stage too.
    pub learn_on_stage: bool,
    /// How far the control panel reaches from the left edge (the overlay's points; 0 when folded
    /// or hidden): the 3D view is drawn to its right, centred in the room it has.
    pub panel_right: f32,
    /// How wide the side panel on the right is (the overlay's points; 0 when it is in or empty):
    /// the 3D view is centred in the room left of it (`ui/dock.rs`).
    pub dock_width: f32,
    /// The crates' labels give each token's id under its text (for explorers; off: plain words).
    pub show_ids: bool,
    /// The overlay's zoom: it grows with the window ([`crate::ui::zoom_for`]); a point is `zoom`
    /// logical pixels.
    pub zoom: f32,
    /// The share of the view's height the tour's caption covers (0 when none): the camera frames
    /// the scene above it.
    pub caption_share: f32,
    /// The picture's upward shift now (a share of its height), eased toward half of
    /// `caption_share`; the viewer's lens shift applies it.
    pub caption_shift: f32,
}

impl Default for UiState {
    fn default() -> Self {
        Self {
            prompt: DEFAULT_PROMPT.into(),
            generate_n: 8,
            help: false,
            edit: SamplingParams::default(),
            applied: SamplingParams::default(),
            refused: None,
            panel_right: 0.0,
            dock_width: 0.0,
            top_bar: 0.0,
            reset_layout: false,
            zoom: 1.0,
            show_ids: false,
            caption_share: 0.0,
            caption_shift: 0.0,
            simple: false,
            keyboard: false,
            attract: false,
            shift: false,
            saved: None,
            save_failed: false,
            save_stop: false,
            export_floor: false,
            title_card: None,
            save_tour_path: crate::tour::save::default_save_path(),
            max_prompt_chars: limits::MAX_PROMPT_CHARS,
            recording: false,
            models: catalog::list_models(&catalog::models_root()),
            shown_model: None,
            model_view: false,
            hidden: false,
            stage: false,
            panel_folded: false,
            cost_view: false,
            cost_n: None,
            positions_view: false,
            compare_view: false,
            embedding_view: false,
            training_view: false,
            game_view: false,
            game_on_stage: false,
            learn_view: false,
            routes_view: false,
            learn_on_stage: false,
        }
    }
}

/// The prompt the factory starts with.
pub const DEFAULT_PROMPT: &str = "The little dog ran to the";
