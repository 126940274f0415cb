//! The command line's arguments: one struct per command, and the pieces they share.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::model::train::TrainOptions;
use crate::model::{Ablations, Config, LoadedModel, SamplingParams, catalog, default_model_dir};

#[derive(Debug, Args, Clone)]
pub(super) struct ModelArg {
    /// The model: a folder in the Hugging Face GPT-2 layout, the name of a folder under models/,
    /// or a repository id already in the Hugging Face cache (e.g. gpt2) [default: factory-everyday]
    #[arg(long, value_name = "DIR|NAME|ID")]
    pub(super) model: Option<String>,
}

impl ModelArg {
    /// The model's folder (the argument resolved by [`catalog::resolve`]).
    pub(super) fn dir(&self) -> Result<PathBuf> {
        match &self.model {
            None => Ok(default_model_dir()),
            Some(arg) => Ok(catalog::resolve(
                arg,
                &catalog::models_root(),
                catalog::hub_cache_dir().as_deref(),
            )?),
        }
    }

    pub(super) fn open(&self) -> Result<LoadedModel> {
        let dir = self.dir()?;
        LoadedModel::open(&dir)
            .with_context(|| format!("could not open the model in {}", dir.display()))
    }
}

/// Parts of the model to switch off (`--ablate`, repeatable).
#[derive(Debug, Args, Clone, Default)]
pub(super) struct AblateArg {
    /// Switch a part of the model off: head:L.H (that head's output is zero before c_proj),
    /// neuron:L.I (that GELU output is zero), mlp:L (that layer's FFN adds nothing) or positions
    /// (wpe is not added). Repeat for several.
    #[arg(long = "ablate", value_name = "SPEC")]
    pub(super) specs: Vec<String>,
}

impl AblateArg {
    /// The ablations, checked against the model's shape.
    pub(super) fn for_model(&self, cfg: &Config) -> Result<Ablations> {
        Ok(Ablations::parse(&self.specs, cfg)?)
    }
}

#[derive(Debug, Args, Clone)]
pub(super) struct ViewArgs {
    #[command(flatten)]
    pub(super) model: ModelArg,
    #[command(flatten)]
    pub(super) ablate: AblateArg,
    /// Prompt to start with.
    #[arg(long)]
    pub(super) prompt: Option<String>,
    /// Render until the prompt is fully shown, save a PNG of the window here, and exit.
    #[arg(long, value_name = "PATH")]
    pub(super) screenshot: Option<PathBuf>,
    /// Window size.
    #[arg(long, default_value = "1280x720", value_name = "WxH")]
    pub(super) size: String,
    /// Start at this station (0 = receiving dock, counting along the hall) instead of the home view.
    #[arg(long, value_name = "N")]
    pub(super) station: Option<usize>,
    /// Start in this room: embedding, scale or overview (the camera goes there), positions, cost or training
    /// (the window opens, beside --station if given).
    #[arg(long, value_name = "ROOM", value_parser = parse_room)]
    pub(super) room: Option<crate::rooms::Room>,
    /// Guided tour file [default: assets/tours/default.ron]
    #[arg(long, value_name = "FILE")]
    pub(super) tour: Option<PathBuf>,
    /// Start the guided tour at once.
    #[arg(long)]
    pub(super) start_tour: bool,
    /// Where "Save view as tour stop" (K) appends its stops [default: my-tour.ron]
    #[arg(long, value_name = "FILE")]
    pub(super) save_tour: Option<PathBuf>,
    /// Print the frame rate every 5 seconds (frames, median and slowest frame time).
    #[arg(long)]
    pub(super) fps: bool,
    /// Show station N's machine alone (with --station): no crates, data, signs, other stations
    /// or overlay; for a picture of its shape.
    #[arg(long, requires = "station")]
    pub(super) silhouette: bool,
    /// Render preset: low (no shadows, no multisampling, no bloom) or high (the sun's shadows, 4x
    /// multisampling, bloom) [default: low on a software renderer, else high].
    #[arg(long, value_name = "PRESET", value_parser = parse_quality)]
    pub(super) quality: Option<crate::app::Quality>,
    /// Language of the captions, signs and panels: en or de, any case; a region (de-AT, en_GB) is
    /// read as its language [default: the kiosk config's, else en].
    #[arg(long, value_name = "CODE", value_parser = parse_lang)]
    pub(super) lang: Option<crate::i18n::Lang>,
    /// Museum kiosk: fullscreen, simple controls, attract loop when idle, Esc does not quit.
    #[arg(long)]
    pub(super) kiosk: bool,
    /// Kiosk settings [default: assets/kiosk/kiosk.ron]
    #[arg(long, value_name = "FILE", requires = "kiosk")]
    pub(super) kiosk_config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(super) struct TraceArgs {
    #[command(flatten)]
    pub(super) model: ModelArg,
    #[command(flatten)]
    pub(super) ablate: AblateArg,
    /// Text to run through the model.
    #[arg(long)]
    pub(super) prompt: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub(super) json: bool,
    /// With --json: include every intermediate of every layer.
    #[arg(long, requires = "json")]
    pub(super) full: bool,
    /// How many next-token candidates to list.
    #[arg(long, default_value_t = 5)]
    pub(super) top: usize,
}

#[derive(Debug, Args)]
pub(super) struct SamplingArgs {
    /// Temperature: 0 always picks the most likely token; higher is more adventurous.
    #[arg(long, default_value_t = SamplingParams::default().temperature, allow_negative_numbers = true)]
    pub(super) temperature: f32,
    /// Keep only the K most likely tokens.
    #[arg(long, value_name = "K")]
    pub(super) top_k: Option<usize>,
    /// Keep the most likely tokens until their probabilities add up to P (0 < P ≤ 1).
    #[arg(
        long,
        value_name = "P",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    pub(super) top_p: f32,
    /// Seed of the random draw; the same seed gives the same text.
    #[arg(long, default_value_t = SamplingParams::default().seed)]
    pub(super) seed: u64,
}

impl SamplingArgs {
    pub(super) fn params(&self) -> SamplingParams {
        SamplingParams {
            temperature: self.temperature,
            top_k: self.top_k,
            top_p: self.top_p,
            seed: self.seed,
        }
    }
}

#[derive(Debug, Args)]
pub(super) struct GenerateArgs {
    #[command(flatten)]
    pub(super) model: ModelArg,
    #[command(flatten)]
    pub(super) ablate: AblateArg,
    /// Text to continue.
    #[arg(long)]
    pub(super) prompt: String,
    /// How many tokens to add.
    #[arg(long, default_value_t = 40)]
    pub(super) max_new_tokens: usize,
    #[command(flatten)]
    pub(super) sampling: SamplingArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub(super) json: bool,
}

#[derive(Debug, Args)]
pub(super) struct BenchArgs {
    /// The model (a folder, a name under models/ or a cached hub id); without it, random weights of
    /// factory-small's size (4 layers, 4 heads, 128 dims, vocab 4096, context 128; the default model,
    /// factory-everyday, has 6 layers). --scene without it uses the default model.
    #[arg(long, value_name = "DIR|NAME|ID", conflicts_with = "gpt2_shape")]
    pub(super) model: Option<String>,
    /// A model of GPT-2 small's shape (12 layers, 12 heads, 768 dims, vocab 50257, context 1024)
    /// with random weights: its speed without its weights.
    #[arg(long)]
    pub(super) gpt2_shape: bool,
    /// Tokens in the full trace.
    #[arg(long, default_value_t = 64)]
    pub(super) tokens: usize,
    /// Timed runs per measurement.
    #[arg(long, default_value_t = 200)]
    pub(super) iters: usize,
    /// Time the scene instead: frames of the headless factory with this many tokens and every beam lit.
    #[arg(long, conflicts_with = "train")]
    pub(super) scene: bool,
    /// Time training steps instead (factory-small's size, the `train` defaults: 4 layers, 4 heads,
    /// 128 dims; batch 16 × 128, random tokens).
    #[arg(long)]
    pub(super) train: bool,
}

#[derive(Debug, Args)]
pub(super) struct RecordArgs {
    #[command(flatten)]
    pub(super) model: ModelArg,
    #[command(flatten)]
    pub(super) ablate: AblateArg,
    /// The prompt instead of the tour's (every stop that runs a prompt runs this one).
    #[arg(long)]
    pub(super) prompt: Option<String>,
    /// Tour to play [default: assets/tours/default.ron]
    #[arg(long, value_name = "FILE")]
    pub(super) tour: Option<PathBuf>,
    /// A folder for numbered PNG frames, or a file ending in .mp4 (needs ffmpeg).
    #[arg(long, value_name = "PATH")]
    pub(super) out: PathBuf,
    /// Frame size.
    #[arg(long, default_value = "1280x720", value_name = "WxH")]
    pub(super) size: String,
    /// Frames per second (time advances exactly 1/fps per frame).
    #[arg(long, default_value_t = 30)]
    pub(super) fps: u32,
    /// Number of frames.
    #[arg(long, conflicts_with = "seconds")]
    pub(super) frames: Option<usize>,
    /// Length in seconds [default: the whole tour].
    #[arg(long)]
    pub(super) seconds: Option<f64>,
    /// Sampling seed.
    #[arg(long, default_value_t = SamplingParams::default().seed)]
    pub(super) seed: u64,
    /// Also save one picture per tour stop in this folder (stop-01.png, ...), for slides.
    #[arg(long, value_name = "DIR")]
    pub(super) stills: Option<PathBuf>,
    /// Seconds of title card (the tour's title, the model, the prompt) before the tour; 0 for none.
    #[arg(long, default_value_t = 3.0, value_name = "S")]
    pub(super) title_seconds: f32,
    /// Language of the captions (on screen and in the .vtt file) and the overlay: en or de, any
    /// case; a region (de-AT, en_GB) is read as its language.
    #[arg(long, default_value = "en", value_name = "CODE", value_parser = parse_lang)]
    pub(super) lang: crate::i18n::Lang,
}

/// `--lang CODE`: a language we ship ("en", "de", "de-AT"...).
fn parse_lang(code: &str) -> Result<crate::i18n::Lang, String> {
    crate::i18n::Lang::parse(code)
}

#[derive(Debug, Args)]
pub(super) struct TrainArgs {
    /// Text files to learn from (UTF-8).
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    pub(super) corpus: Vec<PathBuf>,
    /// Output folder (model, tokenizer, checkpoints, log, loss plot).
    #[arg(long, value_name = "DIR")]
    pub(super) out: PathBuf,
    /// Transformer blocks.
    #[arg(long, default_value_t = TrainOptions::default().layers)]
    pub(super) layers: usize,
    /// Attention heads per block.
    #[arg(long, default_value_t = TrainOptions::default().heads)]
    pub(super) heads: usize,
    /// Width of the residual stream.
    #[arg(long, default_value_t = TrainOptions::default().embd)]
    pub(super) embd: usize,
    /// Context length in tokens.
    #[arg(long, default_value_t = TrainOptions::default().context)]
    pub(super) context: usize,
    /// Vocabulary size of the tokenizer trained on the corpus.
    #[arg(long, default_value_t = TrainOptions::default().vocab)]
    pub(super) vocab: usize,
    /// Optimisation steps in total.
    #[arg(long, default_value_t = TrainOptions::default().steps)]
    pub(super) steps: usize,
    /// Sequences per step.
    #[arg(long, default_value_t = TrainOptions::default().batch)]
    pub(super) batch: usize,
    /// Peak learning rate (warm-up, then cosine decay to a tenth).
    #[arg(long, default_value_t = TrainOptions::default().lr)]
    pub(super) lr: f64,
    /// Steps of linear learning-rate warm-up.
    #[arg(long, default_value_t = TrainOptions::default().warmup)]
    pub(super) warmup: usize,
    /// Seed for initialisation and batches.
    #[arg(long, default_value_t = TrainOptions::default().seed)]
    pub(super) seed: u64,
    /// Use this tokenizer.json instead of training one.
    #[arg(long, value_name = "FILE")]
    pub(super) tokenizer: Option<PathBuf>,
    /// Validation every N steps.
    #[arg(long, default_value_t = TrainOptions::default().eval_every)]
    pub(super) eval_every: usize,
    /// Checkpoint every N steps (and at the end, and on Ctrl-C).
    #[arg(long, default_value_t = TrainOptions::default().save_every)]
    pub(super) save_every: usize,
    /// Also save a complete model folder (f16) every N steps in OUT/snapshots/step-NNNNNN/, the
    /// untrained step 0 and the last step included (0: none).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(super) snapshot_every: usize,
    /// Snapshots at these steps too, e.g. 0,50,200,1000 (closer together early, where a model
    /// changes most).
    #[arg(long, value_delimiter = ',', value_name = "STEPS")]
    pub(super) snapshot_at: Vec<usize>,
    /// Continue the run saved in --out (its shape and schedule are kept, --steps may grow; give the
    /// same corpus again, rebuilt by its script if need be).
    #[arg(long)]
    pub(super) resume: bool,
    /// Start from the weights of this model folder instead of random ones: its shape and tokenizer
    /// are kept (--layers, --heads, --embd, --context, --vocab, --tokenizer are ignored), with a new
    /// warm-up and decay and fresh optimiser moments. To train an existing model further.
    #[arg(long, value_name = "DIR", conflicts_with = "resume")]
    pub(super) init: Option<PathBuf>,
}

/// Parses a room's name (any case).
pub fn parse_room(s: &str) -> Result<crate::rooms::Room> {
    use crate::rooms::Room;
    Ok(match s.to_ascii_lowercase().as_str() {
        "embedding" => Room::Embedding,
        "scale" => Room::Scale,
        "positions" => Room::Positions,
        "cost" => Room::Cost,
        "training" => Room::Training,
        "overview" => Room::Overview,
        _ => anyhow::bail!(
            "no room {s:?}: the rooms are embedding, scale, overview, positions, cost and training"
        ),
    })
}

/// Parses a render preset's name (`--quality`).
pub fn parse_quality(s: &str) -> Result<crate::app::Quality> {
    use crate::app::Quality;
    Ok(match s.to_ascii_lowercase().as_str() {
        "low" => Quality::Low,
        "high" => Quality::High,
        _ => anyhow::bail!("no render preset {s:?}: the presets are low and high"),
    })
}

/// Parses `WIDTHxHEIGHT`.
pub fn parse_size(s: &str) -> Result<(u32, u32)> {
    let parsed = s
        .split_once(['x', 'X'])
        .and_then(|(w, h)| Some((w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?)));
    match parsed {
        Some((w, h)) if (64..=8192).contains(&w) && (64..=8192).contains(&h) => Ok((w, h)),
        _ => anyhow::bail!("size must look like 1280x720 (each side 64 to 8192), not {s:?}"),
    }
}

#[derive(Debug, Args)]
pub(super) struct NeighboursArgs {
    #[command(flatten)]
    pub(super) model: ModelArg,
    /// A single-token word (looked up as " word", the form inside a sentence, else as written).
    #[arg(required_unless_present = "expr", conflicts_with = "expr")]
    pub(super) word: Option<String>,
    /// Vector arithmetic on single-token words, e.g. "king - man + woman".
    #[arg(long)]
    pub(super) expr: Option<String>,
    /// How many neighbours to list.
    #[arg(long, default_value_t = 10)]
    pub(super) top: usize,
    /// Also report the rank of this word among all tokens (the answer you expect).
    #[arg(long, value_name = "WORD")]
    pub(super) expect: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub(super) json: bool,
}

#[derive(Debug, Args)]
pub(super) struct ScoreArgs {
    #[command(flatten)]
    pub(super) model: ModelArg,
    /// Texts to score, each on its own (or use --file).
    #[arg(required_unless_present = "file")]
    pub(super) texts: Vec<String>,
    /// A text file: every non-empty line is scored on its own.
    #[arg(long, value_name = "FILE", conflicts_with = "texts")]
    pub(super) file: Option<PathBuf>,
}
