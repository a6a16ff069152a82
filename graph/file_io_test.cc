#include "graph/file_io.h"

#include <dirent.h>
#include <sys/stat.h>

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

}  // namespace
}  // namespace rill
