// Small tests on graph nodes shared by the plan's rewrites (gru_fusion,
// matmul_fusion): what op produced a tensor, and constant operands.
#ifndef RILL_RUNTIME_FUSION_PATTERNS_H_
#define RILL_RUNTIME_FUSION_PATTERNS_H_

#include <cstdint>

#include "graph/node.h"

namespace rill {

inline bool IsOp(const Output& o, const char* op) { return o.valid() && o.node->op() == op; }

// True if `o` is a Const scalar (or one-element tensor) equal to `value`.
inline bool IsConstScalar(const Output& o, double value) {
  // The shape first: reading a large Const's value would keep the Session
  // from releasing it (Node::const_value).
  if (!IsOp(o, "Const") || o.index != 0 || o.node->output_shape(0).num_elements_or_unknown() != 1 ||
      o.node->const_value() == nullptr) {
    return false;
  }
  const Tensor& t = *o.node->const_value();
  if (t.num_elements() != 1) return false;
  switch (t.dtype()) {
    case pb::DT_FLOAT: return t.data<float>()[0] == value;
    case pb::DT_INT32: return t.data<int32_t>()[0] == value;
    case pb::DT_INT64: return t.data<int64_t>()[0] == value;
    default: return false;
  }
}

// The axis of a rank-2 ConcatV2/Split is 1 when written as 1 or -1.
inline bool IsAxisOne(const Output& o) { return IsConstScalar(o, 1) || IsConstScalar(o, -1); }

}  // namespace rill

#endif  // RILL_RUNTIME_FUSION_PATTERNS_H_
