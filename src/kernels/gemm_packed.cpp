// gemm_packed.cpp — the packed, blocked, threaded GEMM driver (BLIS loop nest; see
// gemm_blocking.hpp for the block sizes and the micro-kernel contract).
//
//   C = α · op(A) · op(B) + β · C        op(A): (m, k), op(B): (k, n), C: (m, n), row-major views
//
// What it does: packs op(A) and op(B) — any of NN, NT, TN, TT — into zero-padded slivers,
// walks the jc / pc / ic / jr / ir loops and calls one micro-kernel per MR × NR tile of C.
// Threads (OpenMP, only in this file) split the OUTPUT, in one of three ways:
//   run_in_place op(A) = Aᵀ and op(B) = B with few rows and columns (the recurrent weight
//                gradient): nothing is packed but edge slivers; each thread owns a band of
//                row tiles and reads both operands where they lie.
//   run_private  few rows (≤ mc_whole): each thread owns a band of whole columns, packs all of
//                A itself and its B slivers just before use; no thread ever waits for another.
//   run_shared   otherwise: per (jc, pc) step the threads pack one B panel together into a
//                shared buffer, meet at a barrier, then take blocks of rows from a common pool
//                (dynamic, so a thread the machine slows down does less of the work).
// Either way the K loop is the same for every thread count (its blocks depend only on k and
// KC), and every element of C is computed by exactly one thread with exactly the same
// operations in the same order, so the result is bit-identical for any number of threads.
//
// Workspace: one grow-only, 64-byte aligned buffer per calling thread (thread_local), sized
// for all the threads it starts; once it has grown to a call's size, repeating that call (or a
// smaller one) allocates nothing.
//
// Not here: shape checks and the m == 0 / n == 0 cases (blas.cpp), the micro-kernels
// (gemm_microkernel_*.cpp), the specification (gemm_ref.cpp).
#include "kernels/gemm_packed.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <new>

#include "kernels/gemm_blocking.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace biornn::kernels {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

// The start of part `i` when `count` items are split into `parts` contiguous, balanced parts.
int32_t split_point(int32_t count, int32_t parts, int32_t i) {
  return int32_t(int64_t(count) * i / parts);
}

// ---- packing -------------------------------------------------------------------------------
// An operand seen as "lanes × depth": element (r, p) is at data[r·lane_stride + p·depth_stride].
// For op(A) the lanes are the rows i; for op(B) the columns j; the depth is always p.
struct Operand {
  const real* data;
  int64_t lane_stride;
  int64_t depth_stride;
};

Operand operand_a(Trans trans, ConstMatrixView a) {
  return trans == Trans::kNo ? Operand{a.data, a.ld, 1} : Operand{a.data, 1, a.ld};
}

Operand operand_b(Trans trans, ConstMatrixView b) {
  return trans == Trans::kNo ? Operand{b.data, 1, b.ld} : Operand{b.data, b.ld, 1};
}

// A transposing sliver pack, for an operand whose lanes are contiguous along the depth
// (depth_stride = 1): dst[p·R + r] = x(r0 + r, p0 + p) for r < valid, 0 up to R.
using SliverPack = void (*)(const real* src, int64_t ld, int32_t valid, int32_t kc, real* dst);

// The portable one: walks p and gathers R values from R rows for each (the AVX2 build has
// faster ones that transpose in registers).
template <int R>
void pack_transposing_portable(const real* src, int64_t ld, int32_t valid, int32_t kc, real* dst) {
  for (int32_t p = 0; p < kc; ++p) {
    real* out = dst + int64_t(p) * R;
    for (int32_t r = 0; r < valid; ++r) out[r] = src[r * ld + p];
    for (int32_t r = valid; r < R; ++r) out[r] = real(0);
  }
}

// Asks for the cache line at `address` ahead of its use. __builtin_prefetch is a compiler hint
// (GCC, Clang) that exists on every target, not an instruction-set intrinsic.
inline void prefetch(const real* address) {
#if defined(__GNUC__)
  __builtin_prefetch(address);
#else
  (void)address;
#endif
}

// Packs lanes [r0, r0 + lanes) × depth [p0, p0 + kc) as ceil(lanes / R) slivers of R × kc,
// sliver q at dst + q·R·kc, the last one zero-padded. When the lanes are contiguous (op(A) = Aᵀ,
// op(B) = B) each source row p is copied across all the slivers at once — one long run per
// row — while the row kPrefetchRows ahead is requested: rows are ld apart, so the hardware
// prefetcher sees only short runs and, measured, the copy then waits on memory most of the
// time. Otherwise every sliver is one transposing pack.
template <int R>
void pack_panel(const Operand& x, int32_t r0, int32_t lanes, int32_t p0, int32_t kc,
                SliverPack transposing, real* dst) {
  const int32_t slivers = int32_t(ceil_div(lanes, R));
  if (x.lane_stride != 1) {
    for (int32_t q = 0; q < slivers; ++q)
      transposing(x.data + (r0 + q * R) * x.lane_stride + p0, x.lane_stride,
                  std::min(R, lanes - q * R), kc, dst + int64_t(q) * R * kc);
    return;
  }
  constexpr int32_t kPrefetchRows = 4;
  constexpr int32_t kLine = 64 / int32_t(sizeof(real));
  for (int32_t p = 0; p < kc; ++p) {
    const real* row = x.data + (p0 + p) * x.depth_stride + r0;
    if (p + kPrefetchRows < kc)
      for (int32_t l = 0; l < lanes; l += kLine) prefetch(row + kPrefetchRows * x.depth_stride + l);
    for (int32_t q = 0; q < slivers; ++q) {
      real* out = dst + int64_t(q) * R * kc + int64_t(p) * R;
      const int32_t valid = std::min(R, lanes - q * R);
      if (valid == R) {
        std::memcpy(out, row + q * R, sizeof(real) * R);
      } else {
        for (int32_t r = 0; r < valid; ++r) out[r] = row[q * R + r];
        for (int32_t r = valid; r < R; ++r) out[r] = real(0);
      }
    }
  }
}

using PanelPack = void (*)(const Operand&, int32_t, int32_t, int32_t, int32_t, SliverPack, real*);

// The panel and the portable transposing pack for sliver width R.
struct Packer {
  PanelPack panel = nullptr;
  SliverPack transposing = nullptr;
  void operator()(const Operand& x, int32_t r0, int32_t lanes, int32_t p0, int32_t kc,
                  real* dst) const {
    panel(x, r0, lanes, p0, kc, transposing, dst);
  }
};

Packer packer_for_width(int32_t width) {
  switch (width) {
    case 4: return {pack_panel<4>, pack_transposing_portable<4>};
    case 6: return {pack_panel<6>, pack_transposing_portable<6>};
    case 8: return {pack_panel<8>, pack_transposing_portable<8>};
    case 16: return {pack_panel<16>, pack_transposing_portable<16>};
  }
  BIORNN_CHECK(false, "gemm: no packing routine for sliver width " + std::to_string(width));
  return {};
}

// ---- the problem and how it is split -------------------------------------------------------
struct Problem {
  int32_t m, n, k;
  real alpha, beta;
  Operand a, b;
  real* c;
  int64_t ldc;
  GemmBlocking bl;
  MicroKernel micro;
  InPlaceMicroKernel micro_in_place;
  Packer pack_a, pack_b;
  int32_t k_blocks;       // the inner dimension is cut into k_blocks balanced blocks
  bool in_place = false;  // both operands read where they lie (reads_in_place)
};

// Start of inner-dimension block `q`: blocks differ in size by at most one and none exceeds
// KC. This is a function of k and KC only — never of the thread count.
int32_t k_block_start(const Problem& pr, int32_t q) { return split_point(pr.k, pr.k_blocks, q); }

// How a product is shared among `team` threads, and the workspace that takes.
struct Layout {
  int team;
  bool in_place;   // true: run_in_place (both operands read where they lie)
  bool private_b;  // true: run_private (few rows); false: run_shared
  int32_t m_tiles, n_tiles;
  int32_t kc_max;  // largest inner-dimension block
  // run_shared: units of mc rows (A blocks) and runs of B slivers, handed out dynamically.
  int32_t mc, m_units;
  int32_t nc;           // columns per packed B panel (a multiple of NR)
  int32_t run_slivers;  // B slivers per packing unit
  int b_buffers;        // 2 with several threads: packing the next panel overlaps the last use
  int64_t b_panel;      // elements per B panel buffer (64-byte multiple)
  int64_t a_block;      // elements per thread's A block (64-byte multiple)
  int64_t b_sliver;     // elements per thread's B sliver (run_private only)
  int64_t workspace;    // total elements
};

Layout make_layout(const Problem& pr, int team) {
  const GemmBlocking& bl = pr.bl;
  Layout lay;
  lay.team = team;
  lay.m_tiles = int32_t(ceil_div(pr.m, bl.mr));
  lay.n_tiles = int32_t(ceil_div(pr.n, bl.nr));
  lay.kc_max = int32_t(ceil_div(pr.k, pr.k_blocks));
  const int64_t align = 64 / int64_t(sizeof(real));
  const int64_t m_padded = round_up(pr.m, bl.mr);
  lay.in_place = false;

  // op(A) = Aᵀ and op(B) = B with few lanes: each thread a band of row tiles, and per thread
  // room for one edge sliver of A and one of B (the only parts that are packed).
  if (pr.in_place) {
    lay.in_place = true;
    lay.private_b = false;
    lay.mc = 0;
    lay.m_units = 0;
    lay.nc = 0;
    lay.run_slivers = 0;
    lay.b_buffers = 0;
    lay.b_panel = 0;
    lay.a_block = round_up(int64_t(bl.mr) * lay.kc_max, align);
    lay.b_sliver = round_up(int64_t(bl.nr) * lay.kc_max, align);
    lay.workspace = team * (lay.a_block + lay.b_sliver);
    return lay;
  }

  // Few rows: each thread takes a band of whole columns and packs all of A as one block. That
  // repeats A's packing in every thread, which pays only when each has enough columns.
  const int64_t cols_per_thread = ceil_div(lay.n_tiles, team) * bl.nr;
  if (m_padded <= bl.mc_whole &&
      (team == 1 || (lay.n_tiles >= team && cols_per_thread >= kMinColumnsPerPrivateThread))) {
    lay.private_b = true;
    lay.mc = int32_t(m_padded);
    lay.m_units = 1;
    lay.nc = 0;
    lay.run_slivers = 0;
    lay.b_buffers = 0;
    lay.b_panel = 0;
    lay.a_block = round_up(m_padded * lay.kc_max, align);
    lay.b_sliver = round_up(int64_t(lay.kc_max) * bl.nr, align);
    lay.workspace = team * (lay.a_block + lay.b_sliver);
    return lay;
  }

  // Rows in balanced units of at most MC, and at least kUnitsPerThread per thread (when there
  // are enough micro-tiles), so that a thread slowed down by the machine hands work to the
  // others instead of making them wait at the next barrier.
  lay.private_b = false;
  const int64_t upt = kUnitsPerThread;
  const int64_t units = team == 1 ? ceil_div(pr.m, bl.mc)
                                  : std::max<int64_t>(ceil_div(pr.m, bl.mc),
                                                      std::min<int64_t>(lay.m_tiles, upt * team));
  lay.mc = int32_t(round_up(ceil_div(pr.m, units), bl.mr));
  lay.m_units = int32_t(ceil_div(pr.m, lay.mc));
  const int64_t panels = ceil_div(pr.n, bl.nc);
  lay.nc = int32_t(round_up(ceil_div(pr.n, panels), bl.nr));
  const int64_t panel_slivers = ceil_div(lay.nc, bl.nr);
  lay.run_slivers = int32_t(ceil_div(panel_slivers, upt * team));
  lay.b_buffers = team > 1 ? 2 : 1;
  lay.b_panel = round_up(int64_t(lay.kc_max) * lay.nc, align);
  lay.a_block = round_up(int64_t(lay.mc) * lay.kc_max, align);
  lay.b_sliver = 0;
  lay.workspace = lay.b_buffers * lay.b_panel + team * lay.a_block;
  return lay;
}

// How many threads to start: no more than there are micro-tiles of C, and one per
// kMinFlopsPerThread of work (the result does not depend on this choice).
int choose_team(const GemmBlocking& bl, int threads, int32_t m, int32_t n, int32_t k) {
  const double flops = 2.0 * m * double(n) * k;
  const int64_t tiles = ceil_div(m, bl.mr) * ceil_div(n, bl.nr);
  int64_t team = std::min<int64_t>(threads, tiles);
  team = std::min<int64_t>(team, std::max<int64_t>(1, int64_t(flops / kMinFlopsPerThread)));
#ifndef _OPENMP
  team = 1;
#endif
  return int(std::max<int64_t>(1, team));
}

// Waits for the other threads of this product's team. Only ever called with team > 1, that
// is inside the parallel region gemm_packed opened (an orphaned barrier would otherwise bind
// to whatever region the caller happens to be in).
void barrier() {
#ifdef _OPENMP
#pragma omp barrier
#endif
}

// Work handed out dynamically: a thread takes the next ticket of the current step until they
// run out. Each kind of work has three counters used in rotation: step s uses counter s mod 3,
// and thread 0 resets counter (s + 2) mod 3 right after step s's barrier — that counter was
// last used in step s − 1, which every thread finished before that barrier, and is next used
// in step s + 2, which no thread starts before thread 0 has passed the barrier of step s + 1.
struct Tickets {
  std::atomic<int32_t> pack[3] = {0, 0, 0};     // runs of B slivers
  std::atomic<int32_t> compute[3] = {0, 0, 0};  // blocks of rows
};

// The private_b loop nest: thread `tid` owns a band of whole columns of C and all m rows. Per
// K block it packs all of A as one block, then for each of its B slivers packs that sliver
// right before use, while the slivers of A are still in L2: no shared panel, no barriers.
void run_private(const Problem& pr, const Layout& lay, real* workspace, int tid) {
  const int32_t MR = pr.bl.mr, NR = pr.bl.nr;
  const int32_t s0 = split_point(lay.n_tiles, lay.team, tid);
  const int32_t s1 = split_point(lay.n_tiles, lay.team, tid + 1);
  real* const a_pack = workspace + tid * (lay.a_block + lay.b_sliver);
  real* const b_pack = a_pack + lay.a_block;
  const int32_t row_tiles = lay.m_tiles;
  for (int32_t q = 0; s0 < s1 && q < pr.k_blocks; ++q) {
    const int32_t p0 = k_block_start(pr, q);
    const int32_t kc = k_block_start(pr, q + 1) - p0;
    const real beta = q == 0 ? pr.beta : real(1);  // later blocks accumulate onto C
    pr.pack_a(pr.a, 0, pr.m, p0, kc, a_pack);
    for (int32_t s = s0; s < s1; ++s) {
      const int32_t j = s * NR, n_valid = std::min(NR, pr.n - j);
      pr.pack_b(pr.b, j, n_valid, p0, kc, b_pack);
      for (int32_t t = 0; t < row_tiles; ++t) {
        const int32_t i = t * MR;
        pr.micro(kc, a_pack + int64_t(i) * kc, b_pack, pr.alpha, beta, pr.c + i * pr.ldc + j,
                 pr.ldc, std::min(MR, pr.m - i), n_valid);
      }
    }
  }
}

// The shared-panel loop nest, as run by thread `tid` of lay.team. For each (jc, pc) step the
// threads pack the B panel into a shared buffer, taking runs of slivers as tickets; meet at a
// barrier; then take blocks of mc rows as tickets, each packing its A block into its own
// buffer and multiplying it with the whole panel. Which thread computes which rows changes
// from run to run; what is computed for each element does not.
void run_shared(const Problem& pr, const Layout& lay, real* workspace, Tickets* tickets, int tid) {
  const int32_t MR = pr.bl.mr, NR = pr.bl.nr;
  const bool threaded = lay.team > 1;
  real* const a_pack = workspace + lay.b_buffers * lay.b_panel + tid * lay.a_block;
  int step = 0;
  for (int32_t jc = 0; jc < pr.n; jc += lay.nc) {
    const int32_t ncur = std::min(lay.nc, pr.n - jc);
    const int32_t slivers = int32_t(ceil_div(ncur, NR));
    const int32_t runs = int32_t(ceil_div(slivers, lay.run_slivers));
    for (int32_t q = 0; q < pr.k_blocks; ++q, ++step) {
      const int32_t p0 = k_block_start(pr, q);
      const int32_t kc = k_block_start(pr, q + 1) - p0;
      real* const b_pack = workspace + (step % lay.b_buffers) * lay.b_panel;
      std::atomic<int32_t>& pack_ticket = tickets->pack[step % 3];
      for (int32_t run; (run = pack_ticket.fetch_add(1, std::memory_order_relaxed)) < runs;) {
        const int32_t s0 = run * lay.run_slivers;
        const int32_t s1 = std::min(slivers, s0 + lay.run_slivers);
        pr.pack_b(pr.b, jc + s0 * NR, std::min(ncur, s1 * NR) - s0 * NR, p0, kc,
                  b_pack + int64_t(s0) * NR * kc);
      }
      if (threaded) barrier();  // the whole panel is packed before anyone reads it
      if (tid == 0) {
        tickets->pack[(step + 2) % 3].store(0, std::memory_order_relaxed);
        tickets->compute[(step + 2) % 3].store(0, std::memory_order_relaxed);
      }

      const real beta = q == 0 ? pr.beta : real(1);  // later blocks accumulate onto C
      std::atomic<int32_t>& compute_ticket = tickets->compute[step % 3];
      for (int32_t unit;
           (unit = compute_ticket.fetch_add(1, std::memory_order_relaxed)) < lay.m_units;) {
        const int32_t ic = unit * lay.mc;
        const int32_t mcur = std::min(lay.mc, pr.m - ic);
        pr.pack_a(pr.a, ic, mcur, p0, kc, a_pack);
        for (int32_t jr = 0; jr < ncur; jr += NR) {
          const real* b_sliver = b_pack + int64_t(jr) * kc;
          const int32_t n_valid = std::min(NR, ncur - jr);
          for (int32_t ir = 0; ir < mcur; ir += MR) {
            pr.micro(kc, a_pack + int64_t(ir) * kc, b_sliver, pr.alpha, beta,
                     pr.c + (ic + ir) * pr.ldc + jc + jr, pr.ldc, std::min(MR, mcur - ir), n_valid);
          }
        }
      }
      // The next step packs into the other buffer; the barrier after that packing orders this
      // step's reads before the buffer's reuse two steps on. One thread alone has one buffer
      // and needs no ordering.
    }
  }
}

// The in-place loop nest: thread `tid` owns a band of row tiles of C for every K block. Full
// tiles read op(A) = Aᵀ and op(B) = B where they lie (element (i, p) of op(A) at
// a.data[p·ld + i], (p, j) of op(B) at b.data[p·ld + j]); a last row tile or column tile with
// fewer than MR or NR lanes is packed, zero-padded, for each K block, so nothing past the
// operands is read. No barriers: no two threads touch the same element of C.
void run_in_place(const Problem& pr, const Layout& lay, real* workspace, int tid) {
  const int32_t MR = pr.bl.mr, NR = pr.bl.nr;
  const int32_t t0 = split_point(lay.m_tiles, lay.team, tid);
  const int32_t t1 = split_point(lay.m_tiles, lay.team, tid + 1);
  if (t0 == t1) return;
  real* const a_edge = workspace + tid * (lay.a_block + lay.b_sliver);
  real* const b_edge = a_edge + lay.a_block;
  const int32_t last_i = (lay.m_tiles - 1) * MR, last_j = (lay.n_tiles - 1) * NR;
  const bool a_edge_mine = t1 == lay.m_tiles && pr.m - last_i < MR;
  const bool b_has_edge = pr.n - last_j < NR;
  for (int32_t q = 0; q < pr.k_blocks; ++q) {
    const int32_t p0 = k_block_start(pr, q);
    const int32_t kc = k_block_start(pr, q + 1) - p0;
    const real beta = q == 0 ? pr.beta : real(1);  // later blocks accumulate onto C
    if (a_edge_mine) pr.pack_a(pr.a, last_i, pr.m - last_i, p0, kc, a_edge);
    if (b_has_edge) pr.pack_b(pr.b, last_j, pr.n - last_j, p0, kc, b_edge);
    const real* const a_block = pr.a.data + p0 * pr.a.depth_stride;
    const real* const b_block = pr.b.data + p0 * pr.b.depth_stride;
    for (int32_t t = t0; t < t1; ++t) {
      const int32_t i = t * MR, m_valid = std::min(MR, pr.m - i);
      const bool a_packed = m_valid < MR;
      const real* a = a_packed ? a_edge : a_block + i;
      const int64_t a_step = a_packed ? MR : pr.a.depth_stride;
      for (int32_t s = 0; s < lay.n_tiles; ++s) {
        const int32_t j = s * NR, n_valid = std::min(NR, pr.n - j);
        const bool b_packed = n_valid < NR;
        pr.micro_in_place(kc, a, a_step, b_packed ? b_edge : b_block + j, b_packed ? NR : pr.b.depth_stride,
                          pr.alpha, beta, pr.c + i * pr.ldc + j, pr.ldc, m_valid, n_valid);
      }
    }
  }
}

void run_thread(const Problem& pr, const Layout& lay, real* workspace, Tickets* tickets, int tid) {
  if (lay.in_place) {
    run_in_place(pr, lay, workspace, tid);
  } else if (lay.private_b) {
    run_private(pr, lay, workspace, tid);
  } else {
    run_shared(pr, lay, workspace, tickets, tid);
  }
}

// C = β·C, the whole product when k == 0 or α == 0 (A and B are then never read).
void scale_c(real beta, MatrixView c) {
  for (int32_t i = 0; i < c.rows; ++i) {
    real* row = c.row(i);
    if (beta == real(0)) {
      for (int32_t j = 0; j < c.cols; ++j) row[j] = real(0);
    } else if (beta != real(1)) {
      for (int32_t j = 0; j < c.cols; ++j) row[j] = beta * row[j];
    }
  }
}

// The calling thread's packing workspace; grows, never shrinks.
class Workspace {
 public:
  Workspace() = default;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  ~Workspace() { release(); }

  real* reserve(int64_t elements) {
    if (elements > capacity_) {
      release();
      data_ = static_cast<real*>(
          ::operator new(std::size_t(elements) * sizeof(real), std::align_val_t(64)));
      capacity_ = elements;
    }
    return data_;
  }

 private:
  void release() {
    if (data_ != nullptr) ::operator delete(data_, std::align_val_t(64));
    data_ = nullptr;
    capacity_ = 0;
  }
  real* data_ = nullptr;
  int64_t capacity_ = 0;
};

thread_local Workspace t_workspace;

}  // namespace

bool reads_in_place(Trans trans_a, Trans trans_b, int32_t m, int32_t n) {
  return trans_a == Trans::kYes && trans_b == Trans::kNo && m <= kInPlaceMaxLanes && n <= kInPlaceMaxLanes;
}

int packed_team_size(GemmKernel kernel, int threads, int32_t m, int32_t n, int32_t k) {
  if (m == 0 || n == 0 || k == 0) return 1;
  return choose_team(gemm_blocking_of(kernel), threads, m, n, k);
}

namespace {

// The kernel-dependent part of a Problem: blocking, micro-kernel, packers, K partition.
void set_kernel(GemmKernel kernel, int32_t k, Problem* pr) {
  pr->bl = gemm_blocking_of(kernel);
  pr->micro = microkernel_scalar;
  pr->micro_in_place = microkernel_in_place_scalar;
  pr->pack_a = packer_for_width(pr->bl.mr);
  pr->pack_b = packer_for_width(pr->bl.nr);
#ifdef BIORNN_HAVE_AVX2
  if (kernel == GemmKernel::kPackedAvx2) {
    pr->micro = microkernel_avx2;
    pr->micro_in_place = microkernel_in_place_avx2;
    pr->pack_a.transposing = pack_a_transposing_avx2;
    pr->pack_b.transposing = pack_b_transposing_avx2;
  }
#endif
  pr->k_blocks = int32_t(ceil_div(k, pr->bl.kc));
}

// The product C = α·op(A)·(B) + β·C for `kernel`, without its B operand (set by the caller
// or, for a prepacked B, never read).
Problem make_problem(GemmKernel kernel, Trans trans_a, real alpha, ConstMatrixView a, real beta, MatrixView c) {
  Problem pr;
  pr.m = c.rows;
  pr.n = c.cols;
  pr.k = trans_a == Trans::kNo ? a.cols : a.rows;
  pr.alpha = alpha;
  pr.beta = beta;
  pr.a = operand_a(trans_a, a);
  pr.b = Operand{nullptr, 0, 0};
  pr.c = c.data;
  pr.ldc = c.ld;
  set_kernel(kernel, pr.k, &pr);
  return pr;
}

}  // namespace

void gemm_packed(GemmKernel kernel, int threads, Trans trans_a, Trans trans_b, real alpha,
                 ConstMatrixView a, ConstMatrixView b, real beta, MatrixView c) {
  const int32_t m = c.rows, n = c.cols;
  const int32_t k = trans_a == Trans::kNo ? a.cols : a.rows;
  if (k == 0 || alpha == real(0)) {
    scale_c(beta, c);
    return;
  }
  Problem pr = make_problem(kernel, trans_a, alpha, a, beta, c);
  pr.b = operand_b(trans_b, b);
  pr.in_place = reads_in_place(trans_a, trans_b, m, n);

  const int team = choose_team(pr.bl, threads, m, n, k);
  const Layout layout = make_layout(pr, team);
  // The runtime may grant fewer threads than asked (nested regions, thread limits); the
  // workspace then has to fit the layout for the team actually granted.
  int64_t workspace_size = layout.workspace;
  for (int smaller = 1; smaller < team; ++smaller)
    workspace_size = std::max(workspace_size, make_layout(pr, smaller).workspace);
  real* const workspace = t_workspace.reserve(workspace_size);
  Tickets tickets;
#ifdef _OPENMP
  if (team > 1) {
#pragma omp parallel num_threads(team)
    {
      const int granted = omp_get_num_threads();
      const Layout lay = granted == team ? layout : make_layout(pr, granted);
      run_thread(pr, lay, workspace, &tickets, omp_get_thread_num());
    }
    return;
  }
#endif
  run_thread(pr, layout, workspace, &tickets, 0);
}

// ---- a prepacked B ---------------------------------------------------------------------------
// Layout: K block q (rows p0 .. p0 + kc of op(B)) starts at p0 · n_tiles · NR; within it,
// sliver s (columns s·NR ..) is kc × NR values at s · kc · NR — what pack_panel writes for the
// whole width. Every sliver starts on a 64-byte boundary when NR · sizeof(real) is a multiple
// of 64, as the AVX2 kernel's aligned loads need.

PackedOperandB::~PackedOperandB() {
  if (data_ != nullptr) ::operator delete(data_, std::align_val_t(64));
}

void pack_b_operand(GemmKernel kernel, Trans trans_b, ConstMatrixView b, PackedOperandB* out) {
  BIORNN_CHECK(kernel == GemmKernel::kPackedScalar || kernel == GemmKernel::kPackedAvx2,
               "pack_b_operand: needs a packed kernel");
  Problem pr;
  pr.k = trans_b == Trans::kNo ? b.rows : b.cols;
  pr.n = trans_b == Trans::kNo ? b.cols : b.rows;
  pr.b = operand_b(trans_b, b);
  set_kernel(kernel, pr.k, &pr);
  const int64_t width = round_up(pr.n, pr.bl.nr);
  const int64_t elements = std::max<int64_t>(1, width * pr.k);
  if (elements > out->capacity_) {
    if (out->data_ != nullptr) ::operator delete(out->data_, std::align_val_t(64));
    out->data_ = static_cast<real*>(::operator new(std::size_t(elements) * sizeof(real), std::align_val_t(64)));
    out->capacity_ = elements;
  }
  out->kernel_ = kernel;
  out->k_ = pr.k;
  out->n_ = pr.n;
  out->k_blocks_ = pr.k_blocks;
  if (pr.n == 0) return;
  for (int32_t q = 0; q < pr.k_blocks; ++q) {
    const int32_t p0 = k_block_start(pr, q), kc = k_block_start(pr, q + 1) - p0;
    pr.pack_b(pr.b, 0, pr.n, p0, kc, out->data_ + p0 * width);
  }
}

void gemm_packed_b(Trans trans_a, real alpha, ConstMatrixView a, const PackedOperandB& b, real beta, MatrixView c) {
  const int32_t m = c.rows, n = c.cols;
  const int32_t k = trans_a == Trans::kNo ? a.cols : a.rows;
  BIORNN_CHECK(k == b.k_ && n == b.n_ && (trans_a == Trans::kNo ? a.rows : a.cols) == m,
               "gemm_packed_b: op(A) (" + std::to_string(trans_a == Trans::kNo ? a.rows : a.cols) + ", " +
                   std::to_string(k) + "), packed B (" + std::to_string(b.k_) + ", " + std::to_string(b.n_) +
                   "), C (" + std::to_string(m) + ", " + std::to_string(n) + ")");
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == real(0)) {
    scale_c(beta, c);
    return;
  }
  const Problem pr = make_problem(b.kernel_, trans_a, alpha, a, beta, c);
  const int32_t MR = pr.bl.mr, NR = pr.bl.nr;
  const int64_t width = round_up(n, NR);
  const int32_t n_tiles = int32_t(width / NR);
  // Rows in blocks of at most mc_whole (one block for the recurrent products), each packed
  // once per K block; then every sliver of B against every row tile — run_private's order.
  const int32_t mc = pr.bl.mc_whole;
  const int32_t kc_max = int32_t(ceil_div(k, pr.k_blocks));
  real* const a_pack = t_workspace.reserve(int64_t(std::min<int64_t>(round_up(m, MR), mc)) * kc_max);
  for (int32_t ic = 0; ic < m; ic += mc) {
    const int32_t mcur = std::min(mc, m - ic);
    for (int32_t q = 0; q < pr.k_blocks; ++q) {
      const int32_t p0 = k_block_start(pr, q), kc = k_block_start(pr, q + 1) - p0;
      const real beta_q = q == 0 ? beta : real(1);  // later blocks accumulate onto C
      pr.pack_a(pr.a, ic, mcur, p0, kc, a_pack);
      const real* b_block = b.data_ + p0 * width;
      for (int32_t s = 0; s < n_tiles; ++s) {
        const int32_t j = s * NR, n_valid = std::min(NR, n - j);
        for (int32_t ir = 0; ir < mcur; ir += MR)
          pr.micro(kc, a_pack + int64_t(ir) * kc, b_block + int64_t(s) * kc * NR, alpha, beta_q,
                   pr.c + (ic + ir) * pr.ldc + j, pr.ldc, std::min(MR, mcur - ir), n_valid);
      }
    }
  }
}

}  // namespace biornn::kernels
