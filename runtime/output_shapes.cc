#include "runtime/output_shapes.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/shape_inference.h"

namespace rill {

absl::Status ComputeOutputShapes(const Node& node, const std::vector<const Tensor*>& inputs,
                                 int graph_def_version, std::vector<TensorShape>* shapes) {
  shapes->clear();
  if (!node.needs_runtime_shapes()) {
    for (int i = 0; i < node.num_outputs(); ++i) shapes->push_back(node.output_shape(i));
    return absl::OkStatus();
  }
  std::vector<TensorShape> in_shapes;
  std::vector<DataType> in_types;
  std::vector<const Tensor*> in_values;
  in_shapes.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    // An uninitialized variable ref has no value yet: use its static shape.
    const Tensor* t = inputs[i];
    in_shapes.push_back(t->initialized() ? t->shape() : node.input(i).shape());
    in_types.push_back(BaseType(node.input(i).dtype()));
    in_values.push_back(t->initialized() ? t : nullptr);
  }
  InferenceContext ic(&node.attrs(), in_shapes, std::move(in_types), std::move(in_values),
                      node.num_outputs(), graph_def_version);
  absl::Status s = node.op_def().shape_fn(ic);
  if (!s.ok()) {
    std::vector<std::string> strs;
    for (const auto& sh : in_shapes) strs.push_back(sh.ToString());
    return absl::Status(s.code(), absl::StrCat(s.message(), " for '", node.name(), "' (op: '",
                                               node.op(), "') with input shapes: ",
                                               absl::StrJoin(strs, ", "), "."));
  }
  *shapes = ic.TakeOutputs();
  return absl::OkStatus();
}

}  // namespace rill
