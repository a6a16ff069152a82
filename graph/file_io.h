// Whole-file reads with a size cap, and atomic writes (temp file in the same
// folder, fsync, rename): a crash or kill leaves the old file or the new one,
// never a torn one.
#ifndef RILL_GRAPH_FILE_IO_H_
#define RILL_GRAPH_FILE_IO_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace rill {

constexpr int64_t kDefaultMaxFileBytes = int64_t{4} << 30;

// NotFound if the file does not exist; ResourceExhausted if larger than
// `max_bytes`; Unknown-free: other I/O failures are DataLoss naming the path.
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             int64_t max_bytes = kDefaultMaxFileBytes);

// Writes `contents` to `path` atomically. Errors (PermissionDenied, NotFound
// for a missing folder, DataLoss for a failed write) name the path; on error
// `path` is untouched and no temp file is left behind.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace rill

#endif  // RILL_GRAPH_FILE_IO_H_
