#include "store/writes.hpp"

#include <type_traits>

namespace chatd::store {

std::string_view write_name(const Write& w) {
  return std::visit(
      [](const auto& x) -> std::string_view {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, AppendMessage>) return "AppendMessage";
        else if constexpr (std::is_same_v<T, CreateRoom>) return "CreateRoom";
        else if constexpr (std::is_same_v<T, SetTopic>) return "SetTopic";
        else if constexpr (std::is_same_v<T, PutAccount>) return "PutAccount";
        else if constexpr (std::is_same_v<T, SetPassword>) return "SetPassword";
        else if constexpr (std::is_same_v<T, SetStatus>) return "SetStatus";
        else if constexpr (std::is_same_v<T, SetLastSeen>) return "SetLastSeen";
        else if constexpr (std::is_same_v<T, QueuePm>) return "QueuePm";
        else {
          static_assert(std::is_same_v<T, DeletePms>);
          return "DeletePms";
        }
      },
      w);
}

bool needs_durable_commit(const Write& w) {
  return std::holds_alternative<PutAccount>(w) ||
         std::holds_alternative<SetPassword>(w);
}

}  // namespace chatd::store
