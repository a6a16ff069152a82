// InferenceContext: what a shape function sees of one node — its attrs, the
// (partial) shapes and dtypes of its inputs, and the values of inputs that are
// known constants — and where it writes the output shapes.
//
// The same shape function runs at graph-build time (partial shapes, constant
// inputs only) and at run time (concrete shapes, every input value), so shape
// logic is written once (ops/shape_fns.h).
#ifndef RILL_GRAPH_SHAPE_INFERENCE_H_
#define RILL_GRAPH_SHAPE_INFERENCE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "graph/attr_value.h"
#include "graph/tensor.h"
#include "graph/tensor_shape.h"

namespace rill {

class InferenceContext {
 public:
  // Pointers are not owned and must outlive the context. `input_tensors[i]`
  // is null when input i's value is not known.
  InferenceContext(const AttrMap* attrs, std::vector<TensorShape> input_shapes,
                   std::vector<DataType> input_types,
                   std::vector<const Tensor*> input_tensors, int num_outputs,
                   int graph_def_version);

  int num_inputs() const { return static_cast<int>(input_shapes_.size()); }
  int num_outputs() const { return static_cast<int>(output_shapes_.size()); }
  const TensorShape& input(int i) const { return input_shapes_[i]; }
  DataType input_type(int i) const { return input_types_[i]; }
  // The value of input i if known, else null. Records that the shape function
  // depends on input values (the runtime then re-runs it with real values).
  const Tensor* input_tensor(int i);
  bool used_input_values() const { return used_input_values_; }
  const AttrMap& attrs() const { return *attrs_; }
  int graph_def_version() const { return graph_def_version_; }
  // The cap on one tensor's bytes for values a const function materializes.
  int64_t max_tensor_bytes() const { return max_tensor_bytes_; }
  void set_max_tensor_bytes(int64_t v) { max_tensor_bytes_ = v; }
  // Whether the attrs belong to a node being added, which drops a large
  // Const's bytes once converted (Graph::AddNode): the conversion may give
  // their memory back as it copies them (TensorFromProto).
  bool attrs_consumable() const { return attrs_consumable_; }
  void set_attrs_consumable(bool v) { attrs_consumable_ = v; }

  void set_output(int i, TensorShape shape) { output_shapes_[i] = std::move(shape); }
  const TensorShape& output(int i) const { return output_shapes_[i]; }
  std::vector<TensorShape> TakeOutputs() { return std::move(output_shapes_); }

  // Shape primitives, with TensorFlow's error texts.
  // InvalidArgument "Shape must be rank R but is rank N" (unknown rank passes,
  // returning UnknownOfRank(R)).
  absl::StatusOr<TensorShape> WithRank(const TensorShape& s, int rank) const;
  absl::StatusOr<TensorShape> WithRankAtLeast(const TensorShape& s, int rank) const;
  // Merges two dims: "Dimensions must be equal, but are A and B".
  absl::StatusOr<int64_t> MergeDim(int64_t a, int64_t b) const;

  // Reads an int32/int64 tensor of rank <= 1 as int64 values.
  static absl::StatusOr<std::vector<int64_t>> TensorToInt64s(const Tensor& t);

 private:
  const AttrMap* attrs_;
  std::vector<TensorShape> input_shapes_;
  std::vector<DataType> input_types_;
  std::vector<const Tensor*> input_tensors_;
  std::vector<TensorShape> output_shapes_;
  int graph_def_version_;
  int64_t max_tensor_bytes_ = kDefaultMaxTensorBytes;
  bool attrs_consumable_ = false;
  bool used_input_values_ = false;
};

}  // namespace rill

#endif  // RILL_GRAPH_SHAPE_INFERENCE_H_
