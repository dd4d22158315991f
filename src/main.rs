//! The `boussole` binary: parse arguments, call the library, print errors once in French,
//! map them to exit statuses.

use boussole::pack::engine::memory::Counting;

/// mimalloc keeps freed memory for reuse instead of returning large blocks to the system,
/// which the writer's growing buffers otherwise pay for in page faults (docs/performance.md).
/// Around it, each thread's bytes are counted so that a rule script's memory is bounded
/// (`pack::engine::memory`, docs/fiabilite.md).
#[global_allocator]
static ALLOCATOR: Counting<mimalloc::MiMalloc> = Counting(mimalloc::MiMalloc);

fn main() {
    // mimalloc asks the system for transparent huge pages (`madvise`), and the kernel then
    // zeroes and counts 2 MiB for a page of which a short run touches a few KiB: without
    // them the national sample's run peaks at 53 MB instead of 88 MB, `run --by-region` at
    // 92 MB instead of 151 MB, in the same time (docs/performance.md). Set before any large
    // allocation; a child process would inherit the flag, and boussole starts none.
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag on this process' memory map; it takes no
    // pointer and cannot fail in a way that matters (huge pages stay allowed then).
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    // SAFETY: `mi_collect` only walks mimalloc's own heaps (the allocator above) and may be
    // called at any time from any thread.
    boussole::cli::on_release_freed_memory(|| unsafe { libmimalloc_sys::mi_collect(true) });
    std::process::exit(boussole::cli::main());
}
