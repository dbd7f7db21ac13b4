import Synchronization

/// The simulator's shared core: configuration, accounts, clock and the locked state. Venue routes and the
/// admin API work through it.
final class SimCore: Sendable {
    let configuration: VenueSimConfiguration
    let clock: ShiftedClock
    let accounts: AccountDirectory
    private let state: Mutex<SimState>
    private let requestCounter = Atomic<Int>(0)
    /// Set at shutdown so requests held by a timeout fault let go.
    let shuttingDown = Atomic<Bool>(false)

    init(configuration: VenueSimConfiguration) {
        self.configuration = configuration
        self.clock = ShiftedClock(base: configuration.clock)
        self.accounts = AccountDirectory(configuration.accounts)
        self.state = Mutex(SimState(configuration: configuration))
    }

    func now() -> Int64 {
        clock.now()
    }

    func nextRequestId() -> Int {
        requestCounter.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// Runs `body` on the state after applying the time effects due by `now`.
    func withState<Result: Sendable>(now: Int64, _ body: (inout SimState) -> Result) -> Result {
        state.withLock { state in
            state.advance(to: now)
            return body(&state)
        }
    }

    func record(_ entry: SimRequestLogEntry) {
        state.withLock { $0.log.append(entry) }
    }

    func credentials(exchange: String, apiKey: String?) -> AccountCredentials? {
        guard let apiKey else { return nil }
        return accounts.credentials(exchange: exchange, apiKey: apiKey)
    }
}
