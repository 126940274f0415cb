//! The explorer's camera: orbit (left drag), pan (right or middle drag), zoom (wheel), fly (WASD, Q/E),
//! jump to stations (number keys, Page Up / Page Down), focus on a clicked thing, Home to reset.
//!
//! egui gets the pointer and keyboard first: nothing here runs while the overlay wants the input.
//! By touch ([`touch`]): one finger orbits, two pinch to zoom, a tap selects.

pub mod touch;
mod views;

pub use views::{FRAMED_TOKENS, framed, home_view, layer_map_view, room_view, station_view};

use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseScrollUnit};
use bevy::prelude::*;

use crate::keys::{self, Act};
use crate::playback::Playback;
use crate::rooms::GoToRoom;
use crate::scene::CurrentLayout;
use crate::scene::beams::ViewFocus;
use crate::scene::layout::StationKind;
use crate::schedule::AppSet;

/// Where the camera looks from, as an orbit around a focus point.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct Orbit {
    /// The point looked at.
    pub focus: Vec3,
    /// Angle around the vertical axis (0 = looking along +x, down the hall).
    pub yaw: f32,
    /// Angle above the horizon.
    pub pitch: f32,
    /// Distance from the focus.
    pub distance: f32,
}

/// Where the orbit is heading (eased toward each frame).
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct OrbitGoal(pub Orbit);

impl Orbit {
    /// Turns around the focus by a drag of `d` pixels (mouse or finger): across is yaw, up and
    /// down is pitch, kept between just below level and nearly straight down.
    pub fn turn(&mut self, d: Vec2) {
        self.yaw += d.x * 0.006;
        self.pitch = (self.pitch + d.y * 0.006).clamp(-0.2, 1.5);
    }

    /// Scales the distance to the focus by `factor` (wheel or pinch), within 2 to 1500 units.
    pub fn zoom(&mut self, factor: f32) {
        self.distance = (self.distance * factor).clamp(2.0, 1500.0);
    }

    /// The camera transform for this orbit.
    pub fn transform(&self) -> Transform {
        let dir = Vec3::new(
            self.yaw.cos() * self.pitch.cos(),
            -self.pitch.sin(),
            self.yaw.sin() * self.pitch.cos(),
        );
        let eye = self.focus - dir * self.distance;
        Transform::from_translation(eye).looking_at(self.focus, Vec3::Y)
    }

    /// Moves every field a fraction `t` of the way toward `goal`.
    pub fn ease_toward(&mut self, goal: &Orbit, t: f32) {
        self.focus = self.focus.lerp(goal.focus, t);
        self.yaw += (goal.yaw - self.yaw) * t;
        self.pitch += (goal.pitch - self.pitch) * t;
        self.distance += (goal.distance - self.distance) * t;
    }
}

/// Pointer travel of the current press, so a drag does not also count as a click: the cursor
/// position at the press, and the farthest it has been from there since.
#[derive(Resource, Debug, Default)]
pub struct DragDistance {
    /// Where the last mouse button (left, right or middle) went down.
    pub start: Option<Vec2>,
    /// Farthest distance from `start` during the press, in pixels.
    pub farthest: f32,
}

/// When on, the camera keeps the riding crates in view.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Follow(pub bool);

/// Asks the camera to look at a station.
#[derive(Message, Debug, Clone, Copy)]
pub struct FocusStation(pub usize);

/// Asks the camera to fly to this view (a layer's map of its route).
#[derive(Message, Debug, Clone, Copy)]
pub struct FocusOrbit(pub Orbit);

/// Asks the camera to look at a point from its current angle.
#[derive(Message, Debug, Clone, Copy)]
pub struct FocusPoint(pub Vec3);

/// Camera systems.
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<DragDistance>()
        .init_resource::<Follow>()
        .add_message::<FocusStation>()
        .add_message::<FocusPoint>()
        .add_message::<FocusOrbit>()
        .add_systems(Startup, spawn_camera)
        .add_systems(
            Update,
            (
                track_drag,
                (orbit_with_mouse, touch::orbit_with_touch)
                    .run_if(not(bevy_egui::input::egui_wants_any_pointer_input)),
                (fly_with_keys).run_if(not(bevy_egui::input::egui_wants_any_keyboard_input)),
                apply_focus_requests,
                follow_crates,
                ease_camera,
            )
                .chain()
                .in_set(AppSet::Input),
        );
}

/// Spawns the orbit camera.
pub fn spawn_camera(mut commands: Commands) {
    let start = Orbit {
        focus: Vec3::new(10.0, 3.0, 0.0),
        yaw: 0.7,
        pitch: 0.42,
        distance: 40.0,
    };
    let [r, g, b] = crate::scene::palette::FOG;
    commands.spawn((
        Name::new("Camera"),
        Camera3d::default(),
        // the far hall fades into the air (the flat shaders fade the same way themselves)
        bevy::pbr::DistanceFog {
            color: Color::srgba(r, g, b, crate::scene::palette::FOG_MAX),
            falloff: bevy::pbr::FogFalloff::Linear {
                start: crate::scene::palette::FOG_START,
                end: crate::scene::palette::FOG_END,
            },
            ..default()
        },
        start.transform(),
        start,
        OrbitGoal(start),
    ));
}

fn track_drag(
    buttons: Res<ButtonInput<MouseButton>>,
    windows: Query<&Window, With<bevy::window::PrimaryWindow>>,
    mut drag: ResMut<DragDistance>,
) {
    let cursor = windows.single().ok().and_then(Window::cursor_position);
    // any button: a right-click (a lamp's neuron switch) must not count after a right-drag (a pan)
    const BUTTONS: [MouseButton; 3] = [MouseButton::Left, MouseButton::Right, MouseButton::Middle];
    if buttons.any_just_pressed(BUTTONS) {
        drag.start = cursor;
        drag.farthest = 0.0;
    }
    if buttons.any_pressed(BUTTONS)
        && let (Some(a), Some(b)) = (drag.start, cursor)
    {
        drag.farthest = drag.farthest.max(a.distance(b));
    }
}

/// Keeps the focus on the riding crates while following, and on the crates riding back while the
/// backward pass is drawn (until they reach the press: then the camera is the visitor's again).
fn follow_crates(
    follow: Res<Follow>,
    playback: Res<Playback>,
    ride: Option<Res<crate::scene::backward::BackwardRide>>,
    layout: Option<Res<CurrentLayout>>,
    mut goals: Query<&mut OrbitGoal>,
) {
    let Some(layout) = layout else { return };
    let ride_at = ride.as_ref().and_then(|r| r.0);
    let riding = ride.filter(|r| r.is_changed()).and_then(|r| r.0);
    let at = match riding {
        // a little ahead of the crates riding back: the camera's easing trails them
        Some(p) => (p - 1.0).max(0.0),
        // following: the crates, where the backward pass parked them or where the clock says
        _ if follow.0 => ride_at.unwrap_or(playback.progress.max(0.0)),
        _ => return,
    };
    for mut goal in &mut goals {
        goal.0.focus.x = layout.0.x_at(at);
    }
}

fn orbit_with_mouse(
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    scroll: Res<AccumulatedMouseScroll>,
    mut goals: Query<(&mut OrbitGoal, &Orbit)>,
) {
    let Ok((mut goal, orbit)) = goals.single_mut() else {
        return;
    };
    let g = &mut goal.0;
    let d = motion.delta;
    if buttons.pressed(MouseButton::Left) && d != Vec2::ZERO {
        g.turn(d);
    }
    if (buttons.pressed(MouseButton::Right) || buttons.pressed(MouseButton::Middle))
        && d != Vec2::ZERO
    {
        let t = orbit.transform();
        let scale = orbit.distance * 0.0015;
        g.focus += (-t.right() * d.x + t.up() * d.y) * scale;
    }
    let lines = match scroll.unit {
        MouseScrollUnit::Line => scroll.delta.y,
        MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
    };
    if lines != 0.0 {
        g.zoom(1.0 - 0.12 * lines);
    }
}

fn fly_with_keys(
    keys: Res<ButtonInput<KeyCode>>,
    time: Res<Time>,
    layout: Option<Res<CurrentLayout>>,
    mut goals: Query<(&mut OrbitGoal, &Orbit)>,
    mut focus: MessageWriter<FocusStation>,
    mut follow: ResMut<Follow>,
) {
    if keys::just_pressed(&keys, Act::Follow) {
        follow.0 = !follow.0;
    }
    let Ok((mut goal, orbit)) = goals.single_mut() else {
        return;
    };
    let g = &mut goal.0;
    let t = orbit.transform();
    let forward = Vec3::new(t.forward().x, 0.0, t.forward().z).normalize_or_zero();
    let right = Vec3::new(t.right().x, 0.0, t.right().z).normalize_or_zero();
    let mut dir = Vec3::ZERO;
    for (act, v) in [
        (Act::FlyForward, forward),
        (Act::FlyBack, -forward),
        (Act::FlyRight, right),
        (Act::FlyLeft, -right),
        (Act::FlyUp, Vec3::Y),
        (Act::FlyDown, -Vec3::Y),
    ] {
        if keys::held(&keys, act) {
            dir += v;
        }
    }
    let fast = if keys::held(&keys, Act::FlyFast) {
        3.0
    } else {
        1.0
    };
    g.focus += dir * time.delta_secs() * (8.0 + orbit.distance * 0.6) * fast;
    let Some(layout) = layout else { return };
    let l = &layout.0;
    if let Some(i) = keys::station_digit(&keys).and_then(|d| l.hotkey_station(d)) {
        focus.write(FocusStation(i));
    }
    let nearest = l
        .stations
        .iter()
        .enumerate()
        .min_by(|a, b| {
            (a.1.x - g.focus.x)
                .abs()
                .total_cmp(&(b.1.x - g.focus.x).abs())
        })
        .map_or(0, |(i, _)| i);
    if keys::just_pressed(&keys, Act::NextStation) {
        focus.write(FocusStation((nearest + 1).min(l.stations.len() - 1)));
    }
    if keys::just_pressed(&keys, Act::PrevStation) {
        focus.write(FocusStation(nearest.saturating_sub(1)));
    }
    // - and + reach every layer, however many (the digits stop at layer 5)
    let here = l.stations[nearest].kind.layer();
    let last_layer = l.shape.n_layer.saturating_sub(1);
    let layer_step = if keys::just_pressed(&keys, Act::NextLayer) {
        Some(here.map_or(0, |h| (h + 1).min(last_layer)))
    } else if keys::just_pressed(&keys, Act::PrevLayer) {
        Some(here.map_or(last_layer, |h| h.saturating_sub(1)))
    } else {
        None
    };
    if let Some(i) = layer_step.and_then(|layer| l.index_of(StationKind::NormAttn(layer))) {
        focus.write(FocusStation(i));
    }
    if keys::just_pressed(&keys, Act::Home) {
        *g = home_view(l);
        follow.0 = false;
    }
}

fn apply_focus_requests(
    mut stations: MessageReader<FocusStation>,
    (mut points, mut orbits): (MessageReader<FocusPoint>, MessageReader<FocusOrbit>),
    mut rooms: MessageReader<GoToRoom>,
    layout: Option<Res<CurrentLayout>>,
    mut goals: Query<&mut OrbitGoal>,
    mut follow: ResMut<Follow>,
) {
    let Ok(mut goal) = goals.single_mut() else {
        return;
    };
    if let Some(layout) = layout {
        for FocusStation(i) in stations.read() {
            goal.0 = station_view(&layout.0, *i);
        }
    }
    for FocusPoint(p) in points.read() {
        goal.0.focus = *p;
        goal.0.distance = goal.0.distance.min(25.0);
    }
    for FocusOrbit(view) in orbits.read() {
        goal.0 = *view;
        follow.0 = false;
    }
    for GoToRoom(room) in rooms.read() {
        if let Some(view) = room_view(*room) {
            goal.0 = view;
            follow.0 = false;
        }
    }
}

/// Eases the camera toward its goal: quick, with no overshoot.
fn ease_camera(
    time: Res<Time>,
    mut cams: Query<(&mut Orbit, &OrbitGoal, &mut Transform)>,
    mut focus: ResMut<ViewFocus>,
) {
    let t = 1.0 - (-10.0 * time.delta_secs()).exp();
    for (mut orbit, goal, mut transform) in &mut cams {
        orbit.ease_toward(&goal.0, t);
        *transform = orbit.transform();
        focus.set_if_neq(ViewFocus(Some(orbit.focus)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orbit_looks_at_its_focus() {
        let o = Orbit {
            focus: Vec3::new(5.0, 1.0, -2.0),
            yaw: 0.4,
            pitch: 0.3,
            distance: 10.0,
        };
        let t = o.transform();
        assert!((t.translation.distance(o.focus) - 10.0).abs() < 1e-4);
        let ahead = t.translation + t.forward() * 10.0;
        assert!(ahead.distance(o.focus) < 1e-3);
    }

    #[test]
    fn easing_converges() {
        let mut a = Orbit {
            focus: Vec3::ZERO,
            yaw: 0.0,
            pitch: 0.0,
            distance: 10.0,
        };
        let b = Orbit {
            focus: Vec3::ONE,
            yaw: 1.0,
            pitch: 0.5,
            distance: 20.0,
        };
        for _ in 0..100 {
            a.ease_toward(&b, 0.2);
        }
        assert!(a.focus.distance(b.focus) < 1e-4 && (a.distance - 20.0).abs() < 1e-3);
    }
}
