// Generic node construction from the op registry: the typed builders in
// array_ops.h, math_ops.h and nn_ops.h are thin wrappers over BuildNode.
//
// BuildNode fills what an OpDef lets it infer — type attrs ("T") from the
// first tensor bound to them, list lengths ("N") from list sizes — and the
// Graph fills the remaining defaults, so every attr of the OpDef is written.
#ifndef RILL_OPS_OP_BUILDER_H_
#define RILL_OPS_OP_BUILDER_H_

#include <string>
#include <vector>

#include "graph/attr_value.h"
#include "graph/scope.h"

namespace rill {

// The tensors bound to one OpDef input arg: one Output, or a list for
// "N * T" args.
struct InputArg {
  InputArg(Output o) : tensors{o} {}  // NOLINT: implicit for brevity.
  InputArg(Node* n) : tensors{Output(n, 0)} {}  // NOLINT
  InputArg(std::vector<Output> list) : tensors(std::move(list)), is_list(true) {}  // NOLINT
  std::vector<Output> tensors;
  bool is_list = false;
};

// Adds a node of type `op` named by the scope (WithOpName, else
// `default_name`, else the op type), with the scope's control dependencies
// and device. On error updates the scope's sticky status and returns null;
// returns null at once if the scope already holds an error.
Node* BuildNode(const Scope& scope, const std::string& op, std::vector<InputArg> inputs,
                AttrMap attrs = {}, const std::string& default_name = "");

// Like BuildNode but with `full_name` used verbatim; REQUIRES the name was
// reserved with scope.GetUniqueNameForOp.
Node* BuildNodeNamed(const Scope& scope, const std::string& full_name, const std::string& op,
                     std::vector<InputArg> inputs, AttrMap attrs = {});

// A scope whose name scope is exactly `full_node_name`, for the helper nodes
// TensorFlow nests under an op ("concat/axis", "split/split_dim", "sub/x").
Scope HelperScope(const Scope& scope, const std::string& full_node_name);

}  // namespace rill

#endif  // RILL_OPS_OP_BUILDER_H_
