//! What each attention head does in general, measured over a text: how much of its attention goes
//! to the previous token, to the first token, to the token itself, and (on a repeated random
//! sequence) to the token after the same token's first occurrence (induction). A head whose
//! strongest score is clear gets that role; else, when its attention stays close by, "local" (see
//! below); else it is "mixed".
//!
//! The text is cut into consecutive windows `ids[kN..(k+1)N]` (a last shorter window counts when it
//! has at least 2 tokens), each run on its own, nothing switched off. `previous`, `first` and `self`
//! are pooled over every query position t >= 1 of every window: the sum of A[t,t-1] (resp. A[t,0],
//! A[t,t]) over the sum of (window length - 1). At t = 1 the previous and the first token are the
//! same key: the position counts for both.
//!
//! One more role, for heads that look close by without settling on one key: `local`, the share of
//! attention on the token itself and the two before it (keys t-2, t-1 and t), pooled the same way
//! over every query position t >= 3 (where at least one earlier key lies outside those three). It
//! overlaps `previous` and `self`, so it is weighed only when none of the four single-key roles is
//! clear: then it is the role when it is at least [`CLEAR_SCORE`] and [`CLEAR_RATIO`] times the
//! larger of `first` and `induction` (the scores it does not overlap).

use serde::{Deserialize, Serialize};

use super::error::Result;
use super::{Gpt, KvCache, Record};

/// A role is clear when its score is at least this much of the head's attention...
pub const CLEAR_SCORE: f64 = 0.4;
/// ...and at least this many times the next strongest score.
pub const CLEAR_RATIO: f64 = 1.5;

/// How many repeated random sequences the induction score is averaged over.
pub const INDUCTION_WINDOWS: usize = 4;
/// The seed of the induction sequences' generator (SplitMix64, see [`induction_ids`]).
pub const INDUCTION_SEED: u64 = 0x5EED_1A7E;

/// What a head does most, when it is clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Looks at the token just before.
    Previous,
    /// Looks at the first token of the text (a resting place).
    First,
    /// Looks at the token itself.
    #[serde(rename = "self")]
    Itself,
    /// Looks at the token after the same token's earlier occurrence (copies a repeated pattern).
    Induction,
    /// Looks at the last few tokens (itself and the two before), no single one of them.
    Local,
    /// No score stands out.
    Mixed,
}

impl Role {
    /// The role's name as the JSON and the table write it.
    pub fn name(self) -> &'static str {
        match self {
            Role::Previous => "previous",
            Role::First => "first",
            Role::Itself => "self",
            Role::Induction => "induction",
            Role::Local => "local",
            Role::Mixed => "mixed",
        }
    }
}

/// One head's scores over a text and the role they give it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HeadRole {
    /// The layer, from 0.
    pub layer: usize,
    /// The head, from 0.
    pub head: usize,
    /// Its share of attention on the previous token.
    pub previous: f64,
    /// On the first token.
    pub first: f64,
    /// On the token itself.
    #[serde(rename = "self")]
    pub itself: f64,
    /// On the token after the same token's first occurrence, in a repeated random sequence.
    pub induction: f64,
    /// On the token itself and the two before it (files written before this score read 0).
    #[serde(default)]
    pub local: f64,
    /// The strongest score when it is clear ([`role_of`]).
    pub role: Role,
}

impl HeadRole {
    /// The score of the head's role (for a mixed head: the strongest single-key score).
    pub fn score(&self) -> f64 {
        if self.role == Role::Local {
            return self.local;
        }
        self.previous
            .max(self.first)
            .max(self.itself)
            .max(self.induction)
    }
}

/// The file in a model folder that keeps its heads' roles: what `factory heads --json` prints over
/// the folder's held-out text.
pub const ROLES_FILE: &str = "heads.json";

/// The roles kept in `dir`'s [`ROLES_FILE`]: none when there is no file; why not when it cannot be
/// read or is not `factory heads --json`'s output.
pub fn load_roles(dir: &std::path::Path) -> Option<std::result::Result<Vec<HeadRole>, String>> {
    #[derive(Deserialize)]
    struct File {
        schema: u32,
        heads: Vec<HeadRole>,
    }
    let text = match std::fs::read_to_string(dir.join(ROLES_FILE)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => return Some(Err(e.to_string())),
        Ok(t) => t,
    };
    Some(match serde_json::from_str::<File>(&text) {
        Ok(f) if f.schema == 1 => Ok(f.heads),
        Ok(f) => Err(format!("schema {} (this program reads 1)", f.schema)),
        Err(e) => Err(e.to_string()),
    })
}

/// The role the four scores give: the strongest when it is at least [`CLEAR_SCORE`] and
/// [`CLEAR_RATIO`] times the next; ties to the earlier in the order previous, first, self,
/// induction; else local when that is clear (see the module's documentation); else mixed.
pub fn role_of(previous: f64, first: f64, itself: f64, induction: f64, local: f64) -> Role {
    let scores = [
        (Role::Previous, previous),
        (Role::First, first),
        (Role::Itself, itself),
        (Role::Induction, induction),
    ];
    let mut order = scores;
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (best, second) = (order[0], order[1]);
    if best.1 >= CLEAR_SCORE && best.1 >= CLEAR_RATIO * second.1 {
        best.0
    } else if local >= CLEAR_SCORE && local >= CLEAR_RATIO * first.max(induction) {
        Role::Local
    } else {
        Role::Mixed
    }
}

/// The text's windows: `ids[kN..(k+1)N]`, the last one only if it has at least 2 tokens.
pub fn windows(ids: &[u32], n: usize) -> Vec<&[u32]> {
    ids.chunks(n.max(2)).filter(|w| w.len() >= 2).collect()
}

/// SplitMix64: a generator simple enough to write down, so the induction sequences (and the score)
/// are the same in every version of this program and every language it is written in.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The induction windows: [`INDUCTION_WINDOWS`] sequences of `half` random ids below `vocab`, each
/// repeated twice (`2 * half` tokens), from SplitMix64 seeded with [`INDUCTION_SEED`] (each id the
/// generator's next output modulo `vocab`).
pub fn induction_ids(vocab: usize, half: usize) -> Vec<Vec<u32>> {
    let mut state = INDUCTION_SEED;
    (0..INDUCTION_WINDOWS)
        .map(|_| {
            let once: Vec<u32> = (0..half)
                .map(|_| (splitmix64(&mut state) % vocab as u64) as u32)
                .collect();
            once.iter().chain(&once).copied().collect()
        })
        .collect()
}

/// Per head (layer-major), the sums over the windows: previous, first, self, local; and the
/// counts of query positions they are over (t >= 1 for the first three, t >= 3 for local).
fn pooled(gpt: &Gpt, windows: &[&[u32]]) -> Result<(Vec<[f64; 4]>, usize, usize)> {
    let cfg = gpt.config();
    let mut sums = vec![[0.0f64; 4]; cfg.n_layer * cfg.n_head];
    let (mut count, mut local_count) = (0, 0);
    for w in windows {
        let trace = gpt.trace_with(w, &mut KvCache::new(), Record::View)?;
        count += w.len() - 1;
        local_count += w.len().saturating_sub(3);
        for (l, layer) in trace.layers.iter().enumerate() {
            for h in 0..cfg.n_head {
                let s = &mut sums[l * cfg.n_head + h];
                for t in 1..w.len() {
                    let a = |k: usize| layer.attention.at(&[h, t, k]) as f64;
                    s[0] += a(t - 1);
                    s[1] += a(0);
                    s[2] += a(t);
                    if t >= 3 {
                        s[3] += a(t - 2) + a(t - 1) + a(t);
                    }
                }
            }
        }
    }
    Ok((sums, count, local_count))
}

/// Per head (layer-major), the mean attention from position `half + j` to `j + 1` of the induction
/// windows ([`induction_ids`] with `half` = floor(context / 2)), over every j in 0..half.
fn induction(gpt: &Gpt) -> Result<Vec<f64>> {
    let cfg = gpt.config();
    let half = cfg.n_positions / 2;
    let mut sums = vec![0.0f64; cfg.n_layer * cfg.n_head];
    let mut count = 0;
    if half < 2 {
        return Ok(sums);
    }
    for ids in induction_ids(cfg.vocab_size, half) {
        let trace = gpt.trace_with(&ids, &mut KvCache::new(), Record::View)?;
        count += half;
        for (l, layer) in trace.layers.iter().enumerate() {
            for h in 0..cfg.n_head {
                sums[l * cfg.n_head + h] += (0..half)
                    .map(|j| layer.attention.at(&[h, half + j, j + 1]) as f64)
                    .sum::<f64>();
            }
        }
    }
    Ok(sums.into_iter().map(|s| s / count as f64).collect())
}

/// Every head's scores and role over the text `ids`, cut into windows of `window` tokens
/// (2..=context; see the module's documentation).
pub fn head_roles(gpt: &Gpt, ids: &[u32], window: usize) -> Result<Vec<HeadRole>> {
    let cfg = gpt.config();
    let windows = windows(ids, window.clamp(2, cfg.n_positions));
    if windows.is_empty() {
        return Err(super::ModelError::Prompt(
            "the text has fewer than 2 tokens: no head can be measured".into(),
        ));
    }
    let (sums, count, local_count) = pooled(gpt, &windows)?;
    let inductions = induction(gpt)?;
    Ok((0..cfg.n_layer)
        .flat_map(|layer| (0..cfg.n_head).map(move |head| (layer, head)))
        .map(|(layer, head)| {
            let i = layer * cfg.n_head + head;
            let [p, f, s, _] = sums[i].map(|v| v / count as f64);
            let local = sums[i][3] / local_count.max(1) as f64;
            HeadRole {
                layer,
                head,
                previous: p,
                first: f,
                itself: s,
                induction: inductions[i],
                local,
                role: role_of(p, f, s, inductions[i], local),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_is_clear_only_when_it_stands_out() {
        assert_eq!(role_of(0.83, 0.1, 0.05, 0.02, 0.9), Role::Previous);
        assert_eq!(
            role_of(0.3, 0.1, 0.05, 0.02, 0.36),
            Role::Mixed,
            "under 0.4"
        );
        assert_eq!(
            role_of(0.5, 0.4, 0.05, 0.02, 0.0),
            Role::Mixed,
            "not 1.5 times the next"
        );
        assert_eq!(
            role_of(0.1, 0.75, 0.5, 0.0, 0.0),
            Role::First,
            "exactly 1.5 times"
        );
        assert_eq!(role_of(0.0, 0.0, 0.0, 0.7, 0.0), Role::Induction);
        assert_eq!(role_of(0.0, 0.1, 0.9, 0.0, 0.95), Role::Itself);
    }

    #[test]
    fn local_is_weighed_only_when_no_single_key_is_clear() {
        // a previous-token head looks close by too: it stays a previous-token head
        assert_eq!(role_of(0.9, 0.01, 0.02, 0.0, 0.95), Role::Previous);
        // spread over itself and the two before: local
        assert_eq!(role_of(0.29, 0.01, 0.23, 0.0, 0.6), Role::Local);
        assert_eq!(role_of(0.2, 0.01, 0.1, 0.0, 0.39), Role::Mixed, "under 0.4");
        assert_eq!(
            role_of(0.2, 0.3, 0.1, 0.0, 0.44),
            Role::Mixed,
            "not 1.5 times the first token's share"
        );
    }

    #[test]
    fn windows_are_consecutive_and_a_last_single_token_is_dropped() {
        let ids: Vec<u32> = (0..7).collect();
        assert_eq!(windows(&ids, 3), vec![&ids[0..3], &ids[3..6]]);
        assert_eq!(windows(&ids, 4), vec![&ids[0..4], &ids[4..7]]);
        assert!(windows(&ids[..1], 4).is_empty());
    }

    #[test]
    fn the_induction_sequences_repeat_and_reproduce() {
        let a = induction_ids(100, 5);
        assert_eq!(a.len(), INDUCTION_WINDOWS);
        for w in &a {
            assert_eq!(w.len(), 10);
            assert_eq!(w[..5], w[5..]);
            assert!(w.iter().all(|&id| id < 100));
        }
        assert_eq!(a, induction_ids(100, 5), "the same every time");
        assert_ne!(a[0], a[1]);
        // SplitMix64's first three outputs for this seed, computed once by a separate program
        // (Python) and written down: the sequences are fixed for good
        let mut state = INDUCTION_SEED;
        let first: Vec<u64> = (0..3).map(|_| splitmix64(&mut state)).collect();
        assert_eq!(
            first,
            [1656154565278810433, 3767264052977204698, 939023167529459522]
        );
        assert_eq!(a[0][..3], [33, 98, 22]);
    }
}
