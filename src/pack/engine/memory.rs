//! The rules' memory budget. Rhai's size limits count the elements of arrays, maps and
//! strings, not the data held by function pointers (`Fn("f").curry(big)`), closures or
//! values nested in them, so a script could grow without bound until the process aborts.
//! Here the bytes themselves are counted: [`Counting`] wraps the global allocator (the
//! binary installs it, `src/main.rs`) and keeps, per thread, the bytes allocated minus the
//! bytes freed. An evaluation sets a ceiling ([`Budget::start`]) that the engine's
//! progress callback checks at every operation ([`over_budget`]): past it the script is
//! terminated with a French error, its values are dropped, nothing is written.
//!
//! One operation may only clone what is already held (at most doubling it), except
//! `pad` on a list, which makes as many copies as asked: it is replaced by [`checked_pad`],
//! which stops as soon as the copies go past the ceiling.
//!
//! Without the counting allocator (a library user keeping their own), nothing is counted
//! and only Rhai's own limits apply.

use rhai::{Array, Dynamic, Engine, EvalAltResult, INT, NativeCallContext, Position};
use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

thread_local! {
    /// Bytes allocated minus bytes freed on this thread (frees of memory allocated
    /// elsewhere make it lower: it is only ever compared with itself).
    static HELD: Cell<isize> = const { Cell::new(0) };
    /// The count past which the running evaluation stops; `isize::MAX` outside one.
    static CEILING: Cell<isize> = const { Cell::new(isize::MAX) };
}

fn add(delta: isize) {
    // `try_with`: never panic inside the allocator, even while the thread is torn down.
    let _ = HELD.try_with(|h| h.set(h.get().wrapping_add(delta)));
}

/// A global allocator counting each thread's bytes, around the allocator `A`.
///
/// ```no_run
/// use boussole::pack::engine::memory::Counting;
///
/// #[global_allocator]
/// static ALLOCATOR: Counting<std::alloc::System> = Counting(std::alloc::System);
///
/// fn main() {}
/// ```
pub struct Counting<A>(pub A);

// SAFETY: every call is forwarded unchanged to the wrapped allocator; the counting only
// reads and writes a thread-local `Cell` that needs no allocation nor destructor.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { self.0.dealloc(ptr, layout) };
        add(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// Bytes this thread holds by the count (0 forever without [`Counting`]).
pub fn held() -> isize {
    HELD.try_with(Cell::get).unwrap_or(0)
}

/// Has the running evaluation gone past its ceiling?
pub fn over_budget() -> bool {
    held() > CEILING.try_with(Cell::get).unwrap_or(isize::MAX)
}

/// The memory budget of one evaluation on this thread, lifted when dropped.
pub struct Budget {
    previous: isize,
}

impl Budget {
    /// From now on this thread may hold `bytes` more than it does.
    pub fn start(bytes: usize) -> Budget {
        let ceiling = held().saturating_add(isize::try_from(bytes).unwrap_or(isize::MAX));
        let previous = CEILING.with(|c| c.replace(ceiling));
        Budget { previous }
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        CEILING.with(|c| c.set(self.previous));
    }
}

/// The token the progress callback stops a script with when it goes past its memory.
pub const OVER_BUDGET: &str = "mémoire dépassée";

/// The error ending a script past its memory (what the progress callback returns).
fn terminated() -> Box<EvalAltResult> {
    EvalAltResult::ErrorTerminated(Dynamic::from(OVER_BUDGET.to_string()), Position::NONE).into()
}

/// `list.pad(n, value)` as Rhai's, under Rhai's size limits, also stopping as soon as the
/// copies of `value` go past the evaluation's memory (Rhai counts nothing a function
/// pointer holds, so ten thousand copies of one holding a large list would pass).
pub fn checked_pad(
    ctx: NativeCallContext,
    array: &mut Array,
    len: INT,
    item: Dynamic,
) -> Result<(), Box<EvalAltResult>> {
    let Ok(len) = usize::try_from(len) else {
        return Ok(());
    };
    let max = ctx.engine().max_array_size();
    if max > 0 && len > max {
        return Err(EvalAltResult::ErrorDataTooLarge(
            "Size of array/BLOB".to_string(),
            Position::NONE,
        )
        .into());
    }
    while array.len() < len {
        if over_budget() {
            return Err(terminated());
        }
        array.push(item.clone());
    }
    Ok(())
}

/// Rhai's own functions replaced by guarded versions: no new name for scripts.
pub const GUARDED: &[&str] = &["pad"];

/// Registers the guarded replacements of Rhai's functions that copy without bound.
pub fn register(engine: &mut Engine) {
    engine.register_fn(GUARDED[0], checked_pad);
}
