//! Information-flow routes (after Ferrando and Voita, "Information Flow Routes: Automatically
//! Interpreting Language Models at Scale", 2024): which parts carry what reaches the last token.
//!
//! Every residual-stream node is a sum of parts. After block l's attention, position i holds
//! `mid[l][i] = x[l][i] + Σ_h Σ_{j<=i} A_h[i,j] · (v_h[j] · W_O,h) + b_O`: the residual (the
//! stream before, a node itself), one part per attention edge (head h carrying token j to token i)
//! and the bias. After the FFN, `x[l+1][i] = mid[l][i] + ffn[l][i]`. A part's contribution to its
//! node is its proximity, `max(0, ||node||₁ − ||node − part||₁)`, divided by the sum over the node's
//! parts (so the contributions into a node add up to 1, and its parts add up to the node). The
//! route is the graph traced back from the last position's final node, keeping the parts whose
//! contribution is above a threshold.

use super::error::Result;
use super::{Gpt, KvCache, Record, Trace};

/// A node of the residual stream: the stream entering block `layer` at `position` (`layer` =
/// n_layer: the model's output), or the middle of block `layer` (after its attention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Node {
    /// The block.
    pub layer: usize,
    /// `true`: after the block's attention, before its FFN.
    pub mid: bool,
    /// The token's position.
    pub position: usize,
}

/// What carries a part into a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Part {
    /// The stream before (`from` is that node).
    Residual,
    /// Head `head` carrying token `from.position` (the stream entering the block there).
    Attention {
        /// The head.
        head: usize,
    },
    /// The block's FFN at the node's position (its input is the node's residual).
    Ffn,
    /// The attention's output bias (no source).
    Bias,
}

/// One part of a node: where it comes from, what carries it, its vector and its contribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// The node it comes from (the block's middle for the FFN; none for the bias).
    pub from: Option<Node>,
    /// What carries it.
    pub part: Part,
    /// The part's vector (C numbers).
    pub vector: Vec<f32>,
    /// Its share of the node, 0..=1 (the node's shares add up to 1).
    pub share: f64,
}

/// An edge of the route: `from` → `to`, carried by `part`, with its share of `to`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Edge {
    /// The source node.
    pub from: Node,
    /// The node it flows into.
    pub to: Node,
    /// What carries it.
    pub part: Part,
    /// Its share of `to`.
    pub share: f64,
}

/// A run's residual stream and what made it, for the routes.
pub struct Flow {
    trace: Trace,
    /// Per layer, c_proj of attention as stored ([in, out] = [C, C]) and its bias.
    proj: Vec<(Vec<f32>, Vec<f32>)>,
    n_head: usize,
    width: usize,
}

/// Shares of `parts` in `node`: proximity `max(0, |node|₁ − |node − part|₁)` over their sum.
pub fn shares(node: &[f32], parts: &[&[f32]]) -> Vec<f64> {
    let l1 = |v: &mut dyn Iterator<Item = f64>| v.map(f64::abs).sum::<f64>();
    let n = l1(&mut node.iter().map(|&v| v as f64));
    let prox: Vec<f64> = parts
        .iter()
        .map(|p| (n - l1(&mut node.iter().zip(*p).map(|(&a, &b)| (a - b) as f64))).max(0.0))
        .collect();
    let total: f64 = prox.iter().sum();
    prox.iter()
        .map(|p| if total > 0.0 { p / total } else { 0.0 })
        .collect()
}

impl Flow {
    /// Runs `ids` once, keeping every intermediate.
    pub fn run(gpt: &Gpt, ids: &[u32]) -> Result<Self> {
        let trace = gpt.trace_with(ids, &mut KvCache::new(), Record::Everything)?;
        let proj = gpt
            .blocks
            .iter()
            .map(|b| {
                Ok((
                    b.attn.c_proj.weight.flatten_all()?.to_vec1::<f32>()?,
                    b.attn.c_proj.bias.to_vec1::<f32>()?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            trace,
            proj,
            n_head: gpt.config().n_head,
            width: gpt.config().n_embd,
        })
    }

    /// The node's vector.
    pub fn vector(&self, n: Node) -> &[f32] {
        let t = &self.trace;
        if n.mid {
            t.layers[n.layer].resid_attn.row(&[n.position])
        } else if n.layer == 0 {
            t.embed.row(&[n.position])
        } else {
            t.layers[n.layer - 1].resid_ffn.row(&[n.position])
        }
    }

    /// Head `h` of block `layer` carrying token `j` into position `i`: A_h[i,j] · v_h[j] · W_O,h.
    fn carried(&self, layer: usize, h: usize, i: usize, j: usize) -> Vec<f32> {
        let lt = &self.trace.layers[layer];
        let (c, hs) = (self.width, self.width / self.n_head);
        let a = lt.attention.at(&[h, i, j]);
        let v = lt.v.row(&[h, j]);
        let w = &self.proj[layer].0;
        (0..c)
            .map(|o| a * (0..hs).map(|k| v[k] * w[(h * hs + k) * c + o]).sum::<f32>())
            .collect()
    }

    /// The parts of node `n` with their shares.
    pub fn parts(&self, n: Node) -> Vec<Contribution> {
        let mut parts = Vec::new();
        if n.mid {
            let before = Node { mid: false, ..n };
            parts.push((Some(before), Part::Residual, self.vector(before).to_vec()));
            for h in 0..self.n_head {
                for j in 0..=n.position {
                    let from = Node {
                        position: j,
                        ..before
                    };
                    let v = self.carried(n.layer, h, n.position, j);
                    parts.push((Some(from), Part::Attention { head: h }, v));
                }
            }
            parts.push((None, Part::Bias, self.proj[n.layer].1.clone()));
        } else if n.layer > 0 {
            let mid = Node {
                layer: n.layer - 1,
                mid: true,
                position: n.position,
            };
            let ffn = self.trace.layers[n.layer - 1]
                .ffn_out
                .row(&[n.position])
                .to_vec();
            parts.push((Some(mid), Part::Residual, self.vector(mid).to_vec()));
            parts.push((Some(mid), Part::Ffn, ffn));
        }
        let node = self.vector(n);
        let refs: Vec<&[f32]> = parts.iter().map(|p| p.2.as_slice()).collect();
        let s = shares(node, &refs);
        parts
            .into_iter()
            .zip(s)
            .map(|((from, part, vector), share)| Contribution {
                from,
                part,
                vector,
                share,
            })
            .collect()
    }

    /// The model's output at the last position, where every route starts.
    pub fn output(&self) -> Node {
        Node {
            layer: self.trace.layers.len(),
            mid: false,
            position: self.trace.len() - 1,
        }
    }

    /// The route into the last position's output: from it back, every part above `threshold`
    /// (and its source's parts in turn); edges in the order found.
    pub fn route(&self, threshold: f64) -> Vec<Edge> {
        let never = std::sync::atomic::AtomicBool::new(false);
        self.route_unless(threshold, &never).expect("never stopped")
    }

    /// [`Self::route`], given up (none) as soon as `stop` is set (a newer floor, a closed tab): a
    /// low threshold on a long text reaches many nodes, each of whose parts is computed.
    pub fn route_unless(
        &self,
        threshold: f64,
        stop: &std::sync::atomic::AtomicBool,
    ) -> Option<Vec<Edge>> {
        let top = self.output();
        let mut todo = vec![top];
        let mut seen = std::collections::BTreeSet::from([top]);
        let mut edges = Vec::new();
        while let Some(to) = todo.pop() {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return None;
            }
            for c in self.parts(to) {
                let Some(from) = c.from.filter(|_| c.share > threshold) else {
                    continue;
                };
                edges.push(Edge {
                    from,
                    to,
                    part: c.part,
                    share: c.share,
                });
                if seen.insert(from) {
                    todo.push(from);
                }
            }
        }
        Some(edges)
    }
}

/// The route at `threshold` cut from one traced at a lower threshold (which holds every edge of
/// it): the edges above `threshold` reached from `top` through such edges, nearest `top` first.
/// A slider moves the threshold without tracing again.
pub fn within(edges: &[Edge], top: Node, threshold: f64) -> Vec<Edge> {
    let mut into: std::collections::BTreeMap<Node, Vec<&Edge>> = Default::default();
    for e in edges.iter().filter(|e| e.share > threshold) {
        into.entry(e.to).or_default().push(e);
    }
    let mut todo = std::collections::VecDeque::from([top]);
    let mut seen = std::collections::BTreeSet::from([top]);
    let mut kept = Vec::new();
    while let Some(to) = todo.pop_front() {
        for e in into.get(&to).into_iter().flatten() {
            kept.push((*e).clone());
            if seen.insert(e.from) {
                todo.push_back(e.from);
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_proximities_that_add_up_to_one() {
        // node (3, 0) of parts (2, 0) and (1, 0): |n| = 3, prox 3 - 1 = 2 and 3 - 2 = 1
        let s = shares(&[3.0, 0.0], &[&[2.0, 0.0], &[1.0, 0.0]]);
        assert!((s[0] - 2.0 / 3.0).abs() < 1e-12 && (s[1] - 1.0 / 3.0).abs() < 1e-12);
        // a part pointing away gets nothing
        let s = shares(&[3.0, 0.0], &[&[4.0, 0.0], &[-1.0, 0.0]]);
        assert_eq!(s, vec![1.0, 0.0]);
    }
}
