#include "storage/window_settings.h"

#include <fmt/format.h>

#include <string>

#include "storage/sqlite.h"

namespace sg {

namespace {

std::optional<int64_t> number(Db& db, const char* key) {
  Stmt s(db, "SELECT value FROM meta WHERE key=?");
  s.bind(1, std::string_view(key));
  if (!s.step()) return std::nullopt;
  std::string text = s.col_text(0);
  try {
    size_t used = 0;
    int64_t v = std::stoll(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {}
  throw StoreError(fmt::format("{}: meta {} is not a number: '{}'", db.path(), key, text));
}

}  // namespace

WindowSettings window_settings(Db& db) {
  WindowSettings w;
  if (!db.has_table("meta")) return w;
  w.anchor_us = number(db, "windows.anchor_us");
  w.length_us = number(db, "windows.length_us");
  return w;
}

}  // namespace sg
