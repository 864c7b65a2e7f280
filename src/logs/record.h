// What the log readers share: the outcome of one log line, and the checks every record's common fields
// pass (addresses, ports, times), so that a bad value is a counted skip with its reason, never a guess.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "probe/probe.h"

namespace sg::logs {

// One line's outcome. `reason` is a static string (IngestStats counts reasons by value).
struct LineOutcome {
  enum Kind {
    probe,    // the Probe was filled
    skipped,  // a well-formed record that is not a probe (a flow, an answer, a later request): counted only
    bad,      // a record that could not be read: counted and reported with its file and line
    header,   // a format line (Zeek's #fields ...): nothing to count
  };
  Kind kind = bad;
  std::string_view reason;

  static LineOutcome ok() { return {probe, {}}; }
  static LineOutcome skip(std::string_view r) { return {skipped, r}; }
  static LineOutcome error(std::string_view r) { return {bad, r}; }
};

// An IPv4 or IPv6 address in the text form captures give (inet_ntop), so that a probe from a log and one
// from a capture of the same session compare equal; none for anything else.
std::optional<std::string> normal_address(std::string_view text);

// A port 0..65535 from decimal text; none otherwise.
std::optional<uint16_t> parse_port(std::string_view text);

// Seconds since the epoch with up to 9 decimals ("1300475167.096535"), to microseconds without going
// through a double; none for anything else (Zeek's test masks, "XXXXXXXXXX.XXXXXX", included).
std::optional<int64_t> parse_epoch_us(std::string_view text);

// RFC 3339 / ISO 8601 time with a fraction and an offset ("2015-03-30T14:45:20.303691+0000",
// "...+00:00", "...Z"), as EVE and Zeek's ISO JSON write it, to microseconds UTC; none for anything else.
std::optional<int64_t> parse_iso_us(std::string_view text);

}  // namespace sg::logs
