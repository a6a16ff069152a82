// OpRegistry: the one place op definitions live. Every op family registers
// itself through a RegisterXOps(OpRegistry&) function; GlobalOpRegistry()
// calls them all on first use (no static initializers).
#ifndef RILL_OPS_OP_REGISTRY_H_
#define RILL_OPS_OP_REGISTRY_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/op_def.h"
#include "ops/op_def_builder.h"

namespace rill {

class OpRegistry : public OpRegistryInterface {
 public:
  // Finalizes and adds the op. AlreadyExists for a duplicate name,
  // InvalidArgument for a bad definition.
  absl::Status Register(const OpDefBuilder& builder);
  absl::StatusOr<const OpDef*> LookUp(const std::string& op_type) const override;
  std::vector<std::string> ListOps() const;

 private:
  std::map<std::string, std::unique_ptr<OpDef>> ops_;
};

// Every op rill defines. Thread-safe; filled once.
const OpRegistry& GlobalOpRegistry();

// Registers all standard op families into `registry`.
absl::Status RegisterStandardOps(OpRegistry& registry);

}  // namespace rill

#endif  // RILL_OPS_OP_REGISTRY_H_
