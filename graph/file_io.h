// Whole-file and sequential reads with a size cap, and atomic writes (temp file in the same
// folder, fsync, rename): a crash or kill leaves the old file or the new one,
// never a torn one.
#ifndef RILL_GRAPH_FILE_IO_H_
#define RILL_GRAPH_FILE_IO_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"

namespace rill {

constexpr int64_t kDefaultMaxFileBytes = int64_t{4} << 30;

// NotFound if the file does not exist; ResourceExhausted if larger than
// `max_bytes`; Unknown-free: other I/O failures are DataLoss naming the path.
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             int64_t max_bytes = kDefaultMaxFileBytes);

// A file opened for reading front to back, for readers that place its bytes
// where they belong (a tensor's buffer) instead of staging the whole file in
// a string. Closed on destruction. Errors name the path: NotFound,
// PermissionDenied, InvalidArgument for a directory, DataLoss for other
// I/O failures.
class FileReader {
 public:
  static absl::StatusOr<FileReader> Open(const std::string& path);
  FileReader(FileReader&& other) noexcept;
  FileReader& operator=(FileReader&& other) = delete;
  FileReader(const FileReader&) = delete;
  ~FileReader();

  const std::string& path() const { return path_; }
  // The size fstat reported at Open, or -1 when the file has none (a pipe,
  // a character device); procfs files report 0.
  int64_t size() const { return size_; }
  // Reads up to `n` bytes; returns how many (0 at the end of the file).
  absl::StatusOr<size_t> Read(char* dst, size_t n);
  // Reads exactly `n` bytes: DataLoss "'<path>' ended after <k> of <n>
  // bytes" when the file ends first.
  absl::Status ReadExactly(char* dst, size_t n);
  // Reads everything left, from where the reads so far stopped (a FIFO
  // cannot be opened again to start over). ResourceExhausted when the file
  // (its fstat size, or what it turns out to hold) is above `max_bytes`.
  absl::StatusOr<std::string> ReadRest(int64_t max_bytes);

 private:
  FileReader(std::string path, int fd, int64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}

  std::string path_;
  int fd_;
  int64_t size_;
};

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
