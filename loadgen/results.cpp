#include "results.hpp"

#include <fmt/format.h>

#include <iterator>

namespace chatd::loadgen {

namespace {

std::string us(std::uint64_t ns) {
  const double v = static_cast<double>(ns) / 1000.0;
  if (v >= 100000) return fmt::format("{:.0f} ms", v / 1000);
  if (v >= 10000) return fmt::format("{:.1f} ms", v / 1000);
  return fmt::format("{:.0f} µs", v);
}

std::string si(double v) {
  if (v >= 1e6) return fmt::format("{:.2f} M", v / 1e6);
  if (v >= 1e4) return fmt::format("{:.1f} k", v / 1e3);
  return fmt::format("{:.0f} ", v);
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
    } else {
      out += ch;
    }
  }
  out += '"';
  return out;
}

std::string hist_json(const Histogram& h) {
  auto q = [&](double x) { return static_cast<double>(h.quantile(x)) / 1000.0; };
  return fmt::format(
      "{{\"count\":{},\"p50\":{:.1f},\"p90\":{:.1f},\"p99\":{:.1f},\"p999\":{:.1f},\"max\":{:.1f},\"mean\":{:.1f}}}",
      h.count(), q(0.5), q(0.9), q(0.99), q(0.999), static_cast<double>(h.max()) / 1000.0, h.mean() / 1000.0);
}

std::string sample_json(const std::optional<ProcSample>& s) {
  if (!s) return "null";
  return fmt::format("{{\"cpu_s\":{:.3f},\"rss_kib\":{},\"threads\":{}}}", static_cast<double>(s->cpu_ns) / 1e9,
                     s->rss_kib, s->threads);
}

bool measures_messages(Scenario s) {
  return s == Scenario::Report || s == Scenario::Fanout || s == Scenario::Churn || s == Scenario::Slow;
}

}  // namespace

std::string format_table(const Results& r) {
  const Counters& c = r.totals;
  const Config& cfg = r.cfg;
  std::string o;
  auto line = [&](std::string_view label, const std::string& text) {
    fmt::format_to(std::back_inserter(o), "  {:<15} {}\n", label, text);
  };
  fmt::format_to(std::back_inserter(o), "chatd-loadgen {} · {} at {} · {} reactor · {} threads\n",
                 scenario_name(cfg.scenario), proto_name(cfg.proto), r.server, r.backend, cfg.threads);
  line("clients", fmt::format("{} joined of {} in {} room{}", c.joined, cfg.clients, r.rooms, r.rooms == 1 ? "" : "s"));
  line("setup", fmt::format("{:.3f} s{}; per client p50 {} p99 {} max {}", r.setup_s,
                            r.setup_complete ? "" : " (incomplete)", us(r.setup.quantile(0.5)),
                            us(r.setup.quantile(0.99)), us(r.setup.max())));
  line("stages", fmt::format("connect → registered p50 {} p99 {} · registered → joined p50 {} p99 {}",
                             us(r.registration.quantile(0.5)), us(r.registration.quantile(0.99)),
                             us(r.join.quantile(0.5)), us(r.join.quantile(0.99))));
  line("errors", fmt::format("connect {} · registration {} · join {} · closed by server {}", c.connect_errors,
                             c.register_errors, c.join_errors, c.closed_unexpected));
  if (measures_messages(cfg.scenario)) {
    line("messages", fmt::format("{} sent ({} in the measured window, {}msg/s)", c.sent, c.sent_measured,
                                 si(r.messages_per_s)));
    line("deliveries", fmt::format("{} expected · {} received · {}/s over {:.3f} s", c.expected,
                                   r.outcome.unique_received, si(r.deliveries_per_s), r.run_s));
    line("integrity", fmt::format("lost {} · duplicated {} · out of order {} · unexpected {}{}{}", r.outcome.lost,
                                  c.duplicated, c.out_of_order, c.foreign + r.outcome.surplus,
                                  c.gaps ? fmt::format(" · gaps seen {}", c.gaps) : std::string(),
                                  c.late ? fmt::format(" · {} arrived after the deadline", c.late) : std::string()));
    line("latency", fmt::format("p50 {} · p90 {} · p99 {} · p99.9 {} · max {} ({} samples)", us(r.latency.quantile(0.5)),
                                us(r.latency.quantile(0.9)), us(r.latency.quantile(0.99)),
                                us(r.latency.quantile(0.999)), us(r.latency.max()), r.latency.count()));
  }
  if (cfg.scenario == Scenario::Churn)
    line("churn", fmt::format("{} started · {} completed · {} failed · {} deliveries to churners", c.churn_started,
                              c.churn_completed, c.churn_errors, c.churn_received));
  if (cfg.scenario == Scenario::Slow)
    line("slow members", fmt::format("{} stopped reading · {} disconnected by the server · {} still connected",
                                     c.slow_members, c.slow_disconnected, r.slow_still_open));
  if (r.srv_start) {
    std::string s = fmt::format("RSS {} KiB at start", r.srv_start->rss_kib);
    if (r.srv_setup) s += fmt::format(" → {} KiB joined ({:.2f} KiB per connection)", r.srv_setup->rss_kib, r.kib_per_conn);
    if (r.srv_end) s += fmt::format(" → {} KiB at end", r.srv_end->rss_kib);
    line("server memory", s);
    if (measures_messages(cfg.scenario) && r.srv_end)
      line("server CPU", fmt::format("{:.3f} s in the window · {:.3f} µs per delivery", r.server_cpu_s,
                                     r.cpu_us_per_delivery));
  }
  if (r.nofile_bound)
    line("limit", fmt::format("the open-file hard limit ({}) stopped the run: {} connects failed with EMFILE",
                              r.nofile_hard, c.emfile));
  if (!r.first_error.empty()) line("first error", r.first_error);
  line("result", r.outcome.ok ? "OK" : "FAILED");
  return o;
}

std::string format_json(const Results& r) {
  const Counters& c = r.totals;
  const Config& cfg = r.cfg;
  std::string o = "{";
  auto add = [&](std::string_view key, const std::string& value) {
    if (o.size() > 1) o += ',';
    o += json_string(key);
    o += ':';
    o += value;
  };
  add("scenario", json_string(scenario_name(cfg.scenario)));
  add("proto", json_string(proto_name(cfg.proto)));
  add("server", json_string(r.server));
  add("backend", json_string(r.backend));
  add("threads", std::to_string(cfg.threads));
  add("clients", std::to_string(cfg.clients));
  add("rooms", std::to_string(r.rooms));
  add("rate", fmt::format("{}", cfg.rate));
  add("size", std::to_string(cfg.size));
  add("duration_s", fmt::format("{}", cfg.duration));
  add("warmup_s", fmt::format("{}", cfg.warmup));
  add("inflight", std::to_string(cfg.inflight));
  add("joined", std::to_string(c.joined));
  add("setup_complete", r.setup_complete ? "true" : "false");
  add("setup_s", fmt::format("{:.4f}", r.setup_s));
  add("setup_latency_us", hist_json(r.setup));
  add("register_latency_us", hist_json(r.registration));
  add("join_latency_us", hist_json(r.join));
  add("connect_errors", std::to_string(c.connect_errors));
  add("register_errors", std::to_string(c.register_errors));
  add("join_errors", std::to_string(c.join_errors));
  add("closed_unexpected", std::to_string(c.closed_unexpected));
  add("emfile", std::to_string(c.emfile));
  add("sent", std::to_string(c.sent));
  add("sent_measured", std::to_string(c.sent_measured));
  add("expected", std::to_string(c.expected));
  add("received", std::to_string(c.received));
  add("unique_received", std::to_string(r.outcome.unique_received));
  add("lost", std::to_string(r.outcome.lost));
  add("duplicated", std::to_string(c.duplicated));
  add("out_of_order", std::to_string(c.out_of_order));
  add("unexpected", std::to_string(c.foreign + r.outcome.surplus));
  add("late", std::to_string(c.late));
  add("run_s", fmt::format("{:.4f}", r.run_s));
  add("messages_per_s", fmt::format("{:.1f}", r.messages_per_s));
  add("deliveries_per_s", fmt::format("{:.1f}", r.deliveries_per_s));
  add("window_deliveries", std::to_string(r.window_deliveries));
  add("latency_us", hist_json(r.latency));
  if (cfg.scenario == Scenario::Churn)
    add("churn", fmt::format("{{\"started\":{},\"completed\":{},\"errors\":{},\"received\":{}}}", c.churn_started,
                             c.churn_completed, c.churn_errors, c.churn_received));
  if (cfg.scenario == Scenario::Slow)
    add("slow", fmt::format("{{\"members\":{},\"disconnected\":{},\"still_open\":{}}}", c.slow_members,
                            c.slow_disconnected, r.slow_still_open));
  if (cfg.proto == Proto::Redis) add("publish_acks", std::to_string(c.publish_acks));
  std::string srv = fmt::format("{{\"pid\":{},\"start\":{},\"joined\":{},\"window_start\":{},\"end\":{}",
                                cfg.server_pid ? std::to_string(*cfg.server_pid) : "null", sample_json(r.srv_start),
                                sample_json(r.srv_setup), sample_json(r.srv_window_start), sample_json(r.srv_end));
  if (r.srv_start)
    srv += fmt::format(",\"cpu_s\":{:.3f},\"cpu_us_per_delivery\":{:.4f},\"kib_per_conn\":{:.3f}", r.server_cpu_s,
                       r.cpu_us_per_delivery, r.kib_per_conn);
  srv += '}';
  add("server_stats", srv);
  add("nofile_hard", std::to_string(r.nofile_hard));
  add("nofile_bound", r.nofile_bound ? "true" : "false");
  add("first_error", json_string(r.first_error));
  add("ok", r.outcome.ok ? "true" : "false");
  o += "}\n";
  return o;
}

}  // namespace chatd::loadgen
