#include "graph/graph.h"

#include <algorithm>
#include <atomic>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/shape_inference.h"
#include "graph/status_macros.h"

namespace rill {
namespace {

bool IsNameChar(char c, bool first) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.') return true;
  return !first && (c == '_' || c == '/' || c == '-');
}

std::string NodeContext(const std::string& name, const std::string& op) {
  return absl::StrCat("node '", name, "' (op '", op, "')");
}

// An attr kind matches the declared type; an empty list matches any list.
bool KindMatches(const pb::AttrValue& v, const std::string& declared) {
  std::string kind = AttrValueKind(v);
  if (kind == declared) return true;
  return kind == "list" && absl::StartsWith(declared, "list(");
}

}  // namespace

std::string Output::name() const {
  return node ? absl::StrCat(node->name(), ":", index) : std::string("<invalid>");
}
DataType Output::dtype() const { return node->output_type(index); }
const TensorShape& Output::shape() const { return node->output_shape(index); }

absl::StatusOr<Tensor> Node::RestoredLocked() const {
  ASSIGN_OR_RETURN(Tensor value, restorer_());
  if (value.dtype() != output_types_[0] || value.shape() != output_shapes_[0]) {
    return absl::InternalError(absl::StrCat("the released value of '", name_, "' came back as ",
                                            DataTypeString(value.dtype()), " ",
                                            value.shape().ToString(), " instead of ",
                                            DataTypeString(output_types_[0]), " ",
                                            output_shapes_[0].ToString()));
  }
  return value;
}

absl::Status Node::RestoreLocked() const {
  if (const_value_.has_value()) return absl::OkStatus();
  ASSIGN_OR_RETURN(Tensor value, RestoredLocked());
  const_value_ = std::move(value);
  restorer_ = nullptr;
  return absl::OkStatus();
}

const Tensor* Node::const_value() const {
  if (!has_const_value_) return nullptr;
  absl::MutexLock lock(&value_mu_);
  if (!RestoreLocked().ok()) return nullptr;
  value_pinned_ = true;
  return &*const_value_;
}

absl::StatusOr<Tensor> Node::SharedConstValue() const {
  if (!has_const_value_) {
    return absl::FailedPreconditionError(absl::StrCat("'", name_, "' has no constant value"));
  }
  absl::MutexLock lock(&value_mu_);
  RETURN_IF_ERROR(RestoreLocked());
  return *const_value_;
}

absl::StatusOr<Tensor> Node::ReadConstValue() const {
  if (!has_const_value_) {
    return absl::FailedPreconditionError(absl::StrCat("'", name_, "' has no constant value"));
  }
  absl::MutexLock lock(&value_mu_);
  if (const_value_.has_value()) return *const_value_;
  return RestoredLocked();
}

bool Node::const_value_released() const {
  absl::MutexLock lock(&value_mu_);
  return !const_value_.has_value() && restorer_ != nullptr;
}

absl::StatusOr<std::pair<absl::string_view, int>> ParseTensorName(absl::string_view name) {
  size_t colon = name.rfind(':');
  if (colon == absl::string_view::npos) return std::make_pair(name, 0);
  int index = 0;
  absl::string_view digits = name.substr(colon + 1);
  if (digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(digits, &index)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Malformed tensor name '", name, "': expected 'node' or 'node:index'"));
  }
  return std::make_pair(name.substr(0, colon), index);
}

bool IsValidNodeName(absl::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0)) return false;
  }
  return true;
}

Graph::Graph(const OpRegistryInterface* registry) : registry_(registry) {}
Graph::~Graph() = default;

absl::Status Graph::ValidateAndFillAttrs(const OpDef& def, NodeSpec* spec) const {
  // Built only for an error message (most nodes have none).
  auto ctx = [&] { return NodeContext(spec->name, def.name); };
  for (const auto& [attr_name, value] : spec->attrs) {
    if (absl::StartsWith(attr_name, "_")) continue;  // Internal (_class, ...).
    if (def.FindAttr(attr_name) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "NodeDef mentions attr '", attr_name, "' not in Op '", def.name, "'; ", ctx()));
    }
  }
  for (const AttrDef& a : def.attrs) {
    auto it = spec->attrs.find(a.name);
    if (it == spec->attrs.end()) {
      if (!a.default_value) {
        return absl::InvalidArgumentError(
            absl::StrCat("NodeDef missing attr '", a.name, "' from Op '", def.name, "'; ", ctx()));
      }
      it = spec->attrs.emplace(a.name, *a.default_value).first;
    }
    const pb::AttrValue& v = it->second;
    if (!KindMatches(v, a.type)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "AttrValue had value with type '", AttrValueKind(v), "' when '", a.type,
          "' expected for attr '", a.name, "'; ", ctx()));
    }
    if (a.type == "type" && !a.allowed_types.empty() &&
        std::find(a.allowed_types.begin(), a.allowed_types.end(), v.type()) ==
            a.allowed_types.end()) {
      std::vector<std::string> allowed;
      for (DataType t : a.allowed_types) allowed.push_back(DataTypeString(t));
      return absl::InvalidArgumentError(absl::StrCat(
          "Value for attr '", a.name, "' of ", DataTypeString(v.type()),
          " is not in the list of allowed values: ", absl::StrJoin(allowed, ", "), "; ", ctx()));
    }
    if (a.type == "string" && !a.allowed_strings.empty() &&
        std::find(a.allowed_strings.begin(), a.allowed_strings.end(), v.s()) ==
            a.allowed_strings.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Value for attr '", a.name, "' of \"", v.s(),
          "\" is not in the list of allowed values: \"",
          absl::StrJoin(a.allowed_strings, "\", \""), "\"; ", ctx()));
    }
    if (a.type == "int" && a.minimum && v.i() < *a.minimum) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Value for attr '", a.name, "' of ", v.i(), " must be at least minimum ",
          *a.minimum, "; ", ctx()));
    }
  }
  return absl::OkStatus();
}

absl::Status Graph::ComputeArgTypes(const OpDef& def, const AttrMap& attrs,
                                    const std::vector<ArgDef>& args,
                                    const std::string& node,
                                    std::vector<DataType>* types) const {
  // Caps list lengths so a hostile "N" cannot make us allocate absurdly.
  constexpr int64_t kMaxListLength = 1 << 20;
  for (const ArgDef& arg : args) {
    int64_t count = 1;
    if (!arg.number_attr.empty()) {
      count = attrs.at(arg.number_attr).i();
      if (count < 0 || count > kMaxListLength) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Attr '", arg.number_attr, "' = ", count, " is out of range; ",
            NodeContext(node, def.name)));
      }
    }
    DataType t = arg.type_attr.empty() ? arg.type : attrs.at(arg.type_attr).type();
    if (!IsSupportedDataType(t)) {
      return absl::InvalidArgumentError(absl::StrCat(
          NodeContext(node, def.name), " uses dtype ", DataTypeString(t),
          ", which rill does not support (supported: float, double, int32, int64, bool)"));
    }
    if (arg.is_ref) t = MakeRefType(t);
    types->insert(types->end(), count, t);
  }
  return absl::OkStatus();
}

absl::StatusOr<Node*> Graph::AddNode(NodeSpec spec) {
  if (!IsValidNodeName(spec.name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Node name '", spec.name,
        "' is invalid: it must match [A-Za-z0-9.][A-Za-z0-9_./-]*"));
  }
  if (by_name_.contains(spec.name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Duplicate node name in graph: '", spec.name, "'"));
  }
  absl::StatusOr<const OpDef*> def_or = registry_->LookUp(spec.op);
  if (!def_or.ok()) {
    return absl::Status(def_or.status().code(),
                        absl::StrCat(def_or.status().message(), " (node '", spec.name, "')"));
  }
  const OpDef& def = **def_or;
  auto ctx = [&] { return NodeContext(spec.name, def.name); };
  RETURN_IF_ERROR(ValidateAndFillAttrs(def, &spec));

  std::vector<DataType> input_types, output_types;
  input_types.reserve(spec.inputs.size());
  output_types.reserve(def.outputs.size());
  RETURN_IF_ERROR(ComputeArgTypes(def, spec.attrs, def.inputs, spec.name, &input_types));
  RETURN_IF_ERROR(ComputeArgTypes(def, spec.attrs, def.outputs, spec.name, &output_types));
  if (input_types.size() != spec.inputs.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx(), " expects ", input_types.size(), " inputs but was given ", spec.inputs.size()));
  }

  std::vector<TensorShape> in_shapes;
  std::vector<DataType> in_actual;
  std::vector<const Tensor*> in_values;
  in_shapes.reserve(spec.inputs.size());
  in_actual.reserve(spec.inputs.size());
  in_values.reserve(spec.inputs.size());
  bool inputs_fully_defined = true;
  for (size_t i = 0; i < spec.inputs.size(); ++i) {
    const Output& in = spec.inputs[i];
    if (!in.valid() || in.node->id_ < 0 || in.node->id_ >= num_nodes() ||
        nodes_[in.node->id_].get() != in.node) {
      return absl::InvalidArgumentError(
          absl::StrCat("Input ", i, " of ", ctx(), " is not a node of this graph"));
    }
    if (in.index < 0 || in.index >= in.node->num_outputs()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Input ", i, " of ", ctx(), " refers to output ", in.index, " of node '",
          in.node->name(), "', which has only ", in.node->num_outputs(), " outputs"));
    }
    DataType actual = in.node->output_type(in.index);
    DataType expected = input_types[i];
    bool ok = IsRefType(expected) ? actual == expected : BaseType(actual) == expected;
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Input ", i, " of node ", spec.name, " was passed ", DataTypeString(actual),
          " from ", in.node->name(), ":", in.index, " incompatible with expected ",
          DataTypeString(expected), "."));
    }
    in_shapes.push_back(in.node->output_shape(in.index));
    inputs_fully_defined &= in_shapes.back().IsFullyDefined();
    in_actual.push_back(BaseType(actual));
    // Read without the node's lock (see Node::value_mu_): this graph's
    // values are never released.
    in_values.push_back(in.index == 0 && in.node->const_value_.has_value()
                            ? &*in.node->const_value_
                            : nullptr);
  }
  for (Node* c : spec.control_inputs) {
    if (c == nullptr || c->id_ < 0 || c->id_ >= num_nodes() || nodes_[c->id_].get() != c) {
      return absl::InvalidArgumentError(
          absl::StrCat("A control input of ", ctx(), " is not a node of this graph"));
    }
  }

  InferenceContext ic(&spec.attrs, in_shapes, in_actual, in_values,
                      static_cast<int>(output_types.size()), producer_version_);
  ic.set_max_tensor_bytes(max_tensor_bytes_);
  // `spec` is this call's own, and a large Const's bytes are dropped from
  // its attr below once converted: the conversion may give their memory
  // back as it goes, so the bytes and the tensor do not coexist whole.
  ic.set_attrs_consumable(true);
  if (def.shape_fn) {
    absl::Status s = def.shape_fn(ic);
    if (!s.ok()) {
      std::vector<std::string> shapes;
      for (const auto& sh : in_shapes) shapes.push_back(sh.ToString());
      return absl::Status(s.code(), absl::StrCat(s.message(), " for '", spec.name,
                                                 "' (op: '", def.name,
                                                 "') with input shapes: ",
                                                 absl::StrJoin(shapes, ", "), "."));
    }
  }
  const bool needs_runtime_shapes = ic.used_input_values() || !inputs_fully_defined;
  std::optional<Tensor> const_value;
  if (def.const_fn) {
    absl::StatusOr<std::optional<Tensor>> v = def.const_fn(ic);
    if (!v.ok()) {
      return absl::Status(v.status().code(), absl::StrCat(v.status().message(), "; ", ctx()));
    }
    const_value = std::move(*v);
  }

  auto node = std::unique_ptr<Node>(new Node());
  node->id_ = num_nodes();
  node->name_ = std::move(spec.name);
  node->op_def_ = &def;
  node->device_ = std::move(spec.device);
  node->attrs_ = std::move(spec.attrs);
  node->inputs_ = std::move(spec.inputs);
  node->input_types_ = std::move(input_types);
  node->control_inputs_ = std::move(spec.control_inputs);
  node->output_types_ = std::move(output_types);
  node->needs_runtime_shapes_ = needs_runtime_shapes;
  node->output_shapes_ = ic.TakeOutputs();
  node->has_const_value_ = const_value.has_value();
  node->const_value_ = std::move(const_value);
  // A large constant lives once, as the parsed tensor: drop the bytes from
  // the attr (ToGraphDef writes them back from const_value()). Bytes the
  // conversion consumed are always among those dropped (2 MiB and more).
  if (node->const_value_) {
    auto it = node->attrs_.find("value");
    if (it != node->attrs_.end() && it->second.has_tensor() &&
        it->second.tensor().ByteSizeLong() > kElideConstBytes) {
      pb::TensorProto* t = it->second.mutable_tensor();
      pb::TensorProto light;
      light.set_dtype(t->dtype());
      *light.mutable_tensor_shape() = t->tensor_shape();
      t->Swap(&light);
      node->const_value_elided_ = true;
    }
  }
  Node* raw = node.get();
  for (int i = 0; i < raw->num_inputs(); ++i) {
    raw->inputs_[i].node->data_consumers_.emplace_back(raw, i);
  }
  for (Node* c : raw->control_inputs_) c->control_consumers_.push_back(raw);
  by_name_.emplace(raw->name_, raw);
  if (names_indexed_) MarkNameUsed(raw->name_);
  nodes_.push_back(std::move(node));
  return raw;
}

namespace {

// Whether `value` (a node's, read under its lock) is held by nothing else.
// No new reference can appear meanwhile (that needs the lock); the fence
// orders what follows (freeing the memory) after the reads of the holders
// that just dropped theirs.
bool HeldByNodeAlone(const Tensor& value) {
  const bool alone = value.buffer().use_count() <= 1;
  std::atomic_thread_fence(std::memory_order_acquire);
  return alone;
}

}  // namespace

bool Graph::ReleaseConstValue(Node* node, ConstRestorer restore) {
  absl::MutexLock lock(&node->value_mu_);
  if (restore == nullptr || !node->const_value_.has_value() || node->value_pinned_ ||
      !HeldByNodeAlone(*node->const_value_)) {
    return false;
  }
  node->restorer_ = std::move(restore);
  node->const_value_.reset();
  return true;
}

absl::Status Graph::DeriveAndReleaseConstValue(Node* node, const ConstDeriver& derive) {
  if (!node->has_const_value_) {
    return absl::FailedPreconditionError(
        absl::StrCat("'", node->name_, "' has no constant value"));
  }
  absl::MutexLock lock(&node->value_mu_);
  RETURN_IF_ERROR(node->RestoreLocked());
  const bool consume = !node->value_pinned_ && HeldByNodeAlone(*node->const_value_);
  ASSIGN_OR_RETURN(ConstRestorer restore, derive(*node->const_value_, consume));
  if (consume) {
    if (restore == nullptr) {
      return absl::InternalError(absl::StrCat("deriving from '", node->name_,
                                              "' consumed its value and gave no restorer"));
    }
    node->restorer_ = std::move(restore);
    node->const_value_.reset();
  }
  return absl::OkStatus();
}

Node* Graph::FindNode(absl::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

absl::StatusOr<Output> Graph::FindOutput(absl::string_view tensor_name) const {
  ASSIGN_OR_RETURN(auto parsed, ParseTensorName(tensor_name));
  const std::string full = absl::StrCat(parsed.first, ":", parsed.second);
  Node* n = FindNode(parsed.first);
  if (n == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "The name '", full, "' refers to a Tensor which does not exist. The operation, '",
        parsed.first, "', does not exist in the graph."));
  }
  if (parsed.second >= n->num_outputs()) {
    return absl::NotFoundError(absl::StrCat(
        "The name '", full, "' refers to a Tensor which does not exist. The operation, '",
        parsed.first, "', exists but only has ", n->num_outputs(), " outputs."));
  }
  return Output(n, parsed.second);
}

void Graph::IndexNames() {
  if (names_indexed_) return;
  names_indexed_ = true;
  for (const std::unique_ptr<Node>& node : nodes_) MarkNameUsed(node->name());
}

std::string Graph::UniqueName(const std::string& name) {
  IndexNames();
  std::string key = absl::AsciiStrToLower(name);
  int i = names_in_use_[key]++;
  if (i == 0) return name;
  std::string candidate_key = key;
  while (names_in_use_.contains(candidate_key)) {
    candidate_key = absl::StrCat(key, "_", i);
    ++i;
  }
  names_in_use_[candidate_key] = 1;
  return absl::StrCat(name, "_", i - 1);
}

void Graph::MarkNameUsed(const std::string& name) {
  IndexNames();
  int& count = names_in_use_[absl::AsciiStrToLower(name)];
  if (count == 0) count = 1;
}

void Graph::AddToCollection(const std::string& key, const std::string& value) {
  collections_[key].push_back(value);
}

const std::vector<std::string>& Graph::GetCollection(const std::string& key) const {
  static const auto* const kEmpty = new std::vector<std::string>();
  auto it = collections_.find(key);
  return it == collections_.end() ? *kEmpty : it->second;
}

}  // namespace rill
