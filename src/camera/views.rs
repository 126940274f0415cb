//! Where the camera stands for a place: the home view, each station's view, the rooms' views, and
//! the stretch of lanes they frame for a long prompt.

use bevy::prelude::*;

use super::Orbit;
use crate::rooms::overview::{OVERVIEW_CENTRE, TOWER_SIDE};
use crate::rooms::{EMBEDDING_CENTRE, Room, SCALE_FRONT};
use crate::scene::layout::{LANE, Layout, StationKind};

/// Past this many tokens the views frame the latest ones rather than the whole row: a long
/// prompt's row (1.5 units a lane: 1.5 km for 1000 tokens) is too wide to read whole, and the
/// latest tokens are where the next one is made.
pub const FRAMED_TOKENS: usize = 32;

/// The stretch of lanes the views frame: (its middle across the hall, its width). The whole row up
/// to [`FRAMED_TOKENS`] tokens, past it the last [`FRAMED_TOKENS`] lanes.
pub fn framed(layout: &Layout) -> (f32, f32) {
    let n = layout.n_tokens;
    if n <= FRAMED_TOKENS {
        return (0.0, layout.width());
    }
    let first = layout.token_z(n - FRAMED_TOKENS);
    let last = layout.token_z(n - 1);
    ((first + last) / 2.0, FRAMED_TOKENS as f32 * LANE)
}

/// The view of station `index` of a layout: in front of it, a little to the side, from above.
pub fn station_view(layout: &Layout, index: usize) -> Orbit {
    let s = &layout.stations[index.min(layout.stations.len() - 1)];
    let (z, width) = framed(layout);
    let width = width.max(8.0);
    if s.kind == StationKind::Shipping {
        // from above and straight down the hall: the crates in front, the probability bars
        // behind them, each row's labels clear of the other's, the tallest bar's label and the
        // winner's plaque over it under the sentence banner (aimed lower, the tallest bar's
        // label fell under the banner and was not drawn)
        return Orbit {
            focus: Vec3::new(s.x + 2.5, 2.4, 0.0),
            yaw: 0.0,
            pitch: 0.8,
            distance: (width * 1.1).clamp(16.0, 120.0),
        };
    }
    let distance = (width * 0.95).clamp(14.0, 120.0);
    match s.kind {
        // the booth's arcs stand across the hall: seen nearly face on, down the hall
        StationKind::Booth(..) => Orbit {
            focus: Vec3::new(s.x, 3.0, z),
            yaw: 0.25,
            pitch: 0.3,
            distance: distance * 0.9,
        },
        // the lamp wall stands along the far side of the belt, facing the near side: from there
        StationKind::Ffn(_) => Orbit {
            focus: Vec3::new(s.x, 3.0, z + width * 0.25),
            yaw: 0.75,
            pitch: 0.28,
            distance: (width * 0.6 + 7.0).clamp(14.0, 120.0),
        },
        // the merge: from above, over the last booth's cabin (its lintel and plate stay out of
        // the way), the funnels over the crates on its board
        StationKind::Merge(_) => Orbit {
            focus: Vec3::new(s.x, 1.5, z),
            yaw: 0.3,
            pitch: 0.95,
            distance,
        },
        // boards on the floor: from higher up, so their cells read
        StationKind::Embedding
        | StationKind::Position
        | StationKind::NormAttn(_)
        | StationKind::NormFfn(_)
        | StationKind::FinalNorm => Orbit {
            focus: Vec3::new(s.x, 1.5, z),
            yaw: 0.45,
            pitch: 0.62,
            distance,
        },
        _ => Orbit {
            focus: Vec3::new(s.x, 3.5, z),
            yaw: 0.55,
            pitch: 0.32,
            distance,
        },
    }
}

/// The home view. For a prompt the view can hold whole: from above and beside the final norm, down
/// the hall at the shipping dock: the prompt's crates parked in reading order (the
/// first word on the left: looking back up the hall showed the sentence backwards, which a blind
/// reviewer read "the to ran dog little The"), the next-token bars behind them. For
/// a longer one (whose latest lanes lie far from the bars, which stand in the middle of the hall):
/// from beside the dock, down the hall over the first layer's booths, over the latest tokens
/// ([`framed`]).
pub fn home_view(layout: &Layout) -> Orbit {
    let (z, width) = framed(layout);
    if layout.n_tokens > FRAMED_TOKENS {
        let target = layout
            .index_of(StationKind::Booth(0, layout.shape.n_head / 2))
            .unwrap_or(2);
        return Orbit {
            focus: Vec3::new(layout.stations[target].x - 4.0, 2.0, z),
            yaw: 0.95,
            pitch: 0.5,
            distance: 26.0 + width * 0.9,
        };
    }
    let last = layout.stations.len() - 1;
    let target = layout
        .index_of(StationKind::Booth(
            layout.shape.n_layer.saturating_sub(1),
            layout.shape.n_head.saturating_sub(1),
        ))
        .unwrap_or(last);
    let (ship, booth) = (layout.stations[last].x, layout.stations[target].x);
    Orbit {
        focus: Vec3::new(ship, 1.0, z),
        yaw: 0.6,
        pitch: 0.8,
        distance: 8.0 + (ship - booth) * 0.25 + width * 0.5,
    }
}

/// A map of block `layer`'s attention for its route (`scene/routes.rs`): from above and the
/// hall's near side, the hall running left to right from the block's first norm gate to its merge
/// (where the heads carry words between lanes), the first word's lane at the top.
pub fn layer_map_view(layout: &Layout, layer: usize) -> Option<Orbit> {
    let start = layout.station(StationKind::NormAttn(layer))?;
    let end = layout.station(StationKind::Merge(layer))?;
    let (z, width) = framed(layout);
    let length = end.x - start.x + (start.depth + end.depth) / 2.0;
    Some(Orbit {
        focus: Vec3::new((start.x + end.x) / 2.0, 1.0, z),
        yaw: -std::f32::consts::FRAC_PI_2,
        pitch: 1.2,
        distance: (length * 1.05 + width * 0.5).clamp(14.0, 400.0),
    })
}

/// The view of a room in the yard, for the rooms that are places (the others are windows).
pub fn room_view(room: Room) -> Option<Orbit> {
    match room {
        // from the hall's side, looking back (−x) into the cloud
        Room::Embedding => Some(Orbit {
            // the cloud a little left of the view's middle, clear of the room's window
            focus: EMBEDDING_CENTRE + Vec3::new(0.0, 0.0, -5.0),
            yaw: std::f32::consts::PI,
            pitch: 0.12,
            distance: 24.0,
        }),
        // from the yard's middle, looking −z: this model's block at the left, nearest; GPT-3's to
        // the right, towering
        Room::Scale => Some(Orbit {
            focus: SCALE_FRONT + Vec3::new(7.0, 6.0, 0.0),
            yaw: -std::f32::consts::FRAC_PI_2 + 0.3,
            pitch: 0.12,
            distance: 30.0,
        }),
        // face on, from the hall's side of the yard (looking −x): head 0 at the left, layer 0 at
        // the bottom, the whole face in view
        Room::Overview => Some(Orbit {
            // a little above the middle: the sign clear of the prompt's banner
            focus: OVERVIEW_CENTRE + Vec3::Y * 3.0,
            yaw: std::f32::consts::PI,
            pitch: 0.08,
            distance: TOWER_SIDE * 2.0,
        }),
        Room::Positions | Room::Cost | Room::Training => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_prompts_are_framed_at_their_latest_tokens() {
        use crate::scene::layout::Shape;
        let shape = Shape {
            n_layer: 2,
            n_head: 2,
        };
        // a short prompt: the whole row, centred
        let short = Layout::new(shape, 6);
        assert_eq!(framed(&short), (0.0, short.width()));
        // 1000 tokens: the last FRAMED_TOKENS lanes, readable from the home view
        let long = Layout::new(shape, 1000);
        let (z, width) = framed(&long);
        assert_eq!(width, FRAMED_TOKENS as f32 * LANE);
        let last = long.token_z(999);
        assert!(z < last && last - z < width / 2.0, "{z} {last}");
        let home = home_view(&long);
        assert_eq!(home.focus.z, z);
        assert!(home.distance < 80.0, "{}", home.distance);
        let booth = long.index_of(StationKind::Booth(1, 1)).unwrap();
        assert_eq!(station_view(&long, booth).focus.z, z);
    }
}
