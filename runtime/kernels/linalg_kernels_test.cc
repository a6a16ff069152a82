// Qr, DiagPart, MatrixDiagPart, Sign and Transpose kernels. Qr is checked by
// its defining properties (Q has orthonormal columns, R is upper triangular,
// Q R = A) rather than by fixed numbers, since Q and R are unique only up to
// the signs of R's diagonal.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "graph/scope.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/linalg_ops.h"
#include "ops/op_registry.h"
#include "runtime/kernels/kernel_test_util.h"

namespace rill {
namespace {

using ::rill::testing::HasError;
using ::rill::testing::MakeTensor;
using ::rill::testing::RunKernel;
using ::rill::testing::RunNode;
using ::rill::testing::TensorEquals;
using ::rill::testing::TensorNear;
using ::rill::testing::Values;

// A deterministic, well-conditioned-enough M x N matrix (row-major) for
// batch entry `b`: no two columns are parallel.
template <typename T>
std::vector<T> TestMatrix(int64_t m, int64_t n, int b = 0) {
  std::vector<T> v;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      v.push_back(static_cast<T>(std::sin(1.0 + 0.7 * i + 1.3 * j + 0.37 * i * j + b) +
                                 (i == j ? 1.5 : 0.0)));
    }
  }
  return v;
}

// Row-major [rows x cols] element.
template <typename T>
T At(const std::vector<T>& v, int64_t cols, int64_t i, int64_t j) {
  return v[i * cols + j];
}

class QrKernelTest : public ::testing::TestWithParam<bool> {
 protected:
  // Runs Qr on a fed [batch..., m, n] tensor and checks the QR properties of
  // every batch entry.
  template <typename T>
  void CheckQr(const std::vector<int64_t>& batch_dims, int64_t m, int64_t n, double tol) {
    const bool full = GetParam();
    Scope root = Scope::NewRootScope(&GlobalOpRegistry());
    std::vector<int64_t> dims = batch_dims;
    dims.push_back(m);
    dims.push_back(n);
    int64_t batch = 1;
    for (int64_t d : batch_dims) batch *= d;
    std::vector<T> a;
    for (int b = 0; b < batch; ++b) {
      std::vector<T> mat = TestMatrix<T>(m, n, b);
      a.insert(a.end(), mat.begin(), mat.end());
    }
    Output x = ops::Placeholder(root.WithOpName("a"), DataTypeOf<T>());
    ops::QrOutputs qr = ops::Qr(root, x, full);
    RILL_ASSERT_OK(root.status());
    absl::StatusOr<std::vector<Tensor>> out =
        RunNode(*qr.q.node, {{x.node, MakeTensor<T>(TensorShape(dims), a)}});
    ASSERT_TRUE(out.ok()) << out.status();
    const int64_t p = std::min(m, n);
    const int64_t qc = full ? m : p;  // Columns of Q.
    const int64_t rr = full ? m : p;  // Rows of R.
    std::vector<int64_t> q_dims = batch_dims, r_dims = batch_dims;
    q_dims.insert(q_dims.end(), {m, qc});
    r_dims.insert(r_dims.end(), {rr, n});
    ASSERT_EQ((*out)[0].shape(), TensorShape(q_dims));
    ASSERT_EQ((*out)[1].shape(), TensorShape(r_dims));
    ASSERT_EQ((*out)[0].dtype(), DataTypeOf<T>());
    const std::vector<T> q_all = Values<T>((*out)[0]);
    const std::vector<T> r_all = Values<T>((*out)[1]);
    for (int64_t b = 0; b < batch; ++b) {
      const std::vector<T> q(q_all.begin() + b * m * qc, q_all.begin() + (b + 1) * m * qc);
      const std::vector<T> r(r_all.begin() + b * rr * n, r_all.begin() + (b + 1) * rr * n);
      const std::vector<T> ab(a.begin() + b * m * n, a.begin() + (b + 1) * m * n);
      // Q^T Q = I.
      for (int64_t i = 0; i < qc; ++i) {
        for (int64_t j = 0; j < qc; ++j) {
          double dot = 0;
          for (int64_t k = 0; k < m; ++k) dot += At(q, qc, k, i) * At(q, qc, k, j);
          EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, tol) << "Q^T Q at " << i << "," << j;
        }
      }
      // R is upper triangular.
      for (int64_t i = 0; i < rr; ++i) {
        for (int64_t j = 0; j < std::min(i, n); ++j) {
          EXPECT_EQ(At(r, n, i, j), T(0)) << "R at " << i << "," << j;
        }
      }
      // Q R = A.
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          double s = 0;
          for (int64_t k = 0; k < qc; ++k) s += At(q, qc, i, k) * At(r, n, k, j);
          EXPECT_NEAR(s, At(ab, n, i, j), tol) << "QR at " << i << "," << j;
        }
      }
    }
  }
};

TEST_P(QrKernelTest, SquareFloat) { CheckQr<float>({}, 4, 4, 1e-5); }
TEST_P(QrKernelTest, TallFloat) { CheckQr<float>({}, 6, 4, 1e-5); }
TEST_P(QrKernelTest, WideFloat) { CheckQr<float>({}, 3, 5, 1e-5); }
TEST_P(QrKernelTest, SquareDouble) { CheckQr<double>({}, 5, 5, 1e-12); }
TEST_P(QrKernelTest, TallDouble) { CheckQr<double>({}, 7, 3, 1e-12); }
TEST_P(QrKernelTest, WideDouble) { CheckQr<double>({}, 2, 6, 1e-12); }
TEST_P(QrKernelTest, BatchedFloat) { CheckQr<float>({2, 3}, 4, 3, 1e-5); }
TEST_P(QrKernelTest, BatchedDoubleWide) { CheckQr<double>({3}, 2, 4, 1e-12); }
TEST_P(QrKernelTest, OneByOne) { CheckQr<double>({}, 1, 1, 1e-15); }
TEST_P(QrKernelTest, SingleColumnAndRow) {
  CheckQr<float>({}, 5, 1, 1e-5);
  CheckQr<float>({}, 1, 5, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(ThinAndFull, QrKernelTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Full" : "Thin";
                         });

TEST(QrKernelEdgeTest, RankDeficientAndZeroMatrices) {
  // A zero matrix and a rank-1 matrix still give an orthonormal Q and Q R = A.
  for (const std::vector<double>& a :
       {std::vector<double>(6, 0.0), std::vector<double>{1, 2, 2, 4, 3, 6}}) {
    Scope root = Scope::NewRootScope(&GlobalOpRegistry());
    Output x = ops::Const(root, MakeTensor<double>({3, 2}, a));
    ops::QrOutputs qr = ops::Qr(root, x);
    RILL_ASSERT_OK(root.status());
    absl::StatusOr<std::vector<Tensor>> out = RunNode(*qr.q.node);
    ASSERT_TRUE(out.ok()) << out.status();
    const std::vector<double> q = Values<double>((*out)[0]);
    const std::vector<double> r = Values<double>((*out)[1]);
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) {
        double dot = 0;
        for (int k = 0; k < 3; ++k) dot += q[k * 2 + i] * q[k * 2 + j];
        EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-12);
      }
    }
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 2; ++j) {
        EXPECT_NEAR(q[i * 2] * r[j] + q[i * 2 + 1] * r[2 + j], a[i * 2 + j], 1e-12);
      }
    }
  }
}

TEST(QrKernelEdgeTest, EmptyMatrices) {
  struct Case {
    TensorShape in;
    bool full;
    TensorShape q, r;
  };
  for (const Case& c : std::vector<Case>{{{0, 3}, false, {0, 0}, {0, 3}},
                                         {{3, 0}, false, {3, 0}, {0, 0}},
                                         {{0, 3}, true, {0, 0}, {0, 3}},
                                         {{2, 0, 0}, false, {2, 0, 0}, {2, 0, 0}},
                                         {{0, 4, 4}, true, {0, 4, 4}, {0, 4, 4}},
                                         // A huge batch of empty matrices is no work.
                                         {{int64_t{1} << 40, 3, 0}, false, {int64_t{1} << 40, 3, 0},
                                          {int64_t{1} << 40, 0, 0}}}) {
    Scope root = Scope::NewRootScope(&GlobalOpRegistry());
    Output x = ops::Placeholder(root.WithOpName("a"), DT_FLOAT);
    ops::QrOutputs qr = ops::Qr(root, x, c.full);
    RILL_ASSERT_OK(root.status());
    absl::StatusOr<Tensor> a = Tensor::Allocate(DT_FLOAT, c.in);
    ASSERT_TRUE(a.ok()) << a.status();
    absl::StatusOr<std::vector<Tensor>> out = RunNode(*qr.q.node, {{x.node, *a}});
    ASSERT_TRUE(out.ok()) << c.in.ToString() << ": " << out.status();
    EXPECT_EQ((*out)[0].shape(), c.q) << c.in.ToString();
    EXPECT_EQ((*out)[1].shape(), c.r) << c.in.ToString();
  }
  // [3, 0] with full_matrices: Q is the 3 x 3 identity, R is [3, 0].
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("a"), DT_DOUBLE);
  ops::QrOutputs qr = ops::Qr(root, x, /*full_matrices=*/true);
  absl::StatusOr<std::vector<Tensor>> out =
      RunNode(*qr.q.node, {{x.node, MakeTensor<double>({3, 0}, {})}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<double>((*out)[0], {3, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1}));
  EXPECT_TRUE(TensorEquals<double>((*out)[1], {3, 0}, {}));
}

TEST(QrKernelEdgeTest, RankOneIsAShapeError) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("a"), DT_FLOAT);
  ops::QrOutputs qr = ops::Qr(root, x);
  RILL_ASSERT_OK(root.status());
  EXPECT_TRUE(HasError(RunNode(*qr.q.node, {{x.node, MakeTensor<float>({3}, {1, 2, 3})}}),
                       absl::StatusCode::kInvalidArgument,
                       "Shape must be at least rank 2 but is rank 1"));
  // Qr has no int kernel: its OpDef rejects int32 at build time.
  Output i = ops::Placeholder(root.WithOpName("i"), DT_INT32);
  ops::Qr(root, i);
  EXPECT_EQ(root.status().code(), absl::StatusCode::kInvalidArgument) << root.status();
}

TEST(DiagPartKernelTest, SquareMatricesAndHigherRank) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output f = ops::DiagPart(root, ops::Const(root, MakeTensor<float>({3, 3}, {1, 2, 3, 4, 5, 6,
                                                                          7, 8, 9})));
  Output i = ops::DiagPart(root, ops::Const(root, MakeTensor<int32_t>({2, 2}, {-1, 7, 8, -4})));
  // Rank 4, [2, 3, 2, 3]: output[a][b] = input[a][b][a][b].
  std::vector<double> v(36);
  for (int k = 0; k < 36; ++k) v[k] = k;
  Output d = ops::DiagPart(root, ops::Const(root, MakeTensor<double>({2, 3, 2, 3}, v)));
  Output e = ops::DiagPart(root, ops::Const(root, MakeTensor<int64_t>({0, 0}, {})));
  RILL_ASSERT_OK(root.status());
  absl::StatusOr<Tensor> out = RunKernel(f);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {3}, {1, 5, 9}));
  out = RunKernel(i);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*out, {2}, {-1, -4}));
  out = RunKernel(d);
  ASSERT_TRUE(out.ok()) << out.status();
  // Flat index of [a][b][a][b] is a*18 + b*6 + a*3 + b = 21a + 7b.
  EXPECT_TRUE(TensorEquals<double>(*out, {2, 3}, {0, 7, 14, 21, 28, 35}));
  out = RunKernel(e);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<int64_t>(*out, {0}, {}));
}

TEST(DiagPartKernelTest, NonSquareIsAShapeError) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT);
  Output d = ops::DiagPart(root, x);
  RILL_ASSERT_OK(root.status());
  EXPECT_TRUE(HasError(RunKernel(d, {{x.node, MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6})}}),
                       absl::StatusCode::kInvalidArgument,
                       "Dimensions must be equal, but are 2 and 3"));
  EXPECT_TRUE(HasError(RunKernel(d, {{x.node, MakeTensor<float>({3}, {1, 2, 3})}}),
                       absl::StatusCode::kInvalidArgument,
                       "Input must have even and non-zero rank, input rank is 1"));
}

TEST(MatrixDiagPartKernelTest, BatchedRectangular) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  // [2, 2, 3]: diagonals [0, 4] and [6, 10].
  std::vector<float> v(12);
  for (int k = 0; k < 12; ++k) v[k] = k;
  Output wide = ops::MatrixDiagPart(root, ops::Const(root, MakeTensor<float>({2, 2, 3}, v)));
  // [3, 2]: diagonal [0, 3].
  Output tall = ops::MatrixDiagPart(
      root, ops::Const(root, MakeTensor<int32_t>({3, 2}, {0, 1, 2, 3, 4, 5})));
  Output empty = ops::MatrixDiagPart(root, ops::Const(root, MakeTensor<float>({4, 0, 3}, {})));
  RILL_ASSERT_OK(root.status());
  absl::StatusOr<Tensor> out = RunKernel(wide);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {2, 2}, {0, 4, 6, 10}));
  out = RunKernel(tall);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*out, {2}, {0, 3}));
  out = RunKernel(empty);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {4, 0}, {}));
}

TEST(SignKernelTest, AllTypes) {
  const float inf = std::numeric_limits<float>::infinity();
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output f = ops::Sign(
      root, ops::Const(root, MakeTensor<float>({7}, {-2.5f, 0.f, -0.f, 3.f, 1e-30f, inf, -inf})));
  Output d = ops::Sign(root, ops::Const(root, MakeTensor<double>({4}, {-1e-300, 0, 7, -7})));
  Output i32 = ops::Sign(root, ops::Const(root, MakeTensor<int32_t>(
                                                    {5}, {std::numeric_limits<int32_t>::min(),
                                                          -1, 0, 1, 42})));
  Output i64 = ops::Sign(
      root, ops::Const(root, MakeTensor<int64_t>({3}, {-(int64_t{1} << 60), 0, int64_t{1} << 60})));
  Output nan = ops::Sign(
      root, ops::Const(root, MakeTensor<float>({1}, {std::numeric_limits<float>::quiet_NaN()})));
  Output empty = ops::Sign(root, ops::Const(root, MakeTensor<float>({0, 2}, {})));
  RILL_ASSERT_OK(root.status());
  absl::StatusOr<Tensor> out = RunKernel(f);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {7}, {-1, 0, 0, 1, 1, 1, -1}));
  out = RunKernel(d);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<double>(*out, {4}, {-1, 0, 1, -1}));
  out = RunKernel(i32);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*out, {5}, {-1, -1, 0, 1, 1}));
  out = RunKernel(i64);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<int64_t>(*out, {3}, {-1, 0, 1}));
  out = RunKernel(nan);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(std::isnan(Values<float>(*out)[0]));
  out = RunKernel(empty);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {0, 2}, {}));
}

// out[i0..ik] = in[j] where the in index has dim perm[d] = i_d.
template <typename T>
std::vector<T> ReferenceTranspose(const std::vector<T>& in, const std::vector<int64_t>& dims,
                                  const std::vector<int>& perm) {
  const int rank = static_cast<int>(dims.size());
  std::vector<int64_t> strides(rank, 1);
  for (int i = rank - 2; i >= 0; --i) strides[i] = strides[i + 1] * dims[i + 1];
  std::vector<int64_t> out_dims(rank);
  for (int i = 0; i < rank; ++i) out_dims[i] = dims[perm[i]];
  std::vector<T> out(in.size());
  std::vector<int64_t> idx(rank, 0);
  for (size_t o = 0; o < in.size(); ++o) {
    int64_t src = 0;
    for (int d = 0; d < rank; ++d) src += idx[d] * strides[perm[d]];
    out[o] = in[src];
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[d] < out_dims[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

TEST(TransposeKernelTest, TwoD) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output t = ops::Transpose(root, ops::Const(root, MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6})),
                            std::vector<int>{1, 0});
  Output b = ops::Transpose(
      root, ops::Const(root, MakeTensor<bool>({1, 3}, {true, false, true})), std::vector<int>{1, 0});
  RILL_ASSERT_OK(root.status());
  EXPECT_EQ(t.shape(), TensorShape({3, 2}));
  absl::StatusOr<Tensor> out = RunKernel(t);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {3, 2}, {1, 4, 2, 5, 3, 6}));
  out = RunKernel(b);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<bool>(*out, {3, 1}, {true, false, true}));
  // A larger 2-D case against the reference (Eigen's path).
  std::vector<double> v(7 * 13);
  for (size_t k = 0; k < v.size(); ++k) v[k] = 0.5 * k;
  Output big = ops::Transpose(root, ops::Const(root, MakeTensor<double>({7, 13}, v)),
                              std::vector<int>{1, 0});
  out = RunKernel(big);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<double>(*out, {13, 7}, ReferenceTranspose<double>(v, {7, 13}, {1, 0})));
}

TEST(TransposeKernelTest, ThreeDEveryPermutation) {
  std::vector<int32_t> v(2 * 3 * 4);
  for (size_t k = 0; k < v.size(); ++k) v[k] = static_cast<int32_t>(k);
  const std::vector<std::vector<int>> perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                               {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  for (const std::vector<int>& perm : perms) {
    Scope root = Scope::NewRootScope(&GlobalOpRegistry());
    Output t = ops::Transpose(root, ops::Const(root, MakeTensor<int32_t>({2, 3, 4}, v)), perm);
    RILL_ASSERT_OK(root.status());
    const std::vector<int64_t> dims = {2, 3, 4};
    const TensorShape expected({dims[perm[0]], dims[perm[1]], dims[perm[2]]});
    EXPECT_EQ(t.shape(), expected);
    absl::StatusOr<Tensor> out = RunKernel(t);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_TRUE(TensorEquals<int32_t>(*out, expected, ReferenceTranspose<int32_t>(v, dims, perm)))
        << perm[0] << perm[1] << perm[2];
  }
  // Hand-checked: [2,3,4] by {2,0,1} gives out[k][i][j] = in[i][j][k] = 12i + 4j + k,
  // so out[1][0][2] = 9 and out[3][1][0] = 15.
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output t = ops::Transpose(root, ops::Const(root, MakeTensor<int32_t>({2, 3, 4}, v)),
                            std::vector<int>{2, 0, 1});
  absl::StatusOr<Tensor> out = RunKernel(t);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<int32_t>(*out)[1 * 6 + 0 * 3 + 2], 9);
  EXPECT_EQ(Values<int32_t>(*out)[3 * 6 + 1 * 3 + 0], 15);
}

TEST(TransposeKernelTest, HigherRankInt64PermAndIdentity) {
  std::vector<int64_t> v(2 * 3 * 1 * 5);
  for (size_t k = 0; k < v.size(); ++k) v[k] = static_cast<int64_t>(k) * 3 - 7;
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Const(root, MakeTensor<int64_t>({2, 3, 1, 5}, v));
  Output perm64 = ops::Const(root, MakeTensor<int64_t>({4}, {3, 1, 0, 2}));
  Output t = ops::Transpose(root, x, perm64);
  Output id = ops::Transpose(root, x, std::vector<int>{0, 1, 2, 3});
  RILL_ASSERT_OK(root.status());
  EXPECT_EQ(t.node->attrs().at("Tperm").type(), DT_INT64);
  absl::StatusOr<Tensor> out = RunKernel(t);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<int64_t>(*out, {5, 3, 2, 1},
                                    ReferenceTranspose<int64_t>(v, {2, 3, 1, 5}, {3, 1, 0, 2})));
  out = RunKernel(id);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<int64_t>(*out, {2, 3, 1, 5}, v));
}

TEST(TransposeKernelTest, EmptyAndScalar) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output e = ops::Transpose(root, ops::Const(root, MakeTensor<float>({0, 3, 2}, {})),
                            std::vector<int>{2, 0, 1});
  Output s = ops::Transpose(root, ops::Const(root, 4.0f), std::vector<int>{});
  RILL_ASSERT_OK(root.status());
  absl::StatusOr<Tensor> out = RunKernel(e);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {2, 0, 3}, {}));
  out = RunKernel(s);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {}, {4}));
}

TEST(TransposeKernelTest, FedPermThatIsNotAPermutation) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({2, 3}));
  Output perm = ops::Placeholder(root.WithOpName("perm"), DT_INT32);
  Output t = ops::Transpose(root, x, perm);
  RILL_ASSERT_OK(root.status());
  EXPECT_EQ(t.shape(), TensorShape({-1, -1}));
  const Tensor xv = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  absl::StatusOr<Tensor> ok = RunKernel(t, {{x.node, xv}, {perm.node, MakeTensor<int32_t>({2}, {1, 0})}});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_TRUE(TensorEquals<float>(*ok, {3, 2}, {1, 4, 2, 5, 3, 6}));
  EXPECT_TRUE(HasError(RunKernel(t, {{x.node, xv}, {perm.node, MakeTensor<int32_t>({2}, {0, 0})}}),
                       absl::StatusCode::kInvalidArgument, "1 is missing from {0,0}."));
  EXPECT_TRUE(HasError(RunKernel(t, {{x.node, xv}, {perm.node, MakeTensor<int32_t>({2}, {0, 2})}}),
                       absl::StatusCode::kInvalidArgument,
                       "perm dim 2 is out of range of input rank 2"));
  EXPECT_TRUE(HasError(RunKernel(t, {{x.node, xv}, {perm.node, MakeTensor<int32_t>({2}, {-1, 0})}}),
                       absl::StatusCode::kInvalidArgument,
                       "perm dim -1 is out of range of input rank 2"));
  EXPECT_TRUE(HasError(
      RunKernel(t, {{x.node, xv}, {perm.node, MakeTensor<int32_t>({3}, {0, 1, 2})}}),
      absl::StatusCode::kInvalidArgument,
      "transpose expects a vector of size 2. But input(1) is a vector of size 3"));
  EXPECT_TRUE(HasError(RunKernel(t, {{x.node, xv}, {perm.node, MakeTensor<int32_t>({1, 2}, {1, 0})}}),
                       absl::StatusCode::kInvalidArgument, "Shape must be rank 1 but is rank 2"));
}

}  // namespace
}  // namespace rill
