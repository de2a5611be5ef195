// gemm_blocking.hpp — the packed GEMM's block sizes and the micro-kernel contract (internal).
//
// The packed driver (gemm_packed.cpp) follows the BLIS loop nest (Van Zee & van de Geijn,
// "BLIS: A Framework for Rapidly Instantiating BLAS Functionality", ACM TOMS 41(3), 2015):
//
//   jc: columns of C in blocks of NC     B panel  (KC × NC)  packed, shared, lives in L3
//   pc:   the inner dimension in blocks  of at most KC; β is applied in the first block only
//   ic:     rows of C in blocks of MC    A block  (MC × KC)  packed per thread, lives in L2
//   jr:       columns in slivers of NR   B sliver (KC × NR)  stays in L1 across the ir loop
//   ir:         rows in slivers of MR    A sliver (MR × KC)  streamed from L2
//                 micro-kernel: one MR × NR tile of C, accumulated in registers
//
// Which values are tuned data, not code: they are measured on the reference machine
// (AMD EPYC Zen3, 32 KiB L1d, 512 KiB L2, 32 MiB L3; see `biornn bench gemm`) and may be
// retuned freely — the tests read them from here, so their block-edge cases follow.
// Constraints a retune must keep: MC is a multiple of MR and NC of NR; MR × NR accumulators
// fit the register file (AVX2: 16 ymm registers, 12 hold the tile); KC × NR · sizeof(real)
// plus MR × KC · sizeof(real) fits comfortably in L1d.
//
// The K partition (how the inner dimension is cut into blocks) depends only on k and KC,
// never on the thread count: that is what makes results bit-identical for every thread count.
//
// Not here: the loop nest itself and the threading (gemm_packed.cpp), the kernels' bodies
// (gemm_microkernel_*.cpp).
#pragma once

#include <cstdint>

#include "biornn/config.hpp"
#include "biornn/kernels.hpp"

namespace biornn::kernels {

struct GemmBlocking {
  int32_t mr;  // rows of the micro-tile
  int32_t nr;  // columns of the micro-tile
  int32_t mc;  // rows of C per packed A block (a multiple of mr)
  int32_t kc;  // largest inner-dimension block
  int32_t nc;  // columns of C per packed B panel (a multiple of nr)
  int32_t mc_whole;  // at most this many rows (padded to mr) are packed as one A block, with
                     // B slivers packed just in time instead of into a shared panel
};

// ---- the micro-kernel contract -------------------------------------------------------------
// A micro-kernel computes one MR × NR tile:
//
//     C[0:m_valid, 0:n_valid] = α · (A_s · B_s)[0:m_valid, 0:n_valid] + β · C[...]
//
//   a_packed: the A sliver, kc × MR values, column p of op(A) first: a_packed[p·MR + i] is
//             op(A)(i, p); rows past m_valid are zero (the packing pads them).
//   b_packed: the B sliver, kc × NR values: b_packed[p·NR + j] is op(B)(p, j); columns past
//             n_valid are zero. The B sliver is 64-byte aligned when NR · sizeof(real) is a
//             multiple of 64 (the AVX2 kernel loads it aligned); A needs no alignment.
//   c:        row-major with leading dimension ldc; only the valid m_valid × n_valid part is
//             touched (1 ≤ m_valid ≤ MR, 1 ≤ n_valid ≤ NR). β == 0 never reads C.
//   kc ≥ 1.
// Each accumulator sums its kc products in order p = 0, 1, … (a multiply-add chain, fused or
// not, the same for every lane and every tile position), then the update rounds as
//     β == 0: C = α·acc;   otherwise C = α·acc + β·C   (β = 1 skips the exact multiply),
// so an element's value never depends on where it sits in a tile or which thread computed it.
using MicroKernel = void (*)(int32_t kc, const real* a_packed, const real* b_packed, real alpha,
                             real beta, real* c, int64_t ldc, int32_t m_valid, int32_t n_valid);

// Portable C++ micro-kernel (gemm_microkernel_scalar.cpp): plain loops the compiler may
// vectorise with the baseline instruction set.
#ifdef BIORNN_DOUBLE
inline constexpr GemmBlocking kScalarBlocking = {4, 4, 96, 256, 4096, 128};
#else
inline constexpr GemmBlocking kScalarBlocking = {4, 8, 128, 256, 4096, 256};
#endif
void microkernel_scalar(int32_t kc, const real* a_packed, const real* b_packed, real alpha,
                        real beta, real* c, int64_t ldc, int32_t m_valid, int32_t n_valid);

// AVX2 + FMA micro-kernel (gemm_microkernel_avx2.cpp): 6 rows × 2 vectors of C in 12 ymm
// accumulators (6 × 16 floats or 6 × 8 doubles), one FMA per accumulator per k step.
#ifdef BIORNN_DOUBLE
inline constexpr GemmBlocking kAvx2Blocking = {6, 8, 72, 256, 4080, 144};
#else
inline constexpr GemmBlocking kAvx2Blocking = {6, 16, 144, 256, 4080, 288};
#endif
#ifdef BIORNN_HAVE_AVX2
void microkernel_avx2(int32_t kc, const real* a_packed, const real* b_packed, real alpha,
                      real beta, real* c, int64_t ldc, int32_t m_valid, int32_t n_valid);
// Its transposing packs, for an operand whose lanes (rows of op(A), columns of op(B)) are
// contiguous along k: dst[p·R + r] = src[r·ld + p] for r < valid, 0 for valid ≤ r < R, p < kc,
// with R = MR (A) or NR (B). Bit for bit what the portable packing writes, only faster.
void pack_a_transposing_avx2(const real* src, int64_t ld, int32_t valid, int32_t kc, real* dst);
void pack_b_transposing_avx2(const real* src, int64_t ld, int32_t valid, int32_t kc, real* dst);
#endif

// The blocking of a packed kernel (kPackedScalar or kPackedAvx2).
inline const GemmBlocking& gemm_blocking_of(GemmKernel kernel) {
  return kernel == GemmKernel::kPackedAvx2 ? kAvx2Blocking : kScalarBlocking;
}

// ---- threading -----------------------------------------------------------------------------
// A thread is started only for every kMinFlopsPerThread flops (2·m·n·k) of work: waking one
// costs a few microseconds, so below that one thread finishes sooner. Any team size gives the
// same bits, so this is purely a speed setting.
inline constexpr double kMinFlopsPerThread = 1.0e6;
// With at most mc_whole rows, several threads split the columns, and each packs all of A; that
// pays only when every thread gets at least this many columns (else they split rows).
inline constexpr int32_t kMinColumnsPerPrivateThread = 256;
// Otherwise threads take A blocks (and runs of B slivers) from a common pool, at least this
// many per thread when there are enough micro-tiles, so the load balances itself.
inline constexpr int32_t kUnitsPerThread = 4;

// The number of threads gemm_packed runs a product on when allowed `threads` (for tests and
// benchmarks; the OpenMP runtime may still grant fewer).
int packed_team_size(GemmKernel kernel, int threads, int32_t m, int32_t n, int32_t k);

}  // namespace biornn::kernels
