#include "runtime/runner_lib.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <system_error>
#include <type_traits>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "graph/status_macros.h"

namespace rill {
namespace {

constexpr int64_t kMaxFullValues = 20;
constexpr int64_t kHeadValues = 10;
constexpr int64_t kTailValues = 3;
constexpr char kUsagePayloadUrl[] = "rill.runner/usage_error";

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
                                           const std::set<std::string>& known,
                                           const std::set<std::string>& boolean) {
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
    } else if (boolean.count(name) > 0) {
      out.flags.emplace_back(name, "true");
    } else if (i + 1 < argc) {
      out.flags.emplace_back(name, argv[++i]);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("flag --", name, " is missing its value"));
    }
  }
  return out;
}

absl::Status UsageError(absl::string_view message) {
  absl::Status s = absl::InvalidArgumentError(message);
  s.SetPayload(kUsagePayloadUrl, absl::Cord("1"));
  return s;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayloadUrl).has_value();
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

absl::StatusOr<std::vector<InputShapeSpec>> ParseInputShapeSpecs(
    const std::vector<std::string>& values) {
  std::vector<InputShapeSpec> specs;
  std::map<std::string, std::string> seen;  // normalized name -> as given
  for (const std::string& value : values) {
    auto malformed = [&value](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("malformed --input_shape '", value, "': ", why,
                       "; expected NAME=D0,D1,...[:NAME=D0,...] with non-negative integer dims"));
    };
    size_t pos = 0;
    while (true) {
      const size_t eq = value.find('=', pos);
      if (eq == std::string::npos) {
        return malformed(absl::StrCat("'", value.substr(pos), "' has no '='"));
      }
      if (eq == pos) return malformed("empty tensor name");
      size_t end = eq + 1;
      while (end < value.size() && (absl::ascii_isdigit(value[end]) || value[end] == ',')) ++end;
      if (end < value.size() && value[end] != ':') {
        return malformed(absl::StrCat("unexpected '", value.substr(end, 1), "' in the dims"));
      }
      InputShapeSpec spec;
      spec.name = value.substr(pos, eq - pos);
      const std::string dims = value.substr(eq + 1, end - eq - 1);
      if (!dims.empty()) {
        for (absl::string_view d : absl::StrSplit(dims, ',')) {
          int64_t size = 0;
          if (d.empty() || !absl::SimpleAtoi(d, &size)) {
            return malformed(absl::StrCat("bad dim '", d, "' for '", spec.name, "'"));
          }
          spec.shape.AddDim(size);
        }
      }
      auto [it, inserted] = seen.emplace(NormalizeTensorName(spec.name), spec.name);
      if (!inserted) {
        return absl::InvalidArgumentError(absl::StrCat("--input_shape gives tensor '", it->first,
                                                       "' twice ('", it->second, "' and '",
                                                       spec.name, "')"));
      }
      specs.push_back(std::move(spec));
      if (end == value.size()) break;
      pos = end + 1;
      if (pos == value.size()) return malformed("trailing ':'");
    }
  }
  return specs;
}

absl::StatusOr<Tensor> RandomTensor(DataType dtype, const TensorShape& shape, std::mt19937* rng,
                                    int64_t max_bytes) {
  ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape, max_bytes));
  const int64_t n = t.num_elements();
  auto fill = [n, rng](auto* p, auto&& dist) {
    for (int64_t i = 0; i < n; ++i) p[i] = dist(*rng);
  };
  switch (dtype) {
    case pb::DT_FLOAT: fill(t.data<float>(), std::uniform_real_distribution<float>(-1, 1)); break;
    case pb::DT_DOUBLE:
      fill(t.data<double>(), std::uniform_real_distribution<double>(-1, 1));
      break;
    case pb::DT_INT32: fill(t.data<int32_t>(), std::uniform_int_distribution<int32_t>(0, 9)); break;
    case pb::DT_INT64: fill(t.data<int64_t>(), std::uniform_int_distribution<int64_t>(0, 9)); break;
    case pb::DT_BOOL: fill(t.data<bool>(), std::bernoulli_distribution(0.5)); break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("cannot make random values of dtype ", DataTypeString(dtype)));
  }
  return t;
}

LatencyStats ComputeLatencyStats(std::vector<double> latencies_ms) {
  LatencyStats s;
  if (latencies_ms.empty()) return s;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const size_t n = latencies_ms.size();
  s.runs = static_cast<int64_t>(n);
  s.min_ms = latencies_ms.front();
  s.max_ms = latencies_ms.back();
  s.median_ms =
      n % 2 == 1 ? latencies_ms[n / 2] : (latencies_ms[n / 2 - 1] + latencies_ms[n / 2]) / 2;
  const size_t rank = (9 * n + 9) / 10;  // ceil(0.9 * n) without rounding error, >= 1
  s.p90_ms = latencies_ms[rank - 1];
  for (double v : latencies_ms) s.total_ms += v;
  s.mean_ms = s.total_ms / static_cast<double>(n);
  s.runs_per_second = s.total_ms > 0 ? static_cast<double>(n) * 1000.0 / s.total_ms : 0;
  return s;
}

std::string FormatLatencyStats(const LatencyStats& s) {
  return absl::StrFormat(
      "timed runs: %d (total %.4f ms)\nmin: %.4f ms\nmedian: %.4f ms\np90: %.4f ms\n"
      "max: %.4f ms\nmean: %.4f ms\nruns/s: %.1f\nmedian_ms=%.4f\n",
      s.runs, s.total_ms, s.min_ms, s.median_ms, s.p90_ms, s.max_ms, s.mean_ms, s.runs_per_second,
      s.median_ms);
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
