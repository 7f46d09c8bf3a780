//! Runtime SIMD dispatch.
//!
//! The crate is compiled for the baseline x86-64 target (no `target-cpu=native`) so the same
//! binary runs under valgrind, which cannot execute AVX-512. Hot loops are compiled twice: a
//! baseline body and an AVX2+FMA body selected once per call by CPU detection. AVX-512 is
//! deliberately never selected, so the path measured natively is the path callgrind counts.

/// Environment variable that forces the baseline bodies: `AUDIOBENCH_SIMD=baseline`.
pub const FORCE_ENV: &str = "AUDIOBENCH_SIMD";

/// The instruction-set path the dispatching kernels take on this CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimdPath {
    /// AVX2 + FMA bodies.
    Avx2,
    /// The compiler's baseline (SSE2 on x86-64, or whatever the target guarantees).
    Baseline,
}

impl SimdPath {
    /// The path for this process: the CPU's best, unless `AUDIOBENCH_SIMD=baseline` forces the
    /// baseline bodies (to measure or test them on an AVX2 machine). Decided once, then a cached
    /// read.
    pub fn detect() -> Self {
        static PATH: std::sync::OnceLock<SimdPath> = std::sync::OnceLock::new();
        *PATH.get_or_init(|| match std::env::var(FORCE_ENV).as_deref() {
            Ok("baseline") => SimdPath::Baseline,
            _ => Self::cpu(),
        })
    }

    /// The best path this CPU supports, ignoring any override.
    pub fn cpu() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                return SimdPath::Avx2;
            }
        }
        SimdPath::Baseline
    }

    /// Name recorded with results so a run says which code it measured.
    pub fn name(self) -> &'static str {
        match self {
            SimdPath::Avx2 => "avx2+fma",
            SimdPath::Baseline => "baseline",
        }
    }
}

/// Define a slice kernel twice — generic baseline and AVX2+FMA — plus a safe dispatcher.
///
/// The body is written once as an `#[inline(always)]` function; the AVX2 wrapper only changes
/// which instructions LLVM may use when it vectorizes it.
macro_rules! dispatch_kernel {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)? => $body:ident
    ) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                unsafe fn avx2($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                if $crate::simd::SimdPath::detect() == $crate::simd::SimdPath::Avx2 {
                    // SAFETY: the CPU reports AVX2 and FMA, the only features `avx2` enables.
                    return unsafe { avx2($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
}
pub(crate) use dispatch_kernel;
