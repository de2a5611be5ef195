// stats_internal.hpp — the pieces of the hypergeometric evaluation that the tests check on
// their own (src/stats_hypergeom.cpp). Not a public header.
#pragma once

#include <cstdint>

namespace biornn::stats_detail {

// Stirling's error δ(k) = ln k! − [(k + ½)·ln k − k + ½·ln 2π], for integers k ≥ 1.
// Tabulated for k ≤ 15, the asymptotic series beyond; absolute error ≲ 1e-17.
double stirling_error(int64_t k);
// The same function for real x ≥ 15 from the series alone (it is also
// ln Γ(x) − [(x − ½)·ln x − x + ½·ln 2π], Binet's function); absolute error ≲ 1e-17.
double stirling_error_series(double x);

// The deviance term D(x, μ) = x·ln(x/μ) + μ − x ≥ 0 for x ≥ 0, μ > 0, computed without the
// cancellation of the plain formula when x ≈ μ (relative error ~1e-15).
double binomial_deviance(double x, double mu);

}  // namespace biornn::stats_detail
