// Table abuse_reports: the latest AbuseIPDB check stored per ip (score, when it was checked, and the check as
// imported). intel/abuse.h parses the check files and decides what is written.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "storage/db.h"

namespace sg {

class Stmt;

// Creates the table in the file (a writer's call: a read-only connection fails).
void create_abuse_reports(Db& db);

// Reads and writes single checks with statements prepared once for a whole import.
class AbuseReportWriter {
 public:
  explicit AbuseReportWriter(Db& db);
  ~AbuseReportWriter();
  // The stored check of an ip as imported; nullopt when there is none.
  std::optional<std::string> raw(const std::string& ip);
  // Inserts or replaces the ip's row.
  void put(const std::string& ip, int score, const std::string& checked_at, const std::string& raw);

 private:
  std::unique_ptr<Stmt> get_, put_;  // storage/sqlite.h
};

// ip → score of every stored check (none when the table does not exist).
std::map<std::string, int> abuse_report_scores(Db& db);

}  // namespace sg
