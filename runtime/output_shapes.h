// Run-time output shapes: re-runs a node's shape function on the concrete
// shapes and values of its inputs, unless build-time inference already fixed
// every output shape (Node::needs_runtime_shapes() is false).
#ifndef RILL_RUNTIME_OUTPUT_SHAPES_H_
#define RILL_RUNTIME_OUTPUT_SHAPES_H_

#include <vector>

#include "absl/status/status.h"
#include "graph/node.h"
#include "graph/tensor.h"

namespace rill {

// Fills `shapes` with node's output shapes for `inputs`. They are fully
// defined except for ops whose kernels do not allocate (Placeholder).
// InvalidArgument (message names the node and input shapes) when the inputs
// are incompatible, e.g. mismatched inner dimensions of a MatMul whose batch
// was unknown at build time.
absl::Status ComputeOutputShapes(const Node& node, const std::vector<const Tensor*>& inputs,
                                 int graph_def_version, std::vector<TensorShape>* shapes);

}  // namespace rill

#endif  // RILL_RUNTIME_OUTPUT_SHAPES_H_
