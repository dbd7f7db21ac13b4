/// Capped exponential backoff with jitter for cancel retries and re-verification.
public struct RetryPolicy: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration
    /// Fraction of each delay drawn at random (0.2 = ±20%), so venues don't see synchronised retries.
    public var jitter: Double

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The delay before retry number `attempt` (1-based), with `unit` a random draw in 0..<1.
    public func delay(attempt: Int, unit: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        var base = initial * (1 << exponent)
        if base > maximum { base = maximum }
        let factor = 1 + jitter * (unit * 2 - 1)
        return base * factor
    }
}
