import KillSwitchCore

/// A tracked order's row as the ingest merge reads and changes it. During a batch the changed rows live in
/// `IngestBatch` and reach the table when the batch writes them (see there).
struct OrderRow {
    var id: Int64
    var venueId: String
    var account: String
    var symbol: String
    var venueOrderId: String?
    var clientOrderId: String?
    var origin: String?
    var status: OrderStatus
    var filled: DecimalAmount
    var side: String?
    var price: String?
    var quantity: String?
}
