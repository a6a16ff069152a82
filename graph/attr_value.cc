#include "graph/attr_value.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/status_macros.h"

namespace rill {
namespace {

absl::StatusOr<const pb::AttrValue*> Find(const AttrMap& attrs, const std::string& name,
                                          pb::AttrValue::ValueCase want,
                                          const char* want_name) {
  auto it = attrs.find(name);
  if (it == attrs.end()) {
    return absl::NotFoundError(absl::StrCat("No attr named '", name, "'"));
  }
  if (it->second.value_case() != want) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Attr '", name, "' has type ", AttrValueKind(it->second), ", expected ", want_name));
  }
  return &it->second;
}

}  // namespace

pb::AttrValue AttrInt(int64_t v) { pb::AttrValue a; a.set_i(v); return a; }
pb::AttrValue AttrFloat(float v) { pb::AttrValue a; a.set_f(v); return a; }
pb::AttrValue AttrBool(bool v) { pb::AttrValue a; a.set_b(v); return a; }
pb::AttrValue AttrString(const std::string& v) { pb::AttrValue a; a.set_s(v); return a; }
pb::AttrValue AttrType(DataType v) { pb::AttrValue a; a.set_type(v); return a; }
pb::AttrValue AttrShape(const TensorShape& v) {
  pb::AttrValue a;
  v.ToProto(a.mutable_shape());
  return a;
}
pb::AttrValue AttrIntList(const std::vector<int64_t>& v) {
  pb::AttrValue a;
  auto* list = a.mutable_list();
  for (int64_t x : v) list->add_i(x);
  return a;
}
pb::AttrValue AttrStringList(const std::vector<std::string>& v) {
  pb::AttrValue a;
  auto* list = a.mutable_list();
  for (const auto& x : v) list->add_s(x);
  return a;
}

absl::StatusOr<int64_t> GetIntAttr(const AttrMap& attrs, const std::string& name) {
  ASSIGN_OR_RETURN(const pb::AttrValue* v, Find(attrs, name, pb::AttrValue::kI, "int"));
  return v->i();
}
absl::StatusOr<float> GetFloatAttr(const AttrMap& attrs, const std::string& name) {
  ASSIGN_OR_RETURN(const pb::AttrValue* v, Find(attrs, name, pb::AttrValue::kF, "float"));
  return v->f();
}
absl::StatusOr<bool> GetBoolAttr(const AttrMap& attrs, const std::string& name) {
  ASSIGN_OR_RETURN(const pb::AttrValue* v, Find(attrs, name, pb::AttrValue::kB, "bool"));
  return v->b();
}
absl::StatusOr<std::string> GetStringAttr(const AttrMap& attrs, const std::string& name) {
  ASSIGN_OR_RETURN(const pb::AttrValue* v, Find(attrs, name, pb::AttrValue::kS, "string"));
  return v->s();
}
absl::StatusOr<DataType> GetTypeAttr(const AttrMap& attrs, const std::string& name) {
  ASSIGN_OR_RETURN(const pb::AttrValue* v, Find(attrs, name, pb::AttrValue::kType, "type"));
  return v->type();
}
absl::StatusOr<TensorShape> GetShapeAttr(const AttrMap& attrs, const std::string& name) {
  ASSIGN_OR_RETURN(const pb::AttrValue* v, Find(attrs, name, pb::AttrValue::kShape, "shape"));
  return TensorShape::FromProto(v->shape());
}
absl::StatusOr<std::vector<int64_t>> GetIntListAttr(const AttrMap& attrs,
                                                    const std::string& name) {
  ASSIGN_OR_RETURN(const pb::AttrValue* v,
                   Find(attrs, name, pb::AttrValue::kList, "list(int)"));
  return std::vector<int64_t>(v->list().i().begin(), v->list().i().end());
}

std::string AttrValueKind(const pb::AttrValue& v) {
  switch (v.value_case()) {
    case pb::AttrValue::kList: {
      const auto& l = v.list();
      if (l.s_size()) return "list(string)";
      if (l.i_size()) return "list(int)";
      if (l.f_size()) return "list(float)";
      if (l.b_size()) return "list(bool)";
      if (l.type_size()) return "list(type)";
      if (l.shape_size()) return "list(shape)";
      if (l.tensor_size()) return "list(tensor)";
      if (l.func_size()) return "list(func)";
      return "list";
    }
    case pb::AttrValue::kS: return "string";
    case pb::AttrValue::kI: return "int";
    case pb::AttrValue::kF: return "float";
    case pb::AttrValue::kB: return "bool";
    case pb::AttrValue::kType: return "type";
    case pb::AttrValue::kShape: return "shape";
    case pb::AttrValue::kTensor: return "tensor";
    case pb::AttrValue::kPlaceholder: return "placeholder";
    case pb::AttrValue::kFunc: return "func";
    default: return "";
  }
}

std::string SummarizeAttrValue(const pb::AttrValue& v) {
  switch (v.value_case()) {
    case pb::AttrValue::kS: return absl::StrCat("\"", v.s(), "\"");
    case pb::AttrValue::kI: return absl::StrCat(v.i());
    case pb::AttrValue::kF: return absl::StrCat(v.f());
    case pb::AttrValue::kB: return v.b() ? "true" : "false";
    case pb::AttrValue::kType: return pb::DataType_Name(v.type());
    case pb::AttrValue::kShape: {
      auto s = TensorShape::FromProto(v.shape());
      return s.ok() ? s->ToString() : "<invalid shape>";
    }
    case pb::AttrValue::kTensor: {
      auto s = TensorShape::FromProto(v.tensor().tensor_shape());
      return absl::StrCat("Tensor<type: ", DataTypeString(v.tensor().dtype()),
                          " shape: ", s.ok() ? s->ToString() : "<invalid>", ">");
    }
    case pb::AttrValue::kList: {
      const auto& l = v.list();
      std::vector<std::string> parts;
      for (const auto& x : l.s()) parts.push_back(absl::StrCat("\"", x, "\""));
      for (int64_t x : l.i()) parts.push_back(absl::StrCat(x));
      for (float x : l.f()) parts.push_back(absl::StrCat(x));
      for (bool x : l.b()) parts.push_back(x ? "true" : "false");
      for (int x : l.type()) parts.push_back(pb::DataType_Name(static_cast<DataType>(x)));
      return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
    }
    case pb::AttrValue::kPlaceholder: return absl::StrCat("$", v.placeholder());
    case pb::AttrValue::kFunc: return absl::StrCat("func ", v.func().name());
    default: return "<unset>";
  }
}

}  // namespace rill
