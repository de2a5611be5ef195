// matrix.hpp — the dense matrix every other module works on, and non-owning views of it.
//
// Matrix owns a row-major block of `real`, 64-byte aligned, with a capacity that only grows:
// `resize` to a shape that fits the capacity never touches the allocator, which is what lets
// a training step run without heap allocation once its buffers have been sized (tape.hpp).
// Element (i, j) lives at data()[i * cols() + j].
//
// MatrixView / ConstMatrixView are (pointer, rows, cols, leading dimension) quadruples: a
// whole matrix, or a rectangular block of one (then ld > cols). Kernels take views so they can
// work on blocks without copying. Views never own memory and never outlive what they view.
//
// Not here: arithmetic (blas.hpp, kernels), masks (mask.hpp), sparse storage (csr.hpp).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "biornn/check.hpp"
#include "biornn/config.hpp"

namespace biornn {

// "(rows, cols)", the form every shape error message uses.
std::string shape_string(int64_t rows, int64_t cols);

struct ConstMatrixView {
  const real* data = nullptr;
  int32_t rows = 0;
  int32_t cols = 0;
  int64_t ld = 0;  // distance in elements between (i, j) and (i + 1, j); ld >= cols

  ConstMatrixView() = default;
  ConstMatrixView(const real* d, int32_t r, int32_t c, int64_t leading)
      : data(d), rows(r), cols(c), ld(leading) {}

  const real& operator()(int32_t i, int32_t j) const { return data[i * ld + j]; }
  const real* row(int32_t i) const { return data + i * ld; }
  int64_t size() const { return int64_t(rows) * cols; }
  bool contiguous() const { return ld == cols || rows <= 1; }
  std::string shape() const { return shape_string(rows, cols); }
  // Rows [r0, r0 + nr) and columns [c0, c0 + nc); checked.
  ConstMatrixView block(int32_t r0, int32_t c0, int32_t nr, int32_t nc) const;
};

struct MatrixView {
  real* data = nullptr;
  int32_t rows = 0;
  int32_t cols = 0;
  int64_t ld = 0;

  MatrixView() = default;
  MatrixView(real* d, int32_t r, int32_t c, int64_t leading)
      : data(d), rows(r), cols(c), ld(leading) {}

  real& operator()(int32_t i, int32_t j) const { return data[i * ld + j]; }
  real* row(int32_t i) const { return data + i * ld; }
  int64_t size() const { return int64_t(rows) * cols; }
  bool contiguous() const { return ld == cols || rows <= 1; }
  std::string shape() const { return shape_string(rows, cols); }
  MatrixView block(int32_t r0, int32_t c0, int32_t nr, int32_t nc) const;
  operator ConstMatrixView() const { return ConstMatrixView(data, rows, cols, ld); }  // NOLINT
};

class Matrix {
 public:
  Matrix() = default;
  // rows × cols, every element zero.
  Matrix(int32_t rows, int32_t cols);
  Matrix(int32_t rows, int32_t cols, real fill_value);
  // Row by row: Matrix::from_rows({{1, 2}, {3, 4}}). All rows must have the same length.
  static Matrix from_rows(std::initializer_list<std::initializer_list<real>> rows);
  // Deep copy of any view.
  static Matrix copy_of(ConstMatrixView source);

  Matrix(const Matrix& other);
  Matrix& operator=(const Matrix& other);
  Matrix(Matrix&& other) noexcept;
  Matrix& operator=(Matrix&& other) noexcept;
  ~Matrix();

  int32_t rows() const { return rows_; }
  int32_t cols() const { return cols_; }
  int64_t size() const { return int64_t(rows_) * cols_; }
  int64_t capacity() const { return capacity_; }
  bool empty() const { return size() == 0; }
  std::string shape() const { return shape_string(rows_, cols_); }
  bool same_shape(const Matrix& other) const { return rows_ == other.rows_ && cols_ == other.cols_; }

  real* data() { return data_; }
  const real* data() const { return data_; }
  real* row(int32_t i) { return data_ + int64_t(i) * cols_; }
  const real* row(int32_t i) const { return data_ + int64_t(i) * cols_; }

  // Unchecked element access (inner loops); `at` is the checked twin.
  real& operator()(int32_t i, int32_t j) { return data_[int64_t(i) * cols_ + j]; }
  const real& operator()(int32_t i, int32_t j) const { return data_[int64_t(i) * cols_ + j]; }
  real& at(int32_t i, int32_t j);
  real at(int32_t i, int32_t j) const;

  MatrixView view() { return MatrixView(data_, rows_, cols_, cols_); }
  ConstMatrixView view() const { return ConstMatrixView(data_, rows_, cols_, cols_); }
  operator MatrixView() { return view(); }             // NOLINT: views are cheap and safe
  operator ConstMatrixView() const { return view(); }  // NOLINT

  // Changes the shape. Allocates only when rows * cols exceeds capacity(); then the new
  // storage is zero-filled. Otherwise the first rows * cols elements keep whatever values they
  // held — call set_zero() or fill() when the contents matter.
  void resize(int32_t rows, int32_t cols);
  // Grows capacity to at least `elements` without changing the shape.
  void reserve(int64_t elements);

  void fill(real value);
  void set_zero() { fill(real(0)); }

 private:
  real* data_ = nullptr;
  int32_t rows_ = 0;
  int32_t cols_ = 0;
  int64_t capacity_ = 0;
};

// dst = src, element by element; shapes must match.
void copy_into(ConstMatrixView src, MatrixView dst);
// True when shapes match and every element is bit-for-bit equal (NaN == NaN with equal bits).
bool bitwise_equal(ConstMatrixView a, ConstMatrixView b);
// max |a - b| over all elements; shapes must match. Returns NaN if any difference is NaN.
double max_abs_diff(ConstMatrixView a, ConstMatrixView b);
// Bᵀ as a new matrix.
Matrix transposed(ConstMatrixView a);

// Checks, as a contract, that `view` has the given shape; `what` names the argument
// (e.g. "gemm: C") so the message reads "gemm: C must be (200, 128), got (128, 200)".
void check_shape(ConstMatrixView view, int32_t rows, int32_t cols, const char* what);

}  // namespace biornn
