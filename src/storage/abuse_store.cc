#include "storage/abuse_store.h"

#include "storage/schema.h"
#include "storage/sqlite.h"

namespace sg {

void create_abuse_reports(Db& db) { schema::ensure(db, schema::Tables::abuse_reports); }

AbuseReportWriter::AbuseReportWriter(Db& db)
    : get_(std::make_unique<Stmt>(db, "SELECT raw FROM abuse_reports WHERE ip=?")),
      put_(std::make_unique<Stmt>(
          db,
          "INSERT INTO abuse_reports(ip, score, checked_at, raw) VALUES(?,?,?,?) ON CONFLICT(ip) DO UPDATE SET "
          "score=excluded.score, checked_at=excluded.checked_at, raw=excluded.raw")) {}

AbuseReportWriter::~AbuseReportWriter() = default;

std::optional<std::string> AbuseReportWriter::raw(const std::string& ip) {
  get_->reset();
  get_->bind(1, ip);
  if (!get_->step()) return std::nullopt;
  return get_->col_text(0);
}

void AbuseReportWriter::put(const std::string& ip, int score, const std::string& checked_at, const std::string& raw) {
  put_->reset();
  put_->bind(1, ip).bind(2, int64_t(score)).bind(3, checked_at).bind(4, raw);
  put_->step();
}

std::map<std::string, int> abuse_report_scores(Db& db) {
  schema::ensure(db, schema::Tables::abuse_reports);
  std::map<std::string, int> out;
  Stmt s(db, "SELECT ip, score FROM abuse_reports");
  while (s.step()) out[s.col_text(0)] = int(s.col_int(1));
  return out;
}

}  // namespace sg
