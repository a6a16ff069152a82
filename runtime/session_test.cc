#include "runtime/session.h"

#include <atomic>
#include <cmath>
#include <thread>

#include "graph/graph_def.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/math_ops.h"
#include "ops/nn_ops.h"
#include "ops/op_registry.h"
#include "ops/variables.h"
#include "runtime/variable_storage.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

Tensor F(std::vector<int64_t> dims, std::vector<float> v) {
  return *Tensor::FromVector<float>(TensorShape(dims), v);
}

std::vector<float> Values(const Tensor& t) {
  return std::vector<float>(t.flat<float>().begin(), t.flat<float>().end());
}

class SessionTest : public ::testing::Test {
 protected:
  SessionTest() : root_(Scope::NewRootScope(&GlobalOpRegistry())) {
    x_ = ops::Placeholder(root_.WithOpName("x"), DT_FLOAT, TensorShape({-1, 3}));
    w_ = ops::Const(root_.WithOpName("w"), {1, 2, 3, 4, 5, 6}, TensorShape({3, 2}));
    y_ = ops::MatMul(root_.WithOpName("y"), x_, w_);
    unused_ = ops::Placeholder(root_.WithOpName("unused"), DT_FLOAT, TensorShape({2}));
    z_ = ops::AddV2(root_.WithOpName("z"), unused_, ops::Const(root_, 1.0f));
    EXPECT_TRUE(root_.ok()) << root_.status();
    session_ = *Session::Create(*root_.graph());
  }
  Scope root_;
  Output x_, w_, y_, unused_, z_;
  std::unique_ptr<Session> session_;
};

TEST_F(SessionTest, RunsOnlyWhatFetchesNeed) {
  // "unused" is never fed: fine, since y does not depend on it.
  auto r = session_->Run({{"x", F({2, 3}, {1, 0, 0, 0, 1, 1})}}, {"y"});
  RILL_ASSERT_OK(r);
  // [1,0,0]·w = [1,2]; [0,1,1]·w = [3+5, 4+6].
  EXPECT_EQ(Values((*r)[0]), (std::vector<float>{1, 2, 8, 10}));
  EXPECT_EQ((*r)[0].shape(), TensorShape({2, 2}));
}

TEST_F(SessionTest, FetchingAFedTensorReturnsTheFeed) {
  Tensor v = F({1, 3}, {7, 8, 9});
  auto r = session_->Run({{"x:0", v}}, {"x:0", "y:0"});
  RILL_ASSERT_OK(r);
  EXPECT_TRUE((*r)[0].Equals(v));
  EXPECT_EQ(Values((*r)[1]), (std::vector<float>{7 + 24 + 45, 14 + 32 + 54}));
}

TEST_F(SessionTest, FeedingAnIntermediateCutsItsProducer) {
  // Feeding y means x is not needed.
  auto r = session_->Run({{"y", F({1, 2}, {5, 6})}}, {"y"});
  RILL_ASSERT_OK(r);
  EXPECT_EQ(Values((*r)[0]), (std::vector<float>{5, 6}));
}

TEST_F(SessionTest, MissingFeedUsesTensorFlowText) {
  EXPECT_TRUE(HasError(session_->Run({}, {"y"}), absl::StatusCode::kInvalidArgument,
                       "You must feed a value for placeholder tensor 'x' with dtype float and "
                       "shape [?,3]\n\t [[{{node x}}]]"));
}

TEST_F(SessionTest, BadFeedsAreRejected) {
  EXPECT_TRUE(HasError(session_->Run({{"x", F({2, 4}, std::vector<float>(8))}}, {"y"}),
                       absl::StatusCode::kInvalidArgument,
                       "Cannot feed value of shape (2, 4) for Tensor 'x:0', which has shape "
                       "'(?, 3)'"));
  EXPECT_TRUE(HasError(session_->Run({{"x", Tensor::Scalar<int32_t>(1)}}, {"y"}),
                       absl::StatusCode::kInvalidArgument,
                       "Cannot feed value of dtype int32 for Tensor 'x:0', which has dtype float"));
  EXPECT_TRUE(HasError(session_->Run({{"nope", F({1}, {1})}}, {"y"}),
                       absl::StatusCode::kNotFound, "The name 'nope:0' refers to a Tensor"));
  EXPECT_TRUE(HasError(session_->Run({{"x", F({1, 3}, {1, 2, 3})},
                                      {"x:0", F({1, 3}, {1, 2, 3})}},
                                     {"y"}),
                       absl::StatusCode::kInvalidArgument, "is fed twice"));
  EXPECT_TRUE(HasError(session_->Run({{"x", Tensor()}}, {"y"}),
                       absl::StatusCode::kInvalidArgument, "empty (invalid) Tensor"));
}

TEST_F(SessionTest, BadFetchesAndTargets) {
  EXPECT_TRUE(HasError(session_->Run({}, {"q:0"}), absl::StatusCode::kNotFound,
                       "Fetch argument 'q:0' cannot be interpreted as a Tensor. (The name 'q:0' "
                       "refers to a Tensor which does not exist. The operation, 'q', does not "
                       "exist in the graph.)"));
  EXPECT_TRUE(HasError(session_->Run({}, {"y:1"}), absl::StatusCode::kNotFound,
                       "exists but only has 1 outputs"));
  EXPECT_TRUE(HasError(session_->Run({}, {}, {"nothing"}), absl::StatusCode::kNotFound,
                       "Target node 'nothing' does not exist"));
}

// A Run remembers its resolved names; a repeated Run must still check every
// feed's value, name spellings that mean the same tensor must agree, and a
// failed lookup must fail again (nothing half-prepared is kept).
TEST_F(SessionTest, RepeatedRunsStillCheckTheirFeeds) {
  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(run);
    auto r = session_->Run({{"x", F({1, 3}, {1, 0, 1})}}, {"y"});
    RILL_ASSERT_OK(r);
    EXPECT_EQ(Values((*r)[0]), (std::vector<float>{6, 8}));
    r = session_->Run({{"x:0", F({1, 3}, {0, 1, 0})}}, {"y:0"});
    RILL_ASSERT_OK(r);
    EXPECT_EQ(Values((*r)[0]), (std::vector<float>{3, 4}));
    EXPECT_TRUE(HasError(session_->Run({{"x", Tensor::Scalar<int32_t>(1)}}, {"y"}),
                         absl::StatusCode::kInvalidArgument,
                         "Cannot feed value of dtype int32 for Tensor 'x:0'"));
    EXPECT_TRUE(HasError(session_->Run({{"x", F({1, 2}, {1, 2})}}, {"y"}),
                         absl::StatusCode::kInvalidArgument, "Cannot feed value of shape (1, 2)"));
    EXPECT_TRUE(HasError(session_->Run({{"x", F({1, 3}, {1, 2, 3})}}, {"y", "q"}),
                         absl::StatusCode::kNotFound, "Fetch argument 'q' cannot be interpreted"));
    // Names are kept apart however they are spelled: a feed named "x|1:y"
    // is not "x" fed and "y" fetched.
    EXPECT_TRUE(HasError(session_->Run({{"x|1:y", F({1, 3}, {1, 2, 3})}}, {}),
                         absl::StatusCode::kInvalidArgument, "Malformed tensor name 'x|1:y'"));
  }
}

TEST(SessionRuntimeShapeTest, MismatchAtRunTimeIsAnError) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output a = ops::Placeholder(root.WithOpName("a"), DT_FLOAT, TensorShape({-1, -1}));
  Output b = ops::Placeholder(root.WithOpName("b"), DT_FLOAT, TensorShape({-1, -1}));
  ops::MatMul(root.WithOpName("m"), a, b);
  auto session = *Session::Create(*root.graph());
  auto r = session->Run({{"a", F({2, 3}, std::vector<float>(6, 1))},
                         {"b", F({4, 5}, std::vector<float>(20, 1))}},
                        {"m"});
  EXPECT_TRUE(HasError(r, absl::StatusCode::kInvalidArgument,
                       "Dimensions must be equal, but are 3 and 4 for 'm' (op: 'MatMul') with "
                       "input shapes: [2,3], [4,5]."));
  // The session stays usable.
  auto ok = session->Run({{"a", F({1, 2}, {1, 2})}, {"b", F({2, 1}, {3, 4})}}, {"m"});
  RILL_ASSERT_OK(ok);
  EXPECT_EQ(Values((*ok)[0]), (std::vector<float>{11}));
}

TEST(SessionVariableTest, UninitializedThenInitializedAndPersistent) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  GetVariableOptions o;
  o.shape = TensorShape({2});
  o.initializer = [](const Scope& s, const TensorShape& shape, DataType dt) {
    return ops::ConstFilled(s.WithOpName("Const"), shape, dt, 3.0);
  };
  Variable* v = *GetVariable(root, "v", o);
  ops::Mul(root.WithOpName("doubled"), v->value, ops::Const(root, 2.0f));
  Node* init = GlobalVariablesInitializer(root);
  RILL_ASSERT_OK(root.status());
  auto session = *Session::Create(*root.graph());
  EXPECT_TRUE(HasError(session->Run({}, {"doubled"}), absl::StatusCode::kFailedPrecondition,
                       "Attempting to use uninitialized value v\n\t [[{{node v/read}}]]"));
  EXPECT_TRUE(HasError(session->Run({}, {"v:0"}), absl::StatusCode::kFailedPrecondition,
                       "Attempting to use uninitialized value v"));
  RILL_ASSERT_OK(session->Run({}, {}, {init->name()}));
  auto r = session->Run({}, {"doubled"});
  RILL_ASSERT_OK(r);
  EXPECT_EQ(Values((*r)[0]), (std::vector<float>{6, 6}));
  EXPECT_TRUE(session->variables().IsInitialized("v"));
  // A second session on the same graph has its own, uninitialized variables.
  auto other = *Session::Create(*root.graph());
  EXPECT_FALSE(other->Run({}, {"doubled"}).ok());
}

TEST(SessionGraphDefTest, CreatesFromAGraphDefAndCapsTensors) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output dims = ops::Placeholder(root.WithOpName("dims"), DT_INT32, TensorShape({2}));
  ops::Fill(root.WithOpName("big"), dims, ops::Const(root, 1.0f));
  pb::GraphDef def;
  ToGraphDef(*root.graph(), &def);
  SessionOptions options;
  options.max_tensor_bytes = 1 << 20;
  auto session = Session::Create(def, options);
  RILL_ASSERT_OK(session);
  Tensor huge = *Tensor::FromVector<int32_t>(TensorShape({2}), std::vector<int32_t>{1 << 20, 1 << 20});
  EXPECT_TRUE(HasError((*session)->Run({{"dims", huge}}, {"big"}),
                       absl::StatusCode::kResourceExhausted, "more than the cap of 1048576"));
  Tensor small = *Tensor::FromVector<int32_t>(TensorShape({2}), std::vector<int32_t>{2, 3});
  auto r = (*session)->Run({{"dims", small}}, {"big"});
  RILL_ASSERT_OK(r);
  EXPECT_EQ(Values((*r)[0]), std::vector<float>(6, 1.0f));
  Tensor negative = *Tensor::FromVector<int32_t>(TensorShape({2}), std::vector<int32_t>{-1, 3});
  EXPECT_TRUE(HasError((*session)->Run({{"dims", negative}}, {"big"}),
                       absl::StatusCode::kInvalidArgument, "Fill dimensions must be >= 0"));
}

TEST(SessionLimitsTest, PerRunByteCap) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1}));
  Output y = ops::Tanh(root, ops::Tanh(root, ops::Tanh(root.WithOpName("a"), x)));
  SessionOptions o;
  o.max_run_bytes = 1000;
  auto session = *Session::Create(*root.graph(), o);
  // 3 x 100 floats = 1200 bytes... but recycled buffers count once: the
  // chain reuses the first buffer, so 400 + 400 bytes at most.
  RILL_EXPECT_OK(session->Run({{"x", F({100}, std::vector<float>(100))}}, {y.name()}));
  EXPECT_TRUE(HasError(session->Run({{"x", F({300}, std::vector<float>(300))}}, {y.name()}),
                       absl::StatusCode::kResourceExhausted, "more than the per-run cap of 1000"));
}

TEST(SessionConcurrencyTest, ConcurrentRunsGiveCorrectResults) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1, 2}));
  Output w = ops::Const(root, {1, 2, 3, 4}, TensorShape({2, 2}));
  ops::Tanh(root.WithOpName("y"), ops::MatMul(root, x, w));
  auto session = *Session::Create(*root.graph());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const float a = 0.01f * (t * 200 + i);
        auto r = session->Run({{"x", F({1, 2}, {a, 0})}}, {"y"});
        if (!r.ok() || std::abs((*r)[0].data<float>()[0] - std::tanh(a)) > 1e-6f ||
            std::abs((*r)[0].data<float>()[1] - std::tanh(2 * a)) > 1e-6f) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(SessionOptionsTest, RejectsBadThreadCounts) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  SessionOptions o;
  o.intra_op_threads = 0;
  EXPECT_TRUE(HasError(Session::Create(*root.graph(), o), absl::StatusCode::kInvalidArgument,
                       "SessionOptions.intra_op_threads must be in [1, 1024], got 0"));
  o.intra_op_threads = 1;
  o.inter_op_threads = 1025;
  EXPECT_TRUE(HasError(Session::Create(*root.graph(), o), absl::StatusCode::kInvalidArgument,
                       "SessionOptions.inter_op_threads must be in [1, 1024], got 1025"));
}

}  // namespace
}  // namespace rill

namespace rill {
namespace {

// y = x · w for a Const w [8, 128]: rows 512 bytes apart, the slow sgemm
// stride, so MatMul reads w from a padded copy made on the first run.
class ConstantWeightsTest : public ::testing::Test {
 protected:
  static constexpr int kIn = 8, kOut = 128, kBatch = 4;

  ConstantWeightsTest() : root_(Scope::NewRootScope(&GlobalOpRegistry())) {
    std::vector<float> w(kIn * kOut);
    for (int i = 0; i < kIn * kOut; ++i) w[i] = 0.01f * ((i * 37) % 101) - 0.5f;
    w_ = F({kIn, kOut}, w);
    x_ = ops::Placeholder(root_.WithOpName("x"), DT_FLOAT, TensorShape({-1, kIn}));
    weights_ = ops::Const(root_.WithOpName("w"), w_);
    ops::MatMul(root_.WithOpName("y"), x_, ops::Identity(root_.WithOpName("w/read"), weights_));
    std::vector<float> x(kBatch * kIn);
    for (int i = 0; i < kBatch * kIn; ++i) x[i] = std::sin(0.3f * i);
    x_value_ = F({kBatch, kIn}, x);
  }

  // x_value_ · w in double.
  static void ExpectProduct(const Tensor& x, const Tensor& w, const Tensor& y) {
    ASSERT_EQ(y.shape(), TensorShape({kBatch, kOut}));
    for (int i = 0; i < kBatch; ++i) {
      for (int j = 0; j < kOut; ++j) {
        double want = 0;
        for (int p = 0; p < kIn; ++p) {
          want += double(x.data<float>()[i * kIn + p]) * w.data<float>()[p * kOut + j];
        }
        ASSERT_NEAR(y.data<float>()[i * kOut + j], want, 1e-5) << i << "," << j;
      }
    }
  }

  Scope root_;
  Tensor w_, x_value_;
  Output x_, weights_;
};

TEST_F(ConstantWeightsTest, PaddedCopyGivesTheProductRunAfterRun) {
  auto session = *Session::Create(*root_.graph());
  for (int run = 0; run < 2; ++run) {
    auto y = session->Run({{"x", x_value_}}, {"y"});
    ASSERT_TRUE(y.ok()) << y.status();
    ExpectProduct(x_value_, w_, (*y)[0]);
  }
}

TEST_F(ConstantWeightsTest, FeedingTheConstOverridesIt) {
  // A fed Const is not constant: that plan reads the fed values, and the
  // plan without the feed still reads the Const's.
  auto session = *Session::Create(*root_.graph());
  ExpectProduct(x_value_, w_, (*session->Run({{"x", x_value_}}, {"y"}))[0]);
  std::vector<float> other(kIn * kOut);
  for (int i = 0; i < kIn * kOut; ++i) other[i] = 0.02f * (i % 13) - 0.1f;
  const Tensor fed = F({kIn, kOut}, other);
  for (const char* name : {"w", "w/read"}) {
    auto y = session->Run({{"x", x_value_}, {name, fed}}, {"y"});
    ASSERT_TRUE(y.ok()) << y.status();
    ExpectProduct(x_value_, fed, (*y)[0]);
  }
  ExpectProduct(x_value_, w_, (*session->Run({{"x", x_value_}}, {"y"}))[0]);
}

}  // namespace
}  // namespace rill
