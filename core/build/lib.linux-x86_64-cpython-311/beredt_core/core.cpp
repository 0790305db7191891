// beredt's routing search core.
//
// Problem: caregivers (routes with shift, break window, max working time, travel matrix),
// jobs (location, duration, soft/hard time window, eligible caregivers, penalty when
// unserved, client, all-or-nothing group, infectious flag, caregiver preferences) and
// synchronisations (start[b] - start[a] in [lo, hi] when both are served).
//
// Schedule: for fixed job sequences, every job starts as early as possible. Synchronised
// jobs on different routes wait for each other; the earliest schedule is the least
// fixpoint of the difference constraints, found by re-passing routes whose partners
// moved. A positive cycle (deadlock) or a broken hard limit makes the sequences
// infeasible. The break is placed by the pass itself: in idle time if it fits there,
// otherwise as late as the window allows.
//
// Search: simulated annealing over sequences with relocate, swap, 2-opt, insert and
// remove moves and an occasional ruin-and-recreate step; infeasible neighbours are
// rejected, so the current solution is always feasible.

#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

constexpr double INF = std::numeric_limits<double>::infinity();
constexpr double EPS = 1e-9;
constexpr double HORIZON = 1e7;  // no start beyond this: a positive sync cycle

struct Caregiver {
    int start_loc = 0, end_loc = 0, matrix = 0;
    double shift_s = 0, shift_e = INF, max_work = INF;
    bool has_break = false;
    double bw_s = 0, bw_e = 0, bd = 0;
};

struct Job {
    int loc = 0;
    double dur = 0, tw_s = 0, tw_e = INF, hard_e = INF, penalty = 0;
    int client = -1, group = -1;
    bool infectious = false;
};

struct Edge {  // start[self] - start[other] in [lo, hi]
    int other;
    double lo, hi;
};

struct Weights {
    double travel = 1, tardiness = 1, max_tardiness = 0, distinct = 0, crossing = 0, workload = 0;
};

struct Problem {
    int n_loc = 0, n_clients = 0;
    std::vector<std::vector<double>> mats;
    std::vector<Caregiver> cgs;
    std::vector<Job> jobs;
    std::vector<std::vector<Edge>> edges;       // per job, both directions
    std::vector<uint8_t> eligible;              // jobs x caregivers
    std::vector<double> pref;                   // jobs x caregivers
    std::vector<std::vector<int>> elig_list;    // per job
    std::vector<std::vector<int>> groups;       // per group id
    Weights w;

    int n_jobs() const { return static_cast<int>(jobs.size()); }
    int n_cgs() const { return static_cast<int>(cgs.size()); }
    double travel(int cg, int a, int b) const {
        return mats[cgs[cg].matrix][static_cast<size_t>(a) * n_loc + b];
    }
    bool can(int job, int cg) const { return eligible[static_cast<size_t>(job) * cgs.size() + cg]; }
    const std::vector<int>& group_of(int job) const {
        static const std::vector<int> none;
        int g = jobs[job].group;
        return g < 0 ? none : groups[g];
    }
};

// ------------------------------------------------------------------------ schedule

struct Schedule {
    std::vector<double> start;          // per job; NaN when unserved
    std::vector<double> r_start, r_end, r_break;  // per route; r_break NaN when none
    double cost = 0;
    double unserved = 0, travel = 0, tardiness = 0, max_tardiness = 0, distinct = 0,
           preference = 0, crossings = 0, workload = 0;
};

class Evaluator {
public:
    explicit Evaluator(const Problem& p)
        : p_(p), dirty_(p.n_cgs(), 0), stamp_(static_cast<size_t>(std::max(1, p.n_clients)) * p.n_cgs(), 0) {}

    // Schedules ``routes`` into ``out``; false when infeasible. ``route_of`` gives each
    // job's caregiver or -1. Groups are checked only when ``check_groups``.
    bool run(const std::vector<std::vector<int>>& routes, const std::vector<int>& route_of,
             Schedule& out, bool check_groups = true) {
        const int n = p_.n_jobs(), R = p_.n_cgs();
        out.start.assign(n, std::nan(""));
        out.r_start.assign(R, 0.0);
        out.r_end.assign(R, 0.0);
        out.r_break.assign(R, std::nan(""));
        if (check_groups && !groups_ok(routes, route_of)) return false;
        queue_.clear();
        int synced = 0;
        for (int r = 0; r < R; ++r) {
            if (!routes[r].empty()) { queue_.push_back(r); dirty_[r] = 1; }
            for (int j : routes[r]) if (!p_.edges[j].empty()) ++synced;
        }
        long passes = 0, limit = 4L * synced + 2L * R + 16;
        size_t head = 0;
        while (head < queue_.size()) {
            int r = queue_[head++];
            dirty_[r] = 0;
            if (++passes > limit) { clear_queue(head); return false; }
            if (!pass(r, routes[r], route_of, out)) { clear_queue(head); return false; }
            if (head > 4096) { queue_.erase(queue_.begin(), queue_.begin() + head); head = 0; }
        }
        queue_.clear();
        return finish(routes, route_of, out);
    }

private:
    const Problem& p_;
    std::vector<int> queue_;
    std::vector<uint8_t> dirty_;
    std::vector<uint32_t> stamp_;
    uint32_t epoch_ = 0;

    void clear_queue(size_t head) {
        for (size_t i = head; i < queue_.size(); ++i) dirty_[queue_[i]] = 0;
        queue_.clear();
    }

    bool groups_ok(const std::vector<std::vector<int>>& routes, const std::vector<int>& route_of) const {
        for (const auto& g : p_.groups) {
            size_t served = 0;
            for (size_t a = 0; a < g.size(); ++a) {
                if (route_of[g[a]] < 0) continue;
                ++served;
                for (size_t b = a + 1; b < g.size(); ++b)
                    if (route_of[g[a]] == route_of[g[b]]) return false;
            }
            if (served != 0 && served != g.size()) return false;
        }
        (void)routes;
        return true;
    }

    double sync_lower(int j, const std::vector<int>& route_of, const Schedule& s) const {
        double lb = p_.jobs[j].tw_s;
        for (const Edge& e : p_.edges[j]) {
            if (route_of[e.other] < 0) continue;
            double t = s.start[e.other];
            if (!std::isnan(t)) lb = std::max(lb, t + e.lo);
        }
        return lb;
    }

    // One forward pass over route r using partners' current starts as lower bounds.
    bool pass(int r, const std::vector<int>& seq, const std::vector<int>& route_of, Schedule& s) {
        const Caregiver& c = p_.cgs[r];
        double t = c.shift_s;
        int loc = c.start_loc;
        bool break_done = !c.has_break;
        s.r_break[r] = std::nan("");
        for (size_t k = 0; k < seq.size(); ++k) {
            int j = seq[k];
            const Job& job = p_.jobs[j];
            double tr = p_.travel(r, loc, job.loc);
            double st = std::max(t + tr, sync_lower(j, route_of, s));
            bool break_here = false;
            if (!break_done) {
                // Take the break now if it fits in the idle time before this job, or if
                // after this job it would be too late; otherwise take it later.
                double b = std::max(t, c.bw_s);
                bool free = b <= c.bw_e + EPS && st + EPS >= b + c.bd && st + EPS >= t + tr + c.bd;
                bool forced = st + job.dur > c.bw_e + EPS;
                if (free || forced) {
                    if (b > c.bw_e + EPS) return false;
                    s.r_break[r] = b;
                    st = std::max(st, std::max(b + c.bd, t + tr + c.bd));
                    break_done = break_here = true;
                }
            }
            if (k == 0) {
                s.r_start[r] = break_here ? std::min(s.r_break[r], st - tr - c.bd) : st - tr;
            }
            if (st > job.hard_e + EPS || st > HORIZON) return false;
            double old = s.start[j];
            if (std::isnan(old) || st > old + EPS) {
                s.start[j] = st;
                for (const Edge& e : p_.edges[j]) {
                    int other = route_of[e.other];
                    if (other >= 0 && !dirty_[other]) {  // incl. this route: a partner placed earlier
                        dirty_[other] = 1;
                        queue_.push_back(other);
                    }
                }
            } else {
                st = old;
            }
            t = st + job.dur;
            loc = job.loc;
        }
        if (seq.empty()) {
            s.r_start[r] = s.r_end[r] = c.shift_s;
            return true;
        }
        double home = p_.travel(r, loc, c.end_loc);
        double end = t + home;
        if (!break_done) {
            double b = std::max(t, c.bw_s);
            if (b > c.bw_e + EPS) return false;
            s.r_break[r] = b;
            end = std::max(b + c.bd, t + home + c.bd);
        }
        if (end > c.shift_e + EPS) return false;
        s.r_end[r] = end;
        return s.r_end[r] - s.r_start[r] <= c.max_work + EPS;
    }

    bool finish(const std::vector<std::vector<int>>& routes, const std::vector<int>& route_of, Schedule& s) {
        // Same-route synchronisations are not re-passed by the queue: verify all here.
        for (int j = 0; j < p_.n_jobs(); ++j) {
            if (route_of[j] < 0) continue;
            for (const Edge& e : p_.edges[j]) {
                if (route_of[e.other] < 0) continue;
                double gap = s.start[j] - s.start[e.other];
                if (gap < e.lo - 1e-6 || gap > e.hi + 1e-6) return false;
            }
        }
        const Weights& w = p_.w;
        s.unserved = s.travel = s.tardiness = s.max_tardiness = s.distinct = 0;
        s.preference = s.crossings = s.workload = 0;
        ++epoch_;
        if (epoch_ == 0) { std::fill(stamp_.begin(), stamp_.end(), 0); epoch_ = 1; }
        for (int j = 0; j < p_.n_jobs(); ++j)
            if (route_of[j] < 0) s.unserved += p_.jobs[j].penalty;
        for (int r = 0; r < p_.n_cgs(); ++r) {
            const auto& seq = routes[r];
            if (seq.empty()) continue;
            const Caregiver& c = p_.cgs[r];
            int loc = c.start_loc;
            bool prev_infectious = false;
            for (size_t k = 0; k < seq.size(); ++k) {
                int j = seq[k];
                const Job& job = p_.jobs[j];
                s.travel += p_.travel(r, loc, job.loc);
                double late = std::max(0.0, s.start[j] - job.tw_e);
                s.tardiness += late;
                s.max_tardiness = std::max(s.max_tardiness, late);
                s.preference += p_.pref[static_cast<size_t>(j) * p_.n_cgs() + r];
                if (k > 0 && prev_infectious && !job.infectious) s.crossings += 1;
                prev_infectious = job.infectious;
                if (job.client >= 0) {
                    uint32_t& st = stamp_[static_cast<size_t>(job.client) * p_.n_cgs() + r];
                    if (st != epoch_) { st = epoch_; s.distinct += 1; }
                }
                loc = job.loc;
            }
            s.travel += p_.travel(r, loc, c.end_loc);
            double hours = (s.r_end[r] - s.r_start[r]) / 60.0;
            s.workload += hours * hours;
        }
        // distinct counts (client, caregiver) pairs; subtract one per served client.
        if (w.distinct != 0) {
            std::vector<uint8_t> seen(std::max(1, p_.n_clients), 0);
            for (int j = 0; j < p_.n_jobs(); ++j) {
                int cl = p_.jobs[j].client;
                if (cl >= 0 && route_of[j] >= 0 && !seen[cl]) { seen[cl] = 1; s.distinct -= 1; }
            }
        }
        s.cost = s.unserved + w.travel * s.travel + w.tardiness * s.tardiness +
                 w.max_tardiness * s.max_tardiness + w.distinct * s.distinct - s.preference +
                 w.crossing * s.crossings + w.workload * s.workload;
        return true;
    }
};

// -------------------------------------------------------------------------- search

struct State {
    std::vector<std::vector<int>> routes;
    std::vector<int> route_of;
    Schedule sched;
};

class Rng {
public:
    explicit Rng(uint64_t seed) : g_(seed * 0x9E3779B97F4A7C15ULL + 1) {}
    int below(int n) { return n <= 1 ? 0 : static_cast<int>(g_() % static_cast<uint64_t>(n)); }
    double unit() { return static_cast<double>(g_() >> 11) * (1.0 / 9007199254740992.0); }
private:
    std::mt19937_64 g_;
};

struct Params {
    double time_limit = 10;
    long max_iterations = 0;
    uint64_t seed = 0;
    double ruin_probability = 0.02;
};

class Search {
public:
    Search(const Problem& p, const Params& params, std::function<void(double, double)> progress)
        : p_(p), params_(params), eval_(p), rng_(params.seed), progress_(std::move(progress)) {}

    State run(const std::vector<std::vector<int>>& initial) {
        begin_ = Clock::now();
        State cur = initial_state(initial);
        best_ = cur;
        long it = 0;
        double t0 = initial_temperature(cur);
        double t_end = std::max(t0 * 1e-4, 1e-6);
        double last_report = 0;
        double frac = 0;
        for (;; ++it) {
            if ((it & 255) == 0) {
                double el = elapsed();
                frac = params_.max_iterations > 0 ? static_cast<double>(it) / params_.max_iterations
                                                  : el / std::max(1e-9, params_.time_limit);
                if (frac >= 1.0) break;
                if (progress_ && el - last_report >= 0.5) {
                    last_report = el;
                    progress_(el, best_.sched.cost);
                    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
                }
            }
            if (params_.max_iterations > 0 && it >= params_.max_iterations) break;
            double temp = t0 * std::pow(t_end / t0, frac);
            step(cur, temp);
        }
        iterations_ = it;
        return best_;
    }

    long iterations() const { return iterations_; }
    double elapsed() const { return std::chrono::duration<double>(Clock::now() - begin_).count(); }

private:
    using Clock = std::chrono::steady_clock;
    const Problem& p_;
    Params params_;
    Evaluator eval_;
    Rng rng_;
    std::function<void(double, double)> progress_;
    Clock::time_point begin_;
    State best_;
    long iterations_ = 0;
    Schedule scratch_;
    std::vector<std::pair<int, std::vector<int>>> saved_;

    // ---- state helpers

    bool evaluate(State& s, bool check_groups = true) { return eval_.run(s.routes, s.route_of, s.sched, check_groups); }

    void save(const State& s, int r) {
        for (auto& pr : saved_) if (pr.first == r) return;
        saved_.emplace_back(r, s.routes[r]);
    }

    void restore(State& s) {
        for (auto& pr : saved_) {
            for (int j : s.routes[pr.first]) s.route_of[j] = -1;
        }
        for (auto& pr : saved_) {
            s.routes[pr.first] = pr.second;
            for (int j : s.routes[pr.first]) s.route_of[j] = pr.first;
        }
        saved_.clear();
    }

    void remove_job(State& s, int j) {
        int r = s.route_of[j];
        auto& seq = s.routes[r];
        seq.erase(std::find(seq.begin(), seq.end(), j));
        s.route_of[j] = -1;
    }

    void insert_job(State& s, int j, int r, int pos) {
        auto& seq = s.routes[r];
        pos = std::clamp(pos, 0, static_cast<int>(seq.size()));
        seq.insert(seq.begin() + pos, j);
        s.route_of[j] = r;
    }

    // Position in route r where job j's window start fits the current schedule.
    int time_position(const State& s, int j, int r) {
        const auto& seq = s.routes[r];
        double want = p_.jobs[j].tw_s;
        int lo = 0, hi = static_cast<int>(seq.size());
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            double st = s.sched.start[seq[mid]];
            if (std::isnan(st) || st <= want) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    int random_eligible(int j, const State& s) {
        const auto& list = p_.elig_list[j];
        if (list.empty()) return -1;
        for (int tries = 0; tries < 8; ++tries) {
            int r = list[rng_.below(static_cast<int>(list.size()))];
            if (!group_conflict(s, j, r)) return r;
        }
        return -1;
    }

    bool group_conflict(const State& s, int j, int r) const {
        for (int o : p_.group_of(j)) if (o != j && s.route_of[o] == r) return true;
        return false;
    }

    // ---- construction

    State initial_state(const std::vector<std::vector<int>>& initial) {
        State s;
        s.routes.assign(p_.n_cgs(), {});
        s.route_of.assign(p_.n_jobs(), -1);
        for (size_t r = 0; r < initial.size() && r < s.routes.size(); ++r) {
            for (int j : initial[r]) {
                if (j < 0 || j >= p_.n_jobs() || s.route_of[j] >= 0 || !p_.can(j, static_cast<int>(r))) continue;
                s.routes[r].push_back(j);
                s.route_of[j] = static_cast<int>(r);
            }
        }
        if (!evaluate(s)) {  // an infeasible warm start is dropped, not repaired silently
            for (auto& seq : s.routes) seq.clear();
            std::fill(s.route_of.begin(), s.route_of.end(), -1);
            evaluate(s);
        }
        std::vector<int> todo;
        for (int j = 0; j < p_.n_jobs(); ++j) if (s.route_of[j] < 0) todo.push_back(j);
        std::stable_sort(todo.begin(), todo.end(), [&](int a, int b) {
            if (p_.jobs[a].penalty != p_.jobs[b].penalty) return p_.jobs[a].penalty > p_.jobs[b].penalty;
            return p_.jobs[a].tw_e - p_.jobs[a].tw_s < p_.jobs[b].tw_e - p_.jobs[b].tw_s;
        });
        recreate(s, todo, /*full=*/true);
        return s;
    }

    // Greedy best insertion of the groups of ``todo`` (unserved ones), cheapest first.
    void recreate(State& s, const std::vector<int>& todo, bool full) {
        for (int j : todo) {
            if (s.route_of[j] >= 0) continue;
            const auto& g = p_.group_of(j);
            std::vector<int> members = g.empty() ? std::vector<int>{j} : g;
            double before = s.sched.cost;
            bool ok = true;
            std::vector<int> placed;
            for (int m : members) {
                if (!best_insert(s, m, full, /*check_groups=*/false)) { ok = false; break; }
                placed.push_back(m);
            }
            if (ok) ok = evaluate(s) && s.sched.cost < before + 1e-9;
            if (!ok) {
                for (int m : placed) if (s.route_of[m] >= 0) remove_job(s, m);
                evaluate(s);
            }
        }
    }

    // Insert job j where the full cost is lowest; false when no feasible place exists.
    bool best_insert(State& s, int j, bool full, bool check_groups) {
        double best_cost = INF;
        int best_r = -1, best_pos = -1;
        Schedule keep = s.sched;
        for (int r : p_.elig_list[j]) {
            if (group_conflict(s, j, r)) continue;
            int n = static_cast<int>(s.routes[r].size());
            int centre = time_position(s, j, r);
            int lo = full ? 0 : std::max(0, centre - 1), hi = full ? n : std::min(n, centre + 1);
            if (full && n > 12) { lo = std::max(0, centre - 3); hi = std::min(n, centre + 3); }
            for (int pos = lo; pos <= hi; ++pos) {
                insert_job(s, j, r, pos);
                if (eval_.run(s.routes, s.route_of, scratch_, check_groups) && scratch_.cost < best_cost) {
                    best_cost = scratch_.cost;
                    best_r = r;
                    best_pos = pos;
                }
                remove_job(s, j);
            }
        }
        s.sched = keep;
        if (best_r < 0) return false;
        insert_job(s, j, best_r, best_pos);
        return eval_.run(s.routes, s.route_of, s.sched, check_groups);
    }

    // ---- annealing

    double initial_temperature(State& cur) {
        std::vector<double> ups;
        for (int k = 0; k < 200; ++k) {
            saved_.clear();
            if (propose(cur) && eval_.run(cur.routes, cur.route_of, scratch_)) {
                double d = scratch_.cost - cur.sched.cost;
                if (d > 1e-9) ups.push_back(d);
            }
            restore(cur);
        }
        if (ups.empty()) return 1.0;
        std::nth_element(ups.begin(), ups.begin() + ups.size() / 2, ups.end());
        return std::max(1e-3, ups[ups.size() / 2] / std::log(2.0));
    }

    void step(State& cur, double temp) {
        const double before = cur.sched.cost;
        saved_.clear();
        const bool ruin = rng_.unit() < params_.ruin_probability;
        Schedule backup;
        if (ruin) backup = cur.sched;  // recreate overwrites the current schedule
        bool moved = ruin ? ruin_recreate(cur) : propose(cur);
        bool accept = false;
        if (moved && eval_.run(cur.routes, cur.route_of, scratch_)) {
            double delta = scratch_.cost - before;
            accept = delta <= 1e-12 || rng_.unit() < std::exp(-delta / temp);
        }
        if (accept) {
            std::swap(cur.sched, scratch_);
            saved_.clear();
            if (cur.sched.cost < best_.sched.cost - 1e-9) best_ = cur;
            return;
        }
        restore(cur);
        if (ruin) cur.sched = std::move(backup);
    }

    bool propose(State& s) {
        int kind = rng_.below(100);
        if (kind < 35) return relocate(s);
        if (kind < 55) return swap(s);
        if (kind < 70) return two_opt(s);
        if (kind < 88) return insert_unserved(s);
        return remove_served(s);
    }

    int random_served(const State& s) {
        for (int tries = 0; tries < 16; ++tries) {
            int j = rng_.below(p_.n_jobs());
            if (s.route_of[j] >= 0) return j;
        }
        return -1;
    }

    int random_unserved(const State& s) {
        for (int tries = 0; tries < 16; ++tries) {
            int j = rng_.below(p_.n_jobs());
            if (s.route_of[j] < 0 && !p_.elig_list[j].empty()) return j;
        }
        return -1;
    }

    bool relocate(State& s) {
        int j = random_served(s);
        if (j < 0) return false;
        int from = s.route_of[j];
        int to = rng_.below(4) == 0 ? from : random_eligible(j, s);
        if (to < 0) to = from;
        if (to != from && group_conflict(s, j, to)) return false;
        save(s, from);
        save(s, to);
        remove_job(s, j);
        int pos = rng_.below(3) == 0 ? rng_.below(static_cast<int>(s.routes[to].size()) + 1)
                                     : time_position(s, j, to) + rng_.below(3) - 1;
        insert_job(s, j, to, pos);
        return true;
    }

    bool swap(State& s) {
        int a = random_served(s), b = random_served(s);
        if (a < 0 || b < 0 || a == b) return false;
        int ra = s.route_of[a], rb = s.route_of[b];
        if (ra == rb) {
            save(s, ra);
            auto& seq = s.routes[ra];
            std::iter_swap(std::find(seq.begin(), seq.end(), a), std::find(seq.begin(), seq.end(), b));
            return true;
        }
        if (!p_.can(a, rb) || !p_.can(b, ra)) return false;
        save(s, ra);
        save(s, rb);
        auto& sa = s.routes[ra];
        auto& sb = s.routes[rb];
        *std::find(sa.begin(), sa.end(), a) = b;
        *std::find(sb.begin(), sb.end(), b) = a;
        s.route_of[a] = rb;
        s.route_of[b] = ra;
        if (group_conflict(s, a, rb) || group_conflict(s, b, ra)) return false;
        return true;
    }

    bool two_opt(State& s) {
        int j = random_served(s);
        if (j < 0) return false;
        int r = s.route_of[j];
        auto& seq = s.routes[r];
        int n = static_cast<int>(seq.size());
        if (n < 2) return false;
        int i = rng_.below(n), k = std::min(n - 1, i + 1 + rng_.below(4));
        if (i >= k) return false;
        save(s, r);
        std::reverse(seq.begin() + i, seq.begin() + k + 1);
        return true;
    }

    bool insert_unserved(State& s) {
        int j = random_unserved(s);
        if (j < 0) return false;
        const auto& g = p_.group_of(j);
        std::vector<int> members = g.empty() ? std::vector<int>{j} : g;
        for (int m : members) {
            if (s.route_of[m] >= 0) return false;
            int r = random_eligible(m, s);
            if (r < 0) return false;
            save(s, r);
            insert_job(s, m, r, time_position(s, m, r) + rng_.below(2));
        }
        return true;
    }

    bool remove_served(State& s) {
        int j = random_served(s);
        if (j < 0) return false;
        const auto& g = p_.group_of(j);
        std::vector<int> members = g.empty() ? std::vector<int>{j} : g;
        for (int m : members) {
            if (s.route_of[m] < 0) continue;
            save(s, s.route_of[m]);
            remove_job(s, m);
        }
        return true;
    }

    // Remove a few related jobs (close in place and time) and reinsert them greedily.
    bool ruin_recreate(State& s) {
        int seed = random_served(s);
        if (seed < 0) return false;
        int k = 2 + rng_.below(8);
        const Job& js = p_.jobs[seed];
        std::vector<std::pair<double, int>> near;
        for (int j = 0; j < p_.n_jobs(); ++j) {
            if (s.route_of[j] < 0) continue;
            const Job& o = p_.jobs[j];
            double d = p_.mats[0][static_cast<size_t>(js.loc) * p_.n_loc + o.loc] + 0.5 * std::fabs(o.tw_s - js.tw_s);
            near.emplace_back(d + rng_.unit(), j);
        }
        int take = std::min<int>(k, static_cast<int>(near.size()));
        std::partial_sort(near.begin(), near.begin() + take, near.end());
        std::vector<int> removed;
        for (int i = 0; i < take; ++i) {
            for (int m : p_.group_of(near[i].second).empty() ? std::vector<int>{near[i].second}
                                                              : p_.group_of(near[i].second)) {
                if (s.route_of[m] < 0) continue;
                for (int r = 0; r < p_.n_cgs(); ++r) save(s, r);  // cheap enough at this rate
                remove_job(s, m);
                removed.push_back(m);
            }
        }
        if (!evaluate(s, false)) return false;
        // Reinsert, in random order, also a few other unserved jobs.
        for (int i = static_cast<int>(removed.size()) - 1; i > 0; --i) std::swap(removed[i], removed[rng_.below(i + 1)]);
        for (int extra = 0; extra < 3; ++extra) {
            int u = random_unserved(s);
            if (u >= 0) removed.push_back(u);
        }
        for (int r = 0; r < p_.n_cgs(); ++r) save(s, r);
        recreate(s, removed, false);
        return true;
    }
};

// ---------------------------------------------------------------------- bindings

Problem parse(const py::dict& d) {
    Problem p;
    p.n_loc = d["size"].cast<int>();
    for (auto m : d["matrices"].cast<py::list>()) {
        auto v = m.cast<std::vector<double>>();
        if (v.size() != static_cast<size_t>(p.n_loc) * p.n_loc) throw std::invalid_argument("matrix size");
        p.mats.push_back(std::move(v));
    }
    for (auto c : d["caregivers"].cast<py::list>()) {
        auto t = c.cast<py::tuple>();
        Caregiver cg;
        cg.start_loc = t[0].cast<int>();
        cg.end_loc = t[1].cast<int>();
        cg.shift_s = t[2].cast<double>();
        cg.shift_e = t[3].cast<double>();
        cg.max_work = t[4].cast<double>();
        cg.has_break = t[5].cast<bool>();
        cg.bw_s = t[6].cast<double>();
        cg.bw_e = t[7].cast<double>();
        cg.bd = t[8].cast<double>();
        cg.matrix = t[9].cast<int>();
        if (cg.matrix < 0 || cg.matrix >= static_cast<int>(p.mats.size())) throw std::invalid_argument("caregiver matrix index");
        if (cg.start_loc < 0 || cg.start_loc >= p.n_loc || cg.end_loc < 0 || cg.end_loc >= p.n_loc)
            throw std::invalid_argument("caregiver location index");
        p.cgs.push_back(cg);
    }
    const size_t R = p.cgs.size();
    auto jobs = d["jobs"].cast<py::list>();
    p.eligible.assign(jobs.size() * R, 0);
    p.pref.assign(jobs.size() * R, 0.0);
    p.elig_list.resize(jobs.size());
    int max_group = -1;
    for (size_t j = 0; j < jobs.size(); ++j) {
        auto t = jobs[j].cast<py::tuple>();
        Job job;
        job.loc = t[0].cast<int>();
        job.dur = t[1].cast<double>();
        job.tw_s = t[2].cast<double>();
        job.tw_e = t[3].cast<double>();
        job.hard_e = t[4].cast<double>();
        job.penalty = t[5].cast<double>();
        job.client = t[6].cast<int>();
        job.group = t[7].cast<int>();
        job.infectious = t[8].cast<bool>();
        if (job.loc < 0 || job.loc >= p.n_loc) throw std::invalid_argument("job location index");
        for (int c : t[9].cast<std::vector<int>>()) {
            if (c < 0 || static_cast<size_t>(c) >= R) throw std::invalid_argument("eligible caregiver index");
            if (!p.eligible[j * R + c]) p.elig_list[j].push_back(c);
            p.eligible[j * R + c] = 1;
        }
        for (auto pr : t[10].cast<std::vector<std::pair<int, double>>>()) {
            if (pr.first < 0 || static_cast<size_t>(pr.first) >= R) throw std::invalid_argument("preference caregiver index");
            p.pref[j * R + pr.first] = pr.second;
        }
        p.n_clients = std::max(p.n_clients, job.client + 1);
        max_group = std::max(max_group, job.group);
        p.jobs.push_back(job);
    }
    p.groups.assign(max_group + 1, {});
    for (int j = 0; j < p.n_jobs(); ++j)
        if (p.jobs[j].group >= 0) p.groups[p.jobs[j].group].push_back(j);
    p.edges.assign(p.jobs.size(), {});
    for (auto s : d["syncs"].cast<py::list>()) {
        auto t = s.cast<py::tuple>();
        int a = t[0].cast<int>(), b = t[1].cast<int>();
        double lo = t[2].cast<double>(), hi = t[3].cast<double>();
        if (a < 0 || b < 0 || a >= p.n_jobs() || b >= p.n_jobs() || a == b) throw std::invalid_argument("sync job index");
        if (hi < lo) throw std::invalid_argument("sync max gap below min gap");
        p.edges[b].push_back({a, lo, hi});
        p.edges[a].push_back({b, -hi, -lo});
    }
    auto w = d["weights"].cast<py::dict>();
    p.w.travel = w["travel"].cast<double>();
    p.w.tardiness = w["tardiness"].cast<double>();
    p.w.max_tardiness = w["max_tardiness"].cast<double>();
    p.w.distinct = w["distinct_caregivers"].cast<double>();
    p.w.crossing = w["infection_crossing"].cast<double>();
    p.w.workload = w["workload"].cast<double>();
    return p;
}

py::object maybe(double v) { return std::isnan(v) ? py::none() : py::cast(v); }

py::dict to_dict(const Problem& p, const std::vector<std::vector<int>>& routes, const std::vector<int>& route_of,
                 const Schedule& s, long iterations, double seconds) {
    py::list out_routes;
    for (int r = 0; r < p.n_cgs(); ++r) {
        if (routes[r].empty()) continue;
        py::dict d;
        d["caregiver"] = r;
        d["jobs"] = routes[r];
        d["break_start"] = maybe(s.r_break[r]);
        d["start"] = s.r_start[r];
        d["end"] = s.r_end[r];
        out_routes.append(d);
    }
    std::vector<int> unserved;
    for (int j = 0; j < p.n_jobs(); ++j) if (route_of[j] < 0) unserved.push_back(j);
    py::dict comp;
    comp["unserved_penalty"] = s.unserved;
    comp["travel"] = s.travel;
    comp["tardiness"] = s.tardiness;
    comp["max_tardiness"] = s.max_tardiness;
    comp["extra_caregivers"] = s.distinct;
    comp["preference_bonus"] = s.preference;
    comp["infection_crossings"] = s.crossings;
    comp["workload"] = s.workload;
    py::dict d;
    d["routes"] = out_routes;
    d["starts"] = s.start;
    d["unserved"] = unserved;
    d["cost"] = s.cost;
    d["components"] = comp;
    d["iterations"] = iterations;
    d["seconds"] = seconds;
    return d;
}

py::dict solve(const py::dict& payload, const std::vector<std::vector<int>>& initial, const py::dict& params,
               const std::function<void(double, double)>& progress) {
    Problem p = parse(payload);
    Params prm;
    prm.time_limit = params["time_limit"].cast<double>();
    prm.max_iterations = params["max_iterations"].cast<long>();
    prm.seed = params["seed"].cast<uint64_t>();
    prm.ruin_probability = params["ruin_probability"].cast<double>();
    Search search(p, prm, progress);
    State best = search.run(initial);
    return to_dict(p, best.routes, best.route_of, best.sched, search.iterations(), search.elapsed());
}

py::dict evaluate(const py::dict& payload, const std::vector<std::vector<int>>& routes) {
    Problem p = parse(payload);
    std::vector<std::vector<int>> rs(p.n_cgs());
    std::vector<int> route_of(p.n_jobs(), -1);
    for (size_t r = 0; r < routes.size(); ++r) {
        if (r >= rs.size()) throw std::invalid_argument("more routes than caregivers");
        for (int j : routes[r]) {
            if (j < 0 || j >= p.n_jobs()) throw std::invalid_argument("job index out of range");
            if (route_of[j] >= 0) throw std::invalid_argument("job " + std::to_string(j) + " is in two routes");
            if (!p.can(j, static_cast<int>(r))) throw std::invalid_argument("job " + std::to_string(j) + " is not eligible for caregiver " + std::to_string(r));
            rs[r].push_back(j);
            route_of[j] = static_cast<int>(r);
        }
    }
    Evaluator ev(p);
    Schedule s;
    if (!ev.run(rs, route_of, s)) throw std::invalid_argument("the routes are infeasible");
    return to_dict(p, rs, route_of, s, 0, 0.0);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "beredt's routing search core";
    m.def("solve", &solve, py::arg("payload"), py::arg("initial"), py::arg("params"), py::arg("progress") = nullptr);
    m.def("evaluate", &evaluate, py::arg("payload"), py::arg("routes"));
}
