//! Text over the 3D scene: each [`WorldLabel`] drawn at its entity, sized by distance.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use crate::scene::WorldLabel;

/// Floats each [`WorldLabel`] over its entity, sized by distance, behind the panels.
pub(super) fn draw_world_labels(
    mut contexts: EguiContexts,
    cameras: Query<(&Camera, &GlobalTransform), With<Camera3d>>,
    labels: Query<(&WorldLabel, &GlobalTransform, Option<&InheritedVisibility>)>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Ok((camera, cam_t)) = cameras.single() else {
        return Ok(());
    };
    let painter = ctx.layer_painter(egui::LayerId::background());
    let eye = cam_t.translation();
    for (label, t, vis) in &labels {
        if label.text.is_empty() || vis.is_some_and(|v| !v.get()) {
            continue;
        }
        let p = t.translation() + Vec3::Y * label.lift;
        let dist = p.distance(eye);
        let size = label.size * 20.0 / dist.max(1.0);
        if size < 7.0 {
            continue;
        }
        let Ok(screen) = camera.world_to_viewport(cam_t, p) else {
            continue;
        };
        painter.text(
            egui::pos2(screen.x, screen.y),
            egui::Align2::CENTER_BOTTOM,
            &label.text,
            egui::FontId::proportional(size.min(22.0)),
            egui::Color32::from_rgb(235, 232, 220),
        );
    }
    Ok(())
}
