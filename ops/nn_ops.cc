#include "ops/nn_ops.h"

#include "ops/op_builder.h"

namespace rill {
namespace ops {

Output BiasAdd(const Scope& scope, Output value, Output bias, const std::string& data_format) {
  Node* n = BuildNode(scope, "BiasAdd", {value, bias}, {{"data_format", AttrString(data_format)}});
  return n ? Output(n, 0) : Output();
}

Output Relu(const Scope& scope, Output features) {
  Node* n = BuildNode(scope, "Relu", {features});
  return n ? Output(n, 0) : Output();
}

}  // namespace ops
}  // namespace rill
