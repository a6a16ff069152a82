#include "ops/op_def_builder.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "graph/attr_value.h"

namespace rill {
namespace {

std::string Trim(absl::string_view s) { return std::string(absl::StripAsciiWhitespace(s)); }

// Splits "name: rest" into its parts.
bool SplitSpec(const std::string& spec, std::string* name, std::string* rest) {
  size_t colon = spec.find(':');
  if (colon == std::string::npos) return false;
  *name = Trim(spec.substr(0, colon));
  *rest = Trim(spec.substr(colon + 1));
  return !name->empty() && !rest->empty();
}

}  // namespace

absl::StatusOr<DataType> ParseDataTypeName(const std::string& name) {
  std::string upper = absl::AsciiStrToUpper(name);
  if (!absl::StartsWith(upper, "DT_")) upper = "DT_" + upper;
  DataType dt;
  if (!pb::DataType_Parse(upper, &dt) || dt == DT_INVALID) {
    return absl::InvalidArgumentError(absl::StrCat("Unknown dtype name '", name, "'"));
  }
  return dt;
}

OpDefBuilder::OpDefBuilder(std::string op_name) { def_.name = std::move(op_name); }

OpDefBuilder& OpDefBuilder::Input(const std::string& spec) {
  ArgDef arg;
  std::string type;
  if (!SplitSpec(spec, &arg.name, &type)) {
    errors_.push_back(absl::StrCat("bad arg spec '", spec, "'"));
    return *this;
  }
  if (size_t star = type.find('*'); star != std::string::npos) {
    arg.number_attr = Trim(type.substr(0, star));
    type = Trim(type.substr(star + 1));
  }
  if (absl::StartsWith(type, "Ref(") && absl::EndsWith(type, ")")) {
    arg.is_ref = true;
    type = Trim(type.substr(4, type.size() - 5));
  }
  absl::StatusOr<DataType> fixed = ParseDataTypeName(type);
  // Lower-case names are fixed dtypes; anything else names a type attr.
  if (fixed.ok() && absl::ascii_islower(static_cast<unsigned char>(type[0]))) {
    arg.type = *fixed;
  } else {
    arg.type_attr = type;
  }
  def_.inputs.push_back(std::move(arg));
  return *this;
}

OpDefBuilder& OpDefBuilder::Output(const std::string& spec) {
  Input(spec);
  if (!def_.inputs.empty() && errors_.empty()) {
    def_.outputs.push_back(std::move(def_.inputs.back()));
    def_.inputs.pop_back();
  }
  return *this;
}

OpDefBuilder& OpDefBuilder::Attr(const std::string& spec) {
  AttrDef attr;
  std::string rest;
  if (!SplitSpec(spec, &attr.name, &rest)) {
    errors_.push_back(absl::StrCat("bad attr spec '", spec, "'"));
    return *this;
  }
  std::string default_text;
  if (size_t eq = rest.find('='); eq != std::string::npos && rest.find(">=") != eq - 1) {
    default_text = Trim(rest.substr(eq + 1));
    rest = Trim(rest.substr(0, eq));
  }
  if (absl::StartsWith(rest, "{")) {
    std::string body = Trim(rest.substr(1, rest.size() - 2));
    for (absl::string_view item : absl::StrSplit(body, ',')) {
      std::string v = Trim(item);
      if (absl::StartsWith(v, "'")) {
        attr.type = "string";
        attr.allowed_strings.push_back(v.substr(1, v.size() - 2));
      } else {
        attr.type = "type";
        absl::StatusOr<DataType> dt = ParseDataTypeName(v);
        if (!dt.ok()) {
          errors_.push_back(absl::StrCat("attr '", attr.name, "': ", dt.status().message()));
          return *this;
        }
        attr.allowed_types.push_back(*dt);
      }
    }
  } else if (absl::StartsWith(rest, "int >=")) {
    attr.type = "int";
    int64_t min = 0;
    if (!absl::SimpleAtoi(Trim(rest.substr(6)), &min)) {
      errors_.push_back(absl::StrCat("bad minimum in '", spec, "'"));
      return *this;
    }
    attr.minimum = min;
  } else {
    attr.type = rest;
  }
  if (!default_text.empty()) {
    pb::AttrValue v;
    bool ok = true;
    if (attr.type == "bool") {
      ok = default_text == "true" || default_text == "false";
      v.set_b(default_text == "true");
    } else if (attr.type == "int") {
      int64_t i = 0;
      ok = absl::SimpleAtoi(default_text, &i);
      v.set_i(i);
    } else if (attr.type == "float") {
      float f = 0;
      ok = absl::SimpleAtof(default_text, &f);
      v.set_f(f);
    } else if (attr.type == "string") {
      ok = default_text.size() >= 2 && default_text.front() == '\'' &&
           default_text.back() == '\'';
      if (ok) v.set_s(default_text.substr(1, default_text.size() - 2));
    } else if (attr.type == "type") {
      absl::StatusOr<DataType> dt = ParseDataTypeName(default_text);
      ok = dt.ok();
      if (ok) v.set_type(*dt);
    } else {
      ok = false;
    }
    if (!ok) {
      errors_.push_back(absl::StrCat("bad default in '", spec, "'"));
      return *this;
    }
    attr.default_value = v;
  }
  def_.attrs.push_back(std::move(attr));
  return *this;
}

OpDefBuilder& OpDefBuilder::AttrWithDefault(const std::string& name, const std::string& type,
                                            pb::AttrValue default_value) {
  AttrDef attr;
  attr.name = name;
  attr.type = type;
  attr.default_value = std::move(default_value);
  def_.attrs.push_back(std::move(attr));
  return *this;
}

OpDefBuilder& OpDefBuilder::SetIsStateful() {
  def_.is_stateful = true;
  return *this;
}

OpDefBuilder& OpDefBuilder::SetAllowsUninitializedInput() {
  def_.allows_uninitialized_input = true;
  return *this;
}

OpDefBuilder& OpDefBuilder::SetShapeFn(ShapeFn fn) {
  def_.shape_fn = std::move(fn);
  return *this;
}

OpDefBuilder& OpDefBuilder::SetConstFn(ConstFn fn) {
  def_.const_fn = std::move(fn);
  return *this;
}

absl::StatusOr<OpDef> OpDefBuilder::Finalize() const {
  std::vector<std::string> errors = errors_;
  auto check_args = [&](const std::vector<ArgDef>& args) {
    for (const ArgDef& a : args) {
      for (const std::string& ref : {a.type_attr, a.number_attr}) {
        if (!ref.empty() && def_.FindAttr(ref) == nullptr) {
          errors.push_back(absl::StrCat("arg '", a.name, "' uses undefined attr '", ref, "'"));
        }
      }
    }
  };
  check_args(def_.inputs);
  check_args(def_.outputs);
  if (!def_.shape_fn) errors.push_back("no shape function");
  if (!errors.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("OpDef '", def_.name, "': ", absl::StrJoin(errors, "; ")));
  }
  return def_;
}

}  // namespace rill
