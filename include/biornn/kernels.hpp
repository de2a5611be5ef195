// kernels.hpp — which compute kernels run, how many threads they use, and how to change both.
//
// The library carries several implementations of each hot operation:
//   GEMM:        ref            triple loop accumulating in double — the specification;
//                packed_scalar  cache-blocked, packed driver with a portable micro-kernel;
//                packed_avx2    the same driver with an AVX2+FMA micro-kernel.
//   Element-wise tanh / exp / sigmoid (vmath.hpp):
//                libm           std::tanh etc. — the specification;
//                portable       branch-free polynomial, plain C++;
//                avx2           the same polynomial with AVX2+FMA intrinsics.
//   CSR products (blas.hpp): portable 4-wide loops, or their 8-wide AVX2 twins with the same
//                bits; the twins run whenever the GEMM kernel is packed_avx2 (and real is float).
// At first use the fastest kernel that is both compiled in (AVX2=1) and supported by this CPU
// and operating system (CPUID + XGETBV) is chosen. Environment variables override the choice:
//   BIORNN_GEMM=ref|packed_scalar|packed_avx2    BIORNN_MATH=libm|portable|avx2
//   BIORNN_THREADS=n    (default: OMP_NUM_THREADS, else every hardware thread; 1 without OpenMP)
// and so do the set_* functions below. Programs call configure_kernels_from_environment() at
// start, so a bad value is an error there; the library's lazy initialisation instead ignores a
// bad value with one warning on stderr (it never stops a host program over an env variable).
//
// Threads split a kernel's *output* into blocks; no reduction is ever split across threads,
// so results are bit-identical for every thread count.
//
// Not here: the kernels themselves (blas.hpp, vmath.hpp).
#pragma once

#include <string>

#include "biornn/config.hpp"
#include "biornn/status.hpp"

namespace biornn {

enum class GemmKernel { kRef, kPackedScalar, kPackedAvx2 };
enum class MathKernel { kLibm, kPortable, kAvx2 };

const char* gemm_kernel_name(GemmKernel kernel);
const char* math_kernel_name(MathKernel kernel);
// Parses "ref", "packed_scalar", "packed_avx2" (resp. "libm", "portable", "avx2").
bool parse_gemm_kernel(const std::string& text, GemmKernel* out);
bool parse_math_kernel(const std::string& text, MathKernel* out);

// True when this binary contains AVX2 code (built with AVX2=1).
bool avx2_compiled();
// True when the CPU reports AVX2 and FMA and the OS saves YMM state (XGETBV). Always false on
// non-x86 targets.
bool cpu_supports_avx2_fma();
// True when `kernel` can run here: compiled in and supported by the CPU.
bool gemm_kernel_available(GemmKernel kernel);
bool math_kernel_available(MathKernel kernel);

// True when built with OpenMP (OMP=1).
bool openmp_compiled();

// The kernel and thread count used by the next call.
GemmKernel active_gemm_kernel();
MathKernel active_math_kernel();
int active_threads();

// Selecting an unavailable kernel, or fewer than 1 thread, is a contract violation.
// Without OpenMP any thread count is accepted and kernels run on one thread.
void set_gemm_kernel(GemmKernel kernel);
void set_math_kernel(MathKernel kernel);
void set_threads(int threads);

// Reads BIORNN_GEMM, BIORNN_MATH and BIORNN_THREADS and applies them; an unknown name, an
// unavailable kernel or a non-positive thread count returns an error naming the variable,
// its value and the accepted values.
Status configure_kernels_from_environment();

// Makes OpenMP threads sleep, not spin, while they wait — for programs; call it first thing in
// main(). GNU OpenMP lets an idle thread spin at the end of a parallel region before it sleeps;
// on a machine whose cores are busy with other work that is ruinous (a spinning thread takes
// the core the thread it waits for needs): a 1.3-second training epoch took 22 s on two
// threads with OMP_WAIT_POLICY unset or active and 1.3 s with passive, on this project's 2-core
// machine under load. biornn's parallel regions are coarse, so waking a sleeper costs little.
// The runtime reads OMP_WAIT_POLICY before main() runs, so this sets it and re-executes the
// program once (execv of /proc/self/exe with the same arguments). It does nothing when
// OMP_WAIT_POLICY or GOMP_SPINCOUNT is already set (the user's choice wins), without OpenMP, or
// where /proc/self/exe does not exist (then the program simply continues).
void reexec_with_passive_openmp_wait(char** argv);

// One line for logs and run summaries, e.g.
//   "gemm=packed_avx2 math=avx2 csr=avx2 threads=2 (cpu avx2+fma: yes, avx2 compiled: yes, openmp: yes, real=float)"
std::string kernel_summary();

}  // namespace biornn
