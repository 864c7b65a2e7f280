// The labels the feature stage reads (written by the labels module): one row per labelled probe, and the
// evaluation-unknown organisations (README, Labels) that training and the MI ranking treat as unlabelled.
#pragma once

#include <set>
#include <string>

#include "storage/db.h"

namespace sg::features {

// meta and probe_labels (storage/label_store.h owns them), so reading finds no rows rather than no table.
void ensure_label_table(Db& db);

// The evaluation-unknown organisations as a set (storage/label_store.h: eval_unknown_setting).
std::set<std::string> eval_unknown_orgs(Db& db);

// Lower-case, trimmed: org names compare this way.
std::string org_key(std::string_view org);

}  // namespace sg::features
