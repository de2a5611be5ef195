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
// With at most mc_whole rows (the recurrent products x·Wᵀ have m = batch = 200) the ic loop
// has one iteration: all of A is one packed block and each B sliver is packed just before its
// jr iteration (gemm_packed.cpp, run_private), so B never goes through a shared panel.
//
// The values are tuned data, not code: measured on the reference machine (AMD EPYC Zen3,
// 32 KiB L1d, 512 KiB L2, 32 MiB L3; `biornn bench gemm`, `make bench-openblas`) and free to
// retune — the tests read them from here, so their block-edge cases follow. Blocks are maxima:
// the driver balances them (k = 1440 with KC = 256 gives six blocks of 240, not 5 × 256 + 160).
// Constraints a retune must keep: MC and mc_whole are multiples of MR, NC of NR; MR × NR
// accumulators fit the register file (AVX2: 16 ymm registers, 12 hold the tile); a B sliver
// (KC × NR) plus an A sliver (MR × KC) fits in L1d with room to spare, an A block
// (MC × KC, or mc_whole × KC) in L2. Measured on Zen3 (float, AVX2, alternating with
// OpenBLAS on a busy machine): KC = 384 or 512 was no faster than 256 (the B sliver then
// spills from L1); MC = 96 beat 144 and 192 by about 3 % on the weight-gradient product
// (1440, 1440, 3000) TN and was even with them on square NN products.
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
  int32_t mr;        // rows of the micro-tile
  int32_t nr;        // columns of the micro-tile
  int32_t mc;        // most rows of C per packed A block (a multiple of mr)
  int32_t kc;        // largest inner-dimension block
  int32_t nc;        // most columns of C per packed B panel (a multiple of nr)
  int32_t mc_whole;  // up to this many rows (padded to mr) are packed as one A block, and B
                     // slivers just in time instead of into a shared panel (a multiple of mr)
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

// The in-place variant reads the slivers where they lie: a[p·a_step + i] is op(A)(i, p) and
// b[p·b_step + j] is op(B)(p, j), for all MR rows and NR columns (every one must be readable;
// lanes past m_valid or n_valid may hold anything, they only reach discarded accumulators).
// Called with a_step = MR and b_step = NR on packed slivers it is the packed kernel; with the
// operands' leading dimensions it needs no packing at all, which the driver uses when op(A) =
// Aᵀ and op(B) = B, both with few lanes (the recurrent weight gradient dZᵀ·H). Same rounding
// as the packed kernel, so the two paths give the same bits.
using InPlaceMicroKernel = void (*)(int32_t kc, const real* a, int64_t a_step, const real* b, int64_t b_step,
                                    real alpha, real beta, real* c, int64_t ldc, int32_t m_valid, int32_t n_valid);

// Portable C++ micro-kernel (gemm_microkernel_scalar.cpp): plain loops the compiler may
// vectorise with the baseline instruction set.
#ifdef BIORNN_DOUBLE
inline constexpr GemmBlocking kScalarBlocking = {4, 4, 96, 256, 4096, 128};
#else
inline constexpr GemmBlocking kScalarBlocking = {4, 8, 128, 256, 4096, 256};
#endif
void microkernel_scalar(int32_t kc, const real* a_packed, const real* b_packed, real alpha,
                        real beta, real* c, int64_t ldc, int32_t m_valid, int32_t n_valid);
void microkernel_in_place_scalar(int32_t kc, const real* a, int64_t a_step, const real* b, int64_t b_step,
                                 real alpha, real beta, real* c, int64_t ldc, int32_t m_valid, int32_t n_valid);

// AVX2 + FMA micro-kernel (gemm_microkernel_avx2.cpp): 6 rows × 2 vectors of C in 12 ymm
// accumulators (6 × 16 floats or 6 × 8 doubles), one FMA per accumulator per k step.
#ifdef BIORNN_DOUBLE
inline constexpr GemmBlocking kAvx2Blocking = {6, 8, 72, 256, 4080, 144};
#else
inline constexpr GemmBlocking kAvx2Blocking = {6, 16, 96, 256, 4080, 288};
#endif
#ifdef BIORNN_HAVE_AVX2
void microkernel_avx2(int32_t kc, const real* a_packed, const real* b_packed, real alpha, real beta,
                      real* c, int64_t ldc, int32_t m_valid, int32_t n_valid);
void microkernel_in_place_avx2(int32_t kc, const real* a, int64_t a_step, const real* b, int64_t b_step,
                               real alpha, real beta, real* c, int64_t ldc, int32_t m_valid, int32_t n_valid);
// Its transposing packs, for an operand whose lanes (rows of op(A), columns of op(B)) are
// contiguous along k: dst[p·R + r] = src[r·ld + p] for r < valid, 0 for valid ≤ r < R, p < kc,
// with R = MR (A) or NR (B). Bit for bit what the portable packing writes, only faster.
void pack_a_transposing_avx2(const real* src, int64_t ld, int32_t valid, int32_t kc, real* dst);
void pack_b_transposing_avx2(const real* src, int64_t ld, int32_t valid, int32_t kc, real* dst);
#endif

// The constraints on the blocking that the driver relies on.
constexpr bool blocking_is_valid(const GemmBlocking& b) {
  return b.mr > 0 && b.nr > 0 && b.kc > 0 && b.mc >= b.mr && b.mc % b.mr == 0 && b.nc >= b.nr &&
         b.nc % b.nr == 0 && b.mc_whole >= b.mr && b.mc_whole % b.mr == 0;
}
static_assert(blocking_is_valid(kScalarBlocking), "kScalarBlocking breaks a constraint");
static_assert(blocking_is_valid(kAvx2Blocking), "kAvx2Blocking breaks a constraint");

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
// Products with op(A) = Aᵀ and op(B) = B and at most this many rows and columns read both
// operands in place instead of packing them (the in-place micro-kernel above). Both hold
// each k step's lanes side by side, so a full tile reads one short run of A and of B per k
// step; with few lanes a K block of both (KC × 256 × 2 values, 512 KiB in float) stays in L2
// while every tile of C is swept over it, and the packing, which costs as much memory traffic
// as the product, goes away. Above this the packed path's cache blocking wins.
inline constexpr int32_t kInPlaceMaxLanes = 256;

// The number of threads gemm_packed runs a product on when allowed `threads` (for tests and
// benchmarks; the OpenMP runtime may still grant fewer).
int packed_team_size(GemmKernel kernel, int threads, int32_t m, int32_t n, int32_t k);

}  // namespace biornn::kernels
