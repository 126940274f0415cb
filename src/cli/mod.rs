//! The command line: `factory [view]`, `factory trace`, `factory generate`, `factory bench`,
//! `factory train`, `factory record`, `factory neighbours`, `factory score`. Arguments live in [`args`], each command's body in its own file.
//!
//! Errors end here: each command returns `anyhow::Result`, printed as one readable message.

mod args;
mod bench;
mod heads;
mod inspect;
mod lamps;
mod learn;
mod patch;
mod routes;
mod train;
mod view;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

pub use args::parse_size;
use args::{
    BenchArgs, GenerateArgs, NeighboursArgs, RecordArgs, ScoreArgs, TraceArgs, TrainArgs, ViewArgs,
};

/// Transformer Factory: walk through a real GPT-2-style language model.
#[derive(Debug, Parser)]
#[command(name = "factory", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    view: ViewArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Open the 3D factory (the default when no command is given).
    View(ViewArgs),
    /// Run a prompt once and print tokens, next-token guesses and attention.
    Trace(TraceArgs),
    /// Continue a prompt, one cached step per new token.
    Generate(GenerateArgs),
    /// Measure the model's speed (median of many runs).
    Bench(BenchArgs),
    /// Train a tokenizer and a GPT-2 from scratch on text files.
    Train(TrainArgs),
    /// Render a guided tour off-screen to PNG frames or an MP4, deterministically.
    Record(RecordArgs),
    /// Nearest tokens in embedding space by cosine, or vector arithmetic ("king - man + woman").
    Neighbours(NeighboursArgs),
    /// How surprised the model is by texts: cross-entropy and per-token / per-word perplexity.
    Score(ScoreArgs),
    /// What each attention head does in general, over a text: previous, first, self, induction.
    Heads(heads::HeadsArgs),
    /// Every FFN lamp's card: where in a text it lights most (or --search: the lamps of a word).
    Lamps(lamps::LampsArgs),
    /// Learn one text: its loss, the gradient at every station and weight, and updates to a copy
    /// of the weights in memory (the file is never written).
    Learn(learn::LearnArgs),
    /// Activation patching: the corrupted prompt's run with one activation from the clean one,
    /// for every layer and position (or head).
    Patch(patch::PatchArgs),
    /// The information-flow route into the last token: the parts above a threshold.
    Routes(routes::RoutesArgs),
}

/// Parses the command line, runs the command, prints any error; the process's exit code.
pub fn main() -> ExitCode {
    pin_thread_count();
    let cli = Cli::parse();
    if cli.command.as_ref().is_some_and(Command::prints) {
        quiet_on_closed_pipe();
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// candle asks the OS for the CPU count on every matmul unless `RAYON_NUM_THREADS` is set, which
/// made a one-token step 3× slower here (1.0 ms instead of 0.3 ms). Set it once, before any thread starts.
fn pin_thread_count() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        // SAFETY: called first thing in main, while the process has a single thread.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", n.to_string()) };
    }
}

impl Command {
    /// True for the commands that print their results (and may be piped into `head`); not for the
    /// viewer, the kiosk, training or recording, whose output is a window, files or a log.
    fn prints(&self) -> bool {
        matches!(
            self,
            Self::Trace(_)
                | Self::Generate(_)
                | Self::Bench(_)
                | Self::Neighbours(_)
                | Self::Score(_)
                | Self::Heads(_)
                | Self::Lamps(_)
                | Self::Learn(_)
                | Self::Patch(_)
                | Self::Routes(_)
        )
    }
}

/// Restores the default action for SIGPIPE, so that `factory trace ... | head` ends quietly like
/// other command-line tools instead of panicking in `println!` on a closed pipe. Only the printing
/// commands: a window app keeps Rust's default (a closed pipe is an error it can report).
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called before the command starts any thread of its own.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        None => view::view(cli.view),
        Some(Command::View(args)) => view::view(args),
        Some(Command::Trace(args)) => inspect::trace(args),
        Some(Command::Generate(args)) => inspect::generate(args),
        Some(Command::Bench(args)) => bench::bench(args),
        Some(Command::Train(args)) => train::train(args),
        Some(Command::Record(args)) => view::record(args),
        Some(Command::Neighbours(args)) => inspect::neighbours(args),
        Some(Command::Score(args)) => inspect::score(args),
        Some(Command::Heads(args)) => heads::heads(args),
        Some(Command::Lamps(args)) => lamps::lamps(args),
        Some(Command::Learn(args)) => learn::learn_command(args),
        Some(Command::Patch(args)) => patch::patch_command(args),
        Some(Command::Routes(args)) => routes::routes_command(args),
    }
}
