#include "graph/tensor_proto.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "graph/consumed_memory.h"
#include "graph/status_macros.h"

namespace rill {
namespace {

// Fills `out` from a typed repeated field with TF's repeat-last rule.
template <typename T, typename Repeated>
void FillFromList(const Repeated& list, Tensor* out) {
  T* dst = out->data<T>();
  const int64_t n = out->num_elements();
  if (list.size() == 0) return;  // Already zero.
  const int64_t given = std::min<int64_t>(list.size(), n);
  for (int64_t i = 0; i < given; ++i) dst[i] = static_cast<T>(list.Get(i));
  const T last = static_cast<T>(list.Get(given - 1));
  for (int64_t i = given; i < n; ++i) dst[i] = last;
}

template <typename T>
bool AllEqual(const Tensor& t) {
  const T* p = t.data<T>();
  for (int64_t i = 1; i < t.num_elements(); ++i) {
    if (std::memcmp(&p[i], &p[0], sizeof(T)) != 0) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<Tensor> TensorFromProto(const pb::TensorProto& proto, int64_t max_bytes,
                                       bool consume_content) {
  const DataType dtype = proto.dtype();
  if (!IsSupportedDataType(dtype) || IsRefType(dtype)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TensorProto has dtype ", DataTypeString(dtype),
        ", which rill does not support (supported: float, double, int32, int64, bool)"));
  }
  ASSIGN_OR_RETURN(TensorShape shape, TensorShape::FromProto(proto.tensor_shape()));
  if (!shape.IsFullyDefined()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TensorProto has a partially known shape ", shape.ToString()));
  }
  // tensor_content, when it is used, fills every byte (or the tensor is
  // dropped): no zero fill first.
  const bool from_content = !proto.tensor_content().empty();
  ASSIGN_OR_RETURN(Tensor t, from_content ? Tensor::AllocateForOverwrite(dtype, shape, max_bytes)
                                          : Tensor::Allocate(dtype, shape, max_bytes));
  if (from_content) {
    if (proto.tensor_content().size() != t.TotalBytes()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "TensorProto of type ", DataTypeString(dtype), " and shape ",
          shape.ToString(), " has tensor_content of ", proto.tensor_content().size(),
          " bytes; expected ", t.TotalBytes()));
    }
    const char* src = proto.tensor_content().data();
    if (dtype == DT_BOOL) {
      // Any non-zero byte is true; never reinterpret arbitrary bytes as bool.
      bool* dst = t.data<bool>();
      for (int64_t i = 0; i < t.num_elements(); ++i) dst[i] = src[i] != 0;
    } else {
      // rill only runs on little-endian hosts, like the wire format. Copied
      // in blocks when consuming, each block's source then given back.
      const size_t total = t.TotalBytes();
      ConsumedMemory consumed(src, total, consume_content);
      const size_t block = consume_content ? size_t{kConsumeBlockBytes} : total;
      char* dst = static_cast<char*>(t.raw());
      for (size_t done = 0; done < total;) {
        const size_t n = std::min(block, total - done);
        std::memcpy(dst + done, src + done, n);
        done += n;
        consumed.Read(done);
      }
    }
    return t;
  }
  if (t.num_elements() == 0) return t;
  switch (dtype) {
    case pb::DT_FLOAT: FillFromList<float>(proto.float_val(), &t); break;
    case pb::DT_DOUBLE: FillFromList<double>(proto.double_val(), &t); break;
    case pb::DT_INT32: FillFromList<int32_t>(proto.int_val(), &t); break;
    case pb::DT_INT64: FillFromList<int64_t>(proto.int64_val(), &t); break;
    case pb::DT_BOOL: FillFromList<bool>(proto.bool_val(), &t); break;
    default: break;
  }
  return t;
}

void TensorToProto(const Tensor& t, pb::TensorProto* proto) {
  proto->Clear();
  proto->set_dtype(t.dtype());
  t.shape().ToProto(proto->mutable_tensor_shape());
  const int64_t n = t.num_elements();
  if (n == 0) return;
  bool compact = false;
  switch (t.dtype()) {
    case pb::DT_FLOAT: compact = AllEqual<float>(t); break;
    case pb::DT_DOUBLE: compact = AllEqual<double>(t); break;
    case pb::DT_INT32: compact = AllEqual<int32_t>(t); break;
    case pb::DT_INT64: compact = AllEqual<int64_t>(t); break;
    case pb::DT_BOOL: compact = AllEqual<bool>(t); break;
    default: break;
  }
  if (!compact) {
    proto->set_tensor_content(t.raw(), t.TotalBytes());
    return;
  }
  switch (t.dtype()) {
    case pb::DT_FLOAT: proto->add_float_val(t.data<float>()[0]); break;
    case pb::DT_DOUBLE: proto->add_double_val(t.data<double>()[0]); break;
    case pb::DT_INT32: proto->add_int_val(t.data<int32_t>()[0]); break;
    case pb::DT_INT64: proto->add_int64_val(t.data<int64_t>()[0]); break;
    case pb::DT_BOOL: proto->add_bool_val(t.data<bool>()[0]); break;
    default: break;
  }
}

}  // namespace rill
