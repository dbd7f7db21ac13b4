import KillSwitchCore

/// One event's fields as sent, before validation: one slot per known field, filled member by member as the
/// JSON is read. A batch of 1,000 events used to become 1,000 `[String: JSONValue]` dictionaries first (every
/// key hashed and stored, then looked up again); the slots need neither, and keep what validation must see:
/// which fields were sent, with what JSON type, which names are unknown and which were sent twice.
struct OrderEventFields {
    var eventId: JSONValue?
    var venue: JSONValue?
    var account: JSONValue?
    var symbol: JSONValue?
    var venueOrderId: JSONValue?
    var clientOrderId: JSONValue?
    var status: JSONValue?
    var side: JSONValue?
    var price: JSONValue?
    var quantity: JSONValue?
    var filledQuantity: JSONValue?
    var time: JSONValue?
    var settle: JSONValue?
    var productType: JSONValue?
    var marginCoin: JSONValue?
    /// Names that are not event fields, in the order sent (rare: kept as a list, sorted when reported).
    var unknown: [String] = []
    /// The first known field sent twice in one event: which of the two was meant cannot be known.
    var repeated: String?

    init() {}

    /// The fields of an already-parsed object (`OrderEventValidator.validate(_:index:)`); a dictionary cannot
    /// hold a name twice, so `repeated` stays nil.
    init(object: [String: JSONValue]) {
        for (name, value) in object { set(name, value) }
    }

    /// Records one member as read. The names are the README's; `eventId` and the like are short enough that
    /// Swift keeps them inline (no allocation), so comparing them is cheap.
    mutating func set(_ name: String, _ value: JSONValue) {
        func put(_ slot: inout JSONValue?) {
            if slot != nil, repeated == nil { repeated = name }
            slot = value
        }
        switch name {
        case "eventId": put(&eventId)
        case "venue": put(&venue)
        case "account": put(&account)
        case "symbol": put(&symbol)
        case "venueOrderId": put(&venueOrderId)
        case "clientOrderId": put(&clientOrderId)
        case "status": put(&status)
        case "side": put(&side)
        case "price": put(&price)
        case "quantity": put(&quantity)
        case "filledQuantity": put(&filledQuantity)
        case "time": put(&time)
        case "settle": put(&settle)
        case "productType": put(&productType)
        case "marginCoin": put(&marginCoin)
        default: unknown.append(name)
        }
    }
}
