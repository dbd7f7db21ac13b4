import NIOCore
import NIOPosix

/// The thread the store's actor runs on. SQLite calls are synchronous and some (an answer with hundreds of
/// outcome rows) take milliseconds; on Swift's cooperative pool — two threads on a two-core box — they would
/// hold up the tasks waiting for a token and make cancels leave late and in bunches. On its own thread the
/// store costs the cooperative pool nothing; the OS schedules it beside the rest.
enum StoreThread {
    /// One event loop for every store in the process (a daemon has one); it lives as long as the process.
    static let loop: any EventLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1).next()

    static var executor: UnownedSerialExecutor { loop.executor.asUnownedSerialExecutor() }
}
