// GetVariable, variable scopes and GlobalVariablesInitializer against
// TensorFlow 1.x (SPEC §4, §7, §9.2: variable_scope_test.py ported as far as
// the C++ API expresses it).
#include "ops/variables.h"

#include <string>
#include <vector>

#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/initializers.h"
#include "ops/math_ops.h"
#include "ops/op_registry.h"
#include "runtime/session.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

absl::StatusOr<Variable*> Get(const Scope& s, const std::string& name,
                              std::optional<TensorShape> shape = TensorShape(),
                              std::optional<DataType> dtype = std::nullopt) {
  GetVariableOptions o;
  o.shape = std::move(shape);
  o.dtype = dtype;
  return GetVariable(s, name, o);
}

// The current variable scope re-entered with `reuse` (the store-level
// "reuse" argument of TF's _VariableStore.get_variable).
Scope WithReuse(const Scope& s, Reuse reuse) {
  VariableScopeOptions o;
  o.reuse = reuse;
  return s.WithVariableScope(s.variable_scope(), o);
}

VariableScopeOptions ReuseOpt(Reuse reuse) {
  VariableScopeOptions o;
  o.reuse = reuse;
  return o;
}

// The name a NoOp "c" gets in `s`, minus the "c": TF's `name_scope(...) as sc`.
std::string NameScopeOf(const Scope& s) {
  Node* n = ops::NoOp(s.WithOpName("c"));
  if (n == nullptr) return "<error>";
  return n->name().substr(0, n->name().size() - 1);
}

std::vector<std::string> InputNames(const Node* n) {
  std::vector<std::string> names;
  for (const Output& o : n->inputs()) {
    names.push_back(o.index == 0 ? o.node->name() : o.name());
  }
  return names;
}

std::vector<std::string> ColocationOf(const Node* n) {
  auto it = n->attrs().find("_class");
  if (it == n->attrs().end()) return {};
  return {it->second.list().s().begin(), it->second.list().s().end()};
}

// SPEC §9.2 case 1 (testNameExists): the store's reuse argument.
TEST(GetVariableTest, NameExistsFollowsTheStoreReuseRules) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  // reuse=None at the store (rill: kAuto) is get-or-create.
  absl::StatusOr<Variable*> v = Get(WithReuse(root, Reuse::kAuto), "v", TensorShape({1}));
  RILL_ASSERT_OK(v);
  absl::StatusOr<Variable*> v2 = Get(WithReuse(root, Reuse::kAuto), "v", TensorShape({1}));
  RILL_ASSERT_OK(v2);
  EXPECT_EQ(*v, *v2);
  // reuse=False: new names only.
  RILL_EXPECT_OK(Get(WithReuse(root, Reuse::kNone), "w", TensorShape({1})));
  EXPECT_TRUE(HasError(Get(WithReuse(root, Reuse::kNone), "v", TensorShape({1})),
                       absl::StatusCode::kAlreadyExists, "Variable v already exists"));
  // reuse=True: existing names only.
  absl::StatusOr<Variable*> v3 = Get(WithReuse(root, Reuse::kTrue), "v", TensorShape({1}));
  RILL_ASSERT_OK(v3);
  EXPECT_EQ(*v3, *v);
  EXPECT_TRUE(HasError(Get(WithReuse(root, Reuse::kTrue), "u", TensorShape({1})),
                       absl::StatusCode::kNotFound, "Variable u does not exist"));
  EXPECT_EQ(root.variable_store().all().size(), 2u);
  // Store errors are returned, not sticky.
  RILL_EXPECT_OK(root.status());
}

TEST(GetVariableTest, ErrorTextsAreTensorFlows) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  RILL_ASSERT_OK(Get(root, "v", TensorShape({1})));
  absl::Status exists = Get(root, "v", TensorShape({1})).status();
  EXPECT_EQ(exists.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StartsWith(
      exists.message(),
      "Variable v already exists, disallowed. Did you mean to set reuse=True or "
      "reuse=tf.AUTO_REUSE in VarScope? Originally defined at:\n\n"))
      << exists;

  Scope reuse = root.WithReuseVariables();
  absl::Status missing = Get(reuse, "u", TensorShape({1})).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.message(),
            "Variable u does not exist, or was not created with tf.get_variable(). Did you "
            "mean to set reuse=tf.AUTO_REUSE in VarScope?");

  absl::Status shape = Get(reuse, "v", TensorShape({2})).status();
  EXPECT_EQ(shape.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(shape.message(),
            "Trying to share variable v, but specified shape (2,) and found shape (1,).");

  absl::Status dtype = Get(reuse, "v", TensorShape({1}), DT_INT32).status();
  EXPECT_EQ(dtype.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(dtype.message(),
            "Trying to share variable v, but specified dtype int32 and found dtype "
            "float32_ref.");

  // get_variable's dtype defaults to float32, so reusing an int32 variable
  // without a dtype is a mismatch too.
  RILL_ASSERT_OK(Get(root, "i", TensorShape({1}), DT_INT32));
  EXPECT_TRUE(HasError(Get(reuse, "i", TensorShape({1})), absl::StatusCode::kInvalidArgument,
                       "Trying to share variable i, but specified dtype float32 and found "
                       "dtype int32_ref."));
  // An unknown shape is compatible with anything on reuse.
  RILL_EXPECT_OK(Get(reuse, "v", std::nullopt));
  RILL_EXPECT_OK(Get(reuse, "v", TensorShape({-1})));

  // A new variable needs a fully defined shape.
  EXPECT_TRUE(HasError(Get(root, "p", TensorShape({-1, 2})), absl::StatusCode::kInvalidArgument,
                       "Shape of a new variable (p) must be fully defined, but instead was "
                       "(?, 2)."));
  EXPECT_TRUE(HasError(Get(root, "q", std::nullopt), absl::StatusCode::kInvalidArgument,
                       "Shape of a new variable (q) must be fully defined, but instead was "
                       "<unknown>."));
  EXPECT_EQ(root.graph()->FindNode("p"), nullptr);
  RILL_EXPECT_OK(root.status());
}

// SPEC §9.2 case 2 (testVarScopeGetVar).
TEST(VariableScopeTest, VarScopeGetVar) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Scope r = root.WithVariableScope("root");
  Scope tower_a = r.WithVariableScope("towerA");
  absl::StatusOr<Variable*> va = Get(tower_a, "v", TensorShape({1}));
  RILL_ASSERT_OK(va);
  EXPECT_EQ((*va)->name, "root/towerA/v");
  EXPECT_EQ((*va)->ToString(), "root/towerA/v:0 shape=(1,) dtype=float32");
  const VariableScope captured_a = tower_a.variable_scope();

  absl::StatusOr<Variable*> va2 =
      Get(r.WithVariableScope(captured_a, ReuseOpt(Reuse::kTrue)), "v", TensorShape({1}));
  RILL_ASSERT_OK(va2);
  EXPECT_EQ(*va2, *va);

  absl::StatusOr<Variable*> vb = Get(r.WithVariableScope("towerB"), "v", TensorShape({1}));
  RILL_ASSERT_OK(vb);
  EXPECT_EQ((*vb)->name, "root/towerB/v");

  EXPECT_TRUE(HasError(Get(r.WithVariableScope("towerA"), "v", TensorShape({1})),
                       absl::StatusCode::kAlreadyExists, "root/towerA/v already exists"));

  absl::StatusOr<Variable*> va3 =
      Get(r.WithVariableScope("towerA", ReuseOpt(Reuse::kTrue)), "v", TensorShape({1}));
  RILL_ASSERT_OK(va3);
  EXPECT_EQ(*va3, *va);

  Scope bar = r.WithVariableScope("foo").WithVariableScope("bar");
  absl::StatusOr<Variable*> vfb = Get(bar, "v", TensorShape({1}));
  RILL_ASSERT_OK(vfb);
  EXPECT_EQ((*vfb)->name, "root/foo/bar/v");
  absl::StatusOr<Variable*> va4 =
      Get(bar.WithVariableScope(captured_a, ReuseOpt(Reuse::kTrue)), "v", TensorShape({1}));
  RILL_ASSERT_OK(va4);
  EXPECT_EQ(*va4, *va);

  Scope baz = r.WithVariableScope(captured_a, ReuseOpt(Reuse::kTrue)).WithVariableScope("baz");
  EXPECT_TRUE(HasError(Get(baz, "v", TensorShape({1})), absl::StatusCode::kNotFound,
                       "Variable root/towerA/baz/v does not exist"));

  Scope a_reuse = r.WithVariableScope(captured_a, ReuseOpt(Reuse::kTrue));
  absl::Status shape = Get(a_reuse, "v", TensorShape({2})).status();
  EXPECT_EQ(shape.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(shape.message(), "shape")) << shape;
  absl::Status dtype = Get(a_reuse, "v", TensorShape({1}), DT_INT32).status();
  EXPECT_EQ(dtype.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(dtype.message(), "dtype")) << dtype;
  RILL_EXPECT_OK(root.status());
}

// SPEC §9.2 case 3 (testVarScopeObjectReuse).
TEST(VariableScopeTest, CapturedReuseIsInheritedAndCannotBeUndone) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  const VariableScope jump_reuse =
      root.WithVariableScope("jump", ReuseOpt(Reuse::kTrue)).variable_scope();
  Scope s = root.WithVariableScope(jump_reuse, ReuseOpt(Reuse::kNone));
  EXPECT_EQ(s.variable_scope().reuse, Reuse::kTrue);
  EXPECT_EQ(s.WithVariableScope("inner", ReuseOpt(Reuse::kNone)).variable_scope().reuse,
            Reuse::kTrue);

  const VariableScope jump_no_reuse = root.WithVariableScope("jump_no_reuse").variable_scope();
  EXPECT_EQ(jump_no_reuse.reuse, Reuse::kNone);
  Scope t = root.WithVariableScope(jump_no_reuse, ReuseOpt(Reuse::kTrue));
  EXPECT_EQ(t.variable_scope().reuse, Reuse::kTrue);
  EXPECT_EQ(t.WithVariableScope("inner").variable_scope().reuse, Reuse::kTrue);
  EXPECT_EQ(root.WithVariableScope(jump_no_reuse).variable_scope().reuse, Reuse::kNone);
  // String scopes inherit a parent's reuse=True too.
  EXPECT_EQ(root.WithReuseVariables().WithVariableScope("x").variable_scope().reuse,
            Reuse::kTrue);
}

// SPEC §9.2 case 4 (testVarOpScope): variable names ignore name scopes; name
// scopes are uniquified; default names are uniquified per variable scope.
TEST(VariableScopeTest, VarOpScope) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Scope ns1 = root.NewSubScope("testVarOpScope1");
  Scope tower = ns1.WithVariableScope("tower");
  absl::StatusOr<Variable*> w = Get(tower, "w");
  RILL_ASSERT_OK(w);
  EXPECT_EQ((*w)->name, "tower/w");
  EXPECT_EQ(NameScopeOf(tower.NewSubScope("testVarOpScope2")),
            "testVarOpScope1/tower/testVarOpScope2/");

  Scope tower_again = ns1.WithVariableScope("tower");
  EXPECT_TRUE(HasError(Get(tower_again, "w"), absl::StatusCode::kAlreadyExists,
                       "Variable tower/w already exists, disallowed"));
  EXPECT_EQ(NameScopeOf(tower_again.NewSubScope("testVarOpScope2")),
            "testVarOpScope1/tower_1/testVarOpScope2/");

  Scope ns2 = root.NewSubScope("testVarOpScope2");
  Scope d0 = ns2.WithDefaultVariableScope("default");
  absl::StatusOr<Variable*> w0 = Get(d0, "w");
  RILL_ASSERT_OK(w0);
  EXPECT_EQ((*w0)->name, "default/w");
  EXPECT_EQ(NameScopeOf(d0.NewSubScope("testVarOpScope2")),
            "testVarOpScope2/default/testVarOpScope2/");
  Scope d1 = ns2.WithDefaultVariableScope("default");
  absl::StatusOr<Variable*> w1 = Get(d1, "w");
  RILL_ASSERT_OK(w1);
  EXPECT_EQ((*w1)->name, "default_1/w");
  EXPECT_EQ(NameScopeOf(d1.NewSubScope("testVarOpScope2")),
            "testVarOpScope2/default_1/testVarOpScope2/");
  RILL_EXPECT_OK(root.status());
}

// tf.variable_scope(None, default_name) opens name_scope(default_name): the
// name scope is uniquified on its own, not named after the unique variable
// scope.
TEST(VariableScopeTest, DefaultNameScopeIsUniquifiedSeparately) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Scope a = root.NewSubScope("a").WithDefaultVariableScope("default");
  Scope b = root.NewSubScope("b").WithDefaultVariableScope("default");
  EXPECT_EQ(a.variable_scope().name, "default");
  EXPECT_EQ(b.variable_scope().name, "default_1");
  EXPECT_EQ(NameScopeOf(a), "a/default/");
  EXPECT_EQ(NameScopeOf(b), "b/default/");
  EXPECT_EQ(b.variable_scope().original_name_scope, "b/default/");
}

// SPEC §9.2 case 5 (testVarOpScopeUniqueNamesInterleavedSubstringScopes).
TEST(VariableScopeTest, UniqueNamesInterleavedSubstringScopes) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  const char* expected[] = {"defaultScope1/layer/w", "defaultScope1_1/layer/w",
                            "defaultScope/layer/w", "defaultScope1_2/layer/w"};
  const char* defaults[] = {"defaultScope1", "defaultScope1", "defaultScope", "defaultScope1"};
  for (int i = 0; i < 4; ++i) {
    Scope s = root.WithDefaultVariableScope(defaults[i]).WithDefaultVariableScope("layer");
    absl::StatusOr<Variable*> w = Get(s, "w");
    RILL_ASSERT_OK(w);
    EXPECT_EQ((*w)->name, expected[i]);
  }
}

// The tf.variable_scope docstring: default-name counters restart when the
// parent scope is entered again.
TEST(VariableScopeTest, DefaultNameCountersRestartOnReentry) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Scope foo = root.WithVariableScope("foo");
  absl::StatusOr<Variable*> a = Get(foo.WithDefaultVariableScope("bar"), "a", TensorShape({1}));
  absl::StatusOr<Variable*> b = Get(foo.WithDefaultVariableScope("bar"), "b", TensorShape({1}));
  RILL_ASSERT_OK(a);
  RILL_ASSERT_OK(b);
  EXPECT_EQ((*a)->name, "foo/bar/a");
  EXPECT_EQ((*b)->name, "foo/bar_1/b");
  Scope again = root.WithVariableScope(foo.variable_scope());
  absl::StatusOr<Variable*> c = Get(again.WithDefaultVariableScope("bar"), "c", TensorShape({1}));
  RILL_ASSERT_OK(c);
  EXPECT_EQ((*c)->name, "foo/bar/c");
}

// SPEC §9.2 case 6 (testVarScopeOuterScope).
TEST(VariableScopeTest, OuterScopeReentry) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  const VariableScope outer = root.WithVariableScope("outer").variable_scope();
  EXPECT_EQ(outer.original_name_scope, "outer/");

  Scope o1 = root.WithVariableScope(outer);
  absl::StatusOr<Variable*> w = Get(o1, "w");
  RILL_ASSERT_OK(w);
  EXPECT_EQ((*w)->name, "outer/w");
  EXPECT_EQ(NameScopeOf(o1.NewSubScope("scope2")), "outer_1/scope2/");
  EXPECT_EQ(o1.variable_scope().original_name_scope, "outer/");
  Scope d1 = o1.WithVariableScope("default");
  absl::StatusOr<Variable*> dw = Get(d1, "w");
  RILL_ASSERT_OK(dw);
  EXPECT_EQ((*dw)->name, "outer/default/w");
  EXPECT_EQ(NameScopeOf(d1.NewSubScope("scope2")), "outer_1/default/scope2/");

  Scope o2 = root.WithVariableScope(outer, ReuseOpt(Reuse::kTrue));
  absl::StatusOr<Variable*> w2 = Get(o2, "w");
  RILL_ASSERT_OK(w2);
  EXPECT_EQ(*w2, *w);
  EXPECT_EQ(NameScopeOf(o2.NewSubScope("scope2")), "outer_2/scope2/");
  Scope d2 = o2.WithVariableScope("default", ReuseOpt(Reuse::kTrue));
  absl::StatusOr<Variable*> dw2 = Get(d2, "w");
  RILL_ASSERT_OK(dw2);
  EXPECT_EQ(*dw2, *dw);
  EXPECT_EQ(NameScopeOf(d2.NewSubScope("scope2")), "outer_2/default/scope2/");
}

// SPEC §9.2 case 7 (testVarScopeInitializer).
TEST(VariableScopeTest, InitializerIsInherited) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  VariableScopeOptions with_init;
  with_init.initializer = ConstantInitializer(0.3);
  Scope tower = root.WithVariableScope("tower0");
  absl::StatusOr<Variable*> v = Get(tower.WithVariableScope("foo", with_init), "v");
  absl::StatusOr<Variable*> w = Get(root.WithVariableScope(tower.variable_scope(), with_init), "w");
  // Sub-scopes of a scope with an initializer inherit it.
  absl::StatusOr<Variable*> x =
      Get(tower.WithVariableScope("foo2", with_init).WithVariableScope("deeper"), "x");
  RILL_ASSERT_OK(v);
  RILL_ASSERT_OK(w);
  RILL_ASSERT_OK(x);
  EXPECT_EQ((*v)->name, "tower0/foo/v");
  EXPECT_EQ((*w)->name, "tower0/w");
  EXPECT_NE(root.graph()->FindNode("tower0/foo/v/Initializer/Const"), nullptr);
  Node* init = GlobalVariablesInitializer(root);
  RILL_ASSERT_OK(root.status());
  auto session = *Session::Create(*root.graph());
  RILL_ASSERT_OK(session->Run({}, {}, {init->name()}));
  auto out = session->Run({}, {(*v)->value.name(), (*w)->value.name(), (*x)->value.name()});
  RILL_ASSERT_OK(out);
  for (const Tensor& t : *out) {
    ASSERT_EQ(t.num_elements(), 1);
    EXPECT_FLOAT_EQ(t.data<float>()[0], 0.3f);
  }
}

// SPEC §9.2 case 7 (testVarScopeDType), with float64 (rill has no float16).
TEST(VariableScopeTest, DTypeIsInherited) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  VariableScopeOptions f64;
  f64.dtype = DT_DOUBLE;
  Scope tower = root.WithVariableScope("tower1");
  absl::StatusOr<Variable*> v = Get(tower.WithVariableScope("foo", f64), "v");
  absl::StatusOr<Variable*> w = Get(root.WithVariableScope(tower.variable_scope(), f64), "w");
  absl::StatusOr<Variable*> u = Get(tower.WithVariableScope("foo2", f64).WithVariableScope("in"),
                                    "u");
  RILL_ASSERT_OK(v);
  RILL_ASSERT_OK(w);
  RILL_ASSERT_OK(u);
  for (Variable* var : {*v, *w, *u}) {
    EXPECT_EQ(var->dtype, DT_DOUBLE) << var->name;
    EXPECT_EQ(var->node->output_type(0), MakeRefType(DT_DOUBLE));
    EXPECT_EQ(var->value.dtype(), DT_DOUBLE);
  }
  // An explicit dtype wins over the scope's.
  absl::StatusOr<Variable*> f = Get(tower.WithVariableScope("foo3", f64), "f", TensorShape(),
                                    DT_FLOAT);
  RILL_ASSERT_OK(f);
  EXPECT_EQ((*f)->dtype, DT_FLOAT);
}

Output PlusConst(const Scope& s, Output v, float c) { return ops::Add(s, v, ops::Const(s, c)); }

// SPEC §9.2 case 7 (testVarScopeRegularizer): one loss per newly created
// variable, none on reuse; no_regularizer disables an inherited regularizer.
TEST(VariableScopeTest, RegularizerAddsOneLossPerNewVariable) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Regularizer reg1 = [](const Scope& s, Output v) { return PlusConst(s, v, 0.1f); };
  Regularizer reg2 = [](const Scope& s, Output v) { return PlusConst(s, v, 0.2f); };
  Regularizer none = [](const Scope&, Output) { return Output(); };  // tf.no_regularizer
  Initializer init = ConstantInitializer(0.3);
  auto losses = [&root] { return root.graph()->GetCollection(kRegularizationLosses); };

  VariableScopeOptions tower_o;
  tower_o.regularizer = reg1;
  Scope tower = root.WithVariableScope("tower3", tower_o);
  VariableScopeOptions foo_o;
  foo_o.initializer = init;
  RILL_ASSERT_OK(Get(tower.WithVariableScope("foo", foo_o), "v"));
  ASSERT_EQ(losses().size(), 1u);
  // The loss is built under "<var>/Regularizer/", colocated with the variable.
  EXPECT_EQ(losses()[0], "tower3/foo/v/Regularizer/add:0");
  Node* loss_node = root.graph()->FindNode("tower3/foo/v/Regularizer/add");
  ASSERT_NE(loss_node, nullptr);
  EXPECT_EQ(ColocationOf(loss_node), std::vector<std::string>{"loc:@tower3/foo/v"});

  VariableScopeOptions vs_o;
  vs_o.initializer = init;
  Scope vs = root.WithVariableScope(tower.variable_scope(), vs_o);
  RILL_ASSERT_OK(Get(vs, "u"));
  VariableScopeOptions vs2_o = vs_o;
  vs2_o.regularizer = reg2;  // vs.set_regularizer(regularizer2)
  Scope vs2 = root.WithVariableScope(vs.variable_scope(), vs2_o);
  RILL_ASSERT_OK(Get(vs2, "w"));
  GetVariableOptions x_o;
  x_o.shape = TensorShape();
  x_o.regularizer = none;
  RILL_ASSERT_OK(GetVariable(vs2, "x", x_o));
  VariableScopeOptions no_reg;
  no_reg.no_regularizer = true;
  RILL_ASSERT_OK(Get(vs2.WithVariableScope("baz", no_reg), "y"));
  VariableScopeOptions vs3_o = vs_o;
  vs3_o.no_regularizer = true;  // vs.set_regularizer(no_regularizer)
  RILL_ASSERT_OK(Get(root.WithVariableScope(vs2.variable_scope(), vs3_o), "z"));
  ASSERT_EQ(losses().size(), 3u);

  // Reuse adds no loss.
  RILL_ASSERT_OK(Get(tower.WithVariableScope("foo", ReuseOpt(Reuse::kTrue)), "v"));
  EXPECT_EQ(losses().size(), 3u);

  std::vector<std::string> fetches = losses();
  Node* initop = GlobalVariablesInitializer(root);
  RILL_ASSERT_OK(root.status());
  auto session = *Session::Create(*root.graph());
  RILL_ASSERT_OK(session->Run({}, {}, {initop->name()}));
  auto out = session->Run({}, fetches);
  RILL_ASSERT_OK(out);
  EXPECT_NEAR((*out)[0].data<float>()[0], 0.4f, 1e-6);
  EXPECT_NEAR((*out)[1].data<float>()[0], 0.4f, 1e-6);
  EXPECT_NEAR((*out)[2].data<float>()[0], 0.5f, 1e-6);
}

// SPEC §9.2 case 8 as expressible: default initializers follow the dtype.
TEST(GetVariableTest, DefaultInitializerFollowsTheDtype) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  absl::StatusOr<Variable*> f = Get(root, "f", TensorShape({2, 3}));
  absl::StatusOr<Variable*> i = Get(root, "i", TensorShape({2}), DT_INT32);
  absl::StatusOr<Variable*> l = Get(root, "l", TensorShape({2}), DT_INT64);
  absl::StatusOr<Variable*> b = Get(root, "b", TensorShape({2}), DT_BOOL);
  RILL_ASSERT_OK(f);
  RILL_ASSERT_OK(i);
  RILL_ASSERT_OK(l);
  RILL_ASSERT_OK(b);
  // float: glorot_uniform; int and bool: zeros.
  EXPECT_NE(root.graph()->FindNode("f/Initializer/random_uniform"), nullptr);
  for (const char* name : {"i", "l", "b"}) {
    Node* z = root.graph()->FindNode(std::string(name) + "/Initializer/zeros");
    ASSERT_NE(z, nullptr) << name;
    EXPECT_EQ(z->op(), "Const");
  }
  EXPECT_EQ((*i)->value.dtype(), DT_INT32);
  EXPECT_EQ((*l)->value.dtype(), DT_INT64);
  EXPECT_EQ((*b)->value.dtype(), DT_BOOL);

  // An explicit initializer builds a value of the variable's dtype.
  GetVariableOptions c;
  c.shape = TensorShape({3});
  c.dtype = DT_INT32;
  c.initializer = ConstantInitializer(7);
  absl::StatusOr<Variable*> ci = GetVariable(root, "ci", c);
  RILL_ASSERT_OK(ci);
  EXPECT_EQ(root.graph()->FindNode("ci/Initializer/Const")->output_type(0), DT_INT32);

  Node* init = GlobalVariablesInitializer(root);
  RILL_ASSERT_OK(root.status());
  auto session = *Session::Create(*root.graph());
  RILL_ASSERT_OK(session->Run({}, {}, {init->name()}));
  auto out = session->Run({}, {"i:0", "l:0", "b:0", "ci:0"});
  RILL_ASSERT_OK(out);
  EXPECT_EQ((*out)[0].dtype(), DT_INT32);
  EXPECT_EQ((*out)[0].data<int32_t>()[0], 0);
  EXPECT_EQ((*out)[0].data<int32_t>()[1], 0);
  EXPECT_EQ((*out)[1].data<int64_t>()[1], 0);
  EXPECT_EQ((*out)[2].data<bool>()[0], false);
  EXPECT_EQ((*out)[3].data<int32_t>()[0], 7);
  EXPECT_EQ((*out)[3].data<int32_t>()[2], 7);
}

TEST(GetVariableTest, RandomInitializerNeedsAFloatDtype) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  GetVariableOptions o;
  o.shape = TensorShape({2, 2});
  o.dtype = DT_INT32;
  o.initializer = GlorotUniformInitializer();
  EXPECT_TRUE(HasError(GetVariable(root, "k", o), absl::StatusCode::kInvalidArgument, "int32"));
  // Building the initializer failed, so the builder status is sticky.
  EXPECT_FALSE(root.ok());
}

// SPEC §9.2 case 10 (testGetVariableScope), the part rill expresses:
// after reuse_variables() a new name is an error.
TEST(VariableScopeTest, ReuseVariablesMakesNewNamesAnError) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Scope foo = root.WithVariableScope("foo");
  absl::StatusOr<Variable*> v = Get(foo, "v", TensorShape({1}));
  RILL_ASSERT_OK(v);
  Scope reusing = foo.WithReuseVariables();
  absl::StatusOr<Variable*> v1 = Get(reusing, "v", TensorShape({1}));
  RILL_ASSERT_OK(v1);
  EXPECT_EQ(*v1, *v);
  EXPECT_TRUE(HasError(Get(reusing, "w", TensorShape({1})), absl::StatusCode::kNotFound,
                       "Variable foo/w does not exist"));
  // The original scope is unchanged (rill scopes are values).
  EXPECT_EQ(foo.variable_scope().reuse, Reuse::kNone);
  // The name scope is not changed by reuse_variables().
  EXPECT_EQ(reusing.name_scope(), foo.name_scope());
}

// SPEC §9.2 case 11 (testBasicWhenAuxiliaryNameScopeIsFalse).
TEST(VariableScopeTest, AuxiliaryNameScopeFalse) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  VariableScopeOptions no_aux;
  no_aux.auxiliary_name_scope = false;
  Scope s = root.WithVariableScope("scope", no_aux);
  EXPECT_EQ(s.variable_scope().original_name_scope, "");
  absl::StatusOr<Variable*> w = Get(s, "w", TensorShape({1}));
  RILL_ASSERT_OK(w);
  EXPECT_EQ((*w)->name, "scope/w");
  EXPECT_EQ(ops::Const(s.WithOpName("c"), 1.0f).node->name(), "c");

  Scope outer = root.WithVariableScope("outer");
  Scope inner = outer.WithVariableScope("inner", no_aux);
  EXPECT_EQ(inner.variable_scope().original_name_scope, "outer/");
  absl::StatusOr<Variable*> w2 = Get(inner, "w", TensorShape({1}));
  RILL_ASSERT_OK(w2);
  EXPECT_EQ((*w2)->name, "outer/inner/w");
  EXPECT_EQ(ops::Const(inner.WithOpName("c"), 1.0f).node->name(), "outer/c");
  RILL_EXPECT_OK(root.status());
}

TEST(VariableScopeTest, ReuseTrueWithADefaultNameIsAnError) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.WithDefaultVariableScope("default", ReuseOpt(Reuse::kTrue));
  EXPECT_TRUE(HasError(root.status(), absl::StatusCode::kInvalidArgument,
                       "reuse=True cannot be used without a name_or_scope"));
}

// Node names, op types, inputs, attrs and colocation of a variable, in
// TensorFlow's creation order (initializer, VariableV2, Assign, read).
TEST(GetVariableTest, NodesMatchTensorFlow) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({2}));
  VariableScopeOptions o;
  o.initializer = ConstantInitializer(0.5);
  // Name scopes and control dependencies do not reach variables.
  Scope s = root.NewSubScope("ns").WithVariableScope("root", o).WithControlDependencies({x.node});
  absl::StatusOr<Variable*> v = Get(s, "w", TensorShape({2, 3}));
  RILL_ASSERT_OK(v);
  const Graph& g = *root.graph();
  std::vector<std::string> names;
  for (int i = 1; i < g.num_nodes(); ++i) names.push_back(g.node(i)->name());
  EXPECT_EQ(names, (std::vector<std::string>{"root/w/Initializer/Const", "root/w",
                                             "root/w/Assign", "root/w/read"}));

  const Node* var = g.FindNode("root/w");
  ASSERT_NE(var, nullptr);
  EXPECT_EQ(var, (*v)->node);
  EXPECT_EQ(var->op(), "VariableV2");
  EXPECT_EQ(var->attrs().at("shape").shape().dim_size(), 2);
  EXPECT_EQ(var->attrs().at("shape").shape().dim(1).size(), 3);
  EXPECT_EQ(var->attrs().at("dtype").type(), DT_FLOAT);
  EXPECT_EQ(var->attrs().at("container").s(), "");
  EXPECT_EQ(var->attrs().at("shared_name").s(), "");
  EXPECT_EQ(var->output_type(0), MakeRefType(DT_FLOAT));
  EXPECT_TRUE(var->control_inputs().empty());

  const Node* init = g.FindNode("root/w/Initializer/Const");
  EXPECT_EQ(init->op(), "Const");
  EXPECT_TRUE(init->control_inputs().empty());
  const Node* assign = g.FindNode("root/w/Assign");
  EXPECT_EQ(assign->op(), "Assign");
  EXPECT_EQ(assign, (*v)->assign);
  EXPECT_EQ(InputNames(assign), (std::vector<std::string>{"root/w", "root/w/Initializer/Const"}));
  EXPECT_TRUE(assign->attrs().at("validate_shape").b());
  EXPECT_TRUE(assign->attrs().at("use_locking").b());
  EXPECT_EQ(assign->attrs().at("T").type(), DT_FLOAT);
  const Node* read = g.FindNode("root/w/read");
  EXPECT_EQ(read->op(), "Identity");
  EXPECT_EQ(InputNames(read), std::vector<std::string>{"root/w"});
  EXPECT_EQ((*v)->value.name(), "root/w/read:0");
  EXPECT_EQ((*v)->value.shape(), TensorShape({2, 3}));
  // Everything built inside TF's _attr_scope / colocate_with(var).
  for (const Node* n : {var, init, assign, read}) {
    EXPECT_EQ(ColocationOf(n), std::vector<std::string>{"loc:@root/w"}) << n->name();
  }
  EXPECT_EQ(g.GetCollection(kGlobalVariables), std::vector<std::string>{"root/w"});
  EXPECT_EQ(g.GetCollection(kTrainableVariables), std::vector<std::string>{"root/w"});
  // The scope's control dependencies still apply to ordinary ops.
  EXPECT_EQ(ops::NoOp(s)->control_inputs().size(), 1u);

  GetVariableOptions nt;
  nt.shape = TensorShape({1});
  nt.trainable = false;
  RILL_ASSERT_OK(GetVariable(root, "step", nt));
  EXPECT_EQ(g.GetCollection(kGlobalVariables), (std::vector<std::string>{"root/w", "step"}));
  EXPECT_EQ(g.GetCollection(kTrainableVariables), std::vector<std::string>{"root/w"});
}

TEST(GlobalVariablesInitializerTest, NoOpWithOneControlInputPerAssign) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Node* empty = GlobalVariablesInitializer(root);
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->name(), "init");
  EXPECT_EQ(empty->op(), "NoOp");
  EXPECT_TRUE(empty->control_inputs().empty());

  RILL_ASSERT_OK(Get(root.WithVariableScope("b"), "v", TensorShape({1})));
  RILL_ASSERT_OK(Get(root.WithVariableScope("a"), "v", TensorShape({1})));
  RILL_ASSERT_OK(Get(root, "c", TensorShape({1}), DT_INT32));
  Node* init = GlobalVariablesInitializer(root.WithControlDependencies({empty}));
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->name(), "init_1");
  EXPECT_EQ(init->op(), "NoOp");
  EXPECT_EQ(init->num_inputs(), 0);
  std::vector<std::string> deps;
  for (const Node* n : init->control_inputs()) deps.push_back(n->name());
  EXPECT_EQ(deps, (std::vector<std::string>{"b/v/Assign", "a/v/Assign", "c/Assign"}));
}

TEST(GetVariableTest, ReadingAnUninitializedVariableFails) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  absl::StatusOr<Variable*> v = Get(root.WithVariableScope("root"), "w", TensorShape({2}));
  RILL_ASSERT_OK(v);
  auto session = *Session::Create(*root.graph());
  EXPECT_TRUE(HasError(session->Run({}, {(*v)->value.name()}),
                       absl::StatusCode::kFailedPrecondition,
                       "Attempting to use uninitialized value root/w"));
  // Initializing (Assign is exempt from the check) makes it readable.
  Node* init = GlobalVariablesInitializer(root);
  RILL_ASSERT_OK(session->Run({}, {}, {init->name()}));
  RILL_EXPECT_OK(session->Run({}, {(*v)->value.name()}));
}

TEST(GetVariableTest, AutoReuseCreatesThenReuses) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Scope foo = root.WithVariableScope("foo", ReuseOpt(Reuse::kAuto));
  absl::StatusOr<Variable*> v1 = Get(foo, "v", TensorShape({1}));
  absl::StatusOr<Variable*> v2 =
      Get(root.WithVariableScope("foo", ReuseOpt(Reuse::kAuto)), "v", TensorShape({1}));
  RILL_ASSERT_OK(v1);
  RILL_ASSERT_OK(v2);
  EXPECT_EQ(*v1, *v2);
  EXPECT_EQ(root.variable_store().all().size(), 1u);
}

}  // namespace
}  // namespace rill
