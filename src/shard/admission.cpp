#include "shard/admission.hpp"

namespace chatd::shard {

std::optional<chat::ErrorCode> Admission::admit(const std::string& ip, unsigned max_conns,
                                                unsigned per_ip_limit) {
  const auto total = total_.fetch_add(1, std::memory_order_relaxed) + 1;
  std::optional<chat::ErrorCode> refusal;
  if (max_conns > 0 && total > max_conns) {
    refusal = chat::ErrorCode::ServerFull;
  } else if (per_ip_limit > 0) {
    std::lock_guard lock(per_ip_mutex_);
    auto& n = per_ip_[ip];
    if (n >= per_ip_limit) {
      refusal = chat::ErrorCode::TooManyFromIp;
      if (n == 0) per_ip_.erase(ip);
    } else {
      ++n;
    }
  }
  if (refusal) total_.fetch_sub(1, std::memory_order_relaxed);
  return refusal;
}

void Admission::release(const std::string& ip, bool counted_ip) {
  total_.fetch_sub(1, std::memory_order_relaxed);
  if (!counted_ip) return;
  std::lock_guard lock(per_ip_mutex_);
  auto it = per_ip_.find(ip);
  if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
}

bool Admission::admit_room_creation(const std::string& ip, unsigned per_minute, std::uint64_t now_ms) {
  if (per_minute == 0) return true;
  std::lock_guard lock(creations_mutex_);
  if (now_ms - creations_swept_ms_ >= chat::RateWindow::kMinuteMs) {
    // A window a minute old is over: forgetting it changes no answer.
    std::erase_if(creations_, [&](const auto& kv) { return kv.second.idle_at(now_ms); });
    creations_swept_ms_ = now_ms;
  }
  return creations_[ip].admit(per_minute, now_ms);
}

}  // namespace chatd::shard
