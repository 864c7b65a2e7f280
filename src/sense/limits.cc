#include "sense/limits.h"

#include <algorithm>

namespace sg::sense {

namespace {

std::string key_of(const IpAddr& a) {
  std::string k(reinterpret_cast<const char*>(a.b.data()), a.b.size());
  k += a.v4 ? '4' : '6';
  return k;
}

}  // namespace

RateLimiter::RateLimiter(double rate, double burst, size_t max_sources)
    : rate_(rate), burst_(std::max(burst, 1.0)), max_sources_(max_sources) {}

double RateLimiter::refilled(const Bucket& b, int64_t now_us) const {
  const double elapsed = now_us > b.at_us ? double(now_us - b.at_us) / 1e6 : 0.0;
  return std::min(burst_, b.tokens + elapsed * rate_);
}

bool RateLimiter::allow(const IpAddr& source, int64_t now_us) {
  if (rate_ <= 0) return true;
  const std::string k = key_of(source);
  auto it = buckets_.find(k);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_sources_) return false;
    it = buckets_.emplace(k, Bucket{burst_, now_us}).first;
  }
  Bucket& b = it->second;
  b.tokens = refilled(b, now_us);
  b.at_us = now_us;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

void RateLimiter::sweep(int64_t now_us) {
  std::erase_if(buckets_, [&](const auto& kv) { return refilled(kv.second, now_us) >= burst_; });
}

}  // namespace sg::sense
