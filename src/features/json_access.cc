#include "features/json_access.h"

namespace sg::features {

ProbeDoc::ProbeDoc()
    : block_(new char[kBlock]),
      pool_(std::make_unique<Pool>(block_.get(), kBlock)),
      doc_(std::make_unique<rapidjson::Document>(pool_.get())) {}

bool ProbeDoc::parse(std::string_view text) {
  doc_->SetNull();  // drops the old tree without touching its memory, which Clear() then releases
  pool_->Clear();
  doc_->Parse(text.data(), text.size());
  return !doc_->HasParseError() && doc_->IsObject();
}

const JsonValue* ProbeDoc::section(const char* name) const { return member(doc_.get(), name); }

const JsonValue* member(const JsonValue* obj, const char* key) {
  if (!obj || !obj->IsObject()) return nullptr;
  auto it = obj->FindMember(key);
  return it == obj->MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string_view> get_string(const JsonValue* obj, const char* key) {
  const JsonValue* v = member(obj, key);
  if (!v || !v->IsString()) return std::nullopt;
  return std::string_view(v->GetString(), v->GetStringLength());
}

std::optional<uint64_t> get_uint(const JsonValue* obj, const char* key) {
  const JsonValue* v = member(obj, key);
  if (!v) return std::nullopt;
  if (v->IsBool()) return v->GetBool() ? 1 : 0;
  if (v->IsUint64()) return v->GetUint64();
  return std::nullopt;
}

const JsonValue* get_array(const JsonValue* obj, const char* key) {
  const JsonValue* v = member(obj, key);
  return v && v->IsArray() ? v : nullptr;
}

}  // namespace sg::features
