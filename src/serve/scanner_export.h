// Exports of the scanner database for other tools: JSON Lines and CSV (every window row, history
// included), a MISP warninglist per organisation, and a STIX 2.1 bundle (an identity per organisation and
// an indicator per scanner ip, related to it). MISP and STIX carry each ip once, with the organisation of
// its latest window; "unknown" ips are left out of both, since they attribute nothing. Every name carries its
// confidence and the kind of evidence behind it (storage/scanner_store.h).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "storage/scanner_store.h"

namespace sg::serve {

// Which names leave the database: a name under `min_confidence` is not exported, and neither is a name
// that rests only on payloads a public tool sends too (evidence kind public-tool) unless asked for.
struct NameFilter {
  double min_confidence = 0;
  bool public_tool = false;
  bool keeps(const ScannerRow& r) const;  // true for every unknown row (it names nobody)
};

void write_jsonl(const std::vector<ScannerRow>& rows, std::ostream& out);
// The same objects as write_jsonl, as one array (`export --format json`, `identify --format json`).
nlohmann::json rows_json(const std::vector<ScannerRow>& rows);
void write_json(const std::vector<ScannerRow>& rows, std::ostream& out);
void write_csv(const std::vector<ScannerRow>& rows, std::ostream& out);

// ip → its row of the latest window, attributed rows only (a later window whose name the filter drops
// retracts the ip, as a later unknown window does).
std::map<std::string, ScannerRow> latest_attributed(const std::vector<ScannerRow>& rows, const NameFilter& f = {});

// org → MISP warninglist JSON text.
std::map<std::string, std::string> misp_warninglists(const std::vector<ScannerRow>& rows, const NameFilter& f = {});

// A STIX 2.1 bundle. Ids are name-based UUIDs, so exporting twice gives the same ids. Each indicator's
// `confidence` is the name's confidence (0-100) and its description the evidence kind and the reason.
std::string stix_bundle(const std::vector<ScannerRow>& rows, const NameFilter& f = {});

}  // namespace sg::serve
