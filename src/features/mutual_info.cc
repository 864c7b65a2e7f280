#include "features/mutual_info.h"

#include <cmath>

namespace sg::features {

uint64_t value_hash(std::string_view v) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a, then a final mix so that short values spread
  for (unsigned char c : v) h = (h ^ c) * 1099511628211ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  return h ^ (h >> 33);
}

void ContingencyTable::add(uint64_t x, uint32_t y, uint64_t n) {
  joint_[{x, y}] += n;
  x_[x] += n;
  if (y >= y_.size()) y_.resize(y + 1, 0);
  y_[y] += n;
  total_ += n;
}

double ContingencyTable::mutual_information() const {
  if (total_ == 0) return 0;
  const double n = double(total_);
  double mi = 0;
  for (const auto& [xy, c] : joint_) {
    double pxy = double(c) / n;
    double px = double(x_.at(xy.first)) / n, py = double(y_[xy.second]) / n;
    mi += pxy * std::log(pxy / (px * py));
  }
  return mi < 0 ? 0 : mi;  // rounding can leave -1e-17 for independent variables
}

double ContingencyTable::entropy_y() const {
  double h = 0;
  for (uint64_t c : y_)
    if (c) {
      double p = double(c) / double(total_);
      h -= p * std::log(p);
    }
  return h;
}

}  // namespace sg::features
