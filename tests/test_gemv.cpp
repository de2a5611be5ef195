// test_gemv.cpp — gemv against the specification gemv_ref, within a derived bound, and the
// same bits on 1, 2 and 3 threads.
//
// Shapes: 1×1, a small odd one, and two above gemv's threading cut-off (|y|·|x| > 65536 in
// blas.cpp), one of them with several 256-entry chunks of y for op(A) = Aᵀ; both transposes;
// A is a block of a larger matrix (ld > cols) whose padding holds NaN, so a read outside the
// view poisons the result. These are the only tests that run gemv on more than one thread
// (make tsan runs them under ThreadSanitizer).
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "biornn/blas.hpp"
#include "biornn/rng.hpp"
#include "doctest/doctest.h"

using namespace biornn;

namespace {

// ---- the error bound -------------------------------------------------------------------------
// The argument of test_gemm.cpp with a single block: gemv adds the k = |x| products of one
// output in order, one rounding per product and per sum (the first sum is exact), so each
// product carries at most k roundings; α·sum adds one and + β·y one more, so with
// M_i = |α|·Σ_p |op(A)_ip||x_p| + |β||y_i|,  |ŷ_i − y_i| ≤ γ_{k+2}(u)·M_i. gemv_ref does the
// same in double and rounds once to `real` (u·|ref| for float, 0 for double). The bound is
// evaluated in double, with the same slack for its own roundings as test_gemm.cpp.
double unit_roundoff() { return std::numeric_limits<real>::epsilon() / 2; }
constexpr double kUnitRoundoffDouble = std::numeric_limits<double>::epsilon() / 2;
double gamma(int64_t n, double u) { return double(n) * u / (1.0 - double(n) * u); }

double gemv_error_bound(int32_t k, double magnitude, double reference) {
  const double final_rounding = sizeof(real) < sizeof(double) ? unit_roundoff() * std::fabs(reference) : 0.0;
  const double slack = 1.0 / (1.0 - gamma(int64_t(k) + 10, kUnitRoundoffDouble));
  return (gamma(int64_t(k) + 2, unit_roundoff()) * magnitude + gamma(int64_t(k) + 2, kUnitRoundoffDouble) * magnitude +
          final_rounding) *
         slack;
}

// ---- operands ----------------------------------------------------------------------------------
const real kNaN = std::numeric_limits<real>::quiet_NaN();

// op(A) is rows × cols; A is stored inside a matrix with 2 more rows and 3 more columns of NaN.
struct Problem {
  Trans trans;
  int32_t rows, cols;
  Matrix storage;
  std::vector<real> x, y;
  Problem(Trans t, int32_t r, int32_t c, Rng& rng)
      : trans(t), rows(r), cols(c), storage(a_rows() + 2, a_cols() + 3, kNaN), x(std::size_t(c)), y(std::size_t(r)) {
    const MatrixView a = storage.view().block(1, 1, a_rows(), a_cols());
    for (int32_t i = 0; i < a.rows; ++i)
      for (int32_t j = 0; j < a.cols; ++j) a(i, j) = real(rng.uniform(-1.0, 1.0));
    for (real& v : x) v = real(rng.uniform(-1.0, 1.0));
    for (real& v : y) v = real(rng.uniform(-1.0, 1.0));
  }
  int32_t a_rows() const { return trans == Trans::kNo ? rows : cols; }
  int32_t a_cols() const { return trans == Trans::kNo ? cols : rows; }
  ConstMatrixView a() const { return storage.view().block(1, 1, a_rows(), a_cols()); }
  real op_a(int32_t i, int32_t p) const { return trans == Trans::kNo ? a()(i, p) : a()(p, i); }

  // y after gemv on `threads` threads; with β = 0 y starts as NaN, which must not leak.
  std::vector<real> run(real alpha, real beta, int threads) const {
    std::vector<real> out = beta == real(0) ? std::vector<real>(y.size(), kNaN) : y;
    gemv(trans, alpha, a(), x.data(), cols, beta, out.data(), rows, threads);
    return out;
  }
};

bool same_bits(const std::vector<real>& a, const std::vector<real>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(real)) == 0;
}

struct Shape {
  int32_t rows, cols;  // of op(A)
};
// The last two exceed the threading cut-off; 700 outputs are three chunks for op(A) = Aᵀ.
const Shape kShapes[] = {{1, 1}, {5, 7}, {301, 257}, {700, 100}};

}  // namespace

TEST_CASE("gemv matches gemv_ref within the derived bound for both transposes on 1 and 3 threads") {
  Rng rng(1201);
  for (Trans trans : {Trans::kNo, Trans::kYes})
    for (const Shape& s : kShapes) {
      const Problem pr(trans, s.rows, s.cols, rng);
      for (real alpha : {real(1), real(-0.5)})
        for (real beta : {real(0), real(2)})
          for (int threads : {1, 3}) {
            CAPTURE(trans == Trans::kYes);
            CAPTURE(s.rows);
            CAPTURE(s.cols);
            CAPTURE(alpha);
            CAPTURE(beta);
            CAPTURE(threads);
            const std::vector<real> got = pr.run(alpha, beta, threads);
            std::vector<real> want = pr.y;
            gemv_ref(trans, alpha, pr.a(), pr.x.data(), s.cols, beta, want.data(), s.rows);
            int32_t outside = 0;
            for (int32_t i = 0; i < s.rows; ++i) {
              double magnitude = beta == real(0) ? 0.0 : std::fabs(double(beta) * double(pr.y[std::size_t(i)]));
              for (int32_t p = 0; p < s.cols; ++p)
                magnitude += std::fabs(double(alpha) * double(pr.op_a(i, p)) * double(pr.x[std::size_t(p)]));
              const double ref = double(want[std::size_t(i)]);
              const double bound = gemv_error_bound(s.cols, magnitude, ref);
              if (!(std::fabs(double(got[std::size_t(i)]) - ref) <= bound)) ++outside;  // NaN never passes
            }
            CHECK(outside == 0);
          }
    }
}

TEST_CASE("gemv gives the same bits on 1, 2 and 3 threads") {
  Rng rng(1202);
  for (Trans trans : {Trans::kNo, Trans::kYes})
    for (const Shape& s : kShapes) {
      const Problem pr(trans, s.rows, s.cols, rng);
      CAPTURE(trans == Trans::kYes);
      CAPTURE(s.rows);
      const std::vector<real> one = pr.run(real(0.75), real(-1.25), 1);
      CHECK(same_bits(one, pr.run(real(0.75), real(-1.25), 2)));
      CHECK(same_bits(one, pr.run(real(0.75), real(-1.25), 3)));
    }
}
