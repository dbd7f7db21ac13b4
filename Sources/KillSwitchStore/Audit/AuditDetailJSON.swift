import KillSwitchCore

/// An audit event's detail as a JSON object with sorted keys (as `JSONSerialization` with `.sortedKeys`
/// wrote it before), through Core's `JSONText`: `JSONSerialization` bridges through NSDictionary and cost a
/// tenth of a millisecond on the trip path (the `trip` event is written before the first cancel leaves).
enum AuditDetailJSON {
    static func encode(_ detail: [String: String]) -> String {
        JSONText.object(detail.keys.sorted().map { ($0, JSONText.string(detail[$0]!)) })
    }
}
