#include "features/select.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

#include "features/vocabulary.h"
#include "util/time.h"

namespace sg::features {

const char* status_name(SelectStatus s) {
  switch (s) {
    case SelectStatus::stored:
      return "stored";
    case SelectStatus::unchanged:
      return "unchanged";
    case SelectStatus::replaced:
      return "replaced";
    case SelectStatus::no_labels:
      return "no labelled probes";
    case SelectStatus::uninformative:
      return "no informative field";
  }
  return "?";
}

namespace {

bool same_as_stored(Db& db, const SelectOutcome& o, const StoredSelection& stored) {
  auto full = load_schema(db, o.ranking.service, SchemaMode::full, 1);
  auto incr = load_schema(db, o.ranking.service, SchemaMode::incremental, 1);
  return stored.until_us == o.ranking.until_us && stored.selected == o.selected && full && *full == o.full && incr &&
         *incr == o.incremental;
}

}  // namespace

SelectOutcome select_service(Db& db, Service service, const SelectOptions& options) {
  SelectOutcome o;
  o.ranking = rank_fields(db, service, options.until_us, options.rank);
  if (o.ranking.probes == 0) return o;
  o.selected = choose_fields(o.ranking, options.rules);
  if (o.selected.empty()) {  // one organisation only, or no field tells them apart: nothing to freeze yet
    o.status = SelectStatus::uninformative;
    return o;
  }
  // The vocabulary comes from every probe before the cut-off: unlabelled probes are trained on too.
  TokenCounts counts =
      count_tokens(db, service, o.selected, Window{std::nullopt, options.until_us}, &o.vocabulary_skips);
  o.full = build_schema(service, counts, SchemaMode::full, options.layout, &o.full_report);
  o.incremental = build_schema(service, counts, SchemaMode::incremental, options.layout, &o.incremental_report);

  ensure_feature_tables(db);
  Transaction tx(db);
  std::optional<StoredSelection> stored = load_selection(db, service);
  if (stored && same_as_stored(db, o, *stored)) {
    o.status = SelectStatus::unchanged;
    return o;  // nothing written; the transaction rolls back
  }
  if (stored && !options.force)
    throw std::runtime_error(
        fmt::format("{}: a different selection is already frozen (until {}: {}); pass --force to replace it and its "
                    "schema versions",
                    service_name(service), format_ts(stored->until_us), fmt::join(stored->selected, ", ")));
  if (stored) delete_service_features(db, service);
  save_ranking(db, o.ranking);
  save_schema(db, o.full);
  save_schema(db, o.incremental);
  tx.commit();
  o.status = stored ? SelectStatus::replaced : SelectStatus::stored;
  return o;
}

}  // namespace sg::features
