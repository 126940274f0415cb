//! Choosing the next token: temperature, top-k, top-p and a seeded random draw.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::error::{ModelError, Result};

/// How the next token is chosen from the logits.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SamplingParams {
    /// Divides the logits before softmax: below 1 sharpens, above 1 flattens, 0 = always the top token.
    pub temperature: f32,
    /// Keep only the k most likely tokens (None = all).
    pub top_k: Option<usize>,
    /// Keep the smallest set of most likely tokens whose probabilities add up to at least p (1 = all).
    pub top_p: f32,
    /// Seed of the random draw: the same seed gives the same tokens.
    pub seed: u64,
}

impl Default for SamplingParams {
    fn default() -> Self {
        Self {
            temperature: 0.8,
            top_k: Some(40),
            top_p: 0.95,
            seed: 42,
        }
    }
}

impl SamplingParams {
    /// Refuses values that have no meaning, with a message saying what is allowed.
    pub fn validate(&self) -> Result<()> {
        let t = self.temperature;
        let range = crate::limits::TEMPERATURE;
        if !t.is_finite() || !range.contains(&t) {
            return Err(ModelError::Sampling(format!(
                "temperature must be a number from {} to {} (0 = always the most likely token), not {t}",
                range.start(),
                range.end()
            )));
        }
        if self.top_k == Some(0) {
            return Err(ModelError::Sampling(
                "top-k must be at least 1 (leave it out to keep every token)".into(),
            ));
        }
        let p = self.top_p;
        if !(p > 0.0 && p <= 1.0) {
            return Err(ModelError::Sampling(format!(
                "top-p must be above 0 and at most 1 (1 keeps every token), not {p}"
            )));
        }
        Ok(())
    }
}

/// One candidate for the next token after temperature, top-k and top-p.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Candidate {
    /// Token id.
    pub id: u32,
    /// Probability after filtering and renormalising (the candidates sum to 1).
    pub prob: f32,
}

/// Draws tokens with fixed settings and its own seeded random generator.
#[derive(Debug, Clone)]
pub struct Sampler {
    params: SamplingParams,
    rng: StdRng,
}

impl Sampler {
    /// A sampler; fails if a setting is out of range.
    pub fn new(params: SamplingParams) -> Result<Self> {
        params.validate()?;
        Ok(Self {
            params,
            rng: StdRng::seed_from_u64(params.seed),
        })
    }

    /// The settings in use.
    pub fn params(&self) -> &SamplingParams {
        &self.params
    }

    /// The tokens that can still be drawn, most likely first, with renormalised probabilities.
    pub fn candidates(&self, logits: &[f32]) -> Vec<Candidate> {
        candidates(logits, &self.params)
    }

    /// Draws the next token; returns it with the candidates it was drawn from.
    pub fn sample(&mut self, logits: &[f32]) -> (u32, Vec<Candidate>) {
        let cands = self.candidates(logits);
        let r: f64 = self.rng.random();
        let mut acc = 0.0f64;
        let mut chosen = cands.last().map(|c| c.id).unwrap_or(0);
        for c in &cands {
            acc += c.prob as f64;
            if r < acc {
                chosen = c.id;
                break;
            }
        }
        (chosen, cands)
    }
}

/// How the dock's probabilities came about, with every operand: for a kept candidate `c`,
/// `p(c) = exp((logit_c − max_logit) / T) / kept_sum`.
#[derive(Debug, Clone, PartialEq)]
pub struct Filtering {
    /// Tokens in the vocabulary.
    pub vocab: usize,
    /// Temperature (0: the most likely token is taken outright).
    pub temperature: f32,
    /// The highest logit (subtracted before `exp`, which changes nothing but overflow).
    pub max_logit: f32,
    /// Tokens left after top-k.
    pub after_top_k: usize,
    /// Tokens left after top-p (the smallest set, in order, whose probability reaches p).
    pub kept: usize,
    /// Σ over the kept tokens of `exp((logit − max_logit) / T)`.
    pub kept_sum: f64,
    /// The candidates, most likely first, with their probabilities.
    pub candidates: Vec<Candidate>,
}

/// Temperature, then top-k, then top-p, then renormalise, keeping every operand. Pure.
pub fn filtering(logits: &[f32], params: &SamplingParams) -> Filtering {
    let mut f = Filtering {
        vocab: logits.len(),
        temperature: params.temperature,
        max_logit: 0.0,
        after_top_k: 0,
        kept: 0,
        kept_sum: 0.0,
        candidates: Vec::new(),
    };
    if logits.is_empty() {
        return f;
    }
    let mut order: Vec<usize> = (0..logits.len()).collect();
    // NaN logits sort last and never win.
    let key = |i: usize| {
        let l = logits[i];
        if l.is_nan() { f32::NEG_INFINITY } else { l }
    };
    order.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
    f.max_logit = key(order[0]);
    if params.temperature == 0.0 {
        f.after_top_k = 1;
        f.kept = 1;
        f.kept_sum = 1.0;
        f.candidates = vec![Candidate {
            id: order[0] as u32,
            prob: 1.0,
        }];
        return f;
    }
    let k = params.top_k.unwrap_or(order.len()).clamp(1, order.len());
    order.truncate(k);
    let t = params.temperature as f64;
    let max = f.max_logit as f64;
    let weights: Vec<f64> = order
        .iter()
        .map(|&i| ((key(i) as f64 - max) / t).exp())
        .collect();
    let total: f64 = weights.iter().sum();
    // top-p: smallest prefix whose mass reaches p (at least one token)
    let mut keep = 0;
    let mut mass = 0.0;
    for w in &weights {
        keep += 1;
        mass += w / total;
        if mass >= params.top_p as f64 - 1e-12 {
            break;
        }
    }
    let kept_total: f64 = weights[..keep].iter().sum();
    f.after_top_k = k;
    f.kept = keep;
    f.kept_sum = kept_total;
    f.candidates = order[..keep]
        .iter()
        .zip(&weights)
        .map(|(&i, &w)| Candidate {
            id: i as u32,
            prob: (w / kept_total) as f32,
        })
        .collect();
    f
}

/// Temperature, then top-k, then top-p, then renormalise. Pure: no randomness.
pub fn candidates(logits: &[f32], params: &SamplingParams) -> Vec<Candidate> {
    filtering(logits, params).candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(temperature: f32, top_k: Option<usize>, top_p: f32, seed: u64) -> SamplingParams {
        SamplingParams {
            temperature,
            top_k,
            top_p,
            seed,
        }
    }

    fn logits(seed: u64, n: usize) -> Vec<f32> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..n).map(|_| rng.random_range(-5.0..5.0)).collect()
    }

    fn argmax(v: &[f32]) -> u32 {
        (0..v.len()).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap() as u32
    }

    #[test]
    fn temperature_zero_and_top_k_one_are_argmax() {
        for seed in 0..20 {
            let l = logits(seed, 300);
            let best = argmax(&l);
            let mut greedy = Sampler::new(params(0.0, None, 1.0, seed)).unwrap();
            let mut k1 = Sampler::new(params(1.5, Some(1), 1.0, seed)).unwrap();
            for _ in 0..5 {
                assert_eq!(greedy.sample(&l).0, best);
                assert_eq!(k1.sample(&l).0, best);
            }
        }
    }

    #[test]
    fn tiny_temperature_approaches_argmax() {
        let l = logits(7, 100);
        let c = candidates(&l, &params(1e-4, None, 1.0, 0));
        assert_eq!(c[0].id, argmax(&l));
        assert!(c[0].prob > 0.999);
    }

    #[test]
    fn top_p_never_leaves_the_nucleus() {
        let l = logits(3, 50);
        let p = params(1.0, None, 0.5, 9);
        // The nucleus computed independently: sort full softmax, take the prefix reaching 0.5.
        let full = crate::model::trace::softmax(&l);
        let mut idx: Vec<usize> = (0..l.len()).collect();
        idx.sort_by(|&a, &b| full[b].total_cmp(&full[a]));
        let mut nucleus = Vec::new();
        let mut mass = 0.0;
        for i in idx {
            nucleus.push(i as u32);
            mass += full[i];
            if mass >= 0.5 {
                break;
            }
        }
        assert!(nucleus.len() > 1 && nucleus.len() < 50);
        let mut s = Sampler::new(p).unwrap();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..2000 {
            let id = s.sample(&l).0;
            assert!(nucleus.contains(&id), "{id} outside nucleus {nucleus:?}");
            seen.insert(id);
        }
        assert!(seen.len() > 1, "sampling should not be greedy at T=1");
    }

    #[test]
    fn candidates_sum_to_one_and_respect_top_k() {
        let l = logits(5, 1000);
        let c = candidates(&l, &params(0.7, Some(10), 1.0, 0));
        assert_eq!(c.len(), 10);
        assert!((c.iter().map(|c| c.prob).sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(c.windows(2).all(|w| w[0].prob >= w[1].prob));
    }

    #[test]
    fn same_seed_same_tokens() {
        let l = logits(11, 200);
        let draw = |seed| {
            let mut s = Sampler::new(params(1.0, None, 1.0, seed)).unwrap();
            (0..50).map(|_| s.sample(&l).0).collect::<Vec<_>>()
        };
        assert_eq!(draw(1), draw(1));
        assert_ne!(draw(1), draw(2));
    }

    #[test]
    fn refuses_meaningless_values() {
        for p in [
            params(-1.0, None, 1.0, 0),
            params(f32::NAN, None, 1.0, 0),
            params(f32::INFINITY, None, 1.0, 0),
            params(1.0, Some(0), 1.0, 0),
            params(1.0, None, 0.0, 0),
            params(1.0, None, 1.5, 0),
            params(1.0, None, f32::NAN, 0),
        ] {
            let err = Sampler::new(p).unwrap_err().to_string();
            assert!(!err.is_empty());
        }
    }

    #[test]
    fn nan_logits_do_not_win() {
        let l = vec![f32::NAN, 1.0, 0.5];
        assert_eq!(candidates(&l, &params(0.0, None, 1.0, 0))[0].id, 1);
    }
}
