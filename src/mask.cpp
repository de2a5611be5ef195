// mask.cpp — Mask storage and the two operations that relate a mask to a dense weight matrix.
//
// One byte per entry (0 or 1), row-major like the matrix it masks: a mask is read in the same
// loops as the weights, so matching their layout matters more than packing bits.
//
// Not here: choosing masks (prune.cpp), compressed storage (csr.cpp).
#include "biornn/mask.hpp"

#include <string>

namespace biornn {

namespace {

std::string index_string(int32_t i, int32_t j) {
  return "(" + std::to_string(i) + ", " + std::to_string(j) + ")";
}

}  // namespace

Mask::Mask(int32_t rows, int32_t cols, bool value) {
  BIORNN_CHECK(rows >= 0 && cols >= 0,
               "mask dimensions must be non-negative, got " + shape_string(rows, cols));
  rows_ = rows;
  cols_ = cols;
  bits_.assign(std::size_t(rows) * std::size_t(cols), value ? 1 : 0);
}

Mask Mask::from_nonzero(ConstMatrixView values) {
  Mask m(values.rows, values.cols);
  for (int32_t i = 0; i < values.rows; ++i) {
    const real* row = values.row(i);
    uint8_t* bits = m.bits_.data() + std::size_t(i) * std::size_t(values.cols);
    // NaN compares unequal to zero, so a NaN weight counts as present: it is not a pruned one.
    for (int32_t j = 0; j < values.cols; ++j) bits[j] = row[j] != real(0) ? 1 : 0;
  }
  return m;
}

bool Mask::at(int32_t i, int32_t j) const {
  BIORNN_CHECK(i >= 0 && i < rows_ && j >= 0 && j < cols_,
               "mask index " + index_string(i, j) + " is outside a mask of shape " + shape());
  return (*this)(i, j);
}

void Mask::set(int32_t i, int32_t j, bool allowed) {
  BIORNN_CHECK(i >= 0 && i < rows_ && j >= 0 && j < cols_,
               "mask index " + index_string(i, j) + " is outside a mask of shape " + shape());
  bits_[std::size_t(i) * std::size_t(cols_) + std::size_t(j)] = allowed ? 1 : 0;
}

int64_t Mask::count() const {
  int64_t n = 0;
  for (uint8_t b : bits_) n += b;
  return n;
}

double Mask::density() const {
  const int64_t total = int64_t(rows_) * cols_;
  return total == 0 ? 0.0 : double(count()) / double(total);
}

bool Mask::operator==(const Mask& other) const {
  return rows_ == other.rows_ && cols_ == other.cols_ && bits_ == other.bits_;
}

void apply_mask_inplace(MatrixView w, const Mask& mask) {
  BIORNN_CHECK(mask.same_shape(w),
               "apply_mask_inplace: W is " + w.shape() + " but the mask is " + mask.shape());
  for (int32_t i = 0; i < w.rows; ++i) {
    real* row = w.row(i);
    const uint8_t* bits = mask.data() + std::size_t(i) * std::size_t(w.cols);
    for (int32_t j = 0; j < w.cols; ++j) {
      if (bits[j] == 0) row[j] = real(0);
    }
  }
}

int64_t count_off_mask(ConstMatrixView w, const Mask& mask) {
  BIORNN_CHECK(mask.same_shape(w),
               "count_off_mask: W is " + w.shape() + " but the mask is " + mask.shape());
  int64_t n = 0;
  for (int32_t i = 0; i < w.rows; ++i) {
    const real* row = w.row(i);
    const uint8_t* bits = mask.data() + std::size_t(i) * std::size_t(w.cols);
    for (int32_t j = 0; j < w.cols; ++j) n += (bits[j] == 0 && row[j] != real(0)) ? 1 : 0;
  }
  return n;
}

}  // namespace biornn
