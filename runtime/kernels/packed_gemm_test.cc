// PackedGemm against a double-precision triple loop: every tile height
// (1..6 rows and the row blocks), depths across the 256-row passes, partial
// panels, panel sub-ranges, strided A and C, accumulation, a range of B's
// rows (an offset, rows left after it), and that nothing outside the
// product is touched;
// on every kernel this CPU has (AVX-512, AVX2, portable).
#include "runtime/kernels/packed_gemm.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace rill {
namespace {

constexpr float kSentinel = 12345.0f;

struct Case {
  int64_t m, k, n;
  int64_t panel_begin, panel_end;
  bool accumulate;
  int64_t first_row = 0;   // Of B: the product uses B's rows from here on,
  int64_t rows_after = 0;  // and not this many rows of B after its k.
};

void CheckCase(const Case& tc, PackedGemmPath path, std::mt19937* rng) {
  SCOPED_TRACE(::testing::Message() << "m=" << tc.m << " k=" << tc.k << " n=" << tc.n
                                  << " panels [" << tc.panel_begin << "," << tc.panel_end
                                  << ") accumulate=" << tc.accumulate
                                  << " first_row=" << tc.first_row
                                  << " rows_after=" << tc.rows_after
                                  << " path=" << static_cast<int>(path));
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  // Strides wider than the rows, to catch a stride mixed up with a width.
  // B has first_row + rows_after rows more than the product uses (A has k
  // columns); those rows hold garbage.
  const int64_t lda = tc.k + 3, ldb = tc.n + 5, ldc = tc.n + 7,
                b_rows = tc.first_row + tc.k + tc.rows_after;
  std::vector<float> a(tc.m * lda), b(b_rows * ldb), c(tc.m * ldc);
  for (float& x : a) x = value(*rng);
  for (float& x : b) x = value(*rng);
  for (float& x : c) x = value(*rng);
  // Columns of B beyond n hold garbage the packing must not pick up.
  for (int64_t i = 0; i < b_rows; ++i) {
    for (int64_t j = tc.n; j < ldb; ++j) b[i * ldb + j] = kSentinel;
  }
  for (int64_t i = tc.first_row + tc.k; i < b_rows; ++i) {
    for (int64_t j = 0; j < ldb; ++j) b[i * ldb + j] = kSentinel;
  }
  const std::vector<float> before = c;
  const PackedMatrix packed = *PackedMatrix::Pack(b.data(), ldb, b_rows, tc.n);
  ASSERT_EQ(packed.rows(), b_rows);
  ASSERT_EQ(packed.cols(), tc.n);
  ASSERT_EQ(packed.panels(), (tc.n + 15) / 16);
  PackedGemm(tc.m, a.data(), lda, packed, tc.first_row, tc.first_row + tc.k, tc.panel_begin,
             tc.panel_end, tc.accumulate, c.data(), ldc, path);
  const int64_t c0 = tc.panel_begin * 16, c1 = std::min(tc.panel_end * 16, tc.n);
  for (int64_t r = 0; r < tc.m; ++r) {
    for (int64_t j = 0; j < ldc; ++j) {
      const float got = c[r * ldc + j];
      if (j < c0 || j >= c1) {
        ASSERT_EQ(got, before[r * ldc + j]) << "outside the product: row " << r << " col " << j;
        continue;
      }
      double want = tc.accumulate ? before[r * ldc + j] : 0.0;
      for (int64_t i = 0; i < tc.k; ++i) {
        want += double(a[r * lda + i]) * b[(tc.first_row + i) * ldb + j];
      }
      ASSERT_NEAR(got, want, 1e-5 * (tc.k + 1)) << "row " << r << " col " << j;
    }
  }
}

// The kernels this CPU can run (the portable one always).
std::vector<PackedGemmPath> SupportedPaths() {
  std::vector<PackedGemmPath> paths;
  for (PackedGemmPath path :
       {PackedGemmPath::kAvx512, PackedGemmPath::kAvx2, PackedGemmPath::kPortable}) {
    if (PackedGemmPathSupported(path)) paths.push_back(path);
  }
  return paths;
}

TEST(PackedGemmTest, BestPathIsTheWidestSupported) {
  const std::vector<PackedGemmPath> paths = SupportedPaths();
  ASSERT_FALSE(paths.empty());
  EXPECT_EQ(BestPackedGemmPath(), paths.front());
  EXPECT_TRUE(PackedGemmPathSupported(PackedGemmPath::kPortable));
  if (PackedGemmPathSupported(PackedGemmPath::kAvx512)) {
    EXPECT_TRUE(PackedGemmPathSupported(PackedGemmPath::kAvx2));
  }
  if (paths.size() < 3) {
    std::printf("note: this CPU lacks %s; those kernels are not tested here\n",
                paths.size() == 1 ? "AVX2 and AVX-512" : "AVX-512");
  }
}

TEST(PackedGemmTest, MatchesTripleLoopOnEveryPath) {
  std::mt19937 rng(7);
  std::vector<Case> cases;
  for (int64_t m : {1, 2, 3, 4, 5, 6, 7, 11, 13, 32, 97, 200}) {
    // Panel counts 1..8 (whole groups of four, one with a partial last
    // panel at N = 60 and at 124, and a last group of one, two or three
    // panels, full or not, for the interleaved layout, AVX-512's group and
    // pair tiles and the one-row kernels).
    for (int64_t n : {1, 15, 16, 17, 40, 60, 64, 65, 80, 96, 100, 112, 124, 128}) {
      for (int64_t k : {1, 2, 3, 37, 256, 600}) {
        const int64_t panels = (n + 15) / 16;
        for (bool accumulate : {false, true}) {
          cases.push_back({m, k, n, 0, panels, accumulate});
        }
        if (panels > 1) cases.push_back({m, k, n, 1, panels, true});
        if (panels > 2) cases.push_back({m, k, n, 1, 2, false});
        if (panels > 4) {
          // Interior ranges as a team's shares are (an odd start inside a
          // group, an end inside the matrix, a range past its last panel).
          cases.push_back({m, k, n, 2, 4, false});
          cases.push_back({m, k, n, 1, panels - 1, true});
          cases.push_back({m, k, n, panels - 1, panels + 1, false});
          // A start inside a group: pairs cannot cross into the next one.
          cases.push_back({m, k, n, 3, panels, true});
        }
        cases.push_back({m, k, n, 0, panels, true, /*first_row=*/5});
        cases.push_back({m, k, n, 0, panels, false, /*first_row=*/0, /*rows_after=*/7});
        cases.push_back({m, k, n, 0, panels, true, /*first_row=*/3, /*rows_after=*/300});
      }
    }
  }
  for (const Case& tc : cases) {
    for (PackedGemmPath path : SupportedPaths()) {
      CheckCase(tc, path, &rng);
      if (HasFatalFailure()) return;
    }
  }
}

TEST(PackedGemmTest, PanelRangeIsClippedAndEmptyRangesWriteNothing) {
  std::mt19937 rng(11);
  for (PackedGemmPath path : SupportedPaths()) {
    CheckCase({4, 8, 20, 0, 100, false}, path, &rng);  // Clipped to 2.
    CheckCase({1, 8, 80, 3, 100, true}, path, &rng);   // Clipped to 5, one row.
    CheckCase({4, 8, 20, 2, 2, false}, path, &rng);    // Empty.
    CheckCase({0, 8, 20, 0, 2, false}, path, &rng);    // No rows.
  }
}

TEST(PackedGemmTest, EmptyDepthGivesZerosOrKeepsC) {
  std::mt19937 rng(13);
  CheckCase({5, 0, 20, 0, 2, false}, PackedGemmPath::kBest, &rng);  // All zero.
  CheckCase({5, 0, 20, 0, 2, true}, PackedGemmPath::kBest, &rng);   // Unchanged.
}

TEST(PackedMatrixTest, PanelsAreAlignedAndZeroPadded) {
  std::vector<float> b(3 * 20);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(i + 1);
  const PackedMatrix packed = *PackedMatrix::Pack(b.data(), 20, 3, 20);
  ASSERT_EQ(packed.panels(), 2);
  for (int64_t q = 0; q < 2; ++q) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(packed.panel(q)) % 64, 0u);
  }
  // Panel 1, row 2: columns 16..19 of row 2, then zeros.
  const float* row = packed.panel(1) + 2 * packed.row_stride(1);
  EXPECT_EQ(row[0], b[2 * 20 + 16]);
  EXPECT_EQ(row[3], b[2 * 20 + 19]);
  for (int j = 4; j < 16; ++j) EXPECT_EQ(row[j], 0.0f) << j;
}

// Panels are interleaved in groups of four: row i of a group holds row i of
// each of its panels side by side, so a group of four is one stream of 64
// floats per row; a last group of fewer panels is narrower. Rows are stored
// in blocks of 256, each holding those rows of every group, group after
// group. Every element is where panel() and row_stride() say, columns past
// N are zero.
TEST(PackedMatrixTest, GroupsOfFourPanelsAreInterleavedByRowInBlocksOfRows) {
  ASSERT_EQ(PackedMatrix::kBlockRows, 256);
  for (int64_t k : {7, 256, 300, 600}) {
    for (int64_t n : {80, 70, 96, 112, 128, 16}) {
      SCOPED_TRACE(::testing::Message() << "K=" << k << " N=" << n);
      std::vector<float> b(k * n);
      for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(i + 1);
      const PackedMatrix packed = *PackedMatrix::Pack(b.data(), n, k, n);
      const int64_t panels = (n + 15) / 16;
      ASSERT_EQ(packed.panels(), panels);
      for (int64_t q = 0; q < panels; ++q) {
        const int64_t group_first = q / 4 * 4;
        const int64_t in_group = std::min<int64_t>(4, panels - group_first);
        ASSERT_EQ(packed.row_stride(q), 16 * in_group) << q;
        for (int64_t i = 0; i < k; ++i) {
          // Block j starts after the 256 rows of all panels in each block
          // before it; in it, group g after the rows of each group before.
          const int64_t block_first = i / 256 * 256;
          const int64_t block_rows = std::min<int64_t>(256, k - block_first);
          ASSERT_EQ(packed.ContiguousRows(i), block_first + block_rows - i) << i;
          ASSERT_EQ(packed.panel(q, i) - packed.panel(0),
                    block_first * panels * 16 + group_first * block_rows * 16 +
                        (i - block_first) * 16 * in_group + (q - group_first) * 16)
              << "q=" << q << " i=" << i;
          for (int64_t j = 0; j < 16; ++j) {
            const int64_t col = q * 16 + j;
            ASSERT_EQ(packed.panel(q, i)[j], col < n ? b[i * n + col] : 0.0f)
                << "q=" << q << " i=" << i << " j=" << j;
          }
        }
      }
    }
  }
  EXPECT_EQ(PackedMatrix::SameGroup(2), true);
  EXPECT_EQ(PackedMatrix::SameGroup(3), false);
}

// Packing rows front to back writes the storage front to back: the rows of
// blocks [0, j) fill the first 256·j·panels·16 floats, and packing some
// rows of block j writes nothing past it (what keeps a derivation that
// frees its source as it packs at about one copy of the weight:
// bench/separate_measurements.md, "Twelfth session").
TEST(PackedMatrixTest, PackingRowsWritesOnlyTheirBlocks) {
  const int64_t k = 600, n = 80, panels = 5, block_floats = 256 * panels * 16;
  std::vector<float> b(k * n, 1.0f);
  PackedMatrix packed = *PackedMatrix::Allocate(k, n);
  float* storage = const_cast<float*>(packed.panel(0));
  std::fill(storage, storage + k * panels * 16, kSentinel);
  // Written so far: [0, done); untouched: [untouched, end).
  auto expect_written = [&](int64_t done, int64_t untouched) {
    for (int64_t f = 0; f < k * panels * 16; ++f) {
      if (f < done) ASSERT_NE(storage[f], kSentinel) << "float " << f << " not written";
      if (f >= untouched) ASSERT_EQ(storage[f], kSentinel) << "float " << f << " written early";
    }
  };
  packed.PackRows(b.data(), n, 0, 256);
  expect_written(block_floats, block_floats);
  packed.PackRows(b.data(), n, 256, 300);
  expect_written(block_floats, 2 * block_floats);
  packed.PackRows(b.data(), n, 300, 512);
  expect_written(2 * block_floats, 2 * block_floats);
  packed.PackRows(b.data(), n, 512, k);
  expect_written(k * panels * 16, k * panels * 16);
}

// Unpack gives back exactly what Pack was given, at the caller's stride
// (the Session restores released Const weights this way).
TEST(PackedMatrixTest, UnpackRestoresTheMatrix) {
  for (int64_t k : {5, 300}) {
    for (int64_t n : {16, 60, 70, 96, 128, 200}) {
      SCOPED_TRACE(::testing::Message() << "K=" << k << " N=" << n);
      const int64_t ldb = n + 3;
      std::vector<float> b(k * ldb);
      for (size_t i = 0; i < b.size(); ++i) b[i] = 0.5f * static_cast<float>(i) - 7.25f;
      const PackedMatrix packed = *PackedMatrix::Pack(b.data(), ldb, k, n);
      std::vector<float> back(k * ldb, -1.0f);
      packed.Unpack(back.data(), ldb);
      for (int64_t i = 0; i < k; ++i) {
        for (int64_t j = 0; j < ldb; ++j) {
          // Columns past N (the stride's padding) are not written.
          ASSERT_EQ(back[i * ldb + j], j < n ? b[i * ldb + j] : -1.0f) << i << "," << j;
        }
      }
    }
  }
}

TEST(PackedMatrixTest, AbsurdSizeIsResourceExhausted) {
  const float dummy = 0.0f;
  const absl::StatusOr<PackedMatrix> packed =
      PackedMatrix::Pack(&dummy, 0, int64_t{1} << 40, int64_t{1} << 20);
  EXPECT_FALSE(packed.ok());
}

}  // namespace
}  // namespace rill
