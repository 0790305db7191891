// Route pricing for beredt's route bound (beredt.planning.routebound).
//
// Given a profit per visit, find the caregiver routes of largest total profit: leave the
// office at the shift start or later, start every visit inside its window (waiting is
// allowed), take the break (if the shift has one) between two stops with its start in
// the break window, and be back at the office by the shift end. Routes are ng-routes
// (Baldacci, Mingozzi and Roberti 2011): a visit may come back only after the route has
// passed a visit that does not count it among its neighbours, which makes the set of
// routes larger than the elementary ones, never smaller. That is what a bound needs: a
// relaxation that every real route belongs to.
//
// Arcs in ``forbidden`` (visit or office, n, at either end) are never used; branching
// on arcs relies on it.
//
// The labelling is exact unless ``max_labels`` labels or ``seconds`` are reached; then
// the best profit is reported as -1 (unknown) and only the routes found so far are
// returned.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <queue>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace {

constexpr double PROFIT_EPS = 1e-9;
constexpr int MAX_NG = 31;  // neighbours per visit, the visit itself included, in one mask

struct Label {
    int node;         // visit, or -1 at the office
    int time;         // start of the visit (leaving time at the office)
    double profit;    // sum of the visits' profits
    uint32_t memory;  // ng memory: bit k is ng[node][k]
    bool rested;      // the break is taken (or the shift has none)
    int pred;         // label this one extends, -1 at the office
    bool dead;
};

using Visit = std::tuple<int, int, int>;              // earliest start, latest start, duration
using Shift = std::tuple<int, int, bool, int, int, int>;  // start, end, has break, window, duration
using Route = std::pair<double, std::vector<int>>;

int position(const std::vector<int>& near, int visit) {
    const int size = std::min<int>(static_cast<int>(near.size()), MAX_NG);
    for (int k = 0; k < size; ++k)
        if (near[k] == visit) return k;
    return -1;
}

std::pair<double, std::vector<Route>> price_routes(
    const std::vector<Visit>& visits, const std::vector<std::vector<int>>& travel, const Shift& shift,
    const std::vector<int>& eligible, const std::vector<double>& profit,
    const std::vector<std::vector<int>>& ng, double min_profit, int max_routes, long max_labels,
    double seconds, const std::vector<std::pair<int, int>>& forbidden) {
    const int n = static_cast<int>(visits.size());
    const int office = n;
    if (static_cast<int>(travel.size()) != n + 1 || static_cast<int>(profit.size()) != n ||
        static_cast<int>(ng.size()) != n)
        throw std::invalid_argument("travel must be (visits + 1) square, profit and ng one per visit");
    for (const auto& row : travel)
        if (static_cast<int>(row.size()) != n + 1) throw std::invalid_argument("travel must be square");
    for (int i = 0; i < n; ++i)
        if (ng[i].empty() || ng[i][0] != i) throw std::invalid_argument("ng[i] must start with i");
    // Arcs a route may not use (branching); the office is index n at either end.
    std::vector<std::vector<char>> banned(forbidden.empty() ? 0 : n + 1, std::vector<char>(n + 1, 0));
    for (const auto& [a, b] : forbidden) {
        if (a < 0 || a > n || b < 0 || b > n) throw std::invalid_argument("forbidden arc out of range");
        banned[a][b] = 1;
    }
    auto allowed = [&](int a, int b) { return banned.empty() || !banned[a][b]; };
    const auto [shift_start, shift_end, has_break, break_from, break_to, break_minutes] = shift;
    std::vector<char> wanted(n, 0);
    for (int i : eligible) {
        if (i < 0 || i >= n) throw std::invalid_argument("eligible visit out of range");
        if (profit[i] > PROFIT_EPS) wanted[i] = 1;  // a visit of no profit never helps a route
    }
    // Candidates in order of latest start: a label finishing at t looks only at visits
    // whose latest start is t or later.
    std::vector<int> order;
    for (int j = 0; j < n; ++j)
        if (wanted[j]) order.push_back(j);
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return std::get<1>(visits[a]) < std::get<1>(visits[b]); });
    std::vector<int> latest_of;
    for (int j : order) latest_of.push_back(std::get<1>(visits[j]));
    std::vector<Label> labels;
    std::vector<std::vector<int>> at(n);
    using Entry = std::pair<int, int>;  // (time, label)
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue;
    labels.push_back(Label{-1, shift_start, 0.0, 0u, !has_break, -1, false});
    queue.push({shift_start, 0});
    double best = 0.0;
    std::vector<int> complete;
    bool truncated = false;
    const auto began = std::chrono::steady_clock::now();
    long popped = 0;
    while (!queue.empty() && !truncated) {
        if ((popped++ & 1023) == 0 &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count() > seconds) {
            truncated = true;
            break;
        }
        const int id = queue.top().second;
        queue.pop();
        if (labels[id].dead) continue;
        const Label here = labels[id];
        const int i = here.node;
        const int from = i < 0 ? office : i;
        const int finish = i < 0 ? here.time : here.time + std::get<2>(visits[i]);
        if (i >= 0) {  // end the route here
            const int home = travel[from][office];
            int end = finish + home;
            bool fits = true;
            if (!here.rested) {
                const int rest = std::max(finish, break_from);
                fits = rest <= break_to;
                end = std::max(rest, finish + home) + break_minutes;
            }
            if (fits && end <= shift_end && allowed(from, office)) {
                best = std::max(best, here.profit);
                if (here.profit > min_profit) complete.push_back(id);
            }
        }
        const auto first = std::lower_bound(latest_of.begin(), latest_of.end(), finish) - latest_of.begin();
        for (size_t c = static_cast<size_t>(first); c < order.size() && !truncated; ++c) {
            const int j = order[c];
            if (j == i || !allowed(from, j)) continue;
            if (i >= 0) {
                const int k = position(ng[i], j);
                if (k >= 0 && (here.memory >> k & 1u)) continue;
            }
            const auto [earliest, latest, duration] = visits[j];
            const int trip = travel[from][j];
            for (int rest_now = 0; rest_now < 2; ++rest_now) {
                bool rested = here.rested;
                int start;
                if (!rest_now) {
                    start = std::max(earliest, finish + trip);
                    // Without the break now, it must still fit after this visit.
                    if (!rested && start + duration > break_to) continue;
                } else {
                    if (rested || std::max(finish, break_from) > break_to) continue;
                    start = std::max(earliest, std::max(finish + trip, break_from) + break_minutes);
                    rested = true;
                }
                if (start > latest) continue;
                // Every route goes back to the office by the shift end (with the break,
                // if it is still to come): a label that cannot is no route at all.
                if (start + duration + travel[j][office] + (rested ? 0 : break_minutes) > shift_end)
                    continue;
                uint32_t memory = 1u;  // j itself
                const auto& near = ng[j];
                const int size = std::min<int>(static_cast<int>(near.size()), MAX_NG);
                for (int k = 1; k < size && i >= 0; ++k) {
                    const int v = near[k];
                    if (v == i) {
                        memory |= 1u << k;
                    } else {
                        const int p = position(ng[i], v);
                        if (p >= 0 && (here.memory >> p & 1u)) memory |= 1u << k;
                    }
                }
                const double value = here.profit + profit[j];
                bool dominated = false;
                for (int o : at[j]) {
                    const Label& other = labels[o];
                    if (!other.dead && other.time <= start && other.profit >= value - PROFIT_EPS &&
                        (other.memory & ~memory) == 0 && other.rested >= rested) {
                        dominated = true;
                        break;
                    }
                }
                if (dominated) continue;
                std::vector<int> alive;
                for (int o : at[j]) {
                    Label& other = labels[o];
                    if (other.dead) continue;
                    if (start <= other.time && value >= other.profit - PROFIT_EPS &&
                        (memory & ~other.memory) == 0 && rested >= other.rested)
                        other.dead = true;
                    else
                        alive.push_back(o);
                }
                labels.push_back(Label{j, start, value, memory, rested, id, false});
                alive.push_back(static_cast<int>(labels.size()) - 1);
                at[j].swap(alive);
                queue.push({start, static_cast<int>(labels.size()) - 1});
                if (static_cast<long>(labels.size()) > max_labels) truncated = true;
            }
        }
    }
    std::sort(complete.begin(), complete.end(),
              [&](int a, int b) { return labels[a].profit > labels[b].profit; });
    std::vector<Route> routes;
    for (int id : complete) {
        if (static_cast<int>(routes.size()) >= max_routes) break;
        std::vector<int> path;
        for (int x = id; x >= 0 && labels[x].node >= 0; x = labels[x].pred) path.push_back(labels[x].node);
        std::reverse(path.begin(), path.end());
        if (std::none_of(routes.begin(), routes.end(), [&](const Route& r) { return r.second == path; }))
            routes.emplace_back(labels[id].profit, std::move(path));
    }
    return {truncated ? -1.0 : best, routes};
}

}  // namespace

void register_pricing(py::module_& m) {
    m.def("price_routes", &price_routes, py::arg("visits"), py::arg("travel"), py::arg("shift"),
          py::arg("eligible"), py::arg("profit"), py::arg("ng"), py::arg("min_profit"),
          py::arg("max_routes"), py::arg("max_labels"), py::arg("seconds"), py::arg("forbidden") = std::vector<std::pair<int, int>>{},
          // The labelling touches no Python object: other threads (the web server
          // beside a class-1 check job) run while it prices.
          py::call_guard<py::gil_scoped_release>());
}
