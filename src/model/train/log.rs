//! What a run leaves behind besides the weights: the state file for `--resume`, the CSV log, the
//! loss-curve PNG, and the progress callbacks the command line draws.

use std::path::Path;

use super::super::error::{ModelError, Result};
use super::options::{LogRow, STATE_FILE, TrainState};

/// Why the loss curve could not be drawn (the run itself is unaffected).
#[derive(Debug, thiserror::Error)]
#[error("could not draw the loss curve {path}: {problem}")]
pub struct PlotError {
    /// The PNG being written.
    pub path: std::path::PathBuf,
    /// What the plotting library said.
    pub problem: String,
}

pub(super) fn write_state(dir: &Path, state: &TrainState) -> Result<()> {
    let path = dir.join(STATE_FILE);
    let text = serde_json::to_string_pretty(state).expect("state serializes");
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, &path))
        .map_err(|e| ModelError::Io { path, source: e })
}

/// Reads `train_log.csv` back (for the plot and for resuming).
pub fn read_log(path: &Path) -> Vec<LogRow> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            Some(LogRow {
                step: f.first()?.parse().ok()?,
                train_loss: f.get(1)?.parse().ok()?,
                val_loss: f.get(2)?.parse().ok(),
                lr: f.get(3)?.parse().ok()?,
                tokens_per_s: f.get(4)?.parse().ok()?,
            })
        })
        .collect()
}

pub(super) fn write_log(path: &Path, rows: &[LogRow]) -> Result<()> {
    let mut s = String::from("step,train_loss,val_loss,lr,tokens_per_s\n");
    for r in rows {
        let val = r.val_loss.map(|v| format!("{v:.5}")).unwrap_or_default();
        s.push_str(&format!(
            "{},{:.5},{},{:.6e},{:.1}\n",
            r.step, r.train_loss, val, r.lr, r.tokens_per_s
        ));
    }
    std::fs::write(path, s).map_err(|e| ModelError::Io {
        path: path.to_owned(),
        source: e,
    })
}

/// Draws the loss curve (training per logged step, validation as points) into a PNG.
pub fn plot_losses(
    path: &Path,
    rows: &[LogRow],
    title: &str,
) -> std::result::Result<(), PlotError> {
    use plotters::prelude::*;
    static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
    if rows.is_empty() {
        return Ok(());
    }
    let max_step = rows.last().map_or(1, |r| r.step).max(1) as f64;
    let losses = rows
        .iter()
        .flat_map(|r| std::iter::once(r.train_loss).chain(r.val_loss))
        .filter(|v| v.is_finite());
    let (lo, hi) = losses.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let root = BitMapBackend::new(path, (900, 540)).into_drawing_area();
    let e = |e: &dyn std::fmt::Display| PlotError {
        path: path.to_owned(),
        problem: e.to_string(),
    };
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..max_step, (lo - 0.1).max(0.0)..hi + 0.1)
        .map_err(|x| e(&x))?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("cross-entropy (nats/token)")
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(|x| e(&x))?;
    chart
        .draw_series(LineSeries::new(
            rows.iter().map(|r| (r.step as f64, r.train_loss)),
            &BLUE,
        ))
        .map_err(|x| e(&x))?
        .label("train")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
    let val: Vec<(f64, f64)> = rows
        .iter()
        .filter_map(|r| r.val_loss.map(|v| (r.step as f64, v)))
        .collect();
    chart
        .draw_series(LineSeries::new(val.clone(), RED.stroke_width(2)))
        .map_err(|x| e(&x))?
        .label("validation")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
    chart
        .draw_series(val.iter().map(|&p| Circle::new(p, 3, RED.filled())))
        .map_err(|x| e(&x))?;
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(|x| e(&x))?;
    root.present().map_err(|x| e(&x))?;
    Ok(())
}

/// Progress callbacks, so the command line can draw a bar and tests can stay quiet.
pub trait Progress {
    /// Called once before the first step.
    fn start(&mut self, _first_step: usize, _total: usize) {}
    /// Called after each step.
    fn step(&mut self, _step: usize, _train_loss: f64, _val_loss: Option<f64>, _tokens_per_s: f64) {
    }
    /// A line of news (evaluation, checkpoint).
    fn note(&mut self, _line: &str) {}
}

/// Progress that prints nothing.
pub struct Quiet;
impl Progress for Quiet {}
