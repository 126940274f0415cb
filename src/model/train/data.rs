//! The corpus and the batches: options checked before any work, files read, a held-out split,
//! and windows of tokens drawn by a seeded generator (so a resumed run sees the same batches).

use std::path::PathBuf;

use candle_core::{Device, Tensor};
use rand::Rng;
use rand::rngs::StdRng;

use super::super::error::{ModelError, Result};
use super::options::{TrainOptions, bad};

/// Checks the options and the corpus before any work; the errors say what to change.
pub fn check_options(o: &TrainOptions) -> Result<()> {
    if o.corpus.is_empty() {
        return Err(bad("give at least one --corpus text file"));
    }
    for (name, v) in [
        ("--layers", o.layers),
        ("--heads", o.heads),
        ("--embd", o.embd),
        ("--steps", o.steps),
        ("--batch", o.batch),
        ("--eval-every", o.eval_every),
        ("--save-every", o.save_every),
    ] {
        if v == 0 {
            return Err(bad(format!("{name} must be at least 1")));
        }
    }
    if o.context < 2 {
        return Err(bad("--context must be at least 2"));
    }
    if !o.embd.is_multiple_of(o.heads) {
        return Err(bad(format!(
            "--heads ({}) must divide --embd ({}): each head gets an equal slice of the vector",
            o.heads, o.embd
        )));
    }
    if o.tokenizer.is_none() && o.vocab < 258 {
        return Err(bad(
            "--vocab must be at least 258 (256 bytes, <|endoftext|> and one merge)",
        ));
    }
    if !(o.lr.is_finite() && o.lr > 0.0 && o.lr < 1.0) {
        return Err(bad(format!("--lr must be between 0 and 1, not {}", o.lr)));
    }
    if !(o.weight_decay.is_finite() && o.weight_decay >= 0.0) {
        return Err(bad("--weight-decay must be 0 or more"));
    }
    Ok(())
}

/// Reads the corpus files; each must exist and hold some text.
pub fn read_corpus(files: &[PathBuf]) -> Result<Vec<String>> {
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => ModelError::MissingFile {
                    path: path.clone(),
                    hint: " (corpus file)".into(),
                },
                std::io::ErrorKind::InvalidData => ModelError::Tokenizer {
                    path: path.clone(),
                    problem: "is not UTF-8 text".into(),
                },
                _ => ModelError::Io {
                    path: path.clone(),
                    source: e,
                },
            })?;
            if text.trim().is_empty() {
                return Err(ModelError::Tokenizer {
                    path: path.clone(),
                    problem: "is empty: a corpus file needs text to learn from".into(),
                });
            }
            Ok(text)
        })
        .collect()
}

/// Splits a token stream into training and validation parts: every 10th block of 1024 tokens
/// (at least one block) is held out.
pub fn split_tokens(tokens: &[u32], context: usize) -> (Vec<u32>, Vec<u32>) {
    let block = 1024.max(context + 1);
    let (mut train, mut val) = (Vec::new(), Vec::new());
    let n_blocks = tokens.len().div_ceil(block);
    for (i, chunk) in tokens.chunks(block).enumerate() {
        // hold out blocks 5, 15, 25, ... (or the last one when there are fewer than 10)
        let held = if n_blocks >= 10 {
            i % 10 == 5
        } else {
            i + 1 == n_blocks && n_blocks > 1
        };
        if held { &mut val } else { &mut train }.extend_from_slice(chunk);
    }
    if val.len() < context + 1 {
        // tiny corpora: hold out the last tenth
        let cut = tokens.len() - (tokens.len() / 10).max(context + 1).min(tokens.len() / 2);
        return (tokens[..cut].to_vec(), tokens[cut..].to_vec());
    }
    (train, val)
}

/// A batch of `batch` windows of `context + 1` tokens starting at random offsets chosen by `rng`.
pub(super) fn batch_at(
    tokens: &[u32],
    batch: usize,
    context: usize,
    rng: &mut StdRng,
) -> Result<(Tensor, Tensor)> {
    let max_start = tokens.len() - context - 1;
    let mut x = Vec::with_capacity(batch * context);
    let mut y = Vec::with_capacity(batch * context);
    for _ in 0..batch {
        let s = rng.random_range(0..=max_start);
        x.extend_from_slice(&tokens[s..s + context]);
        y.extend_from_slice(&tokens[s + 1..s + context + 1]);
    }
    Ok((
        Tensor::from_vec(x, (batch, context), &Device::Cpu)?,
        Tensor::from_vec(y, (batch, context), &Device::Cpu)?,
    ))
}
