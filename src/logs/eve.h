// Suricata EVE JSON (one object per line): the http, tls, dns and ssh events become probes; every other
// event type (flow, alert, fileinfo, stats, ...) is a counted skip. DNS logging v1, v2 (requests as
// "type":"query") and v3 ("type":"request" with a "queries" array); HTTP with or without request_headers;
// tls.ja3 / ja3s / ja4 when present; proto as "TCP"/"UDP" or "006"/"017" (Suricata before 7).
// What a record does not carry is listed in Probe::absent (docs/FIELDS.md, "Probes from logs").
#pragma once

#include <string_view>

#include "logs/record.h"
#include "probe/probe.h"

namespace sg::logs {

// Reads one line; `p` is filled when the outcome is `probe`.
LineOutcome parse_eve_line(std::string_view line, Probe& p);

// Whether a line looks like an EVE record (an object with "event_type"): the format sniff.
bool looks_like_eve(std::string_view line);

}  // namespace sg::logs
