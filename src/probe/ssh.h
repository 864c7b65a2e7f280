// SSH client analyzer: identification line + first binary packet (KEXINIT) -> SshProbe with HASSH.
#pragma once

#include "probe/match.h"
#include "probe/message.h"
#include "probe/probe.h"

namespace sg {

Match ssh_match(ByteView stream);  // yes: starts with "SSH-"
// complete when the banner line and the following KEXINIT packet are whole.
MessageState ssh_state(ByteView stream);
// Parses the banner and, when present, the KEXINIT; a banner alone is a valid probe (hassh empty).
ParseStatus parse_ssh(ByteView stream, SshProbe& out);

}  // namespace sg
