//! The viewer app: composes the plugins and orders their systems in one place.

use std::path::PathBuf;
use std::sync::Arc;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};
use bevy::window::{PresentMode, WindowResolution};

use crate::camera::{DragDistance, FocusPoint};
use crate::inference::{Engine, Floor, Pending, Request};
use crate::model::LoadedModel;
use crate::scene::layout::StationKind;
use crate::scene::{Board, Booth, Crate, CurrentLayout, LampWall, Playback, Selection, palette};

/// The order of work in each frame, documented here and nowhere else:
/// input (keys, mouse, camera) → inference (start and collect model runs) → playback (the clock and
/// sampling) → scene (rebuild, move, paint, beams) → capture (screenshots).
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppSet {
    /// Keyboard, mouse and camera.
    Input,
    /// Starting and collecting model runs.
    Inference,
    /// The animation clock and the sampling loop.
    Playback,
    /// Everything drawn from the floor's numbers.
    Scene,
    /// Screenshots and exit.
    Capture,
}

/// The logic every build of the factory has, with or without a window (tests use this alone).
pub fn core_plugin(app: &mut App) {
    app.configure_sets(
        Update,
        (
            AppSet::Input,
            AppSet::Inference,
            AppSet::Playback,
            AppSet::Scene,
            AppSet::Capture,
        )
            .chain(),
    );
    app.add_plugins((
        crate::inference::plugin,
        crate::scene::plugin,
        crate::tour::plugin,
    ));
}

/// How the viewer was asked to start.
#[derive(Debug, Clone)]
pub struct ViewerOptions {
    /// The model.
    pub model: Arc<LoadedModel>,
    /// The first prompt.
    pub prompt: String,
    /// Save a screenshot here once the prompt is fully shown, then exit.
    pub screenshot: Option<PathBuf>,
    /// Window size.
    pub size: (u32, u32),
    /// Start looking at this station (index along the hall) instead of the home view.
    pub station: Option<usize>,
    /// The guided tour file.
    pub tour: PathBuf,
    /// Start the tour at once.
    pub start_tour: bool,
    /// Run as a kiosk with these settings.
    pub kiosk: Option<crate::kiosk::Kiosk>,
}

/// The station the camera starts at, if asked.
#[derive(Resource, Debug, Clone, Copy)]
struct StartStation(Option<usize>);

/// The `--screenshot` flow.
#[derive(Resource, Debug)]
struct ScreenshotJob {
    path: PathBuf,
    frames_ready: u32,
    requested: bool,
    frames_total: u32,
}

/// Opens the window and runs the factory until it is closed.
pub fn run_viewer(opts: ViewerOptions) -> AppExit {
    let mut app = App::new();
    let kiosk = opts.kiosk.is_some();
    let [r, g, b] = palette::BACKGROUND;
    app.insert_resource(ClearColor(Color::srgb(r, g, b)))
        .add_plugins(DefaultPlugins.set(WindowPlugin {
            primary_window: Some(Window {
                title: "Transformer Factory".into(),
                resolution: WindowResolution::new(opts.size.0, opts.size.1),
                present_mode: PresentMode::AutoVsync,
                mode: if kiosk {
                    bevy::window::WindowMode::BorderlessFullscreen(
                        bevy::window::MonitorSelection::Primary,
                    )
                } else {
                    bevy::window::WindowMode::Windowed
                },
                ..default()
            }),
            ..default()
        }))
        .add_plugins(bevy_egui::EguiPlugin::default())
        .add_plugins(MeshPickingPlugin)
        .add_plugins(core_plugin)
        .add_plugins((
            crate::camera::plugin,
            crate::ui::plugin,
            crate::scene::beams::draw_plugin,
        ))
        .insert_resource(GlobalAmbientLight {
            color: Color::WHITE,
            brightness: 400.0,
            ..default()
        })
        .insert_resource(Engine(opts.model.clone()))
        .insert_resource(StartStation(opts.station))
        .add_systems(Startup, spawn_lights)
        .add_systems(Update, frame_first_prompt.in_set(AppSet::Input))
        .add_observer(select_on_click);
    app.world_mut()
        .resource_mut::<crate::ui::UiState>()
        .prompt
        .clone_from(&opts.prompt);
    app.world_mut()
        .write_message(Request::Prompt(opts.prompt.clone()));
    let tour_path = match &opts.kiosk {
        Some(k) => k.tour_path(),
        None => opts.tour.clone(),
    };
    {
        let mut player = app.world_mut().resource_mut::<crate::tour::TourPlayer>();
        crate::tour::load_into(&mut player, &tour_path, &opts.model.config);
        if opts.start_tour {
            player.start();
        }
    }
    if let Some(k) = opts.kiosk {
        let mut ui = app.world_mut().resource_mut::<crate::ui::UiState>();
        ui.simple = true;
        ui.max_prompt_chars = k.config.max_prompt_chars;
        app.insert_resource(k).add_plugins(crate::kiosk::plugin);
    }
    if let Some(path) = opts.screenshot {
        app.insert_resource(ScreenshotJob {
            path,
            frames_ready: 0,
            requested: false,
            frames_total: 0,
        })
        .add_systems(Update, take_screenshot.in_set(AppSet::Capture));
    }
    app.run()
}

fn spawn_lights(mut commands: Commands) {
    commands.spawn((
        Name::new("Sun"),
        DirectionalLight {
            illuminance: 6_000.0,
            shadow_maps_enabled: false,
            ..default()
        },
        Transform::from_xyz(-10.0, 30.0, 20.0).looking_at(Vec3::new(20.0, 0.0, 0.0), Vec3::Y),
    ));
}

/// Points the camera at the dock when the first prompt's floor appears.
fn frame_first_prompt(
    layout: Option<Res<CurrentLayout>>,
    start: Res<StartStation>,
    tour: Res<crate::tour::TourPlayer>,
    mut done: Local<bool>,
    mut goals: Query<(&mut crate::camera::OrbitGoal, &mut crate::camera::Orbit)>,
) {
    let Some(layout) = layout else { return };
    if *done {
        return;
    }
    *done = true;
    if tour.active {
        return; // the tour places the camera
    }
    let home = match start.0 {
        Some(i) => crate::camera::station_view(&layout.0, i),
        None => crate::camera::home_view(&layout.0),
    };
    for (mut goal, mut orbit) in &mut goals {
        goal.0 = home;
        *orbit = home;
    }
}

/// Cell of a textured quad hit at `local` (quad-local coordinates, quad of `size`), as (column, row).
pub fn cell_at(local: Vec3, size: Vec2, cols: usize, rows: usize) -> Option<(usize, usize)> {
    let u = local.x / size.x + 0.5;
    let v = 0.5 - local.y / size.y;
    if !(0.0..1.0).contains(&u) || !(0.0..1.0).contains(&v) {
        return None;
    }
    Some(((u * cols as f32) as usize, (v * rows as f32) as usize))
}

/// Selects what was clicked (unless the press was a drag) and flies the camera to it.
#[allow(clippy::too_many_arguments)]
fn select_on_click(
    click: On<Pointer<Click>>,
    drag: Res<DragDistance>,
    crates: Query<&Crate>,
    booths: Query<&Booth>,
    boards: Query<&Board>,
    walls: Query<&LampWall>,
    transforms: Query<&GlobalTransform>,
    floor: Res<Floor>,
    mut selection: ResMut<Selection>,
    layout: Option<Res<CurrentLayout>>,
    mut focus: MessageWriter<FocusPoint>,
    egui_input: Res<bevy_egui::input::EguiWantsInput>,
) {
    if egui_input.wants_any_pointer_input() {
        return; // the click was on the overlay
    }
    let moved = match drag.start {
        Some(a) => drag
            .farthest
            .max(a.distance(click.pointer_location.position)),
        None => 0.0,
    };
    if click.button != PointerButton::Primary || moved > 6.0 {
        return;
    }
    let e = click.entity;
    let Ok(gt) = transforms.get(e) else { return };
    let hit = click.hit.position.unwrap_or(gt.translation());
    let local = gt.affine().inverse().transform_point3(hit);
    let n = floor.history.len();
    if let Ok(c) = crates.get(e) {
        selection.token = Some(c.0);
    } else if let Ok(b) = booths.get(e) {
        selection.head = Some((b.layer, b.head));
        // the lane under the pointer picks the query token
        if let Some(l) = &layout {
            let lane = ((hit.z / crate::scene::layout::LANE) + (n as f32 - 1.0) / 2.0).round();
            if (0.0..n as f32).contains(&lane) && l.0.n_tokens == n {
                selection.token = Some(lane as usize);
            }
        }
    } else if let Ok(b) = boards.get(e) {
        let c = b.source.rows(&floor.history).first().map_or(0, Vec::len);
        let (across, rows) = crate::scene::layout::tile(c);
        let w = layout.as_ref().map_or(1.0, |l| l.0.width());
        let size = Vec2::new(w, crate::scene::layout::BOARD_DEPTH);
        if let Some((col, row)) = cell_at(local, size, n * across, rows) {
            let d = row * across + col % across;
            if d < c {
                selection.token = Some(col / across);
                selection.dim = Some((b.station, d));
            }
        }
    } else if let Ok(w) = walls.get(e) {
        if let Some((col, row)) = cell_at(local, w.size, w.cols, w.rows) {
            let idx = row * w.cols + col;
            if idx
                < floor.history.layers[w.layer]
                    .ffn_act
                    .first()
                    .map_or(0, Vec::len)
            {
                selection.neuron = Some((w.layer, idx));
            }
        }
    } else {
        return;
    }
    focus.write(FocusPoint(hit));
    let _ = StationKind::Dock;
}

/// Shows the whole prompt at once, waits for the frame to settle, saves it, exits.
fn take_screenshot(
    mut commands: Commands,
    mut job: ResMut<ScreenshotJob>,
    floor: Res<Floor>,
    pending: Res<Pending>,
    layout: Option<Res<CurrentLayout>>,
    mut playback: ResMut<Playback>,
    mut exit: MessageWriter<AppExit>,
) {
    job.frames_total += 1;
    if job.frames_total > 3000 {
        error!("the screenshot could not be taken");
        exit.write(AppExit::error());
        return;
    }
    if job.requested {
        if job.path.exists() {
            exit.write(AppExit::Success);
        }
        return;
    }
    let ready = (!floor.history.is_empty() || floor.error.is_some()) && !pending.busy();
    if !ready {
        return;
    }
    if let Some(l) = &layout {
        playback.progress = (l.0.stations.len() - 1) as f32;
        playback.playing = false;
    }
    job.frames_ready += 1;
    // a few frames for the floor, textures and labels to reach the screen
    if job.frames_ready >= 12 {
        let _ = std::fs::remove_file(&job.path);
        commands
            .spawn(Screenshot::primary_window())
            .observe(save_to_disk(job.path.clone()));
        job.requested = true;
    }
}

/// The factory's logic without a window or renderer: `MinimalPlugins`, assets, the core plugin and
/// the model. For tests and the scene benchmark.
pub fn headless_app(model: Arc<LoadedModel>) -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()))
        .init_asset::<Mesh>()
        .init_asset::<StandardMaterial>()
        .init_asset::<Image>()
        .add_plugins(core_plugin)
        .insert_resource(Engine(model));
    app
}
