//! The overlay's layout remembered between runs of the viewer: whether the drawer (the full control
//! panel) is open. A small RON file in the user's config folder (`$XDG_CONFIG_HOME`, else
//! `~/.config`, then `transformer-factory/layout.ron`); a damaged file is ignored with a notice,
//! never a crash; "Reset layout" in the drawer removes it and goes back to the first screen.

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use super::state::UiState;

/// What is remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedLayout {
    /// The drawer with every control is open (else the first screen's slim bar is shown).
    pub drawer_open: bool,
}

/// Where the layout is kept (the viewer inserts it; the kiosk, recordings and tests do not).
#[derive(Resource, Debug, Clone)]
pub struct LayoutFile(pub PathBuf);

/// `$XDG_CONFIG_HOME/transformer-factory/layout.ron` (else under `$HOME/.config`); none without
/// either variable.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("transformer-factory").join("layout.ron"))
}

/// The layout kept at `path`: none when there is no file; why not when it cannot be read.
pub fn load(path: &Path) -> Result<Option<SavedLayout>, String> {
    match std::fs::read_to_string(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
        Ok(text) => ron::from_str(&text).map(Some).map_err(|e| e.to_string()),
    }
}

/// Writes `layout` to `path` (its folder made if need be).
pub fn save(path: &Path, layout: SavedLayout) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let text = ron::to_string(&layout).map_err(std::io::Error::other)?;
    std::fs::write(path, text + "\n")
}

/// Sets the overlay from the file at start: the drawer as it was left; the first screen when
/// there is no file; a damaged file is said in the panel and ignored.
pub fn apply_at_start(ui: &mut UiState, path: &Path, lang: crate::i18n::Lang) {
    match load(path) {
        Ok(saved) => ui.panel_folded = !saved.is_some_and(|s| s.drawer_open),
        Err(why) => {
            ui.panel_folded = true;
            let path = path.display().to_string();
            ui.saved = Some(crate::tr!(lang, "layout-damaged", path = path, why = why));
            ui.save_failed = true;
        }
    }
}

/// Saves the layout when it changes, and resets it when asked (`UiState::reset_layout`).
pub(super) fn remember_layout(
    mut ui: ResMut<UiState>,
    file: Option<Res<LayoutFile>>,
    mut last: Local<Option<bool>>,
) {
    let Some(file) = file else { return };
    if ui.reset_layout {
        ui.reset_layout = false;
        let _ = std::fs::remove_file(&file.0);
        ui.panel_folded = true;
        *last = Some(true);
        return;
    }
    let folded = ui.panel_folded;
    if last.is_some_and(|l| l == folded) {
        return;
    }
    let first = last.is_none();
    *last = Some(folded);
    if first {
        return; // as read at start: nothing to write
    }
    if let Err(e) = save(
        &file.0,
        SavedLayout {
            drawer_open: !folded,
        },
    ) {
        warn!("could not keep the layout in {}: {e}", file.0.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_survives_a_restart_and_a_damaged_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("layout.ron");
        assert_eq!(load(&path), Ok(None), "no file yet");
        let mut ui = UiState {
            models: Vec::new(),
            ..UiState::default()
        };
        apply_at_start(&mut ui, &path, crate::i18n::Lang::En);
        assert!(ui.panel_folded, "the first screen: the slim bar");
        save(&path, SavedLayout { drawer_open: true }).unwrap();
        apply_at_start(&mut ui, &path, crate::i18n::Lang::En);
        assert!(!ui.panel_folded, "the drawer as it was left");
        std::fs::write(&path, "Layout(drawer_open: maybe").unwrap();
        apply_at_start(&mut ui, &path, crate::i18n::Lang::En);
        assert!(ui.panel_folded && ui.save_failed);
        let notice = ui.saved.clone().unwrap();
        assert!(notice.contains("layout.ron"), "{notice}");
    }
}
