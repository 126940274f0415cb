//! Headless app tests: the real default model, the scene plugins on `MinimalPlugins`, `app.update()`.
//!
//! Every expectation is computed independently from a fresh `Gpt::trace` of the same tokens.

mod common;
#[path = "common/memory.rs"]
mod memory;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use factory::inference::{Engine, Pending, Request};
use factory::model::{KvCache, LoadedModel, default_model_dir};
use factory::playback::{Dock, Floor, Playback, Selection};
use factory::scene::beams::{BeamSettings, Beams};
use factory::scene::layout::StationKind;
use factory::scene::{Board, Booth, Crate, CurrentLayout, LampWall};

const PROMPT: &str = "The king said to the queen that";

fn model() -> Arc<LoadedModel> {
    Arc::new(LoadedModel::open(&default_model_dir()).expect("the default model opens"))
}

/// The factory's clock in these tests: each update is this long, however long the machine takes
/// over it (a test that needs another step inserts its own).
const FRAME: Duration = Duration::from_millis(100);

/// How long a wait for the model (or any work on the task pool) may take in wall time before the
/// test calls it stuck: generous, so that a loaded machine only makes a test slower, never fail.
const STUCK: Duration = Duration::from_secs(120);

fn headless(model: Arc<LoadedModel>) -> App {
    let mut app = factory::logic::headless_app(model);
    set_clock(&mut app, FRAME);
    app
}

/// Sets how far the factory's clock moves at each update (zero: it stands still while the test
/// waits, however long the wait takes).
fn set_clock(app: &mut App, per_update: Duration) {
    app.insert_resource(TimeUpdateStrategy::ManualDuration(per_update));
}

/// Updates until `done` holds; fails, naming `what`, only when it still does not after [`STUCK`]
/// of wall time. Between updates the task pool gets the processor.
fn update_until(app: &mut App, what: &str, done: impl Fn(&World) -> bool) {
    let start = Instant::now();
    loop {
        app.update();
        if done(app.world()) {
            return;
        }
        assert!(
            start.elapsed() < STUCK,
            "{what} did not happen in {STUCK:?}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Updates until the model has answered every request (its task done, nothing queued), then once
/// more: the scene is rebuilt from the new floor.
fn settle(app: &mut App) {
    update_until(app, "the model's answer", |w| {
        !w.resource::<Pending>().busy()
    });
    app.update();
}

fn last_station(app: &App) -> f32 {
    (app.world().resource::<CurrentLayout>().0.stations.len() - 1) as f32
}

fn run_prompt(app: &mut App, prompt: &str) {
    app.world_mut()
        .write_message(Request::Prompt(prompt.into()));
    settle(app);
    let last = last_station(app);
    let mut pb = app.world_mut().resource_mut::<Playback>();
    pb.progress = last;
    pb.playing = false;
    app.update();
}

/// From the shipping dock, one step: a token is drawn and its floor arrives.
fn step_to_the_next_token(app: &mut App) {
    app.world_mut().resource_mut::<Playback>().step();
    let version = app.world().resource::<Floor>().version;
    update_until(app, "the next token's floor", |w| {
        w.resource::<Floor>().version != version && !w.resource::<Pending>().busy()
    });
}

/// Updates until each token's surprise is computed for the floor now standing (bounded).
fn wait_for_surprise(app: &mut App) {
    use factory::playback::surprise::TokenSurprise;
    update_until(app, "the surprise", |w| {
        w.resource::<TokenSurprise>().version == Some(w.resource::<Floor>().version)
    });
}

fn count<C: Component>(app: &mut App) -> usize {
    app.world_mut().query::<&C>().iter(app.world()).count()
}

#[test]
fn one_crate_per_token_and_one_booth_per_head() {
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, PROMPT);
    let ids = m.tokenizer.encode(PROMPT).unwrap();
    assert_eq!(count::<Crate>(&mut app), ids.len());
    assert_eq!(app.world().resource::<Floor>().history.ids, ids);
    let mut booths: Vec<(usize, usize)> = app
        .world_mut()
        .query::<&Booth>()
        .iter(app.world())
        .map(|b| (b.layer, b.head))
        .collect();
    booths.sort();
    let expected: Vec<(usize, usize)> = (0..m.config.n_layer)
        .flat_map(|l| (0..m.config.n_head).map(move |h| (l, h)))
        .collect();
    assert_eq!(booths, expected);
    // every crate carries its own token, at its lane, at the shipping dock
    let layout = app.world().resource::<CurrentLayout>().0.clone();
    let shipping = layout.station(StationKind::Shipping).unwrap().x;
    let mut q = app.world_mut().query::<(&Crate, &Transform)>();
    for (c, t) in q.iter(app.world()) {
        assert!((t.translation.z - layout.token_z(c.0)).abs() < 1e-5);
        assert!((t.translation.x - shipping).abs() < 1e-3);
    }
}

#[test]
fn beams_are_the_traced_weights_above_the_threshold() {
    let m = model();
    let mut app = headless(m.clone());
    app.insert_resource(BeamSettings { threshold: 0.1 });
    run_prompt(&mut app, PROMPT);
    let ids = m.tokenizer.encode(PROMPT).unwrap();
    let trace = m.gpt.trace(&ids, &mut KvCache::new()).unwrap();
    let mut expected = Vec::new();
    for (l, layer) in trace.layers.iter().enumerate() {
        let [nh, t, k] = [
            layer.attention.shape[0],
            layer.attention.shape[1],
            layer.attention.shape[2],
        ];
        for h in 0..nh {
            for q in 0..t {
                for key in 0..k {
                    let w = layer.attention.at(&[h, q, key]);
                    if w >= 0.1 {
                        assert!(key <= q, "a future key is lit");
                        expected.push((l, h, q, key, w));
                    }
                }
            }
        }
    }
    let beams = app.world().resource::<Beams>().0.clone();
    let got: Vec<(usize, usize, usize, usize, f32)> = beams
        .iter()
        .map(|b| (b.layer, b.head, b.query, b.key, b.weight))
        .collect();
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!((g.0, g.1, g.2, g.3), (e.0, e.1, e.2, e.3));
        assert!((g.4 - e.4).abs() < 1e-6);
    }
    // attention of a trained model is not uniform: some beams are strong
    assert!(got.iter().any(|b| b.4 > 0.5));
    // selecting a token isolates its beams
    app.world_mut().resource_mut::<Selection>().token = Some(3);
    app.update();
    let isolated = app.world().resource::<Beams>().0.clone();
    assert!(!isolated.is_empty());
    assert!(isolated.iter().all(|b| b.query == 3));
    assert_eq!(isolated.len(), expected.iter().filter(|e| e.2 == 3).count());
    // before the crates reach a booth, its beams stay dark
    app.world_mut().resource_mut::<Selection>().token = None;
    let booth_21 = app
        .world()
        .resource::<CurrentLayout>()
        .0
        .index_of(StationKind::Booth(2, 1))
        .unwrap();
    app.world_mut().resource_mut::<Playback>().progress = booth_21 as f32 - 0.5;
    app.update();
    let partial = app.world().resource::<Beams>().0.clone();
    assert!(
        partial
            .iter()
            .all(|b| b.layer < 2 || (b.layer == 2 && b.head == 0))
    );
    assert!(!partial.is_empty());
}

/// The colour the documented rule gives value `v` on a board whose full brightness is `scale`,
/// as sRGB 0-255 (unrounded), written here from the README and the palette's description: amber
/// for a positive value, cyan for a negative one, the dark "zero" colour for 0; brightness is
/// |v| / scale, clamped to 1, on a square-root ramp from the zero colour to the full hue.
fn documented_colour(v: f64, scale: f64) -> [f64; 3] {
    use factory::scene::palette::{NEGATIVE, POSITIVE, ZERO};
    let brightness = (v.abs() / scale).min(1.0).sqrt();
    let hue = if v >= 0.0 { POSITIVE } else { NEGATIVE };
    [0, 1, 2].map(|i| {
        let (zero, full) = (ZERO[i] as f64, hue[i] as f64);
        (zero + (full - zero) * brightness) * 255.0
    })
}

/// The documented colour of an attention weight: from the colour of zero to attention's violet,
/// brightness = √weight (README, "The look").
fn documented_weight_colour(w: f64) -> [f64; 3] {
    use factory::scene::palette::{ATTENTION, ZERO};
    let t = w.clamp(0.0, 1.0).sqrt();
    [0, 1, 2].map(|i| (ZERO[i] as f64 + (ATTENTION[i] as f64 - ZERO[i] as f64) * t) * 255.0)
}

/// The documented scale of a board: the 98th percentile of |value| over all its numbers.
fn documented_scale(values: &[f32]) -> f64 {
    let mut mags: Vec<f64> = values.iter().map(|v| v.abs() as f64).collect();
    mags.sort_by(f64::total_cmp);
    mags[((mags.len() - 1) as f64 * 0.98).round() as usize]
}

#[test]
fn lamps_show_each_neurons_activation() {
    use factory::scene::palette::{NEGATIVE, POSITIVE};
    // the palette's hues are the documented ones: amber (red > green > blue) for positive values,
    // cyan (blue > green > red) for negative ones
    // (checked when the test is compiled)
    const {
        assert!(
            POSITIVE[0] > POSITIVE[1] && POSITIVE[1] > POSITIVE[2],
            "POSITIVE is not amber"
        );
        assert!(
            NEGATIVE[2] > NEGATIVE[1] && NEGATIVE[1] > NEGATIVE[0],
            "NEGATIVE is not cyan"
        );
    }
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, PROMPT);
    let ids = m.tokenizer.encode(PROMPT).unwrap();
    let trace = m.gpt.trace(&ids, &mut KvCache::new()).unwrap();
    let walls: Vec<LampWall> = app
        .world_mut()
        .query::<&LampWall>()
        .iter(app.world())
        .cloned()
        .collect();
    assert_eq!(walls.len(), m.config.n_layer);
    let images = app.world().resource::<Assets<Image>>();
    let dark = documented_colour(0.0, 1.0);
    for wall in &walls {
        assert!(wall.cols * wall.rows >= m.config.n_inner);
        assert_eq!(wall.shown, Some(ids.len() - 1), "the last token by default");
        // the wall's scale: the 98th percentile of |activation| over every token of its layer
        let all = &trace.layers[wall.layer].ffn_act.data;
        assert_eq!(all.len(), ids.len() * m.config.n_inner);
        let scale = documented_scale(all);
        assert!(
            (wall.scale as f64 - scale).abs() <= 1e-5 * scale,
            "layer {}: scale {} vs {scale}",
            wall.layer,
            wall.scale
        );
        let acts = trace.layers[wall.layer].ffn_act.row(&[ids.len() - 1]);
        assert_eq!(acts.len(), m.config.n_inner);
        let data = images.get(&wall.image).unwrap().data.as_ref().unwrap();
        let lit = (0..m.config.n_inner)
            .filter(|&i| {
                let want = documented_colour(acts[i] as f64, scale);
                let got = &data[i * 4..i * 4 + 4];
                for c in 0..3 {
                    // within rounding of the 0-255 value
                    assert!(
                        (got[c] as f64 - want[c]).abs() <= 1.0,
                        "layer {} neuron {i} (activation {}): {got:?} vs {want:?}",
                        wall.layer,
                        acts[i]
                    );
                }
                assert_eq!(got[3], 255, "opaque");
                (0..3).any(|c| (want[c] - dark[c]).abs() >= 1.0)
            })
            .count();
        assert!(lit > m.config.n_inner / 4, "most lamps carry a value");
    }
}

/// Every board's source, painted width per token and pixels.
fn board_pixels(app: &mut App) -> Vec<(factory::scene::BoardSource, Vec<u8>)> {
    let boards: Vec<Board> = app
        .world_mut()
        .query::<&Board>()
        .iter(app.world())
        .cloned()
        .collect();
    let images = app.world().resource::<Assets<Image>>();
    boards
        .iter()
        .map(|b| {
            let data = images.get(&b.image).unwrap().data.clone().unwrap();
            (b.source, data)
        })
        .collect()
}

/// The adding stations' boards can show what they added (issue 23: every reviewer saw the tiles
/// as "TV static, the same at every station"). With the drawer's switch on, the stamp's board
/// paints what the stamp added, each merge's what attention added, each pattern machine's what
/// the FFN added: checked here against the stream after the station less the stream before it
/// (independent of the rows the app paints from), in the documented colours on the documented
/// scale of those numbers. The other boards do not change; switched off, every board is as before.
/// (Switched on by a tour stop's `ShowAdded(true)`, off as the drawer's switch does.)
#[test]
fn the_adding_stations_boards_show_what_they_added() {
    use factory::scene::{BoardSource, ShowAdded};
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, PROMPT);
    app.update();
    let before = board_pixels(&mut app);
    // switched on by a tour stop (as a lecture's recording would), off by the drawer's switch
    let _tour = start_tour(
        &mut app,
        &m,
        r#"Tour(title: "t", stops: [
            Stop(title: "a", text: "b", station: Merge(0), seconds: 9.0, actions: [ShowAdded(true)]),
        ])"#,
    );
    update_until(&mut app, "the stop's ShowAdded", |w| {
        w.resource::<ShowAdded>().0
    });
    app.world_mut()
        .resource_mut::<factory::tour::TourPlayer>()
        .active = false;
    app.update();
    let shown = board_pixels(&mut app);
    let h = app.world().resource::<Floor>().history.clone();
    let (n, c) = (h.len(), m.config.n_embd);
    let (across, _) = factory::scene::layout::tile(c, n);
    let stream_before = |src: BoardSource| match src {
        BoardSource::Embed => Some(&h.tok_emb),
        BoardSource::ResidAttn(0) => Some(&h.embed),
        BoardSource::ResidAttn(l) => Some(&h.layers[l - 1].resid_ffn),
        BoardSource::ResidFfn(l) => Some(&h.layers[l].resid_attn),
        _ => None,
    };
    let mut adding = 0;
    for ((src, data), (_, old)) in shown.iter().zip(&before) {
        let Some(prev) = stream_before(*src) else {
            assert_eq!(
                data, old,
                "{src:?}: only the adding stations' boards change"
            );
            continue;
        };
        adding += 1;
        let after = src.rows(&h);
        let added: Vec<Vec<f32>> = after
            .iter()
            .zip(prev)
            .map(|(a, b)| a.iter().zip(b).map(|(x, y)| x - y).collect())
            .collect();
        let scale = documented_scale(&added.concat());
        assert_ne!(data, old, "{src:?} shows something else");
        for (t, row) in added.iter().enumerate() {
            for (d, &v) in row.iter().enumerate() {
                let want = documented_colour(v as f64, scale);
                let o = ((d / across) * n * across + t * across + d % across) * 4;
                for k in 0..3 {
                    assert!(
                        (data[o + k] as f64 - want[k]).abs() <= 1.5,
                        "{src:?} token {t} dim {d} (added {v}): {:?} vs {want:?}",
                        &data[o..o + 3]
                    );
                }
            }
        }
    }
    assert_eq!(
        adding,
        1 + 2 * m.config.n_layer,
        "the stamp, each merge, each FFN"
    );
    app.world_mut().resource_mut::<ShowAdded>().0 = false;
    app.update();
    assert!(board_pixels(&mut app) == before, "switched off, as before");
}

#[test]
fn a_sampled_token_appends_and_rides_again_with_the_cache() {
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, PROMPT);
    let n = app.world().resource::<Floor>().history.len();
    // "step" at the shipping dock: sample, send the crate round
    app.world_mut().resource_mut::<Playback>().step();
    app.update();
    // the clock stands still while the test waits on the model and the lens, so the new crate is
    // still riding back when it is checked
    set_clock(&mut app, Duration::ZERO);
    settle(&mut app);
    let floor = app.world().resource::<Floor>();
    let h = &floor.history;
    assert_eq!(h.len(), n + 1);
    assert_eq!(floor.flow_start, n, "only the new crate rides");
    let (sampled, _) = floor.last_sample.clone().unwrap();
    assert_eq!(h.ids[n], sampled);
    // the cached step equals a full recompute of all n + 1 tokens
    let full = m.gpt.trace(&h.ids, &mut KvCache::new()).unwrap();
    let diff = h
        .logits
        .iter()
        .zip(&full.logits)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(diff < 1e-4, "{diff}");
    for l in 0..m.config.n_layer {
        let row = &h.layers[l].attention[0][n];
        assert_eq!(row.len(), n + 1);
        for (k, w) in row.iter().enumerate() {
            assert!((w - full.layers[l].attention.at(&[0, n, k])).abs() < 1e-5);
        }
    }
    // the step left the lens out; it follows on the task pool and equals the full run's lens
    update_until(&mut app, "the lens after the step", |w| {
        !w.resource::<Floor>().history.lens.is_empty()
    });
    let h = &app.world().resource::<Floor>().history;
    assert_eq!(h.lens.len(), m.config.n_layer);
    for (l, guesses) in h.lens.iter().enumerate() {
        let want = &full.layers[l].lens;
        assert_eq!(guesses.len(), want.len());
        for (g, w) in guesses.iter().zip(want) {
            assert_eq!(g.id, w.id, "layer {l}");
            assert!((g.prob - w.prob).abs() < 1e-5, "layer {l}");
        }
    }
    app.update();
    assert_eq!(
        app.world().resource::<Dock>().lens.len(),
        m.config.n_layer,
        "the signs' lines follow the lens"
    );
    assert_eq!(count::<Crate>(&mut app), n + 1);
    assert!(
        app.world().resource::<Playback>().progress < 0.0,
        "the new crate rides back first"
    );
    // ... and stops at the receiving dock ("step" was pressed once)
    set_clock(&mut app, FRAME);
    app.world_mut().resource_mut::<Playback>().speed = 40.0;
    update_until(&mut app, "the ride back to the receiving dock", |w| {
        !w.resource::<Playback>().playing
    });
    let pb = app.world().resource::<Playback>().clone();
    assert!(!pb.playing && pb.progress == 0.0, "{pb:?}");
    // "generate 2": each new crate rides the whole hall before the next is drawn
    let last = last_station(&app);
    app.world_mut().resource_mut::<Playback>().generate(2);
    let mut version = app.world().resource::<Floor>().version;
    let mut rode = Vec::new();
    let mut furthest = f32::MIN;
    let start = Instant::now();
    loop {
        app.update();
        let (v, len) = {
            let f = app.world().resource::<Floor>();
            (f.version, f.history.len())
        };
        if v != version {
            rode.push(furthest);
            furthest = f32::MIN;
            version = v;
        }
        furthest = furthest.max(app.world().resource::<Playback>().progress);
        let pb = app.world().resource::<Playback>();
        if len == n + 3 && !pb.playing && !app.world().resource::<Pending>().busy() {
            break;
        }
        assert!(
            start.elapsed() < STUCK,
            "two tokens were not generated in {STUCK:?}: {len} tokens, rode {rode:?}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(app.world().resource::<Floor>().history.len(), n + 3);
    assert_eq!(rode.len(), 2, "two tokens appended");
    assert!(
        rode.iter().all(|&p| p >= last),
        "every crate reached the shipping dock first: {rode:?}"
    );
    let pb = app.world().resource::<Playback>();
    assert_eq!(
        pb.progress, last,
        "the last crate rode to the shipping dock and waits there"
    );
}

#[test]
fn a_bad_prompt_is_reported_and_the_floor_stays() {
    let m = model();
    let mut app = headless(m);
    run_prompt(&mut app, PROMPT);
    let before = app.world().resource::<Floor>().history.clone();
    app.world_mut().write_message(Request::Prompt("   ".into()));
    settle(&mut app);
    let floor = app.world().resource::<Floor>();
    let error = floor.error.as_ref().expect("the empty prompt is reported");
    assert!(error.to_string().contains("empty"), "{error}");
    assert!(
        error.is_prompt(),
        "an empty prompt is the prompt's fault, not the model's"
    );
    assert_eq!(floor.history, before);
    // a good prompt afterwards clears the error
    app.world_mut()
        .write_message(Request::Prompt("To be".into()));
    settle(&mut app);
    assert!(app.world().resource::<Floor>().error.is_none());
}

/// A patching grid's cell on the floor (what a click on the A/B window's grid sends): B's prompt
/// runs with A's activation put in (the same numbers as a direct patched trace, not B's own), no
/// head parts are computed for it, a generated token keeps the patch, and a new prompt ends it.
#[test]
fn a_patched_run_on_the_floor_holds_until_a_new_prompt() {
    use factory::model::patch::{PatchSpec, Site};
    use factory::playback::attribution::HeadAttribution;
    let m = model();
    let mut app = headless(m.clone());
    // every job finishes in the frame that starts it (the head parts among them)
    app.insert_resource(factory::inference::Blocking);
    let (a_text, b_text) = (
        "The king said to the queen that",
        "The cat said to the queen that",
    );
    let a = m.tokenizer.encode(a_text).unwrap();
    let b = m.tokenizer.encode(b_text).unwrap();
    assert_eq!(a.len(), b.len(), "{a:?} {b:?}");
    run_prompt(&mut app, a_text);
    app.update();
    let floor = app.world().resource::<Floor>();
    assert!(
        app.world()
            .resource::<HeadAttribution>()
            .of(floor)
            .is_some()
    );
    let spec = PatchSpec {
        clean: a.clone(),
        site: Site::ResidPre,
        layer: 2,
        index: 1,
    };
    app.world_mut()
        .write_message(Request::Prompt(b_text.into()));
    app.world_mut()
        .write_message(Request::Patch(Some(spec.clone())));
    settle(&mut app);
    app.update();
    let direct = |ids: &[u32]| {
        let splice = spec.splice(&m.gpt, &Default::default()).unwrap();
        let mut cache = KvCache::new().with_splice(Some(splice));
        m.gpt.trace(ids, &mut cache).unwrap().logits
    };
    let plain = m.gpt.trace(&b, &mut KvCache::new()).unwrap().logits;
    let floor = app.world().resource::<Floor>();
    assert_eq!(floor.history.ids, b);
    assert_eq!(floor.patch.as_ref(), Some(&spec));
    assert_eq!(floor.history.logits, direct(&b));
    assert_ne!(floor.history.logits, plain, "the patch changed B's guess");
    assert!(
        app.world()
            .resource::<HeadAttribution>()
            .of(floor)
            .is_none(),
        "no head parts for a patched floor"
    );
    // a generated token: the cache keeps the patch
    app.world_mut().write_message(Request::Append(b[1]));
    settle(&mut app);
    let floor = app.world().resource::<Floor>();
    let mut longer = b.clone();
    longer.push(b[1]);
    assert_eq!(floor.history.ids, longer);
    assert_eq!(floor.patch.as_ref(), Some(&spec));
    let got = &floor.history.logits;
    let want = direct(&longer);
    assert!(got.iter().zip(&want).all(|(g, w)| (g - w).abs() < 1e-4));
    // a new prompt that fails (empty) ends the patch all the same: the floor stays, and the next
    // token runs it again unpatched, labelled so (not a patched cache labelled unpatched)
    app.world_mut()
        .write_message(Request::Prompt(String::new()));
    settle(&mut app);
    assert!(app.world().resource::<Floor>().error.is_some());
    app.world_mut().write_message(Request::Append(b[2]));
    settle(&mut app);
    let floor = app.world().resource::<Floor>();
    longer.push(b[2]);
    assert_eq!(floor.history.ids, longer);
    assert_eq!(floor.patch, None);
    let plain = m.gpt.trace(&longer, &mut KvCache::new()).unwrap().logits;
    let near = |got: &[f32], want: &[f32]| got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-4);
    assert!(near(&floor.history.logits, &plain));
    // Back to A: a new prompt, unpatched
    run_prompt(&mut app, a_text);
    let floor = app.world().resource::<Floor>();
    assert_eq!(floor.patch, None);
    assert_eq!(floor.history.ids, a);
    let plain = m.gpt.trace(&a, &mut KvCache::new()).unwrap().logits;
    assert!(near(&floor.history.logits, &plain));
}

/// Switching parts off from the app: the floor's tokens run again with the ablations (the same
/// numbers as a direct ablated trace), the dock keeps each candidate's probability with nothing
/// off (before → after), a generated token through the cache equals an ablated recompute, and the
/// logit-lens signs show each layer's raw guesses once the crates pass it.
#[test]
fn ablations_from_the_app_rerun_the_floor() {
    use factory::model::sample::candidates;
    use factory::model::{Ablation, Ablations};
    use factory::playback::Sampling;
    use factory::scene::WorldLabel;
    use factory::scene::parts::LensSign;
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, PROMPT);
    let ids = app.world().resource::<Floor>().history.ids.clone();
    let abl = Ablations::new([Ablation::Head(0, 1), Ablation::Mlp(2)], &m.config).unwrap();
    app.world_mut().write_message(Request::Ablate(abl.clone()));
    settle(&mut app);
    let floor = app.world().resource::<Floor>();
    assert_eq!(floor.ablations, abl);
    assert_eq!(floor.history.ids, ids, "the same tokens ran again");
    // the hall's switches: one per head, one per FFN and one for the positions (at the stamp),
    // leaning back (off) exactly where a part is off
    // a lever leans back (its top toward the hall's start) while its part is off
    let switches: Vec<(Ablation, f32)> = app
        .world_mut()
        .query::<(&factory::scene::Switch, &Transform)>()
        .iter(app.world())
        .map(|(s, t)| (s.0, (t.rotation * Vec3::Y).x))
        .collect();
    let floor = app.world().resource::<Floor>();
    assert_eq!(
        switches.len(),
        m.config.n_layer * (m.config.n_head + 1) + 1,
        "a switch per head and per FFN, and one for the positions"
    );
    assert!(switches.iter().any(|s| s.0 == Ablation::Positions));
    for (a, lean) in &switches {
        assert_eq!(abl.contains(*a), *lean < -0.3, "{a}: leans {lean}");
    }
    let direct = m
        .gpt
        .trace(&ids, &mut KvCache::with_ablations(abl.clone()))
        .unwrap();
    assert_eq!(floor.history.logits, direct.logits);
    // the baseline is the model's plain next-token logits (one run, nothing switched off)
    let plain = m.gpt.next_logits(&ids, &mut KvCache::new()).unwrap();
    assert_eq!(floor.baseline_logits.as_deref(), Some(&plain[..]));
    // the dock: after = the ablated candidates, before = the same settings on the plain logits
    let end = last_station(&app);
    app.world_mut().resource_mut::<Playback>().progress = end;
    app.update();
    let params = app.world().resource::<Sampling>().params();
    let dock = app.world().resource::<Dock>().clone();
    let after = candidates(&direct.logits, &params);
    let before = candidates(&plain, &params);
    assert_eq!(dock.candidates[0], after[0]);
    for (c, b) in dock.candidates.iter().zip(&dock.before) {
        let want = before.iter().find(|x| x.id == c.id).map_or(0.0, |x| x.prob);
        assert_eq!(*b, want);
    }
    // the lens signs: one per layer, each the traced lens of the last token
    let mut signs: Vec<(usize, String)> = app
        .world_mut()
        .query::<(&LensSign, &WorldLabel)>()
        .iter(app.world())
        .map(|(s, l)| (s.layer, l.text.clone()))
        .collect();
    signs.sort();
    assert_eq!(signs.len(), m.config.n_layer);
    for (layer, text) in &signs {
        let top = direct.layers[*layer].lens[0];
        let piece = factory::model::tokenizer::shown_token(&m.tokenizer.token_text(top.id), top.id);
        assert!(
            text.contains(&format!("{piece} {:.0}%", top.prob * 100.0)),
            "layer {layer}: {text}"
        );
    }
    // one generated token with the cache equals an ablated recompute of all tokens
    app.world_mut().resource_mut::<Playback>().playing = false;
    step_to_the_next_token(&mut app);
    let floor = app.world().resource::<Floor>();
    assert_eq!(floor.history.len(), ids.len() + 1);
    let all = floor.history.ids.clone();
    let recompute = m
        .gpt
        .trace(&all, &mut KvCache::with_ablations(abl))
        .unwrap();
    let diff = floor
        .history
        .logits
        .iter()
        .zip(&recompute.logits)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        diff < 1e-4,
        "cached ablated step differs from a recompute by {diff}"
    );
}

/// The heatmap's pixels are the traced weights on the one colour scale (rows = query, columns =
/// key), and every future key (masked) is the same grey.
#[test]
fn heatmap_cells_are_the_traced_weights() {
    use factory::rooms::overview::{HeadTile, OVERVIEW_CENTRE};
    use factory::scene::beams::ViewFocus;
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, PROMPT);
    // the layer overview is not built while the camera looks elsewhere
    assert_eq!(count::<HeadTile>(&mut app), 0);
    app.world_mut().resource_mut::<ViewFocus>().0 = Some(OVERVIEW_CENTRE);
    app.update();
    app.update();
    assert_eq!(
        count::<HeadTile>(&mut app),
        m.config.n_layer * m.config.n_head,
        "a window per head"
    );
    let windows: Vec<HeadTile> = app
        .world_mut()
        .query::<&HeadTile>()
        .iter(app.world())
        .cloned()
        .collect();
    let floor = app.world().resource::<Floor>();
    let ids = floor.history.ids.clone();
    let n = ids.len();
    let tr = m.gpt.trace(&ids, &mut KvCache::new()).unwrap();
    for (layer, head) in [(0, 0), (m.config.n_layer - 1, m.config.n_head - 1)] {
        let px = factory::scene::attention_map::head_pixels(&floor.history, layer, head);
        // the overview's window of this head shows the same picture (a short prompt: a pixel a pair)
        let window = windows
            .iter()
            .find(|w| (w.layer, w.head) == (layer, head))
            .expect("the head has a window");
        let images = app.world().resource::<Assets<Image>>();
        let shown = images.get(&window.image).expect("its picture");
        assert_eq!(
            shown.data.as_deref(),
            Some(&px[..]),
            "window ({layer}, {head})"
        );
        assert_eq!(px.len(), n * n * 4);
        let masked = &px[4..8]; // query 0 never reads key 1
        for q in 0..n {
            for k in 0..n {
                let cell = &px[(q * n + k) * 4..(q * n + k) * 4 + 4];
                if k > q {
                    assert_eq!(cell, masked, "({q}, {k}) is in the future");
                } else {
                    let w = tr.layers[layer].attention.at(&[head, q, k]);
                    // attention's violet, brightness = √weight (the documented rule, written here)
                    let want = documented_weight_colour(w as f64);
                    assert!(
                        (0..3).all(|c| (cell[c] as f64 - want[c]).abs() <= 1.0) && cell[3] == 255,
                        "({q}, {k}) weight {w}: {cell:?} vs {want:?}"
                    );
                }
            }
        }
        let dark = documented_weight_colour(0.0);
        assert!(
            (0..3).any(|c| (masked[c] as f64 - dark[c]).abs() > 1.0),
            "masked {masked:?} differs from a 0 weight {dark:?}"
        );
    }
}

/// The kiosk's word filter: a generated token that would spell a blocked word is masked (drawn
/// again without it) and the factory says so. Here the blocked word is the one the model would
/// take at temperature 0, found from a direct trace.
#[test]
fn the_word_filter_masks_a_blocked_token() {
    use factory::model::SamplingParams;
    use factory::playback::Sampling;
    use factory::playback::filter::WordFilter;
    let m = model();
    let prompt = "The king said to the";
    let ids = m.tokenizer.encode(prompt).unwrap();
    let tr = m.gpt.trace(&ids, &mut KvCache::new()).unwrap();
    let top = (0..tr.logits.len())
        .max_by(|&a, &b| tr.logits[a].total_cmp(&tr.logits[b]))
        .unwrap() as u32;
    let word = m.tokenizer.token_text(top);
    assert!(word.trim().chars().all(char::is_alphabetic), "{word:?}");
    // temperature 0: the most likely token, unless the filter masks it
    let greedy = |app: &mut App| {
        let params = SamplingParams {
            temperature: 0.0,
            top_k: None,
            top_p: 1.0,
            seed: 1,
        };
        app.world_mut()
            .resource_mut::<Sampling>()
            .set(params)
            .unwrap();
    };
    let mut app = headless(m.clone());
    app.insert_resource(WordFilter::new([word.trim()]));
    greedy(&mut app);
    run_prompt(&mut app, prompt);
    step_to_the_next_token(&mut app);
    let floor = app.world().resource::<Floor>();
    let (sampled, _) = floor.last_sample.clone().expect("a token was drawn");
    assert_ne!(sampled, top, "the blocked word {word:?} was written");
    assert!(
        floor
            .notice
            .as_deref()
            .unwrap_or("")
            .contains("word filter"),
        "{:?}",
        floor.notice
    );
    // without the filter, the same settings write it
    let mut plain = headless(m.clone());
    greedy(&mut plain);
    run_prompt(&mut plain, prompt);
    step_to_the_next_token(&mut plain);
    assert_eq!(
        plain
            .world()
            .resource::<Floor>()
            .last_sample
            .as_ref()
            .unwrap()
            .0,
        top
    );
}

/// The dock's arithmetic, as the inspector explains it, uses the model's own numbers: each shown
/// bar is exp((logit − max) / T) over the sum for the kept tokens, the logits are a direct trace's,
/// top-k kept K, and top-p kept the smallest prefix whose mass (before renormalising) reaches p.
#[test]
fn the_dock_explains_its_bars_with_the_models_numbers() {
    use factory::model::SamplingParams;
    use factory::playback::Sampling;
    let m = model();
    let mut app = headless(m.clone());
    let params = SamplingParams {
        temperature: 0.7,
        top_k: Some(30),
        top_p: 0.8,
        seed: 3,
    };
    app.world_mut()
        .resource_mut::<Sampling>()
        .set(params)
        .unwrap();
    run_prompt(&mut app, PROMPT);
    let ids = app.world().resource::<Floor>().history.ids.clone();
    let logits = m.gpt.trace(&ids, &mut KvCache::new()).unwrap().logits;
    let dock = app.world().resource::<Dock>().clone();
    let f = dock.filtering.clone().expect("operands");
    let max = logits.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    assert_eq!(f.max_logit, max);
    assert_eq!(f.after_top_k, 30);
    assert_eq!(f.vocab, m.config.vocab_size);
    // the kept set: the `kept` highest logits; its mass among the top 30 reaches 0.8, one fewer not
    let mut order: Vec<usize> = (0..logits.len()).collect();
    order.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]));
    let t = params.temperature as f64;
    let w = |i: usize| ((logits[i] as f64 - max as f64) / t).exp();
    let top30: f64 = order[..30].iter().map(|&i| w(i)).sum();
    let mass = |n: usize| order[..n].iter().map(|&i| w(i)).sum::<f64>() / top30;
    assert!(
        mass(f.kept) >= 0.8 - 1e-9 && mass(f.kept - 1) < 0.8,
        "kept {}",
        f.kept
    );
    let kept_sum: f64 = order[..f.kept].iter().map(|&i| w(i)).sum();
    assert!((f.kept_sum - kept_sum).abs() < 1e-9 * kept_sum);
    for (c, &l) in dock.candidates.iter().zip(&dock.logits) {
        assert_eq!(l, logits[c.id as usize]);
        let p = ((l as f64 - max as f64) / t).exp() / kept_sum;
        assert!((c.prob as f64 - p).abs() < 1e-6, "{} vs {p}", c.prob);
    }
}

/// The panel's model picker sends `Request::Model`: the new model is opened off the main thread,
/// the same prompt runs on it, the floor is rebuilt for its shape, and the dock's labels show an id
/// its tokenizer has no text for as `[id N]` (the new model is made so that one such id is its top
/// guess). A broken folder keeps the old model and says why.
#[test]
fn switching_the_model_reruns_the_prompt_on_the_new_one() {
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, PROMPT);
    let dir = tempfile::tempdir().unwrap();
    // 3 layers × 2 heads, a vocabulary 3 ids larger than its tokenizer's: the last 3 ids are padding
    let (d, mut w) = common::write_model(dir.path(), 3, common::Naming::Plain, false);
    let (_, tokenizer_vocab) = common::tokenizer_json(300);
    assert!(tokenizer_vocab < d.vocab_size, "the model has padded ids");
    let padded = d.vocab_size - 1;
    // make the padded id the top guess for the prompt: its row of wte (tied: its row of the
    // unembedding; no prompt token is padding, so the forward pass is unchanged) becomes the top
    // token's row, scaled so that its logit passes the top one (found by the f64 reference)
    let prompt_ids = LoadedModel::open(dir.path())
        .unwrap()
        .tokenizer
        .encode(PROMPT)
        .unwrap();
    assert!(prompt_ids.len() <= d.n_positions, "{prompt_ids:?}");
    let argmax = |logits: &[f64]| {
        (0..logits.len())
            .max_by(|&a, &b| logits[a].total_cmp(&logits[b]))
            .unwrap()
    };
    let logits = common::Reference { d, w: &w }.run(&prompt_ids).logits;
    let top = argmax(&logits);
    let stretch = if logits[top] > 0.0 { 1.5 } else { 0.5 };
    let c = d.n_embd;
    let wte = &mut w.get_mut("wte.weight").unwrap().1;
    let row: Vec<f32> = wte[top * c..(top + 1) * c]
        .iter()
        .map(|x| x * stretch)
        .collect();
    wte[padded * c..(padded + 1) * c].copy_from_slice(&row);
    common::write_weights(
        &dir.path().join("model.safetensors"),
        &w,
        common::Naming::Plain,
    );
    let logits = common::Reference { d, w: &w }.run(&prompt_ids).logits;
    assert_eq!(argmax(&logits), padded, "the padded id is the top guess");
    app.world_mut()
        .write_message(Request::Model(dir.path().to_owned()));
    update_until(&mut app, "the new model's floor", |w| {
        w.resource::<Engine>().0.config.n_layer == d.n_layer && !w.resource::<Pending>().busy()
    });
    app.update();
    let engine = app.world().resource::<Engine>().0.clone();
    assert_eq!(engine.config.n_layer, d.n_layer);
    let floor = app.world().resource::<Floor>();
    assert!(floor.error.is_none(), "{:?}", floor.error);
    assert_eq!(floor.history.layers.len(), d.n_layer);
    // the same prompt, now in the new model's tokens, with the new model's numbers
    let ids = engine.tokenizer.encode(PROMPT).unwrap();
    assert_eq!(floor.history.ids, ids);
    let direct = engine.gpt.trace(&ids, &mut KvCache::new()).unwrap();
    assert_eq!(floor.history.logits, direct.logits);
    assert!(
        (floor.history.logits[padded] as f64 - logits[padded]).abs() < 1e-3,
        "the padded id's logit: {} vs {}",
        floor.history.logits[padded],
        logits[padded]
    );
    app.update();
    assert_eq!(count::<Booth>(&mut app), d.n_layer * d.n_head);
    // every candidate is labelled, padded ids (those past the tokenizer's) by their number; the
    // top one is padding
    let dock = app.world().resource::<factory::playback::Dock>().clone();
    assert_eq!(dock.labels.len(), dock.candidates.len());
    assert_eq!(
        dock.candidates.first().map(|c| c.id as usize),
        Some(padded),
        "the padded id leads the dock"
    );
    for (c, label) in dock.candidates.iter().zip(&dock.labels) {
        assert!(!label.is_empty(), "candidate {} has no label", c.id);
        let is_padding = c.id as usize >= tokenizer_vocab;
        assert_eq!(
            label == &format!("[id {}]", c.id),
            is_padding,
            "candidate {}: {label:?}",
            c.id
        );
    }
    // a broken folder: the error is the model's, and the model in use stays
    app.world_mut()
        .write_message(Request::Model(dir.path().join("missing")));
    settle(&mut app);
    let floor = app.world().resource::<Floor>();
    let error = floor
        .error
        .as_ref()
        .expect("a missing model folder is reported");
    assert!(
        !error.is_prompt() && error.to_string().contains("missing"),
        "{error}"
    );
    assert_eq!(app.world().resource::<Engine>().0.config.n_layer, d.n_layer);
}

/// The soak's name: it runs again, alone, in a process of its own.
const SOAK: &str = "kiosk_soak_many_attract_cycles_with_random_input";

/// Set in the soak's own process.
const SOAK_PROCESS: &str = "FACTORY_SOAK_PROCESS";

/// Many attract cycles with random simulated visitors: no panic, bounded floor, flat memory.
///
/// The soak runs in a process of its own (this test binary again, with this test alone), so the
/// memory it measures is its own and not that of the tests running beside it, on the allocator
/// the factory binary ships (jemalloc) with the binary's settings (`src/main.rs`, handed over in
/// jemalloc's environment variable and checked there; see `tests/common/memory.rs`).
/// Longer: `FACTORY_SOAK_FRAMES=200000 cargo test --release --test scene kiosk_soak -- --nocapture`.
#[test]
fn kiosk_soak_many_attract_cycles_with_random_input() {
    if std::env::var_os(SOAK_PROCESS).is_some() {
        kiosk_soak();
        return;
    }
    let conf = memory::shipped_malloc_conf();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([SOAK, "--exact", "--nocapture", "--test-threads=1"])
        .env(SOAK_PROCESS, "1")
        .env(memory::CONF_ENV, &conf)
        .output()
        .expect("the test binary runs again for the soak");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "the soak failed in its own process ({})",
        out.status
    );
    assert!(
        stdout.contains("1 passed"),
        "the soak did not run in its own process"
    );
}

/// The soak itself, in its own process (see above).
fn kiosk_soak() {
    use bevy::input::InputPlugin;
    use bevy::input::mouse::MouseMotion;
    use factory::kiosk::{Kiosk, KioskConfig, Mode};
    use rand::{Rng, SeedableRng};

    let conf = std::env::var(memory::CONF_ENV)
        .expect("the soak's process is given the binary's allocator settings");
    let allocator = memory::check_jemalloc_settings(&conf);
    let m = model();
    let dir = tempfile::tempdir().unwrap();
    let tour = dir.path().join("tour.ron");
    std::fs::write(
        &tour,
        r#"Tour(title: "soak", stops: [
            Stop(title: "a", text: "b", station: Dock, seconds: 1.0, actions: [Prompt("x"), ShowUpTo(Dock)]),
            Stop(title: "c", text: "d", station: Shipping, seconds: 1.0, actions: [ShowUpTo(Shipping), Generate(2)]),
        ])"#,
    )
    .unwrap();
    let cfg = KioskConfig {
        idle_seconds: 5.0,
        tour: tour.clone(),
        ..KioskConfig::default()
    };
    cfg.check().unwrap();
    let kiosk = Kiosk::new(cfg).unwrap();
    let mut app = headless(m.clone());
    // the model's runs finish within the frame that starts them (as when recording), so that the
    // two windows compare the same states however loaded the machine is (without it, a starved task
    // pool left the first window without a floor)
    app.add_plugins(InputPlugin)
        .add_plugins(factory::kiosk::plugin)
        .insert_resource(kiosk)
        .insert_resource(factory::inference::Blocking);
    set_clock(&mut app, Duration::from_millis(200));
    {
        let mut player = app.world_mut().resource_mut::<factory::tour::TourPlayer>();
        factory::tour::load_into(&mut player, &tour, &m, factory::i18n::Lang::En);
        assert!(player.error.is_none(), "{:?}", player.error);
    }
    let frames: usize = std::env::var("FACTORY_SOAK_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6000);
    // memory is compared between two windows of frames: one after a fifth of the run (every
    // prompt has run many times by then) and the last. In each, the least the program held after
    // a frame and the least resident set (moments with the floor standing and no model run under
    // way: a run's tensors come and go, and the allocator hands freed pages back on its own clock)
    let window = (frames / 5).min(300);
    let first = frames / 5..frames / 5 + window;
    let last = frames - window..frames;
    let (mut held0, mut held1) = (isize::MAX, isize::MAX);
    let (mut rss0, mut rss1) = (u64::MAX, u64::MAX);
    let mut ents0 = None;
    let mut rng = rand::rngs::StdRng::seed_from_u64(9);
    let keys = [
        KeyCode::KeyA,
        KeyCode::Space,
        KeyCode::Escape,
        KeyCode::KeyT,
        KeyCode::Digit3,
    ];
    let mut handbacks = 0;
    for frame in 0..frames {
        // now and then a visitor: a key, a click or a mouse move; sometimes a long absence
        let visitor = (frame / 300) % 3 == 0;
        if visitor && rng.random_bool(0.05) {
            match rng.random_range(0..3) {
                0 => app
                    .world_mut()
                    .resource_mut::<ButtonInput<KeyCode>>()
                    .press(keys[rng.random_range(0..keys.len())]),
                1 => app
                    .world_mut()
                    .resource_mut::<ButtonInput<MouseButton>>()
                    .press(MouseButton::Left),
                _ => {
                    app.world_mut().write_message(MouseMotion {
                        delta: Vec2::new(3.0, -2.0),
                    });
                }
            }
        }
        let before = app.world().resource::<Kiosk>().mode;
        app.update();
        if before == Mode::Attract && app.world().resource::<Kiosk>().mode == Mode::Visitor {
            handbacks += 1;
        }
        app.world_mut()
            .resource_mut::<ButtonInput<KeyCode>>()
            .release_all();
        app.world_mut()
            .resource_mut::<ButtonInput<MouseButton>>()
            .release_all();
        let floor = app.world().resource::<Floor>();
        assert!(floor.history.len() <= m.config.n_positions);
        if first.contains(&frame) {
            held0 = held0.min(memory::held_bytes());
            rss0 = rss0.min(memory::rss_kib());
        }
        if last.contains(&frame) {
            held1 = held1.min(memory::held_bytes());
            rss1 = rss1.min(memory::rss_kib());
        }
        if frame + 1 == first.end {
            ents0 = Some(app.world().entities().len());
        }
    }
    let cycles = app.world().resource::<Kiosk>().cycles;
    let ents0 = ents0.expect("the run reached its first window");
    let ents1 = app.world().entities().len();
    let growth = held1 - held0;
    println!(
        "{frames} frames ({allocator}): {cycles} attract cycles, {handbacks} hand-backs, \
         held {held0} -> {held1} bytes ({growth:+}), RSS {rss0} -> {rss1} KiB, \
         entities {ents0} -> {ents1}"
    );
    assert!(cycles >= 50, "only {cycles} attract cycles");
    assert!(handbacks >= 3, "visitors never took over ({handbacks})");
    // A leak grows with the run: a floor's numbers (hundreds of KB) kept at every attract cycle
    // (hundreds of them), or a mesh, an image or a string at every frame (thousands). Without one
    // the program holds what it held (the README: the same bytes at both windows, resident memory
    // 109.2 -> 109.3 MB over the default run on 2026-12-05). The bytes held are exact (no
    // allocator keeps or returns pages in them): 1 MiB is a leak of about 200 bytes a frame or 3 KB
    // an attract cycle over the default run.
    let frames_between = (last.end - first.end).max(1);
    assert!(
        growth < 1 << 20,
        "the program held {growth} bytes more at the end ({held0} -> {held1}): about {} bytes a \
         frame over {frames_between} frames",
        growth / frames_between as isize
    );
    // The resident set, on the allocator settings the binary ships: a leak the count above
    // cannot see (memory held outside Rust's heap, the allocator's own growth) shows here. 8 MiB
    // is four 2 MiB huge pages, against the README's 0.1 MB for this soak (and 23 MB for the
    // windowed kiosk, renderer and all, over half an hour).
    assert!(
        rss1 < rss0 + 8 * 1024,
        "resident memory grew from {rss0} to {rss1} KiB (held bytes {held0} -> {held1})"
    );
    assert!(
        ents1 < ents0 * 2 + 200,
        "entities grew from {ents0} to {ents1}"
    );
}

/// The labels that matter stay, measured as drawn: with the prompt's crates at each station in
/// turn, seen from that station's view (1280 × 720, Bevy's default perspective, the slim bar's
/// 64 points at the top), every label is laid out by egui's own fonts exactly as the overlay lays
/// it out (no estimate), and then: the station's own sign is drawn, whole, on its plaque, inside
/// the part of the window no panel covers, at least 14 points tall; at most four signs; no two
/// drawn labels overlap; and every crate's label that is on screen and large enough to read is
/// drawn. In both languages (German signs are longer).
#[test]
fn labels_never_overlap_and_each_station_sign_is_readable() {
    use bevy_egui::egui;
    use factory::camera::station_view;
    use factory::scene::WorldLabel;
    use factory::ui::labels::{self as labels, View};
    let m = model();
    let mut app = headless(m.clone());
    app.add_plugins(bevy::transform::TransformPlugin);
    run_prompt(&mut app, PROMPT);
    let layout = app.world().resource::<CurrentLayout>().0.clone();
    let screen = Rect::new(0.0, 0.0, 1280.0, 720.0);
    let free = Rect::new(0.0, 64.0, 1280.0, 720.0);
    let proj = Mat4::perspective_infinite_reverse_rh(std::f32::consts::FRAC_PI_4, 16.0 / 9.0, 0.1);
    let ctx = egui::Context::default();
    for lang in factory::i18n::Lang::ALL {
        *app.world_mut().resource_mut::<factory::i18n::Lang>() = lang;
        for (index, station) in layout.stations.iter().enumerate() {
            app.world_mut().resource_mut::<Playback>().progress = index as f32;
            app.update();
            let found: Vec<(WorldLabel, Vec3, bool)> = app
                .world_mut()
                .query::<(&WorldLabel, &GlobalTransform, Option<&Crate>)>()
                .iter(app.world())
                .filter(|(l, _, _)| !l.text.is_empty())
                .map(|(l, t, c)| (l.clone(), t.translation() + Vec3::Y * l.lift, c.is_some()))
                .collect();
            let cam = station_view(&layout, index).transform();
            let view = View {
                clip_from_world: proj * cam.to_matrix().inverse(),
                rect: screen,
                eye: cam.translation,
                free,
                avoid: Vec::new(),
            };
            // egui's fonts lay the text out as the overlay does (no renderer needed)
            let mut laid = Vec::new();
            let mut texts = Vec::new();
            let _ = ctx.run_ui(egui::RawInput::default(), |ui| {
                let painter = ui.ctx().layer_painter(egui::LayerId::background());
                for (label, at, is_crate) in &found {
                    let l =
                        labels::lay_out(&painter, &view, label, (*at, label.text.clone()), false);
                    if let Some(l) = l {
                        laid.push(l);
                        texts.push((label.text.clone(), *is_crate));
                    }
                }
            });
            let drawn = labels::chosen(&laid);
            // a booth's sign carries its head's role (the default model ships its heads.json)
            let roles = app
                .world()
                .resource::<factory::playback::roles::HeadRoles>();
            assert_eq!(
                roles.roles.len(),
                24,
                "the default model's head roles are read"
            );
            let sign = match station.kind {
                factory::scene::layout::StationKind::Booth(l, h) if roles.of(l, h).is_some() => {
                    station
                        .kind
                        .sign_with_role(lang, index + 1, roles.of(l, h).unwrap())
                }
                kind => kind.sign(lang, index + 1),
            };
            let own = (0..laid.len()).find(|&i| texts[i].0 == sign);
            assert!(
                own.is_some_and(|i| drawn.contains(&i)),
                "station {index}: its sign {sign:?} is not drawn ({} of {} labels drawn; laid out: {})",
                drawn.len(),
                laid.len(),
                own.is_some()
            );
            let signs: Vec<usize> = drawn.iter().copied().filter(|&i| laid[i].sign).collect();
            assert!(
                signs.len() <= labels::MAX_SIGNS,
                "station {index}: too many signs"
            );
            for &i in &signs {
                let r = laid[i].candidate.rect;
                assert!(
                    free.contains(r.min) && free.contains(r.max),
                    "station {index}: sign {:?} cut by an edge or a panel: {r:?}",
                    texts[i].0
                );
                assert!(
                    laid[i].galley.size().y >= labels::MIN_SIGN,
                    "{:?}",
                    texts[i].0
                );
                // the plaque holds the text as egui laid it out, with its margin all round
                let g = laid[i].galley.size();
                assert!((r.width() - g.x - 2.0 * labels::PLAQUE_PAD).abs() < 0.01);
                assert!((r.height() - g.y - 2.0 * labels::PLAQUE_PAD).abs() < 0.01);
            }
            for (a, &i) in drawn.iter().enumerate() {
                for &j in &drawn[a + 1..] {
                    let (ri, rj) = (laid[i].candidate.rect, laid[j].candidate.rect);
                    assert!(
                        ri.intersect(rj).is_empty(),
                        "station {index}: {:?} and {:?} overlap",
                        texts[i].0,
                        texts[j].0
                    );
                }
            }
            let crates: Vec<usize> = (0..laid.len()).filter(|&i| texts[i].1).collect();
            let hidden: Vec<&str> = crates
                .iter()
                .filter(|i| !drawn.contains(i))
                .map(|&i| texts[i].0.as_str())
                .collect();
            assert!(
                !crates.is_empty() && hidden.is_empty(),
                "station {index}: crate labels hidden: {hidden:?} of {}",
                crates.len()
            );
        }
    }
}

/// The default model's app with the prompt on the floor and the embedding room's map made.
fn app_with_rooms() -> (Arc<LoadedModel>, App) {
    use factory::rooms::embedding::EmbeddingRoom;
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, PROMPT);
    update_until(&mut app, "the embedding map", |w| {
        w.resource::<EmbeddingRoom>().finished()
    });
    (m, app)
}

/// The rooms: the embedding room's cloud has a point per vocabulary row, the floor's tokens are
/// marked where the map puts them, a picked token's neighbour markers are the rows with the highest
/// cosine (computed here in f64); the scale room's blocks have volumes in proportion to the
/// parameter counts, this model's from its config.
#[test]
fn rooms_show_the_models_own_numbers() {
    use factory::rooms::embedding::{EmbeddingRoom, Marker, MarkerKind};
    use factory::rooms::scale::ScaleBlock;
    let (m, mut app) = app_with_rooms();
    app.update();
    let room = app.world().resource::<EmbeddingRoom>();
    let map = room.map.clone().expect("the map was made");
    let vocab = m.config.vocab_size;
    assert_eq!(map.map.coords.len(), vocab);
    let mesh = app
        .world_mut()
        .query::<(&Name, &Mesh3d)>()
        .iter(app.world())
        .find(|(n, _)| n.as_str() == "Embedding room")
        .map(|(_, h)| h.0.clone())
        .expect("the cloud");
    let points = app
        .world()
        .resource::<Assets<Mesh>>()
        .get(&mesh)
        .unwrap()
        .count_vertices();
    assert_eq!(points, 6 * vocab);
    let ids = app.world().resource::<Floor>().history.ids.clone();
    let mut distinct = ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let markers: Vec<(Marker, Vec3)> = app
        .world_mut()
        .query::<(&Marker, &Transform)>()
        .iter(app.world())
        .map(|(mk, t)| (mk.clone(), t.translation))
        .collect();
    assert_eq!(markers.len(), distinct.len());
    for (mk, at) in &markers {
        assert_eq!(mk.kind, MarkerKind::Floor);
        let id = mk.id.unwrap();
        assert!(ids.contains(&id));
        assert!(at.distance(map.world(id)) < 1e-4);
    }
    // pick " king": its neighbours, by an f64 cosine over the model's rows
    let king = m.tokenizer.encode(" king").unwrap()[0];
    app.world_mut()
        .resource_mut::<EmbeddingRoom>()
        .pick(Some(king));
    app.update();
    app.update();
    let rows = &map.rows;
    let c = rows.width;
    let row = |i: usize| -> Vec<f64> {
        rows.rows[i * c..(i + 1) * c]
            .iter()
            .map(|&x| x as f64)
            .collect()
    };
    let k = row(king as usize);
    let norm = |x: &[f64]| x.iter().map(|a| a * a).sum::<f64>().sqrt();
    let mut all: Vec<(u32, f64)> = (0..vocab)
        .filter(|&i| i != king as usize)
        .map(|i| {
            let r = row(i);
            let dot: f64 = r.iter().zip(&k).map(|(a, b)| a * b).sum();
            (i as u32, dot / (norm(&r) * norm(&k)))
        })
        .collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top: Vec<u32> = all.iter().take(8).map(|x| x.0).collect();
    let shown: Vec<Marker> = app
        .world_mut()
        .query::<&Marker>()
        .iter(app.world())
        .cloned()
        .collect();
    assert!(
        shown
            .iter()
            .any(|mk| mk.kind == MarkerKind::Picked && mk.id == Some(king))
    );
    for id in &top {
        // a neighbour that is also on the floor keeps its floor marker
        assert!(
            shown.iter().any(|mk| mk.id == Some(*id)),
            "neighbour {id} not marked"
        );
    }
    let neighbours = shown
        .iter()
        .filter(|mk| mk.kind == MarkerKind::Neighbour)
        .count();
    assert!((1..=8).contains(&neighbours));
    // a crate selected in the hall is picked in the room
    app.world_mut().resource_mut::<Selection>().token = Some(1);
    app.update();
    assert_eq!(app.world().resource::<EmbeddingRoom>().picked, Some(ids[1]));
    // the scale room
    let blocks: Vec<ScaleBlock> = app
        .world_mut()
        .query::<(&ScaleBlock, &Transform)>()
        .iter(app.world())
        .map(|(b, t)| {
            // the block drawn is the side it claims
            assert!((t.scale - Vec3::splat(b.side)).length() < 1e-5);
            b.clone()
        })
        .collect();
    assert_eq!(blocks.len(), 3);
    let ours = blocks.iter().find(|b| b.size.name == "this model").unwrap();
    assert_eq!(ours.size.params, m.config.n_params() as f64);
    assert_eq!(ours.size.layers, m.config.n_layer);
    assert!((ours.side - 1.0).abs() < 1e-6);
    for b in &blocks {
        let ratio = (b.side as f64).powi(3);
        assert!((ratio - b.size.params / ours.size.params).abs() / ratio < 1e-4);
    }
    assert!(
        blocks
            .iter()
            .any(|b| b.size.name == "GPT-3" && b.size.params == 175e9)
    );
}

/// The rooms stand in the yard: hidden while the camera looks at the hall (from its far end the
/// embedding room's cloud hung in the sky, "a rendering glitch"), shown once it looks into the yard.
#[test]
fn the_yards_rooms_hide_while_the_camera_looks_at_the_hall() {
    let (_, mut app) = app_with_rooms();
    // a picked token, so that the room's markers stand too
    app.world_mut().resource_mut::<Selection>().token = Some(1);
    app.update();
    let rooms = |app: &mut App| {
        app.world_mut()
            .query_filtered::<&Visibility, With<factory::rooms::InYard>>()
            .iter(app.world())
            .copied()
            .collect::<Vec<_>>()
    };
    let look_at = |app: &mut App, at: Vec3| {
        app.world_mut()
            .insert_resource(factory::scene::beams::ViewFocus(Some(at)));
        app.update();
    };
    let end = app
        .world()
        .resource::<CurrentLayout>()
        .0
        .stations
        .last()
        .unwrap()
        .x;
    look_at(&mut app, Vec3::new(end, 0.0, 0.0));
    let hidden = rooms(&mut app);
    // (the tower is built when the camera comes near it)
    assert!(
        hidden.len() >= 3,
        "the cloud, its markers, the scale room: {hidden:?}"
    );
    assert!(
        hidden.iter().all(|v| *v == Visibility::Hidden),
        "{hidden:?}"
    );
    look_at(&mut app, factory::rooms::EMBEDDING_CENTRE);
    let shown = rooms(&mut app);
    assert!(
        shown.iter().all(|v| *v == Visibility::Inherited),
        "{shown:?}"
    );
}

/// Writes `ron` as a tour file, loads it into the app's tour player (in English) and starts it;
/// the folder holding the file (kept while the test runs).
fn start_tour(app: &mut App, m: &Arc<LoadedModel>, ron: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.ron");
    std::fs::write(&path, ron).unwrap();
    let mut player = app.world_mut().resource_mut::<factory::tour::TourPlayer>();
    factory::tour::load_into(&mut player, &path, m, factory::i18n::Lang::En);
    assert!(player.tour.is_some(), "{:?}", player.error);
    player.start();
    dir
}

/// A tour stop shows first, then acts: its prompt runs and its crates are placed on arrival, while
/// the temperature it sets waits `act_after` seconds.
#[test]
fn a_tour_stop_shows_then_acts() {
    use factory::playback::Sampling;
    let m = model();
    let mut app = headless(m.clone());
    set_clock(&mut app, Duration::from_millis(100));
    run_prompt(&mut app, PROMPT);
    let _dir = start_tour(
        &mut app,
        &m,
        r#"Tour(title: "t", stops: [
            Stop(title: "a", text: "b", station: Shipping, seconds: 5.0, act_after: 1.0,
                 actions: [ShowUpTo(Shipping), Temperature(1.7)]),
        ])"#,
    );
    let before = app.world().resource::<Sampling>().params().temperature;
    assert_ne!(before, 1.7);
    // 0.5 s in: shown (the crates at the dock), not yet acted
    for _ in 0..5 {
        app.update();
    }
    let last = last_station(&app);
    assert_eq!(app.world().resource::<Playback>().progress, last);
    assert_eq!(
        app.world().resource::<Sampling>().params().temperature,
        before
    );
    // past a second: acted
    for _ in 0..8 {
        app.update();
    }
    assert_eq!(app.world().resource::<Sampling>().params().temperature, 1.7);
}

/// The belt moves while the crates ride and stands still when playback is paused: its slats (one
/// mesh, a slat every 1.5 units along the hall) slide by less than a gap, so none leaves the belt.
#[test]
fn the_belt_moves_while_playing() {
    use factory::scene::BeltSlat;
    let mut app = headless(model());
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
        100,
    )));
    run_prompt(&mut app, PROMPT); // leaves playback paused at the shipping dock
    let at = |app: &mut App| -> (usize, f32) {
        let (slats, t) = app
            .world_mut()
            .query::<(&BeltSlat, &Transform)>()
            .single(app.world())
            .unwrap();
        (slats.0, t.translation.x)
    };
    let (slats, paused) = at(&mut app);
    let length = app.world().resource::<CurrentLayout>().0.length();
    assert!(slats as f32 >= length / 1.5 - 1.0, "{slats} slats");
    app.update();
    assert_eq!(at(&mut app).1, paused, "paused: the belt stands still");
    {
        // the crates ride again from the dock
        let mut pb = app.world_mut().resource_mut::<Playback>();
        pb.progress = 0.0;
        pb.playing = true;
    }
    app.update();
    app.update();
    assert!(app.world().resource::<Playback>().playing);
    let moving = at(&mut app).1;
    assert_ne!(moving, paused, "playing: the belt moves");
    assert!((0.0..1.5).contains(&moving));
    assert!((slats - 1) as f32 * 1.5 + moving <= length);
}

/// Every board cell's formula and a lamp's: the formula, worked from its operands, gives the number
/// the floor shows, and its operands are the model's own (the embedding rows, the LayerNorms' gain
/// and shift and the FFN's weights read here straight from the safetensors file, sums in f64).
#[test]
fn board_cells_and_lamps_explain_themselves_with_the_models_numbers() {
    use factory::scene::BoardSource;
    use factory::ui::explain::{Home, board_cell, lamp, operand_home};
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, PROMPT);
    let bytes = std::fs::read(default_model_dir().join("model.safetensors")).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let tensor = |name: &str| -> (Vec<usize>, Vec<f64>) {
        let t = st
            .tensor(name)
            .or_else(|_| st.tensor(&format!("transformer.{name}")))
            .unwrap();
        let data = t
            .data()
            .chunks(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64)
            .collect();
        (t.shape().to_vec(), data)
    };
    let floor = app.world().resource::<Floor>();
    let h = &floor.history;
    let c = m.config.n_embd;
    let close = |a: f64, b: f64| (a - b).abs() < 1e-4 * (1.0 + b.abs());
    let (t, id) = (2usize, h.ids[2] as usize);
    let (_, wte) = tensor("wte.weight");
    let (_, wpe) = tensor("wpe.weight");
    let layers = m.config.n_layer;
    let mut sources = vec![BoardSource::TokEmb, BoardSource::Embed, BoardSource::LnF];
    for l in 0..layers {
        sources.extend([
            BoardSource::Ln1(l),
            BoardSource::ResidAttn(l),
            BoardSource::Ln2(l),
            BoardSource::ResidFfn(l),
        ]);
    }
    let mut homes = 0;
    for src in sources {
        for d in [0, 5, c - 1] {
            let f = board_cell(
                h,
                &m.gpt,
                &floor.ablations,
                src,
                t,
                d,
                factory::i18n::Lang::En,
            )
            .unwrap_or_else(|| panic!("{src:?}"));
            let shown = src.rows(h)[t][d] as f64;
            assert!(
                close(f.value as f64, shown),
                "{src:?} {d}: {} vs {shown}",
                f.value
            );
            let op = |name: &str| {
                f.operands
                    .iter()
                    .find(|o| o.0 == name)
                    .unwrap_or_else(|| panic!("{src:?} has no {name}"))
                    .1 as f64
            };
            // an operand the inspector flies to is that board's own number at this cell
            for (name, v) in &f.operands {
                if let Some(Home::Board(b)) = operand_home(src, name, layers) {
                    homes += 1;
                    let there = b.rows(h)[t][d] as f64;
                    assert!(
                        close(*v as f64, there),
                        "{src:?} {name}: {v} vs {b:?} {there}"
                    );
                }
            }
            match src {
                BoardSource::TokEmb => assert!(close(op("wte"), wte[id * c + d])),
                BoardSource::Embed => {
                    assert!(close(op("wte"), wte[id * c + d]));
                    assert!(close(op("wpe"), wpe[t * c + d]));
                }
                BoardSource::Ln1(_) | BoardSource::Ln2(_) | BoardSource::LnF => {
                    let prefix = match src {
                        BoardSource::Ln1(l) => format!("h.{l}.ln_1"),
                        BoardSource::Ln2(l) => format!("h.{l}.ln_2"),
                        _ => "ln_f".into(),
                    };
                    assert!(close(op("gain"), tensor(&format!("{prefix}.weight")).1[d]));
                    assert!(close(op("shift"), tensor(&format!("{prefix}.bias")).1[d]));
                    // and the formula itself, in f64
                    let x = (op("x") - op("mean")) / (op("var") + 1e-5).sqrt();
                    assert!(close(x * op("gain") + op("shift"), shown), "{src:?}");
                }
                BoardSource::ResidAttn(l) => {
                    let before = if l == 0 {
                        h.embed[t][d]
                    } else {
                        h.layers[l - 1].resid_ffn[t][d]
                    };
                    assert!(close(op("stream"), before as f64));
                    assert!(close(op("attention"), h.layers[l].attn_proj[t][d] as f64));
                }
                BoardSource::ResidFfn(l) => {
                    let (shape, w) = tensor(&format!("h.{l}.mlp.c_proj.weight"));
                    let (_, b) = tensor(&format!("h.{l}.mlp.c_proj.bias"));
                    let act = &h.layers[l].ffn_act[t];
                    let out: f64 = (0..shape[0])
                        .map(|i| act[i] as f64 * w[i * c + d])
                        .sum::<f64>()
                        + b[d];
                    assert!(close(op("ffn"), out), "{} vs {out}", op("ffn"));
                }
            }
        }
    }
    // x of every norm, and stream of every residual board (wte of the sum too)
    assert_eq!(
        homes,
        3 * (1 + 4 * layers + 1),
        "operands with a board of their own"
    );
    // a lamp: p = ln_2 · c_fc column + bias (f64 here), GELU(p) = the lamp's value
    for (l, i) in [(0usize, 3usize), (layers - 1, 100)] {
        let f = lamp(
            h,
            &m.gpt,
            &floor.ablations,
            l,
            i,
            t,
            factory::i18n::Lang::En,
        )
        .unwrap();
        let (shape, w) = tensor(&format!("h.{l}.mlp.c_fc.weight"));
        let (_, b) = tensor(&format!("h.{l}.mlp.c_fc.bias"));
        let inner = shape[1];
        let p: f64 = (0..c)
            .map(|k| h.layers[l].ln_2[t][k] as f64 * w[k * inner + i])
            .sum::<f64>()
            + b[i];
        assert!(
            close(f.operands[0].1 as f64, p),
            "{} vs {p}",
            f.operands[0].1
        );
        assert!(close(f.value as f64, h.layers[l].ffn_act[t][i] as f64));
    }
}

/// Inside the booth: the query, keys and values the model recomputes from the floor's ln_1 rows are
/// the full trace's own, the scaled scores are its scores, the softmax is the floor's weights, and
/// the weighted sum of values is the head's output in the full trace.
#[test]
fn inside_the_booth_are_the_traces_queries_keys_values_and_output() {
    use factory::ui::booth::inside;
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, PROMPT);
    let floor = app.world().resource::<Floor>();
    let h = &floor.history;
    let full = m.gpt.trace(&h.ids, &mut KvCache::new()).unwrap();
    let (nh, n) = (m.config.n_head, h.len());
    let hs = m.config.n_embd / nh;
    let close = |a: f32, b: f32| (a - b).abs() < 1e-4 * (1.0 + b.abs());
    for (l, hd, t) in [
        (0usize, 0usize, n - 1),
        (1, 2, 3),
        (m.config.n_layer - 1, nh - 1, n - 1),
    ] {
        let inn = inside(h, &m.gpt, l, hd, t).unwrap();
        let tr = &full.layers[l];
        let at = |a: &factory::model::Array, row: usize, i: usize| {
            // (nh, T, x)
            let width = a.shape[2];
            a.data[(hd * a.shape[1] + row) * width + i]
        };
        for i in 0..hs {
            assert!(close(inn.q[i], at(&tr.q, t, i)), "q");
            assert!(
                close(inn.out[i], at(&tr.head_out, t, i)),
                "head_out {l} {hd} {t} {i}"
            );
            for j in 0..=t {
                assert!(close(inn.keys[j][i], at(&tr.k, j, i)), "k");
                assert!(close(inn.values[j][i], at(&tr.v, j, i)), "v");
            }
        }
        for j in 0..=t {
            assert!(close(inn.scaled[j], at(&tr.scores, t, j)), "score");
            assert!((inn.weights[j] - h.layers[l].attention[hd][t][j]).abs() < 1e-5);
        }
        assert_eq!(inn.weights.len(), t + 1, "later tokens are masked");
    }
}

/// Each floor token's surprise, −ln p(token | the ones before), is computed after the floor
/// arrives; it equals the softmax of the floor's own ln_f rows against wte (worked here in f64).
#[test]
fn each_token_has_its_surprise() {
    use factory::playback::surprise::TokenSurprise;
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, PROMPT);
    wait_for_surprise(&mut app);
    let floor = app.world().resource::<Floor>();
    let surprise = app.world().resource::<TokenSurprise>();
    let h = &floor.history;
    assert_eq!(
        surprise.of(floor, 0),
        None,
        "the first token has nothing before it"
    );
    let wte = m.gpt.token_embeddings().unwrap();
    for t in 1..h.len() {
        let row = &h.ln_f[t - 1];
        let logits: Vec<f64> = (0..wte.len())
            .map(|v| {
                wte.row(v as u32)
                    .iter()
                    .zip(row)
                    .map(|(a, b)| *a as f64 * *b as f64)
                    .sum()
            })
            .collect();
        let top = logits.iter().copied().fold(f64::MIN, f64::max);
        let lse = top + logits.iter().map(|l| (l - top).exp()).sum::<f64>().ln();
        let want = lse - logits[h.ids[t] as usize];
        let got = surprise.of(floor, t).expect("computed");
        assert!((got - want).abs() < 1e-3, "token {t}: {got} vs {want}");
    }
    // each crate's gauge is filled by its surprise over ln(vocabulary) (the first crate has none)
    let vocab = wte.len() as f64;
    let want: Vec<f64> = (1..h.len())
        .map(|t| surprise.of(floor, t).unwrap() / vocab.ln())
        .collect();
    app.update();
    let world = app.world_mut();
    let mut gauges: Vec<(usize, f32, Visibility)> = world
        .query::<(&factory::scene::SurpriseGauge, &Transform, &Visibility)>()
        .iter(world)
        .map(|(g, t, v)| (g.0, t.scale.z, *v))
        .collect();
    gauges.sort_by_key(|g| g.0);
    assert_eq!(
        gauges.len(),
        want.len() + 1,
        "one gauge per crate, along its top"
    );
    let full = factory::scene::parts::GAUGE_LENGTH as f64;
    for g in &gauges {
        if g.0 == 0 {
            assert_eq!(g.2, Visibility::Hidden, "the first token's gauge");
            continue;
        }
        let w = want[g.0 - 1];
        assert_ne!(g.2, Visibility::Hidden, "token {}", g.0);
        let fill = g.1 as f64 / full;
        assert!(
            (fill - w.min(1.0)).abs() < 1e-3,
            "token {}: {fill} vs {w}",
            g.0
        );
    }
}

/// "Export the numbers": the floor as JSON in the shape `factory trace --json` writes, and with
/// the same numbers for the same prompt (attention, lens, logits), plus each token's surprise.
#[test]
fn the_floor_exports_the_numbers_trace_json_gives() {
    use factory::playback::export::floor_json;
    use factory::playback::surprise::TokenSurprise;
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, PROMPT);
    wait_for_surprise(&mut app);
    let ours = floor_json(
        app.world().resource::<Floor>(),
        &m,
        app.world().resource::<TokenSurprise>(),
    );
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_factory"))
        .args(["trace", "--json", "--prompt", PROMPT])
        .output()
        .unwrap();
    assert!(cli.status.success());
    let theirs: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    let ids = |v: &serde_json::Value| -> Vec<u64> {
        v["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(ids(&ours), ids(&theirs));
    let nums = |v: &serde_json::Value| -> Vec<f64> {
        let mut out = Vec::new();
        fn walk(v: &serde_json::Value, out: &mut Vec<f64>) {
            match v {
                serde_json::Value::Number(n) => out.push(n.as_f64().unwrap()),
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
                _ => {}
            }
        }
        for l in v["layers"].as_array().unwrap() {
            walk(&l["attention"], &mut out);
            for g in l["lens"].as_array().unwrap() {
                out.push(g["prob"].as_f64().unwrap());
            }
        }
        walk(&v["next_token"]["logits"], &mut out);
        out
    };
    let (a, b) = (nums(&ours), nums(&theirs));
    assert_eq!(a.len(), b.len());
    let worst = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    assert!(
        worst < 1e-4,
        "the floor's numbers differ from trace --json by {worst}"
    );
    let tokens = ours["tokens"].as_array().unwrap();
    assert!(tokens[0]["surprise_nats"].is_null());
    assert!(tokens[1]["surprise_nats"].as_f64().unwrap() > 0.0);

    // the CSV tables hold the same numbers as trace --json: every weight a key may get, the lens,
    // the tokens (read back field by field)
    let [(_, tok_csv), (_, attn_csv), (_, lens_csv)] = factory::playback::export::floor_csv(
        app.world().resource::<Floor>(),
        &m,
        app.world().resource::<TokenSurprise>(),
    );
    let n = ids(&theirs).len();
    let mut rows = 0;
    for line in attn_csv.lines().skip(1) {
        let f: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        let (l, h, q, k) = (f[0] as usize, f[1] as usize, f[2] as usize, f[3] as usize);
        assert!(k <= q, "only the keys a query may read");
        let want = theirs["layers"][l]["attention"][h][q][k].as_f64().unwrap();
        assert!((f[4] - want).abs() < 1e-4, "({l}, {h}, {q}, {k})");
        rows += 1;
    }
    assert_eq!(rows, m.config.n_layer * m.config.n_head * n * (n + 1) / 2);
    assert_eq!(lens_csv.lines().count(), 1 + m.config.n_layer * 5);
    for line in lens_csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (l, r): (usize, usize) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        let prob: f64 = f[f.len() - 1].parse().unwrap();
        let want = theirs["layers"][l]["lens"][r]["prob"].as_f64().unwrap();
        assert!((prob - want).abs() < 1e-4, "lens ({l}, {r})");
    }
    let tok_ids: Vec<u64> = tok_csv
        .lines()
        .skip(1)
        .map(|line| line.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(tok_ids, ids(&theirs));
}

/// Each booth's bar stands as tall as its head's direct part in the top guess's logit (the tallest 3
/// units), once the model has taken that logit apart for the floor; the parts add up to the logit
/// the floor shows.
#[test]
fn booth_bars_show_each_heads_part_in_the_top_guess() {
    use factory::playback::attribution::HeadAttribution;
    use factory::scene::parts::PartBar;
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, PROMPT);
    update_until(&mut app, "the heads' parts", |w| {
        w.resource::<HeadAttribution>()
            .of(w.resource::<Floor>())
            .is_some()
    });
    app.update();
    let floor = app.world().resource::<Floor>();
    let a = app
        .world()
        .resource::<HeadAttribution>()
        .of(floor)
        .expect("the parts were computed")
        .clone();
    let top = factory::model::trace::top_n(&floor.history.logits, 1)[0].0;
    assert_eq!(a.token as usize, top, "the top guess's logit");
    assert!((a.logit - floor.history.logits[top]).abs() < 1e-4);
    assert!((a.total() - a.logit).abs() < 1e-3 * (1.0 + a.logit.abs()));
    let largest = a.heads.iter().flatten().fold(0.0f32, |x, p| x.max(p.abs()));
    let bars: Vec<(PartBar, f32, Visibility)> = app
        .world_mut()
        .query::<(&PartBar, &Transform, &Visibility)>()
        .iter(app.world())
        .map(|(b, t, v)| (*b, t.scale.y, *v))
        .collect();
    assert_eq!(bars.len(), m.config.n_layer * m.config.n_head);
    for (bar, height, vis) in bars {
        assert_eq!(vis, Visibility::Inherited);
        let want = (a.heads[bar.layer][bar.head].abs() / largest * 3.0).max(0.15);
        assert!((height - want).abs() < 1e-4, "{bar:?}: {height} vs {want}");
    }
}

/// The exhibit in two languages and by touch: switching the language rewrites the signs and the
/// tour's captions (from the catalogue, filled from this model); the attract loop brings back the
/// exhibit's own language; two fingers spreading bring the camera closer, one finger orbits, and
/// a touch counts as a visitor.
#[test]
fn the_kiosk_speaks_two_languages_and_answers_touch() {
    use bevy::input::InputPlugin;
    use bevy::input::touch::{TouchInput, TouchPhase};
    use factory::camera::{DragDistance, Orbit, OrbitGoal};
    use factory::i18n::Lang;
    use factory::kiosk::{Kiosk, KioskConfig, Mode};
    use factory::scene::WorldLabel;

    let m = model();
    let cfg = KioskConfig {
        idle_seconds: 30.0,
        ..KioskConfig::default()
    };
    let kiosk = Kiosk::new(cfg).unwrap();
    let mut app = headless(m.clone());
    app.add_plugins(InputPlugin)
        .add_plugins(factory::kiosk::plugin)
        .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
            100,
        )))
        .init_resource::<DragDistance>()
        .add_systems(Update, factory::camera::touch::orbit_with_touch)
        .insert_resource(kiosk);
    let start = Orbit {
        focus: Vec3::ZERO,
        yaw: 0.5,
        pitch: 0.4,
        distance: 40.0,
    };
    app.world_mut().spawn(OrbitGoal(start));
    let tour = factory::tour::default_tour_path();
    {
        let mut player = app.world_mut().resource_mut::<factory::tour::TourPlayer>();
        factory::tour::load_into(&mut player, &tour, &m, Lang::En);
        player.start();
    }
    run_prompt(&mut app, "The little dog ran to the door and");
    let signs = |app: &mut App| -> Vec<String> {
        let mut q = app.world_mut().query::<&WorldLabel>();
        q.iter(app.world()).map(|l| l.text.clone()).collect()
    };
    let dock = |l: Lang| factory::scene::layout::StationKind::Dock.sign(l, 1);
    assert_ne!(dock(Lang::En), dock(Lang::De));
    assert!(signs(&mut app).contains(&dock(Lang::En)));
    let caption_en = app
        .world()
        .resource::<factory::tour::TourPlayer>()
        .current()
        .unwrap()
        .text
        .clone();

    // a visitor taps the language button
    *app.world_mut().resource_mut::<Lang>() = Lang::De;
    app.update();
    let now = signs(&mut app);
    assert!(now.contains(&dock(Lang::De)), "{now:?}");
    assert!(!now.contains(&dock(Lang::En)));
    let player = app.world().resource::<factory::tour::TourPlayer>();
    let stop = player.current().unwrap();
    assert_ne!(stop.text, caption_en);
    let vocab = m.config.vocab_size.to_string();
    assert!(
        stop.text.contains(&vocab) && stop.text.contains("Token"),
        "German caption filled from the model: {}",
        stop.text
    );

    // two fingers spread apart: closer; one finger drags: the camera turns (the tour, which moves
    // the camera itself, is stopped first)
    app.world_mut()
        .resource_mut::<factory::tour::TourPlayer>()
        .stop();
    let goal = |app: &mut App| {
        let mut q = app.world_mut().query::<&OrbitGoal>();
        q.single(app.world()).unwrap().0
    };
    let before = goal(&mut app);
    let window = Entity::PLACEHOLDER;
    let touch = |phase, id, x: f32| TouchInput {
        phase,
        position: Vec2::new(x, 300.0),
        window,
        force: None,
        id,
    };
    app.world_mut()
        .write_message(touch(TouchPhase::Started, 1, 500.0));
    app.world_mut()
        .write_message(touch(TouchPhase::Started, 2, 600.0));
    app.update();
    app.world_mut()
        .write_message(touch(TouchPhase::Moved, 1, 450.0));
    app.world_mut()
        .write_message(touch(TouchPhase::Moved, 2, 650.0));
    app.update();
    let pinched = goal(&mut app);
    assert!(
        (pinched.distance - before.distance / 2.0).abs() < 1e-3,
        "spread from 100 to 200 px halves the distance: {}",
        pinched.distance
    );
    assert_eq!(
        app.world().resource::<Kiosk>().idle,
        0.0,
        "a touch is a visitor"
    );
    app.world_mut()
        .write_message(touch(TouchPhase::Ended, 2, 650.0));
    app.update();
    app.world_mut()
        .write_message(touch(TouchPhase::Moved, 1, 480.0));
    app.update();
    let turned = goal(&mut app);
    assert!(
        (turned.yaw - pinched.yaw - 30.0 * 0.006).abs() < 1e-4,
        "{}",
        turned.yaw
    );
    assert!(
        app.world().resource::<DragDistance>().farthest >= 30.0,
        "a drag is not a tap"
    );
    app.world_mut()
        .write_message(touch(TouchPhase::Ended, 1, 480.0));
    app.update();

    // a visitor switches a head off at its booth...
    let off =
        factory::model::Ablations::new([factory::model::Ablation::Head(0, 0)], &m.config).unwrap();
    app.world_mut().write_message(Request::Ablate(off.clone()));
    update_until(&mut app, "the ablated floor", |w| {
        w.resource::<Floor>().ablations == off
    });
    // ...and walks away: the kiosk returns to its attract loop in its own language, with every
    // part of the model switched on again
    update_until(&mut app, "the attract loop", |w| {
        w.resource::<Kiosk>().mode == Mode::Attract
    });
    assert_eq!(*app.world().resource::<Lang>(), Lang::En);
    update_until(&mut app, "every part on again", |w| {
        w.resource::<Floor>().ablations.is_empty()
    });
    app.update();
    assert!(signs(&mut app).contains(&dock(Lang::En)));
}

/// The pointer path, as a picking backend drives it: hits written into the `HoverMap` become the
/// value under the pointer (the nearest hit wins), and that value's formula carries the operands
/// of a trace run here on its own (the stream into the norm, its mean), for a board cell; a crate
/// and a booth are named; the crate's surprise gauge lets the pointer through to the crate.
#[test]
fn pointing_at_a_cell_a_crate_or_a_booth_finds_it() {
    use bevy::picking::backend::HitData;
    use bevy::picking::hover::HoverMap;
    use bevy::picking::pointer::PointerId;
    use factory::pick::{HoveredValue, ValueHover};
    use factory::scene::layout::{BOARD_DEPTH, tile};
    use factory::scene::{Board, BoardSource};
    let m = model();
    let mut app = headless(m.clone());
    app.add_plugins(bevy::transform::TransformPlugin)
        .init_resource::<bevy_egui::input::EguiWantsInput>()
        .add_plugins(factory::pick::hover_plugin);
    run_prompt(&mut app, PROMPT);
    let world = app.world_mut();
    let ids = world.resource::<Floor>().history.ids.clone();
    let n = ids.len();
    let width = world.resource::<CurrentLayout>().0.width();
    let (board, board_at) = world
        .query::<(Entity, &Board, &GlobalTransform)>()
        .iter(world)
        .find(|(_, b, _)| b.source == BoardSource::Ln1(1))
        .map(|(e, _, gt)| (e, *gt))
        .expect("layer 1's ln_1 board");
    let (one_crate, crate_at) = world
        .query::<(Entity, &Crate, &GlobalTransform)>()
        .iter(world)
        .find(|(_, c, _)| c.0 == 3)
        .map(|(e, _, gt)| (e, gt.translation()))
        .unwrap();
    let booth = world
        .query::<(Entity, &Booth)>()
        .iter(world)
        .find(|(_, b)| (b.layer, b.head) == (1, 2))
        .map(|(e, _)| e)
        .unwrap();
    // the world point of the board's cell (token t, dimension d)
    let (t, d) = (4usize, 37usize);
    let c = m.config.n_embd;
    let (across, rows) = tile(c, n);
    let (cw, ch) = (width / (n * across) as f32, BOARD_DEPTH / rows as f32);
    let (col, row) = (t * across + d % across, d / across);
    let local = Vec3::new(
        -width / 2.0 + (col as f32 + 0.5) * cw,
        BOARD_DEPTH / 2.0 - (row as f32 + 0.5) * ch,
        0.0,
    );
    let cell_at = board_at.transform_point(local);
    let hit = |position: Vec3, depth: f32| HitData {
        camera: Entity::PLACEHOLDER,
        depth,
        position: Some(position),
        normal: None,
        extra: None,
    };
    let point_at = |app: &mut App, hits: Vec<(Entity, HitData)>| {
        let mut map = HoverMap::default();
        map.insert(PointerId::Mouse, hits.into_iter().collect());
        app.insert_resource(map);
        app.update();
        app.world().resource::<ValueHover>().0
    };
    // the board in front of a crate: the cell
    let found = point_at(
        &mut app,
        vec![(one_crate, hit(crate_at, 9.0)), (board, hit(cell_at, 4.0))],
    );
    let want = HoveredValue::Cell {
        source: BoardSource::Ln1(1),
        t,
        d,
    };
    assert_eq!(found, Some(want));
    // its formula, with the operands a trace run here computes: x is the stream into layer 1
    let trace = m.gpt.trace(&ids, &mut KvCache::new()).unwrap();
    let floor = app.world().resource::<Floor>();
    let f = factory::ui::explain::board_cell(
        &floor.history,
        &m.gpt,
        &floor.ablations,
        BoardSource::Ln1(1),
        t,
        d,
        factory::i18n::Lang::En,
    )
    .expect("a formula");
    let x_in = trace.layers[0].resid_ffn.row(&[t]);
    let op = |name: &str| f.operands.iter().find(|o| o.0 == name).unwrap().1;
    assert!((op("x") - x_in[d]).abs() < 1e-5, "x = {}", op("x"));
    let mean = x_in.iter().map(|v| *v as f64).sum::<f64>() / c as f64;
    assert!(
        (op("mean") as f64 - mean).abs() < 1e-5,
        "mean = {}",
        op("mean")
    );
    let shown = trace.layers[1].ln_1.at(&[t, d]);
    assert!((f.value - shown).abs() < 1e-4, "{} vs {shown}", f.value);
    // a crate, and a booth; nothing under the pointer, nothing named
    let found = point_at(&mut app, vec![(one_crate, hit(crate_at, 9.0))]);
    assert_eq!(found, Some(HoveredValue::Crate(3)));
    let found = point_at(&mut app, vec![(booth, hit(Vec3::ZERO, 9.0))]);
    assert_eq!(found, Some(HoveredValue::Booth { layer: 1, head: 2 }));
    assert_eq!(point_at(&mut app, vec![]), None);
    // the gauges on a crate (and their slots) do not catch the pointer
    let world = app.world_mut();
    let gauges: Vec<bool> = world
        .query::<(
            AnyOf<(
                &factory::scene::SurpriseGauge,
                &factory::scene::parts::GaugeSlot,
            )>,
            Option<&bevy::picking::Pickable>,
        )>()
        .iter(world)
        .map(|(_, p)| p.is_some_and(|p| !p.is_hoverable && !p.should_block_lower))
        .collect();
    assert_eq!(
        gauges.len(),
        2 * n,
        "a gauge and its slot across each crate's top"
    );
    assert!(gauges.iter().all(|&ignored| ignored));
}

/// Each norm gate's spread bars: one before and one after the gate per token, as spread as the
/// stream coming in and the norm's output of a trace run here (standard deviation in f64), the
/// tallest of each gate at the same height.
#[test]
fn norm_gates_show_each_tokens_spread_before_and_after() {
    use factory::scene::BoardSource;
    use factory::scene::parts::SpreadBar;
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, PROMPT);
    let ids = app.world().resource::<Floor>().history.ids.clone();
    let trace = m.gpt.trace(&ids, &mut KvCache::new()).unwrap();
    let std = |v: &[f32]| {
        let n = v.len() as f64;
        let mean = v.iter().map(|x| *x as f64).sum::<f64>() / n;
        (v.iter().map(|x| (*x as f64 - mean).powi(2)).sum::<f64>() / n).sqrt()
    };
    let last = m.config.n_layer - 1;
    let world = app.world_mut();
    let bars: Vec<(SpreadBar, f32)> = world
        .query::<(&SpreadBar, &Transform)>()
        .iter(world)
        .map(|(b, t)| (*b, t.scale.y))
        .collect();
    // two gates per layer and the final one, two bars per token at each
    assert_eq!(bars.len(), (2 * m.config.n_layer + 1) * 2 * ids.len());
    // shown once the crates have passed the gate (at the end of the hall: all), none at the dock
    let shown = |app: &mut App| {
        let world = app.world_mut();
        world
            .query::<(&SpreadBar, &Visibility)>()
            .iter(world)
            .filter(|(_, v)| **v != Visibility::Hidden)
            .count()
    };
    assert_eq!(shown(&mut app), bars.len());
    app.world_mut().resource_mut::<Playback>().progress = 0.0;
    app.update();
    assert_eq!(shown(&mut app), 0, "no crate has reached a gate");
    let end = last_station(&app);
    app.world_mut().resource_mut::<Playback>().progress = end;
    app.update();
    for (b, height) in &bars {
        let t = b.t;
        let (before, after) = match b.norm {
            BoardSource::Ln1(0) => (trace.embed.row(&[t]), trace.layers[0].ln_1.row(&[t])),
            BoardSource::Ln1(l) => (
                trace.layers[l - 1].resid_ffn.row(&[t]),
                trace.layers[l].ln_1.row(&[t]),
            ),
            BoardSource::Ln2(l) => (
                trace.layers[l].resid_attn.row(&[t]),
                trace.layers[l].ln_2.row(&[t]),
            ),
            BoardSource::LnF => (trace.layers[last].resid_ffn.row(&[t]), trace.ln_f.row(&[t])),
            other => panic!("a spread bar at {other:?}"),
        };
        let want = std(if b.after { after } else { before });
        assert!(
            (b.spread as f64 - want).abs() < 1e-4 * (1.0 + want),
            "{:?} token {t} after {}: {} vs {want}",
            b.norm,
            b.after,
            b.spread
        );
        // on one scale per gate: height / spread is the same for every bar of the gate
        let (peer, peer_height) = bars
            .iter()
            .filter(|(p, _)| p.norm == b.norm)
            .max_by(|a, b| a.0.spread.total_cmp(&b.0.spread))
            .unwrap();
        let ratio = height / b.spread;
        let peer_ratio = peer_height / peer.spread;
        assert!(
            b.spread < 0.01 * peer.spread || (ratio / peer_ratio - 1.0).abs() < 1e-3,
            "{:?}: {ratio} vs {peer_ratio}",
            b.norm
        );
    }
}

/// A/B: prompt B runs on the floor's model with the floor's parts switched off, and its numbers
/// are those of a trace run here on its own (logits, each layer's lens); switching a head off
/// runs B again with it; an empty B is a message, and the floor stays.
#[test]
fn a_second_prompt_runs_beside_the_floor() {
    use factory::model::{Ablation, Ablations};
    use factory::playback::compare::Comparison;
    let m = model();
    let mut app = headless(m.clone());
    let a_text = "the man bit the dog .";
    run_prompt(&mut app, a_text);
    let a_ids = m.tokenizer.encode(a_text).unwrap();
    assert_eq!(app.world().resource::<Floor>().history.ids, a_ids);
    let b_text = "the dog bit the man .";
    let wait_for_b = |app: &mut App, version: u64| {
        update_until(app, "prompt B", |w| {
            let c = w.resource::<Comparison>();
            c.version > version && !c.busy()
        })
    };
    app.world_mut().resource_mut::<Comparison>().wanted = Some(b_text.into());
    wait_for_b(&mut app, 0);
    let ids = m.tokenizer.encode(b_text).unwrap();
    let check = |app: &App, abl: Ablations| {
        let c = app.world().resource::<Comparison>();
        let b = c.b.as_ref().expect("B's numbers");
        assert_eq!(b.ids, ids);
        let own = m
            .gpt
            .trace(&ids, &mut KvCache::with_ablations(abl))
            .unwrap();
        let diff = b
            .logits
            .iter()
            .zip(&own.logits)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(diff < 1e-4, "B's logits differ by {diff}");
        // each layer's lens, every guess it lists: the token and its probability
        assert_eq!(b.lens.len(), m.config.n_layer, "a lens per layer");
        for (layer, lens) in b.lens.iter().enumerate() {
            let want = &own.layers[layer].lens;
            assert!(!want.is_empty(), "layer {layer}: the trace has a lens");
            assert_eq!(lens.len(), want.len(), "layer {layer}");
            for (g, w) in lens.iter().zip(want) {
                assert_eq!(g.id, w.id, "layer {layer}");
                assert!(
                    (g.prob - w.prob).abs() < 1e-5,
                    "layer {layer}: {g:?} vs {w:?}"
                );
            }
        }
    };
    check(&app, Ablations::none());
    let abl = Ablations::new([Ablation::Head(0, 1)], &m.config).unwrap();
    let version = app.world().resource::<Comparison>().version;
    app.world_mut().write_message(Request::Ablate(abl.clone()));
    settle(&mut app);
    wait_for_b(&mut app, version);
    check(&app, abl);
    // an empty B: a message; the floor's prompt stays
    let version = app.world().resource::<Comparison>().version;
    app.world_mut().resource_mut::<Comparison>().wanted = Some("   ".into());
    wait_for_b(&mut app, version);
    let c = app.world().resource::<Comparison>();
    assert!(c.b.is_none() && c.error.is_some(), "{:?}", c.error);
    assert_eq!(app.world().resource::<Floor>().history.ids, a_ids);
}

/// The high preset (a real GPU, a recording) is chosen a few frames in: the floor standing is
/// built again with the hall's floor, slats and belt in lit materials that receive the sun's
/// shadows; without it they are flat.
#[test]
fn the_high_preset_gives_the_floor_lit_materials() {
    use factory::scene::flat::{FlatMaterial, HighPreset};
    let m = model();
    let mut app = headless(m);
    run_prompt(&mut app, PROMPT);
    let surfaces = |app: &mut App| -> (usize, usize) {
        let world = app.world_mut();
        let mut q = world.query::<(
            &Name,
            Option<&MeshMaterial3d<StandardMaterial>>,
            Option<&MeshMaterial3d<FlatMaterial>>,
        )>();
        let hall: Vec<_> = q
            .iter(world)
            .filter(|(n, _, _)| {
                let n = n.as_str();
                n.starts_with("Hall floor") || n == "Belt slats" || n == "Conveyor belt"
            })
            .map(|(_, lit, flat)| (lit.is_some(), flat.is_some()))
            .collect();
        (
            hall.iter().filter(|s| s.0 && !s.1).count(),
            hall.iter().filter(|s| s.1 && !s.0).count(),
        )
    };
    let (lit, flat) = surfaces(&mut app);
    assert_eq!(lit, 0);
    assert!(flat >= 3, "{flat} flat surfaces");
    app.insert_resource(HighPreset);
    app.update();
    app.update();
    assert_eq!(surfaces(&mut app), (flat, 0), "every hall surface lit");
}

/// Selecting a head lights its booth and dims every other booth; clearing it brings them back.
#[test]
fn selecting_a_head_dims_the_other_booths() {
    use factory::scene::flat::FlatMaterial;
    let m = model();
    let mut app = headless(m);
    run_prompt(&mut app, PROMPT);
    let materials = |app: &mut App| -> Vec<((usize, usize), AssetId<FlatMaterial>)> {
        let world = app.world_mut();
        let mut v: Vec<_> = world
            .query::<(&Booth, &MeshMaterial3d<FlatMaterial>)>()
            .iter(world)
            .map(|(b, m)| ((b.layer, b.head), m.0.id()))
            .collect();
        v.sort_by_key(|x| x.0);
        v
    };
    let plain = materials(&mut app);
    let first = plain[0].1;
    assert!(
        plain.iter().all(|b| b.1 == first),
        "one look for all booths"
    );
    app.world_mut().resource_mut::<Selection>().head = Some((0, 1));
    app.update();
    let chosen = materials(&mut app);
    let lit = chosen.iter().find(|b| b.0 == (0, 1)).unwrap().1;
    let others: Vec<_> = chosen
        .iter()
        .filter(|b| b.0 != (0, 1))
        .map(|b| b.1)
        .collect();
    assert!(lit != first && !others.contains(&lit));
    assert!(
        others.iter().all(|&o| o == others[0] && o != first),
        "the others dimmed"
    );
    app.world_mut().resource_mut::<Selection>().head = None;
    app.update();
    assert_eq!(materials(&mut app), plain);
}

/// The guessing game plays through: five rounds dealt from the curated list, each pick scored (a
/// point for the visitor when right, for the model when its top guess was the true word), then
/// over; the kiosk's attract loop ends a game in play.
#[test]
fn the_guessing_game_plays_five_rounds_and_the_attract_loop_ends_it() {
    use factory::inference::Engine;
    use factory::ui::game::{Game, ROUNDS, sentences};
    let m = model();
    let engine = Engine(m.clone());
    let list = sentences(factory::i18n::Lang::En);
    let mut game = Game::default();
    let (mut you, mut it) = (0, 0);
    for round in 0..ROUNDS {
        assert!(!game.over());
        game.deal(&engine, &list);
        let r = game.round.clone().expect("a round is dealt");
        assert_eq!(r.sentence, list[round], "the sentences in order");
        // the visitor picks the true word in even rounds, another in odd ones
        let pick = if round % 2 == 0 {
            r.truth
        } else {
            (r.truth + 1) % 4
        };
        game.pick(pick);
        game.pick((pick + 1) % 4); // a second touch changes nothing
        you += usize::from(round % 2 == 0);
        it += usize::from(r.model_pick == r.truth);
        assert_eq!((game.you, game.model, game.picked), (you, it, Some(pick)));
    }
    assert!(game.over());
    assert_eq!(game.played, ROUNDS);
    game.restart();
    assert_eq!((game.played, game.you, game.model), (0, 0, 0));
    // a game in play ends when the attract loop takes over
    let mut app = App::new();
    app.insert_resource(factory::ui::UiState {
        models: Vec::new(),
        game_view: true,
        ..Default::default()
    })
    .insert_resource(game.clone())
    .add_systems(Update, factory::ui::game::end_game_on_attract);
    app.world_mut().resource_mut::<Game>().deal(&engine, &list);
    app.world_mut().resource_mut::<Game>().pick(0);
    app.update();
    assert_eq!(app.world().resource::<Game>().played, 1, "still playing");
    app.world_mut()
        .resource_mut::<factory::ui::UiState>()
        .attract = true;
    app.update();
    let g = app.world().resource::<Game>();
    assert!(
        g.round.is_none() && g.played == 0,
        "the next visitor starts a new game"
    );
}

/// A tour stop's `Guess(n)` plays one round of the game on the stage: arriving opens the game's
/// tab (shown on the clean stage too) with sentence n's round, unpicked, and runs the sentence on
/// the floor; at the stop's act time the true word is picked; the next stop closes the tab. The
/// same round every time (a recording of it is the same).
#[test]
fn a_tour_stop_plays_a_round_of_the_game() {
    use factory::playback::Selection;
    use factory::tour::TourPlayer;
    use factory::ui::dock::{Tab, open_tabs};
    use factory::ui::game::{Game, play_tour_round, sentences};
    let m = model();
    let mut app = headless(m.clone());
    set_clock(&mut app, Duration::from_millis(100));
    app.insert_resource(factory::ui::UiState {
        models: Vec::new(),
        stage: true,
        ..Default::default()
    })
    .insert_resource(factory::i18n::Lang::En)
    .init_resource::<Game>()
    .add_systems(Update, play_tour_round);
    run_prompt(&mut app, PROMPT);
    let _dir = start_tour(
        &mut app,
        &m,
        r#"Tour(title: "t", stops: [
            Stop(title: "a", text: "b", station: Shipping, seconds: 4.0, act_after: 1.0,
                 actions: [Guess(1), ShowUpTo(Shipping)]),
            Stop(title: "c", text: "d", station: Dock, seconds: 3.0),
        ])"#,
    );
    let list = sentences(factory::i18n::Lang::En);
    for _ in 0..5 {
        app.update();
    }
    let round = {
        let (ui, game) = (
            app.world().resource::<factory::ui::UiState>(),
            app.world().resource::<Game>(),
        );
        assert!(ui.game_view && ui.game_on_stage, "the tab opens");
        assert!(open_tabs(ui, &Selection::default()).contains(&Tab::Game));
        let r = game.round.clone().expect("a round is dealt");
        assert_eq!(r.sentence, list[1], "sentence 1 of the list");
        assert_eq!(game.picked, None, "shown before it is picked");
        r
    };
    // the model answers on the task pool: the clock stands still meanwhile (on a loaded machine
    // its answer took more than the stop's four seconds of 0.1 s frames, and the tour moved on)
    set_clock(&mut app, Duration::ZERO);
    settle(&mut app);
    set_clock(&mut app, Duration::from_millis(100));
    let floor = app.world().resource::<Floor>();
    assert_eq!(
        floor.history.len(),
        round.ids.len(),
        "the sentence on the floor"
    );
    // past the act time: the true word picked
    update_until(&mut app, "the pick", |w| {
        w.resource::<Game>().picked.is_some()
    });
    assert_eq!(app.world().resource::<Game>().picked, Some(round.truth));
    let tour = app.world().resource::<TourPlayer>();
    assert_eq!(tour.index, 0, "picked at the stop that deals the round");
    assert!(
        tour.elapsed >= 1.0,
        "not before the act time: {}",
        tour.elapsed
    );
    // the same round again for a second run (what a recording needs)
    let mut again = Game {
        next: 1,
        ..Default::default()
    };
    again.deal(&factory::inference::Engine(m.clone()), &list);
    assert_eq!(again.round.as_ref(), Some(&round));
    // the next stop closes the tab
    update_until(&mut app, "the next stop", |w| {
        w.resource::<TourPlayer>().index == 1
    });
    app.update();
    let ui = app.world().resource::<factory::ui::UiState>();
    assert!(!ui.game_view && !ui.game_on_stage, "the tab closes");
}

/// A headless factory with the learning tab open (its systems: the work taken, closing forgets,
/// the backward pass shown), on [`PROMPT`].
fn learning_app(m: &Arc<LoadedModel>) -> App {
    use factory::ui::learn::{
        Learning, end_learning, poll_learning, share_true_next, show_backward,
    };
    let mut app = headless(m.clone());
    app.insert_resource(factory::ui::UiState {
        models: Vec::new(),
        learn_view: true,
        ..Default::default()
    })
    .init_resource::<Learning>()
    .add_systems(
        Update,
        (poll_learning, end_learning, show_backward, share_true_next).chain(),
    );
    run_prompt(&mut app, PROMPT);
    app
}

/// Learning the floor's sentence (`ui/learn.rs`): a step runs the floor on the learned copy (the
/// engine's model is then that copy: its surprise on the sentence is the step's entry, measured
/// independently by `score`), the untouched sentence's guess is reported as loaded and now, and
/// closing the tab puts the model on disk back under the floor.
#[test]
fn learning_a_sentence_runs_the_floor_on_the_copy_and_closing_forgets() {
    use factory::inference::Engine;
    use factory::model::score::score;
    use factory::ui::learn::Learning;
    let m = model();
    let mut app = learning_app(&m);
    let ids = app.world().resource::<Floor>().history.ids.clone();
    let version = app.world().resource::<Floor>().version;
    let weights = {
        let mut learning = app.world_mut().resource_mut::<Learning>();
        learning.start(&m, &ids, 0);
        assert!(learning.wait().is_none(), "a start alone learns nothing");
        assert!(learning.problem.is_none(), "{:?}", learning.problem);
        learning.step();
        let w = learning.wait().expect("a step");
        learning.step();
        let w2 = learning.wait().expect("a second step");
        let s = learning.session.as_ref().unwrap();
        assert_eq!(s.entries.len(), 3);
        assert!(s.entries[2].loss < s.entries[0].loss, "it learns");
        assert!(w != w2, "a new copy each step");
        w2
    };
    app.world_mut()
        .write_message(factory::inference::Request::Weights(weights.clone()));
    settle(&mut app);
    assert!(
        app.world().resource::<Floor>().version > version,
        "the floor ran again"
    );
    let engine = app.world().resource::<Engine>().0.clone();
    assert!(
        Arc::ptr_eq(&engine, &weights.0),
        "the floor's model is the learned copy"
    );
    let learned = {
        let learning = app.world().resource::<Learning>();
        learning.session.as_ref().unwrap().entries[2].clone()
    };
    let s = score(&engine.gpt, &engine.tokenizer, PROMPT).unwrap();
    assert!(
        (s.nll / s.predicted as f64 - learned.loss).abs() < 1e-4,
        "score on the floor's model {} vs the step's loss {}",
        s.nll / s.predicted as f64,
        learned.loss
    );
    let original = score(&m.gpt, &m.tokenizer, PROMPT).unwrap();
    assert!(original.nll > s.nll, "the model on disk is untouched");
    // the dock writes each position's true next word, its probability as loaded and now
    app.update();
    app.update();
    let texts = app.world().resource::<Floor>().history.texts.clone();
    let lines = app
        .world()
        .resource::<factory::scene::backward::TrueNext>()
        .0
        .clone()
        .expect("the dock's lines");
    assert_eq!(lines.len(), texts.len() - 1);
    let pct = |p: f64| factory::ui::game::percent(p as f32);
    let (loaded, now) = (
        app.world()
            .resource::<Learning>()
            .session
            .as_ref()
            .unwrap()
            .entries[0]
            .probs[0],
        learned.probs[0],
    );
    assert!(lines[0].contains(texts[1].trim()), "{}", lines[0]);
    assert!(
        lines[0].contains(&pct(loaded)) && lines[0].contains(&pct(now)),
        "{}",
        lines[0]
    );
    let world = app.world_mut();
    let shown = world
        .query::<&factory::scene::backward::TrueNextLabel>()
        .iter(world)
        .count();
    assert_eq!(shown, texts.len() - 1, "a line in each lane but the last");
    // closing the tab forgets: the model on disk is the floor's again
    app.world_mut()
        .resource_mut::<factory::ui::UiState>()
        .learn_view = false;
    app.update();
    settle(&mut app);
    assert!(app.world().resource::<Learning>().session.is_none());
    let engine = app.world().resource::<Engine>().0.clone();
    assert!(Arc::ptr_eq(&engine, &m), "back to the model as loaded");
}

/// The press and the stamp strike when the crates arrive: crossing into their station starts one
/// stroke (down, then back to rest within `STROKE` seconds of the factory's clock); resting at the
/// station or standing still starts none, and an idle machine's transform is left alone.
#[test]
fn the_press_strikes_when_the_crates_arrive_and_rests_while_idle() {
    use factory::scene::machines::{Plunger, STROKE};
    let mut app = headless(model());
    set_clock(&mut app, Duration::from_millis(50));
    run_prompt(&mut app, PROMPT);
    let press = app
        .world()
        .resource::<CurrentLayout>()
        .0
        .index_of(factory::scene::layout::StationKind::Embedding)
        .unwrap();
    let heights = |app: &mut App| -> Vec<(usize, f32, f32, bool)> {
        let mut q = app.world_mut().query::<(&Plunger, &Transform)>();
        q.iter(app.world())
            .map(|(p, t)| (p.station, t.translation.y, p.rest, p.since.is_some()))
            .collect()
    };
    assert!(
        heights(&mut app).iter().any(|h| h.0 == press),
        "the press has a head"
    );
    // parked at the shipping dock: every plunger at rest once any stroke of the ride is over
    for _ in 0..((STROKE / 0.05) as usize + 2) {
        app.update();
    }
    assert!(
        heights(&mut app)
            .iter()
            .all(|&(_, y, rest, busy)| y == rest && !busy)
    );
    // the crates arrive at the press: it comes down, then back up
    {
        let mut pb = app.world_mut().resource_mut::<Playback>();
        pb.progress = press as f32 - 0.1;
    }
    app.update();
    {
        let mut pb = app.world_mut().resource_mut::<Playback>();
        pb.progress = press as f32;
    }
    app.update();
    let mut lowest = f32::MAX;
    // the press's hand wheel turns while the platen comes down, and back as it goes up
    let wheel_turn = |app: &mut App| -> Vec<f32> {
        let mut q = app.world_mut().query::<(&Plunger, &Transform)>();
        q.iter(app.world())
            .filter(|(p, _)| p.station == press && p.spin != 0.0)
            .map(|(p, t)| t.rotation.angle_between(Quat::from_rotation_y(p.turn)))
            .collect()
    };
    let mut widest = 0.0f32;
    for _ in 0..((STROKE / 0.05) as usize + 2) {
        app.update();
        for (station, y, rest, _) in heights(&mut app) {
            if station == press {
                assert!(y <= rest);
                lowest = lowest.min(y - rest);
            }
        }
        widest = wheel_turn(&mut app).into_iter().fold(widest, f32::max);
    }
    assert!(lowest < -0.5, "the head came down ({lowest})");
    assert!(widest > 1.0, "the press's wheel turned ({widest} rad)");
    assert!(
        wheel_turn(&mut app).iter().all(|a| *a < 1e-3),
        "and turned back"
    );
    let after = heights(&mut app);
    assert!(
        after.iter().all(|&(_, y, rest, busy)| y == rest && !busy),
        "back at rest: {after:?}"
    );
    // idle: nothing strikes again, nothing is written
    app.update();
    let mut moved = app
        .world_mut()
        .query_filtered::<(), (With<Plunger>, Changed<Transform>)>();
    app.update();
    assert_eq!(
        moved.iter(app.world()).count(),
        0,
        "an idle press is left alone"
    );
}

/// A tour stop's `Learn(n)`: at its act time the learning tab opens on the stage and applies n
/// steps to the floor's sentence (the floor then runs on the learned copy); the next stop closes
/// the tab, which forgets (the model on disk under the floor again).
#[test]
fn a_tour_stop_learns_the_sentence_and_the_next_forgets() {
    use factory::inference::Engine;
    use factory::ui::learn::{Learning, end_learning, learn_on_tour, poll_learning};
    let m = model();
    let mut app = headless(m.clone());
    set_clock(&mut app, Duration::from_millis(100));
    app.insert_resource(factory::ui::UiState {
        models: Vec::new(),
        stage: true,
        ..Default::default()
    })
    .init_resource::<Learning>()
    .add_systems(Update, (learn_on_tour, poll_learning, end_learning).chain());
    run_prompt(&mut app, PROMPT);
    let _dir = start_tour(
        &mut app,
        &m,
        r#"Tour(title: "t", stops: [
            Stop(title: "a", text: "b", station: Shipping, seconds: 4.0, act_after: 1.0,
                 actions: [Learn(3)]),
            Stop(title: "c", text: "d", station: Dock, seconds: 3.0),
        ])"#,
    );
    for _ in 0..5 {
        app.update();
    }
    assert!(
        app.world().resource::<Learning>().session.is_none(),
        "not before the act time"
    );
    // the learning runs on the task pool: the clock stands still meanwhile (in wall time the
    // stop's seconds are plenty; a test's frames are faster than the work)
    update_until(&mut app, "the learning started", |w| {
        w.resource::<Learning>().running.is_some()
    });
    set_clock(&mut app, Duration::ZERO);
    update_until(&mut app, "the steps", |w| {
        w.resource::<Learning>()
            .session
            .as_ref()
            .is_some_and(|s| s.entries.len() == 4)
    });
    // the request for the learned copy, written as the work was taken, is read next frame
    app.update();
    let ui = app.world().resource::<factory::ui::UiState>();
    assert!(
        ui.learn_view && ui.learn_on_stage,
        "the tab shows on the stage"
    );
    settle(&mut app);
    set_clock(&mut app, Duration::from_millis(100));
    assert!(
        !Arc::ptr_eq(&app.world().resource::<Engine>().0, &m),
        "the floor runs on the learned copy"
    );
    update_until(&mut app, "the next stop", |w| {
        w.resource::<factory::tour::TourPlayer>().index == 1
    });
    app.update();
    settle(&mut app);
    assert!(
        app.world().resource::<Learning>().session.is_none(),
        "forgotten"
    );
    assert!(
        Arc::ptr_eq(&app.world().resource::<Engine>().0, &m),
        "the model on disk again"
    );
}

/// A patching grid shown in the A/B window lights the hall: a strip across the lane at the
/// station of each cell that moves B at least a quarter of the way to A (the stream entering a
/// block at its first norm gate, the attention's output at the merge, the FFN's at its machine; a
/// head across its whole booth), only while the floor runs A's tokens, and none once the grid is
/// gone.
#[test]
fn a_patching_grid_lights_its_stations_and_lanes() {
    use factory::model::patch::Site;
    use factory::scene::patch_glow::{LIT_FROM, PatchGlow, PatchLight, PatchLit};
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, "The little dog ran to the");
    let ids = app.world().resource::<Floor>().history.ids.clone();
    let (layers, t) = (m.config.n_layer, ids.len());
    let glows = |app: &mut App| {
        let mut q = app.world_mut().query::<&PatchGlow>();
        let mut v: Vec<PatchGlow> = q.iter(app.world()).copied().collect();
        v.sort_by_key(|g| (g.station, g.lane));
        v
    };
    let at = |app: &App, kind: StationKind| {
        app.world()
            .resource::<CurrentLayout>()
            .0
            .index_of(kind)
            .unwrap()
    };
    for (site, kind, lane) in [
        (Site::ResidPre, StationKind::NormAttn(2), Some(3)),
        (Site::AttnOut, StationKind::Merge(2), Some(3)),
        (Site::MlpOut, StationKind::Ffn(2), Some(3)),
        (Site::Head, StationKind::Booth(2, 3), None),
    ] {
        let columns = if site == Site::Head {
            m.config.n_head
        } else {
            t
        };
        // one cell all the way, one just under the threshold, the rest nothing
        let mut shares = vec![vec![0.0; columns]; layers];
        shares[2][3] = 1.0;
        shares[4][1] = LIT_FROM - 0.01;
        let lit = PatchLit {
            ids: ids.clone(),
            site,
            shares,
        };
        app.insert_resource(PatchLight(Some(lit.clone())));
        app.update();
        let g = glows(&mut app);
        assert_eq!(g.len(), 1, "{site:?}: {g:?}");
        assert_eq!(g[0].station, at(&app, kind), "{site:?}");
        assert_eq!(g[0].lane, lane, "{site:?}");
        // a grid of another prompt's tokens is not lit on this floor
        let other = PatchLit {
            ids: ids[1..].to_vec(),
            ..lit
        };
        app.insert_resource(PatchLight(Some(other)));
        app.update();
        assert!(
            glows(&mut app).is_empty(),
            "{site:?}: another prompt's grid"
        );
    }
    app.insert_resource(PatchLight(None));
    app.update();
    assert!(glows(&mut app).is_empty());
}

/// At the shipping dock the winner's plaque stands over the tallest bar and names its word and
/// probability (every bar keeps its own label: the plaque covers the tallest's where both show); each
/// booth's part bar says which word its number is toward; and a floor built again in another
/// language (the heads' plates are pictures of words) stands its bars again, the plaque in the
/// new language. The chart's dark board stands behind the bars as tall as its lines shown, and
/// goes with the bars.
#[test]
fn the_plaque_names_the_tallest_bar_and_survives_a_new_language() {
    use factory::i18n::Lang;
    use factory::scene::dock::{BAR_FULL, bar_z};
    use factory::scene::parts::{ChartBoard, PartBar, WinnerPlaque};
    use factory::scene::{ProbBar, WorldLabel};
    let m = model();
    let mut app = headless(m.clone());
    run_prompt(&mut app, "The little dog ran to the");
    update_until(&mut app, "the heads' parts", |w| {
        w.resource::<factory::playback::attribution::HeadAttribution>()
            .of(w.resource::<Floor>())
            .is_some()
    });
    app.update();
    let check = |app: &mut App, winner_word: &str| {
        let dock = app.world().resource::<Dock>().clone();
        let top = &dock.candidates[0];
        let word = dock.labels[0].trim_start_matches('\u{b7}').to_string();
        let (plaque, at) = app
            .world_mut()
            .query_filtered::<(&WorldLabel, &Transform), With<WinnerPlaque>>()
            .single(app.world())
            .map(|(l, t)| (l.text.clone(), t.translation))
            .unwrap();
        assert!(plaque.contains(&format!("{winner_word}{word}")), "{plaque}");
        assert!(
            plaque.contains(&format!("{:.1}", top.prob * 100.0)),
            "{plaque}"
        );
        assert!((at.z - bar_z(0)).abs() < 1e-5, "over the first bar: {at}");
        assert!(at.y > 0.05 + BAR_FULL * top.prob, "above its top: {at}");
        let mut bars: Vec<(usize, String, Visibility)> = app
            .world_mut()
            .query::<(&ProbBar, &WorldLabel, &Visibility)>()
            .iter(app.world())
            .map(|(b, l, v)| (b.0, l.text.clone(), *v))
            .collect();
        bars.sort_by_key(|b| b.0);
        for (rank, text, vis) in bars.iter().take(dock.candidates.len()) {
            assert_eq!(*vis, Visibility::Inherited, "bar {rank} stands");
            // (the tallest bar's label stands under the plaque, which covers it where both show)
            let w = dock.labels[*rank].trim_start_matches('\u{b7}');
            assert!(text.starts_with(w), "bar {rank}: {text} for {w}");
        }
        let parts: Vec<String> = app
            .world_mut()
            .query_filtered::<&WorldLabel, With<PartBar>>()
            .iter(app.world())
            .map(|l| l.text.clone())
            .collect();
        assert_eq!(parts.len(), m.config.n_layer * m.config.n_head);
        for p in parts {
            assert!(p.contains(&word), "a part bar says what it is toward: {p}");
        }
        // the chart's board stands behind the bars up to the first 10 % line above the tallest
        let (board_h, board_vis) = app
            .world_mut()
            .query_filtered::<(&Transform, &Visibility), With<ChartBoard>>()
            .single(app.world())
            .map(|(t, v)| (t.scale.y, *v))
            .unwrap();
        let lines = (1..=10)
            .filter(|&k| (k as f32) / 10.0 < top.prob + 0.1)
            .max();
        let want = BAR_FULL * lines.unwrap() as f32 / 10.0 + 0.3;
        assert_eq!(board_vis, Visibility::Inherited);
        assert!((board_h - want).abs() < 1e-4 && board_h > BAR_FULL * top.prob);
    };
    check(&mut app, "most likely next word: \u{201c}");
    *app.world_mut().resource_mut::<Lang>() = Lang::De;
    for _ in 0..3 {
        app.update();
    }
    check(&mut app, "wahrscheinlichstes nächstes Wort: „");
    // the crates back at the start: the bars are down, and the board with them
    app.world_mut().resource_mut::<Playback>().progress = 0.0;
    app.update();
    let vis = app
        .world_mut()
        .query_filtered::<&Visibility, With<ChartBoard>>()
        .single(app.world())
        .copied()
        .unwrap();
    assert_eq!(vis, Visibility::Hidden, "no chart board without bars");
}

/// Routes in the hall: while the routes tab is open the floor's route is traced (off the main
/// thread) and cut at the slider's threshold: the edges of the model's own route at that threshold;
/// the beams are put away meanwhile. Each edge's line runs from its source node's place (its
/// token's lane at the block's first norm gate, its merge, or the final norm) to its target's; a
/// head's edge crosses its own booth, an FFN's rises over its machine, and the pointer over that
/// rise finds an FFN's edge. Parts switched off: no route. Closed: the beams come back.
#[test]
fn the_route_into_the_last_word_is_lit_where_its_parts_stand() {
    use factory::model::routes::{Flow, Part};
    use factory::scene::routes::{ROUTE_Y, RouteLight, edge_path, nearest_edge, node_point};
    use factory::ui::routes::{RouteTab, light_route};
    let m = model();
    let mut app = headless(m.clone());
    app.insert_resource(BeamSettings { threshold: 0.1 });
    app.insert_resource(factory::ui::UiState {
        models: Vec::new(),
        routes_view: true,
        ..Default::default()
    })
    .init_resource::<RouteTab>()
    .add_systems(Update, light_route);
    run_prompt(&mut app, "The little cat ran to the door and the dog");
    let ids = app.world().resource::<Floor>().history.ids.clone();
    let lit = |app: &App| {
        app.world()
            .resource::<RouteLight>()
            .edges_for(app.world().resource::<Floor>())
            .map(<[_]>::to_vec)
    };
    update_until(&mut app, "the route", |w| {
        w.resource::<RouteLight>().0.is_some()
    });
    app.update();
    let flow = Flow::run(&m.gpt, &ids).unwrap();
    let key = |e: &factory::model::routes::Edge| (e.from, e.to, format!("{:?}", e.part));
    let sorted = |edges: &[factory::model::routes::Edge]| {
        let mut v: Vec<_> = edges.iter().map(key).collect();
        v.sort();
        v
    };
    for threshold in [0.04, 0.015] {
        app.world_mut().resource_mut::<RouteTab>().threshold = threshold;
        app.update();
        let edges = lit(&app).expect("a route for the floor");
        assert_eq!(
            sorted(&edges),
            sorted(&flow.route(threshold)),
            "{threshold}"
        );
    }
    assert!(
        app.world().resource::<Beams>().0.is_empty(),
        "beams put away"
    );
    let edges = lit(&app).unwrap();
    let layout = app.world().resource::<CurrentLayout>().0.clone();
    assert!(
        edges
            .iter()
            .any(|e| matches!(e.part, Part::Attention { .. }))
    );
    assert!(edges.iter().any(|e| matches!(e.part, Part::Ffn)));
    for e in &edges {
        let path = edge_path(&layout, e).expect("every node stands in the hall");
        let (a, b) = (
            node_point(&layout, e.from).unwrap(),
            node_point(&layout, e.to).unwrap(),
        );
        assert_eq!((path[0], *path.last().unwrap()), (a, b), "{e:?}");
        assert!((a.z - layout.token_z(e.from.position)).abs() < 1e-6);
        match e.part {
            Part::Attention { head } => {
                let x = layout
                    .station(StationKind::Booth(e.to.layer, head))
                    .unwrap()
                    .x;
                // across the booth (a word reading itself: a small ring in its lane there)
                let near = |p: &Vec3| (p.x - x).abs() <= 0.5;
                assert!(path[1..path.len() - 1].iter().all(near), "{e:?}");
            }
            Part::Ffn => {
                let s = layout.station(StationKind::Ffn(e.from.layer)).unwrap();
                assert!(
                    path.iter()
                        .any(|p| p.y > ROUTE_Y && (p.x - s.x).abs() <= s.depth)
                );
            }
            _ => assert_eq!(path.len(), 2),
        }
    }
    // seen from the side (x to the right, y up), the pointer over an FFN's rise finds its edge
    let ffn = edges.iter().find(|e| matches!(e.part, Part::Ffn)).unwrap();
    let s = layout.station(StationKind::Ffn(ffn.from.layer)).unwrap();
    let side = |p: Vec3| Some(Vec2::new(p.x * 20.0, -p.y * 20.0));
    let over = side(Vec3::new(s.x, ROUTE_Y + 1.6, 0.0)).unwrap();
    let found = nearest_edge(&layout, &edges, side, over, 6.0).expect("an edge there");
    assert_eq!(edges[found].part, Part::Ffn);
    assert_eq!(edges[found].from.layer, ffn.from.layer);
    // a part switched off: the route of the intact model is not drawn
    app.world_mut().write_message(Request::Ablate(
        factory::model::Ablations::new([factory::model::Ablation::Head(0, 0)], &m.config).unwrap(),
    ));
    settle(&mut app);
    assert_eq!(app.world().resource::<RouteLight>().0, None);
    app.world_mut()
        .write_message(Request::Ablate(factory::model::Ablations::default()));
    settle(&mut app);
    update_until(&mut app, "the route again", |w| {
        w.resource::<RouteLight>().0.is_some()
    });
    app.world_mut()
        .resource_mut::<factory::ui::UiState>()
        .routes_view = false;
    let last = last_station(&app);
    app.world_mut().resource_mut::<Playback>().progress = last;
    app.update();
    app.update();
    assert_eq!(app.world().resource::<RouteLight>().0, None);
    assert!(
        !app.world().resource::<Beams>().0.is_empty(),
        "the beams are back"
    );
}

/// A patched floor whose context fills: the next token slides the window (the last half of the
/// context runs again), and the patch ends there, since its position would now be another token's:
/// the floor says it is unpatched and its numbers are the window's own unpatched run.
#[test]
fn a_patched_floor_that_slides_its_window_is_unpatched() {
    use factory::model::generate::slide_keep;
    use factory::model::patch::{PatchSpec, Site};
    let m = model();
    let mut app = headless(m.clone());
    let n = m.config.n_positions;
    let rest = " the king said to the queen that".repeat(n / 4);
    let (a_text, b_text) = (
        format!("The king said to the queen that{rest}"),
        format!("The cat said to the queen that{rest}"),
    );
    run_prompt(&mut app, &a_text);
    let a = app.world().resource::<Floor>().history.ids.clone();
    assert_eq!(a.len(), n, "the prompt fills the context");
    let spec = PatchSpec {
        clean: a.clone(),
        site: Site::ResidPre,
        layer: 1,
        // a position the slid window has too (where it is another token's)
        index: 1,
    };
    app.world_mut()
        .write_message(Request::Prompt(b_text.clone()));
    app.world_mut()
        .write_message(Request::Patch(Some(spec.clone())));
    settle(&mut app);
    let b = app.world().resource::<Floor>().history.ids.clone();
    assert_eq!(b.len(), n);
    assert_eq!(app.world().resource::<Floor>().patch.as_ref(), Some(&spec));
    app.world_mut().write_message(Request::Append(b[1]));
    settle(&mut app);
    let floor = app.world().resource::<Floor>();
    let mut all = b.clone();
    all.push(b[1]);
    let window = all[all.len() - slide_keep(n)..].to_vec();
    assert_eq!(floor.history.ids, window, "the window slid");
    assert_eq!(floor.patch, None, "and the patch ended");
    let plain = m.gpt.trace(&window, &mut KvCache::new()).unwrap().logits;
    let near = floor
        .history
        .logits
        .iter()
        .zip(&plain)
        .all(|(g, w)| (g - w).abs() < 1e-4);
    assert!(near, "the window's own unpatched numbers");
}

/// The backward pass in the hall (`scene/backward.rs`): with the learning tab's switch on, the
/// crates ride back from the dock to the press and every board they have passed shows the
/// learning step's gradient of its station in the inks (each pixel the gradient's colour on the
/// board's own scale; a board not reached yet the belt's grey), the lamps the neurons' gradients;
/// a step starts the ride again on the new measurement; switched off, the boards show values again.
#[test]
fn the_backward_pass_rides_back_and_paints_the_gradients() {
    use factory::model::backward::Gradients;
    use factory::scene::backward::{Backward, BackwardRide, board_rows};
    use factory::scene::layout::tile;
    use factory::scene::{Board, BoardSource, palette};
    use factory::ui::learn::Learning;
    let m = model();
    let mut app = learning_app(&m);
    let ids = app.world().resource::<Floor>().history.ids.clone();
    {
        let mut learning = app.world_mut().resource_mut::<Learning>();
        learning.backward = true;
        learning.start(&m, &ids, 0);
    }
    update_until(&mut app, "the backward pass shown", |w| {
        w.resource::<Backward>().shown.is_some()
    });
    let last = last_station(&app) as usize;
    // a board near the dock has its gradient before one near the press
    let pixels = |app: &mut App, source: BoardSource| -> Vec<u8> {
        let world = app.world_mut();
        let image = world
            .query::<&Board>()
            .iter(world)
            .find(|b| b.source == source)
            .map(|b| b.image.clone())
            .unwrap();
        let images = world.resource::<Assets<Image>>();
        images.get(&image).unwrap().data.clone().unwrap()
    };
    let expected = |g: &Gradients, source: BoardSource, t: usize, d: usize| {
        let rows = board_rows(g, source).unwrap();
        palette::grad_rgba(rows.at(&[t, d]), palette::board_scale(rows.data.iter()))
    };
    let n = ids.len();
    let c = m.config.n_embd;
    let (across, _) = tile(c, n);
    let at = |px: &[u8], t: usize, d: usize| {
        let (x, y) = (t * across + d % across, d / across);
        let o = (y * n * across + x) * 4;
        px[o..o + 4].to_vec()
    };
    app.update();
    app.update();
    let reached = app.world().resource::<Backward>().reached;
    assert!(reached > 0 && reached <= last + 1, "riding: {reached}");
    let g = app.world().resource::<Backward>().shown.clone().unwrap();
    let near_press = BoardSource::TokEmb;
    assert_eq!(
        at(&pixels(&mut app, near_press), 2, 5),
        palette::pending_rgba().to_vec(),
        "the press's board waits for the ride"
    );
    update_until(&mut app, "the ride back to the press", |w| {
        w.resource::<BackwardRide>().0 == Some(0.0)
    });
    app.update();
    for source in [BoardSource::TokEmb, BoardSource::Ln2(1), BoardSource::LnF] {
        let px = pixels(&mut app, source);
        for (t, d) in [(0, 0), (n - 2, 7), (n - 1, c - 1)] {
            let want = expected(&g, source, t, d).to_vec();
            assert_eq!(at(&px, t, d), want, "{source:?} {t},{d}");
        }
    }
    // the crates stand at the press
    let press = app
        .world()
        .resource::<CurrentLayout>()
        .0
        .crate_position(0, 0.0);
    let world = app.world_mut();
    let first = world
        .query::<(&Crate, &Transform)>()
        .iter(world)
        .find(|(c, _)| c.0 == 0)
        .map(|(_, t)| t.translation)
        .unwrap();
    assert_eq!(first, press);
    // a step: the ride starts again on the new measurement
    app.world_mut().resource_mut::<Learning>().step();
    update_until(&mut app, "the step's backward pass", |w| {
        w.resource::<Backward>()
            .shown
            .as_ref()
            .is_some_and(|s| !Arc::ptr_eq(s, &g))
    });
    settle(&mut app);
    // switched off: values again
    app.world_mut().resource_mut::<Learning>().backward = false;
    app.update();
    app.update();
    assert!(app.world().resource::<Backward>().shown.is_none());
    assert_eq!(app.world().resource::<BackwardRide>().0, None);
    let h = app.world().resource::<Floor>().history.clone();
    let px = pixels(&mut app, BoardSource::Ln2(1));
    let rows = BoardSource::Ln2(1).rows(&h);
    let scale = palette::board_scale(rows.iter().flatten());
    assert_eq!(
        at(&px, 1, 3)[..3],
        palette::value_rgba(rows[1][3], scale)[..3]
    );
    // and the alpha carries the token's spread on the hall's one scale (what a far board draws as
    // its bar): the standard deviation of its vector over the hall's scale of them
    let std = |r: &Vec<f32>| {
        let n = r.len() as f64;
        let mean = r.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        (r.iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n)
            .sqrt()
    };
    let mut sources = vec![BoardSource::TokEmb, BoardSource::Embed, BoardSource::LnF];
    for l in 0..h.layers.len() {
        sources.extend([
            BoardSource::Ln1(l),
            BoardSource::ResidAttn(l),
            BoardSource::Ln2(l),
            BoardSource::ResidFfn(l),
        ]);
    }
    // the hall's scale: the 98th percentile of every token's spread on every board
    let mut all: Vec<f64> = sources
        .iter()
        .flat_map(|s| s.rows(&h).iter().map(std))
        .collect();
    all.sort_by(f64::total_cmp);
    let top = all[((all.len() - 1) as f64 * 0.98).round() as usize];
    let want = (std(&rows[1]) / top).min(1.0) * 254.0;
    let want = want.round();
    let alpha = f64::from(at(&px, 1, 3)[3]);
    assert!(
        (alpha - want).abs() <= 1.0,
        "alpha {alpha}, spread share {want}"
    );
}
