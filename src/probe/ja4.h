// FoxIO JA4 TLS client fingerprint (BSD-3; only JA4 itself, not the JA4+ family).
#pragma once

#include <string>

#include "probe/probe.h"

namespace sg {

// transport: 't' TCP, 'q' QUIC, 'd' DTLS.
std::string ja4(const TlsProbe& hello, char transport = 't');

}  // namespace sg
