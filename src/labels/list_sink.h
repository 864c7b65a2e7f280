// Internal to the importers: where each parser hands its rows. The sink applies what is common to every
// format (organisation precedence and aliases, source and period defaults, the coarse-prefix rule) and
// turns unusable rows into refusals naming file:line.
#pragma once

#include <string>
#include <string_view>

#include "labels/importers.h"

namespace sg::labels {

class ListSink {
 public:
  ListSink(ParsedList& out, const ImportOptions& opt);

  // raw_org/source empty: the file's defaults. period nullopt: the file's period.
  void add(size_t line, const std::string& prefix, const std::string& raw_org, const std::string& source = "",
           const std::optional<Period>& period = std::nullopt);
  void refuse(size_t line, const std::string& reason);
  void unlabelled() { ++out_.unlabelled; }

  const ImportOptions& opt;
  const std::string file_org;  // organisation the file name suggests (raw)
  bool file_names_org() const { return file_org_ok_; }

 private:
  ParsedList& out_;
  Period file_period_;
  bool file_org_ok_ = false;
};

void parse_json_list(std::string_view content, ListSink& sink);
void parse_tsv(std::string_view content, ListSink& sink);
void parse_ipset(std::string_view content, ListSink& sink);
void parse_csv(std::string_view content, ListSink& sink, bool ptr_table);
void parse_plain(std::string_view content, ListSink& sink);

}  // namespace sg::labels
