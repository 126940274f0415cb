//! `factory bench`: the model's speed (a full trace, one cached step), training steps, or the scene.

use std::time::Instant;

use anyhow::Result;

use super::args::{BenchArgs, ModelArg};
use crate::model::{Config, Gpt, KvCache, Record};

/// Median, 10th and 90th percentile of durations in milliseconds.
fn summarize(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.1), at(0.9))
}

fn time_runs(iters: usize, mut f: impl FnMut() -> Result<()>) -> Result<(f64, f64, f64)> {
    for _ in 0..iters.div_ceil(10) {
        f()?; // warm-up
    }
    let mut ms = Vec::with_capacity(iters);
    for _ in 0..iters.max(1) {
        let start = Instant::now();
        f()?;
        ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    Ok(summarize(ms))
}

/// Prints one timing line: what was timed, then the median, p10 and p90 in milliseconds.
fn report(what: &str, (med, p10, p90): (f64, f64, f64)) {
    println!("  {what:<44} median {med:>8.3} ms   p10 {p10:>8.3}   p90 {p90:>8.3}");
}

pub(super) fn bench(args: BenchArgs) -> Result<()> {
    if args.train {
        return bench_training(args.iters);
    }
    let model = ModelArg {
        model: args.model.clone(),
    };
    if args.scene {
        let m = model.open()?;
        return crate::bench::scene(std::sync::Arc::new(m), args.tokens, args.iters);
    }
    let (gpt, label) = open_bench_model(&args, &model)?;
    let cfg = gpt.config().clone();
    if cfg.n_positions < 2 {
        anyhow::bail!(
            "the model's context (n_positions = {}) is too short to time a cached step",
            cfg.n_positions
        );
    }
    let n = args.tokens.clamp(2, cfg.n_positions);
    let ids: Vec<u32> = (0..n as u32)
        .map(|i| (i * 7919) % cfg.vocab_size as u32)
        .collect();
    println!(
        "bench: {label}: {} layers, {} heads, {} dims, vocab {}; {} tokens; {} runs each; {} threads",
        cfg.n_layer,
        cfg.n_head,
        cfg.n_embd,
        cfg.vocab_size,
        n,
        args.iters,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    bench_whole_prompt(&gpt, &ids, args.iters)?;
    bench_cached_steps(&gpt, &ids, args.iters)?;
    bench_analyses(&gpt, &ids, args.iters)
}

/// `factory bench --train`: times full training steps of the default-size model and prints them.
fn bench_training(iters: usize) -> Result<()> {
    let cfg = Config::factory_small(4096, 128);
    let batch = 16;
    let steps = iters.clamp(3, 1000);
    let secs = crate::model::train::time_steps(&cfg, batch, steps + 2)?;
    let ms: Vec<f64> = secs[2..].iter().map(|s| s * 1e3).collect();
    let (med, p10, p90) = summarize(ms);
    let tokens = (batch * cfg.n_positions) as f64;
    println!(
        "train bench: {} layers, {} heads, {} dims, vocab {}, batch {batch} x {}; {steps} steps; {} threads",
        cfg.n_layer,
        cfg.n_head,
        cfg.n_embd,
        cfg.vocab_size,
        cfg.n_positions,
        std::env::var("RAYON_NUM_THREADS").unwrap_or_default()
    );
    println!(
        "  step median {med:.0} ms (p10 {p10:.0}, p90 {p90:.0})  =  {:.0} tokens/s",
        tokens / med * 1e3
    );
    Ok(())
}

/// The model to time and how to describe it: the one given with --model, or random weights of
/// GPT-2 small's shape (--gpt2-shape) or of the default size.
fn open_bench_model(args: &BenchArgs, model: &ModelArg) -> Result<(Gpt, String)> {
    Ok(match &args.model {
        Some(_) => {
            let m = model.open()?;
            (m.gpt, m.dir.display().to_string())
        }
        None if args.gpt2_shape => (
            Gpt::random(&Config::gpt2_small())?,
            "random weights, GPT-2 small's shape".to_string(),
        ),
        None => {
            let cfg = Config::factory_small(4096, 128);
            (
                Gpt::random(&cfg)?,
                "random weights, default size".to_string(),
            )
        }
    })
}

/// Times whole-prompt runs from an empty cache: the full trace, the view trace, and logits only.
fn bench_whole_prompt(gpt: &Gpt, ids: &[u32], iters: usize) -> Result<()> {
    let n = ids.len();
    report(
        &format!("full trace, {n} tokens (every intermediate)"),
        time_runs(iters, || {
            gpt.trace(ids, &mut KvCache::new())?;
            Ok(())
        })?,
    );
    report(
        &format!("view trace, {n} tokens (what the floor shows)"),
        time_runs(iters, || {
            gpt.trace_with(ids, &mut KvCache::new(), Record::View)?;
            Ok(())
        })?,
    );
    report(
        &format!("forward, {n} tokens (last logits only)"),
        time_runs(iters, || {
            gpt.next_logits(ids, &mut KvCache::new())?;
            Ok(())
        })?,
    );
    Ok(())
}

/// Times one cached step for the last token (view trace, the floor's step with its logit lens,
/// logits only), the cache holding the tokens before it.
fn bench_cached_steps(gpt: &Gpt, ids: &[u32], iters: usize) -> Result<()> {
    let n = ids.len();
    let mut base = KvCache::new();
    gpt.next_logits(&ids[..n - 1], &mut base)?;
    report(
        &format!("cached step, token {n} (view trace)"),
        time_runs(iters, || {
            base.truncate(n - 1);
            gpt.trace_with(&ids[n - 1..], &mut base, Record::View)?;
            Ok(())
        })?,
    );
    report(
        &format!("cached step, token {n} (floor's step, lens after)"),
        time_runs(iters, || {
            base.truncate(n - 1);
            gpt.trace_with(&ids[n - 1..], &mut base, Record::Step)?;
            Ok(())
        })?,
    );
    base.truncate(n - 1);
    let step = gpt.trace_with(&ids[n - 1..], &mut base, Record::Step)?;
    let rows: Vec<&[f32]> = step
        .layers
        .iter()
        .map(|l| l.resid_ffn.data.as_slice())
        .collect();
    report(
        "logit lens of that step (the floor's follow-up)",
        time_runs(iters, || {
            gpt.logit_lens(&rows)?;
            Ok(())
        })?,
    );
    report(
        &format!("cached step, token {n} (logits only)"),
        time_runs(iters, || {
            base.truncate(n - 1);
            gpt.next_logits(&ids[n - 1..], &mut base)?;
            Ok(())
        })?,
    );
    Ok(())
}

/// Times the analyses the rooms run: the heads' parts in a logit, and the embedding room's map.
fn bench_analyses(gpt: &Gpt, ids: &[u32], iters: usize) -> Result<()> {
    let n = ids.len();
    report(
        &format!("heads' parts in a logit, {n} tokens"),
        time_runs(iters, || {
            gpt.attribution(ids, &crate::model::Ablations::default(), 0)?;
            Ok(())
        })?,
    );
    let rows = gpt.token_embeddings()?;
    report(
        &format!("embedding room's map (PCA of {} rows)", rows.len()),
        time_runs(iters.min(5), || {
            crate::model::pca::EmbeddingMap::new(&rows)?;
            Ok(())
        })?,
    );
    Ok(())
}
