// Synthetic probes for the model tests: each class lights its own block of cells (plus noise), so classes are
// separable and a class left out of the labels is recognisably different from every known one.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace sg::model::test {

struct Synthetic {
  std::vector<uint8_t> cells;
  std::vector<int> cls;  // true class of each probe
  int cells_per_probe = 0;
};

// `classes` blocks of cells_per_probe/classes cells each; a probe of class c has its block mostly 255 and
// a few random cells elsewhere lit.
inline Synthetic make_clusters(int classes, int per_class, int cells_per_probe, uint64_t seed) {
  Synthetic s;
  s.cells_per_probe = cells_per_probe;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  const int block = cells_per_probe / classes;
  for (int c = 0; c < classes; ++c) {
    for (int i = 0; i < per_class; ++i) {
      for (int j = 0; j < cells_per_probe; ++j) {
        const bool in_block = j >= c * block && j < (c + 1) * block;
        const bool lit = in_block ? u(rng) < 0.8 : u(rng) < 0.05;
        s.cells.push_back(lit ? 255 : 0);
      }
      s.cls.push_back(c);
    }
  }
  return s;
}

}  // namespace sg::model::test
