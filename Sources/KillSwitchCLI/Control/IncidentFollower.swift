import Foundation
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore

/// `trip --follow`: polls `/v1/status` and prints a line per venue (orders by outcome, outstanding,
/// requests and request rate since the last poll) until the incident ends, then the summary.
struct IncidentFollower {
    let client: ControlClient
    let incident: Int64
    let poll: Duration

    func run() async throws -> StatusReport.Incident {
        var lastRequests: [String: Int] = [:]
        var lastTime = ContinuousClock.now
        var client = client
        client.timeout = .seconds(5)
        while true {
            let report: StatusReport
            do {
                report = try await client.get("/v1/status", as: StatusReport.self)
            } catch ControlClient.Failure.slow(_, let reason) {
                // The daemon is cancelling hard and answering late: keep following; only a socket that is
                // really gone ends this (exit 69).
                CLIOutput.print("(the daemon is slow to answer status: \(reason); still following)")
                continue
            }
            guard let status = report.incidents.first(where: { $0.id == incident }) else {
                throw ControlClient.Failure.daemon(status: 404, message: "incident \(incident) is no longer in the daemon's status (re-armed?)")
            }
            let now = ContinuousClock.now
            let seconds = (now - lastTime).seconds
            lastTime = now
            for venue in status.venues {
                let rate = seconds > 0 ? Double(venue.requests - (lastRequests[venue.venue] ?? 0)) / seconds : 0
                lastRequests[venue.venue] = venue.requests
                CLIOutput.print(Self.line(venue: venue.venue, orders: venue.orders, requests: venue.requests, rate: rate))
            }
            if status.state != "running" {
                CLIOutput.print(Self.summary(status))
                return status
            }
            try await Task.sleep(for: poll)
        }
    }

    static func line(venue: String, orders: IncidentOrderProgress, requests: Int, rate: Double) -> String {
        let counts = ["cancelled", "alreadyClosed", "closedAfterCancelAll", "pending", "rejected", "unknown", "retryable", "rateLimited"]
            .compactMap { kind in orders.outcomes[kind].map { "\(kind) \($0)" } }
        let parts = ["orders \(orders.total)"] + counts + ["outstanding \(orders.outstanding)", "requests \(requests) (\(String(format: "%.1f", rate))/s)"]
        return venue.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + parts.joined(separator: "  ")
    }

    static func summary(_ status: StatusReport.Incident) -> String {
        if status.state == "shadow" {
            return "incident \(status.id) ended shadow: nothing was sent ([engine] mode = \"shadow\"); what a live daemon would have sent: killswitch audit requests --incident \(status.id)"
        }
        let orders = status.orders
        let duration = status.endedAt.map { " in \(String(format: "%.2f", Double($0 - status.trippedAt) / 1000)) s" } ?? ""
        let counts = orders.outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "incident \(status.id) ended \(status.state)\(duration): \(orders.total) orders (\(counts.isEmpty ? "none" : counts)), outstanding \(orders.outstanding)"
    }
}
