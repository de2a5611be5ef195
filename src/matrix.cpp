// matrix.cpp — storage management for Matrix and the checked parts of the views.
//
// Allocation goes through the aligned global operator new so that an allocation counter that
// replaces operator new (tests/alloc_counter.cpp) sees every buffer this library creates.
#include "biornn/matrix.hpp"

#include <cmath>
#include <cstring>
#include <new>

namespace biornn {

namespace {

real* allocate_aligned(int64_t elements) {
  if (elements == 0) return nullptr;
  void* p = ::operator new(std::size_t(elements) * sizeof(real), std::align_val_t(kMatrixAlignment));
  return static_cast<real*>(p);
}

void free_aligned(real* p) {
  if (p != nullptr) ::operator delete(p, std::align_val_t(kMatrixAlignment));
}

void check_dims(int64_t rows, int64_t cols) {
  BIORNN_CHECK(rows >= 0 && cols >= 0, "matrix dimensions must be non-negative, got " +
                                           shape_string(rows, cols));
}

}  // namespace

std::string shape_string(int64_t rows, int64_t cols) {
  return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
}

ConstMatrixView ConstMatrixView::block(int32_t r0, int32_t c0, int32_t nr, int32_t nc) const {
  BIORNN_CHECK(r0 >= 0 && c0 >= 0 && nr >= 0 && nc >= 0 && r0 + nr <= rows && c0 + nc <= cols,
               "block at (" + std::to_string(r0) + ", " + std::to_string(c0) + ") of shape " +
                   shape_string(nr, nc) + " does not fit in a view of shape " + shape());
  return ConstMatrixView(data + r0 * ld + c0, nr, nc, ld);
}

MatrixView MatrixView::block(int32_t r0, int32_t c0, int32_t nr, int32_t nc) const {
  ConstMatrixView b = ConstMatrixView(*this).block(r0, c0, nr, nc);
  return MatrixView(const_cast<real*>(b.data), nr, nc, ld);
}

Matrix::Matrix(int32_t rows, int32_t cols) : Matrix(rows, cols, real(0)) {}

Matrix::Matrix(int32_t rows, int32_t cols, real fill_value) {
  check_dims(rows, cols);
  rows_ = rows;
  cols_ = cols;
  capacity_ = size();
  data_ = allocate_aligned(capacity_);
  fill(fill_value);
}

Matrix Matrix::from_rows(std::initializer_list<std::initializer_list<real>> rows) {
  const int32_t n_rows = int32_t(rows.size());
  const int32_t n_cols = n_rows == 0 ? 0 : int32_t(rows.begin()->size());
  Matrix m(n_rows, n_cols);
  int32_t i = 0;
  for (const auto& r : rows) {
    BIORNN_CHECK(int32_t(r.size()) == n_cols,
                 "Matrix::from_rows: row " + std::to_string(i) + " has " +
                     std::to_string(r.size()) + " elements, row 0 has " + std::to_string(n_cols));
    int32_t j = 0;
    for (real v : r) m(i, j++) = v;
    ++i;
  }
  return m;
}

Matrix Matrix::copy_of(ConstMatrixView source) {
  Matrix m(source.rows, source.cols);
  copy_into(source, m.view());
  return m;
}

Matrix::Matrix(const Matrix& other) : rows_(other.rows_), cols_(other.cols_) {
  capacity_ = size();
  data_ = allocate_aligned(capacity_);
  if (capacity_ > 0) std::memcpy(data_, other.data_, std::size_t(capacity_) * sizeof(real));
}

Matrix& Matrix::operator=(const Matrix& other) {
  if (this == &other) return *this;
  resize(other.rows_, other.cols_);
  if (size() > 0) std::memcpy(data_, other.data_, std::size_t(size()) * sizeof(real));
  return *this;
}

Matrix::Matrix(Matrix&& other) noexcept
    : data_(other.data_), rows_(other.rows_), cols_(other.cols_), capacity_(other.capacity_) {
  other.data_ = nullptr;
  other.rows_ = other.cols_ = 0;
  other.capacity_ = 0;
}

Matrix& Matrix::operator=(Matrix&& other) noexcept {
  if (this == &other) return *this;
  free_aligned(data_);
  data_ = other.data_;
  rows_ = other.rows_;
  cols_ = other.cols_;
  capacity_ = other.capacity_;
  other.data_ = nullptr;
  other.rows_ = other.cols_ = 0;
  other.capacity_ = 0;
  return *this;
}

Matrix::~Matrix() { free_aligned(data_); }

real& Matrix::at(int32_t i, int32_t j) {
  BIORNN_CHECK(i >= 0 && i < rows_ && j >= 0 && j < cols_,
               "index (" + std::to_string(i) + ", " + std::to_string(j) +
                   ") is outside a matrix of shape " + shape());
  return (*this)(i, j);
}

real Matrix::at(int32_t i, int32_t j) const { return const_cast<Matrix*>(this)->at(i, j); }

void Matrix::resize(int32_t rows, int32_t cols) {
  check_dims(rows, cols);
  reserve(int64_t(rows) * cols);
  rows_ = rows;
  cols_ = cols;
}

void Matrix::reserve(int64_t elements) {
  if (elements <= capacity_) return;
  real* fresh = allocate_aligned(elements);
  std::memset(fresh, 0, std::size_t(elements) * sizeof(real));
  if (size() > 0) std::memcpy(fresh, data_, std::size_t(size()) * sizeof(real));
  free_aligned(data_);
  data_ = fresh;
  capacity_ = elements;
}

void Matrix::fill(real value) {
  const int64_t n = size();
  for (int64_t k = 0; k < n; ++k) data_[k] = value;
}

void check_shape(ConstMatrixView view, int32_t rows, int32_t cols, const char* what) {
  BIORNN_CHECK(view.rows == rows && view.cols == cols,
               std::string(what) + " must be " + shape_string(rows, cols) + ", got " + view.shape());
}

void copy_into(ConstMatrixView src, MatrixView dst) {
  BIORNN_CHECK(src.rows == dst.rows && src.cols == dst.cols,
               "copy_into: source is " + src.shape() + " but destination is " + dst.shape());
  for (int32_t i = 0; i < src.rows; ++i) {
    if (src.cols > 0) std::memcpy(dst.row(i), src.row(i), std::size_t(src.cols) * sizeof(real));
  }
}

bool bitwise_equal(ConstMatrixView a, ConstMatrixView b) {
  if (a.rows != b.rows || a.cols != b.cols) return false;
  for (int32_t i = 0; i < a.rows; ++i) {
    if (a.cols > 0 && std::memcmp(a.row(i), b.row(i), std::size_t(a.cols) * sizeof(real)) != 0)
      return false;
  }
  return true;
}

double max_abs_diff(ConstMatrixView a, ConstMatrixView b) {
  BIORNN_CHECK(a.rows == b.rows && a.cols == b.cols,
               "max_abs_diff: a is " + a.shape() + " but b is " + b.shape());
  double worst = 0.0;
  for (int32_t i = 0; i < a.rows; ++i) {
    for (int32_t j = 0; j < a.cols; ++j) {
      const double d = std::fabs(double(a(i, j)) - double(b(i, j)));
      if (std::isnan(d)) return d;
      if (d > worst) worst = d;
    }
  }
  return worst;
}

Matrix transposed(ConstMatrixView a) {
  Matrix t(a.cols, a.rows);
  for (int32_t i = 0; i < a.rows; ++i)
    for (int32_t j = 0; j < a.cols; ++j) t(j, i) = a(i, j);
  return t;
}

}  // namespace biornn
