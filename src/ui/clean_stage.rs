//! A clean stage while the guided tour or the kiosk's attract loop plays: every panel and window
//! is put away (the control panel, the inspector, the heatmaps, the A/B window, help, the rooms'
//! windows, the tooltips) except the caption, the sentence banner, the hall map and the windows a
//! stop opens on purpose (a `room:` stop's window); when it ends, what was open comes back.

use bevy::prelude::*;

use super::state::UiState;
use crate::tour::TourPlayer;

/// The windows open when the stage was cleared, to open again after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct OpenWindows {
    help: bool,
    model_view: bool,
    cost_view: bool,
    positions_view: bool,
    compare_view: bool,
    embedding_view: bool,
    training_view: bool,
    game_view: bool,
    learn_view: bool,
}

impl OpenWindows {
    /// The windows open in `ui`, all closed there.
    fn take(ui: &mut UiState) -> Self {
        let open = Self {
            help: ui.help,
            model_view: ui.model_view,
            cost_view: ui.cost_view,
            positions_view: ui.positions_view,
            compare_view: ui.compare_view,
            embedding_view: ui.embedding_view,
            training_view: ui.training_view,
            game_view: ui.game_view,
            learn_view: ui.learn_view,
        };
        Self::default().put(ui);
        open
    }

    /// Opens (and closes) in `ui` the windows as they were.
    fn put(self, ui: &mut UiState) {
        ui.help = self.help;
        ui.model_view = self.model_view;
        ui.cost_view = self.cost_view;
        ui.positions_view = self.positions_view;
        ui.compare_view = self.compare_view;
        ui.embedding_view = self.embedding_view;
        ui.training_view = self.training_view;
        ui.game_view = self.game_view;
        ui.learn_view = self.learn_view;
    }
}

/// Clears the stage when the tour or the attract loop starts and restores it when it ends. Runs
/// before the tour opens a stop's room window, so that window is the stop's own.
pub(super) fn clean_stage(
    mut ui: ResMut<UiState>,
    tour: Res<TourPlayer>,
    mut saved: Local<Option<OpenWindows>>,
) {
    let playing = (tour.active || ui.attract) && !ui.recording;
    if playing == ui.stage {
        return;
    }
    if playing {
        *saved = Some(OpenWindows::take(&mut ui));
    } else if let Some(open) = saved.take() {
        open.put(&mut ui);
    }
    ui.stage = playing;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_windows_open_before_the_tour_come_back_after_it() {
        let mut app = App::new();
        app.insert_resource(UiState {
            models: Vec::new(),
            ..UiState::default()
        })
        .init_resource::<TourPlayer>()
        .add_systems(Update, clean_stage);
        {
            let mut ui = app.world_mut().resource_mut::<UiState>();
            (ui.help, ui.positions_view) = (true, true);
        }
        app.world_mut().resource_mut::<TourPlayer>().active = true;
        app.update();
        let ui = app.world().resource::<UiState>();
        assert!(ui.stage && !ui.help && !ui.positions_view, "a clean stage");
        // a stop opens its room's window on purpose; the tour ends
        app.world_mut().resource_mut::<UiState>().cost_view = true;
        app.update();
        assert!(
            app.world().resource::<UiState>().cost_view,
            "kept while the tour plays"
        );
        app.world_mut().resource_mut::<TourPlayer>().active = false;
        app.update();
        let ui = app.world().resource::<UiState>();
        assert!(!ui.stage && ui.help && ui.positions_view && !ui.cost_view);
    }
}
