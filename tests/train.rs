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
    // the losses it reports are the checkpoint's own
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("train_state.json")).unwrap())
            .unwrap();
    for key in ["val_loss", "train_loss"] {
        let loss = format!("{:.3}", state[key].as_f64().unwrap());
        assert!(readme.contains(&loss), "README lacks the {key} {loss}");
    }
    // it continues an everyday prompt with real words: most generated tokens are common English
    let ids = m.tokenizer.encode("The little dog ran to the").unwrap();
    let mut s = factory::model::Sampler::new(factory::model::SamplingParams {
        temperature: 0.0,
        top_k: None,
        top_p: 1.0,
        seed: 0,
    })
    .unwrap();
    let out = factory::model::generate::generate(&m.gpt, &ids, 20, &mut s, |_| {}).unwrap();
    let text = m.tokenizer.decode(&out).unwrap();
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    assert!(words.len() >= 5, "{text:?}");
    // the 150 most frequent words of written English, and the prompt's own
    let known = [
        "the", "of", "and", "to", "a", "in", "is", "it", "you", "that", "he", "was", "for", "on",
        "are", "with", "as", "i", "his", "they", "be", "at", "one", "have", "this", "from", "or",
        "had", "by", "not", "word", "but", "what", "some", "we", "can", "out", "other", "were",
        "all", "there", "when", "up", "use", "your", "how", "said", "an", "each", "she", "which",
        "do", "their", "time", "if", "will", "way", "about", "many", "then", "them", "would",
        "write", "like", "so", "these", "her", "long", "make", "thing", "see", "him", "two", "has",
        "look", "more", "day", "could", "go", "come", "did", "my", "no", "most", "who", "over",
        "know", "than", "call", "first", "down", "side", "been", "now", "find", "any", "new",
        "work", "part", "take", "get", "place", "made", "live", "where", "after", "back", "little",
        "only", "round", "man", "year", "came", "show", "every", "good", "me", "give", "our",
        "under", "name", "very", "through", "just", "great", "say", "help", "low", "line",
        "before", "turn", "cause", "same", "mean", "right", "old", "too", "does", "tell", "went",
        "house", "door", "room", "into", "away", "again", "off", "home", "dog", "ran", "s", "t",
    ];
    let hits = words
        .iter()
        .filter(|w| known.contains(&w.to_lowercase().as_str()))
        .count();
    assert!(
        hits * 2 >= words.len(),
        "mostly common words expected: {text:?}"
    );
}

/// The default model's training snapshots: every one opens, they run from the untrained step 0 to
/// the finished model, they are f16 and small, and the same prompt goes from noise (no next token
/// above 1 %, as random weights give) to a sure guess at the end.
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
