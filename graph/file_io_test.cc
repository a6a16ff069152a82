#include "graph/file_io.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "absl/strings/match.h"

#include "graph/test_util.h"
#include "gtest/gtest.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

int CountEntries(const std::string& dir) {
  int n = 0;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

TEST(FileIoTest, AtomicWriteReplacesAndLeavesNoTempFiles) {
  const std::string dir = ::testing::TempDir() + "/fileio";
  mkdir(dir.c_str(), 0755);
  const std::string path = dir + "/f.bin";
  RILL_ASSERT_OK(WriteFileAtomically(path, "first"));
  RILL_ASSERT_OK(WriteFileAtomically(path, std::string("sec\0ond", 7)));
  EXPECT_EQ(*ReadFileToString(path), std::string("sec\0ond", 7));
  EXPECT_EQ(CountEntries(dir), 1);
}

TEST(FileIoTest, ErrorsNameThePath) {
  EXPECT_TRUE(HasError(ReadFileToString("/nonexistent/x"), absl::StatusCode::kNotFound,
                       "/nonexistent/x"));
  EXPECT_TRUE(HasError(WriteFileAtomically("/nonexistent/dir/x", "a"),
                       absl::StatusCode::kNotFound, "/nonexistent/dir/x"));
  EXPECT_TRUE(HasError(ReadFileToString(::testing::TempDir()),
                       absl::StatusCode::kInvalidArgument, "is a directory"));
  const std::string path = ::testing::TempDir() + "/big";
  RILL_ASSERT_OK(WriteFileAtomically(path, std::string(100, 'x')));
  EXPECT_TRUE(HasError(ReadFileToString(path, 99), absl::StatusCode::kResourceExhausted,
                       "more than the limit of 99"));
}

// Regular files are read into a string sized by fstat; files fstat reports
// as empty (procfs) or that have no size (a FIFO) are read to their end all
// the same, in pieces.
TEST(FileIoTest, ReadsFilesWhoseSizeFstatDoesNotKnow) {
  const std::string path = ::testing::TempDir() + "/sizes";
  std::string big(3 * 4096 + 17, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 23);
  RILL_ASSERT_OK(WriteFileAtomically(path, big));
  EXPECT_EQ(*ReadFileToString(path), big);
  RILL_ASSERT_OK(WriteFileAtomically(path, ""));
  EXPECT_EQ(*ReadFileToString(path), "");

  absl::StatusOr<std::string> status = ReadFileToString("/proc/self/status");
  RILL_ASSERT_OK(status.status());
  EXPECT_TRUE(absl::StartsWith(*status, "Name:\t")) << *status;
  EXPECT_TRUE(absl::StrContains(*status, "\nVmRSS:")) << *status;

  const std::string fifo = ::testing::TempDir() + "/fifo";
  unlink(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    std::FILE* f = std::fopen(fifo.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fwrite(big.data(), 1, big.size(), f);
    std::fclose(f);
  });
  absl::StatusOr<std::string> piped = ReadFileToString(fifo);
  writer.join();
  RILL_ASSERT_OK(piped.status());
  EXPECT_EQ(*piped, big);
  EXPECT_TRUE(HasError(ReadFileToString("/proc/self/status", 10),
                       absl::StatusCode::kResourceExhausted, "larger than the limit of 10"));
}

}  // namespace
}  // namespace rill
