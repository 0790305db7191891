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
// rejected, so the current solution is always feasible. Optionally (``time_warp``), once
// only a few jobs are left out, a phase with time warp: late starts and overruns are
// priced instead of refused, and only warp-free states become the best.

#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <climits>
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
    double late_cost = 0;  // per minute started after tw_e, on top of the tardiness weight
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
    std::vector<std::vector<int>> neighbours;   // per job: related jobs, nearest first
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
    // What leaving ``job`` out costs with the rest of its group (a double-staffed visit's
    // two jobs carry half of the visit's penalty each).
    double group_penalty(int job) const {
        const auto& g = group_of(job);
        if (g.empty()) return jobs[job].penalty;
        double v = 0;
        for (int m : g) v += jobs[m].penalty;
        return v;
    }
    // The jobs that are served or left out together with ``job``: its group, or itself.
    std::vector<int> members_of(int job) const {
        const auto& g = group_of(job);
        return g.empty() ? std::vector<int>{job} : g;
    }
};

// ------------------------------------------------------------------------ schedule

// Job j's window start, raised by the starts of its served, scheduled partners.
double earliest_start(const Problem& p, int j, const std::vector<int>& route_of, const std::vector<double>& start) {
    double lb = p.jobs[j].tw_s;
    for (const Edge& e : p.edges[j]) {
        if (route_of[e.other] < 0) continue;
        double t = start[e.other];
        if (!std::isnan(t)) lb = std::max(lb, t + e.lo);
    }
    return lb;
}

struct Schedule {
    std::vector<double> start;                    // per job; NaN when unserved
    std::vector<double> r_start, r_end, r_break;  // per route; r_break NaN when none
    std::vector<int> r_break_pos;  // per route: the break comes before this job position (-1: none)
    // Per-route cost components, so a move re-costs only the routes it touched.
    std::vector<double> rt_travel, rt_tard, rt_maxtard, rt_pref, rt_cross, rt_work, rt_late;
    // Time warp (only while the evaluator's warp weight is positive): per job, minutes
    // its start was pulled back to its hard latest start; per route, minutes past the
    // shift's end or the maximum working time; per route, the sum of both.
    std::vector<double> jw, r_warp, rt_warp;
    double warp = 0;
    double cost = 0;
    double unserved = 0, travel = 0, tardiness = 0, max_tardiness = 0, distinct = 0,
           preference = 0, crossings = 0, workload = 0, late_cost = 0;
};

class Evaluator {
public:
    explicit Evaluator(const Problem& p)
        : p_(p), passed_(p.n_cgs(), 0), bad_(p.n_cgs(), 0),
          stamp_(static_cast<size_t>(std::max(1, p.n_clients)) * p.n_cgs(), 0),
          seen_(static_cast<size_t>(std::max(1, p.n_clients)), 0),
          pos_(p.n_jobs(), -1), dirty_pos_(p.n_cgs(), INT32_MAX), job_bad_pos_(p.n_cgs(), INT32_MAX),
          resequenced_(p.n_cgs(), 0), leg_(p.n_jobs(), 0.0), home_leg_(p.n_cgs(), 0.0) {
        for (int j = 0; j < p.n_jobs(); ++j) if (!p.edges[j].empty()) ++n_synced_;
    }

    // The exact earliest schedule of ``routes`` into ``out``; false when infeasible.
    // ``route_of`` gives each job's caregiver or -1. Groups are checked only when
    // ``check_groups`` (partial insertions of a group are costed without it).
    bool run(const std::vector<std::vector<int>>& routes, const std::vector<int>& route_of,
             Schedule& out, bool check_groups = true) {
        const int n = p_.n_jobs(), R = p_.n_cgs();
        out.start.assign(n, std::nan(""));
        out.r_start.assign(R, 0.0);
        out.r_end.assign(R, 0.0);
        out.r_break.assign(R, std::nan(""));
        out.r_break_pos.assign(R, -1);
        for (auto* v : {&out.rt_travel, &out.rt_tard, &out.rt_maxtard, &out.rt_pref, &out.rt_cross, &out.rt_work,
                        &out.rt_late, &out.r_warp, &out.rt_warp})
            v->assign(R, 0.0);
        out.jw.assign(n, 0.0);
        std::vector<int> all(R);
        std::iota(all.begin(), all.end(), 0);
        positions(routes, all);
        if (check_groups && !groups_ok(route_of)) return false;
        for (int r : all) { dirty_pos_[r] = 0; resequenced(r); }
        double unserved = 0;
        for (int j = 0; j < p_.n_jobs(); ++j)
            if (route_of[j] < 0) unserved += p_.jobs[j].penalty;
        return propagate(routes, route_of, out, all, unserved);
    }

    // Re-schedule after a move that changed only the ``changed`` routes (and released
    // the ``released`` jobs), starting from ``base``, the schedule of the same routes
    // before the move. ``from`` gives, per changed route, the first position whose job
    // differs from the route in ``base`` (empty: 0). Only what the move can reach is
    // recomputed: each changed route from that position on, and from the first
    // synchronised job recomputed, every route a synchronisation ties to it, from that
    // partner's position on. The result equals ``run``'s.
    bool partial(const std::vector<std::vector<int>>& routes, const std::vector<int>& route_of,
                 const Schedule& base, const std::vector<int>& changed,
                 const std::vector<int>& released, Schedule& out, bool check_groups = true,
                 const std::vector<int>& from = {}, const std::vector<uint8_t>& grown = {}) {
        positions(routes, changed);
        if (check_groups && !groups_ok_after(routes, route_of, changed, released, from)) return false;
        copy(base, out);
        const int R = p_.n_cgs();
        if (from_.size() != static_cast<size_t>(R)) {
            from_.assign(R, INT32_MAX);
            done_.assign(R, INT32_MAX);
            seed_.assign(R, INT32_MAX);
        }
        touched_.clear();
        // The unserved penalty moves by the jobs the move served or released: a job is
        // served in ``base`` exactly when it has a start there.
        double unserved = base.unserved;
        for (size_t i = 0; i < changed.size(); ++i) {
            const int r = changed[i], at = i < from.size() ? from[i] : 0;
            // A route that only gained jobs unserved before can only move later: its
            // old starts are a lower bound, so nothing needs nulling, only passing.
            if (i < grown.size() && grown[i]) seed(r, at); else mark(r, at);
            resequenced(r);
            const auto& seq = routes[r];
            for (size_t k = std::max(0, at); k < seq.size(); ++k)
                if (std::isnan(base.start[seq[k]])) unserved -= p_.jobs[seq[k]].penalty;
        }
        for (int j : released) {
            if (route_of[j] >= 0) continue;
            if (!std::isnan(base.start[j])) unserved += p_.jobs[j].penalty;
            out.start[j] = std::nan("");
            for (const Edge& e : p_.edges[j]) mark_job(route_of, e.other);
        }
        for (size_t i = 0; i < work_.size(); ++i) {
            int r = work_[i];
            const auto& seq = routes[r];
            // Null [from, done): nulling may mark an earlier job of this very route
            // (a synchronisation within the route); that comes back as a new work item.
            const int begin = from_[r];
            const int stop = std::min<int>(done_[r], static_cast<int>(seq.size()));
            for (int k = begin; k < stop; ++k) {
                int j = seq[k];
                out.start[j] = std::nan("");
                for (const Edge& e : p_.edges[j]) mark_job(route_of, e.other);
            }
            done_[r] = std::min(done_[r], begin);
        }
        work_.clear();
        seeds_.assign(touched_.begin(), touched_.end());
        for (int r : touched_) {
            dirty_pos_[r] = std::min({from_[r], seed_[r], static_cast<int>(routes[r].size())});
            from_[r] = INT32_MAX;
            done_[r] = INT32_MAX;
            seed_[r] = INT32_MAX;
        }
        return propagate(routes, route_of, out, seeds_, unserved);
    }

private:
    const Problem& p_;
    std::vector<int> from_, done_, seed_, work_, touched_, seeds_;

    bool untouched(int r) const { return from_[r] == INT32_MAX && done_[r] == INT32_MAX && seed_[r] == INT32_MAX; }

    // Null route r's jobs from ``position`` on (and what they reach), then pass it.
    void mark(int r, int position) {
        if (untouched(r)) touched_.push_back(r);
        if (position < from_[r]) {
            from_[r] = position;
            work_.push_back(r);
        }
    }

    // Pass route r from ``position`` on, keeping its starts as lower bounds.
    void seed(int r, int position) {
        if (untouched(r)) touched_.push_back(r);
        seed_[r] = std::min(seed_[r], position);
    }

    void mark_job(const std::vector<int>& route_of, int j) {
        int r = route_of[j];
        if (r < 0) return;
        int k = pos_[j];
        if (k < from_[r]) mark(r, k);
    }

    // Job positions of the given routes, and of those whose positions were last worked
    // out for a sequence that a move may since have undone.
    void positions(const std::vector<std::vector<int>>& routes, const std::vector<int>& changed) {
        for (int r : stale_) set_positions(routes, r);
        for (int r : changed) set_positions(routes, r);
        stale_.assign(changed.begin(), changed.end());
    }

    // Positions and travel legs of route r: the pass reads a job's leg from here rather
    // than from the matrix, which is large and read out of order.
    void set_positions(const std::vector<std::vector<int>>& routes, int r) {
        const auto& seq = routes[r];
        int loc = p_.cgs[r].start_loc;
        for (size_t k = 0; k < seq.size(); ++k) {
            const int j = seq[k];
            pos_[j] = static_cast<int>(k);
            leg_[j] = p_.travel(r, loc, p_.jobs[j].loc);
            loc = p_.jobs[j].loc;
        }
        home_leg_[r] = seq.empty() ? 0.0 : p_.travel(r, loc, p_.cgs[r].end_loc);
    }

    // Route r must be passed again from position k on.
    void schedule_pass(int r, int k) {
        if (dirty_pos_[r] == INT32_MAX) queue_.push_back(r);
        dirty_pos_[r] = std::min(dirty_pos_[r], k);
    }

    std::vector<int> queue_;
    std::vector<uint8_t> passed_, bad_;
    std::vector<int> passed_list_;
    std::vector<uint32_t> stamp_;
    std::vector<uint32_t> seen_;
    uint32_t epoch_ = 0;
    std::vector<int> pos_;          // per job: its position in its route (valid for served jobs)
    std::vector<double> leg_;       // per job: travel from the previous stop of its route
    std::vector<double> home_leg_;  // per route: travel from the last job to the end
    std::vector<int> stale_;        // routes whose positions may be out of date
    std::vector<int> dirty_pos_;    // per route: pass again from here (INT32_MAX: not queued)
    std::vector<int> job_bad_pos_;  // per route: first position breaking a hard job limit
    int n_synced_ = 0;
    std::vector<int> moved_;               // synchronised jobs whose start a pass moved
    std::vector<uint8_t> resequenced_;     // per route: its job sequence changed
    std::vector<int> resequenced_list_;

    void resequenced(int r) {
        if (!resequenced_[r]) { resequenced_[r] = 1; resequenced_list_.push_back(r); }
    }

    void copy(const Schedule& a, Schedule& b) const {
        b.start.assign(a.start.begin(), a.start.end());
        b.r_start.assign(a.r_start.begin(), a.r_start.end());
        b.r_end.assign(a.r_end.begin(), a.r_end.end());
        b.r_break.assign(a.r_break.begin(), a.r_break.end());
        b.r_break_pos.assign(a.r_break_pos.begin(), a.r_break_pos.end());
        b.rt_travel.assign(a.rt_travel.begin(), a.rt_travel.end());
        b.rt_tard.assign(a.rt_tard.begin(), a.rt_tard.end());
        b.rt_maxtard.assign(a.rt_maxtard.begin(), a.rt_maxtard.end());
        b.rt_pref.assign(a.rt_pref.begin(), a.rt_pref.end());
        b.rt_cross.assign(a.rt_cross.begin(), a.rt_cross.end());
        b.rt_work.assign(a.rt_work.begin(), a.rt_work.end());
        b.rt_late.assign(a.rt_late.begin(), a.rt_late.end());
        b.warp = a.warp;
        // Read only with time warp on; switching it on re-runs the schedule in full.
        if (warp_weight_ > 0) {
            b.jw.assign(a.jw.begin(), a.jw.end());
            b.r_warp.assign(a.r_warp.begin(), a.r_warp.end());
            b.rt_warp.assign(a.rt_warp.begin(), a.rt_warp.end());
        }
    }

    // Label-correcting passes until no start moves; each seed route must already have
    // its dirty position set.
    bool propagate(const std::vector<std::vector<int>>& routes, const std::vector<int>& route_of,
                   Schedule& s, const std::vector<int>& seeds, double unserved) {
        const int R = p_.n_cgs();
        queue_.clear();
        passed_list_.clear();
        for (int r : seeds) queue_.push_back(r);
        long passes = 0, limit = 4L * n_synced_ + 2L * R + 16;
        size_t head = 0;
        bool ok = true;
        while (head < queue_.size()) {
            int r = queue_[head++];
            int from = dirty_pos_[r];
            dirty_pos_[r] = INT32_MAX;
            if (!passed_[r]) {
                passed_[r] = 1;
                passed_list_.push_back(r);
                job_bad_pos_[r] = INT32_MAX;  // the base schedule broke no hard limit
            }
            if (++passes > limit || !pass(r, from, routes[r], route_of, s)) { ok = false; break; }
        }
        for (size_t i = head; i < queue_.size(); ++i) dirty_pos_[queue_[i]] = INT32_MAX;
        queue_.clear();
        if (ok) for (int r : passed_list_) if (bad_[r]) { ok = false; break; }
        if (ok) ok = sync_ok(route_of, s);
        if (ok) for (int r : passed_list_) cost_route(r, routes[r], s, resequenced_[r] != 0);
        for (int r : passed_list_) passed_[r] = 0;
        for (int r : resequenced_list_) resequenced_[r] = 0;
        resequenced_list_.clear();
        moved_.clear();
        if (ok) total(routes, s, unserved);
        return ok;
    }

    bool groups_ok(const std::vector<int>& route_of) const {
        for (const auto& g : p_.groups) if (!group_ok(g, route_of)) return false;
        return true;
    }

    // A group is served whole or not at all, each job by a different caregiver.
    static bool group_ok(const std::vector<int>& g, const std::vector<int>& route_of) {
        size_t served = 0;
        for (size_t a = 0; a < g.size(); ++a) {
            if (route_of[g[a]] < 0) continue;
            ++served;
            for (size_t b = a + 1; b < g.size(); ++b)
                if (route_of[g[a]] == route_of[g[b]]) return false;
        }
        return served == 0 || served == g.size();
    }

    // groups_ok for a move: only the groups of jobs it served, moved or released can
    // have changed.
    bool groups_ok_after(const std::vector<std::vector<int>>& routes, const std::vector<int>& route_of,
                         const std::vector<int>& changed, const std::vector<int>& released,
                         const std::vector<int>& from) const {
        auto ok = [&](int j) { return group_ok(p_.group_of(j), route_of); };
        for (size_t i = 0; i < changed.size(); ++i) {
            const auto& seq = routes[changed[i]];
            for (size_t k = i < from.size() ? std::max(0, from[i]) : 0; k < seq.size(); ++k)
                if (!ok(seq[k])) return false;
        }
        for (int j : released) if (!ok(j)) return false;
        return true;
    }

    double sync_lower(int j, const std::vector<int>& route_of, const Schedule& s) const {
        return earliest_start(p_, j, route_of, s.start);
    }

    // One forward pass over route r from position ``from`` on, using partners' current
    // starts as lower bounds. The jobs before ``from`` keep their starts: nothing they
    // depend on has moved (a moved partner would have marked its job's position).
    bool pass(int r, int from, const std::vector<int>& seq, const std::vector<int>& route_of, Schedule& s) {
        const Caregiver& c = p_.cgs[r];
        const int n = static_cast<int>(seq.size());
        from = std::clamp(from, 0, n);
        double t = c.shift_s;
        bool break_done = !c.has_break;
        if (from > 0) {
            int prev = seq[from - 1];
            t = s.start[prev] + p_.jobs[prev].dur;
            if (c.has_break && s.r_break_pos[r] >= 0 && s.r_break_pos[r] < from) break_done = true;
        }
        if (from == 0 || !break_done) { s.r_break[r] = std::nan(""); s.r_break_pos[r] = -1; }
        int& bad_at = job_bad_pos_[r];
        if (bad_at >= from) bad_at = INT32_MAX;
        for (int k = from; k < n; ++k) {
            int j = seq[k];
            const Job& job = p_.jobs[j];
            double tr = leg_[j];
            double st = std::max(t + tr, sync_lower(j, route_of, s));
            bool break_here = false;
            if (!break_done) {
                // Take the break now if it fits in the idle time before this job, or if
                // after this job it would be too late; otherwise take it later.
                double b = std::max(t, c.bw_s);
                bool free = b <= c.bw_e + EPS && st + EPS >= b + c.bd && st + EPS >= t + tr + c.bd;
                bool forced = st + job.dur > c.bw_e + EPS;
                if (free || forced) {
                    if (b > c.bw_e + EPS) bad_at = std::min(bad_at, k);
                    s.r_break[r] = b;
                    s.r_break_pos[r] = k;
                    st = std::max(st, std::max(b + c.bd, t + tr + c.bd));
                    break_done = break_here = true;
                }
            }
            // Where the break falls can move a job earlier as well as later, so the
            // suffix is recomputed, not only raised.
            double old = s.start[j];
            if (st > HORIZON) return false;  // a positive cycle: partners wait for each other
            if (warp_weight_ > 0) {
                // Time warp: a late job starts at its hard latest start, and the minutes it
                // was pulled back are paid for instead of refusing the sequence.
                s.jw[j] = std::max(0.0, st - job.hard_e);
                st = std::min(st, job.hard_e);
            } else if (st > job.hard_e + EPS) {
                bad_at = std::min(bad_at, k);
            }
            if (k == 0) s.r_start[r] = break_here ? std::min(s.r_break[r], st - tr - c.bd) : st - tr;
            if (std::isnan(old) || std::fabs(st - old) > EPS) {
                s.start[j] = st;
                if (!p_.edges[j].empty()) moved_.push_back(j);
                for (const Edge& e : p_.edges[j]) {
                    int other = route_of[e.other];
                    if (other < 0) continue;
                    int q = pos_[e.other];
                    if (other == r && q > k) continue;  // later in this pass anyway
                    schedule_pass(other, q);
                }
            }
            t = st + job.dur;
        }
        bool bad = bad_at != INT32_MAX;
        if (warp_weight_ > 0) s.r_warp[r] = 0;
        if (seq.empty()) {
            s.r_start[r] = s.r_end[r] = c.shift_s;
            bad_[r] = 0;
            return true;
        }
        double home = home_leg_[r];
        double end = t + home;
        if (!break_done) {
            double b = std::max(t, c.bw_s);
            if (b > c.bw_e + EPS) bad = true;
            s.r_break[r] = b;
            s.r_break_pos[r] = n;
            end = std::max(b + c.bd, t + home + c.bd);
        }
        if (warp_weight_ > 0) {
            s.r_warp[r] = std::max(0.0, end - c.shift_e) + std::max(0.0, end - s.r_start[r] - c.max_work);
        } else {
            if (end > c.shift_e + EPS) bad = true;
            if (end - s.r_start[r] > c.max_work + EPS) bad = true;
        }
        s.r_end[r] = end;
        // Hard limits are judged on the final pass only: a partner not yet scheduled
        // can still move this route's jobs, earlier as well as later.
        bad_[r] = bad ? 1 : 0;
        return true;
    }

    // The synchronisations of the jobs whose start moved (both directions are stored
    // per job, so a pair with one moved job is checked from that side).
    bool sync_ok(const std::vector<int>& route_of, const Schedule& s) const {
        for (int j : moved_) {
            for (const Edge& e : p_.edges[j]) {
                if (route_of[e.other] < 0) continue;
                double gap = s.start[j] - s.start[e.other];
                if (gap < e.lo - 1e-6 || gap > e.hi + 1e-6) return false;
            }
        }
        return true;
    }

    // The cost components of route r; when its sequence is unchanged only the
    // time-dependent ones (tardiness, late cost, working hours) can have moved.
    void cost_route(int r, const std::vector<int>& seq, Schedule& s, bool resequenced) const {
        double tard = 0, maxtard = 0, work = 0, late_cost = 0;
        for (int j : seq) {
            double late = std::max(0.0, s.start[j] - p_.jobs[j].tw_e);
            tard += late;
            maxtard = std::max(maxtard, late);
            late_cost += late * p_.jobs[j].late_cost;
        }
        if (!seq.empty()) {
            double hours = (s.r_end[r] - s.r_start[r]) / 60.0;
            work = hours * hours;
        }
        s.rt_tard[r] = tard;
        s.rt_late[r] = late_cost;
        s.rt_maxtard[r] = maxtard;
        s.rt_work[r] = work;
        if (warp_weight_ > 0) {
            double warp = s.r_warp[r];
            for (int j : seq) warp += s.jw[j];
            s.rt_warp[r] = warp;
        }
        if (!resequenced) return;
        double travel = 0, pref = 0, cross = 0;
        bool prev_infectious = false;
        for (size_t k = 0; k < seq.size(); ++k) {
            int j = seq[k];
            const Job& job = p_.jobs[j];
            travel += leg_[j];
            pref += p_.pref[static_cast<size_t>(j) * p_.n_cgs() + r];
            if (k > 0 && prev_infectious && !job.infectious) cross += 1;
            prev_infectious = job.infectious;
        }
        if (!seq.empty()) travel += home_leg_[r];
        s.rt_travel[r] = travel;
        s.rt_pref[r] = pref;
        s.rt_cross[r] = cross;
    }

    void total(const std::vector<std::vector<int>>& routes, Schedule& s, double unserved) {
        const Weights& w = p_.w;
        s.travel = s.tardiness = s.max_tardiness = s.distinct = 0;
        s.preference = s.crossings = s.workload = s.late_cost = 0;
        s.warp = 0;
        s.unserved = unserved;
        for (int r = 0; r < p_.n_cgs(); ++r) {
            s.travel += s.rt_travel[r];
            s.tardiness += s.rt_tard[r];
            s.max_tardiness = std::max(s.max_tardiness, s.rt_maxtard[r]);
            s.preference += s.rt_pref[r];
            s.crossings += s.rt_cross[r];
            s.workload += s.rt_work[r];
            s.late_cost += s.rt_late[r];
            if (warp_weight_ > 0) s.warp += s.rt_warp[r];
        }
        if (w.distinct != 0) {
            // Distinct (client, caregiver) pairs, less one per client served at all.
            if (++epoch_ == 0) {
                std::fill(stamp_.begin(), stamp_.end(), 0);
                std::fill(seen_.begin(), seen_.end(), 0);
                epoch_ = 1;
            }
            for (int r = 0; r < p_.n_cgs(); ++r) {
                for (int j : routes[r]) {
                    int cl = p_.jobs[j].client;
                    if (cl < 0) continue;
                    uint32_t& st = stamp_[static_cast<size_t>(cl) * p_.n_cgs() + r];
                    if (st != epoch_) { st = epoch_; s.distinct += 1; }
                    if (seen_[cl] != epoch_) { seen_[cl] = epoch_; s.distinct -= 1; }
                }
            }
        }
        s.cost = s.unserved + w.travel * s.travel + w.tardiness * s.tardiness +
                 w.max_tardiness * s.max_tardiness + w.distinct * s.distinct - s.preference +
                 w.crossing * s.crossings + w.workload * s.workload + s.late_cost + warp_weight_ * s.warp;
    }

public:
    // Time warp on (weight per minute > 0) or off (0: late starts and overruns refuse
    // the sequence, as always outside the search's warp phase).
    void set_warp(double weight) { warp_weight_ = weight; }
    double warp_weight() const { return warp_weight_; }

private:
    double warp_weight_ = 0;
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
    double unserved_seed = 0.5;  // share of ruins centred on a costly unserved job
    double repair_share = 0.1;   // of the time limit, kept for the last group repair
    double repair_single_penalty = INF;  // single jobs this costly to leave out are repaired too
    double initial_temperature = 0;  // 0: from sampled move deltas
    double final_temperature_ratio = 1e-4;
    double initial_acceptance = 0.1;  // of the median worsening move, at the sampled start temperature
    bool verify = false;  // re-schedule every costed move in full and count disagreements
    int insert_candidates = 8;  // places costed exactly per insertion (0: all)
    double target_cost = -INF;  // stop as soon as the best cost is at or below this
    double time_warp = 0;  // > 0: the annealing runs with time warp at this cost per minute
    double warp_after = 0.3;  // ... from this share of the time on
    double warp_max_share = 0.02;  // ... if at most this share of the jobs (at least 2) is left out
    double warp_focus = 0;  // with warp: share of moves that start from a job of a route with warp
    double warp_temperature = 0;  // > 0: while warp is on, the annealing holds this many minutes of warp as its temperature
    double warp_restart = 0;  // > 0: with warp and no new best for this share of the time, warp starts again from the best
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
        double t0 = params_.initial_temperature > 0 ? params_.initial_temperature : initial_temperature(cur);
        t0_ = t0;
        double t_end = std::max(t0 * params_.final_temperature_ratio, 1e-6);
        double last_report = 0;
        double frac = 0;
        for (;; ++it) {
            if ((it & 255) == 0) {
                double el = elapsed();
                frac = params_.max_iterations > 0 ? static_cast<double>(it) / params_.max_iterations
                                                  : el / std::max(1e-9, params_.time_limit);
                if (frac >= 1.0) break;
                // Time warp begins once few jobs are left out (from ``warp_after`` on) and
                // starts again from the best when a share ``warp_restart`` of the time
                // (or of the moves) has passed without a new best.
                if (params_.time_warp > 0 && !warp_phase_ && frac >= params_.warp_after &&
                    (params_.repair_share <= 0 || frac < 1 - params_.repair_share) && warp_worth(best_)) {
                    cur = best_;
                    warp_on(cur);
                    last_cost_ = best_.sched.cost;
                    last_gain_ = frac;
                }
                if (params_.warp_restart > 0 && eval_.warp_weight() > 0) {
                    if (best_.sched.cost < last_cost_ - 1e-9) {
                        last_cost_ = best_.sched.cost;
                        last_gain_ = frac;
                    } else if (frac - last_gain_ > params_.warp_restart) {
                        cur = best_;
                        warp_on(cur);
                        last_gain_ = frac;
                        ++warp_restarts_;
                    }
                }
                // Near the end, the group repair when it has work; the annealing then goes
                // on, cold, from the best solution for whatever time is left.
                if (params_.max_iterations == 0 && params_.repair_share > 0 && frac >= 1 - params_.repair_share &&
                    !repair_checked_) {
                    repair_checked_ = true;
                    if (eval_.warp_weight() > 0) warp_off(cur);
                    if (repair_work(best_) && repair_groups()) cur = best_;
                }
                if (progress_ && el - last_report >= 0.5) {
                    last_report = el;
                    progress_(el, best_.sched.cost);  // takes Python's lock itself (``solve``)
                }
            }
            if (params_.max_iterations > 0 && it >= params_.max_iterations) break;
            if (best_.sched.cost <= params_.target_cost) break;
            if (eval_.warp_weight() > 0 && (it & 32767) == 32767) keep_projection(cur);
            if ((it & 4095) == 4095 && !evaluate(cur)) {  // exact re-check now and then
                ++faults_;
                cur = best_;
            }
            double temp = t0 * std::pow(t_end / t0, frac);
            // With time warp the cost of interest is minutes of overflow: the annealing
            // holds a temperature of about a minute of it instead of cooling on.
            if (params_.warp_temperature > 0 && eval_.warp_weight() > 0)
                temp = params_.warp_temperature * eval_.warp_weight();
            step(cur, temp);
        }
        iterations_ = it;
        if (eval_.warp_weight() > 0) warp_off(cur);
        if (params_.max_iterations > 0 && params_.repair_share > 0 && best_.sched.cost > params_.target_cost)
            repair_groups();
        return best_;  // every best was evaluated exactly when it was kept
    }

private:
    bool repair_checked_ = false;

    // ---- time warp
    //
    // With a warp weight, a sequence that starts a job after its hard latest start, or
    // ends past the shift or the working time, is not refused: the job starts at its
    // latest start all the same and each minute pulled back costs ``time_warp`` (Vidal et
    // al.'s time warp, as in HGS). The search can then pass through overfull routes and
    // is led by how far they overflow, where leaving a job out costs the same whatever
    // the routes look like. Only states without warp can become the best.
    void warp_on(State& cur) {
        warp_phase_ = true;
        eval_.set_warp(params_.time_warp);
        evaluate(cur);  // the best, warp-free: the same cost with warp
        std::vector<int> todo;
        for (int j = 0; j < p_.n_jobs(); ++j)
            if (cur.route_of[j] < 0 && !p_.elig_list[j].empty()) todo.push_back(j);
        std::stable_sort(todo.begin(), todo.end(),
                         [&](int a, int b) { return p_.group_penalty(a) > p_.group_penalty(b); });
        recreate(cur, todo, /*full=*/true);
    }

    // Back to hard limits for the rest of the search, from the best of the best state
    // and the current one made warp-free (``project``).
    void warp_off(State& cur) {
        warp_left_ = cur.sched.warp;
        keep_projection(cur);
        eval_.set_warp(0);
        evaluate(best_);
        cur = best_;
    }

    // ``s`` without warp: the job pulled back furthest (with its group) is left out,
    // or the last job of a route that overruns its shift, until no warp is left. Left
    // out jobs only free time, so each step lowers the warp; false if the state still
    // cannot be scheduled.
    bool project(State& s) {
        for (int guard = 0; warped(s) && guard < p_.n_jobs(); ++guard) {
            int worst = -1;
            double most = 1e-9;
            for (int r = 0; r < p_.n_cgs(); ++r) {
                if (s.sched.rt_warp[r] <= 1e-9) continue;
                for (int j : s.routes[r])
                    if (s.sched.jw[j] > most) { most = s.sched.jw[j]; worst = j; }
                if (s.sched.r_warp[r] > most && !s.routes[r].empty()) {
                    most = s.sched.r_warp[r];
                    worst = s.routes[r].back();
                }
            }
            if (worst < 0) return false;
            for (int m : p_.members_of(worst))
                if (s.route_of[m] >= 0) remove_job(s, m);
            if (!evaluate(s)) return false;
        }
        return !warped(s);
    }

    // Make a warp-free copy of ``cur`` and keep it as the best if it is.
    void keep_projection(const State& cur) {
        if (!warped(cur)) return;
        State p = cur;
        if (!project(p) || p.sched.cost >= best_.sched.cost - 1e-9) return;
        const double weight = eval_.warp_weight();
        eval_.set_warp(0);  // the best is costed as the search without warp costs it
        if (eval_.run(p.routes, p.route_of, probe_) && probe_.cost < best_.sched.cost - 1e-9) {
            p.sched = probe_;
            best_ = p;
            ++projections_;
        }
        eval_.set_warp(weight);
    }
    long projections_ = 0;
    long warp_restarts_ = 0;
    double last_cost_ = 0, last_gain_ = 0;  // the best's cost when it last fell, and when (share of the time)
    bool warp_phase_ = false;  // the search ran with time warp
    double warp_left_ = 0;     // minutes of warp of the current state when it ended

    static bool warped(const State& s) { return s.sched.warp > 1e-9; }

    // Only a few jobs left out: the day is (nearly) keepable in full, where warp finds
    // the last places; with many left out, leaving the right ones out is the work, and
    // making a warped state warp-free leaves out more than needed.
    bool warp_worth(const State& s) const {
        long out = 0;
        for (int j = 0; j < p_.n_jobs(); ++j) out += (s.route_of[j] < 0 && !p_.elig_list[j].empty());
        return out > 0 && out <= std::max(2.0, params_.warp_max_share * p_.n_jobs());
    }

    // Left out and worth the repair: a double-staffed visit, or a single job costing at
    // least ``repair_single_penalty``.
    bool repairable(const State& s, int j) const {
        if (s.route_of[j] >= 0 || p_.elig_list[j].empty()) return false;
        const auto& g = p_.group_of(j);
        return g.size() == 2 || (g.empty() && p_.jobs[j].penalty >= params_.repair_single_penalty);
    }

    bool repair_work(const State& s) const {
        for (int j = 0; j < p_.n_jobs(); ++j)
            if (repairable(s, j)) return true;
        return false;
    }

    // A last descent from the best solution for the jobs ``repairable`` names: for each
    // (costliest first), every eligible route (pair of routes for a double-staffed
    // visit) and five points of its window, clear room (``clear_for``) and keep the
    // result if it costs less. Annealing rarely opens two routes at once late in a
    // short search; this tries every opening. It stops at the time limit (with
    // ``max_iterations``: after a budget of attempts), or after one sweep. True when it
    // kept a change.
    bool repair_groups() {
        const long before = repairs_;
        State cur = best_;
        std::vector<int> todo;
        std::vector<uint8_t> seen(p_.groups.size(), 0);
        for (int j = 0; j < p_.n_jobs(); ++j) {
            const int g = p_.jobs[j].group;
            if (!repairable(cur, j) || (g >= 0 && seen[g])) continue;
            if (g >= 0) seen[g] = 1;
            todo.push_back(j);
        }
        std::stable_sort(todo.begin(), todo.end(),
                         [&](int a, int b) { return p_.group_penalty(a) > p_.group_penalty(b); });
        // Without a clock, a budget of attempts (each costs about as much as a hundred
        // moves) keeps the sweep in proportion to the search.
        long attempts = params_.max_iterations > 0
                            ? std::max(100L, static_cast<long>(params_.max_iterations * params_.repair_share / 100))
                            : -1;
        std::vector<std::vector<int>> openings;  // per opening, a route for each member
        for (int j : todo) {
            const std::vector<int> members = p_.members_of(j);
            openings.clear();
            if (members.size() == 1) {
                for (int r : p_.elig_list[j]) openings.push_back({r});
            } else {
                const auto& first = p_.elig_list[members[0]];
                const auto& second = p_.elig_list[members[1]];
                const bool alike = first == second;  // then each pair of routes once
                for (int r1 : first)
                    for (int r2 : second)
                        if (r1 != r2 && !(alike && r2 < r1)) openings.push_back({r1, r2});
            }
            bool placed = false;
            for (size_t k = 0; k < openings.size() && !placed; ++k) {
                for (double u : {0.0, 0.25, 0.5, 0.75, 1.0}) {
                    // Served already when an earlier repair reinserted it with what it moved.
                    placed = std::any_of(members.begin(), members.end(), [&](int m) { return cur.route_of[m] >= 0; });
                    if (placed) break;
                    if (params_.max_iterations == 0 ? elapsed() >= params_.time_limit : attempts-- == 0)
                        return repairs_ > before;
                    placed = improve(cur, [&] { return clear_for(cur, j, u, &openings[k], /*full=*/true); });
                    if (placed) break;
                }
            }
        }
        return repairs_ > before;
    }

    // Apply ``move`` to ``cur`` and keep it only if the cost falls (a new best is
    // evaluated exactly first). True when kept.
    template <class Move>
    bool improve(State& cur, Move&& move) {
        const double before = cur.sched.cost;
        saved_.clear();
        Schedule backup = cur.sched;
        if (move() && evaluate_move(cur, scratch_, true, true) && scratch_.cost < before - 1e-9 &&
            eval_.run(cur.routes, cur.route_of, probe_) && probe_.cost < before - 1e-9) {
            std::swap(cur.sched, probe_);
            saved_.clear();
            if (cur.sched.cost < best_.sched.cost - 1e-9 && !warped(cur)) best_ = cur;
            ++repairs_;
            return true;
        }
        restore(cur);
        cur.sched = std::move(backup);
        return false;
    }

    long repairs_ = 0;

public:
    long repairs() const { return repairs_; }
    long projections() const { return projections_; }
    long warp_restarts() const { return warp_restarts_; }
    bool warp_phase() const { return warp_phase_; }
    double warp_left() const { return warp_left_; }

    long iterations() const { return iterations_; }
    long mismatches() const { return mismatches_; }
    long faults() const { return faults_; }
    // Per move kind: proposed, feasible, accepted, improved the best.
    std::vector<std::array<long, 4>> stats = std::vector<std::array<long, 4>>(7, {0, 0, 0, 0});
    double t0_ = 0;
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
    long faults_ = 0;  // moves whose fast costing an exact re-evaluation refused
    long mismatches_ = 0;  // with ``verify``: partial schedules that differ from full ones
    Schedule full_;

    // Does the partial costing (feasible, and then scratch_) agree with a full
    // re-scheduling of the moved state?
    void check_partial(const State& s, bool feasible) { check_schedule(s, scratch_, feasible, true); }

    void check_schedule(const State& s, const Schedule& got, bool feasible, bool check_groups) {
        // The full run rebuilds the evaluator's positions; the caller's state is unchanged.
        bool ok = eval_.run(s.routes, s.route_of, full_, check_groups);
        if (!ok || !feasible) {
            if (ok != feasible) ++mismatches_;
            return;
        }
        bool same = std::fabs(full_.cost - got.cost) <= 1e-6 * std::max(1.0, std::fabs(full_.cost));
        for (int j = 0; same && j < p_.n_jobs(); ++j) {
            double a = full_.start[j], b = got.start[j];
            if (std::isnan(a) != std::isnan(b) || (!std::isnan(a) && std::fabs(a - b) > 1e-6)) same = false;
        }
        if (!same) ++mismatches_;
    }
    Schedule scratch_, probe_;
    std::vector<std::pair<int, std::vector<int>>> saved_;
    std::vector<int> changed_, released_, one_, from_, at_;
    std::vector<uint8_t> grown_, yes_{1};

    // ---- state helpers

    bool evaluate(State& s, bool check_groups = true) { return eval_.run(s.routes, s.route_of, s.sched, check_groups); }

    // Cost the moved state (routes recorded in saved_) into ``out`` from ``s.sched``, the
    // schedule of the saved routes. Each changed route is re-scheduled from its first
    // changed position (``from_start``: from its start, when ``s.sched`` may not be
    // the schedule of the saved routes).
    bool evaluate_move(const State& s, Schedule& out, bool check_groups = true, bool from_start = false) {
        changed_.clear();
        released_.clear();
        from_.clear();
        grown_.clear();
        for (auto& pr : saved_) {
            changed_.push_back(pr.first);
            for (int j : pr.second) released_.push_back(j);
            const auto& now = s.routes[pr.first];
            const auto& was = pr.second;
            size_t k = 0;
            if (!from_start) while (k < now.size() && k < was.size() && now[k] == was[k]) ++k;
            from_.push_back(static_cast<int>(k));
            grown_.push_back(!from_start && only_gained(s, was, now, k) ? 1 : 0);
        }
        return eval_.partial(s.routes, s.route_of, s.sched, changed_, released_, out, check_groups, from_, grown_);
    }

    // ``now`` is ``was`` with jobs inserted that ``s.sched`` has unserved (from ``k``,
    // the first difference, on).
    bool only_gained(const State& s, const std::vector<int>& was, const std::vector<int>& now, size_t k) const {
        if (now.size() <= was.size()) return false;
        size_t i = k;
        for (size_t m = k; m < now.size(); ++m) {
            if (i < was.size() && now[m] == was[i]) { ++i; continue; }
            if (!std::isnan(s.sched.start[now[m]])) return false;
        }
        return i == was.size();
    }

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
            return p_.jobs[a].tw_s < p_.jobs[b].tw_s;
        });
        recreate(s, todo, /*full=*/true);
        if (!evaluate(s)) {  // never hand on what an exact evaluation refuses
            ++faults_;
            for (auto& seq : s.routes) seq.clear();
            std::fill(s.route_of.begin(), s.route_of.end(), -1);
            evaluate(s);
        }
        return s;
    }

    // Greedy best insertion of the groups of ``todo`` (unserved ones), in order; a
    // group is kept only if it lowers the cost.
    void recreate(State& s, const std::vector<int>& todo, bool full, bool save_routes = false) {
        save_inserts_ = save_routes;
        for (int j : todo) {
            if (s.route_of[j] >= 0) continue;
            const std::vector<int> members = p_.members_of(j);
            const double before = s.sched.cost;
            std::vector<std::pair<int, std::vector<int>>> undo;
            bool ok = true;
            for (int m : members) {
                int r = best_insert(s, m, full);
                if (r < 0) { ok = false; break; }
                undo.emplace_back(r, std::vector<int>{});
            }
            if (ok) {
                // Cost the whole group with group rules now that all members are placed.
                one_.clear();
                for (auto& u : undo) one_.push_back(u.first);
                released_.clear();
                ok = eval_.partial(s.routes, s.route_of, s.sched, one_, released_, probe_) &&
                     probe_.cost < before + 1e-9;
                if (ok) std::swap(s.sched, probe_);
            }
            if (!ok) {
                one_.clear();
                for (int m : members) {
                    if (s.route_of[m] >= 0) { one_.push_back(s.route_of[m]); remove_job(s, m); }
                }
                released_.assign(members.begin(), members.end());
                if (eval_.partial(s.routes, s.route_of, s.sched, one_, released_, probe_, false))
                    std::swap(s.sched, probe_);
                else
                    eval_.run(s.routes, s.route_of, s.sched, false);
            }
        }
    }

    // Insert job j where the cost is lowest; returns the route, or -1 when no feasible
    // place exists (then nothing changes). Group rules are not checked here. The places
    // looked at are first ranked by a cheap estimate (added travel, lateness on arrival,
    // how far the next job is pushed); only the best ``insert_candidates`` of them are
    // costed exactly.
    int best_insert(State& s, int j, bool full) {
        cands_.clear();
        auto note = [&](int r, int pos) {
            pos = std::clamp(pos, 0, static_cast<int>(s.routes[r].size()));
            for (const auto& c : cands_) if (c.r == r && c.pos == pos) return;
            double est = estimate(s, j, r, pos);
            if (est < INF) cands_.push_back({est, r, pos});
        };
        if (full) {
            for (int r : p_.elig_list[j]) {
                if (group_conflict(s, j, r)) continue;
                int n = static_cast<int>(s.routes[r].size());
                int centre = time_position(s, j, r);
                for (int pos = std::max(0, centre - 3); pos <= std::min(n, centre + 3); ++pos) note(r, pos);
            }
        } else {
            // Next to each served neighbour, and at the time position of two random routes.
            for (int k : p_.neighbours[j]) {
                int r = s.route_of[k];
                if (r < 0 || !p_.can(j, r) || group_conflict(s, j, r)) continue;
                int at = position_of(s, k);
                note(r, at);
                note(r, at + 1);
            }
            for (int extra = 0; extra < 2; ++extra) {
                int r = random_eligible(j, s);
                if (r >= 0) note(r, time_position(s, j, r));
            }
        }
        const size_t keep = params_.insert_candidates > 0
                                ? std::min(cands_.size(), static_cast<size_t>(params_.insert_candidates) * (full ? 2 : 1))
                                : cands_.size();
        std::partial_sort(cands_.begin(), cands_.begin() + keep, cands_.end(),
                          [](const Candidate& a, const Candidate& b) { return a.est < b.est; });
        double best_cost = INF;
        int best_r = -1, best_pos = -1;
        for (size_t i = 0; i < keep; ++i) {
            const int r = cands_[i].r, pos = cands_[i].pos;
            insert_job(s, j, r, pos);
            one_.assign(1, r);
            at_.assign(1, pos);
            released_.clear();
            const bool ok = eval_.partial(s.routes, s.route_of, s.sched, one_, released_, probe_, false, at_, grown_of(j, s));
            if (params_.verify) check_schedule(s, probe_, ok, false);
            if (ok && probe_.cost < best_cost) {
                best_cost = probe_.cost;
                best_r = r;
                best_pos = pos;
            }
            remove_job(s, j);
        }
        if (best_r < 0) return -1;
        if (save_inserts_) save(s, best_r);
        insert_job(s, j, best_r, best_pos);
        one_.assign(1, best_r);
        at_.assign(1, best_pos);
        released_.clear();
        if (!eval_.partial(s.routes, s.route_of, s.sched, one_, released_, probe_, false, at_, grown_of(j, s))) {
            remove_job(s, j);
            return -1;
        }
        std::swap(s.sched, probe_);
        return best_r;
    }

    // Inserting j grows its route only if j is unserved in the current schedule.
    const std::vector<uint8_t>& grown_of(int j, const State& s) {
        static const std::vector<uint8_t> no;
        return std::isnan(s.sched.start[j]) ? yes_ : no;
    }

    bool save_inserts_ = false;  // a move's recreate: save each route before it first grows

    struct Candidate {
        double est;
        int r, pos;
    };
    std::vector<Candidate> cands_;

    // A quick guess at what inserting j at ``pos`` of route r adds, from the current
    // schedule: INF when j could not start before its hard latest start there.
    double estimate(const State& s, int j, int r, int pos) const {
        const auto& seq = s.routes[r];
        const Caregiver& c = p_.cgs[r];
        const Job& job = p_.jobs[j];
        const int n = static_cast<int>(seq.size());
        int prev_loc = c.start_loc, next_loc = c.end_loc;
        double ready = c.shift_s;
        if (pos > 0) {
            const int prev = seq[pos - 1];
            prev_loc = p_.jobs[prev].loc;
            ready = s.sched.start[prev] + p_.jobs[prev].dur;
        }
        if (pos < n) next_loc = p_.jobs[seq[pos]].loc;
        const double to = p_.travel(r, prev_loc, job.loc), from = p_.travel(r, job.loc, next_loc);
        const double start = std::max(ready + to, earliest_start(p_, j, s.route_of, s.sched.start));
        double warp = 0;
        if (start > job.hard_e + EPS || start + job.dur > c.shift_e + EPS) {
            if (eval_.warp_weight() <= 0) return INF;
            warp = std::max(0.0, start - job.hard_e) + std::max(0.0, start + job.dur - c.shift_e);
        }
        const double late = std::max(0.0, start - job.tw_e);
        double push = 0;
        if (pos < n) push = std::max(0.0, start + job.dur + from - s.sched.start[seq[pos]]);
        const Weights& w = p_.w;
        return eval_.warp_weight() * warp + w.travel * (to + from - p_.travel(r, prev_loc, next_loc)) +
               (w.tardiness + w.max_tardiness + job.late_cost) * late +
               0.5 * w.tardiness * push - p_.pref[static_cast<size_t>(j) * p_.n_cgs() + r];
    }

    // ---- annealing

    double initial_temperature(State& cur) {
        std::vector<double> ups;
        for (int k = 0; k < 200; ++k) {
            saved_.clear();
            if (propose(cur) && evaluate_move(cur, scratch_)) {
                double d = scratch_.cost - cur.sched.cost;
                if (d > 1e-9) ups.push_back(d);
            }
            restore(cur);
        }
        if (ups.empty()) return 1.0;
        std::nth_element(ups.begin(), ups.begin() + ups.size() / 2, ups.end());
        // The median worsening is accepted with probability ``initial_acceptance``.
        return std::max(1e-3, ups[ups.size() / 2] / std::log(1.0 / params_.initial_acceptance));
    }

    void step(State& cur, double temp) {
        temp_ = temp;
        const double before = cur.sched.cost;
        saved_.clear();
        const bool ruin = rng_.unit() < params_.ruin_probability;
        Schedule backup;
        if (ruin) backup = cur.sched;  // recreate overwrites the current schedule
        bool moved = ruin ? ruin_recreate(cur) : propose(cur);
        int kind = ruin ? 6 : last_kind_;
        stats[kind][0]++;
        bool accept = false;
        // After a recreate the current schedule is that of the recreated routes, not of
        // the saved ones: re-schedule those from their starts.
        const bool feasible = moved && evaluate_move(cur, scratch_, true, ruin);
        if (moved && params_.verify) check_partial(cur, feasible);
        if (feasible) {
            stats[kind][1]++;
            double delta = scratch_.cost - before;
            accept = delta <= 1e-12 || rng_.unit() < std::exp(-delta / temp);
        }
        if (accept) {
            stats[kind][2]++;
            std::swap(cur.sched, scratch_);
            if (cur.sched.cost < best_.sched.cost - 1e-9 && !warped(cur)) {
                // A new best is re-scheduled exactly before it is kept.
                if (!eval_.run(cur.routes, cur.route_of, probe_)) {
                    ++faults_;
                    std::swap(cur.sched, scratch_);
                    restore(cur);
                    if (ruin) cur.sched = std::move(backup);
                    return;
                }
                std::swap(cur.sched, probe_);
                if (cur.sched.cost < best_.sched.cost - 1e-9 && !warped(cur)) { best_ = cur; stats[kind][3]++; }
            }
            saved_.clear();
            return;
        }
        restore(cur);
        if (ruin) cur.sched = std::move(backup);
    }

    int last_kind_ = 0;
    double temp_ = INF;  // the annealing temperature of the current step

    bool propose(State& s) {
        int kind = rng_.below(100);
        if (kind < 35) { last_kind_ = 0; return relocate(s); }
        if (kind < 55) { last_kind_ = 1; return swap(s); }
        if (kind < 68) { last_kind_ = 2; return two_opt(s); }
        if (kind < 82) { last_kind_ = 3; return insert_unserved(s); }
        if (kind < 90) { last_kind_ = 5; return replace(s); }
        last_kind_ = 4;
        return remove_served(s);
    }

    int random_served(const State& s) {
        if (params_.warp_focus > 0 && warped(s) && rng_.unit() < params_.warp_focus) {
            int j = warped_job(s);
            if (j >= 0) return j;
        }
        for (int tries = 0; tries < 16; ++tries) {
            int j = rng_.below(p_.n_jobs());
            if (s.route_of[j] >= 0) return j;
        }
        return -1;
    }

    // A job of a route with time warp (at random among those routes), or -1.
    int warped_job(const State& s) {
        warped_routes_.clear();
        for (int r = 0; r < p_.n_cgs(); ++r)
            if (s.sched.rt_warp[r] > 1e-9 && !s.routes[r].empty()) warped_routes_.push_back(r);
        if (warped_routes_.empty()) return -1;
        const auto& seq = s.routes[warped_routes_[rng_.below(static_cast<int>(warped_routes_.size()))]];
        return seq[rng_.below(static_cast<int>(seq.size()))];
    }
    std::vector<int> warped_routes_;

    int random_unserved(const State& s) {
        for (int tries = 0; tries < 16; ++tries) {
            int j = rng_.below(p_.n_jobs());
            if (s.route_of[j] < 0 && !p_.elig_list[j].empty()) return j;
        }
        return -1;
    }

    bool any_unserved(const State& s) const {
        for (int j = 0; j < p_.n_jobs(); ++j)
            if (s.route_of[j] < 0 && !p_.elig_list[j].empty()) return true;
        return false;
    }

    // Of two unserved jobs, the one costlier to leave out (a tournament of two).
    int costly_unserved(const State& s) {
        int a = random_unserved(s), b = random_unserved(s);
        if (a < 0 || b < 0) return a < 0 ? b : a;
        return p_.jobs[a].penalty >= p_.jobs[b].penalty ? a : b;
    }

    // A served neighbour of j that j may join (eligible route, no group clash), or -1.
    int served_neighbour(const State& s, int j, bool other_route) {
        const auto& nb = p_.neighbours[j];
        if (nb.empty()) return -1;
        for (int tries = 0; tries < 6; ++tries) {
            int k = nb[rng_.below(static_cast<int>(nb.size()))];
            int r = s.route_of[k];
            if (r < 0 || !p_.can(j, r)) continue;
            if (other_route && r == s.route_of[j]) continue;
            if (r != s.route_of[j] && group_conflict(s, j, r)) continue;
            return k;
        }
        return -1;
    }

    int position_of(const State& s, int j) const {
        const auto& seq = s.routes[s.route_of[j]];
        return static_cast<int>(std::find(seq.begin(), seq.end(), j) - seq.begin());
    }

    bool relocate(State& s) {
        int j = random_served(s);
        if (j < 0) return false;
        int from = s.route_of[j];
        int k = served_neighbour(s, j, false);
        int to, pos;
        if (k >= 0 && k != j) {
            to = s.route_of[k];
            save(s, from);
            save(s, to);
            remove_job(s, j);
            pos = position_of(s, k) + rng_.below(2);  // just before or after the neighbour
        } else {
            to = rng_.below(3) == 0 ? from : random_eligible(j, s);
            if (to < 0) to = from;
            if (to != from && group_conflict(s, j, to)) return false;
            save(s, from);
            save(s, to);
            remove_job(s, j);
            pos = time_position(s, j, to) + rng_.below(3) - 1;
        }
        insert_job(s, j, to, pos);
        return true;
    }

    bool swap(State& s) {
        int a = random_served(s);
        if (a < 0) return false;
        int b = served_neighbour(s, a, true);
        if (b < 0) b = random_served(s);
        if (b < 0 || a == b) return false;
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
        int j = costly_unserved(s);
        if (j < 0) return false;
        for (int m : p_.members_of(j)) {
            if (s.route_of[m] >= 0) return false;
            int k = served_neighbour(s, m, false);
            int r = k >= 0 ? s.route_of[k] : random_eligible(m, s);
            if (r < 0) return false;
            save(s, r);
            int pos = k >= 0 ? position_of(s, k) + rng_.below(2) : time_position(s, m, r) + rng_.below(2);
            insert_job(s, m, r, pos);
        }
        return true;
    }

    // An unserved job takes the place of a cheaper served neighbour (triage: keep the
    // more important visit when there is room for only one).
    bool replace(State& s) {
        int j = costly_unserved(s);
        if (j < 0) return false;
        if (!p_.group_of(j).empty()) return replace_group(s, j);
        const auto& nb = p_.neighbours[j];
        if (nb.empty()) return false;
        int k = nb[rng_.below(static_cast<int>(nb.size()))];
        int r = s.route_of[k];
        if (r < 0 || !p_.can(j, r) || !p_.group_of(k).empty()) return false;
        // Two jobs both worth the repair (class-1 care in the planner) may trade places
        // whatever their penalties: which of them is left out is for the annealing to
        // weigh, and moving the gap around is how full routes make room for the last one.
        const bool both_vital = p_.jobs[k].penalty >= params_.repair_single_penalty &&
                                p_.jobs[j].penalty >= params_.repair_single_penalty;
        if (p_.jobs[k].penalty >= p_.jobs[j].penalty && !both_vital) return false;
        save(s, r);
        int at = position_of(s, k);
        remove_job(s, k);
        insert_job(s, j, r, at);
        return true;
    }

    // The same for a double-staffed visit: each member takes the place of a cheaper
    // single served neighbour, on different routes.
    bool replace_group(State& s, int j) {
        const auto& members = p_.group_of(j);
        double gained = 0, lost = 0;
        for (int m : members) {
            if (s.route_of[m] >= 0) return false;
            gained += p_.jobs[m].penalty;
        }
        for (int m : members) {
            const auto& nb = p_.neighbours[m];
            if (nb.empty()) return false;
            int k = nb[rng_.below(static_cast<int>(nb.size()))];
            int r = s.route_of[k];
            if (r < 0 || !p_.can(m, r) || !p_.group_of(k).empty() || group_conflict(s, m, r)) return false;
            lost += p_.jobs[k].penalty;
            save(s, r);
            int at = position_of(s, k);
            remove_job(s, k);
            insert_job(s, m, r, at);
        }
        return lost < gained;
    }

    bool remove_served(State& s) {
        int j = random_served(s);
        if (j < 0) return false;
        const std::vector<int> members = p_.members_of(j);
        // Leaving jobs out saves at most the whole routing cost; when their penalty
        // exceeds that by far more than the temperature, the move cannot be accepted
        // (e^-50), so it is not costed at all.
        const double penalty = p_.group_penalty(j);
        const Schedule& sc = s.sched;
        if (penalty - (sc.cost - sc.unserved + sc.preference) > 50.0 * temp_) return false;
        for (int m : members) {
            if (s.route_of[m] < 0) continue;
            save(s, s.route_of[m]);
            remove_job(s, m);
        }
        return true;
    }

    // Make room for the unserved group of ``seed`` (a double-staffed visit, or visits
    // tied by gaps): each member goes into a different eligible route at one common
    // point of the members' windows, the jobs of that route around that time are taken
    // out, and those are reinserted greedily wherever they fit, the costliest first.
    // ``u`` places the common point in the windows (0: earliest start, 1: latest);
    // ``routes``, when given, names the route of each member in turn (else random).
    bool clear_for(State& s, int seed, double u = -1, const std::vector<int>* routes = nullptr, bool full = false) {
        const std::vector<int> members = p_.members_of(seed);
        if (u < 0) u = rng_.unit();
        std::vector<int> removed, taken;
        for (size_t i = 0; i < members.size(); ++i) {
            const int m = members[i];
            if (s.route_of[m] >= 0) continue;
            const Job& jm = p_.jobs[m];
            double last = std::min(jm.tw_e, jm.hard_e);
            if (!std::isfinite(last)) last = jm.tw_s + 120.0;
            const double at = jm.tw_s + u * (last - jm.tw_s);
            int r = routes ? (*routes)[i] : random_eligible(m, s);
            if (r >= 0 && routes && (!p_.can(m, r) || group_conflict(s, m, r))) r = -1;
            if (r < 0 || std::find(taken.begin(), taken.end(), r) != taken.end()) return false;
            taken.push_back(r);
            save(s, r);
            const double slack = 15.0;  // minutes of travel either side
            for (int o : std::vector<int>(s.routes[r])) {
                const double st = s.sched.start[o];
                if (std::isnan(st) || st > at + jm.dur + slack || st + p_.jobs[o].dur < at - slack) continue;
                for (int x : p_.members_of(o)) {
                    if (s.route_of[x] < 0) continue;
                    save(s, s.route_of[x]);
                    remove_job(s, x);
                    removed.push_back(x);
                }
            }
            insert_job(s, m, r, time_position(s, m, r));
        }
        if (!reschedule_saved(s)) return false;
        reinsert(s, removed, full);
        return true;
    }

    // Remove a few related jobs (close in place and time) and reinsert them greedily.
    bool ruin_recreate(State& s) {
        // Centred on a served job, or (a share ``unserved_seed`` of the time) on a job left
        // out: the served jobs near it in place and time make room for it, and it is
        // reinserted first when it is the costliest (a double-staffed visit needs two
        // routes free at once, which single moves rarely open).
        int seed = -1;
        if (params_.unserved_seed > 0 && any_unserved(s) && rng_.unit() < params_.unserved_seed)
            seed = costly_unserved(s);
        const bool left_out = seed >= 0;
        if (left_out && !p_.group_of(seed).empty() && rng_.unit() < 0.5) return clear_for(s, seed);
        if (seed < 0) seed = random_served(s);
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
        if (left_out) {
            for (int m : p_.members_of(seed))
                if (s.route_of[m] < 0) removed.push_back(m);
        }
        for (int i = 0; i < take; ++i) {
            for (int m : p_.members_of(near[i].second)) {
                if (s.route_of[m] < 0) continue;
                save(s, s.route_of[m]);
                remove_job(s, m);
                removed.push_back(m);
            }
        }
        if (!reschedule_saved(s)) return false;
        reinsert(s, removed, false);
        return true;
    }

    // Reinsert ``removed`` with a few other unserved jobs, costliest to leave out first
    // (a double-staffed visit by the penalty of both its jobs: ranked by each job's half,
    // such visits came after single visits worth less than the whole and found their
    // two routes filled; ties in random order), saving each route before it first grows.
    void reinsert(State& s, std::vector<int>& removed, bool full) {
        for (int extra = 0; extra < 3; ++extra) {
            int u = costly_unserved(s);
            if (u >= 0) removed.push_back(u);
        }
        for (int i = static_cast<int>(removed.size()) - 1; i > 0; --i) std::swap(removed[i], removed[rng_.below(i + 1)]);
        std::stable_sort(removed.begin(), removed.end(),
                         [&](int a, int b) { return p_.group_penalty(a) > p_.group_penalty(b); });
        recreate(s, removed, full, /*save_routes=*/true);
    }

    // After jobs left the saved routes: ``s.sched`` becomes their schedule, re-scheduled
    // from their starts (without group rules, as during a recreate). False when it is
    // infeasible.
    bool reschedule_saved(State& s) {
        if (!evaluate_move(s, probe_, false, true)) return false;
        std::swap(s.sched, probe_);
        return true;
    }
};

// ---------------------------------------------------------------------- bindings

// Related jobs: near in place and in time, and sharing an eligible caregiver. Moves
// place a job next to one of its neighbours (granular neighbourhoods).
void build_neighbours(Problem& p) {
    const int n = p.n_jobs(), R = p.n_cgs();
    const int K = std::min(24, std::max(0, n - 1));
    p.neighbours.assign(n, {});
    std::vector<std::pair<double, int>> cand;
    for (int a = 0; a < n; ++a) {
        cand.clear();
        const Job& ja = p.jobs[a];
        for (int b = 0; b < n; ++b) {
            if (a == b) continue;
            bool share = false;
            for (int r = 0; r < R && !share; ++r) share = p.eligible[static_cast<size_t>(a) * R + r] && p.eligible[static_cast<size_t>(b) * R + r];
            if (!share) continue;
            const Job& jb = p.jobs[b];
            double d = p.mats[0][static_cast<size_t>(ja.loc) * p.n_loc + jb.loc] +
                       0.5 * std::fabs(ja.tw_s - jb.tw_s) + 0.25 * std::fabs(ja.tw_e - jb.tw_e);
            cand.emplace_back(d, b);
        }
        int k = std::min<int>(K, static_cast<int>(cand.size()));
        std::partial_sort(cand.begin(), cand.begin() + k, cand.end());
        for (int i = 0; i < k; ++i) p.neighbours[a].push_back(cand[i].second);
    }
}

Problem parse(const py::dict& d) {
    Problem p;
    p.n_loc = d["size"].cast<int>();
    for (auto m : d["matrices"].cast<py::list>()) {
        auto v = m.cast<std::vector<double>>();
        if (v.size() != static_cast<size_t>(p.n_loc) * p.n_loc)
            throw std::invalid_argument("matrix " + std::to_string(p.mats.size()) + " is not " + std::to_string(p.n_loc) + "x" + std::to_string(p.n_loc));
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
        const std::string where = "caregiver " + std::to_string(p.cgs.size()) + ": ";
        if (cg.matrix < 0 || cg.matrix >= static_cast<int>(p.mats.size()))
            throw std::invalid_argument(where + "travel matrix " + std::to_string(cg.matrix) + " does not exist");
        if (cg.start_loc < 0 || cg.start_loc >= p.n_loc || cg.end_loc < 0 || cg.end_loc >= p.n_loc)
            throw std::invalid_argument(where + "start or end location is not in the matrix");
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
        if (t.size() > 11) job.late_cost = t[11].cast<double>();
        const std::string where = "job " + std::to_string(j) + ": ";
        if (job.loc < 0 || job.loc >= p.n_loc)
            throw std::invalid_argument(where + "location " + std::to_string(job.loc) + " is not in the matrix");
        if (!(job.late_cost >= 0))
            throw std::invalid_argument(where + "late cost " + std::to_string(job.late_cost) + " is negative");
        for (int c : t[9].cast<std::vector<int>>()) {
            if (c < 0 || static_cast<size_t>(c) >= R)
                throw std::invalid_argument(where + "eligible caregiver " + std::to_string(c) + " does not exist (" + std::to_string(R) + " caregivers)");
            if (!p.eligible[j * R + c]) p.elig_list[j].push_back(c);
            p.eligible[j * R + c] = 1;
        }
        for (auto pr : t[10].cast<std::vector<std::pair<int, double>>>()) {
            if (pr.first < 0 || static_cast<size_t>(pr.first) >= R)
                throw std::invalid_argument(where + "preferred caregiver " + std::to_string(pr.first) + " does not exist");
            p.pref[j * R + pr.first] = pr.second;
        }
        p.n_clients = std::max(p.n_clients, job.client + 1);
        max_group = std::max(max_group, job.group);
        p.jobs.push_back(job);
    }
    p.groups.assign(max_group + 1, {});
    for (int j = 0; j < p.n_jobs(); ++j)
        if (p.jobs[j].group >= 0) p.groups[p.jobs[j].group].push_back(j);
    build_neighbours(p);
    p.edges.assign(p.jobs.size(), {});
    for (auto s : d["syncs"].cast<py::list>()) {
        auto t = s.cast<py::tuple>();
        int a = t[0].cast<int>(), b = t[1].cast<int>();
        double lo = t[2].cast<double>(), hi = t[3].cast<double>();
        if (a < 0 || b < 0 || a >= p.n_jobs() || b >= p.n_jobs() || a == b)
            throw std::invalid_argument("sync " + std::to_string(a) + "->" + std::to_string(b) + ": no such pair of jobs");
        if (hi < lo)
            throw std::invalid_argument("sync " + std::to_string(a) + "->" + std::to_string(b) + ": max gap below min gap");
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
    comp["late_cost"] = s.late_cost;
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
    if (params.contains("unserved_seed")) prm.unserved_seed = params["unserved_seed"].cast<double>();
    if (params.contains("repair_share")) prm.repair_share = params["repair_share"].cast<double>();
    if (params.contains("repair_single_penalty"))
        prm.repair_single_penalty = params["repair_single_penalty"].cast<double>();
    if (params.contains("initial_temperature")) prm.initial_temperature = params["initial_temperature"].cast<double>();
    if (params.contains("final_temperature_ratio")) prm.final_temperature_ratio = params["final_temperature_ratio"].cast<double>();
    if (params.contains("verify")) prm.verify = params["verify"].cast<bool>();
    if (params.contains("initial_acceptance")) {
        prm.initial_acceptance = params["initial_acceptance"].cast<double>();
        if (!(prm.initial_acceptance > 0 && prm.initial_acceptance < 1))
            throw std::invalid_argument("initial_acceptance must lie strictly between 0 and 1");
    }
    if (params.contains("insert_candidates")) prm.insert_candidates = params["insert_candidates"].cast<int>();
    if (params.contains("target_cost") && !params["target_cost"].is_none()) prm.target_cost = params["target_cost"].cast<double>();
    if (params.contains("time_warp")) prm.time_warp = params["time_warp"].cast<double>();
    if (params.contains("warp_after")) prm.warp_after = params["warp_after"].cast<double>();
    if (params.contains("warp_max_share")) prm.warp_max_share = params["warp_max_share"].cast<double>();
    if (params.contains("warp_focus")) prm.warp_focus = params["warp_focus"].cast<double>();
    if (params.contains("warp_temperature")) prm.warp_temperature = params["warp_temperature"].cast<double>();
    if (params.contains("warp_restart")) prm.warp_restart = params["warp_restart"].cast<double>();
    if (!(prm.warp_focus >= 0 && prm.warp_focus <= 1))
        throw std::invalid_argument("warp_focus must lie between 0 and 1");
    if (!(prm.warp_temperature >= 0) || !(prm.warp_restart >= 0))
        throw std::invalid_argument("warp_temperature and warp_restart must be 0 or more");
    // The search touches no Python object, so it runs without Python's lock: other
    // threads (the web server beside a planning job in the thread backend) go on. The
    // progress callback takes the lock back for the call and for Ctrl-C.
    std::function<void(double, double)> report;
    if (progress) {
        report = [&progress](double elapsed, double cost) {
            py::gil_scoped_acquire lock;
            progress(elapsed, cost);
            if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        };
    }
    Search search(p, prm, report);
    State best;
    {
        py::gil_scoped_release unlocked;
        best = search.run(initial);
    }
    py::dict d = to_dict(p, best.routes, best.route_of, best.sched, search.iterations(), search.elapsed());
    py::dict stats;
    const char* names[] = {"relocate", "swap", "two_opt", "insert", "remove", "replace", "ruin_recreate"};
    for (int k = 0; k < 7; ++k) stats[names[k]] = search.stats[k];
    stats["initial_temperature"] = search.t0_;
    stats["group_repairs"] = search.repairs();
    stats["warp_projections"] = search.projections();
    stats["warp_restarts"] = search.warp_restarts();
    stats["warp_phase"] = search.warp_phase();
    stats["warp_left"] = search.warp_left();
    stats["exact_check_refusals"] = search.faults();
    stats["partial_mismatches"] = search.mismatches();
    d["stats"] = stats;
    return d;
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

void register_pricing(py::module_& m);  // pricing.cpp

PYBIND11_MODULE(_core, m) {
    m.doc() = "beredt's routing search core";
    register_pricing(m);
    m.def("solve", &solve, py::arg("payload"), py::arg("initial"), py::arg("params"), py::arg("progress") = nullptr);
    m.def("evaluate", &evaluate, py::arg("payload"), py::arg("routes"));
}
