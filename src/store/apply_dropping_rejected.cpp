#include "store/apply_dropping_rejected.hpp"

#include <algorithm>
#include <numeric>

namespace chatd::store {

std::vector<Rejection> apply_dropping_rejected(Store& store,
                                               std::span<const Write> batch) {
  std::vector<Rejection> rejected;
  try {
    store.apply(batch);  // the common case: no copy
    return rejected;
  } catch (const StoreError& e) {
    if (e.kind() != StoreError::Kind::Rejected || !e.write_index() ||
        *e.write_index() >= batch.size())
      throw;
    rejected.push_back({*e.write_index(), e.what()});
  }
  // apply takes a span, so the survivors are copied once into a vector;
  // `origin` maps their positions back to the caller's batch.
  std::vector<Write> rest(batch.begin(), batch.end());
  std::vector<std::size_t> origin(batch.size());
  std::iota(origin.begin(), origin.end(), std::size_t{0});
  std::size_t drop = rejected.back().index;
  for (;;) {
    rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(drop));
    origin.erase(origin.begin() + static_cast<std::ptrdiff_t>(drop));
    try {
      store.apply(rest);
      break;
    } catch (const StoreError& e) {
      if (e.kind() != StoreError::Kind::Rejected || !e.write_index() ||
          *e.write_index() >= rest.size())
        throw;
      drop = *e.write_index();
      rejected.push_back({origin[drop], e.what()});
    }
  }
  std::sort(rejected.begin(), rejected.end(),
            [](const Rejection& a, const Rejection& b) { return a.index < b.index; });
  return rejected;
}

}  // namespace chatd::store
