// recurrent_driver.cpp — forward and backward time loops of the fused recurrent op, one batch
// slice per task (see recurrent_driver.hpp). OpenMP appears here and in the other kernel
// drivers only.
#include "kernels/recurrent_driver.hpp"

#include <algorithm>
#include <cstring>

#include "biornn/kernels.hpp"
#include "biornn/vmath.hpp"
#include "kernels/csr_lanes.hpp"
#include "kernels/gemm_packed.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace biornn::kernels {

namespace {

// Where slice `slice` of kRecurrentChunks starts: at batch·slice/kRecurrentChunks, except for a
// CSR weight and a batch large enough that no slice ends up tiny, where that is rounded down
// to a multiple of kCsrLanes. The CSR products work on blocks of kCsrLanes rows, so a batch of
// 200 cut as 48 + 48 + 48 + 56 rows needs 13 blocks where 4 × 50 needs 16 (measured: the
// sparse cell-type epoch ~6 % faster over six rounds). The dense products keep even slices:
// their threads then get equal rows (100 and 100, not 96 and 104), and the aligned cut was no
// faster on flip-flop (three rounds, 2-4 % slower, within this machine's noise). Each row's result
// is the same wherever its slice starts (rows never mix), so this changes the speed only.
int32_t slice_start(const RecurrentProblem& p, int32_t slice) {
  const int32_t even = int32_t(int64_t(p.batch) * slice / kRecurrentChunks);
  const bool align = p.sparse != nullptr && p.batch >= 2 * kRecurrentChunks * kCsrLanes;
  if (!align || slice == kRecurrentChunks) return even;
  return even - even % kCsrLanes;
}

int32_t largest_slice(const RecurrentProblem& p) {
  int32_t rows = 0;
  for (int32_t c = 0; c < kRecurrentChunks; ++c) rows = std::max(rows, slice_start(p, c + 1) - slice_start(p, c));
  return rows;
}

// Rows [t·B + b0, t·B + b0 + rows) of a (T·B, N) matrix.
MatrixView rows_of(Matrix& m, int32_t batch, int32_t step, int32_t b0, int32_t rows) {
  return m.view().block(step * batch + b0, 0, rows, m.cols());
}
ConstMatrixView rows_of(const Matrix& m, int32_t batch, int32_t step, int32_t b0, int32_t rows) {
  return m.view().block(step * batch + b0, 0, rows, m.cols());
}

// The recurrent weight as every product of one sequence sees it: CSR, dense and packed once
// for the whole sequence (the packed kernels), or dense for the reference kernel. The CSR
// weight is W for the forward products and Wᵀ, built once per sequence, for the backward
// ones: both then run as A·op(S) with op(S) = Sᵀ, the gathering form of dense_csr_mm, which
// is faster than the scattering one that dz·W on W itself would need. The bits are the same
// either way (csr_kernels.cpp: each element adds its terms in increasing inner index).
struct RecurrentWeight {
  bool is_sparse = false;
  CsrView sparse;
  const Matrix* dense = nullptr;
  const PackedOperandB* packed = nullptr;
};

// One packing buffer per calling thread and direction (forward packs Wᵀ, backward W), and the
// backward pass's transposed CSR weight; they grow once, so later sequences allocate nothing.
thread_local PackedOperandB t_packed_forward, t_packed_backward;
thread_local CsrMatrix t_sparse_transposed;

RecurrentWeight weight_for(const RecurrentProblem& p, Trans trans, PackedOperandB* buffer) {
  RecurrentWeight w;
  if (p.sparse != nullptr) {
    w.is_sparse = true;
    if (trans == Trans::kYes) {
      w.sparse = *p.sparse;
    } else {
      t_sparse_transposed.assign_transpose(*p.sparse);
      w.sparse = t_sparse_transposed.view();
    }
    return w;
  }
  w.dense = p.w;
  const GemmKernel kernel = active_gemm_kernel();
  if (kernel == GemmKernel::kPackedScalar || kernel == GemmKernel::kPackedAvx2) {
    pack_b_operand(kernel, trans, p.w->view(), buffer);
    w.packed = buffer;
  }
  return w;
}

// z += h_prev · Wᵀ (β = 1) or dh = dz_next · W (β = 0), on one thread.
void product_nt(const RecurrentWeight& w, ConstMatrixView h_prev, MatrixView z) {
  if (w.is_sparse) dense_csr_mm(Trans::kYes, 1, h_prev, w.sparse, 1, z, 1);
  else if (w.packed != nullptr) gemm_packed_b(Trans::kNo, 1, h_prev, *w.packed, 1, z);
  else gemm(Trans::kNo, Trans::kYes, 1, h_prev, *w.dense, 1, z, 1);
}
void product_nn(const RecurrentWeight& w, ConstMatrixView dz_next, MatrixView dh) {
  if (w.is_sparse) dense_csr_mm(Trans::kYes, 1, dz_next, w.sparse, 0, dh, 1);  // w.sparse is Wᵀ here
  else if (w.packed != nullptr) gemm_packed_b(Trans::kNo, 1, dz_next, *w.packed, 0, dh);
  else gemm(Trans::kNo, Trans::kNo, 1, dz_next, *w.dense, 0, dh, 1);
}

// z = (z + b_in) + b_rec in one pass (either bias may be absent); the same two roundings as
// adding them one after the other.
void add_biases(MatrixView z, const Matrix* b_in, const Matrix* b_rec) {
  if (b_in == nullptr && b_rec == nullptr) return;
  const real* bi = b_in != nullptr ? b_in->data() : nullptr;
  const real* br = b_rec != nullptr ? b_rec->data() : nullptr;
  for (int32_t i = 0; i < z.rows; ++i) {
    real* zi = z.row(i);
    if (bi != nullptr && br != nullptr) {
      for (int32_t j = 0; j < z.cols; ++j) zi[j] = (zi[j] + bi[j]) + br[j];
    } else {
      const real* b = bi != nullptr ? bi : br;
      for (int32_t j = 0; j < z.cols; ++j) zi[j] += b[j];
    }
  }
}

void forward_slice(const RecurrentProblem& p, const RecurrentWeight& w, const Matrix* b_in, const Matrix* b_rec,
                   Matrix& a, Matrix& h, int32_t b0, int32_t rows) {
  const int32_t n = p.units;
  const GemmKernel kernel = active_gemm_kernel();
  for (int32_t t = 0; t < p.steps; ++t) {
    MatrixView z = rows_of(a, p.batch, t, b0, rows);
    gemm_with(kernel, 1, Trans::kNo, Trans::kYes, 1, rows_of(*p.x, p.batch, t, b0, rows), *p.w_in, 0, z);
    add_biases(z, b_in, b_rec);
    if (t > 0) product_nt(w, rows_of(h, p.batch, t - 1, b0, rows), z);
    const int64_t count = int64_t(rows) * n;  // the slice's rows are contiguous (full width)
    switch (p.activation) {
      case Activation::kTanh: vmath_tanh(z.data, z.data, count); break;
      case Activation::kRelu:
        for (int64_t k = 0; k < count; ++k) z.data[k] = z.data[k] < 0 ? real(0) : z.data[k];  // NaN stays NaN
        break;
      case Activation::kIdentity: break;
    }
    if (p.threshold) {
      real* hv = rows_of(h, p.batch, t, b0, rows).data;
      const real theta = p.theta;
      for (int64_t k = 0; k < count; ++k) hv[k] = z.data[k] < theta ? theta : z.data[k];
    }
  }
}

// dz = (d_a + [a > θ]·dh) ⊙ φ'(a). `dh` null means no gradient arrives at h_t; `d_a` null
// means none arrives at a_t. Every case is its own loop, the choices fixed at compile time:
// a test inside the loop (even on a loop-invariant pointer), or a load made conditional on
// a[k] > θ, kept GCC from vectorising it. The operations are the same in every case (g
// starts at 0 without d_a, and 0 + x is kept: it turns −0 into +0), so no case changes a bit.
template <Activation kAct, bool kHasDa, bool kHasDh, bool kThreshold>
void local_gradient_loop(const real* a, const real* d_a, const real* dh, real theta, real* dz, int64_t count) {
  for (int64_t k = 0; k < count; ++k) {
    real g = kHasDa ? d_a[k] : real(0);
    if (kHasDh) {
      const real d = dh[k];  // loaded unconditionally, so the choice below is a blend
      g += (!kThreshold || a[k] > theta) ? d : real(0);
    }
    if (kAct == Activation::kTanh) g *= real(1) - a[k] * a[k];
    if (kAct == Activation::kRelu) g = a[k] > 0 ? g : real(0);
    dz[k] = g;
  }
}

template <Activation kAct, bool kHasDa>
void local_gradient_dh(const real* a, const real* d_a, const real* dh, bool threshold, real theta, real* dz,
                       int64_t count) {
  if (dh == nullptr) local_gradient_loop<kAct, kHasDa, false, false>(a, d_a, dh, theta, dz, count);
  else if (threshold) local_gradient_loop<kAct, kHasDa, true, true>(a, d_a, dh, theta, dz, count);
  else local_gradient_loop<kAct, kHasDa, true, false>(a, d_a, dh, theta, dz, count);
}

template <Activation kAct>
void local_gradient(const real* a, const real* d_a, const real* dh, bool threshold, real theta, real* dz, int64_t count) {
  if (d_a != nullptr) local_gradient_dh<kAct, true>(a, d_a, dh, threshold, theta, dz, count);
  else local_gradient_dh<kAct, false>(a, d_a, dh, threshold, theta, dz, count);
}

void backward_slice(const RecurrentProblem& p, const RecurrentWeight& w, const Matrix* d_a, const Matrix* d_h, const Matrix& a, Matrix& dz,
                    MatrixView dh, int32_t b0, int32_t rows) {
  const int64_t count = int64_t(rows) * p.units;
  for (int32_t t = p.steps - 1; t >= 0; --t) {
    bool have_dh = false;
    if (t + 1 < p.steps) {
      product_nn(w, rows_of(dz, p.batch, t + 1, b0, rows), dh);
      have_dh = true;
    }
    if (d_h != nullptr) {
      const real* src = rows_of(*d_h, p.batch, t, b0, rows).data;
      if (have_dh) {
        for (int64_t k = 0; k < count; ++k) dh.data[k] += src[k];
      } else {
        std::memcpy(dh.data, src, sizeof(real) * std::size_t(count));
      }
      have_dh = true;
    }
    const real* av = rows_of(a, p.batch, t, b0, rows).data;
    const real* dav = d_a != nullptr ? rows_of(*d_a, p.batch, t, b0, rows).data : nullptr;
    real* dzv = rows_of(dz, p.batch, t, b0, rows).data;
    const real* dhv = have_dh ? dh.data : nullptr;
    switch (p.activation) {
      case Activation::kTanh: local_gradient<Activation::kTanh>(av, dav, dhv, p.threshold, p.theta, dzv, count); break;
      case Activation::kRelu: local_gradient<Activation::kRelu>(av, dav, dhv, p.threshold, p.theta, dzv, count); break;
      case Activation::kIdentity:
        local_gradient<Activation::kIdentity>(av, dav, dhv, p.threshold, p.theta, dzv, count);
        break;
    }
  }
}

int team_size(int threads, int32_t batch) {
  const int slices = std::min<int32_t>(kRecurrentChunks, batch);
  return std::max(1, std::min(threads, slices));
}

}  // namespace

void recurrent_forward(const RecurrentProblem& p, const Matrix* b_in, const Matrix* b_rec, Matrix& a, Matrix& h,
                       int threads) {
  BIORNN_CHECK(p.x != nullptr && p.w_in != nullptr, "recurrent_forward: the input x and W_in are required");
  const RecurrentWeight w = weight_for(p, Trans::kYes, &t_packed_forward);
  const int team = team_size(threads, p.batch);
  (void)team;
#ifdef _OPENMP
#pragma omp parallel for num_threads(team) schedule(dynamic, 1) if (team > 1)
#endif
  for (int32_t c = 0; c < kRecurrentChunks; ++c) {
    const int32_t b0 = slice_start(p, c), rows = slice_start(p, c + 1) - b0;
    if (rows > 0) forward_slice(p, w, b_in, b_rec, a, h, b0, rows);
  }
}

void recurrent_backward(const RecurrentProblem& p, const Matrix* d_a, const Matrix* d_h, const Matrix& a, Matrix& dz,
                        Matrix& scratch, int threads) {
  const int32_t max_rows = largest_slice(p);
  scratch.resize(kRecurrentChunks * max_rows, p.units);
  const RecurrentWeight w = weight_for(p, Trans::kNo, &t_packed_backward);
  const int team = team_size(threads, p.batch);
  (void)team;
#ifdef _OPENMP
#pragma omp parallel for num_threads(team) schedule(dynamic, 1) if (team > 1)
#endif
  for (int32_t c = 0; c < kRecurrentChunks; ++c) {
    const int32_t b0 = slice_start(p, c), rows = slice_start(p, c + 1) - b0;
    if (rows > 0) backward_slice(p, w, d_a, d_h, a, dz, scratch.view().block(c * max_rows, 0, rows, p.units), b0, rows);
  }
}

}  // namespace biornn::kernels
