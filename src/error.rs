//! Errors carried to the edge and printed once, in French, with an exit status.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use thiserror::Error;

/// Exit statuses (documented in `docs/codes-sortie.md`).
pub mod exit {
    /// Everything succeeded.
    pub const OK: i32 = 0;
    /// Unexpected internal failure.
    pub const INTERNAL: i32 = 1;
    /// The command line was wrong (clap's own status).
    pub const USAGE: i32 = 2;
    /// An input workbook could not be read or cannot serve.
    pub const INPUT: i32 = 3;
    /// The rule pack is invalid (manifest, script compile or runtime error, lint errors).
    pub const PACK: i32 = 4;
    /// Writing an output failed or was refused (existing output without `--force`).
    pub const OUTPUT: i32 = 5;
    /// Pack test cases failed.
    pub const TESTS_FAILED: i32 = 6;
}

#[derive(Debug, Error)]
pub enum Error {
    /// An input workbook cannot be read or cannot serve; the message says what and where.
    #[error("{0}")]
    Input(String),
    /// The rule pack is invalid.
    #[error("{0}")]
    Pack(String),
    /// An output cannot be written.
    #[error("{0}")]
    Output(String),
    /// Pack test cases failed (the report was already printed).
    #[error("{0}")]
    TestsFailed(String),
    #[error("erreur interne : {0}")]
    Internal(String),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => exit::INPUT,
            Error::Pack(_) => exit::PACK,
            Error::Output(_) => exit::OUTPUT,
            Error::TestsFailed(_) => exit::TESTS_FAILED,
            Error::Internal(_) => exit::INTERNAL,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Is the current thread inside [`catch_panic`]? The binary's panic hook stays silent then:
/// the panic is turned into a French refusal, not shown as a crash.
pub fn panic_is_guarded() -> bool {
    GUARDED.with(Cell::get)
}

/// Runs `work` on this thread; a panic inside it (a library that panics instead of
/// returning an error) becomes the error `on_panic` makes, and the panic hook stays silent.
pub(crate) fn catch_panic<T>(
    work: impl FnOnce() -> Result<T>,
    on_panic: impl FnOnce() -> Error,
) -> Result<T> {
    let was = GUARDED.with(|g| g.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(work));
    GUARDED.with(|g| g.set(was));
    outcome.unwrap_or_else(|_| Err(on_panic()))
}
