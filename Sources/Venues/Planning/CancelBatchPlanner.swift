import KillSwitchCore

/// Splits one venue account's orders into batch-cancel requests by the kind's grouping rule
/// (gate-futures: one settle — the account's — any contracts; gate-spot and htx-spot: any symbols;
/// bitget-mix and binance-coinm: one symbol per request), chunked to the kind's limit.
/// Within a group, orders with a venue id come first; orders known only by client id follow. Where the
/// venue takes one id type per request (HTX, Binance) the two never share a batch; Gate and Bitget
/// items may mix (`byClientId` is then true only for an all-client-id batch).
public enum CancelBatchPlanner {
    public static func plan(_ targets: [CancelTarget], venueId: String, kind: VenueKind) -> [CancelBatch] {
        let usable = targets.filter { !$0.wireId.isEmpty }
        var groups: [(symbol: String?, targets: [CancelTarget])] = []
        if kind.batchIsPerSymbol {
            var index: [String: Int] = [:]
            for target in usable {
                if let i = index[target.symbol] {
                    groups[i].targets.append(target)
                } else {
                    index[target.symbol] = groups.count
                    groups.append((target.symbol, [target]))
                }
            }
        } else if !usable.isEmpty {
            groups = [(nil, usable)]
        }

        let splitsIdTypes = kind == .htxSpot || kind == .binanceCoinM
        var batches: [CancelBatch] = []
        for group in groups {
            let byVenueId = group.targets.filter { !$0.usesClientId }
            let byClientId = group.targets.filter(\.usesClientId)
            let runs = splitsIdTypes ? [byVenueId, byClientId] : [byVenueId + byClientId]
            for run in runs where !run.isEmpty {
                for start in stride(from: 0, to: run.count, by: kind.batchLimit) {
                    let chunk = Array(run[start..<min(start + kind.batchLimit, run.count)])
                    batches.append(CancelBatch(venueId: venueId, symbol: group.symbol, targets: chunk, byClientId: chunk.allSatisfy(\.usesClientId)))
                }
            }
        }
        return batches
    }
}
