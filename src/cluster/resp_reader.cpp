#include "cluster/resp_reader.hpp"

#include <hiredis/hiredis.h>

#include <charconv>

namespace chatd::cluster {
namespace {

using Type = RespValue::Type;

// hiredis builds the reply through these callbacks. A child is stored in
// place in its parent's pre-sized vector (whose addresses never move while
// the parent fills); only a root is a separate allocation, handed to the
// caller by next() or freed by hiredis through free_object on an error.
void* place(const redisReadTask* task, RespValue&& v) {
  if (task->parent) {
    auto* parent = static_cast<RespValue*>(task->parent->obj);
    const auto idx = static_cast<std::size_t>(task->idx);
    if (idx >= parent->elements.size()) return nullptr;
    parent->elements[idx] = std::move(v);
    return &parent->elements[idx];
  }
  return std::make_unique<RespValue>(std::move(v)).release();
}

void* create_string(const redisReadTask* task, char* str, size_t len) {
  RespValue v;
  v.type = task->type == REDIS_REPLY_ERROR ? Type::Error : task->type == REDIS_REPLY_STATUS ? Type::Status
                                                                                            : Type::String;
  v.str.assign(str, len);
  return place(task, std::move(v));
}

void* create_array(const redisReadTask* task, int elements) {
  // Refused (nullptr makes hiredis fail the reply) rather than allocated.
  if (elements < 0 || static_cast<std::size_t>(elements) > RespReader::kMaxElements) return nullptr;
  RespValue v;
  v.type = Type::Array;
  v.elements.resize(static_cast<std::size_t>(elements));
  return place(task, std::move(v));
}

void* create_integer(const redisReadTask* task, long long value) {
  RespValue v;
  v.type = Type::Integer;
  v.integer = value;
  return place(task, std::move(v));
}

void* create_nil(const redisReadTask* task) { return place(task, RespValue{}); }

// Only roots reach here (hiredis frees r->reply, always a root).
void free_object(void* obj) { std::unique_ptr<RespValue> gone(static_cast<RespValue*>(obj)); }

redisReplyObjectFunctions kFunctions{create_string, create_array, create_integer, create_nil, free_object};

}  // namespace

std::string RespValue::text() const {
  switch (type) {
    case Type::String:
    case Type::Status:
      return str;
    case Type::Integer:
      return std::to_string(integer);
    default:
      return {};
  }
}

long long RespValue::number(long long fallback) const {
  if (type == Type::Integer) return integer;
  if (type != Type::String && type != Type::Status) return fallback;
  long long v = 0;
  auto [p, ec] = std::from_chars(str.data(), str.data() + str.size(), v);
  return ec == std::errc() && p == str.data() + str.size() ? v : fallback;
}

RespReader::RespReader() : r_(redisReaderCreateWithFunctions(&kFunctions)) {
  if (!r_) throw std::bad_alloc();
}

RespReader::~RespReader() { redisReaderFree(r_); }

void RespReader::feed(std::span<const char> bytes) {
  if (bytes.empty()) return;
  if (r_->len - r_->pos + bytes.size() > kMaxBuffered) throw RespError("reply larger than the reader allows");
  if (redisReaderFeed(r_, bytes.data(), bytes.size()) != REDIS_OK) throw RespError(r_->errstr);
}

std::optional<RespValue> RespReader::next() {
  void* reply = nullptr;
  if (redisReaderGetReply(r_, &reply) != REDIS_OK) throw RespError(r_->err ? r_->errstr : "protocol error");
  if (!reply) return std::nullopt;
  std::unique_ptr<RespValue> root(static_cast<RespValue*>(reply));
  return std::move(*root);
}

}  // namespace chatd::cluster
