// RDP analyzer: TPKT + X.224 Connection Request (cookie / routing token, RDP_NEG_REQ) -> RdpProbe.
#pragma once

#include "probe/match.h"
#include "probe/message.h"
#include "probe/probe.h"

namespace sg {

Match rdp_match(ByteView stream);         // yes: TPKT version 3 with an X.224 CR TPDU (0xE0)
MessageState rdp_state(ByteView stream);  // complete when the TPKT length is there
ParseStatus parse_rdp(ByteView stream, RdpProbe& out);

}  // namespace sg
