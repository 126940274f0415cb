//! One head's attention weights as a picture (rows: the token reading, columns: the tokens read, the
//! masked future grey), for the heatmap windows and the layer overview. Pure: from the floor's
//! history to RGBA8 pixels.

use super::palette;
use crate::playback::history::History;

/// Grey of the masked future (a query never reads a later key).
const MASKED: [u8; 4] = [58, 60, 66, 255];

/// The largest heatmap texture side: a longer floor is pooled into blocks of tokens.
pub const MAX_HEATMAP_SIDE: usize = 256;

/// Side of the heatmap texture for `n` tokens: one pixel per pair up to [`MAX_HEATMAP_SIDE`].
pub fn heatmap_side(n: usize) -> usize {
    n.clamp(1, MAX_HEATMAP_SIDE)
}

/// RGBA8 pixels of one head's weights, [`heatmap_side`] square: amber by weight, the masked future
/// grey. Past [`MAX_HEATMAP_SIDE`] tokens a pixel covers a block of query × key tokens and shows the
/// block's strongest weight (so a sharp look at one token stays visible); grey only where the whole
/// block is masked.
pub fn head_pixels(h: &History, layer: usize, head: usize) -> Vec<u8> {
    head_pixels_at(h, layer, head, heatmap_side(h.len()))
}

/// [`head_pixels`] at `side` pixels square (at most one pixel per pair): the layer overview's
/// far-away tiles are small.
pub fn head_pixels_at(h: &History, layer: usize, head: usize, side: usize) -> Vec<u8> {
    let n = h.len();
    let side = side.clamp(1, n.max(1));
    let span = |i: usize| (i * n / side)..((i + 1) * n / side).max(i * n / side + 1);
    let mut px = Vec::with_capacity(side * side * 4);
    for qy in 0..side {
        let queries = span(qy);
        for kx in 0..side {
            let keys = span(kx);
            if keys.start > queries.end - 1 {
                px.extend_from_slice(&MASKED);
                continue;
            }
            let mut best = 0.0f32;
            for q in queries.clone() {
                for k in keys.clone().take_while(|&k| k <= q) {
                    best = best.max(h.weight(layer, head, q, k));
                }
            }
            px.extend_from_slice(&palette::weight_rgba(best));
        }
    }
    px
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playback::history::LayerRows;

    /// A floor longer than the texture pools 2 × 2 tokens into a pixel (or, asked for a small
    /// picture, 8 × 8) and shows the block's strongest weight; a block wholly in the future is grey.
    #[test]
    fn long_floors_pool_into_blocks_of_their_strongest_weight() {
        for (n, side) in [(2 * MAX_HEATMAP_SIDE, None), (64, Some(8)), (96, Some(12))] {
            // query q puts all its weight on key q / 2
            let rows: Vec<Vec<f32>> = (0..n)
                .map(|q| {
                    (0..=q)
                        .map(|k| if k == q / 2 { 1.0 } else { 0.0 })
                        .collect()
                })
                .collect();
            let h = History {
                ids: vec![0; n],
                texts: vec![String::new(); n],
                layers: vec![LayerRows {
                    attention: vec![rows],
                    ..Default::default()
                }],
                ..Default::default()
            };
            let (px, side) = match side {
                None => {
                    assert_eq!(heatmap_side(n), MAX_HEATMAP_SIDE);
                    (head_pixels(&h, 0, 0), MAX_HEATMAP_SIDE)
                }
                Some(side) => (head_pixels_at(&h, 0, 0, side), side),
            };
            assert_eq!(px.len(), side * side * 4);
            let at = |y: usize, x: usize| &px[(y * side + x) * 4..(y * side + x) * 4 + 4];
            let lit = palette::weight_rgba(1.0);
            let dark = palette::weight_rgba(0.0);
            for y in 0..side {
                for x in 0..side {
                    // a block of b queries from b·y reads keys from b·y / 2, all in block y / 2
                    let want: &[u8] = if x > y {
                        &MASKED
                    } else if x == y / 2 {
                        &lit
                    } else {
                        &dark
                    };
                    assert_eq!(at(y, x), want, "{n} tokens, {side} px: pixel ({y}, {x})");
                }
            }
        }
    }
}
