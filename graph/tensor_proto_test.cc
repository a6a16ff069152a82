#include "graph/tensor_proto.h"

#include "graph/test_util.h"
#include "gtest/gtest.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

pb::TensorProto FloatProto(std::vector<int64_t> dims) {
  pb::TensorProto p;
  p.set_dtype(DT_FLOAT);
  for (int64_t d : dims) p.mutable_tensor_shape()->add_dim()->set_size(d);
  return p;
}

TEST(TensorProtoTest, TensorContentIsRawLittleEndian) {
  pb::TensorProto p = FloatProto({2});
  float values[2] = {1.5f, -2.0f};
  p.set_tensor_content(std::string(reinterpret_cast<char*>(values), sizeof(values)));
  Tensor t = *TensorFromProto(p);
  EXPECT_EQ(t.data<float>()[0], 1.5f);
  EXPECT_EQ(t.data<float>()[1], -2.0f);
}

TEST(TensorProtoTest, ContentSizeMustMatch) {
  pb::TensorProto p = FloatProto({2, 2});
  p.set_tensor_content(std::string(12, '\0'));
  EXPECT_TRUE(HasError(TensorFromProto(p), absl::StatusCode::kInvalidArgument,
                       "has tensor_content of 12 bytes; expected 16"));
}

TEST(TensorProtoTest, TypedListRepeatsTheLastValue) {
  // TF's fill rule: one value fills the shape; fewer values repeat the last.
  pb::TensorProto one = FloatProto({2, 3});
  one.add_float_val(1.0f);
  Tensor t = *TensorFromProto(one);
  for (float v : t.flat<float>()) EXPECT_EQ(v, 1.0f);

  pb::TensorProto few = FloatProto({4});
  few.add_float_val(1.0f);
  few.add_float_val(2.0f);
  Tensor f = *TensorFromProto(few);
  EXPECT_EQ(std::vector<float>(f.flat<float>().begin(), f.flat<float>().end()),
            (std::vector<float>{1, 2, 2, 2}));

  pb::TensorProto none = FloatProto({3});
  Tensor zeros = *TensorFromProto(none);
  for (float v : zeros.flat<float>()) EXPECT_EQ(v, 0.0f);

  pb::TensorProto extra = FloatProto({1});
  extra.add_float_val(7.0f);
  extra.add_float_val(8.0f);
  EXPECT_EQ(TensorFromProto(extra)->data<float>()[0], 7.0f);
}

TEST(TensorProtoTest, IntBoolAndInt64Lists) {
  pb::TensorProto p;
  p.set_dtype(DT_INT32);
  p.mutable_tensor_shape()->add_dim()->set_size(3);
  p.add_int_val(4);
  p.add_int_val(-5);
  Tensor t = *TensorFromProto(p);
  EXPECT_EQ(t.data<int32_t>()[2], -5);

  pb::TensorProto b;
  b.set_dtype(DT_BOOL);
  b.mutable_tensor_shape()->add_dim()->set_size(2);
  b.set_tensor_content(std::string("\x00\x07", 2));
  Tensor bt = *TensorFromProto(b);
  EXPECT_FALSE(bt.data<bool>()[0]);
  EXPECT_TRUE(bt.data<bool>()[1]);  // Any non-zero byte is true.

  pb::TensorProto l;
  l.set_dtype(DT_INT64);
  l.add_int64_val(int64_t{1} << 40);
  EXPECT_EQ(TensorFromProto(l)->data<int64_t>()[0], int64_t{1} << 40);
}

TEST(TensorProtoTest, RejectsUnsupportedPartialAndHuge) {
  pb::TensorProto s;
  s.set_dtype(pb::DT_STRING);
  EXPECT_TRUE(HasError(TensorFromProto(s), absl::StatusCode::kInvalidArgument,
                       "dtype string"));
  pb::TensorProto partial = FloatProto({-1});
  EXPECT_TRUE(HasError(TensorFromProto(partial), absl::StatusCode::kInvalidArgument,
                       "partially known shape"));
  pb::TensorProto huge = FloatProto({int64_t{1} << 20, int64_t{1} << 20});
  huge.add_float_val(0);
  EXPECT_TRUE(HasError(TensorFromProto(huge, /*max_bytes=*/1 << 30),
                       absl::StatusCode::kResourceExhausted, "cap"));
  pb::TensorProto overflow = FloatProto({int64_t{1} << 40, int64_t{1} << 40});
  EXPECT_TRUE(HasError(TensorFromProto(overflow), absl::StatusCode::kInvalidArgument,
                       "int64"));
}

TEST(TensorProtoTest, RoundTripUsesCompactFormForUniformTensors) {
  Tensor uniform = *Tensor::FromVector<float>(TensorShape({2, 2}), std::vector<float>{3, 3, 3, 3});
  pb::TensorProto p;
  TensorToProto(uniform, &p);
  EXPECT_EQ(p.float_val_size(), 1);
  EXPECT_TRUE(p.tensor_content().empty());
  EXPECT_TRUE(TensorFromProto(p)->Equals(uniform));

  Tensor varied = *Tensor::FromVector<double>(TensorShape({3}), std::vector<double>{1, 2, 3});
  TensorToProto(varied, &p);
  EXPECT_EQ(p.tensor_content().size(), 24u);
  EXPECT_TRUE(TensorFromProto(p)->Equals(varied));

  Tensor empty = *Tensor::Allocate(DT_INT64, TensorShape({0, 3}));
  TensorToProto(empty, &p);
  EXPECT_TRUE(TensorFromProto(p)->Equals(empty));
}

// Consuming the content (a Const that Graph::AddNode converts and then
// drops): the same tensor, and the content's memory given back behind the
// copy in whole 2 MiB spans; errors come before anything is consumed.
TEST(TensorProtoTest, ConsumingTheContentGivesTheSameTensor) {
  constexpr int64_t kN = int64_t{3} << 20;  // 12 MiB of floats.
  Tensor want = *Tensor::Allocate(DT_FLOAT, TensorShape({kN}));
  for (int64_t i = 0; i < kN; ++i) want.data<float>()[i] = 0.5f * static_cast<float>(i % 1001);
  pb::TensorProto p;
  p.set_dtype(pb::DT_FLOAT);
  p.mutable_tensor_shape()->add_dim()->set_size(kN);
  p.set_tensor_content(want.raw(), want.TotalBytes());

  pb::TensorProto wrong = p;
  wrong.mutable_tensor_shape()->mutable_dim(0)->set_size(kN + 1);
  EXPECT_FALSE(TensorFromProto(wrong, kDefaultMaxTensorBytes, /*consume_content=*/true).ok());
  EXPECT_EQ(wrong.tensor_content(), p.tensor_content());  // Untouched.

  absl::StatusOr<Tensor> got = TensorFromProto(p, kDefaultMaxTensorBytes, true);
  RILL_ASSERT_OK(got.status());
  EXPECT_TRUE(got->Equals(want));
  const float* content = reinterpret_cast<const float*>(p.tensor_content().data());
  int64_t zeros = 0;
  for (int64_t i = 1; i < kN; i += 1024) zeros += content[i] == 0.0f && want.data<float>()[i] != 0;
  EXPECT_GE(zeros, kN / 1024 / 2);  // At least half of the 12 MiB given back.
}

}  // namespace
}  // namespace rill
