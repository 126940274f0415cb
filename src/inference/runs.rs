//! The runs a task does (a prompt, an appended token, the floor again), what they give back, and
//! why one gave no trace.

use std::sync::Arc;

use bevy::prelude::*;

use crate::model::generate::{encode_prompt, slide_keep};
use crate::model::patch::PatchSpec;
use crate::model::{Ablations, KvCache, LoadedModel, ModelError, Record, Trace};

/// Why a request gave no trace: the user's input, or the model itself.
#[derive(Debug, thiserror::Error)]
pub enum InferenceError {
    /// The prompt cannot be run (empty, too long, no tokens): the user can fix it.
    #[error("{0}")]
    Prompt(ModelError),
    /// The model failed on a good request (a broken folder, a bug): not the user's doing.
    #[error("{0}")]
    Model(ModelError),
}

impl InferenceError {
    fn from_model(e: ModelError) -> Self {
        match e {
            ModelError::Prompt(_) | ModelError::TokenId { .. } => Self::Prompt(e),
            other => Self::Model(other),
        }
    }

    /// True when the prompt was at fault (not the model).
    pub fn is_prompt(&self) -> bool {
        matches!(self, Self::Prompt(_))
    }
}

/// A finished trace and what came with it.
#[derive(Debug)]
pub struct Computed {
    /// Every number the model computed for the new tokens.
    pub trace: Trace,
    /// The new tokens' texts.
    pub texts: Vec<String>,
    /// Something the user should know (e.g. the prompt was cut to fit the context).
    pub notice: Option<String>,
    /// Tokens of the previous floor no longer shown (a slid window).
    pub dropped: usize,
    /// The parts switched off for this run.
    pub ablations: Ablations,
    /// The activation of another run put into this one (a patched run), if any.
    pub patch: Option<PatchSpec>,
    /// With ablations: the next-token logits of the same tokens with nothing switched off, for
    /// the dock's before → after.
    pub baseline_logits: Option<Vec<f32>>,
    /// Wall time of the traced run, milliseconds (one cached step when the trace is one token
    /// after cached ones, else a full run of every token).
    pub trace_ms: f64,
}

/// A finished run of the model, sent once per request that was not superseded.
#[derive(Message, Debug)]
pub struct Outcome {
    /// The trace, or why there is none.
    pub result: Result<Computed, Arc<InferenceError>>,
    /// From a `Request::Prompt` (a new prompt, not an appended token).
    pub prompt: bool,
    /// The floor's tokens run again (new ablations, weights or patch).
    pub rerun: bool,
}

/// What a task gives back: its outcome and the cache it ran with.
pub(super) struct Run {
    pub(super) outcome: Outcome,
    pub(super) cache: KvCache,
    /// The tokens the cache now holds (the whole floor), when the run succeeded.
    pub(super) ids: Option<Vec<u32>>,
    pub(super) serial: u64,
}

/// `run` on `cache` with `spec`'s activation put into its runs (the clean prompt run once, unless
/// the cache has it already), its outcome saying which patch it ran with: none where the spec
/// could not resolve (the log says why) or the cache lost it (the window slid).
pub(super) fn with_patch(
    model: &LoadedModel,
    cache: KvCache,
    spec: Option<PatchSpec>,
    run: impl FnOnce(KvCache) -> Run,
) -> Run {
    let cache = match &spec {
        Some(spec) if cache.splice().is_none() => {
            match spec.splice(&model.gpt, cache.ablations()) {
                Ok(s) => cache.with_splice(Some(s)),
                Err(e) => {
                    warn!("the patched run could not take its activation ({e}): it runs unpatched");
                    cache
                }
            }
        }
        _ => cache,
    };
    let mut run = run(cache);
    if let Ok(c) = run.outcome.result.as_mut() {
        c.patch = spec.filter(|_| run.cache.splice().is_some());
    }
    run
}

/// Each token's text, as the floor labels its crates.
pub(crate) fn texts(model: &LoadedModel, ids: &[u32]) -> Vec<String> {
    ids.iter().map(|&i| model.tokenizer.token_text(i)).collect()
}

pub(super) fn run_prompt(model: &LoadedModel, text: &str, mut cache: KvCache, serial: u64) -> Run {
    let result = encode_prompt(&model.tokenizer, text, model.config.n_positions).and_then(|p| {
        let start = std::time::Instant::now();
        let trace = model.gpt.trace_with(&p.ids, &mut cache, Record::View)?;
        let trace_ms = start.elapsed().as_secs_f64() * 1e3;
        Ok((
            Computed {
                trace_ms,
                baseline_logits: baseline(model, &p.ids, cache.ablations())?,
                patch: None,
                ablations: cache.ablations().clone(),
                trace,
                texts: texts(model, &p.ids),
                notice: p.notice(),
                dropped: 0,
            },
            p.ids,
        ))
    });
    finish(result, cache, serial, true)
}

fn finish(
    result: Result<(Computed, Vec<u32>), ModelError>,
    cache: KvCache,
    serial: u64,
    prompt: bool,
) -> Run {
    let (result, ids) = match result {
        Ok((c, ids)) => (Ok(c), Some(ids)),
        Err(e) => (Err(Arc::new(InferenceError::from_model(e))), None),
    };
    Run {
        outcome: Outcome {
            result,
            prompt,
            rerun: false,
        },
        cache,
        ids,
        serial,
    }
}

/// With ablations, the next-token logits of `ids` with nothing switched off (a full run).
fn baseline(
    model: &LoadedModel,
    ids: &[u32],
    ablations: &Ablations,
) -> Result<Option<Vec<f32>>, ModelError> {
    if ablations.is_empty() {
        return Ok(None);
    }
    model.gpt.next_logits(ids, &mut KvCache::new()).map(Some)
}

/// Runs the last of `ids` with the cache. Without a matching cache (a cancelled run lost it) all ids
/// run again; when the context is full, the window slides and runs again.
pub(super) fn run_append(
    model: &LoadedModel,
    ids: Vec<u32>,
    mut cache: KvCache,
    serial: u64,
) -> Run {
    let n_pos = model.config.n_positions;
    let ablations = cache.ablations().clone();
    let start = std::time::Instant::now();
    let computed = |trace, texts, notice, dropped, shown: &[u32]| -> Result<Computed, ModelError> {
        Ok(Computed {
            trace_ms: start.elapsed().as_secs_f64() * 1e3,
            trace,
            texts,
            notice,
            dropped,
            baseline_logits: baseline(model, shown, &ablations)?,
            ablations: ablations.clone(),
            patch: None,
        })
    };
    let result = if cache.len() + 1 == ids.len() && ids.len() <= n_pos {
        let last = ids[ids.len() - 1];
        model
            .gpt
            .trace_with(&[last], &mut cache, Record::Step)
            .and_then(|t| {
                Ok((
                    computed(t, texts(model, &[last]), None, 0, &ids)?,
                    ids.clone(),
                ))
            })
    } else if ids.len() <= n_pos {
        cache.clear();
        model
            .gpt
            .trace_with(&ids, &mut cache, Record::View)
            .and_then(|t| Ok((computed(t, texts(model, &ids), None, 0, &ids)?, ids.clone())))
    } else {
        // the window slides: the patched position would be another token's, so the patch ends
        cache = cache.with_splice(None);
        let window = ids[ids.len() - slide_keep(n_pos).min(ids.len())..].to_vec();
        let dropped = ids.len() - window.len();
        model.gpt.trace_with(&window, &mut cache, Record::View).and_then(|t| {
            let note = format!(
                "the context of {n_pos} tokens was full: the factory now shows the last {} tokens",
                window.len()
            );
            Ok((
                computed(t, texts(model, &window), Some(note), dropped, &window)?,
                window.clone(),
            ))
        })
    };
    finish(result, cache, serial, false)
}
