// Zeek logs, the ASCII TSV format (#separator, #set_separator, #empty_field, #unset_field, #path, #fields,
// #types headers; \xHH escapes in values) and JSON lines (one object per entry, Zeek's field names such as
// "id.orig_h"; ts as epoch seconds or ISO 8601). http.log, ssl.log, dns.log and ssh.log entries become
// probes; conn.log adds the sessions whose client sent only a SYN (no service, no originator bytes).
// A new header block in the middle of a file (rotation, a restarted writer) is read as such: the entries
// after it follow its #fields. What an entry does not carry is listed in Probe::absent (docs/FIELDS.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "logs/record.h"
#include "probe/probe.h"

namespace sg::logs {

enum class ZeekLog { unknown, http, ssl, dns, ssh, conn, other };

class ZeekReader {
 public:
  // Reads one line; `p` is filled when the outcome is `probe`.
  LineOutcome feed(std::string_view line, Probe& p);

 private:
  LineOutcome header(std::string_view line);
  LineOutcome tsv_entry(std::string_view line, Probe& p);
  LineOutcome json_entry(std::string_view line, Probe& p);

  char separator_ = '\t';
  std::string empty_ = "(empty)", unset_ = "-";
  std::string path_;
  std::vector<std::string> fields_;
  ZeekLog kind_ = ZeekLog::unknown;
  std::vector<std::string_view> cols_;  // reused per line
};

// Whether a line starts a Zeek TSV log ("#separator") or is a Zeek JSON entry (an object with "id.orig_h"):
// the format sniff.
bool looks_like_zeek_tsv(std::string_view line);
bool looks_like_zeek_json(std::string_view line);

}  // namespace sg::logs
