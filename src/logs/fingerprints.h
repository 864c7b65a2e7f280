// Filling probe fields from the fingerprint strings logs carry instead of the raw message: a JA3 string
// determines the ClientHello's legacy version and its cipher, extension, group and point-format lists
// (GREASE already removed by JA3); a HASSH algorithms string the client's kex, cipher, MAC and compression
// lists. Nothing else is filled.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "probe/probe.h"

namespace sg::logs {

// False (the probe untouched) when the text is not a JA3 string.
bool fill_from_ja3(std::string_view ja3, TlsProbe& t);

// False (the probe untouched) when the text is not "kex;enc;mac;cmp".
bool fill_from_hassh_algorithms(std::string_view algorithms, SshProbe& s);

// A DNS type mnemonic as EVE writes it ("A", "AAAA", "TYPE65"), to its code; none when unknown.
std::optional<uint16_t> dns_type_code(std::string_view name);

}  // namespace sg::logs
