//! The `boussole` binary: parse arguments, call the library, print errors once in French,
//! map them to exit statuses.

/// mimalloc keeps freed memory for reuse instead of returning large blocks to the system,
/// which the writer's growing buffers otherwise pay for in page faults (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(boussole::cli::main());
}
