//! One token's products (a cached step): a row times a weight matrix without packing it first.
//!
//! A step multiplies one row by every weight matrix, so it reads each weight once and is bound by
//! memory bandwidth. The general product (gemm) packs its operands into blocks first, which for
//! one row costs as much as the product; these loops stream the weights as stored, split across
//! the threads, and reach about the machine's bandwidth (see `factory bench`'s cached step).

use candle_core::{CpuStorage, CustomOp2, Layout, Shape, Tensor};
use rayon::prelude::*;

use super::error::Result;

/// `x` (1, n) · `w` (n, m), `w` row-major as GPT-2's `Conv1D` stores it: (1, m).
pub(super) fn row_times(x: &Tensor, w: &Tensor) -> Result<Tensor> {
    Ok(x.apply_op2_no_bwd(w, &OneRow::Times)?)
}

/// `w` (m, n) · `x` (1, n)ᵀ, one dot product per row of `w` (the unembedding, stored (V, C)):
/// (1, m).
pub(super) fn rows_dot(x: &Tensor, w: &Tensor) -> Result<Tensor> {
    Ok(x.apply_op2_no_bwd(w, &OneRow::Dots)?)
}

/// The two one-row products.
enum OneRow {
    /// x · w, w (inputs, outputs).
    Times,
    /// w · xᵀ, w (outputs, inputs).
    Dots,
}

/// Products reading fewer values than this run on the calling thread: handing a small one to the
/// thread pool (waking its threads) costs more than it saves (the default model's step took four
/// times as long split).
const PARALLEL_FROM: usize = 1 << 18;

/// The two operands as slices: `x` of length n and `w`'s n·m (or m·n) values.
fn operands<'a>(
    x: (&'a CpuStorage, &Layout),
    w: (&'a CpuStorage, &Layout),
) -> candle_core::Result<(&'a [f32], &'a [f32], usize, usize)> {
    let (CpuStorage::F32(xs), CpuStorage::F32(ws)) = (x.0, w.0) else {
        candle_core::bail!("one-row product expects f32");
    };
    let (Some((xa, xb)), Some((wa, wb))) = (x.1.contiguous_offsets(), w.1.contiguous_offsets())
    else {
        candle_core::bail!("one-row product expects contiguous operands");
    };
    let &[r, c] = w.1.dims() else {
        candle_core::bail!("one-row product expects a matrix, got {:?}", w.1.dims());
    };
    Ok((&xs[xa..xb], &ws[wa..wb], r, c))
}

impl CustomOp2 for OneRow {
    fn name(&self) -> &'static str {
        match self {
            Self::Times => "row-times",
            Self::Dots => "rows-dot",
        }
    }

    fn cpu_fwd(
        &self,
        xs: &CpuStorage,
        xl: &Layout,
        ws: &CpuStorage,
        wl: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (x, w, r, c) = operands((xs, xl), (ws, wl))?;
        // x · w reads w's rows as the inputs; w · xᵀ reads them as the outputs
        let (inputs, outputs) = match self {
            Self::Times => (r, c),
            Self::Dots => (c, r),
        };
        if x.len() != inputs {
            candle_core::bail!("{}: a row of {} for {inputs} inputs", self.name(), x.len());
        }
        let y = match self {
            Self::Times => row_times_slices(x, w, c),
            Self::Dots => rows_dot_slices(x, w, c),
        };
        Ok((CpuStorage::F32(y), Shape::from((1, outputs))))
    }
}

/// One query per head against every cached key: `q` (1, nh, 1, hs) · `k` (1, nh, P, hs)ᵀ ->
/// (1, nh, 1, P). `k` may be a view of a longer cache (its rows strided).
pub(super) fn query_keys(q: &Tensor, k: &Tensor) -> Result<Tensor> {
    Ok(q.apply_op2_no_bwd(k, &QueryKeys)?)
}

/// One row of weights per head over the cached values: `a` (1, nh, 1, P) · `v` (1, nh, P, hs) ->
/// (1, nh, 1, hs). `v` may be a view of a longer cache.
pub(super) fn weigh_values(a: &Tensor, v: &Tensor) -> Result<Tensor> {
    Ok(a.apply_op2_no_bwd(v, &WeighValues)?)
}

struct QueryKeys;
struct WeighValues;

/// Per head: (the one row of `x`, contiguous) and (`m`'s P rows of hs: offset and stride of each
/// head, stride of each row), for (1, nh, 1, ·) against (1, nh, P, hs).
struct Heads<'a> {
    x: &'a [f32],
    x_len: usize,
    m: &'a [f32],
    m_start: usize,
    head_stride: usize,
    row_stride: usize,
    nh: usize,
    p: usize,
    hs: usize,
}

fn heads<'a>(
    x: (&'a CpuStorage, &Layout),
    m: (&'a CpuStorage, &Layout),
) -> candle_core::Result<Heads<'a>> {
    let (CpuStorage::F32(xs), CpuStorage::F32(ms)) = (x.0, m.0) else {
        candle_core::bail!("per-head product expects f32");
    };
    let Some((xa, xb)) = x.1.contiguous_offsets() else {
        candle_core::bail!("per-head product expects a contiguous row per head");
    };
    let (&[1, nh, 1, x_len], &[1, mh, p, hs]) = (x.1.dims(), m.1.dims()) else {
        candle_core::bail!(
            "per-head product: shapes {:?} and {:?}",
            x.1.dims(),
            m.1.dims()
        );
    };
    let st = m.1.stride();
    if mh != nh || st[3] != 1 {
        candle_core::bail!(
            "per-head product: shapes {:?} and {:?}",
            x.1.dims(),
            m.1.dims()
        );
    }
    Ok(Heads {
        x: &xs[xa..xb],
        x_len,
        m: ms,
        m_start: m.1.start_offset(),
        head_stride: st[1],
        row_stride: st[2],
        nh,
        p,
        hs,
    })
}

impl Heads<'_> {
    /// The values the product reads.
    fn work(&self) -> usize {
        self.nh * self.p * self.hs
    }

    /// Row `j` of head `h` of the second operand.
    fn row(&self, h: usize, j: usize) -> &[f32] {
        let at = self.m_start + h * self.head_stride + j * self.row_stride;
        &self.m[at..at + self.hs]
    }
}

impl CustomOp2 for QueryKeys {
    fn name(&self) -> &'static str {
        "query-keys"
    }

    fn cpu_fwd(
        &self,
        qs: &CpuStorage,
        ql: &Layout,
        ks: &CpuStorage,
        kl: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let hd = heads((qs, ql), (ks, kl))?;
        if hd.x_len != hd.hs {
            candle_core::bail!(
                "query-keys: queries of {} against keys of {}",
                hd.x_len,
                hd.hs
            );
        }
        let mut out = vec![0.0f32; hd.nh * hd.p];
        let head = |(h, row): (usize, &mut [f32])| {
            let q = &hd.x[h * hd.hs..(h + 1) * hd.hs];
            for (j, s) in row.iter_mut().enumerate() {
                *s = dot(q, hd.row(h, j));
            }
        };
        if hd.work() < PARALLEL_FROM {
            out.chunks_mut(hd.p.max(1)).enumerate().for_each(head);
        } else {
            out.par_chunks_mut(hd.p.max(1)).enumerate().for_each(head);
        }
        Ok((CpuStorage::F32(out), Shape::from((1, hd.nh, 1, hd.p))))
    }
}

impl CustomOp2 for WeighValues {
    fn name(&self) -> &'static str {
        "weigh-values"
    }

    fn cpu_fwd(
        &self,
        a_s: &CpuStorage,
        al: &Layout,
        vs: &CpuStorage,
        vl: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let hd = heads((a_s, al), (vs, vl))?;
        if hd.x_len != hd.p {
            candle_core::bail!("weigh-values: {} weights for {} values", hd.x_len, hd.p);
        }
        let mut out = vec![0.0f32; hd.nh * hd.hs];
        let head = |(h, acc): (usize, &mut [f32])| {
            let w = &hd.x[h * hd.p..(h + 1) * hd.p];
            for (j, &wj) in w.iter().enumerate() {
                for (o, v) in acc.iter_mut().zip(hd.row(h, j)) {
                    *o += wj * v;
                }
            }
        };
        if hd.work() < PARALLEL_FROM {
            out.chunks_mut(hd.hs.max(1)).enumerate().for_each(head);
        } else {
            out.par_chunks_mut(hd.hs.max(1)).enumerate().for_each(head);
        }
        Ok((CpuStorage::F32(out), Shape::from((1, hd.nh, 1, hd.hs))))
    }
}

/// Σᵢ x[i] · w[i][..]: each thread sums a contiguous band of rows (so it streams its part of the
/// weights), then the bands' sums are added.
pub(super) fn row_times_slices(x: &[f32], w: &[f32], m: usize) -> Vec<f32> {
    let n = x.len();
    let bands = if w.len() < PARALLEL_FROM {
        1
    } else {
        (2 * rayon::current_num_threads()).clamp(1, n.max(1))
    };
    let per = n.div_ceil(bands);
    let band = |b: usize| {
        let (start, end) = (b * per, ((b + 1) * per).min(n));
        let mut y = vec![0.0f32; m];
        let mut i = start;
        // four rows per pass: the running sums are loaded and stored a quarter as often
        while i + 4 <= end {
            let (x0, x1, x2, x3) = (x[i], x[i + 1], x[i + 2], x[i + 3]);
            let rows = &w[i * m..(i + 4) * m];
            let (r0, rest) = rows.split_at(m);
            let (r1, rest) = rest.split_at(m);
            let (r2, r3) = rest.split_at(m);
            for ((((yj, a), b), c), d) in y.iter_mut().zip(r0).zip(r1).zip(r2).zip(r3) {
                *yj += x0 * a + x1 * b + x2 * c + x3 * d;
            }
            i += 4;
        }
        for (xi, row) in x[i..end].iter().zip(w[i * m..end * m].chunks_exact(m)) {
            for (yj, a) in y.iter_mut().zip(row) {
                *yj += xi * a;
            }
        }
        y
    };
    let partial: Vec<Vec<f32>> = if bands == 1 {
        vec![band(0)]
    } else {
        (0..bands).into_par_iter().map(band).collect()
    };
    let mut parts = partial.into_iter();
    let mut y = parts.next().unwrap_or_else(|| vec![0.0; m]);
    for p in parts {
        for (a, b) in y.iter_mut().zip(p) {
            *a += b;
        }
    }
    y
}

/// One dot product of `x` with each row (of length `n`) of `w`, rows split across the threads.
pub(super) fn rows_dot_slices(x: &[f32], w: &[f32], n: usize) -> Vec<f32> {
    const ROWS: usize = 256;
    let m = w.len() / n.max(1);
    let mut y = vec![0.0f32; m];
    let fill = |(ys, rows): (&mut [f32], &[f32])| {
        for (yv, row) in ys.iter_mut().zip(rows.chunks_exact(n)) {
            *yv = dot(row, x);
        }
    };
    if w.len() < PARALLEL_FROM {
        y.chunks_mut(ROWS).zip(w.chunks(ROWS * n)).for_each(fill);
    } else {
        y.par_chunks_mut(ROWS)
            .zip(w.par_chunks(ROWS * n))
            .for_each(fill);
    }
    y
}

/// A dot product in eight running sums (so the compiler can keep them in vector registers).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(p, q)| p * q)
        .sum();
    for (pa, pb) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += pa[k] * pb[k];
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Products of small integers are exact in f32 whatever the order of the sums, so the loops
    /// must match a plain triple loop bit for bit.
    fn ints(n: usize, seed: usize) -> Vec<f32> {
        (0..n)
            .map(|i| ((i * 7 + seed * 13) % 11) as f32 - 5.0)
            .collect()
    }

    #[test]
    fn row_times_matches_the_plain_sum() {
        for (n, m) in [(1, 1), (3, 5), (7, 3), (64, 33), (101, 17)] {
            let (x, w) = (ints(n, 1), ints(n * m, 2));
            let want: Vec<f32> = (0..m)
                .map(|j| (0..n).map(|i| x[i] * w[i * m + j]).sum())
                .collect();
            assert_eq!(row_times_slices(&x, &w, m), want, "{n}x{m}");
        }
    }

    #[test]
    fn rows_dot_matches_the_plain_sum() {
        for (m, n) in [(1, 1), (5, 3), (300, 9), (513, 16), (2, 31)] {
            let (x, w) = (ints(n, 3), ints(m * n, 4));
            let want: Vec<f32> = (0..m)
                .map(|r| (0..n).map(|i| x[i] * w[r * n + i]).sum())
                .collect();
            assert_eq!(rows_dot_slices(&x, &w, n), want, "{m}x{n}");
        }
    }
}
