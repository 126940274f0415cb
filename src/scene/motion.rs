//! Moving things as the clock says: crates along the belt (and back overhead), the selected booth lit.

use bevy::prelude::*;

use super::kit::Kit;
use super::parts::{Booth, Crate, CurrentLayout};
use crate::playback::{Floor, Playback, RETURN_RIDE, Selection};

/// Puts every crate where the clock says: riding crates at the progress point, cached ones parked
/// before the shipping dock, a freshly sampled one on its ride back overhead.
pub(crate) fn move_crates(
    playback: Res<Playback>,
    floor: Res<Floor>,
    layout: Option<Res<CurrentLayout>>,
    selection: Res<Selection>,
    kit: Option<Res<Kit>>,
    mut crates: Query<(
        &Crate,
        &mut Transform,
        &mut MeshMaterial3d<StandardMaterial>,
    )>,
) {
    let (Some(layout), Some(kit)) = (layout, kit) else {
        return;
    };
    let l = &layout.0;
    let last = (l.stations.len() - 1) as f32;
    for (c, mut t, mut mat) in &mut crates {
        let i = c.0;
        let at = if i < floor.flow_start {
            l.crate_position(i, last - 0.5)
        } else if playback.progress < 0.0 {
            // riding back from the shipping dock, overhead
            let f = (-playback.progress / RETURN_RIDE).clamp(0.0, 1.0);
            let x = l.stations[0].x + (l.stations[l.stations.len() - 1].x - l.stations[0].x) * f;
            Vec3::new(x, 0.5 + 3.0 * (1.0 - (2.0 * f - 1.0).powi(2)), l.token_z(i))
        } else {
            l.crate_position(i, playback.progress)
        };
        // written only when it moved, so parked crates cost no transform propagation
        if t.translation != at {
            t.translation = at;
        }
        let want = if selection.token == Some(i) {
            &kit.crate_selected
        } else if i >= floor.history.n_prompt {
            &kit.crate_new
        } else {
            &kit.crate_prompt
        };
        if &mat.0 != want {
            mat.0 = want.clone();
        }
    }
}

/// Lights the selected head's booth.
pub(crate) fn highlight_booths(
    selection: Res<Selection>,
    kit: Option<Res<Kit>>,
    mut booths: Query<(&Booth, &mut MeshMaterial3d<StandardMaterial>)>,
) {
    let Some(kit) = kit else { return };
    for (b, mut mat) in &mut booths {
        let want = if selection.head == Some((b.layer, b.head)) {
            &kit.booth_selected
        } else {
            &kit.booth
        };
        if &mat.0 != want {
            mat.0 = want.clone();
        }
    }
}
