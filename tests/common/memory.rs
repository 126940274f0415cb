//! Memory gauges for the kiosk soak (`tests/scene.rs`): the test binary's allocator is the one the
//! factory binary ships (jemalloc), counting the bytes the program holds; the settings the binary
//! gives jemalloc (read from `src/main.rs`) reach a soak run in a process of its own through
//! jemalloc's environment variable, and are checked there against what jemalloc reports.
//!
//! A test binary cannot link the binary's `_rjem_malloc_conf` (it is a symbol of `src/main.rs`,
//! which no test links), and exporting a copy here would give every test in the binary those
//! settings and could drift from the binary's; the environment variable gives them to the soak's
//! process alone, and the check fails when they do not take.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicIsize, Ordering};

/// An allocator that counts the bytes held: asked for and not yet given back.
pub struct Counting<A> {
    inner: A,
    held: AtomicIsize,
}

impl<A> Counting<A> {
    const fn new(inner: A) -> Self {
        Self {
            inner,
            held: AtomicIsize::new(0),
        }
    }
}

// SAFETY: every call goes to the inner allocator unchanged; only the count is added.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees for `layout` are passed on.
        let p = unsafe { self.inner.alloc(layout) };
        if !p.is_null() {
            self.held
                .fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { self.inner.alloc_zeroed(layout) };
        if !p.is_null() {
            self.held
                .fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator with `layout` (the caller's guarantee).
        unsafe { self.inner.dealloc(ptr, layout) };
        self.held
            .fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`, and `new_size` as the caller guarantees.
        let p = unsafe { self.inner.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            self.held.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        p
    }
}

#[cfg(all(unix, not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: Counting<tikv_jemallocator::Jemalloc> =
    Counting::new(tikv_jemallocator::Jemalloc);

#[cfg(not(all(unix, not(target_env = "musl"))))]
#[global_allocator]
static ALLOCATOR: Counting<std::alloc::System> = Counting::new(std::alloc::System);

/// Bytes the program holds now (Rust's heap: every allocation not yet freed, by the size asked).
pub fn held_bytes() -> isize {
    ALLOCATOR.held.load(Ordering::Relaxed)
}

/// The environment variable jemalloc reads its settings from, in the prefixed build the
/// tikv-jemallocator crate makes (`_rjem_`): read once, when jemalloc starts.
pub const CONF_ENV: &str = "_RJEM_MALLOC_CONF";

/// The settings the factory binary gives jemalloc: the `_rjem_malloc_conf` string of `src/main.rs`.
pub fn shipped_malloc_conf() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/main.rs");
    let main = std::fs::read_to_string(path).expect("src/main.rs");
    let at = main.find("\"_rjem_malloc_conf\"").unwrap_or_else(|| {
        panic!(
            "src/main.rs no longer sets jemalloc's settings with `_rjem_malloc_conf`: give the \
             kiosk soak the binary's settings the new way"
        )
    });
    let rest = &main[at..];
    let start = rest
        .find("b\"")
        .expect("the settings are a byte string after `_rjem_malloc_conf`")
        + 2;
    let len = rest[start..]
        .find("\\0\"")
        .expect("the settings end in \\0");
    let conf = rest[start..start + len].to_owned();
    assert!(
        conf.split(',').all(|kv| kv.split_once(':').is_some()),
        "settings {conf:?} are not key:value pairs"
    );
    conf
}

/// Checks that jemalloc runs with `conf` (its `opt.<key>` equals each key:value), and says what it
/// found. Fails when jemalloc does not know a key or reports another value.
#[cfg(all(unix, not(target_env = "musl")))]
pub fn check_jemalloc_settings(conf: &str) -> String {
    use std::ffi::{CStr, CString, c_char, c_int, c_void};
    use std::mem::MaybeUninit;

    unsafe extern "C" {
        /// jemalloc's control interface (prefixed `_rjem_` by tikv-jemalloc-sys).
        #[link_name = "_rjem_mallctl"]
        fn mallctl(
            name: *const c_char,
            oldp: *mut c_void,
            oldlenp: *mut usize,
            newp: *mut c_void,
            newlen: usize,
        ) -> c_int;
    }

    /// Reads option `name` as a `T` (jemalloc checks the size), or none.
    fn read<T: Copy>(name: &CStr) -> Option<T> {
        let mut value = MaybeUninit::<T>::uninit();
        let mut len = size_of::<T>();
        // SAFETY: `value` has room for `len` bytes, `name` is a C string, nothing is written.
        let rc = unsafe {
            mallctl(
                name.as_ptr(),
                value.as_mut_ptr().cast(),
                &mut len,
                std::ptr::null_mut(),
                0,
            )
        };
        // SAFETY: jemalloc wrote `len` = size_of::<T>() bytes of a value of that type.
        (rc == 0 && len == size_of::<T>()).then(|| unsafe { value.assume_init() })
    }

    let mut seen = Vec::new();
    for pair in conf.split(',') {
        let (key, want) = pair.split_once(':').expect("key:value");
        let name = CString::new(format!("opt.{key}")).unwrap();
        let got = if want == "true" || want == "false" {
            read::<u8>(&name).map(|b| (b != 0).to_string())
        } else if want.parse::<i64>().is_ok() {
            // ssize_t and size_t options, or unsigned ones
            read::<i64>(&name)
                .map(|v| v.to_string())
                .or_else(|| read::<u32>(&name).map(|v| v.to_string()))
        } else {
            read::<*const c_char>(&name)
                .filter(|p| !p.is_null())
                // SAFETY: jemalloc's option strings are static C strings.
                .map(|p| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
        };
        let got = got.unwrap_or_else(|| panic!("jemalloc has no option {key} (from {conf:?})"));
        // a kernel without transparent huge pages makes jemalloc report them unsupported
        let fine = got == want || (key == "thp" && got == "not supported");
        assert!(
            fine,
            "jemalloc runs with {key}:{got}, the binary asks for {key}:{want}"
        );
        seen.push(format!("{key}:{got}"));
    }
    seen.join(",")
}

/// Without jemalloc (a platform the binary does not use it on) there is nothing to check.
#[cfg(not(all(unix, not(target_env = "musl"))))]
pub fn check_jemalloc_settings(_conf: &str) -> String {
    "the system allocator (the binary does not use jemalloc here)".into()
}

/// Resident memory of this process in KiB; the soak cannot judge memory without it, so it fails.
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status")
        .expect("the soak test reads its memory from /proc/self/status");
    let kib = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .expect("/proc/self/status has a VmRSS line in KiB");
    assert!(kib > 0, "resident memory read as 0 KiB");
    kib
}
