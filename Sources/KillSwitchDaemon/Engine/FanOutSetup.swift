import KillSwitchCore

/// What a fan-out starts from: what keep rules protect, the scope every listing uses, each venue's machine and
/// the plan it follows.
struct FanOutSetup: Sendable {
    var kept: KeptOrders
    var scope: TripScope
    var machine: IncidentStateMachine
    /// Per venue entry of a first fan-out, the strategy chosen and why (the audit's `cancel-strategy`).
    var plans: [(venue: VenueDescriptor, choice: CancelStrategyChoice)]
}
