// The DNS answer: what an authoritative-only server with version disclosure says. `version.bind` (and
// `version.server`, `hostname.bind`, `id.server`) in class CHAOS get a TXT record; every other query is
// REFUSED with its question echoed and no records. The answer is never larger than the query times a
// bound (otherwise it is cut to the header and question with TC set), so a spoofed query cannot turn the
// sensor into an amplifier; the per-source rate limit (limits.h) bounds the rest.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "util/bytes.h"

namespace sg::sense {

// The answer to one DNS message (no TCP length prefix). nullopt when there is nothing to answer: not a
// query (QR set), not exactly one question, a malformed question, or OPCODE other than QUERY.
// max_size: the largest answer allowed (at least the header and the question).
std::optional<std::string> dns_answer(ByteView query, std::string_view version, size_t max_size);

}  // namespace sg::sense
