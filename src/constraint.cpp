// constraint.cpp — Dale signs and the orthant projection (see constraint.hpp; paper eq. 3,
// Theorem 5).
#include "biornn/constraint.hpp"

#include <cmath>

namespace biornn {

int32_t excitatory_count(int32_t n, double exc_frac) {
  BIORNN_CHECK(n >= 0, "excitatory_count: n must be >= 0, got " + std::to_string(n));
  BIORNN_CHECK(exc_frac >= 0.0 && exc_frac <= 1.0,
               "excitatory_count: exc_frac must lie in [0, 1], got " + std::to_string(exc_frac));
  // int(0.8 · 128) = 102 as in the published notebooks; floor, not round, for parity.
  return int32_t(std::floor(exc_frac * n + 1e-9));
}

SignVector dale_column_signs(int32_t n, double exc_frac) {
  const int32_t n_exc = excitatory_count(n, exc_frac);
  SignVector s(std::size_t(n), int8_t(-1));
  for (int32_t j = 0; j < n_exc; ++j) s[std::size_t(j)] = 1;
  return s;
}

int32_t excitatory_count(const SignVector& col_signs) {
  int32_t n = 0;
  for (int8_t s : col_signs) n += s > 0;
  return n;
}

SignVector element_signs_dense(int32_t rows, const SignVector& col_signs) {
  BIORNN_CHECK(rows >= 0, "element_signs_dense: rows must be >= 0");
  SignVector out;
  out.reserve(std::size_t(rows) * col_signs.size());
  for (int32_t i = 0; i < rows; ++i) out.insert(out.end(), col_signs.begin(), col_signs.end());
  return out;
}

SignVector element_signs_csr(const CsrMatrix& pattern, const SignVector& col_signs) {
  BIORNN_CHECK(int64_t(col_signs.size()) == pattern.cols(),
               "element_signs_csr: the matrix is " + pattern.shape() + " but " +
                   std::to_string(col_signs.size()) + " column signs were given");
  SignVector out(std::size_t(pattern.nnz()));
  for (int64_t k = 0; k < pattern.nnz(); ++k)
    out[std::size_t(k)] = col_signs[std::size_t(pattern.col_idx()[std::size_t(k)])];
  return out;
}

int64_t project_signs_inplace(real* w, const SignVector& signs, int64_t n, uint8_t* clipped) {
  BIORNN_CHECK(int64_t(signs.size()) == n, "project_signs_inplace: " + std::to_string(signs.size()) +
                                               " signs for " + std::to_string(n) + " elements");
  int64_t changed = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int8_t s = signs[std::size_t(i)];
    const bool clip = (s > 0 && w[i] < 0) || (s < 0 && w[i] > 0);
    if (clip) {
      w[i] = 0;
      ++changed;
    }
    if (clipped != nullptr) clipped[i] = clip ? 1 : 0;
  }
  return changed;
}

int64_t count_sign_violations(const real* w, const SignVector& signs, int64_t n) {
  BIORNN_CHECK(int64_t(signs.size()) == n, "count_sign_violations: " + std::to_string(signs.size()) +
                                               " signs for " + std::to_string(n) + " elements");
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int8_t s = signs[std::size_t(i)];
    // NaN is a violation of any sign constraint: it is neither ≥ 0 nor ≤ 0.
    if ((s > 0 && !(w[i] >= 0)) || (s < 0 && !(w[i] <= 0))) ++bad;
  }
  return bad;
}

}  // namespace biornn
