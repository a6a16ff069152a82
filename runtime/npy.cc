#include "runtime/npy.h"

#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "graph/file_io.h"
#include "graph/status_macros.h"

namespace rill {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "npy I/O assumes a little-endian host");

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
// Data starts at a multiple of this (numpy's ARRAY_ALIGN).
constexpr size_t kArrayAlign = 64;
constexpr char kSupported[] = "supported: <f4, <f8, <i4, <i8, |b1";

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

absl::Status Malformed(absl::string_view why, size_t pos) {
  return absl::InvalidArgumentError(
      absl::StrCat("npy: malformed header dict: ", why, " at offset ", pos));
}

// A hand-written parser for the Python dict literal numpy writes. It accepts
// any key order and whitespace, single or double quotes, trailing commas and
// Python 2 long suffixes ("3L"); anything else is an error, never a crash.
class HeaderParser {
 public:
  explicit HeaderParser(absl::string_view text) : text_(text) {}

  absl::StatusOr<NpyHeader> Parse() {
    NpyHeader h;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    SkipSpace();
    if (!Consume('{')) return Malformed("expected '{'", pos_);
    while (true) {
      SkipSpace();
      if (Consume('}')) break;
      const size_t key_pos = pos_;
      ASSIGN_OR_RETURN(std::string key, ParseString());
      SkipSpace();
      if (!Consume(':')) return Malformed("expected ':' after key", pos_);
      SkipSpace();
      bool* seen = nullptr;
      if (key == "descr") {
        seen = &seen_descr;
        if (Peek() == '[' || Peek() == '{') {
          return absl::InvalidArgumentError(
              "npy: unsupported dtype (structured dtypes are not supported)");
        }
        ASSIGN_OR_RETURN(h.descr, ParseString());
      } else if (key == "fortran_order") {
        seen = &seen_order;
        ASSIGN_OR_RETURN(h.fortran_order, ParseBool());
      } else if (key == "shape") {
        seen = &seen_shape;
        ASSIGN_OR_RETURN(h.shape, ParseShape());
      } else {
        return Malformed(absl::StrCat("unexpected key '", key, "'"), key_pos);
      }
      if (*seen) return Malformed(absl::StrCat("duplicate key '", key, "'"), key_pos);
      *seen = true;
      SkipSpace();
      if (Consume(',')) continue;
      SkipSpace();
      if (Consume('}')) break;
      return Malformed("expected ',' or '}'", pos_);
    }
    SkipSpace();
    if (pos_ != text_.size()) return Malformed("trailing characters after '}'", pos_);
    for (auto [seen, name] : {std::pair<bool, const char*>{seen_descr, "descr"},
                              {seen_order, "fortran_order"},
                              {seen_shape, "shape"}}) {
      if (!seen) {
        return absl::InvalidArgumentError(
            absl::StrCat("npy: header dict is missing the key '", name, "'"));
      }
    }
    return h;
  }

 private:
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void SkipSpace() {
    while (pos_ < text_.size() && std::strchr(" \t\n\r\f\v", text_[pos_]) != nullptr &&
           text_[pos_] != '\0') {
      ++pos_;
    }
  }

  absl::StatusOr<std::string> ParseString() {
    const char quote = Peek();
    if (quote != '\'' && quote != '"') return Malformed("expected a quoted string", pos_);
    const size_t start = ++pos_;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' || text_[pos_] == '\n') {
        return Malformed("unsupported character in string", pos_);
      }
      ++pos_;
    }
    if (pos_ >= text_.size()) return Malformed("unterminated string", start - 1);
    std::string s(text_.substr(start, pos_ - start));
    ++pos_;
    return s;
  }

  absl::StatusOr<bool> ParseBool() {
    for (auto [word, value] :
         {std::pair<absl::string_view, bool>{"True", true}, {"False", false}}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return value;
      }
    }
    return Malformed("expected True or False for 'fortran_order'", pos_);
  }

  absl::StatusOr<std::vector<int64_t>> ParseShape() {
    std::vector<int64_t> dims;
    if (!Consume('(')) return Malformed("expected a tuple for 'shape'", pos_);
    while (true) {
      SkipSpace();
      if (Consume(')')) break;
      ASSIGN_OR_RETURN(int64_t d, ParseDim());
      if (dims.size() >= static_cast<size_t>(kMaxRank)) {
        return absl::InvalidArgumentError(
            absl::StrCat("npy: shape has more than ", kMaxRank, " dimensions"));
      }
      dims.push_back(d);
      SkipSpace();
      if (Consume(',')) continue;
      SkipSpace();
      if (Consume(')')) break;
      return Malformed("expected ',' or ')' in 'shape'", pos_);
    }
    return dims;
  }

  absl::StatusOr<int64_t> ParseDim() {
    if (Peek() == '-') {
      return absl::InvalidArgumentError("npy: negative dimension in 'shape'");
    }
    if (Peek() < '0' || Peek() > '9') return Malformed("expected an integer in 'shape'", pos_);
    int64_t v = 0;
    while (Peek() >= '0' && Peek() <= '9') {
      const int digit = Peek() - '0';
      if (v > (std::numeric_limits<int64_t>::max() - digit) / 10) {
        return absl::InvalidArgumentError("npy: dimension in 'shape' does not fit in int64");
      }
      v = v * 10 + digit;
      ++pos_;
    }
    if (Peek() == 'L' || Peek() == 'l') ++pos_;  // Python 2 long.
    return v;
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

// Maps a descr to a dtype, or explains why it is not supported.
absl::StatusOr<DataType> DtypeFromDescr(const std::string& descr) {
  if (descr.size() == 3) {
    const char order = descr[0];
    const std::string code = descr.substr(1);
    if (code == "b1" && (order == '|' || order == '<' || order == '>' || order == '=')) {
      return DT_BOOL;
    }
    for (DataType dt : {DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64}) {
      if (NpyDescr(dt).substr(1) != code) continue;
      if (order == '<' || order == '=') return dt;
      if (order == '>') {
        return absl::InvalidArgumentError(
            absl::StrCat("npy: unsupported dtype '", descr, "' (big-endian)"));
      }
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("npy: unsupported dtype '", descr, "' (", kSupported, ")"));
}

uint32_t ReadLittleEndian(const std::string& bytes, size_t pos, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[pos + i]);
  return v;
}

}  // namespace

std::string NpyDescr(DataType dtype) {
  switch (BaseType(dtype)) {
    case pb::DT_FLOAT: return "<f4";
    case pb::DT_DOUBLE: return "<f8";
    case pb::DT_INT32: return "<i4";
    case pb::DT_INT64: return "<i8";
    case pb::DT_BOOL: return "|b1";
    default: return "";
  }
}

absl::StatusOr<Tensor> ParseNpy(const std::string& bytes, int64_t max_tensor_bytes) {
  if (bytes.compare(0, kMagicLen, kMagic, std::min(kMagicLen, bytes.size())) != 0) {
    return absl::InvalidArgumentError("npy: bad magic (not a .npy file)");
  }
  if (bytes.size() < kMagicLen + 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("npy: truncated header (file has only ", bytes.size(), " bytes)"));
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  const int minor = static_cast<unsigned char>(bytes[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    return absl::InvalidArgumentError(absl::StrCat("npy: unsupported format version ", major, ".",
                                                   minor, " (supported: 1.0, 2.0, 3.0)"));
  }
  const int len_bytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicLen + 2 + len_bytes;
  if (bytes.size() < prefix) {
    return absl::InvalidArgumentError(
        absl::StrCat("npy: truncated header (file has only ", bytes.size(), " bytes)"));
  }
  const uint64_t header_len = ReadLittleEndian(bytes, kMagicLen + 2, len_bytes);
  if (header_len > bytes.size() - prefix) {
    return absl::InvalidArgumentError(absl::StrCat("npy: truncated header (header length ",
                                                   header_len, " but only ", bytes.size() - prefix,
                                                   " bytes follow the prefix)"));
  }
  ASSIGN_OR_RETURN(NpyHeader h,
                   HeaderParser(absl::string_view(bytes).substr(prefix, header_len)).Parse());
  ASSIGN_OR_RETURN(DataType dtype, DtypeFromDescr(h.descr));
  if (h.fortran_order) {
    return absl::InvalidArgumentError("npy: fortran_order=True is not supported");
  }
  const TensorShape shape(h.shape);
  int64_t n = 1;
  for (int64_t d : h.shape) {
    if (d == 0) n = 0;
  }
  for (int64_t d : h.shape) {
    if (n == 0) break;
    if (n > std::numeric_limits<int64_t>::max() / d) {
      return absl::InvalidArgumentError(absl::StrCat("npy: shape ", shape.ToPythonString(),
                                                     " has more elements than fit in int64"));
    }
    n *= d;
  }
  const int64_t elem = DataTypeSize(dtype);
  if (n > max_tensor_bytes / elem) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "npy: tensor of shape ", shape.ToPythonString(), " and dtype ", h.descr, " needs ", n,
        " elements x ", elem, " bytes, more than the cap of ", max_tensor_bytes, " bytes"));
  }
  const uint64_t data_bytes = bytes.size() - prefix - header_len;
  const uint64_t expected = static_cast<uint64_t>(n) * elem;
  if (data_bytes != expected) {
    return absl::InvalidArgumentError(absl::StrCat("npy: data has ", data_bytes,
                                                   " bytes, expected ", expected, " for shape ",
                                                   shape.ToPythonString(), " and dtype ", h.descr));
  }
  ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape, max_tensor_bytes));
  const char* src = bytes.data() + prefix + header_len;
  if (dtype == DT_BOOL) {
    bool* dst = t.data<bool>();
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i] != 0;
  } else if (expected > 0) {
    std::memcpy(t.raw(), src, expected);
  }
  return t;
}

absl::StatusOr<Tensor> ReadNpyFile(const std::string& path, int64_t max_tensor_bytes) {
  // Leave room for the header on top of the data cap.
  constexpr int64_t kHeaderSlack = int64_t{1} << 20;
  const int64_t max_file_bytes =
      max_tensor_bytes > std::numeric_limits<int64_t>::max() - kHeaderSlack
          ? std::numeric_limits<int64_t>::max()
          : max_tensor_bytes + kHeaderSlack;
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path, max_file_bytes));
  absl::StatusOr<Tensor> t = ParseNpy(bytes, max_tensor_bytes);
  if (!t.ok()) {
    return absl::Status(t.status().code(), absl::StrCat(path, ": ", t.status().message()));
  }
  return t;
}

std::string EncodeNpy(const Tensor& t) {
  RILL_CHECK(t.initialized());
  std::string dict =
      absl::StrCat("{'descr': '", NpyDescr(t.dtype()),
                   "', 'fortran_order': False, 'shape': ", t.shape().ToPythonString(), ", }");
  // Like numpy's _wrap_header: pad with spaces (1..64 of them) and a '\n' so
  // the data starts aligned; switch to v2.0 when the length needs 4 bytes.
  int major = 1;
  size_t prefix = kMagicLen + 4;
  size_t pad = kArrayAlign - (prefix + dict.size() + 1) % kArrayAlign;
  if (dict.size() + pad + 1 > 65535) {
    major = 2;
    prefix = kMagicLen + 6;
    pad = kArrayAlign - (prefix + dict.size() + 1) % kArrayAlign;
  }
  const uint32_t header_len = static_cast<uint32_t>(dict.size() + pad + 1);
  std::string out(kMagic, kMagicLen);
  out.push_back(static_cast<char>(major));
  out.push_back('\0');
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i) {
    out.push_back(static_cast<char>((header_len >> (8 * i)) & 0xff));
  }
  out += dict;
  out.append(pad, ' ');
  out.push_back('\n');
  if (t.TotalBytes() > 0) out.append(t.raw(), t.TotalBytes());
  return out;
}

absl::Status WriteNpyFile(const std::string& path, const Tensor& t) {
  if (!t.initialized()) {
    return absl::InvalidArgumentError(
        absl::StrCat("npy: cannot write an uninitialized tensor to ", path));
  }
  return WriteFileAtomically(path, EncodeNpy(t));
}

}  // namespace rill
