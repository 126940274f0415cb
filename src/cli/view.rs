//! `factory [view]` (the window, the kiosk, screenshots) and `factory record` (off-screen video).

use anyhow::Result;

use super::args::{RecordArgs, ViewArgs, parse_size};

pub(super) fn view(args: ViewArgs) -> Result<()> {
    let model = args.model.open()?;
    let ablations = args.ablate.for_model(&model.config)?;
    let prompt = args
        .prompt
        .unwrap_or_else(|| crate::ui::DEFAULT_PROMPT.to_string());
    let (w, h) = parse_size(&args.size)?;
    if let Some(dir) = args.screenshot.as_ref().and_then(|p| p.parent())
        && !dir.as_os_str().is_empty()
        && !dir.is_dir()
    {
        anyhow::bail!("--screenshot: the folder {} does not exist", dir.display());
    }
    let mut kiosk = if args.kiosk {
        let path = args
            .kiosk_config
            .clone()
            .unwrap_or_else(|| crate::project_path("assets/kiosk/kiosk.ron"));
        let cfg = crate::kiosk::KioskConfig::load(&path)?;
        Some(crate::kiosk::Kiosk::new(cfg)?)
    } else {
        None
    };
    // --lang wins over the kiosk config's, also for the attract loop that returns to it
    if let (Some(l), Some(k)) = (args.lang, kiosk.as_mut()) {
        k.config.lang = l;
    }
    let lang = args
        .lang
        .or(kiosk.as_ref().map(|k| k.config.lang))
        .unwrap_or_default();
    let exit = crate::app::run_viewer(crate::app::ViewerOptions {
        lang,
        model: std::sync::Arc::new(model),
        prompt,
        screenshot: args.screenshot,
        size: (w, h),
        station: args.station,
        room: args.room,
        save_tour: args.save_tour,
        tour: args.tour.unwrap_or_else(crate::tour::default_tour_path),
        start_tour: args.start_tour,
        kiosk,
        ablations,
        fps: args.fps,
        quality: args.quality,
        silhouette: args.silhouette,
    });
    match exit {
        bevy::app::AppExit::Success => Ok(()),
        bevy::app::AppExit::Error(code) => {
            anyhow::bail!("the viewer stopped with error code {code}")
        }
    }
}

pub(super) fn record(a: RecordArgs) -> Result<()> {
    let (w, h) = parse_size(&a.size)?;
    let tour = a.tour.unwrap_or_else(crate::tour::default_tour_path);
    let model = a.model.open()?;
    let ablations = a.ablate.for_model(&model.config)?;
    if !(a.title_seconds.is_finite() && (0.0..=60.0).contains(&a.title_seconds)) {
        anyhow::bail!(
            "--title-seconds must be from 0 to 60, not {}",
            a.title_seconds
        );
    }
    let frames = match (a.frames, a.seconds) {
        (Some(n), _) => n,
        (None, Some(s)) if s.is_finite() && s > 0.0 => (s * a.fps as f64).round().max(1.0) as usize,
        (None, Some(s)) => anyhow::bail!("--seconds must be a positive number, not {s}"),
        (None, None) => {
            let t = crate::tour::Tour::load(&tour)?;
            let secs: f32 =
                t.stops.iter().map(|s| s.seconds).sum::<f32>() + a.title_seconds.max(0.0);
            (secs as f64 * a.fps as f64).ceil() as usize
        }
    };
    crate::record::record(crate::record::RecordOptions {
        model: std::sync::Arc::new(model),
        tour,
        out: a.out,
        size: (w, h),
        fps: a.fps,
        frames,
        seed: a.seed,
        prompt: a.prompt,
        ablations,
        stills: a.stills,
        title_seconds: a.title_seconds,
        lang: a.lang,
    })
}
