//! The key/value cache of inference runs: each layer's keys and values of the tokens already run,
//! kept in buffers that grow in place, under one set of ablations (and at most one activation put
//! in from another run).

use candle_core::Tensor;

use super::ablate::Ablations;
use super::error::Result;
use super::splice::Splice;

/// Keys and values of the tokens already run, per layer, so a new token computes only its own row.
///
/// Each layer's keys and values live in buffers with room to spare, (1, nh, capacity, hs); a new
/// token's rows are written in place after the cached ones (no copy of the whole cache per step), and
/// the room doubles, up to the model's context, when it runs out. Cloning copies the buffers, so two
/// clones can grow apart.
///
/// A cache belongs to one set of [`Ablations`] (none by default): every run with it switches the
/// same parts off, so cached keys and values always match what a full recompute would give.
/// Changing the ablations means a new cache. So does a [`Splice`]: every run with the cache puts
/// that activation of another run in (a patched run on the floor).
#[derive(Debug, Default)]
pub struct KvCache {
    /// Per layer: (k, v) buffers, each (1, nh, capacity, hs); rows `0..len` are filled.
    layers: Vec<(Tensor, Tensor)>,
    len: usize,
    ablations: Ablations,
    splice: Option<Splice>,
}

impl Clone for KvCache {
    fn clone(&self) -> Self {
        let deep = |t: &Tensor| t.copy().expect("copying a key/value buffer on the CPU");
        Self {
            layers: self
                .layers
                .iter()
                .map(|(k, v)| (deep(k), deep(v)))
                .collect(),
            len: self.len,
            ablations: self.ablations.clone(),
            splice: self.splice.clone(),
        }
    }
}

impl KvCache {
    /// An empty cache, for the model as trained.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty cache whose runs switch off `ablations`.
    pub fn with_ablations(ablations: Ablations) -> Self {
        Self {
            ablations,
            ..Self::default()
        }
    }

    /// This cache with `splice` put into every run (`None`: nothing put in); its cached tokens are
    /// forgotten, as they were run without it.
    pub fn with_splice(mut self, splice: Option<Splice>) -> Self {
        self.clear();
        self.splice = splice;
        self
    }

    /// What this cache's runs put in from another run.
    pub fn splice(&self) -> Option<&Splice> {
        self.splice.as_ref()
    }

    /// The parts this cache's runs switch off.
    pub fn ablations(&self) -> &Ablations {
        &self.ablations
    }

    /// Number of tokens whose keys and values are cached.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets every cached token (the ablations and the splice stay).
    pub fn clear(&mut self) {
        self.layers.clear();
        self.len = 0;
    }

    /// Forgets every token after the first `len` (their rows are written over by the next run).
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// Writes layer `i`'s new keys and values (1, nh, T, hs) after the `len` cached ones and returns
    /// views of all `len + T`. The length itself grows only when the whole run succeeded
    /// ([`KvCache::advance`]), so a failed run leaves the cache as it was.
    pub(super) fn extend(
        &mut self,
        i: usize,
        k_new: &Tensor,
        v_new: &Tensor,
        max: usize,
    ) -> Result<(Tensor, Tensor)> {
        let (p, t) = (self.len, k_new.dim(2)?);
        let need = p + t;
        let room = |have: usize| {
            have.max(64)
                .max(need)
                .next_power_of_two()
                .min(max)
                .max(need)
        };
        if i == self.layers.len() {
            let mut shape = k_new.dims().to_vec();
            shape[2] = room(need);
            let zeros = || Tensor::zeros(shape.clone(), k_new.dtype(), k_new.device());
            self.layers.push((zeros()?, zeros()?));
        }
        let (k, v) = &mut self.layers[i];
        if k.dim(2)? < need {
            // out of room: a bigger buffer, the cached rows copied over once
            let grow = |old: &Tensor| -> Result<Tensor> {
                let mut shape = old.dims().to_vec();
                shape[2] = room(2 * old.dim(2).unwrap_or(0));
                let bigger = Tensor::zeros(shape, old.dtype(), old.device())?;
                if p > 0 {
                    bigger.slice_set(&old.narrow(2, 0, p)?.contiguous()?, 2, 0)?;
                }
                Ok(bigger)
            };
            *k = grow(k)?;
            *v = grow(v)?;
        }
        k.slice_set(k_new, 2, p)?;
        v.slice_set(v_new, 2, p)?;
        Ok((k.narrow(2, 0, need)?, v.narrow(2, 0, need)?))
    }

    pub(super) fn advance(&mut self, t: usize) {
        self.len += t;
    }
}
