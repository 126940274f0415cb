//! Why long contexts cost: the work of one forward pass split into the part that grows with the
//! square of the context (attention scores and their weighted sums) and the part that grows only
//! linearly (the projections and the FFN), and the key/value cache's size.

/// A model's shape as far as cost goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Name to show.
    pub name: &'static str,
    /// Layers.
    pub n_layer: usize,
    /// Width of the residual stream.
    pub n_embd: usize,
    /// Attention heads per layer.
    pub n_head: usize,
    /// Bytes per cached key or value number (4 for f32 as run here; GPT-3 is served in 16 bits).
    pub bytes: usize,
}

/// GPT-3 (175B), from its paper: 96 layers, width 12288, 96 heads; a 16-bit cache.
pub const GPT3: Shape = Shape {
    name: "GPT-3",
    n_layer: 96,
    n_embd: 12288,
    n_head: 96,
    bytes: 2,
};

/// The cost of running `n` tokens through a model of `shape` (multiply-adds, whole model).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    /// Attention scores per head: one per (query, key) pair, n² (the causal half is wasted work
    /// when all are computed at once, as here).
    pub scores_per_head: u64,
    /// Multiply-adds that grow with n²: q·kᵀ and weights·v, 2·n²·d per layer.
    pub square: u64,
    /// Multiply-adds that grow with n: q, k, v and output projections (4·d²) and the FFN (8·d²),
    /// 12·d² per token per layer.
    pub linear: u64,
    /// Bytes of the key/value cache after n tokens: 2 · layers · n · d numbers.
    pub kv_bytes: u64,
}

/// The cost of `n` tokens in `shape`.
pub fn cost(shape: &Shape, n: usize) -> Cost {
    let (l, d, n) = (shape.n_layer as u64, shape.n_embd as u64, n as u64);
    Cost {
        scores_per_head: n * n,
        square: l * 2 * n * n * d,
        linear: l * 12 * d * d * n,
        kv_bytes: 2 * l * n * d * shape.bytes as u64,
    }
}

/// The context length from which the square part is the larger: 2·n²·d > 12·d²·n ⇔ n > 6·d.
pub fn crossover(shape: &Shape) -> usize {
    6 * shape.n_embd
}

/// A byte count as B, kB, MB, GB or TB.
pub fn bytes_text(b: u64) -> String {
    si_text(b, "B")
}

/// A count with a decimal prefix (k, M, G, T) and `unit` (may be empty): "36.9 k", "75.5 MB".
pub fn si_text(v: u64, unit: &str) -> String {
    let v = v as f64;
    for (prefix, scale) in [("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)] {
        if v >= scale {
            return format!("{:.1} {prefix}{unit}", v / scale);
        }
    }
    if unit.is_empty() {
        format!("{v:.0}")
    } else {
        format!("{v:.0} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_square_takes_over_at_six_widths() {
        let ours = Shape {
            name: "ours",
            n_layer: 4,
            n_embd: 128,
            n_head: 4,
            bytes: 4,
        };
        assert_eq!(crossover(&ours), 768);
        let n = crossover(&ours);
        let at = cost(&ours, n);
        assert_eq!(at.square, at.linear, "equal exactly at n = 6d");
        assert!(cost(&ours, n + 1).square > cost(&ours, n + 1).linear);
        assert!(cost(&ours, n - 1).square < cost(&ours, n - 1).linear);
        // GPT-2 small: 4,608 tokens; its cache at 1024 tokens in f32: 2·12·1024·768·4 bytes
        let gpt2 = Shape {
            name: "GPT-2 small",
            n_layer: 12,
            n_embd: 768,
            n_head: 12,
            bytes: 4,
        };
        assert_eq!(crossover(&gpt2), 4608);
        assert_eq!(cost(&gpt2, 1024).kv_bytes, 75_497_472);
        assert_eq!(bytes_text(75_497_472), "75.5 MB");
        assert_eq!(bytes_text(512), "512 B");
        assert_eq!(si_text(36_864, ""), "36.9 k");
        assert_eq!(si_text(999, ""), "999");
        assert_eq!(cost(&GPT3, 2048).kv_bytes, 2 * 96 * 2048 * 12288 * 2);
    }
}
