// Exports of the scanner database for other tools: JSON Lines and CSV (every window row, history
// included), a MISP warninglist per organisation, and a STIX 2.1 bundle (an identity per organisation and
// an indicator per scanner ip, related to it). MISP and STIX carry each ip once, with the organisation of
// its latest window; "unknown" ips are left out of both, since they attribute nothing.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "storage/scanner_store.h"

namespace sg::serve {

void write_jsonl(const std::vector<ScannerRow>& rows, std::ostream& out);
void write_csv(const std::vector<ScannerRow>& rows, std::ostream& out);

// ip → its row of the latest window, attributed rows only.
std::map<std::string, ScannerRow> latest_attributed(const std::vector<ScannerRow>& rows);

// org → MISP warninglist JSON text.
std::map<std::string, std::string> misp_warninglists(const std::vector<ScannerRow>& rows);

// A STIX 2.1 bundle. Ids are name-based UUIDs, so exporting twice gives the same ids.
std::string stix_bundle(const std::vector<ScannerRow>& rows);

}  // namespace sg::serve
