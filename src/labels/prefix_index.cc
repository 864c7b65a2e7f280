#include "labels/prefix_index.h"

#include <algorithm>
#include <tuple>

namespace sg::labels {

uint32_t PrefixIndex::intern(std::vector<std::string>& names, std::unordered_map<std::string, uint32_t>& ids,
                             const std::string& name) {
  auto [it, fresh] = ids.try_emplace(name, static_cast<uint32_t>(names.size()));
  if (fresh) names.push_back(name);
  return it->second;
}

PrefixIndex::Key PrefixIndex::masked(const IpAddr& a, int bits) {
  Key k;
  for (int i = 0; i < 16; ++i) {
    int keep = std::clamp(bits - i * 8, 0, 8);
    uint8_t byte = a.b[i] & static_cast<uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
    if (i < 8)
      k.hi = (k.hi << 8) | byte;
    else
      k.lo = (k.lo << 8) | byte;
  }
  return k;
}

void PrefixIndex::add(const Entry& e) { entries_.push_back(e); }

void PrefixIndex::build() {
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return std::make_tuple(!a.prefix.net.v4, a.prefix.bits, a.prefix.net.b) <
           std::make_tuple(!b.prefix.net.v4, b.prefix.bits, b.prefix.net.b);
  });
  for (auto& t : v4_) t.clear();
  for (auto& t : v6_) t.clear();
  v4_slash16_.assign(65536 / 64, 0);
  v4_short_ = false;
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    const Cidr& c = entries_[i].prefix;
    Table& t = c.net.v4 ? v4_[c.bits] : v6_[c.bits];
    Span& s = t[masked(c.net, c.bits)];
    if (s.count == 0) s.first = i;
    ++s.count;
    if (c.net.v4) {
      if (c.bits >= 16) {
        uint32_t slash16 = (uint32_t(c.net.b[0]) << 8) | c.net.b[1];
        v4_slash16_[slash16 / 64] |= 1ULL << (slash16 % 64);
      } else {
        v4_short_ = true;
      }
    }
  }
  v4_lengths_.clear();
  v6_lengths_.clear();
  for (int b = 32; b >= 0; --b)
    if (!v4_[b].empty()) v4_lengths_.push_back(b);
  for (int b = 128; b >= 0; --b)
    if (!v6_[b].empty()) v6_lengths_.push_back(b);
}

template <class Keep>
void PrefixIndex::collect(const IpAddr& ip, Keep keep, std::vector<const Entry*>& out) const {
  out.clear();
  if (v4_slash16_.empty()) return;  // not built
  const auto& lengths = ip.v4 ? v4_lengths_ : v6_lengths_;
  const Table* tables = ip.v4 ? v4_ : v6_;
  bool any16 = true;
  if (ip.v4) {
    uint32_t slash16 = (uint32_t(ip.b[0]) << 8) | ip.b[1];
    any16 = (v4_slash16_[slash16 / 64] >> (slash16 % 64)) & 1;
    if (!any16 && !v4_short_) return;
  }
  for (int bits : lengths) {
    if (ip.v4 && bits >= 16 && !any16) continue;
    auto it = tables[bits].find(masked(ip, bits));
    if (it == tables[bits].end()) continue;
    for (uint32_t i = it->second.first; i < it->second.first + it->second.count; ++i)
      if (keep(entries_[i])) out.push_back(&entries_[i]);
  }
}

void PrefixIndex::covering(const IpAddr& ip, int64_t t_us, std::vector<const Entry*>& out) const {
  collect(ip, [t_us](const Entry& e) { return e.period.holds_at(t_us); }, out);
}

void PrefixIndex::covering_any_time(const IpAddr& ip, std::vector<const Entry*>& out) const {
  collect(ip, [](const Entry&) { return true; }, out);
}

}  // namespace sg::labels
