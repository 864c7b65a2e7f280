// DNS query analyzer (UDP datagrams and TCP length-prefixed messages) -> DnsProbe.
#pragma once

#include "probe/match.h"
#include "probe/message.h"
#include "probe/probe.h"

namespace sg {

// yes: a 12-byte header with QR=0, QDCOUNT >= 1 and a first question that parses.
Match dns_match(ByteView message);
ParseStatus parse_dns_query(ByteView message, DnsProbe& out);

// DNS over TCP: a 2-byte length prefix, then a message as above.
Match dns_tcp_match(ByteView stream);
MessageState dns_tcp_state(ByteView stream);
ParseStatus parse_dns_tcp_query(ByteView stream, DnsProbe& out);

// The header fields the 16-bit flags word gives (qr, opcode, aa ... rcode), with the word itself; for the wire
// and for logs that record the word (EVE DNS v3).
void set_dns_flags(uint16_t flags, DnsProbe& out);

}  // namespace sg
