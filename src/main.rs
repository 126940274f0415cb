//! The `factory` binary: parse the command line and run the chosen command.

fn main() -> std::process::ExitCode {
    factory::cli::main()
}
