// Exports of the scanner database for other tools: JSON Lines and CSV (every window row, history
// included), a MISP feed with warninglists, and a STIX 2.1 bundle. STIX and the warninglists carry each ip
// once, with the organisation of its latest window; the MISP feed has one event per organisation and week.
// "unknown" ips are left out of all three, since they attribute nothing. Every name carries its
// confidence and the kind of evidence behind it (storage/scanner_store.h).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "storage/scanner_store.h"

namespace sg::intel {

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

// Traffic Light Protocol level of what is exported (STIX marking, MISP tag).
enum class Tlp { white, green, amber, red };
Tlp parse_tlp(const std::string& text);  // white (or clear), green, amber, red; throws std::invalid_argument
std::string tlp_name(Tlp t);

// A MISP feed MISP can subscribe to: one event per organisation and week (its ips as ip-src attributes,
// tagged with the organisation and each name's evidence kind, the confidence in the comment), the
// manifest.json and hashes.csv MISP reads first, and a warninglist per organisation in MISP's own layout.
struct MispFeed {
  std::map<std::string, std::string> events;        // "<event uuid>.json" → text
  std::string manifest;                             // manifest.json
  std::string hashes;                               // hashes.csv: md5(value),event uuid
  std::map<std::string, std::string> warninglists;  // folder under lists/ → list.json text
};
MispFeed misp_feed(const std::vector<ScannerRow>& rows, const NameFilter& f = {}, Tlp tlp = Tlp::green);
// Writes the feed into folder `dir` (created), each file atomically and the index (hashes.csv, then
// manifest.json) last, so a MISP that polls mid-export sees the previous feed or this one whole. Throws on
// the first write error, naming the file.
void write_misp_feed(const MispFeed& feed, const std::string& dir);

// A STIX 2.1 bundle: the TLP marking, the producer and an identity per organisation (display name and
// slug), and per ip its address observable, an indicator (valid over the week that named it, with the
// name's confidence, evidence kind and reason) related to the organisation, and the week's observed-data
// and sighting. Ids are name-based UUIDs (the observables' as STIX defines them), so exporting twice gives
// the same ids; each object's created/modified come from `history` (every window of the database; `rows`
// when null), so a re-export over another range keeps them. Nothing to export: a bundle with no objects.
std::string stix_bundle(const std::vector<ScannerRow>& rows, const NameFilter& f = {},
                        const std::vector<ScannerRow>* history = nullptr, Tlp tlp = Tlp::green);

}  // namespace sg::intel
