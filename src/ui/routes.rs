//! The routes tab (`model/routes.rs`; the hall draws the route, `scene/routes.rs`): which parts
//! carry what reaches the last word. The route is traced once per floor and model, off the main
//! thread, at the slider's lowest threshold; the slider then cuts it (`routes::within`) without
//! tracing again. The intact model only: with parts switched off or a patch on the floor, the tab
//! says so and the hall draws nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::job::{ArcKey, Found, Job};
use super::state::UiState;
use crate::camera::{FocusOrbit, layer_map_view};
use crate::i18n::Lang;
use crate::inference::{Blocking, Engine};
use crate::model::routes::{Edge, Flow, Node, Part, within};
use crate::playback::Floor;
use crate::scene::CurrentLayout;
use crate::scene::routes::{RouteHover, RouteLight, RouteLit};
use crate::tr;

/// The slider's range; the route is traced at its low end.
pub const THRESHOLDS: std::ops::RangeInclusive<f64> = 0.01..=0.5;

/// The threshold the tab opens with (the command line's default, the paper's).
pub const DEFAULT_THRESHOLD: f64 = 0.04;

/// A traced route: its edges at the slider's low end, and where it starts.
type Traced = Result<(Vec<Edge>, Node), String>;

/// Where the tab's route stands.
#[derive(Debug, Clone, PartialEq)]
pub enum RouteStatus {
    /// Parts are switched off or a patch is on the floor: no route.
    NotIntact,
    /// Being traced.
    Computing,
    /// Tracing failed: why.
    Failed(String),
    /// Traced: its edges above the slider's threshold are the hall's [`RouteLight`].
    Ready,
}

/// The routes tab's state.
#[derive(Resource)]
pub struct RouteTab {
    /// The slider's threshold.
    pub threshold: f64,
    /// The route for the floor, while the tab is open.
    pub status: Option<RouteStatus>,
    job: Job<(ArcKey, Vec<u32>), Traced>,
    /// What `status` was made for (the floor's version, the model, the threshold), once it is
    /// final: nothing is cut or cloned again until one of them changes.
    made_for: Option<(u64, usize, u64)>,
    /// Set to give up the trace in flight (a newer floor, a closed tab): a task dropped does not
    /// stop work that has started.
    stop: Arc<AtomicBool>,
}

impl Default for RouteTab {
    fn default() -> Self {
        Self {
            threshold: DEFAULT_THRESHOLD,
            status: None,
            job: Job::default(),
            made_for: None,
            stop: Arc::default(),
        }
    }
}

/// Traces the floor's route while the tab is open, off the main thread (waited for under
/// [`Blocking`]: the headless tests), cuts it at the slider's threshold and lights it in the hall;
/// nothing on the stage, in a recording or in the kiosk. Work only when the floor, the model or
/// the threshold changed, or while the trace runs.
pub fn light_route(
    ui_state: Res<UiState>,
    mut tab: ResMut<RouteTab>,
    (engine, floor): (Option<Res<Engine>>, Res<Floor>),
    blocking: Option<Res<Blocking>>,
    mut light: ResMut<RouteLight>,
) {
    let shown = ui_state.routes_view && !ui_state.stage && !ui_state.recording && !ui_state.simple;
    let h = &floor.history;
    let Some(engine) = engine.filter(|_| shown && !h.is_empty()) else {
        if tab.status.is_some() || tab.made_for.is_some() {
            tab.stop.store(true, Ordering::Relaxed);
            tab.job.clear();
            (tab.status, tab.made_for) = (None, None);
        }
        light.set_if_neq(RouteLight(None));
        return;
    };
    let threshold = tab.threshold;
    let made_for = (
        floor.version,
        Arc::as_ptr(&engine.0) as usize,
        threshold.to_bits(),
    );
    if tab.made_for == Some(made_for) {
        return;
    }
    let (status, edges) = if floor.ablations.is_empty() && floor.patch.is_none() {
        let key = (ArcKey(engine.0.clone()), h.ids.clone());
        let RouteTab { job, stop, .. } = &mut *tab;
        let found = job.get(key, blocking.is_some(), || {
            // the trace in flight (if any) is for another floor or model: given up
            stop.store(true, Ordering::Relaxed);
            *stop = Arc::new(AtomicBool::new(false));
            let (model, ids, stop) = (engine.0.clone(), h.ids.clone(), stop.clone());
            move || {
                let flow = Flow::run(&model.gpt, &ids).map_err(|e| e.to_string())?;
                let edges = flow.route_unless(*THRESHOLDS.start(), &stop);
                Ok((edges.ok_or("given up")?, flow.output()))
            }
        });
        match found {
            Found::Ready(Ok((edges, top))) => {
                let edges = within(edges, *top, threshold);
                (RouteStatus::Ready, Some(edges))
            }
            Found::Ready(Err(e)) => (RouteStatus::Failed(e.clone()), None),
            Found::Computing => (RouteStatus::Computing, None),
        }
    } else {
        (RouteStatus::NotIntact, None)
    };
    let lit = edges.map(|edges| RouteLit {
        version: floor.version,
        edges,
    });
    light.set_if_neq(RouteLight(lit));
    // final once traced (or not to be traced): until then, polled each frame
    let done = !matches!(status, RouteStatus::Computing);
    tab.made_for = done.then_some(made_for);
    tab.status = Some(status);
}

/// Draws the routes tab: the slider, what the route holds, the key to its lines.
pub(super) fn draw_routes(
    mut contexts: EguiContexts,
    mut tab: ResMut<RouteTab>,
    (floor, layout, light): (Res<Floor>, Option<Res<CurrentLayout>>, Res<RouteLight>),
    lang: Res<Lang>,
    mut fly: MessageWriter<FocusOrbit>,
) -> Result {
    let l = *lang;
    let ctx = contexts.ctx_mut()?;
    let RouteTab {
        threshold, status, ..
    } = &mut *tab;
    let Some(status) = status.as_ref() else {
        return Ok(());
    };
    let Some(window) = super::dock::window(ctx, super::dock::Tab::Routes, "routes") else {
        return Ok(());
    };
    window.show(ctx, |ui| {
        super::explain::lead(ui, tr!(l, "routes-intro"));
        let slider = egui::Slider::new(threshold, THRESHOLDS)
            .logarithmic(true)
            .fixed_decimals(2)
            .text(tr!(l, "routes-threshold"));
        ui.add(slider).on_hover_text(tr!(l, "routes-threshold-tip"));
        match status {
            RouteStatus::NotIntact => {
                ui.label(tr!(l, "routes-intact"));
            }
            RouteStatus::Computing => {
                ui.label(tr!(l, "computing"));
            }
            RouteStatus::Failed(why) => {
                ui.colored_label(egui::Color32::LIGHT_RED, why);
            }
            RouteStatus::Ready => {
                // a listed head's line or a layer's button: the camera flies to that layer's map
                let layers = layout.as_ref().map_or(0, |lay| lay.0.shape.n_layer);
                let edges = light.edges_for(&floor).unwrap_or_default();
                let listed = route_summary(ui, edges, &floor.history.texts, l);
                let asked = layer_buttons(ui, layers, l).or(listed);
                if let Some(view) = asked
                    .zip(layout.as_ref())
                    .and_then(|(layer, lay)| layer_map_view(&lay.0, layer))
                {
                    fly.write(FocusOrbit(view));
                }
            }
        }
        legend(ui, l);
        ui.weak(tr!(l, "routes-method"));
    });
    Ok(())
}

/// A button per layer, for its map from above; the layer clicked.
fn layer_buttons(ui: &mut egui::Ui, layers: usize, l: Lang) -> Option<usize> {
    let mut clicked = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(tr!(l, "routes-map"));
        for layer in 0..layers {
            if ui
                .button(layer.to_string())
                .on_hover_text(tr!(l, "routes-map-tip", layer = layer))
                .clicked()
            {
                clicked = Some(layer);
            }
        }
    });
    clicked
}

/// How many lines of each kind, and the strongest heads' edges; the layer of the one clicked.
fn route_summary(ui: &mut egui::Ui, edges: &[Edge], texts: &[String], l: Lang) -> Option<usize> {
    let count = |f: fn(&Part) -> bool| edges.iter().filter(|e| f(&e.part)).count();
    ui.label(tr!(
        l,
        "routes-count",
        n = edges.len(),
        heads = count(|p| matches!(p, Part::Attention { .. })),
        ffn = count(|p| matches!(p, Part::Ffn)),
        kept = count(|p| matches!(p, Part::Residual))
    ));
    let mut heads: Vec<&Edge> = edges
        .iter()
        .filter(|e| matches!(e.part, Part::Attention { .. }))
        .collect();
    heads.sort_by(|a, b| b.share.total_cmp(&a.share));
    if heads.is_empty() {
        ui.weak(tr!(l, "routes-no-heads"));
        return None;
    }
    ui.strong(tr!(l, "routes-strongest"));
    let mut clicked = None;
    for e in heads.iter().take(5) {
        if ui
            .link(edge_text(e, texts, l))
            .on_hover_text(tr!(l, "routes-fly"))
            .clicked()
        {
            clicked = Some(e.to.layer);
        }
    }
    clicked
}

/// The line's key: a lime swatch and how to read the lines.
fn legend(ui: &mut egui::Ui, l: Lang) {
    ui.horizontal_wrapped(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(18.0, 6.0), egui::Sense::hover());
        let [r, g, b] = crate::scene::palette::srgb8(crate::scene::palette::ROUTE);
        ui.painter()
            .rect_filled(rect, 1.0, egui::Color32::from_rgb(r, g, b));
        ui.label(tr!(l, "routes-legend"));
    });
}

/// An edge in words: what carries what into where, and its share.
pub fn edge_text(e: &Edge, texts: &[String], l: Lang) -> String {
    let word = |n: Node| {
        texts
            .get(n.position)
            .map_or_else(String::new, |t| super::explain::word(t, l))
    };
    let share = format!("{:.1}", e.share * 100.0);
    match e.part {
        Part::Attention { head } if e.from.position == e.to.position => tr!(
            l,
            "routes-edge-head-self",
            layer = e.to.layer,
            head = head,
            word = word(e.to),
            share = share
        ),
        Part::Attention { head } => tr!(
            l,
            "routes-edge-head",
            layer = e.to.layer,
            head = head,
            from = word(e.from),
            to = word(e.to),
            share = share
        ),
        Part::Ffn => tr!(
            l,
            "routes-edge-ffn",
            layer = e.from.layer,
            word = word(e.to),
            share = share
        ),
        Part::Residual | Part::Bias => {
            let key = if e.to.mid {
                "routes-edge-kept-attn"
            } else {
                "routes-edge-kept-ffn"
            };
            tr!(
                l,
                key,
                layer = e.from.layer,
                word = word(e.to),
                share = share
            )
        }
    }
}

/// The tooltip of the route's edge under the pointer.
pub(super) fn draw_route_tip(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    (hover, light): (Res<RouteHover>, Res<RouteLight>),
    floor: Res<Floor>,
    lang: Res<Lang>,
) -> Result {
    let l = *lang;
    let ctx = contexts.ctx_mut()?;
    let h = &floor.history;
    let Some(e) = hover
        .0
        .and_then(|i| light.edges_for(&floor).and_then(|edges| edges.get(i)))
    else {
        return Ok(());
    };
    let Some(pointer) = ctx.pointer_hover_pos().filter(|_| !ui_state.hidden) else {
        return Ok(());
    };
    egui::Area::new(egui::Id::new("route-tip"))
        .fixed_pos(pointer + egui::vec2(16.0, 16.0))
        .order(egui::Order::Tooltip)
        .interactable(false)
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_max_width(360.0);
                ui.label(edge_text(e, &h.texts, l));
                ui.weak(tr!(l, "routes-share-means"));
            });
        });
    Ok(())
}
