//! The cost of context: for n tokens, the attention work that grows as n² beside the work that
//! grows as n, where the square takes over, the key/value cache's bytes (this model, GPT-2 small,
//! GPT-3), and the times measured on this machine for a full run and for one cached step.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::inference::Engine;
use crate::model::Config;
use crate::model::cost::{self, GPT3, Shape};
use crate::playback::Floor;

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
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(engine) = engine else { return Ok(()) };
    if !ui_state.cost_view || ui_state.hidden {
        return Ok(());
    }
    let cfg = &engine.0.config;
    let ours = shape_of("this model", cfg);
    let gpt2 = shape_of("GPT-2 small", &Config::gpt2_small());
    let mut open = true;
    let st = &mut *ui_state;
    let n = st.cost_n.unwrap_or(floor.history.len().max(1));
    let mut chosen = n;
    egui::Window::new("The cost of context")
        .id(egui::Id::new("cost-view"))
        .open(&mut open)
        .default_pos([340.0, 80.0])
        .default_width(430.0)
        .show(ctx, |ui| {
            ui.label(
                "Every token's query meets every earlier token's key: n² attention scores per \
                 head. The projections and the FFN do the same work for each token: it grows \
                 only as n.",
            );
            ui.add(
                egui::Slider::new(&mut chosen, 1..=cfg.n_positions).text("tokens in the context"),
            );
            let c = cost::cost(&ours, chosen);
            ui.label(format!(
                "{} attention scores per head ({} heads × {} layers); multiply-adds: {} growing \
                 as n², {} growing as n.",
                count_text(c.scores_per_head),
                ours.n_head,
                ours.n_layer,
                count_text(c.square),
                count_text(c.linear)
            ));
            ui.horizontal(|ui| {
                score_grid(ui, chosen);
                ui.vertical(|ui| {
                    ui.set_max_width(260.0);
                    ui.label(format!(
                        "One head's scores for {chosen} tokens: a row per query, a column per key. \
                         Amber scores are used; grey ones (the future) are computed and masked. \
                         Twice the tokens, four times the cells."
                    ));
                });
            });
            plot(ui, &ours, chosen, cfg.n_positions);
            let x = cost::crossover(&ours);
            if x > cfg.n_positions {
                ui.label(format!(
                    "The square takes over at n = 6 × width = {x} tokens; this model's context \
                     ends at {}, so here the linear work always dominates (the dashed line).",
                    cfg.n_positions
                ));
            } else {
                ui.label(format!(
                    "The square takes over at n = 6 × width = {x} tokens."
                ));
            }
            ui.separator();
            egui::Grid::new("cost-grid").striped(true).show(ui, |ui| {
                for h in ["", "n² takes over at", "key/value cache at n"] {
                    ui.strong(h);
                }
                ui.end_row();
                for s in [ours, gpt2, GPT3] {
                    ui.label(s.name);
                    ui.label(format!("{} tokens", cost::crossover(&s)));
                    ui.label(cost::bytes_text(cost::cost(&s, chosen).kv_bytes));
                    ui.end_row();
                }
            });
            ui.label("(the cache: 2 × layers × n × width numbers; f32 here, 16-bit for GPT-3)");
            ui.separator();
            ui.strong("measured on this machine, this model");
            match floor.full_run_ms {
                Some((t, ms)) => ui.label(format!("a full run of {t} tokens: {ms:.1} ms")),
                None => ui.label("a full run: not yet measured"),
            };
            match floor.cached_step_ms {
                Some((t, ms)) => ui.label(format!(
                    "one cached step (token {t}, earlier keys and values reused): {ms:.2} ms"
                )),
                None => ui.label("one cached step: generate a token (G) to measure it"),
            };
        });
    st.cost_view = open;
    if chosen != n {
        st.cost_n = Some(chosen);
    }
    Ok(())
}

/// The n × n grid of one head's attention scores: the causal half amber, the masked half grey.
/// Up to 64 tokens each score is a cell; beyond, each cell stands for a block of scores.
fn score_grid(ui: &mut egui::Ui, n: usize) {
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
            format!("each cell: {0}×{0} scores", n.div_ceil(cells)),
            egui::FontId::proportional(14.0),
            egui::Color32::WHITE,
        );
    }
}

/// The two parts of the work against n, up to twice the crossover, with the context's end dashed.
fn plot(ui: &mut egui::Ui, shape: &Shape, n: usize, context: usize) {
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
        "n² (attention)",
        font.clone(),
        amber,
    );
    painter.text(
        rect.left_top() + egui::vec2(8.0, 24.0),
        egui::Align2::LEFT_TOP,
        "n (projections, FFN)",
        font,
        cyan,
    );
}
