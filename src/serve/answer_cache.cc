#include "serve/answer_cache.h"

namespace sg::serve {

uint64_t AnswerCache::new_connection() {
  std::lock_guard<std::mutex> lock(m_);
  return ++connections_;
}

uint64_t AnswerCache::generation(uint64_t connection, int64_t data_version) {
  std::lock_guard<std::mutex> lock(m_);
  auto [it, first] = versions_.try_emplace(connection, data_version);
  if (first || it->second != data_version) {
    it->second = data_version;
    ++generation_;
    entries_.clear();
  }
  return generation_;
}

std::shared_ptr<const std::string> AnswerCache::find(const std::string& ip, uint64_t generation) {
  std::lock_guard<std::mutex> lock(m_);
  if (generation != generation_) return nullptr;
  auto it = entries_.find(ip);
  return it == entries_.end() ? nullptr : it->second;
}

void AnswerCache::put(const std::string& ip, uint64_t generation, std::shared_ptr<const std::string> answer) {
  std::lock_guard<std::mutex> lock(m_);
  if (generation != generation_ || max_ips_ == 0) return;
  // Full: one entry goes (whichever the table lists first), so memory stays bounded by max_ips.
  if (entries_.size() >= max_ips_ && !entries_.count(ip)) entries_.erase(entries_.begin());
  entries_[ip] = std::move(answer);
}

size_t AnswerCache::size() {
  std::lock_guard<std::mutex> lock(m_);
  return entries_.size();
}

}  // namespace sg::serve
