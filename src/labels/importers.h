// Label list importers. The format of a file is detected from its content, never its name:
//  - MISP warninglist JSON ({"name":..., "list":[...]}), and JSON arrays of records
//    ([{"ip":..., "scanner"|"org":..., "period"?:...}], e.g. NICT's survey-scanner lists);
//  - `prefix<TAB>org<TAB>source<TAB>period` TSV (header optional; source and period may be empty);
//  - ipset restore files (`create SET ...` / `add SET PREFIX`; the set name is the organisation);
//  - `ip,org` CSV (header optional; `unknown` = no label, counted), or `ip,name` PTR tables with rDNS rules;
//  - one CIDR or IP per line, `#` comments; the organisation comes from --org, else the file name
//    (`censys_v4.txt`, `02_CensysIO.txt`, `nethash.censys.io.ipset`), else a host name in the line's comment
//    matched by the rDNS rules (maltrail's `1.2.3.4 # scanner.censys.io`).
// Every line that cannot be used becomes a Refusal naming file:line and why; nothing is thrown for bad data.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "capture/cidr.h"
#include "labels/aliases.h"
#include "labels/period.h"
#include "labels/rdns.h"

namespace sg::labels {

enum class Format { misp_json, records_json, tsv, ipset, csv, ptr_csv, plain, unknown };
const char* to_string(Format f);

struct ImportOptions {
  std::string org;               // --org: organisation of every entry (overrides what the file says)
  std::string source;            // source name for entries whose file names none
  bool source_forced = false;    // --source given: it overrides a TSV's source column too
  std::optional<Period> period;  // --period: validity for entries whose file names none
  bool force = false;            // accept IPv4 shorter than /21 and IPv6 shorter than /32
  bool ptr_table = false;        // a CSV is `ip,ptr-name`, mapped through the rDNS rules
  const Aliases* aliases = nullptr;
  const RdnsRules* rules = nullptr;
};

struct RawEntry {
  Cidr prefix;
  std::string org;  // canonical
  std::string source;
  Period period;
  size_t line = 0;
};

struct Refusal {
  std::string file;
  size_t line = 0;
  std::string reason;
};

struct ParsedList {
  std::string file;
  Format format = Format::unknown;
  std::vector<RawEntry> entries;
  std::vector<Refusal> refused;
  size_t unlabelled = 0;    // rows that name no organisation (`unknown`, aggregate lists without --org)
  std::string skip_reason;  // set when the file is not a label list at all
};

constexpr int kMinV4Bits = 21, kMinV6Bits = 32;

Format detect_format(std::string_view content, const ImportOptions& opt);
ParsedList parse_list(const std::string& file, std::string_view content, const ImportOptions& opt);

// The organisation a file name suggests: "censys_v4.txt" -> "censys", "02_CensysIO.txt" -> "censysio".
std::string org_from_file_name(const std::string& path);
// A period in a file name: "surveyscanner_2024_1Q.json" -> 2024 Q1; nullopt when there is none.
std::optional<Period> period_from_file_name(const std::string& path);

}  // namespace sg::labels
