import Foundation
import KillSwitchConfig
import KillSwitchCore
import Logging

/// One venue account's background loop (see `VenueMaintenanceService`).
struct VenueMaintainer: Sendable {
    /// What a round did, for tests (and nothing else: health and events are the real outputs).
    enum Report: Sendable, Hashable {
        case clockSynced(venueId: String, ok: Bool)
        case weightLimitApplied(venueId: String, BucketLimit)
        case armedChecked(venueId: String, ok: Bool)
        /// A background call was not sent because an incident on the venue is running.
        case skipped(venueId: String, VenueOperation)
    }

    let venueId: String
    let client: any VenueClient
    let limits: VenueRateLimits
    let health: VenueHealthRegistry
    let events: DaemonEventBus
    let settings: MaintenanceSettings
    let clock: any Clock<Duration>
    let wallClock: WallClock
    let logger: Logger
    let isIncidentRunning: @Sendable (String) async -> Bool
    let observe: (@Sendable (Report) -> Void)?

    /// Every call runs at background priority: the venue client takes its budget there, never what a
    /// running incident needs (the pools are reserved while one runs).
    func run() async {
        await RequestContext.$current.withValue(.background) { await loop() }
    }

    private func loop() async {
        var armedCheckFailing = false
        await keepWarm()
        await readWeightLimit()
        await armedCheck(failing: &armedCheckFailing)
        // Two timers on one clock: sleep to whichever is due first.
        var untilWarm = settings.keepWarm
        var untilArmed = settings.armedCheck
        while !Task.isCancelled {
            let step = min(untilWarm, untilArmed)
            do { try await clock.sleep(for: step) } catch { return }
            untilWarm -= step
            untilArmed -= step
            if untilWarm <= .zero {
                untilWarm = settings.keepWarm
                await keepWarm()
            }
            if untilArmed <= .zero {
                untilArmed = settings.armedCheck
                await readWeightLimit()
                await armedCheck(failing: &armedCheckFailing)
            }
        }
    }

    /// Whether a background call may go: not while an incident on the venue runs (then nothing is sent).
    /// The client takes the call's budget itself, at background priority, and background takers get nothing
    /// while the pools are reserved for a running incident.
    private func mayCall(_ operation: VenueOperation) async -> Bool {
        if await isIncidentRunning(venueId) {
            logger.debug("background call skipped: an incident on this venue is running", metadata: ["venue": "\(venueId)", "call": "\(operation)"])
            observe?(.skipped(venueId: venueId, operation))
            return false
        }
        return true
    }

    /// The time endpoint: keeps the keep-alive connections open (as many as a trip's first burst uses, see
    /// `ConnectionWarmer`) and the signing clock's offset fresh.
    private func keepWarm() async {
        await ConnectionWarmer.hold(count: ConnectionWarmer.count(venueId: venueId, limits: limits), client: client) {
            await mayCall(.time)
        }
        // After the burst, on a warm connection: the offset the venue clock keeps is this last, clean sample.
        await syncClock()
    }

    private func syncClock() async {
        guard await mayCall(.time) else { return }
        let now = wallClock.now()
        do {
            let offset = try await client.syncClock()
            health.update(venueId) {
                $0.clockOffsetMilliseconds = offset
                $0.lastAnswerAt = now
                $0.lastAnswerOK = true
            }
            observe?(.clockSynced(venueId: venueId, ok: true))
        } catch {
            logger.warning("clock sync failed", metadata: ["venue": "\(venueId)", "error": "\(error)"])
            health.update(venueId) { $0.lastAnswerOK = false }
            observe?(.clockSynced(venueId: venueId, ok: false))
        }
    }

    /// Binance's live request-weight limit (`exchangeInfo`) onto the shared weight pool.
    private func readWeightLimit() async {
        guard client.kind == .binanceCoinM, await mayCall(.exchangeInfo) else { return }
        do {
            guard let limit = try await client.publishedWeightLimit() else { return }
            limits.setBinanceWeightLimit(limit)
            logger.debug("applied Binance's published weight limit", metadata: ["venue": "\(venueId)", "limit": "\(limit)"])
            observe?(.weightLimitApplied(venueId: venueId, limit))
        } catch {
            logger.warning("could not read Binance's published weight limit; keeping the current one", metadata: ["venue": "\(venueId)", "error": "\(error)"])
        }
    }

    /// The armed check: a signed listing (the key signs and reads), then — the listing answered — one cancel of
    /// an order that cannot exist (the key may cancel: a read-only key lists like any other). The client takes
    /// the cancel's budget at background priority (this loop's `RequestContext`); when an incident has started on
    /// the venue meanwhile, nothing is sent and the listing's result stands for this round. A failure is published once when the check starts failing, not on every
    /// interval; the recovery is logged.
    private func armedCheck(failing: inout Bool) async {
        guard await mayCall(.openOrders(symbol: false)) else { return }
        var result = await client.armedCheck()
        if result.ok, settings.cancelProbe, await mayCall(.batchCancel) {
            let probe = await client.probeCancel()
            // A refusal leads the detail ("cannot cancel: …"), which is what status shows.
            result = probe.ok ? ArmedCheckResult(ok: true, failure: nil, detail: "\(result.detail); \(probe.detail)") : probe
        }
        let now = wallClock.now()
        health.update(venueId) {
            $0.armedCheckAt = now
            $0.armedCheckOK = result.ok
            $0.armedCheckDetail = result.detail
            $0.lastAnswerAt = now
            $0.lastAnswerOK = result.ok
        }
        if !result.ok && !failing {
            logger.error("armed check failed: this venue account may not be cancellable", metadata: ["venue": "\(venueId)", "detail": "\(result.detail)"])
            events.publish(.armedCheckFailed(venueId: venueId, detail: result.detail))
        } else if result.ok && failing {
            logger.notice("armed check passes again", metadata: ["venue": "\(venueId)"])
        }
        failing = !result.ok
        observe?(.armedChecked(venueId: venueId, ok: result.ok))
    }
}
