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

// Writes `contents` to `path` atomically: to a temp file "<path>.tmp.XXXXXX"
// in the same folder, fsync'ed, then renamed over `path`. Errors
// (PermissionDenied, NotFound for a missing folder, DataLoss for a failed
// write) name the path; on error `path` is untouched and no temp file is left
// behind. A process killed mid-write (SIGKILL, power loss) leaves `path` as
// the old or the new file, never torn (tests/atomic_write_test.cc), but may
// leave its temp file: nothing reads it, and it can be deleted.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace rill

#endif  // RILL_GRAPH_FILE_IO_H_
