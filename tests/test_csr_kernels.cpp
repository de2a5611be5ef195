// test_csr_kernels.cpp — csr_spmm, dense_csr_mm and sddmm against their dense twin: gemm_ref on
// S.to_dense(), over shapes with empty rows and columns, 0-sized and 1×1 shapes, densities 0,
// 0.3 and 1, every transpose, α, β ∈ {0, 1, −0.5, 2}, and block views as dense operands.
//
// Tolerance (derived, not tuned). Let u = ε/2 of `real`, γ_n = n·u / (1 − n·u), and for one
// output element let P = Σ_p |op(X)(i, p)|·|op(Y)(p, j)| over the k terms of its inner
// product. A sum of at most k rounded products, added in any order in `real`, is within γ_k·P
// of the exact sum (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §3.1);
// scaling by α and β and the final addition are three more roundings, so the kernel is within
// γ_{k+2}·|α|·P + γ_2·|β·c| of the exact α·s + β·c. gemm_ref accumulates in double and rounds
// once; its accumulator is never less precise than ours, so it obeys the same bound with
// γ_{k+3}. The two therefore differ by at most 2·γ_{k+3}·(|α|·P + |β|·|c|); P itself comes from
// gemm_ref in `real` (one more rounding), which the bound pays for as 2·γ_{k+4}.
// Bit-for-bit claims (thread count, transposes) are checked with bitwise_equal, no tolerance.
#include "doctest/doctest.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "alloc_counter.hpp"
#include "biornn/blas.hpp"
#include "biornn/rng.hpp"
#include "kernels/csr_lanes.hpp"

using namespace biornn;

namespace {

constexpr real kSentinel = real(-12345);
const real kNaN = std::numeric_limits<real>::quiet_NaN();
const real kScalars[] = {0, 1, real(-0.5), 2};

double gamma_n(int64_t n) {
  const double u = double(std::numeric_limits<real>::epsilon()) / 2;
  return double(n) * u / (1.0 - double(n) * u);
}

void fill_uniform(MatrixView m, Rng& rng) {
  for (int32_t i = 0; i < m.rows; ++i)
    for (int32_t j = 0; j < m.cols; ++j) m(i, j) = real(rng.uniform(-1, 1));
}

void fill_value(MatrixView m, real value) {
  for (int32_t i = 0; i < m.rows; ++i)
    for (int32_t j = 0; j < m.cols; ++j) m(i, j) = value;
}

Matrix abs_of(ConstMatrixView m) {
  Matrix a(m.rows, m.cols);
  for (int32_t i = 0; i < m.rows; ++i)
    for (int32_t j = 0; j < m.cols; ++j) a(i, j) = std::fabs(m(i, j));
  return a;
}

// rows × cols values inside a bigger parent full of sentinels (ld = cols + 3), so the kernels
// meet a leading dimension larger than the width and must not touch anything around the block.
struct Embedded {
  Matrix parent;
  int32_t rows, cols;
  Embedded(int32_t r, int32_t c) : parent(r + 2, c + 3, kSentinel), rows(r), cols(c) {}
  MatrixView view() { return parent.view().block(1, 2, rows, cols); }
  ConstMatrixView view() const { return parent.view().block(1, 2, rows, cols); }
  bool margins_untouched() const {
    for (int32_t i = 0; i < parent.rows(); ++i)
      for (int32_t j = 0; j < parent.cols(); ++j) {
        const bool inside = i >= 1 && i < rows + 1 && j >= 2 && j < cols + 2;
        if (!inside && parent(i, j) != kSentinel) return false;
      }
    return true;
  }
};

// Bernoulli(density) pattern with values in [−1, 1). Below full density, row rows/2 and column
// cols/3 are emptied so that every such pattern has an empty row and an empty column.
CsrMatrix random_csr(int32_t rows, int32_t cols, double density, Rng& rng) {
  std::vector<CsrTriplet> triplets;
  for (int32_t i = 0; i < rows; ++i) {
    for (int32_t j = 0; j < cols; ++j) {
      const bool emptied = density < 1 && (i == rows / 2 || j == cols / 3);
      if (rng.bernoulli(density) && !emptied) triplets.push_back({i, j, real(rng.uniform(-1, 1))});
    }
  }
  return CsrMatrix::from_triplets(rows, cols, triplets);
}

CsrMatrix with_values(const CsrMatrix& s, real value) {
  CsrMatrix t = s;
  const std::vector<real> v(std::size_t(s.nnz()), value);
  t.set_values(v.data(), s.nnz());
  return t;
}

// Counts elements (i, j) where |got − want| > bound (NaN counts) and describes the first.
struct Comparison {
  int64_t failures = 0;
  std::string first;
  void add(double got, double want, double bound, int32_t i, int32_t j) {
    if (std::fabs(got - want) <= bound) return;
    if (failures++ == 0)
      first = "(" + std::to_string(i) + ", " + std::to_string(j) + "): got " + std::to_string(got) +
              ", want " + std::to_string(want) + ", bound " + std::to_string(bound);
  }
};

// The per-element bound of the file comment: 2·γ_{k+4}·(|α|·P + |β|·|c0|).
double bound(int32_t k, real alpha, double p, real beta, double c0) {
  const double scaled_c = beta == real(0) ? 0.0 : std::fabs(double(beta)) * std::fabs(c0);
  const double scaled_p = alpha == real(0) ? 0.0 : std::fabs(double(alpha)) * p;
  return 2 * gamma_n(int64_t(k) + 4) * (scaled_p + scaled_c);
}

struct Dims {
  int32_t m, k, n;
};
// 0-sized in each place, 1×1, edges of the 16-wide blocks, and (for sddmm) k > 128, which
// takes two depth blocks.
const Dims kDims[] = {{0, 3, 4}, {3, 0, 4},   {3, 4, 0},    {0, 0, 0},  {1, 1, 1},
                      {5, 7, 3}, {17, 9, 33}, {20, 33, 17}, {9, 150, 7}};
const double kDensities[] = {0.0, 0.3, 1.0};

std::string describe(const char* kernel, Dims d, double density, Trans t, real alpha, real beta) {
  return std::string(kernel) + " m=" + std::to_string(d.m) + " k=" + std::to_string(d.k) +
         " n=" + std::to_string(d.n) + " density=" + std::to_string(density) +
         (t == Trans::kYes ? " transposed" : "") + " alpha=" + std::to_string(alpha) +
         " beta=" + std::to_string(beta);
}

// One csr_spmm (sparse_left) or dense_csr_mm case against gemm_ref. Output C starts random, or
// NaN when β = 0 (it must not be read); inputs are NaN when α = 0 (they must not be read).
void check_product_case(bool sparse_left, Dims d, double density, Trans t, real alpha, real beta,
                        Rng& rng) {
  const char* kernel = sparse_left ? "csr_spmm" : "dense_csr_mm";
  const std::string where = describe(kernel, d, density, t, alpha, beta);
  CAPTURE(where);
  // sparse_left: op(S): (m, k), dense X: (k, n). Otherwise X: (m, k), op(S): (k, n).
  const int32_t s_rows =
      sparse_left ? (t == Trans::kNo ? d.m : d.k) : (t == Trans::kNo ? d.k : d.n);
  const int32_t s_cols =
      sparse_left ? (t == Trans::kNo ? d.k : d.m) : (t == Trans::kNo ? d.n : d.k);
  CsrMatrix s = random_csr(s_rows, s_cols, density, rng);
  Embedded x(sparse_left ? d.k : d.m, sparse_left ? d.n : d.k);
  fill_uniform(x.view(), rng);
  Embedded c(d.m, d.n);
  fill_uniform(c.view(), rng);
  if (beta == real(0)) fill_value(c.view(), kNaN);
  if (alpha == real(0)) {
    s = with_values(s, kNaN);
    fill_value(x.view(), kNaN);
  }
  const Matrix c0 = Matrix::copy_of(c.view());
  const Matrix sd = s.to_dense();

  Matrix want = c0, p(d.m, d.n);
  if (sparse_left) {
    csr_spmm(t, alpha, s.view(), x.view(), beta, c.view());
    gemm_ref(t, Trans::kNo, alpha, sd, x.view(), beta, want);
    if (alpha != real(0)) gemm_ref(t, Trans::kNo, 1, abs_of(sd), abs_of(x.view()), 0, p);
  } else {
    dense_csr_mm(t, alpha, x.view(), s.view(), beta, c.view());
    gemm_ref(Trans::kNo, t, alpha, x.view(), sd, beta, want);
    if (alpha != real(0)) gemm_ref(Trans::kNo, t, 1, abs_of(x.view()), abs_of(sd), 0, p);
  }
  Comparison cmp;
  for (int32_t i = 0; i < d.m; ++i)
    for (int32_t j = 0; j < d.n; ++j)
      cmp.add(c.view()(i, j), want(i, j), bound(d.k, alpha, p(i, j), beta, c0(i, j)), i, j);
  CHECK_MESSAGE(cmp.failures == 0, cmp.first);
  CHECK(c.margins_untouched());
}

// One sddmm case against gemm_ref sampled on the pattern. The old values are random, or NaN
// when β = 0; A and B are NaN when α = 0; the pattern's own values are always NaN (never read).
void check_sddmm_case(Dims d, double density, Trans ta, Trans tb, real alpha, real beta, Rng& rng) {
  const std::string where =
      describe("sddmm", d, density, ta, alpha, beta) + (tb == Trans::kYes ? " B transposed" : "");
  CAPTURE(where);
  CsrMatrix pattern = random_csr(d.m, d.n, density, rng);
  Embedded a(ta == Trans::kNo ? d.m : d.k, ta == Trans::kNo ? d.k : d.m);
  Embedded b(tb == Trans::kNo ? d.k : d.n, tb == Trans::kNo ? d.n : d.k);
  fill_uniform(a.view(), rng);
  fill_uniform(b.view(), rng);
  if (alpha == real(0)) {
    fill_value(a.view(), kNaN);
    fill_value(b.view(), kNaN);
  }
  if (beta == real(0)) pattern = with_values(pattern, kNaN);
  std::vector<real> v = pattern.values();  // the output's old values
  const std::vector<real> v0 = v;
  const CsrMatrix ignored = with_values(pattern, kNaN);
  sddmm(ta, tb, alpha, a.view(), b.view(), beta, ignored.view(), v.data());

  Matrix want = pattern.to_dense(), p(d.m, d.n);
  gemm_ref(ta, tb, alpha, a.view(), b.view(), beta, want);
  if (alpha != real(0)) gemm_ref(ta, tb, 1, abs_of(a.view()), abs_of(b.view()), 0, p);
  Comparison cmp;
  for (int32_t i = 0; i < d.m; ++i) {
    for (int64_t q = pattern.row_ptr()[std::size_t(i)]; q < pattern.row_ptr()[std::size_t(i) + 1];
         ++q) {
      const int32_t j = pattern.col_idx()[std::size_t(q)];
      const std::size_t e = std::size_t(q);
      cmp.add(v[e], want(i, j), bound(d.k, alpha, p(i, j), beta, v0[e]), i, j);
    }
  }
  CHECK_MESSAGE(cmp.failures == 0, cmp.first);
  CHECK(a.margins_untouched());
  CHECK(b.margins_untouched());
}

}  // namespace

TEST_CASE("csr_spmm equals the dense product within the derived bound in every case") {
  Rng rng(101);
  for (const Dims d : kDims)
    for (const double density : kDensities)
      for (const Trans t : {Trans::kNo, Trans::kYes})
        for (const real alpha : kScalars)
          for (const real beta : kScalars)
            check_product_case(true, d, density, t, alpha, beta, rng);
}

TEST_CASE("dense_csr_mm equals the dense product within the derived bound in every case") {
  Rng rng(202);
  for (const Dims d : kDims)
    for (const double density : kDensities)
      for (const Trans t : {Trans::kNo, Trans::kYes})
        for (const real alpha : kScalars)
          for (const real beta : kScalars)
            check_product_case(false, d, density, t, alpha, beta, rng);
}

TEST_CASE("sddmm equals the dense product sampled on the pattern within the derived bound") {
  Rng rng(303);
  for (const Dims d : kDims)
    for (const double density : kDensities)
      for (const Trans ta : {Trans::kNo, Trans::kYes})
        for (const Trans tb : {Trans::kNo, Trans::kYes})
          for (const real alpha : kScalars)
            for (const real beta : kScalars) check_sddmm_case(d, density, ta, tb, alpha, beta, rng);
}

TEST_CASE("the derived bound holds at k = 150 and is still far below 1 % of the sum of |a·b|") {
  // The other edge of the tolerance rule: a bound this loose would hide nothing, so check that
  // it is small (2·γ_154 ≈ 300 ulps of P in float) as well as satisfied.
  Rng rng(7);
  const CsrMatrix pattern = random_csr(4, 5, 1.0, rng);
  Matrix a(150, 4), b(150, 5);
  fill_uniform(a, rng);
  fill_uniform(b, rng);
  std::vector<real> v(std::size_t(pattern.nnz()));
  sddmm(Trans::kYes, Trans::kNo, 1, a, b, 0, pattern.view(), v.data());
  Matrix want(4, 5), p(4, 5);
  gemm_ref(Trans::kYes, Trans::kNo, 1, a, b, 0, want);
  gemm_ref(Trans::kYes, Trans::kNo, 1, abs_of(a), abs_of(b), 0, p);
  const double b00 = bound(150, 1, p(0, 0), 0, 0);
  CHECK(std::fabs(double(v[0]) - double(want(0, 0))) <= b00);
  CHECK(b00 < 0.01 * double(p(0, 0)));
}

TEST_CASE("the sparse kernels give bit-identical results on 1 and 3 threads") {
  Rng rng(404);
  const CsrMatrix s = random_csr(70, 90, 0.3, rng);  // nnz ≈ 1900, above the threading cut-off
  Matrix b(90, 40), bt(70, 40), a(40, 90), at(40, 70), h(130, 90), dy(130, 70);
  for (Matrix* m : {&b, &bt, &a, &at, &h, &dy}) fill_uniform(*m, rng);
  Matrix c_init(70, 40), ct_init(90, 40), y_init(40, 70), yt_init(40, 90);
  for (Matrix* m : {&c_init, &ct_init, &y_init, &yt_init}) fill_uniform(*m, rng);

  auto spmm = [&](Trans t, int threads) {
    Matrix c = t == Trans::kNo ? c_init : ct_init;
    csr_spmm(t, real(-0.5), s.view(), t == Trans::kNo ? b : bt, 2, c, threads);
    return c;
  };
  auto dense = [&](Trans t, int threads) {
    Matrix y = t == Trans::kNo ? yt_init : y_init;
    dense_csr_mm(t, 2, t == Trans::kNo ? at : a, s.view(), real(-0.5), y, threads);
    return y;
  };
  auto sampled = [&](int threads) {
    std::vector<real> v = s.values();
    sddmm(Trans::kYes, Trans::kNo, real(0.5), dy, h, 1, s.view(), v.data(), threads);
    return v;
  };
  for (const Trans t : {Trans::kNo, Trans::kYes}) {
    CHECK(bitwise_equal(spmm(t, 1), spmm(t, 3)));
    CHECK(bitwise_equal(dense(t, 1), dense(t, 3)));
    CHECK(bitwise_equal(dense(t, 2), dense(t, 0)));
  }
  CHECK(sampled(1) == sampled(3));
  CHECK(sampled(2) == sampled(0));
}

TEST_CASE("the AVX2 lane loops give the same bits as the portable ones they twin") {
  // csr_lanes.hpp: the same multiplies and adds in the same order, no FMA. Shapes with a row
  // count that is not a multiple of the 16 lanes (37 rows: a pair of blocks and a single one;
  // 50 rows: two pairs, the second with 2 live rows), empty pattern rows, and depths 150 (one
  // full depth block and a tail) and 7 (a tail only) for sddmm, whose rows of about 16 entries
  // run four dots at a time and then the rest one by one.
  const GemmKernel before = active_gemm_kernel();
  if (!gemm_kernel_available(GemmKernel::kPackedAvx2)) {
    MESSAGE("AVX2 is not available here: only the portable loops run");
    CHECK_FALSE(kernels::csr_lanes_avx2_active());
    return;
  }
  Rng rng(808);
  for (const std::pair<int32_t, int32_t>& shape : {std::pair<int32_t, int32_t>{37, 150}, {37, 7}, {50, 150}}) {
    const int32_t rows = shape.first, depth = shape.second;  // plain locals: CAPTURE cannot take a structured binding
    CAPTURE(rows);
    CAPTURE(depth);
    const CsrMatrix s = random_csr(45, 53, 0.3, rng);
    Matrix a(rows, 53), at(rows, 45), h(depth, 53), dy(depth, 45), y0(rows, 45), yt0(rows, 53);
    for (Matrix* m : {&a, &at, &h, &dy, &y0, &yt0}) fill_uniform(*m, rng);
    auto run = [&](GemmKernel kernel, int threads) {
      set_gemm_kernel(kernel);
      CHECK(kernels::csr_lanes_avx2_active() == (kernel == GemmKernel::kPackedAvx2 && sizeof(real) == 4));
      std::vector<Matrix> out;
      Matrix y = y0, yt = yt0;
      dense_csr_mm(Trans::kYes, real(0.75), a, s.view(), real(-0.5), y, threads);  // (rows, 53)·Sᵀ
      dense_csr_mm(Trans::kNo, real(0.75), at, s.view(), 0, yt, threads);          // (rows, 45)·S
      out.push_back(y);
      out.push_back(yt);
      const Matrix dyt = transposed(dy), ht = transposed(h);
      for (const Trans ta : {Trans::kNo, Trans::kYes})
        for (const Trans tb : {Trans::kNo, Trans::kYes}) {
          std::vector<real> v = s.values();
          sddmm(ta, tb, real(0.5), ta == Trans::kYes ? dy : dyt, tb == Trans::kYes ? ht : h, 1, s.view(), v.data(),
                threads);
          out.push_back(Matrix(1, int32_t(v.size())));
          std::copy(v.begin(), v.end(), out.back().data());
        }
      return out;
    };
    const std::vector<Matrix> portable = run(GemmKernel::kPackedScalar, 1);
    for (const int threads : {1, 2}) {
      const std::vector<Matrix> avx2 = run(GemmKernel::kPackedAvx2, threads);
      REQUIRE(avx2.size() == portable.size());
      for (std::size_t i = 0; i < avx2.size(); ++i) {
        CAPTURE(i);
        CHECK(bitwise_equal(avx2[i], portable[i]));
      }
    }
  }
  set_gemm_kernel(before);
}

TEST_CASE("op(S) = Sᵀ gives the same bits as running on the materialised S.transpose()") {
  // Both add the terms of an element in increasing inner index (the kernels' stated order).
  Rng rng(505);
  const CsrMatrix s = random_csr(37, 29, 0.25, rng);
  const CsrMatrix st = s.transpose();
  Matrix b(37, 21), a(19, 29);
  fill_uniform(b, rng);
  fill_uniform(a, rng);
  Matrix c1(29, 21, 1), c2(29, 21, 1);
  csr_spmm(Trans::kYes, real(-0.5), s.view(), b, 2, c1);
  csr_spmm(Trans::kNo, real(-0.5), st.view(), b, 2, c2);
  CHECK(bitwise_equal(c1, c2));
  Matrix y1(19, 37, 1), y2(19, 37, 1);
  dense_csr_mm(Trans::kYes, 2, a, s.view(), real(-0.5), y1);
  dense_csr_mm(Trans::kNo, 2, a, st.view(), real(-0.5), y2);
  CHECK(bitwise_equal(y1, y2));
}

TEST_CASE("sddmm gives the same bits for every transpose of the same operands") {
  Rng rng(606);
  const CsrMatrix s = random_csr(23, 31, 0.3, rng);
  Matrix a(23, 150), b(150, 31);  // k = 150 spans two depth blocks
  fill_uniform(a, rng);
  fill_uniform(b, rng);
  const Matrix at = transposed(a), bt = transposed(b);
  auto run = [&](Trans ta, Trans tb) {
    std::vector<real> v(std::size_t(s.nnz()), kNaN);
    sddmm(ta, tb, 1, ta == Trans::kNo ? a : at, tb == Trans::kNo ? b : bt, 0, s.view(), v.data());
    return v;
  };
  const std::vector<real> base = run(Trans::kNo, Trans::kNo);
  CHECK(run(Trans::kYes, Trans::kNo) == base);
  CHECK(run(Trans::kNo, Trans::kYes) == base);
  CHECK(run(Trans::kYes, Trans::kYes) == base);
}

TEST_CASE("sddmm may write into the pattern's own values, which it never reads") {
  Rng rng(707);
  CsrMatrix s = random_csr(8, 9, 0.5, rng);
  Matrix a(8, 5), b(5, 9);
  fill_uniform(a, rng);
  fill_uniform(b, rng);
  std::vector<real> separate = s.values();
  sddmm(Trans::kNo, Trans::kNo, 2, a, b, real(-0.5), s.view(), separate.data());
  sddmm(Trans::kNo, Trans::kNo, 2, a, b, real(-0.5), s.view(), s.mutable_values());
  CHECK(s.values() == separate);
}

TEST_CASE("shape mismatches are contract violations naming both shapes") {
  const CsrMatrix s(4, 6);
  auto names = [](auto f, std::initializer_list<const char*> parts) {
    try {
      f();
      FAIL("expected a contract violation");
    } catch (const ContractViolation& e) {
      const std::string what = e.what();
      for (const char* p : parts) CHECK_MESSAGE(what.find(p) != std::string::npos, what);
    }
  };
  Matrix b5(5, 3), c43(4, 3), c42(4, 2), a27(2, 7), y24(2, 4), dy(3, 4), h(3, 7);
  names([&] { csr_spmm(Trans::kNo, 1, s.view(), b5, 0, c43); }, {"csr_spmm", "(4, 6)", "(5, 3)"});
  names([&] { csr_spmm(Trans::kYes, 1, s.view(), b5, 0, c43); },
        {"(6, 4)", "transposed", "(5, 3)"});
  names([&] { csr_spmm(Trans::kNo, 1, s.view(), Matrix(6, 3), 0, c42); },
        {"(4, 3)", "C is (4, 2)"});
  names([&] { dense_csr_mm(Trans::kYes, 1, a27, s.view(), 0, y24); },
        {"dense_csr_mm", "(2, 7)", "(6, 4)"});
  names([&] { dense_csr_mm(Trans::kYes, 1, Matrix(2, 6), s.view(), 0, Matrix(2, 5).view()); },
        {"(2, 4)", "C is (2, 5)"});
  std::vector<real> v;
  names([&] { sddmm(Trans::kYes, Trans::kNo, 1, dy, h, 0, s.view(), v.data()); },
        {"sddmm", "(4, 7)", "pattern is (4, 6)"});
  names([&] { sddmm(Trans::kYes, Trans::kNo, 1, dy, Matrix(2, 6), 0, s.view(), v.data()); },
        {"(4, 3)", "(2, 6)", "inner dimensions"});
  names([&] { csr_spmm(Trans::kNo, 1, s.view(), Matrix(6, 3), 0, c43, -1); }, {"thread count"});
}

TEST_CASE("a CsrView whose row_ptr does not end at nnz is refused") {
  const CsrMatrix s = CsrMatrix::from_triplets(2, 2, {{0, 0, 1}, {1, 1, 1}});
  CsrView v = s.view();
  v.nnz = 3;
  Matrix b(2, 2), c(2, 2);
  CHECK_THROWS_AS(csr_spmm(Trans::kNo, 1, v, b, 0, c), ContractViolation);
  CHECK_THROWS_AS(dense_csr_mm(Trans::kNo, 1, b, v, 0, c), ContractViolation);
}

#ifndef BIORNN_NO_ALLOC_COUNTER  // counts allocations: not in make tsan (see alloc_counter.hpp)
TEST_CASE("the sparse kernels allocate nothing once warmed up (a training step's steady state)") {
  Rng rng(808);
  const CsrMatrix w = random_csr(48, 48, 0.2, rng);
  Matrix h(40, 48), y(40, 48), dh(40, 48), hs(90, 48), dys(90, 48), hc(48, 40), yc(48, 40);
  for (Matrix* m : {&h, &hs, &dys, &hc}) fill_uniform(*m, rng);
  std::vector<real> dw(std::size_t(w.nnz()));
  auto step = [&] {
    dense_csr_mm(Trans::kYes, 1, h, w.view(), 0, y, 2);                     // Y = H·Wᵀ
    dense_csr_mm(Trans::kNo, 1, y, w.view(), 0, dh, 2);                     // dH = dY·W
    sddmm(Trans::kYes, Trans::kNo, 1, dys, hs, 1, w.view(), dw.data(), 2);  // dW += dYᵀ·H
    csr_spmm(Trans::kNo, 1, w.view(), hc, 0, yc, 2);
    csr_spmm(Trans::kYes, 1, w.view(), yc, 0, hc, 2);
  };
  step();
  step();
  biornn_test::AllocationCounter counter;
  step();
  CHECK(counter.count() == 0);
}
#endif
