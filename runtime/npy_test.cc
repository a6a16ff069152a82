#include "runtime/npy.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "graph/file_io.h"
#include "gtest/gtest.h"

namespace rill {
namespace {

using ::testing::HasSubstr;

std::string TestDataPath(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/", ws ? ws : "rill", "/tests/testdata/", name);
}

std::string ReadTestFile(const std::string& name) {
  absl::StatusOr<std::string> s = ReadFileToString(TestDataPath(name));
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : std::string();
}

// A v1.0 file with the given header dict (padded like numpy) and data.
std::string MakeNpy(const std::string& dict, const std::string& data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  return out + header + data;
}

std::string F4Dict(const std::string& shape) {
  return absl::StrCat("{'descr': '<f4', 'fortran_order': False, 'shape': ", shape, ", }");
}

void ExpectError(const absl::StatusOr<Tensor>& t, absl::StatusCode code,
                 const std::string& substr) {
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), code) << t.status();
  EXPECT_THAT(std::string(t.status().message()), HasSubstr(substr));
}

template <typename T>
void ExpectRoundTrip(const TensorShape& shape, std::initializer_list<T> values) {
  absl::StatusOr<Tensor> t =
      Tensor::FromVector<T>(shape, absl::Span<const T>(values.begin(), values.size()));
  ASSERT_TRUE(t.ok()) << t.status();
  std::string bytes = EncodeNpy(*t);
  EXPECT_EQ(bytes.find("{'descr': '" + NpyDescr(t->dtype())), 10u);
  absl::StatusOr<Tensor> back = ParseNpy(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->Equals(*t)) << back->DebugString() << " vs " << t->DebugString();
}

TEST(NpyTest, RoundTripsEveryDtypeAndShapeKind) {
  ExpectRoundTrip<float>({2, 3}, {1.5f, -2, 0, 3.25f, 1e30f, -0.f});
  ExpectRoundTrip<float>({}, {42.f});
  ExpectRoundTrip<float>({0}, {});
  ExpectRoundTrip<double>({4}, {1e-300, -1, 0.1, 7});
  ExpectRoundTrip<double>({2, 0, 3}, {});
  ExpectRoundTrip<int32_t>({3, 1}, {-2147483647 - 1, 0, 2147483647});
  ExpectRoundTrip<int64_t>({1, 1, 2}, {int64_t{1} << 62, -5});
  ExpectRoundTrip<int64_t>({}, {-9});
  ExpectRoundTrip<bool>({5}, {true, false, false, true, true});
  ExpectRoundTrip<bool>({0, 4}, {});
}

TEST(NpyTest, EncodeAlignsDataTo64Bytes) {
  Tensor t = Tensor::Scalar(1.0f);
  std::string bytes = EncodeNpy(t);
  EXPECT_EQ(bytes.size() % 64, 4u);
  EXPECT_EQ(bytes[bytes.size() - 5], '\n');
}

TEST(NpyTest, ParsesVersion2HeaderAbove64KiB) {
  // No rill tensor needs a header this long (rank <= 32), so build it by hand.
  std::string dict = F4Dict("(2,)");
  std::string header = dict + std::string(70000, ' ') + "\n";
  std::string bytes("\x93NUMPY\x02\x00", 8);
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  bytes += header;
  bytes += std::string("\x00\x00\x80\x3f\x00\x00\x00\x40", 8);
  absl::StatusOr<Tensor> t = ParseNpy(bytes);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->flat<float>()[0], 1.f);
  EXPECT_EQ(t->flat<float>()[1], 2.f);
}

TEST(NpyTest, EncodeIsByteIdenticalToNumpy) {
  for (const char* name :
       {"np_f32_2x3.npy", "np_f64_scalar.npy", "np_i64_0x4.npy", "np_bool_5.npy", "np_i32_3.npy"}) {
    std::string bytes = ReadTestFile(name);
    absl::StatusOr<Tensor> t = ParseNpy(bytes);
    ASSERT_TRUE(t.ok()) << name << ": " << t.status();
    EXPECT_EQ(EncodeNpy(*t), bytes) << name;
  }
}

TEST(NpyTest, ParsesNumpyFloat32Matrix) {
  absl::StatusOr<Tensor> t = ReadNpyFile(TestDataPath("np_f32_2x3.npy"));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->dtype(), DT_FLOAT);
  EXPECT_EQ(t->shape(), TensorShape({2, 3}));
  std::vector<float> want = {-2, -0.5, 1, 2.5, 4, 5.5};
  EXPECT_EQ(std::vector<float>(t->flat<float>().begin(), t->flat<float>().end()), want);
}

TEST(NpyTest, ParsesNumpyScalarEmptyBoolAndInt32) {
  absl::StatusOr<Tensor> d = ReadNpyFile(TestDataPath("np_f64_scalar.npy"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->dtype(), DT_DOUBLE);
  EXPECT_EQ(d->rank(), 0);
  EXPECT_EQ(*d->data<double>(), 3.25);

  absl::StatusOr<Tensor> e = ReadNpyFile(TestDataPath("np_i64_0x4.npy"));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->dtype(), DT_INT64);
  EXPECT_EQ(e->shape(), TensorShape({0, 4}));
  EXPECT_EQ(e->num_elements(), 0);

  absl::StatusOr<Tensor> b = ReadNpyFile(TestDataPath("np_bool_5.npy"));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->dtype(), DT_BOOL);
  std::vector<bool> want_b = {true, false, true, true, false};
  EXPECT_EQ(std::vector<bool>(b->flat<bool>().begin(), b->flat<bool>().end()), want_b);

  absl::StatusOr<Tensor> i = ReadNpyFile(TestDataPath("np_i32_3.npy"));
  ASSERT_TRUE(i.ok()) << i.status();
  EXPECT_EQ(i->dtype(), DT_INT32);
  std::vector<int32_t> want_i = {-1, 0, 2147483647};
  EXPECT_EQ(std::vector<int32_t>(i->flat<int32_t>().begin(), i->flat<int32_t>().end()), want_i);
}

TEST(NpyTest, ParsesNumpyVersion2And3Files) {
  absl::StatusOr<Tensor> v2 = ReadNpyFile(TestDataPath("np_f32_v2.npy"));
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->shape(), TensorShape({2}));
  EXPECT_EQ(v2->flat<float>()[1], 2.f);
  absl::StatusOr<Tensor> v3 = ReadNpyFile(TestDataPath("np_f32_v3.npy"));
  ASSERT_TRUE(v3.ok()) << v3.status();
  EXPECT_EQ(v3->shape(), TensorShape({1, 1}));
  EXPECT_EQ(v3->flat<float>()[0], 7.f);
}

TEST(NpyTest, AcceptsAnyKeyOrderWhitespaceQuotesAndLongSuffix) {
  std::string data(8, '\0');
  for (const char* dict :
       {"{\"shape\":(2L,1L),'fortran_order':False,\"descr\":\"<f4\"}",
        "  {  'fortran_order' : False , 'shape' : ( 2 , 1 , ) ,\n'descr':'<f4' ,}",
        "{'descr': '=f4', 'fortran_order': False, 'shape': (2, 1)}"}) {
    absl::StatusOr<Tensor> t = ParseNpy(MakeNpy(dict, data));
    ASSERT_TRUE(t.ok()) << dict << ": " << t.status();
    EXPECT_EQ(t->shape(), TensorShape({2, 1}));
  }
}

TEST(NpyTest, NonZeroBoolBytesReadAsTrue) {
  absl::StatusOr<Tensor> t = ParseNpy(MakeNpy(
      "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", std::string("\x00\x02\xff", 3)));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE(t->flat<bool>()[0]);
  EXPECT_TRUE(t->flat<bool>()[1]);
  EXPECT_TRUE(t->flat<bool>()[2]);
  EXPECT_EQ(reinterpret_cast<const unsigned char*>(t->raw())[1], 1);
}

TEST(NpyTest, RejectsUnsupportedDtypes) {
  ExpectError(ReadNpyFile(TestDataPath("np_f4_bigendian.npy")), absl::StatusCode::kInvalidArgument,
              "npy: unsupported dtype '>f4' (big-endian)");
  ExpectError(ReadNpyFile(TestDataPath("np_u1.npy")), absl::StatusCode::kInvalidArgument,
              "npy: unsupported dtype '|u1'");
  ExpectError(ParseNpy(MakeNpy("{'descr': [('a', '<f4')], 'fortran_order': False, "
                               "'shape': (1,), }",
                               "")),
              absl::StatusCode::kInvalidArgument, "structured dtypes are not supported");
}

TEST(NpyTest, RejectsFortranOrder) {
  ExpectError(ReadNpyFile(TestDataPath("np_f32_fortran.npy")), absl::StatusCode::kInvalidArgument,
              "npy: fortran_order=True is not supported");
}

TEST(NpyTest, RejectsDataSizeMismatch) {
  ExpectError(ParseNpy(MakeNpy(F4Dict("(2, 3)"), std::string(20, '\0'))),
              absl::StatusCode::kInvalidArgument,
              "npy: data has 20 bytes, expected 24 for shape (2, 3) and dtype <f4");
  ExpectError(ParseNpy(MakeNpy(F4Dict("()"), std::string(5, '\0'))),
              absl::StatusCode::kInvalidArgument,
              "npy: data has 5 bytes, expected 4 for shape () and dtype <f4");
}

TEST(NpyTest, RejectsBadMagicVersionAndTruncation) {
  ExpectError(ParseNpy("PK\x03\x04 not npy"), absl::StatusCode::kInvalidArgument, "npy: bad magic");
  ExpectError(ParseNpy(""), absl::StatusCode::kInvalidArgument, "npy: truncated header");
  ExpectError(ParseNpy(std::string("\x93NUMPY\x01\x00\x10", 9)), absl::StatusCode::kInvalidArgument,
              "npy: truncated header");
  ExpectError(ParseNpy(std::string("\x93NUMPY\x01\x00\x76\x00{'descr'", 17)),
              absl::StatusCode::kInvalidArgument, "npy: truncated header");
  std::string v4 = MakeNpy(F4Dict("(1,)"), std::string(4, '\0'));
  v4[6] = 4;
  ExpectError(ParseNpy(v4), absl::StatusCode::kInvalidArgument,
              "npy: unsupported format version 4.0");
}

TEST(NpyTest, RejectsMalformedHeaderDicts) {
  for (const char* dict :
       {"", "[]", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}",
        "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x",
        "{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}",
        "{descr: '<f4', 'fortran_order': False, 'shape': (1,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,)}"}) {
    ExpectError(ParseNpy(MakeNpy(dict, std::string(4, '\0'))), absl::StatusCode::kInvalidArgument,
                "npy: malformed header dict");
  }
  ExpectError(ParseNpy(MakeNpy("{'descr': '<f4', 'shape': (1,)}", std::string(4, '\0'))),
              absl::StatusCode::kInvalidArgument, "missing the key 'fortran_order'");
  ExpectError(ParseNpy(MakeNpy(F4Dict("(-1,)"), "")), absl::StatusCode::kInvalidArgument,
              "npy: negative dimension");
}

TEST(NpyTest, RejectsAbsurdShapes) {
  ExpectError(ParseNpy(MakeNpy(F4Dict("(4294967296, 4294967296)"), "")),
              absl::StatusCode::kInvalidArgument, "has more elements than fit in int64");
  ExpectError(ParseNpy(MakeNpy(F4Dict("(99999999999999999999,)"), "")),
              absl::StatusCode::kInvalidArgument, "does not fit in int64");
  std::string many = "(";
  for (int i = 0; i < 40; ++i) many += "1,";
  ExpectError(ParseNpy(MakeNpy(F4Dict(many + ")"), std::string(4, '\0'))),
              absl::StatusCode::kInvalidArgument, "more than 32 dimensions");
  // Zero-size shapes never overflow, whatever the other dims.
  absl::StatusOr<Tensor> z = ParseNpy(MakeNpy(F4Dict("(0, 4294967296, 4294967296)"), ""));
  ASSERT_TRUE(z.ok()) << z.status();
  EXPECT_EQ(z->num_elements(), 0);
}

TEST(NpyTest, RejectsTensorsAboveTheCap) {
  ExpectError(ParseNpy(MakeNpy(F4Dict("(1000000, 1000000)"), "")),
              absl::StatusCode::kResourceExhausted, "more than the cap");
  ExpectError(ParseNpy(MakeNpy(F4Dict("(4,)"), std::string(16, '\0')), /*max_tensor_bytes=*/15),
              absl::StatusCode::kResourceExhausted, "more than the cap of 15 bytes");
  EXPECT_TRUE(ParseNpy(MakeNpy(F4Dict("(4,)"), std::string(16, '\0')), 16).ok());
}

TEST(NpyTest, NeverCrashesOnCorruptedBytes) {
  // Every truncation and every single-byte corruption of a valid file either
  // parses or fails cleanly.
  const std::string good = EncodeNpy(*Tensor::FromVector<float>({2, 2}, {1.f, 2.f, 3.f, 4.f}));
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(ParseNpy(good.substr(0, n)).ok()) << n;
  }
  for (size_t i = 0; i < good.size(); ++i) {
    for (int v : {0, 0x7f, 0xff, int{'('}, int{'\''}, int{','}, int{'}'}, int{'9'}}) {
      std::string bad = good;
      bad[i] = static_cast<char>(v);
      (void)ParseNpy(bad, /*max_tensor_bytes=*/1 << 20);
    }
  }
  // Random multi-byte corruptions of the header (fixed seed).
  std::mt19937 rng(1234);
  const std::string alphabet = "{}()[],:'\" 0123456789-LTrueFalsdescrhapfortn_<>|=f4i8b1\n\0";
  for (int iter = 0; iter < 20000; ++iter) {
    std::string bad = good;
    const int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % 80;
      bad[pos] = (rng() % 4 == 0) ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    }
    if (rng() % 8 == 0) bad.resize(rng() % bad.size());
    (void)ParseNpy(bad, /*max_tensor_bytes=*/1 << 20);
  }
}

TEST(NpyTest, FileRoundTripAndErrorsNameThePath) {
  const std::string dir = std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp";
  const std::string path = dir + "/npy_test_out.npy";
  Tensor t = *Tensor::FromVector<int32_t>({3}, {1, 2, 3});
  ASSERT_TRUE(WriteNpyFile(path, t).ok());
  absl::StatusOr<Tensor> back = ReadNpyFile(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->Equals(t));
  EXPECT_EQ(WriteNpyFile(path, Tensor()).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadNpyFile(dir + "/missing.npy").status().code(), absl::StatusCode::kNotFound);
  ExpectError(ReadNpyFile(TestDataPath("np_u1.npy")), absl::StatusCode::kInvalidArgument,
              "np_u1.npy: npy: unsupported dtype");
}

// ReadNpyFile reads the header, then the data straight into the tensor;
// ParseNpy decodes bytes already in memory. Both must accept and reject the
// same files with the same messages: every truncation of valid files (v1
// with a one-row and a 4 KiB tensor, v2, bools), a file with bytes past its
// data, and a FIFO (no size known up front: read whole, then parsed).
TEST(NpyTest, ReadingAFileAgreesWithParsingItsBytes) {
  const std::string dir = std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp";
  const std::string path = dir + "/npy_test_stream.npy";
  std::vector<float> big(1024);
  for (size_t i = 0; i < big.size(); ++i) big[i] = 0.5f * i - 7.0f;
  std::string v2 = EncodeNpy(*Tensor::FromVector<float>({2}, {1.f, 2.f}));
  std::string v2_header = MakeNpy(F4Dict("(2,)"), "").substr(10);
  v2 = std::string("\x93NUMPY\x02\x00", 8) +
       std::string({static_cast<char>(v2_header.size()), 0, 0, 0}) + v2_header +
       v2.substr(v2.size() - 8);
  std::string bools = MakeNpy("{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }",
                              std::string("\x00\x01\x02\xff", 4));
  const std::vector<std::string> files = {
      EncodeNpy(*Tensor::FromVector<float>({1, 3}, {1.f, -2.f, 3.5f})),
      EncodeNpy(*Tensor::FromVector<float>({32, 32}, big)), v2, bools,
      EncodeNpy(*Tensor::FromVector<int64_t>({2}, {7, -9})) + "extra"};
  for (const std::string& file : files) {
    for (size_t n = 0; n <= file.size(); n += (n < 200 ? 1 : 509)) {
      const std::string bytes = file.substr(0, n);
      SCOPED_TRACE(::testing::Message() << "file of " << file.size() << " bytes cut at " << n);
      ASSERT_TRUE(WriteFileAtomically(path, bytes).ok());
      const absl::StatusOr<Tensor> parsed = ParseNpy(bytes);
      const absl::StatusOr<Tensor> read = ReadNpyFile(path);
      ASSERT_EQ(read.ok(), parsed.ok()) << read.status() << " vs " << parsed.status();
      if (parsed.ok()) {
        EXPECT_TRUE(read->Equals(*parsed));
      } else {
        EXPECT_EQ(read.status().code(), parsed.status().code());
        EXPECT_EQ(read.status().message(), absl::StrCat(path, ": ", parsed.status().message()));
      }
    }
  }
  const absl::StatusOr<Tensor> b = ParseNpy(bools);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(std::vector<bool>(b->flat<bool>().begin(), b->flat<bool>().end()),
            std::vector<bool>({false, true, true, true}));
  // The last file written is the one with bytes past its data.
  ExpectError(ReadNpyFile(path), absl::StatusCode::kInvalidArgument,
              "npy_test_stream.npy: npy: data has 21 bytes, expected 16 for shape (2,)");
  ExpectError(ReadNpyFile(path, /*max_tensor_bytes=*/4), absl::StatusCode::kResourceExhausted,
              "npy: tensor of shape (2,) and dtype <i8 needs 2 elements x 8 bytes, more than "
              "the cap of 4 bytes");

  // A file above the cap plus the header room fails on its size alone.
  ASSERT_TRUE(WriteFileAtomically(path, std::string((1 << 20) + 17, 'x')).ok());
  ExpectError(ReadNpyFile(path, /*max_tensor_bytes=*/16), absl::StatusCode::kResourceExhausted,
              absl::StrCat("File '", path, "' has ", (1 << 20) + 17,
                           " bytes, more than the limit of ", (1 << 20) + 16));

  // A message that happens to contain the path (a hostile header quoting
  // it) is still prefixed with it (found by fuzz/npy_fuzzer.cc).
  const std::string quoting = MakeNpy(absl::StrCat("{'", path, "': 1}"), "");
  ASSERT_TRUE(WriteFileAtomically(path, quoting).ok());
  ExpectError(ReadNpyFile(path), absl::StatusCode::kInvalidArgument,
              absl::StrCat(path, ": npy: malformed header dict: unexpected key '", path, "'"));

  const std::string fifo = dir + "/npy_test_fifo";
  unlink(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    std::FILE* f = std::fopen(fifo.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fwrite(files[1].data(), 1, files[1].size(), f);
    std::fclose(f);
  });
  const absl::StatusOr<Tensor> piped = ReadNpyFile(fifo);
  writer.join();
  ASSERT_TRUE(piped.ok()) << piped.status();
  EXPECT_TRUE(piped->Equals(*ParseNpy(files[1])));
}

}  // namespace
}  // namespace rill
