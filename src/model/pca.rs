//! A map of the embedding table: every row of `wte` projected on its top three principal
//! components, so a vocabulary of thousands of directions can be drawn as points in 3D.
//!
//! The covariance (width × width) is one matrix product over the centred rows (candle, f32); its
//! leading eigenvectors come from subspace iteration in f64 with a final Rayleigh–Ritz step, so a
//! 50,257 × 768 table (GPT-2) takes about a second on two cores.

use candle_core::{Device, Tensor};

use super::embedding::Embeddings;
use super::error::Result;

/// Every vocabulary row placed on the table's top three principal axes.
#[derive(Debug, Clone)]
pub struct EmbeddingMap {
    /// Row `id`'s coordinates on the three axes.
    pub coords: Vec<[f32; 3]>,
    /// The three axes (unit vectors of the embedding width), largest variance first. Each axis's
    /// sign is fixed so that its largest-magnitude entry is positive.
    pub axes: [Vec<f32>; 3],
    /// The mean row, subtracted before projecting.
    pub mean: Vec<f32>,
    /// The variance of the rows along each axis.
    pub variance: [f64; 3],
    /// The total variance of the rows (the sum over every direction).
    pub total_variance: f64,
}

impl EmbeddingMap {
    /// Projects the table on its top three principal components.
    pub fn new(emb: &Embeddings) -> Result<Self> {
        let (n, d) = (emb.len(), emb.width);
        let mut mean = vec![0.0f64; d];
        for row in emb.rows.chunks(d) {
            for (m, x) in mean.iter_mut().zip(row) {
                *m += *x as f64;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n.max(1) as f64);
        let mean32: Vec<f32> = mean.iter().map(|&m| m as f32).collect();
        let x = Tensor::from_slice(&emb.rows, (n, d), &Device::Cpu)?;
        let centred = x.broadcast_sub(&Tensor::from_slice(&mean32, (1, d), &Device::Cpu)?)?;
        let cov: Vec<f32> = centred
            .t()?
            .contiguous()?
            .matmul(&centred)?
            .flatten_all()?
            .to_vec1()?;
        let denom = (n.max(2) - 1) as f64;
        let cov: Vec<f64> = cov.iter().map(|&c| c as f64 / denom).collect();
        let total_variance = (0..d).map(|i| cov[i * d + i]).sum();
        let (vectors, values) = top_eigenvectors(&cov, d, 3.min(d));
        let mut axes: [Vec<f32>; 3] = [vec![0.0; d], vec![0.0; d], vec![0.0; d]];
        let mut variance = [0.0; 3];
        for (k, v) in vectors.iter().enumerate() {
            let biggest = v
                .iter()
                .copied()
                .fold(0.0f64, |a, b| if b.abs() > a.abs() { b } else { a });
            let sign = if biggest < 0.0 { -1.0 } else { 1.0 };
            axes[k] = v.iter().map(|&c| (c * sign) as f32).collect();
            variance[k] = values[k];
        }
        let coords = emb
            .rows
            .chunks(d)
            .map(|row| {
                let mut p = [0.0f32; 3];
                for (k, axis) in axes.iter().enumerate() {
                    p[k] = row
                        .iter()
                        .zip(&mean32)
                        .zip(axis)
                        .map(|((x, m), a)| (x - m) * a)
                        .sum();
                }
                p
            })
            .collect();
        Ok(Self {
            coords,
            axes,
            mean: mean32,
            variance,
            total_variance,
        })
    }

    /// Where any vector of the embedding width lands on the map (e.g. `king - man + woman`).
    pub fn project(&self, v: &[f32]) -> [f32; 3] {
        let mut p = [0.0; 3];
        for (k, axis) in self.axes.iter().enumerate() {
            p[k] = v
                .iter()
                .zip(&self.mean)
                .zip(axis)
                .map(|((x, m), a)| (x - m) * a)
                .sum();
        }
        p
    }

    /// The share of the table's variance the three axes show (0..1).
    pub fn shown_share(&self) -> f64 {
        self.variance.iter().sum::<f64>() / self.total_variance.max(f64::MIN_POSITIVE)
    }
}

/// The `k` leading eigenvectors (and eigenvalues, largest first) of the symmetric `d × d` matrix
/// `a` (row-major): subspace iteration on a few more vectors than asked for, then the small
/// projected problem solved exactly (Rayleigh–Ritz).
fn top_eigenvectors(a: &[f64], d: usize, k: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
    let m = (k + 5).min(d);
    // a fixed, spread-out start (no randomness: the same table gives the same map)
    let mut q: Vec<Vec<f64>> = (0..m)
        .map(|j| {
            (0..d)
                .map(|i| (((i * 7 + j * 13) % 17) as f64 - 8.0) + if i == j { 9.0 } else { 0.0 })
                .collect()
        })
        .collect();
    orthonormalise(&mut q);
    for _ in 0..300 {
        let next: Vec<Vec<f64>> = q.iter().map(|v| mat_vec(a, d, v)).collect();
        let before = q.clone();
        q = next;
        orthonormalise(&mut q);
        let moved = q
            .iter()
            .zip(&before)
            .take(k)
            .map(|(x, y)| 1.0 - dot(x, y).abs())
            .fold(0.0, f64::max);
        if moved < 1e-13 {
            break;
        }
    }
    // Rayleigh–Ritz: the m × m matrix qᵀ a q, diagonalised exactly
    let aq: Vec<Vec<f64>> = q.iter().map(|v| mat_vec(a, d, v)).collect();
    let mut t = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..m {
            t[i * m + j] = dot(&q[i], &aq[j]);
        }
    }
    let (values, vecs) = jacobi(t, m);
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&x, &y| values[y].total_cmp(&values[x]));
    let vectors = order
        .iter()
        .take(k)
        .map(|&c| {
            let mut v = vec![0.0; d];
            for (r, qr) in q.iter().enumerate() {
                let w = vecs[r * m + c];
                v.iter_mut().zip(qr).for_each(|(acc, x)| *acc += w * x);
            }
            v
        })
        .collect();
    (vectors, order.iter().take(k).map(|&c| values[c]).collect())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn mat_vec(a: &[f64], d: usize, v: &[f64]) -> Vec<f64> {
    a.chunks(d).map(|row| dot(row, v)).collect()
}

/// Modified Gram–Schmidt, in place.
fn orthonormalise(q: &mut [Vec<f64>]) {
    for i in 0..q.len() {
        let (done, rest) = q.split_at_mut(i);
        let v = &mut rest[0];
        for u in done.iter() {
            let c = dot(u, v);
            v.iter_mut().zip(u).for_each(|(x, y)| *x -= c * y);
        }
        let n = dot(v, v).sqrt().max(f64::MIN_POSITIVE);
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// Eigenvalues and eigenvectors (column `c` of the row-major result) of a small symmetric matrix,
/// by cyclic Jacobi rotations.
fn jacobi(mut a: Vec<f64>, m: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; m * m];
    (0..m).for_each(|i| v[i * m + i] = 1.0);
    for _ in 0..100 {
        let off: f64 = (0..m)
            .flat_map(|i| (0..m).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * m + j].powi(2))
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..m {
            for r in p + 1..m {
                let apr = a[p * m + r];
                if apr.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[r * m + r] - a[p * m + p]) / (2.0 * apr);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..m {
                    let (akp, akr) = (a[k * m + p], a[k * m + r]);
                    a[k * m + p] = c * akp - s * akr;
                    a[k * m + r] = s * akp + c * akr;
                }
                for k in 0..m {
                    let (apk, ark) = (a[p * m + k], a[r * m + k]);
                    a[p * m + k] = c * apk - s * ark;
                    a[r * m + k] = s * apk + c * ark;
                }
                for k in 0..m {
                    let (vkp, vkr) = (v[k * m + p], v[k * m + r]);
                    v[k * m + p] = c * vkp - s * vkr;
                    v[k * m + r] = s * vkp + c * vkr;
                }
            }
        }
    }
    ((0..m).map(|i| a[i * m + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_spread_along_a_planted_direction_land_on_the_first_axis() {
        // rows = t · u + small noise along other directions: the first axis is ±u
        let d = 6;
        let u = [0.6, 0.0, 0.8, 0.0, 0.0, 0.0];
        let mut rows = Vec::new();
        for i in 0..50 {
            let t = i as f32 - 25.0;
            for (j, uj) in u.iter().enumerate() {
                let noise = (((i * 31 + j * 7) % 11) as f32 - 5.0) * 0.01;
                rows.push(t * uj + noise);
            }
        }
        let map = EmbeddingMap::new(&Embeddings::new(rows, d)).unwrap();
        let a = &map.axes[0];
        let cos: f32 = a.iter().zip(&u).map(|(x, y)| x * y).sum();
        assert!(cos > 0.999, "first axis {a:?}");
        assert!(map.shown_share() > 0.99);
        assert!(map.variance[0] >= map.variance[1] && map.variance[1] >= map.variance[2]);
    }
}
