#include "runtime/npy.h"

#include <algorithm>
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

uint32_t ReadLittleEndian(absl::string_view bytes, size_t pos, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[pos + i]);
  return v;
}

// The fixed part before the header dict: magic, version, header length.
constexpr size_t kLongestPrefix = kMagicLen + 2 + 4;

// Where the header dict of a file of `file_bytes` bytes starts (after the
// prefix) and ends, from `head`, its first min(file_bytes, kLongestPrefix)
// bytes or more.
struct NpyHeaderSpan {
  size_t begin;
  size_t end;
};

absl::StatusOr<NpyHeaderSpan> FindNpyHeader(absl::string_view head, uint64_t file_bytes) {
  if (head.compare(0, kMagicLen, absl::string_view(kMagic, std::min(kMagicLen, head.size()))) !=
      0) {
    return absl::InvalidArgumentError("npy: bad magic (not a .npy file)");
  }
  if (file_bytes < kMagicLen + 2 || head.size() < kMagicLen + 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("npy: truncated header (file has only ", file_bytes, " bytes)"));
  }
  const int major = static_cast<unsigned char>(head[6]);
  const int minor = static_cast<unsigned char>(head[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    return absl::InvalidArgumentError(absl::StrCat("npy: unsupported format version ", major, ".",
                                                   minor, " (supported: 1.0, 2.0, 3.0)"));
  }
  const int len_bytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicLen + 2 + len_bytes;
  if (file_bytes < prefix || head.size() < prefix) {
    return absl::InvalidArgumentError(
        absl::StrCat("npy: truncated header (file has only ", file_bytes, " bytes)"));
  }
  const uint64_t header_len = ReadLittleEndian(head, kMagicLen + 2, len_bytes);
  if (header_len > file_bytes - prefix) {
    return absl::InvalidArgumentError(absl::StrCat("npy: truncated header (header length ",
                                                   header_len, " but only ", file_bytes - prefix,
                                                   " bytes follow the prefix)"));
  }
  return NpyHeaderSpan{prefix, static_cast<size_t>(prefix + header_len)};
}

// What the header of a file of `file_bytes` bytes says, checked: its first
// bytes `head` reach at least to the end of its header.
struct NpyLayout {
  DataType dtype;
  TensorShape shape;
  size_t data_offset;
  uint64_t data_bytes;
};

absl::StatusOr<NpyLayout> ParseNpyLayout(absl::string_view head, uint64_t file_bytes,
                                         int64_t max_tensor_bytes) {
  ASSIGN_OR_RETURN(const NpyHeaderSpan header, FindNpyHeader(head, file_bytes));
  ASSIGN_OR_RETURN(NpyHeader h,
                   HeaderParser(head.substr(header.begin, header.end - header.begin)).Parse());
  NpyLayout layout;
  ASSIGN_OR_RETURN(layout.dtype, DtypeFromDescr(h.descr));
  if (h.fortran_order) {
    return absl::InvalidArgumentError("npy: fortran_order=True is not supported");
  }
  layout.shape = TensorShape(h.shape);
  int64_t n = 1;
  for (int64_t d : h.shape) {
    if (d == 0) n = 0;
  }
  for (int64_t d : h.shape) {
    if (n == 0) break;
    if (n > std::numeric_limits<int64_t>::max() / d) {
      return absl::InvalidArgumentError(absl::StrCat("npy: shape ",
                                                     layout.shape.ToPythonString(),
                                                     " has more elements than fit in int64"));
    }
    n *= d;
  }
  const int64_t elem = DataTypeSize(layout.dtype);
  if (n > max_tensor_bytes / elem) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "npy: tensor of shape ", layout.shape.ToPythonString(), " and dtype ", h.descr,
        " needs ", n, " elements x ", elem, " bytes, more than the cap of ", max_tensor_bytes,
        " bytes"));
  }
  const uint64_t data_bytes = file_bytes - header.end;
  const uint64_t expected = static_cast<uint64_t>(n) * elem;
  if (data_bytes != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "npy: data has ", data_bytes, " bytes, expected ", expected, " for shape ",
        layout.shape.ToPythonString(), " and dtype ", h.descr));
  }
  layout.data_offset = header.end;
  layout.data_bytes = expected;
  return layout;
}

// numpy writes bools as bytes 0 and 1; any other byte reads as true.
void NormalizeBools(Tensor* t) {
  char* bytes = static_cast<char*>(t->raw());
  bool* values = t->data<bool>();
  for (int64_t i = 0; i < t->num_elements(); ++i) values[i] = bytes[i] != 0;
}

// A parse error of the file at `path`: its message names the path. (I/O
// errors name it already.)
absl::Status InFile(const std::string& path, const absl::Status& parse_error) {
  return absl::Status(parse_error.code(), absl::StrCat(path, ": ", parse_error.message()));
}

// ReadNpyFile for a file of known size: the header first, then the data
// straight into the tensor's buffer (no copy of the file in between; the
// inputs of a large run are hundreds of MB).
absl::StatusOr<Tensor> ReadNpy(FileReader& file, int64_t max_tensor_bytes) {
  const std::string& path = file.path();
  const uint64_t size = static_cast<uint64_t>(file.size());
  std::string head(std::min<uint64_t>(size, kLongestPrefix), '\0');
  RETURN_IF_ERROR(file.ReadExactly(head.data(), head.size()));
  const absl::StatusOr<NpyHeaderSpan> header = FindNpyHeader(head, size);
  if (!header.ok()) return InFile(path, header.status());
  if (header->end > head.size()) {
    const size_t have = head.size();
    head.resize(header->end);
    RETURN_IF_ERROR(file.ReadExactly(head.data() + have, header->end - have));
  }
  const absl::StatusOr<NpyLayout> layout = ParseNpyLayout(head, size, max_tensor_bytes);
  if (!layout.ok()) return InFile(path, layout.status());
  absl::StatusOr<Tensor> t =
      Tensor::AllocateForOverwrite(layout->dtype, layout->shape, max_tensor_bytes);
  if (!t.ok()) return InFile(path, t.status());
  // `head` holds data bytes only when the header is shorter than
  // kLongestPrefix.
  const size_t in_head = head.size() - layout->data_offset;
  if (in_head > 0) std::memcpy(t->raw(), head.data() + layout->data_offset, in_head);
  RETURN_IF_ERROR(file.ReadExactly(static_cast<char*>(t->raw()) + in_head,
                                   layout->data_bytes - in_head));
  char extra;
  ASSIGN_OR_RETURN(const size_t more, file.Read(&extra, 1));
  if (more != 0) {
    return absl::DataLossError(
        absl::StrCat("'", path, "' grew while it was read (had ", size, " bytes)"));
  }
  if (layout->dtype == DT_BOOL) NormalizeBools(&*t);
  return t;
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
  ASSIGN_OR_RETURN(const NpyLayout layout, ParseNpyLayout(bytes, bytes.size(), max_tensor_bytes));
  ASSIGN_OR_RETURN(Tensor t,
                   Tensor::AllocateForOverwrite(layout.dtype, layout.shape, max_tensor_bytes));
  if (layout.data_bytes > 0) {
    std::memcpy(t.raw(), bytes.data() + layout.data_offset, layout.data_bytes);
  }
  if (layout.dtype == DT_BOOL) NormalizeBools(&t);
  return t;
}

absl::StatusOr<Tensor> ReadNpyFile(const std::string& path, int64_t max_tensor_bytes) {
  // Leave room for the header on top of the data cap.
  constexpr int64_t kHeaderSlack = int64_t{1} << 20;
  const int64_t max_file_bytes =
      max_tensor_bytes > std::numeric_limits<int64_t>::max() - kHeaderSlack
          ? std::numeric_limits<int64_t>::max()
          : max_tensor_bytes + kHeaderSlack;
  ASSIGN_OR_RETURN(FileReader file, FileReader::Open(path));
  if (file.size() > 0 && file.size() <= max_file_bytes) return ReadNpy(file, max_tensor_bytes);
  // No size to check the header against up front (a pipe; procfs files
  // report 0): the whole file first. (A file above the cap: ReadRest
  // reports it before reading.)
  ASSIGN_OR_RETURN(std::string bytes, file.ReadRest(max_file_bytes));
  absl::StatusOr<Tensor> t = ParseNpy(bytes, max_tensor_bytes);
  if (!t.ok()) return InFile(path, t.status());
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
