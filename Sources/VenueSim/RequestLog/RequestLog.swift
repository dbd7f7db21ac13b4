/// A ring of the newest `capacity` request-log entries.
struct RequestLog: Sendable {
    private var ring: [SimRequestLogEntry] = []
    private var head = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    mutating func append(_ entry: SimRequestLogEntry) {
        if ring.count < capacity {
            ring.append(entry)
        } else {
            ring[head] = entry
            head = (head + 1) % capacity
        }
    }

    /// Entries with an id above `since`, in id order. Ids are handed out at arrival and entries written on
    /// completion, so concurrent requests may be written slightly out of order; sorting restores it.
    func entries(since: Int) -> [SimRequestLogEntry] {
        var result: [SimRequestLogEntry] = []
        for index in 0..<ring.count {
            let entry = ring[(head + index) % ring.count]
            if entry.id > since { result.append(entry) }
        }
        result.sort { $0.id < $1.id }
        return result
    }

    mutating func removeAll() {
        ring = []
        head = 0
    }
}
