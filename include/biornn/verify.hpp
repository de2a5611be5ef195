// verify.hpp — the paper's theorems, checked numerically (SPEC §6; paper §2.1–2.2, App. 6–10).
//
// Each result gets one function that builds a problem on which the result's assumptions HOLD,
// measures the quantity the result is about, computes the bound from the problem's own
// constants, and returns a VerifyCheck: measured, bound, slack, verdict. Nothing is tuned to
// pass: the constants are eigenvalues of the problem's Gram matrix (Jacobi, below), gradient
// norms measured along the run, spectral norms of the trained weights, the pruner's own keep
// probabilities. Where the paper's statement needs a qualification to be true, the check
// verifies the qualified statement and a demonstration row shows the unqualified one failing:
//
//   result       problem                                  measured vs bound
//   Theorem 5    random W, Dale signs                     ‖W − P(W)‖_F vs min over 2000 random
//                                                         feasible X and a per-entry optimiser
//   Corollary 6  W after a gradient step, 200 trials      max ‖W − W_D‖_F / ‖W − W_R‖_F vs 1
//   Lemma 1      least squares ½‖Aw − b‖², optimum inside  closest approach of plain GD to the
//                the orthant, ‖w0 − w*‖ < min|w*_j|        sign boundary vs 0 (no clip either)
//   Theorem 2    least squares, optimum inside, step 1/L   iterations to ε vs the bound; loss
//                                                         gap vs (1 − μ/L)^i·gap₀ at every i
//   Lemma 3      least squares, optimum outside            ‖W − W_D‖_F vs (G/L)((1 + ηL)^i − 1)
//   Theorem 4    ReLU RNN without biases, teacher targets  ‖f(W_D) − y‖² vs 2(δ²ΣL_t² + Σε_t²)
//   App. 7       ReLU RNN, one Dale step per iteration     share of Dale-strengthened E weights
//                                                         that Hebbian learning strengthens
//   App. 9       heavy-tailed W with zeros, top-prob      mean realised sparsity vs target
//   App. 10.1    i.i.d. matrices, top-prob                mean MST edges kept vs the bound
//   App. 10.2    random pruning (exact count)             mean MST edges kept vs nK/M
//
// Slack, defined once for every row (VerifyCheck below): for an upper bound (measured ≤ bound)
// slack = bound − measured and ratio = bound / measured ("the bound is 40× the measured
// value"); for a lower bound slack = measured − bound and ratio = measured / bound; for an
// equality within a tolerance (statistical checks: a mean over draws against its expectation)
// slack = tolerance − |measured − bound| and ratio = |measured − bound| / tolerance. A check
// passes when its relation holds within `tolerance` — a rounding allowance derived from the
// unit roundoff of `real`, or 4 standard errors computed from the problem's own variance —
// and every extra condition listed in its `details` holds.
//
// Honesty hooks: VerifyOptions can replace the library's Dale projection and scale the step
// size, so tests/test_verify*.cpp can show that a broken projection or a wrong step makes the
// checks fail. With the defaults every check runs the library's own code (Optimizer with a
// ParamConstraint, SignedRnn's rectified map, the recurrent op, prune_*, the MST, stats).
//
// Determinism: every problem draws from Rng(seed, stream) with one fixed stream per check, so
// the same seed and build give the same table. A float and a double build give slightly
// different figures (the library's arithmetic is in `real`); the bounds themselves and every
// reduction here are in double.
//
// Not here: printing the table (src/cli/cmd_verify.cpp), the longer per-iteration stories
// (examples/07–15), training at scale (train.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "biornn/constraint.hpp"
#include "biornn/matrix.hpp"

namespace biornn {

// ---- symmetric eigenvalues (cyclic Jacobi, double) ----------------------------------------------

// The eigenvalues of the symmetric n×n matrix `a` (row-major, n·n values; only symmetric input
// is meaningful), in ascending order. Cyclic Jacobi rotations until the off-diagonal mass is
// below (2⁻⁵²·‖A‖_F)²; backward stable, so each eigenvalue is within a few n·ε·‖A‖₂ of the
// truth (tests/test_verify.cpp checks closed forms: 2×2, the tridiagonal (−1, 2, −1) matrix,
// rotated diagonals).
std::vector<double> symmetric_eigenvalues(std::vector<double> a, int32_t n);
// ‖M‖₂, the largest singular value: √λ_max(MᵀM), MᵀM formed in double.
double spectral_norm(ConstMatrixView m);
double spectral_norm(const std::vector<double>& m, int32_t rows, int32_t cols);

// ---- checks ------------------------------------------------------------------------------------

enum class VerifyRelation { kAtMost, kAtLeast, kEqualWithin };

struct VerifyCheck {
  std::string id;          // "theorem5": a stable key for JSON and tests
  std::string name;        // "Theorem 5": as the paper names it
  std::string statement;   // one line: what is measured and what it must satisfy
  VerifyRelation relation = VerifyRelation::kAtMost;
  double measured = 0;
  double bound = 0;
  double tolerance = 0;    // rounding or statistical allowance, in the units of `measured`
  double slack = 0;        // see the header comment: positive means room to spare
  double ratio = 0;        // looseness: bound/measured, measured/bound, or |diff|/tolerance
  bool pass = false;       // for a demonstration: whether the inequality happened to hold
  bool demonstration = false;  // an assumption deliberately broken; never counted as a failure
  std::string details;     // the construction, the constants, the extra conditions
};

// Fills slack, ratio and pass from measured, bound, tolerance and the relation (rules in the
// header comment), and'ed with `extra_conditions` (those listed in the details). NaN fails.
void verify_finish(VerifyCheck& check, bool extra_conditions = true);
// "pass" / "fail" for a check; "held" / "broken" for a demonstration.
const char* verify_verdict(const VerifyCheck& check);
const char* verify_relation_symbol(VerifyRelation relation);  // "<=", ">=", "=="
// A human reading of the slack: "bound 3.1e+04x measured", "tight (1 + 2e-16)", …
std::string verify_slack_text(const VerifyCheck& check);
// One table row (name, measured, relation, bound, slack, verdict) and its header.
std::string verify_table_header();
std::string verify_table_row(const VerifyCheck& check);

// Replaces the library's Dale projection (project_signs_inplace) wherever a check projects.
// Only for tests that show a check failing on a wrong projection.
using VerifyProjection = std::function<void(real* w, const SignVector& signs, int64_t n)>;

struct VerifyOptions {
  uint64_t seed = 1;
  VerifyProjection projection;  // empty: the library's projection (through Optimizer)
  double step_scale = 1.0;      // step = step_scale/L in Lemma 1 and Theorem 2 (they need 1)
};

// Per-iteration record of Theorem 2 (and of its optimum-outside demonstration).
struct RateTrace {
  double mu = 0, lipschitz = 0, step = 0, eps = 0;
  std::vector<double> gap;        // ℓ(W_D^(i)) − ℓ*, i = 0 … iterations
  std::vector<double> bound;      // (1 − μ/L)^i · gap₀
  std::vector<double> tolerance;  // rounding allowance at iteration i
  std::vector<int64_t> clipped;   // elements the projection changed in step i (0 at i = 0)
  int64_t iterations_to_eps = -1;  // first i with gap ≤ ε (−1: never)
  int64_t iterations_bound = 0;    // ⌈log(gap₀/ε) / log(L/(L − μ))⌉
};

// Per-iteration record of Lemma 3.
struct DistanceTrace {
  double gradient_bound = 0, lipschitz = 0, lipschitz_secant = 0, step = 0;
  std::vector<double> distance;        // ‖W^(i) − W_D^(i)‖_F
  std::vector<double> bound;           // (G/L)((1 + ηL)^i − 1)
  std::vector<double> convex_bound;    // η·Σ_{k<i} ‖∇ℓ(W_D^(k))‖ (valid for convex ℓ, η ≤ 2/L)
  std::vector<int64_t> clipped;
};

// Per-time-step record of Theorem 4.
struct ErrorBoundTrace {
  int32_t units = 0, steps = 0, batch = 0, iterations = 0;
  double step = 0, gradient_bound = 0, lipschitz_secant = 0;
  double delta_lemma3 = 0;      // (G/L)((1 + ηL)^K − 1)
  double delta_measured = 0;    // ‖W − W_D‖_F after K iterations
  std::vector<double> lipschitz_t;        // L_{f_t}: sensitivity of f_t to W (provable)
  std::vector<double> paper_lipschitz_t;  // eq. 13: sensitivity to the input (for comparison)
  std::vector<double> output_distance_t;  // ‖f_t(W) − f_t(W_D)‖
  std::vector<double> conventional_error_t;  // ε*_t = ‖f_t(W) − y_t‖
  std::vector<double> dale_error_t;          // ‖f_t(W_D) − y_t‖
  double bound_tight = 0;       // the bound with δ = δ_measured
};

VerifyCheck verify_theorem5(const VerifyOptions& options);
VerifyCheck verify_corollary6(const VerifyOptions& options);
VerifyCheck verify_lemma1(const VerifyOptions& options);
VerifyCheck verify_theorem2(const VerifyOptions& options, RateTrace* trace = nullptr);
VerifyCheck verify_lemma3(const VerifyOptions& options, DistanceTrace* trace = nullptr);
VerifyCheck verify_theorem4(const VerifyOptions& options, ErrorBoundTrace* trace = nullptr);
VerifyCheck verify_appendix7(const VerifyOptions& options);
VerifyCheck verify_appendix9(const VerifyOptions& options);
VerifyCheck verify_appendix10_bound(const VerifyOptions& options);
VerifyCheck verify_appendix10_hypergeom(const VerifyOptions& options);

// ---- demonstrations: what happens when an assumption fails ----------------------------------

// Lemma 1 with the optimum outside the orthant: plain gradient descent changes signs, Dale's
// projection clips.
VerifyCheck verify_demo_lemma1_outside(const VerifyOptions& options);
// Lemma 1 exactly as the paper states it (optimum and start in the same open orthant, nothing
// more) on a non-separable 2-D quadratic: one step of plain GD with step 1/L flips a sign.
VerifyCheck verify_demo_lemma1_non_separable(const VerifyOptions& options);
// Theorem 2 with the optimum outside the orthant: the gap to ℓ* stalls, the rate bound breaks.
VerifyCheck verify_demo_theorem2_outside(const VerifyOptions& options, RateTrace* trace = nullptr);
// Theorem 4's eq. 14 with the paper's L_{f_t} (eq. 13, a Lipschitz constant in the input, not
// in the weights) on inputs scaled ×10: the output difference exceeds L_{f_t}·‖W − W_D‖.
VerifyCheck verify_demo_theorem4_paper_lipschitz(const VerifyOptions& options);
// App. 7 in the paper's direction (Hebbian-strengthened ⊆ Dale-strengthened): a share below 1.
VerifyCheck verify_demo_appendix7_paper_direction(const VerifyOptions& options);

struct VerifyReport {
  std::vector<VerifyCheck> checks;
  std::vector<VerifyCheck> demonstrations;
  bool all_pass() const;
};

// Every check and every demonstration, in the paper's order, for one seed.
VerifyReport verify_all(const VerifyOptions& options);

}  // namespace biornn
