// gemm_thin.cpp — products with a dimension of one: outer products and matrix–vector
// products as plain loops (see gemm_thin.hpp for why and for the cases).
#include "kernels/gemm_thin.hpp"

#include <algorithm>

namespace biornn::kernels {

namespace {

// Partial sums of a dot product: lane l accumulates the terms p ≡ l (mod kDotLanes), and the
// lanes are added pairwise at the end. Independent sums let the compiler keep them in one
// vector register without reassociating anything (no fast-math), and fix the order of every
// addition, whoever runs it.
constexpr int kDotLanes = 8;
// Outputs per block of a row sweep: the block's accumulators stay in L1 while the rows of
// the matrix stream past. Narrower blocks (down to kMinSweepBlock) when that gives every
// thread one: a weight gradient dYᵀ·H with 128 columns is otherwise a single block. Each
// output's sum is the same whatever the block, so this changes no result.
constexpr int32_t kSweepBlock = 256;
constexpr int32_t kMinSweepBlock = 32;
// Rows of C per task of an outer product.
constexpr int32_t kOuterRows = 64;
// A second thread is worth waking only for this many matrix elements read or written; below
// it the product takes a few microseconds, about what waking a thread costs.
constexpr int64_t kMinElementsPerThread = int64_t(1) << 17;

// A vector with a stride: element p is data[p·stride] (a column of a row-major matrix has the
// matrix's leading dimension as its stride).
struct Strided {
  const real* data;
  int64_t stride;
  real operator[](int64_t p) const { return data[p * stride]; }
};

int64_t blocks_of(int64_t count, int64_t block) { return (count + block - 1) / block; }

int32_t sweep_block(int32_t width, int threads) {
  const int64_t per_thread = blocks_of(width, threads);
  const int64_t rounded = blocks_of(per_thread, kMinSweepBlock) * kMinSweepBlock;
  return int32_t(std::min<int64_t>(kSweepBlock, std::max<int64_t>(kMinSweepBlock, rounded)));
}

// The BLAS update of one output: β = 0 never reads the old value.
inline real update(real alpha, real sum, real beta, real old) {
  return beta == real(0) ? alpha * sum : alpha * sum + beta * old;
}

// Σ_p row[p]·x[p] in kDotLanes partial sums. kUnit: x's stride is 1 (the loads vectorise).
template <bool kUnit>
real dot(const real* row, Strided x, int32_t len) {
  real lane[kDotLanes] = {};
  int32_t p = 0;
  for (; p + kDotLanes <= len; p += kDotLanes) {
    for (int l = 0; l < kDotLanes; ++l) lane[l] += row[p + l] * (kUnit ? x.data[p + l] : x[p + l]);
  }
  for (int l = 0; p < len; ++p, ++l) lane[l] += row[p] * x[p];
  for (int width = kDotLanes / 2; width > 0; width /= 2) {
    for (int l = 0; l < width; ++l) lane[l] += lane[l + width];
  }
  return lane[0];
}

// out[i·out_stride] = α·(row i of M)·x + β·out[...] for `rows` rows of length `len`.
void dot_rows(int team, const real* m, int64_t ldm, int32_t rows, int32_t len, Strided x, real alpha, real beta,
              real* out, int64_t out_stride) {
  (void)team;
#ifdef _OPENMP
#pragma omp parallel for num_threads(team) schedule(static) if (team > 1)
#endif
  for (int32_t i = 0; i < rows; ++i) {
    const real* row = m + i * ldm;
    const real sum = x.stride == 1 ? dot<true>(row, x, len) : dot<false>(row, x, len);
    real& o = out[i * out_stride];
    o = update(alpha, sum, beta, o);
  }
}

// out[j·out_stride] = α·Σ_p x[p]·M(p, j) + β·out[...] for j < width: the rows of M (depth of
// them) swept in order, each added into a block of kSweepBlock accumulators.
void sweep_rows(int team, const real* m, int64_t ldm, int32_t depth, int32_t width, Strided x, real alpha,
                real beta, real* out, int64_t out_stride) {
  const int32_t block_width = sweep_block(width, team);
  const int32_t blocks = int32_t(blocks_of(width, block_width));
#ifdef _OPENMP
#pragma omp parallel for num_threads(team) schedule(static) if (team > 1)
#endif
  for (int32_t block = 0; block < blocks; ++block) {
    const int32_t j0 = block * block_width;
    const int32_t count = std::min(block_width, width - j0);
    real acc[kSweepBlock];
    std::fill(acc, acc + count, real(0));
    for (int32_t p = 0; p < depth; ++p) {
      const real xp = x[p];
      const real* row = m + p * ldm + j0;
      for (int32_t j = 0; j < count; ++j) acc[j] += row[j] * xp;
    }
    for (int32_t j = 0; j < count; ++j) {
      real& o = out[(j0 + j) * out_stride];
      o = update(alpha, acc[j], beta, o);
    }
  }
}

// C(i, j) = α·(a[i]·b[j]) + β·C(i, j): the rows in tasks of kOuterRows, b copied block by
// block into contiguous memory when it is a strided column.
void outer(int team, Strided a, Strided b, real alpha, real beta, MatrixView c) {
  const int32_t tasks = int32_t(blocks_of(c.rows, kOuterRows));
  (void)team;
#ifdef _OPENMP
#pragma omp parallel for num_threads(team) schedule(static) if (team > 1)
#endif
  for (int32_t task = 0; task < tasks; ++task) {
    const int32_t i0 = task * kOuterRows, i1 = std::min(c.rows, i0 + kOuterRows);
    real b_block[kSweepBlock];
    for (int32_t j0 = 0; j0 < c.cols; j0 += kSweepBlock) {
      const int32_t count = std::min(kSweepBlock, c.cols - j0);
      const real* bj = b.data + j0;
      if (b.stride != 1) {
        for (int32_t j = 0; j < count; ++j) b_block[j] = b[j0 + j];
        bj = b_block;
      }
      for (int32_t i = i0; i < i1; ++i) {
        const real ai = a[i];
        real* ci = c.row(i) + j0;
        if (beta == real(0)) {
          for (int32_t j = 0; j < count; ++j) ci[j] = alpha * (ai * bj[j]);
        } else {
          for (int32_t j = 0; j < count; ++j) ci[j] = alpha * (ai * bj[j]) + beta * ci[j];
        }
      }
    }
  }
}

}  // namespace

bool is_thin_product(Trans trans_a, int32_t m, int32_t n, int32_t k) {
  return m > 0 && n > 0 && k > 0 && (k == 1 || n == 1 || (m == 1 && trans_a == Trans::kYes));
}

int thin_team_size(int threads, Trans trans_a, Trans trans_b, int32_t m, int32_t n, int32_t k) {
  // Elements of the matrix read (or, for an outer product, of C written), and the tasks they
  // are cut into: rows of C, dot products, or blocks of sweep outputs.
  int64_t elements = 0, tasks = 1;
  if (k == 1) {
    elements = int64_t(m) * n;
    tasks = blocks_of(m, kOuterRows);
  } else if (n == 1) {
    elements = int64_t(m) * k;
    tasks = trans_a == Trans::kNo ? m : blocks_of(m, sweep_block(m, threads));
  } else {
    elements = int64_t(n) * k;
    tasks = trans_b == Trans::kYes ? n : blocks_of(n, sweep_block(n, threads));
  }
  int64_t team = std::min<int64_t>({int64_t(threads), tasks, std::max<int64_t>(1, elements / kMinElementsPerThread)});
#ifndef _OPENMP
  team = 1;
#endif
  return int(std::max<int64_t>(1, team));
}

void gemm_thin(int threads, Trans trans_a, Trans trans_b, real alpha, ConstMatrixView a, ConstMatrixView b,
               real beta, MatrixView c) {
  const int32_t k = trans_a == Trans::kNo ? a.cols : a.rows;
  const int team = thin_team_size(threads, trans_a, trans_b, c.rows, c.cols, k);
  if (k == 1) {  // op(A) is one column, op(B) one row
    const Strided a_col = trans_a == Trans::kNo ? Strided{a.data, a.ld} : Strided{a.data, 1};
    const Strided b_row = trans_b == Trans::kNo ? Strided{b.data, 1} : Strided{b.data, b.ld};
    outer(team, a_col, b_row, alpha, beta, c);
  } else if (c.cols == 1) {  // c = op(A)·x, x the single column of op(B)
    const Strided x = trans_b == Trans::kNo ? Strided{b.data, b.ld} : Strided{b.data, 1};
    if (trans_a == Trans::kNo) {
      dot_rows(team, a.data, a.ld, c.rows, k, x, alpha, beta, c.data, c.ld);
    } else {
      sweep_rows(team, a.data, a.ld, k, c.rows, x, alpha, beta, c.data, c.ld);
    }
  } else {  // c.rows == 1 and op(A) = Aᵀ: cᵀ = op(B)ᵀ·x, x the single column of A
    const Strided x{a.data, a.ld};
    if (trans_b == Trans::kYes) {
      dot_rows(team, b.data, b.ld, c.cols, k, x, alpha, beta, c.data, 1);
    } else {
      sweep_rows(team, b.data, b.ld, k, c.cols, x, alpha, beta, c.data, 1);
    }
  }
}

}  // namespace biornn::kernels
