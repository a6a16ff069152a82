// A main() for running a fuzz target without libFuzzer: it feeds every file
// under the folders given as arguments (missing folders are skipped) to
// LLVMFuzzerTestOneInput once. Bazel's *_fuzzer_replay tests use it to run
// the seed corpus and the saved crash inputs (fuzz/regressions/) under the
// normal and the sanitizer builds; a broken invariant aborts the test.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "graph/file_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void ListFiles(const std::string& dir, std::vector<std::string>* out) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir + "/" + name;
    struct stat st;
    if (stat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      ListFiles(path, out);
    } else {
      out->push_back(path);
    }
  }
  closedir(d);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) ListFiles(argv[i], &files);
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    absl::StatusOr<std::string> bytes = rill::ReadFileToString(f);
    if (!bytes.ok()) {
      std::fprintf(stderr, "cannot read %s: %s\n", f.c_str(), bytes.status().ToString().c_str());
      return 1;
    }
    std::printf("replay %s (%zu bytes)\n", f.c_str(), bytes->size());
    std::fflush(stdout);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
  }
  std::printf("%zu inputs replayed\n", files.size());
  return files.empty() ? 1 : 0;
}
