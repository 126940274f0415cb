//! `factory train` end to end on a small text: loss falls, the output opens, resume is exact,
//! bad input is refused before work starts; and the shipped default model matches its README.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use factory::model::train::{Progress, Quiet, TrainOptions, read_log, train};
use factory::model::{KvCache, LoadedModel, default_model_dir};

fn corpus(dir: &Path) -> PathBuf {
    let path = dir.join("corpus.txt");
    std::fs::write(&path, common::CORPUS.repeat(12)).unwrap();
    path
}

fn tiny(corpus: PathBuf, out: PathBuf) -> TrainOptions {
    TrainOptions {
        corpus: vec![corpus],
        out,
        layers: 1,
        heads: 2,
        embd: 16,
        context: 16,
        vocab: 300,
        steps: 40,
        batch: 4,
        lr: 1e-2,
        warmup: 5,
        eval_every: 10,
        save_every: 10,
        ..TrainOptions::default()
    }
}

fn no_stop() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}

#[test]
fn a_tiny_run_learns_and_its_output_opens() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model");
    let opts = tiny(corpus(dir.path()), out.clone());
    let report = train(&opts, false, no_stop(), &mut Quiet).unwrap();
    assert_eq!(report.state.step, 40);
    let log = read_log(&out.join("train_log.csv"));
    let first = log.first().unwrap().train_loss;
    let last = log.last().unwrap().train_loss;
    assert!(last < first - 0.5, "loss did not fall: {first} -> {last}");
    let vals: Vec<f64> = log.iter().filter_map(|r| r.val_loss).collect();
    assert_eq!(vals.len(), 4);
    assert!(vals[3] < vals[0]);
    assert!(out.join("loss.png").metadata().unwrap().len() > 1000);
    let m = LoadedModel::open(&out).unwrap();
    assert_eq!(m.config.n_layer, 1);
    assert_eq!(m.config.n_positions, 16);
    let ids = m.tokenizer.encode("the king said").unwrap();
    assert!(
        !m.gpt
            .trace(&ids, &mut KvCache::new())
            .unwrap()
            .logits
            .is_empty()
    );
    let out_str = out.to_str().unwrap();
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_factory"))
        .args(["trace", "--model", out_str, "--prompt", "the king said"])
        .output()
        .unwrap();
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
}

/// `--snapshot-every` / `--snapshot-at`: complete model folders (f16) at step 0, at the asked steps
/// and at the end; each opens as a model, the last one computes what the finished model computes,
/// and the timeline lists them in step order.
#[test]
fn snapshots_are_models_of_their_step() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model");
    let opts = TrainOptions {
        snapshot_every: 20,
        snapshot_at: vec![5],
        ..tiny(corpus(dir.path()), out.clone())
    };
    train(&opts, false, no_stop(), &mut Quiet).unwrap();
    let snaps = out.join("snapshots");
    let mut names: Vec<String> = std::fs::read_dir(&snaps)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["step-000000", "step-000005", "step-000020", "step-000040"]
    );
    let finished = LoadedModel::open(&out).unwrap();
    let ids = finished.tokenizer.encode("the king said").unwrap();
    let logits = |m: &LoadedModel| m.gpt.trace(&ids, &mut KvCache::new()).unwrap().logits;
    let want = logits(&finished);
    let last = LoadedModel::open(&snaps.join("step-000040")).unwrap();
    let got = logits(&last);
    let worst = want
        .iter()
        .zip(&got)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 0.05, "f16 snapshot differs by {worst}");
    let first = LoadedModel::open(&snaps.join("step-000000")).unwrap();
    assert_ne!(logits(&first), want, "step 0 is the untrained model");
    let t = factory::model::catalog::timeline(&snaps.join("step-000005")).unwrap();
    let steps: Vec<usize> = t.points.iter().map(|p| p.0).collect();
    assert_eq!(steps, [0, 5, 20, 40]);
    // the last point is the finished model itself, not its f16 copy
    assert_eq!(
        std::fs::canonicalize(&t.points[3].1).unwrap(),
        std::fs::canonicalize(&out).unwrap()
    );
    assert_eq!(
        std::fs::canonicalize(&t.model).unwrap(),
        std::fs::canonicalize(&out).unwrap()
    );
    assert!(factory::model::catalog::timeline(dir.path()).is_none());
}

/// Stops the run after a given step, as Ctrl-C would.
struct StopAt(usize, Arc<AtomicBool>);

impl Progress for StopAt {
    fn step(&mut self, step: usize, _: f64, _: Option<f64>, _: f64) {
        if step >= self.0 {
            self.1.store(true, Ordering::SeqCst);
        }
    }
}

#[test]
fn an_interrupted_run_resumes_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let text = corpus(dir.path());
    let straight = tiny(text.clone(), dir.path().join("straight"));
    train(&straight, false, no_stop(), &mut Quiet).unwrap();

    let started = tiny(text.clone(), dir.path().join("started"));
    let stop = no_stop();
    let first = train(&started, false, stop.clone(), &mut StopAt(20, stop)).unwrap();
    assert!(first.interrupted);
    assert_eq!(first.state.step, 20);
    // the checkpoint moves (as into the repository) and the corpus is given from a new place:
    // the run resumes in the folder given now, from the corpus given now
    let broken = tiny(
        dir.path().join("moved-corpus.txt"),
        dir.path().join("broken"),
    );
    std::fs::copy(&text, &broken.corpus[0]).unwrap();
    std::fs::rename(&started.out, &broken.out).unwrap();
    let again = train(&broken, true, no_stop(), &mut Quiet).unwrap();
    assert!(
        !started.out.exists(),
        "nothing is written to the old folder"
    );
    assert!(!again.interrupted);
    assert_eq!(again.state.step, 40);

    let a = LoadedModel::open(&straight.out).unwrap();
    let b = LoadedModel::open(&broken.out).unwrap();
    let ids = a.tokenizer.encode("to be or not").unwrap();
    let la = a.gpt.trace(&ids, &mut KvCache::new()).unwrap().logits;
    let lb = b.gpt.trace(&ids, &mut KvCache::new()).unwrap().logits;
    let diff = la
        .iter()
        .zip(&lb)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max);
    assert!(diff < 1e-5, "resumed run differs by {diff}");
    let rows = read_log(&broken.out.join("train_log.csv"));
    assert_eq!(
        rows.iter().map(|r| r.step).collect::<Vec<_>>(),
        (1..=4).map(|i| i * 10).collect::<Vec<_>>()
    );
}

#[test]
fn bad_training_input_is_refused_before_work() {
    let dir = tempfile::tempdir().unwrap();
    let text = corpus(dir.path());
    let out = dir.path().join("out");
    let err = |o: TrainOptions, resume: bool| {
        train(&o, resume, no_stop(), &mut Quiet)
            .unwrap_err()
            .to_string()
    };

    let e = err(tiny(dir.path().join("missing.txt"), out.clone()), false);
    assert!(e.contains("missing.txt") && e.contains("not found"), "{e}");
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "  \n").unwrap();
    let e = err(tiny(empty, out.clone()), false);
    assert!(e.contains("empty"), "{e}");
    let small = dir.path().join("small.txt");
    std::fs::write(&small, "a few words only, not enough for a batch").unwrap();
    let e = err(tiny(small, out.clone()), false);
    assert!(e.contains("too small"), "{e}");
    let e = err(
        TrainOptions {
            heads: 3,
            ..tiny(text.clone(), out.clone())
        },
        false,
    );
    assert!(e.contains("--heads") && e.contains("divide"), "{e}");
    let e = err(tiny(text.clone(), out.clone()), true);
    assert!(e.contains("--resume"), "{e}");
    assert!(!out.exists(), "nothing was written for refused input");
    // a folder holding another model is not overwritten
    let other = dir.path().join("other");
    common::write_model(&other, 1, common::Naming::Plain, false);
    let before = std::fs::read(other.join("model.safetensors")).unwrap();
    let e = err(tiny(text, other.clone()), false);
    assert!(e.contains("already holds a model"), "{e}");
    assert_eq!(
        std::fs::read(other.join("model.safetensors")).unwrap(),
        before
    );
}

#[test]
fn a_run_too_large_for_memory_is_refused_with_its_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = TrainOptions {
        layers: 2000,
        embd: 16384,
        ..tiny(corpus(dir.path()), out.clone())
    };
    let e = train(&o, false, no_stop(), &mut Quiet)
        .unwrap_err()
        .to_string();
    // 2000 blocks of 12 · 16384² weights: 6.4 trillion parameters, 16 bytes each at least
    assert!(e.contains("would need about") && e.contains("GB"), "{e}");
    let gb: f64 = e
        .split("about ")
        .nth(1)
        .and_then(|s| s.split(" GB").next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    let params = 2000.0 * 12.0 * 16384.0 * 16384.0;
    assert!(gb * 1e9 >= 16.0 * params, "{e}");
    assert!(!out.exists(), "nothing was written for a refused run");
}

#[test]
fn init_starts_from_a_model_and_keeps_its_shape_and_tokenizer() {
    let dir = tempfile::tempdir().unwrap();
    let text = corpus(dir.path());
    let first = dir.path().join("first");
    let report = train(
        &tiny(text.clone(), first.clone()),
        false,
        no_stop(),
        &mut Quiet,
    )
    .unwrap();
    let learned = report.state.train_loss.unwrap();
    let second = dir.path().join("second");
    let o = TrainOptions {
        // the shape given here is ignored: --init's own is kept
        layers: 3,
        embd: 32,
        steps: 5,
        eval_every: 1,
        warmup: 2,
        init: Some(first.clone()),
        ..tiny(text, second.clone())
    };
    train(&o, false, no_stop(), &mut Quiet).unwrap();
    let (a, b) = (
        LoadedModel::open(&first).unwrap(),
        LoadedModel::open(&second).unwrap(),
    );
    assert_eq!(a.config, b.config);
    assert_eq!(
        std::fs::read(first.join("tokenizer.json")).unwrap(),
        std::fs::read(second.join("tokenizer.json")).unwrap()
    );
    // its first steps start where the first run ended, far below a fresh model's ln(vocab)
    let log = read_log(&second.join("train_log.csv"));
    let start = log.first().unwrap().train_loss;
    let fresh = (a.config.vocab_size as f64).ln();
    assert!(
        start < learned + 0.5 && start < fresh - 1.0,
        "{start} vs {learned}, fresh {fresh}"
    );
    // a folder that is not a model is refused, naming what is missing
    let e = train(
        &TrainOptions {
            init: Some(dir.path().join("nothing")),
            ..tiny(corpus(dir.path()), dir.path().join("third"))
        },
        false,
        no_stop(),
        &mut Quiet,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("--init") && e.contains("config.json"), "{e}");
}

#[test]
fn the_default_model_matches_its_readme() {
    let dir = default_model_dir();
    let m = LoadedModel::open(&dir).unwrap();
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let c = &m.config;
    for (name, v) in [
        ("n_layer", c.n_layer),
        ("n_head", c.n_head),
        ("n_embd", c.n_embd),
        ("n_positions", c.n_positions),
        ("vocab_size", c.vocab_size),
    ] {
        let needle = format!("| `{name}` | {v} |");
        assert!(readme.contains(&needle), "README lacks {needle:?}");
    }
    // the losses it reports are the run's own: the finished losses are the checkpoint's, and
    // every row of its table of losses is the training log's row at that step
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("train_state.json")).unwrap())
            .unwrap();
    let loss = |key: &str| format!("{:.3}", state[key].as_f64().unwrap());
    let finished = format!(
        "**train loss {}, validation loss {}**",
        loss("train_loss"),
        loss("val_loss")
    );
    assert!(readme.contains(&finished), "README lacks {finished:?}");
    let log = training_log(&dir.join("train_log.csv"));
    let table = losses_table(&readme);
    assert!(table.len() >= 3, "README's table of losses: {table:?}");
    for (step, train, val) in &table {
        let (_, t, v) = log
            .iter()
            .find(|r| r.0 == *step)
            .unwrap_or_else(|| panic!("README's step {step} is not in train_log.csv"));
        let v = v.unwrap_or_else(|| panic!("train_log.csv has no validation loss at {step}"));
        assert_eq!(
            (train.as_str(), val.as_str()),
            (format!("{t:.3}").as_str(), format!("{v:.3}").as_str()),
            "README's losses at step {step}"
        );
    }
    let last = table.last().unwrap();
    assert_eq!(
        last.0 as u64,
        state["step"].as_u64().unwrap(),
        "the table ends at the end"
    );
    assert_eq!(
        (last.1.clone(), last.2.clone()),
        (loss("train_loss"), loss("val_loss"))
    );
    // it continues everyday prompts with common English words: after each of the kiosk's
    // everyday prompts, the words the held-out sentences use most get many times the share of the
    // next-token probability a guess at random gives them
    let words = held_out_frequent_words();
    let tokens = word_tokens(&m, &words);
    let chance = tokens.len() as f64 / c.vocab_size as f64;
    let share = frequent_word_share(&m, &tokens);
    assert!(
        share >= 8.0 * chance,
        "the held-out text's frequent words get {share:.4} of the next-token probability, \
         chance {chance:.4} ({} of {words:?})",
        tokens.len()
    );
}

/// `train_log.csv` read here: (step, train loss, validation loss when measured).
fn training_log(path: &Path) -> Vec<(usize, f64, Option<f64>)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().ok(),
            )
        })
        .collect()
}

/// The README's table under "## Losses": (step, train loss, validation loss) as printed.
fn losses_table(readme: &str) -> Vec<(usize, String, String)> {
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Losses"))
        .expect("README has a section \"Losses\"");
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            let step = cells.first()?.replace(',', "").parse().ok()?;
            Some((step, cells.get(1)?.to_string(), cells.get(2)?.to_string()))
        })
        .collect()
}

/// The words of the default model's held-out sentences (`eval_sentences.txt`: everyday sentences
/// written to measure it, none of them in its corpus), counted here: those used at least twice,
/// most used first.
fn held_out_frequent_words() -> Vec<String> {
    let text = std::fs::read_to_string(default_model_dir().join("eval_sentences.txt")).unwrap();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        match counts.iter_mut().find(|(w, _)| *w == word) {
            Some((_, n)) => *n += 1,
            None => counts.push((word, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    assert!(
        counts.iter().map(|c| c.1).sum::<usize>() > 200,
        "the held-out text is a few hundred words"
    );
    let words: Vec<String> = counts
        .into_iter()
        .filter(|(_, n)| *n >= 2)
        .map(|(w, _)| w)
        .collect();
    assert_eq!(words[0], "the", "{words:?}");
    words
}

/// The ids of the tokens that are one of `words` after a space, in lower case or capitalised
/// (" the", " The", " I"): the next word of a prompt that stops between words.
fn word_tokens(m: &LoadedModel, words: &[String]) -> Vec<u32> {
    let mut ids = Vec::new();
    for w in words {
        let capital: String = w[..1].to_uppercase() + &w[1..];
        for form in [format!(" {w}"), format!(" {capital}")] {
            if let [id] = m.tokenizer.encode(&form).unwrap()[..]
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
    }
    assert!(ids.len() >= words.len() / 2, "most of {words:?} are tokens");
    ids
}

/// The kiosk's everyday prompts (`assets/kiosk/prompts.txt`).
fn everyday_prompts() -> Vec<String> {
    let path = factory::project_path("assets/kiosk/prompts.txt");
    let prompts: Vec<String> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    assert!(prompts.len() >= 5, "{prompts:?}");
    prompts
}

/// The probability the model gives `tokens` as the next token, averaged over the everyday
/// prompts (a softmax of its logits, in f64).
fn frequent_word_share(m: &LoadedModel, tokens: &[u32]) -> f64 {
    let prompts = everyday_prompts();
    let total: f64 = prompts
        .iter()
        .map(|p| {
            let ids = m.tokenizer.encode(p).unwrap();
            let logits = m.gpt.trace(&ids, &mut KvCache::new()).unwrap().logits;
            let probs = softmax(&logits);
            tokens.iter().map(|&t| probs[t as usize]).sum::<f64>()
        })
        .sum();
    total / prompts.len() as f64
}

fn softmax(logits: &[f32]) -> Vec<f64> {
    let max = logits.iter().copied().fold(f32::MIN, f32::max) as f64;
    let e: Vec<f64> = logits.iter().map(|&l| (l as f64 - max).exp()).collect();
    let z: f64 = e.iter().sum();
    e.into_iter().map(|x| x / z).collect()
}

/// The model's surprise at the held-out sentences: −ln p of each token given the ones before it in
/// its sentence (the first is given), averaged over every predicted token, in nats.
fn held_out_surprise(m: &LoadedModel) -> f64 {
    let text = std::fs::read_to_string(default_model_dir().join("eval_sentences.txt")).unwrap();
    let (mut sum, mut n) = (0.0, 0usize);
    for sentence in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let ids = m.tokenizer.encode(sentence).unwrap();
        for t in 1..ids.len() {
            let logits = m.gpt.trace(&ids[..t], &mut KvCache::new()).unwrap().logits;
            sum -= softmax(&logits)[ids[t] as usize].ln();
            n += 1;
        }
    }
    assert!(n > 200, "{n} tokens");
    sum / n as f64
}

/// The default model's training snapshots: every one opens, they run from the untrained step 0 to
/// the finished model, they are f16 and small, and the same prompt goes from noise (no next token
/// above 1 %, as random weights give) to a sure guess at the end. Every one of them is measured on
/// the held-out sentences: the untrained one is as surprised as a guess at random (ln of the
/// vocabulary) and gives the sentences' frequent words their share by chance; each later one is
/// less surprised than the one before, and gives those words many times their share.
#[test]
fn the_shipped_snapshots_go_from_noise_to_words() {
    let dir = default_model_dir();
    let t = factory::model::catalog::timeline(&dir).expect("the default model ships snapshots");
    let steps: Vec<usize> = t.points.iter().map(|p| p.0).collect();
    assert_eq!(steps.first(), Some(&0));
    assert!(steps.len() >= 5, "{steps:?}");
    assert!(steps.windows(2).all(|w| w[0] < w[1]), "{steps:?}");
    let last = t.points.last().unwrap();
    assert_eq!(
        std::fs::canonicalize(&last.1).unwrap(),
        std::fs::canonicalize(&dir).unwrap(),
        "the finished model ends the timeline"
    );
    let mut bytes = 0;
    let top = |m: &LoadedModel| {
        let ids = m.tokenizer.encode("The little dog ran to the").unwrap();
        let logits = m.gpt.trace(&ids, &mut KvCache::new()).unwrap().logits;
        let max = logits.iter().copied().fold(f32::MIN, f32::max);
        let sum: f32 = logits.iter().map(|l| (l - max).exp()).sum();
        1.0 / sum
    };
    let mut first_top = 0.0;
    let words = held_out_frequent_words();
    let mut surprise: Vec<(usize, f64)> = Vec::new();
    for (step, folder) in &t.points {
        let m = LoadedModel::open(folder).unwrap();
        let tokens = word_tokens(&m, &words);
        let chance = tokens.len() as f64 / m.config.vocab_size as f64;
        let share = frequent_word_share(&m, &tokens) / chance;
        let nats = held_out_surprise(&m);
        println!(
            "step {step}: held-out surprise {nats:.3} nats, frequent words {share:.1} x chance"
        );
        if *step == 0 {
            let noise = (m.config.vocab_size as f64).ln();
            assert!(
                (nats - noise).abs() < 0.05 * noise,
                "step 0: surprise {nats} is not a random guess's {noise}"
            );
            assert!(
                share < 2.0,
                "step 0 already favours common words ({share:.1} x chance)"
            );
        } else {
            assert!(
                share >= 5.0,
                "step {step}: frequent words {share:.1} x chance"
            );
        }
        if let Some((before, was)) = surprise.last() {
            assert!(
                nats < *was,
                "step {step} is more surprised by held-out text ({nats}) than step {before} ({was})"
            );
        }
        surprise.push((*step, nats));
    }
    for (step, folder) in &t.points[..t.points.len() - 1] {
        let weights = folder.join("model.safetensors");
        bytes += std::fs::metadata(&weights).unwrap().len()
            + std::fs::metadata(folder.join("tokenizer.json"))
                .unwrap()
                .len();
        let raw = std::fs::read(&weights).unwrap();
        let st = safetensors::SafeTensors::deserialize(&raw).unwrap();
        assert!(
            st.tensors()
                .iter()
                .all(|(_, v)| v.dtype() == safetensors::Dtype::F16),
            "step {step} is not f16"
        );
        let m = LoadedModel::open(folder).unwrap();
        if *step == 0 {
            first_top = top(&m);
        }
    }
    assert!(bytes < 25_000_000, "snapshots take {bytes} bytes");
    assert!(first_top < 0.01, "step 0 is already sure: {first_top}");
    let finished = LoadedModel::open(&dir).unwrap();
    let end_top = top(&finished);
    assert!(end_top > 5.0 * first_top, "{first_top} -> {end_top}");
}
