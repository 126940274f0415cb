//! How well the model predicts a text: the cross-entropy of each token given the ones before it,
//! and the perplexities people compare models by.

use candle_core::{D, Tensor};

use super::error::{ModelError, Result};
use super::gpt::Gpt;
use super::tokenizer::Tokenizer;

/// The model's surprise at one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// Tokens of the text.
    pub tokens: usize,
    /// Tokens predicted: all but the first (it has nothing before it).
    pub predicted: usize,
    /// Words (runs of non-space) in the predicted part, the text after the first token.
    pub words: usize,
    /// Sum over predicted tokens of −ln p(token | the tokens before it), in nats.
    pub nll: f64,
    /// −ln p of each predicted token, in order.
    pub per_token: Vec<f64>,
}

impl Score {
    /// exp(mean NLL per predicted token).
    pub fn token_perplexity(&self) -> f64 {
        (self.nll / self.predicted.max(1) as f64).exp()
    }

    /// exp(NLL per predicted word): comparable across tokenizers.
    pub fn word_perplexity(&self) -> f64 {
        (self.nll / self.words.max(1) as f64).exp()
    }
}

/// Each token's surprise, −ln p(token | the tokens before it), for tokens 1.. of `ids` (the first
/// has nothing before it), in windows of the model's context (a longer text continues in the next
/// window with the previous window's last token as its start).
pub fn surprises(gpt: &Gpt, ids: &[u32]) -> Result<Vec<f64>> {
    let ctx = gpt.config().n_positions.max(2);
    let mut per_token = Vec::with_capacity(ids.len().saturating_sub(1));
    let mut start = 0;
    while start + 1 < ids.len() {
        let end = (start + ctx).min(ids.len());
        let window = &ids[start..end];
        let x =
            Tensor::new(&window[..window.len() - 1], &candle_core::Device::Cpu)?.unsqueeze(0)?;
        // (1, T, V) -> log-probabilities of every next token
        let logp = candle_nn::ops::log_softmax(&gpt.forward_all(&x)?.squeeze(0)?, D::Minus1)?;
        let logp = logp.to_vec2::<f32>()?;
        for (row, &next) in logp.iter().zip(&window[1..]) {
            let lp = row.get(next as usize).ok_or_else(|| {
                ModelError::Prompt(format!(
                    "token id {next} is outside this model's vocabulary of {}",
                    row.len()
                ))
            })?;
            per_token.push(-(*lp as f64));
        }
        start = end - 1;
    }
    Ok(per_token)
}

/// Scores `text`: each token given every token before it, in windows of the model's context (a
/// longer text continues in the next window with the previous window's last token as its start).
pub fn score(gpt: &Gpt, tokenizer: &Tokenizer, text: &str) -> Result<Score> {
    let ids = tokenizer.encode(text)?;
    if ids.len() < 2 {
        return Err(ModelError::Prompt(format!(
            "{text:?} is {} token; scoring needs at least two (the first is given)",
            ids.len()
        )));
    }
    let per_token = surprises(gpt, &ids)?;
    let rest: String = ids[1..]
        .iter()
        .map(|&id| tokenizer.token_text(id))
        .collect();
    Ok(Score {
        tokens: ids.len(),
        predicted: per_token.len(),
        words: rest.split_whitespace().count(),
        nll: per_token.iter().sum(),
        per_token,
    })
}
