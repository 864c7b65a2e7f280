// Classification scores at scanner or probe level (docs/METHOD.md): per class precision, recall, F1 and
// support, with weighted and macro averages computed the way scikit-learn's classification_report does
// (classes = union of truth and prediction; 0 when a denominator is 0), so numbers compare with the paper's.
#pragma once

#include <string>
#include <vector>

namespace sg::aggregate {

struct ClassScore {
  std::string name;
  double precision = 0, recall = 0, f1 = 0;
  int support = 0;    // rows whose truth is this class
  int predicted = 0;  // rows predicted as this class
};

struct Scores {
  std::vector<ClassScore> classes;  // sorted by name
  ClassScore weighted{"weighted avg"}, macro{"macro avg"};
  int rows = 0;
  double accuracy = 0;
};

// truth[i] and pred[i] are class names; rows with an empty truth are skipped (no ground truth).
Scores score(const std::vector<std::string>& truth, const std::vector<std::string>& pred);

// Only the weighted F1 (the θ search calls this 101 times).
double weighted_f1(const std::vector<int>& truth, const std::vector<int>& pred, int num_classes);

// A copy without classes of support below `min_support` (the paper's tables hide orgs with < 5 scanners);
// averages are kept as computed over all classes.
Scores hide_small(const Scores& s, int min_support);

}  // namespace sg::aggregate
