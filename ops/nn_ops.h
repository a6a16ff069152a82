// Typed builders for the neural-network ops (see array_ops.h).
#ifndef RILL_OPS_NN_OPS_H_
#define RILL_OPS_NN_OPS_H_

#include <string>

#include "graph/scope.h"

namespace rill {
namespace ops {

Output BiasAdd(const Scope& scope, Output value, Output bias,
               const std::string& data_format = "NHWC");
Output Relu(const Scope& scope, Output features);

}  // namespace ops
}  // namespace rill

#endif  // RILL_OPS_NN_OPS_H_
