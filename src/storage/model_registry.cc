#include "storage/model_registry.h"

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "storage/schema.h"
#include "storage/sqlite.h"
#include "storage/window_settings.h"
#include "util/time.h"

namespace sg {

namespace {

const char* kModelColumns =
    "id, service, mode, backbone, schema_version, classes, data_from, data_to, iterations, seconds, path, parent, "
    "created";

// Checkpoints are written to DB.models/ beside the database, and the path stored is the one they were
// written at, relative to the writer's working directory. Looking beside the database first lets a command
// run from another directory, or on a database moved or copied with its models folder, still find them.
std::string checkpoint_path(const std::string& db_path, const std::string& stored) {
  auto beside = std::filesystem::path(ModelRegistry::models_dir(db_path)) / std::filesystem::path(stored).filename();
  return std::filesystem::exists(beside) ? beside.string() : stored;
}

ModelRun read_model(Stmt& s, const std::string& db_path) {
  ModelRun r;
  r.id = s.col_int(0);
  r.service = s.col_text(1);
  r.version = fmt::format("{}-{}", r.service, r.id);
  r.mode = s.col_text(2);
  r.backbone = s.col_text(3);
  r.schema_version = int(s.col_int(4));
  r.classes = nlohmann::json::parse(s.col_text(5)).get<std::vector<std::string>>();
  r.data_from_us = s.col_int(6);
  r.data_to_us = s.col_int(7);
  r.iterations = int(s.col_int(8));
  r.seconds = s.col_double(9);
  r.path = checkpoint_path(db_path, s.col_text(10));
  if (!s.col_null(11)) r.parent = s.col_int(11);
  r.created = s.col_text(12);
  return r;
}

const char* kEnsembleColumns =
    "id, classes, service_models, outcomes, theta, proba, data_to, rows, train_f1, path, created";

EnsembleRun read_ensemble(Stmt& s, const std::string& db_path) {
  EnsembleRun r;
  r.id = s.col_int(0);
  r.version = fmt::format("ensemble-{}", r.id);
  r.classes = nlohmann::json::parse(s.col_text(1)).get<std::vector<std::string>>();
  r.service_models = nlohmann::json::parse(s.col_text(2)).get<std::vector<std::string>>();
  r.outcomes = nlohmann::json::parse(s.col_text(3)).get<std::vector<int>>();
  r.theta = s.col_double(4);
  r.proba = s.col_text(5);
  r.data_to_us = s.col_int(6);
  r.rows = s.col_int(7);
  r.train_f1 = s.col_double(8);
  r.path = checkpoint_path(db_path, s.col_text(9));
  r.created = s.col_text(10);
  return r;
}

}  // namespace

ModelRegistry::ModelRegistry(Db& db) : db_(db) { schema::ensure(db_, schema::Tables::models); }

// A PostgreSQL database has no folder to be beside: its checkpoints go to pg-DBNAME.models/ in the working
// directory of the (central) machine that trains, which identify and update run from as well.
std::string ModelRegistry::models_dir(const std::string& db_path) {
  return is_server_db(db_path) ? "pg-" + server_db_name(db_path) + ".models" : db_path + ".models";
}

int64_t ModelRegistry::add_model(const ModelRun& r) {
  Stmt s(db_,
         "INSERT INTO model_runs(service, mode, backbone, schema_version, classes, data_from, data_to, iterations, "
         "seconds, path, parent, created) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
  s.bind(1, r.service).bind(2, r.mode).bind(3, r.backbone).bind(4, int64_t(r.schema_version));
  s.bind(5, nlohmann::json(r.classes).dump()).bind(6, r.data_from_us).bind(7, r.data_to_us);
  s.bind(8, int64_t(r.iterations)).bind_double(9, r.seconds).bind(10, r.path);
  if (r.parent)
    s.bind(11, *r.parent);
  else
    s.bind_null(11);
  s.bind(12, now_ts());
  s.step();
  return db_.last_insert_id();
}

std::optional<ModelRun> ModelRegistry::latest_model(const std::string& service) {
  Stmt s(db_, fmt::format("SELECT {} FROM model_runs WHERE service=? ORDER BY id DESC LIMIT 1", kModelColumns).c_str());
  s.bind(1, service);
  if (!s.step()) return std::nullopt;
  return read_model(s, db_.path());
}

std::optional<ModelRun> ModelRegistry::model(const std::string& version) {
  auto dash = version.rfind('-');
  if (dash == std::string::npos) return std::nullopt;
  Stmt s(db_, fmt::format("SELECT {} FROM model_runs WHERE id=? AND service=?", kModelColumns).c_str());
  s.bind(1, int64_t(std::stoll(version.substr(dash + 1)))).bind(2, version.substr(0, dash));
  if (!s.step()) return std::nullopt;
  return read_model(s, db_.path());
}

std::vector<ModelRun> ModelRegistry::models() {
  Stmt s(db_, fmt::format("SELECT {} FROM model_runs ORDER BY id", kModelColumns).c_str());
  std::vector<ModelRun> out;
  while (s.step()) out.push_back(read_model(s, db_.path()));
  return out;
}

int64_t ModelRegistry::add_ensemble(const EnsembleRun& r) {
  Stmt s(db_,
         "INSERT INTO ensemble_runs(classes, service_models, outcomes, theta, proba, data_to, rows, train_f1, path, "
         "created) VALUES(?,?,?,?,?,?,?,?,?,?)");
  s.bind(1, nlohmann::json(r.classes).dump()).bind(2, nlohmann::json(r.service_models).dump());
  s.bind(3, nlohmann::json(r.outcomes).dump()).bind_double(4, r.theta).bind(5, r.proba).bind(6, r.data_to_us);
  s.bind(7, r.rows).bind_double(8, r.train_f1).bind(9, r.path).bind(10, now_ts());
  s.step();
  return db_.last_insert_id();
}

std::optional<EnsembleRun> ModelRegistry::latest_ensemble() {
  Stmt s(db_, fmt::format("SELECT {} FROM ensemble_runs ORDER BY id DESC LIMIT 1", kEnsembleColumns).c_str());
  if (!s.step()) return std::nullopt;
  return read_ensemble(s, db_.path());
}

std::vector<EnsembleRun> ModelRegistry::ensembles() {
  Stmt s(db_, fmt::format("SELECT {} FROM ensemble_runs ORDER BY id", kEnsembleColumns).c_str());
  std::vector<EnsembleRun> out;
  while (s.step()) out.push_back(read_ensemble(s, db_.path()));
  return out;
}

std::optional<int64_t> ModelRegistry::window_anchor_us() { return window_settings(db_).anchor_us; }

void ModelRegistry::set_window_anchor_us(int64_t anchor) {
  Stmt s(db_,
         "INSERT INTO meta(key, value) VALUES('windows.anchor_us', ?) "
         "ON CONFLICT(key) DO UPDATE SET value=excluded.value");
  s.bind(1, std::to_string(anchor));
  s.step();
}

std::optional<int64_t> ModelRegistry::window_length_us() { return window_settings(db_).length_us; }

void ModelRegistry::set_window_length_us(int64_t length) {
  if (length <= 0) throw std::invalid_argument("window length must be positive");
  Stmt s(db_,
         "INSERT INTO meta(key, value) VALUES('windows.length_us', ?) "
         "ON CONFLICT(key) DO UPDATE SET value=excluded.value");
  s.bind(1, std::to_string(length));
  s.step();
}

}  // namespace sg
