// Initializers: distributions (checked statistically against hand-derived
// moments), TensorFlow's node names and seed rules (random_seed.get_seed),
// and _compute_fans.
#include "ops/initializers.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/op_registry.h"
#include "ops/variables.h"
#include "runtime/session.h"

namespace rill {
namespace {

constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();

// Creates variable "w" of `shape` with `init` and returns its initial value
// from a fresh Session.
std::vector<double> InitialValue(const Scope& root, const Initializer& init,
                                 const TensorShape& shape, DataType dtype = DT_FLOAT,
                                 const std::string& name = "w") {
  GetVariableOptions o;
  o.shape = shape;
  o.dtype = dtype;
  o.initializer = init;
  absl::StatusOr<Variable*> v = GetVariable(root, name, o);
  EXPECT_TRUE(v.ok()) << v.status();
  if (!v.ok()) return {};
  auto session = Session::Create(*root.graph());
  EXPECT_TRUE(session.ok()) << session.status();
  EXPECT_TRUE((*session)->Run({}, {}, {(*v)->assign->name()}).ok());
  auto out = (*session)->Run({}, {(*v)->value.name()});
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return {};
  const Tensor& t = (*out)[0];
  EXPECT_EQ(t.shape(), shape);
  EXPECT_EQ(t.dtype(), dtype);
  std::vector<double> values;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    values.push_back(dtype == DT_DOUBLE ? t.data<double>()[i] : t.data<float>()[i]);
  }
  return values;
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / v.size();
}

double Variance(const std::vector<double>& v) {
  const double m = Mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / v.size();
}

std::vector<std::string> InputNames(const Node* n) {
  std::vector<std::string> names;
  for (const Output& o : n->inputs()) names.push_back(o.node->name());
  return names;
}

float ScalarConst(const Node* n) {
  const pb::TensorProto& t = n->attrs().at("value").tensor();
  return t.float_val(0);
}

TEST(InitializersTest, GlorotUniformIsBoundedAndUniform) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(1234);
  std::vector<double> v = InitialValue(root, GlorotUniformInitializer(), TensorShape({200, 300}));
  ASSERT_EQ(v.size(), 60000u);
  // fan_in = 200, fan_out = 300: limit = sqrt(6 / 500).
  const double limit = std::sqrt(6.0 / 500.0);
  for (double x : v) {
    ASSERT_GE(x, -limit);
    ASSERT_LE(x, limit);
  }
  // U(-l, l): mean 0 (sd of the mean l/sqrt(3)/sqrt(60000) ~ 2.6e-4), variance l^2/3.
  EXPECT_NEAR(Mean(v), 0.0, 0.002);
  EXPECT_NEAR(Variance(v), limit * limit / 3, 0.1 * limit * limit / 3);
  EXPECT_LT(*std::min_element(v.begin(), v.end()), -0.99 * limit);
  EXPECT_GT(*std::max_element(v.begin(), v.end()), 0.99 * limit);
  // Ten equal bins hold 6000 each; sd ~ 73, so 10% is far outside chance.
  std::vector<int> bins(10);
  for (double x : v) bins[std::min(9, static_cast<int>((x + limit) / (2 * limit) * 10))]++;
  for (int b : bins) EXPECT_NEAR(b, 6000, 600);
}

TEST(InitializersTest, GlorotUniformNodesMatchTensorFlow) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  GetVariableOptions o;
  o.shape = TensorShape({3, 5});
  RILL_ASSERT_OK(GetVariable(root.WithVariableScope("v"), "kernel", o));
  const Graph& g = *root.graph();
  const std::string p = "v/kernel/Initializer/random_uniform";
  const Node* shape = g.FindNode(p + "/shape");
  const Node* min = g.FindNode(p + "/min");
  const Node* max = g.FindNode(p + "/max");
  const Node* rnd = g.FindNode(p + "/RandomUniform");
  const Node* sub = g.FindNode(p + "/sub");
  const Node* mul = g.FindNode(p + "/mul");
  const Node* add = g.FindNode(p);
  for (const Node* n : {shape, min, max, rnd, sub, mul, add}) ASSERT_NE(n, nullptr);
  // TF creation order: shape, min, max, RandomUniform, sub, mul, add, then
  // the variable itself.
  EXPECT_LT(shape->id(), min->id());
  EXPECT_LT(min->id(), max->id());
  EXPECT_LT(max->id(), rnd->id());
  EXPECT_LT(rnd->id(), sub->id());
  EXPECT_LT(sub->id(), mul->id());
  EXPECT_LT(mul->id(), add->id());
  EXPECT_LT(add->id(), g.FindNode("v/kernel")->id());

  EXPECT_EQ(shape->op(), "Const");
  EXPECT_EQ(shape->output_type(0), DT_INT32);
  const Tensor* dims = shape->const_value();
  ASSERT_NE(dims, nullptr);
  EXPECT_EQ(dims->shape(), TensorShape({2}));
  EXPECT_EQ(dims->data<int32_t>()[0], 3);
  EXPECT_EQ(dims->data<int32_t>()[1], 5);
  const double limit = std::sqrt(6.0 / 8.0);
  EXPECT_EQ(min->op(), "Const");
  EXPECT_EQ(min->output_shape(0), TensorShape());
  EXPECT_FLOAT_EQ(ScalarConst(min), static_cast<float>(-limit));
  EXPECT_FLOAT_EQ(ScalarConst(max), static_cast<float>(limit));
  EXPECT_EQ(rnd->op(), "RandomUniform");
  EXPECT_EQ(InputNames(rnd), std::vector<std::string>{p + "/shape"});
  EXPECT_EQ(rnd->attrs().at("T").type(), DT_INT32);
  EXPECT_EQ(rnd->attrs().at("dtype").type(), DT_FLOAT);
  EXPECT_EQ(rnd->attrs().at("seed").i(), 0);
  EXPECT_EQ(rnd->attrs().at("seed2").i(), 0);
  EXPECT_EQ(sub->op(), "Sub");
  EXPECT_EQ(InputNames(sub), (std::vector<std::string>{p + "/max", p + "/min"}));
  EXPECT_EQ(mul->op(), "Mul");
  EXPECT_EQ(InputNames(mul), (std::vector<std::string>{p + "/RandomUniform", p + "/sub"}));
  EXPECT_EQ(add->op(), "Add");
  EXPECT_EQ(InputNames(add), (std::vector<std::string>{p + "/mul", p + "/min"}));
  EXPECT_EQ(add->output_shape(0), TensorShape({3, 5}));
  EXPECT_EQ(InputNames(g.FindNode("v/kernel/Assign")), (std::vector<std::string>{"v/kernel", p}));
  for (const Node* n : {shape, min, max, rnd, sub, mul, add}) {
    ASSERT_EQ(n->attrs().count("_class"), 1u) << n->name();
    EXPECT_EQ(n->attrs().at("_class").list().s(0), "loc:@v/kernel") << n->name();
  }
}

TEST(InitializersTest, RandomNormalAndTruncatedNormalNodeNames) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  GetVariableOptions o;
  o.shape = TensorShape({4});
  o.initializer = RandomNormalInitializer(1.0, 2.0);
  RILL_ASSERT_OK(GetVariable(root, "n", o));
  o.initializer = TruncatedNormalInitializer(1.0, 2.0);
  RILL_ASSERT_OK(GetVariable(root, "t", o));
  const Graph& g = *root.graph();
  for (const auto& [prefix, op] :
       std::vector<std::pair<std::string, std::string>>{
           {"n/Initializer/random_normal", "RandomStandardNormal"},
           {"t/Initializer/truncated_normal", "TruncatedNormal"}}) {
    const Node* rnd = g.FindNode(prefix + "/" + op);
    ASSERT_NE(rnd, nullptr) << prefix;
    EXPECT_EQ(rnd->op(), op);
    EXPECT_EQ(InputNames(rnd), std::vector<std::string>{prefix + "/shape"});
    EXPECT_FLOAT_EQ(ScalarConst(g.FindNode(prefix + "/mean")), 1.0f);
    EXPECT_FLOAT_EQ(ScalarConst(g.FindNode(prefix + "/stddev")), 2.0f);
    const Node* mul = g.FindNode(prefix + "/mul");
    ASSERT_NE(mul, nullptr);
    EXPECT_EQ(InputNames(mul), (std::vector<std::string>{prefix + "/" + op, prefix + "/stddev"}));
    const Node* add = g.FindNode(prefix);
    ASSERT_NE(add, nullptr);
    EXPECT_EQ(add->op(), "Add");
    EXPECT_EQ(InputNames(add), (std::vector<std::string>{prefix + "/mul", prefix + "/mean"}));
  }
}

TEST(InitializersTest, RandomUniformRange) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(7);
  std::vector<double> v =
      InitialValue(root, RandomUniformInitializer(-3.0, 5.0), TensorShape({100, 100}));
  ASSERT_EQ(v.size(), 10000u);
  for (double x : v) {
    ASSERT_GE(x, -3.0);
    ASSERT_LT(x, 5.0);
  }
  // U(-3, 5): mean 1 (sd of the mean 8/sqrt(12)/100 ~ 0.023), variance 64/12.
  EXPECT_NEAR(Mean(v), 1.0, 0.1);
  EXPECT_NEAR(Variance(v), 64.0 / 12.0, 0.05 * 64.0 / 12.0);
  // The default range is [0, 1).
  std::vector<double> d = InitialValue(root, RandomUniformInitializer(), TensorShape({1000}),
                                       DT_DOUBLE, "d");
  for (double x : d) {
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
  }
  EXPECT_NEAR(Mean(d), 0.5, 0.05);
}

TEST(InitializersTest, RandomNormalMoments) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(11);
  std::vector<double> v = InitialValue(root, RandomNormalInitializer(2.0, 3.0),
                                       TensorShape({20000}));
  ASSERT_EQ(v.size(), 20000u);
  // sd of the mean 3/sqrt(20000) ~ 0.021; sd of the sample sd ~ 0.015.
  EXPECT_NEAR(Mean(v), 2.0, 0.1);
  EXPECT_NEAR(std::sqrt(Variance(v)), 3.0, 0.15);
  // About 4.6% of N(2, 3) lies beyond 2 sd: an untruncated normal.
  int beyond = 0;
  for (double x : v) beyond += std::abs(x - 2.0) > 6.0;
  EXPECT_NEAR(beyond / 20000.0, 0.0455, 0.01);
}

TEST(InitializersTest, TruncatedNormalStaysWithinTwoStddev) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(13);
  std::vector<double> v = InitialValue(root, TruncatedNormalInitializer(1.0, 2.0),
                                       TensorShape({20000}));
  ASSERT_EQ(v.size(), 20000u);
  for (double x : v) ASSERT_LE(std::abs(x - 1.0), 4.0 + 1e-5);
  EXPECT_NEAR(Mean(v), 1.0, 0.1);
  // sd of N(0,1) truncated to (-2, 2): sqrt(1 - 2*2*phi(2)/(Phi(2)-Phi(-2))).
  const double phi2 = std::exp(-2.0) / std::sqrt(2 * M_PI);
  const double mass = std::erf(2.0 / std::sqrt(2.0));
  const double factor = std::sqrt(1 - 4 * phi2 / mass);
  EXPECT_NEAR(factor, 0.88, 0.005);
  EXPECT_NEAR(std::sqrt(Variance(v)), 2.0 * factor, 0.03 * 2.0 * factor);
}

TEST(InitializersTest, ConstantZerosOnesAreExact) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  std::vector<double> c = InitialValue(root, ConstantInitializer(0.25), TensorShape({2, 3}),
                                       DT_FLOAT, "c");
  std::vector<double> z = InitialValue(root, ZerosInitializer(), TensorShape({4}), DT_FLOAT, "z");
  std::vector<double> o = InitialValue(root, OnesInitializer(), TensorShape({3}), DT_DOUBLE, "o");
  std::vector<double> n = InitialValue(root, ConstantInitializer(-1.5), TensorShape(), DT_DOUBLE,
                                       "n");
  EXPECT_EQ(c, std::vector<double>(6, 0.25));
  EXPECT_EQ(z, std::vector<double>(4, 0.0));
  EXPECT_EQ(o, std::vector<double>(3, 1.0));
  EXPECT_EQ(n, std::vector<double>{-1.5});
  const Graph& g = *root.graph();
  for (const char* name : {"c/Initializer/Const", "z/Initializer/zeros", "o/Initializer/ones",
                           "n/Initializer/Const"}) {
    const Node* node = g.FindNode(name);
    ASSERT_NE(node, nullptr) << name;
    EXPECT_EQ(node->op(), "Const");
  }
  // Written in TF's compact form: one value repeated over the shape.
  const pb::TensorProto& t = g.FindNode("c/Initializer/Const")->attrs().at("value").tensor();
  EXPECT_EQ(t.float_val_size(), 1);
  EXPECT_EQ(t.tensor_shape().dim_size(), 2);
}

// Builds graph seed (optional) + `extra` placeholders + variable "w" and
// returns its initial value.
std::vector<double> SeededValues(std::optional<int64_t> graph_seed, std::optional<int64_t> op_seed,
                                 int extra = 0) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  if (graph_seed) root.graph()->set_seed(*graph_seed);
  for (int i = 0; i < extra; ++i) ops::Placeholder(root, DT_FLOAT);
  return InitialValue(root, RandomUniformInitializer(0.0, 1.0, op_seed), TensorShape({64}));
}

TEST(InitializersTest, SeedsMakeValuesDeterministic) {
  // Same graph seed and same graph: identical values in separate Sessions.
  std::vector<double> a = SeededValues(42, std::nullopt);
  EXPECT_EQ(a, SeededValues(42, std::nullopt));
  // An op seed alone is deterministic too (graph seed 87654321).
  std::vector<double> b = SeededValues(std::nullopt, 5);
  EXPECT_EQ(b, SeededValues(std::nullopt, 5));
  EXPECT_EQ(b, SeededValues(87654321, 5));
  // Different op seeds, graph seeds or node counts (the default op seed)
  // give different values.
  EXPECT_NE(SeededValues(42, 1), SeededValues(42, 2));
  EXPECT_NE(a, SeededValues(43, std::nullopt));
  EXPECT_NE(a, SeededValues(42, std::nullopt, /*extra=*/1));
  // With no seed at all, every Session draws afresh.
  EXPECT_NE(SeededValues(std::nullopt, std::nullopt), SeededValues(std::nullopt, std::nullopt));

  // Two Sessions over one seeded graph agree.
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(3);
  GetVariableOptions o;
  o.shape = TensorShape({16});
  absl::StatusOr<Variable*> v = GetVariable(root, "w", o);
  RILL_ASSERT_OK(v);
  std::vector<std::vector<float>> runs;
  for (int i = 0; i < 2; ++i) {
    auto session = *Session::Create(*root.graph());
    RILL_ASSERT_OK(session->Run({}, {}, {(*v)->assign->name()}));
    auto out = session->Run({}, {(*v)->value.name()});
    RILL_ASSERT_OK(out);
    runs.emplace_back((*out)[0].flat<float>().begin(), (*out)[0].flat<float>().end());
  }
  EXPECT_EQ(runs[0], runs[1]);
}

TEST(InitializersTest, RandomOpSeedAttrsFollowGetSeed) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(42);
  ops::Placeholder(root.WithOpName("x"), DT_FLOAT);
  GetVariableOptions o;
  o.shape = TensorShape({2, 2});
  RILL_ASSERT_OK(GetVariable(root, "w", o));
  const Node* rnd = root.graph()->FindNode("w/Initializer/random_uniform/RandomUniform");
  ASSERT_NE(rnd, nullptr);
  // TF: op seed = the graph's last op id when the random op is built: x,
  // shape, min, max exist, so 4.
  EXPECT_EQ(rnd->attrs().at("seed").i(), 42);
  EXPECT_EQ(rnd->attrs().at("seed2").i(), 4);

  o.initializer = RandomNormalInitializer(0, 1, /*seed=*/9);
  RILL_ASSERT_OK(GetVariable(root, "n", o));
  const Node* normal = root.graph()->FindNode("n/Initializer/random_normal/RandomStandardNormal");
  ASSERT_NE(normal, nullptr);
  EXPECT_EQ(normal->attrs().at("seed").i(), 42);
  EXPECT_EQ(normal->attrs().at("seed2").i(), 9);
}

TEST(InitializersTest, GetSeedsRules) {
  Graph g(&GlobalOpRegistry());
  // Neither seed: (0, 0), nondeterministic.
  EXPECT_EQ(GetSeeds(g, std::nullopt), std::make_pair(int64_t{0}, int64_t{0}));
  // Op seed only: the default graph seed.
  EXPECT_EQ(GetSeeds(g, 17), std::make_pair(int64_t{87654321}, int64_t{17}));
  // Both zero would mean "nondeterministic" to the kernels.
  EXPECT_EQ(GetSeeds(g, 0), std::make_pair(int64_t{87654321}, int64_t{0}));
  g.set_seed(5);
  // Graph seed only: the op seed is the graph's node count.
  EXPECT_EQ(GetSeeds(g, std::nullopt), std::make_pair(int64_t{5}, int64_t{0}));
  EXPECT_EQ(GetSeeds(g, 3), std::make_pair(int64_t{5}, int64_t{3}));
  NodeSpec spec;
  spec.name = "x";
  spec.op = "Placeholder";
  spec.attrs["dtype"] = AttrType(DT_FLOAT);
  RILL_ASSERT_OK(g.AddNode(spec));
  spec.name = "y";
  RILL_ASSERT_OK(g.AddNode(spec));
  EXPECT_EQ(GetSeeds(g, std::nullopt), std::make_pair(int64_t{5}, int64_t{2}));
  g.set_seed(0);
  EXPECT_EQ(GetSeeds(g, 0), std::make_pair(int64_t{0}, kMaxInt32));
  // Seeds are truncated to int32 as Python's `seed % (2**31 - 1)`.
  g.set_seed((int64_t{1} << 31) + 5);
  EXPECT_EQ(GetSeeds(g, kMaxInt32 + 7), std::make_pair(int64_t{6}, int64_t{7}));
  g.set_seed(-1);
  EXPECT_EQ(GetSeeds(g, -2), std::make_pair(kMaxInt32 - 1, kMaxInt32 - 2));
  g.set_seed(kMaxInt32);
  EXPECT_EQ(GetSeeds(g, 0), std::make_pair(int64_t{0}, kMaxInt32));
}

TEST(InitializersTest, ComputeFansForRanksZeroToFour) {
  using Fans = std::pair<double, double>;
  EXPECT_EQ(ComputeFans(TensorShape()), Fans(1, 1));
  EXPECT_EQ(ComputeFans(TensorShape({7})), Fans(7, 7));
  EXPECT_EQ(ComputeFans(TensorShape({3, 4})), Fans(3, 4));
  // Receptive field = product of all but the last two dims.
  EXPECT_EQ(ComputeFans(TensorShape({2, 3, 4})), Fans(2 * 3, 2 * 4));
  EXPECT_EQ(ComputeFans(TensorShape({2, 3, 4, 5})), Fans(6 * 4, 6 * 5));
}

TEST(InitializersTest, GlorotLimitUsesTheFans) {
  // A [2, 3, 4, 5] kernel: fan_in 24, fan_out 30, limit sqrt(6 / 54).
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  GetVariableOptions o;
  o.shape = TensorShape({2, 3, 4, 5});
  RILL_ASSERT_OK(GetVariable(root, "k", o));
  const Node* max = root.graph()->FindNode("k/Initializer/random_uniform/max");
  ASSERT_NE(max, nullptr);
  EXPECT_FLOAT_EQ(ScalarConst(max), static_cast<float>(std::sqrt(6.0 / 54.0)));
  // A scalar: fans (1, 1), limit sqrt(3).
  o.shape = TensorShape();
  RILL_ASSERT_OK(GetVariable(root, "s", o));
  EXPECT_FLOAT_EQ(ScalarConst(root.graph()->FindNode("s/Initializer/random_uniform/max")),
                  static_cast<float>(std::sqrt(3.0)));
}

// W^T W (tall, rows >= cols) or W W^T (wide) of a row-major rows x cols W:
// the Gram matrix of its columns or rows.
std::vector<double> Gram(const std::vector<double>& w, int64_t rows, int64_t cols) {
  const bool wide = rows < cols;
  const int64_t k = wide ? rows : cols;  // Size of the Gram matrix.
  const int64_t len = wide ? cols : rows;
  std::vector<double> g(k * k, 0.0);
  for (int64_t i = 0; i < k; ++i) {
    for (int64_t j = 0; j < k; ++j) {
      for (int64_t t = 0; t < len; ++t) {
        g[i * k + j] += wide ? w[i * cols + t] * w[j * cols + t] : w[t * cols + i] * w[t * cols + j];
      }
    }
  }
  return g;
}

// Every entry of `g` (k x k) is within `tol` of scale * I.
::testing::AssertionResult IsScaledIdentity(const std::vector<double>& g, double scale,
                                            double tol) {
  const int64_t k = static_cast<int64_t>(std::sqrt(static_cast<double>(g.size())));
  for (int64_t i = 0; i < k; ++i) {
    for (int64_t j = 0; j < k; ++j) {
      const double expected = i == j ? scale : 0.0;
      if (std::abs(g[i * k + j] - expected) > tol) {
        return ::testing::AssertionFailure() << "entry (" << i << ", " << j << ") is "
                                             << g[i * k + j] << ", expected " << expected;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(OrthogonalInitializerTest, TallHasOrthonormalColumns) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(17);
  std::vector<double> w = InitialValue(root, OrthogonalInitializer(), TensorShape({6, 4}));
  ASSERT_EQ(w.size(), 24u);
  EXPECT_TRUE(IsScaledIdentity(Gram(w, 6, 4), 1.0, 1e-5));
  // Not a trivial answer: some entry off the identity pattern is sizeable.
  double off = 0;
  for (int64_t i = 4; i < 6; ++i) {
    for (int64_t j = 0; j < 4; ++j) off = std::max(off, std::abs(w[i * 4 + j]));
  }
  EXPECT_GT(off, 0.05);
}

TEST(OrthogonalInitializerTest, WideHasOrthonormalRows) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(17);
  std::vector<double> w = InitialValue(root, OrthogonalInitializer(), TensorShape({4, 6}));
  ASSERT_EQ(w.size(), 24u);
  EXPECT_TRUE(IsScaledIdentity(Gram(w, 4, 6), 1.0, 1e-5));
}

TEST(OrthogonalInitializerTest, SquareDoubleAndHigherRank) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(3);
  std::vector<double> sq = InitialValue(root, OrthogonalInitializer(), TensorShape({5, 5}),
                                        DT_DOUBLE, "sq");
  ASSERT_EQ(sq.size(), 25u);
  EXPECT_TRUE(IsScaledIdentity(Gram(sq, 5, 5), 1.0, 1e-12));
  // [2, 3, 4] flattens to a 6 x 4 matrix with orthonormal columns.
  std::vector<double> conv = InitialValue(root, OrthogonalInitializer(), TensorShape({2, 3, 4}),
                                          DT_FLOAT, "conv");
  ASSERT_EQ(conv.size(), 24u);
  EXPECT_TRUE(IsScaledIdentity(Gram(conv, 6, 4), 1.0, 1e-5));
  // [2, 2, 6] flattens to 4 x 6: orthonormal rows.
  std::vector<double> wide = InitialValue(root, OrthogonalInitializer(), TensorShape({2, 2, 6}),
                                          DT_FLOAT, "wide");
  EXPECT_TRUE(IsScaledIdentity(Gram(wide, 4, 6), 1.0, 1e-5));
}

TEST(OrthogonalInitializerTest, GainScales) {
  for (const TensorShape& shape : {TensorShape({6, 4}), TensorShape({4, 6})}) {
    Scope root = Scope::NewRootScope(&GlobalOpRegistry());
    std::vector<double> w =
        InitialValue(root, OrthogonalInitializer(/*gain=*/2.0, /*seed=*/5), shape);
    ASSERT_EQ(w.size(), 24u);
    EXPECT_TRUE(IsScaledIdentity(Gram(w, shape.dim(0), shape.dim(1)), 4.0, 4e-5))
        << shape.ToString();
    // Gain 2 is exactly twice gain 1 with the same seed.
    Scope r1 = Scope::NewRootScope(&GlobalOpRegistry());
    std::vector<double> w1 = InitialValue(r1, OrthogonalInitializer(1.0, 5), shape);
    ASSERT_EQ(w1.size(), w.size());
    for (size_t i = 0; i < w.size(); ++i) EXPECT_FLOAT_EQ(w[i], 2 * w1[i]) << i;
  }
}

TEST(OrthogonalInitializerTest, SeedsMakeValuesDeterministic) {
  auto values = [](std::optional<int64_t> graph_seed, std::optional<int64_t> op_seed) {
    Scope root = Scope::NewRootScope(&GlobalOpRegistry());
    if (graph_seed) root.graph()->set_seed(*graph_seed);
    return InitialValue(root, OrthogonalInitializer(1.0, op_seed), TensorShape({6, 4}));
  };
  const std::vector<double> a = values(std::nullopt, 7);
  EXPECT_EQ(a, values(std::nullopt, 7));
  EXPECT_EQ(a, values(87654321, 7));
  EXPECT_NE(a, values(std::nullopt, 8));
  const std::vector<double> g = values(42, std::nullopt);
  EXPECT_EQ(g, values(42, std::nullopt));
  EXPECT_NE(g, values(43, std::nullopt));
  // The seeds land on the RandomStandardNormal node, as for random_normal.
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(42);
  GetVariableOptions o;
  o.shape = TensorShape({3, 3});
  o.initializer = OrthogonalInitializer(1.0, 9);
  RILL_ASSERT_OK(GetVariable(root, "w", o));
  const Node* rnd = root.graph()->FindNode("w/Initializer/random_normal/RandomStandardNormal");
  ASSERT_NE(rnd, nullptr);
  EXPECT_EQ(rnd->attrs().at("seed").i(), 42);
  EXPECT_EQ(rnd->attrs().at("seed2").i(), 9);
}

TEST(OrthogonalInitializerTest, RankBelowTwoIsAnError) {
  for (const TensorShape& shape : {TensorShape({5}), TensorShape()}) {
    Scope root = Scope::NewRootScope(&GlobalOpRegistry());
    GetVariableOptions o;
    o.shape = shape;
    o.initializer = OrthogonalInitializer();
    absl::StatusOr<Variable*> v = GetVariable(root, "v", o);
    EXPECT_TRUE(::rill::testing::HasError(v, absl::StatusCode::kInvalidArgument,
                                          "The tensor to initialize must be at least "
                                          "two-dimensional"))
        << shape.ToString();
    // Nothing of the initializer was emitted.
    EXPECT_EQ(root.graph()->FindNode("v/Initializer/random_normal/shape"), nullptr);
  }
  // Integer variables are rejected like the other random initializers.
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  GetVariableOptions o;
  o.shape = TensorShape({2, 2});
  o.dtype = DT_INT32;
  o.initializer = OrthogonalInitializer();
  EXPECT_TRUE(::rill::testing::HasError(GetVariable(root, "i", o),
                                        absl::StatusCode::kInvalidArgument,
                                        "Random initializers need a floating dtype"));
}

TEST(OrthogonalInitializerTest, EmptyShapes) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  EXPECT_TRUE(InitialValue(root, OrthogonalInitializer(), TensorShape({0, 4}), DT_FLOAT, "a")
                  .empty());
  EXPECT_TRUE(InitialValue(root, OrthogonalInitializer(), TensorShape({3, 0}), DT_FLOAT, "b")
                  .empty());
  RILL_ASSERT_OK(root.status());
}

// TF 1.x init_ops.Orthogonal.__call__ for a [4, 6] float variable "w"
// (num_rows 4 < num_cols 6, so flat_shape is (6, 4) and Q is transposed).
TEST(OrthogonalInitializerTest, NodesMatchTensorFlow) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  GetVariableOptions o;
  o.shape = TensorShape({4, 6});
  o.initializer = OrthogonalInitializer(1.5);
  RILL_ASSERT_OK(GetVariable(root, "w", o));
  const Graph& g = *root.graph();
  struct Expected {
    std::string name, op;
    std::vector<std::string> inputs;  // "node" or "node:i".
  };
  const std::string p = "w/Initializer/";
  const std::string rn = p + "random_normal";
  const std::vector<Expected> expected = {
      {rn + "/shape", "Const", {}},
      {rn + "/mean", "Const", {}},
      {rn + "/stddev", "Const", {}},
      {rn + "/RandomStandardNormal", "RandomStandardNormal", {rn + "/shape"}},
      {rn + "/mul", "Mul", {rn + "/RandomStandardNormal", rn + "/stddev"}},
      {rn, "Add", {rn + "/mul", rn + "/mean"}},
      {p + "Qr", "Qr", {rn}},
      {p + "DiagPart", "DiagPart", {p + "Qr:1"}},
      {p + "Sign", "Sign", {p + "DiagPart"}},
      {p + "mul", "Mul", {p + "Qr", p + "Sign"}},
      {p + "matrix_transpose/transpose/perm", "Const", {}},
      {p + "matrix_transpose/transpose", "Transpose",
       {p + "mul", p + "matrix_transpose/transpose/perm"}},
      {p + "Reshape/shape", "Const", {}},
      {p + "Reshape", "Reshape", {p + "matrix_transpose/transpose", p + "Reshape/shape"}},
      {p + "mul_1/x", "Const", {}},
      {p + "mul_1", "Mul", {p + "mul_1/x", p + "Reshape"}},
      {"w", "VariableV2", {}},
      {"w/Assign", "Assign", {"w", p + "mul_1"}},
      {"w/read", "Identity", {"w"}},
  };
  ASSERT_EQ(g.num_nodes(), static_cast<int>(expected.size()));
  for (int i = 0; i < g.num_nodes(); ++i) {
    const Node* n = g.node(i);
    EXPECT_EQ(n->name(), expected[i].name) << i;
    EXPECT_EQ(n->op(), expected[i].op) << n->name();
    std::vector<std::string> inputs;
    for (const Output& in : n->inputs()) {
      inputs.push_back(in.index == 0 ? in.node->name()
                                     : in.node->name() + ":" + std::to_string(in.index));
    }
    EXPECT_EQ(inputs, expected[i].inputs) << n->name();
    if (n->name().rfind(p, 0) == 0) {
      ASSERT_EQ(n->attrs().count("_class"), 1u) << n->name();
      EXPECT_EQ(n->attrs().at("_class").list().s(0), "loc:@w") << n->name();
    }
  }
  auto int_values = [&](const std::string& name) {
    const Tensor* t = g.FindNode(name)->const_value();
    EXPECT_NE(t, nullptr) << name;
    EXPECT_EQ(t->dtype(), DT_INT32) << name;
    return std::vector<int32_t>(t->data<int32_t>(), t->data<int32_t>() + t->num_elements());
  };
  EXPECT_EQ(int_values(rn + "/shape"), (std::vector<int32_t>{6, 4}));
  EXPECT_EQ(int_values(p + "matrix_transpose/transpose/perm"), (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(int_values(p + "Reshape/shape"), (std::vector<int32_t>{4, 6}));
  EXPECT_FLOAT_EQ(ScalarConst(g.FindNode(rn + "/mean")), 0.0f);
  EXPECT_FLOAT_EQ(ScalarConst(g.FindNode(rn + "/stddev")), 1.0f);
  EXPECT_FLOAT_EQ(ScalarConst(g.FindNode(p + "mul_1/x")), 1.5f);
  const Node* qr = g.FindNode(p + "Qr");
  EXPECT_FALSE(qr->attrs().at("full_matrices").b());
  EXPECT_EQ(qr->output_shape(0), TensorShape({6, 4}));
  EXPECT_EQ(qr->output_shape(1), TensorShape({4, 4}));
  EXPECT_EQ(g.FindNode(p + "DiagPart")->output_shape(0), TensorShape({4}));
  EXPECT_EQ(g.FindNode(p + "matrix_transpose/transpose")->output_shape(0), TensorShape({4, 6}));
  EXPECT_EQ(g.FindNode(p + "mul_1")->output_shape(0), TensorShape({4, 6}));
  EXPECT_EQ(g.FindNode(p + "matrix_transpose/transpose")->attrs().at("Tperm").type(), DT_INT32);
}

TEST(OrthogonalInitializerTest, TallEmitsNoTranspose) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  GetVariableOptions o;
  o.shape = TensorShape({3, 2, 2});
  o.initializer = OrthogonalInitializer();
  RILL_ASSERT_OK(GetVariable(root.WithVariableScope("s"), "k", o));
  const Graph& g = *root.graph();
  const std::string p = "s/k/Initializer/";
  EXPECT_EQ(g.FindNode(p + "matrix_transpose/transpose"), nullptr);
  const Node* reshape = g.FindNode(p + "Reshape");
  ASSERT_NE(reshape, nullptr);
  EXPECT_EQ(InputNames(reshape), (std::vector<std::string>{p + "mul", p + "Reshape/shape"}));
  EXPECT_EQ(reshape->output_shape(0), TensorShape({3, 2, 2}));
  const Tensor* flat = g.FindNode(p + "random_normal/shape")->const_value();
  ASSERT_NE(flat, nullptr);
  EXPECT_EQ(flat->data<int32_t>()[0], 6);
  EXPECT_EQ(flat->data<int32_t>()[1], 2);
  EXPECT_EQ(InputNames(g.FindNode("s/k/Assign")), (std::vector<std::string>{"s/k", p + "mul_1"}));
}

}  // namespace
}  // namespace rill
