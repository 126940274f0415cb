//! `factory bench --scene`: CPU time of the headless factory's frames, without any model time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use bevy::prelude::*;

use crate::inference::{Pending, Request};
use crate::model::LoadedModel;
use crate::playback::{Floor, Playback};
use crate::scene::CurrentLayout;
use crate::scene::beams::{BeamSettings, Beams};

/// "median … ms   max … ms" of the times `v`, or a note that none were measured.
fn median_max(mut v: Vec<f64>) -> String {
    v.sort_by(f64::total_cmp);
    match (v.get(v.len() / 2), v.last()) {
        (Some(m), Some(x)) => format!("median {m:>7.3} ms   max {x:>7.3} ms"),
        _ => "(no frame measured)".to_string(),
    }
}

/// Runs frames until the model has answered (and one more), or fails after 5000.
fn settle(app: &mut App) -> Result<()> {
    for _ in 0..5000 {
        app.update();
        if !app.world().resource::<Pending>().busy() {
            app.update();
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    anyhow::bail!("the model did not answer")
}

/// Runs the benchmark and prints medians and maxima in milliseconds.
pub fn scene(model: Arc<LoadedModel>, tokens: usize, frames: usize) -> Result<()> {
    let context = model.config.n_positions;
    if context < 3 {
        anyhow::bail!(
            "the scene bench needs a context of at least 3 tokens (a prompt of 2 and room for a \
             generated one); this model's is {context}"
        );
    }
    let n = tokens.clamp(2, context - 1);
    let prompt = prompt_of(&model, n)?;
    let mut app = crate::logic::headless_app(model.clone());
    // gizmo line building is CPU work of the frame: include it (the GPU part is not measured here)
    app.init_resource::<bevy::gizmos::config::GizmoConfigStore>()
        .init_asset::<bevy::gizmos::GizmoAsset>()
        .add_plugins((
            crate::scene::beams::draw_plugin,
            crate::scene::pulses::draw_plugin,
        ));
    app.insert_resource(BeamSettings { threshold: 0.0 });
    app.world_mut().write_message(Request::Prompt(prompt));
    settle(&mut app)?;
    let last = (app.world().resource::<CurrentLayout>().0.stations.len() - 1) as f32;
    let have = app.world().resource::<Floor>().history.len();
    let riding = riding_frames(&mut app, last, frames);
    println!(
        "scene bench: {} layers × {} heads, {have} tokens, {} frames per line",
        model.config.n_layer,
        model.config.n_head,
        frames.max(10)
    );
    println!("  crates riding the hall, beams lit as they pass   {riding}");
    all_lit_frames(&mut app, last, frames);
    app.insert_resource(BeamSettings::default());
    step_frames(&mut app, last);
    Ok(())
}

/// A prompt of exactly `n` of the model's tokens (a sentence repeated, cut to fit).
fn prompt_of(model: &LoadedModel, n: usize) -> Result<String> {
    let words = "the king said to the queen that the night was long and cold ";
    let mut prompt = String::new();
    while model.tokenizer.encode(&prompt)?.len() < n {
        prompt.push_str(words);
    }
    let ids = model.tokenizer.encode(&prompt)?;
    Ok(model.tokenizer.decode(&ids[..n])?)
}

/// Times steady frames (median and maximum, as a line): crates riding through the whole hall (up to
/// station `last`), every beam lit as they pass.
fn riding_frames(app: &mut App, last: f32, frames: usize) -> String {
    // 1. steady frames: crates riding through the whole hall, every beam lit as they pass
    let mut times = Vec::with_capacity(frames);
    for f in 0..frames.max(10) {
        app.world_mut().resource_mut::<Playback>().progress =
            last * f as f32 / frames.max(10) as f32;
        let t = Instant::now();
        app.update();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    median_max(times)
}

/// Times and prints frames with every booth lit (the crates past station `last`), at threshold 0
/// and at the default threshold.
fn all_lit_frames(app: &mut App, last: f32, frames: usize) {
    // every beam lit, at threshold 0 and at the default threshold
    for threshold in [0.0, BeamSettings::default().threshold] {
        app.insert_resource(BeamSettings { threshold });
        app.world_mut().resource_mut::<Playback>().progress = last;
        app.update();
        let beams = app.world().resource::<Beams>().0.len();
        let mut t_all = Vec::new();
        for _ in 0..frames.max(10) {
            let t = Instant::now();
            app.update();
            t_all.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let times = median_max(t_all);
        println!("  all booths lit, threshold {threshold:<4} ({beams:>5} beams)    {times}");
    }
}

/// Times and prints, over ten generation steps, the frames while a step runs on the task pool and
/// the frame that receives it (the floor rebuilt).
fn step_frames(app: &mut App, last: f32) {
    // 2. frames while a generation step runs on the task pool
    let mut during = Vec::new();
    let mut rebuilds = Vec::new();
    for _ in 0..10 {
        {
            let mut pb = app.world_mut().resource_mut::<Playback>();
            pb.progress = last;
            pb.playing = false;
            pb.step();
        }
        let version = app.world().resource::<Floor>().version;
        for _ in 0..5000 {
            let t = Instant::now();
            app.update();
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if app.world().resource::<Floor>().version != version {
                rebuilds.push(ms);
                break;
            }
            during.push(ms);
        }
    }
    let (during, rebuilds) = (median_max(during), median_max(rebuilds));
    println!("  frame while the model runs a step (default threshold) {during}");
    println!("  frame that receives the step (floor rebuilt)          {rebuilds}");
}
