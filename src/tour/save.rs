//! "Save this view as a tour stop": the camera's station, angle and distance, the selection and the
//! room, written as one more `Stop(...)` into a tour file, so a teacher builds a lecture by flying
//! and clicking. The file is edited as text (its comments and layout stay as the teacher wrote
//! them), checked by parsing the result, and replaced only when that succeeds.

use std::path::{Path, PathBuf};

use super::file::{Action, Highlight, Station, Tour, TourError};
use crate::rooms::Room;

/// What a saved stop records.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedView {
    /// The station nearest to where the camera looks.
    pub station: Station,
    /// The camera: yaw and pitch (radians), distance (world units).
    pub yaw: f32,
    /// Angle above the horizon.
    pub pitch: f32,
    /// Distance from the focus.
    pub distance: f32,
    /// What is selected.
    pub highlight: Vec<Highlight>,
    /// The room the camera is in, if any.
    pub room: Option<Room>,
    /// Whether the adding stations' boards show what they added (the drawer's switch).
    pub added: bool,
}

/// Where saved stops go unless `--save-tour` says otherwise: `my-tour.ron` in the current folder.
pub fn default_save_path() -> PathBuf {
    PathBuf::from("my-tour.ron")
}

/// The `Stop(...)` text for a view, numbered `n` in its title; `added_before`: whether the stops
/// before leave the adding stations' boards showing what they added (a tour's `ShowAdded` holds
/// until a stop changes it, so the stop says so only where its view differs).
pub fn stop_text(view: &SavedView, n: usize, added_before: bool) -> String {
    let highlight: Vec<String> = view.highlight.iter().map(|h| format!("{h:?}")).collect();
    let mut s = format!(
        "        Stop(\n            title: \"{n}. (a title)\",\n            text: \"(the caption: what to look at here)\",\n            station: {:?},\n",
        view.station
    );
    if let Some(room) = view.room {
        s.push_str(&format!("            room: Some({room:?}),\n"));
    }
    // a 3D room has its own view; a window room opens beside the station's view, kept as it was
    if !view.room.is_some_and(Room::is_place) {
        s.push_str(&format!(
            "            camera: Pose(yaw: Some({:.3}), pitch: Some({:.3}), distance: Some({:.1})),\n",
            view.yaw, view.pitch, view.distance
        ));
    }
    s.push_str("            seconds: 12.0,\n");
    if !highlight.is_empty() {
        s.push_str(&format!(
            "            highlight: [{}],\n",
            highlight.join(", ")
        ));
    }
    let added = if view.added == added_before {
        String::new()
    } else {
        format!(", ShowAdded({})", view.added)
    };
    s.push_str(&format!(
        "            actions: [ShowUpTo({:?}){added}],\n        ),\n",
        view.station
    ));
    s
}

/// Whether `tour`'s stops, played to the end, leave the adding stations' boards showing what
/// they added (its last `ShowAdded`).
fn leaves_added(tour: &Tour) -> bool {
    let mut all = tour
        .stops
        .iter()
        .flat_map(|s| s.actions.iter().filter_map(Action::show_added));
    all.next_back().unwrap_or(false)
}

/// A new tour file holding one stop.
fn new_file(stop: &str) -> String {
    format!(
        "// A tour made in the factory with \"Save view as tour stop\" (K). Write the titles and\n\
         // captions, then play it: factory --tour FILE. The format is in the README (Guided tour).\n\
         Tour(\n    title: \"My tour\",\n    stops: [\n{stop}    ],\n)\n"
    )
}

/// `existing` (a tour file's text, or None for a new file) with `view` appended as its last stop:
/// the new text and the stop's number. An existing file that does not parse is an error (and is
/// left alone by [`save_view`]).
pub fn append_stop(
    existing: Option<&str>,
    view: &SavedView,
    path: &Path,
) -> Result<(String, usize), TourError> {
    let Some(text) = existing.filter(|t| !t.trim().is_empty()) else {
        return Ok((new_file(&stop_text(view, 1, false)), 1));
    };
    let before = Tour::parse(text, path)?;
    let n = before.stops.len() + 1;
    let stop = stop_text(view, n, leaves_added(&before));
    // the list's closing bracket is one of the last ones: try each from the end until the text
    // parses with one stop more (a bracket inside a caption or a comment does not)
    for (at, _) in text.rmatch_indices(']').take(32) {
        let head = text[..at].trim_end();
        let comma = if head.ends_with(',') || head.ends_with('[') {
            ""
        } else {
            ","
        };
        let candidate = format!("{head}{comma}\n{stop}    {}", &text[at..]);
        if let Ok(t) = Tour::parse(&candidate, path)
            && t.stops.len() == n
            && t.stops.last().is_some_and(|s| s.station == view.station)
        {
            return Ok((candidate, n));
        }
    }
    Err(TourError::Read {
        path: path.to_owned(),
        problem: "could not find where its list of stops ends".into(),
    })
}

/// Appends `view` to the tour file at `path` (made if missing); returns the stop's number. The
/// file is replaced in one step (written beside it, then renamed), so a failure leaves it as it was.
pub fn save_view(path: &Path, view: &SavedView) -> Result<usize, TourError> {
    let io = |e: std::io::Error| TourError::Read {
        path: path.to_owned(),
        problem: e.to_string(),
    };
    let existing = match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let (text, n) = append_stop(existing.as_deref(), view, path)?;
    // a linked file is replaced where it really lives; the temporary name is this process's own
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let tmp = target.with_extension(format!("ron.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text).map_err(io)?;
    if let Ok(meta) = std::fs::metadata(&target) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, &target).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::layout::StationKind;

    fn view(station: Station) -> SavedView {
        SavedView {
            station,
            yaw: 0.9,
            pitch: 0.4,
            distance: 22.0,
            highlight: vec![Highlight::Token(2), Highlight::Head(0, 1)],
            room: None,
            added: false,
        }
    }

    #[test]
    fn a_new_file_holds_the_view_as_its_stop() {
        let p = Path::new("t.ron");
        let (text, n) = append_stop(None, &view(StationKind::Booth(0, 1)), p).unwrap();
        assert_eq!(n, 1);
        let t = Tour::parse(&text, p).unwrap();
        let s = &t.stops[0];
        assert_eq!(s.station, StationKind::Booth(0, 1));
        assert_eq!(s.camera.yaw, Some(0.9));
        assert_eq!(s.camera.distance, Some(22.0));
        assert_eq!(
            s.highlight,
            vec![Highlight::Token(2), Highlight::Head(0, 1)]
        );
    }

    #[test]
    fn appending_keeps_what_the_teacher_wrote() {
        let p = Path::new("t.ron");
        let mine = "// my lecture [draft]\nTour(title: \"Mine\", stops: [\n    Stop(title: \"Intro [1]\", text: \"Look ] here\", station: Dock, seconds: 5.0)\n])\n// the end\n";
        let mut v = view(StationKind::Shipping);
        v.room = Some(Room::Scale);
        let (text, n) = append_stop(Some(mine), &v, p).unwrap();
        assert_eq!(n, 2);
        assert!(text.starts_with("// my lecture [draft]\n"));
        assert!(text.contains("text: \"Look ] here\""));
        assert!(text.ends_with("// the end\n"));
        let t = Tour::parse(&text, p).unwrap();
        assert_eq!(t.stops.len(), 2);
        assert_eq!(t.stops[0].title, "Intro [1]");
        assert_eq!(t.stops[1].room, Some(Room::Scale));
        // and again, after a trailing comma
        let (again, n) = append_stop(Some(&text), &view(StationKind::Dock), p).unwrap();
        assert_eq!(n, 3);
        assert_eq!(Tour::parse(&again, p).unwrap().stops.len(), 3);
    }

    #[test]
    fn a_stop_says_show_added_only_where_its_view_differs_from_the_stops_before() {
        let p = Path::new("t.ron");
        let shows = |t: &Tour, i: usize| {
            let set = t.stops[i].actions.iter().filter_map(Action::show_added);
            set.collect::<Vec<_>>()
        };
        let (text, _) = append_stop(None, &view(StationKind::Dock), p).unwrap();
        let mut on = view(StationKind::Merge(0));
        on.added = true;
        let (text, _) = append_stop(Some(&text), &on, p).unwrap();
        let (text, _) = append_stop(Some(&text), &on, p).unwrap();
        let (text, _) = append_stop(Some(&text), &view(StationKind::Ffn(0)), p).unwrap();
        let t = Tour::parse(&text, p).unwrap();
        let each: Vec<Vec<bool>> = (0..4).map(|i| shows(&t, i)).collect();
        assert_eq!(each, [vec![], vec![true], vec![], vec![false]]);
    }

    #[test]
    fn a_broken_file_is_an_error_and_stays_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.ron");
        std::fs::write(&path, "Tour(title: \"x\", stops: [").unwrap();
        assert!(save_view(&path, &view(StationKind::Dock)).is_err());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "Tour(title: \"x\", stops: ["
        );
        let empty = dir.path().join("empty.ron");
        std::fs::write(&empty, "  \n").unwrap();
        assert_eq!(save_view(&empty, &view(StationKind::Dock)).unwrap(), 1);
        let fresh = dir.path().join("new.ron");
        assert_eq!(save_view(&fresh, &view(StationKind::Dock)).unwrap(), 1);
        assert_eq!(save_view(&fresh, &view(StationKind::Position)).unwrap(), 2);
        assert_eq!(Tour::load(&fresh).unwrap().stops.len(), 2);
    }
}
