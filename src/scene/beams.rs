//! Attention beams: which beams are lit (pure, tested headless) and drawing them (gizmos, batched).
//!
//! A beam runs inside a booth from a query token's lane to a key token's lane, arching higher the
//! farther apart they are; brightness, opacity and thickness grow with the softmax weight.

use bevy::prelude::*;

use super::history::{self, Beam};
use super::layout::StationKind;
use super::{CurrentLayout, Playback, Selection, palette};
use crate::inference::Floor;

/// Beams below this weight are not drawn.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct BeamSettings {
    /// Minimum attention weight to draw.
    pub threshold: f32,
}

impl Default for BeamSettings {
    fn default() -> Self {
        Self { threshold: 0.08 }
    }
}

/// The beams lit this frame.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct Beams(pub Vec<Beam>);

/// Recomputes the lit beams: every query already through a booth (all cached tokens, and the riding
/// ones once they reach it), or only the selected token's when one is selected.
pub fn compute_beams(
    floor: Res<Floor>,
    playback: Res<Playback>,
    settings: Res<BeamSettings>,
    selection: Res<Selection>,
    layout: Option<Res<CurrentLayout>>,
    mut beams: ResMut<Beams>,
) {
    let Some(layout) = layout else {
        beams.0.clear();
        return;
    };
    let h = &floor.history;
    let l = &layout.0;
    let queries = match selection.token {
        Some(t) if t < h.len() => t..t + 1,
        _ => 0..h.len(),
    };
    let reached = |layer: usize, head: usize| {
        l.index_of(StationKind::Booth(layer, head))
            .is_some_and(|i| playback.progress >= i as f32)
    };
    let flow_start = floor.flow_start;
    let mut lit = history::beams(h, settings.threshold, queries.clone(), |_, _| true);
    lit.retain(|b| b.query < flow_start || reached(b.layer, b.head));
    if lit != beams.0 {
        beams.0 = lit;
    }
}

/// Thin beams (weight below 0.3).
#[derive(Default, Reflect, GizmoConfigGroup)]
pub struct ThinBeams;
/// Medium beams (0.3 to 0.6).
#[derive(Default, Reflect, GizmoConfigGroup)]
pub struct MediumBeams;
/// Thick beams (0.6 and above).
#[derive(Default, Reflect, GizmoConfigGroup)]
pub struct ThickBeams;

/// Drawing, for builds with a renderer.
pub(crate) fn draw_plugin(app: &mut App) {
    app.init_gizmo_group::<ThinBeams>()
        .init_gizmo_group::<MediumBeams>()
        .init_gizmo_group::<ThickBeams>()
        .add_systems(Startup, set_beam_widths)
        .add_systems(
            Update,
            draw_beams
                .in_set(crate::app::AppSet::Scene)
                .after(compute_beams),
        );
}

fn set_beam_widths(mut store: ResMut<GizmoConfigStore>) {
    store.config_mut::<ThinBeams>().0.line.width = 1.5;
    store.config_mut::<MediumBeams>().0.line.width = 3.0;
    store.config_mut::<ThickBeams>().0.line.width = 5.0;
}

/// Segments per arc.
const ARC_SEGMENTS: usize = 8;

fn draw_beams(
    beams: Res<Beams>,
    layout: Option<Res<CurrentLayout>>,
    mut thin: Gizmos<ThinBeams>,
    mut medium: Gizmos<MediumBeams>,
    mut thick: Gizmos<ThickBeams>,
) {
    let Some(layout) = layout else { return };
    let l = &layout.0;
    for b in &beams.0 {
        let Some(station) = l.station(StationKind::Booth(b.layer, b.head)) else {
            continue;
        };
        let [r, g, bl, a] = palette::beam_rgba(b.weight);
        let color = Color::srgba(r, g, bl, a);
        // faint beams get coarser arcs: they are most of the beams and the least looked at
        let segments = if b.weight < 0.3 {
            ARC_SEGMENTS / 2
        } else {
            ARC_SEGMENTS
        };
        let points = (0..=segments)
            .map(|s| l.beam_point(station.x, b.query, b.key, s as f32 / segments as f32));
        if b.weight < 0.3 {
            thin.linestrip(points, color);
        } else if b.weight < 0.6 {
            medium.linestrip(points, color);
        } else {
            thick.linestrip(points, color);
        }
    }
}
