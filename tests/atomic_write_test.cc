// A kill at any moment of a write leaves the old file or the new one, never a
// torn one: a child process rewrites a large .npy file in a loop (WriteNpyFile
// -> WriteFileAtomically: temp file in the same folder, fsync, rename) and the
// parent SIGKILLs it at pseudo-random moments, many times. After each kill
// the file must parse as exactly one of the two tensors the child alternates.
//
// A SIGKILL cannot be cleaned up after: a kill between mkstemp and rename
// leaves a stray "<path>.tmp.XXXXXX" beside the file (documented in
// graph/file_io.h). The test checks every stray has that form, counts them
// and prints the count; the target file itself is never affected.
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "graph/file_io.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "runtime/npy.h"

namespace rill {
namespace {

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  }
  closedir(d);
  return names;
}

Tensor Filled(int64_t n, float value) {
  Tensor t = *Tensor::Allocate(DT_FLOAT, TensorShape({n}));
  for (float& v : t.flat<float>()) v = value;
  return t;
}

TEST(AtomicWriteTest, KillDuringWriteLeavesOldOrNewFile) {
  const std::string dir = ::testing::TempDir() + "/atomic_kill";
  mkdir(dir.c_str(), 0755);
  const std::string path = dir + "/x.npy";
  // 4 MiB and 6 MiB: a torn file would have the wrong size or mixed values.
  const Tensor old_value = Filled(1 << 20, 1.0f);
  const Tensor new_value = Filled(3 << 19, 2.0f);
  RILL_ASSERT_OK(WriteNpyFile(path, old_value));

  constexpr int kKills = 60;
  std::mt19937 rng(20261125);  // Fixed seed: the same kill schedule every run.
  std::uniform_int_distribution<int> delay_us(0, 40000);
  int saw_old = 0, saw_new = 0, strays = 0, child_writes_failed = 0;
  for (int i = 0; i < kKills; ++i) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The child alternates new, old, new, ... until killed.
      for (int k = 0;; ++k) {
        if (!WriteNpyFile(path, k % 2 == 0 ? new_value : old_value).ok()) _exit(3);
      }
    }
    // Timing is the point of this test: kill after a pseudo-random delay.
    usleep(delay_us(rng));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (!WIFSIGNALED(status)) ++child_writes_failed;

    absl::StatusOr<Tensor> read = ReadNpyFile(path);
    ASSERT_TRUE(read.ok()) << "after kill " << i << ": " << read.status();
    if (read->Equals(old_value)) {
      ++saw_old;
    } else if (read->Equals(new_value)) {
      ++saw_new;
    } else {
      FAIL() << "after kill " << i << " the file is neither the old nor the new tensor: "
             << read->DebugString(4);
    }
    for (const std::string& name : ListDir(dir)) {
      if (name == "x.npy") continue;
      EXPECT_TRUE(absl::StartsWith(name, "x.npy.tmp.")) << "unexpected file " << name;
      ++strays;
      unlink((dir + "/" + name).c_str());
    }
  }
  EXPECT_EQ(child_writes_failed, 0);
  EXPECT_EQ(saw_old + saw_new, kKills);
  std::printf("%d kills: file was the old tensor %d times, the new one %d times; "
              "%d stray temp files left by kills (removed)\n",
              kKills, saw_old, saw_new, strays);
}

TEST(AtomicWriteTest, FailedWriteLeavesTargetAndNoTempFile) {
  const std::string dir = ::testing::TempDir() + "/atomic_fail";
  mkdir(dir.c_str(), 0755);
  const std::string path = dir + "/f";
  RILL_ASSERT_OK(WriteFileAtomically(path, "old"));
  // Renaming a file onto a non-empty directory fails after the temp file was
  // written: the error must clean the temp file up.
  const std::string blocked = dir + "/blocked";
  mkdir(blocked.c_str(), 0755);
  RILL_ASSERT_OK(WriteFileAtomically(blocked + "/inner", "x"));
  EXPECT_FALSE(WriteFileAtomically(blocked, "new").ok());
  std::vector<std::string> names = ListDir(dir);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"blocked", "f"}));
  EXPECT_EQ(*ReadFileToString(path), "old");
}

}  // namespace
}  // namespace rill
