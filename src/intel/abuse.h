// AbuseIPDB check results for attributed scanner ips (the authors' long-term page): how many of an
// organisation's scanners others report as abusive. Files hold AbuseIPDB /check responses
// ({"data":{"ipAddress":..., "abuseConfidenceScore":...}}) as one object, a JSON array of them, or JSON
// Lines; a bare data object and a {"data":[...]} list are read too. Hostile input: every record that is
// not a usable check is a counted skip naming file and line.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "storage/db.h"

namespace sg::intel {

inline constexpr int kAbusiveScore = 25;  // abuseConfidenceScore at or above this counts as abusive

struct AbuseCheck {
  std::string ip;   // normalised text form (as the probes table writes addresses)
  int score = 0;    // abuseConfidenceScore, 0..100
  std::string raw;  // the data object as imported
};

struct AbuseSkip {
  std::string file;
  size_t line = 0;  // 0: the file as a whole
  std::string reason;
};

struct AbuseParse {
  std::vector<AbuseCheck> checks;
  std::vector<AbuseSkip> skips;
};

// Parses one file's text; `file` names it in skips.
AbuseParse parse_abuse_checks(const std::string& text, const std::string& file);

struct AbuseImport {
  size_t added = 0, changed = 0, unchanged = 0;
};

// Stores the latest check per ip (table abuse_reports, storage/abuse_store.h). Writes one transaction; a check
// identical to the stored one leaves the row (and its checked_at) as it was, so a rerun changes nothing.
AbuseImport import_abuse_checks(Db& db, const std::vector<AbuseCheck>& checks, const std::string& checked_at);

// ip → score of every stored check.
std::map<std::string, int> abuse_scores(Db& db);

}  // namespace sg::intel
