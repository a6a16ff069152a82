#include "graph/tensor.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"

namespace rill {
namespace {

// Tensor buffers come from malloc, aligned by hand: glibc's aligned_alloc
// takes its slow path on every call (~1000 instructions, against ~60 for a
// small malloc served from its per-thread cache), and every fetched output is
// a fresh allocation. The byte before the aligned address holds the offset
// back to malloc's pointer (1..kTensorAlignment).
char* AllocateAligned(size_t bytes) {
  char* raw = static_cast<char*>(std::malloc(bytes + kTensorAlignment));
  if (raw == nullptr) return nullptr;
  const size_t offset =
      kTensorAlignment - reinterpret_cast<uintptr_t>(raw) % kTensorAlignment;
  char* aligned = raw + offset;
  aligned[-1] = static_cast<char>(offset);
  return aligned;
}

struct AlignedFree {
  void operator()(char* p) const {
    std::free(p - static_cast<unsigned char>(p[-1]));
  }
};

template <typename T>
void AppendValues(const Tensor& t, int64_t n, std::string* out) {
  const T* p = t.data<T>();
  for (int64_t i = 0; i < n; ++i) {
    if (i > 0) out->append(", ");
    if constexpr (std::is_same_v<T, bool>) {
      out->append(p[i] ? "true" : "false");
    } else {
      absl::StrAppend(out, p[i]);
    }
  }
}

}  // namespace

absl::StatusOr<Tensor> Tensor::Allocate(DataType dtype, const TensorShape& shape,
                                        int64_t max_bytes) {
  return AllocateImpl(dtype, shape, max_bytes, /*zero=*/true);
}

absl::StatusOr<Tensor> Tensor::AllocateForOverwrite(DataType dtype, const TensorShape& shape,
                                                    int64_t max_bytes) {
  return AllocateImpl(dtype, shape, max_bytes, /*zero=*/false);
}

absl::StatusOr<Tensor> Tensor::AllocateImpl(DataType dtype, const TensorShape& shape,
                                            int64_t max_bytes, bool zero) {
  RETURN_IF_ERROR(CheckSupportedDataType(dtype));
  if (!shape.IsFullyDefined()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Cannot allocate a tensor of partially known shape ", shape.ToString()));
  }
  ASSIGN_OR_RETURN(int64_t n, shape.NumElements());
  const int64_t elem = DataTypeSize(dtype);
  if (n > max_bytes / elem) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "Tensor of shape ", shape.ToString(), " and type ", DataTypeString(dtype),
        " needs ", n, " elements x ", elem, " bytes, more than the cap of ",
        max_bytes, " bytes"));
  }
  Tensor t;
  t.dtype_ = BaseType(dtype);
  t.shape_ = shape;
  t.num_elements_ = n;
  if (n > 0) {
    size_t bytes = static_cast<size_t>(n * elem);
    size_t rounded = AllocationBytes(bytes);
    char* p = AllocateAligned(rounded);
    if (p == nullptr) {
      return absl::ResourceExhaustedError(
          absl::StrCat("Out of memory allocating ", bytes, " bytes for a tensor"));
    }
    // The rounding tail is zeroed either way: nothing reads it as data,
    // but it is never left uninitialized.
    const size_t zero_from = zero ? 0 : bytes;
    std::memset(p + zero_from, 0, rounded - zero_from);
    t.buffer_ = std::shared_ptr<char>(p, AlignedFree());
  }
  return t;
}

Tensor Tensor::FromRecycledBuffer(DataType dtype, const TensorShape& shape,
                                  int64_t num_elements, std::shared_ptr<char> buffer) {
  Tensor t;
  t.dtype_ = BaseType(dtype);
  t.shape_ = shape;
  t.num_elements_ = num_elements;
  t.buffer_ = std::move(buffer);
  std::memset(t.buffer_.get(), 0, AllocationBytes(t.TotalBytes()));
  return t;
}

absl::StatusOr<Tensor> Tensor::Clone() const {
  ASSIGN_OR_RETURN(Tensor t, Allocate(dtype_, shape_));
  if (TotalBytes() > 0) std::memcpy(t.raw(), raw(), TotalBytes());
  return t;
}

absl::StatusOr<Tensor> Tensor::Reshaped(const TensorShape& shape) const {
  ASSIGN_OR_RETURN(int64_t n, shape.NumElements());
  if (n != num_elements_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Cannot reshape a tensor with ", num_elements_, " elements to shape ",
        shape.ToString(), " (", n, " elements)"));
  }
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

bool Tensor::Equals(const Tensor& o) const {
  if (dtype_ != o.dtype_ || shape_ != o.shape_) return false;
  return TotalBytes() == 0 || std::memcmp(raw(), o.raw(), TotalBytes()) == 0;
}

std::string Tensor::DebugString(int max_entries) const {
  std::string out = absl::StrCat(DataTypeString(dtype_), " ", shape_.ToString(), " {");
  int64_t n = std::min<int64_t>(num_elements_, max_entries);
  switch (dtype_) {
    case pb::DT_FLOAT: AppendValues<float>(*this, n, &out); break;
    case pb::DT_DOUBLE: AppendValues<double>(*this, n, &out); break;
    case pb::DT_INT32: AppendValues<int32_t>(*this, n, &out); break;
    case pb::DT_INT64: AppendValues<int64_t>(*this, n, &out); break;
    case pb::DT_BOOL: AppendValues<bool>(*this, n, &out); break;
    default: break;
  }
  if (n < num_elements_) absl::StrAppend(&out, ", ... (", num_elements_, " total)");
  out += "}";
  return out;
}

}  // namespace rill
