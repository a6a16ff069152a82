// Status propagation macros. Debian's absl 20220623 has no status_macros.h,
// so rill carries this small equivalent.
#ifndef RILL_GRAPH_STATUS_MACROS_H_
#define RILL_GRAPH_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RILL_STATUS_CONCAT_INNER_(a, b) a##b
#define RILL_STATUS_CONCAT_(a, b) RILL_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not ok.
#define RETURN_IF_ERROR(expr)                              \
  do {                                                     \
    ::absl::Status rill_status_ = (expr);                  \
    if (!rill_status_.ok()) return rill_status_;           \
  } while (0)

// `lhs` = value of the StatusOr `rexpr`, or returns its error.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  RILL_ASSIGN_OR_RETURN_IMPL_(RILL_STATUS_CONCAT_(rill_statusor_, __LINE__), lhs, rexpr)

#define RILL_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                \
  if (!statusor.ok()) return statusor.status();           \
  lhs = std::move(statusor).value()

// For programmer errors only (never for user input): aborts with a message.
#define RILL_CHECK(cond)                                                   \
  do {                                                                     \
    if (!(cond)) ::rill::internal::CheckFailed(__FILE__, __LINE__, #cond); \
  } while (0)

namespace rill {
namespace internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* cond);
}  // namespace internal
}  // namespace rill

#endif  // RILL_GRAPH_STATUS_MACROS_H_
