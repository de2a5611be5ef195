// csr.cpp — CsrMatrix: construction (each path establishes the invariants of csr.hpp),
// conversion to and from dense storage on a fixed pattern, and the transpose.
//
// Every constructor ends in a state that satisfies the invariants; from_arrays, the one that
// takes a pattern on trust, checks them before accepting it. Nothing here infers a pattern from
// values: from_dense takes its pattern from a Mask, so a stored zero stays stored.
//
// Not here: products with CSR operands (src/kernels/csr_kernels.cpp), choosing a pattern
// (prune.cpp).
#include "biornn/csr.hpp"

#include <algorithm>
#include <string>

namespace biornn {

namespace {

std::string str(int64_t v) { return std::to_string(v); }

void check_dims(const char* where, int64_t rows, int64_t cols) {
  BIORNN_CHECK(
      rows >= 0 && cols >= 0,
      std::string(where) + ": dimensions must be non-negative, got " + shape_string(rows, cols));
}

// The invariants of csr.hpp on raw arrays, in an order that makes each check safe to evaluate
// (row_ptr's length before its entries, row_ptr's entries before the column ranges they bound).
// The message names the invariant, and the row and array index where it first breaks.
void check_csr_arrays(const char* where, int32_t rows, int32_t cols,
                      const std::vector<int64_t>& row_ptr, const std::vector<int32_t>& col_idx,
                      std::size_t n_values) {
  const std::string w = std::string(where) + ": CSR invariant broken: ";
  check_dims(where, rows, cols);
  BIORNN_CHECK(row_ptr.size() == std::size_t(rows) + 1,
               w + "row_ptr must have rows + 1 = " + str(int64_t(rows) + 1) + " entries, has " +
                   str(int64_t(row_ptr.size())));
  BIORNN_CHECK(row_ptr[0] == 0, w + "row_ptr[0] must be 0, is " + str(row_ptr[0]));
  for (int32_t i = 0; i < rows; ++i) {
    BIORNN_CHECK(row_ptr[std::size_t(i)] <= row_ptr[std::size_t(i) + 1],
                 w + "row_ptr must be non-decreasing, but at row " + str(i) + " row_ptr[" + str(i) +
                     "] = " + str(row_ptr[std::size_t(i)]) + " > row_ptr[" + str(i + 1) +
                     "] = " + str(row_ptr[std::size_t(i) + 1]));
  }
  const int64_t nnz = int64_t(col_idx.size());
  BIORNN_CHECK(row_ptr[std::size_t(rows)] == nnz,
               w + "row_ptr[rows] = row_ptr[" + str(rows) + "] must equal nnz = col_idx.size() = " +
                   str(nnz) + ", is " + str(row_ptr[std::size_t(rows)]));
  BIORNN_CHECK(n_values == std::size_t(nnz), w + "values must have nnz = " + str(nnz) +
                                                 " entries, has " + str(int64_t(n_values)));
  for (int32_t i = 0; i < rows; ++i) {
    for (int64_t k = row_ptr[std::size_t(i)]; k < row_ptr[std::size_t(i) + 1]; ++k) {
      const int32_t c = col_idx[std::size_t(k)];
      BIORNN_CHECK(c >= 0 && c < cols, w + "column indices must lie in [0, cols = " + str(cols) +
                                           "), but row " + str(i) + " has col_idx[" + str(k) +
                                           "] = " + str(c));
      BIORNN_CHECK(k == row_ptr[std::size_t(i)] || col_idx[std::size_t(k) - 1] < c,
                   w + "column indices must be strictly increasing within a row (sorted, no " +
                       "duplicates), but row " + str(i) + " has col_idx[" + str(k - 1) +
                       "] = " + str(col_idx[std::size_t(k) - 1]) + " before col_idx[" + str(k) +
                       "] = " + str(c));
    }
  }
}

void check_same_shape(const char* where, const CsrMatrix& s, ConstMatrixView dense) {
  BIORNN_CHECK(dense.rows == s.rows() && dense.cols == s.cols(),
               std::string(where) + ": the CSR matrix is " + s.shape() + " but the dense one is " +
                   dense.shape());
}

}  // namespace

CsrMatrix::CsrMatrix(int32_t rows, int32_t cols) {
  check_dims("CsrMatrix", rows, cols);
  rows_ = rows;
  cols_ = cols;
  row_ptr_.assign(std::size_t(rows) + 1, 0);
}

// Counting sort by row (stable), then a stable sort by column inside each row, so duplicates
// of one (row, col) end up adjacent in input order and are summed in that order, left to right,
// in `real`: the result does not depend on how the sort breaks ties.
CsrMatrix CsrMatrix::from_triplets(int32_t rows, int32_t cols, std::vector<CsrTriplet> triplets) {
  CsrMatrix s(rows, cols);
  for (std::size_t t = 0; t < triplets.size(); ++t) {
    const CsrTriplet& e = triplets[t];
    BIORNN_CHECK(e.row >= 0 && e.row < rows && e.col >= 0 && e.col < cols,
                 "CsrMatrix::from_triplets: triplet " + str(int64_t(t)) + " (row " + str(e.row) +
                     ", col " + str(e.col) + ") is outside the shape " + s.shape());
  }
  std::vector<int64_t> start(std::size_t(rows) + 1, 0);
  for (const CsrTriplet& e : triplets) ++start[std::size_t(e.row) + 1];
  for (int32_t i = 0; i < rows; ++i) start[std::size_t(i) + 1] += start[std::size_t(i)];
  std::vector<CsrTriplet> sorted(triplets.size());
  {
    std::vector<int64_t> next(start.begin(), start.end() - 1);
    for (const CsrTriplet& e : triplets) sorted[std::size_t(next[std::size_t(e.row)]++)] = e;
  }
  triplets.clear();
  triplets.shrink_to_fit();

  s.col_idx_.reserve(sorted.size());
  s.values_.reserve(sorted.size());
  for (int32_t i = 0; i < rows; ++i) {
    const auto first = sorted.begin() + start[std::size_t(i)];
    const auto last = sorted.begin() + start[std::size_t(i) + 1];
    std::stable_sort(first, last,
                     [](const CsrTriplet& a, const CsrTriplet& b) { return a.col < b.col; });
    for (auto it = first; it != last; ++it) {
      if (s.col_idx_.size() > std::size_t(s.row_ptr_[std::size_t(i)]) &&
          s.col_idx_.back() == it->col) {
        s.values_.back() += it->value;
      } else {
        s.col_idx_.push_back(it->col);
        s.values_.push_back(it->value);
      }
    }
    s.row_ptr_[std::size_t(i) + 1] = int64_t(s.col_idx_.size());
  }
  return s;
}

CsrMatrix CsrMatrix::from_dense(ConstMatrixView dense, const Mask& mask) {
  BIORNN_CHECK(mask.same_shape(dense), "CsrMatrix::from_dense: the dense matrix is " +
                                           dense.shape() + " but the mask is " + mask.shape());
  CsrMatrix s(dense.rows, dense.cols);
  const int64_t nnz = mask.count();
  s.col_idx_.reserve(std::size_t(nnz));
  s.values_.reserve(std::size_t(nnz));
  for (int32_t i = 0; i < dense.rows; ++i) {
    const real* row = dense.row(i);
    for (int32_t j = 0; j < dense.cols; ++j) {
      if (!mask(i, j)) continue;
      s.col_idx_.push_back(j);
      s.values_.push_back(row[j]);
    }
    s.row_ptr_[std::size_t(i) + 1] = int64_t(s.col_idx_.size());
  }
  return s;
}

CsrMatrix CsrMatrix::from_arrays(int32_t rows, int32_t cols, std::vector<int64_t> row_ptr,
                                 std::vector<int32_t> col_idx, std::vector<real> values) {
  check_csr_arrays("CsrMatrix::from_arrays", rows, cols, row_ptr, col_idx, values.size());
  CsrMatrix s;
  s.rows_ = rows;
  s.cols_ = cols;
  s.row_ptr_ = std::move(row_ptr);
  s.col_idx_ = std::move(col_idx);
  s.values_ = std::move(values);
  return s;
}

void CsrMatrix::set_values(const real* values, int64_t n) {
  BIORNN_CHECK(n == nnz(), "CsrMatrix::set_values: got " + str(n) +
                               " values for a pattern with nnz = " + str(nnz()) + " (shape " +
                               shape() + ")");
  BIORNN_CHECK(values != nullptr || n == 0, "CsrMatrix::set_values: values is null");
  std::copy(values, values + n, values_.begin());
}

void CsrMatrix::gather_from(ConstMatrixView dense) {
  check_same_shape("CsrMatrix::gather_from", *this, dense);
  for (int32_t i = 0; i < rows_; ++i) {
    const real* row = dense.row(i);
    for (int64_t k = row_ptr_[std::size_t(i)]; k < row_ptr_[std::size_t(i) + 1]; ++k)
      values_[std::size_t(k)] = row[col_idx_[std::size_t(k)]];
  }
}

Matrix CsrMatrix::to_dense() const {
  Matrix d(rows_, cols_);
  scatter_to(d.view());
  return d;
}

void CsrMatrix::scatter_to(MatrixView dense) const {
  check_same_shape("CsrMatrix::scatter_to", *this, dense);
  for (int32_t i = 0; i < rows_; ++i) {
    real* row = dense.row(i);
    for (int64_t k = row_ptr_[std::size_t(i)]; k < row_ptr_[std::size_t(i) + 1]; ++k)
      row[col_idx_[std::size_t(k)]] = values_[std::size_t(k)];
  }
}

Mask CsrMatrix::pattern_mask() const {
  Mask m(rows_, cols_);
  for (int32_t i = 0; i < rows_; ++i) {
    for (int64_t k = row_ptr_[std::size_t(i)]; k < row_ptr_[std::size_t(i) + 1]; ++k)
      m.set(i, col_idx_[std::size_t(k)], true);
  }
  return m;
}

CsrMatrix CsrMatrix::transpose() const {
  CsrMatrix t;
  t.assign_transpose(view());
  return t;
}

void CsrMatrix::assign_transpose(const CsrView& s) {
  // A counting sort by column: row j of the transpose lists the entries of column j in
  // increasing source row, so its col_idx is sorted and every invariant holds by construction.
  // row_ptr_[j] serves as row j's insertion point while the entries go in, which leaves it at
  // the row's end; shifting everything one place right then gives the row starts.
  rows_ = s.cols;
  cols_ = s.rows;
  row_ptr_.assign(std::size_t(s.cols) + 1, 0);
  for (int64_t k = 0; k < s.nnz; ++k) ++row_ptr_[std::size_t(s.col_idx[k]) + 1];
  for (int32_t j = 0; j < s.cols; ++j) row_ptr_[std::size_t(j) + 1] += row_ptr_[std::size_t(j)];
  col_idx_.resize(std::size_t(s.nnz));
  values_.resize(std::size_t(s.nnz));
  for (int32_t i = 0; i < s.rows; ++i) {
    for (int64_t k = s.row_ptr[i]; k < s.row_ptr[i + 1]; ++k) {
      const std::size_t dst = std::size_t(row_ptr_[std::size_t(s.col_idx[k])]++);
      col_idx_[dst] = i;
      values_[dst] = s.values[k];
    }
  }
  for (int32_t j = s.cols; j > 0; --j) row_ptr_[std::size_t(j)] = row_ptr_[std::size_t(j) - 1];
  row_ptr_[0] = 0;
}

CsrView CsrMatrix::view() const { return view_with_values(values_.data()); }

CsrView CsrMatrix::view_with_values(const real* values) const {
  BIORNN_CHECK(
      values != nullptr || nnz() == 0,
      "CsrMatrix::view_with_values: values is null for a pattern with nnz = " + str(nnz()));
  CsrView v;
  v.rows = rows_;
  v.cols = cols_;
  v.nnz = nnz();
  v.row_ptr = row_ptr_.data();
  v.col_idx = col_idx_.data();
  v.values = values;
  return v;
}

void CsrMatrix::check_invariants() const {
  check_csr_arrays("CsrMatrix::check_invariants", rows_, cols_, row_ptr_, col_idx_, values_.size());
}

}  // namespace biornn
