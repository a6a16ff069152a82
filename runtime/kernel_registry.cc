#include "runtime/kernel_registry.h"

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"

namespace rill {

absl::Status KernelRegistry::Register(const std::string& op, DataType dtype,
                                      KernelFactory factory) {
  auto [it, inserted] = factories_.emplace(std::make_pair(op, static_cast<int>(dtype)),
                                           std::move(factory));
  if (!inserted) {
    return absl::AlreadyExistsError(absl::StrCat(
        "Kernel for op '", op, "' and dtype ", DataTypeString(dtype), " registered twice"));
  }
  return absl::OkStatus();
}

DataType KernelRegistry::KernelDataType(const Node& node) {
  for (const char* attr : {"dtype", "T"}) {
    auto it = node.attrs().find(attr);
    if (it != node.attrs().end() && it->second.value_case() == pb::AttrValue::kType) {
      return BaseType(it->second.type());
    }
  }
  return DT_INVALID;
}

bool KernelRegistry::HasKernel(const std::string& op, DataType dtype) const {
  return factories_.count({op, static_cast<int>(dtype)}) > 0 ||
         factories_.count({op, static_cast<int>(DT_INVALID)}) > 0;
}

absl::StatusOr<std::unique_ptr<OpKernel>> KernelRegistry::CreateKernel(const Node& node) const {
  const DataType dtype = KernelDataType(node);
  auto it = factories_.find({node.op(), static_cast<int>(dtype)});
  if (it == factories_.end()) it = factories_.find({node.op(), static_cast<int>(DT_INVALID)});
  if (it == factories_.end()) {
    return absl::UnimplementedError(absl::StrCat(
        "No CPU kernel registered for op '", node.op(), "' with dtype ",
        DataTypeString(dtype), " (node '", node.name(), "')"));
  }
  absl::StatusOr<std::unique_ptr<OpKernel>> k = it->second(node);
  if (!k.ok()) {
    return absl::Status(k.status().code(), absl::StrCat(k.status().message(), " (node '",
                                                        node.name(), "')"));
  }
  return k;
}

absl::Status KernelRegistry::Validate(const OpRegistryInterface& ops) const {
  for (const auto& [key, factory] : factories_) {
    if (!ops.LookUp(key.first).ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Kernel registered for unknown op '", key.first, "'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace rill
