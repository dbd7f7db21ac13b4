import Synchronization

/// The configured clock plus the fire-drill offset set over `POST /_sim/clock`.
final class ShiftedClock: Sendable {
    let base: any SimClock
    private let offset = Atomic<Int64>(0)

    init(base: any SimClock) {
        self.base = base
    }

    var offsetMilliseconds: Int64 {
        get { offset.load(ordering: .relaxed) }
    }

    func setOffset(milliseconds: Int64) {
        offset.store(milliseconds, ordering: .relaxed)
    }

    func now() -> Int64 {
        base.nowMilliseconds() &+ offset.load(ordering: .relaxed)
    }
}
