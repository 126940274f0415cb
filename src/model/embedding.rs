//! Directions in embedding space: a token's nearest neighbours by cosine among the rows of `wte`,
//! and vector arithmetic on single-token words (`king - man + woman`), from the model's own weights.

use super::error::{ModelError, Result};
use super::tokenizer::Tokenizer;

/// A token and its cosine similarity to a query direction.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Neighbour {
    /// Token id.
    pub id: u32,
    /// Cosine similarity to the query, from −1 to 1.
    pub cosine: f32,
}

/// The rows of `wte` (vocab × width, row-major), with each row's length.
#[derive(Debug, Clone)]
pub struct Embeddings {
    /// Row-major (V, C).
    pub rows: Vec<f32>,
    /// Width C.
    pub width: usize,
    norms: Vec<f32>,
}

impl Embeddings {
    /// Wraps `wte` (row-major `vocab × width`).
    pub fn new(rows: Vec<f32>, width: usize) -> Self {
        let norms = rows
            .chunks(width.max(1))
            .map(|r| r.iter().map(|x| x * x).sum::<f32>().sqrt())
            .collect();
        Self { rows, width, norms }
    }

    /// Number of rows (the vocabulary size).
    pub fn len(&self) -> usize {
        self.norms.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.norms.is_empty()
    }

    /// Row `id`.
    pub fn row(&self, id: u32) -> &[f32] {
        let i = id as usize * self.width;
        &self.rows[i..i + self.width]
    }

    /// The `top` rows most similar to `query` by cosine, most similar first, `exclude` left out.
    pub fn nearest(&self, query: &[f32], exclude: &[u32], top: usize) -> Vec<Neighbour> {
        let qn = query
            .iter()
            .map(|x| x * x)
            .sum::<f32>()
            .sqrt()
            .max(f32::MIN_POSITIVE);
        let mut all: Vec<Neighbour> = (0..self.len())
            .filter(|&i| !exclude.contains(&(i as u32)))
            .map(|i| {
                let dot: f32 = self
                    .row(i as u32)
                    .iter()
                    .zip(query)
                    .map(|(a, b)| a * b)
                    .sum();
                Neighbour {
                    id: i as u32,
                    cosine: dot / (qn * self.norms[i].max(f32::MIN_POSITIVE)),
                }
            })
            .collect();
        all.sort_by(|a, b| b.cosine.total_cmp(&a.cosine).then(a.id.cmp(&b.id)));
        all.truncate(top);
        all
    }

    /// The sum of signed rows: `terms` of (id, +1 or −1).
    pub fn combine(&self, terms: &[(u32, f32)]) -> Vec<f32> {
        let mut v = vec![0.0; self.width];
        for &(id, sign) in terms {
            for (acc, x) in v.iter_mut().zip(self.row(id)) {
                *acc += sign * x;
            }
        }
        v
    }
}

/// The answer to "which tokens lie nearest to this word, or to this sum of words?".
#[derive(Debug, Clone)]
pub struct Query {
    /// The words as terms: (token id, +1 or −1).
    pub terms: Vec<(u32, f32)>,
    /// The summed direction.
    pub vector: Vec<f32>,
    /// The nearest tokens by cosine, the terms' own tokens left out.
    pub neighbours: Vec<Neighbour>,
    /// The expected answer's (id, rank from 1, cosine), when one was named.
    pub expected: Option<(u32, usize, f32)>,
}

impl Embeddings {
    /// The `top` tokens nearest to the sum of `terms` (see [`parse_expr`], [`single_token`]), the
    /// terms' own tokens left out, and where `expect` ranks among all the others.
    pub fn query(&self, terms: Vec<(u32, f32)>, expect: Option<u32>, top: usize) -> Query {
        let vector = self.combine(&terms);
        let exclude: Vec<u32> = terms.iter().map(|t| t.0).collect();
        let neighbours = self.nearest(&vector, &exclude, top.max(1));
        let expected = expect.and_then(|id| {
            let all = self.nearest(&vector, &exclude, self.len());
            all.iter()
                .position(|n| n.id == id)
                .map(|rank| (id, rank + 1, all[rank].cosine))
        });
        Query {
            terms,
            vector,
            neighbours,
            expected,
        }
    }
}

/// A word as one token: as written with a leading space first (the form words take inside a
/// sentence: " king"), else exactly as written. A word that is several tokens either way is an
/// error naming its pieces.
pub fn single_token(tok: &Tokenizer, word: &str) -> Result<u32> {
    let spaced = format!(" {}", word.trim_start());
    for form in [spaced.as_str(), word] {
        if let Ok(ids) = tok.encode(form)
            && ids.len() == 1
        {
            return Ok(ids[0]);
        }
    }
    let pieces: Vec<String> = tok
        .encode(&spaced)
        .unwrap_or_default()
        .iter()
        .map(|&id| format!("{:?}", tok.token_text(id)))
        .collect();
    Err(ModelError::Prompt(format!(
        "{word:?} is not one token in this vocabulary: {spaced:?} is {} pieces ({}); \
         vector arithmetic needs single-token words",
        pieces.len(),
        pieces.join(" + ")
    )))
}

/// Parses `a - b + c` into terms with signs (+1, −1); each term a single-token word.
pub fn parse_expr(tok: &Tokenizer, expr: &str) -> Result<Vec<(u32, f32)>> {
    let mut terms = Vec::new();
    let mut sign = 1.0;
    let mut word = String::new();
    let push = |word: &mut String, sign: f32, terms: &mut Vec<(u32, f32)>| -> Result<()> {
        let w = word.trim();
        if w.is_empty() {
            return Err(ModelError::Prompt(format!(
                "{expr:?}: expected words joined by + and -, e.g. \"king - man + woman\""
            )));
        }
        terms.push((single_token(tok, w)?, sign));
        word.clear();
        Ok(())
    };
    for c in expr.chars() {
        match c {
            '+' | '-' if !word.trim().is_empty() => {
                push(&mut word, sign, &mut terms)?;
                sign = if c == '+' { 1.0 } else { -1.0 };
            }
            '-' if terms.is_empty() => sign = -1.0,
            _ => word.push(c),
        }
    }
    push(&mut word, sign, &mut terms)?;
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_by_cosine_excluding() {
        // rows: e0, e1, (1,1), (-1, 0)
        let e = Embeddings::new(vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0, -1.0, 0.0], 2);
        let n = e.nearest(&[1.0, 0.1], &[0], 2);
        assert_eq!(n[0].id, 2);
        assert_eq!(n[1].id, 1);
        assert!((e.nearest(&[1.0, 0.0], &[], 1)[0].cosine - 1.0).abs() < 1e-6);
        assert_eq!(e.combine(&[(2, 1.0), (1, -1.0)]), vec![1.0, 0.0]);
    }
}
