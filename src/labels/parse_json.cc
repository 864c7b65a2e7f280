// JSON lists: MISP warninglists ({"name", "list": [...]}) and arrays of records ([{"ip", "scanner"}]).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "labels/list_sink.h"

namespace sg::labels {

namespace {

std::string field(const nlohmann::json& obj, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    auto it = obj.find(n);
    if (it != obj.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

// JSON has no line numbers once parsed; the record index (1-based) stands in for the line.
void parse_records(const nlohmann::json& arr, ListSink& sink) {
  size_t i = 0;
  for (const auto& rec : arr) {
    ++i;
    if (!rec.is_object()) {
      sink.refuse(i, "record is not an object");
      continue;
    }
    std::string ip = field(rec, {"ip", "prefix", "cidr", "network"});
    std::string org = field(rec, {"org", "organisation", "organization", "scanner", "name"});
    if (ip.empty()) {
      sink.refuse(i, "record has no ip/prefix field");
      continue;
    }
    std::optional<Period> period;
    if (std::string p = field(rec, {"period", "validity"}); !p.empty()) {
      period = parse_period(p);
      if (!period) {
        sink.refuse(i, fmt::format("bad period '{}'", p.substr(0, 40)));
        continue;
      }
    }
    sink.add(i, ip, org, field(rec, {"source"}), period);
  }
}

void parse_misp(const nlohmann::json& doc, ListSink& sink) {
  auto it = doc.find("list");
  if (it == doc.end() || !it->is_array()) {
    sink.refuse(1, "JSON object without a 'list' array (not a MISP warninglist)");
    return;
  }
  size_t i = 0;
  for (const auto& v : *it) {
    ++i;
    if (!v.is_string()) {
      sink.refuse(i, "list item is not a string");
      continue;
    }
    sink.add(i, v.get<std::string>(), "");
  }
}

}  // namespace

void parse_json_list(std::string_view content, ListSink& sink) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(content);
  } catch (const nlohmann::json::parse_error& e) {
    size_t upto = std::min<size_t>(e.byte, content.size());
    size_t line = 1 + static_cast<size_t>(std::count(content.begin(), content.begin() + upto, '\n'));
    sink.refuse(line, "invalid JSON; the file was not imported");
    return;
  } catch (const nlohmann::json::exception&) {  // out_of_range: a number such as 1e999 overflows a double
    sink.refuse(1, "a number in the file is out of range; the file was not imported");
    return;
  }
  if (doc.is_array())
    parse_records(doc, sink);
  else if (doc.is_object())
    parse_misp(doc, sink);
  else
    sink.refuse(0, "JSON is neither an object nor an array");
}

}  // namespace sg::labels
