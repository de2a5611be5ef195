// csr.hpp — compressed sparse row storage for pruned weight matrices.
//
// Invariants (stated once, checked by check_invariants() and by every constructor):
//   * row_ptr has rows + 1 entries, row_ptr[0] = 0, non-decreasing, row_ptr[rows] = nnz;
//   * within each row, col_idx is strictly increasing (sorted, no duplicates), each in [0, cols);
//   * values has exactly nnz entries, values[k] belongs to (row of k, col_idx[k]).
// A CsrMatrix is always compressed: there is no "uncompressed" mode and no insertion. The
// pattern is structure: an explicitly stored zero stays stored (a kept weight that happens to
// be 0 is still trainable). Values can change on a fixed pattern (set_values, gather_from);
// the pattern never changes after construction.
//
// Kernels that compute with CSR take a CsrView, which can pair a matrix's pattern with values
// held elsewhere — the autodiff tape keeps trainable values in a (1, nnz) Matrix. Take views
// from a CsrMatrix (view, view_with_values): the kernels re-check only the O(1) part of the
// invariants (shape, row_ptr[0] = 0, row_ptr[rows] = nnz) and trust the rest, which the
// CsrMatrix checked once when it was built.
//
// Not here: the kernels (blas.hpp), choosing patterns (prune.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "biornn/mask.hpp"
#include "biornn/matrix.hpp"

namespace biornn {

struct CsrTriplet {
  int32_t row = 0;
  int32_t col = 0;
  real value = 0;
};

// A pattern plus a values pointer; non-owning. Shape: (rows, cols).
struct CsrView {
  int32_t rows = 0;
  int32_t cols = 0;
  int64_t nnz = 0;
  const int64_t* row_ptr = nullptr;  // rows + 1 entries
  const int32_t* col_idx = nullptr;  // nnz entries
  const real* values = nullptr;      // nnz entries
  std::string shape() const { return shape_string(rows, cols); }
};

class CsrMatrix {
 public:
  CsrMatrix() : CsrMatrix(0, 0) {}
  // rows × cols with no stored entries.
  CsrMatrix(int32_t rows, int32_t cols);

  // Entries in any order; duplicates of one (row, col) are summed (so assembling from pieces
  // works). An index outside the shape is a contract violation naming the triplet.
  static CsrMatrix from_triplets(int32_t rows, int32_t cols, std::vector<CsrTriplet> triplets);
  // Pattern = the mask's allowed entries (zeros included); values read from `dense` there.
  static CsrMatrix from_dense(ConstMatrixView dense, const Mask& mask);
  // Pattern from explicit arrays; invariants checked (contract).
  static CsrMatrix from_arrays(int32_t rows, int32_t cols, std::vector<int64_t> row_ptr,
                               std::vector<int32_t> col_idx, std::vector<real> values);

  int32_t rows() const { return rows_; }
  int32_t cols() const { return cols_; }
  int64_t nnz() const { return int64_t(col_idx_.size()); }
  std::string shape() const { return shape_string(rows_, cols_); }

  const std::vector<int64_t>& row_ptr() const { return row_ptr_; }
  const std::vector<int32_t>& col_idx() const { return col_idx_; }
  const std::vector<real>& values() const { return values_; }

  // Overwrites all values (n must equal nnz); the pattern is unchanged.
  void set_values(const real* values, int64_t n);
  real* mutable_values() { return values_.data(); }
  // values[k] = dense(row_k, col_k): refreshes values from a dense matrix on the fixed pattern.
  void gather_from(ConstMatrixView dense);

  Matrix to_dense() const;                 // zeros off the pattern
  void scatter_to(MatrixView dense) const; // writes the stored entries only; others untouched
  Mask pattern_mask() const;
  CsrMatrix transpose() const;             // (cols, rows), invariants hold
  // Becomes the transpose of `s` (pattern and values), reusing this matrix's storage: once it
  // has held a pattern of this size, refreshing it allocates nothing (a training step's
  // backward pass does this every batch). `s` must come from a CsrMatrix, so its invariants
  // hold, and must not view this matrix itself.
  void assign_transpose(const CsrView& s);

  CsrView view() const;
  // This pattern with values taken from elsewhere (`values` must hold nnz entries).
  CsrView view_with_values(const real* values) const;

  // Re-checks every invariant above (contract violation naming the first broken one).
  void check_invariants() const;

 private:
  int32_t rows_ = 0;
  int32_t cols_ = 0;
  std::vector<int64_t> row_ptr_;
  std::vector<int32_t> col_idx_;
  std::vector<real> values_;
};

}  // namespace biornn
