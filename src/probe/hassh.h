// HASSH (Salesforce, BSD-3): MD5 of "kex;enc_c2s;mac_c2s;cmp_c2s" from the client's KEXINIT.
#pragma once

#include <string>

#include "probe/probe.h"

namespace sg {

// Fills ssh.hassh_algorithms and ssh.hassh from the parsed KEXINIT lists.
void fill_hassh(SshProbe& ssh);

}  // namespace sg
