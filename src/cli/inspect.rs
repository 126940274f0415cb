//! `factory trace`, `generate`, `neighbours` and `score`: the model on the terminal, as text or JSON.

use anyhow::Result;
use serde_json::json;

use super::args::{GenerateArgs, NeighboursArgs, ScoreArgs, TraceArgs};
use crate::model::embedding::{parse_expr, single_token};
use crate::model::generate::{encode_prompt, generate_ablated};
use crate::model::trace::{softmax, top_n};
use crate::model::{Ablations, KvCache, LayerTrace, LoadedModel, Sampler, Tokenizer, Trace};

/// Prints a token's text so that spaces and newlines are visible.
fn shown(text: &str) -> String {
    format!("{text:?}")
}

/// A prompt traced once, with what both printers (JSON and text) show of it.
struct Traced<'a> {
    /// The model that ran it.
    m: &'a LoadedModel,
    /// The prompt's ids (after any dropped to fit the context).
    ids: &'a [u32],
    /// How many leading tokens were dropped to fit the context.
    dropped: usize,
    /// Each id's text.
    texts: Vec<String>,
    /// The parts switched off for the run.
    ablations: Ablations,
    /// The run, with every intermediate.
    tr: Trace,
    /// The most likely next tokens: (id, probability).
    top: Vec<(usize, f32)>,
}

pub(super) fn trace(args: TraceArgs) -> Result<()> {
    let m = args.model.open()?;
    let cfg = &m.config;
    let prompt = encode_prompt(&m.tokenizer, &args.prompt, cfg.n_positions)?;
    if let Some(notice) = prompt.notice() {
        eprintln!("note: {notice}");
    }
    let ablations = args.ablate.for_model(cfg)?;
    let ids = &prompt.ids;
    let tr = m
        .gpt
        .trace(ids, &mut KvCache::with_ablations(ablations.clone()))?;
    let probs = softmax(&tr.logits);
    let top = top_n(&probs, args.top.max(1));
    let texts: Vec<String> = ids.iter().map(|&id| m.tokenizer.token_text(id)).collect();
    let traced = Traced {
        m: &m,
        ids,
        dropped: prompt.dropped,
        texts,
        ablations,
        tr,
        top,
    };
    if args.json {
        return print_trace_json(&traced, args.full);
    }
    print_trace_summary(&traced);
    print_logit_lens(&traced);
    print_strongest_attention(&traced);
    Ok(())
}

/// `factory trace --json`: the model, tokens, ablations, each layer's attention and lens, and the
/// next-token guesses as one JSON line (with the whole trace when `full`).
fn print_trace_json(t: &Traced<'_>, full: bool) -> Result<()> {
    let (m, cfg) = (t.m, &t.m.config);
    let layers: Vec<_> =
        t.tr.layers
            .iter()
            .map(|l| layer_json(l, &m.tokenizer))
            .collect();
    let mut out = json!({
        "model": {
            "dir": m.dir,
            "n_layer": cfg.n_layer, "n_head": cfg.n_head, "n_embd": cfg.n_embd,
            "n_positions": cfg.n_positions, "vocab_size": cfg.vocab_size,
            "n_params": cfg.n_params(),
        },
        "tokens": t.ids.iter().zip(&t.texts).map(|(id, text)| json!({"id": id, "text": text})).collect::<Vec<_>>(),
        "dropped_tokens": t.dropped,
        "ablations": t.ablations.list().iter().map(ToString::to_string).collect::<Vec<_>>(),
        "layers": layers,
        "next_token": {
            "logits": t.tr.logits,
            "top": t.top.iter().map(|&(id, p)| json!({"id": id, "text": m.tokenizer.token_text(id as u32), "prob": p})).collect::<Vec<_>>(),
        },
    });
    if full {
        out["trace"] = serde_json::to_value(&t.tr)?;
    }
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}

/// One layer in `factory trace --json`: its attention rows per head and its logit-lens guesses.
fn layer_json(l: &LayerTrace, tokenizer: &Tokenizer) -> serde_json::Value {
    let (nh, t, k) = (
        l.attention.shape[0],
        l.attention.shape[1],
        l.attention.shape[2],
    );
    let att: Vec<Vec<&[f32]>> = (0..nh)
        .map(|h| {
            (0..t)
                .map(|q| &l.attention.data[(h * t + q) * k..(h * t + q + 1) * k])
                .collect()
        })
        .collect();
    let lens: Vec<_> = l
        .lens
        .iter()
        .map(|g| json!({"id": g.id, "token": tokenizer.token_text(g.id), "prob": g.prob}))
        .collect();
    json!({ "attention": att, "lens": lens })
}

/// Prints the model's shape, what was switched off, the prompt's tokens and the next-token guesses.
fn print_trace_summary(t: &Traced<'_>) {
    let (m, cfg) = (t.m, &t.m.config);
    println!(
        "model {}: {} layers, {} heads, {} dims, context {}, vocabulary {}, {:.2}M parameters",
        m.dir.display(),
        cfg.n_layer,
        cfg.n_head,
        cfg.n_embd,
        cfg.n_positions,
        cfg.vocab_size,
        cfg.n_params() as f64 / 1e6
    );
    if !t.ablations.is_empty() {
        println!("switched off: {}", t.ablations);
    }
    println!("\ntokens ({}):", t.ids.len());
    for (i, (id, text)) in t.ids.iter().zip(&t.texts).enumerate() {
        println!("  {i:>4}  id {id:>6}  {}", shown(text));
    }
    println!("\nnext token, top {}:", t.top.len());
    for (id, p) in &t.top {
        println!(
            "  {:>6.2}%  id {id:>6}  {}",
            p * 100.0,
            shown(&m.tokenizer.token_text(*id as u32))
        );
    }
}

/// Prints the logit lens: each layer's top guesses for the next token.
fn print_logit_lens(t: &Traced<'_>) {
    println!(
        "\nlogit lens: the guess if the model stopped after each layer (temperature 1, nothing cut):"
    );
    for (li, l) in t.tr.layers.iter().enumerate() {
        let guesses: Vec<String> = l
            .lens
            .iter()
            .map(|g| {
                format!(
                    "{} {:.1}%",
                    shown(&t.m.tokenizer.token_text(g.id)),
                    g.prob * 100.0
                )
            })
            .collect();
        println!("  after layer {li}: {}", guesses.join(", "));
    }
}

/// Prints, for each layer and head, the query/key pair with the largest attention weight.
fn print_strongest_attention(traced: &Traced<'_>) {
    let texts = &traced.texts;
    println!("\nstrongest attention link per layer and head (query -> key, weight):");
    if traced.ids.len() > 1 {
        println!("  (the first token can only look at itself, so its row is left out)");
    }
    for (li, l) in traced.tr.layers.iter().enumerate() {
        let (nh, t, k) = (
            l.attention.shape[0],
            l.attention.shape[1],
            l.attention.shape[2],
        );
        for h in 0..nh {
            let first_q = usize::from(t > 1);
            let mut best = (0, 0, f32::NEG_INFINITY);
            for q in first_q..t {
                for key in 0..k {
                    let w = l.attention.at(&[h, q, key]);
                    if w > best.2 {
                        best = (q, key, w);
                    }
                }
            }
            println!(
                "  layer {li} head {h}: {}({}) -> {}({})  {:.3}",
                shown(&texts[best.0]),
                best.0,
                shown(&texts[best.1]),
                best.1,
                best.2
            );
        }
    }
}

pub(super) fn generate(args: GenerateArgs) -> Result<()> {
    let mut sampler = Sampler::new(args.sampling.params())?;
    let m = args.model.open()?;
    let prompt = encode_prompt(&m.tokenizer, &args.prompt, m.config.n_positions)?;
    if let Some(notice) = prompt.notice() {
        eprintln!("note: {notice}");
    }
    let ablations = args.ablate.for_model(&m.config)?;
    let new_ids = generate_ablated(
        &m.gpt,
        &prompt.ids,
        args.max_new_tokens,
        &mut sampler,
        &ablations,
        |_| {},
    )?;
    let text = m.tokenizer.decode(&new_ids)?;
    if args.json {
        let out = json!({
            "prompt_ids": prompt.ids,
            "new_ids": new_ids,
            "text": text,
            "dropped_tokens": prompt.dropped,
            "sampling": sampler.params(),
            "ablations": ablations.list().iter().map(ToString::to_string).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string(&out)?);
    } else {
        println!("{}{}", args.prompt, text);
    }
    Ok(())
}

/// `factory neighbours`: the nearest tokens to a word, or to the result of vector arithmetic, by
/// cosine over the rows of `wte`; the query's own tokens are left out.
pub(super) fn neighbours(args: NeighboursArgs) -> Result<()> {
    let m = args.model.open()?;
    let tok = &m.tokenizer;
    let (text, terms) = match (&args.word, &args.expr) {
        (_, Some(expr)) => (expr.clone(), parse_expr(tok, expr)?),
        (Some(word), None) => (word.clone(), vec![(single_token(tok, word)?, 1.0)]),
        (None, None) => anyhow::bail!("give a WORD or --expr \"king - man + woman\""),
    };
    let expect = args
        .expect
        .as_deref()
        .map(|w| single_token(tok, w))
        .transpose()?;
    let emb = m.gpt.token_embeddings()?;
    let q = emb.query(terms, expect, args.top);
    let (terms, found, expected) = (q.terms, q.neighbours, q.expected);
    let mut operands: Vec<u32> = terms.iter().map(|t| t.0).collect();
    operands.sort_unstable();
    operands.dedup();
    let exclude = operands.len();
    if args.json {
        let out = json!({
            "query": {
                "text": text,
                "terms": terms.iter().map(|&(id, sign)| json!({"id": id, "token": tok.token_text(id), "sign": sign})).collect::<Vec<_>>(),
            },
            "neighbours": found.iter().map(|n| json!({"id": n.id, "token": tok.token_text(n.id), "cosine": n.cosine})).collect::<Vec<_>>(),
            "expected": expected.map(|(id, rank, cosine)| json!({"id": id, "token": tok.token_text(id), "rank": rank, "cosine": cosine})),
        });
        println!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
    let shown_terms: Vec<String> = terms
        .iter()
        .enumerate()
        .map(|(i, &(id, sign))| {
            let op = match (i, sign < 0.0) {
                (0, false) => "",
                (0, true) => "-",
                (_, false) => "+ ",
                (_, true) => "- ",
            };
            format!("{op}{} (id {id})", shown(&tok.token_text(id)))
        })
        .collect();
    println!("nearest by cosine to {}:", shown_terms.join(" "));
    for (rank, n) in found.iter().enumerate() {
        println!(
            "  {:>3}. {:+.3}  id {:>6}  {}",
            rank + 1,
            n.cosine,
            n.id,
            shown(&tok.token_text(n.id))
        );
    }
    if let Some((id, rank, cosine)) = expected {
        println!(
            "expected {}: rank {rank} of {} (cosine {cosine:+.3})",
            shown(&tok.token_text(id)),
            emb.len() - exclude
        );
    }
    Ok(())
}

pub(super) fn score(args: ScoreArgs) -> Result<()> {
    let m = args.model.open()?;
    let texts: Vec<String> = match &args.file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        None => args.texts.clone(),
    };
    if texts.is_empty() {
        anyhow::bail!("nothing to score: the file has no non-empty line");
    }
    let (mut nll, mut predicted, mut words) = (0.0, 0, 0);
    println!(
        "{:>8} {:>6} {:>9} {:>9}  text",
        "tokens", "words", "nats/tok", "ppl/word"
    );
    for text in &texts {
        let s = crate::model::score::score(&m.gpt, &m.tokenizer, text)
            .map_err(|e| anyhow::anyhow!("{text:?}: {e}"))?;
        println!(
            "{:>8} {:>6} {:>9.3} {:>9.1}  {text}",
            s.tokens,
            s.words,
            s.nll / s.predicted as f64,
            s.word_perplexity()
        );
        nll += s.nll;
        predicted += s.predicted;
        words += s.words;
    }
    println!(
        "all {} texts: {predicted} tokens predicted, {:.3} nats per token, perplexity {:.1} per \
         token, {:.1} per word ({words} words)",
        texts.len(),
        nll / predicted as f64,
        (nll / predicted as f64).exp(),
        (nll / words.max(1) as f64).exp()
    );
    Ok(())
}
