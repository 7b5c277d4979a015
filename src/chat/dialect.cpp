#include "chat/dialect.hpp"

#include <array>

#include "chat/json_dialect.hpp"
#include "chat/line_dialect.hpp"

namespace chatd::chat {
namespace {

// By DialectId.
const LineDialect kLineEn(DialectId::LineEn, Lang::En);
const LineDialect kLinePt(DialectId::LinePt, Lang::Pt);
const JsonDialect kJson;
const std::array<const Dialect*, kDialectCount> kDialects{&kLineEn, &kLinePt, &kJson};

}  // namespace

const Dialect& dialect(DialectId id) { return *kDialects[static_cast<std::size_t>(id)]; }

std::optional<DialectId> parse_dialect(std::string_view name) {
  for (const Dialect* d : kDialects)
    if (d->name() == name) return d->id();
  return std::nullopt;
}

DialectId line_dialect(Lang lang) { return lang == Lang::Pt ? DialectId::LinePt : DialectId::LineEn; }

}  // namespace chatd::chat
