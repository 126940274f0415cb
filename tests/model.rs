//! The model against an independent f64 reference, the key/value cache, loading errors and the CLI.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Naming, Reference};
use factory::model::generate::{encode_prompt, generate};
use factory::model::{KvCache, LoadedModel, ModelError, Sampler, SamplingParams};

fn ids_for(n: usize, vocab: usize) -> Vec<u32> {
    (0..n).map(|i| ((i * 37 + 11) % vocab) as u32).collect()
}

fn max_diff(a: &[f32], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (*x as f64 - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn forward_matches_reference_in_both_layouts() {
    for (naming, untied) in [
        (Naming::Prefixed, false),
        (Naming::Plain, true),
        (Naming::Prefixed, true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (d, w) = common::write_model(dir.path(), 7, naming, untied);
        let m = LoadedModel::open(dir.path()).unwrap();
        let reference = Reference { d, w: &w };
        for t in [1, 5, d.n_positions] {
            let ids = ids_for(t, d.vocab_size);
            let tr = m.gpt.trace(&ids, &mut KvCache::new()).unwrap();
            let r = reference.run(&ids);
            let spread = r
                .logits
                .iter()
                .cloned()
                .fold(0.0, |a: f64, b| a.max(b.abs()));
            assert!(
                spread > 1.0,
                "logits should not be trivially small ({spread})"
            );
            let dl = max_diff(&tr.logits, &r.logits);
            assert!(dl < 1e-4, "{naming:?} T={t}: logits differ by {dl}");
            let flat_ln: Vec<f64> = r.ln_f.concat();
            assert!(max_diff(&tr.ln_f.data, &flat_ln) < 1e-4);
            for (l, layer) in tr.layers.iter().enumerate() {
                assert_eq!(layer.attention.shape, vec![d.n_head, t, t]);
                for h in 0..d.n_head {
                    for q in 0..t {
                        let row = layer.attention.row(&[h, q]);
                        let da = max_diff(row, &r.attention[l][h][q]);
                        assert!(
                            da < 1e-5,
                            "layer {l} head {h} query {q}: attention differs by {da}"
                        );
                        let sum: f32 = row.iter().sum();
                        assert!((sum - 1.0).abs() < 1e-5, "row sums to {sum}");
                        assert!(
                            row[q + 1..].iter().all(|&v| v == 0.0),
                            "future keys must be exactly 0"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn attention_is_not_uniform_on_random_weights() {
    // Guards the reference comparison against a degenerate model where everything is uniform.
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = common::write_model(dir.path(), 3, Naming::Prefixed, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let tr = m
        .gpt
        .trace(&ids_for(10, d.vocab_size), &mut KvCache::new())
        .unwrap();
    let row = tr.layers[0].attention.row(&[0, 9]);
    let (lo, hi) = row
        .iter()
        .fold((1.0f32, 0.0f32), |(a, b), &v| (a.min(v), b.max(v)));
    assert!(hi - lo > 0.02, "attention row is flat: {row:?}");
}

#[test]
fn trace_shapes_and_residual_sums_are_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = common::write_model(dir.path(), 5, Naming::Plain, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let t = 6;
    let tr = m
        .gpt
        .trace(&ids_for(t, d.vocab_size), &mut KvCache::new())
        .unwrap();
    let (c, nh, hs, h) = (d.n_embd, d.n_head, d.n_embd / d.n_head, d.n_inner);
    assert_eq!(tr.embed.shape, vec![t, c]);
    for (a, (b, s)) in tr
        .embed
        .data
        .iter()
        .zip(tr.tok_emb.data.iter().zip(&tr.pos_emb.data))
    {
        assert!((a - (b + s)).abs() < 1e-6);
    }
    assert_eq!(tr.layers.len(), d.n_layer);
    let mut prev = tr.embed.clone();
    for l in &tr.layers {
        assert_eq!(l.q.shape, vec![nh, t, hs]);
        assert_eq!(l.k.shape, vec![nh, t, hs]);
        assert_eq!(l.scores.shape, vec![nh, t, t]);
        assert_eq!(l.head_out.shape, vec![nh, t, hs]);
        assert_eq!(l.ffn_act.shape, vec![t, h]);
        for i in 0..t * c {
            assert!((l.resid_attn.data[i] - (prev.data[i] + l.attn_proj.data[i])).abs() < 1e-5);
            assert!(
                (l.resid_ffn.data[i] - (l.resid_attn.data[i] + l.ffn_out.data[i])).abs() < 1e-5
            );
        }
        // q·k / √hs recomputed from the recorded q and k
        let s: f32 = (0..hs)
            .map(|i| l.q.at(&[1, 4, i]) * l.k.at(&[1, 2, i]))
            .sum::<f32>()
            / (hs as f32).sqrt();
        assert!((s - l.scores.at(&[1, 4, 2])).abs() < 1e-5);
        prev = l.resid_ffn.clone();
    }
}

#[test]
fn kv_cache_steps_equal_full_recompute() {
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = common::write_model(dir.path(), 11, Naming::Prefixed, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let ids = ids_for(12, d.vocab_size);
    let mut cache = KvCache::new();
    m.gpt.trace(&ids[..4], &mut cache).unwrap();
    for n in 5..=ids.len() {
        let step = m.gpt.trace(&ids[n - 1..n], &mut cache).unwrap();
        assert_eq!(cache.len(), n);
        assert_eq!(step.start_pos, n - 1);
        let full = m.gpt.trace(&ids[..n], &mut KvCache::new()).unwrap();
        let dl = step
            .logits
            .iter()
            .zip(&full.logits)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(dl < 1e-5, "step {n}: logits differ by {dl}");
        for (ls, lf) in step.layers.iter().zip(&full.layers) {
            assert_eq!(ls.attention.shape, vec![d.n_head, 1, n]);
            assert_eq!(
                ls.k.shape, lf.k.shape,
                "the cached keys are reported in full"
            );
            for h in 0..d.n_head {
                let (a, b) = (ls.attention.row(&[h, 0]), lf.attention.row(&[h, n - 1]));
                assert!(a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6));
            }
            let last = |arr: &factory::model::Array| arr.row(&[arr.shape[0] - 1]).to_vec();
            let diff = last(&ls.ffn_act)
                .iter()
                .zip(last(&lf.ffn_act))
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(diff < 1e-5);
        }
    }
    // next_logits agrees with trace (which unembeds with the lens rows in one product, so the
    // last bits may differ) and with a view trace (exactly: the same product)
    let mut c1 = KvCache::new();
    let a = m.gpt.next_logits(&ids, &mut c1).unwrap();
    let full = m.gpt.trace(&ids, &mut KvCache::new()).unwrap();
    let diff = a
        .iter()
        .zip(&full.logits)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(diff < 1e-5, "next_logits differs from the trace by {diff}");
    let view = m
        .gpt
        .trace_with(&ids, &mut KvCache::new(), factory::model::Record::View)
        .unwrap();
    assert_eq!(view.logits, full.logits);
    assert_eq!(view.layers[0].attention, full.layers[0].attention);
    assert!(view.layers[0].q.data.is_empty() && !full.layers[0].q.data.is_empty());
}

#[test]
fn bad_ids_and_full_context_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = common::write_model(dir.path(), 1, Naming::Prefixed, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let mut cache = KvCache::new();
    assert!(matches!(
        m.gpt.trace(&[], &mut cache),
        Err(ModelError::Prompt(_))
    ));
    assert!(matches!(
        m.gpt.trace(&[d.vocab_size as u32], &mut cache),
        Err(ModelError::TokenId { .. })
    ));
    assert!(cache.is_empty(), "a failed run leaves the cache as it was");
    m.gpt
        .trace(&ids_for(d.n_positions, d.vocab_size), &mut cache)
        .unwrap();
    assert!(matches!(
        m.gpt.trace(&[1], &mut cache),
        Err(ModelError::ContextFull { .. })
    ));
    assert_eq!(cache.len(), d.n_positions);
}

/// The training forward pass (`forward_all`, every position at once, batched) and the training
/// loss, against the f64 reference: logits at every position, and the mean cross-entropy.
#[test]
fn training_forward_and_loss_match_the_reference() {
    use candle_core::{Device, Tensor};
    for (naming, untied) in [(Naming::Prefixed, false), (Naming::Plain, true)] {
        let dir = tempfile::tempdir().unwrap();
        let (d, w) = common::write_model(dir.path(), 11, naming, untied);
        let m = LoadedModel::open(dir.path()).unwrap();
        let reference = Reference { d, w: &w };
        let t = d.n_positions - 1;
        let seqs: Vec<Vec<u32>> = (0..2)
            .map(|b| {
                (0..=t)
                    .map(|i| ((i * 29 + b * 7 + 3) % d.vocab_size) as u32)
                    .collect()
            })
            .collect();
        let x: Vec<u32> = seqs.iter().flat_map(|s| s[..t].to_vec()).collect();
        let y: Vec<u32> = seqs.iter().flat_map(|s| s[1..].to_vec()).collect();
        let x = Tensor::from_vec(x, (2, t), &Device::Cpu).unwrap();
        let y = Tensor::from_vec(y, (2, t), &Device::Cpu).unwrap();
        let logits = m.gpt.forward_all(&x).unwrap().to_vec3::<f32>().unwrap();
        let head: Vec<f64> = w
            .get("lm_head.weight")
            .unwrap_or(&w["wte.weight"])
            .1
            .iter()
            .map(|&v| v as f64)
            .collect();
        let c = d.n_embd;
        let (mut nll, mut count) = (0.0f64, 0usize);
        for (b, seq) in seqs.iter().enumerate() {
            let r = reference.run(&seq[..t]);
            for p in 0..t {
                // logits = ln_f row · each unembedding row, in f64
                let want: Vec<f64> = (0..d.vocab_size)
                    .map(|v| (0..c).map(|i| r.ln_f[p][i] * head[v * c + i]).sum())
                    .collect();
                let diff = max_diff(&logits[b][p], &want);
                assert!(
                    diff < 1e-4,
                    "{naming:?} b={b} t={p}: logits differ by {diff}"
                );
                let top = want.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let z: f64 = want.iter().map(|l| (l - top).exp()).sum();
                nll += top + z.ln() - want[seq[p + 1] as usize];
                count += 1;
            }
        }
        let want_loss = nll / count as f64;
        let loss = factory::model::train::loss(&m.gpt, &x, &y)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap() as f64;
        assert!(
            (loss - want_loss).abs() < 1e-5,
            "{naming:?}: loss {loss} vs reference {want_loss}"
        );
    }
}

/// `--model` takes a folder, a name under models/, or a repository id from the Hugging Face hub
/// cache (`models--OWNER--NAME/refs/main` naming `snapshots/REV/`), offline; an id that is not
/// cached is a message saying how to fetch it.
#[test]
fn models_by_name_and_from_the_hub_cache() {
    let hub = tempfile::tempdir().unwrap();
    let repo = hub.path().join("models--owner--tiny");
    std::fs::create_dir_all(repo.join("refs")).unwrap();
    std::fs::write(repo.join("refs/main"), "rev1").unwrap();
    common::write_model(&repo.join("snapshots/rev1"), 4, Naming::Prefixed, false);
    let run = |model: &str| {
        Command::new(env!("CARGO_BIN_EXE_factory"))
            .args([
                "trace",
                "--model",
                model,
                "--prompt",
                "the king said",
                "--json",
            ])
            .env("HF_HUB_CACHE", hub.path())
            .output()
            .unwrap()
    };
    let out = run("owner/tiny");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["model"]["dir"]
            .as_str()
            .unwrap()
            .ends_with("snapshots/rev1")
    );
    assert_eq!(v["model"]["n_layer"], 2);
    // the snapshot folder itself, and a name under models/
    assert!(
        run(repo.join("snapshots/rev1").to_str().unwrap())
            .status
            .success()
    );
    let out = run("factory-small");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // not cached: a clear message, no panic, nothing downloaded
    let out = run("owner/missing");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("owner/missing") && err.contains("huggingface-cli download owner/missing"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn long_prompts_keep_the_last_tokens_and_generation_slides() {
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = common::write_model(dir.path(), 2, Naming::Prefixed, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let long = common::CORPUS.repeat(3);
    let all = m.tokenizer.encode(&long).unwrap();
    let p = encode_prompt(&m.tokenizer, &long, d.n_positions).unwrap();
    assert_eq!(p.ids.len(), d.n_positions);
    assert_eq!(p.ids[..], all[all.len() - d.n_positions..]);
    assert_eq!(p.dropped, all.len() - d.n_positions);
    assert!(p.notice().unwrap().contains("dropped"));
    assert!(encode_prompt(&m.tokenizer, "   ", d.n_positions).is_err());
    // greedy generation past the context matches a greedy loop of full recomputes on the window
    let mut s = Sampler::new(SamplingParams {
        temperature: 0.0,
        top_k: None,
        top_p: 1.0,
        seed: 0,
    })
    .unwrap();
    let prompt = &p.ids[..10];
    let out = generate(&m.gpt, prompt, 30, &mut s, |_| {}).unwrap();
    assert_eq!(out.len(), 30);
    let mut seq = prompt.to_vec();
    let mut start = 0;
    for (i, &tok) in out.iter().enumerate() {
        if seq.len() - start > d.n_positions {
            // the documented rule, written out here: a full window keeps its last half (at least 1)
            start = seq.len() - (d.n_positions / 2).max(1);
        }
        let window = &seq[start..];
        let logits = m.gpt.next_logits(window, &mut KvCache::new()).unwrap();
        let best = (0..logits.len())
            .max_by(|&a, &b| logits[a].total_cmp(&logits[b]))
            .unwrap() as u32;
        assert_eq!(tok, best, "token {i}");
        seq.push(tok);
    }
}

fn open_err(dir: &Path) -> String {
    match LoadedModel::open(dir) {
        Ok(_) => panic!("{} should not open", dir.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_broken_model_folder_is_a_clear_error() {
    let root = tempfile::tempdir().unwrap();
    let good = root.path().join("good");
    common::write_model(&good, 1, Naming::Prefixed, false);
    let variant = |name: &str, f: &dyn Fn(&Path)| -> String {
        let dir = root.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for file in ["config.json", "model.safetensors", "tokenizer.json"] {
            std::fs::copy(good.join(file), dir.join(file)).unwrap();
        }
        f(&dir);
        open_err(&dir)
    };
    let e = open_err(&root.path().join("nope"));
    assert!(e.contains("does not exist"), "{e}");
    let e = open_err(&good.join("config.json"));
    assert!(e.contains("not a folder"), "{e}");
    let e = variant("no-config", &|d| {
        std::fs::remove_file(d.join("config.json")).unwrap()
    });
    assert!(e.contains("config.json") && e.contains("not found"), "{e}");
    let e = variant("bad-json", &|d| {
        std::fs::write(d.join("config.json"), "{ not json").unwrap()
    });
    assert!(e.contains("config.json") && e.contains("JSON"), "{e}");
    let e = variant("bad-heads", &|d| {
        let t = std::fs::read_to_string(d.join("config.json")).unwrap();
        std::fs::write(
            d.join("config.json"),
            t.replace("\"n_head\": 4", "\"n_head\": 5"),
        )
        .unwrap()
    });
    assert!(e.contains("divisible"), "{e}");
    let e = variant("wrong-size", &|d| {
        let t = std::fs::read_to_string(d.join("config.json")).unwrap();
        std::fs::write(
            d.join("config.json"),
            t.replace("\"n_layer\": 2", "\"n_layer\": 3"),
        )
        .unwrap()
    });
    assert!(
        e.contains("h.2.ln_1.weight") && e.contains("missing"),
        "{e}"
    );
    let e = variant("wrong-shape", &|d| {
        let t = std::fs::read_to_string(d.join("config.json")).unwrap();
        std::fs::write(
            d.join("config.json"),
            t.replace("\"n_inner\": 128", "\"n_inner\": 64"),
        )
        .unwrap()
    });
    assert!(e.contains("c_fc.weight") && e.contains("shape"), "{e}");
    let e = variant("bin-only", &|d| {
        std::fs::remove_file(d.join("model.safetensors")).unwrap();
        std::fs::write(d.join("pytorch_model.bin"), b"PK\x03\x04").unwrap();
    });
    assert!(
        e.contains("model.safetensors") && e.contains("pytorch_model.bin"),
        "{e}"
    );
    let e = variant("truncated", &|d| {
        let b = std::fs::read(d.join("model.safetensors")).unwrap();
        std::fs::write(d.join("model.safetensors"), &b[..b.len() / 2]).unwrap()
    });
    assert!(
        e.contains("model.safetensors") && e.contains("safetensors"),
        "{e}"
    );
    let e = variant("garbage", &|d| {
        std::fs::write(d.join("model.safetensors"), b"hello").unwrap()
    });
    assert!(e.contains("model.safetensors"), "{e}");
    let e = variant("int-weights", &|d| {
        let c = 32usize;
        let data = vec![0u8; c * 4];
        let view =
            safetensors::tensor::TensorView::new(safetensors::Dtype::I32, vec![c], &data).unwrap();
        let st = std::fs::read(d.join("model.safetensors")).unwrap();
        let parsed = safetensors::SafeTensors::deserialize(&st).unwrap();
        let mut all: Vec<(String, safetensors::tensor::TensorView)> = parsed
            .iter()
            .filter(|(n, _)| *n != "transformer.ln_f.bias")
            .map(|(n, v)| (n.to_string(), v))
            .collect();
        all.push(("transformer.ln_f.bias".into(), view));
        safetensors::serialize_to_file(all, None, &d.join("model.safetensors")).unwrap();
    });
    assert!(e.contains("ln_f.bias") && e.contains("I32"), "{e}");
    let e = variant("no-tokenizer", &|d| {
        std::fs::remove_file(d.join("tokenizer.json")).unwrap()
    });
    assert!(e.contains("tokenizer.json"), "{e}");
    let e = variant("bad-tokenizer", &|d| {
        std::fs::write(d.join("tokenizer.json"), "{}").unwrap()
    });
    assert!(e.contains("tokenizer.json"), "{e}");
    let e = variant("big-tokenizer", &|d| {
        let words: String = (0..3000).map(|i| format!("w{i} x{i} ")).collect();
        let big =
            factory::model::tokenizer::train_bpe([words.clone(), words].into_iter(), 400).unwrap();
        assert!(big.vocab_size() > 303);
        let big = big.inner().to_string(false).unwrap();
        std::fs::write(d.join("tokenizer.json"), big).unwrap()
    });
    assert!(e.contains("do not belong together"), "{e}");
}

fn factory(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_factory"))
        .args(args)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        !stderr.contains("panicked"),
        "factory {args:?} panicked: {stderr}"
    );
    (out.status.success(), stdout, stderr)
}

#[test]
fn cli_trace_json_reports_the_real_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (d, w) = common::write_model(dir.path(), 4, Naming::Prefixed, false);
    let model = dir.path().to_str().unwrap();
    let prompt = "the king said to the";
    let (ok, out, err) = factory(&["trace", "--model", model, "--prompt", prompt, "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["model"]["n_layer"], d.n_layer);
    assert_eq!(v["model"]["vocab_size"], d.vocab_size);
    let ids: Vec<u32> = v["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap() as u32)
        .collect();
    let text: String = v["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert_eq!(text, prompt);
    let r = Reference { d, w: &w }.run(&ids);
    let logits: Vec<f32> = v["next_token"]["logits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect();
    assert!(max_diff(&logits, &r.logits) < 1e-4);
    let att = &v["layers"][1]["attention"][2];
    for (q, row) in att.as_array().unwrap().iter().enumerate() {
        let row: Vec<f32> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap() as f32)
            .collect();
        assert!(max_diff(&row, &r.attention[1][2][q]) < 1e-5);
    }
    let top = v["next_token"]["top"].as_array().unwrap();
    assert_eq!(top.len(), 5);
    let best = (0..r.logits.len())
        .max_by(|&a, &b| r.logits[a].total_cmp(&r.logits[b]))
        .unwrap();
    assert_eq!(top[0]["id"], best);
    let (ok, full, _) = factory(&[
        "trace", "--model", model, "--prompt", prompt, "--json", "--full",
    ]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&full).unwrap();
    assert_eq!(v["trace"]["layers"][0]["ffn_act"]["shape"][1], d.n_inner);
    // plain text mode names the tokens and the strongest links
    let (ok, text, _) = factory(&["trace", "--model", model, "--prompt", prompt]);
    assert!(ok);
    assert!(
        text.contains("\" king\"") && text.contains("layer 1 head 3"),
        "{text}"
    );
}

#[test]
fn cli_generate_is_seeded_and_greedy_at_zero() {
    let dir = tempfile::tempdir().unwrap();
    let (d, w) = common::write_model(dir.path(), 4, Naming::Plain, false);
    let model = dir.path().to_str().unwrap();
    let run = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "generate",
            "--model",
            model,
            "--prompt",
            "once upon a",
            "--json",
            "--max-new-tokens",
            "8",
        ];
        args.extend_from_slice(extra);
        let (ok, out, err) = factory(&args);
        assert!(ok, "{err}");
        serde_json::from_str(&out).unwrap()
    };
    let a = run(&["--temperature", "1.2", "--seed", "5"]);
    assert_eq!(a, run(&["--temperature", "1.2", "--seed", "5"]));
    assert_eq!(a["new_ids"].as_array().unwrap().len(), 8);
    let greedy = run(&["--temperature", "0"]);
    let mut seq: Vec<u32> = greedy["prompt_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect();
    for id in greedy["new_ids"].as_array().unwrap() {
        let r = Reference { d, w: &w }.run(&seq);
        let best = (0..r.logits.len())
            .max_by(|&a, &b| r.logits[a].total_cmp(&r.logits[b]))
            .unwrap();
        assert_eq!(id.as_u64().unwrap() as usize, best);
        seq.push(best as u32);
    }
}

#[test]
fn cli_refuses_bad_input_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    common::write_model(dir.path(), 4, Naming::Plain, false);
    let model = dir.path().to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "generate",
                "--model",
                model,
                "--prompt",
                "a",
                "--temperature",
                "-1",
            ],
            "temperature",
        ),
        (
            &[
                "generate",
                "--model",
                model,
                "--prompt",
                "a",
                "--temperature",
                "NaN",
            ],
            "temperature",
        ),
        (
            &[
                "generate", "--model", model, "--prompt", "a", "--top-p", "1.5",
            ],
            "top-p",
        ),
        (
            &[
                "generate", "--model", model, "--prompt", "a", "--top-p", "0",
            ],
            "top-p",
        ),
        (
            &[
                "generate", "--model", model, "--prompt", "a", "--top-k", "0",
            ],
            "top-k",
        ),
        (&["trace", "--model", model, "--prompt", ""], "empty"),
        (
            &["trace", "--model", "/definitely/not/here", "--prompt", "a"],
            "does not exist",
        ),
        (&["trace", "--model", model], "--prompt"),
    ];
    for (args, needle) in cases {
        let (ok, _, err) = factory(args);
        assert!(!ok, "{args:?} should fail");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let long = "the king ".repeat(50);
    let (ok, _, err) = factory(&["trace", "--model", model, "--prompt", &long]);
    assert!(ok);
    assert!(err.contains("dropped"), "{err}");
}

/// Every ablation kind alone and combined, against the f64 reference with the same parts switched
/// off (written there independently): logits, attention and the logit lens at every layer. Each
/// ablation must also change the logits (none is a no-op).
#[test]
fn ablations_and_the_logit_lens_match_the_reference() {
    use common::RefAblations;
    use factory::model::{Ablation, Ablations};
    let dir = tempfile::tempdir().unwrap();
    let (d, w) = common::write_model(dir.path(), 21, Naming::Prefixed, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let reference = Reference { d, w: &w };
    let ids = ids_for(9, d.vocab_size);
    let plain = m.gpt.trace(&ids, &mut KvCache::new()).unwrap();
    let cases: Vec<(Vec<Ablation>, RefAblations)> = vec![
        (vec![], RefAblations::default()),
        (
            vec![Ablation::Head(0, 1)],
            RefAblations {
                heads: vec![(0, 1)],
                ..Default::default()
            },
        ),
        (
            vec![Ablation::Neuron(1, 7), Ablation::Neuron(1, 100)],
            RefAblations {
                neurons: vec![(1, 7), (1, 100)],
                ..Default::default()
            },
        ),
        (
            vec![Ablation::Mlp(0)],
            RefAblations {
                mlps: vec![0],
                ..Default::default()
            },
        ),
        (
            vec![Ablation::Positions],
            RefAblations {
                positions: true,
                ..Default::default()
            },
        ),
        (
            vec![
                Ablation::Head(1, 3),
                Ablation::Head(0, 0),
                Ablation::Neuron(0, 5),
                Ablation::Mlp(1),
                Ablation::Positions,
            ],
            RefAblations {
                heads: vec![(1, 3), (0, 0)],
                neurons: vec![(0, 5)],
                mlps: vec![1],
                positions: true,
                patch: None,
                nudge: None,
            },
        ),
    ];
    for (list, ref_abl) in cases {
        let abl = Ablations::new(list.clone(), m.gpt.config()).unwrap();
        let tr = m
            .gpt
            .trace(&ids, &mut KvCache::with_ablations(abl.clone()))
            .unwrap();
        let r = reference.run_ablated(&ids, &ref_abl);
        let dl = max_diff(&tr.logits, &r.logits);
        assert!(dl < 1e-4, "{abl}: logits differ by {dl}");
        for (l, layer) in tr.layers.iter().enumerate() {
            for h in 0..d.n_head {
                for q in 0..ids.len() {
                    let da = max_diff(layer.attention.row(&[h, q]), &r.attention[l][h][q]);
                    assert!(da < 1e-5, "{abl}: layer {l} head {h} query {q}: {da}");
                }
            }
            // the lens: the reference's top five at this layer, same order, same probabilities
            let probs = reference.lens_probs(&r.layer_out[l]);
            let mut order: Vec<usize> = (0..probs.len()).collect();
            order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]));
            assert_eq!(layer.lens.len(), 5);
            for (g, &want) in layer.lens.iter().zip(&order) {
                assert_eq!(g.id as usize, want, "{abl}: layer {l} lens order");
                assert!(
                    (g.prob as f64 - probs[want]).abs() < 1e-5,
                    "{abl}: layer {l}"
                );
            }
        }
        // the last layer's lens is the final softmax
        let last = &tr.layers[d.n_layer - 1].lens;
        let finals = factory::model::trace::top_n(&factory::model::trace::softmax(&tr.logits), 5);
        for (g, (id, p)) in last.iter().zip(&finals) {
            assert_eq!(g.id as usize, *id);
            assert!((g.prob - p).abs() < 1e-6);
        }
        if !abl.is_empty() {
            let changed = max_diff(
                &tr.logits,
                &plain.logits.iter().map(|&v| v as f64).collect::<Vec<_>>(),
            );
            assert!(changed > 1e-3, "{abl} changed nothing ({changed})");
        }
    }
}

/// The floor's one-token step (`Record::Step`: the products stream the weights and the cache as
/// stored, the lens left out) and the lens computed after it, against the reference's full run of
/// the same tokens, with and without a head switched off.
#[test]
fn a_floor_step_and_its_lens_afterwards_match_the_reference() {
    use common::RefAblations;
    use factory::model::{Ablation, Ablations, Record};
    let dir = tempfile::tempdir().unwrap();
    let (d, w) = common::write_model(dir.path(), 23, Naming::Plain, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let reference = Reference { d, w: &w };
    let ids = ids_for(11, d.vocab_size);
    let n = ids.len();
    for (list, ref_abl) in [
        (vec![], RefAblations::default()),
        (
            vec![Ablation::Head(1, 1)],
            RefAblations {
                heads: vec![(1, 1)],
                ..Default::default()
            },
        ),
    ] {
        let abl = Ablations::new(list, m.gpt.config()).unwrap();
        let mut cache = KvCache::with_ablations(abl.clone());
        m.gpt.next_logits(&ids[..n - 1], &mut cache).unwrap();
        let step = m
            .gpt
            .trace_with(&ids[n - 1..], &mut cache, Record::Step)
            .unwrap();
        assert_eq!(cache.len(), n);
        let r = reference.run_ablated(&ids, &ref_abl);
        let dl = max_diff(&step.logits, &r.logits);
        assert!(dl < 1e-4, "{abl}: the step's logits differ by {dl}");
        assert!(
            step.layers.iter().all(|l| l.lens.is_empty()),
            "the step leaves the lens out"
        );
        for (l, layer) in step.layers.iter().enumerate() {
            for h in 0..d.n_head {
                let da = max_diff(layer.attention.row(&[h, 0]), &r.attention[l][h][n - 1][..n]);
                assert!(
                    da < 1e-5,
                    "{abl}: layer {l} head {h}: weights differ by {da}"
                );
            }
            let out = max_diff(layer.resid_ffn.row(&[0]), &r.layer_out[l]);
            assert!(out < 1e-4, "{abl}: layer {l} output differs by {out}");
        }
        let rows: Vec<&[f32]> = step.layers.iter().map(|l| l.resid_ffn.row(&[0])).collect();
        let lens = m.gpt.logit_lens(&rows).unwrap();
        assert_eq!(lens.len(), d.n_layer);
        for (l, guesses) in lens.iter().enumerate() {
            let probs = reference.lens_probs(&r.layer_out[l]);
            let mut order: Vec<usize> = (0..probs.len()).collect();
            order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]));
            assert_eq!(guesses.len(), 5);
            for (g, &want) in guesses.iter().zip(&order) {
                assert_eq!(g.id as usize, want, "{abl}: layer {l} lens order");
                assert!(
                    (g.prob as f64 - probs[want]).abs() < 1e-5,
                    "{abl}: layer {l}"
                );
            }
        }
    }
    let bad = m.gpt.logit_lens(&[&[0.5; 3]]);
    assert!(bad.is_err(), "a row of the wrong width is refused");
}

/// Greedy generation with ablations through the key/value cache equals recomputing every step
/// from scratch with the same ablations.
#[test]
fn ablated_generation_through_the_cache_equals_recompute() {
    use factory::model::generate::generate_ablated;
    use factory::model::{Ablation, Ablations};
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = common::write_model(dir.path(), 8, Naming::Plain, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let abl = Ablations::new(
        [Ablation::Head(1, 0), Ablation::Mlp(2), Ablation::Positions],
        m.gpt.config(),
    )
    .unwrap();
    let mut s = Sampler::new(SamplingParams {
        temperature: 0.0,
        top_k: None,
        top_p: 1.0,
        seed: 0,
    })
    .unwrap();
    let prompt = ids_for(4, d.vocab_size);
    let out = generate_ablated(&m.gpt, &prompt, 8, &mut s, &abl, |_| {}).unwrap();
    let mut seq = prompt.clone();
    for (i, &tok) in out.iter().enumerate() {
        let logits = m
            .gpt
            .next_logits(&seq, &mut KvCache::with_ablations(abl.clone()))
            .unwrap();
        let best = (0..logits.len())
            .max_by(|&a, &b| logits[a].total_cmp(&logits[b]))
            .unwrap() as u32;
        assert_eq!(tok, best, "token {i}");
        seq.push(tok);
    }
}

/// The word-order demo on the real default model: without position embeddings, layer 0 sees the
/// words as a bag (for two orderings of the same words ending in the same token, the last token's
/// layer-0 attention gives each word the same weight wherever it stands), while later layers still
/// tell the orderings apart through the causal mask.
#[test]
fn without_positions_the_first_layer_sees_a_bag_of_words() {
    use factory::model::{Ablation, Ablations};
    let m = LoadedModel::open(&factory::model::default_model_dir()).unwrap();
    let abl = Ablations::new([Ablation::Positions], m.gpt.config()).unwrap();
    let a = m.tokenizer.encode("the man bit the dog .").unwrap();
    let b = m.tokenizer.encode("the dog bit the man .").unwrap();
    let mut sorted = (a.clone(), b.clone());
    sorted.0.sort();
    sorted.1.sort();
    assert_eq!(sorted.0, sorted.1, "the same tokens in another order");
    assert_eq!(a.last(), b.last());
    let run = |ids: &[u32], abl: &Ablations| {
        m.gpt
            .trace(ids, &mut KvCache::with_ablations(abl.clone()))
            .unwrap()
    };
    let (ta, tb) = (run(&a, &abl), run(&b, &abl));
    // weight on each distinct token, summed over where it stands
    let by_token = |ids: &[u32], tr: &factory::model::Trace, layer: usize, head: usize| {
        let q = ids.len() - 1;
        let mut map = std::collections::BTreeMap::<u32, f32>::new();
        for (k, &id) in ids.iter().enumerate() {
            *map.entry(id).or_default() += tr.layers[layer].attention.at(&[head, q, k]);
        }
        map
    };
    let n_head = m.config.n_head;
    for h in 0..n_head {
        let (wa, wb) = (by_token(&a, &ta, 0, h), by_token(&b, &tb, 0, h));
        for (id, w) in &wa {
            assert!(
                (w - wb[id]).abs() < 1e-5,
                "head {h}: token {id}: {w} vs {}",
                wb[id]
            );
        }
    }
    // deeper, the causal mask has made the orders differ
    let last = m.config.n_layer - 1;
    let diff: f32 = (0..n_head)
        .map(|h| {
            let (wa, wb) = (by_token(&a, &ta, last, h), by_token(&b, &tb, last, h));
            wa.iter().map(|(id, w)| (w - wb[id]).abs()).sum::<f32>()
        })
        .sum();
    assert!(
        diff > 1e-3,
        "later layers should tell the orders apart ({diff})"
    );
    // and with positions, layer 0 already does
    let none = Ablations::none();
    let (pa, pb) = (run(&a, &none), run(&b, &none));
    let diff0: f32 = (0..n_head)
        .map(|h| {
            let (wa, wb) = (by_token(&a, &pa, 0, h), by_token(&b, &pb, 0, h));
            wa.iter().map(|(id, w)| (w - wb[id]).abs()).sum::<f32>()
        })
        .sum();
    assert!(
        diff0 > 1e-3,
        "with positions layer 0 sees the order ({diff0})"
    );
}

/// `--ablate` on the command line: the JSON echoes the ablations and every number is the ablated
/// model's (logits equal a direct ablated trace); bad specs are one-line errors.
#[test]
fn ablate_on_the_command_line() {
    use factory::model::{Ablation, Ablations};
    let dir = tempfile::tempdir().unwrap();
    common::write_model(dir.path(), 5, Naming::Prefixed, false);
    let model = dir.path().to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "trace",
            "--model",
            model,
            "--prompt",
            "the king said",
            "--json",
        ];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_factory"))
            .args(&args)
            .output()
            .unwrap()
    };
    let out = run(&["--ablate", "head:1.2", "--ablate", "positions"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ablations"], serde_json::json!(["head:1.2", "positions"]));
    assert_eq!(v["layers"][0]["lens"].as_array().unwrap().len(), 5);
    let m = LoadedModel::open(dir.path()).unwrap();
    let ids = m.tokenizer.encode("the king said").unwrap();
    let abl = Ablations::new([Ablation::Head(1, 2), Ablation::Positions], m.gpt.config()).unwrap();
    let tr = m
        .gpt
        .trace(&ids, &mut KvCache::with_ablations(abl))
        .unwrap();
    let logits: Vec<f32> = v["next_token"]["logits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect();
    assert_eq!(logits, tr.logits);
    for bad in ["head:9.0", "head:1", "nose:1.1"] {
        let out = run(&["--ablate", bad]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{bad}");
        assert!(
            err.contains("--ablate") && err.lines().count() == 1,
            "{bad}: {err}"
        );
        assert!(!err.contains("panicked"));
    }
}

/// The default model's `wte`, read straight from its safetensors file, in f64: (rows, vocab, width).
fn default_wte() -> (Vec<f64>, usize, usize) {
    let dir = factory::model::default_model_dir();
    let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let wte = st
        .tensor("wte.weight")
        .or_else(|_| st.tensor("transformer.wte.weight"))
        .unwrap();
    let (v, c) = (wte.shape()[0], wte.shape()[1]);
    let rows: Vec<f64> = wte
        .data()
        .chunks(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64)
        .collect();
    (rows, v, c)
}

/// The embedding room's map: its three axes are the top eigenvectors of wte's covariance, found
/// here in f64 by full Jacobi diagonalisation of the covariance computed row by row (compared up
/// to sign), with the same variances; each token's coordinates are its centred row on those axes.
#[test]
fn embedding_map_is_the_principal_components_of_wte() {
    let (rows, v, c) = default_wte();
    let mut mean = vec![0.0f64; c];
    for r in rows.chunks(c) {
        for (m, x) in mean.iter_mut().zip(r) {
            *m += x / v as f64;
        }
    }
    let mut cov = vec![0.0f64; c * c];
    for r in rows.chunks(c) {
        let d: Vec<f64> = r.iter().zip(&mean).map(|(x, m)| x - m).collect();
        for i in 0..c {
            for j in 0..c {
                cov[i * c + j] += d[i] * d[j] / (v - 1) as f64;
            }
        }
    }
    // cyclic Jacobi on the whole c × c matrix
    let mut a = cov.clone();
    let mut vecs = vec![0.0f64; c * c];
    (0..c).for_each(|i| vecs[i * c + i] = 1.0);
    for _ in 0..30 {
        for p in 0..c {
            for q in p + 1..c {
                let apq = a[p * c + q];
                if apq.abs() < 1e-18 {
                    continue;
                }
                let theta = (a[q * c + q] - a[p * c + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let (co, si) = (1.0 / (t * t + 1.0).sqrt(), t / (t * t + 1.0).sqrt());
                for k in 0..c {
                    let (x, y) = (a[k * c + p], a[k * c + q]);
                    a[k * c + p] = co * x - si * y;
                    a[k * c + q] = si * x + co * y;
                }
                for k in 0..c {
                    let (x, y) = (a[p * c + k], a[q * c + k]);
                    a[p * c + k] = co * x - si * y;
                    a[q * c + k] = si * x + co * y;
                }
                for k in 0..c {
                    let (x, y) = (vecs[k * c + p], vecs[k * c + q]);
                    vecs[k * c + p] = co * x - si * y;
                    vecs[k * c + q] = si * x + co * y;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..c).collect();
    order.sort_by(|&x, &y| a[y * c + y].total_cmp(&a[x * c + x]));
    let model = factory::model::LoadedModel::open(&factory::model::default_model_dir()).unwrap();
    let map =
        factory::model::pca::EmbeddingMap::new(&model.gpt.token_embeddings().unwrap()).unwrap();
    let total: f64 = (0..c).map(|i| cov[i * c + i]).sum();
    assert!((map.total_variance - total).abs() / total < 1e-4);
    for (k, &col) in order.iter().take(3).enumerate() {
        let want: Vec<f64> = (0..c).map(|i| vecs[i * c + col]).collect();
        let got = &map.axes[k];
        let dot: f64 = want.iter().zip(got).map(|(x, y)| x * *y as f64).sum();
        assert!(dot.abs() > 0.9999, "axis {k}: |cos| {}", dot.abs());
        let var = a[col * c + col];
        assert!(
            (map.variance[k] - var).abs() / var < 1e-4,
            "variance {k}: {} vs {var}",
            map.variance[k]
        );
        for id in [0usize, 17, 1000, v - 1] {
            let proj: f64 = rows[id * c..(id + 1) * c]
                .iter()
                .zip(&mean)
                .zip(&want)
                .map(|((x, m), w)| (x - m) * w)
                .sum();
            let got = map.coords[id][k] as f64 * dot.signum();
            assert!(
                (got - proj).abs() < 1e-3 * (1.0 + proj.abs()),
                "token {id} axis {k}: {got} vs {proj}"
            );
        }
    }
}

/// `factory neighbours`: the neighbours of a word and of "boy - man + woman" are the rows of
/// `wte` (read here straight from the safetensors file) with the highest cosine, computed in f64,
/// the query's own tokens left out; a word of several tokens is an error naming its pieces.
#[test]
fn neighbours_are_the_highest_cosines_of_wte() {
    let (rows, v, c) = default_wte();
    let row = |i: usize| &rows[i * c..(i + 1) * c];
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_factory"))
            .arg("neighbours")
            .args(args)
            .output()
            .unwrap()
    };
    for args in [
        vec!["king", "--top", "6", "--json"],
        vec![
            "--expr",
            "boy - man + woman",
            "--top",
            "6",
            "--json",
            "--expect",
            "girl",
        ],
    ] {
        let out = run(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let terms: Vec<(usize, f64)> = j["query"]["terms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["id"].as_u64().unwrap() as usize,
                    t["sign"].as_f64().unwrap(),
                )
            })
            .collect();
        let mut q = vec![0.0f64; c];
        for &(id, sign) in &terms {
            for (a, x) in q.iter_mut().zip(row(id)) {
                *a += sign * x;
            }
        }
        let norm = |x: &[f64]| x.iter().map(|a| a * a).sum::<f64>().sqrt();
        let mut all: Vec<(usize, f64)> = (0..v)
            .filter(|i| !terms.iter().any(|t| t.0 == *i))
            .map(|i| {
                let dot: f64 = row(i).iter().zip(&q).map(|(a, b)| a * b).sum();
                (i, dot / (norm(row(i)) * norm(&q)))
            })
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1));
        let got = j["neighbours"].as_array().unwrap();
        assert_eq!(got.len(), 6);
        for (g, want) in got.iter().zip(&all) {
            assert_eq!(g["id"].as_u64().unwrap() as usize, want.0, "{args:?}");
            assert!((g["cosine"].as_f64().unwrap() - want.1).abs() < 1e-5);
        }
        // the expected word's rank among all the others: given `--expect`, it must be there
        let expect = args
            .iter()
            .position(|a| *a == "--expect")
            .map(|i| args[i + 1]);
        match expect {
            None => assert!(j["expected"].is_null(), "{args:?}: {}", j["expected"]),
            Some(word) => {
                let e = j["expected"]
                    .as_object()
                    .unwrap_or_else(|| panic!("{args:?}: no \"expected\" in {j}"));
                assert_eq!(e["token"].as_str().map(str::trim), Some(word), "{e:?}");
                let id = e["id"].as_u64().unwrap() as usize;
                let rank =
                    all.iter().position(|x| x.0 == id).unwrap_or_else(|| {
                        panic!("{word:?} (id {id}) is one of the query's terms")
                    }) + 1;
                assert_eq!(e["rank"].as_u64().unwrap() as usize, rank, "{word:?}");
                let cosine = all[rank - 1].1;
                assert!(
                    (e["cosine"].as_f64().unwrap() - cosine).abs() < 1e-5,
                    "{word:?}: {e:?} vs {cosine}"
                );
            }
        }
    }
    let out = run(&["xylophone"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("not one token") && err.contains("pieces"),
        "{err}"
    );
}

/// The position tables: the sinusoidal table is the paper's formula, and on the default model the
/// cosine map of the learned rows is symmetric with a unit diagonal, equal to an f64 cosine, and
/// nearby positions look more alike than distant ones.
#[test]
fn position_tables_and_how_alike_positions_are() {
    use factory::model::positions::{cosine_matrix, sinusoidal};
    let s = sinusoidal(50, 16);
    for (p, j) in [(0usize, 0usize), (3, 4), (7, 5), (49, 15)] {
        let i2 = (j / 2 * 2) as f64;
        let a = p as f64 / 10000f64.powf(i2 / 16.0);
        let want = if j % 2 == 0 { a.sin() } else { a.cos() };
        assert!((s[p * 16 + j] as f64 - want).abs() < 1e-6, "({p}, {j})");
    }
    let m = LoadedModel::open(&factory::model::default_model_dir()).unwrap();
    let (n, d) = (m.config.n_positions, m.config.n_embd);
    let wpe = m.gpt.position_embeddings().unwrap();
    let cos = cosine_matrix(&wpe, n, d);
    let direct = |i: usize, j: usize| {
        let (a, b) = (&wpe[i * d..(i + 1) * d], &wpe[j * d..(j + 1) * d]);
        let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
        let na: f64 = a.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
        let nb: f64 = b.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
        dot / (na * nb)
    };
    for (i, j) in [(0, 0), (5, 9), (9, 5), (0, n - 1), (60, 61)] {
        assert!(
            (cos[i * n + j] as f64 - direct(i, j)).abs() < 1e-5,
            "({i}, {j})"
        );
    }
    let mean = |gap: usize| {
        (0..n - gap)
            .map(|i| cos[i * n + i + gap] as f64)
            .sum::<f64>()
            / (n - gap) as f64
    };
    assert!(
        mean(1) > mean(32) + 0.1,
        "neighbours {} vs 32 apart {}",
        mean(1),
        mean(32)
    );
}

/// `score`: each token's −ln p given the tokens before it, against the f64 reference, for a text
/// longer than the context (windows of `n_positions` tokens, each starting at the previous one's
/// last token), and the perplexities made of them.
#[test]
fn scoring_a_text_matches_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let (d, w) = common::write_model(dir.path(), 5, Naming::Plain, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let reference = Reference { d, w: &w };
    let text = "the king said to the queen that the night was long, and the cat sat on the mat.";
    let ids = m.tokenizer.encode(text).unwrap();
    assert!(ids.len() > d.n_positions + 2, "the text spans windows");
    let s = factory::model::score::score(&m.gpt, &m.tokenizer, text).unwrap();
    let head: Vec<f64> = w["wte.weight"].1.iter().map(|&v| v as f64).collect();
    let c = d.n_embd;
    let mut want = Vec::new();
    let mut start = 0;
    while start + 1 < ids.len() {
        let end = (start + d.n_positions).min(ids.len());
        let r = reference.run(&ids[start..end - 1]);
        for (p, &next) in ids[start + 1..end].iter().enumerate() {
            let logits: Vec<f64> = (0..d.vocab_size)
                .map(|v| (0..c).map(|i| r.ln_f[p][i] * head[v * c + i]).sum())
                .collect();
            let top = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let z: f64 = logits.iter().map(|l| (l - top).exp()).sum();
            want.push(top + z.ln() - logits[next as usize]);
        }
        start = end - 1;
    }
    assert_eq!(s.predicted, ids.len() - 1);
    assert_eq!(s.per_token.len(), want.len());
    for (i, (a, b)) in s.per_token.iter().zip(&want).enumerate() {
        assert!((a - b).abs() < 1e-4, "token {}: {a} against {b}", i + 1);
    }
    let nll: f64 = want.iter().sum();
    assert!((s.token_perplexity().ln() - nll / want.len() as f64).abs() < 1e-5);
    // the words after the first token ("the" is one token here)
    assert_eq!(ids[0], m.tokenizer.encode("the").unwrap()[0]);
    assert_eq!(s.words, text.split_whitespace().count() - 1);
    assert!((s.word_perplexity().ln() - nll / s.words as f64).abs() < 1e-5);
    // one token is nothing to score
    assert!(factory::model::score::score(&m.gpt, &m.tokenizer, "the").is_err());
}

/// `head_scores` recomputes a head's raw scores from the ln_1 rows the floor keeps: they equal the
/// full trace's recorded scores, and their softmax over the keys up to the query is the f64
/// reference's attention weight.
#[test]
fn head_scores_from_ln_1_rows_match_the_trace_and_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let (d, w) = common::write_model(dir.path(), 21, Naming::Prefixed, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let reference = Reference { d, w: &w };
    let ids = ids_for(9, d.vocab_size);
    let tr = m.gpt.trace(&ids, &mut KvCache::new()).unwrap();
    let r = reference.run(&ids);
    for layer in 0..d.n_layer {
        let ln_1 = &tr.layers[layer].ln_1;
        for head in 0..d.n_head {
            for q in [0, 4, 8] {
                let keys: Vec<&[f32]> = (0..=q).map(|k| ln_1.row(&[k])).collect();
                let s = m
                    .gpt
                    .head_scores(layer, head, ln_1.row(&[q]), &keys)
                    .unwrap();
                assert_eq!(s.len(), q + 1);
                let top = s.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
                let z: f64 = s.iter().map(|&x| (x as f64 - top).exp()).sum();
                for (k, &score) in s.iter().enumerate() {
                    let traced = tr.layers[layer].scores.at(&[head, q, k]);
                    assert!((score - traced).abs() < 1e-4, "L{layer} H{head} ({q}, {k})");
                    let weight = (score as f64 - top).exp() / z;
                    let want = r.attention[layer][head][q][k];
                    assert!(
                        (weight - want).abs() < 1e-5,
                        "L{layer} H{head} ({q}, {k}): {weight} {want}"
                    );
                }
            }
        }
    }
    // a layer or head that does not exist is a message
    assert!(
        m.gpt
            .head_scores(d.n_layer, 0, tr.layers[0].ln_1.row(&[0]), &[])
            .is_err()
    );
}

/// Each head's direct part of a logit, against the f64 reference: what the head writes into the
/// stream at the last position, centred, scaled by the final stream's σ and ln_f's gain, read along
/// the token's unembedding row; and every part together is the model's logit.
#[test]
fn head_attribution_matches_the_reference_and_adds_up_to_the_logit() {
    use factory::model::{Ablation, Ablations};
    let dir = tempfile::tempdir().unwrap();
    let (d, w) = common::write_model(dir.path(), 33, Naming::Prefixed, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let ids = ids_for(7, d.vocab_size);
    let r = Reference { d, w: &w }.run(&ids);
    let top = (0..d.vocab_size)
        .max_by(|&a, &b| r.logits[a].total_cmp(&r.logits[b]))
        .unwrap();
    let a = m
        .gpt
        .attribution(&ids, &Ablations::default(), top as u32)
        .unwrap();
    // the reference's own numbers: σ of the final stream, ln_f's gain, the unembedding row
    let x = r.layer_out.last().unwrap();
    let c = d.n_embd as f64;
    let mean = x.iter().sum::<f64>() / c;
    let sigma = (x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / c + 1e-5).sqrt();
    let g: Vec<f64> = w["ln_f.weight"].1.iter().map(|&v| v as f64).collect();
    let u: Vec<f64> = w["wte.weight"].1[top * d.n_embd..(top + 1) * d.n_embd]
        .iter()
        .map(|&v| v as f64)
        .collect();
    for l in 0..d.n_layer {
        for h in 0..d.n_head {
            let v = &r.head_writes[l][h];
            let mv = v.iter().sum::<f64>() / c;
            let want: f64 = (0..d.n_embd)
                .map(|i| (v[i] - mv) / sigma * g[i] * u[i])
                .sum();
            let got = a.heads[l][h] as f64;
            assert!(
                (got - want).abs() < 1e-3 * (1.0 + want.abs()),
                "head ({l}, {h}): {got} vs {want}"
            );
        }
    }
    assert!((a.logit as f64 - r.logits[top]).abs() < 1e-3, "the logit");
    assert!(
        (a.total() - a.logit).abs() < 1e-3 * (1.0 + a.logit.abs()),
        "{} vs {}",
        a.total(),
        a.logit
    );
    // a head switched off has no part, and the parts still add up to the (changed) logit
    let last = d.n_layer - 1;
    let abl = Ablations::new(vec![Ablation::Head(last, 0)], &m.config).unwrap();
    let off = m.gpt.attribution(&ids, &abl, top as u32).unwrap();
    assert_eq!(off.heads[last][0], 0.0);
    assert!((off.total() - off.logit).abs() < 1e-3 * (1.0 + off.logit.abs()));
    assert!(
        (off.logit - a.logit).abs() > 1e-6,
        "switching the head off changed the logit"
    );
}

/// Head roles (`model/heads.rs`) against the f64 reference's attention weights: the text is cut
/// into windows of the context (a last window of one token dropped), previous / first / self
/// pooled over every query position t >= 1 of every window; induction on the fixed repeated random
/// sequences, the mean weight from L + j to j + 1. Also through `factory heads --json`.
#[test]
fn head_roles_match_the_reference() {
    use factory::model::heads::{head_roles, induction_ids, role_of};
    let dir = tempfile::tempdir().unwrap();
    let (d, w) = common::write_model(dir.path(), 11, Naming::Plain, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let reference = Reference { d, w: &w };
    let text = "the king said to the queen that the night was long, and the cat sat on the mat \
                while the dog ran to the door.";
    let ids = m.tokenizer.encode(text).unwrap();
    let n = d.n_positions;
    assert!(ids.len() > 2 * n, "the text spans several windows");
    let got = head_roles(&m.gpt, &ids, n).unwrap();
    assert_eq!(got.len(), d.n_layer * d.n_head);
    // the reference, written out here: windows of n tokens, the last only with 2 or more
    let mut sums = vec![[0.0f64; 4]; d.n_layer * d.n_head];
    let (mut count, mut local_count) = (0usize, 0usize);
    let mut start = 0;
    while ids.len() - start >= 2 {
        let end = (start + n).min(ids.len());
        let a = reference.run(&ids[start..end]).attention;
        for l in 0..d.n_layer {
            for h in 0..d.n_head {
                for t in 1..end - start {
                    let s = &mut sums[l * d.n_head + h];
                    s[0] += a[l][h][t][t - 1];
                    s[1] += a[l][h][t][0];
                    s[2] += a[l][h][t][t];
                    if t >= 3 {
                        s[3] += a[l][h][t][t - 2] + a[l][h][t][t - 1] + a[l][h][t][t];
                    }
                }
            }
        }
        count += end - start - 1;
        local_count += (end - start).saturating_sub(3);
        start = end;
    }
    let half = n / 2;
    let mut induction = vec![0.0f64; d.n_layer * d.n_head];
    let sequences = induction_ids(d.vocab_size, half);
    for seq in &sequences {
        assert_eq!(seq[..half], seq[half..], "repeated");
        let a = reference.run(seq).attention;
        for l in 0..d.n_layer {
            for h in 0..d.n_head {
                for j in 0..half {
                    induction[l * d.n_head + h] += a[l][h][half + j][j + 1];
                }
            }
        }
    }
    for r in &got {
        let i = r.layer * d.n_head + r.head;
        let want = sums[i].map(|s| s / count as f64);
        let local = sums[i][3] / local_count as f64;
        let ind = induction[i] / (half * sequences.len()) as f64;
        for (name, a, b) in [
            ("previous", r.previous, want[0]),
            ("first", r.first, want[1]),
            ("self", r.itself, want[2]),
            ("induction", r.induction, ind),
            ("local", r.local, local),
        ] {
            assert!(
                (a - b).abs() < 1e-4,
                "layer {} head {} {name}: {a} against {b}",
                r.layer,
                r.head
            );
        }
        assert_eq!(r.role, role_of(want[0], want[1], want[2], ind, local));
    }
    // the command line: the same numbers as JSON
    let file = dir.path().join("text.txt");
    std::fs::write(&file, text).unwrap();
    let model = dir.path().to_str().unwrap();
    let text_arg = file.to_str().unwrap();
    let (ok, out, err) = factory(&["heads", "--model", model, "--text", text_arg, "--json"]);
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["schema"], 1);
    assert_eq!(json["tokens"], ids.len());
    let heads = json["heads"].as_array().unwrap();
    assert_eq!(heads.len(), got.len());
    for (j, r) in heads.iter().zip(&got) {
        assert_eq!(j["layer"], r.layer);
        assert_eq!(j["head"], r.head);
        for (key, v) in [
            ("previous", r.previous),
            ("first", r.first),
            ("self", r.itself),
            ("induction", r.induction),
            ("local", r.local),
        ] {
            assert!((j[key].as_f64().unwrap() - v).abs() < 1e-12, "{key}");
        }
        assert_eq!(j["role"], r.role.name());
    }
    // a bad window and a text too short are clear errors
    let (ok, _, err) = factory(&[
        "heads", "--model", model, "--text", text_arg, "--window", "1",
    ]);
    assert!(!ok && err.contains("--window must be 2 to"), "{err}");
    std::fs::write(&file, "the").unwrap();
    let (ok, _, err) = factory(&["heads", "--model", model, "--text", text_arg]);
    assert!(!ok && err.contains("fewer than 2 tokens"), "{err}");
}

/// The default model's `heads.json` is its own: the roles measured again over its held-out text
/// (as `factory heads` does) are the shipped ones, and the app reads them back.
#[test]
fn the_shipped_head_roles_are_the_default_models_own() {
    use factory::model::heads::{head_roles, load_roles};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/factory-everyday");
    let m = LoadedModel::open(&dir).unwrap();
    let text = std::fs::read_to_string(dir.join("heldout.txt")).unwrap();
    let ids = m.tokenizer.encode(&text).unwrap();
    let now = head_roles(&m.gpt, &ids, m.config.n_positions).unwrap();
    let shipped = load_roles(&dir).expect("heads.json ships").unwrap();
    assert_eq!(shipped.len(), now.len());
    for (a, b) in shipped.iter().zip(&now) {
        assert_eq!((a.layer, a.head, a.role), (b.layer, b.head, b.role));
        for (x, y) in [
            (a.previous, b.previous),
            (a.first, b.first),
            (a.itself, b.itself),
            (a.induction, b.induction),
            (a.local, b.local),
        ] {
            assert!(
                (x - y).abs() < 1e-9,
                "layer {} head {}: {x} vs {y}",
                a.layer,
                a.head
            );
        }
    }
}

/// Lamp cards (`model/lamps.rs`) against the f64 reference's GELU outputs: for every lamp, its
/// strongest places over the text's windows (ties to the earlier), each with five tokens of the
/// text either side and the strongest marked; `factory lamps` writes them, `--search` finds a
/// token's lamps, and a folder without the file says how to make it.
#[test]
fn lamp_cards_match_the_reference() {
    use factory::model::lamps::{SIDE, TOP, lamp_cards};
    let dir = tempfile::tempdir().unwrap();
    let (d, w) = common::write_model(dir.path(), 13, Naming::Plain, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let reference = Reference { d, w: &w };
    let text = "the king said to the queen that the night was long, and the cat sat on the mat \
                while the dog ran to the door.";
    let ids = m.tokenizer.encode(text).unwrap();
    let n = d.n_positions;
    let cards = lamp_cards(&m.gpt, &ids, n).unwrap();
    // the reference: every position's GELU output, window by window
    let mut all: Vec<Vec<Vec<(f64, usize)>>> = vec![vec![Vec::new(); d.n_inner]; d.n_layer];
    let mut start = 0;
    while ids.len() - start >= 2 {
        let end = (start + n).min(ids.len());
        let g = reference.run(&ids[start..end]).gelu;
        for (lamps, rows) in all.iter_mut().zip(&g) {
            for (t, row) in rows.iter().enumerate() {
                for (lamp, &v) in lamps.iter_mut().zip(row) {
                    lamp.push((v, start + t));
                }
            }
        }
        start = end;
    }
    assert_eq!(cards.lamps.len(), d.n_layer);
    for (l, layer) in all.iter().enumerate() {
        assert_eq!(cards.lamps[l].len(), d.n_inner);
        for (j, places) in layer.iter().enumerate() {
            let mut want = places.clone();
            want.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            want.truncate(TOP);
            let got = &cards.lamps[l][j];
            assert_eq!(got.len(), TOP);
            for (k, (lit, (v, p))) in got.iter().zip(&want).enumerate() {
                assert!((lit.value as f64 - v).abs() < 1e-4, "lamp {l}.{j} #{k}");
                // the same place, unless two values are too close to order in f32
                let close = want.iter().any(|o| o.1 != *p && (o.0 - v).abs() < 1e-4);
                assert!(
                    lit.position == *p || close,
                    "lamp {l}.{j} #{k}: {} vs {p}",
                    lit.position
                );
                let from = lit.position.saturating_sub(SIDE);
                assert_eq!(lit.ids, ids[from..(lit.position + SIDE + 1).min(ids.len())]);
                assert_eq!(lit.ids[lit.mark], ids[lit.position]);
            }
        }
    }
    // the command line writes them into the folder; --search reads them back
    let file = dir.path().join("text.txt");
    std::fs::write(&file, text).unwrap();
    let model = dir.path().to_str().unwrap();
    let text_arg = file.to_str().unwrap();
    let (ok, out, err) = factory(&["lamps", "--model", model, "--search", "the"]);
    assert!(!ok && err.contains("factory lamps --model"), "{out}{err}");
    let (ok, _, err) = factory(&["lamps", "--model", model, "--text", text_arg]);
    assert!(ok, "{err}");
    let written = factory::model::lamps::load_cards(dir.path())
        .unwrap()
        .unwrap();
    assert_eq!(written, cards);
    let (ok, out, err) = factory(&["lamps", "--model", model, "--search", "the"]);
    assert!(ok, "{err}");
    // the word as a token of its own, with or without a space before it; each lamp once
    let the: Vec<u32> = [" the", "the"]
        .iter()
        .filter_map(|f| match m.tokenizer.encode(f).unwrap()[..] {
            [id] => Some(id),
            _ => None,
        })
        .collect();
    let want = factory::model::lamps::lamps_for(&cards, &the);
    let mut lamps: Vec<(usize, usize)> = want.iter().map(|w| (w.0, w.1)).collect();
    lamps.sort_unstable();
    lamps.dedup();
    assert_eq!(lamps.len(), want.len(), "each lamp once");
    assert!(!want.is_empty());
    let (l, j, hits, _) = want[0];
    assert!(
        out.starts_with(&format!("layer {l} lamp {j}: {hits} of its")),
        "{out}"
    );
}

/// The default model's lamp cards fit the 3 MB its folder allows, and are its own: measured again
/// over its held-out text (as `factory lamps` does), they are the shipped ones.
#[test]
fn the_shipped_lamp_cards_are_the_default_models_own_and_fit_their_bound() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/factory-everyday");
    let size = std::fs::metadata(dir.join("lamps.json")).unwrap().len();
    assert!(size <= 3_000_000, "{size} bytes");
    let shipped = factory::model::lamps::load_cards(&dir).unwrap().unwrap();
    let m = LoadedModel::open(&dir).unwrap();
    let text = std::fs::read_to_string(dir.join("heldout.txt")).unwrap();
    let ids = m.tokenizer.encode(&text).unwrap();
    let now = factory::model::lamps::lamp_cards(&m.gpt, &ids, m.config.n_positions).unwrap();
    assert_eq!(shipped, now);
}

/// The guessing game's rounds (`model/guess.rs`) against the f64 reference: the four choices are
/// the true word, the model's most likely next token and the next most likely word-like ones, each
/// with its softmax probability at temperature 1; and every curated sentence of both languages
/// makes a round with the default model (each next word is one of its words).
#[test]
fn guessing_rounds_match_the_reference() {
    use factory::model::guess::{Sentence, make_round, parse_sentences};
    let dir = tempfile::tempdir().unwrap();
    let (d, w) = common::write_model(dir.path(), 17, Naming::Plain, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let reference = Reference { d, w: &w };
    let sentence = Sentence {
        before: "the king said to the".into(),
        next: "queen".into(),
    };
    let round = make_round(&m.gpt, &m.tokenizer, &sentence, 3).unwrap();
    let logits = reference.run(&round.ids).logits;
    let top = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let z: f64 = logits.iter().map(|l| (l - top).exp()).sum();
    let p = |id: u32| (logits[id as usize] - top).exp() / z;
    let queen = m.tokenizer.encode(" queen").unwrap();
    assert_eq!(round.choices[round.truth], queen[0]);
    let argmax = (0..logits.len())
        .max_by(|&a, &b| logits[a].total_cmp(&logits[b]))
        .unwrap();
    assert_eq!(round.choices[round.model_pick] as usize, argmax);
    for (id, got) in round.choices.iter().zip(round.probs) {
        assert!(
            (got as f64 - p(*id)).abs() < 1e-5,
            "{id}: {got} vs {}",
            p(*id)
        );
    }
    let mut distinct = round.choices.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 4);
    // the curated lists, with the default model
    let default = LoadedModel::open(&factory::model::default_model_dir()).unwrap();
    for file in ["assets/game/en.txt", "assets/game/de.txt"] {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
        let list = parse_sentences(&text).unwrap();
        assert!(list.len() >= 5, "{file}");
        for (i, s) in list.iter().enumerate() {
            let r = make_round(&default.gpt, &default.tokenizer, s, i as u64);
            assert!(r.is_ok(), "{file}: {:?}: {:?}", s.before, r.err());
        }
    }
    // a word that is not one token is refused, said
    let bad = Sentence {
        before: "the".into(),
        next: "qqqzzzx".into(),
    };
    let err = make_round(&m.gpt, &m.tokenizer, &bad, 0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("qqqzzzx"), "{err}");
}

/// The learning example's loss by the f64 reference: the mean over t < T − 1 of
/// −ln softmax(ln_f[t] · head)[ids[t+1]]; and d loss / d ln_f written out by hand:
/// (p_t − onehot(ids[t+1])) · head / (T − 1) at t < T − 1, zero at the last position.
fn reference_learning_loss(w: &common::Weights, d: common::Dims, ids: &[u32]) -> (f64, f64) {
    reference_learning_loss_with(w, d, ids, &common::RefAblations::default())
}

/// [`reference_learning_loss`] of a run with a patch or a nudge.
fn reference_learning_loss_with(
    w: &common::Weights,
    d: common::Dims,
    ids: &[u32],
    abl: &common::RefAblations,
) -> (f64, f64) {
    let out = Reference { d, w }.run_ablated(ids, abl);
    let head = w.get("lm_head.weight").unwrap_or(&w["wte.weight"]);
    let c = d.n_embd;
    let (mut loss, mut grad_sq) = (0.0, 0.0);
    let n = (ids.len() - 1) as f64;
    for t in 0..ids.len() - 1 {
        let logits: Vec<f64> = (0..d.vocab_size)
            .map(|v| {
                (0..c)
                    .map(|i| out.ln_f[t][i] * head.1[v * c + i] as f64)
                    .sum()
            })
            .collect();
        let m = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let z: f64 = logits.iter().map(|l| (l - m).exp()).sum();
        let y = ids[t + 1] as usize;
        loss += -(logits[y] - m - z.ln());
        for i in 0..c {
            let g: f64 = (0..d.vocab_size)
                .map(|v| {
                    let p = (logits[v] - m).exp() / z;
                    (p - if v == y { 1.0 } else { 0.0 }) * head.1[v * c + i] as f64
                })
                .sum::<f64>()
                / n;
            grad_sq += g * g;
        }
    }
    (loss / n, grad_sq.sqrt())
}

/// `factory learn` (`model/learn.rs`) against the f64 reference: the loss of entry 0, the
/// gradient at the final norm's output (written out by hand), and each probed weight's gradient
/// against central finite differences of the reference's loss (on a tied model `wte.weight` gets
/// both its uses, `lm_head.weight` is an error naming it; on an untied one `lm_head.weight` is its
/// own). One small SGD step lowers the loss by lr · Σ‖g‖² to first order.
#[test]
fn learning_matches_the_reference() {
    use factory::model::learn::{Learner, Optimizer, Probe, learn};
    for untied in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let (d, w) = common::write_model(dir.path(), 21, Naming::Plain, untied);
        let m = LoadedModel::open(dir.path()).unwrap();
        let ids = m.tokenizer.encode("the cat sat on the mat").unwrap();
        assert!(ids.len() >= 4 && ids.len() <= d.n_positions);
        let head = if untied {
            "lm_head.weight"
        } else {
            "wte.weight"
        };
        let probes: Vec<Probe> = [
            "h.0.mlp.c_fc.weight[3,17]".to_string(),
            "transformer.h.1.attn.c_attn.weight[5,40]".to_string(),
            "ln_f.bias[2]".to_string(),
            format!("{head}[{},{}]", ids[2], 7),
            format!("wte.weight[{},{}]", ids[1], 3),
            // every other kind: positions, both norms' gains and shifts, the projections' biases
            "wpe.weight[2,5]".to_string(),
            "h.0.ln_1.weight[4]".to_string(),
            "h.2.ln_2.bias[1]".to_string(),
            "ln_f.weight[0]".to_string(),
            "h.1.attn.c_proj.bias[3]".to_string(),
            "h.0.mlp.c_proj.weight[7,2]".to_string(),
            "h.2.mlp.c_fc.bias[11]".to_string(),
        ]
        .iter()
        .map(|p| Probe::parse(p).unwrap())
        .collect();
        let lr = 1e-4;
        let mut learner = Learner::new(&m, Optimizer::Sgd, lr).unwrap();
        let report = learn(&mut learner, &ids, 1, &probes).unwrap();
        assert_eq!(report.entries.len(), 2, "entries 0 and 1");
        let first = &report.entries[0];
        let (loss, ln_f_grad) = reference_learning_loss(&w, d, &ids);
        assert!((first.loss - loss).abs() < 1e-4, "{} vs {loss}", first.loss);
        let got = first
            .grad_norms
            .iter()
            .find(|(k, _)| k == "ln_f")
            .unwrap()
            .1;
        assert!(
            (got - ln_f_grad).abs() < 1e-4 * (1.0 + ln_f_grad),
            "d loss / d ln_f: {got} vs {ln_f_grad}"
        );
        assert_eq!(first.grad_norms.len(), 2 + 6 * d.n_layer);
        // each probe against central differences of the reference's loss
        for (probe, grad) in &report.probes {
            let mut plus = w.clone();
            let mut minus = w.clone();
            let (shape, _) = &w[&probe.tensor];
            let at = match probe.index[..] {
                [i] => i,
                [i, j] => i * shape[1] + j,
                _ => unreachable!(),
            };
            let h = 1e-3f32;
            let v = w[&probe.tensor].1[at];
            plus.get_mut(&probe.tensor).unwrap().1[at] = v + h;
            minus.get_mut(&probe.tensor).unwrap().1[at] = v - h;
            let step = ((v + h) as f64) - ((v - h) as f64);
            let fd = (reference_learning_loss(&plus, d, &ids).0
                - reference_learning_loss(&minus, d, &ids).0)
                / step;
            assert!(
                (grad - fd).abs() < 2e-3 * (fd.abs() + 1e-2),
                "{}: {grad} vs finite differences {fd}",
                probe.name()
            );
        }
        // one SGD step: loss1 ≈ loss0 − lr · Σ‖g‖²
        let sq: f64 = first.weight_grad_norms.values().map(|g| g * g).sum();
        let want = first.loss - lr * sq;
        let after = report.entries[1].loss;
        assert!(after < first.loss, "the step lowers the loss");
        assert!(
            (after - want).abs() < 0.05 * lr * sq,
            "{after} vs first order {want}"
        );
        // tied: lm_head.weight is wte.weight
        let model = dir.path().to_str().unwrap();
        let (ok, _, err) = factory(&[
            "learn",
            "--model",
            model,
            "--prompt",
            "the cat sat",
            "--probe",
            "lm_head.weight[1,2]",
        ]);
        assert_eq!(ok, untied, "{err}");
        if !untied {
            assert!(err.contains("probe wte.weight"), "{err}");
        }
    }
}

/// `factory learn --json`: N + 1 entries, every station and weight named, the probes; entry 0 is
/// the model as loaded (its loss is `factory score`'s nats per token); bad input is a clear error.
#[test]
fn the_learn_command_reports_each_step_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = common::write_model(dir.path(), 22, Naming::Plain, false);
    let model = dir.path().to_str().unwrap();
    let text = "the king said to the queen";
    let (ok, out, err) = factory(&[
        "learn",
        "--model",
        model,
        "--prompt",
        text,
        "--steps",
        "2",
        "--optimizer",
        "adam",
        "--probe",
        "h.0.ln_1.weight[4]",
        "--json",
    ]);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (j["schema"].as_u64(), j["optimizer"].as_str()),
        (Some(1), Some("adam"))
    );
    assert_eq!(j["lr"], 1e-3, "adam's default");
    let steps = j["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    for (k, s) in steps.iter().enumerate() {
        assert_eq!(s["step"], k);
        let g = s["grad_norms"].as_object().unwrap();
        let mut keys = vec!["embed".to_string(), "ln_f".to_string()];
        for l in 0..d.n_layer {
            for part in ["ln_1", "attn", "resid_attn", "ln_2", "mlp", "resid_ffn"] {
                keys.push(format!("h.{l}.{part}"));
            }
        }
        for key in &keys {
            assert!(g[key].as_f64().unwrap() > 0.0, "{key}");
        }
        assert_eq!(g.len(), keys.len());
        let wg = s["weight_grad_norms"].as_object().unwrap();
        assert!(wg.contains_key("wte.weight") && wg.contains_key("h.0.attn.c_attn.weight"));
        let p = s["mean_prob"].as_f64().unwrap();
        assert!(p > 0.0 && p < 1.0);
    }
    assert!(
        steps[2]["loss"].as_f64() < steps[0]["loss"].as_f64(),
        "it learns"
    );
    assert_eq!(j["probes"][0]["name"], "h.0.ln_1.weight[4]");
    // entry 0's loss is score's nats per token
    let (ok, out, _) = factory(&["score", "--model", model, text]);
    assert!(ok);
    let nats: f64 = out
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    assert!((steps[0]["loss"].as_f64().unwrap() - nats).abs() < 1e-3);
    // --steps 0: one entry
    let (ok, out, _) = factory(&[
        "learn", "--model", model, "--prompt", text, "--steps", "0", "--json",
    ]);
    assert!(ok);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["steps"].as_array().unwrap().len(), 1);
    // bad input: a clear error and a non-zero exit
    let long = "the ".repeat(d.n_positions + 4);
    for (args, says) in [
        (vec!["--prompt", "the"], "at least 2 tokens"),
        (vec!["--prompt", long.as_str()], "at most"),
        (vec!["--prompt", text, "--lr", "0"], "finite positive"),
        (vec!["--prompt", text, "--lr", "NaN"], "finite positive"),
        (
            vec!["--prompt", text, "--probe", "h.9.ln_1.weight[0]"],
            "no tensor",
        ),
        (
            vec!["--prompt", text, "--probe", "h.0.ln_1.weight[999]"],
            "index 0 is 999",
        ),
        (
            vec!["--prompt", text, "--probe", "h.0.ln_1.weight[1,2]"],
            "1-D",
        ),
        (vec!["--prompt", text, "--optimizer", "sgdx"], "sgd or adam"),
    ] {
        let mut all = vec!["learn", "--model", model];
        all.extend(args);
        let (ok, _, err) = factory(&all);
        assert!(!ok && err.contains(says), "{all:?}: {err}");
    }
}

/// Activation patching (`model/patch.rs`) against the f64 reference, which records each site's
/// activations and takes one from another run: for every site, every cell of the grid is the
/// reference's metric of B with that activation from A's reference run; with `--ablate` on both
/// runs; the metric's clean and corrupt values; `diff` splits at the one comma that gives two
/// tokens; `factory patch --json` and `--csv` print the same grid; prompts of different lengths are
/// refused.
#[test]
fn patching_matches_the_reference() {
    use common::{RefAblations, RefPatch};
    use factory::model::Ablations;
    use factory::model::patch::{Metric, Site, patch};
    use std::sync::atomic::AtomicBool;
    let dir = tempfile::tempdir().unwrap();
    let (d, w) = common::write_model(dir.path(), 31, Naming::Plain, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let reference = Reference { d, w: &w };
    // two words that are one token each, so the prompts differ at one position
    let words: Vec<&str> = [
        " king", " queen", " cat", " dog", " man", " night", " door", " mat",
    ]
    .into_iter()
    .filter(|w| m.tokenizer.encode(w).unwrap().len() == 1)
    .collect();
    assert!(words.len() >= 2, "{words:?}");
    let clean = format!("the{} said to the queen", words[0]);
    let corrupt = format!("the{} said to the queen", words[1]);
    let (clean, corrupt) = (clean.as_str(), corrupt.as_str());
    let a = m.tokenizer.encode(clean).unwrap();
    let b = m.tokenizer.encode(corrupt).unwrap();
    assert_eq!(a.len(), b.len());
    let changed: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    assert_eq!(changed.len(), 1, "{a:?} {b:?}");
    let (t1, t2) = (a[changed[0]], b[changed[0]]);
    let logsoftmax = |l: &[f64], i: u32| {
        let mx = l.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let z: f64 = l.iter().map(|v| (v - mx).exp()).sum();
        (l[i as usize] - mx).exp() / z
    };
    let no = AtomicBool::new(false);
    for (specs, ref_abl) in [
        (vec![], RefAblations::default()),
        (
            vec!["head:0.1".to_string(), "neuron:1.7".to_string()],
            RefAblations {
                heads: vec![(0, 1)],
                neurons: vec![(1, 7)],
                ..Default::default()
            },
        ),
    ] {
        let abl = Ablations::parse(&specs, &m.config).unwrap();
        for (metric, read) in [
            (
                Metric::Prob(t1),
                Box::new(move |l: &[f64]| logsoftmax(l, t1)) as Box<dyn Fn(&[f64]) -> f64>,
            ),
            (
                Metric::Diff(t1, t2),
                Box::new(move |l: &[f64]| l[t1 as usize] - l[t2 as usize]),
            ),
        ] {
            let clean_run = reference.run_ablated(&a, &ref_abl);
            let corrupt_run = reference.run_ablated(&b, &ref_abl);
            for (site, name) in [
                (Site::ResidPre, "resid_pre"),
                (Site::AttnOut, "attn_out"),
                (Site::MlpOut, "mlp_out"),
                (Site::Head, "head"),
            ] {
                let got =
                    patch(&m.gpt, (&a, &b), (site, metric), &abl, &mut |_, _| {}, &no).unwrap();
                assert!((got.clean - read(&clean_run.logits)).abs() < 1e-4);
                assert!((got.corrupt - read(&corrupt_run.logits)).abs() < 1e-4);
                assert_eq!(got.grid.len(), d.n_layer);
                for (l, row) in got.grid.iter().enumerate() {
                    let columns = if site == Site::Head {
                        d.n_head
                    } else {
                        a.len()
                    };
                    assert_eq!(row.len(), columns);
                    for (i, &v) in row.iter().enumerate() {
                        let patched = RefAblations {
                            patch: Some(RefPatch {
                                site: name,
                                layer: l,
                                index: i,
                                from: clean_run.sites[&(name, l)].clone(),
                            }),
                            ..ref_abl.clone()
                        };
                        let want = read(&reference.run_ablated(&b, &patched).logits);
                        assert!(
                            (v - want).abs() < 1e-4 * (1.0 + want.abs()),
                            "{name}[{l}][{i}] {specs:?}: {v} vs {want}"
                        );
                    }
                }
                // patching the changed token's embedding is running the clean prompt
                if site == Site::ResidPre {
                    assert!((got.grid[0][changed[0]] - got.clean).abs() < 1e-5);
                }
                // patching A with A's own activations returns A's metric, every cell
                let same =
                    patch(&m.gpt, (&a, &a), (site, metric), &abl, &mut |_, _| {}, &no).unwrap();
                assert!((same.corrupt - same.clean).abs() < 1e-9);
                for v in same.grid.iter().flatten() {
                    assert!(
                        (v - same.clean).abs() < 1e-5,
                        "{name}: {v} vs {}",
                        same.clean
                    );
                }
            }
        }
    }
    // the command line: the same grid, JSON and CSV; bad input refused
    let model = dir.path().to_str().unwrap();
    let csv = dir.path().join("grid.csv");
    let word = |id: u32| m.tokenizer.token_text(id);
    let metric = format!("diff:{},{}", word(t1), word(t2));
    let (ok, out, err) = factory(&[
        "patch",
        "--model",
        model,
        "--clean",
        clean,
        "--corrupt",
        corrupt,
        "--site",
        "mlp_out",
        "--metric",
        &metric,
        "--json",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let want = patch(
        &m.gpt,
        (&a, &b),
        (Site::MlpOut, Metric::Diff(t1, t2)),
        &Ablations::none(),
        &mut |_, _| {},
        &no,
    )
    .unwrap();
    assert_eq!(j["schema"], 1);
    assert_eq!(j["site"], "mlp_out");
    assert_eq!(j["tokens"].as_array().unwrap().len(), a.len());
    for (l, row) in want.grid.iter().enumerate() {
        for (p, v) in row.iter().enumerate() {
            assert!((j["grid"][l][p].as_f64().unwrap() - v).abs() < 1e-9);
        }
    }
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), d.n_layer + 1);
    let (ok, _, err) = factory(&[
        "patch",
        "--model",
        model,
        "--clean",
        "the king",
        "--corrupt",
        "the king said",
        "--site",
        "head",
        "--metric",
        &format!("prob:{}", word(t1)),
    ]);
    assert!(!ok && err.contains("same length"), "{err}");
    let (ok, _, err) = factory(&[
        "patch",
        "--model",
        model,
        "--clean",
        clean,
        "--corrupt",
        corrupt,
        "--site",
        "head",
        "--metric",
        "diff:the king said",
    ]);
    assert!(!ok && err.contains("splits tried"), "{err}");
}

/// A patching grid's cell run on the floor (`Request::Patch`: a cache carrying the clean run's
/// activation) gives the f64 reference's patched run, for every site, every cell, with ablations:
/// the whole prompt at once, and the same prompt fed a token at a time through the cache (the
/// patched position or head met in a later step).
#[test]
fn a_patched_floor_run_is_the_references_patched_run() {
    use common::{RefAblations, RefPatch};
    use factory::model::Ablations;
    use factory::model::patch::{PatchSpec, Site};
    let dir = tempfile::tempdir().unwrap();
    let (d, w) = common::write_model(dir.path(), 32, Naming::Plain, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let reference = Reference { d, w: &w };
    let a = ids_for(6, d.vocab_size);
    let mut b = a.clone();
    b[2] = (b[2] + 5) % d.vocab_size as u32;
    let specs = vec!["neuron:1.7".to_string()];
    let abl = Ablations::parse(&specs, &m.config).unwrap();
    let ref_abl = RefAblations {
        neurons: vec![(1, 7)],
        ..Default::default()
    };
    let clean_run = reference.run_ablated(&a, &ref_abl);
    let close = |got: &[f32], want: &[f64], what: &str| {
        for (g, w) in got.iter().zip(want) {
            assert!(
                (*g as f64 - w).abs() < 1e-4 * (1.0 + w.abs()),
                "{what}: {g} vs {w}"
            );
        }
    };
    for (site, name) in [
        (Site::ResidPre, "resid_pre"),
        (Site::AttnOut, "attn_out"),
        (Site::MlpOut, "mlp_out"),
        (Site::Head, "head"),
    ] {
        let columns = if site == Site::Head {
            d.n_head
        } else {
            a.len()
        };
        for layer in 0..d.n_layer {
            for index in 0..columns {
                let spec = PatchSpec {
                    clean: a.clone(),
                    site,
                    layer,
                    index,
                };
                let splice = spec.splice(&m.gpt, &abl).unwrap();
                let patched = RefAblations {
                    patch: Some(RefPatch {
                        site: name,
                        layer,
                        index,
                        from: clean_run.sites[&(name, layer)].clone(),
                    }),
                    ..ref_abl.clone()
                };
                let want = reference.run_ablated(&b, &patched).logits;
                let fresh =
                    || KvCache::with_ablations(abl.clone()).with_splice(Some(splice.clone()));
                let whole = m.gpt.trace(&b, &mut fresh()).unwrap();
                close(
                    &whole.logits,
                    &want,
                    &format!("{name}[{layer}][{index}] whole"),
                );
                // two tokens, then one at a time: the patch is met in whichever step holds it
                let mut cache = fresh();
                let mut last = m.gpt.trace(&b[..2], &mut cache).unwrap();
                for &id in &b[2..] {
                    last = m.gpt.trace(&[id], &mut cache).unwrap();
                }
                close(
                    &last.logits,
                    &want,
                    &format!("{name}[{layer}][{index}] stepped"),
                );
            }
        }
    }
    // a cell outside the model is refused with its reason
    let bad = PatchSpec {
        clean: a.clone(),
        site: Site::Head,
        layer: 0,
        index: d.n_head,
    };
    assert!(
        bad.splice(&m.gpt, &abl)
            .unwrap_err()
            .to_string()
            .contains("head")
    );
}

/// Information-flow routes (`model/routes.rs`): the defining property, that a node's parts add up
/// to the node (the residual, every head's edge from every earlier token and the bias after
/// attention; the residual and the FFN after it) and their shares to 1; the nodes are the f64
/// reference's stream; the route keeps exactly the parts above the threshold, reached from the
/// last token's output; `factory routes --json` prints it.
#[test]
fn routes_account_for_every_node() {
    use factory::model::routes::{self, Flow, Node, Part};
    let dir = tempfile::tempdir().unwrap();
    let (d, w) = common::write_model(dir.path(), 41, Naming::Plain, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let ids = m.tokenizer.encode("the king said to the queen").unwrap();
    let flow = Flow::run(&m.gpt, &ids).unwrap();
    let reference = Reference { d, w: &w }.run(&ids);
    for layer in 0..=d.n_layer {
        for position in 0..ids.len() {
            for mid in [false, true] {
                if mid && layer == d.n_layer {
                    continue;
                }
                let n = Node {
                    layer,
                    mid,
                    position,
                };
                let node = flow.vector(n);
                if !mid && layer < d.n_layer {
                    let want = &reference.sites[&("resid_pre", layer)][position];
                    for (a, b) in node.iter().zip(want) {
                        assert!((*a as f64 - b).abs() < 1e-4, "{n:?}: {a} vs {b}");
                    }
                }
                let parts = flow.parts(n);
                if layer == 0 && !mid {
                    assert!(parts.is_empty(), "the embedding is where routes start");
                    continue;
                }
                let heads = parts
                    .iter()
                    .filter(|c| matches!(c.part, Part::Attention { .. }))
                    .count();
                assert_eq!(heads, if mid { d.n_head * (position + 1) } else { 0 });
                for (i, &v) in node.iter().enumerate() {
                    let sum: f32 = parts.iter().map(|c| c.vector[i]).sum();
                    assert!(
                        (sum - v).abs() < 1e-4 * (1.0 + v.abs()),
                        "{n:?}[{i}]: the parts add up to {sum}, the node is {v}"
                    );
                }
                let total: f64 = parts.iter().map(|c| c.share).sum();
                assert!(
                    (total - 1.0).abs() < 1e-9,
                    "{n:?}: shares add up to {total}"
                );
                assert!(parts.iter().all(|c| c.share >= 0.0));
            }
        }
    }
    let threshold = 0.05;
    let edges = flow.route(threshold);
    assert!(!edges.is_empty());
    let top = Node {
        layer: d.n_layer,
        mid: false,
        position: ids.len() - 1,
    };
    let mut reached = std::collections::BTreeSet::from([top]);
    for e in &edges {
        assert!(e.share > threshold);
        assert!(reached.contains(&e.to), "{e:?} is reached from the output");
        reached.insert(e.from);
    }
    // every part above the threshold of a reached node is an edge
    for &n in &reached {
        let want = flow
            .parts(n)
            .iter()
            .filter(|c| c.from.is_some() && c.share > threshold)
            .count();
        assert_eq!(edges.iter().filter(|e| e.to == n).count(), want, "{n:?}");
    }
    // the hall's slider cuts the route from one traced lower: the same edges as traced anew
    let key = |e: &factory::model::routes::Edge| (e.from, e.to, format!("{:?}", e.part));
    let mut cut: Vec<_> = routes::within(&flow.route(0.01), top, threshold)
        .iter()
        .map(key)
        .collect();
    let mut traced: Vec<_> = edges.iter().map(key).collect();
    cut.sort();
    traced.sort();
    assert_eq!(cut, traced);
    assert_eq!(flow.output(), top);
    let model = dir.path().to_str().unwrap();
    let (ok, out, err) = factory(&[
        "routes",
        "--model",
        model,
        "--prompt",
        "the king said to the queen",
        "--threshold",
        "0.05",
        "--json",
    ]);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["edges"].as_array().unwrap().len(), edges.len());
    let (ok, _, err) = factory(&[
        "routes",
        "--model",
        model,
        "--prompt",
        "the",
        "--threshold",
        "2",
    ]);
    assert!(!ok && err.contains("--threshold"), "{err}");
}

/// The backward pass the hall draws (`model/backward.rs`) against central finite differences of
/// the f64 reference's loss: d loss / d attention's output, the FFN's output, the stream entering
/// each block and a head's output (each moved through the reference's patch), an attention weight
/// and a neuron's output (moved by a nudge); and every kind of chain-rule step adds up to the
/// gradient it explains (the norms' backward written out by hand, the unembedding's softmax, the
/// sums over the next step's inputs).
#[test]
fn the_backward_pass_matches_finite_differences() {
    use factory::model::backward::Place;
    use factory::model::learn::{Learner, Optimizer};
    let dir = tempfile::tempdir().unwrap();
    let (d, w) = common::write_model(dir.path(), 33, Naming::Plain, false);
    let m = LoadedModel::open(dir.path()).unwrap();
    let ids = m.tokenizer.encode("the cat sat on the mat").unwrap();
    let learner = Learner::new(&m, Optimizer::Sgd, 0.01).unwrap();
    let (_, _, g) = learner.measure_drawn(&ids).unwrap();
    let base = Reference { d, w: &w }.run(&ids);
    let t = ids.len();
    let fd = |abl_plus: common::RefAblations, abl_minus: common::RefAblations, h: f64| {
        (reference_learning_loss_with(&w, d, &ids, &abl_plus).0
            - reference_learning_loss_with(&w, d, &ids, &abl_minus).0)
            / (2.0 * h)
    };
    let close = |what: &str, got: f64, want: f64| {
        assert!(
            (got - want).abs() < 2e-3 * (want.abs() + 1e-3),
            "{what}: {got} vs finite differences {want}"
        );
    };
    let h = 1e-4;
    // a site's row moved by ±h at one cell
    let moved = |site: &'static str, l: usize, p: usize, i: usize, by: f64| {
        let mut from = base.sites[&(site, l)].clone();
        from[p][i] += by;
        let index = if site == "head" {
            i / (d.n_embd / d.n_head)
        } else {
            p
        };
        common::RefAblations {
            patch: Some(common::RefPatch {
                site,
                layer: l,
                index,
                from,
            }),
            ..Default::default()
        }
    };
    let hs = d.n_embd / d.n_head;
    for l in 0..d.n_layer {
        for (p, i) in [(1, 3), (t - 2, 7), (t - 1, 0)] {
            let (g_attn, g_mlp) = (g.layers[l].attn.at(&[p, i]), g.layers[l].mlp.at(&[p, i]));
            let stream_in = if l == 0 {
                &g.embed
            } else {
                &g.layers[l - 1].resid_ffn
            };
            let g_head = g.layers[l].heads.at(&[i / hs, p, i % hs]);
            for (site, got) in [
                ("attn_out", g_attn),
                ("mlp_out", g_mlp),
                ("resid_pre", stream_in.at(&[p, i])),
                ("head", g_head),
            ] {
                let want = fd(moved(site, l, p, i, h), moved(site, l, p, i, -h), h);
                close(&format!("{site} {l} {p},{i}"), got as f64, want);
            }
        }
        // an attention weight (a key at or before its query) and a neuron's output
        let nudge = |what: &'static str, at: [usize; 3], by: f64| common::RefAblations {
            nudge: Some((what, l, at, by)),
            ..Default::default()
        };
        for (head, q, k) in [(0, t - 1, 0), (d.n_head - 1, 2, 2)] {
            let want = fd(
                nudge("attention", [head, q, k], h),
                nudge("attention", [head, q, k], -h),
                h,
            );
            close(
                "attention weight",
                g.layers[l].attention.at(&[head, q, k]) as f64,
                want,
            );
        }
        for (p, j) in [(0, 5), (t - 2, 17)] {
            let want = fd(nudge("gelu", [p, j, 0], h), nudge("gelu", [p, j, 0], -h), h);
            close("neuron", g.layers[l].neurons.at(&[p, j]) as f64, want);
        }
    }
    // every kind of chain-rule step adds up to the gradient it explains
    let last = d.n_layer - 1;
    for place in [
        Place::Embed,
        Place::Ln1(1),
        Place::ResidAttn(0),
        Place::Ln2(last),
        Place::ResidFfn(0),
        Place::ResidFfn(last),
        Place::LnF,
        Place::Neuron(1),
        Place::Attention(last, 1),
    ] {
        for cell in [(t - 2, 1), (1, 0), (t - 1, 3)] {
            let chain = learner.chain(&g, place, cell).unwrap().unwrap();
            let want = g.at(place, cell).unwrap() as f64;
            assert!(
                (chain.total() - want).abs() < 1e-4 * (want.abs() + 1e-3) + 1e-7,
                "{place:?} {cell:?}: the chain's {} vs the gradient {want}",
                chain.total()
            );
        }
    }
}
