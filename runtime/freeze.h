// FreezeGraph: TensorFlow's convert_variables_to_constants. Produces a
// GraphDef holding only what `output_names` need, where every VariableV2 has
// become a Const with the Session's current value. Initializers and Assigns
// drop out because the outputs do not need them; "<var>/read" Identities stay.
// The result runs with `runner run` without any variables.
#ifndef RILL_RUNTIME_FREEZE_H_
#define RILL_RUNTIME_FREEZE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/graph.pb.h"
#include "runtime/session.h"

namespace rill {

struct FrozenGraph {
  pb::GraphDef graph_def;
  int converted_variables = 0;  // "Converted N variables to const ops."
};

// `output_names` are node names (":k" and "^" are stripped). Errors: NotFound
// "'x' is not in graph"; FailedPrecondition "Attempting to use uninitialized
// value v" for a needed variable never assigned in `session`.
absl::StatusOr<FrozenGraph> FreezeGraph(const Session& session,
                                        const std::vector<std::string>& output_names);

}  // namespace rill

#endif  // RILL_RUNTIME_FREEZE_H_
