#include "controller.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <thread>

#include "backend.hpp"
#include "clock.hpp"
#include "io/socket.hpp"
#include "limits.hpp"
#include "plan.hpp"
#include "progress.hpp"
#include "results.hpp"
#include "shared_state.hpp"
#include "worker.hpp"

namespace chatd::loadgen {

namespace {

struct Totals {
  Counters c;
  std::uint64_t open = 0;
  std::uint64_t last_join_ns = 0;
  std::uint64_t slow_open = 0;
  bool setup_done = true;
  bool send_done = true;
  bool quit_done = true;
  std::string first_error;
  Histogram latency;
  Histogram setup;
  Histogram registration;
  Histogram join;
};

Totals collect(SharedState& sh, bool histograms) {
  Totals t;
  for (auto& rp : sh.reports) {
    std::lock_guard lock(rp->mu);
    t.c.merge(rp->counters);
    t.open += rp->open;
    t.last_join_ns = std::max(t.last_join_ns, rp->last_join_ns);
    t.slow_open += rp->slow_open;
    t.setup_done = t.setup_done && rp->setup_done;
    t.send_done = t.send_done && rp->send_done;
    t.quit_done = t.quit_done && rp->quit_done;
    if (t.first_error.empty()) t.first_error = rp->first_error;
    if (histograms) {
      t.latency.merge(rp->latency);
      t.setup.merge(rp->setup);
      t.registration.merge(rp->registration);
      t.join.merge(rp->join);
    }
  }
  return t;
}

std::uint64_t unique(const Counters& c) { return c.received >= c.duplicated ? c.received - c.duplicated : 0; }

std::string_view phase_label(Phase p) {
  switch (p) {
    case Phase::Setup: return "setup";
    case Phase::Run: return "run";
    case Phase::Drain: return "drain";
    case Phase::Reopen: return "reopen";
    case Phase::Quit: return "quit";
    case Phase::Done: return "done";
  }
  return "?";
}

class Run {
 public:
  Run(const Config& cfg, Plan& plan, SharedState& sh, std::vector<std::unique_ptr<Worker>>& workers)
      : cfg_(cfg), plan_(plan), sh_(sh), workers_(workers),
        progress_(!cfg.quiet, ::isatty(STDERR_FILENO) == 1), start_ns_(mono_ns()) {}

  void set_phase(Phase p) {
    sh_.phase.store(p, std::memory_order_release);
    for (auto& w : workers_) w->reactor().wake();
  }

  // Waits (with progress) until done() or the deadline; true when done().
  bool wait(const std::function<bool(const Totals&)>& done, std::uint64_t deadline_ns) {
    for (;;) {
      const std::uint64_t now = mono_ns();
      const bool want_hist = now - last_hist_ns_ >= 1'000'000'000;
      Totals t = collect(sh_, want_hist);
      if (want_hist) {
        last_hist_ns_ = now;
        p99_ = t.latency.quantile(0.99);
      }
      ProgressSample ps;
      ps.elapsed_s = static_cast<double>(now - start_ns_) / 1e9;
      ps.phase = phase_label(sh_.phase.load());
      ps.open = t.open;
      ps.joined = t.c.joined;
      ps.members = plan_.members;
      ps.sent = t.c.sent;
      ps.received = t.c.received;
      ps.expected = t.c.expected;
      ps.p99_ns = p99_;
      ps.errors = evaluate(t.c).errors;
      progress_.tick(ps, now);
      if (done(t)) return true;
      if (now >= deadline_ns) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  void sleep_until(std::uint64_t t_ns) {
    wait([&](const Totals&) { return mono_ns() >= t_ns; }, t_ns);
  }
  std::optional<ProcSample> sample() const {
    if (!cfg_.server_pid) return std::nullopt;
    return sample_process(*cfg_.server_pid);
  }
  Progress& progress() { return progress_; }

 private:
  const Config& cfg_;
  Plan& plan_;
  SharedState& sh_;
  std::vector<std::unique_ptr<Worker>>& workers_;
  Progress progress_;
  std::uint64_t start_ns_;
  std::uint64_t last_hist_ns_ = 0;
  std::uint64_t p99_ = 0;
};

std::uint64_t secs(double s) { return static_cast<std::uint64_t>(s * 1e9); }

}  // namespace

int run_scenario(const Config& cfg) {
  const NofileLimit nofile = raise_nofile_limit();
  Plan plan;
  plan.cfg = &cfg;
  plan.threads = cfg.threads;
  plan.members = cfg.clients;
  plan.rooms = effective_rooms(cfg);
  plan.room_capacity = (plan.members + plan.rooms - 1) / plan.rooms;
  for (std::uint32_t r = 0; r < plan.rooms; ++r) plan.room_names.push_back(fmt::format("{}{}", cfg.room_prefix, r));
  plan.dialect = make_dialect(cfg);
  const auto ep = make_endpoint(cfg.host, cfg.port);
  if (!ep) {
    fmt::print(stderr, "chatd-loadgen: --host {}: not a numeric IPv4 or IPv6 address\n", cfg.host);
    return 2;
  }
  plan.server = *ep;
  plan.servers.push_back(*ep);
  for (std::size_t i = 1; i < cfg.ports.size(); ++i) plan.servers.push_back(*make_endpoint(cfg.host, cfg.ports[i]));
  if (!cfg.source_range.empty()) {
    plan.sources = parse_source_range(cfg.source_range);
    if (!plan.sources || ep->family() != AF_INET) {
      fmt::print(stderr, "chatd-loadgen: --source-range {}: expected A-B, IPv4, with an IPv4 --host\n",
                 cfg.source_range);
      return 2;
    }
  }
  io::BackendChoice pick;
  try {
    pick = pick_backend(cfg.backend);
  } catch (const std::runtime_error& e) {
    fmt::print(stderr, "chatd-loadgen: {}\n", e.what());
    return 2;
  }

  // File descriptors: every connection, plus epoll/uring instances.
  const bool pubs = plan.dialect->separate_publishers() && plan.sends_messages();
  const std::uint64_t need = plan.members + (pubs ? cfg.redis_publishers * cfg.threads : 0) +
                             (cfg.scenario == Scenario::Churn ? static_cast<std::uint64_t>(cfg.churn_rate * (cfg.churn_hold + 1)) : 0) +
                             8 * cfg.threads + 16;
  if (!cfg.quiet) {
    if (nofile.soft != nofile.before)
      fmt::print(stderr, "chatd-loadgen: open-file limit raised from {} to the hard limit {}\n", nofile.before, nofile.hard);
    if (need > nofile.soft)
      fmt::print(stderr,
                 "chatd-loadgen: this run needs about {} file descriptors but the open-file hard limit is {}; "
                 "connections beyond it will fail (EMFILE)\n",
                 need, nofile.hard);
  }

  SharedState sh(plan.rooms, cfg.threads);
  std::vector<std::unique_ptr<Worker>> workers;
  std::string backend_name;
  for (unsigned i = 0; i < cfg.threads; ++i) {
    std::unique_ptr<io::Reactor> r;
    try {
      r = make_reactor(pick.kind);
    } catch (const std::exception& e) {
      fmt::print(stderr, "chatd-loadgen: cannot create the {} reactor: {}\n", io::backend_name(pick.kind),
                 e.what());
      return 2;
    }
    backend_name = std::string(r->name());
    workers.push_back(std::make_unique<Worker>(i, plan, sh, std::move(r)));
  }
  if (!cfg.quiet && cfg.verbose) fmt::print(stderr, "chatd-loadgen: reactor {} ({})\n", backend_name, pick.reason);

  Results res;
  res.cfg = cfg;
  res.rooms = plan.rooms;
  res.backend = backend_name;
  res.server = io::address_text(plan.server.addr);
  res.nofile_hard = nofile.hard;

  Run run(cfg, plan, sh, workers);
  res.srv_start = run.sample();
  if (cfg.server_pid && !res.srv_start)
    fmt::print(stderr, "chatd-loadgen: --server-pid {}: cannot read /proc/{}/stat\n", *cfg.server_pid, *cfg.server_pid);

  const std::uint64_t setup_start = mono_ns();
  std::vector<std::jthread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->run(); });

  // ---- setup: connect, register, join.
  res.setup_complete = run.wait([](const Totals& t) { return t.setup_done; }, setup_start + secs(cfg.setup_timeout));
  {
    const Totals t = collect(sh, false);
    res.setup_s = t.last_join_ns > setup_start ? static_cast<double>(t.last_join_ns - setup_start) / 1e9 : 0;
    res.setup_complete = res.setup_complete && t.c.joined == plan.members;
  }
  res.srv_setup = run.sample();

  // ---- the scenario's load.
  std::uint64_t window_start = 0, rx_window_start = 0;
  switch (cfg.scenario) {
    case Scenario::Storm:
      break;
    case Scenario::Idle:
      run.sleep_until(mono_ns() + secs(cfg.duration));
      break;
    case Scenario::Report: {
      const std::uint64_t now = mono_ns();
      sh.run_start_ns = now;
      sh.measure_start_ns = now;
      sh.send_end_ns = now;
      res.srv_window_start = run.sample();
      window_start = mono_ns();
      run.set_phase(Phase::Run);
      run.wait([](const Totals& t) { return t.send_done && unique(t.c) >= t.c.expected; },
               window_start + secs(cfg.timeout));
      run.set_phase(Phase::Drain);
      break;
    }
    case Scenario::Fanout:
    case Scenario::Churn:
    case Scenario::Slow: {
      const std::uint64_t run_start = mono_ns() + 20'000'000;
      sh.run_start_ns = run_start;
      sh.measure_start_ns = run_start + secs(cfg.warmup);
      sh.send_end_ns = sh.measure_start_ns + secs(cfg.duration);
      run.set_phase(Phase::Run);
      run.sleep_until(sh.measure_start_ns);
      res.srv_window_start = run.sample();
      window_start = mono_ns();
      rx_window_start = collect(sh, false).c.received;
      run.wait([](const Totals& t) { return t.send_done; }, sh.send_end_ns + secs(5));
      const std::uint64_t send_end = mono_ns();
      const Totals at_end = collect(sh, false);
      res.window_deliveries = at_end.c.received - rx_window_start;
      res.run_s = static_cast<double>(send_end - window_start) / 1e9;
      run.set_phase(Phase::Drain);
      run.wait([](const Totals& t) { return unique(t.c) >= t.c.expected; }, send_end + secs(cfg.drain));
      if (cfg.scenario == Scenario::Slow) {
        // The slow members read again: those the server dropped get what it
        // still held for them (several MB: their socket buffers and up to
        // 2 x max-outbuf), its notice, then EOF. On a loaded machine that
        // takes seconds; the wait ends as soon as all of them are closed.
        run.set_phase(Phase::Reopen);
        run.wait([](const Totals& t) { return t.slow_open == 0; }, mono_ns() + secs(10));
        res.slow_still_open = collect(sh, false).slow_open;
      }
      break;
    }
  }
  res.srv_end = run.sample();

  // ---- goodbye.
  run.set_phase(Phase::Quit);
  run.wait([](const Totals& t) { return t.quit_done; }, mono_ns() + secs(3));
  run.set_phase(Phase::Done);
  threads.clear();  // joins
  run.progress().finish();

  // ---- results.
  const Totals t = collect(sh, true);
  res.totals = t.c;
  res.outcome = evaluate(t.c);
  res.latency = t.latency;
  res.setup = t.setup;
  res.registration = t.registration;
  res.join = t.join;
  res.first_error = t.first_error;
  res.nofile_bound = t.c.emfile > 0;
  if (!res.setup_complete && res.outcome.errors == 0) res.outcome.ok = false;
  if (cfg.scenario == Scenario::Report) {
    const std::uint64_t last = std::max(t.c.last_delivery_ns, window_start);
    res.run_s = static_cast<double>(last - window_start) / 1e9;
    res.window_deliveries = res.outcome.unique_received;
    res.messages_per_s = res.run_s > 0 ? static_cast<double>(t.c.sent) / res.run_s : 0;
  } else if (res.run_s > 0) {
    res.messages_per_s = static_cast<double>(t.c.sent_measured) / res.run_s;
  }
  if (res.run_s > 0) res.deliveries_per_s = static_cast<double>(res.window_deliveries) / res.run_s;
  if (res.srv_start && res.srv_setup && t.c.joined > 0)
    res.kib_per_conn = (static_cast<double>(res.srv_setup->rss_kib) - static_cast<double>(res.srv_start->rss_kib)) /
                       static_cast<double>(t.c.joined);
  if (cfg.scenario == Scenario::Idle && res.srv_start && res.srv_end && t.c.joined > 0)
    res.kib_per_conn = (static_cast<double>(res.srv_end->rss_kib) - static_cast<double>(res.srv_start->rss_kib)) /
                       static_cast<double>(t.c.joined);
  if (res.srv_window_start && res.srv_end) {
    res.server_cpu_s = static_cast<double>(res.srv_end->cpu_ns - res.srv_window_start->cpu_ns) / 1e9;
    // Deliveries in the CPU window [window start, end of drain].
    const std::uint64_t delivered = t.c.received - rx_window_start;
    if (delivered > 0) res.cpu_us_per_delivery = res.server_cpu_s * 1e6 / static_cast<double>(delivered);
  }

  if (cfg.json) {
    fmt::print("{}", format_json(res));
    if (!cfg.quiet) fmt::print(stderr, "{}", format_table(res));
  } else {
    fmt::print("{}", format_table(res));
  }
  return res.outcome.ok ? 0 : 1;
}

}  // namespace chatd::loadgen
