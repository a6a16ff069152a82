// Tensor: a dtype, a fully-defined shape and a reference-counted, 64-byte
// aligned buffer. Copies share the buffer (aliasing is free); use Clone() for
// a deep copy. Eigen views live in runtime/eigen_views.h so that graph/ stays
// free of Eigen.
//
//   ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(DT_FLOAT, {2, 3}));
//   float* p = t.data<float>();
//
// Thread-safety: distinct Tensor objects may be used concurrently; writes to
// a shared buffer must be synchronized by the caller.
#ifndef RILL_GRAPH_TENSOR_H_
#define RILL_GRAPH_TENSOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "graph/tensor_shape.h"
#include "graph/types.h"

namespace rill {

// Default cap on one tensor's bytes (callers may pass another): 16 GiB. A
// request above the cap fails with ResourceExhausted instead of an OOM kill.
constexpr int64_t kDefaultMaxTensorBytes = int64_t{16} << 30;
constexpr size_t kTensorAlignment = 64;

class Tensor {
 public:
  // An invalid placeholder (dtype DT_INVALID, no buffer); initialized() is
  // false until a real tensor is assigned.
  Tensor() = default;
  Tensor(const Tensor&) = default;
  Tensor& operator=(const Tensor&) = default;
  // A moved-from tensor is uninitialized, like a default-constructed one.
  Tensor(Tensor&& o) noexcept
      : dtype_(o.dtype_),
        shape_(std::move(o.shape_)),
        num_elements_(o.num_elements_),
        buffer_(std::move(o.buffer_)) {
    o.dtype_ = DT_INVALID;
    o.num_elements_ = 0;
  }
  Tensor& operator=(Tensor&& o) noexcept {
    if (this == &o) return *this;
    dtype_ = o.dtype_;
    shape_ = std::move(o.shape_);
    num_elements_ = o.num_elements_;
    buffer_ = std::move(o.buffer_);
    o.dtype_ = DT_INVALID;
    o.num_elements_ = 0;
    return *this;
  }

  // Allocates a zero-filled tensor. InvalidArgument for an unsupported dtype or
  // a shape that is not fully defined or overflows; ResourceExhausted when the
  // byte size exceeds `max_bytes` or the allocation fails.
  static absl::StatusOr<Tensor> Allocate(DataType dtype, const TensorShape& shape,
                                         int64_t max_bytes = kDefaultMaxTensorBytes);
  // The same without the zero fill, for a caller that writes every byte
  // before anyone reads the tensor (a file or proto read straight into it),
  // or discards the tensor on error.
  static absl::StatusOr<Tensor> AllocateForOverwrite(DataType dtype, const TensorShape& shape,
                                                     int64_t max_bytes = kDefaultMaxTensorBytes);
  // Bytes Allocate reserves for `bytes` of data (rounded to the alignment).
  static size_t AllocationBytes(size_t bytes) {
    return (bytes + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  }
  // A zero-filled tensor over a recycled `buffer` of AllocationBytes(bytes)
  // from an earlier Allocate. REQUIRES: dtype supported, shape fully defined
  // with `num_elements` elements, buffer large enough.
  static Tensor FromRecycledBuffer(DataType dtype, const TensorShape& shape,
                                   int64_t num_elements, std::shared_ptr<char> buffer);
  // The shared buffer (null for empty tensors), for buffer recycling.
  const std::shared_ptr<char>& buffer() const { return buffer_; }
  // Moves the buffer out (no reference-count traffic) and leaves this tensor
  // uninitialized, like a default-constructed one.
  std::shared_ptr<char> ReleaseBuffer() {
    dtype_ = DT_INVALID;
    shape_.Clear();
    num_elements_ = 0;
    return std::move(buffer_);
  }

  // Makes a tensor holding `values` (row-major).
  template <typename T>
  static absl::StatusOr<Tensor> FromVector(const TensorShape& shape,
                                           absl::Span<const T> values);
  template <typename T>
  static Tensor Scalar(T value);

  DataType dtype() const { return dtype_; }
  const TensorShape& shape() const { return shape_; }
  int rank() const { return shape_.rank(); }
  int64_t dim(int i) const { return shape_.dim(i); }
  int64_t num_elements() const { return num_elements_; }
  size_t TotalBytes() const { return static_cast<size_t>(num_elements_) * DataTypeSize(dtype_); }
  bool initialized() const { return dtype_ != DT_INVALID; }

  // REQUIRES: DataTypeOf<T>() == dtype().
  template <typename T>
  T* data() { return reinterpret_cast<T*>(raw()); }
  template <typename T>
  const T* data() const { return reinterpret_cast<const T*>(raw()); }
  template <typename T>
  absl::Span<T> flat() { return absl::Span<T>(data<T>(), num_elements_); }
  template <typename T>
  absl::Span<const T> flat() const { return absl::Span<const T>(data<T>(), num_elements_); }
  char* raw() { return buffer_ ? buffer_.get() : nullptr; }
  const char* raw() const { return buffer_ ? buffer_.get() : nullptr; }

  // A deep copy with its own buffer.
  absl::StatusOr<Tensor> Clone() const;
  // A tensor sharing this buffer with another shape of the same element count.
  absl::StatusOr<Tensor> Reshaped(const TensorShape& shape) const;
  // True if both share one buffer.
  bool SharesBufferWith(const Tensor& o) const { return buffer_ == o.buffer_; }

  // Element-wise equality of dtype, shape and bytes.
  bool Equals(const Tensor& o) const;
  // "float [2,3] {1, 2, 3, 4, 5, 6}", abbreviated past `max_entries` values.
  std::string DebugString(int max_entries = 12) const;

 private:
  static absl::StatusOr<Tensor> AllocateImpl(DataType dtype, const TensorShape& shape,
                                             int64_t max_bytes, bool zero);

  DataType dtype_ = DT_INVALID;
  TensorShape shape_;
  int64_t num_elements_ = 0;
  std::shared_ptr<char> buffer_;
};

template <typename T>
absl::StatusOr<Tensor> Tensor::FromVector(const TensorShape& shape,
                                          absl::Span<const T> values) {
  absl::StatusOr<Tensor> t = Allocate(DataTypeOf<T>(), shape);
  if (!t.ok()) return t;
  if (static_cast<int64_t>(values.size()) != t->num_elements()) {
    return absl::InvalidArgumentError("FromVector: " + std::to_string(values.size()) +
                                      " values for shape " + shape.ToString());
  }
  std::copy(values.begin(), values.end(), t->template data<T>());
  return t;
}

template <typename T>
Tensor Tensor::Scalar(T value) {
  Tensor t = *Allocate(DataTypeOf<T>(), TensorShape());
  *t.data<T>() = value;
  return t;
}

}  // namespace rill

#endif  // RILL_GRAPH_TENSOR_H_
