// TLS ClientHello analyzer: bytes of the client stream -> TlsProbe (fields of docs/FIELDS.md, JA3, JA4).
#pragma once

#include "probe/match.h"
#include "probe/message.h"
#include "probe/probe.h"

namespace sg {

// yes: a handshake record (0x16, major version 3) whose first handshake message is a ClientHello.
Match tls_match(ByteView stream);
// complete once the records hold the whole ClientHello handshake message (it may span several records).
MessageState tls_state(ByteView stream);
// Parses the ClientHello out of the record(s) at the start of `stream` and fills ja3/ja3_hash/ja4.
// A ClientHello cut short (byte cap) is parsed as far as it goes and reported as an error.
ParseStatus parse_tls_client_hello(ByteView stream, TlsProbe& out);

}  // namespace sg
