// Eigen views of rill Tensors, for kernels only. graph/ must stay free of
// Eigen, so these live here instead of in graph/tensor.h.
//
//   auto x = ConstFlat<float>(ctx.input(0));         // Eigen::Array map
//   auto y = MutableFlat<float>(out);
//   y = x.logistic();
//   auto a = ConstMatrix<float>(ctx.input(0), m, k);  // row-major Matrix map
//
// The maps do not own memory: the Tensor's buffer must outlive them. Whole
// tensor buffers are 64-byte aligned (kTensorAlignment), so tensor views are
// declared aligned; views of raw pointers (slices) are unaligned.
//
// Integer kernels compute in WrapType<T>, the unsigned type of the same
// width, so that overflow wraps around (two's complement) instead of being
// undefined behaviour; reading an intN_t buffer as uintN_t is allowed.
#ifndef RILL_RUNTIME_KERNELS_EIGEN_VIEWS_H_
#define RILL_RUNTIME_KERNELS_EIGEN_VIEWS_H_

#include <cstdint>
#include <type_traits>

// eigen_device.h defines EIGEN_USE_THREADS before including the Tensor
// module; include it first so every kernel sees the same configuration.
#include "runtime/eigen_device.h"

#include "Eigen/Core"
#include "graph/tensor.h"

namespace rill {

namespace internal {
template <typename T, bool kWraps = std::is_integral_v<T> && !std::is_same_v<T, bool>>
struct WrapTypeImpl {
  using type = T;
};
template <typename T>
struct WrapTypeImpl<T, true> {
  using type = std::make_unsigned_t<T>;
};
}  // namespace internal

template <typename T>
using WrapType = typename internal::WrapTypeImpl<T>::type;

template <typename T>
using RowMajorMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T>
using RowMajorArray = Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T>
using FlatArray = Eigen::Array<T, Eigen::Dynamic, 1>;

// Element pointers of a tensor read as U. REQUIRES sizeof(U) equals the
// tensor's element size (U is the dtype's type or its WrapType).
template <typename U>
const U* DataAs(const Tensor& t) {
  return reinterpret_cast<const U*>(t.raw());
}
template <typename U>
U* DataAs(Tensor* t) {
  return reinterpret_cast<U*>(t->raw());
}

// All elements as a 1-D array.
template <typename U>
Eigen::Map<const FlatArray<U>, Eigen::Aligned64> ConstFlat(const Tensor& t) {
  return Eigen::Map<const FlatArray<U>, Eigen::Aligned64>(DataAs<U>(t), t.num_elements());
}
template <typename U>
Eigen::Map<FlatArray<U>, Eigen::Aligned64> MutableFlat(Tensor* t) {
  return Eigen::Map<FlatArray<U>, Eigen::Aligned64>(DataAs<U>(t), t->num_elements());
}

// The buffer as a row-major rows x cols matrix. REQUIRES rows * cols ==
// num_elements().
template <typename U>
Eigen::Map<const RowMajorMatrix<U>, Eigen::Aligned64> ConstMatrix(const Tensor& t,
                                                                   int64_t rows,
                                                                   int64_t cols) {
  return Eigen::Map<const RowMajorMatrix<U>, Eigen::Aligned64>(DataAs<U>(t), rows, cols);
}
template <typename U>
Eigen::Map<RowMajorMatrix<U>, Eigen::Aligned64> MutableMatrix(Tensor* t, int64_t rows,
                                                              int64_t cols) {
  return Eigen::Map<RowMajorMatrix<U>, Eigen::Aligned64>(DataAs<U>(t), rows, cols);
}

// Unaligned views of raw slices (a row block inside a tensor).
template <typename U>
Eigen::Map<const FlatArray<U>> ConstFlatSlice(const U* data, int64_t n) {
  return Eigen::Map<const FlatArray<U>>(data, n);
}
template <typename U>
Eigen::Map<FlatArray<U>> MutableFlatSlice(U* data, int64_t n) {
  return Eigen::Map<FlatArray<U>>(data, n);
}
template <typename U>
Eigen::Map<const RowMajorArray<U>> ConstArraySlice(const U* data, int64_t rows, int64_t cols) {
  return Eigen::Map<const RowMajorArray<U>>(data, rows, cols);
}
template <typename U>
Eigen::Map<RowMajorArray<U>> MutableArraySlice(U* data, int64_t rows, int64_t cols) {
  return Eigen::Map<RowMajorArray<U>>(data, rows, cols);
}

// Rank-N Eigen::TensorMap views (for contractions on a ThreadPoolDevice).
template <typename U, int N>
using ConstTensorMap =
    Eigen::TensorMap<Eigen::Tensor<const U, N, Eigen::RowMajor, Eigen::Index>, Eigen::Aligned>;
template <typename U, int N>
using MutableTensorMap =
    Eigen::TensorMap<Eigen::Tensor<U, N, Eigen::RowMajor, Eigen::Index>, Eigen::Aligned>;

// REQUIRES t.rank() == N.
template <typename U, int N>
ConstTensorMap<U, N> ConstTensorView(const Tensor& t) {
  Eigen::array<Eigen::Index, N> dims;
  for (int i = 0; i < N; ++i) dims[i] = t.dim(i);
  return ConstTensorMap<U, N>(DataAs<U>(t), dims);
}
template <typename U, int N>
MutableTensorMap<U, N> MutableTensorView(Tensor* t) {
  Eigen::array<Eigen::Index, N> dims;
  for (int i = 0; i < N; ++i) dims[i] = t->dim(i);
  return MutableTensorMap<U, N>(DataAs<U>(t), dims);
}

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_EIGEN_VIEWS_H_
