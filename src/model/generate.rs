//! The autoregressive loop: prompt text to ids, then one cached step per new token.

use super::ablate::Ablations;
use super::error::{ModelError, Result};
use super::gpt::{Gpt, KvCache};
use super::sample::{Candidate, Sampler};
use super::tokenizer::Tokenizer;

use crate::limits::MAX_PROMPT_CHARS;

/// A tokenized prompt that fits the model's context.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptIds {
    /// The ids to run (at most `n_positions`).
    pub ids: Vec<u32>,
    /// How many leading tokens were dropped to fit the context.
    pub dropped: usize,
}

impl PromptIds {
    /// A sentence for the user when tokens were dropped, else `None`.
    pub fn notice(&self) -> Option<String> {
        (self.dropped > 0).then(|| {
            format!(
                "the prompt is longer than the model's context: the first {} tokens were dropped, the last {} kept",
                self.dropped,
                self.ids.len()
            )
        })
    }
}

/// Tokenizes `text`, keeping the last `n_positions` tokens.
pub fn encode_prompt(tok: &Tokenizer, text: &str, n_positions: usize) -> Result<PromptIds> {
    if text.chars().count() > MAX_PROMPT_CHARS {
        return Err(ModelError::Prompt(format!(
            "the prompt is longer than {MAX_PROMPT_CHARS} characters"
        )));
    }
    if text.trim().is_empty() {
        return Err(ModelError::Prompt(
            "the prompt is empty: type some words for the model to continue".into(),
        ));
    }
    let mut ids = tok.encode(text)?;
    if ids.is_empty() {
        return Err(ModelError::Prompt(
            "the prompt turned into no tokens".into(),
        ));
    }
    let dropped = ids.len().saturating_sub(n_positions);
    ids.drain(..dropped);
    Ok(PromptIds { ids, dropped })
}

/// One generated token with the candidates it was drawn from.
#[derive(Debug, Clone)]
pub struct Step {
    /// The chosen id.
    pub id: u32,
    /// Candidates after temperature / top-k / top-p, most likely first.
    pub candidates: Vec<Candidate>,
    /// True when the context was full and the window slid (a full recompute, not a cached step).
    pub slid: bool,
}

/// Generates up to `max_new` tokens after `prompt`, using the key/value cache.
///
/// The model never sees more than `n_positions` tokens. When the cache is full, the window slides:
/// the cache is rebuilt from the last `n_positions / 2` tokens (one full recompute), and cached
/// steps go on from there until it fills again.
pub fn generate(
    gpt: &Gpt,
    prompt: &[u32],
    max_new: usize,
    sampler: &mut Sampler,
    on_step: impl FnMut(&Step),
) -> Result<Vec<u32>> {
    generate_ablated(gpt, prompt, max_new, sampler, &Ablations::none(), on_step)
}

/// [`generate`] with parts of the model switched off (every step, cached or recomputed).
pub fn generate_ablated(
    gpt: &Gpt,
    prompt: &[u32],
    max_new: usize,
    sampler: &mut Sampler,
    ablations: &Ablations,
    mut on_step: impl FnMut(&Step),
) -> Result<Vec<u32>> {
    let n_pos = gpt.config().n_positions;
    let mut all = prompt.to_vec();
    let mut cache = KvCache::with_ablations(ablations.clone());
    let mut logits = gpt.next_logits(prompt, &mut cache)?;
    let mut out = Vec::with_capacity(max_new);
    let mut slid = false;
    for _ in 0..max_new {
        let (id, candidates) = sampler.sample(&logits);
        on_step(&Step {
            id,
            candidates,
            slid,
        });
        out.push(id);
        all.push(id);
        if out.len() == max_new {
            break;
        }
        slid = cache.len() >= n_pos;
        if slid {
            cache.clear();
            logits = gpt.next_logits(&all[all.len() - slide_keep(n_pos)..], &mut cache)?;
        } else {
            logits = gpt.next_logits(&[id], &mut cache)?;
        }
    }
    Ok(out)
}

/// How many of the latest tokens stay in view when a full context window slides.
pub fn slide_keep(n_positions: usize) -> usize {
    (n_positions / 2).max(1)
}
