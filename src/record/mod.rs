//! `factory record`: a tour rendered off-screen (no window) into numbered PNG frames or an MP4.
//!
//! Time advances exactly 1/fps per frame whatever the render speed, and the model runs inline
//! (blocking) instead of on the task pool, so the same tour, seed and size give identical frames.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Result, bail};
use bevy::app::ScheduleRunnerPlugin;
use bevy::asset::RenderAssetUsages;
use bevy::camera::RenderTarget;
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat, TextureUsages};
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::time::TimeUpdateStrategy;
use bevy::window::ExitCondition;
use bevy::winit::WinitPlugin;

use crate::inference::{Engine, Request};
use crate::limits;
use crate::model::{LoadedModel, SamplingParams};
use crate::playback::{Floor, Sampling};
use crate::schedule::AppSet;
use crate::tour::TourPlayer;

mod captions;
pub mod chapters;
mod output;
use captions::title_lines;
pub use captions::{Shown, captions_vtt};

/// What to record.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    /// The model.
    pub model: Arc<LoadedModel>,
    /// The tour to play.
    pub tour: PathBuf,
    /// A folder for PNG frames, or a path ending in `.mp4`.
    pub out: PathBuf,
    /// Frame size.
    pub size: (u32, u32),
    /// Frames per second.
    pub fps: u32,
    /// Number of frames.
    pub frames: usize,
    /// Sampling seed.
    pub seed: u64,
    /// The prompt instead of the tour's (its `Prompt` stops run this one).
    pub prompt: Option<String>,
    /// Parts of the model switched off (`--ablate`).
    pub ablations: crate::model::Ablations,
    /// Also save one picture per tour stop here (`stop-01.png`, ...).
    pub stills: Option<PathBuf>,
    /// Seconds of title card before the tour (0: none).
    pub title_seconds: f32,
    /// The language of the captions and the overlay (`--lang`).
    pub lang: crate::i18n::Lang,
}

/// The frame-capture state.
#[derive(Resource)]
struct Recorder {
    image: Handle<Image>,
    dir: PathBuf,
    frames: usize,
    requested: usize,
    saved: Arc<AtomicUsize>,
    bar: indicatif::ProgressBar,
    waited: usize,
    /// Frames rendered since the first floor appeared (the first ones are still being set up).
    warm: usize,
    /// Per kept frame, what caption it shows.
    shown: Vec<Shown>,
    /// Kept frames of title card before the tour starts, and its two lines.
    title_frames: usize,
    title: [String; 2],
    /// Where the captions go (WebVTT).
    captions: PathBuf,
    /// Frames per second (for the cue times).
    fps: u32,
    /// Where one picture per stop goes, and the stops pictured so far.
    stills: Option<PathBuf>,
    stilled: Vec<usize>,
}

/// Checks the options and the output, renders, and (for `.mp4`) encodes with ffmpeg.
pub fn record(opts: RecordOptions) -> Result<()> {
    check_limits(&opts)?;
    let mp4 = output::is_mp4(&opts.out);
    if mp4 {
        output::require_ffmpeg(&opts.out)?;
    }
    let mut player = TourPlayer::default();
    crate::tour::load_into(&mut player, &opts.tour, &opts.model, opts.lang);
    player.prompt_override.clone_from(&opts.prompt);
    if let Some(e) = player.error.take() {
        bail!("{e}");
    }
    let frames_dir = output::frames_folder(&opts.out, mp4)?;
    if let Some(dir) = &opts.stills {
        output::check_stills_folder(dir)?;
    }
    let captions = output::captions_path(&opts.out, mp4);
    render_frames(&opts, player, &frames_dir, &captions)?;
    if mp4 {
        output::encode_mp4(&opts.out, opts.fps, &frames_dir)?;
        println!(
            "wrote {} ({} frames at {} fps)",
            opts.out.display(),
            opts.frames,
            opts.fps
        );
    } else {
        println!(
            "wrote {} frames, captions.vtt and chapters.{{vtt,txt}} to {}",
            opts.frames,
            opts.out.display()
        );
    }
    Ok(())
}

/// Fails unless the frame rate and the number of frames are within the limits.
fn check_limits(opts: &RecordOptions) -> Result<()> {
    let (fps, frames) = (limits::RECORD_FPS, limits::RECORD_FRAMES);
    if !fps.contains(&opts.fps) {
        bail!(
            "--fps must be from {} to {}, not {}",
            fps.start(),
            fps.end(),
            opts.fps
        );
    }
    if !frames.contains(&opts.frames) {
        bail!(
            "the number of frames must be from {} to {}, not {}",
            frames.start(),
            frames.end(),
            opts.frames
        );
    }
    Ok(())
}

/// Plays the tour in a windowless app and saves its frames into `dir` and its captions to
/// `captions`.
fn render_frames(
    opts: &RecordOptions,
    player: TourPlayer,
    dir: &Path,
    captions: &Path,
) -> Result<()> {
    let title = title_lines(opts, player.tour.as_ref());
    let mut app = headless_app(opts, player);
    let handle = app
        .world_mut()
        .resource_mut::<Assets<Image>>()
        .add(frame_image(opts.size));
    let recorder = Recorder::new(opts, handle, dir, captions, title);
    app.insert_resource(opts.lang);
    app.insert_resource(recorder);
    start_prompt(&mut app, opts)?;
    app.add_systems(Startup, aim_at_target.after(crate::camera::spawn_camera))
        .add_systems(Update, capture_frame.in_set(AppSet::Capture));
    match app.run() {
        AppExit::Success => Ok(()),
        AppExit::Error(c) => bail!("recording failed (code {c})"),
    }
}

/// The factory without a window: its clock moves exactly 1/fps per update and the model runs
/// inline, so that the frames do not depend on timing.
fn headless_app(opts: &RecordOptions, player: TourPlayer) -> App {
    let frame_time = Duration::from_secs_f64(1.0 / opts.fps as f64);
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: None,
                exit_condition: ExitCondition::DontExit,
                close_when_requested: false,
                ..default()
            })
            // every pipeline compiled before the frame that first needs it, and no frame
            // rendered in parallel with the next update: the frames do not depend on timing
            .set(bevy::render::RenderPlugin {
                synchronous_pipeline_compilation: true,
                ..default()
            })
            .disable::<bevy::render::pipelined_rendering::PipelinedRenderingPlugin>()
            .disable::<WinitPlugin>(),
    )
    .add_plugins(ScheduleRunnerPlugin::run_loop(Duration::ZERO))
    .add_plugins(crate::stage::plugin)
    .insert_resource(TimeUpdateStrategy::ManualDuration(frame_time))
    .insert_resource(crate::inference::Blocking)
    .insert_resource(Engine(opts.model.clone()))
    .insert_resource(player);
    // virtual time clamps each step to its `max_delta` (0.25 s by default): at 1 to 3 fps every
    // stop would last several times longer than the tour says
    let mut virtual_time = app.world_mut().resource_mut::<Time<Virtual>>();
    let clamp = virtual_time.max_delta().max(frame_time);
    virtual_time.set_max_delta(clamp);
    app
}

/// The picture the camera renders into instead of a window: `size`, black until the first frame.
fn frame_image((w, h): (u32, u32)) -> Image {
    let mut image = Image::new_fill(
        Extent3d {
            width: w,
            height: h,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        &[0, 0, 0, 255],
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::default(),
    );
    image.texture_descriptor.usage |=
        TextureUsages::RENDER_ATTACHMENT | TextureUsages::COPY_SRC | TextureUsages::TEXTURE_BINDING;
    image
}

impl Recorder {
    /// Nothing captured yet: frames into `dir` from the camera's `image`, with a progress bar.
    fn new(
        opts: &RecordOptions,
        image: Handle<Image>,
        dir: &Path,
        captions: &Path,
        title: [String; 2],
    ) -> Self {
        let bar = indicatif::ProgressBar::new(opts.frames as u64).with_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} frames  [{elapsed_precise}, ETA {eta_precise}]",
            )
            .expect("valid template"),
        );
        Recorder {
            image,
            dir: dir.to_owned(),
            frames: opts.frames,
            requested: 0,
            saved: Arc::new(AtomicUsize::new(0)),
            bar,
            waited: 0,
            warm: 0,
            shown: Vec::with_capacity(opts.frames),
            captions: captions.to_owned(),
            fps: opts.fps,
            stills: opts.stills.clone(),
            stilled: Vec::new(),
            title_frames: (opts.title_seconds.max(0.0) * opts.fps as f32).round() as usize,
            title,
        }
    }
}

/// Sets the sampling seed, marks the UI as recording, and sends the parts switched off and the
/// first prompt.
fn start_prompt(app: &mut App, opts: &RecordOptions) -> Result<()> {
    {
        let mut sampling = app.world_mut().resource_mut::<Sampling>();
        let params = SamplingParams {
            seed: opts.seed,
            ..sampling.params()
        };
        sampling.set(params)?;
    }
    app.world_mut()
        .resource_mut::<crate::ui::UiState>()
        .recording = true;
    app.world_mut()
        .write_message(Request::Ablate(opts.ablations.clone()));
    let prompt = opts
        .prompt
        .clone()
        .unwrap_or_else(|| crate::ui::DEFAULT_PROMPT.into());
    app.world_mut().write_message(Request::Prompt(prompt));
    Ok(())
}

/// Points the camera at the frame image instead of a window.
fn aim_at_target(
    mut commands: Commands,
    recorder: Res<Recorder>,
    cameras: Query<Entity, With<Camera3d>>,
) {
    for cam in &cameras {
        commands
            .entity(cam)
            .insert(RenderTarget::Image(recorder.image.clone().into()));
        // recordings use the high preset: off-screen time does not matter
        crate::stage::use_high_preset(&mut commands, cam);
    }
}

/// Frames rendered, not kept, once the floor exists: the target and its textures settle.
const WARM_FRAMES: usize = 3;

/// What must exist before the first frame is filmed: the first floor, the embedding room's map.
#[derive(SystemParam)]
struct SceneReady<'w> {
    floor: Res<'w, Floor>,
    room: Res<'w, crate::rooms::embedding::EmbeddingRoom>,
}

/// What the recording drives on screen: the tour, and the title card over the scene.
#[derive(SystemParam)]
struct OnScreen<'w> {
    tour: ResMut<'w, TourPlayer>,
    ui: ResMut<'w, crate::ui::UiState>,
}

/// Requests one capture per frame, named by frame number; exits once every frame is on disk.
fn capture_frame(
    mut commands: Commands,
    mut rec: ResMut<Recorder>,
    mut exit: MessageWriter<AppExit>,
    scene: SceneReady,
    mut show: OnScreen,
) {
    // one capture more than asked: the first one of a target comes back black, so it is dropped
    if rec.requested < rec.frames + 1 {
        if ready_to_film(&mut rec, &scene) {
            request_capture(&mut commands, &mut rec, &mut show);
        }
        return;
    }
    finish_when_saved(&mut rec, &show.tour, &mut exit);
}

/// True once there is something to film and the warm-up frames are done (this counts them).
fn ready_to_film(rec: &mut Recorder, scene: &SceneReady) -> bool {
    if scene.floor.history.is_empty() && scene.floor.error.is_none() {
        return false; // nothing to film until the first floor exists
    }
    if rec.requested == 0 && !scene.room.finished() {
        return false; // the embedding room's map is made off the main thread: wait, so runs match
    }
    if rec.warm < WARM_FRAMES {
        rec.warm += 1;
        return false;
    }
    true
}

/// Requests the next capture: the title card or the tour starts on its frame, the frame (and the
/// stop's still) is named, and what it shows is noted for the captions.
fn request_capture(commands: &mut Commands, rec: &mut Recorder, show: &mut OnScreen) {
    let index = rec.requested;
    // the title card first, then the tour (index 0 is the dropped capture)
    if index == 0 && rec.title_frames > 0 {
        show.ui.title_card = Some(rec.title.clone());
    }
    let tour_from = if rec.title_frames == 0 {
        0
    } else {
        rec.title_frames + 1
    };
    if index == tour_from {
        show.ui.title_card = None;
        show.tour.start();
    }
    let path = rec
        .dir
        .join(format!("frame_{:05}.png", index.saturating_sub(1)));
    let still = still_path(rec, &show.tour, index);
    if still.is_some() {
        let i = show.tour.index;
        rec.stilled.push(i);
    }
    let image = rec.image.clone();
    save_capture(commands, image, index, path, still, rec.saved.clone());
    if index > 0 {
        let shown = if show.ui.title_card.is_some() {
            Shown::Title
        } else if show.tour.active {
            Shown::Stop(show.tour.index)
        } else {
            Shown::Nothing
        };
        rec.shown.push(shown);
    }
    rec.requested += 1;
    rec.bar.set_position(rec.requested.saturating_sub(1) as u64);
}

/// Where capture `index` also goes as the current stop's still, if it is the one to keep: one still
/// per stop, its frame once the stop has acted (or just before it ends).
fn still_path(rec: &Recorder, tour: &TourPlayer, index: usize) -> Option<PathBuf> {
    match (&rec.stills, tour.current()) {
        (Some(dir), Some(stop))
            if index > 0
                && !rec.stilled.contains(&tour.index)
                && tour.elapsed >= (stop.acts_at() + 1.5).min(stop.seconds - 0.5) =>
        {
            Some(dir.join(format!("stop-{:02}.png", tour.index + 1)))
        }
        _ => None,
    }
}

/// Captures `image` once rendered and saves it to `path` (and `still`), except capture 0 (it comes
/// back black); counts every capture that came back in `saved`.
fn save_capture(
    commands: &mut Commands,
    image: Handle<Image>,
    index: usize,
    path: PathBuf,
    still: Option<PathBuf>,
    saved: Arc<AtomicUsize>,
) {
    commands
        .spawn(Screenshot::image(image))
        .observe(move |captured: On<ScreenshotCaptured>| {
            if index > 0 {
                match captured.image.clone().try_into_dynamic() {
                    Ok(dynamic) => {
                        let rgb = dynamic.to_rgb8();
                        for p in std::iter::once(&path).chain(still.as_ref()) {
                            if let Err(e) = rgb.save(p) {
                                error!("could not save {}: {e}", p.display());
                            }
                        }
                    }
                    Err(e) => error!("could not convert a frame: {e}"),
                }
            }
            saved.fetch_add(1, Ordering::SeqCst);
        });
}

/// Once every capture is on disk: writes the captions and exits (with an error if the captures
/// never all come back).
fn finish_when_saved(rec: &mut Recorder, tour: &TourPlayer, exit: &mut MessageWriter<AppExit>) {
    rec.waited += 1;
    if rec.saved.load(Ordering::SeqCst) > rec.frames {
        rec.bar.finish_and_clear();
        let vtt = captions_vtt(&rec.shown, rec.fps, tour.tour.as_ref(), &rec.title);
        let chapters = chapters::chapters(&rec.shown, rec.fps, tour.tour.as_ref(), &rec.title[0]);
        let [chapters_vtt, chapters_txt] = output::chapters_paths(&rec.captions);
        let files = [
            (&rec.captions, vtt),
            (
                &chapters_vtt,
                chapters::chapters_vtt(&chapters, rec.shown.len(), rec.fps),
            ),
            (&chapters_txt, chapters::chapters_txt(&chapters, rec.fps)),
        ];
        for (path, text) in files {
            if let Err(e) = std::fs::write(path, text) {
                error!("could not write {}: {e}", path.display());
                exit.write(AppExit::error());
                return;
            }
        }
        if chapters.len() < chapters::MIN_CHAPTERS {
            warn!(
                "{} chapters of at least {} s: video sites want {} or more for their chapter marks",
                chapters.len(),
                chapters::MIN_CHAPTER_SECONDS,
                chapters::MIN_CHAPTERS
            );
        }
        exit.write(AppExit::Success);
    } else if rec.waited > 2000 {
        error!("frames were not captured");
        exit.write(AppExit::error());
    }
}
