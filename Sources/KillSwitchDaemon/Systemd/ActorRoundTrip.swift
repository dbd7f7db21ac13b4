/// Runs on `actor`'s executor and returns at once: awaiting it proves the actor is taking work — every job
/// queued before it has finished and it is not stuck inside a synchronous call. The watchdog's liveness
/// check (a bare timer would keep pinging while the trip engine is wedged).
func roundTrip(through actor: isolated any Actor) {}
