//! Where a recording goes: the checks on the frames and stills folders, the captions' path beside
//! the output, and the MP4 encoded from the frames with ffmpeg.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// True when the output is an `.mp4` file (else it is a folder for PNG frames).
pub(super) fn is_mp4(out: &Path) -> bool {
    out.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("mp4"))
}

/// Fails unless ffmpeg is on PATH, which writing `out` (an `.mp4`) needs.
pub(super) fn require_ffmpeg(out: &Path) -> Result<()> {
    if which("ffmpeg").is_none() {
        bail!(
            "writing {} needs ffmpeg on PATH (apt-get install ffmpeg); or give a folder to get PNG frames",
            out.display()
        );
    }
    Ok(())
}

fn which(cmd: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(cmd))
            .find(|f| f.is_file())
    })
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("factory-record-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The folder the frames are written to: a fresh temporary one for an MP4, else `out` itself
/// (created if needed), which must not hold frames already.
pub(super) fn frames_folder(out: &Path, mp4: bool) -> Result<PathBuf> {
    if mp4 {
        return tempfile_dir();
    }
    if out.is_file() {
        bail!(
            "{} is a file; give a folder for the frames or a path ending in .mp4",
            out.display()
        );
    }
    std::fs::create_dir_all(out).with_context(|| format!("could not create {}", out.display()))?;
    if std::fs::read_dir(out)?.any(|e| {
        e.ok()
            .is_some_and(|e| e.file_name().to_string_lossy().starts_with("frame_"))
    }) {
        bail!(
            "{} already holds frames; choose an empty folder so nothing is overwritten",
            out.display()
        );
    }
    Ok(out.to_owned())
}

/// Creates the folder for the stills (one per tour stop) and fails if it holds stills already.
pub(super) fn check_stills_folder(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    if std::fs::read_dir(dir)?.any(|e| {
        e.ok()
            .is_some_and(|e| e.file_name().to_string_lossy().starts_with("stop-"))
    }) {
        bail!(
            "{} already holds stills; choose an empty folder so nothing is overwritten",
            dir.display()
        );
    }
    Ok(())
}

/// The captions as shown, beside the output: OUT.vtt for OUT.mp4, OUT/captions.vtt for frames.
pub(super) fn captions_path(out: &Path, mp4: bool) -> PathBuf {
    if mp4 {
        out.with_extension("vtt")
    } else {
        out.join("captions.vtt")
    }
}

/// Where the chapters go, beside the captions (`captions_path`): `OUT.chapters.vtt` and
/// `OUT.chapters.txt` for an MP4 (captions `OUT.vtt`), `OUT/chapters.vtt` and `OUT/chapters.txt` for a
/// folder of frames (captions `OUT/captions.vtt`).
pub(super) fn chapters_paths(captions: &Path) -> [PathBuf; 2] {
    if captions.file_name().is_some_and(|n| n == "captions.vtt") {
        ["chapters.vtt", "chapters.txt"].map(|name| captions.with_file_name(name))
    } else {
        ["chapters.vtt", "chapters.txt"].map(|ext| captions.with_extension(ext))
    }
}

/// Encodes the numbered frames in `frames_dir` into `out` at `fps` with ffmpeg, then removes the
/// frames (whether or not ffmpeg succeeded).
pub(super) fn encode_mp4(out: &Path, fps: u32, frames_dir: &Path) -> Result<()> {
    let status = std::process::Command::new("ffmpeg")
        .args(["-y", "-loglevel", "error", "-framerate"])
        .arg(fps.to_string())
        .arg("-i")
        .arg(frames_dir.join("frame_%05d.png"))
        .args([
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-vf",
            "pad=ceil(iw/2)*2:ceil(ih/2)*2",
        ])
        .arg(out)
        .status()
        .context("could not run ffmpeg")?;
    let _ = std::fs::remove_dir_all(frames_dir);
    if !status.success() {
        bail!("ffmpeg failed ({status})");
    }
    Ok(())
}
