// Helpers for pb::AttrValue: typed getters with clear errors, factories and
// TensorFlow-style summaries.
#ifndef RILL_GRAPH_ATTR_VALUE_H_
#define RILL_GRAPH_ATTR_VALUE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/tensor_shape.h"
#include "graph/types.h"
#include "proto/attr_value.pb.h"

namespace rill {

// Attrs of a node, sorted by name (deterministic GraphDef output).
using AttrMap = std::map<std::string, pb::AttrValue>;

pb::AttrValue AttrInt(int64_t v);
pb::AttrValue AttrFloat(float v);
pb::AttrValue AttrBool(bool v);
pb::AttrValue AttrString(const std::string& v);
pb::AttrValue AttrType(DataType v);
pb::AttrValue AttrShape(const TensorShape& v);
pb::AttrValue AttrIntList(const std::vector<int64_t>& v);
pb::AttrValue AttrStringList(const std::vector<std::string>& v);

// Typed lookups. NotFound names the attr when it is absent; InvalidArgument
// when the value has another type.
absl::StatusOr<int64_t> GetIntAttr(const AttrMap& attrs, const std::string& name);
absl::StatusOr<float> GetFloatAttr(const AttrMap& attrs, const std::string& name);
absl::StatusOr<bool> GetBoolAttr(const AttrMap& attrs, const std::string& name);
absl::StatusOr<std::string> GetStringAttr(const AttrMap& attrs, const std::string& name);
absl::StatusOr<DataType> GetTypeAttr(const AttrMap& attrs, const std::string& name);
absl::StatusOr<TensorShape> GetShapeAttr(const AttrMap& attrs, const std::string& name);
absl::StatusOr<std::vector<int64_t>> GetIntListAttr(const AttrMap& attrs,
                                                    const std::string& name);

// The AttrValue's kind as an OpDef attr type: "int", "float", "bool",
// "string", "type", "shape", "tensor", "list(...)", "func", "placeholder",
// or "" when unset.
std::string AttrValueKind(const pb::AttrValue& v);

// A short human summary: "DT_FLOAT", "[?,3]", "true", "5", "\"NHWC\"".
std::string SummarizeAttrValue(const pb::AttrValue& v);

}  // namespace rill

#endif  // RILL_GRAPH_ATTR_VALUE_H_
