// libFuzzer: the ssh analyzer on arbitrary bytes must never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>

#include "probe/ssh.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sg::ByteView in(data, size);
  (void)sg::ssh_match(in);
  (void)sg::ssh_state(in);
  sg::SshProbe out;
  (void)sg::parse_ssh(in, out);
  return 0;
}
