//! Why a number is what it is: the formula behind a board cell or a lamp, with the real operands
//! (the floor's rows and the model's own weights, recomputed by the model where the floor does not
//! keep them). The inspector shows them for the selected cell or neuron.

use std::sync::Arc;

use super::job::Job;
use crate::i18n::Lang;
use crate::model::config::Activation;
use crate::model::{Ablation, Ablations, Gpt, LoadedModel, NormSite};
use crate::playback::history::History;
use crate::playback::{Dock, Floor};
use crate::scene::BoardSource;
use crate::tr;

/// A formula with its operands filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    /// The formula, written out with the numbers.
    pub text: String,
    /// The operands by name (as the formula calls them).
    pub operands: Vec<(&'static str, f32)>,
    /// What the formula gives (the shown number, recomputed from the operands).
    pub value: f32,
}

/// A head's role in general (over the model's held-out text, from its folder's `heads.json`), or
/// how to measure it for the model in `dir`.
pub fn role_line(
    ui: &mut bevy_egui::egui::Ui,
    roles: &crate::playback::roles::HeadRoles,
    dir: Option<String>,
    (l, hd): (usize, usize),
    lg: Lang,
) {
    match roles.of(l, hd) {
        Some(r) => {
            ui.label(crate::scene::layout::role_text(lg, r));
        }
        None => {
            ui.weak(tr!(lg, "inspector-no-roles", dir = dir.unwrap_or_default()));
        }
    }
}

/// Lamp (`l`, `n`)'s card in words: "This lamp lights most for:" and up to `max` places of the
/// model's held-out text, the strongest token in [brackets]; or how to make the cards for the model
/// in `dir`.
pub fn card_lines(
    cards: &crate::playback::roles::LampCardsRes,
    tok: &crate::model::Tokenizer,
    (l, n, max): (usize, usize, usize),
    dir: &str,
    lg: Lang,
) -> Vec<String> {
    match cards.of(l, n) {
        Some(card) => std::iter::once(tr!(lg, "lamp-lights-most"))
            .chain(card.iter().take(max).map(|lit| {
                let text = crate::model::lamps::context_text(tok, lit);
                format!("\u{2026}{text}\u{2026}  ({:+.2})", lit.value)
            }))
            .collect(),
        None => vec![tr!(lg, "lamp-no-cards", dir = dir)],
    }
}

/// A plain sentence that leads a tooltip or an inspector entry: a little larger and brighter than
/// the numbers under it.
pub fn lead(ui: &mut bevy_egui::egui::Ui, text: String) {
    let colour = ui.visuals().strong_text_color();
    ui.label(
        bevy_egui::egui::RichText::new(text)
            .size(super::MIN_TEXT + 2.0)
            .color(colour),
    );
}

/// A token as a visitor reads it, in plain words: its text without the leading-space mark, in
/// quotation marks ("dog"); a token of spaces or line breaks is named as such.
pub fn word(text: &str, l: Lang) -> String {
    let t = text.trim_start_matches('\u{b7}').trim();
    if t.is_empty() {
        tr!(l, "word-space")
    } else {
        tr!(l, "word-quoted", w = t)
    }
}

/// What the inspector and the crate's tooltip say about token `t`'s surprise.
pub fn surprise_line(
    surprise: &crate::playback::surprise::TokenSurprise,
    floor: &crate::playback::Floor,
    t: usize,
    l: Lang,
) -> String {
    match surprise.of(floor, t) {
        _ if t == 0 => tr!(l, "inspector-first-token"),
        Some(s) => {
            let nats = format!("{s:.2}");
            let p = format!("{:.2}", 100.0 * (-s).exp());
            let mut text = tr!(l, "inspector-surprise", nats = nats, p = p);
            if !floor.ablations.is_empty() {
                text.push_str(&tr!(l, "inspector-surprise-whole"));
            }
            text
        }
        None if surprise.failed => tr!(l, "inspector-surprise-failed"),
        None => tr!(l, "inspector-surprise-waiting"),
    }
}

/// The residual stream entering `layer` for token `t` (the embedding sum for layer 0).
fn stream_into(h: &History, layer: usize, t: usize) -> Option<&[f32]> {
    match layer {
        0 => h.embed.get(t).map(Vec::as_slice),
        l => h.layers.get(l - 1)?.resid_ffn.get(t).map(Vec::as_slice),
    }
}

/// " + 0.1234" or " - 0.1234": a term added, its sign written once.
fn plus(v: f64) -> String {
    format!(" {} {:.4}", if v < 0.0 { "-" } else { "+" }, v.abs())
}

fn layer_norm(
    x: &[f32],
    d: usize,
    site: NormSite,
    name: &str,
    gpt: &Gpt,
    lg: Lang,
) -> Option<Formula> {
    let n = x.len() as f64;
    let mean = x.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = x.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
    let (gamma, beta, eps) = gpt.norm_at(site, d).ok()?;
    let xd = *x.get(d)?;
    let value = ((xd as f64 - mean) / (var + eps).sqrt() * gamma as f64 + beta as f64) as f32;
    Some(Formula {
        text: format!(
            "{name} = (x - mean) / sqrt(var + eps) · gain + shift = ({xd:+.4}{}) / \
             sqrt({var:.4} + {eps:e}) · {gamma:+.4}{} = {value:+.4}  ({})",
            plus(-mean),
            plus(beta as f64),
            tr!(lg, "explain-norm", n = x.len())
        ),
        operands: vec![
            ("x", xd),
            ("mean", mean as f32),
            ("var", var as f32),
            ("gain", gamma),
            ("shift", beta),
        ],
        value,
    })
}

fn sum(text: String, a: (&'static str, f32), b: (&'static str, f32)) -> Formula {
    let value = a.1 + b.1;
    Formula {
        text: format!("{text} = {:+.4}{} = {value:+.4}", a.1, plus(b.1 as f64)),
        operands: vec![a, b],
        value,
    }
}

/// What a formula is asked for: a board's cell (board, token, dimension) or a lamp (layer, neuron,
/// token).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Asked {
    /// Dimension `d` of token `t` on a board.
    Cell(BoardSource, usize, usize),
    /// Neuron `i` of `layer`'s FFN for token `t`.
    Lamp(usize, usize, usize),
}

/// The floor's rows a formula reads, copied out of the floor so that the model's part of the work
/// can run on the task pool: the token's id and at most two rows (which ones depends on the board).
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    id: u32,
    x: Vec<f32>,
    y: Vec<f32>,
}

impl Rows {
    /// The rows `asked` reads: for an embedding the wte and wpe rows, for a norm the stream coming
    /// in, for a residual the stream and what is added to it, for a lamp the ln_2 row.
    pub fn of(h: &History, asked: Asked) -> Option<Self> {
        let t = match asked {
            Asked::Cell(_, t, _) | Asked::Lamp(_, _, t) => t,
        };
        let row = |r: Option<&Vec<Vec<f32>>>| r.and_then(|r| r.get(t)).cloned();
        let layer = |l: usize| h.layers.get(l);
        let (x, y) = match asked {
            Asked::Cell(BoardSource::TokEmb | BoardSource::Embed, ..) => {
                (row(Some(&h.tok_emb))?, row(Some(&h.pos_emb))?)
            }
            Asked::Cell(BoardSource::Ln1(l), ..) => (stream_into(h, l, t)?.to_vec(), vec![]),
            Asked::Cell(BoardSource::Ln2(l), ..) => (row(layer(l).map(|r| &r.resid_attn))?, vec![]),
            Asked::Cell(BoardSource::LnF, ..) => {
                (row(h.layers.last().map(|r| &r.resid_ffn))?, vec![])
            }
            Asked::Cell(BoardSource::ResidAttn(l), ..) => (
                stream_into(h, l, t)?.to_vec(),
                row(layer(l).map(|r| &r.attn_proj))?,
            ),
            Asked::Cell(BoardSource::ResidFfn(l), ..) => (
                row(layer(l).map(|r| &r.resid_attn))?,
                row(layer(l).map(|r| &r.ffn_act))?,
            ),
            Asked::Lamp(l, _, _) => (row(layer(l).map(|r| &r.ln_2))?, vec![]),
        };
        Some(Self {
            id: *h.ids.get(t)?,
            x,
            y,
        })
    }

    /// The formula `asked` from these rows and the model's own weights.
    pub fn formula(&self, gpt: &Gpt, off: &Ablations, asked: Asked, lg: Lang) -> Option<Formula> {
        match asked {
            Asked::Cell(src, t, d) => self.cell(gpt, off, src, t, d, lg),
            Asked::Lamp(layer, i, _) => lamp_from(&self.x, gpt, off, layer, i, lg),
        }
    }

    fn cell(
        &self,
        gpt: &Gpt,
        off: &Ablations,
        src: BoardSource,
        t: usize,
        d: usize,
        lg: Lang,
    ) -> Option<Formula> {
        let (id, x, y) = (self.id, &self.x, &self.y);
        match src {
            BoardSource::TokEmb => {
                let v = *x.get(d)?;
                Some(Formula {
                    text: format!(
                        "wte[{id}][{d}] = {v:+.4}  ({})",
                        tr!(lg, "explain-wte", id = id)
                    ),
                    operands: vec![("wte", v)],
                    value: v,
                })
            }
            BoardSource::Embed if off.contains(Ablation::Positions) => Some(sum(
                format!("wte[{id}][{d}] + 0 ({})", tr!(lg, "explain-no-wpe")),
                ("wte", *x.get(d)?),
                ("wpe", 0.0),
            )),
            BoardSource::Embed => Some(sum(
                format!(
                    "wte[{id}][{d}] + wpe[{t}][{d}] ({})",
                    tr!(lg, "explain-wte-wpe")
                ),
                ("wte", *x.get(d)?),
                ("wpe", *y.get(d)?),
            )),
            BoardSource::Ln1(l) => layer_norm(x, d, NormSite::Ln1(l), "ln_1", gpt, lg),
            BoardSource::Ln2(l) => layer_norm(x, d, NormSite::Ln2(l), "ln_2", gpt, lg),
            BoardSource::LnF => layer_norm(x, d, NormSite::Final, "ln_f", gpt, lg),
            BoardSource::ResidAttn(_) => Some(sum(
                tr!(lg, "explain-resid-attn"),
                ("stream", *x.get(d)?),
                ("attention", *y.get(d)?),
            )),
            BoardSource::ResidFfn(l) if off.mlp_off(l) => Some(sum(
                tr!(lg, "explain-resid-no-ffn"),
                ("stream", *x.get(d)?),
                ("ffn", 0.0),
            )),
            BoardSource::ResidFfn(l) => Some(sum(
                tr!(lg, "explain-resid-ffn"),
                ("stream", *x.get(d)?),
                ("ffn", gpt.ffn_out(l, y, d).ok()?),
            )),
        }
    }
}

/// The formula behind dimension `d` of token `t` on a board.
pub fn board_cell(
    h: &History,
    gpt: &Gpt,
    off: &Ablations,
    src: BoardSource,
    t: usize,
    d: usize,
    lg: Lang,
) -> Option<Formula> {
    let asked = Asked::Cell(src, t, d);
    Rows::of(h, asked)?.formula(gpt, off, asked, lg)
}

/// The formula behind neuron `i` of `layer`'s FFN for token `t`: GELU of its pre-activation.
pub fn lamp(
    h: &History,
    gpt: &Gpt,
    off: &Ablations,
    layer: usize,
    i: usize,
    t: usize,
    lg: Lang,
) -> Option<Formula> {
    let asked = Asked::Lamp(layer, i, t);
    Rows::of(h, asked)?.formula(gpt, off, asked, lg)
}

/// What a formula was computed for: the floor's version, the model, what was asked, the language.
type FormulaKey = (u64, usize, Asked, Lang);

/// Formulas computed on the task pool, once per thing asked (a formula reads a column of a weight
/// matrix: too slow to redo every frame a tooltip is shown on a large model).
pub type FormulaJob = Job<FormulaKey, Option<Formula>>;

/// The formula `asked` on `floor`, from `job`: none while it is computed (or where there is none).
pub fn formula_of(
    job: &mut FormulaJob,
    floor: &Floor,
    model: &Arc<LoadedModel>,
    asked: Asked,
    lg: Lang,
    blocking: bool,
) -> Option<Formula> {
    let key = (floor.version, Arc::as_ptr(model) as usize, asked, lg);
    let found = job.get(key, blocking, || {
        let (rows, model) = (Rows::of(&floor.history, asked), model.clone());
        let off = floor.ablations.clone();
        move || rows?.formula(&model.gpt, &off, asked, lg)
    });
    found.ready().cloned().flatten()
}

/// The lamp's formula from its token's ln_2 row.
fn lamp_from(
    ln_2: &[f32],
    gpt: &Gpt,
    off: &Ablations,
    layer: usize,
    i: usize,
    lg: Lang,
) -> Option<Formula> {
    let p = gpt.ffn_pre(layer, ln_2, i).ok()?;
    if off.contains(Ablation::Neuron(layer, i)) {
        return Some(Formula {
            text: tr!(lg, "explain-neuron-off", p = format!("{p:+.4}")),
            operands: vec![("p", p)],
            value: 0.0,
        });
    }
    let (value, how) = match gpt.config().activation {
        Activation::GeluTanh => {
            let inner =
                (2.0 / std::f64::consts::PI).sqrt() * (p as f64 + 0.044715 * (p as f64).powi(3));
            (
                (0.5 * p as f64 * (1.0 + inner.tanh())) as f32,
                "0.5 · p · (1 + tanh(sqrt(2/pi) · (p + 0.044715 · p³)))",
            )
        }
        Activation::GeluErf => (
            (0.5 * p as f64 * (1.0 + libm_erf(p as f64 / std::f64::consts::SQRT_2))) as f32,
            "0.5 · p · (1 + erf(p / sqrt 2))",
        ),
    };
    Some(Formula {
        text: format!(
            "GELU(p) = {how} = {value:+.4}, p = ln_2 · c_fc[{i}] + bias = {p:+.4} ({})",
            tr!(lg, "explain-gelu")
        ),
        operands: vec![("p", p)],
        value,
    })
}

/// The arithmetic of dock bar `i`, with its operands: the softmax of logit / T over the tokens
/// that top-k and top-p kept (or, at T = 0, the top token taken outright). A title and its lines.
pub fn bar(dock: &Dock, i: usize, lg: Lang) -> Option<(String, Vec<String>)> {
    let (f, c, label, &logit) = (
        dock.filtering.as_ref()?,
        dock.candidates.get(i)?,
        dock.labels.get(i)?,
        dock.logits.get(i)?,
    );
    let pct = format!("{:.1}", c.prob * 100.0);
    let title = tr!(lg, "why-bar", token = label, p = pct);
    if f.temperature == 0.0 {
        let greedy = tr!(lg, "why-bar-greedy", logit = format!("{logit:.2}"));
        return Some((title, vec![greedy]));
    }
    let lines = vec![
        format!(
            "p = exp((logit − max) / T) / Σ = exp(({logit:.2} − {:.2}) / {:.2}) / {:.3} = {:.1}%",
            f.max_logit,
            f.temperature,
            f.kept_sum,
            c.prob * 100.0
        ),
        tr!(
            lg,
            "why-bar-kept",
            kept = f.kept,
            topk = f.after_top_k,
            vocab = f.vocab,
            cut = f.vocab - f.kept
        ),
        tr!(lg, "why-bar-logit"),
    ];
    Some((title, lines))
}

/// Where an operand of a board cell's formula lives on the floor: another board (the same token
/// and dimension there hold the operand's value), or a station without a board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    /// This board's cell at the same token and dimension.
    Board(BoardSource),
    /// This station (its lamps, its booths).
    Station(crate::scene::layout::StationKind),
}

/// Where operand `name` of a `src` cell's formula lives (none for the model's own weights, such
/// as a LayerNorm's gain, and for mean and var, which are the whole column's).
pub fn operand_home(src: BoardSource, name: &str, n_layer: usize) -> Option<Home> {
    use crate::scene::layout::StationKind;
    Some(match (src, name) {
        (BoardSource::Embed, "wte") => Home::Board(BoardSource::TokEmb),
        // a norm's x: the stream coming into it
        (norm, "x") => Home::Board(norm.norm_input(n_layer)?),
        // the stream an attention or FFN output is added to: what came into its norm
        (BoardSource::ResidAttn(l), "stream") => {
            Home::Board(BoardSource::Ln1(l).norm_input(n_layer)?)
        }
        (BoardSource::ResidFfn(l), "stream") => {
            Home::Board(BoardSource::Ln2(l).norm_input(n_layer)?)
        }
        (BoardSource::ResidAttn(l), "attention") => Home::Station(StationKind::Merge(l)),
        (BoardSource::ResidFfn(l), "ffn") => Home::Station(StationKind::Ffn(l)),
        _ => return None,
    })
}

/// erf to about 1e-7 (Abramowitz and Stegun 7.1.26 is too coarse; this is its series/continued
/// fraction pair, enough for a formula shown to four decimals).
fn libm_erf(x: f64) -> f64 {
    let sign = x.signum();
    let x = x.abs();
    let value = if x < 2.5 {
        // Maclaurin series
        let mut term = x;
        let mut sum = x;
        for n in 1..60 {
            term *= -x * x / n as f64;
            sum += term / (2 * n + 1) as f64;
        }
        2.0 / std::f64::consts::PI.sqrt() * sum
    } else {
        // continued fraction for erfc
        let mut f = 0.0;
        for n in (1..60).rev() {
            f = n as f64 / 2.0 / (x + f);
        }
        1.0 - (-x * x).exp() / std::f64::consts::PI.sqrt() / (x + f)
    };
    sign * value
}
