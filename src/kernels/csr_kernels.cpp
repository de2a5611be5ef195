// csr_kernels.cpp — the products with one CSR operand declared in blas.hpp:
//   csr_spmm      C = α·op(S)·B + β·C
//   dense_csr_mm  C = α·A·op(S) + β·C      (a pruned layer: Y = H·Wᵀ forward, dH = dY·W back)
//   sddmm         v = α·(op(A)·op(B)) + β·v on S's pattern  (its weight gradient dW = dYᵀ·H)
//
// The specification of each is gemm_ref on S.to_dense(); the tests compare against exactly that.
//
// Summation order is part of the contract here. Every output element is one sum whose terms
// are added in a fixed order that depends on neither the thread count nor the blocking:
//   csr_spmm, dense_csr_mm   in increasing inner index p, one accumulator per element;
//   sddmm                    kLanes interleaved partial sums per depth block of kDepthBlock,
//                            folded by a fixed tree, blocks added in increasing order.
// Threads only ever split the output (rows of C, column slices of C, rows of the pattern), so
// results are bit-identical for every thread count. The transposed products, which scatter,
// still split the output: each thread sweeps the whole pattern for its own slice. A side
// effect worth testing: op(S) = Sᵀ gives the same bits as running on S.transpose().
//
// Speed comes from fixed-width (kLanes) inner loops over contiguous data that the compiler
// vectorises at -O2 with baseline SSE2 — no intrinsics, no fast-math, no FMA contraction:
// dense_csr_mm packs kLanes rows of A side by side, csr_spmm works on kLanes columns of B at a
// time, sddmm keeps kLanes partial sums. The pattern is trusted to satisfy the CSR invariants
// (every CsrView comes from a CsrMatrix, which checked them); the kernels re-check only what is
// O(1). Scratch is per thread and grow-only, so a training step allocates nothing after its
// first call. The three hottest loops (dense_csr_mm both ways, sddmm) have an 8-wide AVX2 twin
// in csr_lanes_avx2.cpp that computes the same bits (csr_lanes.hpp); it runs when
// csr_lanes_avx2_active(), and the loops here are then its reference. The gathering form
// (op(S) = Sᵀ) is the faster one, which is why the recurrent backward pass runs dZ·W as
// dZ·(Wᵀ)ᵀ on a transposed copy (recurrent_driver.cpp) rather than scattering.
//
// Not here: the CSR container (csr.cpp), dense GEMM (gemm_ref.cpp and the packed driver).
#include <algorithm>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "biornn/blas.hpp"
#include "kernels/csr_lanes.hpp"

namespace biornn {

namespace kernels {

bool csr_lanes_avx2_active() {
#if defined(BIORNN_HAVE_AVX2) && !defined(BIORNN_DOUBLE)
  return active_gemm_kernel() == GemmKernel::kPackedAvx2;  // selectable only where AVX2 runs
#else
  return false;
#endif
}

}  // namespace kernels

namespace {

// Width of every vectorised inner loop: 16 floats are one 64-byte cache line.
constexpr int32_t kLanes = kernels::kCsrLanes;

// The AVX2 twins exist only in AVX2 float builds; elsewhere `avx2` is always false, these
// stubs are never called, and they only let every build compile the same call sites.
#if defined(BIORNN_HAVE_AVX2) && !defined(BIORNN_DOUBLE)
using kernels::gather_axpy_lanes_avx2;
using kernels::gather_axpy_lanes_pair_avx2;
using kernels::scatter_axpy_lanes_avx2;
using kernels::sddmm_row_avx2;
#else
void gather_axpy_lanes_avx2(const real*, const int32_t*, int64_t, const real*, real*) {}
void gather_axpy_lanes_pair_avx2(const real*, const int32_t*, int64_t, const real*, int64_t, real*) {}
void scatter_axpy_lanes_avx2(const real*, const int32_t*, int64_t, const real*, real*) {}
void sddmm_row_avx2(const real*, const int32_t*, int64_t, const real*, int64_t, int32_t, real*) {}
#endif

// sddmm: inner-dimension entries per packed panel. A dot of 128 amortises the fold of the
// kLanes partial sums and the update of the entry's accumulator (measured: 64 costs ~20 % more
// instructions, 256 gains little), while a 1440-row panel (720 KB in float) still sits in L3.
constexpr int32_t kDepthBlock = 128;
// Below this many multiply-adds a parallel region costs more than it saves. Only speed depends
// on it: the result is the same with or without threads. Read only by OpenMP's `if` clauses,
// so a build without OpenMP does not use it.
[[maybe_unused]] constexpr int64_t kMinParallelWork = int64_t(1) << 15;

int resolve_threads(int threads) {
  BIORNN_CHECK(threads >= 0,
               "thread count must be >= 0 (0 = active), got " + std::to_string(threads));
  return threads == 0 ? active_threads() : threads;
}

// Grow-only buffer `slot` of the calling thread, at least n elements; contents unspecified.
// Kept between calls, so the steady state of a training step does not allocate.
real* scratch(int slot, int64_t n) {
  thread_local std::vector<real> buffers[3];
  std::vector<real>& b = buffers[slot];
  if (int64_t(b.size()) < n) b.resize(std::size_t(n));
  return b.data();
}

// The two fixed-width inner loops everything below is built from. Each is written as four
// groups of four, the outer loop fully unrolled: that is the shape GCC's -O2 vectoriser turns
// into four SSE2 multiplies and adds with the kLanes partial sums held in registers. (A flat
// 16-iteration loop becomes a vector loop that round-trips its sums through memory; other
// compilers ignore the pragma and still get correct, if slower, code.)
static_assert(kLanes % 4 == 0, "lanes come in groups of four");

// y[l] += v·x[l] for l < kLanes.
inline void axpy_lanes(real v, const real* x, real* y) {
#pragma GCC unroll 4
  for (int32_t g = 0; g < kLanes; g += 4) {
    for (int32_t l = 0; l < 4; ++l) y[g + l] += v * x[g + l];
  }
}

// lane[l] += x[l]·y[l] for l < kLanes.
inline void mul_add_lanes(const real* x, const real* y, real* lane) {
#pragma GCC unroll 4
  for (int32_t g = 0; g < kLanes; g += 4) {
    for (int32_t l = 0; l < 4; ++l) lane[g + l] += x[g + l] * y[g + l];
  }
}

// *c = α·sum + β·(*c); β = 0 never reads *c, so NaN there cannot leak (blas.hpp).
inline void store(real alpha, real sum, real beta, real* c) {
  *c = beta == real(0) ? alpha * sum : alpha * sum + beta * *c;
}

// C = β·C: the whole result when α = 0 (which must not read the inputs).
void scale_by_beta(real beta, MatrixView c) {
  for (int32_t i = 0; i < c.rows; ++i) {
    real* row = c.row(i);
    for (int32_t j = 0; j < c.cols; ++j) row[j] = beta == real(0) ? real(0) : beta * row[j];
  }
}

std::string op_shape(const char* name, Trans trans, int32_t rows, int32_t cols) {
  const bool t = trans == Trans::kYes;
  return std::string("op(") + name + ") is " + shape_string(t ? cols : rows, t ? rows : cols) +
         " (" + name + " is " + shape_string(rows, cols) + (t ? ", transposed)" : ")");
}

// The O(1) part of the CSR invariants (csr.hpp); the O(nnz) part was checked when the
// CsrMatrix behind the view was built.
void check_csr_view(const char* function, const CsrView& s, bool needs_values) {
  BIORNN_CHECK(s.rows >= 0 && s.cols >= 0 && s.nnz >= 0 && s.row_ptr != nullptr,
               std::string(function) + ": malformed CsrView (shape " + s.shape() + ", nnz " +
                   std::to_string(s.nnz) + ", row_ptr " + (s.row_ptr ? "set" : "null") + ")");
  BIORNN_CHECK(s.row_ptr[0] == 0 && s.row_ptr[s.rows] == s.nnz,
               std::string(function) + ": CsrView row_ptr must run from 0 to nnz = " +
                   std::to_string(s.nnz) + ", runs from " + std::to_string(s.row_ptr[0]) + " to " +
                   std::to_string(s.row_ptr[s.rows]));
  BIORNN_CHECK(s.nnz == 0 || (s.col_idx != nullptr && (s.values != nullptr || !needs_values)),
               std::string(function) + ": CsrView with nnz = " + std::to_string(s.nnz) +
                   " has a null col_idx or values");
}

// ---- csr_spmm ------------------------------------------------------------------------------

// C(i, :) = α·Σ_q v_q·B(col_q, :) + β·C(i, :), q along row i: each row of C combines rows of B,
// kLanes columns at a time so the partial sums stay in registers. When n is not a multiple of
// kLanes the last chunk is shifted left to end at column n: it recomputes a few columns of the
// chunk before (the same sums in the same order, so the same bits) and stores only the new ones.
// A C narrower than kLanes is done one column at a time.
void spmm_rows(real alpha, const CsrView& s, ConstMatrixView b, real beta, MatrixView c,
               int threads) {
  const int32_t n = c.cols;
  (void)threads;
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) \
    schedule(dynamic, 16) if (s.nnz * int64_t(n) >= kMinParallelWork)
#endif
  for (int32_t i = 0; i < c.rows; ++i) {
    real* out = c.row(i);
    const int64_t q0 = s.row_ptr[i], q1 = s.row_ptr[i + 1];
    if (n < kLanes) {
      for (int32_t j = 0; j < n; ++j) {
        real acc = 0;
        for (int64_t q = q0; q < q1; ++q) acc += s.values[q] * b(s.col_idx[q], j);
        store(alpha, acc, beta, out + j);
      }
      continue;
    }
    for (int32_t c0 = 0; c0 < n; c0 += kLanes) {
      const int32_t start = std::min(c0, n - kLanes);
      real acc[kLanes] = {};
      for (int64_t q = q0; q < q1; ++q) {
        const real v = s.values[q];
        const real* x = b.row(s.col_idx[q]) + start;
        axpy_lanes(v, x, acc);
      }
      for (int32_t r = c0 - start; r < kLanes; ++r) store(alpha, acc[r], beta, out + start + r);
    }
  }
}

// C = α·Sᵀ·B + β·C with S: (k, m). Row p of S scatters S(p, j)·B(p, :) into row j of C. A thread
// owns a kLanes-wide column slice of C and sweeps all of S for it; the slice's partial sums live
// in acc (m × kLanes), and C(j, c) still adds its terms in increasing p.
void spmm_transposed(real alpha, const CsrView& s, ConstMatrixView b, real beta, MatrixView c,
                     int threads) {
  const int32_t m = c.rows, n = c.cols;
  const int32_t slices = (n + kLanes - 1) / kLanes;
  (void)threads;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) if (s.nnz * int64_t(n) >= kMinParallelWork)
#endif
  {
    real* acc = scratch(0, int64_t(m) * kLanes);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
    for (int32_t slice = 0; slice < slices; ++slice) {
      const int32_t c0 = slice * kLanes;
      const int32_t w = std::min(kLanes, n - c0);
      std::fill(acc, acc + int64_t(m) * kLanes, real(0));
      for (int32_t p = 0; p < s.rows; ++p) {
        if (s.row_ptr[p] == s.row_ptr[p + 1]) continue;
        // B(p, c0 : c0 + w), copied so that the compiler can keep it in registers (a local
        // array cannot alias acc) and zero-padded so that a narrow last slice has a fixed width.
        real x[kLanes] = {};
        const real* bp = b.row(p) + c0;
        for (int32_t r = 0; r < w; ++r) x[r] = bp[r];
        for (int64_t q = s.row_ptr[p]; q < s.row_ptr[p + 1]; ++q) {
          const real v = s.values[q];
          axpy_lanes(v, x, acc + int64_t(s.col_idx[q]) * kLanes);
        }
      }
      for (int32_t j = 0; j < m; ++j) {
        real* out = c.row(j) + c0;
        for (int32_t r = 0; r < w; ++r) store(alpha, acc[int64_t(j) * kLanes + r], beta, out + r);
      }
    }
  }
}

// ---- dense_csr_mm --------------------------------------------------------------------------

// panel[p·kLanes + r] = A(i0 + r, p) for r < mr, and 0 for mr <= r < kLanes: kLanes rows of A
// side by side, so one column p of the block is one contiguous, fixed-width vector. The lanes
// past mr are computed but never stored; zeros keep them from holding stale (perhaps subnormal,
// hence slow) values.
void pack_rows_side_by_side(ConstMatrixView a, int32_t i0, int32_t mr, real* panel) {
  const int32_t k = a.cols;
  if (mr < kLanes) std::fill(panel, panel + int64_t(k) * kLanes, real(0));
  for (int32_t r = 0; r < mr; ++r) {
    const real* row = a.row(i0 + r);
    for (int32_t p = 0; p < k; ++p) panel[int64_t(p) * kLanes + r] = row[p];
  }
}

// C(i0 + r, j) = α·Σ_q A(i0 + r, col_q)·v_q + β·C over row j of S (op(S) = Sᵀ): a sparse row of
// S against kLanes rows of A at once.
void dense_csr_block_transposed(real alpha, const real* panel, const CsrView& s, real beta,
                                MatrixView c, int32_t i0, int32_t mr, bool avx2) {
  for (int32_t j = 0; j < s.rows; ++j) {
    real acc[kLanes] = {};
    if (avx2) {
      gather_axpy_lanes_avx2(s.values + s.row_ptr[j], s.col_idx + s.row_ptr[j], s.row_ptr[j + 1] - s.row_ptr[j], panel,
                             acc);
    } else {
      for (int64_t q = s.row_ptr[j]; q < s.row_ptr[j + 1]; ++q) {
        const real v = s.values[q];
        const real* x = panel + int64_t(s.col_idx[q]) * kLanes;
        axpy_lanes(v, x, acc);
      }
    }
    for (int32_t r = 0; r < mr; ++r) store(alpha, acc[r], beta, c.row(i0 + r) + j);
  }
}

// dense_csr_block_transposed for kPair row blocks at once, AVX2 only: rows i0 .. i0 + mr − 1
// (mr ≤ kPair·kLanes), packed as kPair panels of k·kLanes each; the same sums, with twice the
// independent adds in flight.
constexpr int32_t kPair = 2;
void dense_csr_pair_transposed(real alpha, const real* panels, int32_t k, const CsrView& s, real beta, MatrixView c,
                               int32_t i0, int32_t mr) {
  for (int32_t j = 0; j < s.rows; ++j) {
    real acc[kPair * kLanes] = {};
    gather_axpy_lanes_pair_avx2(s.values + s.row_ptr[j], s.col_idx + s.row_ptr[j], s.row_ptr[j + 1] - s.row_ptr[j],
                                panels, int64_t(k) * kLanes, acc);
    for (int32_t r = 0; r < mr; ++r) store(alpha, acc[r], beta, c.row(i0 + r) + j);  // panel b's rows are acc[b·kLanes ..]
  }
}

// C(i0 + r, :) = α·Σ_p A(i0 + r, p)·S(p, :) + β·C (op(S) = S): row p of S scatters into the
// partial sums acc (n × kLanes, column j of C at acc + j·kLanes), in increasing p.
void dense_csr_block_plain(real alpha, const real* panel, const CsrView& s, real beta, MatrixView c,
                           int32_t i0, int32_t mr, real* acc, bool avx2) {
  const int32_t n = s.cols;
  std::fill(acc, acc + int64_t(n) * kLanes, real(0));
  for (int32_t p = 0; p < s.rows; ++p) {
    real x[kLanes];  // copied so that the compiler can keep it in registers: it cannot alias acc
    for (int32_t r = 0; r < kLanes; ++r) x[r] = panel[int64_t(p) * kLanes + r];
    if (avx2) {
      scatter_axpy_lanes_avx2(s.values + s.row_ptr[p], s.col_idx + s.row_ptr[p], s.row_ptr[p + 1] - s.row_ptr[p], x,
                              acc);
      continue;
    }
    for (int64_t q = s.row_ptr[p]; q < s.row_ptr[p + 1]; ++q) {
      const real v = s.values[q];
      axpy_lanes(v, x, acc + int64_t(s.col_idx[q]) * kLanes);
    }
  }
  for (int32_t r = 0; r < mr; ++r) {
    real* out = c.row(i0 + r);
    for (int32_t j = 0; j < n; ++j) store(alpha, acc[int64_t(j) * kLanes + r], beta, out + j);
  }
}

// ---- sddmm ---------------------------------------------------------------------------------

// Σ_t x[t]·y[t] for t < len: kLanes interleaved partial sums over the first len − len % kLanes
// terms (lane l takes t ≡ l mod kLanes), folded by a fixed pairwise tree, then the tail's own
// sequential sum added last. A fixed order, so the same bits every time, and independent chains
// the compiler can vectorise without reassociating anything itself. Every index into `lane` is
// a constant, so the partial sums can live in registers.
inline real dot_lanes(const real* x, const real* y, int32_t len) {
  static_assert(kLanes == 16, "the fold below is written for 16 lanes");
  const int32_t full = len - len % kLanes;
  real lane[kLanes] = {};
  for (int32_t t = 0; t < full; t += kLanes) mul_add_lanes(x + t, y + t, lane);
  real tail = 0;
  for (int32_t t = full; t < len; ++t) tail += x[t] * y[t];
  for (int32_t l = 0; l < 8; ++l) lane[l] += lane[l + 8];
  for (int32_t l = 0; l < 4; ++l) lane[l] += lane[l + 4];
  for (int32_t l = 0; l < 2; ++l) lane[l] += lane[l + 2];
  return (lane[0] + lane[1]) + tail;
}

// Where row r of op(X), restricted to the current depth block, starts: inside a packed panel
// that holds rows [first, ...) kDepthBlock apart, or directly in X when op(X) = X.
struct DepthRows {
  const real* base = nullptr;
  int64_t stride = 0;
  int32_t first = 0;
  const real* row(int32_t r) const { return base + (r - first) * stride; }
};

// panel[(r − r0)·kDepthBlock + t] = X(t0 + t, r) for r in [r0, r1), t < depth: a depth block of
// columns r0..r1 of X transposed, so that each column becomes a contiguous run.
void pack_columns(ConstMatrixView x, int32_t t0, int32_t depth, int32_t r0, int32_t r1,
                  real* panel) {
  for (int32_t r = r0; r < r1; ++r) {
    real* dst = panel + int64_t(r - r0) * kDepthBlock;
    for (int32_t t = 0; t < depth; ++t) dst[t] = x(t0 + t, r);
  }
}

// The first pattern row of part `part` of `parts`, chosen so that each part holds about
// nnz / parts entries (row_ptr is sorted, so a binary search finds it).
int32_t balanced_row_split(const CsrView& s, int part, int parts) {
  if (part >= parts) return s.rows;
  const int64_t target = s.nnz * part / parts;
  return int32_t(std::lower_bound(s.row_ptr, s.row_ptr + s.rows, target) - s.row_ptr);
}

// Rows [r0, r1) of the pattern, all depth blocks: every entry q gets one dot per block, added
// to acc[q − row_ptr[r0]] in block order. The weight-gradient case dW = dYᵀ·H (trans_a = kYes,
// trans_b = kNo) reads columns of both operands; rather than strided column dots, each depth
// block of A's and B's columns is transposed once into panels and every dot is contiguous.
void sddmm_rows(bool ta, bool tb, ConstMatrixView a, ConstMatrixView b, const CsrView& s,
                int32_t k, int32_t r0, int32_t r1, real* acc, bool avx2) {
  const int64_t q0 = s.row_ptr[r0];
  real* panel_a = ta ? scratch(0, int64_t(r1 - r0) * kDepthBlock) : nullptr;
  real* panel_b = tb ? nullptr : scratch(1, int64_t(s.cols) * kDepthBlock);
  std::fill(acc, acc + (s.row_ptr[r1] - q0), real(0));
  for (int32_t t0 = 0; t0 < k; t0 += kDepthBlock) {
    const int32_t depth = std::min(kDepthBlock, k - t0);
    if (ta) pack_columns(a, t0, depth, r0, r1, panel_a);
    if (!tb) pack_columns(b, t0, depth, 0, s.cols, panel_b);
    const DepthRows rows_a =
        ta ? DepthRows{panel_a, kDepthBlock, r0} : DepthRows{a.data + t0, a.ld, 0};
    const DepthRows rows_b =
        tb ? DepthRows{b.data + t0, b.ld, 0} : DepthRows{panel_b, kDepthBlock, 0};
    for (int32_t r = r0; r < r1; ++r) {
      const real* x = rows_a.row(r);
      if (avx2) {  // rows_b.first is 0: the whole of B's rows is in view
        sddmm_row_avx2(x, s.col_idx + s.row_ptr[r], s.row_ptr[r + 1] - s.row_ptr[r], rows_b.base, rows_b.stride, depth,
                       acc + (s.row_ptr[r] - q0));
        continue;
      }
      for (int64_t q = s.row_ptr[r]; q < s.row_ptr[r + 1]; ++q)
        acc[q - q0] += dot_lanes(x, rows_b.row(s.col_idx[q]), depth);
    }
  }
}

// Each thread takes one contiguous range of pattern rows (balanced by nnz) through every depth
// block with panels of its own: B's panel is packed once per thread, a small price (n·k copies
// against nnz·k / threads multiply-adds) for having no barrier inside the loop, so a thread
// that the OS preempts delays only itself.
void sddmm_parallel(bool ta, bool tb, real alpha, ConstMatrixView a, ConstMatrixView b,
                    real beta, const CsrView& s, int32_t k, real* values, int threads) {
  (void)threads;
  const bool avx2 = kernels::csr_lanes_avx2_active();
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) if (s.nnz * int64_t(k) >= kMinParallelWork)
#endif
  {
    int part = 0, parts = 1;
#ifdef _OPENMP
    part = omp_get_thread_num();
    parts = omp_get_num_threads();
#endif
    const int32_t r0 = balanced_row_split(s, part, parts);
    const int32_t r1 = balanced_row_split(s, part + 1, parts);
    const int64_t q0 = s.row_ptr[r0], q1 = s.row_ptr[r1];
    real* acc = scratch(2, q1 - q0);
    sddmm_rows(ta, tb, a, b, s, k, r0, r1, acc, avx2);
    for (int64_t q = q0; q < q1; ++q) store(alpha, acc[q - q0], beta, values + q);
  }
}

}  // namespace

void csr_spmm(Trans trans_s, real alpha, const CsrView& s, ConstMatrixView b, real beta,
              MatrixView c, int threads) {
  check_csr_view("csr_spmm", s, true);
  const bool t = trans_s == Trans::kYes;
  const int32_t m = t ? s.cols : s.rows;
  const int32_t k = t ? s.rows : s.cols;
  BIORNN_CHECK(b.rows == k, "csr_spmm: " + op_shape("S", trans_s, s.rows, s.cols) + " but B is " +
                                b.shape() + "; the inner dimensions must agree");
  BIORNN_CHECK(c.rows == m && c.cols == b.cols,
               "csr_spmm: op(S)·B is " + shape_string(m, b.cols) + " but C is " + c.shape());
  threads = resolve_threads(threads);
  if (c.rows == 0 || c.cols == 0) return;
  if (alpha == real(0)) {
    scale_by_beta(beta, c);
    return;
  }
  if (t) {
    spmm_transposed(alpha, s, b, beta, c, threads);
  } else {
    spmm_rows(alpha, s, b, beta, c, threads);
  }
}

void dense_csr_mm(Trans trans_s, real alpha, ConstMatrixView a, const CsrView& s, real beta,
                  MatrixView c, int threads) {
  check_csr_view("dense_csr_mm", s, true);
  const bool t = trans_s == Trans::kYes;
  const int32_t k = t ? s.cols : s.rows;
  const int32_t n = t ? s.rows : s.cols;
  BIORNN_CHECK(a.cols == k, "dense_csr_mm: A is " + a.shape() + " but " +
                                op_shape("S", trans_s, s.rows, s.cols) +
                                "; the inner dimensions must agree");
  BIORNN_CHECK(c.rows == a.rows && c.cols == n,
               "dense_csr_mm: A·op(S) is " + shape_string(a.rows, n) + " but C is " + c.shape());
  threads = resolve_threads(threads);
  if (c.rows == 0 || c.cols == 0) return;
  if (alpha == real(0)) {
    scale_by_beta(beta, c);
    return;
  }
  const int32_t m = a.rows;
  const int32_t blocks = (m + kLanes - 1) / kLanes;
  const bool avx2 = kernels::csr_lanes_avx2_active();
  // A thread's unit of work: one block of kLanes rows, or kPair of them for the AVX2
  // transposed product (a last unit of one block runs alone).
  const int32_t per_unit = t && avx2 ? kPair : 1;
  const int32_t units = (blocks + per_unit - 1) / per_unit;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) if (s.nnz * int64_t(m) >= kMinParallelWork)
#endif
  {
    real* panel = scratch(0, int64_t(k) * kLanes * per_unit);
    real* acc = t ? nullptr : scratch(1, int64_t(n) * kLanes);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
    for (int32_t unit = 0; unit < units; ++unit) {
      const int32_t i0 = unit * per_unit * kLanes;
      const int32_t mr = std::min(per_unit * kLanes, m - i0);
      if (mr > kLanes) {  // only when per_unit is kPair
        for (int32_t b = 0; b < kPair; ++b)
          pack_rows_side_by_side(a, i0 + b * kLanes, std::min(kLanes, mr - b * kLanes), panel + int64_t(b) * k * kLanes);
        dense_csr_pair_transposed(alpha, panel, k, s, beta, c, i0, mr);
        continue;
      }
      pack_rows_side_by_side(a, i0, mr, panel);
      if (t) {
        dense_csr_block_transposed(alpha, panel, s, beta, c, i0, mr, avx2);
      } else {
        dense_csr_block_plain(alpha, panel, s, beta, c, i0, mr, acc, avx2);
      }
    }
  }
}

void sddmm(Trans trans_a, Trans trans_b, real alpha, ConstMatrixView a, ConstMatrixView b,
           real beta, const CsrView& pattern, real* values, int threads) {
  check_csr_view("sddmm", pattern, false);
  const bool ta = trans_a == Trans::kYes, tb = trans_b == Trans::kYes;
  const int32_t m = ta ? a.cols : a.rows;
  const int32_t k = ta ? a.rows : a.cols;
  const int32_t kb = tb ? b.cols : b.rows;
  const int32_t n = tb ? b.rows : b.cols;
  BIORNN_CHECK(k == kb, "sddmm: " + op_shape("A", trans_a, a.rows, a.cols) + " but " +
                            op_shape("B", trans_b, b.rows, b.cols) +
                            "; the inner dimensions must agree");
  BIORNN_CHECK(
      m == pattern.rows && n == pattern.cols,
      "sddmm: op(A)·op(B) is " + shape_string(m, n) + " but the pattern is " + pattern.shape());
  BIORNN_CHECK(values != nullptr || pattern.nnz == 0,
               "sddmm: values is null for a pattern with nnz = " + std::to_string(pattern.nnz));
  threads = resolve_threads(threads);
  if (pattern.nnz == 0) return;
  if (alpha == real(0)) {
    for (int64_t q = 0; q < pattern.nnz; ++q)
      values[q] = beta == real(0) ? real(0) : beta * values[q];
    return;
  }
  sddmm_parallel(ta, tb, alpha, a, b, beta, pattern, k, values, threads);
}

}  // namespace biornn
