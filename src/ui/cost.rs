//! The cost of context: for n tokens, the attention work that grows as n² beside the work that
//! grows as n, where the square takes over, the key/value cache's bytes (this model, GPT-2 small,
//! GPT-3), and the times measured on this machine for a full run and for one cached step. Its text
//! comes from the message catalogue (`cost-*`).

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::Engine;
use crate::model::Config;
use crate::model::cost::{self, GPT3, Shape};
use crate::playback::Floor;
use crate::tr;

fn shape_of(name: &'static str, cfg: &Config) -> Shape {
    Shape {
        name,
        n_layer: cfg.n_layer,
        n_embd: cfg.n_embd,
        n_head: cfg.n_head,
        bytes: 4,
    }
}

fn count_text(v: u64) -> String {
    cost::si_text(v, "")
}

/// The window, when open (C).
pub(super) fn draw_cost(
    mut contexts: EguiContexts,
    mut ui_state: ResMut<UiState>,
    engine: Option<Res<Engine>>,
    floor: Res<Floor>,
    lang: Res<Lang>,
) -> Result {
    let l = *lang;
    let ctx = contexts.ctx_mut()?;
    let Some(engine) = engine else { return Ok(()) };
    if !ui_state.cost_view || ui_state.hidden {
        return Ok(());
    }
    let cfg = &engine.0.config;
    let ours = shape_of("this model", cfg);
    let gpt2 = shape_of("GPT-2 small", &Config::gpt2_small());
    let Some(window) = super::dock::window(ctx, super::dock::Tab::Cost, "cost-view") else {
        return Ok(());
    };
    let st = &mut *ui_state;
    let n = st.cost_n.unwrap_or(floor.history.len().max(1));
    let mut chosen = n;
    window.show(ctx, |ui| {
        work_section(ui, &ours, cfg.n_positions, &mut chosen, l);
        ui.separator();
        cache_table(ui, ours, gpt2, chosen, l);
        ui.separator();
        measured_times(ui, &floor, l);
    });
    if chosen != n {
        st.cost_n = Some(chosen);
    }
    Ok(())
}

/// The work for `chosen` tokens (a slider up to the `context` length): the scores per head, the
/// part that grows as n² beside the part that grows as n, their grid and plot, and where the square
/// takes over.
fn work_section(ui: &mut egui::Ui, ours: &Shape, context: usize, chosen: &mut usize, l: Lang) {
    ui.label(tr!(l, "cost-intro"));
    ui.add(egui::Slider::new(chosen, 1..=context).text(tr!(l, "cost-slider")));
    let chosen = *chosen;
    let c = cost::cost(ours, chosen);
    ui.label(tr!(
        l,
        "cost-scores",
        scores = count_text(c.scores_per_head),
        heads = ours.n_head,
        layers = ours.n_layer,
        square = count_text(c.square),
        linear = count_text(c.linear)
    ));
    ui.horizontal(|ui| {
        score_grid(ui, chosen, l);
        ui.vertical(|ui| {
            ui.set_max_width(260.0);
            ui.label(tr!(l, "cost-grid-explain", n = chosen));
        });
    });
    plot(ui, ours, chosen, context, l);
    let x = cost::crossover(ours);
    if x > context {
        ui.label(tr!(l, "cost-crossover-beyond", x = x, context = context));
    } else {
        ui.label(tr!(l, "cost-crossover", x = x));
    }
}

/// Where the square takes over and the key/value cache's bytes at `chosen` tokens, for this model,
/// GPT-2 small and GPT-3.
fn cache_table(ui: &mut egui::Ui, ours: Shape, gpt2: Shape, chosen: usize, l: Lang) {
    egui::Grid::new("cost-grid").striped(true).show(ui, |ui| {
        for h in [
            String::new(),
            tr!(l, "cost-col-crossover"),
            tr!(l, "cost-col-cache"),
        ] {
            ui.strong(h);
        }
        ui.end_row();
        // GPT-2 small and GPT-3 are names; only "this model" is words to translate
        for (name, s) in [
            (tr!(l, "cost-this-model"), ours),
            (gpt2.name.to_string(), gpt2),
            (GPT3.name.to_string(), GPT3),
        ] {
            ui.label(name);
            ui.label(tr!(l, "cost-tokens", n = cost::crossover(&s)));
            ui.label(cost::bytes_text(cost::cost(&s, chosen).kv_bytes));
            ui.end_row();
        }
    });
    ui.label(tr!(l, "cost-cache-note"));
}

/// The times measured on this machine: the last full run and the last cached step.
fn measured_times(ui: &mut egui::Ui, floor: &Floor, l: Lang) {
    ui.strong(tr!(l, "cost-measured"));
    match floor.full_run_ms {
        Some((t, ms)) => ui.label(tr!(l, "cost-full-run", n = t, ms = format!("{ms:.1}"))),
        None => ui.label(tr!(l, "cost-full-run-none")),
    };
    match floor.cached_step_ms {
        Some((t, ms)) => ui.label(tr!(
            l,
            "cost-cached-step",
            token = t,
            ms = format!("{ms:.2}")
        )),
        None => ui.label(tr!(l, "cost-cached-step-none")),
    };
}

/// The n × n grid of one head's attention scores: the causal half amber, the masked half grey.
/// Up to 64 tokens each score is a cell; beyond, each cell stands for a block of scores.
fn score_grid(ui: &mut egui::Ui, n: usize, l: Lang) {
    let side = 130.0;
    let (rect, _) = ui.allocate_exact_size(egui::vec2(side, side), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, egui::Color32::from_gray(20));
    let cells = n.clamp(1, 64);
    let c = side / cells as f32;
    let gap = if cells > 32 { 0.0 } else { 1.0 };
    for q in 0..cells {
        for k in 0..cells {
            let colour = if k <= q {
                egui::Color32::from_rgb(255, 158, 31)
            } else {
                egui::Color32::from_gray(60)
            };
            let min = rect.min + egui::vec2(k as f32 * c, q as f32 * c);
            painter.rect_filled(
                egui::Rect::from_min_size(min, egui::vec2(c - gap, c - gap)),
                0.0,
                colour,
            );
        }
    }
    if n > cells {
        painter.text(
            rect.center_bottom() + egui::vec2(0.0, -4.0),
            egui::Align2::CENTER_BOTTOM,
            tr!(l, "cost-cell-block", n = n.div_ceil(cells)),
            egui::FontId::proportional(14.0),
            egui::Color32::WHITE,
        );
    }
}

/// The two parts of the work against n, up to twice the crossover, with the context's end dashed.
fn plot(ui: &mut egui::Ui, shape: &Shape, n: usize, context: usize, l: Lang) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(400.0, 150.0), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, egui::Color32::from_gray(20));
    let x_max = (2 * cost::crossover(shape)).max(context) as f64;
    let y_max = cost::cost(shape, x_max as usize).square.max(1) as f64;
    let at = |x: f64, y: f64| {
        egui::pos2(
            rect.left() + 6.0 + (x / x_max) as f32 * (rect.width() - 12.0),
            rect.bottom() - 6.0 - (y / y_max) as f32 * (rect.height() - 12.0),
        )
    };
    let curve = |f: &dyn Fn(usize) -> u64| -> Vec<egui::Pos2> {
        (0..=100)
            .map(|i| {
                let x = x_max * i as f64 / 100.0;
                at(x, f(x as usize) as f64)
            })
            .collect()
    };
    let amber = egui::Color32::from_rgb(255, 158, 31);
    let cyan = egui::Color32::from_rgb(38, 184, 255);
    painter.add(egui::Shape::line(
        curve(&|x| cost::cost(shape, x).square),
        egui::Stroke::new(2.0, amber),
    ));
    painter.add(egui::Shape::line(
        curve(&|x| cost::cost(shape, x).linear),
        egui::Stroke::new(2.0, cyan),
    ));
    let cx = at(context as f64, 0.0).x;
    painter.add(egui::Shape::dashed_line(
        &[egui::pos2(cx, rect.top()), egui::pos2(cx, rect.bottom())],
        egui::Stroke::new(1.0, egui::Color32::GRAY),
        4.0,
        4.0,
    ));
    let nx = at(n as f64, 0.0).x;
    painter.line_segment(
        [egui::pos2(nx, rect.top()), egui::pos2(nx, rect.bottom())],
        egui::Stroke::new(1.5, egui::Color32::WHITE),
    );
    let font = egui::FontId::proportional(14.0);
    painter.text(
        rect.left_top() + egui::vec2(8.0, 6.0),
        egui::Align2::LEFT_TOP,
        tr!(l, "cost-plot-square"),
        font.clone(),
        amber,
    );
    painter.text(
        rect.left_top() + egui::vec2(8.0, 24.0),
        egui::Align2::LEFT_TOP,
        tr!(l, "cost-plot-linear"),
        font,
        cyan,
    );
}
