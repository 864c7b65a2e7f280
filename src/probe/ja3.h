// JA3 (Salesforce, BSD-3): "version,ciphers,extensions,groups,point_formats" with GREASE values removed.
#pragma once

#include <cstdint>
#include <string>

#include "probe/probe.h"

namespace sg {

// RFC 8701 GREASE values: 0x0a0a, 0x1a1a, ... 0xfafa.
inline bool is_grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

std::string ja3_string(const TlsProbe& hello);

}  // namespace sg
