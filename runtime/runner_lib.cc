#include "runtime/runner_lib.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <system_error>
#include <type_traits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "graph/status_macros.h"

namespace rill {
namespace {

constexpr int64_t kMaxFullValues = 20;
constexpr int64_t kHeadValues = 10;
constexpr int64_t kTailValues = 3;

bool IsHelpFlag(absl::string_view arg) {
  return arg == "--help" || arg == "-help" || arg == "--helpfull" || arg == "-helpfull" ||
         arg == "--helpshort" || arg == "-helpshort" || arg == "-h";
}

template <typename T>
std::string FormatValue(T v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_floating_point_v<T>) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    return ec == std::errc() ? std::string(buf, end) : absl::StrCat(v);
  } else {
    return absl::StrCat(v);
  }
}

template <typename T>
std::string FormatTyped(const Tensor& t) {
  absl::Span<const T> v = t.flat<T>();
  const int64_t n = t.num_elements();
  std::string out = "[";
  auto append = [&](int64_t from, int64_t to) {
    for (int64_t i = from; i < to; ++i) {
      if (out.size() > 1) out += ", ";
      out += FormatValue<T>(v[i]);
    }
  };
  if (n <= kMaxFullValues) {
    append(0, n);
    return out + "]";
  }
  append(0, kHeadValues);
  out += ", ...";
  append(n - kTailValues, n);
  return absl::StrCat(out, "] (", n, " values)");
}

}  // namespace

absl::StatusOr<SplitArgs> SplitCommandLine(int argc, const char* const* argv,
                                           const std::set<std::string>& known) {
  SplitArgs out;
  for (int i = 1; i < argc; ++i) {
    if (IsHelpFlag(argv[i])) out.help = true;
  }
  if (out.help) return out;
  bool flags_done = false;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (!flags_done && arg == "--") {
      flags_done = true;
      continue;
    }
    if (flags_done || arg.size() < 2 || arg[0] != '-') {
      if (!out.command.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg, "'"));
      }
      out.command = std::string(arg);
      continue;
    }
    absl::string_view body = arg.substr(arg[1] == '-' ? 2 : 1);
    const size_t eq = body.find('=');
    const std::string name(body.substr(0, eq));
    if (name.empty() || known.count(name) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", eq == absl::string_view::npos ? body : name));
    }
    if (eq != absl::string_view::npos) {
      out.flags.emplace_back(name, std::string(body.substr(eq + 1)));
    } else if (i + 1 < argc) {
      out.flags.emplace_back(name, argv[++i]);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("flag --", name, " is missing its value"));
    }
  }
  return out;
}

absl::StatusOr<std::vector<InputSpec>> ParseInputSpecs(const std::vector<std::string>& values) {
  std::vector<InputSpec> specs;
  std::map<std::string, std::string> seen;  // normalized name -> as given
  for (const std::string& value : values) {
    for (absl::string_view item : absl::StrSplit(value, ',')) {
      const size_t eq = item.find('=');
      if (eq == absl::string_view::npos || eq == 0 || eq + 1 == item.size()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "malformed --input '", item, "': expected NAME=FILE.npy[,NAME=FILE.npy...]"));
      }
      InputSpec spec{std::string(item.substr(0, eq)), std::string(item.substr(eq + 1))};
      auto [it, inserted] = seen.emplace(NormalizeTensorName(spec.name), spec.name);
      if (!inserted) {
        return absl::InvalidArgumentError(absl::StrCat("--input feeds tensor '", it->first,
                                                       "' twice ('", it->second, "' and '",
                                                       spec.name, "')"));
      }
      specs.push_back(std::move(spec));
    }
  }
  return specs;
}

absl::StatusOr<std::vector<std::string>> ParseOutputList(absl::string_view value) {
  if (value.empty()) return absl::InvalidArgumentError("--output is empty");
  std::vector<std::string> names = absl::StrSplit(value, ',');
  for (const std::string& n : names) {
    if (n.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("malformed --output '", value, "': empty tensor name"));
    }
  }
  return names;
}

std::string NormalizeTensorName(absl::string_view name) {
  const size_t colon = name.rfind(':');
  if (colon != absl::string_view::npos && colon + 1 < name.size()) {
    absl::string_view index = name.substr(colon + 1);
    if (std::all_of(index.begin(), index.end(), absl::ascii_isdigit)) {
      return std::string(name);
    }
  }
  return absl::StrCat(name, ":0");
}

std::string OutputFileName(absl::string_view tensor_name) {
  std::string s = NormalizeTensorName(tensor_name);
  for (char& c : s) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-') c = '_';
  }
  return s + ".npy";
}

absl::Status CheckOutputFileNames(const std::vector<std::string>& outputs) {
  std::map<std::string, std::string> by_file;  // file -> normalized tensor name
  for (const std::string& name : outputs) {
    const std::string normalized = NormalizeTensorName(name);
    auto [it, inserted] = by_file.emplace(OutputFileName(name), normalized);
    if (!inserted && it->second != normalized) {
      return absl::InvalidArgumentError(absl::StrCat("outputs '", it->second, "' and '", normalized,
                                                     "' would both be written to ", it->first));
    }
  }
  return absl::OkStatus();
}

std::string FormatValues(const Tensor& t) {
  switch (t.dtype()) {
    case pb::DT_FLOAT: return FormatTyped<float>(t);
    case pb::DT_DOUBLE: return FormatTyped<double>(t);
    case pb::DT_INT32: return FormatTyped<int32_t>(t);
    case pb::DT_INT64: return FormatTyped<int64_t>(t);
    case pb::DT_BOOL: return FormatTyped<bool>(t);
    default: return "[]";
  }
}

std::string FormatOutputBlock(absl::string_view name, const Tensor& t) {
  return absl::StrCat(name, "\n  dtype: ", DataTypeString(t.dtype()),
                      "\n  shape: ", t.shape().ToString(), "\n  values: ", FormatValues(t), "\n");
}

std::string OneLine(absl::string_view message) {
  std::string out;
  bool pending_break = false;
  for (char c : absl::StripAsciiWhitespace(message)) {
    if (c == '\n' || c == '\r') {
      pending_break = true;
      continue;
    }
    if (pending_break) {
      while (!out.empty() && out.back() == ' ') out.pop_back();
      if (c == ' ' || c == '\t') continue;
      out += "; ";
      pending_break = false;
    }
    out += c;
  }
  return out;
}

absl::Status CreateDirectories(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return absl::OkStatus();
  if (std::filesystem::exists(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " exists and is not a folder"));
  }
  std::filesystem::create_directories(path, ec);
  if (ec) {
    std::string msg = absl::StrCat("cannot create folder ", path, ": ", ec.message());
    return ec == std::errc::permission_denied ? absl::PermissionDeniedError(msg)
                                              : absl::InvalidArgumentError(msg);
  }
  return absl::OkStatus();
}

}  // namespace rill
