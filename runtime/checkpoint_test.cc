#include "runtime/checkpoint.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "graph/file_io.h"
#include "graph/scope.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/initializers.h"
#include "ops/math_ops.h"
#include "ops/op_registry.h"
#include "ops/variables.h"
#include "runtime/crc32c.h"
#include "runtime/variable_storage.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

TEST(Crc32cTest, MatchesKnownVectors) {
  EXPECT_EQ(crc32c::Value("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c::Value(""), 0u);
  // RFC 3720 (iSCSI) B.4.
  EXPECT_EQ(crc32c::Value(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c::Value(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c::Value(ascending), 0x46DD794Eu);
}

TEST(Crc32cTest, ExtendEqualsWholeAtEverySplit) {
  std::string data;
  for (int i = 0; i < 77; ++i) data.push_back(static_cast<char>(i * 37 + 11));
  const uint32_t whole = crc32c::Value(data);
  for (size_t split = 0; split <= data.size(); ++split) {
    const uint32_t head = crc32c::Value(absl::string_view(data).substr(0, split));
    EXPECT_EQ(crc32c::Extend(head, absl::string_view(data).substr(split)), whole) << split;
  }
}

TEST(Crc32cTest, MaskRoundTripsAndDiffers) {
  for (uint32_t crc : {0u, 1u, 0xE3069283u, 0xffffffffu}) {
    EXPECT_NE(crc32c::Mask(crc), crc);
    EXPECT_EQ(crc32c::Unmask(crc32c::Mask(crc)), crc);
  }
}

std::string TmpPath(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = absl::StrCat(tmp ? tmp : "/tmp", "/checkpoint_test");
  std::filesystem::create_directories(dir);
  return dir + "/" + name;
}

Tensor F(const TensorShape& shape, const std::vector<float>& v) {
  return *Tensor::FromVector<float>(shape, v);
}

// y = x @ w + b with w: float [2,3] (seeded random) and b: float [3] (0.5).
class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_.graph()->set_seed(7);
    x_ = ops::Placeholder(root_.WithOpName("x"), DT_FLOAT, TensorShape({-1, 2}));
    GetVariableOptions wo;
    wo.shape = TensorShape({2, 3});
    wo.initializer = RandomUniformInitializer(-1.0, 1.0);
    Variable* w = *GetVariable(root_, "w", wo);
    GetVariableOptions bo;
    bo.shape = TensorShape({3});
    bo.initializer = ConstantInitializer(0.5);
    Variable* b = *GetVariable(root_, "b", bo);
    y_ = ops::AddV2(root_.WithOpName("y"), ops::MatMul(root_, x_, w->value), b->value);
    init_ = GlobalVariablesInitializer(root_);
    ASSERT_TRUE(root_.status().ok()) << root_.status();
    session_ = NewSession();
    RILL_ASSERT_OK(session_->Run({}, {}, {init_->name()}));
  }

  std::unique_ptr<Session> NewSession() { return *Session::Create(*root_.graph()); }

  std::vector<Tensor> Fetch(const Session& s) {
    auto r = s.Run({{"x", F({1, 2}, {1, -2})}}, {"w", "b", "y"});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<Tensor>();
  }

  // Deep copies of every stored value, to compare after a failed restore.
  static std::map<std::string, Tensor> Snapshot(const Session& s) {
    std::map<std::string, Tensor> out;
    for (const std::string& name : s.variables().Names()) {
      out[name] = *s.variables().Read(name)->Clone();
    }
    return out;
  }

  static void ExpectSameValues(const Session& s, const std::map<std::string, Tensor>& before) {
    EXPECT_EQ(s.variables().Names().size(), before.size());
    for (const auto& [name, value] : before) {
      auto now = s.variables().Read(name);
      ASSERT_TRUE(now.ok()) << now.status();
      EXPECT_TRUE(now->Equals(value)) << name << ": " << now->DebugString();
    }
  }

  // Restoring `path` into a session with other values fails with `code`
  // and `substr`, leaving the values unchanged.
  void ExpectRestoreFails(const std::string& path, absl::StatusCode code,
                          const std::string& substr) {
    std::unique_ptr<Session> other = NewSession();
    RILL_ASSERT_OK(other->variables().Write("w", F({2, 3}, {9, 9, 9, 9, 9, 9})));
    RILL_ASSERT_OK(other->variables().Write("b", F({3}, {8, 8, 8})));
    const auto before = Snapshot(*other);
    EXPECT_TRUE(HasError(RestoreCheckpoint(*other, path), code, substr));
    ExpectSameValues(*other, before);
  }

  Scope root_ = Scope::NewRootScope(&GlobalOpRegistry());
  Output x_, y_;
  Node* init_ = nullptr;
  std::unique_ptr<Session> session_;
};

TEST_F(CheckpointTest, RoundTripRestoresValuesWithoutInit) {
  const std::string path = TmpPath("round_trip.ckpt");
  RILL_ASSERT_OK(SaveCheckpoint(*session_, path));
  const std::vector<Tensor> want = Fetch(*session_);
  ASSERT_EQ(want.size(), 3u);

  std::unique_ptr<Session> fresh = NewSession();
  EXPECT_TRUE(HasError(fresh->Run({{"x", F({1, 2}, {1, -2})}}, {"y"}),
                       absl::StatusCode::kFailedPrecondition, "uninitialized value"));
  RILL_ASSERT_OK(RestoreCheckpoint(*fresh, path));
  const std::vector<Tensor> got = Fetch(*fresh);
  ASSERT_EQ(got.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(got[i].Equals(want[i])) << got[i].DebugString();
  EXPECT_EQ(got[1].DebugString(), "float [3] {0.5, 0.5, 0.5}");

  auto read = ReadCheckpoint(path);
  RILL_ASSERT_OK(read);
  ASSERT_EQ(read->size(), 2u);
  EXPECT_TRUE(read->at("w").Equals(want[0]));
}

TEST_F(CheckpointTest, FileLayoutIsAsDocumented) {
  auto bytes = EncodeCheckpoint({{"s", Tensor::Scalar<int32_t>(5)}});
  RILL_ASSERT_OK(bytes);
  ASSERT_GT(bytes->size(), 24u);
  EXPECT_EQ(bytes->substr(0, 12), std::string("RILLCKPT\x01\0\0\0", 12));
  const uint64_t n = static_cast<unsigned char>((*bytes)[12]);
  EXPECT_EQ(bytes->size(), 24 + n);
  EXPECT_EQ(bytes->substr(13, 7), std::string(7, '\0'));
  uint32_t stored = 0;
  for (int i = 3; i >= 0; --i) {
    stored = (stored << 8) | static_cast<unsigned char>((*bytes)[bytes->size() - 4 + i]);
  }
  EXPECT_EQ(stored, crc32c::Mask(crc32c::Value(bytes->substr(0, bytes->size() - 4))));

  auto decoded = DecodeCheckpoint(*bytes, "mem");
  RILL_ASSERT_OK(decoded);
  EXPECT_EQ(decoded->at("s").DebugString(), "int32 [] {5}");
  // An empty checkpoint is just the framing.
  auto empty = EncodeCheckpoint({});
  RILL_ASSERT_OK(empty);
  EXPECT_EQ(empty->size(), 24u);
  EXPECT_TRUE(DecodeCheckpoint(*empty, "mem")->empty());
}

TEST_F(CheckpointTest, EveryDtypeAndEmptyTensorsRoundTrip) {
  std::map<std::string, Tensor> in;
  in["d"] = *Tensor::FromVector<double>(TensorShape({2}), std::vector<double>{1.5, -2});
  in["i64"] = *Tensor::FromVector<int64_t>(TensorShape({1}), std::vector<int64_t>{1LL << 40});
  const bool bools[] = {true, false, true};
  in["bool"] = *Tensor::FromVector<bool>(TensorShape({3}), absl::MakeConstSpan(bools));
  in["empty"] = *Tensor::Allocate(DT_FLOAT, TensorShape({0, 4}));
  in["same"] = F({2, 2}, {3, 3, 3, 3});
  auto out = DecodeCheckpoint(*EncodeCheckpoint(in), "mem");
  RILL_ASSERT_OK(out);
  ASSERT_EQ(out->size(), in.size());
  for (const auto& [name, t] : in) EXPECT_TRUE(out->at(name).Equals(t)) << name;
  EXPECT_TRUE(HasError(EncodeCheckpoint({{"", F({1}, {1})}}), absl::StatusCode::kInvalidArgument,
                       "empty name"));
  EXPECT_TRUE(HasError(EncodeCheckpoint({{"u", Tensor()}}), absl::StatusCode::kInvalidArgument,
                       "not initialized"));
}

TEST_F(CheckpointTest, SavesAndRestoresASubsetByName) {
  const std::string path = TmpPath("subset.ckpt");
  RILL_ASSERT_OK(SaveCheckpoint(*session_, path, {"b"}));
  auto read = ReadCheckpoint(path);
  RILL_ASSERT_OK(read);
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->begin()->first, "b");

  // A full restore needs every variable of the graph.
  ExpectRestoreFails(path, absl::StatusCode::kNotFound, "variable 'w' of the graph is not in");
  std::unique_ptr<Session> fresh = NewSession();
  RILL_ASSERT_OK(RestoreCheckpoint(*fresh, path, {"b"}));
  EXPECT_EQ(fresh->variables().Names(), std::vector<std::string>{"b"});
  EXPECT_TRUE(HasError(RestoreCheckpoint(*fresh, path, {"w"}), absl::StatusCode::kNotFound,
                       "variable 'w' of the graph is not in checkpoint '" + path + "'"));
  EXPECT_TRUE(HasError(RestoreCheckpoint(*fresh, path, {"y"}), absl::StatusCode::kNotFound,
                       "cannot restore 'y'"));

  EXPECT_TRUE(HasError(SaveCheckpoint(*session_, path, {"y"}), absl::StatusCode::kNotFound,
                       "cannot save 'y'"));
  EXPECT_TRUE(HasError(SaveCheckpoint(*NewSession(), path, {"w"}),
                       absl::StatusCode::kFailedPrecondition,
                       "Attempting to use uninitialized value w"));
  EXPECT_EQ(ReadCheckpoint(path)->size(), 1u);  // Failed saves left the file alone.
}

TEST_F(CheckpointTest, EveryTruncationIsDataLoss) {
  const std::string path = TmpPath("full.ckpt");
  RILL_ASSERT_OK(SaveCheckpoint(*session_, path));
  const std::string bytes = *ReadFileToString(path);
  const std::string cut = TmpPath("truncated.ckpt");
  for (size_t n = 0; n < bytes.size(); ++n) {
    RILL_ASSERT_OK(WriteFileAtomically(cut, bytes.substr(0, n)));
    SCOPED_TRACE(n);
    ExpectRestoreFails(cut, absl::StatusCode::kDataLoss, "checkpoint '" + cut + "'");
  }
}

TEST_F(CheckpointTest, EveryFlippedByteIsDataLoss) {
  const std::string path = TmpPath("flip_source.ckpt");
  RILL_ASSERT_OK(SaveCheckpoint(*session_, path));
  const std::string bytes = *ReadFileToString(path);
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (unsigned char mask : {0x01, 0x80}) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      EXPECT_EQ(DecodeCheckpoint(bad, "f").status().code(), absl::StatusCode::kDataLoss)
          << "byte " << i;
    }
  }
  std::string bad = bytes;
  bad[bytes.size() / 2] ^= 0x10;
  const std::string flipped = TmpPath("flipped.ckpt");
  RILL_ASSERT_OK(WriteFileAtomically(flipped, bad));
  ExpectRestoreFails(flipped, absl::StatusCode::kDataLoss, "checksum mismatch");
}

// Re-frames a payload with a valid checksum, to reach the checks behind it.
std::string Frame(uint32_t version, const std::string& payload) {
  std::string out("RILLCKPT", 8);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((version >> (8 * i)) & 0xff));
  const uint64_t n = payload.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out += payload;
  const uint32_t crc = crc32c::Mask(crc32c::Value(out));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return out;
}

TEST_F(CheckpointTest, RejectsBadMagicVersionAndPayload) {
  std::string good = *EncodeCheckpoint({{"w", F({1}, {1})}});
  std::string bad_magic = good;
  bad_magic[0] = 'X';
  EXPECT_TRUE(HasError(DecodeCheckpoint(bad_magic, "m.ckpt"), absl::StatusCode::kDataLoss,
                       "checkpoint 'm.ckpt' is not a rill checkpoint (bad magic"));
  const std::string payload = good.substr(20, good.size() - 24);
  EXPECT_TRUE(DecodeCheckpoint(Frame(1, payload), "m").ok());
  EXPECT_TRUE(HasError(DecodeCheckpoint(Frame(2, payload), "m"), absl::StatusCode::kDataLoss,
                       "format version 2; this build reads version 1"));
  EXPECT_TRUE(HasError(DecodeCheckpoint(Frame(1, "\xff\xff\xff"), "m"), absl::StatusCode::kDataLoss,
                       "not a valid Checkpoint proto"));
  EXPECT_TRUE(HasError(DecodeCheckpoint(Frame(1, payload + payload), "m"),
                       absl::StatusCode::kDataLoss, "tensor 'w' twice"));
  EXPECT_TRUE(HasError(DecodeCheckpoint(good + "x", "m"), absl::StatusCode::kDataLoss,
                       "truncated or corrupted"));
  // A tensor above the cap is ResourceExhausted, before any allocation.
  EXPECT_TRUE(HasError(DecodeCheckpoint(*EncodeCheckpoint({{"w", F({4}, {1, 2, 3, 4})}}), "m",
                                        /*max_tensor_bytes=*/8),
                       absl::StatusCode::kResourceExhausted, "tensor 'w'"));

  const std::string path = TmpPath("magic.ckpt");
  RILL_ASSERT_OK(WriteFileAtomically(path, bad_magic));
  ExpectRestoreFails(path, absl::StatusCode::kDataLoss, "bad magic");
  ExpectRestoreFails(TmpPath("missing.ckpt"), absl::StatusCode::kNotFound, "missing.ckpt");
}

TEST_F(CheckpointTest, RejectsMismatchedAndForeignVariables) {
  const std::string path = TmpPath("mismatch.ckpt");
  const Tensor b = F({3}, {1, 2, 3});
  RILL_ASSERT_OK(WriteFileAtomically(
      path, *EncodeCheckpoint({{"w", F({3, 2}, {1, 2, 3, 4, 5, 6})}, {"b", b}})));
  ExpectRestoreFails(path, absl::StatusCode::kInvalidArgument,
                     "variable 'w' is float [2,3] in the graph but float [3,2] in the checkpoint");

  Tensor w_int = *Tensor::FromVector<int32_t>(TensorShape({2, 3}), std::vector<int32_t>(6, 1));
  RILL_ASSERT_OK(WriteFileAtomically(path, *EncodeCheckpoint({{"w", w_int}, {"b", b}})));
  ExpectRestoreFails(path, absl::StatusCode::kInvalidArgument,
                     "variable 'w' is float [2,3] in the graph but int32 [2,3] in the checkpoint");

  const Tensor w = F({2, 3}, {1, 2, 3, 4, 5, 6});
  RILL_ASSERT_OK(
      WriteFileAtomically(path, *EncodeCheckpoint({{"w", w}, {"b", b}, {"other/v", F({1}, {0})}})));
  ExpectRestoreFails(path, absl::StatusCode::kInvalidArgument,
                     "has tensor 'other/v', which is not a variable (VariableV2) of the graph");
  // A named restore ignores the extra entry.
  std::unique_ptr<Session> fresh = NewSession();
  RILL_ASSERT_OK(RestoreCheckpoint(*fresh, path, {"w", "b"}));
  EXPECT_TRUE(fresh->variables().Read("w")->Equals(w));
}

TEST_F(CheckpointTest, SavingTwiceReplacesTheFileAndLeavesNoTempFiles) {
  const std::string dir = TmpPath("twice");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/model.ckpt";
  RILL_ASSERT_OK(SaveCheckpoint(*session_, path));
  RILL_ASSERT_OK(session_->variables().Write("b", F({3}, {7, 7, 7})));
  RILL_ASSERT_OK(SaveCheckpoint(*session_, path));
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    files.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(files, std::vector<std::string>{"model.ckpt"});
  EXPECT_EQ(ReadCheckpoint(path)->at("b").DebugString(), "float [3] {7, 7, 7}");
  // A save into a missing folder fails cleanly.
  EXPECT_FALSE(SaveCheckpoint(*session_, dir + "/no/such/dir/m.ckpt").ok());
}

}  // namespace
}  // namespace rill
