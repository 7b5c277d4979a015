#include "shard/envelope.hpp"

#include <string.h>

namespace chatd::shard {

void Secret::wipe() {
  // explicit_bzero: a plain memset before free may be optimised away.
  // The whole buffer: a moved-from short string keeps its bytes in place.
  ::explicit_bzero(s_.data(), s_.capacity());
  s_.clear();
}

}  // namespace chatd::shard
