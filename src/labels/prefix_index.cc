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

PrefixIndex::Key PrefixIndex::load(const IpAddr& a) {
  Key k;
  for (int i = 0; i < 8; ++i) k.hi = (k.hi << 8) | a.b[i];
  for (int i = 8; i < 16; ++i) k.lo = (k.lo << 8) | a.b[i];
  return k;
}

PrefixIndex::Key PrefixIndex::mask(Key k, int bits) {
  if (bits <= 0) return Key{};
  if (bits < 64) return Key{k.hi & (~0ULL << (64 - bits)), 0};
  if (bits == 64) return Key{k.hi, 0};
  if (bits < 128) return Key{k.hi, k.lo & (~0ULL << (128 - bits))};
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
  v4_masks_.assign(65536, 0);
  v6_masks_.clear();
  bool v4_short[16] = {}, v6_short[32] = {};
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    const Cidr& c = entries_[i].prefix;
    Key k = load(c.net);
    Table& t = c.net.v4 ? v4_[c.bits] : v6_[c.bits];
    Span& s = t[mask(k, c.bits)];
    if (s.count == 0) s.first = i;
    ++s.count;
    if (c.net.v4) {
      if (c.bits >= 16)
        v4_masks_[k.hi >> 48] |= 1u << (c.bits - 16);
      else
        v4_short[c.bits] = true;
    } else if (c.bits >= 32) {
      int bit = c.bits - 32;
      v6_masks_[static_cast<uint32_t>(k.hi >> 32)][bit / 64] |= 1ULL << (bit % 64);
    } else {
      v6_short[c.bits] = true;
    }
  }
  v4_short_.clear();
  v6_short_.clear();
  for (int b = 15; b >= 0; --b)
    if (v4_short[b]) v4_short_.push_back(b);
  for (int b = 31; b >= 0; --b)
    if (v6_short[b]) v6_short_.push_back(b);
  built_ = true;
}

template <class Keep>
void PrefixIndex::collect(const IpAddr& ip, Keep keep, std::vector<const Entry*>& out) const {
  out.clear();
  if (!built_) return;
  const Key full = load(ip);
  auto probe = [&](const Table& t, int bits) {
    const Span* span = t.find(mask(full, bits));
    if (!span) return;
    for (uint32_t i = span->first; i < span->first + span->count; ++i)
      if (keep(entries_[i])) out.push_back(&entries_[i]);
  };
  if (ip.v4) {
    for (uint32_t m = v4_masks_[full.hi >> 48]; m != 0;) {
      int top = 31 - __builtin_clz(m);  // longest length first
      m &= ~(1u << top);
      probe(v4_[16 + top], 16 + top);
    }
    for (int bits : v4_short_) probe(v4_[bits], bits);
    return;
  }
  if (auto it = v6_masks_.find(static_cast<uint32_t>(full.hi >> 32)); it != v6_masks_.end()) {
    for (int word = 1; word >= 0; --word)
      for (uint64_t m = it->second[word]; m != 0;) {
        int top = 63 - __builtin_clzll(m);
        m &= ~(1ULL << top);
        int bits = 32 + word * 64 + top;
        probe(v6_[bits], bits);
      }
  }
  for (int bits : v6_short_) probe(v6_[bits], bits);
}

void PrefixIndex::covering(const IpAddr& ip, int64_t t_us, std::vector<const Entry*>& out) const {
  collect(
      ip, [t_us](const Entry& e) { return e.period.holds_at(t_us); }, out);
}

void PrefixIndex::covering_any_time(const IpAddr& ip, std::vector<const Entry*>& out) const {
  collect(
      ip, [](const Entry&) { return true; }, out);
}

}  // namespace sg::labels
