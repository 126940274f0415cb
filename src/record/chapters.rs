//! A recording's chapters, for video sites and players: one per tour stop, timed by the frames, as
//! WebVTT chapters and as the plain `00:00 Title` list that video sites read from a description.
//! Video sites take chapters that start at 00:00 and last at least ten seconds each (and at least
//! three of them): the title card is merged into the first chapter, and a stop shorter than that
//! joins the chapter before it.

use super::captions::{Shown, cue_time};
use crate::tour::Tour;

/// The shortest chapter video sites take, in seconds.
pub const MIN_CHAPTER_SECONDS: f64 = 10.0;

/// The fewest chapters video sites take.
pub const MIN_CHAPTERS: usize = 3;

/// A chapter: its first frame and its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// The frame it starts at.
    pub start: usize,
    /// The title of its (first) stop.
    pub title: String,
}

/// The chapters of the frames `shown` at `fps`: one per stop of `tour`, the first at frame 0 (the
/// title card is part of it), each at least [`MIN_CHAPTER_SECONDS`] long (a shorter stop, the last
/// one included, joins the chapter before it). Without stops: one chapter, the title card's.
pub fn chapters(shown: &[Shown], fps: u32, tour: Option<&Tour>, title: &str) -> Vec<Chapter> {
    let min = (MIN_CHAPTER_SECONDS * f64::from(fps)).ceil() as usize;
    let stop_title = |i: usize| {
        tour.and_then(|t| t.stops.get(i))
            .map_or_else(|| format!("{}", i + 1), |s| s.title.clone())
    };
    let mut out: Vec<Chapter> = Vec::new();
    let mut last_stop = None;
    for (frame, s) in shown.iter().enumerate() {
        let Shown::Stop(i) = *s else { continue };
        if last_stop == Some(i) {
            continue;
        }
        last_stop = Some(i);
        match out.last() {
            None => out.push(Chapter {
                start: 0,
                title: stop_title(i),
            }),
            Some(c) if frame - c.start < min => {}
            Some(_) => out.push(Chapter {
                start: frame,
                title: stop_title(i),
            }),
        }
    }
    if out.len() > 1 && out.last().is_some_and(|c| shown.len() - c.start < min) {
        out.pop();
    }
    if out.is_empty() && !shown.is_empty() {
        out.push(Chapter {
            start: 0,
            title: title.to_string(),
        });
    }
    out
}

/// `00:00` (or `0:00:00` from an hour on) of frame `frame` at `fps`, rounded down to the second.
fn clock(frame: usize, fps: u32) -> String {
    let s = frame as u64 / u64::from(fps);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// The chapters as WebVTT chapters (`kind="chapters"` in a player): a cue per chapter, from its
/// start to the next one's (the last to frame `frames`).
pub fn chapters_vtt(chapters: &[Chapter], frames: usize, fps: u32) -> String {
    let mut out = String::from("WEBVTT\n");
    for (n, c) in chapters.iter().enumerate() {
        let end = chapters.get(n + 1).map_or(frames, |next| next.start);
        out.push_str(&format!(
            "\n{}\n{} --> {}\n{}\n",
            n + 1,
            cue_time(c.start, fps),
            cue_time(end, fps),
            c.title.replace("-->", "->")
        ));
    }
    out
}

/// The chapters as the list video sites read from a description: `00:00 Title`, one a line.
pub fn chapters_txt(chapters: &[Chapter], fps: u32) -> String {
    chapters
        .iter()
        .map(|c| format!("{} {}\n", clock(c.start, fps), c.title.replace('\n', " ")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(runs: &[(Shown, usize)]) -> Vec<Shown> {
        runs.iter()
            .flat_map(|&(s, n)| std::iter::repeat_n(s, n))
            .collect()
    }

    #[test]
    fn short_stops_join_the_chapter_before_and_the_title_card_the_first() {
        // at 2 fps: title 3 s, stops of 13, 4, 8, 12 and 5 s
        let shown = frames(&[
            (Shown::Title, 6),
            (Shown::Stop(0), 26),
            (Shown::Stop(1), 8),
            (Shown::Stop(2), 16),
            (Shown::Stop(3), 24),
            (Shown::Stop(4), 10),
        ]);
        let c = chapters(&shown, 2, None, "t");
        let starts: Vec<(usize, &str)> = c.iter().map(|c| (c.start, c.title.as_str())).collect();
        // stop 1 starts 16 s into the first chapter: a chapter of its own; stop 2 comes 4 s after
        // it, so it joins that chapter; stop 3 starts one; stop 4 (the last 5 s) joins it
        assert_eq!(starts, [(0, "1"), (32, "2"), (56, "4")]);
        for (n, ch) in c.iter().enumerate() {
            let end = c.get(n + 1).map_or(shown.len(), |x| x.start);
            assert!(end - ch.start >= 20, "chapter {n} is under 10 s");
        }
        assert_eq!(chapters_txt(&c, 2), "00:00 1\n00:16 2\n00:28 4\n");
        let vtt = chapters_vtt(&c, shown.len(), 2);
        assert!(vtt.starts_with("WEBVTT\n\n1\n00:00:00.000 --> 00:00:16.000\n1\n"));
        assert!(
            vtt.ends_with("3\n00:00:28.000 --> 00:00:45.000\n4\n"),
            "{vtt}"
        );
    }

    #[test]
    fn the_default_tour_has_chapters_video_sites_take() {
        let path = crate::tour::file::default_tour_path();
        let tour = Tour::load(&path).unwrap();
        let fps = 30;
        let mut runs = vec![(Shown::Title, 3 * fps)];
        for (i, stop) in tour.stops.iter().enumerate() {
            runs.push((Shown::Stop(i), (stop.seconds * fps as f32).round() as usize));
        }
        let shown = frames(&runs);
        let c = chapters(&shown, fps as u32, Some(&tour), "t");
        assert!(c.len() >= MIN_CHAPTERS, "{c:?}");
        assert_eq!(c[0].start, 0);
        assert_eq!(c[0].title, tour.stops[0].title);
        for (n, ch) in c.iter().enumerate() {
            let end = c.get(n + 1).map_or(shown.len(), |x| x.start);
            assert!(
                end - ch.start >= 10 * fps,
                "chapter {n} ({}) is under 10 s",
                ch.title
            );
        }
    }

    #[test]
    fn without_stops_the_title_card_is_the_one_chapter() {
        let shown = frames(&[(Shown::Title, 30), (Shown::Nothing, 10)]);
        let c = chapters(&shown, 10, None, "The tour");
        assert_eq!(
            c,
            [Chapter {
                start: 0,
                title: "The tour".into()
            }]
        );
        assert_eq!(clock(3600 * 10 + 65 * 10, 10), "1:01:05");
    }
}
