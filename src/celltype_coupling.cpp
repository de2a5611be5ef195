// celltype_coupling.cpp — readout coupling of population blocks (see celltype_coupling.hpp).
#include "biornn/celltype_coupling.hpp"

#include "biornn/check.hpp"

namespace biornn {

namespace {

void check_shapes(const CelltypeSpec& spec, ConstMatrixView w, ConstMatrixView w_out) {
  const int32_t n = spec.total_units();
  BIORNN_CHECK(w.rows == n && w.cols == n, "celltype coupling: W is " + shape_string(w.rows, w.cols) +
                                               ", the spec has " + std::to_string(n) + " units");
  BIORNN_CHECK(w_out.rows == spec.populations() && w_out.cols == n,
               "celltype coupling: W_out is " + shape_string(w_out.rows, w_out.cols) + ", the spec needs " +
                   shape_string(spec.populations(), n));
}

// Σ_{i ∈ post} r_i Σ_{j ∈ pre} w_ij.
double block_coupling(const CelltypeSpec& spec, ConstMatrixView w, ConstMatrixView w_out, int32_t post, int32_t pre) {
  const int32_t i0 = spec.population_offset(post), i1 = i0 + spec.population_size(post);
  const int32_t j0 = spec.population_offset(pre), j1 = j0 + spec.population_size(pre);
  double total = 0;
  for (int32_t i = i0; i < i1; ++i) {
    double row = 0;
    for (int32_t j = j0; j < j1; ++j) row += double(w(i, j));
    total += double(w_out(post, i)) * row;
  }
  return total;
}

}  // namespace

double celltype_union_coupling(const CelltypeSpec& spec, ConstMatrixView w, ConstMatrixView w_out,
                               const std::vector<CelltypeProjection>& blocks) {
  check_shapes(spec, w, w_out);
  double total = 0;
  for (const CelltypeProjection& b : blocks) total += block_coupling(spec, w, w_out, b.target, b.source);
  return total;
}

std::vector<double> celltype_coupling_matrix(const CelltypeSpec& spec, ConstMatrixView w, ConstMatrixView w_out) {
  check_shapes(spec, w, w_out);
  const int32_t p = spec.populations();
  std::vector<double> out(std::size_t(p) * std::size_t(p));
  for (int32_t q = 0; q < p; ++q)
    for (int32_t r = 0; r < p; ++r) out[std::size_t(q) * std::size_t(p) + std::size_t(r)] = block_coupling(spec, w, w_out, q, r);
  return out;
}

}  // namespace biornn
