#pragma once
// The writer's usual answer to a Rejected batch, written once: drop the
// rejected write and apply the rest. Stateless; it calls `store` on the
// calling thread, so the rule is the Store's (owned by one thread).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace chatd::store {

struct Rejection {
  std::size_t index;   // position in the batch given
  std::string reason;  // StoreError::what()
};

// Applies `batch`; each write the store rejects is left out and the
// remaining writes are applied again, until they commit. So the writes
// not rejected are committed together in one transaction, in order.
// Returns the rejected writes, by index into `batch`. A Database error is
// thrown as is: then nothing of the batch is committed.
// Cost: one rollback and one re-apply per rejected write (rejections are
// rare: a nickname registered twice at once, a caller bug).
std::vector<Rejection> apply_dropping_rejected(Store& store,
                                               std::span<const Write> batch);

}  // namespace chatd::store
