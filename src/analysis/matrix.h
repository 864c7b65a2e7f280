// A dense row-major float matrix: the 128-d probe features handed from the model to the analysis stage.
#pragma once

#include <cstddef>
#include <vector>

namespace sg::analysis {

struct Matrix {
  std::vector<float> data;
  int rows = 0, cols = 0;

  Matrix() = default;
  Matrix(int r, int c) : data(size_t(r) * c, 0.0f), rows(r), cols(c) {}
  float* row(int i) { return data.data() + size_t(i) * cols; }
  const float* row(int i) const { return data.data() + size_t(i) * cols; }
};

inline double sq_dist(const float* a, const float* b, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    double d = double(a[i]) - b[i];
    s += d * d;
  }
  return s;
}

}  // namespace sg::analysis
