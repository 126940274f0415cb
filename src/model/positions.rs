//! Positions: the learned position table `wpe` beside the sinusoidal table of the original
//! Transformer paper, and how alike the learned positions are (cosine between every pair).

/// The original paper's table, `n_pos × d` row-major: `PE[p][2i] = sin(p / 10000^(2i/d))`,
/// `PE[p][2i+1] = cos(p / 10000^(2i/d))`.
pub fn sinusoidal(n_pos: usize, d: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(n_pos * d);
    for p in 0..n_pos {
        for j in 0..d {
            let i2 = (j - j % 2) as f64;
            let angle = p as f64 / 10000f64.powf(i2 / d as f64);
            out.push(if j % 2 == 0 { angle.sin() } else { angle.cos() } as f32);
        }
    }
    out
}

/// Cosine similarity between every pair of rows of `rows` (`n × d` row-major): `n × n`.
pub fn cosine_matrix(rows: &[f32], n: usize, d: usize) -> Vec<f32> {
    let norms: Vec<f32> = (0..n)
        .map(|i| {
            rows[i * d..(i + 1) * d]
                .iter()
                .map(|x| x * x)
                .sum::<f32>()
                .sqrt()
                .max(f32::MIN_POSITIVE)
        })
        .collect();
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for j in i..n {
            let dot: f32 = rows[i * d..(i + 1) * d]
                .iter()
                .zip(&rows[j * d..(j + 1) * d])
                .map(|(a, b)| a * b)
                .sum();
            let c = dot / (norms[i] * norms[j]);
            out[i * n + j] = c;
            out[j * n + i] = c;
        }
    }
    out
}
