#include "aggregate/metrics.h"

#include <map>
#include <stdexcept>

namespace sg::aggregate {

namespace {

void finish(ClassScore& c, int tp) {
  c.precision = c.predicted ? double(tp) / c.predicted : 0.0;
  c.recall = c.support ? double(tp) / c.support : 0.0;
  c.f1 = c.precision + c.recall > 0 ? 2 * c.precision * c.recall / (c.precision + c.recall) : 0.0;
}

}  // namespace

Scores score(const std::vector<std::string>& truth, const std::vector<std::string>& pred) {
  if (truth.size() != pred.size()) throw std::invalid_argument("score: truth and prediction differ in length");
  std::map<std::string, ClassScore> by_name;
  std::map<std::string, int> tp;
  Scores out;
  int correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i].empty()) continue;
    ++out.rows;
    by_name[truth[i]].support++;
    by_name[pred[i]].predicted++;
    if (truth[i] == pred[i]) {
      ++tp[truth[i]];
      ++correct;
    }
  }
  double total_support = 0;
  for (auto& [name, c] : by_name) {
    c.name = name;
    finish(c, tp[name]);
    out.classes.push_back(c);
    total_support += c.support;
    out.weighted.precision += c.precision * c.support;
    out.weighted.recall += c.recall * c.support;
    out.weighted.f1 += c.f1 * c.support;
    out.macro.precision += c.precision;
    out.macro.recall += c.recall;
    out.macro.f1 += c.f1;
  }
  if (total_support > 0) {
    out.weighted.precision /= total_support;
    out.weighted.recall /= total_support;
    out.weighted.f1 /= total_support;
  }
  if (!out.classes.empty()) {
    double n = double(out.classes.size());
    out.macro.precision /= n;
    out.macro.recall /= n;
    out.macro.f1 /= n;
  }
  out.weighted.support = out.macro.support = out.rows;
  out.accuracy = out.rows ? double(correct) / out.rows : 0.0;
  return out;
}

double weighted_f1(const std::vector<int>& truth, const std::vector<int>& pred, int num_classes) {
  std::vector<int> support(num_classes, 0), predicted(num_classes, 0), tp(num_classes, 0);
  for (size_t i = 0; i < truth.size(); ++i) {
    support[truth[i]]++;
    predicted[pred[i]]++;
    if (truth[i] == pred[i]) tp[truth[i]]++;
  }
  double sum = 0, total = 0;
  for (int c = 0; c < num_classes; ++c) {
    if (!support[c]) continue;
    double p = predicted[c] ? double(tp[c]) / predicted[c] : 0.0;
    double r = double(tp[c]) / support[c];
    double f = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
    sum += f * support[c];
    total += support[c];
  }
  return total ? sum / total : 0.0;
}

Scores hide_small(const Scores& s, int min_support) {
  Scores out = s;
  out.classes.clear();
  for (const auto& c : s.classes)
    if (c.support >= min_support) out.classes.push_back(c);
  return out;
}

}  // namespace sg::aggregate
