// A read-mostly open-addressing hash table from a 128-bit key to a span of entries, for the prefix index:
// one cache line per probe instead of the node chase of std::unordered_map.
#pragma once

#include <cstdint>
#include <vector>

namespace sg::labels {

struct Key128 {
  uint64_t hi = 0, lo = 0;
  bool operator==(const Key128&) const = default;
};

struct Span {
  uint32_t first = 0, count = 0;
};

class FlatTable {
 public:
  bool empty() const { return size_ == 0; }
  void clear() {
    slots_.clear();
    size_ = 0;
  }
  // The span stored under k, inserted empty when new.
  Span& operator[](const Key128& k) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    Slot& s = slots_[find_slot(k)];
    if (!s.used) {
      s.used = true;
      s.key = k;
      ++size_;
    }
    return s.span;
  }
  const Span* find(const Key128& k) const {
    if (slots_.empty()) return nullptr;
    const Slot& s = slots_[find_slot(k)];
    return s.used ? &s.span : nullptr;
  }

 private:
  struct Slot {
    Key128 key;
    Span span;
    bool used = false;
  };
  static uint64_t hash(const Key128& k) {
    uint64_t x = k.hi ^ (k.lo * 0x9e3779b97f4a7c15ULL);
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
  size_t find_slot(const Key128& k) const {
    size_t m = slots_.size() - 1, i = hash(k) & m;
    while (slots_[i].used && !(slots_[i].key == k)) i = (i + 1) & m;
    return i;
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    size_ = 0;
    for (const Slot& s : old)
      if (s.used) (*this)[s.key] = s.span;
  }
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace sg::labels
