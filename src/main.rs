//! The `factory` binary: parse the command line and run the chosen command.

/// jemalloc keeps freed memory for reuse; with glibc's malloc every large tensor buffer went back
/// to the OS and the next one page-faulted in again (see README, Speed).
#[cfg(all(unix, not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings, read at its start: freed memory is kept for reuse, not handed back to the
/// OS as it is freed (`dirty_decay_ms:-1`, `muzzy_decay_ms:-1`), and in huge pages (`thp:always`). A
/// long prompt's trace allocates gigabytes of short-lived tensors; handed back and faulted in again
/// page by page, they cost more time in the kernel than the arithmetic (GPT-2 small, 1024 tokens:
/// 4.2 s -> 2.1 s; any decay, even 30 s, made it a third slower again). The free pages go back once a
/// floor has stood quiet for a few seconds instead ([`purge`], called by the app).
#[cfg(all(unix, not(target_env = "musl")))]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static MALLOC_CONF: &[u8; 47] = b"thp:always,dirty_decay_ms:-1,muzzy_decay_ms:-1\0";

#[cfg(all(unix, not(target_env = "musl")))]
unsafe extern "C" {
    #[link_name = "_rjem_mallctl"]
    fn mallctl(
        name: *const std::ffi::c_char,
        oldp: *mut std::ffi::c_void,
        oldlenp: *mut usize,
        newp: *mut std::ffi::c_void,
        newlen: usize,
    ) -> std::ffi::c_int;
}

/// Hands every jemalloc arena's free pages back to the OS (`arena.<MALLCTL_ARENAS_ALL>.purge`), and
/// glibc's too (`malloc_trim`): the C libraries underneath, the software renderer among them,
/// allocate with glibc's malloc, not ours.
#[cfg(all(unix, not(target_env = "musl")))]
fn purge() {
    // SAFETY: a documented mallctl name, NUL-terminated, that reads and writes nothing; malloc_trim
    // takes no pointer.
    unsafe {
        #[cfg(target_env = "gnu")]
        libc::malloc_trim(0);
        mallctl(
            c"arena.4096.purge".as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        );
    }
}

fn main() -> std::process::ExitCode {
    // (FACTORY_KEEP_FREED_MEMORY=1 keeps every freed page, as before: to measure what the purge saves)
    #[cfg(all(unix, not(target_env = "musl")))]
    if std::env::var_os("FACTORY_KEEP_FREED_MEMORY").is_none() {
        factory::playback::memory::set_purge(purge);
    }
    factory::cli::main()
}
