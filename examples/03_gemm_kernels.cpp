// 03_gemm_kernels.cpp — the GEMM kernels side by side: same product, error vs the
// specification within a derived bound, identical bits on any thread count, and speed.
//
// What it shows:
//   1. C = op(A)·op(B) computed by every kernel this build and CPU have (ref, packed_scalar,
//      packed_avx2) for the recurrent product x·Wᵀ (x: (200, 300), W: (128, 300), "NT").
//   2. For each kernel the largest |C − C_ref| next to the rounding-error bound derived in
//      tests/test_gemm.cpp: |Ĉ − ref| ≤ (γ_{k+2}(u) + γ_{k+2}(u_double))·Σ_p|a_ip||b_pj|
//      + u·|ref| with γ_n = n·u/(1 − n·u) and u the unit roundoff of `real`.
//   3. The packed kernels give bit-identical C on 1, 2 and 3 threads: threads split the output,
//      never the sum over k.
//   4. A rough GFLOP/s per kernel on a 256 × 256 × 256 product (best of a few calls).
// Expected output (numbers vary by machine; float build, AVX2 CPU):
//   gemm=packed_avx2 math=avx2 threads=2 [cpu avx2+fma: yes, ...]
//   x·Wᵀ, (m, n, k) = (200, 128, 300), NT
//   kernel          max |C - C_ref|   bound there   worst error/bound
//   ref             0                 0.0012        0
//   packed_scalar   7.6e-06           0.0014        0.00544
//   packed_avx2     8.1e-06           0.0014        0.00606
//   bit-identical on 1, 2, 3 threads: packed_scalar yes packed_avx2 yes
//   GFLOP/s at 256³ on 1 thread: ref 0.7 packed_scalar 9.1 packed_avx2 72.7
//   all checks passed
// The bound is a worst case (every rounding error of the same sign, which
// tests/test_gemm.cpp constructs); random data stay far below it, since errors of random
// sign grow like √k rather than k. It exits 1 if an error exceeds its bound or threads change
// a bit.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "biornn/blas.hpp"
#include "biornn/kernels.hpp"
#include "biornn/matrix.hpp"
#include "biornn/rng.hpp"

using namespace biornn;

namespace {

double gamma(int n, double u) { return n * u / (1.0 - n * u); }

Matrix random_matrix(int32_t rows, int32_t cols, Rng& rng) {
  Matrix x(rows, cols);
  for (int64_t i = 0; i < x.size(); ++i) x.data()[i] = real(rng.uniform(-1.0, 1.0));
  return x;
}

struct ErrorReport {
  double max_error = 0;     // max over elements of |C − C_ref|
  double bound_at_max = 0;  // the bound at that element
  double worst_ratio = 0;   // max over elements of error / bound
};

// Compares c with c_ref element by element against the derived bound (α = 1, β = 0).
ErrorReport compare(const Matrix& x, const Matrix& w, const Matrix& c, const Matrix& c_ref) {
  const int32_t k = x.cols();
  const double u = std::numeric_limits<real>::epsilon() / 2;
  const double u_double = std::numeric_limits<double>::epsilon() / 2;
  const double final_rounding = sizeof(real) < sizeof(double) ? u : 0.0;
  ErrorReport r;
  for (int32_t i = 0; i < c.rows(); ++i) {
    for (int32_t j = 0; j < c.cols(); ++j) {
      double magnitude = 0;  // Σ_p |x_ip|·|w_jp|
      for (int32_t p = 0; p < k; ++p) magnitude += std::fabs(double(x(i, p)) * double(w(j, p)));
      const double bound = (gamma(k + 2, u) + gamma(k + 2, u_double)) * magnitude +
                           final_rounding * std::fabs(double(c_ref(i, j)));
      const double error = std::fabs(double(c(i, j)) - double(c_ref(i, j)));
      if (error >= r.max_error) {
        r.max_error = error;
        r.bound_at_max = bound;
      }
      const double ratio = error == 0 ? 0.0 : error / bound;  // NaN if c is NaN
      if (!(ratio <= r.worst_ratio)) r.worst_ratio = std::isnan(ratio) ? INFINITY : ratio;
    }
  }
  return r;
}

// Best GFLOP/s of `calls` timed calls (after one warm-up) of a size³ NN product.
double gflops(GemmKernel kernel, int32_t size, int calls, Rng& rng) {
  const Matrix a = random_matrix(size, size, rng), b = random_matrix(size, size, rng);
  Matrix c(size, size);
  gemm_with(kernel, 1, Trans::kNo, Trans::kNo, real(1), a, b, real(0), c);
  double best = INFINITY;
  for (int i = 0; i < calls; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    gemm_with(kernel, 1, Trans::kNo, Trans::kNo, real(1), a, b, real(0), c);
    best = std::min(best,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return 2.0 * size * double(size) * size / best * 1e-9;
}

}  // namespace

int main() {
  const Status st = configure_kernels_from_environment();
  if (!st.ok()) {
    std::fprintf(stderr, "03_gemm_kernels: %s\n", st.message().c_str());
    return 2;
  }
  std::printf("%s\n", kernel_summary().c_str());

  std::vector<GemmKernel> kernels;
  for (GemmKernel k : {GemmKernel::kRef, GemmKernel::kPackedScalar, GemmKernel::kPackedAvx2})
    if (gemm_kernel_available(k)) kernels.push_back(k);

  // 1 and 2: x·Wᵀ with every kernel, compared with the specification.
  Rng rng(2024);
  const int32_t m = 200, n = 128, k = 300;
  const Matrix x = random_matrix(m, k, rng);  // x: (200, 300), a batch of inputs
  const Matrix w = random_matrix(n, k, rng);  // W: (128, 300), (n_post, n_pre)
  Matrix c_ref(m, n);
  gemm_ref(Trans::kNo, Trans::kYes, real(1), x, w, real(0), c_ref);
  std::printf("x·Wᵀ, (m, n, k) = (%d, %d, %d), NT\n", m, n, k);
  std::printf("%-15s %-17s %-13s %s\n", "kernel", "max |C - C_ref|", "bound there",
              "worst error/bound");
  bool ok = true;
  for (GemmKernel kernel : kernels) {
    Matrix c(m, n);
    gemm_with(kernel, 1, Trans::kNo, Trans::kYes, real(1), x, w, real(0), c);
    const ErrorReport r = compare(x, w, c, c_ref);
    std::printf("%-15s %-17.2g %-13.2g %.3g\n", gemm_kernel_name(kernel), r.max_error,
                r.bound_at_max, r.worst_ratio);
    ok = ok && r.worst_ratio <= 1.0;
  }

  // 3: the same product on 1, 2 and 3 threads, compared bit for bit.
  std::printf("bit-identical on 1, 2, 3 threads:");
  for (GemmKernel kernel : kernels) {
    if (kernel == GemmKernel::kRef) continue;
    Matrix c1(m, n), c2(m, n), c3(m, n);
    gemm_with(kernel, 1, Trans::kNo, Trans::kYes, real(1), x, w, real(0), c1);
    gemm_with(kernel, 2, Trans::kNo, Trans::kYes, real(1), x, w, real(0), c2);
    gemm_with(kernel, 3, Trans::kNo, Trans::kYes, real(1), x, w, real(0), c3);
    const bool same = bitwise_equal(c1, c2) && bitwise_equal(c1, c3);
    std::printf(" %s %s", gemm_kernel_name(kernel), same ? "yes" : "NO");
    ok = ok && same;
  }
  std::printf("%s\n", openmp_compiled() ? "" : " (built without OpenMP: all on 1 thread)");

  // 4: rough speed, one thread.
  std::printf("GFLOP/s at 256³ on 1 thread:");
  for (GemmKernel kernel : kernels)
    std::printf(" %s %.1f", gemm_kernel_name(kernel),
                gflops(kernel, 256, kernel == GemmKernel::kRef ? 2 : 10, rng));
  std::printf("\n%s\n", ok ? "all checks passed" : "A CHECK FAILED");
  return ok ? 0 : 1;
}
