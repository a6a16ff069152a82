// Fuzzes .npy reading under a 1 MiB tensor cap: ParseNpy on the bytes, and
// ReadNpyFile (the runner's --input path, which reads the header and then
// the data straight into the tensor) on the same bytes written to a file.
// Invariants: nothing crashes; both accept and reject the same inputs, with
// the same code and message (the file's prefixed with its path) and equal
// tensors; and a tensor that parses encodes (EncodeNpy) to bytes that parse
// back to an equal tensor.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_util.h"
#include "graph/file_io.h"
#include "runtime/npy.h"

namespace {

// An in-memory file (memfd: a regular file, so ReadNpyFile takes its sized
// path), opened by name through /proc: writing it costs no file system work.
struct ScratchFile {
  ScratchFile() : fd(memfd_create("rill_npy_fuzz", MFD_CLOEXEC)) {
    if (fd < 0) rill::fuzz::Fail("memfd_create failed");
    path = absl::StrCat("/proc/self/fd/", fd);
  }
  void Write(const std::string& bytes) const {
    if (ftruncate(fd, 0) != 0 ||
        pwrite(fd, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
      rill::fuzz::Fail("cannot write the memfd");
    }
  }
  int fd;
  std::string path;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<rill::Tensor> t = rill::ParseNpy(bytes, rill::fuzz::kMaxTensorBytes);

  static const ScratchFile* file = new ScratchFile();
  file->Write(bytes);
  const std::string& path = file->path;
  absl::StatusOr<rill::Tensor> read = rill::ReadNpyFile(path, rill::fuzz::kMaxTensorBytes);
  if (read.ok() != t.ok()) {
    rill::fuzz::Fail("ReadNpyFile and ParseNpy disagree: " + read.status().ToString() + " vs " +
                     t.status().ToString());
  }
  if (!t.ok()) {
    // Only a file above the cap (plus header room) fails differently: on its
    // size, before its header is read.
    const bool over_size = static_cast<int64_t>(bytes.size()) > rill::fuzz::kMaxTensorBytes;
    if (read.status().code() != t.status().code() && !over_size) {
      rill::fuzz::Fail("error codes differ: " + read.status().ToString() + " vs " +
                       t.status().ToString());
    }
    if (read.status().code() == t.status().code() &&
        read.status().message() != absl::StrCat(path, ": ", t.status().message())) {
      rill::fuzz::Fail("messages differ: " + read.status().ToString() + " vs " +
                       t.status().ToString());
    }
    return 0;
  }
  if (!read->Equals(*t)) rill::fuzz::Fail("ReadNpyFile and ParseNpy give different tensors");
  absl::StatusOr<rill::Tensor> again =
      rill::ParseNpy(rill::EncodeNpy(*t), rill::fuzz::kMaxTensorBytes);
  if (!again.ok()) {
    rill::fuzz::Fail("EncodeNpy output does not parse: " + again.status().ToString());
  }
  if (!again->Equals(*t)) rill::fuzz::Fail("npy round trip changed the tensor");
  return 0;
}
