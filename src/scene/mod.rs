//! The factory floor: stations, token crates, vector boards, attention beams, neuron lamps and the
//! shipping dock, all drawn from the [`Floor`](crate::playback::Floor)'s numbers.
//!
//! The scene is a view of (floor, playback clock): whenever the floor changes it is rebuilt from the
//! [`layout`] ([`build`]); between rebuilds, systems only move crates ([`motion`]) and repaint what
//! was revealed ([`paint`], [`dock`], [`beams`]), each doing work only when its inputs changed.
//! Nothing here imports inference: the scene draws what the playback says.

pub mod attention_map;
pub mod backward;
pub mod beams;
pub mod blocks;
pub mod build;
pub mod crate_face;
pub mod dock;
pub mod dock_machine;
pub mod flat;
pub mod front_machines;
pub mod kit;
pub mod layout;
pub mod machines;
pub mod middle_machines;
pub mod motion;
pub mod paint;
pub mod palette;
pub mod parts;
pub mod patch_glow;
pub mod pulses;
pub mod routes;
pub mod silhouette;
pub mod sky;
pub mod spread;

use bevy::prelude::*;

use crate::schedule::AppSet;
pub use parts::{
    BeltSlat, Board, BoardSource, Booth, Crate, CurrentLayout, FloorRoot, LampWall, Localized,
    ProbBar, ShowAdded, SurpriseGauge, Switch, SwitchKnob, WorldLabel,
};

/// The language changed: every label that follows it (station and room signs) is written again.
fn relabel_localized(
    lang: Res<crate::i18n::Lang>,
    mut labels: Query<(&Localized, &mut WorldLabel)>,
) {
    if !lang.is_changed() {
        return;
    }
    for (text, mut label) in &mut labels {
        label.text = text.text(*lang);
    }
}

/// Scene logic; works headless (no rendering needed) for tests.
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<parts::Built>()
        .init_resource::<beams::BeamSettings>()
        .init_resource::<beams::Beams>()
        .init_resource::<beams::BeamHover>()
        .init_resource::<beams::BeamsLeftOut>()
        .init_resource::<beams::ViewFocus>()
        .init_resource::<paint::FarBarsSeen>()
        .init_resource::<ShowAdded>()
        .init_resource::<crate_face::CrateFaces>()
        .init_resource::<patch_glow::PatchLight>()
        .init_resource::<beams::BeamsPutAway>()
        .init_resource::<routes::RouteLight>()
        .init_resource::<routes::RouteHover>()
        .init_resource::<backward::Backward>()
        .init_resource::<backward::BackwardRide>()
        .init_resource::<backward::TrueNext>()
        .add_systems(Startup, kit::make_kit)
        .add_systems(
            Update,
            (
                build::rebuild_floor,
                relabel_localized,
                silhouette::show_the_machine_alone,
            )
                .chain()
                .in_set(AppSet::Build),
        )
        .add_systems(
            Update,
            (
                (
                    backward::ride_back,
                    backward::sign_weight_gauges,
                    backward::label_true_next,
                ),
                motion::move_crates,
                motion::move_belt,
                motion::fill_surprise_gauges,
                spread::show_spread_bars,
                machines::work_machines,
                motion::highlight_booths,
                paint::paint_boards,
                paint::paint_lamps,
                paint::see_far_bars,
                dock::update_bars,
                dock::update_winner_plaque,
                dock::update_lens_signs,
                dock::update_part_bars,
                routes::quiet_beams,
                routes::label_route_lanes,
                beams::compute_beams,
                patch_glow::light_patches,
            )
                .chain()
                .in_set(AppSet::Draw),
        );
}
