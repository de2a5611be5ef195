// test_gemm.cpp — every GEMM kernel against the specification gemm_ref, within a derived bound.
//
// Kernels: ref (checked against itself: it must reproduce its own rounding), packed_scalar and
// packed_avx2 (when this build and CPU have it), each on 1 and 3 threads. Shapes: empty, 1×1,
// k = 0, primes, every block-size edge ± 1 (read from gemm_blocking.hpp, so retuning moves
// the edges with it), tall-skinny, wide and long-k; all four transpose combinations; α and β
// from {0, 1, −0.5, 2}; operands are blocks of larger matrices (ld > cols) whose padding holds
// NaN, so any read outside a view would poison the result and any write outside C shows.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "alloc_counter.hpp"
#include "biornn/blas.hpp"
#include "biornn/rng.hpp"
#include "doctest/doctest.h"
#include "kernels/gemm_blocking.hpp"
#include "kernels/gemm_packed.hpp"
#include "kernels/gemm_thin.hpp"

using namespace biornn;

namespace {

// ---- the error bound -------------------------------------------------------------------------
// Notation (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §2.2 and §3.1):
// u is the unit roundoff (2⁻²⁴ for float, 2⁻⁵³ for double); every basic operation and every
// fused multiply-add rounds once, fl(x) = x(1 + δ) with |δ| ≤ u; and a product of n factors
// (1 + δ_i)^{±1} equals 1 + θ_n with |θ_n| ≤ γ_n = n·u / (1 − n·u).
//
// The packed kernels compute C_ij = α·Σ_p a_ip·b_pj + β·c_ij like this: the inner dimension is
// cut into blocks of lengths L_1 … L_nb (sum k). In block q an accumulator starts at 0 and
// adds its L_q products in order, by fused multiply-add (one rounding each) or by a rounded
// product plus a rounded sum; either way a product picks up at most L_q roundings (the first
// lands on an exact 0). Then C ← α·acc + β_q·C (β_1 = β, later β_q = 1): α·acc rounds at most
// twice (product and sum, or one fused operation), β·c at most twice in block 1 and C once in
// every later block. So a product from block q carries at most L_q + 2 + (nb − q) ≤ k + 2
// roundings (each L ≥ 1), and β·c_ij at most nb + 1 ≤ k + 1. Hence
//     |Ĉ_ij − C_ij| ≤ γ_{k+2}(u) · M_ij,     M_ij = |α|·Σ_p |a_ip||b_pj| + |β||c_ij|.
// gemm_ref does the same in double (k products and sums, α·sum, + β·c: k + 2 roundings with
// u_d = 2⁻⁵³), then rounds once to `real`: |ref − R_d| ≤ u·|ref| when real is float, and 0
// when real is double. By the triangle inequality
//     |Ĉ_ij − ref_ij| ≤ (γ_{k+2}(u) + γ_{k+2}(u_d)) · M_ij + [float] u·|ref_ij|.
// No underflow can occur with the test data: a nonzero entry is at least 2⁻⁵² in magnitude,
// so every nonzero product exceeds the smallest normal number, and sums are exact when their
// result is subnormal.
// The test evaluates M_ij, the bound and |Ĉ − ref| in double, which rounds too: M_ij takes at
// most k + 2 roundings, γ, the products and sums of the bound at most 7 more, the difference
// one; every input is nonnegative, so the computed bound is at least the true one times
// (1 − γ_{k+10}(u_d)), and evaluation_slack(k) = 1 / (1 − γ_{k+10}(u_d)) restores it.
double unit_roundoff() { return std::numeric_limits<real>::epsilon() / 2; }
constexpr double kUnitRoundoffDouble = std::numeric_limits<double>::epsilon() / 2;

double gamma(int64_t n, double u) { return double(n) * u / (1.0 - double(n) * u); }

// The bound on |Ĉ − C| for the packed kernels, against the exact product.
double packed_error_bound(int32_t k, double magnitude) {
  return gamma(int64_t(k) + 2, unit_roundoff()) * magnitude;
}

double evaluation_slack(int32_t k) {
  return 1.0 / (1.0 - gamma(int64_t(k) + 10, kUnitRoundoffDouble));
}

// The bound on |Ĉ − ref| for one element: magnitude = M_ij, reference = ref_ij.
double gemm_error_bound(int32_t k, double magnitude, double reference) {
  const double final_rounding =
      sizeof(real) < sizeof(double) ? unit_roundoff() * std::fabs(reference) : 0.0;
  return (packed_error_bound(k, magnitude) +
          gamma(int64_t(k) + 2, kUnitRoundoffDouble) * magnitude + final_rounding) *
         evaluation_slack(k);
}

// The acceptance rule, in one place: |got − reference| ≤ bound, and NaN never passes.
bool within_bound(double got, double reference, double bound) {
  return std::fabs(got - reference) <= bound;
}

// ---- operands ----------------------------------------------------------------------------------
const real kNaN = std::numeric_limits<real>::quiet_NaN();

// A rows × cols block inside a (rows + 3) × (cols + 5) matrix: ld = cols + 5 > cols, and the
// padding holds NaN.
struct Padded {
  Matrix storage;
  int32_t rows, cols;
  Padded(int32_t r, int32_t c) : storage(r + 3, c + 5, kNaN), rows(r), cols(c) {}
  MatrixView view() { return storage.view().block(1, 2, rows, cols); }
  ConstMatrixView view() const { return storage.view().block(1, 2, rows, cols); }
  void fill_random(Rng& rng) {
    const MatrixView v = view();
    for (int32_t i = 0; i < rows; ++i)
      for (int32_t j = 0; j < cols; ++j) v(i, j) = real(rng.uniform(-1.0, 1.0));
  }
  void fill(real value) {
    const MatrixView v = view();
    for (int32_t i = 0; i < rows; ++i)
      for (int32_t j = 0; j < cols; ++j) v(i, j) = value;
  }
  bool padding_is_nan() const {
    for (int32_t i = 0; i < storage.rows(); ++i)
      for (int32_t j = 0; j < storage.cols(); ++j) {
        const bool inside = i >= 1 && i < 1 + rows && j >= 2 && j < 2 + cols;
        if (!inside && !std::isnan(storage(i, j))) return false;
      }
    return true;
  }
};

std::vector<GemmKernel> available_kernels() {
  std::vector<GemmKernel> kernels;
  for (GemmKernel k : {GemmKernel::kRef, GemmKernel::kPackedScalar, GemmKernel::kPackedAvx2})
    if (gemm_kernel_available(k)) kernels.push_back(k);
  return kernels;
}

std::vector<GemmKernel> packed_kernels() {
  std::vector<GemmKernel> kernels;
  for (GemmKernel k : {GemmKernel::kPackedScalar, GemmKernel::kPackedAvx2})
    if (gemm_kernel_available(k)) kernels.push_back(k);
  return kernels;
}

// The block sizes whose edges the shape tests visit (ref has none; it gets the scalar ones).
const kernels::GemmBlocking& edges_of(GemmKernel kernel) {
  return kernels::gemm_blocking_of(kernel == GemmKernel::kRef ? GemmKernel::kPackedScalar : kernel);
}

const Trans kTrans[] = {Trans::kNo, Trans::kYes};
const real kScalars[] = {real(0), real(1), real(-0.5), real(2)};

struct Shape {
  int32_t m, n, k;
};

// At least k_min, and enough that `threads` threads run on an m × n product (the packed driver
// starts one thread per kMinFlopsPerThread of work).
int32_t k_for_threads(int32_t m, int32_t n, int32_t k_min, int threads) {
  const double needed = threads * kernels::kMinFlopsPerThread / (2.0 * m * n);
  return std::max<int32_t>(k_min, int32_t(std::ceil(needed)));
}

std::string describe(GemmKernel kernel, int threads, Trans ta, Trans tb, real alpha, real beta,
                     const Shape& s) {
  return std::string(gemm_kernel_name(kernel)) + " threads=" + std::to_string(threads) +
         " trans=" + (ta == Trans::kYes ? "T" : "N") + (tb == Trans::kYes ? "T" : "N") +
         " alpha=" + std::to_string(double(alpha)) + " beta=" + std::to_string(double(beta)) +
         " m=" + std::to_string(s.m) + " n=" + std::to_string(s.n) + " k=" + std::to_string(s.k);
}

// Runs one product with `kernel` and with gemm_ref on the same operands and checks every
// element against the derived bound, that NaN in C does not leak when β = 0, and that nothing
// outside C's view was written.
void check_against_ref(GemmKernel kernel, int threads, Trans ta, Trans tb, real alpha, real beta,
                       const Shape& s, Rng& rng) {
  const bool at = ta == Trans::kYes, bt = tb == Trans::kYes;
  Padded a(at ? s.k : s.m, at ? s.m : s.k), b(bt ? s.n : s.k, bt ? s.k : s.n), c(s.m, s.n);
  a.fill_random(rng);
  b.fill_random(rng);
  if (beta == real(0)) {
    c.fill(kNaN);  // write-only: must not leak
  } else {
    c.fill_random(rng);
  }
  const Matrix c_before = Matrix::copy_of(c.view());
  Matrix expected = Matrix::copy_of(c.view());
  gemm_ref(ta, tb, alpha, a.view(), b.view(), beta, expected);
  gemm_with(kernel, threads, ta, tb, alpha, a.view(), b.view(), beta, c.view());

  const ConstMatrixView av = a.view(), bv = b.view(), cv = c.view();
  double worst = 0;
  int64_t failures = 0;
  for (int32_t i = 0; i < s.m; ++i) {
    for (int32_t j = 0; j < s.n; ++j) {
      double sum_abs = 0;
      for (int32_t p = 0; p < s.k; ++p)
        sum_abs += std::fabs(double(at ? av(p, i) : av(i, p))) *
                   std::fabs(double(bt ? bv(j, p) : bv(p, j)));
      const double magnitude =
          std::fabs(double(alpha)) * sum_abs +
          (beta == real(0) ? 0.0 : std::fabs(double(beta) * double(c_before(i, j))));
      const double bound = gemm_error_bound(s.k, magnitude, double(expected(i, j)));
      const double got = double(cv(i, j));
      if (!within_bound(got, double(expected(i, j)), bound)) ++failures;
      const double err = std::fabs(got - double(expected(i, j)));
      const double ratio = err == 0 ? 0.0 : (bound > 0 ? err / bound : INFINITY);
      worst = std::max(worst, std::isnan(ratio) ? INFINITY : ratio);
    }
  }
  const std::string what = describe(kernel, threads, ta, tb, alpha, beta, s);
  CHECK_MESSAGE(failures == 0, what << ": " << failures << " elements outside the bound, worst "
                                    << worst << " × bound");
  CHECK_MESSAGE(c.padding_is_nan(), what << ": wrote outside C's view");
}

// All four transposes × all (α, β) pairs, or a representative handful when `all_scalars` is
// false (used for the large block-edge shapes to keep the suite fast).
void check_shape_everywhere(GemmKernel kernel, int threads, const Shape& s, bool all_scalars,
                            Rng& rng) {
  for (Trans ta : kTrans)
    for (Trans tb : kTrans) {
      if (all_scalars) {
        for (real alpha : kScalars)
          for (real beta : kScalars)
            check_against_ref(kernel, threads, ta, tb, alpha, beta, s, rng);
      } else {
        check_against_ref(kernel, threads, ta, tb, real(1), real(0), s, rng);
        check_against_ref(kernel, threads, ta, tb, real(-0.5), real(2), s, rng);
      }
    }
}

}  // namespace

TEST_CASE("every gemm kernel matches gemm_ref within the derived bound on small and prime shapes") {
  Rng rng(101);
  const Shape shapes[] = {{1, 1, 1}, {2, 3, 1}, {7, 11, 13}, {13, 5, 7}, {31, 37, 41}, {3, 1, 29}};
  for (GemmKernel kernel : available_kernels())
    for (int threads : {1, 3})
      for (const Shape& s : shapes) check_shape_everywhere(kernel, threads, s, true, rng);
}

TEST_CASE("every gemm kernel is within the bound at each block-size edge plus and minus one") {
  Rng rng(202);
  for (GemmKernel kernel : available_kernels()) {
    const kernels::GemmBlocking bl = edges_of(kernel);
    std::vector<Shape> micro, big;
    for (int32_t dm : {-1, 0, 1})
      for (int32_t dn : {-1, 0, 1}) micro.push_back({bl.mr + dm, bl.nr + dn, 5});
    for (int32_t dk : {-1, 0, 1}) big.push_back({bl.mr + 1, bl.nr + 1, bl.kc + dk});
    big.push_back({bl.mr - 1, bl.nr - 1, 2 * bl.kc + 1});
    for (int32_t d : {-1, 0, 1}) big.push_back({bl.mc + d, bl.nr + 1, 3});
    for (int32_t d : {-1, 0, 1}) big.push_back({2, bl.nc + d, 3});
    // mc_whole: up to it, one A block and B slivers packed just in time; past it, shared
    // B panels. Then many K blocks (so buffers and counters rotate) on both sides.
    for (int32_t d : {-1, 0, 1}) big.push_back({bl.mc_whole + d, bl.nr - 1, 3});
    big.push_back({bl.mc_whole + 1, 3, 5 * bl.kc + 3});
    big.push_back({bl.mr + 1, bl.nr + 1, 5 * bl.kc + 3});
    for (int threads : {1, 3}) {
      for (const Shape& s : micro) check_shape_everywhere(kernel, threads, s, true, rng);
      for (const Shape& s : big) check_shape_everywhere(kernel, threads, s, false, rng);
    }
  }
}

TEST_CASE("tall-skinny, wide and long-k products are within the bound") {
  Rng rng(303);
  const Shape shapes[] = {{301, 3, 5}, {2, 257, 9}, {3, 4, 700}};
  for (GemmKernel kernel : available_kernels())
    for (int threads : {1, 3})
      for (const Shape& s : shapes) check_shape_everywhere(kernel, threads, s, false, rng);
}

TEST_CASE("products that really run on 3 threads are within the bound") {
  Rng rng(313);
  for (GemmKernel kernel : packed_kernels()) {
    const kernels::GemmBlocking bl = kernels::gemm_blocking_of(kernel);
    // Shared B panels with rows split into blocks (many rows; then fewer rows but too few
    // columns per thread for private bands), and private column bands (few rows, many columns);
    // all with edge tiles and more than one K block.
    const int32_t wide = 3 * kernels::kMinColumnsPerPrivateThread + bl.nr + 1;
    const Shape shapes[] = {{97, 131, k_for_threads(97, 131, bl.kc + 7, 3)},
                            {bl.mr + 1, 333, k_for_threads(bl.mr + 1, 333, bl.kc + 7, 3)},
                            {bl.mr + 1, wide, k_for_threads(bl.mr + 1, wide, bl.kc + 7, 3)},
                            {bl.mc_whole + bl.mr + 1, bl.nr + 1,
                             k_for_threads(bl.mc_whole + bl.mr + 1, bl.nr + 1, 5 * bl.kc + 3, 3)}};
    for (const Shape& s : shapes) {
      if (openmp_compiled()) CHECK(kernels::packed_team_size(kernel, 3, s.m, s.n, s.k) == 3);
      for (Trans ta : kTrans)
        for (Trans tb : kTrans) check_against_ref(kernel, 3, ta, tb, real(-0.5), real(2), s, rng);
    }
  }
}

// Products with m, n or k equal to 1 leave the packed driver for plain loops (gemm_thin.hpp):
// outer products, dot products along rows and sweeps down rows, chosen by the transposes.
// (m = 1 is thin only with op(A) = Aᵀ; the others run the packed driver.) The big shapes are
// the smallest that start 3 threads in each of those loops.
const Shape kThinSmall[] = {{1, 1, 1}, {1, 1, 97}, {1, 37, 1}, {53, 1, 1}, {1, 300, 45}, {300, 1, 45}, {17, 300, 1}};
const Shape kThinThreaded[] = {{2000, 300, 1}, {800, 1, 600}, {1, 800, 600}};

TEST_CASE("products with a dimension of one are within the bound for every transpose, alpha and beta") {
  Rng rng(353);
  for (GemmKernel kernel : packed_kernels()) {
    for (int threads : {1, 3})
      for (const Shape& s : kThinSmall) check_shape_everywhere(kernel, threads, s, true, rng);
    for (const Shape& s : kThinThreaded) {
      for (Trans ta : kTrans)
        for (Trans tb : kTrans) {
          if (openmp_compiled() && kernels::is_thin_product(ta, s.m, s.n, s.k))
            CHECK(kernels::thin_team_size(3, ta, tb, s.m, s.n, s.k) == 3);
          check_against_ref(kernel, 3, ta, tb, real(-0.5), real(2), s, rng);
          check_against_ref(kernel, 3, ta, tb, real(1), real(0), s, rng);
        }
    }
  }
}

TEST_CASE("products with a dimension of one are bit-identical for 1, 2 and 3 threads") {
  Rng rng(363);
  // Plus the weight-gradient shapes of a one-output readout, whose 128-wide row sweeps are cut
  // into narrower blocks when there are several threads.
  std::vector<Shape> shapes(std::begin(kThinThreaded), std::end(kThinThreaded));
  shapes.push_back({1, 128, 5000});
  shapes.push_back({128, 1, 5000});
  for (const Shape& s : shapes)
    for (Trans ta : kTrans)
      for (Trans tb : kTrans) {
        const bool at = ta == Trans::kYes, bt = tb == Trans::kYes;
        Padded a(at ? s.k : s.m, at ? s.m : s.k), b(bt ? s.n : s.k, bt ? s.k : s.n), c0(s.m, s.n);
        a.fill_random(rng);
        b.fill_random(rng);
        c0.fill_random(rng);
        Matrix results[3];
        for (int threads = 1; threads <= 3; ++threads) {
          Padded c(s.m, s.n);
          copy_into(c0.view(), c.view());
          gemm(ta, tb, real(0.75), a.view(), b.view(), real(-1.25), c.view(), threads);
          results[threads - 1] = Matrix::copy_of(c.view());
        }
        const std::string what = describe(active_gemm_kernel(), 0, ta, tb, real(0.75), real(-1.25), s);
        CHECK_MESSAGE(bitwise_equal(results[0], results[1]), what);
        CHECK_MESSAGE(bitwise_equal(results[0], results[2]), what);
      }
}

// What the inference API relies on (inference.cpp runs the forward products one row at a
// time): with op(A) = A, a row of C gets the same bits whether it is computed alone or among
// many rows, thin products included.
TEST_CASE("a row of op(A)·op(B) with op(A) = A has the same bits alone as among 300 rows") {
  Rng rng(373);
  const Shape shapes[] = {{300, 1, 128}, {300, 128, 1}, {300, 1, 1}, {300, 37, 129}};
  for (GemmKernel kernel : available_kernels())
    for (const Shape& s : shapes)
      for (Trans tb : kTrans) {
        const bool bt = tb == Trans::kYes;
        Padded a(s.m, s.k), b(bt ? s.n : s.k, bt ? s.k : s.n);
        a.fill_random(rng);
        b.fill_random(rng);
        Matrix all(s.m, s.n);
        gemm_with(kernel, 2, Trans::kNo, tb, real(1), a.view(), b.view(), real(0), all);
        bool same = true;
        for (int32_t r : {0, 1, 150, s.m - 1}) {
          Matrix one(1, s.n);
          gemm_with(kernel, 1, Trans::kNo, tb, real(1), a.view().block(r, 0, 1, s.k), b.view(), real(0), one);
          same = same && bitwise_equal(one, Matrix::copy_of(all.view().block(r, 0, 1, s.n)));
        }
        CHECK_MESSAGE(same, describe(kernel, 1, Trans::kNo, tb, real(1), real(0), s));
      }
}

TEST_CASE("with beta = 0 a C full of NaN never leaks, also when alpha = 0") {
  Rng rng(404);
  for (GemmKernel kernel : available_kernels()) {
    for (int32_t k : {0, 1, 9}) {
      Padded a(5, k), b(k, 6), c(5, 6);
      a.fill_random(rng);
      b.fill_random(rng);
      for (real alpha : {real(0), real(1)}) {
        c.fill(kNaN);
        gemm_with(kernel, 1, Trans::kNo, Trans::kNo, alpha, a.view(), b.view(), real(0), c.view());
        const ConstMatrixView cv = c.view();
        bool finite = true;
        for (int32_t i = 0; i < 5; ++i)
          for (int32_t j = 0; j < 6; ++j) finite = finite && std::isfinite(cv(i, j));
        CHECK_MESSAGE(finite, gemm_kernel_name(kernel) << " k=" << k << " alpha=" << alpha);
        if (alpha == real(0) || k == 0) {
          bool zero = true;
          for (int32_t i = 0; i < 5; ++i)
            for (int32_t j = 0; j < 6; ++j) zero = zero && cv(i, j) == real(0);
          CHECK(zero);
        }
      }
    }
  }
}

TEST_CASE("empty products leave C alone and k = 0 or alpha = 0 gives exactly beta times C") {
  Rng rng(505);
  for (GemmKernel kernel : available_kernels()) {
    for (int threads : {1, 3}) {
      Matrix a0(0, 4), b0(4, 3), c0(0, 3);
      gemm_with(kernel, threads, Trans::kNo, Trans::kNo, real(1), a0, b0, real(0), c0);
      Matrix a1(5, 4), b1(4, 0), c1(5, 0);
      gemm_with(kernel, threads, Trans::kNo, Trans::kNo, real(1), a1, b1, real(0), c1);
      Matrix e1(0, 0), e2(0, 0), e3(0, 0);
      gemm_with(kernel, threads, Trans::kYes, Trans::kYes, real(1), e1, e2, real(1), e3);
      for (real beta : kScalars) {
        Padded a(5, 0), b(0, 6), c(5, 6);
        c.fill_random(rng);
        Matrix expected = Matrix::copy_of(c.view());
        for (int64_t i = 0; i < expected.size(); ++i) {
          const real x = expected.data()[i];
          expected.data()[i] = beta == real(0) ? real(0) : beta * x;  // one rounding, as ref
        }
        gemm_with(kernel, threads, Trans::kNo, Trans::kNo, real(1), a.view(), b.view(), beta,
                  c.view());
        CHECK_MESSAGE(bitwise_equal(c.view(), expected), gemm_kernel_name(kernel)
                                                             << " beta=" << beta);
        // α = 0 with k > 0: A and B are never read, so NaN there must not matter.
        Padded an(5, 3), bn(3, 6), c2(5, 6);
        an.fill(kNaN);
        bn.fill(kNaN);
        copy_into(expected, c2.view());
        Matrix expected2 = Matrix::copy_of(c2.view());
        for (int64_t i = 0; i < expected2.size(); ++i) {
          const real x = expected2.data()[i];
          expected2.data()[i] = beta == real(0) ? real(0) : beta * x;
        }
        gemm_with(kernel, threads, Trans::kNo, Trans::kNo, real(0), an.view(), bn.view(), beta,
                  c2.view());
        CHECK(bitwise_equal(c2.view(), expected2));
      }
    }
  }
}

TEST_CASE("packed results are bit-identical for 1, 2 and 3 threads") {
  Rng rng(606);
  for (GemmKernel kernel : packed_kernels()) {
    const kernels::GemmBlocking bl = kernels::gemm_blocking_of(kernel);
    // Row and column edges, several K blocks (six in the last), private column bands and
    // shared panels on one and on several threads; each is big enough for 3 threads to run.
    const int32_t wide = 3 * kernels::kMinColumnsPerPrivateThread + bl.nr + 1;
    const Shape shapes[] = {
        {3 * bl.mr + 1, 5 * bl.nr - 1,
         k_for_threads(3 * bl.mr + 1, 5 * bl.nr - 1, 2 * bl.kc + 3, 3)},
        {bl.mr - 1, 9 * bl.nr + 1, k_for_threads(bl.mr - 1, 9 * bl.nr + 1, bl.kc + 1, 3)},
        {bl.mc + 1, 2 * bl.nr + 1, k_for_threads(bl.mc + 1, 2 * bl.nr + 1, bl.kc - 1, 3)},
        {200, 128, k_for_threads(200, 128, 128, 3)},
        {bl.mr + 1, wide, k_for_threads(bl.mr + 1, wide, 2 * bl.kc + 1, 3)},
        {bl.mc_whole + bl.mr + 1, 2 * bl.nr + 1,
         k_for_threads(bl.mc_whole + bl.mr + 1, 2 * bl.nr + 1, 5 * bl.kc + 3, 3)}};
    for (const Shape& s : shapes) {
      if (openmp_compiled()) CHECK(kernels::packed_team_size(kernel, 3, s.m, s.n, s.k) == 3);
      for (Trans ta : kTrans)
        for (Trans tb : kTrans) {
          const bool at = ta == Trans::kYes, bt = tb == Trans::kYes;
          Padded a(at ? s.k : s.m, at ? s.m : s.k), b(bt ? s.n : s.k, bt ? s.k : s.n);
          a.fill_random(rng);
          b.fill_random(rng);
          Padded c0(s.m, s.n);
          c0.fill_random(rng);
          Matrix results[3];
          for (int threads = 1; threads <= 3; ++threads) {
            Padded c(s.m, s.n);
            copy_into(c0.view(), c.view());
            gemm_with(kernel, threads, ta, tb, real(0.75), a.view(), b.view(), real(-1.25),
                      c.view());
            results[threads - 1] = Matrix::copy_of(c.view());
          }
          const std::string what = describe(kernel, 0, ta, tb, real(0.75), real(-1.25), s);
          CHECK_MESSAGE(bitwise_equal(results[0], results[1]), what);
          CHECK_MESSAGE(bitwise_equal(results[0], results[2]), what);
        }
    }
  }
}

TEST_CASE("gemm called from two threads at once gives each the same bits as alone") {
  Rng rng(707);
  const Matrix a = [&] {
    Padded p(150, 90);
    p.fill_random(rng);
    return Matrix::copy_of(p.view());
  }();
  const Matrix b = [&] {
    Padded p(90, 70);
    p.fill_random(rng);
    return Matrix::copy_of(p.view());
  }();
  for (GemmKernel kernel : packed_kernels()) {
    Matrix alone(150, 70), first(150, 70), second(150, 70);
    gemm_with(kernel, 2, Trans::kNo, Trans::kNo, real(1), a, b, real(0), alone);
    std::thread t1(
        [&] { gemm_with(kernel, 2, Trans::kNo, Trans::kNo, real(1), a, b, real(0), first); });
    std::thread t2(
        [&] { gemm_with(kernel, 2, Trans::kNo, Trans::kNo, real(1), a, b, real(0), second); });
    t1.join();
    t2.join();
    CHECK(bitwise_equal(alone, first));
    CHECK(bitwise_equal(alone, second));
  }
}

TEST_CASE("a shape mismatch is a contract violation whose message names both shapes") {
  Matrix a(3, 4), b(5, 6), c(3, 6), wrong_c(4, 6), b_ok(4, 6);
  for (GemmKernel kernel : available_kernels()) {
    try {
      gemm_with(kernel, 1, Trans::kNo, Trans::kNo, real(1), a, b, real(0), c);
      FAIL("no exception for inner dimensions 4 and 5");
    } catch (const ContractViolation& e) {
      const std::string msg = e.what();
      CHECK_MESSAGE(msg.find("(3, 4)") != std::string::npos, msg);
      CHECK_MESSAGE(msg.find("(5, 6)") != std::string::npos, msg);
    }
    try {
      gemm_with(kernel, 1, Trans::kNo, Trans::kNo, real(1), a, b_ok, real(0), wrong_c);
      FAIL("no exception for C of the wrong shape");
    } catch (const ContractViolation& e) {
      const std::string msg = e.what();
      CHECK_MESSAGE(msg.find("(3, 6)") != std::string::npos, msg);
      CHECK_MESSAGE(msg.find("(4, 6)") != std::string::npos, msg);
    }
    CHECK_THROWS_AS(gemm_with(kernel, 1, Trans::kYes, Trans::kNo, real(1), a, b_ok, real(0), c),
                    ContractViolation);
  }
}

TEST_CASE("the bound check accepts an error equal to the bound and rejects the next double") {
  const double reference = 0.75, bound = gemm_error_bound(100, 3.0, reference);
  CHECK(bound > 0);
  CHECK(within_bound(reference + bound, reference, bound));
  CHECK(within_bound(reference - bound, reference, bound));
  CHECK_FALSE(within_bound(std::nextafter(reference + bound, 2.0), reference, bound));
  CHECK_FALSE(within_bound(std::nan(""), reference, bound));
  // γ_n grows with n and the bound with k.
  CHECK(gemm_error_bound(101, 3.0, reference) > bound);
}

TEST_CASE("the packed bound is nearly reached by a sum that rounds down at every step") {
  // Row of ones times the column (1, u, u, …, u): exactly 1 + (k − 1)·u. Each partial sum
  // 1 + u lies halfway between 1 and the next number and rounds (to even) back to 1, so a
  // kernel that adds in order returns exactly 1: error (k − 1)·u, against the bound
  // γ_{k+2}·(1 + (k − 1)·u) — a ratio of about (k − 1)/(k + 2). The whole sum fits one K block.
  const double u = unit_roundoff();
  for (GemmKernel kernel : packed_kernels()) {
    const kernels::GemmBlocking bl = kernels::gemm_blocking_of(kernel);
    const int32_t k = std::min<int32_t>(64, bl.kc);
    Matrix a(bl.mr + 1, k, real(1)), b(k, bl.nr + 1, real(u)), c(bl.mr + 1, bl.nr + 1);
    for (int32_t j = 0; j < b.cols(); ++j) b(0, j) = real(1);
    gemm_with(kernel, 1, Trans::kNo, Trans::kNo, real(1), a, b, real(0), c);
    const double error = double(k - 1) * u;  // exact: c must be 1
    const double bound = packed_error_bound(k, 1.0 + double(k - 1) * u);
    bool all_one = true;
    for (int64_t i = 0; i < c.size(); ++i) all_one = all_one && c.data()[i] == real(1);
    CHECK_MESSAGE(all_one, gemm_kernel_name(kernel));
    CHECK(error <= bound);
    CHECK(error / bound > 0.9);
  }
}

#ifndef BIORNN_NO_ALLOC_COUNTER  // counts allocations: not in make tsan (see alloc_counter.hpp)
TEST_CASE("a repeated packed gemm allocates nothing after its first call") {
  Rng rng(808);
  Padded a(120, 300), b(90, 300), c(120, 90);
  a.fill_random(rng);
  b.fill_random(rng);
  for (GemmKernel kernel : packed_kernels()) {
    for (int threads : {1, 3}) {
      // The first call may grow this thread's packing workspace; nothing after it may allocate,
      // including a smaller product, which fits in what the larger one left.
      gemm_with(kernel, threads, Trans::kNo, Trans::kYes, real(1), a.view(), b.view(), real(0),
                c.view());
      biornn_test::AllocationCounter counter;
      for (int rep = 0; rep < 3; ++rep)
        gemm_with(kernel, threads, Trans::kNo, Trans::kYes, real(1), a.view(), b.view(), real(0),
                  c.view());
      gemm_with(kernel, threads, Trans::kNo, Trans::kYes, real(1), a.view().block(0, 0, 60, 300),
                b.view(), real(1), c.view().block(0, 0, 60, 90));
      CHECK_MESSAGE(counter.count() == 0, gemm_kernel_name(kernel) << " threads=" << threads);
    }
  }
}
#endif

// The in-place path (op(A) = Aᵀ, op(B) = B, few lanes: the recurrent weight gradient) must
// give the bits the packed path gives for the same product: the same K blocks, the same
// multiply-add chains. The packed twin is the NT product of explicit transposes, whose
// operands are not contiguous along the lanes and so are packed.
TEST_CASE("products read in place give the same bits as with both operands packed") {
  Rng rng(919);
  const int32_t most = kernels::kInPlaceMaxLanes;
  for (GemmKernel kernel : packed_kernels()) {
    const kernels::GemmBlocking bl = kernels::gemm_blocking_of(kernel);
    // Full tiles only, row and column edges, one and several K blocks, the lane limit itself.
    const Shape shapes[] = {{2 * bl.mr, 2 * bl.nr, bl.kc - 1},
                            {3 * bl.mr + 2, 5 * bl.nr - 1, 2 * bl.kc + 3},
                            {bl.mr - 1, bl.nr - 1, 7},
                            {128, 128, 9 * bl.kc + 5},
                            {most, most, bl.kc + 1}};
    for (const Shape& s : shapes) {
      CHECK(kernels::reads_in_place(Trans::kYes, Trans::kNo, s.m, s.n));
      CHECK_FALSE(kernels::reads_in_place(Trans::kNo, Trans::kYes, s.m, s.n));
      Padded a(s.k, s.m), b(s.k, s.n), at(s.m, s.k), bt(s.n, s.k);
      a.fill_random(rng);
      b.fill_random(rng);
      for (int32_t p = 0; p < s.k; ++p) {
        for (int32_t i = 0; i < s.m; ++i) at.view()(i, p) = a.view()(p, i);
        for (int32_t j = 0; j < s.n; ++j) bt.view()(j, p) = b.view()(p, j);
      }
      for (int threads : {1, 3})
        for (real beta : {real(0), real(1), real(-0.5)}) {
          Padded c0(s.m, s.n), c1(s.m, s.n);
          c0.fill_random(rng);
          copy_into(c0.view(), c1.view());
          kernels::gemm_packed(kernel, threads, Trans::kYes, Trans::kNo, real(0.75), a.view(), b.view(), beta,
                               c0.view());
          kernels::gemm_packed(kernel, threads, Trans::kNo, Trans::kYes, real(0.75), at.view(), bt.view(), beta,
                               c1.view());
          CHECK_MESSAGE(bitwise_equal(Matrix::copy_of(c0.view()), Matrix::copy_of(c1.view())),
                        describe(kernel, threads, Trans::kYes, Trans::kNo, real(0.75), beta, s));
          CHECK(c0.padding_is_nan());
        }
    }
  }
  CHECK_FALSE(kernels::reads_in_place(Trans::kYes, Trans::kNo, most + 1, 16));
  CHECK_FALSE(kernels::reads_in_place(Trans::kYes, Trans::kNo, 16, most + 1));
  CHECK_FALSE(kernels::reads_in_place(Trans::kYes, Trans::kYes, 16, 16));
  CHECK_FALSE(kernels::reads_in_place(Trans::kNo, Trans::kNo, 16, 16));
}

// Compared with the packed driver itself: gemm sends products with a dimension of one (the
// first shape) to gemm_thin instead, so its bits may differ there.
TEST_CASE("a B packed once gives the same bits as the packed driver, for every shape edge, transpose and beta") {
  Rng rng(909);
  for (GemmKernel kernel : packed_kernels()) {
    const kernels::GemmBlocking bl = kernels::gemm_blocking_of(kernel);
    // Row and column edges, one and several K blocks, and more rows than mc_whole (the
    // prepacked path then packs A in several blocks).
    const Shape shapes[] = {{1, 1, 1},
                            {bl.mr - 1, bl.nr + 1, bl.kc + 1},
                            {50, 128, 128},
                            {3 * bl.mr + 2, 5 * bl.nr - 1, 2 * bl.kc + 3},
                            {bl.mc_whole + bl.mr + 1, 2 * bl.nr + 1, bl.kc - 1}};
    kernels::PackedOperandB packed;  // reused across shapes: it only grows
    for (const Shape& s : shapes)
      for (Trans ta : kTrans)
        for (Trans tb : kTrans)
          for (real beta : {real(0), real(1), real(-0.5)}) {
            const bool at = ta == Trans::kYes, bt = tb == Trans::kYes;
            Padded a(at ? s.k : s.m, at ? s.m : s.k), b(bt ? s.n : s.k, bt ? s.k : s.n);
            a.fill_random(rng);
            b.fill_random(rng);
            Padded c0(s.m, s.n), c1(s.m, s.n);
            c0.fill_random(rng);
            copy_into(c0.view(), c1.view());
            kernels::gemm_packed(kernel, 1, ta, tb, real(0.75), a.view(), b.view(), beta, c0.view());
            kernels::pack_b_operand(kernel, tb, b.view(), &packed);
            CHECK(packed.k() == s.k);
            CHECK(packed.n() == s.n);
            kernels::gemm_packed_b(ta, real(0.75), a.view(), packed, beta, c1.view());
            CHECK_MESSAGE(bitwise_equal(Matrix::copy_of(c0.view()), Matrix::copy_of(c1.view())),
                          describe(kernel, 1, ta, tb, real(0.75), beta, s));
          }
  }
}

#ifndef BIORNN_NO_ALLOC_COUNTER  // counts allocations: not in make tsan (see alloc_counter.hpp)
TEST_CASE("packing B again and multiplying with it allocate nothing once the buffers have grown") {
  Rng rng(910);
  Padded a(50, 128), w(128, 128), c(50, 128);
  a.fill_random(rng);
  w.fill_random(rng);
  for (GemmKernel kernel : packed_kernels()) {
    kernels::PackedOperandB packed;
    kernels::pack_b_operand(kernel, Trans::kYes, w.view(), &packed);
    kernels::gemm_packed_b(Trans::kNo, real(1), a.view(), packed, real(0), c.view());
    biornn_test::AllocationCounter counter;
    for (int rep = 0; rep < 3; ++rep) {
      kernels::pack_b_operand(kernel, Trans::kYes, w.view(), &packed);
      kernels::gemm_packed_b(Trans::kNo, real(1), a.view(), packed, real(1), c.view());
    }
    CHECK_MESSAGE(counter.count() == 0, gemm_kernel_name(kernel));
  }
}
#endif

TEST_CASE("a packed B of the wrong shape is a contract violation naming the shapes") {
  Matrix a(4, 5), w(6, 7), c(4, 7);
  kernels::PackedOperandB packed;
  kernels::pack_b_operand(GemmKernel::kPackedScalar, Trans::kNo, w.view(), &packed);
  try {
    kernels::gemm_packed_b(Trans::kNo, real(1), a.view(), packed, real(0), c.view());
    FAIL("no contract violation");
  } catch (const ContractViolation& e) {
    const std::string message = e.what();
    CHECK(message.find("(4, 5)") != std::string::npos);
    CHECK(message.find("(6, 7)") != std::string::npos);
  }
}
