//! Runtime SIMD dispatch.
//!
//! The crate is compiled for the baseline x86-64 target (no `target-cpu=native`) so the same
//! binary runs under valgrind, which cannot execute AVX-512. Hot loops are compiled up to three
//! times — a baseline body, an AVX2+FMA body and, for the kernels where it was measured to pay,
//! an AVX-512 (F, BW, VL) body — and one is selected per call from CPU detection.
//!
//! valgrind hides AVX-512 from the CPUID it emulates, so under callgrind every kernel takes at
//! most its AVX2 body: instruction counts always come from the AVX2 (or baseline) path, while
//! native wall times on an AVX-512 CPU come from the widest body a kernel has.

/// Environment variable that caps the bodies taken: `AUDIOBENCH_SIMD=avx2` or `baseline`.
pub const FORCE_ENV: &str = "AUDIOBENCH_SIMD";

/// An instruction-set path, narrowest first (the order is the `Ord`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SimdPath {
    /// The compiler's baseline (SSE2 on x86-64, or whatever the target guarantees).
    Baseline,
    /// AVX2 + FMA bodies.
    Avx2,
    /// AVX-512 F + BW + VL bodies (with AVX2 and FMA).
    Avx512,
}

impl SimdPath {
    /// The widest path for this process: the CPU's best, capped by `AUDIOBENCH_SIMD=avx2` or
    /// `baseline` (to measure or test narrower bodies on a wider CPU). Decided once, then a
    /// cached read.
    pub fn detect() -> Self {
        static PATH: std::sync::OnceLock<SimdPath> = std::sync::OnceLock::new();
        *PATH.get_or_init(|| {
            let cap = match std::env::var(FORCE_ENV).as_deref() {
                Ok("baseline") => SimdPath::Baseline,
                Ok("avx2") => SimdPath::Avx2,
                _ => SimdPath::Avx512,
            };
            Self::cpu().min(cap)
        })
    }

    /// The widest path this CPU supports, ignoring any cap. Decided once, then a cached read.
    pub fn cpu() -> Self {
        static CPU: std::sync::OnceLock<SimdPath> = std::sync::OnceLock::new();
        *CPU.get_or_init(Self::probe)
    }

    fn probe() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            if has!("avx2") && has!("fma") {
                if has!("avx512f") && has!("avx512bw") && has!("avx512vl") {
                    return SimdPath::Avx512;
                }
                return SimdPath::Avx2;
            }
        }
        SimdPath::Baseline
    }

    /// The path a kernel whose widest body is `widest` takes in this process.
    pub fn for_kernel(widest: SimdPath) -> Self {
        Self::detect().min(widest)
    }

    /// Name recorded with results so a run says which code it measured.
    pub fn name(self) -> &'static str {
        match self {
            SimdPath::Avx512 => "avx512",
            SimdPath::Avx2 => "avx2+fma",
            SimdPath::Baseline => "baseline",
        }
    }
}

/// A dispatching kernel and the widest body it has; `dispatch_kernel!` registers one per kernel.
#[derive(Debug)]
pub struct KernelSimd {
    /// `module::function` of the dispatcher, e.g. `audiobench_core::direct::convert::f32_to_i16_dispatch`.
    pub name: &'static str,
    /// The widest body compiled for it.
    pub widest: SimdPath,
}

inventory::collect!(KernelSimd);

/// Each dispatching kernel with the path it takes in this process, sorted by name: what a run
/// records so that every number says which body produced it.
pub fn kernel_paths() -> Vec<(&'static str, SimdPath)> {
    let mut paths: Vec<_> =
        inventory::iter::<KernelSimd>.into_iter().map(|k| (k.name, SimdPath::for_kernel(k.widest))).collect();
    paths.sort();
    paths
}

/// Define a slice kernel with runtime dispatch: a safe dispatcher `$name` and `$on(path, ..)`,
/// which runs the body compiled for `path` (narrowed to what the CPU has, so it is always safe;
/// tests use it to compare every body the CPU can run).
///
/// The body is written once as an `#[inline(always)]` function; each wrapper only changes which
/// instructions LLVM may use when it vectorizes it. `avx512 fn …` adds the AVX-512 body: only
/// for kernels where it was measured to be faster (it is not everywhere: wider vectors can lose
/// on short loops and reductions).
macro_rules! dispatch_kernel {
    (
        $(#[$meta:meta])*
        avx512 $vis:vis fn $name:ident, $on:ident($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)? => $body:ident
    ) => {
        $crate::simd::dispatch_kernel!(@define [$crate::simd::SimdPath::Avx512] $(#[$meta])* $vis fn $name, $on($($arg: $ty),*) $(-> $ret)? => $body);
    };
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident, $on:ident($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)? => $body:ident
    ) => {
        $crate::simd::dispatch_kernel!(@define [$crate::simd::SimdPath::Avx2] $(#[$meta])* $vis fn $name, $on($($arg: $ty),*) $(-> $ret)? => $body);
    };
    (
        @define [$widest:expr]
        $(#[$meta:meta])*
        $vis:vis fn $name:ident, $on:ident($($arg:ident : $ty:ty),*) $(-> $ret:ty)? => $body:ident
    ) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            // `for_kernel` is at most `detect()`, itself at most what the CPU has: no check on
            // the per-call path beyond that cached read.
            let path = $crate::simd::SimdPath::for_kernel($widest);
            $crate::simd::dispatch_kernel!(@select path, ($($arg: $ty),*) $(-> $ret)? => $body)
        }

        ::inventory::submit! {
            $crate::simd::KernelSimd { name: concat!(module_path!(), "::", stringify!($name)), widest: $widest }
        }

        #[allow(dead_code, clippy::too_many_arguments)]
        pub(crate) fn $on(path: $crate::simd::SimdPath, $($arg: $ty),*) $(-> $ret)? {
            // Never a body the CPU cannot run, whatever the caller asked for.
            let path = path.min($crate::simd::SimdPath::cpu()).min($widest);
            $crate::simd::dispatch_kernel!(@select path, ($($arg: $ty),*) $(-> $ret)? => $body)
        }
    };
    // The body compiled for `$path`, which the caller guarantees the CPU can run.
    (@select $path:ident, ($($arg:ident : $ty:ty),*) $(-> $ret:ty)? => $body:ident) => {{
        #[cfg(target_arch = "x86_64")]
        {
            #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")]
            unsafe fn avx512($($arg: $ty),*) $(-> $ret)? {
                $body($($arg),*)
            }
            #[target_feature(enable = "avx2,fma")]
            unsafe fn avx2($($arg: $ty),*) $(-> $ret)? {
                $body($($arg),*)
            }
            match $path {
                // SAFETY: `$path` is at most what the CPU reports (`SimdPath::cpu`).
                $crate::simd::SimdPath::Avx512 => return unsafe { avx512($($arg),*) },
                // SAFETY: as above: the CPU reports AVX2 and FMA.
                $crate::simd::SimdPath::Avx2 => return unsafe { avx2($($arg),*) },
                $crate::simd::SimdPath::Baseline => {}
            }
        }
        let _ = $path;
        $body($($arg),*)
    }};
}
pub(crate) use dispatch_kernel;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dispatching_kernel_is_registered_with_its_widest_body() {
        let paths = kernel_paths();
        let names: Vec<&str> = paths.iter().map(|(n, _)| n.rsplit("::").next().unwrap()).collect();
        // The kernels with an AVX-512 body: where it was measured to pay.
        let avx512 = ["f32_to_i16_dispatch", "render"];
        for kernel in [
            "f32_to_i16_dispatch",
            "i16_to_f32_dispatch",
            "f32_to_i32_dispatch",
            "i16_to_i32_dispatch",
            "energies_dispatch",
            "in_range",
            "read",
            "render",
        ] {
            assert!(names.contains(&kernel), "{kernel} not registered: {names:?}");
        }
        for (name, path) in &paths {
            let short = name.rsplit("::").next().unwrap_or(name);
            let widest = if avx512.contains(&short) { SimdPath::Avx512 } else { SimdPath::Avx2 };
            assert!(*path <= widest && *path <= SimdPath::cpu(), "{name}: {path:?}");
        }
    }

    #[test]
    fn paths_order_from_narrowest_to_widest() {
        assert!(SimdPath::Baseline < SimdPath::Avx2 && SimdPath::Avx2 < SimdPath::Avx512);
        assert!(SimdPath::for_kernel(SimdPath::Avx2) <= SimdPath::Avx2);
        assert!(SimdPath::for_kernel(SimdPath::Baseline) == SimdPath::Baseline);
    }
}
