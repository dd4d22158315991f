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
    // SAFETY: `mi_collect` only walks mimalloc's own heaps (the allocator above) and may be
    // called at any time from any thread.
    boussole::cli::on_release_freed_memory(|| unsafe { libmimalloc_sys::mi_collect(true) });
    std::process::exit(boussole::cli::main());
}
