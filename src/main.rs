//! The `factory` binary: parse the command line and run the chosen command.

/// jemalloc keeps freed memory for reuse; with glibc's malloc every large tensor buffer went back
/// to the OS and the next one page-faulted in again (see README, Speed).
#[cfg(all(unix, not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings, read at its start. Freed memory is kept for reuse for ten seconds
/// (`dirty_decay_ms:10000`) and then handed back to the OS by jemalloc's own background thread
/// (`background_thread:true`, so an idle window returns it too), in huge pages (`thp:always`). A long
/// prompt's trace allocates and frees gigabytes of short-lived tensors within a second: they are
/// reused instead of page-faulted in again (handing them back at once cost more time in the kernel
/// than the arithmetic: GPT-2 small, 1024 tokens, 4.2 s -> 2.1 s), while a kiosk that once ran a long
/// prompt does not keep that peak for months (README, Speed, has the measurements).
#[cfg(all(unix, not(target_env = "musl")))]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static MALLOC_CONF: &[u8; 72] =
    b"thp:always,background_thread:true,dirty_decay_ms:10000,muzzy_decay_ms:0\0";

fn main() -> std::process::ExitCode {
    factory::cli::main()
}
