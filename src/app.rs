//! The window app: [`run_viewer`] opens a window with the render setup ([`crate::stage`]) on top of
//! the factory's logic ([`crate::logic`]), plus picking, the kiosk and `--screenshot`. Nothing
//! imports this module but the command line.

use std::path::PathBuf;
use std::sync::Arc;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};
use bevy::window::{PresentMode, WindowResolution};

use crate::inference::{Engine, Pending, Request};
use crate::model::LoadedModel;
use crate::playback::{Floor, Playback};
use crate::scene::CurrentLayout;
use crate::schedule::AppSet;

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
    /// Start in this room instead.
    pub room: Option<crate::rooms::Room>,
    /// Where saved tour stops go (None: the default).
    pub save_tour: Option<PathBuf>,
    /// The guided tour file.
    pub tour: PathBuf,
    /// Start the tour at once.
    pub start_tour: bool,
    /// Run as a kiosk with these settings.
    pub kiosk: Option<crate::kiosk::Kiosk>,
    /// Parts of the model switched off from the start (`--ablate`).
    pub ablations: crate::model::Ablations,
    /// Print the frame rate every 5 seconds (`--fps`).
    pub fps: bool,
    /// The language shown first (`--lang`, the kiosk config).
    pub lang: crate::i18n::Lang,
    /// The render preset asked for (`--quality`); none: chosen by the adapter.
    pub quality: Option<Quality>,
    /// Show the start station's machine alone (`--silhouette`).
    pub silhouette: bool,
}

/// A render preset (see [`choose_quality`]).
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    /// No multisampling, shadows or bloom: for software rendering.
    Low,
    /// The sun's shadows, 4x multisampling, bloom.
    High,
}

/// The station or room the camera starts at, if asked.
#[derive(Resource, Debug, Clone, Copy)]
struct StartStation(Option<usize>, Option<crate::rooms::Room>);

impl StartStation {
    /// Where the crates stand at the start: at the station asked for (so its view and picture
    /// show them there), else parked before the shipping dock with every station lit.
    fn progress(&self, layout: &crate::scene::layout::Layout) -> f32 {
        let last = layout.stations.len() - 1;
        self.0.map_or(last, |i| i.min(last)) as f32
    }
}

/// The `--screenshot` flow.
#[derive(Resource, Debug)]
struct ScreenshotJob {
    path: PathBuf,
    frames_ready: u32,
    requested: bool,
    frames_total: u32,
}

impl ScreenshotJob {
    fn new(path: PathBuf) -> Self {
        Self {
            path,
            frames_ready: 0,
            requested: false,
            frames_total: 0,
        }
    }
}

/// Bevy's plugins for the viewer's window (fullscreen in a kiosk) and renderer.
fn window_plugins(opts: &ViewerOptions) -> bevy::app::PluginGroupBuilder {
    let kiosk = opts.kiosk.is_some();
    DefaultPlugins
        .set(WindowPlugin {
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
        })
        .set(bevy::render::RenderPlugin {
            // a screenshot must not catch the scene while its pipelines still compile (as the
            // recorder does); the interactive window keeps compiling in the background
            synchronous_pipeline_compilation: opts.screenshot.is_some(),
            ..default()
        })
}

/// Opens the window and runs the factory until it is closed.
pub fn run_viewer(opts: ViewerOptions) -> AppExit {
    let mut app = App::new();
    app.add_plugins(window_plugins(&opts))
        .add_plugins(MeshPickingPlugin)
        .add_plugins((crate::stage::plugin, crate::pick::plugin))
        .insert_resource(Engine(opts.model.clone()))
        .insert_resource(StartStation(opts.station, opts.room))
        .insert_resource(QualityAsked(opts.quality))
        .add_systems(Update, frame_first_prompt.in_set(AppSet::Input))
        // before the first frame, so that the pipelines are made once for the chosen sample count (a
        // switch later recompiles them while the scene waits, and a screenshot could catch it empty)
        .add_systems(PostStartup, choose_quality)
        .add_systems(Update, (choose_quality, centre_beside_panel));
    {
        let mut ui = app.world_mut().resource_mut::<crate::ui::UiState>();
        ui.prompt.clone_from(&opts.prompt);
        if let Some(path) = &opts.save_tour {
            ui.save_tour_path.clone_from(path);
        }
    }
    if opts.kiosk.is_none() {
        remember_layout(&mut app, opts.lang);
    }
    app.world_mut()
        .write_message(Request::Ablate(opts.ablations.clone()));
    app.world_mut()
        .write_message(Request::Prompt(opts.prompt.clone()));
    let tour_path = match &opts.kiosk {
        Some(k) => k.tour_path(),
        None => opts.tour.clone(),
    };
    {
        let mut player = app.world_mut().resource_mut::<crate::tour::TourPlayer>();
        crate::tour::load_into(&mut player, &tour_path, &opts.model, opts.lang);
        if opts.start_tour {
            player.start();
        }
    }
    app.insert_resource(opts.lang);
    if let Some(k) = opts.kiosk {
        add_kiosk(&mut app, k);
    }
    if opts.fps {
        app.add_systems(Last, report_fps);
    }
    if let (true, Some(station)) = (opts.silhouette, opts.station) {
        app.insert_resource(crate::scene::silhouette::Silhouette(station));
    }
    if let Some(path) = opts.screenshot {
        // a picture of the view: no tooltip of whatever the pointer rests on
        app.insert_resource(crate::pick::PointerIgnored)
            .insert_resource(ScreenshotJob::new(path))
            .add_systems(Update, take_screenshot.in_set(AppSet::Capture));
    }
    app.run()
}

/// When the first prompt's floor appears: the camera at the home view (or `--station`, or a room)
/// with the whole computation on show: the crates parked before the shipping dock, every beam lit,
/// the next-token bars up (or the crates at `--station`), paused; Play or Step goes on from there.
fn frame_first_prompt(
    layout: Option<Res<CurrentLayout>>,
    start: Res<StartStation>,
    tour: Res<crate::tour::TourPlayer>,
    mut playback: ResMut<crate::playback::Playback>,
    mut done: Local<bool>,
    mut goals: Query<(&mut crate::camera::OrbitGoal, &mut crate::camera::Orbit)>,
    mut rooms: MessageWriter<crate::rooms::GoToRoom>,
) {
    let Some(layout) = layout else { return };
    if *done {
        return;
    }
    *done = true;
    if tour.active {
        return; // the tour places the camera
    }
    if let Some(room) = start.1 {
        rooms.write(crate::rooms::GoToRoom(room));
    }
    let home = match (start.0, start.1.and_then(crate::camera::room_view)) {
        (_, Some(view)) => view,
        (Some(i), None) => crate::camera::station_view(&layout.0, i),
        (None, None) => crate::camera::home_view(&layout.0),
    };
    if start.1.is_none() {
        playback.progress = start.progress(&layout.0);
        playback.playing = false;
    }
    for (mut goal, mut orbit) in &mut goals {
        goal.0 = home;
        *orbit = home;
    }
}

/// What says the scene is complete: the floor (or its error), the model's work, the embedding
/// room's map.
#[derive(SystemParam)]
struct SceneSettled<'w> {
    floor: Res<'w, Floor>,
    pending: Res<'w, Pending>,
    room: Res<'w, crate::rooms::embedding::EmbeddingRoom>,
    cover: Option<Res<'w, MonitorCover>>,
}

impl SceneSettled<'_> {
    /// True once the floor (or its error) is there, nothing is pending, the room's map is made and
    /// a kiosk's window covers its monitor.
    fn ready(&self) -> bool {
        (!self.floor.history.is_empty() || self.floor.error.is_some())
            && !self.pending.busy()
            && self.room.finished()
            && self.cover.as_ref().is_none_or(|c| c.done)
    }
}

/// Where the screenshot's crates stand: at `--station`, else at the end of the hall.
#[derive(SystemParam)]
struct CratePlacement<'w> {
    layout: Option<Res<'w, CurrentLayout>>,
    playback: ResMut<'w, Playback>,
    start: Res<'w, StartStation>,
}

/// Shows the whole prompt at once (its crates at `--station`, if given, else at the end of the
/// hall), waits for the frame to settle, saves it, exits.
fn take_screenshot(
    mut commands: Commands,
    mut job: ResMut<ScreenshotJob>,
    mut exit: MessageWriter<AppExit>,
    scene: SceneSettled,
    mut placement: CratePlacement,
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
    if !scene.ready() {
        return;
    }
    if let Some(l) = &placement.layout {
        placement.playback.progress = placement.start.progress(&l.0);
        placement.playback.playing = false;
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

/// The viewer's layout as it was left (the drawer open or not), kept again when it changes.
fn remember_layout(app: &mut App, lang: crate::i18n::Lang) {
    let Some(path) = crate::ui::layout_file::default_path() else {
        return;
    };
    let mut ui = app.world_mut().resource_mut::<crate::ui::UiState>();
    crate::ui::layout_file::apply_at_start(&mut ui, &path, lang);
    app.insert_resource(crate::ui::layout_file::LayoutFile(path));
}

/// The kiosk's touch panel, its idle watch and attract loop, and a window over the whole monitor.
fn add_kiosk(app: &mut App, k: crate::kiosk::Kiosk) {
    let mut ui = app.world_mut().resource_mut::<crate::ui::UiState>();
    ui.simple = true;
    ui.max_prompt_chars = k.config.max_prompt_chars;
    app.insert_resource(k)
        .init_resource::<MonitorCover>()
        .add_plugins(crate::kiosk::plugin)
        .add_systems(Update, cover_monitor);
}

/// Whether the kiosk's window covers its monitor yet (a screenshot waits for it), and the frames
/// since it opened.
#[derive(Resource, Default)]
struct MonitorCover {
    frames: u32,
    done: bool,
}

/// Frames a window manager gets to make the kiosk's window fullscreen before the kiosk places it
/// over the monitor itself.
const WAIT_FOR_FULLSCREEN: u32 = 10;

/// The kiosk's window covers its whole monitor. It asks for borderless fullscreen, which only a
/// window manager grants; on an exhibit PC without one (a bare X session started by xinit) the
/// window stayed at its first size in a corner. So, when the window does not cover the primary
/// monitor a few frames after it opened, it is made a borderless window at the monitor's position
/// and size. Says in the log which it was.
fn cover_monitor(
    mut windows: Query<&mut Window, With<bevy::window::PrimaryWindow>>,
    monitors: Query<&bevy::window::Monitor, With<bevy::window::PrimaryMonitor>>,
    mut cover: ResMut<MonitorCover>,
) {
    let (Ok(mut window), Ok(monitor)) = (windows.single_mut(), monitors.single()) else {
        return;
    };
    if cover.done {
        return;
    }
    cover.frames += 1;
    let (w, h) = (monitor.physical_width, monitor.physical_height);
    let covers = window.physical_width() == w && window.physical_height() == h;
    if covers {
        info!("kiosk: the window covers the monitor, {w}x{h}");
        cover.done = true;
    } else if cover.frames == WAIT_FOR_FULLSCREEN {
        let at = monitor.physical_position;
        info!(
            "kiosk: fullscreen was not granted (no window manager?); placing a borderless window \
             over the monitor myself, {w}x{h} at ({}, {})",
            at.x, at.y
        );
        window.mode = bevy::window::WindowMode::Windowed;
        window.decorations = false;
        window.position = bevy::window::WindowPosition::At(at);
        window.resolution.set_physical_resolution(w, h);
    }
}

/// Every 5 s of real time, prints how many frames were drawn and their median and slowest time.
fn report_fps(
    mut frames: Local<Vec<f32>>,
    mut last: Local<Option<std::time::Instant>>,
    mut since: Local<Option<std::time::Instant>>,
) {
    let now = std::time::Instant::now();
    let start = *since.get_or_insert(now);
    if let Some(prev) = last.replace(now) {
        frames.push((now - prev).as_secs_f32() * 1e3);
    }
    let secs = (now - start).as_secs_f32();
    if secs < 5.0 || frames.is_empty() {
        return;
    }
    let mut ms = std::mem::take(&mut *frames);
    ms.sort_by(f32::total_cmp);
    println!(
        "fps: {:.1} ({} frames in {secs:.1} s; median frame {:.0} ms, slowest {:.0} ms)",
        ms.len() as f32 / secs,
        ms.len(),
        ms[ms.len() / 2],
        ms[ms.len() - 1]
    );
    *since = Some(now);
}

/// Centres the 3D view in the room between the control panel and the side panel: the camera's picture is shifted
/// like a lens (a sub-view of a wider one), so what it looks at sits in the middle of the free part
/// of the window (a station view centred on the whole window put the shipping dock's best guesses
/// under the panel). The overlay is untouched; the whole window when the panel is folded or hidden.
fn centre_beside_panel(
    ui: Res<crate::ui::UiState>,
    windows: Query<&Window, With<bevy::window::PrimaryWindow>>,
    mut cameras: Query<&mut Camera, With<Camera3d>>,
) {
    let Ok(window) = windows.single() else { return };
    let (w, h) = (window.physical_width(), window.physical_height());
    let px = |points: f32| (points * ui.zoom * window.scale_factor()).round().max(0.0) as u32;
    let (left, right) = (px(ui.panel_right), px(ui.dock_width));
    let (left, right) = if left + right + 200 < w {
        (left, right)
    } else {
        (0, 0)
    };
    // during the tour, the picture also moves up by part of its height: the caption's band
    let up = ui.caption_shift * h as f32;
    // a picture `left + right` wider, of which the window shows the `w` columns from `right` on:
    // its centre lands in the middle of the free part between the panels
    let want = (left > 0 || right > 0 || up > 0.0).then(|| bevy::camera::SubCameraView {
        full_size: UVec2::new(w + left + right, h),
        offset: Vec2::new(right as f32, up),
        size: UVec2::new(w, h),
    });
    for mut camera in &mut cameras {
        if camera.sub_camera_view != want {
            camera.sub_camera_view = want;
        }
    }
}

/// The render preset `--quality` asked for, if any.
#[derive(Resource)]
struct QualityAsked(Option<Quality>);

/// Marks that the render quality was chosen (once, by whichever run of [`choose_quality`] first saw
/// the adapter and the camera).
#[derive(Resource)]
struct QualityChosen;

/// The render quality: "low" (no multisampling) on a software renderer such as llvmpipe, where every
/// pixel is shaded by the CPU (the home view went from 2.6 to 5.0 frames per second under lavapipe;
/// the hall's large surfaces are [`crate::scene::flat`] in every preset), "high" (Bevy's 4× MSAA and
/// bloom) on a real GPU. Decided once, when the
/// adapter is known; the recorder always renders "high" (off-screen time does not matter).
/// `--quality` overrides the choice (pictures of both presets on one machine).
fn choose_quality(
    adapter: Option<Res<bevy::render::renderer::RenderAdapterInfo>>,
    mut cameras: Query<(Entity, &mut Msaa), With<Camera3d>>,
    mut commands: Commands,
    (done, asked): (Option<Res<QualityChosen>>, Res<QualityAsked>),
) {
    let Some(adapter) = adapter else { return };
    if done.is_some() || cameras.is_empty() {
        return;
    }
    commands.insert_resource(QualityChosen);
    let software = format!("{:?}", adapter.device_type) == "Cpu";
    let low = asked.0.map_or(software, |q| q == Quality::Low);
    let preset = if low { "low" } else { "high" };
    info!(
        "render quality: {preset} ({}, {:?}{})",
        adapter.name,
        adapter.device_type,
        if asked.0.is_some() { ", asked" } else { "" }
    );
    if low {
        for (_, mut msaa) in &mut cameras {
            *msaa = Msaa::Off;
        }
    } else {
        for (camera, _) in &cameras {
            crate::stage::use_high_preset(&mut commands, camera);
        }
    }
}
