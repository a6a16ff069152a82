// OpDef: what the graph needs to know about an op type — its inputs,
// outputs, attrs and shape function. Definitions are written once, in ops/
// (OpDefBuilder), and looked up through OpRegistryInterface; graph/ only
// reads them.
#ifndef RILL_GRAPH_OP_DEF_H_
#define RILL_GRAPH_OP_DEF_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "graph/tensor.h"
#include "graph/types.h"
#include "proto/attr_value.pb.h"

namespace rill {

class InferenceContext;
using ShapeFn = std::function<absl::Status(InferenceContext&)>;
// Computes a node's output-0 value at build time when it is cheap and all it
// needs is known (Const, Shape of a fully known input, a ConcatV2 of small
// constant vectors). Returns nullopt when the value is not known. Only used to
// feed shape inference, so it must stay cheap.
using ConstFn = std::function<absl::StatusOr<std::optional<Tensor>>(InferenceContext&)>;

// One input or output of an op. Exactly one of `type` (fixed) or `type_attr`
// is set. With `number_attr`, the arg is a list of that many tensors of one
// type (ConcatV2's `values: N * T`).
struct ArgDef {
  std::string name;
  DataType type = DT_INVALID;
  std::string type_attr;
  std::string number_attr;
  bool is_ref = false;
};

// One attr: `type` is the OpDef type string ("type", "int", "bool", "float",
// "string", "shape", "tensor", "list(int)", ...).
struct AttrDef {
  std::string name;
  std::string type;
  std::optional<pb::AttrValue> default_value;
  std::vector<DataType> allowed_types;  // For "type" attrs; empty = any.
  std::vector<std::string> allowed_strings;  // For "string" attrs; empty = any.
  std::optional<int64_t> minimum;            // For "int" attrs.
};

struct OpDef {
  std::string name;
  std::vector<ArgDef> inputs;
  std::vector<ArgDef> outputs;
  std::vector<AttrDef> attrs;
  bool is_stateful = false;
  // Assign may read a not-yet-initialized variable (TF's
  // SetAllowsUninitializedInput).
  bool allows_uninitialized_input = false;
  ShapeFn shape_fn;
  ConstFn const_fn;  // Optional.

  const AttrDef* FindAttr(const std::string& attr_name) const;
};

// Looks up op definitions by type name. Implementations must be thread-safe
// for concurrent lookups and keep returned pointers valid for their lifetime.
class OpRegistryInterface {
 public:
  virtual ~OpRegistryInterface() = default;
  // Returns the definition, or NotFound "Op type not registered 'X' ...".
  virtual absl::StatusOr<const OpDef*> LookUp(const std::string& op_type) const = 0;
};

}  // namespace rill

#endif  // RILL_GRAPH_OP_DEF_H_
