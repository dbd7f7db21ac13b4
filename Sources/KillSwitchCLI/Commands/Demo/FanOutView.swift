import Foundation
import KillSwitchDaemon

/// The fan-out as it happens: a line per venue with requests sent, the request rate, and the orders by
/// outcome. On a terminal the block is redrawn in place; otherwise (CI, a pipe) it is printed at intervals.
struct FanOutView {
    let venues: [(id: String, orders: Int)]
    let interactive = isatty(STDOUT_FILENO) == 1
    private var linesDrawn = 0
    private var lastPrinted: [String: IncidentProgress.VenueCounts] = [:]

    init(venues: [(id: String, orders: Int)]) { self.venues = venues }

    mutating func draw(_ snapshot: [String: IncidentProgress.VenueCounts], elapsedSeconds: Double, final: Bool = false) {
        if !interactive && !final && snapshot == lastPrinted { return }
        lastPrinted = snapshot
        var lines: [String] = []
        let width = venues.map(\.id.count).max() ?? 10
        for venue in venues {
            let counts = snapshot[venue.id] ?? IncidentProgress.VenueCounts()
            let rate = elapsedSeconds > 0 ? Double(counts.requests) / elapsedSeconds : 0
            let latency = counts.answered > 0 ? Double(counts.totalLatencyNanoseconds) / Double(counts.answered) / 1e6 : 0
            let outcomes = counts.outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let state = outcomes.isEmpty ? (counts.requests > 0 ? "in flight" : "queued") : outcomes
            lines.append(String(format: "  %@  %4d/%-4d done  %4d req  %6.1f req/s  avg %5.1f ms   %@",
                                venue.id.padding(toLength: width, withPad: " ", startingAt: 0), counts.orders - counts.outstanding, venue.orders,
                                counts.requests, rate, latency, state))
        }
        if interactive && linesDrawn > 0 { print("\u{1B}[\(linesDrawn)A", terminator: "") }
        if !interactive { print(String(format: "  t+%.2fs", elapsedSeconds)) }
        for line in lines { print(interactive ? line + "\u{1B}[K" : line) }
        linesDrawn = lines.count
        fflush(nil)
    }
}
