// Mutual information between a label-encoded field and the organisation (paper §3.3), in nats, from
// counts. Field values are held as 64-bit hashes: a per-probe random field has as many values as probes,
// and a hash keeps that at 8 bytes a probe instead of the value itself.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sg::features {

uint64_t value_hash(std::string_view v);

class ContingencyTable {
 public:
  void add(uint64_t x, uint32_t y, uint64_t n = 1);
  // I(X;Y) = Σ p(x,y) ln(p(x,y) / (p(x) p(y))), 0 for an empty table.
  double mutual_information() const;
  double entropy_y() const;  // H(Y) in nats, the upper bound of I(X;Y)
  uint64_t total() const { return total_; }
  size_t distinct_x() const { return x_.size(); }

 private:
  struct PairHash {
    size_t operator()(const std::pair<uint64_t, uint32_t>& p) const {
      return p.first * 0x9e3779b97f4a7c15ULL ^ p.second;
    }
  };
  std::unordered_map<std::pair<uint64_t, uint32_t>, uint64_t, PairHash> joint_;
  std::unordered_map<uint64_t, uint64_t> x_;
  std::vector<uint64_t> y_;
  uint64_t total_ = 0;
};

}  // namespace sg::features
