/// The admitted arrivals of one limit key, oldest first, with their costs (1 per request; Binance's request
/// weight per endpoint), and prefix sums so the cost inside any time range is two lookups.
///
/// Requests are judged at arrival, but concurrent requests reach the lock slightly out of arrival order, so an
/// arrival may land before the newest one: it is inserted in time order and every window containing it is
/// checked, not just the one ending at it.
struct ArrivalLog: Sendable {
    private(set) var times: [Int64] = []
    /// `prefix[i]` = total cost of the entries before index i (so `prefix.count == times.count + 1`).
    private var prefix: [Double] = [0]

    var isEmpty: Bool { times.isEmpty }

    /// First index whose time is >= `time` (binary search).
    func firstIndex(atOrAfter time: Int64) -> Int {
        var low = 0
        var high = times.count
        while low < high {
            let middle = (low + high) / 2
            if times[middle] < time { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Total cost of the entries with index in `range`.
    func cost(_ range: Range<Int>) -> Double {
        prefix[range.upperBound] - prefix[range.lowerBound]
    }

    /// Total cost of the arrivals in the half-open time range `[from, to)`.
    func cost(from: Int64, to: Int64) -> Double {
        cost(firstIndex(atOrAfter: from)..<firstIndex(atOrAfter: to))
    }

    /// The most cost in any window of `windowMs` that contains `time`, counting `extra` at `time` itself.
    /// Two arrivals share a window when they are less than `windowMs` apart.
    func heaviestWindow(containing time: Int64, windowMs: Int64, extra: Double) -> Double {
        // Fast path (every in-order arrival): nothing after `time`, so the heaviest window is (time − W, time].
        if times.last.map({ $0 <= time }) ?? true {
            return cost(from: time - windowMs + 1, to: .max) + extra
        }
        // A window [start, start + W) contains `time` when start ∈ (time − W, time]; the heaviest one starts
        // at an arrival in that range or at `time` itself.
        var heaviest = cost(from: time, to: time + windowMs) + extra
        var index = firstIndex(atOrAfter: time - windowMs + 1)
        while index < times.count, times[index] <= time {
            let start = times[index]
            heaviest = max(heaviest, cost(from: start, to: start + windowMs) + extra)
            index += 1
        }
        return heaviest
    }

    /// The earliest time at or after `time` at which `extra` more fits under `limit` in every window of
    /// `windowMs` ending at it, assuming nothing else arrives (used for reset/Retry-After headers).
    func earliestAdmission(at time: Int64, windowMs: Int64, limit: Double, extra: Double) -> Int64 {
        var index = firstIndex(atOrAfter: time - windowMs + 1)
        let end = firstIndex(atOrAfter: time + 1)
        while index < end, cost(index..<end) + extra > limit + 1e-9 {
            index += 1
        }
        guard index > 0, index <= end, cost(index..<end) + extra <= limit + 1e-9 else { return time }
        // Entries before `index` must have left the window: the last of them leaves W after it arrived.
        return max(time, times[index - 1] + windowMs)
    }

    mutating func insert(_ time: Int64, cost: Double) {
        if times.last.map({ $0 <= time }) ?? true {
            times.append(time)
            prefix.append(prefix[prefix.count - 1] + cost)
            return
        }
        let position = firstIndex(atOrAfter: time + 1)
        times.insert(time, at: position)
        prefix.insert(prefix[position] + cost, at: position + 1)
        for index in (position + 2)..<prefix.count { prefix[index] += cost }
    }

    /// Forgets arrivals older than `horizon` (memory stays bounded by one window of traffic).
    mutating func prune(before horizon: Int64) {
        let drop = firstIndex(atOrAfter: horizon)
        guard drop > 0 else { return }
        // Compact in chunks so pruning one entry per request is not quadratic.
        guard drop >= 64 || drop * 2 >= times.count else { return }
        times.removeFirst(drop)
        prefix.removeFirst(drop)
    }
}
