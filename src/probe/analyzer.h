// Dispatch over the per-protocol analyzers: which service a client message is, whether it is whole, and
// the parsed record. The service is decided by the payload, never by the port (docs/FIELDS.md).
#pragma once

#include "probe/match.h"
#include "probe/message.h"
#include "probe/probe.h"

namespace sg {

// Decides the service of a TCP client stream prefix. need_more: some analyzer could still claim it.
// no: no analyzer claims it (the probe is kept as `other`).
Match detect_tcp_service(ByteView stream, Service& service);
Service detect_udp_service(ByteView datagram);

// Whether `stream` holds the whole first message of `service`.
MessageState message_state(Service service, Transport transport, ByteView stream);

// Fills probe.<service> from the message. On a parse failure the probe becomes `other` (keeping the first
// bytes) and the returned status names the reason.
ParseStatus analyze(Service service, ByteView message, Probe& probe);

constexpr size_t kOtherHeadBytes = 64;

}  // namespace sg
