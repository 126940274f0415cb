//! The egui overlay: one file per panel ([`controls`], [`inspector`], [`model_card`], [`help`],
//! [`caption`]), the labels over the scene ([`labels`]) and the keyboard shortcuts ([`shortcuts`]).
//! Errors appear here; the app keeps running.

mod ablations;
mod caption;
mod controls;
pub mod heatmap;
mod help;
mod inspector;
mod labels;
mod model_card;
mod models;
mod shortcuts;
mod state;

use bevy::prelude::*;
use bevy_egui::EguiPrimaryContextPass;

use crate::schedule::AppSet;
pub use state::{DEFAULT_PROMPT, UiState};

/// Overlay systems (need a window and egui), drawn in this order each frame.
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<UiState>().add_systems(
        EguiPrimaryContextPass,
        (
            labels::draw_world_labels,
            controls::draw_controls,
            inspector::draw_inspector,
            heatmap::draw_heatmaps,
            help::draw_help,
            caption::draw_caption,
        )
            .chain(),
    );
    app.add_systems(
        Update,
        shortcuts::keyboard_shortcuts
            .run_if(not(bevy_egui::input::egui_wants_any_keyboard_input))
            .in_set(AppSet::Input),
    );
}
