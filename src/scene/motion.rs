//! Moving things as the clock says: crates along the belt (and back overhead), the selected booth lit.

use bevy::prelude::*;

use super::flat::FlatMaterial;
use super::kit::Kit;
use super::parts::{Booth, Crate, CurrentLayout, GAUGE_LENGTH, GaugeSlot, SurpriseGauge};
use crate::playback::surprise::TokenSurprise;
use crate::playback::{Floor, Playback, RETURN_RIDE, Selection};

/// Puts every crate where the clock says: riding crates at the progress point, cached ones parked
/// before the shipping dock, a freshly sampled one on its ride back overhead.
pub(crate) fn move_crates(
    playback: Res<Playback>,
    floor: Res<Floor>,
    layout: Option<Res<CurrentLayout>>,
    selection: Res<Selection>,
    kit: Option<Res<Kit>>,
    ride: Res<super::backward::BackwardRide>,
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
        let at = if let Some(p) = ride.0 {
            // the backward pass: every crate rides back from the dock to the press together
            l.crate_position(i, p)
        } else if i < floor.flow_start {
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

/// Lights the selected head's booth and dims the others.
pub(crate) fn highlight_booths(
    selection: Res<Selection>,
    kit: Option<Res<Kit>>,
    mut booths: Query<(&Booth, &mut MeshMaterial3d<FlatMaterial>)>,
) {
    let Some(kit) = kit else { return };
    for (b, mut mat) in &mut booths {
        // the selected head's booth lit, the others dimmed while a head is selected
        let want = match selection.head {
            Some(sel) if sel == (b.layer, b.head) => &kit.booth_selected,
            Some(_) => &kit.booth_dimmed,
            None => &kit.booth,
        };
        if &mat.0 != want {
            mat.0 = want.clone();
        }
    }
}

/// Belt speed while the crates ride, world units per second.
pub const BELT_SPEED: f32 = 1.2;

/// Slides the belt's slats down the hall while playback runs (they wrap round at the end), so the
/// belt is seen to carry the crates; it stands still when playback is paused.
pub(crate) fn move_belt(
    time: Res<Time>,
    playback: Res<Playback>,
    layout: Option<Res<CurrentLayout>>,
    mut travelled: Local<f32>,
    mut last: Local<f32>,
    mut slats: Query<&mut Transform, With<super::parts::BeltSlat>>,
) {
    // the belt runs while the crates ride (the clock moves), not while they wait
    let moving = playback.playing && playback.progress != *last;
    *last = playback.progress;
    if layout.is_none() || !moving {
        return;
    }
    // one gap on is the same picture as none: the slats slide a gap, then start over
    *travelled = (*travelled + BELT_SPEED * time.delta_secs()) % super::build::SLAT_GAP;
    for mut t in &mut slats {
        t.translation.x = *travelled;
    }
}

/// How full token `t`'s surprise gauge is, 0..=1: its surprise over ln(vocabulary), the surprise of
/// a blind guess (a token the model found less likely than that fills it); none while unknown.
pub fn gauge_fill(surprise: &TokenSurprise, floor: &Floor, t: usize) -> Option<f32> {
    let vocab = floor.history.logits.len().max(2) as f64;
    let s = surprise.of(floor, t)?;
    Some((s / vocab.ln()).clamp(0.0, 1.0) as f32)
}

/// Fills each crate's surprise gauge from the floor's surprise, once it is known.
pub(crate) fn fill_surprise_gauges(
    surprise: Option<Res<TokenSurprise>>,
    floor: Res<Floor>,
    added: Query<(), Added<SurpriseGauge>>,
    mut gauges: Query<(&SurpriseGauge, &mut Transform, &mut Visibility), Without<GaugeSlot>>,
    mut slots: Query<(&GaugeSlot, &mut Visibility), Without<SurpriseGauge>>,
) {
    let Some(surprise) = surprise else { return };
    if !surprise.is_changed() && !floor.is_changed() && added.is_empty() {
        return;
    }
    for (g, mut t, mut vis) in &mut gauges {
        let fill = gauge_fill(&surprise, &floor, g.0);
        let want = if fill.is_some() {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        vis.set_if_neq(want);
        // filled across the crate's top from one end
        let len = (fill.unwrap_or(0.0) * GAUGE_LENGTH).max(0.001);
        t.scale.z = len;
        t.translation.z = -GAUGE_LENGTH / 2.0 + len / 2.0;
    }
    for (s, mut vis) in &mut slots {
        let want = if gauge_fill(&surprise, &floor, s.0).is_some() {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        vis.set_if_neq(want);
    }
}
