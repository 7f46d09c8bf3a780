//! Callgrind client requests, issued with the magic instruction sequence valgrind recognises
//! (the same bytes `valgrind.h`'s macros emit on amd64, so no C headers or bindgen are needed).
//! Outside valgrind the sequence is a no-op: the four rotations of `rdi` add up to 128 bits and
//! `xchg rbx, rbx` changes nothing; `RUNNING_ON_VALGRIND` then returns the default, 0.

#[cfg(target_arch = "x86_64")]
fn request(code: u64, arg1: u64) -> u64 {
    let args: [u64; 6] = [code, arg1, 0, 0, 0, 0];
    let result: u64;
    // SAFETY: the sequence reads `args` through rax and writes rdx, and leaves rdi as it was
    // (it is still declared clobbered so the compiler keeps nothing there).
    unsafe {
        std::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            in("rax") args.as_ptr(),
            inout("rdx") 0u64 => result,
            out("rdi") _,
            options(nostack),
        );
    }
    result
}

#[cfg(not(target_arch = "x86_64"))]
fn request(_code: u64, _arg1: u64) -> u64 {
    0
}

const RUNNING_ON_VALGRIND: u64 = 0x1001;
const CALLGRIND_BASE: u64 = ((b'C' as u64) << 24) | ((b'T' as u64) << 16);
const TOGGLE_COLLECT: u64 = CALLGRIND_BASE + 2;
const DUMP_STATS_AT: u64 = CALLGRIND_BASE + 3;
const ZERO_STATS: u64 = CALLGRIND_BASE + 1;

/// True when this process runs under valgrind.
pub fn running_on_valgrind() -> bool {
    request(RUNNING_ON_VALGRIND, 0) != 0
}

/// Flip callgrind's "collect" state (the profiler starts it with `--collect-atstart=no`).
pub fn toggle_collect() {
    request(TOGGLE_COLLECT, 0);
}

/// Zero the counters.
pub fn zero_stats() {
    request(ZERO_STATS, 0);
}

/// Write a dump named `label` (the label goes into the dump's `desc:` line) and zero the
/// counters.
pub fn dump_stats_at(label: &str) {
    let c = std::ffi::CString::new(label.replace('\0', " ")).unwrap_or_default();
    request(DUMP_STATS_AT, c.as_ptr() as u64);
}
