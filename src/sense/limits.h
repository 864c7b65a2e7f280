// Per-source rate limits: a token bucket per source address, in a table of bounded size. A source that has
// been quiet long enough to refill its bucket is forgotten (sweep), so the table holds only recent talkers;
// when it is full, an address not in it is refused until a sweep makes room: a flood from spoofed sources
// costs a bounded table, never memory without end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "capture/packet.h"

namespace sg::sense {

class RateLimiter {
 public:
  // rate: tokens per second; burst: the bucket's size. rate <= 0 turns the limit off.
  RateLimiter(double rate, double burst, size_t max_sources);

  // Takes one token of `source`'s bucket at `now_us`; false when there is none (or no room for a new source).
  bool allow(const IpAddr& source, int64_t now_us);
  // Forgets the sources whose bucket is full again at `now_us`.
  void sweep(int64_t now_us);
  size_t sources() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at_us = 0;
  };
  double refilled(const Bucket& b, int64_t now_us) const;
  double rate_, burst_;
  size_t max_sources_;
  std::unordered_map<std::string, Bucket> buckets_;  // key: the 16 address bytes and the family
};

}  // namespace sg::sense
