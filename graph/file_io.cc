#include "graph/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"

namespace rill {
namespace {

absl::Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string msg = absl::StrCat(what, " '", path, "': ", std::strerror(err));
  switch (err) {
    case ENOENT: return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
    case EROFS: return absl::PermissionDeniedError(msg);
    case ENOSPC: return absl::ResourceExhaustedError(msg);
    case EISDIR: return absl::InvalidArgumentError(msg);
    default: return absl::DataLossError(msg);
  }
}

}  // namespace

absl::StatusOr<FileReader> FileReader::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("Cannot open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus("Cannot stat", path, err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' is a directory, not a file"));
  }
  return FileReader(path, fd, S_ISREG(st.st_mode) ? static_cast<int64_t>(st.st_size) : -1);
}

FileReader::FileReader(FileReader&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), size_(other.size_) {
  other.fd_ = -1;
}

FileReader::~FileReader() {
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<size_t> FileReader::Read(char* dst, size_t n) {
  while (true) {
    const ssize_t got = ::read(fd_, dst, n);
    if (got >= 0) return static_cast<size_t>(got);
    const int err = errno;
    if (err != EINTR) return ErrnoStatus("Cannot read", path_, err);
  }
}

absl::Status FileReader::ReadExactly(char* dst, size_t n) {
  size_t done = 0;
  while (done < n) {
    ASSIGN_OR_RETURN(size_t got, Read(dst + done, n - done));
    if (got == 0) {
      return absl::DataLossError(
          absl::StrCat("'", path_, "' ended after ", done, " of ", n, " bytes"));
    }
    done += got;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> FileReader::ReadRest(int64_t max_bytes) {
  if (size_ > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "File '", path_, "' has ", size_, " bytes, more than the limit of ", max_bytes));
  }
  // Read straight into a string sized from fstat: one allocation and no
  // staging copy (a 25 MB graph used to be copied twice and regrown ~9
  // times). Past that size (pipes and /proc files report none or 0, a file
  // may grow) reads go through a buffer and are appended.
  std::string out(static_cast<size_t>(std::max<int64_t>(size_, 0)), '\0');
  size_t filled = 0;
  std::vector<char> more;
  while (true) {
    const bool in_place = filled < out.size();
    if (!in_place && more.empty()) more.resize(size_t{1} << 16);
    ASSIGN_OR_RETURN(size_t n, in_place ? Read(&out[filled], out.size() - filled)
                                        : Read(more.data(), more.size()));
    if (n == 0) break;
    if (static_cast<int64_t>(filled + n) > max_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "File '", path_, "' is larger than the limit of ", max_bytes, " bytes"));
    }
    if (!in_place) out.append(more.data(), n);
    filled += n;
  }
  out.resize(filled);  // The file shrank since fstat.
  return out;
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path, int64_t max_bytes) {
  ASSIGN_OR_RETURN(FileReader file, FileReader::Open(path));
  return file.ReadRest(max_bytes);
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  std::string tmpl = path + ".tmp.XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0) return ErrnoStatus("Cannot create a temporary file for", path, errno);
  const std::string tmp(name.data());
  auto fail = [&](const char* what, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return ErrnoStatus(what, path, err);
  };
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("Cannot write", errno);
    }
    written += static_cast<size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0) return fail("Cannot set permissions of", errno);
  if (::fsync(fd) != 0) return fail("Cannot flush", errno);
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus("Cannot close", path, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus("Cannot rename the temporary file onto", path, err);
  }
  return absl::OkStatus();
}

}  // namespace rill
