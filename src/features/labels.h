// The labels the feature stage reads (written by the labels module): one row per labelled probe, and the
// evaluation-unknown organisations (README, Labels) that training and the MI ranking treat as unlabelled.
#pragma once

#include <set>
#include <string>

#include "storage/db.h"

namespace sg::features {

constexpr const char* kEvalUnknownKey = "labels.eval_unknown";
constexpr const char* kDefaultEvalUnknown = "censys,driftnet";

// meta and probe_labels (storage/label_store.h owns them), so reading finds no rows rather than no table.
void ensure_label_table(Db& db);

// meta[labels.eval_unknown] (comma-separated), or censys,driftnet when unset; lower-cased and trimmed.
std::set<std::string> eval_unknown_orgs(Db& db);

// Lower-case, trimmed: org names compare this way.
std::string org_key(std::string_view org);

}  // namespace sg::features
