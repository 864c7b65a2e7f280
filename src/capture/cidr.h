// Address prefixes (sensor networks on the command line).
#pragma once

#include <string>

#include "capture/packet.h"

namespace sg {

struct Cidr {
  IpAddr net;
  int bits = 0;
  bool contains(const IpAddr& a) const;
};

// "10.0.0.0/8", "2001:db8::/32" or a bare address (a host prefix). False on malformed text.
bool parse_cidr(const std::string& text, Cidr& out);

}  // namespace sg
