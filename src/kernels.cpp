// kernels.cpp — the process-wide kernel and thread selection (see kernels.hpp).
//
// State is three atomics, initialised once from the environment on first use. Reads are
// relaxed: a kernel choice is a whole-program setting, changed between computations, not
// during one.
#include "biornn/kernels.hpp"
#include "kernels/csr_lanes.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace biornn {

namespace {

std::atomic<int> g_gemm{-1};
std::atomic<int> g_math{-1};
std::atomic<int> g_threads{-1};
std::once_flag g_init_once;

GemmKernel best_gemm_kernel() {
  return gemm_kernel_available(GemmKernel::kPackedAvx2) ? GemmKernel::kPackedAvx2
                                                         : GemmKernel::kPackedScalar;
}

MathKernel best_math_kernel() {
  return math_kernel_available(MathKernel::kAvx2) ? MathKernel::kAvx2 : MathKernel::kPortable;
}

int default_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();  // honours OMP_NUM_THREADS
#else
  return 1;
#endif
}

// Parses a positive thread count; false for anything else ("0", "-1", "2x", "").
bool parse_threads(const char* text, int* out) {
  if (text == nullptr || *text == '\0') return false;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < 1 || value > 4096) return false;
  *out = int(value);
  return true;
}

// Applies the environment; collects the first problem in `problem` (empty when none).
void apply_environment(std::string* problem) {
  g_gemm.store(int(best_gemm_kernel()));
  g_math.store(int(best_math_kernel()));
  g_threads.store(default_threads());

  if (const char* text = std::getenv("BIORNN_GEMM")) {
    GemmKernel k;
    if (!parse_gemm_kernel(text, &k)) {
      *problem = std::string("BIORNN_GEMM=") + text +
                 " is not a GEMM kernel; expected ref, packed_scalar or packed_avx2";
    } else if (!gemm_kernel_available(k)) {
      *problem = std::string("BIORNN_GEMM=") + text + " is not available here (" +
                 (avx2_compiled() ? "this CPU or OS lacks AVX2+FMA" : "built with AVX2=0") + ")";
    } else {
      g_gemm.store(int(k));
    }
  }
  if (const char* text = std::getenv("BIORNN_MATH")) {
    MathKernel k;
    if (!parse_math_kernel(text, &k)) {
      if (problem->empty())
        *problem = std::string("BIORNN_MATH=") + text +
                   " is not a math kernel; expected libm, portable or avx2";
    } else if (!math_kernel_available(k)) {
      if (problem->empty())
        *problem = std::string("BIORNN_MATH=") + text + " is not available on this build or CPU";
    } else {
      g_math.store(int(k));
    }
  }
  if (const char* text = std::getenv("BIORNN_THREADS")) {
    int n = 0;
    if (!parse_threads(text, &n)) {
      if (problem->empty())
        *problem = std::string("BIORNN_THREADS=") + text +
                   " is not a thread count; expected an integer from 1 to 4096";
    } else {
      g_threads.store(n);
    }
  }
}

void ensure_initialised() {
  std::call_once(g_init_once, [] {
    std::string problem;
    apply_environment(&problem);
    if (!problem.empty())
      std::fprintf(stderr, "biornn: warning: ignoring %s\n", problem.c_str());
  });
}

}  // namespace

const char* gemm_kernel_name(GemmKernel kernel) {
  switch (kernel) {
    case GemmKernel::kRef: return "ref";
    case GemmKernel::kPackedScalar: return "packed_scalar";
    case GemmKernel::kPackedAvx2: return "packed_avx2";
  }
  return "?";
}

const char* math_kernel_name(MathKernel kernel) {
  switch (kernel) {
    case MathKernel::kLibm: return "libm";
    case MathKernel::kPortable: return "portable";
    case MathKernel::kAvx2: return "avx2";
  }
  return "?";
}

bool parse_gemm_kernel(const std::string& text, GemmKernel* out) {
  for (GemmKernel k : {GemmKernel::kRef, GemmKernel::kPackedScalar, GemmKernel::kPackedAvx2}) {
    if (text == gemm_kernel_name(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

bool parse_math_kernel(const std::string& text, MathKernel* out) {
  for (MathKernel k : {MathKernel::kLibm, MathKernel::kPortable, MathKernel::kAvx2}) {
    if (text == math_kernel_name(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

namespace {
// CPUID is slow (it serialises the pipeline); ask once. Every GEMM call checks availability.
bool avx2_usable() {
  static const bool usable = avx2_compiled() && cpu_supports_avx2_fma();
  return usable;
}
}  // namespace

bool gemm_kernel_available(GemmKernel kernel) {
  return kernel == GemmKernel::kPackedAvx2 ? avx2_usable() : true;
}

bool math_kernel_available(MathKernel kernel) {
  return kernel == MathKernel::kAvx2 ? avx2_usable() : true;
}

GemmKernel active_gemm_kernel() {
  ensure_initialised();
  return GemmKernel(g_gemm.load(std::memory_order_relaxed));
}

MathKernel active_math_kernel() {
  ensure_initialised();
  return MathKernel(g_math.load(std::memory_order_relaxed));
}

int active_threads() {
  ensure_initialised();
#ifdef _OPENMP
  return g_threads.load(std::memory_order_relaxed);
#else
  return 1;  // without OpenMP every kernel runs on the calling thread
#endif
}

void set_gemm_kernel(GemmKernel kernel) {
  ensure_initialised();
  BIORNN_CHECK(gemm_kernel_available(kernel),
               std::string("GEMM kernel ") + gemm_kernel_name(kernel) + " is not available here");
  g_gemm.store(int(kernel));
}

void set_math_kernel(MathKernel kernel) {
  ensure_initialised();
  BIORNN_CHECK(math_kernel_available(kernel),
               std::string("math kernel ") + math_kernel_name(kernel) + " is not available here");
  g_math.store(int(kernel));
}

void set_threads(int threads) {
  ensure_initialised();
  BIORNN_CHECK(threads >= 1, "thread count must be at least 1, got " + std::to_string(threads));
  g_threads.store(threads);
}

Status configure_kernels_from_environment() {
  ensure_initialised();
  std::string problem;
  apply_environment(&problem);
  if (!problem.empty()) return invalid_argument(problem);
  return Status();
}

void reexec_with_passive_openmp_wait(char** argv) {
#ifdef _OPENMP
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) return;
  if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
  execv("/proc/self/exe", argv);  // returns only on failure; the program then continues as is
#else
  (void)argv;
#endif
}

std::string kernel_summary() {
  std::string s = std::string("gemm=") + gemm_kernel_name(active_gemm_kernel()) +
                  " math=" + math_kernel_name(active_math_kernel()) +
                  " csr=" + (kernels::csr_lanes_avx2_active() ? "avx2" : "portable") +
                  " threads=" + std::to_string(active_threads());
  s += std::string(" [cpu avx2+fma: ") + (cpu_supports_avx2_fma() ? "yes" : "no") +
       ", avx2 compiled: " + (avx2_compiled() ? "yes" : "no") +
       ", openmp: " + (openmp_compiled() ? "yes" : "no") + ", real=" + kPrecisionName + "]";
  return s;
}

}  // namespace biornn
