//! Where a model comes from: a folder path, a folder name under `models/`, a training snapshot, or a
//! repository id already in the Hugging Face hub cache (read offline: nothing is downloaded).
//!
//! The hub cache layout (huggingface_hub's documented one): `HUB/models--OWNER--NAME/refs/main` holds
//! a commit hash, and `HUB/models--OWNER--NAME/snapshots/HASH/` holds the files (links into `blobs/`).

use std::path::{Path, PathBuf};

use super::checkpoint::CONFIG_FILE;
use super::error::{ModelError, Result};
use super::train::{SNAPSHOT_DIR, STATE_FILE, TrainState};

/// A model the app can offer: a name to show and its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelEntry {
    /// `factory-small`, or `factory-small / step-000200` for a training snapshot.
    pub name: String,
    /// The folder holding `config.json`, `model.safetensors` and `tokenizer.json`.
    pub dir: PathBuf,
}

/// The project's model folder: `models/` (see [`crate::project_path`]).
pub fn models_root() -> PathBuf {
    crate::project_path("models")
}

/// Every model folder under `root` (a folder with a `config.json`), by name, each followed by its
/// training snapshots (`snapshots/step-NNNNNN/`) in step order.
pub fn list_models(root: &Path) -> Vec<ModelEntry> {
    let mut out = Vec::new();
    for dir in sorted_dirs(root) {
        if !dir.join(CONFIG_FILE).is_file() {
            continue;
        }
        let name = file_name(&dir);
        out.push(ModelEntry {
            name: name.clone(),
            dir: dir.clone(),
        });
        for snap in sorted_dirs(&dir.join("snapshots")) {
            if snap.join(CONFIG_FILE).is_file() {
                out.push(ModelEntry {
                    name: format!("{name} / {}", file_name(&snap)),
                    dir: snap,
                });
            }
        }
    }
    out
}

/// A model's training, as far as its folder keeps it: the snapshots (step, folder) in step order,
/// then the finished model itself at the step its training state names.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// The model folder the snapshots belong to.
    pub model: PathBuf,
    /// (step, folder), in step order; the last is the model itself when its step is known.
    pub points: Vec<(usize, PathBuf)>,
}

/// The training timeline of the model in `dir` (a model folder, or one of its snapshots), if it
/// has snapshots.
pub fn timeline(dir: &Path) -> Option<Timeline> {
    // absolute, but links kept: a snapshot folder linked in from elsewhere still belongs here
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let model = match dir.parent() {
        Some(p) if p.file_name().is_some_and(|n| n == SNAPSHOT_DIR) => p.parent()?.to_path_buf(),
        _ => dir,
    };
    let mut points: Vec<(usize, PathBuf)> = sorted_dirs(&model.join(SNAPSHOT_DIR))
        .into_iter()
        .filter(|d| d.join(CONFIG_FILE).is_file())
        .filter_map(|d| {
            let step = file_name(&d).strip_prefix("step-")?.parse().ok()?;
            Some((step, d))
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    points.sort_by_key(|p| p.0);
    let finished = std::fs::read_to_string(model.join(STATE_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<TrainState>(&t).ok())
        .map(|s| s.step);
    // the finished model is the last point (in f32, not its f16 snapshot of the same step)
    match (finished, points.last_mut()) {
        (Some(step), Some(last)) if last.0 == step => last.1 = model.clone(),
        (Some(step), Some(last)) if last.0 < step => points.push((step, model.clone())),
        _ => {}
    }
    Some(Timeline { model, points })
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The hub cache folder, as huggingface_hub finds it: `HF_HUB_CACHE`, else `HF_HOME/hub`, else
/// `XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
pub fn hub_cache_dir() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("HF_HUB_CACHE")
        .or_else(|| var("HF_HOME").map(|h| h.join("hub")))
        .or_else(|| var("XDG_CACHE_HOME").map(|c| c.join("huggingface").join("hub")))
        .or_else(|| var("HOME").map(|h| h.join(".cache").join("huggingface").join("hub")))
}

/// True for a hub repository id: `name` or `owner/name`, letters, digits, `.`, `_` and `-`.
pub fn is_repo_id(s: &str) -> bool {
    let ok = |part: &str| {
        !part.is_empty()
            && !part.starts_with(['.', '-'])
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    };
    let parts: Vec<&str> = s.split('/').collect();
    (1..=2).contains(&parts.len()) && parts.iter().all(|p| ok(p))
}

/// The snapshot folder of `repo_id` in the hub cache at `hub`: the one `refs/main` names, else
/// the only snapshot there is.
pub fn hub_snapshot(hub: &Path, repo_id: &str) -> Result<PathBuf> {
    let repo = hub.join(format!("models--{}", repo_id.replace('/', "--")));
    let not_cached = || ModelError::NotCached {
        repo_id: repo_id.to_owned(),
        cache: hub.to_owned(),
    };
    if !repo.is_dir() {
        return Err(not_cached());
    }
    let snapshots = repo.join("snapshots");
    if let Ok(rev) = std::fs::read_to_string(repo.join("refs").join("main")) {
        let dir = snapshots.join(rev.trim());
        if dir.is_dir() {
            return Ok(dir);
        }
    }
    match sorted_dirs(&snapshots).as_slice() {
        [only] => Ok(only.clone()),
        [] => Err(not_cached()),
        many => Err(ModelError::Folder {
            path: snapshots.clone(),
            problem: format!(
                "{} snapshots and no refs/main naming one; give the snapshot folder itself with --model",
                many.len()
            ),
        }),
    }
}

/// What `--model` names, as a folder: an existing path, or anything that is not a plain name (it is
/// then opened as a path, and a missing folder is reported as such); else a folder name under
/// `models_root`; else a repository id in the hub cache `hub`. A name found nowhere is an error
/// that says where it looked and how to get it.
pub fn resolve(arg: &str, models_root: &Path, hub: Option<&Path>) -> Result<PathBuf> {
    let as_path = Path::new(arg);
    if as_path.exists() || !is_repo_id(arg) || as_path.is_absolute() {
        // a path (even one that is not there: opening it says so, naming the folder)
        return Ok(as_path.to_owned());
    }
    let local = models_root.join(arg);
    if !arg.contains('/') && local.is_dir() {
        return Ok(local);
    }
    if let Some(hub) = hub {
        match hub_snapshot(hub, arg) {
            Ok(dir) => return Ok(dir),
            Err(ModelError::NotCached { .. }) => {}
            Err(other) => return Err(other),
        }
    }
    let names: Vec<String> = list_models(models_root)
        .into_iter()
        .filter(|m| !m.name.contains(" / "))
        .map(|m| m.name)
        .collect();
    Err(ModelError::UnknownModel {
        name: arg.to_owned(),
        local: names,
        hub: hub.map(Path::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_ids() {
        assert!(
            is_repo_id("gpt2") && is_repo_id("openai-community/gpt2") && is_repo_id("distilgpt2")
        );
        assert!(
            !is_repo_id("a/b/c") && !is_repo_id("../x") && !is_repo_id("") && !is_repo_id("a b")
        );
    }

    #[test]
    fn names_paths_and_the_hub_cache() {
        let root = tempfile::tempdir().unwrap();
        let models = root.path().join("models");
        let m = models.join("tiny");
        std::fs::create_dir_all(m.join("snapshots/step-000010")).unwrap();
        std::fs::write(m.join(CONFIG_FILE), "{}").unwrap();
        std::fs::write(m.join("snapshots/step-000010").join(CONFIG_FILE), "{}").unwrap();
        std::fs::create_dir_all(models.join("not-a-model")).unwrap();
        let names: Vec<String> = list_models(&models).into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["tiny", "tiny / step-000010"]);
        // a name under models/, a path, an unknown name
        assert_eq!(resolve("tiny", &models, None).unwrap(), m);
        assert_eq!(resolve(m.to_str().unwrap(), &models, None).unwrap(), m);
        let e = resolve("gpt2", &models, None).unwrap_err().to_string();
        assert!(e.contains("gpt2") && e.contains("tiny"), "{e}");
        // the hub cache: refs/main names the snapshot
        let hub = root.path().join("hub");
        let repo = hub.join("models--owner--name");
        std::fs::create_dir_all(repo.join("snapshots/abc123")).unwrap();
        std::fs::create_dir_all(repo.join("snapshots/old999")).unwrap();
        std::fs::create_dir_all(repo.join("refs")).unwrap();
        std::fs::write(repo.join("refs/main"), "abc123\n").unwrap();
        assert_eq!(
            resolve("owner/name", &models, Some(&hub)).unwrap(),
            repo.join("snapshots/abc123")
        );
        let e = resolve("owner/other", &models, Some(&hub))
            .unwrap_err()
            .to_string();
        assert!(e.contains("huggingface-cli download owner/other"), "{e}");
    }
}
