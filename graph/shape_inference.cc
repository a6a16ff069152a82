#include "graph/shape_inference.h"

#include "absl/strings/str_cat.h"

namespace rill {

InferenceContext::InferenceContext(const AttrMap* attrs,
                                   std::vector<TensorShape> input_shapes,
                                   std::vector<DataType> input_types,
                                   std::vector<const Tensor*> input_tensors,
                                   int num_outputs, int graph_def_version)
    : attrs_(attrs),
      input_shapes_(std::move(input_shapes)),
      input_types_(std::move(input_types)),
      input_tensors_(std::move(input_tensors)),
      output_shapes_(num_outputs, TensorShape::Unknown()),
      graph_def_version_(graph_def_version) {}

const Tensor* InferenceContext::input_tensor(int i) {
  used_input_values_ = true;
  return input_tensors_[i];
}

absl::StatusOr<TensorShape> InferenceContext::WithRank(const TensorShape& s,
                                                       int rank) const {
  if (s.unknown_rank()) return TensorShape::UnknownOfRank(rank);
  if (s.rank() != rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape must be rank ", rank, " but is rank ", s.rank()));
  }
  return s;
}

absl::StatusOr<TensorShape> InferenceContext::WithRankAtLeast(const TensorShape& s,
                                                              int rank) const {
  if (s.unknown_rank()) return s;
  if (s.rank() < rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape must be at least rank ", rank, " but is rank ", s.rank()));
  }
  return s;
}

absl::StatusOr<int64_t> InferenceContext::MergeDim(int64_t a, int64_t b) const {
  if (a >= 0 && b >= 0 && a != b) {
    return absl::InvalidArgumentError(
        absl::StrCat("Dimensions must be equal, but are ", a, " and ", b));
  }
  return a >= 0 ? a : b;
}

absl::StatusOr<std::vector<int64_t>> InferenceContext::TensorToInt64s(const Tensor& t) {
  if (t.rank() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("Expected a scalar or vector, got shape ", t.shape().ToString()));
  }
  std::vector<int64_t> out;
  out.reserve(t.num_elements());
  if (t.dtype() == DT_INT32) {
    for (int32_t v : t.flat<int32_t>()) out.push_back(v);
  } else if (t.dtype() == DT_INT64) {
    for (int64_t v : t.flat<int64_t>()) out.push_back(v);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected an int32 or int64 tensor, got ", DataTypeString(t.dtype())));
  }
  return out;
}

}  // namespace rill
