// csr_lanes.hpp — internal interface (not a public header): the three hot loops of
// csr_kernels.cpp, repeated with AVX2 intrinsics in csr_lanes_avx2.cpp.
//
// Each function does exactly the multiplies and adds of its portable twin in csr_kernels.cpp,
// lane for lane and in the same order, with no FMA (a fused multiply-add rounds once where the
// portable code rounds twice), so the results are bit-identical; tests/test_csr.cpp checks the
// bits. What AVX2 buys is width (the portable loops compile to 4-wide SSE2, these are 8-wide)
// and more independent sums at once: two row blocks per pass of the pattern in the gathering
// product, four dots at a time in sddmm. Neither changes what any one output element adds, or
// in which order.
//
// float only: in a PREC=double build csr_kernels.cpp always runs its portable loops.
#pragma once

#include <cstdint>

#include "biornn/config.hpp"

namespace biornn::kernels {

// Every lane loop is this wide: 16 floats, one 64-byte cache line.
constexpr int32_t kCsrLanes = 16;

// True when the CSR products run these loops: AVX2 compiled in and usable, the active GEMM
// kernel is packed_avx2 (one switch for every AVX2 product: BIORNN_GEMM=packed_scalar turns
// both off), and real is float.
bool csr_lanes_avx2_active();

// acc[l] += values[q]·rows[cols[q]·kCsrLanes + l] for q = 0..count−1 in order, l < kCsrLanes:
// a sparse row against kCsrLanes rows of A packed side by side (dense_csr_mm, op(S) = Sᵀ).
void gather_axpy_lanes_avx2(const real* values, const int32_t* cols, int64_t count, const real* rows, real* acc);

// gather_axpy_lanes_avx2 on two panels at once with the same sparse row: panel i starts at
// rows + i·panel_stride and sums into acc + i·kCsrLanes, each exactly as one call would. One
// call alone waits on its adds (two chains of dependent sums); two row blocks sharing the
// pattern's loads keep four in flight. (Four blocks, eight chains, measured slower: their
// panels and the streamed pattern no longer fit in L2 together.)
void gather_axpy_lanes_pair_avx2(const real* values, const int32_t* cols, int64_t count, const real* rows,
                                 int64_t panel_stride, real* acc);

// acc[cols[q]·kCsrLanes + l] += values[q]·x[l] for q = 0..count−1 in order, l < kCsrLanes:
// one row of S scattered into the partial sums of kCsrLanes rows of C (dense_csr_mm, op(S) = S).
void scatter_axpy_lanes_avx2(const real* values, const int32_t* cols, int64_t count, const real* x, real* acc);

// acc[q] += dot(x, rows + cols[q]·stride, depth) for q = 0..count−1, each dot summed exactly as
// csr_kernels.cpp's dot_lanes (kCsrLanes interleaved partial sums, a fixed folding tree, the
// tail last): one pattern row of sddmm in one depth block. Four entries are done at a time
// (their dots share the loads of x); that changes which dots run together, not any dot's sum.
void sddmm_row_avx2(const real* x, const int32_t* cols, int64_t count, const real* rows, int64_t stride,
                    int32_t depth, real* acc);

}  // namespace biornn::kernels
