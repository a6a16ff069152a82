// Conversion between Tensor and TensorProto with TensorFlow's rules.
#ifndef RILL_GRAPH_TENSOR_PROTO_H_
#define RILL_GRAPH_TENSOR_PROTO_H_

#include "absl/status/statusor.h"
#include "graph/tensor.h"
#include "proto/tensor.pb.h"

namespace rill {

// Decodes `proto` like TensorFlow's Tensor::FromProto:
// - tensor_content, when non-empty, must hold exactly elements*sizeof(dtype)
//   bytes (little-endian, row-major);
// - otherwise the typed list (float_val, double_val, int_val, int64_val,
//   bool_val) is used: fewer entries than elements repeat the last entry, no
//   entries means zeros, extra entries are ignored.
// Errors: InvalidArgument for an unsupported dtype, a bad shape or a content
// size mismatch; ResourceExhausted when the tensor exceeds `max_bytes`.
// With `consume_content`, the memory of tensor_content is given back as it
// is copied (graph/consumed_memory.h), for a caller that drops the proto
// right after (Graph::AddNode converting a Const it owns); errors come
// before anything is consumed.
absl::StatusOr<Tensor> TensorFromProto(const pb::TensorProto& proto,
                                       int64_t max_bytes = kDefaultMaxTensorBytes,
                                       bool consume_content = false);

// Encodes `t`. A tensor whose elements are all equal is written as one typed
// value (TensorFlow's compact form for constant fills); any other tensor with
// more than one element uses tensor_content.
void TensorToProto(const Tensor& t, pb::TensorProto* proto);

}  // namespace rill

#endif  // RILL_GRAPH_TENSOR_PROTO_H_
