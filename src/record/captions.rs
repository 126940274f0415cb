//! What a recording shows over the scene, frame by frame, and the subtitles written from it: the
//! title card first, then each tour stop's caption, as WebVTT cues timed by the frames.

use super::RecordOptions;
use crate::tour::Tour;

/// What a recorded frame shows over the scene.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Nothing (the tour has ended).
    Nothing,
    /// The title card.
    Title,
    /// A tour stop's caption.
    Stop(usize),
}

/// The title card's two lines: the tour's title; the model, its size and the prompt (the tour is
/// the one the player already loaded and checked).
pub(super) fn title_lines(opts: &RecordOptions, tour: Option<&Tour>) -> [String; 2] {
    let prompt = opts.prompt.clone().or_else(|| {
        tour?
            .stops
            .iter()
            .flat_map(|s| &s.actions)
            .find_map(|a| match a {
                crate::tour::Action::Prompt(p) => Some(p.clone()),
                _ => None,
            })
    });
    let name = opts
        .model
        .dir
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let l = opts.lang;
    let params = crate::i18n::count_words(l, opts.model.config.n_params() as f64);
    let mut sub = crate::tr!(l, "title-card-sub", model = name, params = params);
    if let Some(p) = prompt {
        sub.push_str(&format!(" · \u{201c}{p}\u{201d}"));
    }
    [
        tour.map_or_else(|| crate::tr!(l, "title-card-default"), |t| t.title.clone()),
        sub,
    ]
}

/// `h:mm:ss.mmm` of frame `i` at `fps`.
pub(super) fn cue_time(frame: usize, fps: u32) -> String {
    let ms = (frame as u64 * 1000 + fps as u64 / 2) / fps as u64;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// The captions as shown, as WebVTT: one cue per run of frames showing the same stop, timed by
/// the frames themselves (frame `i` is at `i / fps` seconds).
pub fn captions_vtt(shown: &[Shown], fps: u32, tour: Option<&Tour>, title: &[String; 2]) -> String {
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace("-->", "->")
    };
    let mut out = String::from("WEBVTT\n");
    let mut cue = 0;
    let mut start = 0;
    for end in 1..=shown.len() {
        if end < shown.len() && shown[end] == shown[start] {
            continue;
        }
        let lines = match (shown[start], tour) {
            (Shown::Title, _) => Some((title[0].clone(), title[1].clone())),
            (Shown::Stop(i), Some(tour)) => {
                tour.stops.get(i).map(|s| (s.title.clone(), s.text.clone()))
            }
            _ => None,
        };
        if let Some((head, text)) = lines {
            cue += 1;
            out.push_str(&format!(
                "\n{cue}\n{} --> {}\n{}\n{}\n",
                cue_time(start, fps),
                cue_time(end, fps),
                escape(&head),
                escape(&text)
            ));
        }
        start = end;
    }
    out
}
