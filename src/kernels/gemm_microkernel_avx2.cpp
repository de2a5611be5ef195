// gemm_microkernel_avx2.cpp — the AVX2 + FMA GEMM micro-kernel (contract: gemm_blocking.hpp).
//
// The only file with intrinsics, built with -mavx2 -mfma and left out when AVX2=0. The tile is
// 6 rows × 2 vectors (6 × 16 floats, or 6 × 8 doubles): 12 ymm accumulators, two B loads and
// six A broadcasts per k step feed 12 independent FMAs — enough independent chains to cover
// the FMA latency (4 cycles × 2 pipes on Zen3 and Haswell) with 4 registers to spare.
// Each accumulator is one FMA chain in k order, so every lane rounds the same way.
//
// Also here, because they need intrinsics too: the transposing packs (an operand whose lanes
// are contiguous along k — A in NN/NT, B in NT/TT — is turned into k-major slivers by
// kLanes × kLanes register transposes). They only move data, so their output is bit for bit
// what the portable packing in gemm_packed.cpp writes; they are about ten times faster.
//
// Not here: the portable packing, blocking, threading (gemm_packed.cpp); the portable twin
// of the micro-kernel (gemm_microkernel_scalar.cpp).
#include <immintrin.h>

#include "kernels/gemm_blocking.hpp"

namespace biornn::kernels {

namespace {

// One ymm register of `real` and the handful of operations the kernel needs.
#ifdef BIORNN_DOUBLE
using Vec = __m256d;
constexpr int32_t kLanes = 4;
inline Vec vzero() { return _mm256_setzero_pd(); }
inline Vec vload(const real* p) { return _mm256_load_pd(p); }  // packed data: aligned
inline Vec vloadu(const real* p) { return _mm256_loadu_pd(p); }
inline void vstoreu(real* p, Vec v) { _mm256_storeu_pd(p, v); }
inline void vstore(real* p, Vec v) { _mm256_store_pd(p, v); }
inline Vec vbroadcast(const real* p) { return _mm256_broadcast_sd(p); }
inline Vec vset1(real x) { return _mm256_set1_pd(x); }
inline Vec vmul(Vec a, Vec b) { return _mm256_mul_pd(a, b); }
inline Vec vfma(Vec a, Vec b, Vec c) { return _mm256_fmadd_pd(a, b, c); }

// The columns of the 4 × 4 block whose rows are r0..r3 (in place: r_j becomes column j).
inline void transpose(Vec& r0, Vec& r1, Vec& r2, Vec& r3) {
  const Vec t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
  const Vec t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
  r0 = _mm256_permute2f128_pd(t0, t2, 0x20);
  r1 = _mm256_permute2f128_pd(t1, t3, 0x20);
  r2 = _mm256_permute2f128_pd(t0, t2, 0x31);
  r3 = _mm256_permute2f128_pd(t1, t3, 0x31);
}
#else
using Vec = __m256;
constexpr int32_t kLanes = 8;
inline Vec vzero() { return _mm256_setzero_ps(); }
inline Vec vload(const real* p) { return _mm256_load_ps(p); }
inline Vec vloadu(const real* p) { return _mm256_loadu_ps(p); }
inline void vstoreu(real* p, Vec v) { _mm256_storeu_ps(p, v); }
inline void vstore(real* p, Vec v) { _mm256_store_ps(p, v); }
inline Vec vbroadcast(const real* p) { return _mm256_broadcast_ss(p); }
inline Vec vset1(real x) { return _mm256_set1_ps(x); }
inline Vec vmul(Vec a, Vec b) { return _mm256_mul_ps(a, b); }
inline Vec vfma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }

// The columns of the 8 × 8 block whose rows are r0..r7 (in place: r_j becomes column j).
inline void transpose(Vec& r0, Vec& r1, Vec& r2, Vec& r3, Vec& r4, Vec& r5, Vec& r6, Vec& r7) {
  const Vec t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const Vec t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const Vec t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  const Vec t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const Vec s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const Vec s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const Vec s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const Vec s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r0 = _mm256_permute2f128_ps(s0, s4, 0x20);
  r1 = _mm256_permute2f128_ps(s1, s5, 0x20);
  r2 = _mm256_permute2f128_ps(s2, s6, 0x20);
  r3 = _mm256_permute2f128_ps(s3, s7, 0x20);
  r4 = _mm256_permute2f128_ps(s0, s4, 0x31);
  r5 = _mm256_permute2f128_ps(s1, s5, 0x31);
  r6 = _mm256_permute2f128_ps(s2, s6, 0x31);
  r7 = _mm256_permute2f128_ps(s3, s7, 0x31);
}
#endif

constexpr int32_t MR = kAvx2Blocking.mr;
constexpr int32_t NR = kAvx2Blocking.nr;
static_assert(MR == 6 && NR == 2 * kLanes, "the kernel body below is written for 6 × 2 vectors");

// C row (two vectors) = α·acc + β·C, rounded as the contract says.
inline void update_row(real* c, Vec acc0, Vec acc1, Vec alpha, real beta) {
  if (beta == real(0)) {
    vstoreu(c, vmul(alpha, acc0));
    vstoreu(c + kLanes, vmul(alpha, acc1));
  } else if (beta == real(1)) {
    vstoreu(c, vfma(alpha, acc0, vloadu(c)));
    vstoreu(c + kLanes, vfma(alpha, acc1, vloadu(c + kLanes)));
  } else {
    const Vec b = vset1(beta);
    vstoreu(c, vfma(alpha, acc0, vmul(b, vloadu(c))));
    vstoreu(c + kLanes, vfma(alpha, acc1, vmul(b, vloadu(c + kLanes))));
  }
}

// Where a tile's result goes: C (or a local copy of an edge tile) and the update scalars.
struct TileUpdate {
  real* c;
  int64_t ldc;
  real alpha;
  real beta;
};

// One full MR × NR tile: the k loop, then the update of all MR rows of `u.c`. Kept out of line
// and given α and β behind a pointer, so that nothing but the 12 accumulators, two B vectors
// and one broadcast is live in the loop (with α in a register too, GCC spills an accumulator
// and the loop runs at half speed); the accumulators go straight from registers into C.
// kInPlace = false: packed slivers (a_step = MR, b_step = NR, B aligned; the steps passed are
// ignored). kInPlace = true: the operands where they lie, a[p·a_step + i] and b[p·b_step + j],
// B loaded unaligned. The arithmetic is the same either way.
template <bool kInPlace>
__attribute__((noinline)) void tile(int32_t kc, const real* a, int64_t a_step, const real* b, int64_t b_step,
                                    const TileUpdate* u) {
  if (!kInPlace) {
    a_step = MR;
    b_step = NR;
  }
  Vec c00 = vzero(), c01 = vzero(), c10 = vzero(), c11 = vzero(), c20 = vzero(), c21 = vzero();
  Vec c30 = vzero(), c31 = vzero(), c40 = vzero(), c41 = vzero(), c50 = vzero(), c51 = vzero();
  for (int32_t p = 0; p < kc; ++p) {
    const Vec b0 = kInPlace ? vloadu(b) : vload(b), b1 = kInPlace ? vloadu(b + kLanes) : vload(b + kLanes);
    Vec ai = vbroadcast(a + 0);
    c00 = vfma(ai, b0, c00);
    c01 = vfma(ai, b1, c01);
    ai = vbroadcast(a + 1);
    c10 = vfma(ai, b0, c10);
    c11 = vfma(ai, b1, c11);
    ai = vbroadcast(a + 2);
    c20 = vfma(ai, b0, c20);
    c21 = vfma(ai, b1, c21);
    ai = vbroadcast(a + 3);
    c30 = vfma(ai, b0, c30);
    c31 = vfma(ai, b1, c31);
    ai = vbroadcast(a + 4);
    c40 = vfma(ai, b0, c40);
    c41 = vfma(ai, b1, c41);
    ai = vbroadcast(a + 5);
    c50 = vfma(ai, b0, c50);
    c51 = vfma(ai, b1, c51);
    a += a_step;
    b += b_step;
  }
  const Vec alpha = vset1(u->alpha);
  const real beta = u->beta;
  real* c = u->c;
  const int64_t ldc = u->ldc;
  update_row(c + 0 * ldc, c00, c01, alpha, beta);
  update_row(c + 1 * ldc, c10, c11, alpha, beta);
  update_row(c + 2 * ldc, c20, c21, alpha, beta);
  update_row(c + 3 * ldc, c30, c31, alpha, beta);
  update_row(c + 4 * ldc, c40, c41, alpha, beta);
  update_row(c + 5 * ldc, c50, c51, alpha, beta);
}

// A tile of C from either kind of sliver: full tiles are updated in place; an edge tile runs
// the very same code on a local copy, whose valid part is then copied back, so edge elements
// round exactly like interior ones. With β == 0 the local tile starts as zeros and C is never
// read.
template <bool kInPlace>
void run_tile(int32_t kc, const real* a, int64_t a_step, const real* b, int64_t b_step, real alpha, real beta,
              real* c, int64_t ldc, int32_t m_valid, int32_t n_valid) {
  // Ask for the tile of C now (two lines per row: a row of NR values need not be aligned), so
  // the misses overlap the k loop instead of stalling the update after it.
  for (int32_t i = 0; i < m_valid; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + NR - 1), _MM_HINT_T0);
  }
  if (m_valid == MR && n_valid == NR) {
    const TileUpdate u = {c, ldc, alpha, beta};
    tile<kInPlace>(kc, a, a_step, b, b_step, &u);
    return;
  }
  alignas(64) real local[MR * NR] = {};
  if (beta != real(0)) {
    for (int32_t i = 0; i < m_valid; ++i)
      for (int32_t j = 0; j < n_valid; ++j) local[i * NR + j] = c[i * ldc + j];
  }
  const TileUpdate u = {local, NR, alpha, beta};
  tile<kInPlace>(kc, a, a_step, b, b_step, &u);
  for (int32_t i = 0; i < m_valid; ++i)
    for (int32_t j = 0; j < n_valid; ++j) c[i * ldc + j] = local[i * NR + j];
}

}  // namespace

void microkernel_avx2(int32_t kc, const real* a_packed, const real* b_packed, real alpha, real beta,
                      real* c, int64_t ldc, int32_t m_valid, int32_t n_valid) {
  run_tile<false>(kc, a_packed, MR, b_packed, NR, alpha, beta, c, ldc, m_valid, n_valid);
}

void microkernel_in_place_avx2(int32_t kc, const real* a, int64_t a_step, const real* b, int64_t b_step,
                               real alpha, real beta, real* c, int64_t ldc, int32_t m_valid, int32_t n_valid) {
  run_tile<true>(kc, a, a_step, b, b_step, alpha, beta, c, ldc, m_valid, n_valid);
}

// ---- transposing packs: dst[p·R + r] = src[r·ld + p] for r < valid, 0 for valid ≤ r < R ----
namespace {

// Edge slivers (valid < R) and the last kc mod kLanes columns: element by element.
template <int32_t R>
void pack_transposing_tail(const real* src, int64_t ld, int32_t valid, int32_t p_begin, int32_t kc,
                           real* dst) {
  for (int32_t p = p_begin; p < kc; ++p) {
    for (int32_t r = 0; r < valid; ++r) dst[p * R + r] = src[r * ld + p];
    for (int32_t r = valid; r < R; ++r) dst[p * R + r] = real(0);
  }
}

// The packs read R rows side by side, kLanes values at a time, a pattern the hardware
// prefetcher follows poorly (measured: the packs spent most of their time waiting on memory).
// So once per cache line of progress they ask for every row's line two lines ahead.
constexpr int32_t kLineElements = 64 / int32_t(sizeof(real));
constexpr int32_t kPackPrefetchAhead = 2 * kLineElements;

template <int32_t R>
inline void prefetch_rows(const real* src, int64_t ld, int32_t p, int32_t kc) {
  if (p % kLineElements != 0 || p + kPackPrefetchAhead >= kc) return;
  for (int32_t r = 0; r < R; ++r)
    _mm_prefetch(reinterpret_cast<const char*>(src + r * ld + p + kPackPrefetchAhead), _MM_HINT_T0);
}

}  // namespace

#ifdef BIORNN_DOUBLE
// A sliver: 6 rows = one 4 × 4 transpose (rows 0-3) and two rows interleaved (rows 4-5).
void pack_a_transposing_avx2(const real* src, int64_t ld, int32_t valid, int32_t kc, real* dst) {
  int32_t p = 0;
  if (valid == MR) {
    for (; p + 4 <= kc; p += 4) {
      prefetch_rows<MR>(src, ld, p, kc);
      const real* s = src + p;
      Vec r0 = vloadu(s), r1 = vloadu(s + ld), r2 = vloadu(s + 2 * ld), r3 = vloadu(s + 3 * ld);
      transpose(r0, r1, r2, r3);
      const Vec r4 = vloadu(s + 4 * ld), r5 = vloadu(s + 5 * ld);
      const Vec lo = _mm256_unpacklo_pd(r4, r5), hi = _mm256_unpackhi_pd(r4, r5);
      real* d = dst + p * MR;
      vstoreu(d, r0);
      _mm_storeu_pd(d + 4, _mm256_castpd256_pd128(lo));
      vstoreu(d + 6, r1);
      _mm_storeu_pd(d + 10, _mm256_castpd256_pd128(hi));
      vstoreu(d + 12, r2);
      _mm_storeu_pd(d + 16, _mm256_extractf128_pd(lo, 1));
      vstoreu(d + 18, r3);
      _mm_storeu_pd(d + 22, _mm256_extractf128_pd(hi, 1));
    }
  }
  pack_transposing_tail<MR>(src, ld, valid, p, kc, dst);
}

// B sliver: 8 rows = two 4 × 4 transposes per 4 columns.
void pack_b_transposing_avx2(const real* src, int64_t ld, int32_t valid, int32_t kc, real* dst) {
  int32_t p = 0;
  if (valid == NR) {
    for (; p + 4 <= kc; p += 4) {
      prefetch_rows<NR>(src, ld, p, kc);
      for (int32_t g = 0; g < NR; g += 4) {
        const real* s = src + g * ld + p;
        Vec r0 = vloadu(s), r1 = vloadu(s + ld), r2 = vloadu(s + 2 * ld), r3 = vloadu(s + 3 * ld);
        transpose(r0, r1, r2, r3);
        real* d = dst + p * NR + g;
        vstore(d, r0);
        vstore(d + NR, r1);
        vstore(d + 2 * NR, r2);
        vstore(d + 3 * NR, r3);
      }
    }
  }
  pack_transposing_tail<NR>(src, ld, valid, p, kc, dst);
}
#else
// Stores lanes 0-5 of v at d (an A-sliver column of 6 floats).
inline void store6(real* d, Vec v) {
  _mm_storeu_ps(d, _mm256_castps256_ps128(v));
  _mm_storel_pi(reinterpret_cast<__m64*>(d + 4), _mm256_extractf128_ps(v, 1));
}

// A sliver: 6 rows, transposed as an 8 × 8 block whose last two rows are zero.
void pack_a_transposing_avx2(const real* src, int64_t ld, int32_t valid, int32_t kc, real* dst) {
  int32_t p = 0;
  if (valid == MR) {
    for (; p + 8 <= kc; p += 8) {
      prefetch_rows<MR>(src, ld, p, kc);
      const real* s = src + p;
      Vec r0 = vloadu(s), r1 = vloadu(s + ld), r2 = vloadu(s + 2 * ld), r3 = vloadu(s + 3 * ld);
      Vec r4 = vloadu(s + 4 * ld), r5 = vloadu(s + 5 * ld), r6 = vzero(), r7 = vzero();
      transpose(r0, r1, r2, r3, r4, r5, r6, r7);
      real* d = dst + p * MR;
      store6(d, r0);
      store6(d + 6, r1);
      store6(d + 12, r2);
      store6(d + 18, r3);
      store6(d + 24, r4);
      store6(d + 30, r5);
      store6(d + 36, r6);
      store6(d + 42, r7);
    }
  }
  pack_transposing_tail<MR>(src, ld, valid, p, kc, dst);
}

// B sliver: 16 rows = two 8 × 8 transposes per 8 columns.
void pack_b_transposing_avx2(const real* src, int64_t ld, int32_t valid, int32_t kc, real* dst) {
  int32_t p = 0;
  if (valid == NR) {
    for (; p + 8 <= kc; p += 8) {
      prefetch_rows<NR>(src, ld, p, kc);
      for (int32_t g = 0; g < NR; g += 8) {
        const real* s = src + g * ld + p;
        Vec r0 = vloadu(s), r1 = vloadu(s + ld), r2 = vloadu(s + 2 * ld), r3 = vloadu(s + 3 * ld);
        Vec r4 = vloadu(s + 4 * ld), r5 = vloadu(s + 5 * ld), r6 = vloadu(s + 6 * ld);
        Vec r7 = vloadu(s + 7 * ld);
        transpose(r0, r1, r2, r3, r4, r5, r6, r7);
        real* d = dst + p * NR + g;
        vstore(d, r0);
        vstore(d + NR, r1);
        vstore(d + 2 * NR, r2);
        vstore(d + 3 * NR, r3);
        vstore(d + 4 * NR, r4);
        vstore(d + 5 * NR, r5);
        vstore(d + 6 * NR, r6);
        vstore(d + 7 * NR, r7);
      }
    }
  }
  pack_transposing_tail<NR>(src, ld, valid, p, kc, dst);
}
#endif

}  // namespace biornn::kernels
