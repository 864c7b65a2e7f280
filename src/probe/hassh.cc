#include "probe/hassh.h"

#include "util/hash.h"

namespace sg {

namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i];
  }
  return out;
}

}  // namespace

void fill_hassh(SshProbe& ssh) {
  if (!ssh.kexinit) {
    ssh.hassh_algorithms.clear();
    ssh.hassh.clear();
    return;
  }
  ssh.hassh_algorithms = join(ssh.kex_algorithms) + ';' + join(ssh.encryption_c2s) + ';' + join(ssh.mac_c2s) + ';' +
                         join(ssh.compression_c2s);
  ssh.hassh = md5_hex(ssh.hassh_algorithms);
}

}  // namespace sg
