//! How big a model is beside GPT-2 small and GPT-3: the loaded model's own numbers (its config and,
//! for a model trained here, its training state) and the published ones.

use std::path::Path;

use super::config::Config;
use super::train::{STATE_FILE, TrainState};

/// A model's size, as the scale room and the model card show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSize {
    /// Name to show.
    pub name: String,
    /// Transformer blocks.
    pub layers: usize,
    /// Heads per block.
    pub heads: usize,
    /// Width of the residual stream.
    pub width: usize,
    /// Context length in tokens.
    pub context: usize,
    /// Parameters.
    pub params: f64,
    /// Tokens seen in training, where known.
    pub trained_tokens: Option<f64>,
    /// Where the numbers come from.
    pub source: &'static str,
}

/// GPT-2 small (its Hugging Face config; the paper gives no token count, only 40 GB of WebText) and
/// GPT-3 175B (Brown et al. 2020, tables 2.1 and 2.2: 300 billion training tokens).
pub fn published() -> [ModelSize; 2] {
    let g2 = Config::gpt2_small();
    [
        ModelSize {
            name: "GPT-2 small".into(),
            layers: g2.n_layer,
            heads: g2.n_head,
            width: g2.n_embd,
            context: g2.n_positions,
            params: g2.n_params() as f64,
            trained_tokens: None,
            source: "its config.json (openai-community/gpt2); trained on 40 GB of web text",
        },
        ModelSize {
            name: "GPT-3".into(),
            layers: 96,
            heads: 96,
            width: 12288,
            context: 2048,
            params: 175e9,
            trained_tokens: Some(300e9),
            source: "Brown et al. 2020, tables 2.1 and 2.2",
        },
    ]
}

/// The name the loaded model goes by beside the published ones.
pub const OURS: &str = "this model";

/// The loaded model, from its config alone.
pub fn of_config(cfg: &Config) -> ModelSize {
    ModelSize {
        name: OURS.into(),
        layers: cfg.n_layer,
        heads: cfg.n_head,
        width: cfg.n_embd,
        context: cfg.n_positions,
        params: cfg.n_params() as f64,
        trained_tokens: None,
        source: "its config.json",
    }
}

/// The loaded model, with the tokens it was trained on when `dir` holds a training state of ours
/// (steps × batch × context), or is a training snapshot (`…/snapshots/step-N` of such a folder:
/// N × batch × context). Reads a file: call it once per model.
pub fn of_model(cfg: &Config, dir: &Path) -> ModelSize {
    let state = |d: &Path| {
        std::fs::read_to_string(d.join(STATE_FILE))
            .ok()
            .and_then(|t| serde_json::from_str::<TrainState>(&t).ok())
    };
    let snapshot_step = dir
        .file_name()
        .and_then(|n| n.to_str()?.strip_prefix("step-")?.parse::<usize>().ok());
    let trained_tokens = match (
        state(dir),
        snapshot_step,
        dir.parent().and_then(Path::parent),
    ) {
        (Some(s), _, _) => Some(s.step * s.options.batch * s.options.context),
        (None, Some(step), Some(model)) => {
            state(model).map(|s| step * s.options.batch * s.options.context)
        }
        _ => None,
    }
    .map(|t| t as f64);
    ModelSize {
        trained_tokens,
        source: "its config.json and train_state.json",
        ..of_config(cfg)
    }
}

/// The side of a cube whose volume is to `ours`'s as `params` is to `ours` (ours has side 1).
pub fn block_side(params: f64, ours: f64) -> f32 {
    (params / ours.max(1.0)).cbrt() as f32
}

/// A count in words people read: 1.7 million, 124 million, 175 billion.
pub fn count_words(n: f64) -> String {
    // the unit is chosen after rounding, so 999,950 reads "1.0 million", not "1000 thousand"
    let shown = |v: f64| {
        if v >= 9.95 {
            v.round()
        } else {
            (v * 10.0).round() / 10.0
        }
    };
    for (word, scale) in [("billion", 1e9), ("million", 1e6), ("thousand", 1e3)] {
        let v = shown(n / scale);
        if v >= 1.0 && (v < 1000.0 || word == "billion") {
            return if v >= 10.0 {
                format!("{v:.0} {word}")
            } else {
                format!("{v:.1} {word}")
            };
        }
    }
    format!("{n:.0}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_volume_in_proportion_to_parameters() {
        let s = block_side(175e9, 1.75e6);
        assert!((s.powi(3) - 1e5).abs() / 1e5 < 1e-4, "{s}");
        assert_eq!(block_side(5.0, 5.0), 1.0);
    }

    #[test]
    fn counts_read_as_words() {
        assert_eq!(count_words(1_730_000.0), "1.7 million");
        assert_eq!(count_words(124_439_808.0), "124 million");
        assert_eq!(count_words(175e9), "175 billion");
        assert_eq!(count_words(8_192_000.0), "8.2 million");
        assert_eq!(count_words(999_950.0), "1.0 million");
        assert_eq!(count_words(9_960_000.0), "10 million");
        assert_eq!(count_words(512.0), "512");
    }
}
