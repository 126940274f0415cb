//! One side panel on the right with tabs, instead of floating windows that pile up: the inspector,
//! the selected head's attention grid, the inside of its booth, the model view, the A/B window and
//! the rooms' windows each become a tab. Nothing covers another panel; the 3D view is centred in
//! the room the panel leaves (`app.rs`' `centre_beside_panel` reads [`UiState::dock_width`]).
//!
//! This module draws the panel's tab strip and keeps which tab is shown; each window's own system
//! draws its body with [`window`], which gives it the panel's body rectangle when its tab is the
//! one shown (and nothing otherwise).

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::i18n::Lang;
use crate::playback::Selection;
use crate::tr;

/// A tab of the side panel: one window each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    /// What is picked, with its real numbers (always there).
    Inspector,
    /// The selected head's attention as a grid (while a head is selected).
    Head,
    /// Inside the selected head's booth for the selected token (while both are selected).
    Booth,
    /// Every head of every layer as a thumbnail.
    ModelView,
    /// Two prompts side by side.
    Compare,
    /// The cost of context (a room).
    Cost,
    /// The positions room's pictures.
    Positions,
    /// The embedding room's lists and arithmetic.
    Embedding,
    /// The training time-lapse.
    Training,
    /// The guessing game.
    Game,
    /// Learning the floor's sentence.
    Learn,
    /// The information-flow route into the last word.
    Routes,
}

impl Tab {
    /// Every tab, in the strip's order.
    pub const ALL: [Tab; 12] = [
        Tab::Inspector,
        Tab::Head,
        Tab::Booth,
        Tab::ModelView,
        Tab::Compare,
        Tab::Cost,
        Tab::Positions,
        Tab::Embedding,
        Tab::Training,
        Tab::Game,
        Tab::Learn,
        Tab::Routes,
    ];

    /// The panel's width while this tab is shown, points (at most half the window).
    fn width(self) -> f32 {
        match self {
            Tab::Inspector | Tab::Head => 340.0,
            Tab::Booth | Tab::ModelView | Tab::Training | Tab::Game | Tab::Learn | Tab::Routes => {
                420.0
            }
            Tab::Cost | Tab::Embedding => 460.0,
            Tab::Compare => 560.0,
            Tab::Positions => 660.0,
        }
    }

    /// Whether the tab follows the selection (it comes and goes with it) rather than being opened
    /// on purpose (a button, a key, a tour stop) and closed with its ×.
    fn follows_selection(self) -> bool {
        matches!(self, Tab::Inspector | Tab::Head | Tab::Booth)
    }

    /// The tab's short name in the strip.
    fn label(self, l: Lang) -> String {
        match self {
            Tab::Inspector => tr!(l, "tab-inspector"),
            Tab::Head => tr!(l, "tab-head"),
            Tab::Booth => tr!(l, "tab-booth"),
            Tab::ModelView => tr!(l, "tab-model-view"),
            Tab::Compare => tr!(l, "tab-compare"),
            Tab::Cost => tr!(l, "tab-cost"),
            Tab::Positions => tr!(l, "tab-positions"),
            Tab::Embedding => tr!(l, "tab-embedding"),
            Tab::Training => tr!(l, "tab-training"),
            Tab::Game => tr!(l, "tab-game"),
            Tab::Learn => tr!(l, "tab-learn"),
            Tab::Routes => tr!(l, "tab-routes"),
        }
    }

    /// Closes the window the tab shows (for the tabs opened on purpose).
    fn close(self, ui: &mut UiState) {
        match self {
            Tab::ModelView => ui.model_view = false,
            Tab::Compare => ui.compare_view = false,
            Tab::Cost => ui.cost_view = false,
            Tab::Positions => ui.positions_view = false,
            Tab::Embedding => ui.embedding_view = false,
            Tab::Training => ui.training_view = false,
            Tab::Game => ui.game_view = false,
            Tab::Learn => ui.learn_view = false,
            Tab::Routes => ui.routes_view = false,
            Tab::Inspector | Tab::Head | Tab::Booth => {}
        }
    }
}

/// The tabs open now: the inspector and the selection's tabs outside the tour's clean stage, and
/// the windows opened on purpose (in a recording and on the stage too: a `room:` stop's window).
pub fn open_tabs(ui: &UiState, selection: &Selection) -> Vec<Tab> {
    if ui.hidden {
        return Vec::new();
    }
    let viewer = !ui.recording && !ui.stage;
    Tab::ALL
        .into_iter()
        .filter(|tab| match tab {
            Tab::Inspector => viewer,
            Tab::Head => viewer && selection.head.is_some(),
            Tab::Booth => viewer && selection.head.is_some() && selection.token.is_some(),
            Tab::ModelView => viewer && ui.model_view,
            Tab::Compare => viewer && ui.compare_view,
            Tab::Cost => ui.cost_view,
            Tab::Positions => ui.positions_view,
            Tab::Embedding => ui.embedding_view,
            Tab::Training => ui.training_view,
            Tab::Game => ui.game_view && (viewer || ui.game_on_stage),
            Tab::Learn => ui.learn_view && (viewer || ui.learn_on_stage),
            Tab::Routes => viewer && ui.routes_view,
        })
        .collect()
}

/// Which tab is shown and whether the panel is out, kept between frames.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct DockState {
    /// The panel is out (else only its button at the top right shows).
    pub shown: bool,
    /// The tab shown.
    pub active: Tab,
    /// The tabs open in the last frame: a tab opened since is brought to the front.
    last_open: Vec<Tab>,
    /// The selection in the last frame: a new pick brings the inspector to the front.
    last_pick: Selection,
}

impl Default for DockState {
    fn default() -> Self {
        Self {
            shown: false,
            active: Tab::Inspector,
            last_open: Vec::new(),
            last_pick: Selection::default(),
        }
    }
}

impl DockState {
    /// Follows what opened and closed since the last frame: a window opened on purpose comes to
    /// the front (the panel slides out); a new pick shows the inspector; a closed tab gives way to
    /// the inspector, and the panel goes in when nothing is left to show.
    pub fn follow(&mut self, open: &[Tab], selection: &Selection) {
        let opened = open
            .iter()
            .copied()
            .rev()
            .find(|t| !t.follows_selection() && !self.last_open.contains(t));
        // a pick brings the inspector forward, unless it was made inside a window opened on
        // purpose (the embedding room's lists, the all-heads thumbnails): that window stays
        let picked = *selection != self.last_pick
            && *selection != Selection::default()
            && (!self.shown || self.active.follows_selection());
        if let Some(tab) = opened {
            (self.active, self.shown) = (tab, true);
        } else if picked && open.contains(&Tab::Inspector) {
            (self.active, self.shown) = (Tab::Inspector, true);
        }
        if !open.contains(&self.active) {
            let on_purpose = open.iter().copied().rev().find(|t| !t.follows_selection());
            match on_purpose {
                Some(tab) => self.active = tab,
                None => {
                    self.active = Tab::Inspector;
                    // what was shown went away and nothing is picked: the scene gets the room
                    if *selection == Selection::default() || !open.contains(&Tab::Inspector) {
                        self.shown = false;
                    }
                }
            }
        }
        self.last_open = open.to_vec();
        self.last_pick = selection.clone();
    }
}

/// The panel's body this frame, for the window of the tab shown (kept in egui's memory).
#[derive(Debug, Clone, Copy)]
struct Body {
    tab: Tab,
    rect: egui::Rect,
}

/// The id under which [`Body`] is kept.
fn body_id() -> egui::Id {
    egui::Id::new("dock-body")
}

/// The window for `tab`'s body, placed in the panel's body (no title bar: the tab names it), or
/// `None` when another tab is shown or the panel is in. `id` is the window's own egui id.
pub(super) fn window(ctx: &egui::Context, tab: Tab, id: &str) -> Option<egui::Window<'static>> {
    let body: Body = ctx.data(|d| d.get_temp(body_id()))?;
    if body.tab != tab {
        return None;
    }
    let frame = egui::Frame::new()
        .fill(ctx.global_style().visuals.panel_fill)
        .inner_margin(egui::Margin::same(8));
    Some(
        egui::Window::new(id.to_owned())
            .id(egui::Id::new(id))
            .title_bar(false)
            .collapsible(false)
            .resizable(false)
            .frame(frame)
            .fixed_rect(body.rect)
            .scroll([false, true]),
    )
}

/// The panel's title line for `tab` (the window's full name: which head, which room).
fn title(tab: Tab, selection: &Selection, l: Lang) -> String {
    let (layer, head) = selection.head.unwrap_or_default();
    match tab {
        Tab::Inspector => tr!(l, "inspector"),
        Tab::Head => tr!(l, "heatmap-title", layer = layer, head = head),
        Tab::Booth => tr!(l, "booth-title", layer = layer, head = head),
        Tab::ModelView => tr!(l, "heatmap-all-heads"),
        Tab::Compare => tr!(l, "compare-title"),
        Tab::Cost => tr!(l, "cost-title"),
        Tab::Positions => tr!(l, "positions-title"),
        Tab::Embedding => tr!(l, "embedding-win-title"),
        Tab::Training => tr!(l, "training-title"),
        Tab::Game => tr!(l, "game-title"),
        Tab::Learn => tr!(l, "learn-title"),
        Tab::Routes => tr!(l, "routes-title"),
    }
}

/// Draws the panel's tab strip (or, when the panel is in, its button at the top right) and keeps
/// where its body is for the windows drawn after it.
pub(super) fn draw_dock(
    mut contexts: EguiContexts,
    mut ui: ResMut<UiState>,
    mut dock: ResMut<DockState>,
    selection: Res<Selection>,
    lang: Res<Lang>,
) -> Result {
    let l = *lang;
    let ctx = contexts.ctx_mut()?;
    ctx.data_mut(|d| d.remove::<Body>(body_id()));
    let open = open_tabs(&ui, &selection);
    dock.follow(&open, &selection);
    let on_stage = ui.stage || ui.recording;
    let width = if open.is_empty() || !(dock.shown || on_stage) {
        0.0
    } else {
        dock.active.width().min(ctx.viewport_rect().width() / 2.0)
    };
    if ui.dock_width != width {
        ui.dock_width = width;
    }
    if open.is_empty() {
        return Ok(());
    }
    if width == 0.0 {
        if !on_stage && panel_button(ctx, dock.active, &open, l) {
            dock.shown = true;
        }
        return Ok(());
    }
    let screen = ctx.viewport_rect();
    let left = screen.right() - width;
    let strip = egui::Area::new("dock-tabs".into())
        .fixed_pos(egui::pos2(left, screen.top()))
        .order(egui::Order::Middle)
        .show(ctx, |area| {
            egui::Frame::new()
                .fill(area.style().visuals.panel_fill)
                .inner_margin(egui::Margin::symmetric(8, 6))
                .show(area, |area| {
                    area.set_width((width - 16.0).max(0.0));
                    tab_strip(area, &mut dock, &mut ui, &open, on_stage, l);
                    area.label(
                        egui::RichText::new(title(dock.active, &selection, l))
                            .heading()
                            .strong(),
                    );
                });
        });
    let top = strip.response.rect.bottom();
    let rect = egui::Rect::from_min_max(egui::pos2(left, top), screen.max);
    let tab = dock.active;
    ctx.data_mut(|d| d.insert_temp(body_id(), Body { tab, rect }));
    Ok(())
}

/// The tabs as buttons (the shown one marked), a × on those opened on purpose, and » to put the
/// panel away (not on the stage: the tour decides what it shows there).
fn tab_strip(
    ui: &mut egui::Ui,
    dock: &mut DockState,
    st: &mut UiState,
    open: &[Tab],
    on_stage: bool,
    l: Lang,
) {
    ui.horizontal_wrapped(|ui| {
        for &tab in open {
            if ui
                .selectable_label(dock.active == tab, tab.label(l))
                .clicked()
            {
                dock.active = tab;
            }
            if !tab.follows_selection()
                && ui
                    .small_button("×")
                    .on_hover_text(tr!(l, "tab-close"))
                    .clicked()
            {
                tab.close(st);
            }
        }
        if !on_stage && ui.button("»").on_hover_text(tr!(l, "dock-hide")).clicked() {
            dock.shown = false;
        }
    });
}

/// The panel's button while it is in, at the top right: "« Inspector" and how many tabs wait.
/// Returns whether it was clicked.
fn panel_button(ctx: &egui::Context, active: Tab, open: &[Tab], l: Lang) -> bool {
    let text = match open.len() {
        1 => format!("« {}", active.label(l)),
        n => format!("« {} (+{})", active.label(l), n - 1),
    };
    let area = egui::Area::new("dock-button".into())
        .anchor(egui::Align2::RIGHT_TOP, [-8.0, 8.0])
        .order(egui::Order::Middle)
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style())
                .show(ui, |ui| {
                    ui.button(text).on_hover_text(tr!(l, "dock-show")).clicked()
                })
                .inner
        });
    area.inner
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picked(token: usize) -> Selection {
        Selection {
            token: Some(token),
            ..Selection::default()
        }
    }

    #[test]
    fn a_window_opened_on_purpose_comes_to_the_front_and_its_close_gives_way() {
        let mut dock = DockState::default();
        let none = Selection::default();
        dock.follow(&[Tab::Inspector], &none);
        assert!(!dock.shown, "the first screen keeps the panel in");
        dock.follow(&[Tab::Inspector, Tab::Cost], &none);
        assert_eq!((dock.active, dock.shown), (Tab::Cost, true));
        dock.follow(&[Tab::Inspector, Tab::Cost, Tab::Training], &none);
        assert_eq!(dock.active, Tab::Training, "the newest window");
        dock.follow(&[Tab::Inspector, Tab::Cost], &none);
        assert_eq!(dock.active, Tab::Cost, "another window opened on purpose");
        dock.follow(&[Tab::Inspector], &none);
        assert!(
            !dock.shown,
            "nothing picked, nothing opened: the panel goes in"
        );
    }

    #[test]
    fn a_pick_shows_the_inspector_but_a_head_grid_does_not_push_it_away() {
        let mut dock = DockState::default();
        dock.follow(&[Tab::Inspector], &Selection::default());
        let booth = Selection {
            head: Some((1, 2)),
            ..picked(3)
        };
        dock.follow(&[Tab::Inspector, Tab::Head, Tab::Booth], &booth);
        assert_eq!((dock.active, dock.shown), (Tab::Inspector, true));
        // the visitor reads the grid, then picks another token: the inspector comes back
        dock.active = Tab::Head;
        dock.follow(&[Tab::Inspector, Tab::Head, Tab::Booth], &booth);
        assert_eq!(dock.active, Tab::Head, "the same pick keeps the tab chosen");
        let other = Selection {
            head: Some((1, 2)),
            ..picked(4)
        };
        dock.follow(&[Tab::Inspector, Tab::Head, Tab::Booth], &other);
        assert_eq!(dock.active, Tab::Inspector);
        // the head is let go while its grid is shown: the inspector stays out (a token is picked)
        dock.active = Tab::Head;
        dock.follow(&[Tab::Inspector], &picked(4));
        assert_eq!((dock.active, dock.shown), (Tab::Inspector, true));
        // a pick made inside a window opened on purpose keeps that window in front
        dock.follow(&[Tab::Inspector, Tab::ModelView], &picked(4));
        assert_eq!(dock.active, Tab::ModelView);
        let thumbnail = Selection {
            head: Some((2, 1)),
            ..picked(4)
        };
        dock.follow(&[Tab::Inspector, Tab::Head, Tab::ModelView], &thumbnail);
        assert_eq!(
            dock.active,
            Tab::ModelView,
            "the all-heads tab stays in front"
        );
    }

    #[test]
    fn the_stage_shows_only_a_stops_room_and_hiding_shows_nothing() {
        let mut ui = UiState {
            models: Vec::new(),
            stage: true,
            model_view: true,
            cost_view: true,
            ..UiState::default()
        };
        let sel = Selection {
            head: Some((0, 0)),
            ..picked(1)
        };
        assert_eq!(open_tabs(&ui, &sel), vec![Tab::Cost]);
        ui.stage = false;
        assert_eq!(
            open_tabs(&ui, &sel),
            vec![
                Tab::Inspector,
                Tab::Head,
                Tab::Booth,
                Tab::ModelView,
                Tab::Cost
            ]
        );
        ui.hidden = true;
        assert!(open_tabs(&ui, &sel).is_empty());
    }
}
