// mask.hpp — a boolean connectivity pattern: which entries of a weight matrix may be nonzero.
//
// A Mask is structure, stored as data: entry (i, j) is either allowed (true) or pruned
// (false). Code never infers structure from "value == 0" — a kept weight may pass through zero
// during training and must still be allowed to move. Layout matches the matrix it masks:
// row-major, (n_post, n_pre) for a recurrent matrix.
//
// Not here: how masks are chosen (prune.hpp), compressed storage of the kept values (csr.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "biornn/matrix.hpp"

namespace biornn {

class Mask {
 public:
  Mask() = default;
  // rows × cols, every entry `value` (default: nothing allowed).
  Mask(int32_t rows, int32_t cols, bool value = false);
  // Every entry allowed.
  static Mask all(int32_t rows, int32_t cols) { return Mask(rows, cols, true); }
  // Allowed exactly where `values` is nonzero. The one place a pattern is read off values,
  // named so that nobody does it by accident.
  static Mask from_nonzero(ConstMatrixView values);

  int32_t rows() const { return rows_; }
  int32_t cols() const { return cols_; }
  std::string shape() const { return shape_string(rows_, cols_); }
  bool same_shape(ConstMatrixView m) const { return m.rows == rows_ && m.cols == cols_; }

  bool operator()(int32_t i, int32_t j) const { return bits_[std::size_t(i) * cols_ + j] != 0; }
  bool at(int32_t i, int32_t j) const;  // checked
  void set(int32_t i, int32_t j, bool allowed);  // checked
  const uint8_t* data() const { return bits_.data(); }  // 0 or 1 per entry, row-major
  uint8_t* data() { return bits_.data(); }

  int64_t count() const;      // number of allowed entries
  double density() const;     // count / (rows · cols); 0 for an empty mask
  bool operator==(const Mask& other) const;
  bool operator!=(const Mask& other) const { return !(*this == other); }

 private:
  int32_t rows_ = 0;
  int32_t cols_ = 0;
  std::vector<uint8_t> bits_;
};

// W(i, j) = 0 wherever the mask forbids (i, j). Shapes must match.
void apply_mask_inplace(MatrixView w, const Mask& mask);
// The number of entries of W that are nonzero where the mask forbids them (0 means W respects M).
int64_t count_off_mask(ConstMatrixView w, const Mask& mask);

}  // namespace biornn
