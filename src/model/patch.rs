//! Activation patching (denoising, as in causal tracing and TransformerLens's tutorials): a clean
//! prompt A and a corrupted prompt B of the same token length; B runs again with one activation
//! taken from A's unpatched run, everything after it recomputed, once for every layer and position
//! (or head), and a metric is read at the last position.
//!
//! Sites, each read at [`Gpt::forward_tapped`]'s points: `resid_pre[l][p]`, row p of the stream
//! entering block l (l = 0: wte + wpe); `attn_out[l][p]`, row p of the attention output after
//! c_proj, bias included; `mlp_out[l][p]`, row p of the FFN's output after its c_proj, bias
//! included; `head[l][h]`, that head's weights · values before c_proj, at every position (the point
//! `--ablate head:L.H` zeroes). Ablations apply to both runs.
//!
//! Metrics, at the last position, temperature 1, nothing cut: `prob:TOKEN`, that token's
//! probability; `diff:TOKEN1,TOKEN2`, TOKEN1's logit minus TOKEN2's.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use candle_core::{Device, Tensor};

use super::error::{ModelError, Result};
use super::splice::{Part, Splice};
use super::{Ablations, Gpt, Tokenizer};

/// Where an activation is taken from A's run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// The stream entering a block, one position.
    ResidPre,
    /// A block's attention output, one position.
    AttnOut,
    /// A block's FFN output, one position.
    MlpOut,
    /// One head's output, every position.
    Head,
}

impl std::str::FromStr for Site {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s {
            "resid_pre" => Site::ResidPre,
            "attn_out" => Site::AttnOut,
            "mlp_out" => Site::MlpOut,
            "head" => Site::Head,
            other => {
                return Err(format!(
                    "{other:?} is not a site: resid_pre, attn_out, mlp_out or head"
                ));
            }
        })
    }
}

impl Site {
    /// Its name as the command line and the JSON write it.
    pub fn name(self) -> &'static str {
        match self {
            Site::ResidPre => "resid_pre",
            Site::AttnOut => "attn_out",
            Site::MlpOut => "mlp_out",
            Site::Head => "head",
        }
    }

    /// The grid's columns: a model's `heads` for a head, else the prompts' `tokens`.
    fn columns(self, heads: usize, tokens: usize) -> usize {
        match self {
            Site::Head => heads,
            _ => tokens,
        }
    }

    /// What is taken at column `i` of the site's grid (a position, or a head).
    fn part(self, i: usize) -> Part {
        match self {
            Site::Head => Part::Head(i),
            _ => Part::Row(i),
        }
    }

    /// The tap ([`Gpt::forward_tapped`]) holding the site's activation of block `layer`.
    fn tap(self, layer: usize) -> String {
        match self {
            Site::ResidPre => super::gpt::entering(layer),
            Site::AttnOut => format!("h.{layer}.attn"),
            Site::MlpOut => format!("h.{layer}.mlp"),
            Site::Head => format!("h.{layer}.heads"),
        }
    }
}

/// What is read at the last position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// The probability of this token.
    Prob(u32),
    /// This token's logit minus that one's.
    Diff(u32, u32),
}

/// One token named as text (byte for byte, leading space included) or as `#ID`.
fn one_token(tok: &Tokenizer, text: &str) -> std::result::Result<u32, String> {
    if let Some(id) = text.strip_prefix('#').and_then(|n| n.parse::<u32>().ok()) {
        return if (id as usize) < tok.vocab_size() {
            Ok(id)
        } else {
            Err(format!(
                "#{id} is not a token id of this model (0 to {})",
                tok.vocab_size() - 1
            ))
        };
    }
    match tok.encode(text).map_err(|e| e.to_string())?[..] {
        [id] => Ok(id),
        ref ids => Err(format!(
            "{text:?} is {} tokens ({}), not one",
            ids.len(),
            ids.iter()
                .map(|&i| format!("{:?}", tok.token_text(i)))
                .collect::<Vec<_>>()
                .join(" + ")
        )),
    }
}

impl Metric {
    /// Reads `prob:TOKEN` or `diff:TOKEN1,TOKEN2` (for `diff` every comma is tried as the separator
    /// and exactly one split must give two single tokens).
    pub fn parse(spec: &str, tok: &Tokenizer) -> std::result::Result<Self, String> {
        if let Some(t) = spec.strip_prefix("prob:") {
            return Ok(Metric::Prob(one_token(tok, t)?));
        }
        let Some(pair) = spec.strip_prefix("diff:") else {
            return Err(format!(
                "--metric {spec:?}: want prob:TOKEN or diff:TOKEN1,TOKEN2"
            ));
        };
        let splits: Vec<(&str, &str)> = pair
            .match_indices(',')
            .map(|(i, _)| (&pair[..i], &pair[i + 1..]))
            .collect();
        let good: Vec<(u32, u32)> = splits
            .iter()
            .filter_map(|(a, b)| Some((one_token(tok, a).ok()?, one_token(tok, b).ok()?)))
            .collect();
        match good[..] {
            [(a, b)] => Ok(Metric::Diff(a, b)),
            _ => Err(format!(
                "--metric {spec:?}: exactly one comma must split it into two single tokens; \
                 the splits tried: {}",
                if splits.is_empty() {
                    "none (no comma)".to_string()
                } else {
                    splits
                        .iter()
                        .map(|(a, b)| format!("{a:?} | {b:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )),
        }
    }

    /// The metric of the logits at the last position.
    fn read(self, logits: &[f32]) -> f64 {
        match self {
            Metric::Prob(id) => {
                let m = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
                let z: f64 = logits.iter().map(|&l| (l as f64 - m).exp()).sum();
                (logits[id as usize] as f64 - m).exp() / z
            }
            Metric::Diff(a, b) => logits[a as usize] as f64 - logits[b as usize] as f64,
        }
    }
}

/// The patching grid and the metric of both unpatched runs.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchGrid {
    /// The metric of A's run.
    pub clean: f64,
    /// The metric of B's run.
    pub corrupt: f64,
    /// `grid[layer][position]` (`grid[layer][head]` for heads): B's metric with that activation
    /// from A.
    pub grid: Vec<Vec<f64>>,
}

/// Runs `ids` with `tap`, the last position's logits (only those are unembedded, as in every
/// patched run).
fn last_logits(
    gpt: &Gpt,
    ids: &[u32],
    abl: &Ablations,
    tap: &mut super::gpt::Tap,
) -> Result<Vec<f32>> {
    let x = Tensor::from_vec(ids.to_vec(), (1, ids.len()), &Device::Cpu)?;
    gpt.last_logits_from((0, gpt.stream_in(&x, abl)?), abl, tap)
}

/// One cell of a patching grid, to run on the floor: the floor's prompt (the corrupted one) runs
/// with the activation at `site`, block `layer`, column `index` (a position, or a head) taken from
/// the `clean` prompt's run.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchSpec {
    /// The clean prompt's tokens.
    pub clean: Vec<u32>,
    /// Where the activation is taken.
    pub site: Site,
    /// The block.
    pub layer: usize,
    /// The position (the head for [`Site::Head`]).
    pub index: usize,
}

impl PatchSpec {
    /// The clean run's activation at the spec's place, with `abl`'s parts switched off (as the
    /// floor's run will have them), for [`super::KvCache::with_splice`].
    pub fn splice(&self, gpt: &Gpt, abl: &Ablations) -> Result<Splice> {
        let cfg = gpt.config();
        let columns = self.site.columns(cfg.n_head, self.clean.len());
        if self.layer >= cfg.n_layer || self.index >= columns || self.clean.is_empty() {
            return Err(ModelError::Prompt(format!(
                "no {} at layer {} column {} in a model of {} layers for {} tokens",
                self.site.name(),
                self.layer,
                self.index,
                cfg.n_layer,
                self.clean.len()
            )));
        }
        let station = self.site.tap(self.layer);
        let mut from = None;
        last_logits(gpt, &self.clean, abl, &mut |name, x| {
            if name == station {
                from = Some(x.clone());
            }
            Ok(x)
        })?;
        let from = from.ok_or_else(|| ModelError::Prompt(format!("no station {station}")))?;
        Ok(Splice {
            station,
            part: self.site.part(self.index),
            from,
        })
    }
}

/// The patching grid of `site` for clean `a` and corrupted `b` (the same token length), read with
/// `metric`; `progress(done, total)` after each run; `stop` ends it early with an error.
pub fn patch(
    gpt: &Gpt,
    (a, b): (&[u32], &[u32]),
    (site, metric): (Site, Metric),
    abl: &Ablations,
    progress: &mut dyn FnMut(usize, usize),
    stop: &AtomicBool,
) -> Result<PatchGrid> {
    if a.len() != b.len() {
        return Err(ModelError::Prompt(format!(
            "the clean prompt has {} tokens and the corrupted one {}: patching needs the same \
             length (position p of one is position p of the other)",
            a.len(),
            b.len()
        )));
    }
    if a.is_empty() {
        return Err(ModelError::Prompt("the prompts have no tokens".into()));
    }
    let cfg = gpt.config();
    let mut clean_acts: HashMap<String, Tensor> = HashMap::new();
    let clean = metric.read(&last_logits(gpt, a, abl, &mut |name, x| {
        clean_acts.insert(name.to_string(), x.clone());
        Ok(x)
    })?);
    // the corrupted run's stream entering each block: a patched run starts at its block with it
    // (the blocks below it are the corrupted run's, unchanged); and each block's keys and values:
    // a run patched at position p starts there (the rows before it are the corrupted run's too)
    let mut streams: HashMap<String, Tensor> = HashMap::new();
    let mut kv = Vec::with_capacity(cfg.n_layer);
    let corrupt = metric.read(&last_logits(gpt, b, abl, &mut |name, x| {
        if name == "embed" || name.ends_with(".resid_ffn") {
            streams.insert(name.to_string(), x.clone());
        }
        if name.ends_with(".ln_1") {
            let (_, k, v) =
                gpt.blocks[kv.len()]
                    .attn
                    .qkv(&x, false, &mut super::block::untouched)?;
            kv.push((k, v));
        }
        Ok(x)
    })?);
    let columns = site.columns(cfg.n_head, a.len());
    let total = cfg.n_layer * columns;
    let mut grid = vec![vec![0.0; columns]; cfg.n_layer];
    for (layer, row) in grid.iter_mut().enumerate() {
        let target = site.tap(layer);
        let from = &clean_acts[&target];
        for (i, cell) in row.iter_mut().enumerate() {
            if stop.load(Ordering::Relaxed) {
                return Err(ModelError::Prompt("patching stopped".into()));
            }
            let s = Splice {
                station: target.clone(),
                part: site.part(i),
                from: from.clone(),
            };
            // a row's run starts at its position; a head's at 0 (it is patched at every position)
            let p = match s.part {
                Part::Row(p) => p,
                Part::Head(_) => 0,
            };
            let entering = &streams[&super::gpt::entering(layer)];
            let start = (layer, entering.narrow(1, p, a.len() - p)?);
            let mut tap = |name: &str, x: Tensor| s.apply(name, x, p);
            *cell = metric.read(&gpt.last_logits_after(start, (p, &kv), abl, &mut tap)?);
            progress(layer * columns + i + 1, total);
        }
    }
    Ok(PatchGrid {
        clean,
        corrupt,
        grid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_are_read_by_name() {
        for s in [Site::ResidPre, Site::AttnOut, Site::MlpOut, Site::Head] {
            assert_eq!(s.name().parse::<Site>(), Ok(s));
        }
        assert!("resid".parse::<Site>().unwrap_err().contains("resid_pre"));
        assert_eq!(Site::ResidPre.tap(0), "embed");
        assert_eq!(Site::ResidPre.tap(3), "h.2.resid_ffn");
    }

    #[test]
    fn a_metric_reads_the_last_position() {
        let logits = [1.0f32, 2.0, 0.5];
        let p = Metric::Prob(1).read(&logits);
        let z: f64 = [1.0f64, 2.0, 0.5].iter().map(|l| l.exp()).sum();
        assert!((p - 2.0f64.exp() / z).abs() < 1e-12);
        assert_eq!(Metric::Diff(1, 2).read(&logits), 1.5);
    }
}
