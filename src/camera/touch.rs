//! The camera by touch (a kiosk's screen has no mouse): one finger drags to orbit, two fingers
//! pinch to zoom (Bevy's `PinchGesture` comes only from macOS and iOS, so on Linux the pinch is
//! computed here from the two touches), and a tap selects through picking like a click.

use bevy::platform::collections::HashMap;
use bevy::prelude::*;

use super::{DragDistance, OrbitGoal};

/// How much the camera's distance changes for a pinch: the fingers' spread before over after (so
/// spreading them, a larger `after`, brings the camera closer). 1 when either spread is too small
/// to trust.
pub fn pinch_factor(before: (Vec2, Vec2), after: (Vec2, Vec2)) -> f32 {
    let (b, a) = (before.0.distance(before.1), after.0.distance(after.1));
    if b < 4.0 || a < 4.0 { 1.0 } else { b / a }
}

/// One finger orbits like the left mouse button; two pinch to zoom; the travel of a touch is kept
/// in [`DragDistance`] so that a drag does not also select what it ends on. Each finger's last
/// position is remembered here: Bevy's own `Touch::delta` stays at the last move's size on frames
/// without touch events.
pub fn orbit_with_touch(
    touches: Res<Touches>,
    mut goals: Query<&mut OrbitGoal>,
    mut drag: ResMut<DragDistance>,
    mut last: Local<HashMap<u64, Vec2>>,
) {
    if let Some(t) = touches.iter_just_pressed().next() {
        drag.start = Some(t.position());
        drag.farthest = 0.0;
    }
    if let Some(start) = drag.start {
        for t in touches.iter() {
            drag.farthest = drag.farthest.max(start.distance(t.position()));
        }
    }
    // (now, before) per finger
    let fingers: Vec<(Vec2, Vec2)> = touches
        .iter()
        .map(|t| {
            let now = t.position();
            (now, last.get(&t.id()).copied().unwrap_or(now))
        })
        .collect();
    *last = touches.iter().map(|t| (t.id(), t.position())).collect();
    let Ok(mut goal) = goals.single_mut() else {
        return;
    };
    let g = &mut goal.0;
    match fingers.as_slice() {
        [(now, before)] => {
            let d = *now - *before;
            if d != Vec2::ZERO {
                g.turn(d);
            }
        }
        [(a, a0), (b, b0)] => {
            let f = pinch_factor((*a0, *b0), (*a, *b));
            g.zoom(f);
            // a pinch is never a tap
            drag.farthest = drag.farthest.max(100.0);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreading_the_fingers_comes_closer() {
        let before = (Vec2::new(100.0, 100.0), Vec2::new(200.0, 100.0));
        let after = (Vec2::new(50.0, 100.0), Vec2::new(250.0, 100.0));
        assert_eq!(pinch_factor(before, after), 0.5);
        assert_eq!(pinch_factor(after, before), 2.0);
        let same = (Vec2::splat(10.0), Vec2::splat(11.0));
        assert_eq!(pinch_factor(same, after), 1.0, "too close to trust");
    }
}
