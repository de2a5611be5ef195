// blas.cpp — public entry points for dense products: shape checks, trivial cases, dispatch.
//
// The sparse products (csr_spmm, dense_csr_mm, sddmm) live in src/kernels/csr_kernels.cpp.
#include "biornn/blas.hpp"

#include "kernels/gemm_packed.hpp"
#include "kernels/gemm_thin.hpp"
#include "kernels/shape_checks.hpp"

namespace biornn {

namespace kernels {

GemmDims check_gemm_shapes(const char* function, Trans trans_a, Trans trans_b, ConstMatrixView a,
                           ConstMatrixView b, ConstMatrixView c) {
  GemmDims d;
  d.m = trans_a == Trans::kNo ? a.rows : a.cols;
  d.k = trans_a == Trans::kNo ? a.cols : a.rows;
  const int32_t kb = trans_b == Trans::kNo ? b.rows : b.cols;
  d.n = trans_b == Trans::kNo ? b.cols : b.rows;
  BIORNN_CHECK(d.k == kb, std::string(function) + ": op(A) is " + shape_string(d.m, d.k) +
                              " (A is " + a.shape() + (trans_a == Trans::kYes ? ", transposed" : "") +
                              ") but op(B) is " + shape_string(kb, d.n) + " (B is " + b.shape() +
                              (trans_b == Trans::kYes ? ", transposed" : "") +
                              "); the inner dimensions must agree");
  BIORNN_CHECK(c.rows == d.m && c.cols == d.n,
               std::string(function) + ": op(A)·op(B) is " + shape_string(d.m, d.n) +
                   " but C is " + c.shape());
  return d;
}

}  // namespace kernels

namespace {

int resolve_threads(int threads) {
  BIORNN_CHECK(threads >= 0, "thread count must be >= 0 (0 = active), got " + std::to_string(threads));
  return threads == 0 ? active_threads() : threads;
}

}  // namespace

void gemm_with(GemmKernel kernel, int threads, Trans trans_a, Trans trans_b, real alpha,
               ConstMatrixView a, ConstMatrixView b, real beta, MatrixView c) {
  BIORNN_CHECK(gemm_kernel_available(kernel),
               std::string("gemm: kernel ") + gemm_kernel_name(kernel) + " is not available here");
  threads = resolve_threads(threads);
  if (kernel == GemmKernel::kRef) {
    gemm_ref(trans_a, trans_b, alpha, a, b, beta, c);
    return;
  }
  const kernels::GemmDims d = kernels::check_gemm_shapes("gemm", trans_a, trans_b, a, b, c);
  if (d.m == 0 || d.n == 0) return;
  if (alpha != real(0) && kernels::is_thin_product(trans_a, d.m, d.n, d.k)) {
    kernels::gemm_thin(threads, trans_a, trans_b, alpha, a, b, beta, c);  // a dimension of one
    return;
  }
  kernels::gemm_packed(kernel, threads, trans_a, trans_b, alpha, a, b, beta, c);
}

void gemm(Trans trans_a, Trans trans_b, real alpha, ConstMatrixView a, ConstMatrixView b,
          real beta, MatrixView c, int threads) {
  gemm_with(active_gemm_kernel(), threads, trans_a, trans_b, alpha, a, b, beta, c);
}

namespace {

void check_gemv_shapes(const char* function, Trans trans_a, ConstMatrixView a, int32_t x_len,
                       int32_t y_len) {
  const int32_t rows = trans_a == Trans::kNo ? a.rows : a.cols;
  const int32_t cols = trans_a == Trans::kNo ? a.cols : a.rows;
  BIORNN_CHECK(x_len == cols && y_len == rows,
               std::string(function) + ": op(A) is " + shape_string(rows, cols) +
                   " so x needs " + std::to_string(cols) + " entries and y " +
                   std::to_string(rows) + ", got x: " + std::to_string(x_len) +
                   ", y: " + std::to_string(y_len));
}

}  // namespace

void gemv_ref(Trans trans_a, real alpha, ConstMatrixView a, const real* x, int32_t x_len,
              real beta, real* y, int32_t y_len) {
  check_gemv_shapes("gemv_ref", trans_a, a, x_len, y_len);
  for (int32_t i = 0; i < y_len; ++i) {
    double sum = 0.0;
    if (alpha != real(0)) {
      for (int32_t p = 0; p < x_len; ++p)
        sum += double(trans_a == Trans::kNo ? a(i, p) : a(p, i)) * double(x[p]);
    }
    const double previous = beta == real(0) ? 0.0 : double(beta) * double(y[i]);
    y[i] = real(double(alpha) * sum + previous);
  }
}

// Not blocked: a matrix–vector product is bound by reading A once. For op(A) = A each output
// is an independent dot product over a contiguous row; for op(A) = Aᵀ we sweep A row by row
// and accumulate into y, splitting y (the output) across threads.
void gemv(Trans trans_a, real alpha, ConstMatrixView a, const real* x, int32_t x_len, real beta,
          real* y, int32_t y_len, int threads) {
  check_gemv_shapes("gemv", trans_a, a, x_len, y_len);
  threads = resolve_threads(threads);
  (void)threads;
  if (trans_a == Trans::kNo) {
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static) if (int64_t(y_len) * x_len > 65536)
#endif
    for (int32_t i = 0; i < y_len; ++i) {
      real sum = 0;
      if (alpha != real(0)) {
        const real* row = a.row(i);
        for (int32_t p = 0; p < x_len; ++p) sum += row[p] * x[p];
      }
      y[i] = beta == real(0) ? alpha * sum : alpha * sum + beta * y[i];
    }
    return;
  }
  constexpr int32_t kChunk = 256;  // y entries per task: one task's slice of every row of A
  const int32_t chunks = (y_len + kChunk - 1) / kChunk;
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static) if (int64_t(y_len) * x_len > 65536)
#endif
  for (int32_t chunk = 0; chunk < chunks; ++chunk) {
    const int32_t j0 = chunk * kChunk;
    const int32_t j1 = j0 + kChunk < y_len ? j0 + kChunk : y_len;
    real acc[kChunk];
    for (int32_t j = j0; j < j1; ++j) acc[j - j0] = 0;
    if (alpha != real(0)) {
      for (int32_t p = 0; p < x_len; ++p) {
        const real xp = x[p];
        const real* row = a.row(p);
        for (int32_t j = j0; j < j1; ++j) acc[j - j0] += row[j] * xp;
      }
    }
    for (int32_t j = j0; j < j1; ++j)
      y[j] = beta == real(0) ? alpha * acc[j - j0] : alpha * acc[j - j0] + beta * y[j];
  }
}

}  // namespace biornn
