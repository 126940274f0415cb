//! The `factory` binary: parse the command line and run the chosen command.

/// jemalloc keeps freed memory for reuse; with glibc's malloc every large tensor buffer went back
/// to the OS and the next one page-faulted in again (see README, Speed).
#[cfg(all(unix, not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings, read at its start: freed memory is kept for reuse, never handed back to the
/// OS (`dirty_decay_ms:-1`, `muzzy_decay_ms:-1`), and in huge pages (`thp:always`). A long prompt's
/// trace allocates gigabytes of short-lived tensors; handed back and faulted in again page by page,
/// they cost more time in the kernel than the arithmetic (GPT-2 small, 1024 tokens: 4.2 s -> 2.1 s).
/// The process keeps its peak memory until it exits.
#[cfg(all(unix, not(target_env = "musl")))]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static MALLOC_CONF: &[u8; 47] = b"thp:always,dirty_decay_ms:-1,muzzy_decay_ms:-1\0";

fn main() -> std::process::ExitCode {
    factory::cli::main()
}
