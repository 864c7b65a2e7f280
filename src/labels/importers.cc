#include "labels/importers.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <regex>

#include "labels/list_sink.h"
#include "labels/text.h"

namespace sg::labels {

const char* to_string(Format f) {
  switch (f) {
    case Format::misp_json:
      return "misp-json";
    case Format::records_json:
      return "json-records";
    case Format::tsv:
      return "tsv";
    case Format::ipset:
      return "ipset";
    case Format::csv:
      return "csv";
    case Format::ptr_csv:
      return "ptr-csv";
    case Format::plain:
      return "plain";
    case Format::unknown:
      return "unknown";
  }
  return "unknown";
}

std::string org_from_file_name(const std::string& path) {
  std::filesystem::path p(path);
  std::string stem = p.filename().string();
  static const std::regex ext(R"((\.(txt|ipset|ip6set|netset|lst|list|json|csv|tsv))+$)", std::regex::icase);
  stem = std::regex_replace(stem, ext, "");
  if (stem == "list" && p.has_parent_path()) stem = p.parent_path().filename().string();  // MISP layout
  static const std::regex version(R"([_-]v[46]$)", std::regex::icase), ordinal(R"(^[0-9]+_)"),
      dated(R"([_-][0-9]{4}([_-]([1-4]Q|Q[1-4]))?$)", std::regex::icase);
  stem = std::regex_replace(stem, version, "");
  stem = std::regex_replace(stem, ordinal, "");
  stem = std::regex_replace(stem, dated, "");
  if (stem.rfind("nethash.", 0) == 0) stem = stem.substr(8);
  return stem;
}

std::optional<Period> period_from_file_name(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  static const std::regex dated(R"([_-]([0-9]{4}(?:_[1-4]Q)?)(?:\.[A-Za-z0-9]+)*$)");
  std::smatch m;
  if (!std::regex_search(name, m, dated)) return std::nullopt;
  return parse_period(m[1]);
}

namespace {

// The first lines that carry data (not blank, not comments), for format detection.
std::vector<std::string> sample_lines(std::string_view content, size_t n) {
  std::vector<std::string> out;
  for_each_line(content.substr(0, std::min<size_t>(content.size(), 1 << 16)), [&](std::string_view raw) {
    std::string line = trim(raw);
    if (out.size() < n && !line.empty() && line[0] != '#') out.push_back(line);
  });
  return out;
}

bool is_prefix(const std::string& text) {
  Cidr c;
  return parse_cidr(text, c);
}

bool first_field_is_prefix(const std::string& line, char sep) { return is_prefix(trim(split(line, sep).front())); }

}  // namespace

Format detect_format(std::string_view content, const ImportOptions& opt) {
  auto lines = sample_lines(content, 50);
  if (lines.empty()) return Format::unknown;
  const std::string& first = lines.front();
  // JSON only when the whole text parses: a LICENSE that starts with "[yyyy]" is not a list.
  if ((first[0] == '{' || first[0] == '[') && nlohmann::json::accept(content))
    return first[0] == '{' ? Format::misp_json : Format::records_json;
  if (first.rfind("create ", 0) == 0 || first.rfind("add ", 0) == 0 || first.rfind("flush ", 0) == 0)
    return Format::ipset;
  if (lower(first).rfind("prefix\t", 0) == 0) return Format::tsv;
  size_t tsv = 0, csv = 0, plain = 0;
  for (const auto& l : lines) {
    if (l.find('\t') != std::string::npos && first_field_is_prefix(l, '\t')) ++tsv;
    if (l.find(',') != std::string::npos && first_field_is_prefix(l, ',')) ++csv;
    auto tok = tokens(strip_comment(l));
    if (!tok.empty() && is_prefix(tok.front())) ++plain;
  }
  size_t half = (lines.size() + 1) / 2;
  if (tsv >= half && tsv >= csv) return Format::tsv;
  if (csv >= half) return opt.ptr_table ? Format::ptr_csv : Format::csv;
  if (plain >= half) return Format::plain;
  return Format::unknown;
}

ParsedList parse_list(const std::string& file, std::string_view content, const ImportOptions& opt) {
  ParsedList out;
  out.file = file;
  out.format = detect_format(content, opt);
  ListSink sink(out, opt);
  switch (out.format) {
    case Format::misp_json:
    case Format::records_json:
      parse_json_list(content, sink);
      break;
    case Format::tsv:
      parse_tsv(content, sink);
      break;
    case Format::ipset:
      parse_ipset(content, sink);
      break;
    case Format::csv:
    case Format::ptr_csv:
      parse_csv(content, sink, out.format == Format::ptr_csv);
      break;
    case Format::plain:
      parse_plain(content, sink);
      break;
    case Format::unknown:
      out.skip_reason = "not a label list (no format recognised in its first lines)";
      break;
  }
  return out;
}

}  // namespace sg::labels
